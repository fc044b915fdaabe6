"""The comparison runner and its summaries, and the Compare page through AppTest."""

import csv
import io
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from joblib import Parallel, delayed
from streamlit.testing.v1 import AppTest

from playground.figures.compare import prediction_grid, validation_curves
from playground.logic import compare
from scratchnet.data import load_boston

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def tasks():
    entries = compare.default_entries()
    split = compare.shared_split(entries, load_boston(), 0.3)
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


# ----- the page ------------------------------------------------------------------------
def open_compare():
    at = AppTest.from_file(APP, default_timeout=120).run()
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
