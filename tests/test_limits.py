"""One limits table: the validator, the link parser, the command line and every page's widgets read LIMITS."""

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.core import share
from playground.core.config import from_preset, validate
from scratchnet import cli
from scratchnet.config import FIELDS, LIMITS, RunConfig, check

ROOT = Path(__file__).resolve().parent.parent
# the run settings LIMITS bounds directly (neurons and layers bound the layer stack)
SETTINGS = [name for name in LIMITS if name in FIELDS]
LINK_PARAM = {field: param for param, field in share.PARAMS.items()}
ROOMY = dict(epochs=5000, eval_every=1)  # so that eval_every and batch size meet only their own limits


def roomy(name, value) -> RunConfig:
    return replace(from_preset("book-deep"), **{**ROOMY, name: value})


def outside(name):
    """A value just above the setting's high limit."""
    limit = LIMITS[name]
    return limit.high + (1 if limit.whole else limit.high * 0.01 + 0.01)


def test_the_table_covers_every_numeric_setting():
    numeric = {f for f in FIELDS if isinstance(getattr(RunConfig(), f), int | float)
               and not isinstance(getattr(RunConfig(), f), bool)}
    assert numeric == set(SETTINGS)
    assert {"neurons", "layers"} <= set(LIMITS)


@pytest.mark.parametrize("name", SETTINGS)
def test_the_validator_accepts_the_bounds_and_refuses_beyond(name):
    limit, rows = LIMITS[name], 300_000  # enough training rows for the largest batch size
    for value in (limit.low, limit.high):
        assert check(roomy(name, value), rows, []) == [], (name, value)
    errors = check(roomy(name, outside(name)), rows, [])
    assert len(errors) == 1 and errors[0].startswith(limit.label), errors
    assert limit.show(limit.high) in errors[0]


@pytest.mark.parametrize("name", SETTINGS)
def test_a_link_accepts_the_bounds_and_refuses_beyond(name):
    limit, param = LIMITS[name], LINK_PARAM[name]
    for value in (limit.low, limit.high):
        if name == "lr" or limit.low <= value:
            config, _, problems = share.from_query({param: share._text(roomy(name, value), name)})
            assert problems == [] and getattr(config, name) == value, (name, value, problems)
    _, _, problems = share.from_query({param: str(outside(name))})
    assert len(problems) == 1 and "outside" in problems[0], problems


@pytest.mark.parametrize("name", SETTINGS)
def test_the_command_line_reads_the_same_range(name):
    limit = LIMITS[name]
    parser = cli.make_parser()
    option = "--" + name.replace("_", "-")
    for value in (limit.low, limit.high):
        args = parser.parse_args(["train", option, str(value)])
        assert getattr(args, name) == value
    with pytest.raises(SystemExit):
        parser.parse_args(["train", option, str(outside(name))])


def test_the_playground_widgets_use_the_table():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key="optimizer").set_value("momentum").run()  # so that the momentum slider is drawn
    at.selectbox(key="dataset").set_value("spirals").run()  # so that the problem's samples and noise are drawn
    widgets = {w.key: w for w in [*at.sidebar.number_input, *at.sidebar.slider]}
    # the data seed has a button (Regenerate data), not a box
    keys = {"neurons": "neurons_0", **{name: name for name in SETTINGS if name not in ("lr", "data_seed")}}
    for name, key in keys.items():
        assert (widgets[key].min, widgets[key].max) == (LIMITS[name].low, LIMITS[name].high), name
    lr = next(w for w in at.sidebar.select_slider if w.key == "lr")
    assert (min(lr.options, key=float), max(lr.options, key=float)) == (f"{LIMITS['lr'].low:g}",
                                                                       f"{LIMITS['lr'].high:g}")


@pytest.mark.parametrize("page, keys", [
    ("compare.py", {"cmp_epochs": "epochs", "cmp_batch": "batch_size", "cmp_every": "eval_every"}),
    ("inside.py", {"inside_batch": "batch_size"}),
])
def test_the_other_pages_widgets_use_the_table(page, keys):
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60).run()
    widgets = {w.key: w for w in at.number_input}
    for key, name in keys.items():
        assert (widgets[key].min, widgets[key].max) == (LIMITS[name].low, LIMITS[name].high), key


def test_the_playground_validator_adds_only_the_servers_budgets(boston_rows=506):
    config = from_preset("book-deep")
    features = [f"x{i}" for i in range(13)]
    assert validate(config, boston_rows, features) == check(config, boston_rows, features) == []
    bad = replace(config, momentum=1.0)
    assert validate(bad, boston_rows, features) == check(bad, boston_rows, features)
