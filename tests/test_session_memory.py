"""A closed session leaves nothing behind: its run, uploads and snapshots become unreachable."""

import gc
import weakref
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from playground.logic.data import load_upload

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def csv_bytes(rows=2000, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 4))
    y = X.sum(axis=1)
    lines = ["a,b,c,d,target"] + [",".join(f"{v:.5f}" for v in (*x, t)) for x, t in zip(X, y, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def session_that_uploaded_and_trained():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["uploads"] = {"mine": load_upload(csv_bytes(), "target", "mine.csv")}
    at.run()  # the dataset menu now lists the CSV
    at.selectbox(key="dataset").set_value("csv:mine").run()  # its callback: all features, batch size fitted
    next(b for b in at.button if b.label == "Train").click().run()
    run = at.session_state["run"]
    assert run.data.name == "mine" and run.epoch > 0 and not at.exception
    refs = {"run": weakref.ref(run), "net": weakref.ref(run.net),
            "upload": weakref.ref(at.session_state["uploads"]["mine"]),
            "snapshot": weakref.ref(run.snapshots[-1]), "split": weakref.ref(run.split)}
    return at, refs


def test_nothing_of_a_dropped_session_stays_reachable():
    at, refs = session_that_uploaded_and_trained()
    assert all(r() is not None for r in refs.values())
    del at  # Streamlit drops a closed session's state the same way: nothing else refers to it
    gc.collect()
    alive = [name for name, r in refs.items() if r() is not None]
    assert alive == [], f"still reachable after the session was dropped: {alive}"


def test_freezing_what_lasts_leaves_it_out_of_later_collections_but_frees_what_is_dropped():
    from playground.core.memory import freeze_what_lasts

    class Thing:
        pass

    kept = Thing()
    before = gc.get_freeze_count()
    try:
        assert freeze_what_lasts() > before and gc.get_freeze_count() > 0
        gone = weakref.ref(kept)
        del kept
        assert gone() is None  # frozen, yet freed by its reference count as soon as it is dropped
        later = [Thing()]
        later.append(later)  # garbage made after the freeze, in a cycle: a collection still finds it
        cycle = weakref.ref(later[0])
        del later
        gc.collect()
        assert cycle() is None
    finally:
        gc.unfreeze()
