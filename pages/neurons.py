"""Neuron by neuron: how the playground network's prediction is assembled from its units."""

import streamlit as st

from playground.core import session
from playground.core.text import md
from playground.figures import neurons as figures
from playground.logic import neurons
from playground.logic.inside import describe
from playground.ui.loaders import dataset

state = st.session_state
session.init_state(state)
CHART = {"displaylogo": False}


def controls(model: neurons.Model) -> tuple[str, str, int, int]:
    """The feature to sweep, what the others are held at, the house (0-based test row) and the layer of the curves."""
    c = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    neurons.keep_feature(state, "nbn_feature", model.data)
    feature = c[0].selectbox("Feature to sweep", model.data.feature_names, key="nbn_feature",
                             help="by default the feature most correlated with the target")
    hold = c[1].radio("Hold the other features", list(neurons.HOLDS), format_func=neurons.HOLDS.get,
                      key="nbn_hold", horizontal=True)
    n_test = len(model.split.test_rows)
    neurons.clamp_house(state, "nbn_house", n_test)
    house = c[2].number_input(f"House (test row 1 to {n_test})", 1, n_test, step=1, key="nbn_house")
    layer = 1
    if model.hidden > 1:
        layer = c[3].selectbox("Units of", list(range(1, model.hidden + 1)), key="nbn_layer",
                               format_func=lambda k: f"hidden layer {k}")
    return feature, hold, int(house) - 1, int(layer)


def show_sweep(model: neurons.Model, sw: neurons.Sweep, house: int) -> None:
    target = model.data.target_name
    point = neurons.house_point(model, sw, house)
    where = "at their medians over all rows" if sw.hold == "median" else f"at those of test row {house + 1}"
    st.caption(md(f"{sw.feature} runs over {len(sw.x)} points from {sw.x[0]:.4g} to {sw.x[-1]:.4g}, its range in "
                  f"the data, in original units; the other features are held {where}, and each row is scaled "
                  "as in training before the network sees it."))
    if not model.hidden:
        st.info("This network has no hidden layer, so there are no units to show: its prediction is a weighted "
                "sum of the (scaled) features plus a bias, a straight line along any one feature.")
        st.plotly_chart(figures.prediction_curve(sw, target, point), key="nbn_prediction", config=CHART)
        return
    left, right = st.columns(2)
    left.plotly_chart(figures.unit_curves(sw), key="nbn_units", config=CHART)
    right.plotly_chart(figures.prediction_curve(sw, target, point), key="nbn_prediction", config=CHART)
    if sw.hold == "median":
        right.caption("The chosen house is marked at its own value of the feature; its prediction lies off the "
                      "curve when its other features differ from the medians.")
    st.plotly_chart(figures.contribution_stack(sw, target), key="nbn_stack", config=CHART)
    st.caption(f"The output layer is linear: prediction = bias B + the sum of W·a over the {sw.parts.shape[1]} "
               f"units of hidden layer {sw.last_layer}. Each colour is one unit's W·a (positive parts above zero, "
               "negative below); with the bias they add up to the black prediction line at every point.")


def show_waterfall(model: neurons.Model, house: int) -> None:
    order = st.radio("Order of the bars", list(neurons.ORDERS), format_func=neurons.ORDERS.get, key="nbn_order",
                     horizontal=True)
    wf = neurons.waterfall(model, house, order)
    st.plotly_chart(figures.waterfall(wf, model.data.target_name), key="nbn_waterfall", config=CHART)
    st.caption(md(neurons.waterfall_caption(wf, model.data.target_name)))
    left, right = st.columns([3, 2])
    left.dataframe(neurons.waterfall_table(wf), hide_index=True)
    right.dataframe(neurons.house_table(model, house), hide_index=True)


st.title("Neuron by neuron")
st.caption("How the playground's network turns one house's features into a price: each hidden unit's response "
           "to one feature, and the prediction added up unit by unit.")
try:
    model = neurons.model_for(state, dataset)
except (ValueError, KeyError) as exc:
    st.error(md(f"Cannot show this network: {exc.args[0] if exc.args else exc}"))
    st.stop()
st.markdown(f"**{describe(model.net)}** · {md(model.origin)} · data: {md(model.data.name)}, target "
            f"{md(model.data.target_name)}.")
if model.kind == "classification":
    st.info("This network tells two classes apart: its output, and every number split up here, is the logit "
            "before the sigmoid (above 0 means class 1); the true value is the class, 0 or 1.")
feature, hold, house, layer = controls(model)
st.header("Sweep one feature")
show_sweep(model, neurons.sweep(model, feature, hold, house, layer), house)
st.header(f"One house, unit by unit: test row {house + 1}")
if model.hidden:
    show_waterfall(model, house)
else:
    st.info("With no hidden layer there are no units to add up; the prediction above is the whole story.")
