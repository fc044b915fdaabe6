"""The playground page through Streamlit's AppTest: no browser, real script runs."""

import re
import threading
from pathlib import Path

import numpy as np
import pytest
from plotly_json import board_figures, board_update
from rendered import shown
from streamlit.testing.v1 import AppTest

from playground.core import session
from playground.core.config import from_preset
from playground.core.run import LiveRun
from playground.ui import upload
from scratchnet.data import load_boston

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start_app():
    at = AppTest.from_file(APP, default_timeout=60)
    return at.run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def panel(at):
    """The HTML of the progress and metric-card panel."""
    return next(h.proto.body for h in at.html if "sn-cards\">" in h.proto.body)


def card(at, name):
    """The text of one metric card of the panel."""
    return re.search(f'data-testid="sn-{name}"[^>]*>([^<]*)<', panel(at)).group(1)


def charts(at):
    """The live board's Plotly figures by the start of their titles."""
    return {f["layout"]["title"]["text"].split()[0]: f for f in board_figures(at).values()}


def stop_soon(run, seconds=0.3):
    """Stop ``run`` from another thread after ``seconds``, as the script run after a Stop click does."""
    timer = threading.Timer(seconds, run.stop)
    timer.start()
    return timer


def test_app_starts_without_exception():
    at = start_app()
    assert not at.exception and not at.error
    assert [b.label for b in at.button][:4] == ["Train", "Stop", "Step", "Reset"]
    assert set(board_figures(at)) == {"loss", "flow", "pva", "network", "weights"}
    assert len(at.get("bidi_component")) == 1  # the board, mounted once
    assert at.session_state["run"].epoch == 0


@pytest.mark.parametrize(
    "preset, widths", [("book-linear", [1]), ("book-shallow", [13, 1]), ("book-deep", [13, 13, 1])]
)
def test_each_preset_trains_and_the_charts_carry_its_data(preset, widths):
    at = start_app()
    at.selectbox(key="preset").set_value(preset).run()
    at.number_input(key="epochs").set_value(4).run()
    at.number_input(key="eval_every").set_value(2).run()
    button(at, "Train").click().run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.epoch == 4 and run.status == "done"
    assert [layer.neurons for layer in run.net.layers] == widths
    figs = charts(at)
    train, val = figs["Loss"]["data"]
    assert list(train["x"]) == [1, 2, 3, 4] and np.allclose(train["y"], run.history.train_loss)
    assert list(val["x"]) == [2, 4]
    assert figs["Weights"]["layout"]["title"]["text"] == "Weights and biases at epoch 4"
    assert figs["Network"]["layout"]["title"]["text"].startswith("Network at epoch 4")
    bins = figs["Weights"]["data"]  # a hover point per bin, at its count
    assert [int(np.asarray(h["y"], dtype=np.int64).sum()) for h in bins] == [p.size for p in run.net.params()]
    points = figs["Predicted"]["data"][1]
    assert len(points["x"]) == 152
    assert np.allclose(points["y"], run.net.predict(run.split.X_test).ravel())
    nodes = figs["Network"]["data"][-1]  # the neurons, drawn last; before them the weights' click points
    weights = figs["Network"]["data"][-2]
    assert len(weights["customdata"]) == sum(p.size for p in list(run.net.params())[0::2])
    assert np.bincount(np.asarray(nodes["x"], dtype=int)).tolist() == [13, *widths]  # neurons per layer
    assert card(at, "epoch") == "4 / 4"


def test_stop_then_train_continues_from_the_same_epoch():
    at = start_app()
    at.selectbox(key="preset").set_value("book-deep").run()
    at.checkbox(key="early_stopping").uncheck().run()
    at.number_input(key="epochs").set_value(5000).run()
    run = at.session_state["run"]
    stop_soon(run)  # as a Stop pressed in the browser would, from another script thread
    button(at, "Train").click().run()
    assert run.status == "stopped" and 0 < run.epoch < 5000
    assert button(at, "Train").disabled is False and button(at, "Stop").disabled is True
    stopped = run.epoch
    at.run()
    assert run.epoch == stopped  # nothing trains while stopped
    button(at, "Train").click().run()
    assert at.session_state["run"] is run and run.epoch > stopped
    assert run.history.epochs == list(range(1, run.epoch + 1))
    assert not at.exception


