"""The playground: build a network, train it live, watch it learn."""

import time

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from playground.core import session
from playground.core.config import DATASETS, HELP, OPTIMIZER_LABELS, PRESET_NAMES, validate
from playground.core.run import STEP_BUDGET
from playground.core.slots import SLOT_WAIT, TRAIN_BUDGET
from playground.core.text import md
from playground.logic.live import BOARD_COLUMNS, PANEL_CSS, chart_figures, panel_html
from playground.ui import board, sharing, upload
from playground.ui.loaders import dataset, training_slots
from playground.ui.widgets import limited_number, limited_slider
from scratchnet import ACTIVATIONS
from scratchnet.config import LEARNING_RATES, LIMITS, SEQUENCES
from scratchnet.init import INITS

LIVE_SECONDS = 30.0  # longest one live loop runs before the page reruns itself
state = st.session_state
session.init_state(state)


# ----- sidebar: controls ---------------------------------------------------------
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


def controls():
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
                     format_func=_dataset_label, help=HELP["dataset"])
        with sb.expander("Load a CSV (this session only)"):
            upload.csv_loader(state)
    if "features" not in lock:
        names = data_for(state["dataset"]).feature_names
        chosen = state["features"] if state["features"] is not None else names
        with sb.expander(f"Features ({len(chosen)} of {len(names)})"):
            picked = st.multiselect("Features", names, default=[f for f in chosen if f in names],
                                    key=session.features_key(state),
                                    persist_state="session", on_change=session.mark_custom, args=(state,),
                                    label_visibility="collapsed")
        state["features"] = None if picked == names else picked
    if "test_size" not in lock:
        limited_slider(sb, "test_size", 0.05, key="test_size", persist_state="session",
                       on_change=session.mark_custom, args=(state,), help=HELP["test_size"])


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


def _dataset_label(name: str) -> str:
    return f"{name[4:]} (your CSV)" if name.startswith("csv:") else name


def data_for(name: str):
    """A built-in dataset (cached for everyone) or a CSV this session loaded."""
    return session.data_for(state, name, dataset)


def _data_changed():
    upload.data_changed(state)


def _step():
    """Step's callback: one epoch, on a training slot like every other training (at least one batch without)."""
    with training_slots().slot(timeout=SLOT_WAIT) as got:
        session.step(state, STEP_BUDGET if got else 0.0)


def _new_seed():
    session.new_seed(state)
    session.mark_custom(state)


# ----- main area: live view --------------------------------------------------------
def status_line(run) -> None:
    if run.status == "diverged":
        st.error(md(run.message), icon=":material/warning:")
    elif run.message and not run.restored:  # an early stop is said next to the buttons
        st.info(md(run.message))


def snapshot_picker(run, where):
    """The epoch whose weights the histograms show: the current one while training, or the one scrubbed to.

    The choices are the run's snapshots and the current epoch. The slider gets a new key whenever its
    choices change: a click that lands while the browser still shows the previous slider sends that
    slider's value, which then names a widget that no longer exists and is ignored, instead of being
    taken for a scrub (that had the histograms stuck at an old epoch after quick Steps).
    """
    epochs = sorted({s.epoch for s in run.snapshots} | {run.epoch})
    chosen = state.get("snap_choice")
    if run.status == "training" or state.get("snap_follow", True) or chosen not in epochs:
        chosen = epochs[-1]
    if run.status != "training" and len(epochs) > 1:
        key = f"snap_epoch_{len(epochs)}_{epochs[-1]}"
        chosen = where.select_slider("Weights at epoch", epochs, value=chosen, key=key, on_change=_scrubbed,
                                     args=(key, epochs[-1]))
    state["snap_choice"] = chosen
    return chosen


def _scrubbed(key: str, latest: int) -> None:
    state["snap_choice"] = state[key]
    state["snap_follow"] = state[key] == latest


