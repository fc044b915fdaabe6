"""What a network's units compute: formulas from known weights, contributions that add up."""

import numpy as np
import pytest

from scratchnet import Dense, NeuralNetwork, contributions, unit_formula
from scratchnet.explain import layer_input_names, unit_name


def known_net():
    net = NeuralNetwork([Dense(2, "sigmoid"), Dense(2, "tanh"), Dense(1)])
    net.layers[0].set_params([[0.8, -0.004], [-1.3, 2.0]], [[0.2, -0.5]])
    net.layers[1].set_params([[1.0, 0.25], [-2.5, 0.0]], [[0.0, 3.14159]])
    net.layers[2].set_params([[-0.75], [1.5]], [[-0.1]])
    net.build(2)
    return net


def test_formulas_for_known_weights():
    net = known_net()
    assert unit_formula(net, 0, 0, ["x1", "x2"]) == "sigmoid(0.8*x1 - 1.3*x2 + 0.2)"
    assert unit_formula(net, 0, 1) == "sigmoid(0*x1 + 2*x2 - 0.5)"  # -0.004 rounds to 0, without a sign
    assert unit_formula(net, 0, 1, digits=3) == "sigmoid(-0.004*x1 + 2*x2 - 0.5)"
    assert unit_formula(net, 1, 0) == "tanh(1*h1_1 - 2.5*h1_2 + 0)"
    assert unit_formula(net, 1, 1, digits=0) == "tanh(0*h1_1 + 0*h1_2 + 3)"
    assert unit_formula(net, 1, 1, digits=4) == "tanh(0.25*h1_1 + 0*h1_2 + 3.1416)"
    assert unit_formula(net, 2, 0) == "-0.75*h2_1 + 1.5*h2_2 - 0.1"  # linear: no wrapper
    assert unit_formula(net, 0, 0, ["RM", "LSTAT"]) == "sigmoid(0.8*RM - 1.3*LSTAT + 0.2)"
    assert unit_formula(net, 1, 0, ["a", "b"]) == "tanh(1*a - 2.5*b + 0)"


def test_names_of_units_and_inputs():
    net = known_net()
    assert unit_name(0, 2) == "h1_3"
    assert layer_input_names(net, 0) == ["x1", "x2"]
    assert layer_input_names(net, 0, ["RM", "LSTAT"]) == ["RM", "LSTAT"]
    assert layer_input_names(net, 2) == ["h2_1", "h2_2"]
    with pytest.raises(ValueError, match=r"reads 2 inputs, got 1 names: \['RM'\]"):
        layer_input_names(net, 0, ["RM"])


def test_formula_misuse():
    net = known_net()
    with pytest.raises(ValueError, match="layer must be a whole number from 0 to 2, got 3"):
        unit_formula(net, 3, 0)
    with pytest.raises(ValueError, match=r"unit must be a whole number from 0 to 1 for Dense\(2, .*got 2"):
        unit_formula(net, 0, 2)
    with pytest.raises(ValueError, match=r"Dense\(2, .* reads 2 inputs, got 3 names"):
        unit_formula(net, 0, 0, ["a", "b", "c"])
    with pytest.raises(TypeError, match="not the string 'ab'"):
        unit_formula(net, 0, 0, "ab")
    with pytest.raises(ValueError, match="digits must be a whole number from 0 to 12, got -1"):
        unit_formula(net, 0, 0, digits=-1)
    with pytest.raises(ValueError, match="not built yet"):
        unit_formula(NeuralNetwork([Dense(2), Dense(1)]), 0, 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contributions_add_up_to_the_prediction(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 3)) * 2
    net = NeuralNetwork([Dense(6, "sigmoid"), Dense(5, "relu"), Dense(1)], seed=seed)
    bias, parts = contributions(net, X)  # builds the network like predict
    assert bias.shape == (40,) and parts.shape == (40, 5)
    assert np.abs(bias + parts.sum(axis=1) - net.predict(X)[:, 0]).max() < 1e-9
    hidden = net.layer_outputs(X)[-2]
    W, B = net.layers[-1].params
    assert np.allclose(parts, hidden * W[:, 0]) and (bias == B[0, 0]).all()


def test_contributions_need_a_hidden_layer_and_one_linear_output():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="at least one hidden layer; this network has 1 layer"):
        contributions(NeuralNetwork([Dense(1)]), X)
    with pytest.raises(ValueError, match=r"one linear Dense neuron \(regression\), got Dense\(2, "):
        contributions(NeuralNetwork([Dense(3, "tanh"), Dense(2)]), X)
    with pytest.raises(ValueError, match=r"one linear Dense neuron \(regression\), got Dense\(1, activation=Sigmoid"):
        contributions(NeuralNetwork([Dense(3, "tanh"), Dense(1, "sigmoid")]), X)
