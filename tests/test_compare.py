"""The comparison runner and its summaries, and the Compare page through AppTest."""

import csv
import io
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from joblib import Parallel, delayed
from plotly_json import page_figures
from streamlit.testing.v1 import AppTest

from playground.figures.compare import accuracy_by_seed, prediction_grid, validation_curves, verdict_figure
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
    verdict = next(m.value for m in at.markdown if m.value.startswith("**Verdict:**"))
    want = compare.verdict(result["results"], "deep", "one hidden layer")
    assert verdict == f"**Verdict:** {want['sentence']}" and "validation MSE" in verdict and want["n"] == 5
    assert any("percentile bootstrap" in c.value for c in at.caption)
    assert any("Backend: local" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 3
    at.selectbox(key="cmp_second").set_value("linear").run()  # the person picks the pair
    assert not at.exception
    verdict = next(m.value for m in at.markdown if m.value.startswith("**Verdict:**"))
    assert verdict == f"**Verdict:** {compare.verdict(result['results'], 'deep', 'linear')['sentence']}"


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
    assert titles == ["validation log loss", "difference of validation log loss", "test accuracy"]
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
    assert figs[1]["layout"]["yaxis"]["title"]["text"] == "difference of validation MSE"
    assert figs[2]["layout"]["title"]["text"].startswith("Predicted vs actual")
    assert all(len(t["x"]) == 90 for t in figs[2]["data"] if t["mode"] == "markers")  # 30 % of the 300 points


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


# ----- the verdict: pairs by seed, a bootstrap interval, one sentence ---------------------------
def loss_rows(losses: dict[str, dict[int, float]]) -> list[dict]:
    return [{"label": label, "seed": s, "final_val_loss": v} for label, by in losses.items() for s, v in by.items()]


def test_the_interval_is_the_percentile_bootstrap_of_the_mean_computed_directly():
    d = np.array([1.5, 2.0, -0.5, 3.25, 1.0])
    rng = np.random.default_rng(0)
    means = []
    for _ in range(10_000):  # one resample: len(d) indices drawn with replacement
        means.append(np.mean([d[rng.integers(0, len(d))] for _ in range(len(d))]))
    means = np.sort(means)

    def percentile(q):  # numpy's default (linear) interpolation between order statistics, by hand
        pos = q * (len(means) - 1)
        below = int(np.floor(pos))
        return means[below] + (pos - below) * (means[below + 1] - means[below])

    assert compare.bootstrap_interval(d) == pytest.approx((percentile(0.025), percentile(0.975)), abs=1e-12)
    assert compare.bootstrap_interval(d, seed=1) != compare.bootstrap_interval(d)  # the seed is the generator's
    assert compare.bootstrap_interval(d) == compare.bootstrap_interval(d)  # fixed seed: the page never flickers


def test_pairs_are_made_by_seed_and_unpaired_seeds_are_left_out_and_said():
    rows = loss_rows({"deep": {1: 10.0, 2: 12.0, 3: 9.0, 5: 8.0}, "one hidden layer": {2: 13.0, 1: 11.5, 3: 9.5,
                                                                                          4: 20.0},
                      "linear": {1: 30.0}})
    pairs = compare.paired_differences(rows[::-1], "deep", "one hidden layer")  # any order of arrival
    assert pairs["seeds"] == [1, 2, 3] and list(pairs["differences"]) == [1.5, 1.0, 0.5]
    assert pairs["unpaired"] == [4, 5] and pairs["not_finite"] == []
    v = compare.verdict(rows, "deep", "one hidden layer")
    assert v["n"] == 3 and "Left out: seed 4, 5, finished by only one of the two." in v["sentence"]
    diverged = loss_rows({"a": {1: 1.0, 2: math.nan, 3: 2.0}, "b": {1: 2.0, 2: 3.0, 3: 4.0}})
    v = compare.verdict(diverged, "a", "b")
    assert v["seeds"] == [1, 3] and v["not_finite"] == [2] and "seed 2, where a run diverged" in v["sentence"]


def test_the_sentence_carries_the_numbers():
    deep = {1: 10.0, 2: 11.0, 3: 9.0, 4: 12.5, 5: 10.0}
    shallow = {1: 12.0, 2: 13.5, 3: 10.0, 4: 12.0, 5: 12.5}  # deep wins seeds 1, 2, 3 and 5
    v = compare.verdict(loss_rows({"deep": deep, "one hidden layer": shallow}), "deep", "one hidden layer")
    d = np.array([shallow[s] - deep[s] for s in range(1, 6)])
    low, high = compare.bootstrap_interval(d)
    assert (v["mean"], v["low"], v["high"]) == (pytest.approx(d.mean()), low, high) and v["clear"] and low > 0
    assert v["first_wins"] == 4 and v["half_width"] == pytest.approx((high - low) / 2)
    assert v["future"] == 10 and v["future_half_width"] == pytest.approx(v["half_width"] * math.sqrt(5 / 10))
    assert v["sentence"] == (
        f"deep beats one hidden layer by {d.mean():#.2g} ± {(high - low) / 2:#.2g} validation MSE "
        f"(95% CI {low:#.2g} to {high:#.2g}), in 4 of 5 seeds; 10 seeds would narrow it to about "
        f"± {(high - low) / 2 * math.sqrt(0.5):#.2g}.")
    # the other way round the winner is named first and the interval is the winner's lead
    back = compare.verdict(loss_rows({"deep": deep, "one hidden layer": shallow}), "one hidden layer", "deep")
    assert back["first_wins"] == 1 and back["sentence"].startswith(f"deep beats one hidden layer by {d.mean():#.2g}")
    assert f"(95% CI {low:#.2g} to {high:#.2g})" in back["sentence"]
    log = compare.verdict(loss_rows({"a": {1: 0.5, 2: 0.4}, "b": {1: 0.7, 2: 0.65}}), "a", "b", "classification")
    assert "validation log loss" in log["sentence"] and "MSE" not in log["sentence"]


def test_an_interval_across_zero_says_the_difference_is_not_clear():
    rows = loss_rows({"deep": {1: 10.0, 2: 14.0, 3: 9.0, 4: 13.0}, "one hidden layer": {1: 12.0, 2: 12.0, 3: 11.0,
                                                                                          4: 12.0}})
    v = compare.verdict(rows, "deep", "one hidden layer")
    assert v["low"] < 0 < v["high"] and not v["clear"] and v["first_wins"] == 2
    assert v["sentence"].startswith("The difference between deep and one hidden layer is not clear with these 4 "
                                    "seeds:")
    assert "beats" not in v["sentence"] and "across 0" in v["sentence"] and "10 seeds would narrow it to about" in (
        v["sentence"])
    one = compare.verdict(loss_rows({"a": {1: 1.0}, "b": {1: 2.0}}), "a", "b")
    assert not one["clear"] and "With one seed there is no interval" in one["sentence"]
    assert compare.verdict(rows, "deep", "deep")["sentence"] == "Choose two different configurations for the verdict."


def test_the_default_pair_and_the_verdict_figure():
    assert compare.default_pair(["linear", "one hidden layer", "deep"]) == ("deep", "one hidden layer")
    assert compare.default_pair(["linear", "playground: 4 tanh", "deep"]) == ("linear", "playground: 4 tanh")
    rows = loss_rows({"deep": {1: 10.0, 2: 11.0, 3: 9.0}, "one hidden layer": {1: 12.0, 2: 13.5, 3: 10.0}})
    v = compare.verdict(rows, "deep", "one hidden layer")
    fig = verdict_figure(v)
    assert fig["data"][0]["x"] == ["1", "2", "3"] and list(fig["data"][0]["y"]) == [2.0, 2.5, 1.0]
    band = fig["layout"]["shapes"][1]
    assert (band["y0"], band["y1"]) == (v["low"], v["high"]) and fig["layout"]["shapes"][2]["y0"] == v["mean"]
    assert all(t["type"] == "scatter" for t in fig["data"])  # SVG


# ----- the backend: local or a dask cluster ----------------------------------------------------
def test_the_backend_is_read_from_the_environment():
    assert compare.backend({}) == "local" == compare.backend({compare.BACKEND_VARIABLE: " "})
    assert compare.backend({compare.BACKEND_VARIABLE: "tcp://10.0.0.5:8786"}) == "tcp://10.0.0.5:8786"
    with pytest.raises(ValueError, match="dask scheduler's address"):
        compare.backend({compare.BACKEND_VARIABLE: "10.0.0.5:8786"})
    name, caption, errors = compare.backend_setting({compare.BACKEND_VARIABLE: "cluster"})
    assert (name, errors[0].startswith(compare.BACKEND_VARIABLE)) == ("local", True) and "local" in caption
    assert "tcp://h:8786" in compare.backend_setting({compare.BACKEND_VARIABLE: "tcp://h:8786"})[1]
    assert "dask cluster at tcp" in compare.status_caption(
        {"status": "done", "results": [], "total": 2, "seconds": 1.0, "data": "sine", "backend": "tcp://h:8786"})


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1", scheduler_port=0) as cluster:
        yield cluster


def small_tasks(epochs: int, seeds: int) -> list:
    entries = [compare.Entry(e.label, replace(e.config, epochs=epochs))
               for e in compare.on_data(compare.default_entries("spirals"), SPIRALS)]
    split = compare.shared_split(entries, spirals_data(), 0.3)
    return compare.make_tasks(entries, compare.seeds_for(20190501, seeds), split)


def test_a_dask_cluster_gives_the_same_results_as_the_local_backend(cluster):
    from playground.core.slots import TrainingSlots

    tasks = small_tasks(20, 2)
    here = [r for r in compare.runner("local", tasks, TrainingSlots(1), 0.05) if r is not None]
    there = [r for r in compare.runner(cluster.scheduler_address, tasks, None, 0.05) if r is not None]
    assert len(there) == len(tasks)
    there = sorted(there, key=lambda r: [(t.label, t.seed) for t in tasks].index((r["label"], r["seed"])))
    for a, b in zip(here, there, strict=True):
        assert {k: v for k, v in a.items() if k not in ("seconds", "predictions")} == {
            k: v for k, v in b.items() if k not in ("seconds", "predictions")}
        assert np.array_equal(a["predictions"], b["predictions"])
    labels = ["linear", "one hidden layer", "deep"]
    def exact(fig):  # every number of the figure, written out to the last bit (repr)
        return json.dumps(fig, default=lambda a: a.tolist(), sort_keys=True)

    assert exact(validation_curves(here, labels, 0.6, "classification")) == exact(
        validation_curves(there, labels, 0.6, "classification"))
    assert exact(accuracy_by_seed(here, labels)) == exact(accuracy_by_seed(there, labels))
    assert compare.summary_table(here, labels, "classification") == compare.summary_table(there, labels,
                                                                                          "classification")
    assert compare.verdict(here, "deep", "linear")["sentence"] == compare.verdict(there, "deep", "linear")["sentence"]


def test_stop_cancels_the_runs_a_dask_cluster_has_not_finished(cluster):
    import time

    from dask.distributed import Client

    tasks = small_tasks(150, 4)  # 12 runs; two workers
    log = cluster.scheduler.transition_log
    before = len(log)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        runs = compare.run_dask(tasks, cluster.scheduler_address, client=client, wait=0.05)
        first = next(r for r in runs if r is not None)
        started = time.perf_counter()
        runs.close()  # Stop
        while cluster.scheduler.tasks and time.perf_counter() - started < 10:
            time.sleep(0.05)
        gone = time.perf_counter() - started
        assert not cluster.scheduler.tasks, "the cluster still holds the cancelled runs"
        assert first["label"] in {"linear", "one hidden layer", "deep"}
        assert gone < first["seconds"] * 6  # far sooner than the ~11 runs left would take on two workers
        finished = [t for t in list(log)[before:] if t[0].startswith("run_task") and t[2] == "memory"]
        assert 1 <= len(finished) <= 4, f"{len(finished)} of 12 runs finished after Stop"  # the rest never ran


def test_the_page_runs_on_the_cluster_its_setting_names(cluster, monkeypatch):
    monkeypatch.setenv(compare.BACKEND_VARIABLE, cluster.scheduler_address)
    at = open_compare()
    assert not at.exception and not at.error
    result = at.session_state["compare"]
    assert (result["backend"], result["status"], len(result["results"])) == (cluster.scheduler_address, "done", 15)
    assert any(f"dask cluster at `{cluster.scheduler_address}`" in c.value for c in at.caption)
    assert any(m.value.startswith("**Verdict:** ") for m in at.markdown)
    monkeypatch.setenv(compare.BACKEND_VARIABLE, "cluster-please")
    at.run()
    assert any("must be" in e.value and "cluster\\-please" in e.value for e in at.error)  # escaped markdown
    assert next(b for b in at.button if b.label == "Run").disabled
