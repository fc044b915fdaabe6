"""Links, classroom mode, configuration and model files, through the playground page (AppTest)."""

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rendered import shown
from streamlit.testing.v1 import AppTest

from playground.core import share
from playground.core.config import from_preset
from scratchnet import Dense, NeuralNetwork, save
from scratchnet.config import RunConfig

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_with(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_link_reopens_the_same_configuration():
    config = RunConfig(dataset="diabetes", features=("bmi", "bp", "s5"), hidden=((16, "relu"), (4, "tanh")),
                              preset="custom", optimizer="adam", lr=0.003, batch_size=16, epochs=70, eval_every=7,
                              seed=11, init="glorot", weight_decay=0.001, early_stopping=True, test_size=0.2)
    at = open_with(share.to_query(config))
    assert not at.exception and not at.warning and not at.error
    from playground.core.session import read_config

    assert read_config(at.session_state) == config
    run = at.session_state["run"]
    assert run.split.X_train.shape[1] == 3 and [layer.neurons for layer in run.net.layers] == [16, 4, 1]
    assert dict(at.query_params) == share.to_query(config)


def test_the_address_bar_follows_the_controls():
    at = open_with({})
    at.number_input(key="epochs").set_value(123).run()
    assert at.query_params["ep"] == "123" and at.query_params["layers"] == "13:sigmoid,13:sigmoid"


@pytest.mark.parametrize(
    "params",
    [
        {"lr": "abc", "ep": "-5", "bs": "1e99", "seed": "NaN"},
        {"layers": "99999:relu,<img src=x onerror=alert(1)>", "zzz": "1"},
        {"ds": "../../etc/passwd", "f": "RM,<script>alert(1)</script>"},
        {"bs": "400", "ev": "60"},
        {"lock": "everything", "es": "perhaps", "tf": "inf"},
    ],
)
def test_bad_links_fall_back_with_one_warning(params):
    at = open_with(params)
    assert not at.exception and not at.error
    assert len(at.warning) == 1 and at.warning[0].value.startswith("Some settings could not be used")
    assert "<script>" not in at.warning[0].value and "<img" not in at.warning[0].value
    assert at.session_state["run"] is not None
    button(at, "Step").click().run()
    assert at.session_state["run"].epoch == 1 and not at.exception


def test_classroom_mode_hides_and_fixes_the_chosen_controls():
    config = from_preset("book-shallow")
    at = open_with(share.to_query(config, locked=("lr", "epochs", "hidden", "dataset")))
    assert not at.exception and not at.warning
    labels = [w.label for w in [*at.number_input, *at.select_slider, *at.selectbox]]
    assert "Epochs" not in labels and "Learning rate" not in labels and "Dataset" not in labels
    assert not any(label.startswith("Layer") for label in labels) and "Batch size" in labels
    assert not any(b.label == "Add layer" for b in at.button)
    assert any("Set by your teacher" in c.value and "learning rate" in c.value for c in at.caption)
    run = at.session_state["run"]
    assert run.config.lr == 0.01 and run.config.epochs == 50 and [n for n, _ in run.config.layers] == [13, 1]
    assert at.query_params["lock"] == "dataset,hidden,lr,epochs" or set(at.query_params["lock"].split(",")) == {
        "dataset", "hidden", "lr", "epochs"}
    assert not [e for e in at.expander if "Classroom" in e.label]


def test_nothing_a_locked_student_can_reach_changes_a_locked_value():
    """The Preset menu stayed in a locked link, and choosing "Book: linear" replaced the teacher's layers."""
    teacher = replace(from_preset("book-deep"), hidden=((7, "tanh"),), epochs=40, lr=0.1, preset="custom",
                      dataset="diabetes", features=("bmi", "bp"))
    at = open_with(share.to_query(teacher, locked=("lr", "epochs", "hidden", "dataset", "features")))
    assert not at.exception
    assert "Preset" not in [w.label for w in at.selectbox]  # the menu is gone...
    from playground.core import session
    from playground.logic import data as datainfo
    from playground.ui import upload

    # ...and the ways left to reach a locked value change nothing: a preset, a stale menu's callback
    at.session_state["preset"] = "book-linear"
    session.apply_preset(at.session_state)
    session.add_layer(at.session_state)
    upload.choose_dataset(at.session_state, "boston")  # the Data page's dataset menu
    datainfo.set_features(at.session_state, ["age"], ["age", "sex", "bmi", "bp"])  # its feature picker
    at.run()
    config = session.read_config(at.session_state)
    assert (config.hidden, config.epochs, config.lr, config.dataset, config.features) == (
        ((7, "tanh"),), 40, 0.1, "diabetes", ("bmi", "bp"))
    assert at.session_state["run"].config.hidden == ((7, "tanh"),)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert all(w.disabled for w in at.selectbox if w.key == "data_dataset")
    assert all(w.disabled for w in at.multiselect if w.key == "data_features")


def test_a_teacher_builds_a_classroom_link():
    at = open_with({})
    at.multiselect(key="classroom_lock").set_value(["lr", "epochs"]).run()
    links = [c.value for c in at.code if "lock=" in c.value]
    assert links and "lock=lr%2Cepochs" in links[0] and "ep=50" in links[0]


def test_configuration_file_round_trip_and_a_bad_file():
    at = open_with({})
    config = RunConfig(preset="custom", hidden=((7, "tanh"),), epochs=33, eval_every=3, lr=0.1)
    at.file_uploader(key="config_file").set_value(("c.json", share.to_json(config).encode(), "application/json"))
    at.run()
    assert not at.exception and at.session_state["run"].config.hidden == ((7, "tanh"),)
    assert at.number_input(key="epochs").value == 33
    at.file_uploader(key="config_file").set_value(("bad.json", b"\x00not json", "application/json")).run()
    assert not at.exception and any("not JSON" in w.value for w in at.warning)


def test_a_configuration_file_with_one_setting_fills_the_rest_from_the_defaults():
    """{"epochs": 7} used to leave "evaluate every 10" beside 7 epochs: an error, and no Train button."""
    at = open_with({})
    at.file_uploader(key="config_file").set_value(("c.json", b'{"epochs": 7}', "application/json")).run()
    assert not at.exception and not at.error
    assert at.number_input(key="epochs").value == 7 and at.number_input(key="eval_every").value <= 7
    assert any(b.label == "Train" for b in at.button)


@pytest.mark.parametrize("doc, message", [('{"hidden": [[5]]}', "layer 1 must be [neurons, activation]"),
                                          ('{"hidden": [[]]}', "layer 1 must be [neurons, activation]"),
                                          ('{"seed": 1e30}', "outside 0 to 4,294,967,295")])
def test_configuration_files_with_bad_values_give_one_warning(doc, message):
    at = open_with({})
    at.file_uploader(key="config_file").set_value(("c.json", doc.encode(), "application/json")).run()
    assert not at.exception and not at.error
    assert any(message in shown(w.value) for w in at.warning), [w.value for w in at.warning]


def trained_model_bytes(hidden=((13, "sigmoid"),), inputs=13):
    net = NeuralNetwork([Dense(n, a) for n, a in hidden] + [Dense(1)], "mse", seed=3)
    net.forward(np.ones((2, inputs)))
    buf = io.BytesIO()
    save(net, buf)
    return buf.getvalue(), net


def test_a_saved_model_loads_back_as_the_starting_point():
    at = open_with({})
    content, net = trained_model_bytes(((5, "relu"), (3, "tanh")))
    at.file_uploader(key="model_file").set_value(("m.npz", content, "application/octet-stream")).run()
    assert not at.exception and not at.error
    run = at.session_state["run"]
    assert run.config.hidden == ((5, "relu"), (3, "tanh"))
    assert all(np.array_equal(a, b) for a, b in zip(run.current_params(), net.params(), strict=True))


def object_array_npz():
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.array([{"x": 1}], dtype=object))
    return buf.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not a zip", "not a scratchnet model file"),
        (object_array_npz(), "pickled objects, which are refused"),
        (trained_model_bytes(inputs=5)[0], "does not fit this data"),
        (trained_model_bytes(hidden=((300, "relu"),))[0], "has [300]"),
    ],
)
def test_bad_model_files_give_a_message_and_keep_the_run(content, message):
    at = open_with({})
    button(at, "Step").click().run()
    run = at.session_state["run"]
    at.file_uploader(key="model_file").set_value(("m.npz", content, "application/octet-stream")).run()
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert any(message in e for e in errors), errors
    assert not at.success  # no "Model loaded" beside the error
    if "does not fit" not in message:
        assert at.session_state["run"] is run and run.epoch == 1


def test_downloads_are_offered_and_enabled_after_training():
    at = open_with({})
    before = {d.proto.label: d.proto.disabled for d in at.get("download_button")}
    assert before == {"Configuration (JSON)": False, "Python script": False, "Model (.npz)": True,
                      "History (CSV)": True}
    button(at, "Step").click().run()
    after = {d.proto.label: d.proto.disabled for d in at.get("download_button")}
    assert not any(after.values())


def test_a_link_to_a_moment_trains_a_new_run_to_that_epoch_and_stops_there():
    config = replace(from_preset("book-deep"), epochs=20, early_stopping=False)
    at = open_with(share.to_query(config, at=7))
    assert not at.exception and not at.warning
    run = at.session_state["run"]
    assert run.epoch == 7 and run.status == "stopped"
    from playground.core.run import LiveRun
    from scratchnet.data import load_boston

    alone = LiveRun(config, load_boston())
    for _ in range(7):
        alone.step(budget=10.0)
    assert all(np.array_equal(a, b) for a, b in zip(run.net.params(), alone.net.params(), strict=True))
    late = open_with(share.to_query(config, at=99))
    assert late.session_state["run"].epoch == 0 and "after the run's last epoch, 20" in shown(late.warning[0].value)
