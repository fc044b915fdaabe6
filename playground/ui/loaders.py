"""Cached data loaders shared by the pages (the only Streamlit-aware module in playground/)."""

from __future__ import annotations

import streamlit as st

from scratchnet.data import Dataset, load_dataset


@st.cache_data(show_spinner=False, max_entries=8)
def dataset(name: str) -> Dataset:
    """A built-in dataset by name; each caller gets its own copy."""
    return load_dataset(name)



@st.cache_resource
def training_slots():
    """The server-wide training slots (one per core), shared by every session; BLAS set to one thread.

    Made once per server process, which is also when the memory trimming starts (``playground.core.memory``).
    """
    from playground.core.memory import keep_memory_tidy
    from playground.core.slots import TrainingSlots, one_blas_thread

    one_blas_thread()
    keep_memory_tidy()
    return TrainingSlots()
