"""The comparison runner and its summaries, and the Compare page through AppTest."""

import csv
import io
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from joblib import Parallel, delayed
from plotly_json import page_figures
from streamlit.testing.v1 import AppTest

from playground.figures.compare import accuracy_by_seed, prediction_grid, validation_curves
from playground.logic import compare
from scratchnet.config import RunConfig
from scratchnet.data import load_boston
from scratchnet.problems import make_problem

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def tasks():
    entries = compare.default_entries()
    split = compare.shared_split(entries, load_boston(), 0.3)
    return compare.make_tasks(entries, compare.seeds_for(20190501, 2), split)


SPIRALS = RunConfig(dataset="spirals", features=("x1", "x2"), samples=300, noise=0.0, data_seed=3, test_size=0.3)


def spirals_data():
    return make_problem("spirals", n=300, noise=0.0, seed=3).select(["x1", "x2"])


@pytest.fixture(scope="module")
def spiral_tasks():
    """The book's three models on two spirals, two seeds, 40 epochs (enough to tell them apart, and quick)."""
    entries = [compare.Entry(e.label, replace(e.config, epochs=40))
               for e in compare.on_data(compare.default_entries("spirals"), SPIRALS)]
    split = compare.shared_split(entries, spirals_data(), 0.3)
    return compare.make_tasks(entries, compare.seeds_for(20190501, 2), split)


def test_same_seed_same_curve_in_a_joblib_worker_as_in_this_process(tasks):
    here = [compare.run_task(t) for t in tasks]
    there = Parallel(n_jobs=2)(delayed(compare.run_task)(t) for t in tasks)
    for a, b in zip(here, there, strict=True):
        assert (a["label"], a["seed"]) == (b["label"], b["seed"])
        assert a["val_loss"] == b["val_loss"] and np.array_equal(a["predictions"], b["predictions"])


def test_the_book_seed_reproduces_the_books_deep_numbers(tasks):
    deep = next(compare.run_task(t) for t in tasks if t.label == "deep" and t.seed == 20190501)
    assert [round(v, 3) for v in deep["val_loss"]] == [44.143, 25.278, 22.339, 16.5, 14.655]
    assert round(deep["mae"], 2) == 2.45


def test_parallel_runner_yields_every_task_once(tasks):
    results = list(compare.run_parallel(tasks, n_jobs=2))
    assert sorted((r["label"], r["seed"]) for r in results) == sorted((t.label, t.seed) for t in tasks)


def test_closing_the_runner_early_stops_it(tasks):
    runner = compare.run_parallel(tasks * 4, n_jobs=2)
    first = next(runner)
    runner.close()
    assert first["label"] in {"linear", "one hidden layer", "deep"}


def test_summary_rows_best_first_with_finite_numbers(tasks):
    results = [compare.run_task(t) for t in tasks]
    rows = compare.summary_rows(results, ["linear", "one hidden layer", "deep"])
    losses = [r["final_val_loss"] for r in rows]
    assert losses == sorted(losses) and len(rows) == 3
    for r in rows:
        assert r["runs"] == 2 and all(math.isfinite(r[k]) for k in ("final_val_loss", "mae", "rmse", "r2"))
        mine = [x["final_val_loss"] for x in results if x["label"] == r["configuration"]]
        assert r["final_val_loss"] == pytest.approx(np.mean(mine)) and r["final_val_loss_std"] == pytest.approx(
            np.std(mine))


def test_curve_band_handles_runs_of_different_lengths():
    results = [
        {"label": "a", "eval_epochs": [10, 20, 30], "val_loss": [3.0, 2.0, 1.0]},
        {"label": "a", "eval_epochs": [10, 20], "val_loss": [5.0, 4.0]},
    ]
    epochs, mean, low, high = compare.curve_band(results, "a")
    assert list(epochs) == [10, 20, 30]
    assert list(mean) == [4.0, 3.0, 1.0] and list(low) == [3.0, 2.0, 1.0] and list(high) == [5.0, 4.0, 1.0]


