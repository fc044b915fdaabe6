"""scratchnet playground (entry page)."""

import streamlit as st

from scratchnet.experiment import PRESETS, preset, run

st.set_page_config(page_title="scratchnet", layout="wide")
st.title("scratchnet")
name = st.selectbox("Book model", sorted(PRESETS), index=0)
if st.button("Train"):
    result = run(preset(name))
    st.line_chart({"validation loss": [loss for _, loss in result["val_losses"]]})
    st.write({k: result[k] for k in ("mae", "rmse", "r2", "epochs_run")})
