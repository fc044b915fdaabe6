"""Compare: configurations over several seeds, on the server or a dask cluster, and a verdict paired by seed."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from playground.core import session
from playground.core.slots import TRAIN_BUDGET
from playground.core.text import md
from playground.figures import compare as compare_figures
from playground.logic import compare
from playground.ui.loaders import dataset, training_slots
from playground.ui.widgets import limited_number
from scratchnet.config import LEARNING_RATES

state = st.session_state
session.init_state(state)
DEFAULT_LABELS = list(compare.BOOK_MODELS.values())


# ----- configurations --------------------------------------------------------------
def available() -> dict:
    """The book's three models (for the current dataset) plus the networks this session added from the playground."""
    return {**{e.label: e for e in compare.default_entries(state["dataset"])}, **state.setdefault("compare_custom", {})}


def add_playground_network() -> None:
    config = session.read_config(state)
    label = compare.playground_label(config.hidden)
    state["compare_custom"][label] = compare.Entry(label, replace(config, preset="custom"))
    if label not in state["cmp_chosen"] and len(state["cmp_chosen"]) < compare.MAX_CONFIGS:
        state["cmp_chosen"] = [*state["cmp_chosen"], label]


def overrides(label: str) -> dict:
    """This configuration's own settings; empty boxes mean the shared value."""
    with st.expander(f"{label}: own settings"):
        c = st.columns(3)
        lr = limited_number(c[0], "lr", "learning rate", value=None, format="%g", key=f"cmp_lr_{label}",
                            placeholder="shared")
        batch = limited_number(c[1], "batch_size", "batch size", value=None, key=f"cmp_batch_{label}",
                               placeholder="shared")
        epochs = limited_number(c[2], "epochs", "epochs", value=None, key=f"cmp_epochs_{label}", placeholder="shared")
    changes = {"lr": lr, "batch_size": batch, "epochs": epochs}
    return {k: v for k, v in changes.items() if v is not None}


def controls() -> tuple[list, int]:
    """The chosen entries with their settings, on the session's current data, and the number of seeds."""
    state.setdefault("cmp_chosen", list(DEFAULT_LABELS))
    entries = available()
    st.multiselect("Configurations (2 to 6)", list(entries), key="cmp_chosen", max_selections=compare.MAX_CONFIGS)
    st.caption(compare.settings_caption(state["dataset"]))
    st.button("Add the playground's network", icon=":material/add:", on_click=add_playground_network,
              help="Build a stack in the playground's layer editor, then add it here.")
    c = st.columns(5)
    seeds = c[0].number_input("Seeds per configuration", 1, compare.MAX_SEEDS, 5, key="cmp_seeds")
    book = entries["deep"].config  # the book's deep net's settings (a problem's, on a synthetic problem)
    epochs = limited_number(c[1], "epochs", value=book.epochs, key="cmp_epochs")
    lr = c[2].select_slider("Learning rate", LEARNING_RATES, book.lr, key="cmp_lr", format_func=lambda v: f"{v:g}")
    batch = limited_number(c[3], "batch_size", value=book.batch_size, key="cmp_batch")
    every = limited_number(c[4], "eval_every", value=book.eval_every, key="cmp_every")
    shared = {"epochs": int(epochs), "lr": float(lr), "batch_size": int(batch), "eval_every": int(every)}
    chosen = [compare.Entry(k, replace(entries[k].config, **{**shared, **overrides(k)})) for k in state["cmp_chosen"]]
    return compare.on_data(chosen, session.read_config(state)), int(seeds)


# ----- running ---------------------------------------------------------------------
def start_run() -> None:
    state["cmp_request"] = True


def stop_run() -> None:
    if state.get("compare", {}).get("status") == "running":
        state["compare"]["status"] = "stopped"


def run(entries, seeds: int, data, where: str) -> None:
    """Train every entry with every seed on the backend ``where``; keep results as they arrive."""
    comparison, tasks = compare.new_comparison(entries, seeds, data, float(state["test_size"]), where)
    state["compare"] = comparison
    bar = st.progress(0.0, text=f"0 of {len(tasks)} runs finished")
    turns = compare.advance(comparison, tasks, training_slots(), TRAIN_BUDGET)
    try:  # closing it (also when a click interrupts this script run) cancels a cluster's pending runs
        for _ in turns:  # every turn sends an update: that is where a click interrupts the loop
            done = len(comparison["results"])
            bar.progress(done / len(tasks), text=f"{done} of {len(tasks)} runs ({comparison['seconds']:.1f} s)")
    finally:
        turns.close()
    bar.empty()


def show_verdict(results, labels, kind) -> None:
    """Two configurations paired by seed: the sentence, each seed's difference with the interval, the method."""
    first, second = compare.default_pair(labels)
    compare.forget_stale(state, ("cmp_first", "cmp_second"), labels)  # an earlier comparison's choices
    c = st.columns(2)
    first = c[0].selectbox("Verdict: does this configuration", labels, labels.index(first), key="cmp_first")
    second = c[1].selectbox("beat this one?", labels, labels.index(second), key="cmp_second")
    v = compare.verdict(results, first, second, kind)
    st.markdown(f"**Verdict:** {v['sentence']}")
    if v["n"]:
        st.plotly_chart(compare_figures.verdict_figure(v, kind), key="cmp_verdict")
    st.caption(compare.VERDICT_METHOD)


# ----- results ---------------------------------------------------------------------
def show(result) -> None:
    results, labels, kind = result["results"], result["labels"], result.get("kind", "regression")
    st.caption(compare.status_caption(result))
    if not results:
        return
    st.plotly_chart(compare_figures.validation_curves(results, labels, result["reference"], kind), key="cmp_curves")
    show_verdict(results, labels, kind)
    st.markdown(compare.TABLE_HEADINGS[kind])
    st.dataframe(pd.DataFrame(compare.summary_table(results, labels, kind)), hide_index=True, key="cmp_table")
    st.caption(compare.reference_caption(result))
    if kind == "classification":
        st.plotly_chart(compare_figures.accuracy_by_seed(results, labels, result["reference_accuracy"]),
                        key="cmp_accuracy")
    else:
        seed = st.selectbox("Seed for the predicted-vs-actual panels", sorted({r["seed"] for r in results}),
                            key="cmp_seed")
        st.plotly_chart(compare_figures.prediction_grid(results, labels, seed, result["y_test"]), key="cmp_grid")
    st.download_button("Download results (CSV)", compare.results_csv(results, kind),
                       file_name="scratchnet-compare.csv", mime="text/csv", icon=":material/download:")


# ----- page --------------------------------------------------------------------------
st.title("Compare")
st.caption("Is the deep net really better, and how sure are we? Train with several seeds, and pair the runs by seed.")
if state.get("compare", {}).get("status") == "running":
    state["compare"]["status"] = "stopped"  # a run only lives inside the script run that started it
entries, seeds = controls()
data = session.data_for(state, state["dataset"], dataset)
data = data.select(list(state["features"])) if state.get("features") else data
where, backend_note, backend_errors = compare.backend_setting()
st.caption(backend_note)
errors = compare.problems(entries, data) + backend_errors
for message in errors:
    st.error(md(message))
b = st.columns([1, 1, 6])
b[0].button("Run", type="primary", on_click=start_run, disabled=bool(errors))
b[1].button("Stop", on_click=stop_run)
other_data = state.get("compare", {}).get("data", data.name) != data.name  # made before the dataset changed
if not errors and (state.pop("cmp_request", False) or "compare" not in state or other_data):
    run(entries, seeds, data, where)
if "compare" in state:
    show(state["compare"])