def test_a_diverging_configuration_is_reported_not_raised(tasks):
    bad = replace(tasks[-1], config=replace(tasks[-1].config, lr=10.0, epochs=200))
    result = compare.run_task(bad)
    assert "lower learning rate" in result["diverged"] and result["epochs_run"] < 200


def test_footnote_caption_both_ways():
    def r(label, seed, loss):
        return {"label": label, "seed": seed, "final_val_loss": loss}

    lose = compare.footnote_caption([r("deep", 1, 10), r("one hidden layer", 1, 12), r("deep", 2, 15),
                                     r("one hidden layer", 2, 11)])
    assert "loses to the one-hidden-layer net with 1 of 2 seeds (seed 2: 15.00 against 11.00)" in lose
    win = compare.footnote_caption([r("deep", 1, 10), r("one hidden layer", 1, 12)])
    assert "beats the one-hidden-layer net every time" in win
    assert compare.footnote_caption([r("linear", 1, 10)]) == ""


def test_results_csv_has_a_row_per_run(tasks):
    results = [compare.run_task(t) for t in tasks[:2]]
    rows = list(csv.DictReader(io.StringIO(compare.results_csv(results))))
    assert len(rows) == 2 and rows[0]["configuration"] == "linear"
    assert float(rows[0]["final_val_loss"]) == pytest.approx(results[0]["final_val_loss"], rel=1e-5)
    assert rows[0]["val_loss_curve"].startswith("10:")


def test_make_tasks_rejects_bad_choices(tasks):
    entries = compare.default_entries()
    with pytest.raises(ValueError, match="between 2 and 6 configurations, got 1"):
        compare.make_tasks(entries[:1], [1], tasks[0].split)
    with pytest.raises(ValueError, match="its own name"):
        compare.make_tasks([entries[0], entries[0]], [1], tasks[0].split)
    with pytest.raises(ValueError, match="between 1 and 10, got 11"):
        compare.seeds_for(1, 11)


def test_figures_carry_every_configuration(tasks):
    results = [compare.run_task(t) for t in tasks]
    labels = ["linear", "one hidden layer", "deep"]
    fig = validation_curves(results, labels, reference=25.0)
    names = [t.get("name") for t in fig["data"] if t.get("name")]
    assert names == [*labels, "closed-form linear regression (scikit-learn)"]
    grid = prediction_grid(results, labels, 20190501, tasks[0].split.y_test)
    points = [t for t in grid["data"] if t["mode"] == "markers"]
    assert len(points) == 3 and all(len(p["x"]) == 152 for p in points)


# ----- other datasets: the synthetic problems ------------------------------------------
def test_the_book_models_on_a_problem_keep_their_layers_and_train_the_problems_way():
    book, problem = compare.default_entries(), compare.default_entries("spirals")
    assert [e.label for e in book] == [e.label for e in problem] == ["linear", "one hidden layer", "deep"]
    for b, p in zip(book, problem, strict=True):
        assert b.config.dataset == "boston" and b.config.sequence == "book" and b.config.optimizer == "sgd"
        assert p.config.hidden == b.config.hidden and p.config.dataset == "spirals"
        assert (p.config.optimizer, p.config.lr, p.config.epochs, p.config.early_stopping, p.config.sequence) == (
            "adam", 0.03, 300, False, "independent")
        assert p.config.loss == "sigmoid_cross_entropy" and b.config.loss == "mse"
    assert [e.config.dataset for e in compare.default_entries("diabetes")] == ["diabetes"] * 3
    assert compare.default_entries("diabetes")[0].config.sequence == "book"  # only a problem changes the settings


def test_every_entry_follows_the_playgrounds_data():
    added_on_boston = compare.Entry("playground: 4 tanh", replace(RunConfig(), preset="custom", hidden=((4, "tanh"),)))
    moved = compare.on_data([*compare.default_entries(), added_on_boston], SPIRALS)
    for e in moved:
        assert (e.config.dataset, e.config.features, e.config.samples, e.config.data_seed, e.config.test_size) == (
            "spirals", ("x1", "x2"), 300, 3, 0.3)
        assert e.config.kind == "classification" and e.config.loss == "sigmoid_cross_entropy"
    assert moved[-1].config.hidden == ((4, "tanh"),) and moved[0].config.optimizer == "sgd"  # networks kept


