"""scratchnet: entry page. `streamlit run app.py` opens the playground; the sidebar lists the other pages."""

from pathlib import Path

import streamlit as st

from playground.core import session

# the icon is a file of the app's own: a ":material/...:" icon makes the browser fetch it from a public font server
ICON = Path(__file__).parent / "playground" / "ui" / "icon.png"
st.set_page_config(page_title="scratchnet", page_icon=str(ICON), layout="wide")
session.init_state(st.session_state)
pages = [
    st.Page("pages/playground.py", title="Playground", icon=":material/model_training:", default=True),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/inside.py", title="Inside the network", icon=":material/account_tree:"),
    st.Page("pages/neurons.py", title="Neuron by neuron", icon=":material/stacked_bar_chart:"),
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:"),
]
st.navigation(pages).run()
