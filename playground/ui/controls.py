"""The playground's sidebar: data, network and training controls, each bounded by the limits table.

Every widget keeps its value in ``st.session_state`` under the key of the setting it sets
(``playground.core.session`` reads them back into a ``RunConfig``); in classroom mode the
controls the teacher fixed are not drawn.
"""

from __future__ import annotations

import streamlit as st

from playground.core import session
from playground.core.config import DATASETS, HELP, OPTIMIZER_LABELS, PRESET_NAMES, dataset_label
from playground.core.run import STEP_BUDGET
from playground.core.slots import SLOT_WAIT
from playground.ui import sharing, upload
from playground.ui.loaders import dataset, training_slots
from playground.ui.widgets import limited_number, limited_slider
from scratchnet import ACTIVATIONS
from scratchnet.config import LEARNING_RATES, LIMITS, SEQUENCES
from scratchnet.init import INITS
from scratchnet.problems import PROBLEMS

state = st.session_state


def layer_editor() -> None:
    st.markdown("**Hidden layers**")
    for pos, lid in enumerate(state["layers"]):
        with st.container(border=True):
            c = st.columns([2, 3], gap="small")
            limited_number(
                c[0],
                "neurons",
                f"Layer {pos + 1} neurons",
                key=f"neurons_{lid}",
                persist_state="session",
                on_change=session.mark_custom,
                args=(state,),
            )
            c[1].selectbox(
                "Activation",
                list(ACTIVATIONS),
                key=f"activation_{lid}",
                persist_state="session",
                on_change=session.mark_custom,
                args=(state,),
            )
            last = len(state["layers"]) - 1
            # short words, not icons: a button needs a name a screen reader can say (an icon alone had none),
            # and these fit the sidebar's width
            moves = (
                ("up", "Up", f"Move layer {pos + 1} up", -1, pos == 0),
                ("down", "Down", f"Move layer {pos + 1} down", 1, pos == last),
            )
            b = st.columns(3, gap="small")
            for col, (name, label, tip, delta, disabled) in zip(b, moves, strict=False):
                col.button(
                    label,
                    key=f"{name}_{lid}",
                    help=tip,
                    on_click=session.move_layer,
                    args=(state, lid, delta),
                    disabled=disabled,
                    width="stretch",
                )
            b[2].button(
                "Drop",
                key=f"del_{lid}",
                help=f"Remove layer {pos + 1}",
                on_click=session.remove_layer,
                args=(state, lid),
                width="stretch",
            )
    most = LIMITS["layers"].high
    full = len(state["layers"]) >= most
    st.button("Add layer", icon=":material/add:", on_click=session.add_layer, args=(state,), width="stretch",
              disabled=full, help=f"At most {most:g} hidden layers." if full else "Add a hidden layer.")
    st.caption("Output layer: 1 neuron, linear (fixed for regression).")


def sidebar() -> None:
    """The sidebar; in classroom mode the controls the teacher fixed are not drawn."""
    lock = {name for name in sharing.CONTROL_LABELS if session.is_locked(state, name)}
    sb = st.sidebar
    sb.header("Data")
    data_controls(sb, lock)
    sb.header("Network")
    if "preset" not in lock:
        sb.selectbox("Preset", list(PRESET_NAMES), format_func=PRESET_NAMES.get, key="preset",
                     persist_state="session", on_change=session.apply_preset, args=(state,), help=HELP["preset"])
    if "hidden" not in lock:
        with sb:
            layer_editor()
    if "init" not in lock:
        sb.selectbox("Weight init", list(INITS), key="init", persist_state="session", on_change=session.mark_custom,
                     args=(state,), help=HELP["init"])
    if "sequence" not in lock:
        sb.selectbox("Random numbers", list(SEQUENCES), format_func=SEQUENCES.get, key="sequence",
                     persist_state="session", on_change=session.mark_custom, args=(state,), help=HELP["sequence"])
    sb.header("Training")
    training_controls(sb, lock)
    if lock:
        fixed = ", ".join(sharing.CONTROL_LABELS[name] for name in sharing.CONTROL_LABELS if name in lock)
        sb.caption(f"Set by your teacher for this class: {fixed}.")