def test_a_run_continued_after_stop_can_finish_and_its_charts_follow():
    at = start_app()
    at.checkbox(key="early_stopping").uncheck().run()
    at.number_input(key="epochs").set_value(5000).run()
    run = at.session_state["run"]
    stop_soon(run)
    button(at, "Train").click().run()
    stopped = run.epoch
    at.number_input(key="epochs").set_value(stopped + 3).run()  # continues the run
    button(at, "Train").click().run()  # it ends within this script run, away from the last snapshot
    assert not at.exception
    assert run.status == "done" and run.epoch == stopped + 3
    assert {name: part["epoch"] for name, part in board_update(at)["charts"].items()} == dict.fromkeys(
        ("loss", "flow", "pva", "network", "weights"), stopped + 3)


def test_reset_gives_the_same_starting_weights():
    at = start_app()
    at.selectbox(key="preset").set_value("book-shallow").run()
    start = [p.copy() for p in at.session_state["run"].current_params()]
    button(at, "Step").click().run()
    button(at, "Step").click().run()
    run = at.session_state["run"]
    assert run.epoch == 2
    button(at, "Reset").click().run()
    assert run.epoch == 0 and card(at, "epoch") == "0 / 50"
    assert all(np.array_equal(a, b) for a, b in zip(run.current_params(), start, strict=True))
    fresh = LiveRun(from_preset("book-shallow"), load_boston())
    assert all(np.array_equal(a, b) for a, b in zip(fresh.current_params(), start, strict=True))


def test_learning_rate_10_on_the_deep_net_shows_the_divergence_message():
    at = start_app()
    at.select_slider(key="lr").set_value(10.0).run()
    at.number_input(key="epochs").set_value(300).run()
    button(at, "Train").click().run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any("diverged" in m and "lower learning rate" in m for m in messages)
    run = at.session_state["run"]
    assert run.status == "diverged" and all(np.isfinite(p).all() for p in run.net.params())
    assert len(charts(at)) == 5  # the charts are still shown
    assert board_update(at)["config"] == {"displaylogo": False, "responsive": True}  # interactive again


def test_a_diverged_run_shows_readable_numbers_and_goes_on_after_a_lower_learning_rate():
    """Cards printed 300-digit losses, the chart axes reached 1e154, and Train did nothing until Reset."""
    at = start_app()
    at.select_slider(key="lr").set_value(3.0).run()
    at.number_input(key="epochs").set_value(300).run()
    button(at, "Train").click().run()
    run = at.session_state["run"]
    assert run.status == "diverged"
    for name in ("train", "validation", "mae", "rmse"):
        text = card(at, name)
        assert len(text) <= 10 and (text in ("–", "diverged") or float(text) == float(text)), (name, text)
    pva = charts(at)["Predicted"]
    xs = np.asarray(pva["data"][0]["x"], dtype=float)  # the y = x line spans the axes
    y = run.split.y_test.ravel()
    assert xs.min() >= y.min() - 2 * np.ptp(y) and xs.max() <= y.max() + 2 * np.ptp(y)
    (message,) = [e.value for e in at.error]
    assert "Lower the learning rate and press Train or Step to go on" in message and "Reset" in message
    stuck = run.epoch
    at.select_slider(key="lr").set_value(0.001).run()
    button(at, "Step").click().run()
    assert run.epoch == stuck + 1 and run.status == "stopped" and not at.error
    button(at, "Train").click().run()
    assert run.epoch == 300 and run.status == "done"


@pytest.mark.parametrize("value, text", [(1e300, "1e+300"), (float("inf"), "diverged"), (float("nan"), "diverged"),
                                         (12.3456, "12.346"), (2e-5, "2e-05"), (0.0, "0.000"), (-4.5e7, "-4.5e+07")])
def test_card_numbers_stay_short(value, text):
    from playground.logic.live import number_text

    assert number_text(value) == text


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda at: at.number_input(key="eval_every").set_value(80), "Evaluate every must be between"),
        (lambda at: at.number_input(key="batch_size").set_value(9999), "Batch size must be between 1 and the 354"),
        (lambda at: at.multiselect(key=session.features_key(at.session_state)).set_value([]),
         "Choose at least one feature"),
        (lambda at: at.number_input(key="epochs").set_value(5), "Evaluate every must be between 1 and the 5 epochs"),
    ],
)
def test_invalid_settings_give_an_error_not_a_traceback(change, message):
    at = start_app()
    change(at).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert not any(b.label == "Train" for b in at.button)  # nothing to train until it is fixed


