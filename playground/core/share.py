"""Sharing and export: the configuration in a link or a JSON file, a runnable script, the history as CSV.

Reading a link or a file never raises: every unknown, malformed or
out-of-range value falls back to its default and is named in one warning.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import fields, replace

from playground.core.config import ALL_PRESETS, DATASETS, from_preset, validate
from scratchnet import ACTIVATIONS, OPTIMIZERS
from scratchnet.config import FIELDS, LEARNING_RATES, LIMITS, SEQUENCES, SPLIT_MODES, RunConfig
from scratchnet.init import INITS

# query-parameter name -> config field
PARAMS = {
    "ds": "dataset",
    "f": "features",
    "layers": "hidden",
    "preset": "preset",
    "opt": "optimizer",
    "lr": "lr",
    "mom": "momentum",
    "bs": "batch_size",
    "ep": "epochs",
    "ev": "eval_every",
    "seed": "seed",
    "init": "init",
    "l2": "weight_decay",
    "es": "early_stopping",
    "tf": "test_size",
    "rng": "sequence",
    "n": "samples",
    "noise": "noise",
    "dseed": "data_seed",
}
CLASSROOM = "lock"  # comma-separated control names that a classroom link hides and fixes
MOMENT = "at"  # a moment of the run: the link trains to that epoch and stops there
SIGNATURE = "sig"  # a classroom link's signature: its values cannot be edited and keep the lock
SECRET_ENV = "SCRATCHNET_LINK_SECRET"  # set it on a class server so that classroom links survive restarts
_PROCESS_SECRET = secrets.token_bytes(32)
CONTROLS = FIELDS  # the controls a classroom link can hide
MAX_PARAM_LENGTH = 2000


class _Bad(ValueError):
    """One rejected value."""


# ----- encoding ----------------------------------------------------------------------
def _text(config: RunConfig, name: str) -> str:
    value = getattr(config, name)
    if name == "hidden":
        return ",".join(f"{n}:{a}" for n, a in value)
    if name == "features":
        return "" if value is None else ",".join(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(config: RunConfig, locked: tuple[str, ...] = (), at: int | None = None) -> dict[str, str]:
    """The query parameters of a link that reopens ``config`` (``features`` only when some are dropped).

    A classroom link (``locked``) is signed, so that a student who edits it gets no locked session.
    """
    params = {key: _text(config, name) for key, name in PARAMS.items() if name != "features"}
    if config.features is not None:
        params["f"] = _text(config, "features")
    if at is not None:
        params[MOMENT] = str(int(at))
    if locked:
        params[CLASSROOM] = ",".join(locked)
        params[SIGNATURE] = signature(params)
    return params


def _secret() -> bytes:
    """The server's key for classroom links: ``SCRATCHNET_LINK_SECRET``, else one made when the process started."""
    value = os.environ.get(SECRET_ENV, "")
    return value.encode() if value else _PROCESS_SECRET


