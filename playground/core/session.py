"""Per-session state of the playground, as plain functions on a mapping.

The page passes ``st.session_state``; tests pass a dict. Widget values live
under the widget keys below; the layer stack under ``"layers"``; the run
under ``"run"``.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import fields

import numpy as np

from playground.core.config import from_preset
from playground.core.run import LiveRun
from scratchnet import Dataset
from scratchnet.config import FIELDS, LIMITS, RunConfig
from scratchnet.problems import DEFAULT_FEATURES, PROBLEMS, make_problem

# the controls kept as plain widget values (features and the layer stack have their own keys)
WIDGETS = tuple(name for name in FIELDS if name not in ("features", "hidden"))
# each widget value as the config's field type (a number box may hand back an int for a float field)
_TYPES = {f.name: {"int": int, "float": float, "bool": bool, "str": str}.get(str(f.type), str)
          for f in fields(RunConfig) if f.name in WIDGETS}


def data_for(state: MutableMapping, name: str, builtin) -> Dataset:
    """Dataset ``name``: a CSV this session loaded (``"csv:NAME"``), a synthetic problem, or ``builtin(name)``.

    A problem is drawn from this session's samples, noise and data seed (a few milliseconds, so it is not cached).
    """
    if name.startswith("csv:"):
        uploads = state.get("uploads", {})
        if name[4:] not in uploads:
            raise KeyError(f"no CSV named {name[4:]!r} was loaded in this session")
        return uploads[name[4:]]
    if name in PROBLEMS:
        return make_problem(name, n=int(state["samples"]), noise=float(state["noise"]), seed=int(state["data_seed"]))
    return builtin(name)


def init_state(state: MutableMapping, preset: str = "book-deep") -> None:
    """Fill in every missing key with the ``preset``'s settings."""
    if "layers" not in state:
        state["next_layer_id"] = 0
        write_config(state, from_preset(preset))
    state.setdefault("run", None)
    state.setdefault("notice", "")


def is_locked(state: MutableMapping, name: str) -> bool:
    """Whether a classroom link fixed control ``name``; with any lock the preset is fixed too.

    A preset sets nearly every control, so choosing one would undo the teacher's locked values.
    """
    lock = state.get("locked", ())
    return bool(lock) and (name in lock or name == "preset")


def write_config(state: MutableMapping, config: RunConfig) -> None:
    """Put ``config`` into the widget keys and the layer stack, leaving alone what a classroom link locked.

    Every way in (a preset, a loaded configuration or model, the Data page) goes through here, so none can
    change a locked value.
    """
    for key in WIDGETS:
        if not is_locked(state, key):
            state[key] = getattr(config, key)
    if not is_locked(state, "features"):
        state["features"] = list(config.features) if config.features is not None else None
    if not is_locked(state, "hidden") or "layers" not in state:
        state["layers"] = []
        for neurons, activation in config.hidden:
            _append_layer(state, neurons, activation)


def _append_layer(state: MutableMapping, neurons: int, activation: str) -> None:
    lid = state["next_layer_id"]
    state["next_layer_id"] = lid + 1
    state["layers"].append(lid)
    state[f"neurons_{lid}"] = int(neurons)
    state[f"activation_{lid}"] = activation


def read_config(state: MutableMapping) -> RunConfig:
    """The configuration the widgets show now."""
    hidden = tuple((int(state[f"neurons_{lid}"]), str(state[f"activation_{lid}"])) for lid in state["layers"])
    features = state.get("features")
    values = {name: _TYPES[name](state[name]) for name in WIDGETS if name in state}
    return RunConfig(**{**values, "features": None if features is None else tuple(features), "hidden": hidden})


def features_key(state: MutableMapping) -> str:
    """The key of the playground's feature multiselect: a new one each time the selection is rebuilt.

    A widget keeps its identity across reruns by its key, and the browser sends back what it last
    showed; after a dataset change that was the old dataset's names, which the new options dropped,
    leaving no feature at all. A fresh key makes the widget start from ``state["features"]``.
    """
    return f"_features_{state.get('features_gen', 0)}"


