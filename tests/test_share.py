"""Links, JSON files, scripts and history exports of the playground's configuration."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from playground.core import share
from playground.core.config import from_preset
from playground.core.run import LiveRun
from playground.core.text import md
from scratchnet.config import RunConfig
from scratchnet.data import load_boston

ROOT = Path(__file__).resolve().parent.parent
CUSTOM = RunConfig(
    dataset="diabetes",
    features=("bmi", "bp", "s5"),
    hidden=((32, "relu"), (8, "tanh")),
    preset="custom",
    optimizer="momentum",
    lr=0.003,
    momentum=0.8,
    batch_size=16,
    epochs=120,
    eval_every=5,
    seed=7,
    init="glorot",
    weight_decay=0.001,
    early_stopping=True,
    test_size=0.25,
)


@pytest.mark.parametrize("config", [from_preset("book-deep"), from_preset("book-linear"), CUSTOM])
def test_link_round_trip(config):
    params = share.to_query(config, locked=("lr", "hidden"))
    assert all(isinstance(v, str) for v in params.values())
    back, locked, problems = share.from_query(params)
    assert back == config and locked == ("lr", "hidden") and problems == []


@pytest.mark.parametrize("config", [from_preset("book-shallow"), CUSTOM])
def test_json_round_trip(config):
    back, locked, problems = share.from_json(share.to_json(config, locked=("epochs",)))
    assert back == config and locked == ("epochs",) and problems == []


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"lr": "abc"}, "lr", "lr='abc' is not a number"),
        ({"lr": "0.05"}, "lr", "not on the learning-rate scale"),
        ({"lr": "-1"}, "lr", "outside"),
        ({"ep": "1e9"}, "epochs", "ep='1e9' is outside 1 to 5,000"),
        ({"ep": "2.5"}, "epochs", "not a whole number"),
        ({"bs": "-3"}, "batch_size", "outside"),
        ({"seed": "nan"}, "seed", "not a finite number"),
        ({"seed": "inf"}, "seed", "not a finite number"),
        ({"l2": "99999999999999999999999"}, "weight_decay", "outside"),
        ({"layers": "13:sigmoid,x:relu"}, "hidden", "layers neurons='x' is not a number"),
        ({"layers": "999:relu"}, "hidden", "outside 1 to 256"),
        ({"layers": "4:swish"}, "hidden", "is not one of"),
        ({"layers": ",".join(["4:relu"] * 20)}, "hidden", "at most 8"),
        ({"ds": "<script>alert(1)</script>"}, "dataset", "'<script>alert(1)</script>'"),
        ({"es": "maybe"}, "early_stopping", "not 0 or 1"),
        ({"opt": "rmsprop"}, "optimizer", "not one of"),
        ({"tf": "0.99"}, "test_size", "outside"),
        ({"f": "x" * 5000}, "features", "too long"),
        ({"f": "RM,RM"}, "features", "lists 'RM' more than once"),
    ],
)
def test_bad_link_values_fall_back_with_a_message(params, field, message):
    config, _, problems = share.from_query(params)
    assert getattr(config, field) == getattr(from_preset("book-deep"), field)
    assert len(problems) == 1 and message in problems[0]
    # the value is quoted as it came; the page shows the message as text (playground.core.text.md)
    assert "<" not in md(share.warning_text(problems)).replace("\\<", "")


def test_unknown_parameters_and_controls_are_named_once():
    params = {"zzz": "1", "lock": "lr,foo", "ep": "77"}
    config, locked, problems = share.from_query({**params, "sig": share.signature(params)})
    assert config.epochs == 77 and locked == ("lr",)
    text = share.warning_text(problems)
    assert text.count("Some settings") == 1 and "'zzz'" in text and "'foo'" in text


def test_a_repeated_parameter_uses_the_last_value():
    config, _, problems = share.from_query({"ep": ["10", "20"]})
    assert config.epochs == 20 and problems == []


@pytest.mark.parametrize("text", ["not json", b"\xff\xfe", "[1, 2]", "null", json.dumps({"lr": {"a": 1}})])
def test_bad_json_files_give_defaults_and_a_problem(text):
    config, _, problems = share.from_json(text)
    assert problems and config.lr == from_preset("book-deep").lr


def test_settle_fits_a_config_to_its_data():
    config = replace(from_preset("book-deep"), features=("RM", "nope"), batch_size=5000, eval_every=80)
    fixed, problems = share.settle(config, load_boston().feature_names, 506)
    assert fixed.features is None and fixed.batch_size == 32 and fixed.eval_every == 10
    assert len(problems) == 3


def test_history_csv(tmp_path):
    run = LiveRun(replace(from_preset("book-linear"), epochs=20), load_boston())
    run.start()
    run.advance(30)
    lines = share.history_csv(run.history).strip().split("\n")
    assert lines[0] == "epoch,train_loss,val_loss,mae,rmse,r2" and len(lines) == 21
    assert lines[1].endswith(",,,") and float(lines[10].split(",")[2]) == pytest.approx(run.history.val_loss[0])


@pytest.mark.parametrize("config", [from_preset("book-deep"), replace(CUSTOM, epochs=30)])
def test_script_reproduces_the_run(config, tmp_path):
    path = tmp_path / "run.py"
    path.write_text(share.script(config))
    out = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    from scratchnet.data import load_dataset

    data = load_dataset(config.dataset)
    run = LiveRun(config, data if config.features is None else data.select(list(config.features)))
    run.start()
    run.advance(60)
    assert (
        f"Validation loss after {run.history.eval_epochs[-1]} epochs is {run.history.val_loss[-1]:.3f}" in out.stdout
        or "Loss increased" in out.stdout
    )
    model = run.restored or {"mae": run.history.mae[-1]}  # after an early stop the script ends on the restored model
    assert f"Mean absolute error: {model['mae']:.2f}" in out.stdout


def test_a_loaded_model_becomes_the_runs_starting_point():
    import io

    import numpy as np

    from scratchnet import load, save

    config = replace(from_preset("book-shallow"), epochs=5)
    trained = LiveRun(config, load_boston())
    trained.start()
    trained.advance(30)
    buf = io.BytesIO()
    save(trained.net, buf)
    buf.seek(0)
    fresh = LiveRun(config, load_boston())
    fresh.adopt(load(buf))
    want = list(trained.net.params())
    assert all(np.array_equal(a, b) for a, b in zip(fresh.current_params(), want, strict=True))
    fresh.step()
    fresh.reset()
    assert all(np.array_equal(a, b) for a, b in zip(fresh.current_params(), want, strict=True))
    other = LiveRun(replace(config, hidden=((5, "relu"),)), load_boston())
    with pytest.raises(ValueError, match="the model expects 13 inputs and layers \\[13, 1\\]"):
        other.adopt(trained.net)


def test_an_edited_classroom_link_is_not_applied():
    """A student could change ep=40 to ep=5000 in a locked link, and "Set by your teacher" showed 5000."""
    params = share.to_query(replace(from_preset("book-deep"), epochs=40), locked=("epochs",))
    config, locked, problems = share.from_query(params)
    assert config.epochs == 40 and locked == ("epochs",) and problems == []
    for edit in ({"ep": "5000"}, {"lock": "lr"}, {"sig": "0" * 24}, {"sig": ""}):
        config, locked, problems = share.from_query({**params, **edit})
        assert locked == () and config == from_preset("book-deep") and "was changed" in problems[0], edit
    unsigned = {k: v for k, v in params.items() if k != "sig"}
    assert share.from_query(unsigned)[1] == ()
    # an ordinary link needs no signature, and removing the lock leaves an ordinary link
    config, locked, problems = share.from_query({"ep": "40"})
    assert config.epochs == 40 and locked == () and problems == []
