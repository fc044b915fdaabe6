"""Whole networks: gradients, parameter order, lazy set-up, misuse."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scratchnet import ACTIVATIONS, Dense, Layer, Linear, NeuralNetwork, ParamOperation, Sigmoid, get_activation
from scratchnet.gradcheck import check_network
from scratchnet.layers import LAYERS, get_layer


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


# ----- the layer contract: registry, configs, a layer type of a test's own, clear errors -------------
class RowScale(ParamOperation):
    """``x * S`` for a row ``S`` ``(1, d)``; its ``_param_grad`` returns a new array (no ``grad_buffer``)."""

    def _compute(self, x):
        return x * self.param

    def _input_grad(self, output_grad):
        return output_grad * self.param

    def _param_grad(self, output_grad):
        return np.sum(self.input_ * output_grad, axis=0, keepdims=True)


class Scale(Layer):
    """Multiplies each column by its own learned factor: ``neurons`` in, ``neurons`` out."""

    name = "scale"
    param_kinds = ("S",)

    def param_shapes(self, input_width):
        return [(1, self.neurons)]

    def _init_params(self, input_width, rng):
        if input_width != self.neurons:
            raise ValueError(f"Scale({self.neurons}) needs {self.neurons} input columns, got {input_width}")
        return [1.0 + 0.1 * rng.standard_normal((1, self.neurons))]

    def _make_operations(self, params):
        return [RowScale(params[0])]


def scale_net(seed=2):
    return NeuralNetwork([Dense(3, "tanh"), Scale(3), Dense(1)], "mse", seed=seed)


def test_layer_registry_round_trip():
    assert LAYERS == {"dense": Dense}
    layer = Dense(13, {"name": "leaky_relu", "alpha": 0.2}, weight_init="glorot")
    config = layer.get_config()
    assert config == {"name": "dense", "neurons": 13, "activation": {"name": "leaky_relu", "alpha": 0.2},
                      "weight_init": "glorot"}
    clone = get_layer(config)
    assert type(clone) is Dense and clone is not layer and clone.get_config() == config
    assert Dense.from_config(config).get_config() == config
    assert get_layer(layer) is layer


@pytest.mark.parametrize(
    "spec, error, message",
    [
        ({"name": "conv", "neurons": 3}, ValueError, r"unknown layer 'conv'; choose from \['dense'\]"),
        ({"name": "dense", "neurons": 3, "colour": "red"}, ValueError, "bad settings for layer 'dense'"),
        (3, TypeError, "layer must be a name, a config dict or a Layer, got 3"),
    ],
)
def test_get_layer_errors(spec, error, message):
    with pytest.raises(error, match=message):
        get_layer(spec)
    with pytest.raises(ValueError, match="a Dense config has name 'dense', got 'scale'"):
        Dense.from_config({"name": "scale", "neurons": 3})


def test_from_config_builds_a_layer_type_registered_in_a_test(monkeypatch):
    config = scale_net().get_config()
    assert config["layers"][1] == {"name": "scale", "neurons": 3}
    with pytest.raises(ValueError, match=r"unknown layer 'scale'; choose from \['dense'\]"):
        NeuralNetwork.from_config(config)
    monkeypatch.setitem(LAYERS, "scale", Scale)
    net = NeuralNetwork.from_config(config)
    assert [type(layer) for layer in net.layers] == [Dense, Scale, Dense] and net.get_config() == config
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 4)), rng.standard_normal((6, 1))
    net.forward(X)
    assert net.param_names() == ["W1", "B1", "S2", "W3", "B3"]
    assert [p.shape for p in net.params()] == [(4, 3), (1, 3), (1, 3), (3, 1), (1, 1)]
    assert net.n_params() == net.n_params(4) == 15 + 3 + 4
    assert max(check_network(net, X, y).values()) < 1e-6  # its new-array gradient reaches the flat buffer
    assert "S" in net.summary().splitlines()[0] and "(1, 3)" in net.summary()


def test_a_layer_type_of_ones_own_trains_through_the_flat_vector():
    from scratchnet import SGD, Trainer

    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 4))
    y = X[:, :1] * 2.0
    net = scale_net()
    trainer = Trainer(net, SGD(0.05))
    trainer.fit(X, y, epochs=1, batch_size=40, seed=0)
    S = net.layers[1].params[0].copy()
    first = net.loss.forward(net.predict(X), y)
    trainer.fit(X, y, epochs=20, batch_size=40, seed=0)
    assert not np.array_equal(S, net.layers[1].params[0])
    assert net.loss.forward(net.predict(X), y) < first


def test_an_old_network_config_without_layer_types_still_loads():
    old = {
        "layers": [
            {"neurons": 13, "activation": {"name": "sigmoid"}, "weight_init": "standard"},
            {"neurons": 1, "activation": {"name": "linear"}, "weight_init": "standard"},
        ],
        "loss": {"name": "mse"},
        "seed": 20190501,
    }
    net = NeuralNetwork.from_config(old)
    assert [type(layer) for layer in net.layers] == [Dense, Dense]
    assert [layer.get_config()["name"] for layer in net.layers] == ["dense", "dense"]
    assert type(net.layers[0].activation).__name__ == "Sigmoid"


def test_set_params_checks_shapes_and_reads_the_width():
    layer = Dense(13)
    layer.set_params(np.ones((3, 13)), np.zeros((1, 13)))
    assert layer.built and layer.input_width == 3
    for params in [(np.ones((3, 12)), np.zeros((1, 13))), (np.ones((3, 13)),), (np.ones(13), np.zeros((1, 13)))]:
        with pytest.raises(ValueError, match=r"Dense\(13\) needs W of shape \(d_in, 13\) and B of shape \(1, 13\)"):
            layer.set_params(*params)
    with pytest.raises(ValueError, match=r"needs W of shape \(4, 13\)"):
        layer.set_params(np.ones((3, 13)), np.zeros((1, 13)), input_width=4)
    scale = Scale(3)
    with pytest.raises(ValueError, match=r"Scale\(3\): its parameters do not show the input width"):
        scale.set_params(np.ones((1, 3)))
    scale.set_params(np.ones((1, 3)), input_width=3)
    assert scale.input_width == 3


def test_layer_misuse_raises_clear_errors():
    layer = Dense(13)
    with pytest.raises(RuntimeError, match=r"Dense\(13\): backward called before forward"):
        layer.backward(np.ones((2, 13)))
    with pytest.raises(ValueError, match=r"Dense\(13\) needs a 2-D input \(n, d\), got shape \(13,\)"):
        layer.forward(np.ones(13))
    with pytest.raises(RuntimeError, match=r"Dense\(13\) is not built yet"):
        layer.apply(np.ones((2, 4)))
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"Dense\(13\) needs a 2-D input \(n, d\), got shape \(4,\)"):
        layer.apply(np.ones(4))
    with pytest.raises(ValueError, match=r"Dense\(13\) needs a 2-D input \(n, d\), got shape \(\)"):
        layer.forward(np.float64(1.0))
    layer.set_params(np.ones((4, 13)), np.ones((1, 13)))  # new weights: the old forward pass no longer counts
    with pytest.raises(RuntimeError, match=r"Dense\(13\): backward called before forward"):
        layer.backward(np.ones((2, 13)))


def test_network_misuse_raises_clear_errors():
    net = make_net([3], ["relu"])
    with pytest.raises(RuntimeError, match="NeuralNetwork: backward called before forward"):
        net.backward(np.ones((2, 1)))
    net.predict(np.ones((2, 5)))  # builds, stores nothing
    with pytest.raises(RuntimeError, match="NeuralNetwork: backward called before forward"):
        net.backward(np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"X must be 2-D \(rows, columns\), got shape \(5,\)"):
        net.forward(np.ones(5))  # built: still a clear message
    with pytest.raises(ValueError, match=r"X must be 2-D \(rows, columns\), got shape \(5,\)"):
        net.train_batch(np.ones(5), np.ones((1, 1)))


def test_a_standalone_layer_builds_from_a_fresh_generator_and_build_takes_one():
    a, b = Dense(3), Dense(3)
    a.forward(np.ones((1, 2)))
    b.build(2, np.random.default_rng(7))
    c = Dense(3)
    c.build(2, np.random.default_rng(7))
    assert a.built and np.array_equal(b.params[0], c.params[0])
    assert not hasattr(a, "seed") and not hasattr(a, "_params")


# ----- layer outputs ---------------------------------------------------------------------
def manual_forward(net, X):
    outputs, out = [], X
    for layer in net.layers:
        W, B = layer.params
        z = out @ W + B
        name = layer.activation.get_config()["name"]
        out = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
               "linear": lambda v: v}[name](z)
        outputs.append(out)
    return outputs


def test_layer_outputs_are_each_layers_output_and_end_with_the_prediction():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((9, 3))
    net = make_net([5, 4, 2], ["sigmoid", "tanh", "relu"], seed=8)
    outputs = net.layer_outputs(X)  # builds the network like predict
    assert [o.shape for o in outputs] == [(9, 5), (9, 4), (9, 2), (9, 1)]
    assert np.array_equal(outputs[-1], net.predict(X))
    for got, expected in zip(outputs, manual_forward(net, X), strict=True):
        assert np.allclose(got, expected, rtol=1e-12, atol=1e-14)
    chunked = net.layer_outputs(X, chunk_rows=2)
    assert all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(chunked, outputs, strict=True))
    assert [o.shape for o in net.layer_outputs(np.zeros((0, 3)))] == [(0, 5), (0, 4), (0, 2), (0, 1)]


def test_layer_outputs_store_nothing():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    net = make_net([3], ["tanh"])
    net.train_batch(X, y)
    kept = [(layer.input_, layer.output) for layer in net.layers]
    net.layer_outputs(rng.standard_normal((4, 2)))
    assert all(layer.input_ is a and layer.output is b for layer, (a, b) in zip(net.layers, kept, strict=True))
    with pytest.raises(ValueError, match="chunk_rows must be a whole number >= 1, got 0"):
        net.layer_outputs(X, chunk_rows=0)
    with pytest.raises(ValueError, match=r"X must be 2-D \(rows, columns\), got shape \(6,\)"):
        net.layer_outputs(X[:, 0])


def test_clone_copies_the_current_weights_and_shares_nothing():
    net = NeuralNetwork([Dense(4, "tanh"), Dense(1)], "mse", seed=3)
    assert not net.clone().built
    net.predict(np.ones((2, 3)))
    twin = net.clone()
    assert all(np.array_equal(a, b) for a, b in zip(net.params(), twin.params(), strict=True))
    next(twin.params())[0, 0] += 1.0
    assert not np.array_equal(next(net.params()), next(twin.params()))