def drop_feature_widget(state: MutableMapping) -> None:
    """Rebuild the feature multiselect from ``state["features"]`` on the next run (see ``features_key``)."""
    key = features_key(state)
    if key in state:  # (Streamlit's test proxy of the session state has no pop with a default)
        del state[key]
    state["features_gen"] = state.get("features_gen", 0) + 1


# ----- layer stack editor ------------------------------------------------------
def mark_custom(state: MutableMapping) -> None:
    """An edit to the architecture or data leaves the book's presets (unless a classroom link fixed it)."""
    if not is_locked(state, "preset"):
        state["preset"] = "custom"


def add_layer(state: MutableMapping, neurons: int = 8, activation: str = "relu") -> None:
    if len(state["layers"]) < LIMITS["layers"].high and not is_locked(state, "hidden"):
        _append_layer(state, neurons, activation)
        mark_custom(state)


def remove_layer(state: MutableMapping, lid: int) -> None:
    if lid in state["layers"] and not is_locked(state, "hidden"):
        state["layers"] = [x for x in state["layers"] if x != lid]
        mark_custom(state)


def move_layer(state: MutableMapping, lid: int, delta: int) -> None:
    layers = list(state["layers"])
    i = layers.index(lid)
    j = i + delta
    if 0 <= j < len(layers) and not is_locked(state, "hidden"):
        layers[i], layers[j] = layers[j], layers[i]
        state["layers"] = layers
        mark_custom(state)


def apply_preset(state: MutableMapping) -> None:
    """Callback of the preset selectbox: load the chosen preset's settings (perhaps another dataset and inputs)."""
    name = state["preset"]
    if name != "custom":
        write_config(state, from_preset(name, read_config(state)))
        if not is_locked(state, "features"):
            drop_feature_widget(state)  # rebuilt from the preset's features


def fit_batch_size(state: MutableMapping, n_rows: int) -> None:
    """Shrink the batch size to the training rows of a smaller dataset (the whole set, then)."""
    n_train = n_rows - math.ceil(float(state["test_size"]) * n_rows)
    if n_train >= 1 and int(state["batch_size"]) > n_train:
        state["batch_size"] = n_train


def new_data_seed(state: MutableMapping) -> None:
    """Regenerate data: the problem's points drawn again from a new data seed (a new run starts)."""
    state["data_seed"] = int(np.random.default_rng().integers(0, 2**31))
    mark_custom(state)


def use_problem_defaults(state: MutableMapping, name: str) -> None:
    """After switching to problem ``name``: its own number of points and noise, and the inputs x1, x2 (2-D)."""
    problem = PROBLEMS[name]
    for key, value in (("samples", problem.n), ("noise", problem.noise)):
        if not is_locked(state, key):
            state[key] = value
    if problem.dims == 2 and not is_locked(state, "features"):
        state["features"] = list(DEFAULT_FEATURES)


def new_seed(state: MutableMapping) -> None:
    state["seed"] = int(np.random.default_rng().integers(0, 2**31 - 1))


# ----- the run -------------------------------------------------------------------
def sync_run(state: MutableMapping, config: RunConfig, data: Dataset) -> str:
    """Make ``state["run"]`` match ``config``: continue it, or start a new run; return a notice."""
    run: LiveRun | None = state.get("run")
    if run is not None and run.key == config.run_key():
        run.update(config)
        return ""
    was_running = run is not None and run.epoch > 0
    state["run"] = LiveRun(config, data)
    return "The data or the architecture changed, so a new run started at epoch 0." if was_running else ""


def train(state: MutableMapping) -> None:
    if state.get("run") is not None:
        state["run"].start()


def stop(state: MutableMapping) -> None:
    if state.get("run") is not None:
        state["run"].stop()


def step(state: MutableMapping, budget: float | None = None) -> None:
    if state.get("run") is not None:
        state["run"].step() if budget is None else state["run"].step(budget)


def reset(state: MutableMapping) -> None:
    if state.get("run") is not None:
        state["run"].reset()
