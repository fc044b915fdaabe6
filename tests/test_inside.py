"""The "Inside the network" page: its logic (playground.logic.inside, inside_text, inside_check) and the page itself."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plotly_json import page_figures
from rendered import shown
from streamlit.testing.v1 import AppTest

from playground.core import session
from playground.core.run import LiveRun
from playground.figures import inside as inside_figures
from playground.logic import inside, inside_check, inside_text
from scratchnet import ACTIVATIONS, HuberLoss, MeanSquaredError, SigmoidCrossEntropy
from scratchnet.config import RunConfig
from scratchnet.data import load_boston, load_dataset
from scratchnet.gradcheck import check_network

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PRESETS = ["book-linear", "book-shallow", "book-deep"]


# ----- helpers -------------------------------------------------------------------------------
def fresh_state(config: RunConfig | None = None) -> dict:
    state = {}
    session.init_state(state)
    if config is not None:
        session.write_config(state, config)
    return state


def inspect(source="book-deep", batch=8, activation="sigmoid", neurons=5, state=None):
    return inside.inspect(state or fresh_state(), source, batch, load_dataset, activation, neurons)


def open_page(dataset: str | None = None):
    at = AppTest.from_file(APP, default_timeout=60).run()
    if dataset is not None:
        at.selectbox(key="dataset").set_value(dataset).run()  # the playground's dataset menu
    at.switch_page("pages/inside.py").run()
    return at


def problem_state(dataset: str, features=("x1", "x2"), **changes) -> dict:
    """A session on a synthetic problem, as the playground leaves it after choosing the problem."""
    config = replace(RunConfig(), dataset=dataset, preset="custom", features=features, samples=200, noise=0.1,
                     **changes)
    return fresh_state(config)


PROBLEM_CASES = [("spirals", ("x1", "x2")), ("circle", ("x1^2", "x2^2", "x1*x2")), ("plane", ("x1", "x2")),
                 ("gaussian-mix", ("x1", "x2", "sin x1")), ("sine", None), ("step", None)]


# ----- the trace -----------------------------------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS)
def test_trace_is_forward_per_operation_then_loss_then_backward_in_reverse(preset):
    insp = inspect(preset)
    ops = [(k, type(op).__name__) for k, layer in enumerate(insp.net.layers, 1) for op in layer.operations]
    steps = insp.steps
    assert len(ops) == 3 * len(insp.net.layers)
    assert [s.phase for s in steps] == ["forward"] * len(ops) + ["loss"] + ["backward"] * len(ops)
    assert [(s.layer, s.operation) for s in steps[: len(ops)]] == ops
    assert [(s.layer, s.operation) for s in steps[len(ops) + 1 :]] == ops[::-1]
    assert steps[len(ops)].operation == "MeanSquaredError" and steps[len(ops)].loss > 0


@pytest.mark.parametrize("source, activation", [(p, "sigmoid") for p in PRESETS] + [("custom", "relu")])
def test_every_gradient_has_the_shape_of_its_array(source, activation):
    insp = inspect(source, batch=5, activation=activation)
    forward = {(s.layer, s.position): s for s in insp.steps if s.phase == "forward"}
    for b in (s for s in insp.steps if s.phase == "backward"):
        f = forward[(b.layer, b.position)]
        received, sent = b.arrays[0][1], b.arrays[1][1]
        assert received.shape == f.arrays[-1][1].shape  # output gradient ~ output
        assert sent.shape == f.arrays[0][1].shape  # input gradient ~ input
        if b.operation in ("WeightMultiply", "BiasAdd"):
            assert b.arrays[2][1].shape == f.arrays[1][1].shape  # parameter gradient ~ parameter
        assert b.ok and f.ok and len(b.checks) == (3 if len(b.arrays) == 3 else 2)
    loss = next(s for s in insp.steps if s.phase == "loss")
    assert loss.arrays[0][1].shape == loss.arrays[2][1].shape == (5, 1) and loss.ok


def test_a_broken_shape_rule_is_marked():
    assert inside.ShapeCheck("rule", (8, 13), (8, 13)).ok
    assert not inside.ShapeCheck("rule", (13, 8), (8, 13)).ok


def test_trace_values_are_those_of_the_network():
    insp = inspect("book-deep", batch=6)
    twin = insp.config.build_network()
    twin.build(13)
    loss = twin.train_batch(insp.X, insp.y)
    first = insp.steps[0]
    X, W1, M1 = (a for _, a in first.arrays)
    assert np.array_equal(X, insp.X) and np.allclose(M1, X @ W1)
    last_forward = insp.steps[8].arrays[-1][1]
    assert np.allclose(last_forward, twin.layers[-1].output)
    assert insp.steps[9].loss == pytest.approx(loss)
    param_grads = [s.arrays[2][1] for s in insp.steps[10:] if len(s.arrays) == 3]  # B3, W3, B2, W2, B1, W1
    for got, want in zip(param_grads[::-1], twin.param_grads(), strict=True):
        assert np.allclose(got, want)


def test_trace_arrays_are_copies_not_views_of_the_network():
    insp = inspect("book-shallow")
    params, grads = insp.net.flat()
    for step in insp.steps:
        for _, a in step.arrays:
            assert not np.shares_memory(a, params) and not np.shares_memory(a, grads)
    before = [a.copy() for s in insp.steps for _, a in s.arrays]
    insp.net.train_batch(insp.X * 3.0, insp.y)  # overwrites every buffer in the network
    after = [a for s in insp.steps for _, a in s.arrays]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_operations_table_mirrors_the_books_figures():
    rows = inside.operations_table(inspect("book-shallow", batch=8).steps)
    assert [r["Operation"] for r in rows] == ["WeightMultiply", "BiasAdd", "Sigmoid"] * 1 + [
        "WeightMultiply", "BiasAdd", "Linear", "MeanSquaredError"]
    w1 = rows[0]
    assert (w1["Input"], w1["Parameter"], w1["Output"]) == ("(8, 13)", "W1 (13, 13)", "(8, 13)")
    assert (w1["∂L/∂Output"], w1["∂L/∂Input"], w1["∂L/∂Parameter"]) == ("(8, 13)", "(8, 13)", "(13, 13)")
    assert rows[4]["Parameter"] == "B2 (1, 1)" and rows[4]["∂L/∂Parameter"] == "(1, 1)"
    assert all(r["Shape rules"] == inside.PASS for r in rows)


def test_step_texts_tie_each_step_to_the_chain_rule():
    steps = inspect("book-shallow", batch=8).steps
    assert r"M_{1} = X\,W_{1}" in steps[0].text and "(8 × 13) by (13 × 13) gives (8 × 13)" in steps[0].text
    assert r"\sigma'(N) = \sigma(N)\,(1 - \sigma(N))" in steps[10].text  # backward of layer 1's sigmoid
    last = steps[-1].text  # backward of W1
    assert r"W_{1}^\top" in last and r"X^\top" in last and "(13 × 8) by (8 × 13) gives (13 × 13)" in last
    assert r"\frac{2}{n}(P - Y)" in steps[6].text
    assert len({s.text for s in steps}) == len(steps)


def test_step_buttons_stay_within_the_steps():
    state = {}
    inside.move_step(state, "k", -1, 7)
    assert state["k"] == 1
    for _ in range(10):
        inside.move_step(state, "k", 1, 7)
    assert state["k"] == 7
    state["k"] = 19
    assert inside.clamp_step(state, "k", 13) == 13 and state["k"] == 13
    assert ":blue-background[**+B1**]" in inside.pipeline(inspect("book-linear").steps, 1)


# ----- gradient check ---------------------------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS)
def test_gradient_check_passes_for_every_preset_and_matches_check_network(preset):
    insp = inspect(preset)
    results = inside_check.gradient_check(insp.net, insp.X, insp.y)
    assert [r.name for r in results] == insp.net.param_names()
    assert all(r.checked == r.size for r in results)  # small nets: every entry
    assert all(r.rel_error < 1e-6 and r.status == "pass" for r in results)
    reference = check_network(insp.net, insp.X, insp.y, h=1e-6)  # the page starts with h = 1e-6
    assert [r.rel_error for r in results] == pytest.approx([reference[r.name] for r in results])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_check_passes_for_every_activation(activation):
    insp = inspect("custom", batch=8, activation=activation, neurons=6)
    assert type(insp.net.layers[0].activation).__name__ == ACTIVATIONS[activation].__name__
    report = inside_check.check(insp)
    assert report.status == "pass" and report.max_rel_error < 1e-6
    assert all(r.h == 1e-6 for r in report.results)


def test_gradient_check_catches_a_wrong_gradient():
    insp = inspect("book-shallow")
    op = insp.net.layers[0].operations[0]

    def slightly_wrong(output_grad):
        grad = np.matmul(op.input_.T, output_grad, out=op.grad_buffer)
        grad *= 1.001
        return grad

    op._param_grad = slightly_wrong
    results = {r.name: r for r in inside_check.gradient_check(insp.net, insp.X, insp.y)}
    assert results["W1"].status == "fail" and results["W1"].rel_error > 1e-4
    assert all(results[name].status == "pass" for name in ("B1", "W2", "B2"))


def test_large_nets_are_checked_on_a_spread_of_entries_and_keep_their_weights():
    config = replace(RunConfig(), preset="custom", init="glorot", hidden=((256, "relu"), (256, "tanh")))
    insp = inspect("playground", batch=8, state=fresh_state(config))
    assert inside_check.checked_per_parameter(inspect("book-deep", batch=354).net, 354) >= 169  # presets: all entries
    budget = inside_check.checked_per_parameter(insp.net, 8)
    assert 1 <= budget < 256 * 256
    before = [p.copy() for p in insp.net.params()]
    report = inside_check.check(insp)
    assert report.sampled and all(r.checked <= budget for r in report.results)
    assert report.results[2].checked < report.results[2].size  # W2 (256, 256) is sampled
    assert report.status == "pass"
    assert all(np.array_equal(a, b) for a, b in zip(before, insp.net.params(), strict=True))


def test_check_uses_at_most_check_rows_rows():
    insp = inspect("book-linear", batch=100)
    report = inside_check.check(insp, max_rows=16)
    assert (report.rows, report.batch_rows) == (16, 100) and report.status == "pass"


def test_rounding_limited_results_are_told_apart_from_failures():
    assert inside_check.GradCheck("W1", (2, 2), 4, 1e-8).status == "pass"
    assert inside_check.GradCheck("W1", (2, 2), 4, 1e-3, difference=1.0, noise=2.0).status == "rounding"
    assert inside_check.GradCheck("W1", (2, 2), 4, 1e-3, difference=3.0, noise=2.0).status == "fail"


def test_fingerprint_changes_with_the_weights_and_the_batch():
    insp = inspect("book-linear")
    key = inside.fingerprint(insp.config, insp.net, insp.X, insp.y)
    assert key == inside.fingerprint(insp.config, insp.net, insp.X.copy(), insp.y)
    assert key != inside.fingerprint(insp.config, insp.net, insp.X[:4], insp.y[:4])
    next(insp.net.params())[0, 0] += 1e-9
    assert key != inside.fingerprint(insp.config, insp.net, insp.X, insp.y)


# ----- which network, which batch ---------------------------------------------------------------
def test_playground_source_uses_the_runs_current_weights_and_split():
    state = fresh_state()
    config = session.read_config(state)
    run = LiveRun(config, load_boston())
    run.step()
    state["run"] = run
    insp = inspect("playground", state=state)
    assert "epoch 1" in insp.origin
    assert np.array_equal(insp.X, run.split.X_train[:8])
    for mine, theirs in zip(insp.net.params(), run.net.params(), strict=True):
        assert np.array_equal(mine, theirs) and not np.shares_memory(mine, theirs)
    session.remove_layer(state, state["layers"][0])  # the run no longer matches the configuration
    other = inspect("playground", state=state)
    assert "starting weights" in other.origin and len(other.net.layers) == 2


def test_presets_and_custom_ignore_the_playground():
    state = fresh_state(replace(RunConfig(), preset="custom", hidden=((3, "relu"),) * 4, dataset="sine"))
    assert [layer.neurons for layer in inspect("book-linear", state=state).net.layers] == [1]
    custom = inspect("custom", activation="tanh", neurons=7, state=state)
    assert inside.describe(custom.net) == "13 features → Dense(7, tanh) → Dense(1, linear)"
    assert inspect("playground", state=state).X.shape == (8, 1)  # the sine data has one feature


@pytest.mark.parametrize(
    "batch, error, message",
    [(0, ValueError, "between 1 and the 354 training rows, got 0"), (355, ValueError, "got 355"),
     (2.5, TypeError, "whole number"), (True, TypeError, "whole number")],
)
def test_bad_batch_sizes_raise_clear_errors(batch, error, message):
    with pytest.raises(error, match=message):
        inspect("book-deep", batch=batch)


def test_a_csv_that_is_gone_or_a_bad_source_raise_clear_errors():
    state = fresh_state()
    state["dataset"] = "csv:flats"
    with pytest.raises(KeyError, match="no CSV named 'flats'"):
        inspect("playground", state=state)
    with pytest.raises(ValueError, match="unknown network source"):
        inspect("book-huge")


# ----- the synthetic problems: two classes, 2-D and 1-D regression -----------------------------------
@pytest.mark.parametrize("dataset, features", PROBLEM_CASES)
def test_the_playgrounds_problem_is_traced_and_checked(dataset, features):
    insp = inspect("playground", batch=6, state=problem_state(dataset, features))
    width = 1 if features is None else len(features)
    assert insp.X.shape == (6, width) and insp.steps[0].arrays[1][1].shape == (width, 13)
    assert all(s.ok for s in insp.steps) and "training rows of " + dataset in insp.origin
    loss = next(s for s in insp.steps if s.phase == "loss")
    two_classes = dataset in ("spirals", "circle")
    assert loss.operation == ("SigmoidCrossEntropy" if two_classes else "MeanSquaredError")
    assert set(np.unique(insp.y)) <= {0.0, 1.0} or not two_classes
    report = inside_check.check(insp)
    assert report.status == "pass" and report.max_rel_error < 1e-6
    reference = check_network(insp.net, insp.X, insp.y, h=1e-6)
    assert [r.rel_error for r in report.results] == pytest.approx([reference[r.name] for r in report.results])


def test_the_cross_entropy_step_shows_logit_probability_classes_and_gradient():
    insp = inspect("playground", batch=8, state=problem_state("spirals"))
    loss = next(s for s in insp.steps if s.phase == "loss")
    names = [name for name, _ in loss.arrays]
    assert names == ["P = A3 (logit)", "σ(P) (probability of class 1)", "Y (class, 0 or 1)", "∂L/∂P (gradient)"]
    z, p, y, grad = (a for _, a in loss.arrays)
    assert np.allclose(p, 1 / (1 + np.exp(-z))) and np.array_equal(y, insp.y)
    assert np.allclose(grad, (p - y) / 8)  # (sigmoid(z) - y) / n
    want = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    assert loss.loss == pytest.approx(want)
    row = inside.operations_table(insp.steps)[-1]
    assert (row["Operation"], row["Parameter"], row["∂L/∂Input"]) == ("SigmoidCrossEntropy", "target Y (8, 1)",
                                                                       "(8, 1)")
    assert "sigmoid cross-entropy" in loss.text and r"\frac{1}{n}(\sigma(P) - Y)" in loss.text


def test_loss_text_explains_each_loss():
    ce = inside_text.loss_text(SigmoidCrossEntropy(), 2, (8, 1), 0.6931)
    assert "sigmoid cross-entropy (log loss)" in ce and "is a logit" in ce
    assert r"\sigma(P) = 1 / (1 + e^{-P})" in ce  # what it does with the logit
    assert r"-Y_i \log \sigma(P_i) - (1 - Y_i) \log(1 - \sigma(P_i))" in ce
    assert r"\max(P_i, 0) - Y_i P_i + \log(1 + e^{-|P_i|})" in ce  # computed stably
    assert r"\frac{\partial L}{\partial P} = \frac{1}{n}(\sigma(P) - Y)" in ce
    assert "= 0.6931$" in ce and "n = 8 rows" in ce and "P = A_{2}" in ce and "(8 × 1)" in ce
    assert r"\frac{2}{n}" not in ce and "chain rule" in ce
    mse = inside_text.loss_text(MeanSquaredError(), 3, (5, 1), 2.5)
    assert r"\frac{2}{n}(P - Y)" in mse and "logit" not in mse and "= 2.5$" in mse
    other = inside_text.loss_text(HuberLoss(), 1, (4, 1), 1.0)
    assert "HuberLoss" in other and "(4 × 1)" in other
    assert inside_text.loss_name(SigmoidCrossEntropy()) == "sigmoid cross-entropy (log loss) of the logit"
    assert inside_text.loss_name(MeanSquaredError()) == "mean squared error"
    assert inside_text.loss_name(HuberLoss()) == "HuberLoss"


# ----- figure ------------------------------------------------------------------------------
def test_array_heatmap_shows_every_value_with_hover():
    values = np.arange(-6.0, 6.0).reshape(3, 4)
    fig = inside_figures.array_heatmap(values, "W1 (3, 4)")
    (trace,) = fig["data"]
    assert trace["type"] == "heatmap" and np.array_equal(trace["z"], values)
    assert (trace["zmin"], trace["zmax"]) == (-6.0, 6.0) and "%{z" in trace["hovertemplate"]
    assert fig["layout"]["yaxis"]["autorange"] == "reversed" and fig["layout"]["title"]["text"] == "W1 (3, 4)"
    with pytest.raises(ValueError, match="2-D"):
        inside_figures.array_heatmap(np.zeros(3), "flat")


# ----- the page ------------------------------------------------------------------------------
def test_page_opens_with_its_defaults():
    at = open_page()
    assert not at.exception and not at.error
    assert at.slider(key="inside_step").value == 1
    table = at.dataframe[0].value
    assert list(table["Operation"])[:3] == ["WeightMultiply", "BiasAdd", "Sigmoid"] and len(table) == 10
    figs = page_figures(at)
    assert [f["layout"]["title"]["text"] for f in figs] == ["X (input) (8, 13)", "W1 (parameter) (13, 13)",
                                                            "M1 (output) (8, 13)"]
    assert all(t["type"] == "heatmap" for f in figs for t in f["data"])
    assert any("Gradient check passed for all 6 parameters" in s.value for s in at.success)


def test_stepping_through_forward_loss_and_backward():
    at = open_page()
    at.button(key="inside_next").click().run()
    assert at.slider(key="inside_step").value == 2
    assert "Step 2 of 19 · Forward: layer 1, BiasAdd" in [h.value for h in at.subheader]
    at.slider(key="inside_step").set_value(10).run()
    assert "Step 10 of 19 · Loss: MeanSquaredError" in [h.value for h in at.subheader]
    assert any(m.label == "Loss L of this batch" for m in at.metric)
    at.slider(key="inside_step").set_value(19).run()
    assert "Step 19 of 19 · Backward: layer 1, WeightMultiply" in [h.value for h in at.subheader]
    assert at.button(key="inside_next").disabled
    titles = [f["layout"]["title"]["text"] for f in page_figures(at)]
    assert titles == ["∂L/∂M1 (received) (8, 13)", "∂L/∂X (sent back) (8, 13)",
                      "∂L/∂W1 (parameter gradient) (13, 13)"]
    assert sum("✓ pass" in m.value for m in at.markdown) == 3  # the three shape rules of this step
    at.button(key="inside_prev").click().run()
    assert at.slider(key="inside_step").value == 18 and not at.exception


def test_page_gradient_check_passes_for_every_preset_and_activation():
    at = open_page()
    for preset in PRESETS:
        at.selectbox(key="inside_source").set_value(preset).run()
        assert not at.exception and not at.error, preset
        assert any("Gradient check passed" in s.value for s in at.success), preset
        assert set(at.dataframe[1].value["Result"]) == {inside.PASS}
    at.selectbox(key="inside_source").set_value("custom").run()
    for activation in ACTIVATIONS:
        at.selectbox(key="inside_activation").set_value(activation).run()
        assert not at.exception and not at.error, activation
        assert at.dataframe[0].value["Operation"][2] == ACTIVATIONS[activation].__name__
        assert any("Gradient check passed" in s.value for s in at.success), activation
        assert set(at.dataframe[1].value["Result"]) == {inside.PASS}


def test_a_batch_larger_than_the_data_gives_one_error():
    at = open_page()
    at.number_input(key="inside_batch").set_value(5000).run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "Cannot trace this network: Batch size must be between 1 and the 354 training rows, got 5000."]
    assert not at.get("plotly_chart")


def test_the_playground_network_is_shown_with_its_trained_weights():
    at = AppTest.from_file(APP, default_timeout=60).run()
    next(b for b in at.button if b.label == "Step").click().run()  # train one epoch on the playground
    at.switch_page("pages/inside.py").run()
    assert not at.exception and not at.error
    assert any("the playground run's weights at epoch 1" in shown(m.value) for m in at.markdown)


def test_a_batch_too_large_to_draw_gives_one_error_and_sends_nothing_big():
    """Batch size 69,300 with a 256-unit layer sent 240 MB (MessageSizeError) and kept gigabytes in memory."""
    at = open_page()
    at.selectbox(key="inside_source").set_value("custom").run()
    at.number_input(key="inside_batch").set_value(300).run()  # 300 of the 354 rows, 13 inputs wide: fine
    assert not at.exception and not at.error
    at.number_input(key="inside_neurons").set_value(64).run()  # now 300 x 64 = 19,200 numbers per array
    assert not at.exception
    (message,) = [shown(e.value) for e in at.error]
    assert "Batch size 300 is too large for this page" in message and "at most 256" in message
    assert not at.get("plotly_chart")


def test_page_on_two_spirals_names_the_cross_entropy_and_passes_the_check():
    at = open_page("spirals")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert table["Input"][0] == "(8, 2)" and table["Operation"].iloc[-1] == "SigmoidCrossEntropy"
    assert any("loss: sigmoid cross-entropy (log loss) of the logit" in m.value for m in at.markdown)
    assert any("Gradient check passed for all 6 parameters" in s.value for s in at.success)
    at.slider(key="inside_step").set_value(10).run()
    assert not at.exception
    assert "Step 10 of 19 · Loss: SigmoidCrossEntropy" in [h.value for h in at.subheader]
    text = next(m.value for m in at.markdown if "is a logit" in m.value)
    assert "sigmoid cross-entropy" in text and r"\frac{1}{n}(\sigma(P) - Y)" in text
    titles = [f["layout"]["title"]["text"] for f in page_figures(at)]
    assert titles == ["P = A3 (logit) (8, 1)", "σ(P) (probability of class 1) (8, 1)", "Y (class, 0 or 1) (8, 1)",
                      "∂L/∂P (gradient) (8, 1)"]


def test_page_on_the_sine_traces_one_feature_with_the_mse():
    at = open_page("sine")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert table["Input"][0] == "(8, 1)" and table["Operation"].iloc[-1] == "MeanSquaredError"
    assert any(shown(m.value).startswith("**1 feature → Dense(13, sigmoid)") for m in at.markdown)
    assert any("Gradient check passed" in s.value for s in at.success)
    at.slider(key="inside_step").set_value(10).run()
    assert not at.exception
    text = next(m.value for m in at.markdown if "The loss compares the prediction" in m.value)
    assert r"\frac{2}{n}(P - Y)" in text and "logit" not in text


def test_page_on_a_2d_regression_with_chosen_features():
    at = open_page("gaussian-mix")
    assert at.dataframe[0].value["Input"][0] == "(8, 2)"  # the problem's inputs x1, x2
    at.session_state["features"] = ["x1", "x2", "x1*x2"]  # as the playground's Inputs leave them
    at.run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Input"][0] == "(8, 3)"
    assert any("Gradient check passed" in s.value for s in at.success)
