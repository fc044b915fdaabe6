"""The slope of one weight: the backprop gradient is the slope of the loss along that weight."""

import numpy as np
import pytest

from scratchnet import Dense, NeuralNetwork, Trainer, get_optimizer
from scratchnet.data import load_boston, split_scale
from scratchnet.slope import weight_slope


@pytest.fixture(scope="module")
def trained():
    s = split_scale(load_boston(), mode="book")
    net = NeuralNetwork([Dense(13, "sigmoid"), Dense(13, "sigmoid"), Dense(1, "linear")], "mse", seed=20190501,
                        book_mode=True)
    Trainer(net, get_optimizer("sgd", lr=0.01)).fit(s.X_train, s.y_train, epochs=3, eval_every=10, seed=1)
    return net, s.X_train[:32], s.y_train[:32]


@pytest.mark.parametrize("layer, row, col", [(0, 3, 5), (1, 12, 0), (2, 7, 0)])
def test_the_tangent_is_the_finite_difference_slope(trained, layer, row, col):
    net, X, y = trained
    r = weight_slope(net, layer, row, col, X, y, lr=0.01)
    assert r.gradient == pytest.approx(r.finite_difference, rel=1e-6)
    assert r.w0 == net.layers[layer].params[0][row, col]
    assert r.weights[0] < r.w0 < r.weights[-1] and r.weights[0] <= r.w_next <= r.weights[-1]
    middle = len(r.weights) // 2
    assert r.weights[middle] == pytest.approx(r.w0) and r.losses[middle] == pytest.approx(r.loss0)


def test_the_curve_is_the_loss_with_that_one_weight_changed_and_the_network_is_untouched(trained):
    net, X, y = trained
    before = [p.copy() for p in net.params()]
    r = weight_slope(net, 1, 2, 4, X, y, lr=0.5, points=9)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params(), strict=True))
    twin = NeuralNetwork.from_config(net.get_config())
    twin.build(13)
    for mine, theirs in zip(twin.params(), before, strict=True):
        mine[...] = theirs
    twin.layers[1].params[0][2, 4] = r.weights[2]
    expected = float(np.mean((twin.predict(X) - y) ** 2))
    assert r.losses[2] == pytest.approx(expected, rel=1e-12)
    assert r.w_next == pytest.approx(r.w0 - 0.5 * r.gradient)


def test_misuse_is_named(trained):
    net, X, y = trained
    with pytest.raises(ValueError, match=r"W1 has shape \(13, 13\); there is no weight \[13, 0\]"):
        weight_slope(net, 0, 13, 0, X, y, lr=0.01)
    with pytest.raises(ValueError, match="lr must be > 0"):
        weight_slope(net, 0, 0, 0, X, y, lr=0.0)
    with pytest.raises(ValueError, match="not built"):
        weight_slope(NeuralNetwork([Dense(1)], "mse"), 0, 0, 0, X, y, lr=0.01)


def test_the_playground_shows_a_weights_slope_card():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from playground.logic import slope

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()
    next(b for b in at.button if b.label == "Step").click().run()
    run = at.session_state["run"]
    choice = slope.weight_id(2, 4, 7)
    at.selectbox(key="weight").set_value(choice).run()
    assert not at.exception
    card = slope.slope_card(run, choice)
    assert card["name"] == "W2[5, 8]" and card["slope"].w0 == run.net.layers[1].params[0][4, 7]
    from rendered import shown

    texts = " ".join(shown(m.value) for m in at.markdown)
    assert "Backpropagation says dL/dW2[5, 8]" in texts and f"{card['slope'].gradient:.6g}" in texts
    assert len(slope.weight_choices(run)) == 13 * 13 + 13 * 13 + 13
