"""A class at once: fair training slots, isolated sessions, extreme settings."""

import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.core.config import from_preset
from playground.core.run import LiveRun
from playground.core.slots import TrainingSlots
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
    # What two sessions do at once on one server: each advances its own run in its own script thread, in
    # chunks, through the server's shared training slots. (Two AppTests cannot run in threads: the test
    # harness shares one Streamlit runtime between them, and one may tear it down under the other.)
    slots = TrainingSlots(1)
    names = ("book-deep", "book-shallow")
    configs = {name: replace(from_preset(name), epochs=60, early_stopping=False) for name in names}

    def train(config, chunk):
        run = LiveRun(config, load_boston())
        run.start()
        while run.status == "training":
            with slots.slot(timeout=5.0) as got:
                if got:
                    run.advance(chunk)
        return run.history.val_loss, [p.copy() for p in run.net.params()]

    alone = {name: train(config, 10.0) for name, config in configs.items()}
    together = {}
    threads = [threading.Thread(target=lambda n=name, c=config: together.__setitem__(n, train(c, 0.002)))
               for name, config in configs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, (losses, params) in alone.items():
        got_losses, got_params = together[name]
        assert got_losses == losses and len(losses) == 6
        assert all(np.array_equal(a, b) for a, b in zip(got_params, params, strict=True))


def test_two_app_sessions_get_their_own_runs_with_their_own_results():
    deep_losses, deep_params, deep = train_in_app("book-deep", 5)
    shallow_losses, _, shallow = train_in_app("book-shallow", 5)
    assert not deep.exception and not shallow.exception
    assert deep.session_state["run"] is not shallow.session_state["run"]
    assert deep_losses != shallow_losses and len(deep_params) == 6


def test_stop_from_a_second_thread_waits_for_the_chunk_in_flight():
    # Streamlit starts the script run after a click while the old one may still be inside advance():
    # the run's lock lets that chunk finish, and nothing trains after stop() has returned.
    run = LiveRun(replace(from_preset("book-deep"), epochs=5000, early_stopping=False), load_boston())
    run.start()
    worker = threading.Thread(target=run.advance, args=(0.3,))
    worker.start()
    time.sleep(0.05)
    run.stop()
    stopped_at = run.epoch
    worker.join()
    assert run.status == "stopped" and run.epoch == stopped_at > 0
    assert run.advance(0.1) == 0 and run.epoch == stopped_at


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


def rows(header: str, cell, n: int = 12) -> bytes:
    return (header + "\n" + "\n".join(cell(i) for i in range(n))).encode()


def test_unicode_headers_and_quoted_numbers_are_fine():
    from scratchnet.data import load_csv

    data = load_csv(rows("größe,été,prix €", lambda i: f'"{i}","{i * 2}","{3 * i + 1}"'), "prix €")
    assert data.feature_names == ["größe", "été"] and data.y[2, 0] == 7.0


@pytest.mark.parametrize(
    "content, message",
    [
        (rows("a,b,y", lambda i: f"{i},{'NaN' if i == 4 else i},{i}"), "1 missing value(s), first in data row 5"),
        (rows("a,b,y", lambda i: f"{i},{'-inf' if i == 4 else i},{i}"), "'b' has an infinite value"),
        (rows(",".join(f"c{j}" for j in range(3000)), lambda i: ",".join(["1"] * 3000)), "3000 columns; at most 500"),
        (rows("a,y", lambda i: f"{i},{i % 7}", n=100_001), "100001 rows; at most 100000"),
    ],
)
def test_more_hostile_csvs(content, message):
    from scratchnet.data import DataError, load_csv

    with pytest.raises(DataError, match=message.replace("(", "\\(").replace(")", "\\)")):
        load_csv(content, "y" if b"y\n" in content[:10_000] else None)


def test_server_settings_keep_xsrf_on_and_limit_uploads():
    import tomllib

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert 0 < config["server"]["maxUploadSize"] <= 10


def test_ui_code_never_writes_files():
    import ast

    root = Path(APP).parent
    for path in [*root.joinpath("playground").glob("*.py"), *root.joinpath("pages").glob("*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "open", "write_bytes", "write_text", "savez", "save"):
                mode = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                assert not (mode and any(c in str(mode[0]) for c in "wax")) and getattr(
                    node.func, "attr", "") not in ("write_bytes", "write_text"), f"{path}:{node.lineno}"