def data_controls(sb, lock: set) -> None:
    if "dataset" not in lock:
        uploads = state.setdefault("uploads", {})
        options = list(DATASETS) + [f"csv:{name}" for name in uploads]
        if state["dataset"] not in options:
            state["dataset"] = DATASETS[0]
        sb.selectbox("Dataset", options, key="dataset", persist_state="session", on_change=_data_changed,
                     format_func=dataset_label, help=HELP["dataset"])
        with sb.expander("Load a CSV (this session only)"):
            upload.csv_loader(state)
    problem = PROBLEMS.get(state["dataset"])
    if problem is not None:
        problem_controls(sb, lock, problem)
    if "features" not in lock:
        names = data_for(state["dataset"]).feature_names
        chosen = state["features"] if state["features"] is not None else names
        if problem is not None and problem.dims == 2:
            picked = sb.pills("Inputs", names, selection_mode="multi", default=[f for f in chosen if f in names],
                              key=session.features_key(state), on_change=session.mark_custom, args=(state,),
                              help=HELP["inputs"])
            picked = [f for f in names if f in picked]  # in the problem's order, whatever the clicks' order
        elif problem is None:
            with sb.expander(f"Features ({len(chosen)} of {len(names)})"):
                picked = st.multiselect("Features", names, default=[f for f in chosen if f in names],
                                        key=session.features_key(state),
                                        persist_state="session", on_change=session.mark_custom, args=(state,),
                                        label_visibility="collapsed")
        else:
            picked = names
        state["features"] = None if picked == names else picked
    if "test_size" not in lock:
        limited_slider(sb, "test_size", 0.05, key="test_size", persist_state="session",
                       on_change=session.mark_custom, args=(state,), help=HELP["test_size"])


def problem_controls(sb, lock: set, problem) -> None:
    """A synthetic problem's data: how many points, how noisy, and a button that draws new ones."""
    if "samples" not in lock:
        limited_number(sb, "samples", key="samples", persist_state="session", step=50, on_change=session.mark_custom,
                       args=(state,),
                       help=HELP["samples"])
    if "noise" not in lock:
        limited_slider(sb, "noise", 0.05, key="noise", persist_state="session", on_change=session.mark_custom,
                       args=(state,), help=HELP["noise"])
    if "data_seed" not in lock:
        sb.button("Regenerate data", icon=":material/refresh:", on_click=session.new_data_seed, args=(state,),
                  help=HELP["regenerate"])


def training_controls(sb, lock: set) -> None:
    if "optimizer" not in lock:
        sb.selectbox("Optimizer", list(OPTIMIZER_LABELS), format_func=OPTIMIZER_LABELS.get, key="optimizer",
                     persist_state="session", help=HELP["optimizer"])
    if state["optimizer"] == "momentum" and "momentum" not in lock:
        limited_slider(sb, "momentum", 0.01, key="momentum", persist_state="session", help=HELP["momentum"])
    if "lr" not in lock:
        sb.select_slider("Learning rate", LEARNING_RATES, key="lr", persist_state="session",
                         format_func=lambda v: f"{v:g}", help=HELP["lr"])
    for key, label in (("batch_size", None), ("epochs", None), ("eval_every", "Evaluate every (epochs)")):
        if key not in lock:
            limited_number(sb, key, label, key=key, persist_state="session", help=HELP[key])
    if "weight_decay" not in lock:
        limited_number(sb, "weight_decay", key="weight_decay", persist_state="session", step=1e-4, format="%.4f",
                       help=HELP["weight_decay"])
    if "early_stopping" not in lock:
        sb.checkbox("Early stopping (restore the best model)", key="early_stopping", persist_state="session",
                    help=HELP["early_stopping"])
    if "seed" not in lock:
        # the box takes the sidebar's width, so a ten-digit seed shows in full
        limited_number(sb, "seed", key="seed", persist_state="session", on_change=session.mark_custom,
                       args=(state,), help=HELP["seed"])
        sb.button("New seed", on_click=_new_seed, help="Draw a new random seed: new starting weights and shuffles.")


def data_for(name: str):
    """A built-in dataset (cached for everyone) or a CSV this session loaded."""
    return session.data_for(state, name, dataset)


def _data_changed():
    upload.data_changed(state)


def step() -> None:
    """Step's callback: one epoch, on a training slot like every other training (at least one batch without)."""
    with training_slots().slot(timeout=SLOT_WAIT) as got:
        session.step(state, STEP_BUDGET if got else 0.0)


def _new_seed() -> None:
    session.new_seed(state)
    session.mark_custom(state)


def rows_of(name: str) -> tuple[list[str], int]:
    """The feature names and the number of rows of dataset ``name`` (for reading a link)."""
    data = data_for(name)
    return data.feature_names, data.X.shape[0]
