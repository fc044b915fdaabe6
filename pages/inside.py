"""Inside the network: one batch through every operation, forward and back, and a gradient check."""

import streamlit as st

from playground.core import session
from playground.core.text import md
from playground.figures import inside as inside_figures
from playground.logic import inside, inside_check, inside_text
from playground.ui.loaders import dataset
from playground.ui.widgets import limited_number
from scratchnet import ACTIVATIONS

STEP = "inside_step"
state = st.session_state
session.init_state(state)


def controls() -> tuple[str, str, int, int]:
    """The page's widgets: which network, (for a custom one) its hidden layer, and the batch size."""
    c = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    source = c[0].selectbox("Network", list(inside.SOURCES), format_func=inside.SOURCES.get, key="inside_source")
    activation, neurons = "sigmoid", 13
    if source == "custom":
        activation = c[1].selectbox("Hidden activation", list(ACTIVATIONS), key="inside_activation")
        neurons = limited_number(c[2], "neurons", "Hidden neurons", value=4, key="inside_neurons")
    batch = limited_number(c[3], "batch_size", value=inside.DEFAULT_BATCH, step=1, key="inside_batch",
                           help="the batch is the first rows of the training data")
    return source, activation, int(neurons), int(batch)


def overview(insp: inside.Inspection) -> None:
    n_params = sum(p.size for p in insp.net.params())
    st.markdown(f"**{inside.describe(insp.net)}** · {n_params:,} parameters · loss: "
                f"{inside_text.loss_name(insp.net.loss)} · {md(insp.origin)}.")
    st.caption(
        "Each Dense layer is three operations: WeightMultiply, BiasAdd and its activation. The shapes below are "
        "those of this batch; the book's rules say every gradient has the shape of the array it belongs to."
    )
    st.dataframe(inside.operations_table(insp.steps), hide_index=True)


def step_controls(n_steps: int) -> int:
    """Previous / Next buttons and a slider over the steps; return the 0-based step shown."""
    current = inside.clamp_step(state, STEP, n_steps)
    b = st.columns([1.6, 1.3, 8], vertical_alignment="bottom")
    b[0].button("Previous", icon=":material/arrow_back:", key="inside_prev", on_click=inside.move_step,
                args=(state, STEP, -1, n_steps), disabled=current == 1, width="stretch")
    b[1].button("Next", icon=":material/arrow_forward:", key="inside_next", on_click=inside.move_step,
                args=(state, STEP, 1, n_steps), disabled=current == n_steps, width="stretch")
    b[2].slider("Step", 1, n_steps, key=STEP)
    return state[STEP] - 1


def show_step(steps: list, index: int) -> None:
    step = steps[index]
    st.markdown(inside.pipeline(steps, index))
    st.subheader(f"Step {index + 1} of {len(steps)} · {step.title}")
    text, checks = st.columns([3, 2])
    text.markdown(step.text)
    with checks:
        if step.loss is not None:
            st.metric("Loss L of this batch", f"{step.loss:.5g}")
        st.markdown("**Shape rules**")
        for c in step.checks:
            mark, sign = (":green[**✓ pass**]", "=") if c.ok else (":red[**✗ fail**]", "≠")
            st.markdown(f"{mark} {c.rule}: `{c.got}` {sign} `{c.expected}`")
    cols = st.columns(len(step.arrays))
    for j, (col, (label, values)) in enumerate(zip(cols, step.arrays, strict=True)):
        col.plotly_chart(inside_figures.array_heatmap(values, f"{label} {values.shape}"), key=f"inside_heatmap_{j}",
                         config={"displaylogo": False})


@st.cache_data(max_entries=16, show_spinner="Checking the gradients…")
def gradient_check(key: str, _insp: inside.Inspection) -> inside_check.CheckReport:
    """The check of ``_insp``; ``key`` (a digest of config, weights and batch) is what the cache compares."""
    return inside_check.check(_insp)


def show_check(insp: inside.Inspection) -> None:
    report = gradient_check(inside.fingerprint(insp.config, insp.net, insp.X, insp.y), insp)
    n = len(report.results)
    worst = f"largest relative error {report.max_rel_error:.1e}"
    if report.status == "pass":
        st.success(f"Gradient check passed for all {n} parameters: {worst} < {inside_check.TOLERANCE:g}.")
    elif report.status == "rounding":
        loss = next(s.loss for s in insp.steps if s.loss is not None)
        st.warning(
            f"Backward agrees with finite differences as far as float64 can tell ({worst}): for the parameters "
            f"marked rounding-limited, the loss ({loss:.3g}) is so large, or the gradient so small, that rounding "
            "alone exceeds the 1e-6 bar. A network with a smaller loss (Glorot init, fewer layers) can be "
            "checked to 1e-6."
        )
    else:
        st.error(f"Gradient check failed: {worst}; see the parameters marked fail.")
    st.dataframe(report.table(), hide_index=True)
    notes = [
        "Each entry θ is nudged both ways, the loss recomputed in float64, and (L(θ+h) − L(θ−h)) / 2h compared "
        "with backward's gradient by ‖a − n‖ / (‖a‖ + ‖n‖). A parameter that misses with h = 1e-6 is tried "
        "with 1e-7 and 1e-5 as well; a wrong gradient misses with every step."
    ]
    if report.rows < report.batch_rows:
        notes.append(f"To stay fast, the check uses the first {report.rows} of the batch's {report.batch_rows} rows.")
    if report.sampled:
        notes.append(
            f"This network has {report.n_params:,} parameters; to keep the check under a second, at most "
            f"{report.max_checked} entries of each parameter, spread evenly over it, are compared."
        )
    st.caption(" ".join(notes))


st.title("Inside the network")
st.caption(
    "Follow one batch through every operation: forward, into the loss, and back again, the chain rule one link "
    "at a time, as in the book's figures 3-1 and 3-2."
)
source, activation, neurons, batch = controls()
try:
    inspection = inside.inspect(state, source, batch, dataset, activation, neurons)
except (ValueError, TypeError, KeyError) as exc:
    st.error(md(f"Cannot trace this network: {exc.args[0] if exc.args else exc}"))
else:
    overview(inspection)
    st.header("Step through one batch")
    show_step(inspection.steps, step_controls(len(inspection.steps)))
    st.header("Gradient check")
    show_check(inspection)
