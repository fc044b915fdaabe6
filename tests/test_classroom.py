"""A class at once: fair training slots, isolated sessions, extreme settings."""

import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.config import from_preset
from playground.run import LiveRun
from playground.slots import TrainingSlots
from scratchnet.data import load_boston

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_slots_let_at_most_n_trainings_advance_at_once():
    slots = TrainingSlots(2)
    inside, peak, lock = [0], [0], threading.Lock()

    def work():
        for _ in range(5):
            with slots.slot(timeout=5) as got:
                assert got
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                time.sleep(0.01)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2 and slots.busy == 0 and slots.waiting == 0


def test_a_pass_without_a_free_slot_waits_then_gives_up():
    slots = TrainingSlots(1)
    with slots.slot(timeout=1) as first:
        assert first and slots.busy == 1
        start = time.perf_counter()
        with slots.slot(timeout=0.2) as second:
            assert not second
        assert time.perf_counter() - start >= 0.19
    assert slots.busy == 0
    with pytest.raises(ValueError, match="must be >= 1, got 0"):
        TrainingSlots(0)


def train_in_app(preset: str, seed: int, epochs: int = 60):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"preset": preset, "seed": str(seed), "ep": str(epochs), "es": "0"})
    at.run()
    next(b for b in at.button if b.label == "Train").click().run()
    run = at.session_state["run"]
    return run.history.val_loss, [p.copy() for p in run.net.params()], at


def test_two_sessions_training_at_once_get_the_same_results_as_alone():
    alone = {name: train_in_app(name, 5)[:2] for name in ("book-deep", "book-shallow")}
    together = {}

    def work(name):
        together[name] = train_in_app(name, 5)

    threads = [threading.Thread(target=work, args=(name,)) for name in alone]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, (losses, params) in alone.items():
        got_losses, got_params, at = together[name]
        assert not at.exception and got_losses == losses
        assert all(np.array_equal(a, b) for a, b in zip(got_params, params, strict=True))
    # and the sessions did not share anything
    assert together["book-deep"][2].session_state["run"] is not together["book-shallow"][2].session_state["run"]


@pytest.mark.parametrize(
    "changes",
    [
        dict(batch_size=1, epochs=2, eval_every=1),
        dict(epochs=5000),
        dict(hidden=((256, "relu"), (256, "relu"), (256, "tanh")), preset="custom", epochs=3, eval_every=1),
        dict(lr=1e-5, epochs=3, eval_every=1),
        dict(lr=10.0, epochs=200),
    ],
)
def test_extreme_settings_train_or_stop_cleanly(changes):
    run = LiveRun(replace(from_preset("book-deep"), early_stopping=False, **changes), load_boston())
    run.start()
    run.advance(1.0)
    assert run.status in ("done", "training", "diverged") and run.epoch >= 1 or run.status == "diverged"
    assert all(np.isfinite(p).all() for p in run.net.params())
    if changes.get("lr") == 10.0:
        assert run.status == "diverged" and "lower learning rate" in run.message
