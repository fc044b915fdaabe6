"""The learning-rate finder panel of the playground page: a button, the range test's plot, "use this rate"."""

from __future__ import annotations

from collections.abc import MutableMapping

import streamlit as st

from playground.core import session
from playground.core.run import LiveRun
from playground.core.slots import SLOT_WAIT
from playground.figures.lr_finder import lr_finder_figure
from playground.logic import lr_finder as logic
from playground.ui.loaders import training_slots

RESULT = "lr_finder"  # st.session_state[RESULT] = (finder key, result or a message)


def lr_finder_panel(state: MutableMapping, run: LiveRun) -> None:
    """An expander with the finder's button, its plot and summary, and a button taking the suggested rate."""
    with st.expander("Learning-rate finder"):
        st.caption("Trains a copy of the network from its starting weights for up to "
                   f"{logic.STEPS} batches while the learning rate rises from {logic.rate_text(logic.LOW)} to "
                   f"{logic.rate_text(logic.HIGH)}, and plots each batch's loss. The run itself is not changed.")
        st.button("Find a learning rate", key="lr_finder_run", on_click=_find, args=(state,),
                  disabled=run.status == "training", help="a short range test with this run's optimizer and batches")
        kept = state.get(RESULT)
        if kept is None or kept[0] != logic.finder_key(run):
            return
        result = kept[1]
        if isinstance(result, str):
            st.warning(result)
            return
        st.plotly_chart(lr_finder_figure(result), key="lr_finder_figure", config={"displaylogo": False})
        st.markdown(logic.summary(result))
        if result.suggestion is None:
            return
        if session.is_locked(state, "lr"):
            st.caption(f"The classroom link fixed the learning rate, so {logic.rate_text(result.suggestion)} "
                       "cannot be taken here.")
        else:
            st.button(logic.use_label(result.suggestion), key="lr_finder_use", on_click=_use,
                      args=(state, result.suggestion), help="set the learning rate and reset the run to epoch 0")


def _find(state: MutableMapping) -> None:
    """The button's callback: the range test on a training slot, kept under the run's finder key."""
    run = state.get("run")
    if run is None:
        return
    with training_slots().slot(timeout=SLOT_WAIT) as got:
        if got:
            state[RESULT] = (logic.finder_key(run), logic.run_finder(run))
        else:
            state[RESULT] = (logic.finder_key(run), "The server is busy training; try the finder again in a moment.")


def _use(state: MutableMapping, rate: float) -> None:
    """"Use this rate": set the learning rate and reset the run to epoch 0 with the same starting weights."""
    if session.is_locked(state, "lr"):
        return
    state["lr"] = rate
    session.reset(state)
