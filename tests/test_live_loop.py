"""The live loop under load: turns inside an epoch, fair slots, Step, read-outs beside training, size limits."""

import sys
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from playground.core.config import BUDGETS, from_preset, size_errors, validate
from playground.core.run import LiveRun
from playground.core.slots import TRAIN_BUDGET, TrainingSlots
from playground.logic import live
from scratchnet import Dataset
from scratchnet.config import RunConfig
from scratchnet.data import load_boston


def heavy_data(rows=6000, d=13, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, d))
    y = (X @ rng.normal(size=d) + rng.normal(size=rows)).reshape(-1, 1)
    return Dataset("heavy", X, y, [f"x{i}" for i in range(d)], "y")


# 8 x 64 sigmoid at batch size 1: one epoch of 4200 rows takes several seconds here
HEAVY = RunConfig(dataset="csv:heavy", hidden=((64, "sigmoid"),) * 8, preset="custom", batch_size=1,
                         epochs=50, eval_every=1, early_stopping=False, lr=0.001)
LIGHT = replace(from_preset("book-deep"), epochs=20, early_stopping=False)


def test_advance_is_time_boxed_inside_a_long_epoch():
    run = LiveRun(HEAVY, heavy_data())
    run.start()
    start = time.perf_counter()
    run.advance(0.05)
    took = time.perf_counter() - start
    assert run.epoch == 0 and run.trainer._partial is not None and run.trainer._partial.row > 0
    assert took < 0.5  # one turn, not the whole epoch
    run.stop()
    assert run.status == "stopped"


def test_a_run_advanced_in_short_turns_equals_one_advanced_in_long_ones():
    config = replace(HEAVY, hidden=((16, "sigmoid"), (16, "tanh")), batch_size=3, epochs=3)
    data = heavy_data(900)
    short, long = LiveRun(config, data), LiveRun(config, data)
    for run, budget in ((short, 0.001), (long, 100.0)):
        run.start()
        turns = 0
        while run.status == "training":
            run.advance(budget)
            turns += 1
        assert run.epoch == 3
    assert turns == 1 and short.history.train_loss == long.history.train_loss
    assert short.history.val_loss == long.history.val_loss and short.history.mae == long.history.mae
    assert all(np.array_equal(a, b) for a, b in zip(short.net.params(), long.net.params(), strict=True))


def test_another_session_gets_its_first_epoch_while_a_heavy_one_trains():
    """With whole epochs per turn a heavy session held a slot for its entire epoch (201 s measured)."""
    slots = TrainingSlots(1)  # harder than a real server: one slot for both
    heavy, light = LiveRun(HEAVY, heavy_data(12_000)), LiveRun(LIGHT, load_boston())
    heavy.start()
    stop = threading.Event()

    def loop(run):
        while run.status == "training" and not stop.is_set():
            with slots.slot(timeout=0.3) as got:
                if got:
                    run.advance(TRAIN_BUDGET)
            live.chart_figures(run, False, "test", run.epoch)  # what a page draws between turns

    h = threading.Thread(target=loop, args=(heavy,))
    h.start()
    try:
        time.sleep(0.3)
        assert heavy.status == "training"
        light.start()
        start = time.perf_counter()
        while light.epoch == 0 and time.perf_counter() - start < 10:
            with slots.slot(timeout=0.3) as got:
                if got:
                    light.advance(TRAIN_BUDGET)
        first_epoch = time.perf_counter() - start
        assert light.epoch >= 1 and first_epoch < 2.0, first_epoch
        # the heavy session's own Stop takes effect within its turn
        t = time.perf_counter()
        stop.set()
        heavy.stop()
        h.join(timeout=5)
        assert time.perf_counter() - t < 0.5 and heavy.status == "stopped"
    finally:
        stop.set()
        heavy.stop()
        h.join()


