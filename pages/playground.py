"""The playground: build a network, train it live, watch it learn."""

import streamlit as st

from playground import figures, session
from playground.config import (
    DATASETS,
    LEARNING_RATES,
    OPTIMIZER_LABELS,
    PRESET_NAMES,
    build_network,
    validate,
)
from playground.loaders import dataset, selected
from scratchnet import ACTIVATIONS
from scratchnet.init import INITS

REFRESH_SECONDS = 0.25  # the live fragment's period while training
TRAIN_BUDGET = 0.15  # seconds of training per refresh
state = st.session_state
session.init_state(state)


# ----- sidebar: controls ---------------------------------------------------------
def layer_editor(n_features: int) -> None:
    st.markdown("**Layers**")
    for pos, lid in enumerate(state["layers"]):
        c = st.columns([2.2, 3, 1, 1, 1], vertical_alignment="bottom", gap="small")
        c[0].number_input(
            f"Layer {pos + 1} neurons", 1, 256, key=f"neurons_{lid}", on_change=session.mark_custom, args=(state,)
        )
        c[1].selectbox(
            "activation", list(ACTIVATIONS), key=f"activation_{lid}", on_change=session.mark_custom, args=(state,)
        )
        c[2].button(
            "↑", key=f"up_{lid}", help="move up", on_click=session.move_layer, args=(state, lid, -1), disabled=pos == 0
        )
        c[3].button(
            "↓",
            key=f"down_{lid}",
            help="move down",
            on_click=session.move_layer,
            args=(state, lid, 1),
            disabled=pos == len(state["layers"]) - 1,
        )
        c[4].button("✕", key=f"del_{lid}", help="remove layer", on_click=session.remove_layer, args=(state, lid))
    st.text_input("Output layer", "1 neuron, linear (fixed for regression)", disabled=True)
    st.button("Add layer", on_click=session.add_layer, args=(state,))


def controls():
    sb = st.sidebar
    sb.header("Data")
    sb.selectbox("Dataset", DATASETS, key="dataset", on_change=_data_changed)
    names = dataset(state["dataset"]).feature_names
    chosen = state["features"] if state["features"] is not None else names
    picked = sb.multiselect(
        "Features",
        names,
        default=[f for f in chosen if f in names],
        key="_features",
        on_change=session.mark_custom,
        args=(state,),
    )
    state["features"] = None if picked == names else picked
    sb.slider("Test fraction", 0.05, 0.5, key="test_size", step=0.05, on_change=session.mark_custom, args=(state,))
    sb.header("Network")
    sb.selectbox(
        "Preset",
        list(PRESET_NAMES),
        format_func=PRESET_NAMES.get,
        key="preset",
        on_change=session.apply_preset,
        args=(state,),
    )
    with sb:
        layer_editor(len(names))
    sb.selectbox("Weight init", list(INITS), key="init", on_change=session.mark_custom, args=(state,))
    sb.header("Training")
    sb.selectbox("Optimizer", list(OPTIMIZER_LABELS), format_func=OPTIMIZER_LABELS.get, key="optimizer")
    if state["optimizer"] == "momentum":
        sb.slider("Momentum", 0.0, 0.99, key="momentum", step=0.01)
    sb.select_slider("Learning rate", LEARNING_RATES, key="lr", format_func=lambda v: f"{v:g}")
    sb.number_input("Batch size", 1, 100_000, key="batch_size")
    sb.number_input("Epochs", 1, 5000, key="epochs")
    sb.number_input("Evaluate every (epochs)", 1, 5000, key="eval_every")
    sb.number_input("L2 weight decay", 0.0, 1.0, key="weight_decay", step=1e-4, format="%.4f")
    sb.checkbox("Early stopping (restore the best model)", key="early_stopping")
    c = sb.columns([3, 2], vertical_alignment="bottom")
    c[0].number_input("Seed", 0, 2**32 - 1, key="seed", on_change=session.mark_custom, args=(state,))
    c[1].button("New seed", on_click=_new_seed)


def _data_changed():
    state["features"] = None
    state.pop("_features", None)
    session.mark_custom(state)


def _new_seed():
    session.new_seed(state)
    session.mark_custom(state)


