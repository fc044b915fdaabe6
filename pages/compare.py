"""Compare: several configurations over several seeds, trained in turns with everyone else, summarised honestly."""

import math
import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from playground import compare, compare_figures, session
from playground.config import LEARNING_RATES, validate
from playground.loaders import dataset, training_slots
from playground.slots import TRAIN_BUDGET
from playground.text import md

state = st.session_state
session.init_state(state)
DEFAULT_LABELS = [e.label for e in compare.default_entries()]


# ----- configurations --------------------------------------------------------------
def available() -> dict:
    """The book's presets plus the networks this session added from the playground."""
    return {**{e.label: e for e in compare.default_entries()}, **state.setdefault("compare_custom", {})}


def describe(hidden) -> str:
    return " → ".join(f"{n} {a}" for n, a in hidden) or "no hidden layer"


def add_playground_network() -> None:
    config = session.read_config(state)
    label = f"playground: {describe(config.hidden)}"
    state["compare_custom"][label] = compare.Entry(label, replace(config, preset="custom"))
    if label not in state["cmp_chosen"] and len(state["cmp_chosen"]) < compare.MAX_CONFIGS:
        state["cmp_chosen"] = [*state["cmp_chosen"], label]


def overrides(label: str) -> dict:
    """This configuration's own settings; empty boxes mean the shared value."""
    with st.expander(f"{label}: own settings"):
        c = st.columns(3)
        lr = c[0].number_input("learning rate", 1e-5, 10.0, value=None, format="%g", key=f"cmp_lr_{label}",
                               placeholder="shared")
        batch = c[1].number_input("batch size", 1, 100_000, value=None, key=f"cmp_batch_{label}",
                                  placeholder="shared")
        epochs = c[2].number_input("epochs", 1, 5000, value=None, key=f"cmp_epochs_{label}", placeholder="shared")
    changes = {"lr": lr, "batch_size": batch, "epochs": epochs}
    return {k: v for k, v in changes.items() if v is not None}


def controls() -> tuple[list, int]:
    """The chosen entries with their settings, and the number of seeds."""
    state.setdefault("cmp_chosen", list(DEFAULT_LABELS))
    entries = available()
    st.multiselect("Configurations (2 to 6)", list(entries), key="cmp_chosen", max_selections=compare.MAX_CONFIGS)
    st.button("Add the playground's network", icon=":material/add:", on_click=add_playground_network,
              help="Build a stack in the playground's layer editor, then add it here.")
    c = st.columns(5)
    seeds = c[0].number_input("Seeds per configuration", 1, compare.MAX_SEEDS, 5, key="cmp_seeds")
    epochs = c[1].number_input("Epochs", 1, 5000, 50, key="cmp_epochs")
    lr = c[2].select_slider("Learning rate", LEARNING_RATES, 0.01, key="cmp_lr", format_func=lambda v: f"{v:g}")
    batch = c[3].number_input("Batch size", 1, 100_000, 32, key="cmp_batch")
    every = c[4].number_input("Evaluate every", 1, 5000, 10, key="cmp_every")
    shared = {"epochs": int(epochs), "lr": float(lr), "batch_size": int(batch), "eval_every": int(every)}
    chosen = []
    for label in state["cmp_chosen"]:
        entry = entries[label]
        chosen.append(compare.Entry(label, replace(entry.config, **{**shared, **overrides(label)})))
    return chosen, int(seeds)


# ----- running ---------------------------------------------------------------------
def start_run() -> None:
    state["cmp_request"] = True


def stop_run() -> None:
    if state.get("compare", {}).get("status") == "running":
        state["compare"]["status"] = "stopped"


def problems(entries, data) -> list[str]:
    errors = [] if 2 <= len(entries) <= compare.MAX_CONFIGS else [
        f"Choose between 2 and {compare.MAX_CONFIGS} configurations; {len(entries)} chosen."]
    for e in entries:
        features = data.feature_names
        errors += [f"{e.label}: {m}" for m in validate(replace(e.config, features=None), data.X.shape[0], features)]
    return errors


