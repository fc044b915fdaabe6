"""scratchnet: entry page. `streamlit run app.py` opens the playground."""

import streamlit as st

st.set_page_config(page_title="scratchnet", page_icon=":material/neurology:", layout="wide")
pages = [
    st.Page("pages/playground.py", title="Playground", icon=":material/model_training:", default=True),
]
st.navigation(pages).run()