# ----- main area: live view --------------------------------------------------------
def metric_cards(run) -> None:
    h = run.history
    last = lambda xs: f"{xs[-1]:.3f}" if xs else "–"  # noqa: E731
    eps = run.epochs_per_second()
    cols = st.columns(7)
    cols[0].metric("Epoch", f"{run.epoch} / {run.config.epochs}")
    cols[1].metric("Train loss", last(h.train_loss))
    cols[2].metric("Validation loss", last(h.val_loss))
    cols[3].metric("MAE", last(h.mae))
    cols[4].metric("RMSE", last(h.rmse))
    cols[5].metric("R²", last(h.r2))
    cols[6].metric("Epochs / s", f"{eps:.0f}" if eps else "–")


def progress(run) -> None:
    total = run.config.epochs
    eps = run.epochs_per_second()
    left = f" · about {(total - run.epoch) / eps:.1f} s left" if eps and run.status == "training" else ""
    st.progress(min(run.epoch / total, 1.0), text=f"Epoch {run.epoch} of {total}{left}")


def status_line(run) -> None:
    if run.status == "diverged":
        st.error(run.message, icon=":material/warning:")
    elif run.message:
        st.info(run.message)


def charts(run) -> None:
    h = run.history
    left, right = st.columns(2)
    with left:
        log_y = st.toggle("Log scale", key="log_y")
        st.plotly_chart(
            figures.loss_figure(h.epochs, h.train_loss, h.eval_epochs, h.val_loss, log_y, run.config.epochs),
            key="loss_chart",
        )
        rows = st.segmented_control("Rows", ["test", "train"], default="test", key="pva_rows") or "test"
        actual, predicted, idx = run.predictions(rows)
        st.plotly_chart(
            figures.pred_vs_actual(
                actual, predicted, run.data.X[idx], run.data.feature_names, f"Predicted vs actual ({rows} rows)"
            ),
            key="pva_chart",
        )
    with right:
        st.plotly_chart(figures.network_diagram(run.current_params(), run.data.feature_names), key="net_chart")
        snaps = run.snapshots
        epochs = [s.epoch for s in snaps]
        # follow the newest snapshot unless the person has scrubbed back
        if state.get("snap_follow", True) or state.get("snap_epoch") not in epochs:
            state["snap_epoch"] = epochs[-1]
        if len(epochs) > 1:
            st.select_slider("Weights at epoch", epochs, key="snap_epoch", on_change=_scrubbed, args=(epochs[-1],))
        snap = snaps[epochs.index(state["snap_epoch"])]
        edges = [figures.histogram_edges([s.params[k] for s in snaps]) for k in range(len(snap.params))]
        st.plotly_chart(figures.weight_histograms(snap.params, edges, snap.epoch), key="hist_chart")


def _scrubbed(latest: int) -> None:
    state["snap_follow"] = state["snap_epoch"] == latest


def live_view() -> None:
    run = state["run"]
    interval = REFRESH_SECONDS if run.status == "training" else None

    @st.fragment(run_every=interval)
    def live():
        was_training = run.status == "training"
        run.advance(TRAIN_BUDGET)
        progress(run)
        metric_cards(run)
        status_line(run)
        charts(run)
        if was_training and run.status != "training":
            st.rerun(scope="app")  # stop the timer and refresh the buttons

    live()


# ----- page ------------------------------------------------------------------------
st.title("scratchnet playground")
st.caption("Stack Dense layers, press Train, and watch the network learn. The book's chapter 3, live.")
controls()
config = session.read_config(state)
full = dataset(config.dataset)
errors = validate(config, full.X.shape[0], full.feature_names)
for message in errors:
    st.error(message)
if not errors:
    data = selected(config.dataset, config.features)
    notice = session.sync_run(state, config, data)
    if notice:
        state["notice"] = notice
    run = state["run"]
    n_params = build_network(config).n_params(data.X.shape[1])
    st.sidebar.caption(f"{n_params:,} parameters · {data.X.shape[0]} rows, {data.X.shape[1]} features")
    b = st.columns([1, 1, 1, 1, 4])
    b[0].button("Train", type="primary", on_click=session.train, args=(state,), disabled=run.status == "training")
    b[1].button("Stop", on_click=session.stop, args=(state,), disabled=run.status != "training")
    b[2].button(
        "Step", on_click=session.step, args=(state,), disabled=run.status == "training", help="train exactly one epoch"
    )
    b[3].button("Reset", on_click=session.reset, args=(state,), help="back to epoch 0, same starting weights")
    if state["notice"]:
        b[4].info(state.pop("notice"))
    live_view()