def test_a_two_class_run_reports_log_loss_and_accuracies(spiral_tasks):
    result = compare.run_task(spiral_tasks[-1])  # deep
    split = spiral_tasks[-1].split
    assert "mae" not in result and "r2" not in result
    logits = result["predictions"]
    assert result["accuracy"] == pytest.approx(np.mean((logits > 0) == split.y_test.ravel()))
    net = spiral_tasks[-1].config.build_network()
    assert type(net.loss).__name__ == "SigmoidCrossEntropy"
    z = logits.reshape(-1, 1)
    log_loss = np.mean(np.maximum(z, 0) - split.y_test * z + np.log1p(np.exp(-np.abs(z))))
    assert result["final_val_loss"] == pytest.approx(log_loss)
    assert 0.0 <= result["train_accuracy"] <= 1.0 and result["val_loss"][-1] == pytest.approx(log_loss)


def test_summary_table_and_csv_columns_for_two_classes(spiral_tasks):
    results = [compare.run_task(t) for t in spiral_tasks]
    labels = ["linear", "one hidden layer", "deep"]
    table = compare.summary_table(results, labels, "classification")
    assert list(table) == ["configuration", "validation log loss", "test accuracy", "train accuracy", "runs",
                           "diverged"]
    for cell in table["test accuracy"]:
        mean, std = (float(x.rstrip("%")) for x in cell.split(" ± "))
        assert 0 <= mean <= 100 and std >= 0
    rows = compare.summary_rows(results, labels, "classification")
    assert [r["final_val_loss"] for r in rows] == sorted(r["final_val_loss"] for r in rows)
    assert all(math.isfinite(r[k]) for r in rows for k in ("final_val_loss", "accuracy", "train_accuracy"))
    reader = csv.DictReader(io.StringIO(compare.results_csv(results, "classification")))
    assert reader.fieldnames == ["configuration", "seed", "final_val_log_loss", "test_accuracy", "train_accuracy",
                                 "epochs_run", "seconds", "diverged", "val_log_loss_curve"]
    first = next(reader)
    mine = next(r for r in results if (r["label"], r["seed"]) == (first["configuration"], int(first["seed"])))
    assert float(first["test_accuracy"]) == pytest.approx(mine["accuracy"], rel=1e-5)
    assert float(first["final_val_log_loss"]) == pytest.approx(mine["final_val_loss"], rel=1e-5)
    regression = csv.DictReader(io.StringIO(compare.results_csv([], "regression")))
    assert regression.fieldnames[2:6] == ["final_val_loss", "mae", "rmse", "r2"]


def test_training_a_two_class_task_in_turns_is_bit_identical_to_one_go(spiral_tasks):
    from playground.core.slots import TrainingSlots

    slots = TrainingSlots(1)
    turns = list(compare.run_sliced(spiral_tasks, slots, budget=0.0005))
    results = [r for r in turns if r is not None]
    assert len(turns) > len(results) == len(spiral_tasks)
    for sliced, whole in zip(results, (compare.run_task(t) for t in spiral_tasks), strict=True):
        assert {k: v for k, v in sliced.items() if k not in ("seconds", "predictions")} == {
            k: v for k, v in whole.items() if k not in ("seconds", "predictions")}
        assert np.array_equal(sliced["predictions"], whole["predictions"]) and "accuracy" in sliced


def test_the_two_class_reference_is_logistic_regression_on_the_same_split():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    entries = compare.on_data(compare.default_entries("spirals"), SPIRALS)
    comparison, tasks = compare.new_comparison(entries, 2, spirals_data(), 0.3)
    split = tasks[0].split
    model = LogisticRegression(max_iter=1000).fit(split.X_train, split.y_train.ravel())
    assert comparison["kind"] == "classification" and comparison["data"] == "spirals"
    assert comparison["reference"] == pytest.approx(log_loss(split.y_test.ravel(), model.predict_proba(split.X_test)))
    assert comparison["reference_accuracy"] == pytest.approx(model.score(split.X_test, split.y_test.ravel()))
    caption = compare.reference_caption(comparison)
    assert "LogisticRegression" in caption and "log loss" in caption and "LinearRegression" not in caption