def signature(params: Mapping[str, str]) -> str:
    """An HMAC-SHA256 of a link's parameters (all but the signature itself), in hex, 24 characters."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != SIGNATURE)
    return hmac.new(_secret(), text.encode(), hashlib.sha256).hexdigest()[:24]


def to_json(config: RunConfig, locked: tuple[str, ...] = ()) -> str:
    """The configuration as a JSON document (the same fields as the link)."""
    doc = {"scratchnet": "playground-config-1", **config.to_dict()}
    doc["hidden"] = [list(layer) for layer in config.hidden]
    doc["features"] = None if config.features is None else list(config.features)
    if locked:
        doc["locked"] = list(locked)
    return json.dumps(doc, indent=2)


# ----- decoding ----------------------------------------------------------------------
def _number(raw, name, setting):
    """``raw`` as a number inside ``LIMITS[setting]``, whole if the setting is."""
    limit = LIMITS[setting]
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise _Bad(f"{name}={_show(raw)} is not a number") from None
    if not math.isfinite(value):
        raise _Bad(f"{name}={_show(raw)} is not a finite number")
    if limit.whole:
        if value != int(value):
            raise _Bad(f"{name}={_show(raw)} is not a whole number")
        value = int(value)
    if not limit.low <= value <= limit.high:
        raise _Bad(f"{name}={_show(raw)} is outside {limit.show(limit.low)} to {limit.show(limit.high)}")
    return value


def _choice(raw, options, name):
    if str(raw) not in options:
        raise _Bad(f"{name}={_show(raw)} is not one of {', '.join(options)}")
    return str(raw)


def _bool(raw, name):
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise _Bad(f"{name}={_show(raw)} is not 0 or 1")


def _hidden(raw, name):
    items = raw if isinstance(raw, list) else [p for p in str(raw).split(",") if p.strip()]
    most = LIMITS["layers"].high
    if len(items) > most:
        raise _Bad(f"{name} has {len(items)} layers; at most {most:g}")
    layers = []
    for k, item in enumerate(items, start=1):
        if isinstance(item, list) and len(item) != 2:
            raise _Bad(f"{name} layer {k} must be [neurons, activation], got {_show(item)}")
        neurons, activation = (item if isinstance(item, list) else str(item).split(":", 1) + [""])[:2]
        n = _number(neurons, f"{name} neurons", "neurons")
        act = _choice(str(activation).strip().lower() or "linear", tuple(ACTIVATIONS), f"{name} activation")
        layers.append((n, act))
    return tuple(layers)


def _features(raw, name):
    items = raw if isinstance(raw, list) else [p.strip() for p in str(raw).split(",") if p.strip()]
    if not items:
        raise _Bad(f"{name} lists no feature")
    items = [str(i) for i in items]
    twice = sorted({i for i in items if items.count(i) > 1})
    if twice:
        raise _Bad(f"{name} lists {', '.join(_show(i) for i in twice)} more than once")
    return tuple(items)


def _lr(raw, name):
    value = _number(raw, name, "lr")
    nearest = min(LEARNING_RATES, key=lambda v: abs(math.log10(v) - math.log10(value)))
    if nearest != value:
        raise _Bad(f"{name}={_show(raw)} is not on the learning-rate scale (nearest is {nearest:g})")
    return nearest


PARSERS = {
    "dataset": lambda raw, n: _choice(raw, DATASETS, n),
    "features": _features,
    "hidden": _hidden,
    "preset": lambda raw, n: _choice(raw, (*ALL_PRESETS, "custom"), n),
    "optimizer": lambda raw, n: _choice(raw, tuple(OPTIMIZERS), n),
    "lr": _lr,
    "init": lambda raw, n: _choice(raw, tuple(INITS), n),
    "early_stopping": _bool,
    "sequence": lambda raw, n: _choice(raw, tuple(SEQUENCES), n),
    # every other numeric setting, in the range LIMITS gives it
    **{field: functools.partial(_number, setting=field) for field in
       ("momentum", "batch_size", "epochs", "eval_every", "seed", "weight_decay", "test_size", "samples", "noise",
        "data_seed")},
}


def _show(raw) -> str:
    """A rejected value, quoted and shortened; the page escapes it as text when it shows the message."""
    text = str(raw)
    text = text if len(text) <= 40 else text[:37] + "..."
    return repr(text)


def _single(raw):
    """A query parameter given twice arrives as a list: the last one counts."""
    if isinstance(raw, (list, tuple)):
        return raw[-1] if raw else ""
    return raw


def from_values(values: Mapping, names: Mapping[str, str]) -> tuple[RunConfig, tuple[str, ...], list[str]]:
    """Build a config from raw values keyed as in ``names`` (param or field name -> field).

    Returns the config, the locked controls and the list of problems found.
    """
    problems, parsed = [], {}
    base = from_preset("book-deep")
    for key, raw in values.items():
        if key in (CLASSROOM, "locked", "scratchnet", MOMENT):
            continue
        field = names.get(key)
        if field is None:
            problems.append(f"unknown parameter {_show(key)}")
            continue
        if raw is None and field == "features":
            continue
        if len(str(raw)) > MAX_PARAM_LENGTH:
            problems.append(f"{key} is too long")
            continue
        try:
            parsed[field] = PARSERS[field](raw, key)
        except _Bad as exc:
            problems.append(str(exc))
    if "preset" in parsed and parsed["preset"] in ALL_PRESETS:
        base = from_preset(parsed["preset"])
    if parsed.get("preset") == "custom" and "sequence" not in parsed:
        parsed["sequence"] = "independent"  # what a custom link meant before the mode had a control of its own
    config = replace(base, **parsed)
    locked_raw = values.get(CLASSROOM, values.get("locked", ()))
    locked, bad = _locked(locked_raw)
    problems += bad
    return config, locked, problems


def _locked(raw) -> tuple[tuple[str, ...], list[str]]:
    items = raw if isinstance(raw, list) else [p.strip() for p in str(_single(raw) or "").split(",") if p.strip()]
    good = tuple(i for i in items if i in CONTROLS)
    bad = [f"unknown control {_show(i)} in {CLASSROOM}" for i in items if i not in CONTROLS]
    return good, bad


def from_query(params: Mapping) -> tuple[RunConfig, tuple[str, ...], list[str]]:
    """Read a link's query parameters: text values, or lists of them when a parameter repeats (the last counts).

    A classroom link whose signature does not match (edited, or made by another server) is not applied at
    all: its values might be a student's, shown as the teacher's.
    """
    values = {k: str(_single(v)) for k, v in params.items()}
    if CLASSROOM in values:
        given = values.pop(SIGNATURE, "")
        if not hmac.compare_digest(given, signature(values)):
            return from_preset("book-deep"), (), [
                "this classroom link was changed, or made by another server, so none of its settings were used; "
                "ask your teacher for the link again"]
    values.pop(SIGNATURE, None)
    return from_values(values, PARAMS)


def from_json(text: str | bytes) -> tuple[RunConfig, tuple[str, ...], list[str]]:
    """Read a configuration file written by ``to_json``; a file that is not JSON gives defaults and a problem."""
    try:
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return from_preset("book-deep"), (), ["the file is not JSON"]
    if not isinstance(doc, dict):
        return from_preset("book-deep"), (), ["the file does not hold a configuration object"]
    return from_values(doc, {f.name: f.name for f in fields(RunConfig)})


def moment_of(params: Mapping, epochs: int) -> tuple[int | None, list[str]]:
    """The link's moment (``at``): an epoch from 1 to the configuration's ``epochs``, or None, and any problem."""
    if MOMENT not in params:
        return None, []
    raw = _single(params[MOMENT])
    try:
        at = _number(raw, MOMENT, "epochs")
    except _Bad as exc:
        return None, [str(exc)]
    if at > epochs:
        return None, [f"{MOMENT}={_show(raw)} is after the run's last epoch, {epochs}"]
    return at, []


def warning_text(problems: list[str]) -> str:
    """One message for everything that was ignored."""
    if not problems:
        return ""
    shown = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
    return f"Some settings could not be used and were left at their defaults: {shown}."


# ----- other exports -------------------------------------------------------------------
# the evaluation columns of the history CSV, by kind of problem
HISTORY_COLUMNS = {"regression": ("val_loss", "mae", "rmse", "r2"),
                   "classification": ("val_loss", "train_accuracy", "accuracy")}


def history_csv(history, kind: str = "regression") -> str:
    """Per-epoch history: epoch, train loss, and on evaluation epochs the validation loss and the kind's figures.

    Regression: MAE, RMSE, R²; two classes: train and test accuracy.
    """
    columns = HISTORY_COLUMNS[kind]
    evals = {e: i for i, e in enumerate(history.eval_epochs)}
    lines = ["epoch,train_loss," + ",".join(columns)]
    for epoch, loss in zip(history.epochs, history.train_loss, strict=True):
        i = evals.get(epoch)
        tail = "," * (len(columns) - 1) if i is None else ",".join(f"{getattr(history, k)[i]:.8g}" for k in columns)
        lines.append(f"{epoch},{loss:.8g},{tail}")
    return "\n".join(lines) + "\n"


LOSS_TEXT = {"mse": "mean squared error", "sigmoid_cross_entropy": "sigmoid cross-entropy of the output logit"}
SPLIT_TEXT = {"book": "the features scaled with every row, then split (the book's order)",
              "proper": "split, then the features scaled with the training rows only"}


def script(config: RunConfig, target: str | None = None) -> str:
    """A Python script that reproduces a run of ``config`` with scratchnet, from any folder.

    For an uploaded CSV (``csv:NAME``) the script reads the CSV's path from its command line and uses
    ``target`` (the CSV's target column) as y.
    """
    settings = "\n".join(f"    {name}={getattr(config, name)!r}," for name in FIELDS)
    if config.dataset.startswith("csv:"):
        usage = f"python this_file.py PATH/TO/{re.sub(r'[^A-Za-z0-9_.-]', '_', config.dataset[4:])}.csv"
        loading = (f"import sys\n\nif len(sys.argv) != 2:\n    sys.exit({('usage: ' + usage)!r})\n"
                   f"data = load_csv(sys.argv[1], target={target!r}, name={config.dataset[4:]!r})")
    else:
        usage = "python this_file.py"
        loading = "data = config.load_data()  # a named dataset, or a synthetic problem drawn from its settings"
    features = "" if config.features is None else "\ndata = data.select(list(config.features))"
    layers = ", ".join(f'Dense({n}, "{a}")' for n, a in config.layers)
    return f'''"""Reproduce a scratchnet playground run.

Needs the scratchnet package: pip install the scratchnet project folder (pip install PATH/TO/scratchnet, or
pip install -e . inside it). Then, from any folder: {usage}
"""

from scratchnet import Trainer, eval_regression_model
from scratchnet.config import RunConfig
from scratchnet.data import load_csv
from scratchnet.trainer import describe

config = RunConfig(
{settings}
)
{loading}{features}
split = config.split(data)  # {SPLIT_MODES[config.sequence]} split: {SPLIT_TEXT[SPLIT_MODES[config.sequence]]}
net = config.build_network()  # {layers}, {LOSS_TEXT[config.loss]}
trainer = Trainer(net, config.build_optimizer())  # {config.optimizer}, learning rate {config.lr:g}
for report in config.fit_iter(trainer, split):  # {config.epochs} epochs of batches of {config.batch_size}
    if report.val_loss is not None:
        print(describe(report))
print(eval_regression_model(net, split.X_test, split.y_test, verbose=True))
'''


def settle(config: RunConfig, feature_names: list[str], n_rows: int) -> tuple[RunConfig, list[str]]:
    """Make a decoded config fit its dataset: unknown features, batch size and eval interval fall back.

    Returns the config and the problems found (all fixed; if anything is
    still wrong after that, the book's deep preset is returned instead).
    """
    problems = []
    if config.features is not None and (not config.features or set(config.features) - set(feature_names)):
        problems.append(f"features {_show(','.join(config.features))} are not all columns of {config.dataset}")
        config = replace(config, features=None)
    n_train = n_rows - math.ceil(config.test_size * n_rows)
    if config.batch_size > n_train:
        problems.append(f"batch size {config.batch_size} is more than the {n_train} training rows")
        config = replace(config, batch_size=max(1, min(32, n_train)))
    if config.eval_every > config.epochs:
        problems.append(f"evaluate every {config.eval_every} is more than the {config.epochs} epochs")
        config = replace(config, eval_every=max(1, min(10, config.epochs)))
    remaining = validate(config, n_rows, feature_names)
    if remaining:
        return from_preset("book-deep"), problems + remaining
    return config, problems
