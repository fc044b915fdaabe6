"""Whole networks: gradients, parameter order, lazy set-up, misuse."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scratchnet import ACTIVATIONS, Dense, Linear, NeuralNetwork, Sigmoid, get_activation
from scratchnet.gradcheck import check_network


def make_net(widths, activations, seed=3, loss="mse", init="standard"):
    layers = [Dense(w, a, weight_init=init) for w, a in zip(widths, activations, strict=True)]
    return NeuralNetwork(layers + [Dense(1)], loss, seed=seed)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_network_gradients_every_activation_and_depth(activation, depth):
    rng = np.random.default_rng(depth)
    X = rng.standard_normal((7, 4))
    y = rng.standard_normal((7, 1))
    net = make_net([5] * depth, [activation] * depth)
    net.forward(X)
    errors = check_network(net, X, y)
    assert len(errors) == 2 * (depth + 1)
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    widths=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    act=st.sampled_from(sorted(ACTIVATIONS)),
    n=st.sampled_from([1, 3, 5, 11]),
    d=st.integers(1, 4),
    seed=st.integers(0, 1000),
    loss=st.sampled_from(["mse", "huber"]),
)
def test_network_gradients_property(widths, act, n, d, seed, loss):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal((n, 1)) * 0.1
    net = make_net(widths, [act] * len(widths), seed=seed, loss=loss)
    net.forward(X)
    assert max(check_network(net, X, y).values()) < 1e-6


def test_params_in_book_order():
    net = make_net([4, 3], ["sigmoid", "tanh"])
    net.forward(np.ones((2, 5)))
    shapes = [p.shape for p in net.params()]
    assert shapes == [(5, 4), (1, 4), (4, 3), (1, 3), (3, 1), (1, 1)]
    assert net.param_names() == ["W1", "B1", "W2", "B2", "W3", "B3"]
    net.train_batch(np.ones((2, 5)), np.ones((2, 1)))
    assert [g.shape for g in net.param_grads()] == shapes
    assert net.n_params() == 5 * 4 + 4 + 4 * 3 + 3 + 3 + 1


def test_dense_default_is_a_fresh_linear():
    a, b = Dense(3), Dense(3)
    assert isinstance(a.activation, Linear)
    assert a.activation is not b.activation


def test_shared_activation_instance_is_refused():
    shared = Sigmoid()
    with pytest.raises(ValueError, match="layers 1 and 2 share one Sigmoid"):
        NeuralNetwork([Dense(3, shared), Dense(1, shared)], "mse")


def test_input_width_change_raises():
    net = make_net([3], ["relu"])
    net.forward(np.ones((4, 5)))
    assert net.layers[0].input_width == 5
    with pytest.raises(ValueError, match="built for inputs with 5 columns, got 6"):
        net.forward(np.ones((4, 6)))


def test_layer_built_flag_and_books_first_alias():
    layer = Dense(2)
    assert not layer.built and layer.first
    layer.forward(np.ones((1, 3)))
    assert layer.built and not layer.first
    layer.first = True
    assert not layer.built


def test_same_seed_same_start_and_reset_redraws_it():
    a, b = make_net([4], ["tanh"], seed=7), make_net([4], ["tanh"], seed=7)
    X = np.ones((2, 3))
    assert np.array_equal(a.forward(X), b.forward(X))
    start = [p.copy() for p in a.params()]
    for p in a.params():
        p += 1.0
    a.reset()
    a.forward(X)
    assert all(np.array_equal(p, q) for p, q in zip(a.params(), start, strict=True))


def test_independent_streams_outside_book_mode():
    net = NeuralNetwork([Dense(4, "sigmoid"), Dense(4, "sigmoid"), Dense(1)], "mse", seed=5)
    net.forward(np.ones((1, 4)))
    W1, W2 = net.layers[0].params[0], net.layers[1].params[0]
    assert W1.shape == W2.shape and not np.array_equal(W1, W2)


def test_book_mode_same_shaped_layers_start_identical():
    net = NeuralNetwork([Dense(4, "sigmoid"), Dense(4, "sigmoid"), Dense(1)], "mse", seed=5, book_mode=True)
    net.forward(np.ones((1, 4)))
    assert np.array_equal(net.layers[0].params[0], net.layers[1].params[0])
    assert np.array_equal(net.layers[0].params[0], np.random.RandomState(5).randn(4, 4))


def test_glorot_init_scale_and_zero_bias():
    net = NeuralNetwork([Dense(200, weight_init="glorot"), Dense(1)], "mse", seed=0)
    net.forward(np.ones((1, 300)))
    W, B = net.layers[0].params
    assert W.std() == pytest.approx(np.sqrt(2 / 500), rel=0.05)
    assert not B.any()


def test_config_round_trip_and_summary():
    net = NeuralNetwork(
        [Dense(13, "sigmoid"), Dense(13, {"name": "leaky_relu", "alpha": 0.2}), Dense(1)], "huber", seed=9
    )
    clone = NeuralNetwork.from_config(net.get_config())
    assert clone.get_config() == net.get_config()
    text = net.summary(input_width=13)
    assert "Sigmoid" in text and "(13, 13)" in text and str(13 * 14 + 13 * 14 + 14) in text
    assert "Dense(13, activation=Sigmoid())" in repr(net)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Dense(0), "neurons must be a whole number >= 1, got 0"),
        (lambda: Dense(2.5), "neurons must be a whole number >= 1, got 2.5"),
        (lambda: Dense(2, weight_init="he"), "unknown weight_init 'he'"),
        (lambda: NeuralNetwork([], "mse"), "at least one layer"),
        (lambda: NeuralNetwork([Dense(1)], "mse", seed=-1), "seed must be a whole number >= 0, got -1"),
        (lambda: NeuralNetwork([Dense(1), Dense(1)][:1] * 2, "mse"), "share one Linear"),
        (lambda: get_activation(3), "activation must be a name"),
    ],
)
def test_construction_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_forward_needs_2d():
    with pytest.raises(ValueError, match="X must be 2-D"):
        make_net([], []).forward(np.ones(3))


# ----- scratchnet.gradcheck.gradient_check ------------------------------------------------
def test_gradient_check_samples_large_parameters_and_keeps_the_weights():
    from scratchnet.gradcheck import gradient_check

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 9)), rng.standard_normal((6, 1))
    net = make_net([8], ["tanh"])
    net.forward(X)
    before = [p.copy() for p in net.params()]
    results = gradient_check(net, X, y, max_checked=10, steps=(1e-6,))
    assert [r.name for r in results] == net.param_names()
    assert [r.checked for r in results] == [9, 8, 8, 1]  # W1 (9, 8): every 8th of 72 entries
    assert all(r.status == "pass" and r.h == 1e-6 for r in results)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params(), strict=True))


def test_gradient_check_tries_the_next_step_and_catches_a_wrong_gradient():
    from scratchnet.gradcheck import gradient_check

    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))
    net = make_net([4], ["sigmoid"])
    net.forward(X)
    op = net.layers[0].operations[0]
    right = op._param_grad

    def slightly_wrong(output_grad):
        grad = right(output_grad)  # the network's gradient buffer: scale it in place
        grad *= 1.001
        return grad

    op._param_grad = slightly_wrong
    results = {r.name: r for r in gradient_check(net, X, y, steps=(1e-6, 1e-5))}
    assert results["W1"].status == "fail" and results["W1"].rel_error > 1e-4
    assert results["W1"].h in (1e-6, 1e-5)
    assert all(results[name].status == "pass" for name in ("B1", "W2", "B2"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_checked": 0}, "max_checked must be a whole number >= 1, got 0"),
        ({"steps": ()}, r"steps must be positive numbers, got \(\)"),
        ({"steps": (1e-6, -1.0)}, "steps must be positive numbers"),
    ],
)
def test_gradient_check_settings_are_checked(kwargs, message):
    from scratchnet.gradcheck import gradient_check

    net = make_net([], [])
    net.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=message):
        gradient_check(net, np.ones((2, 3)), np.ones((2, 1)), **kwargs)


def test_gradient_check_needs_a_built_network_of_the_batch_width():
    net = make_net([], [])
    with pytest.raises(ValueError, match="must be built for the batch's 3 features"):
        check_network(net, np.ones((2, 3)), np.ones((2, 1)))
    net.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="must be built for the batch's 3 features"):
        check_network(net, np.ones((2, 3)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="X and y must be 2-D with the same rows"):
        check_network(net, np.ones((2, 4)), np.ones(2))