def test_footnote_names_the_log_loss_for_two_classes():
    def r(label, seed, loss):
        return {"label": label, "seed": seed, "final_val_loss": loss}

    note = compare.footnote_caption([r("deep", 1, 0.25), r("one hidden layer", 1, 0.125)], "classification")
    assert "(seed 1: validation log loss 0.25 against 0.125)" in note


def test_status_caption_names_the_data_as_text():
    comparison = {"status": "done", "results": [], "total": 6, "seconds": 1.25, "data": "spirals"}
    assert "on two spirals \\(2\\-D two classes\\)" in compare.status_caption(comparison)
    comparison["data"] = "[click](https://example.com)"  # a CSV's name is the person's
    assert "[click](" not in compare.status_caption(comparison)


def test_small_figures_keep_their_digits():
    assert compare.plus_minus(14.6551, 1.2) == "14.655 ± 1.200"
    assert compare.plus_minus(3.19e-5, 2.9e-5) == "3.19e-05 ± 2.9e-05"
    assert compare.plus_minus(0.009, 0.00066) == "0.00900 ± 0.00066"
    assert compare.plus_minus(0.953, 0.0125, percent=True) == "95.3% ± 1.2%"
    assert compare.plus_minus(math.nan, math.nan) == "–"


def test_accuracy_figure_has_every_configuration_and_seed(spiral_tasks):
    results = [compare.run_task(t) for t in spiral_tasks]
    labels = ["linear", "one hidden layer", "deep"]
    fig = accuracy_by_seed(results, labels, reference=0.55)
    assert [t["name"] for t in fig["data"]] == labels
    for trace, label in zip(fig["data"], labels, strict=True):
        assert trace["x"] == ["20190501", "20190502"]
        want = [next(r["accuracy"] for r in results if (r["label"], r["seed"]) == (label, s)) for s in (20190501,
                                                                                                       20190502)]
        assert list(trace["y"]) == want
    assert fig["layout"]["shapes"][0]["y0"] == 0.55
    curves = validation_curves(results, labels, reference=0.68, kind="classification")
    assert curves["layout"]["yaxis"]["title"]["text"] == "validation log loss"
    assert curves["data"][-1]["name"] == "logistic regression (scikit-learn)"


# ----- the page ------------------------------------------------------------------------
def open_compare(dataset: str | None = None):
    at = AppTest.from_file(APP, default_timeout=120).run()
    if dataset is not None:
        at.selectbox(key="dataset").set_value(dataset).run()  # the playground's dataset menu
    return at.switch_page("pages/compare.py").run()


