"""The playground: build a network, train it live, watch it learn."""

import streamlit as st

from playground.core import session
from playground.core.config import validate
from playground.core.text import md
from playground.ui import controls, sharing
from playground.ui.live import live_view
from playground.ui.lr_finder import lr_finder_panel
from scratchnet.config import SEQUENCES

state = st.session_state
session.init_state(state)


sharing.apply_link_once(state, controls.rows_of)
st.title("scratchnet playground")
st.caption("Stack Dense layers, press Train, and watch the network learn. The book's chapter 3, live.")
sharing.show_link_warning(state)
controls.sidebar()
config = session.read_config(state)
full = controls.data_for(config.dataset)
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
    sharing.go_to_moment(state, run)
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
    b[2].button("Step", on_click=controls.step, disabled=run.status == "training", help="train exactly one epoch")
    b[3].button("Reset", on_click=session.reset, args=(state,), help="back to epoch 0, same starting weights")
    if state["notice"]:
        b[4].info(md(state.pop("notice")))
    elif run.restored and run.status != "training":
        b[4].warning(md(run.message), icon=":material/front_hand:")
    live_view()
    lr_finder_panel(state, run)