def test_changing_the_architecture_says_a_new_run_started():
    at = start_app()
    button(at, "Step").click().run()
    old = at.session_state["run"]
    at.button(key=f"del_{at.session_state['layers'][0]}").click().run()
    assert at.session_state["run"] is not old and at.session_state["run"].epoch == 0
    assert any("new run" in i.value for i in at.info)
    assert at.session_state["preset"] == "custom"


def csv_bytes(rows=40):
    lines = ["size,rooms,price"] + [f"{50 + i},{1 + i % 4},{100 + 3 * i + 10 * (i % 4)}" for i in range(rows)]
    return "\n".join(lines).encode()


def test_a_loaded_csv_becomes_a_dataset_for_this_session():
    at = start_app()
    uploader = upload.uploader_key(at.session_state)
    at.file_uploader(key=uploader).set_value(("flats.csv", csv_bytes(), "text/csv")).run()
    assert at.selectbox(key="csv_target").value == "price"
    button(at, "Use this CSV").click().run()
    assert not at.exception and not at.error
    assert at.session_state["dataset"] == "csv:flats"
    # the used file is let go: a fresh, empty uploader replaces the one that held it
    assert upload.uploader_key(at.session_state) != uploader and "_csv_memo" not in at.session_state
    assert at.file_uploader(key=upload.uploader_key(at.session_state)).value is None
    run = at.session_state["run"]
    assert run.data.feature_names == ["size", "rooms"] and run.split.X_train.shape[1] == 2
    button(at, "Step").click().run()
    assert run.epoch == 1 and not at.exception


@pytest.mark.parametrize(
    "content, message",
    [
        (b"size,price\n1,2\n", "at least 10 are needed"),
        (b"size,rooms,price\n" + b"\n".join(b"%d,x,%d" % (i, i) for i in range(20)), "non-numeric cell 'x'"),
        (b"\x00\x01\x02binary\xff\xfe", "not a readable CSV"),
    ],
)
def test_a_bad_csv_gives_one_message_and_keeps_the_run(content, message):
    at = start_app()
    button(at, "Step").click().run()
    run = at.session_state["run"]
    at.file_uploader(key=upload.uploader_key(at.session_state)).set_value(("bad.csv", content, "text/csv")).run()
    if any(b.label == "Use this CSV" for b in at.button):
        button(at, "Use this CSV").click().run()
    assert not at.exception
    assert [e.value for e in at.error if message in shown(e.value)]
    assert at.session_state["run"] is run and run.epoch == 1 and at.session_state["dataset"] == "boston"


def test_after_an_early_stop_every_card_and_chart_describes_the_restored_model():
    """The Validation loss card showed the epoch that rose, MAE the restored weights, the titles the last epoch."""
    at = start_app()
    at.number_input(key="epochs").set_value(2000).run()
    at.checkbox(key="early_stopping").check().run()
    button(at, "Train").click().run()
    run = at.session_state["run"]
    assert run.status == "done" and run.restored is not None
    best, last = run.restored["epoch"], run.epoch
    assert best < last < 2000
    h = run.history
    assert run.restored["val_loss"] == h.val_loss[h.eval_epochs.index(best)] < h.val_loss[-1]
    assert card(at, "validation") == f"{run.restored['val_loss']:.3f}"
    assert card(at, "train") == f"{h.train_loss[best - 1]:.3f}"
    pred = run.net.predict(run.split.X_test).ravel()
    assert card(at, "mae") == f"{np.mean(np.abs(pred - run.split.y_test.ravel())):.3f}"
    assert f"Epoch (model of {best})" in panel(at) and card(at, "epoch") == f"{last} / 2000"
    figs = charts(at)
    assert f"epoch {best})" in figs["Predicted"]["layout"]["title"]["text"]
    assert figs["Network"]["layout"]["title"]["text"].startswith(f"Network at epoch {best}")
    assert figs["Weights"]["layout"]["title"]["text"] == f"Weights and biases at epoch {best}"
    # said next to the buttons, with the epoch and the reason
    (note,) = [w.value for w in at.warning]
    assert f"Stopped early at epoch {last} of 2000" in note and f"weights of epoch {best}" in note
    assert "Turn early stopping off" in note


