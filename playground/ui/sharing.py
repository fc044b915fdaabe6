"""Streamlit side of sharing: the link in the address bar, downloads, uploads and classroom links.

The logic (encoding, checking, scripts) is in ``playground.core.share``; this
module only reads and draws widgets.
"""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from playground.core import session, share
from playground.core.text import md
from playground.ui.loaders import dataset
from scratchnet import ACTIVATIONS, ModelFileError, load, save
from scratchnet.config import LIMITS, RunConfig

CONTROL_LABELS = {
    "dataset": "dataset", "features": "features", "hidden": "layers", "preset": "preset",
    "optimizer": "optimizer", "lr": "learning rate", "momentum": "momentum", "batch_size": "batch size",
    "epochs": "epochs", "eval_every": "evaluate every", "seed": "seed", "init": "weight init",
    "weight_decay": "L2 weight decay", "early_stopping": "early stopping", "test_size": "test fraction",
    "sequence": "random numbers", "samples": "samples", "noise": "noise", "data_seed": "data (Regenerate)",
}


def locked(state: MutableMapping) -> tuple[str, ...]:
    """The controls a classroom link hides and fixes (empty outside classroom mode)."""
    return tuple(state.get("locked", ()))


def apply_link_once(state: MutableMapping, n_rows_of) -> None:
    """On a session's first run, take the configuration from the link's query parameters.

    ``n_rows_of(name)`` gives ``(feature_names, n_rows)`` of a dataset.
    Problems are collected into one warning shown by ``show_link_warning``.
    """
    if state.get("_link_read"):
        return
    state["_link_read"] = True
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    if not params:
        return
    config, lock, problems = share.from_query(params)
    names, rows = n_rows_of(config.dataset)
    config, more = share.settle(config, names, rows)
    at, bad = share.moment_of(params, config.epochs)
    session.write_config(state, config)
    state["locked"] = lock
    if at is not None:
        state["link_moment"] = at
    state["link_warning"] = share.warning_text(problems + more + bad)


def go_to_moment(state: MutableMapping, run) -> None:
    """A link with a moment: train the fresh run to that epoch, live, and stop there (once)."""
    at = state.pop("link_moment", None)
    if at is not None and run.epoch == 0 and run.status != "training":
        run.train_to(at)
        state["snap_follow"] = True


def show_link_warning(state: MutableMapping) -> None:
    text = state.pop("link_warning", "")
    if text:
        st.warning(md(text), icon=":material/link_off:")


def sync_url(state: MutableMapping, config: RunConfig) -> None:
    """Keep the address bar a link that reopens this setup."""
    params = share.to_query(config, locked(state))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def link(config: RunConfig, lock: tuple[str, ...] = (), at: int | None = None) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(share.to_query(config, lock, at))}"


def share_panel(state: MutableMapping, config: RunConfig, run) -> None:
    """Downloads and uploads of the configuration, the script, the model and the history."""
    with st.expander("Share and export", icon=":material/ios_share:"):
        st.caption("The address bar always holds a link to this setup. Copy it, or use the buttons below.")
        st.code(link(config, locked(state)), language=None, wrap_lines=True)
        moment = state.get("snap_choice") if not state.get("snap_follow", True) else run.epoch
        if moment:
            st.caption(f"A link to this moment, epoch {moment}: it trains a new run to that epoch and stops there.")
            st.code(link(config, locked(state), at=moment), language=None, wrap_lines=True)
        # two buttons a row: four in the sidebar's width cut their labels to "C." and "P."
        top, bottom = st.columns(2), st.columns(2)
        top[0].download_button("Configuration (JSON)", share.to_json(config, locked(state)),
                               "scratchnet-config.json", "application/json", width="stretch")
        top[1].download_button("Python script", share.script(config, run.data.target_name), "scratchnet_run.py",
                               "text/x-python", width="stretch",
                               help="Runs the same training from any folder once scratchnet is installed.")
        bottom[0].download_button("Model (.npz)", model_bytes(run), "scratchnet-model.npz",
                                  "application/octet-stream", width="stretch", disabled=not run.net.built)
        history = share.history_csv(run.history, run.config.kind)
        bottom[1].download_button("History (CSV)", history, "scratchnet-history.csv", "text/csv", width="stretch",
                                  disabled=not run.history.epochs)
        if not locked(state):
            st.file_uploader("Load a configuration (JSON)", type=["json"], key="config_file",
                             on_change=_load_config, args=(state,))
            st.file_uploader("Load a model (.npz)", type=["npz"], key="model_file", on_change=_load_model,
                             args=(state,))
        for key in ("config_message", "model_message"):
            kind, text = state.pop(key, (None, ""))
            if text:
                (st.error if kind == "error" else st.warning if kind == "warning" else st.success)(md(text))