def test_compare_page_opens_and_runs_the_books_three_models_over_five_seeds():
    at = open_compare()
    assert not at.exception and not at.error
    result = at.session_state["compare"]
    assert result["status"] == "done" and len(result["results"]) == 15
    table = at.dataframe[0].value
    assert list(table["configuration"]) == ["deep", "one hidden layer", "linear"]
    assert any("footnote" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 2


def test_two_configurations_two_seeds_finish_with_one_row_each():
    at = open_compare()
    at.multiselect(key="cmp_chosen").set_value(["linear", "deep"]).run()
    at.number_input(key="cmp_seeds").set_value(2).run()
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    result = at.session_state["compare"]
    assert result["status"] == "done" and len(result["results"]) == 4
    table = at.dataframe[0].value
    assert sorted(table["configuration"]) == ["deep", "linear"]
    for cell in table["validation MSE"]:
        mean, std = (float(x) for x in cell.split(" ± "))
        assert math.isfinite(mean) and math.isfinite(std)


def test_one_configuration_is_an_error_not_a_traceback():
    at = open_compare()
    at.multiselect(key="cmp_chosen").set_value(["deep"]).run()
    assert not at.exception
    assert any("between 2 and 6 configurations" in e.value for e in at.error)


def test_playground_settings_survive_a_visit_to_compare():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.number_input(key="epochs").set_value(77).run()
    at.selectbox(key="dataset").set_value("diabetes").run()
    button = next(b for b in at.button if b.label == "Step")
    button.click().run()
    run = at.session_state["run"]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert at.session_state["compare"]["data"] == "diabetes"
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    assert at.number_input(key="epochs").value == 77 and at.selectbox(key="dataset").value == "diabetes"
    assert at.session_state["run"] is run and run.epoch == 1


def test_training_in_turns_on_the_slots_gives_the_same_results_as_in_one_go(tasks):
    from playground.core.slots import TrainingSlots

    slots = TrainingSlots(1)
    turns = list(compare.run_sliced(tasks, slots, budget=0.0005))
    results = [r for r in turns if r is not None]
    assert len(turns) > len(results) == len(tasks)  # it paused between turns
    for sliced, whole in zip(results, (compare.run_task(t) for t in tasks), strict=True):
        assert {k: v for k, v in sliced.items() if k not in ("seconds", "predictions")} == {
            k: v for k, v in whole.items() if k not in ("seconds", "predictions")}
        assert np.array_equal(sliced["predictions"], whole["predictions"])
    assert slots.busy == 0


def test_a_comparison_waits_its_turn_behind_other_trainings(tasks):
    from playground.core.slots import TrainingSlots

    slots = TrainingSlots(1)
    with slots.slot(timeout=1):  # someone else is training
        turns = compare.run_sliced(tasks, slots, budget=0.01, wait=0.05)
        assert next(turns) is None  # it gave up its turn instead of training beside them
        turns.close()


def test_a_comparison_on_two_spirals_shows_the_two_class_figures():
    at = open_compare("spirals")
    assert not at.exception and not at.error
    result = at.session_state["compare"]
    assert result["status"] == "done" and len(result["results"]) == 15
    assert (result["data"], result["kind"]) == ("spirals", "classification")
    table = at.dataframe[0].value
    assert list(table.columns) == ["configuration", "validation log loss", "test accuracy", "train accuracy", "runs",
                                   "diverged"]
    rows = {r["configuration"]: r for r in compare.summary_rows(result["results"], result["labels"], "classification")}
    assert rows["deep"]["accuracy"] > 0.9 > 0.7 > rows["linear"]["accuracy"]  # the problem's settings let depth show
    assert any("LogisticRegression" in c.value and "log loss" in c.value for c in at.caption)
    assert any("Adam for 300 epochs" in c.value for c in at.caption)
    titles = [f["layout"]["yaxis"]["title"]["text"] for f in page_figures(at)]
    assert titles == ["validation log loss", "test accuracy"]
    assert "cmp_seed" not in [s.key for s in at.selectbox]  # no predicted-vs-actual panels for two classes


def test_a_comparison_on_the_sine_shows_the_regression_figures():
    at = open_compare("sine")
    assert not at.exception and not at.error
    result = at.session_state["compare"]
    assert (result["data"], result["kind"], len(result["results"])) == ("sine", "regression", 15)
    assert list(at.dataframe[0].value.columns) == ["configuration", "validation MSE", "MAE", "RMSE", "R²", "runs",
                                                   "diverged"]
    assert any("LinearRegression" in c.value for c in at.caption)
    figs = page_figures(at)
    assert figs[0]["layout"]["yaxis"]["title"]["text"] == "validation MSE"
    assert figs[1]["layout"]["title"]["text"].startswith("Predicted vs actual")
    assert all(len(t["x"]) == 90 for t in figs[1]["data"] if t["mode"] == "markers")  # 30 % of the 300 points


def test_a_comparison_made_on_other_data_is_run_again_on_the_current_dataset():
    at = open_compare("spirals")
    assert at.session_state["compare"]["data"] == "spirals"
    at.switch_page("pages/playground.py").run()
    at.selectbox(key="dataset").set_value("plane").run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception and not at.error
    result = at.session_state["compare"]
    assert (result["data"], result["kind"], result["status"]) == ("plane", "regression", "done")
    assert "validation MSE" in at.dataframe[0].value.columns