def test_every_training_control_explains_itself():
    at = start_app()
    at.selectbox(key="optimizer").set_value("momentum").run()
    widgets = {w.key: w for kind in (at.selectbox, at.select_slider, at.number_input, at.checkbox, at.slider)
               for w in kind if w.key}
    for key in ("dataset", "preset", "init", "optimizer", "momentum", "lr", "batch_size", "epochs", "eval_every",
                "weight_decay", "early_stopping", "seed", "test_size"):
        help_text = widgets[key].help
        assert help_text and len(help_text) > 30, key
    assert "param -= lr * grad" in widgets["optimizer"].help


def test_add_layer_is_disabled_at_the_limit_and_says_why():
    """At the 8-layer limit "Add layer" silently did nothing."""
    at = start_app()
    for _ in range(6):
        button(at, "Add layer").click().run()
    assert len(at.session_state["layers"]) == 8
    add = button(at, "Add layer")
    assert add.disabled and "At most 8 hidden layers" in add.help


def test_the_empty_loss_chart_starts_at_zero_and_epochs_per_second_clears_when_stopped():
    at = start_app()
    assert charts(at)["Loss"]["layout"]["yaxis"]["range"] == [0, 1]
    button(at, "Step").click().run()
    assert "range" not in charts(at)["Loss"]["layout"]["yaxis"]
    assert card(at, "epochs") == "–"  # no rate while not training


def test_the_same_network_gives_the_same_result_whatever_the_preset_is_called():
    """An edit flipped the preset to Custom, which switched off the book's sequence: 24.389 instead of 14.655."""
    at = start_app()
    at.checkbox(key="early_stopping").uncheck().run()
    lid = at.session_state["layers"][0]
    at.number_input(key=f"neurons_{lid}").set_value(14).run()
    at.number_input(key=f"neurons_{lid}").set_value(13).run()  # the same 13-13 network, now called "Custom"
    assert at.session_state["preset"] == "custom"
    assert any("random numbers: the book's sequence" in c.value for c in at.caption)
    button(at, "Train").click().run()
    run = at.session_state["run"]
    assert round(run.history.val_loss[-1], 3) == 14.655  # the book's number
    at.selectbox(key="sequence").set_value("independent").run()  # the other mode, chosen and shown
    assert any("random numbers: independent streams" in c.value for c in at.caption)
    button(at, "Train").click().run()
    other = at.session_state["run"]
    assert other is not run and round(other.history.val_loss[-1], 3) != 14.655


def test_scrubbing_the_weights_slider_holds_and_moving_it_to_the_end_follows_again():
    at = start_app()
    for _ in range(3):
        button(at, "Step").click().run()
    slider = next(s for s in at.select_slider if s.label == "Replay: epoch")
    assert slider.value == 3 and charts(at)["Weights"]["layout"]["title"]["text"].endswith("epoch 3")
    slider.set_value(1).run()
    assert charts(at)["Weights"]["layout"]["title"]["text"].endswith("epoch 1")
    button(at, "Step").click().run()  # the slider gets a new key with the new choices; the choice stays
    slider = next(s for s in at.select_slider if s.label == "Replay: epoch")
    assert slider.value == 1 and charts(at)["Weights"]["layout"]["title"]["text"].endswith("epoch 1")
    slider.set_value(4).run()
    button(at, "Step").click().run()  # back at the end: it follows the newest epoch again
    assert charts(at)["Weights"]["layout"]["title"]["text"].endswith("epoch 5")


def test_play_the_run_sends_every_snapshot_to_the_board():
    at = start_app()
    at.number_input(key="eval_every").set_value(2).run()
    at.number_input(key="epochs").set_value(4).run()
    button(at, "Train").click().run()
    run = at.session_state["run"]
    assert run.status == "done"
    next(s for s in at.select_slider if s.label == "Replay: epoch").set_value(0).run()
    assert board_update(at)["charts"]["network"]["epoch"] == 0 and at.session_state["snap_follow"] is False
    button(at, "Play the run").click().run()
    assert not at.exception
    from playground.ui.board import read_carrier

    shown = [read_carrier(h.proto.body) for h in at.html]
    # the board's element keeps only its last update; the replay ends on the last snapshot
    assert [u for u in shown if u] and board_update(at)["charts"]["network"]["epoch"] == run.snapshots[-1].epoch
    assert at.session_state["snap_choice"] == run.snapshots[-1].epoch