def model_bytes(run) -> bytes:
    if not run.net.built:
        return b""
    buf = io.BytesIO()
    save(run.net, buf)
    return buf.getvalue()


def _load_config(state: MutableMapping) -> None:
    upload = state.get("config_file")
    if upload is None:
        return
    config, lock, problems = share.from_json(upload.getvalue())
    # what the file leaves out or gets wrong comes from the defaults, fitted to the data, as for a link
    data = session.data_for(state, config.dataset, dataset)
    config, more = share.settle(config, data.feature_names, data.X.shape[0])
    problems += more
    session.write_config(state, config)
    text = share.warning_text(problems)
    state["config_message"] = ("warning", text) if text else ("success", "Configuration loaded.")


def _load_model(state: MutableMapping) -> None:
    upload = state.get("model_file")
    if upload is None:
        return
    try:
        net = load(io.BytesIO(upload.getvalue()))
    except ModelFileError as exc:
        state["model_message"] = ("error", f"This model file cannot be used: {exc}")
        return
    layers = [layer.get_config() for layer in net.layers]
    if any(c.get("name", "dense") != "dense" for c in layers):
        state["model_message"] = ("error", "This model has layers other than Dense; the playground builds Dense "
                                           "layers only.")
        return
    last = layers[-1]
    if last["neurons"] != 1 or last["activation"]["name"] != "linear":
        state["model_message"] = ("error", "This model's output layer is not one linear neuron, so the playground "
                                           "cannot use it for regression.")
        return
    hidden = tuple((c["neurons"], c["activation"]["name"]) for c in layers[:-1])
    neurons, layers = LIMITS["neurons"], LIMITS["layers"]
    too_wide = [n for n, _ in hidden if neurons.problem(n)]
    if too_wide or len(hidden) > layers.high or any(a not in ACTIVATIONS for _, a in hidden):
        state["model_message"] = (
            "error", f"This model cannot be used here: the playground allows at most {layers.high:g} hidden "
                     f"layers of {neurons.low:g} to {neurons.high:g} neurons with the activations "
                     f"{', '.join(ACTIVATIONS)}; the model has {[n for n, _ in hidden]}.")
        return
    current = session.read_config(state)
    data = session.data_for(state, current.dataset, dataset)
    width = len(current.features) if current.features is not None else len(data.feature_names)
    if net.layers[0].input_width != width:
        state["model_message"] = ("error", f"The loaded model does not fit this data: it expects "
                                           f"{net.layers[0].input_width} inputs and {current.dataset} gives {width} "
                                           "features. Choose the model's dataset and features first.")
        return
    config = replace(current, hidden=hidden, preset="custom", seed=net.seed)
    session.write_config(state, config)
    state["pending_model"] = net
    state["model_message"] = ("success", "Model loaded: its weights are the run's starting point.")


def classroom_panel(state: MutableMapping, config: RunConfig) -> None:
    """For a teacher: choose the controls students may not see or change, and get the link."""
    if locked(state):
        return
    with st.expander("Classroom link", icon=":material/school:"):
        chosen = st.multiselect("Hide and fix these controls for students", list(CONTROL_LABELS),
                                format_func=CONTROL_LABELS.get, key="classroom_lock")
        st.caption("Students who open this link see only the other controls; the hidden ones keep the values "
                   "they have now.")
        st.code(link(config, tuple(chosen)), language=None, wrap_lines=True)