def test_slots_serve_first_come_first_served():
    slots = TrainingSlots(1)
    order, ready = [], threading.Barrier(2)

    def hog():
        for _ in range(20):
            with slots.slot(timeout=5) as got:
                assert got
                order.append("hog")
                time.sleep(0.005)
        ready.wait()

    def other():
        time.sleep(0.02)
        with slots.slot(timeout=5) as got:
            assert got
            order.append("other")
        ready.wait()

    threads = [threading.Thread(target=hog), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the other thread asked after about 4 turns of the hog; it waited one turn, not the hog's remaining 16
    assert order.index("other") <= 8, order


def test_a_long_step_goes_on_in_the_live_loop_and_stops_after_one_epoch():
    run = LiveRun(replace(HEAVY, hidden=((32, "sigmoid"),) * 4), heavy_data(3000))
    assert run.step(budget=0.01) == 0
    assert run.status == "training" and run.epoch == 0  # the epoch goes on in the live loop
    while run.status == "training":
        run.advance(TRAIN_BUDGET)
    assert run.epoch == 1 and run.status == "stopped"
    assert run.step(budget=100.0) == 1 and run.epoch == 2 and run.status == "stopped"


def test_stop_during_a_long_step_keeps_its_place():
    run = LiveRun(replace(HEAVY, hidden=((32, "sigmoid"),) * 4), heavy_data(3000))
    run.step(budget=0.01)
    run.stop()
    assert run.status == "stopped" and run.epoch == 0 and run.trainer._partial.row > 0
    run.start()
    while run.status == "training" and run.epoch < 1:
        run.advance(TRAIN_BUDGET)
    assert run.epoch == 1 and run.status == "training"  # Train trains on, past the Step's epoch


def test_chart_readouts_while_another_thread_trains():
    """Read-outs used to predict through forward, which overwrote the cached values training needs."""
    config = replace(LIGHT, epochs=400, batch_size=2)
    run, ref = LiveRun(config, load_boston()), LiveRun(config, load_boston())
    ref.start()
    ref.advance(1000)
    run.start()
    errors, done = [], threading.Event()

    def read():
        while not done.is_set():
            try:
                live.chart_figures(run, False, "test", run.epoch)
            except Exception as exc:  # noqa: BLE001 - any error is the failure
                errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        while run.status == "training":
            run.advance(0.05)
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(interval)
    assert errors == [] and run.status == "done" and run.message == ""
    assert run.history.val_loss == ref.history.val_loss


def test_chart_predictions_keep_no_activation_and_predict_only_what_is_drawn():
    run = LiveRun(replace(HEAVY, hidden=((64, "relu"),)), heavy_data(6000))
    run.step(budget=100.0)
    actual, predicted, idx = run.predictions("train", max_rows=1000)
    assert len(actual) == len(predicted) == len(set(idx)) == 1000  # 1000 distinct rows of the 4200
    where = {row: k for k, row in enumerate(run.split.train_rows)}
    pos = [where[row] for row in idx]
    assert pos == sorted(pos) and pos[0] == 0 and pos[-1] == len(run.split.train_rows) - 1  # spread over all
    assert np.array_equal(predicted, run.net.predict(run.split.X_train[pos]).ravel())
    assert np.array_equal(actual, run.split.y_train[pos].ravel())
    cached = {id(op.output): op.output.shape for layer in run.net.layers for op in layer.operations}
    assert all(shape[0] <= HEAVY.batch_size for shape in cached.values())  # only the last batch's values


def test_size_limits_name_the_numbers():
    wide = replace(HEAVY, hidden=((256, "relu"),), batch_size=32)
    assert size_errors(wide, 19_000, 13) == []
    (message,) = size_errors(wide, 99_000, 13)
    assert message.startswith("Too big for one session: 99,000 rows x 256 (the widest layer) = 25,344,000 numbers")
    assert f"{BUDGETS['cells']:,}" in message
    deep = replace(HEAVY, hidden=((256, "relu"),) * 8, batch_size=5000)
    (message,) = size_errors(deep, 19_000, 13)
    assert "Batch size 5,000 is too large for 464,385 parameters" in message and "at most 538" in message
    assert size_errors(replace(deep, batch_size=538), 19_000, 13) == []
    errors = validate(deep, 19_000, [f"x{i}" for i in range(13)])
    assert any("Batch size 5,000" in e for e in errors)


@pytest.mark.parametrize("budget", [0.05, 0.2])
def test_one_turn_of_the_heaviest_allowed_settings_is_short(budget):
    """8 x 256 at the largest allowed batch: one step is bounded by the batch_work limit."""
    config = replace(HEAVY, hidden=((256, "sigmoid"),) * 8, batch_size=538, eval_every=1000, epochs=1000)
    run = LiveRun(config, heavy_data(3000))
    run.start()
    run.advance(0.01)  # builds and warms up
    start = time.perf_counter()
    run.advance(budget)
    assert time.perf_counter() - start < budget + 0.6


def test_a_big_network_predicts_fewer_chart_rows():
    from playground.logic.live import CHART_WORK, chart_rows

    assert chart_rows(378) == 1000  # the book's deep net: every point the chart can draw
    assert chart_rows(464_385) == CHART_WORK // 464_385 == 107
    assert chart_rows(10**9) == 100


def test_the_live_loop_trains_a_turn_then_yields_one_update_until_the_run_ends():
    run = LiveRun(replace(LIGHT, epochs=3, eval_every=1), load_boston())
    run.start()
    reads = []
    updates = list(live.live_updates(run, TrainingSlots(1), lambda: reads.append(run.epoch) or {"epoch": run.epoch},
                                     budget=10.0, wait=1.0))
    assert [u[0] for u in updates] == [{"epoch": 3}] and updates[-1][1:] == (False, False)
    assert reads == [3] and run.status == "done"


def test_the_live_loop_reads_the_charts_at_most_once_an_interval_and_always_at_the_end():
    run = LiveRun(replace(LIGHT, epochs=400, eval_every=1), load_boston())
    run.start()
    updates = list(live.live_updates(run, TrainingSlots(1), lambda: {"epoch": run.epoch}, budget=0.002, wait=1.0,
                                     interval=3600.0))
    assert len(updates) > 2 and run.status == "done"
    with_charts = [u[0] for u in updates if u[0] is not None]
    assert with_charts == [updates[0][0], {"epoch": 400}]  # the first turn's, then none until the run ended
    assert updates[-1][0] == {"epoch": 400}


class ClockedRun:
    """A run on a fake clock: each turn of training advances the clock by exactly its budget."""

    def __init__(self, clock: list, turns: int) -> None:
        self.clock, self.turns, self.status, self.budgets = clock, turns, "training", []

    def advance(self, budget: float) -> None:
        self.budgets.append(budget)
        self.clock[0] += budget
        self.turns -= 1
        if self.turns == 0:
            self.status = "done"


def test_the_live_loop_reads_the_charts_on_time_by_shortening_the_turn_before_they_are_due(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(live.time, "perf_counter", lambda: clock[0])
    run = ClockedRun(clock, turns=30)
    reads = []

    def read():
        reads.append(clock[0])
        clock[0] += 0.03  # reading the charts takes time too

    updates = list(live.live_updates(run, TrainingSlots(1), read, budget=0.1, wait=1.0, interval=0.2))
    assert len(updates) == 30
    gaps = np.diff(reads[:-1])  # (the last read is the run's end)
    # every 0.2 s exactly: a turn of 0.1 s, then one of 0.07 s that ends when the charts are due
    assert len(gaps) > 5 and np.allclose(gaps, 0.2)
    assert np.allclose(run.budgets[:5], [0.05, 0.1, 0.07, 0.1, 0.07])  # (the first charts after half a turn)
    assert min(run.budgets) >= 0.05  # never less than half a turn


def test_the_live_loop_trains_at_least_half_a_turn_when_reading_the_charts_takes_longer_than_the_interval(
        monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(live.time, "perf_counter", lambda: clock[0])
    run = ClockedRun(clock, turns=6)
    list(live.live_updates(run, TrainingSlots(1), lambda: clock.__setitem__(0, clock[0] + 0.5), budget=0.1,
                           wait=1.0, interval=0.2))
    assert run.budgets == [0.05] * 6


def test_the_live_loop_waits_for_a_slot_without_training_or_reading_charts():
    run = LiveRun(replace(LIGHT, epochs=3), load_boston())
    run.start()
    slots = TrainingSlots(1)
    with slots.slot(timeout=1.0):  # another session holds the only slot
        loop = live.live_updates(run, slots, lambda: pytest.fail("read charts without a slot"), budget=1.0,
                                 wait=0.01, seconds=0.0)
        assert next(loop) == (None, True, True) and run.epoch == 0
        assert list(loop) == []  # the loop's time is up: the page reruns itself


def test_the_histograms_follow_the_newest_epoch_unless_scrubbed_back():
    run = LiveRun(replace(LIGHT, epochs=10), load_boston())
    for _ in range(4):
        run.step(budget=10.0)
    epochs = live.snapshot_epochs(run)
    assert epochs[0] == 0 and epochs[-1] == 4
    assert live.snapshot_choice(run, chosen=2, follow=False) == 2
    assert live.snapshot_choice(run, chosen=2, follow=True) == 4
    assert live.snapshot_choice(run, chosen=99, follow=False) == 4  # an epoch that is no longer kept
    run.start()
    assert live.snapshot_choice(run, chosen=2, follow=False) == 4  # while training, always the newest
    assert live.snapshot_slider_key(epochs) != live.snapshot_slider_key(epochs[:-1])


def test_the_live_board_shows_the_runs_gradient_flow_layer_by_epoch():
    config = replace(LIGHT, preset="custom", hidden=((13, "sigmoid"),) * 4, init="glorot", seed=3, epochs=12,
                     sequence="independent")
    run = LiveRun(config, load_boston())
    run.start()
    run.advance(60.0)
    assert [r.epoch for r in run.history.flow] == list(range(1, 13))
    heat = live.chart_figures(run, False, "test", run.model_epoch)["flow"][0]
    z = np.asarray(heat["data"][0]["z"], dtype=float)
    assert z.shape == (5, 12)  # 4 hidden layers and the output layer, one column per epoch
    np.testing.assert_allclose(z[:, -1], np.log10(run.history.flow[-1].grad_norm))
    flags = live.flow_logic.flow_flags(run.history.flow)
    title = heat["layout"]["title"]["text"]
    assert (flags[0].split(":")[0] in title) if flags else "<br>" not in title


def test_the_replay_slider_takes_every_chart_back_to_the_snapshots_weights():
    run = LiveRun(replace(LIGHT, epochs=10, eval_every=1), load_boston())
    for _ in range(6):
        run.step(budget=10.0)
    snap = next(s for s in run.snapshots if s.epoch == 3)
    replay = run.snapshot_network(3)
    assert all(np.array_equal(p, q.astype(np.float64)) for p, q in zip(replay.params(), snap.params, strict=True))
    now, then = live.chart_figures(run, False, "test", 6), live.chart_figures(run, False, "test", 3)
    assert {name: e for name, (_, e) in then.items()} == {"loss": 6, "flow": 6, "weights": 3, "pva": 3, "network": 3}
    assert then["network"][0]["layout"]["title"]["text"].startswith("Network at epoch 3")
    np.testing.assert_array_equal(then["pva"][0]["data"][1]["y"], replay.predict(run.split.X_test).ravel())
    assert not np.array_equal(then["pva"][0]["data"][1]["y"], now["pva"][0]["data"][1]["y"])
    for name in ("loss", "flow"):  # the moment is marked on the charts over epochs
        assert then[name][0]["layout"]["shapes"][-1]["x0"] == 3 and "shapes" not in now[name][0]["layout"]
    run.start()
    assert live.chart_figures(run, False, "test", 3)["network"][1] == 6  # while training: the current weights
