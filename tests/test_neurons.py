"""The "Neuron by neuron" page: its logic (playground.logic.neurons), its figures and the page itself."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plotly_json import page_figures
from rendered import shown
from streamlit.testing.v1 import AppTest

from playground.core import session
from playground.core.run import LiveRun
from playground.figures import neurons as figures
from playground.logic import neurons
from playground.logic.data import best_feature
from scratchnet import Dataset
from scratchnet.config import RunConfig
from scratchnet.data import load_dataset

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/neurons.py"
HOSTILE = "<b>x</b> [link](https://evil.example) %{y}"


# ----- helpers -------------------------------------------------------------------------------
def state_for(config: RunConfig | None = None, run: LiveRun | None = None) -> dict:
    state = {}
    session.init_state(state)
    if config is not None:
        session.write_config(state, config)
    state["run"] = run
    return state


def model(config: RunConfig | None = None, epochs: int = 0) -> neurons.Model:
    config = config or RunConfig()
    run = None
    if epochs:
        data = load_dataset(config.dataset)
        run = LiveRun(config, data if config.features is None else data.select(list(config.features)))
        for _ in range(epochs):
            run.step(budget=60.0)
    return neurons.model_for(state_for(config, run), load_dataset)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


CONFIGS = {
    "book-deep": RunConfig(),
    "one-relu": replace(RunConfig(), preset="custom", hidden=((7, "relu"),)),
    "tanh-leaky": replace(RunConfig(), preset="custom", hidden=((5, "tanh"), (9, "leaky_relu"), (4, "sigmoid"))),
    "diabetes": replace(RunConfig(), dataset="diabetes", preset="custom", hidden=((6, "sigmoid"),)),
    "wide": replace(RunConfig(), preset="custom", init="glorot", hidden=((40, "relu"),)),
}


def hostile_model() -> neurons.Model:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 2.0]
    y = (X @ [1.0, 0.1, -3.0]).reshape(-1, 1)
    data = Dataset("evil", X, y, [HOSTILE, "plain", "<img src=x onerror=alert(1)>"], "<i>price</i> %{x}")
    state = state_for(replace(RunConfig(), dataset="csv:evil", preset="custom", hidden=((4, "tanh"),)))
    state["uploads"] = {"evil": data}
    return neurons.model_for(state, load_dataset)


# ----- the network, unit by unit ---------------------------------------------------------------
@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("hold", ["median", "house"])
def test_bias_plus_contributions_is_the_prediction_along_the_sweep(name, hold):
    m = model(CONFIGS[name])
    feature = best_feature(m.data)
    sw = neurons.sweep(m, feature, hold, house=5)
    predicted = m.net.predict(sw.X_scaled)[:, 0]
    assert np.max(np.abs(sw.prediction - predicted)) < 1e-9
    assert np.max(np.abs(sw.bias + sw.parts.sum(axis=1) - predicted)) < 1e-9
    assert sw.parts.shape == (100, m.net.layers[-2].neurons) and sw.bias.shape == (100,)
    assert np.ptp(sw.prediction) > 0  # the sweep moves the prediction, so the check above has something to check


def test_contributions_after_training_and_the_run_is_copied_not_shared():
    config = CONFIGS["book-deep"]
    state = state_for(config)
    data = load_dataset("boston")
    run = LiveRun(config, data)
    for _ in range(3):
        run.step(budget=60.0)
    state["run"] = run
    m = neurons.model_for(state, load_dataset)
    assert "epoch 3" in m.origin and m.split is run.split
    for mine, theirs in zip(m.net.params(), run.net.params(), strict=True):
        assert np.array_equal(mine, theirs) and not np.shares_memory(mine, theirs)
    before = m.net.predict(m.split.X_test)
    run.step(budget=60.0)  # the run trains on; the page's copy keeps its weights
    assert np.array_equal(m.net.predict(m.split.X_test), before)
    bias, parts = neurons.contributions(m.net, m.split.X_test)
    assert np.max(np.abs(bias + parts.sum(axis=1) - before[:, 0])) < 1e-9


def test_a_run_that_no_longer_matches_the_configuration_gives_the_starting_weights():
    run = LiveRun(RunConfig(), load_dataset("boston"))
    run.step(budget=60.0)
    m = neurons.model_for(state_for(CONFIGS["one-relu"], run), load_dataset)
    assert "starting weights" in m.origin and m.hidden == 1
    fresh = CONFIGS["one-relu"].build_network()
    fresh.build(13)
    assert all(np.array_equal(a, b) for a, b in zip(m.net.params(), fresh.params(), strict=True))


def test_the_sweep_holds_the_other_features_at_their_medians_in_original_units():
    m = model()
    sw = neurons.sweep(m, "RM", "median", n_points=37)
    j = m.data.feature_names.index("RM")
    others = [i for i in range(13) if i != j]
    medians = np.median(m.data.X, axis=0)
    assert sw.x.shape == (37,) and sw.X.shape == sw.X_scaled.shape == (37, 13)
    assert np.array_equal(sw.X[:, others], np.tile(medians[others], (37, 1)))
    assert sw.x[0] == m.data.X[:, j].min() and sw.x[-1] == m.data.X[:, j].max()
    assert np.all(np.diff(sw.x) > 0) and np.array_equal(sw.X[:, j], sw.x)
    assert np.allclose(sw.X_scaled, (sw.X - m.split.mean) / m.split.scale)
    assert not np.allclose(sw.X_scaled, sw.X)  # the network's inputs really are scaled


def test_holding_a_house_uses_its_values_and_its_prediction_lies_on_the_curve():
    m = model()
    house = 17
    row = m.data.X[m.split.test_rows[house]]
    sw = neurons.sweep(m, "LSTAT", "house", house)
    assert np.array_equal(sw.held, row)
    j = sw.index
    at_house = sw.X_scaled[0].copy()
    at_house[j] = (row[j] - m.split.mean[j]) / m.split.scale[j]
    assert np.allclose(at_house, m.split.X_test[house], rtol=0, atol=1e-12)  # the house itself is on the sweep line
    point = neurons.house_point(m, sw, house)
    assert point["x"] == row[j] and point["truth"] == m.split.y_test[house, 0] and point["on_curve"]
    assert point["prediction"] == pytest.approx(m.net.predict(m.split.X_test[house : house + 1])[0, 0])
    # the curve passes through the house: interpolating it at the house's own value gives its prediction
    fine = neurons.sweep(m, "LSTAT", "house", house, n_points=500)
    assert np.interp(row[j], fine.x, fine.prediction) == pytest.approx(point["prediction"], abs=0.05)


def test_first_layer_curves_equal_a_manual_computation():
    m = model()
    sw = neurons.sweep(m, "NOX", "median")
    W1, B1 = m.net.layers[0].params
    assert sw.layer == 1 and sw.units.shape == (100, 13)
    assert np.allclose(sw.units, sigmoid(sw.X_scaled @ W1 + B1), rtol=0, atol=1e-12)
    second = neurons.sweep(m, "NOX", "median", layer=2)
    W2, B2 = m.net.layers[1].params
    assert np.allclose(second.units, sigmoid(sw.units @ W2 + B2), rtol=0, atol=1e-12)
    W3, B3 = m.net.layers[2].params
    assert np.allclose(sw.parts, second.units * W3[:, 0], rtol=0, atol=1e-12) and np.all(sw.bias == B3[0, 0])


def test_a_network_with_no_hidden_layer_has_no_units_but_a_straight_prediction():
    m = model(replace(RunConfig(), preset="book-linear", hidden=()))
    assert m.hidden == 0
    sw = neurons.sweep(m, "RM", "median")
    assert sw.units.shape == (100, 0) and sw.layer == 0 and sw.last_layer == 0
    assert np.max(np.abs(np.diff(sw.prediction, 2))) < 1e-9  # a weighted sum of features: linear in each one
    W, B = m.net.layers[0].params
    assert np.allclose(sw.prediction, sw.X_scaled @ W[:, 0] + B[0, 0])
    with pytest.raises(ValueError, match="no hidden layer"):
        neurons.waterfall(m, 0)
    with pytest.raises(ValueError, match="no hidden units"):
        figures.unit_curves(sw)
    assert [t["name"] for t in figures.prediction_curve(sw, "MEDV")["data"]] == ["prediction"]


# ----- the waterfall -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", CONFIGS)
def test_waterfall_bias_plus_contributions_is_the_prediction(name):
    m = model(CONFIGS[name], epochs=2)
    for house in (0, 7, len(m.split.test_rows) - 1):
        wf = neurons.waterfall(m, house)
        predicted = m.net.predict(m.split.X_test[house : house + 1])[0, 0]
        assert abs(wf.bias + wf.parts.sum() - predicted) < 1e-9 and abs(wf.prediction - predicted) < 1e-9
        assert abs(wf.running[-1] - predicted) < 1e-9
        assert np.allclose(wf.parts, wf.activations * wf.weights, rtol=0, atol=1e-12)
        assert wf.truth == m.split.y_test[house, 0] and wf.row == m.split.test_rows[house]
        assert np.all(np.diff(np.abs(wf.parts)) <= 0)  # size order: largest first
        by_unit = neurons.waterfall(m, house, "unit")
        assert list(by_unit.units) == list(range(len(wf.parts)))
        assert by_unit.labels[0] == f"h{m.hidden}_1"
        assert np.allclose(np.sort(by_unit.parts), np.sort(wf.parts))


def test_waterfall_table_and_caption_show_the_numbers():
    m = model(epochs=1)
    wf = neurons.waterfall(m, 4)
    rows = neurons.waterfall_table(wf)
    assert [r["step"] for r in rows] == ["output bias B", *wf.labels, "prediction", "true price"]
    assert rows[-3]["running total"] == pytest.approx(rows[-2]["running total"], abs=1e-9)
    assert [r["contribution"] for r in rows[1:-2]] == list(wf.parts)
    caption = neurons.waterfall_caption(wf, "MEDV")
    assert f"{wf.bias:.4g} + ({wf.parts.sum():+.4g}) = {wf.prediction:.4g}" in caption
    assert "true MEDV" in caption and f"{wf.truth:.4g}" in caption and "largest contribution first" in caption


# ----- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [({"feature": "ROOMS"}, "no feature named 'ROOMS'"), ({"n_points": 1}, "got 1"),
     ({"n_points": 501}, "got 501"), ({"hold": "mean"}, "got 'mean'"), ({"hold": "house", "house": -1}, "got -1"),
     ({"hold": "house", "house": 152}, "from 0 to 151, got 152"), ({"layer": 3}, "from 1 to 2, got 3"),
     ({"layer": 0}, "got 0")],
)
def test_bad_sweeps_raise_errors_naming_the_value(kwargs, message):
    args = {"feature": "RM", **kwargs}
    with pytest.raises(ValueError, match=message):
        neurons.sweep(model(), **args)


def test_bad_waterfalls_and_groupings_raise_errors_naming_the_value():
    m = model()
    with pytest.raises(ValueError, match="got 'biggest'"):
        neurons.waterfall(m, 0, "biggest")
    with pytest.raises(ValueError, match="got 1.5"):
        neurons.waterfall(m, 1.5)
    with pytest.raises(ValueError, match="got 3 names"):
        neurons.grouped(np.zeros((2, 4)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="got 1"):
        neurons.grouped(np.zeros(4), list("abcd"), max_units=1)
    with pytest.raises(ValueError, match=r"shape \(13,\)"):
        neurons.sweep_grid(m.data, m.split, "RM", np.zeros(12))


def test_many_units_are_grouped_and_still_add_up():
    parts = np.array([[1.0], [-1.0], [0.5], [2.0], [-3.0]]) * np.linspace(0.1, 4.0, 40)[::-1] * (-1) ** np.arange(40)
    labels = neurons.unit_labels(1, 40)
    kept, columns = neurons.grouped(parts, labels, max_units=6)
    assert kept == ["h1_1", "h1_2", "h1_3", "h1_4", "h1_5", "other 35 units"]
    assert np.allclose(columns.sum(axis=1), parts.sum(axis=1))
    few, same = neurons.grouped(parts[:, :4], labels[:4], max_units=6)
    assert few == labels[:4] and np.array_equal(same, parts[:, :4])
    assert list(neurons.strongest(np.array([0.1, -5.0, 2.0, 0.0]), 2)) == [1, 2]


def test_the_house_and_feature_widgets_stay_valid():
    state = {"h": 500, "f": "GONE"}
    assert neurons.clamp_house(state, "h", 152) == 152
    state["h"] = 0
    assert neurons.clamp_house(state, "h", 152) == 1
    data = load_dataset("boston")
    assert neurons.keep_feature(state, "f", data) == best_feature(data) == "LSTAT"
    state["f"] = "RM"
    assert neurons.keep_feature(state, "f", data) == "RM"


# ----- figures -----------------------------------------------------------------------------------
def test_figures_draw_every_unit_the_prediction_and_the_stack():
    m = model(epochs=1)
    sw = neurons.sweep(m, "RM", "house", 3)
    curves = figures.unit_curves(sw)
    assert [t["name"] for t in curves["data"]] == [f"h1_{j}" for j in range(1, 14)]
    assert all(t["type"] == "scatter" and np.array_equal(t["x"], sw.x) for t in curves["data"])
    assert np.array_equal(curves["data"][4]["y"], sw.units[:, 4])
    pred = figures.prediction_curve(sw, "MEDV", neurons.house_point(m, sw, 3))
    assert [t["name"] for t in pred["data"]] == ["prediction", "this house: prediction", "this house: true value"]
    assert pred["data"][2]["y"] == [m.split.y_test[3, 0]]
    stack = figures.contribution_stack(sw, "MEDV")
    bars = [t for t in stack["data"] if t["type"] == "bar"]
    assert stack["layout"]["barmode"] == "relative"
    assert [t["name"] for t in bars] == ["output bias B"] + [f"h2_{j}" for j in range(1, 14)]
    assert np.max(np.abs(np.sum([t["y"] for t in bars], axis=0) - stack["data"][-1]["y"])) < 1e-9
    assert {t["type"] for f in (curves, pred, stack) for t in f["data"]} <= {"scatter", "bar"}


def test_waterfall_figure_chains_its_bars_from_the_bias_to_the_prediction():
    m = model(epochs=1)
    wf = neurons.waterfall(m, 2)
    fig = figures.waterfall(wf, "MEDV")
    ends, steps, truth = fig["data"]
    assert ends["x"] == ["bias B", "prediction"] and ends["y"] == [wf.bias, wf.prediction]
    assert steps["x"] == wf.labels and np.array_equal(steps["y"], wf.parts)
    assert steps["base"][0] == wf.bias and np.allclose(steps["base"][1:], wf.running[:-1])
    assert steps["base"][-1] + steps["y"][-1] == pytest.approx(wf.prediction, abs=1e-9)
    assert truth["y"] == [wf.truth] and fig["layout"]["xaxis"]["categoryarray"] == ["bias B", *wf.labels,
                                                                                      "prediction"]
    wide = neurons.waterfall(model(CONFIGS["wide"], epochs=1), 0)
    grouped = figures.waterfall(wide, "MEDV")["data"][1]
    assert len(grouped["x"]) == neurons.MAX_UNITS and grouped["x"][-1] == "other 25 units"
    assert grouped["base"][-1] + grouped["y"][-1] == pytest.approx(wide.prediction, abs=1e-9)


def test_wide_layers_draw_at_most_max_units_curves():
    sw = neurons.sweep(model(CONFIGS["wide"]), "RM")
    curves = figures.unit_curves(sw)
    assert len(curves["data"]) == neurons.MAX_UNITS and "16 of 40" in curves["layout"]["title"]["text"]
    assert len([t for t in figures.contribution_stack(sw, "MEDV")["data"] if t["type"] == "bar"]) == 1 + 16


def test_hostile_column_names_are_escaped_in_every_figure():
    m = hostile_model()
    sw = neurons.sweep(m, HOSTILE, "median")
    wf = neurons.waterfall(m, 0)
    figs = [figures.unit_curves(sw), figures.prediction_curve(sw, m.data.target_name, neurons.house_point(m, sw, 0)),
            figures.contribution_stack(sw, m.data.target_name), figures.waterfall(wf, m.data.target_name)]
    texts = []
    for fig in figs:
        layout = fig["layout"]
        texts += [layout["title"]["text"], layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]]
        for t in fig["data"]:
            hover = t.get("hovertemplate", "")
            assert "<b>" not in hover and "&lt;" not in hover and "price" not in hover  # names reach hover as meta
            texts += [str(v) for v in t.get("meta", [])]
    joined = " ".join(texts)
    assert "<b>" not in joined and "<i>" not in joined
    assert "&lt;b&gt;x&lt;/b&gt;" in joined and "&lt;i&gt;price&lt;/i&gt;" in joined


# ----- the page ------------------------------------------------------------------------------------
def open_page(state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    return at


def headers(at) -> list[str]:
    return [h.value for h in at.header]


def test_page_opens_for_boston_with_the_default_network():
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="nbn_feature").value == "LSTAT" and at.radio(key="nbn_hold").value == "median"
    assert headers(at) == ["Sweep one feature", "One house, unit by unit: test row 1"]
    figs = page_figures(at)
    titles = [f["layout"]["title"]["text"] for f in figs]
    assert titles[0] == "Layer 1's units along LSTAT" and titles[2].startswith("Prediction = bias")
    assert len(figs) == 4 and {t["type"] for f in figs for t in f["data"]} <= {"scatter", "bar"}
    assert any("the playground run's weights at epoch 0" in shown(m.value) for m in at.markdown)
    assert any(shown(c.value).startswith("Bias + contributions = prediction") for c in at.caption)
    at.radio(key="nbn_hold").set_value("house").run()
    at.number_input(key="nbn_house").set_value(9).run()
    at.selectbox(key="nbn_layer").set_value(2).run()
    at.radio(key="nbn_order").set_value("unit").run()
    assert not at.exception and not at.error
    assert headers(at)[-1] == "One house, unit by unit: test row 9"
    assert page_figures(at)[0]["layout"]["title"]["text"] == "Layer 2's units along LSTAT"
    assert list(at.dataframe[0].value["step"])[1:4] == ["h2_1", "h2_2", "h2_3"]


def test_page_shows_the_playground_run_after_a_few_trained_epochs():
    at = AppTest.from_file(APP, default_timeout=60).run()
    step = next(b for b in at.button if b.label == "Step")
    for _ in range(3):
        step.click().run()
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    assert any("the playground run's weights at epoch 3" in shown(m.value) for m in at.markdown)
    run = at.session_state["run"]
    table = at.dataframe[0].value
    predicted = run.net.predict(run.split.X_test[:1])[0, 0]
    assert table["running total"].iloc[-2] == pytest.approx(predicted, abs=1e-9)


def test_page_for_a_network_with_no_hidden_layer_says_so_and_shows_the_prediction():
    state = state_for(replace(RunConfig(), preset="book-linear", hidden=()))
    del state["run"]
    at = open_page(state)
    assert not at.exception and not at.error
    assert any("no hidden layer, so there are no units to show" in i.value for i in at.info)
    (fig,) = page_figures(at)
    assert fig["layout"]["title"]["text"].startswith("Prediction along LSTAT")
    assert not at.dataframe


def test_page_for_the_diabetes_data():
    state = state_for(replace(RunConfig(), dataset="diabetes"))
    del state["run"]
    at = open_page(state)
    assert not at.exception and not at.error
    diabetes = load_dataset("diabetes")
    assert at.selectbox(key="nbn_feature").value == best_feature(diabetes)
    n_test = len(RunConfig(dataset="diabetes").split(diabetes).test_rows)
    assert at.number_input(key="nbn_house").max == n_test < len(load_dataset("boston").y) * 0.3
    assert len(page_figures(at)) == 4


def test_a_two_class_problem_splits_its_logit_and_the_page_says_so():
    config = replace(RunConfig(), dataset="xor", preset="custom", hidden=((4, "tanh"),))
    m = model(config)
    assert (m.kind, model().kind) == ("classification", "regression")
    wf = neurons.waterfall(m, 0)
    logit = m.net.predict(m.split.X_test[:1])[0, 0]
    assert abs(wf.bias + wf.parts.sum() - logit) < 1e-9 and wf.truth in (0.0, 1.0)
    state = state_for(config)
    del state["run"]
    at = open_page(state)
    assert not at.exception and not at.error
    assert any("the logit before the sigmoid" in i.value for i in at.info) and len(page_figures(at)) == 4


def test_page_shows_a_hostile_csv_as_text():
    m = hostile_model()
    state = state_for(replace(RunConfig(), dataset="csv:evil", preset="custom", hidden=((4, "tanh"),)))
    del state["run"]
    state["uploads"] = {"evil": m.data}
    at = open_page(state)
    assert not at.exception and not at.error
    at.selectbox(key="nbn_feature").set_value(HOSTILE).run()
    assert not at.exception and not at.error
    assert any("\\<b\\>x" in c.value for c in at.caption)
    summary = next(x.value for x in at.markdown if "data:" in x.value)
    assert "<i>" not in summary and r"\<i\>price\<" in summary
    assert all("https://evil" not in c.value for c in at.caption)  # the escaped address cannot become a link