def run(entries, seeds: int, data) -> None:
    """Train every entry with every seed, in turns on the server's training slots; keep results as they arrive."""
    split = compare.shared_split(entries, data, float(state["test_size"]))
    tasks = compare.make_tasks(entries, compare.seeds_for(20190501, seeds), split)
    result = {"labels": [e.label for e in entries], "results": [], "total": len(tasks), "status": "running",
              "y_test": split.y_test, "reference": compare.linear_reference(split), "seconds": 0.0,
              "data": data.name}
    state["compare"] = result
    bar = st.progress(0.0, text=f"0 of {len(tasks)} runs finished")
    started = time.perf_counter()
    for outcome in compare.run_sliced(tasks, training_slots(), TRAIN_BUDGET):
        if result["status"] != "running":
            break  # a second script thread of this session pressed Stop
        result["seconds"] = time.perf_counter() - started
        if outcome is not None:
            result["results"].append(outcome)
        finished = len(result["results"])
        # every turn sends an update: that is where a click (Stop, any widget) interrupts the loop
        bar.progress(finished / len(tasks), text=f"{finished} of {len(tasks)} runs finished "
                     f"({result['seconds']:.1f} s; runs take turns with everyone's training)")
    else:
        result["status"] = "done"
    bar.empty()


# ----- results ---------------------------------------------------------------------
def plus_minus(mean: float, std: float) -> str:
    return "–" if math.isnan(mean) else f"{mean:.3f} ± {std:.3f}"


def show(result) -> None:
    results, labels = result["results"], result["labels"]
    done = len(results)
    state_text = {"done": "finished", "stopped": "stopped", "running": "interrupted"}[result["status"]]
    st.caption(f"{done} of {result['total']} runs {state_text} in {result['seconds']:.1f} s on "
               f"{result['data']}; runs take turns on the server's training slots.")
    if not results:
        return
    st.plotly_chart(compare_figures.validation_curves(results, labels, result["reference"]), key="cmp_curves")
    note = compare.footnote_caption(results)
    if note:
        st.caption(note)
    rows = compare.summary_rows(results, labels)
    table = pd.DataFrame({
        "configuration": [r["configuration"] for r in rows],
        "validation MSE": [plus_minus(r["final_val_loss"], r["final_val_loss_std"]) for r in rows],
        "MAE": [plus_minus(r["mae"], r["mae_std"]) for r in rows],
        "RMSE": [plus_minus(r["rmse"], r["rmse_std"]) for r in rows],
        "R²": [plus_minus(r["r2"], r["r2_std"]) for r in rows],
        "runs": [r["runs"] for r in rows],
        "diverged": [r["diverged"] for r in rows],
    })
    st.markdown("**Final figures on the test rows, best first** (mean ± standard deviation across seeds)")
    st.dataframe(table, hide_index=True, key="cmp_table")
    st.caption(f"Reference: scikit-learn's closed-form LinearRegression on the same split has test MSE "
               f"{result['reference']:.3f}.")
    seeds = sorted({r["seed"] for r in results})
    seed = st.selectbox("Seed for the predicted-vs-actual panels", seeds, key="cmp_seed")
    st.plotly_chart(compare_figures.prediction_grid(results, labels, seed, result["y_test"]), key="cmp_grid")
    st.download_button("Download results (CSV)", compare.results_csv(results), file_name="scratchnet-compare.csv",
                       mime="text/csv", icon=":material/download:")


# ----- page --------------------------------------------------------------------------
st.title("Compare")
st.caption("Is the deep net really better, and how sure are we? Train each configuration with several seeds "
           "and look at the spread, not just one lucky run.")
if state.get("compare", {}).get("status") == "running":
    state["compare"]["status"] = "stopped"  # a run only lives inside the script run that started it
entries, seeds = controls()
data = session.data_for(state, state["dataset"], dataset)
if state.get("features"):
    data = data.select(list(state["features"]))
errors = problems(entries, data)
for message in errors:
    st.error(md(message))
b = st.columns([1, 1, 6])
b[0].button("Run", type="primary", on_click=start_run, disabled=bool(errors))
b[1].button("Stop", on_click=stop_run)
if not errors and (state.pop("cmp_request", False) or "compare" not in state):
    run(entries, seeds, data)
if "compare" in state:
    show(state["compare"])
