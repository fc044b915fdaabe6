"""The playground's live view: progress, cards and the four charts, trained and redrawn in a loop.

The loop's policy (a turn of training and chart read-outs on a training slot, then one update)
is ``playground.logic.live.live_updates``; this module draws it with Streamlit and the live board.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from playground.core import session
from playground.core.slots import SLOT_WAIT, TRAIN_BUDGET
from playground.core.text import md
from playground.logic import live, pictures, slope
from playground.logic.live import PANEL_CSS, board_columns, chart_figures, panel_html
from playground.ui import board
from playground.ui.loaders import training_slots

state = st.session_state


def status_line(run) -> None:
    if run.status == "diverged":
        st.error(md(run.message), icon=":material/warning:")
    elif run.message and not run.restored:  # an early stop is said next to the buttons
        st.info(md(run.message))


def snapshot_picker(run, where) -> int:
    """The epoch every chart shows: the current one while training, or the snapshot replayed once stopped."""
    epochs = live.snapshot_epochs(run)
    chosen = live.snapshot_choice(run, state.get("snap_choice"), state.get("snap_follow", True))
    if run.status != "training" and len(epochs) > 1:
        key = live.snapshot_slider_key(epochs)
        chosen = where.select_slider("Replay: epoch", epochs, value=chosen, key=key, on_change=_scrubbed,
                                     args=(key, epochs[-1]))
        where.button("Play the run", icon=":material/play_arrow:", key="replay_play", on_click=_play,
                     help="Every chart goes through the run's snapshots, from epoch 0 to the last.")
    state["snap_choice"] = chosen
    return chosen


def _play() -> None:
    state["replay_playing"] = True


REPLAY_FRAME = 0.35  # seconds each snapshot of a played replay stays on screen


def play_replay(run, carrier, draw) -> None:
    """Send every snapshot's charts to the board in turn (``draw(epoch)`` builds them), then stay at the last."""
    for epoch in live.snapshot_epochs(run):
        carrier.html(board.carrier_html(panel_html(run), board.payload(draw(epoch), board_columns(run.config), True)))
        time.sleep(REPLAY_FRAME)
    state["snap_choice"], state["snap_follow"] = live.snapshot_epochs(run)[-1], True


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
    c = st.columns(4, vertical_alignment="bottom")
    log_y = c[0].toggle("Log scale", key="log_y", persist_state="session")
    rows = (
        c[1].segmented_control("Rows", ["test", "train"], default="test", key="pva_rows", persist_state="session")
        or "test"
    )
    discretize = run.config.kind == "classification" and c[3].toggle(
        "Discretize", key="discretize", persist_state="session",
        help="Colour the output map by the predicted class instead of by the probability.")
    snap_epoch = snapshot_picker(run, c[2])
    with board_place:
        clicked = board.mount(on_header_stop=_header_stop, on_neuron=_neuron_clicked)
    if clicked and clicked.startswith(f"{slope.WEIGHT_ID}:"):
        state["weight"] = clicked
    elif clicked:
        state["neuron"] = clicked
    neuron_card(run)
    slope_card(run)
    if state.pop("header_stopped", False):
        st.rerun(scope="app")  # redraw the buttons: the run is stopped
    if state.pop("replay_playing", False) and run.status != "training":
        play_replay(run, carrier, lambda e: chart_figures(run, log_y, rows, e, discretize))
        snap_epoch = state["snap_choice"]
    memory = state.setdefault("chart_memory", {})  # what the charts drew so far while training
    try:
        for charts, waiting, training_now in live.live_updates(
            run, training_slots(), lambda: chart_figures(run, log_y, rows, snap_epoch, discretize, memory),
            TRAIN_BUDGET, SLOT_WAIT,
        ):
            data = None if charts is None else board.payload(charts, board_columns(run.config), training_now)
            panel = panel_html(run, training_slots() if waiting else None)
            carrier.html(board.carrier_html(panel, data, training=training_now))
    except StopException:
        # Streamlit's header Stop (or the tab closing) stops this script run: stop the training with it, so
        # that no later click resumes it; the board asks for the rerun that redraws the page
        run.stop()
        raise
    if training:
        st.rerun(scope="app")  # refresh the buttons and the run's message, or start the next loop


def _neuron_clicked() -> None:
    """A click on a neuron of the diagram: the rerun it starts shows that neuron's card."""


def card_columns(figure: dict, name: str):
    """A card's ``figure``, large, in a left column (drawn by the board under the key ``f"{name}_figure"``).

    Returns the right-hand column, for the card's words.
    """
    left, right = st.columns([3, 2])
    with left:
        board.figure(figure, key=f"{name}_figure", name=name)
    return right


def neuron_card(run) -> None:
    """A synthetic problem's chosen hidden neuron, large, with the formula it computes."""
    if pictures.problem_of(run.config) is None or not run.config.hidden:
        return
    choices = live.neuron_choices(run.config)
    if state.get("neuron") not in choices:
        state["neuron"] = None
    with st.expander("One neuron, large (or click a neuron in the diagram once training has stopped)",
                     expanded=state["neuron"] is not None):
        chosen = st.selectbox("Neuron", [None, *choices], key="neuron", format_func=lambda c: live.neuron_label(c))
        if chosen is None:
            return
        card = live.neuron_card(run, chosen)
        right = card_columns(card["figure"], "neuron")
        right.markdown(f"**{md(card['title'])}** computes, on the standardised inputs:")
        right.code(card["formula"], language=None, wrap_lines=True)
        right.caption(md(card["about"]))


MAX_WEIGHT_MENU = 2000  # a larger network's weights are picked by a click only


def slope_card(run) -> None:
    """The slope of one weight: the batch loss along it, the backprop tangent and the next SGD step."""
    if not run.network.built and run.status == "training":
        return
    choices = slope.weight_choices(run)
    if state.get("weight") not in choices:
        state["weight"] = None
    menu = [None, *choices] if len(choices) <= MAX_WEIGHT_MENU else [None, state["weight"]]
    with st.expander("The slope of one weight (or click a connection in the diagram once training has stopped)",
                     expanded=state["weight"] is not None):
        names = run.data.feature_names
        chosen = st.selectbox("Weight", list(dict.fromkeys(menu)), key="weight",
                              format_func=lambda c: "none" if c is None else slope.weight_name(c, names))
        if chosen is None:
            return
        card = slope.slope_card(run, chosen)
        right = card_columns(card["figure"], "slope")
        right.markdown(md(card["text"]))


def _header_stop() -> None:
    """The board saw a click on Streamlit's header Stop while training: stop the run, then redraw."""
    session.stop(state)
    state["header_stopped"] = True
