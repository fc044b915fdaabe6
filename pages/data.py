"""The Data page: where the current dataset comes from, its columns, numbers and charts; your own CSV."""

import streamlit as st

from playground.core import session
from playground.core.config import dataset_label
from playground.figures import data as data_figures
from playground.logic import data as datainfo
from playground.ui import upload
from playground.ui.loaders import dataset
from scratchnet.data import Dataset

state = st.session_state
session.init_state(state)  # app.py does this too; a first visit straight to /data may skip it


def current_data() -> tuple[str, Dataset]:
    """The session's current dataset (the playground's choice) and its name."""
    name = state["dataset"]
    return name, session.data_for(state, name, dataset)


def chooser() -> None:
    """The dataset selectbox, bound to the playground's choice ``state["dataset"]``, and the CSV loader."""
    left, right = st.columns([2, 3], gap="large")
    options = datainfo.dataset_options(state)
    state["data_dataset"] = state["dataset"]
    left.selectbox(
        "Dataset (the same choice as in the playground)",
        options,
        key="data_dataset",
        on_change=lambda: upload.choose_dataset(state, state["data_dataset"]),
        format_func=dataset_label,
        disabled=session.is_locked(state, "dataset"),
    )
    with right.expander("Load your own CSV (this session only)", icon=":material/upload_file:"):
        st.caption(
            "A header row, then numbers only: no empty cells, at least 10 rows, at most 500 columns and "
            f"{upload.max_upload_bytes() // 2**20} MB. The file stays in memory for this session and "
            "can then be used on every page."
        )
        upload.csv_loader(state)


def about(name: str, data: Dataset) -> None:
    st.markdown(datainfo.about(name, data))
    if name == "boston":
        st.warning(datainfo.B_NOTE, icon=":material/report:")
    used = datainfo.chosen_features(state["features"], data.feature_names)
    c = st.columns(4)
    c[0].metric("Rows", f"{data.X.shape[0]:,}")
    c[1].metric("Features", len(data.feature_names))
    c[2].metric("Features the network uses", len(used))
    c[3].metric("Target", data.target_name)


def feature_picker(data: Dataset) -> None:
    """The features the playground's network uses; the page writes them into ``state["features"]``."""
    names = data.feature_names
    state["data_features"] = datainfo.chosen_features(state["features"], names)
    st.multiselect(
        "Features the network uses (the playground uses the same selection)",
        names,
        key="data_features",
        on_change=lambda: datainfo.set_features(state, state["data_features"], names),
        help="Remove a feature to train without it; the playground then leaves the book's preset.",
        disabled=session.is_locked(state, "features"),
    )
    if not state["data_features"]:
        st.warning("Choose at least one feature: the network needs an input.")


def tables(name: str, data: Dataset) -> None:
    height = min(35 * (data.X.shape[1] + 2) + 3, 560)  # every row visible for the built-in sets
    st.markdown("**Columns**")
    st.dataframe(
        datainfo.column_table(name, data, state["features"]),
        hide_index=True,
        height=height,
        column_config={"used": st.column_config.CheckboxColumn("used by the network", width="small")},
    )
    st.markdown("**Summary statistics** (standard deviation with n − 1)")
    st.dataframe(datainfo.summary(data).style.format("{:.4g}"), height=height)


def charts(data: Dataset) -> None:
    left, right = st.columns(2, gap="large")
    left.plotly_chart(data_figures.target_histogram(data.y, data.target_name), config={"displaylogo": False})
    right.plotly_chart(data_figures.correlation_heatmap(*datainfo.correlation(data)), config={"displaylogo": False})
    names = data.feature_names
    if state.get("data_scatter") not in names:
        state["data_scatter"] = datainfo.best_feature(data)
    left.selectbox("Feature to plot against the target", names, key="data_scatter")
    column = data.X[:, names.index(state["data_scatter"])]
    left.plotly_chart(
        data_figures.feature_scatter(column, data.y, state["data_scatter"], data.target_name),
        config={"displaylogo": False},
    )


st.title("Data")
st.caption("What the network learns from: where each dataset comes from, what its columns mean, and how they look.")
chooser()
name, data = current_data()
about(name, data)
feature_picker(data)
tables(name, data)
charts(data)
