"""The CSV upload widget shared by the Data page and the playground (Streamlit-aware, like ``loaders``).

The checks themselves are plain functions in ``playground.logic.data``; this
module draws the widgets, shows one ``st.error`` per bad file and, when the
person accepts a good file, makes it this session's current dataset. Uploads
stay in memory (``state["uploads"]``); nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping

import streamlit as st

from playground.core import session
from playground.core.text import md
from playground.logic import data as datainfo
from playground.ui.loaders import dataset
from scratchnet.data import DataError, Dataset
from scratchnet.problems import PROBLEMS

MEMO_SIZE = 4  # checked uploads remembered per session, so reruns do not parse the file again


def max_upload_bytes() -> int:
    """The upload limit of ``server.maxUploadSize`` (megabytes in .streamlit/config.toml), in bytes."""
    return int(st.get_option("server.maxUploadSize")) * 2**20


def csv_loader(state: MutableMapping) -> None:
    """Upload a CSV, choose its target column, see it checked, and offer to use it in this session."""
    upload = st.file_uploader("CSV file", type=["csv"], key=uploader_key(state))
    if upload is None:
        return
    content, name = upload.getvalue(), upload.name
    try:
        columns = _memo(state, ("columns", upload.file_id), lambda: datainfo.read_upload(content, max_upload_bytes()))
    except DataError as exc:
        st.error(md(f"Cannot use {name}: {exc}."), icon=":material/error:")
        return
    if state.get("csv_target") not in columns:
        state["csv_target"] = columns[-1]
    st.selectbox("Target column", columns, key="csv_target")
    target = state["csv_target"]
    try:
        data = _memo(state, ("data", upload.file_id, target), lambda: datainfo.load_upload(content, target, name))
    except DataError as exc:
        st.error(md(f"Cannot use {name}: {exc}."), icon=":material/error:")
        return
    st.success(md(f"{name} looks good: {len(data.y)} rows, {len(data.feature_names)} feature(s), target {target}."))
    st.button("Use this CSV", on_click=use_csv, args=(state, data), type="primary",
              help="Add it to this session's datasets and make it the current dataset of every page")


def uploader_key(state: MutableMapping) -> str:
    """The CSV uploader's key: a new one once a file is used, so Streamlit drops that file's bytes.

    The accepted data lives on in ``state["uploads"]``; keeping the file in the widget as well held a
    second copy for the rest of the session.
    """
    return f"csv_file_{state.get('csv_uploads_used', 0)}"


def _memo(state: MutableMapping, key: tuple, compute: Callable):
    """``compute()`` once per ``key`` (a DataError too); only the latest ``MEMO_SIZE`` results are kept."""
    memo = state.setdefault("_csv_memo", {})
    if key not in memo:
        try:
            memo[key] = compute()
        except DataError as exc:
            memo[key] = DataError(str(exc))
        while len(memo) > MEMO_SIZE:
            memo.pop(next(iter(memo)))
    result = memo[key]
    if isinstance(result, DataError):
        raise DataError(str(result))
    return result


def use_csv(state: MutableMapping, data: Dataset) -> None:
    """Button callback: store ``data`` in ``state["uploads"]`` and make it the current dataset."""
    name = datainfo.add_upload(state.setdefault("uploads", {}), data)
    if session.is_locked(state, "dataset"):
        return  # kept for this session's own use; the teacher's dataset stays
    state["csv_uploads_used"] = state.get("csv_uploads_used", 0) + 1  # a fresh, empty uploader
    state.pop("_csv_memo", None)
    state["dataset"] = f"csv:{name}"
    data_changed(state)


def choose_dataset(state: MutableMapping, name: str) -> None:
    """Make ``name`` the session's current dataset (a callback of the Data page's selectbox)."""
    if name != state.get("dataset") and not session.is_locked(state, "dataset"):
        state["dataset"] = name
        data_changed(state)


def data_changed(state: MutableMapping) -> None:
    """After the current dataset changed: use all its features, leave the book preset, fit the batch size.

    The playground's feature multiselect (``session.features_key``) is dropped so it
    is rebuilt for the new dataset.
    """
    state["features"] = None
    if state["dataset"] in PROBLEMS:
        session.use_problem_defaults(state, state["dataset"])
    session.drop_feature_widget(state)
    session.mark_custom(state)
    session.fit_batch_size(state, session.data_for(state, state["dataset"], dataset).X.shape[0])