@st.fragment
def live_view() -> None:
    """Progress, cards and the four charts; while training, a loop of train a little, redraw.

    Each pass trains for TRAIN_BUDGET seconds (when it gets one of the
    server's training slots) and sends one update: the progress panel, with
    the four charts inside it for the live board (``playground.ui.board``),
    which redraws each Plotly chart in place. While training the charts are
    static (no hover), which draws fastest; once stopped they are interactive
    again. Pressing Stop (or any control) interrupts the loop at its next
    update; the callback then stops the run, keeping history and weights.
    """
    run = state["run"]
    training = run.status == "training"
    st.markdown(PANEL_CSS, unsafe_allow_html=True)
    carrier = st.empty()
    carrier.html(panel_html(run))  # at once: a rerun shows the current epoch before it trains
    status_line(run)
    board_place = st.container()  # the charts first, their options under them: all fits on a projector
    c = st.columns(3, vertical_alignment="bottom")
    log_y = c[0].toggle("Log scale", key="log_y", persist_state="session")
    rows = (
        c[1].segmented_control("Rows", ["test", "train"], default="test", key="pva_rows", persist_state="session")
        or "test"
    )
    snap_epoch = snapshot_picker(run, c[2])
    with board_place:
        board.mount(on_header_stop=_header_stop)
    if state.pop("header_stopped", False):
        st.rerun(scope="app")  # redraw the buttons: the run is stopped
    slots = training_slots()
    deadline = time.perf_counter() + LIVE_SECONDS
    try:
        while True:
            charts, waiting = None, False
            if run.status == "training":
                # a turn is the training and the charts' read-outs: all of a session's work takes turns
                with slots.slot(timeout=SLOT_WAIT) as got:
                    if got:
                        run.advance(TRAIN_BUDGET)
                        charts = chart_figures(run, log_y, rows, snap_epoch)
                waiting = not got
            else:
                charts = chart_figures(run, log_y, rows, snap_epoch)
            live = run.status == "training"
            data = None if charts is None else board.payload(charts, BOARD_COLUMNS, live)
            carrier.html(board.carrier_html(panel_html(run, slots if waiting else None), data, training=live))
            if not live or time.perf_counter() > deadline:
                break
    except StopException:
        # Streamlit's header Stop (or the tab closing) stops this script run: stop the training with it, so
        # that no later click resumes it; the board asks for the rerun that redraws the page
        run.stop()
        raise
    if training:
        st.rerun(scope="app")  # refresh the buttons and the run's message, or start the next loop


def _header_stop() -> None:
    """The board saw a click on Streamlit's header Stop while training: stop the run, then redraw."""
    session.stop(state)
    state["header_stopped"] = True


# ----- page ------------------------------------------------------------------------
def rows_of(name: str) -> tuple[list[str], int]:
    data = data_for(name)
    return data.feature_names, data.X.shape[0]


sharing.apply_link_once(state, rows_of)
st.title("scratchnet playground")
st.caption("Stack Dense layers, press Train, and watch the network learn. The book's chapter 3, live.")
sharing.show_link_warning(state)
controls()
config = session.read_config(state)
full = data_for(config.dataset)
errors = validate(config, full.X.shape[0], full.feature_names)
for message in errors:
    st.error(md(message))
if not errors:
    data = full if config.features is None else full.select(list(config.features))
    notice = session.sync_run(state, config, data)
    if notice:
        state["notice"] = notice
    run = state["run"]
    if "pending_model" in state:
        try:
            run.adopt(state.pop("pending_model"))
        except ValueError as exc:
            st.error(md(f"The loaded model does not fit this data: {exc}."))
    sharing.sync_url(state, config)
    with st.sidebar:
        sharing.share_panel(state, config, run)
        sharing.classroom_panel(state, config)
    n_params = config.n_params(data.X.shape[1])
    st.sidebar.caption(f"{n_params:,} parameters · {data.X.shape[0]} rows, {data.X.shape[1]} features · "
                       f"random numbers: {SEQUENCES[config.sequence]}")
    b = st.columns([1, 1, 1, 1, 4])
    b[0].button("Train", type="primary", on_click=session.train, args=(state,), disabled=run.status == "training")
    b[1].button("Stop", on_click=session.stop, args=(state,), disabled=run.status != "training")
    b[2].button("Step", on_click=_step, disabled=run.status == "training", help="train exactly one epoch")
    b[3].button("Reset", on_click=session.reset, args=(state,), help="back to epoch 0, same starting weights")
    if state["notice"]:
        b[4].info(md(state.pop("notice")))
    elif run.restored and run.status != "training":
        b[4].warning(md(run.message), icon=":material/front_hand:")
    live_view()
