"""Every Operation: gradients against central differences, and the book's shape rules."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from scratchnet import (
    ACTIVATIONS,
    BiasAdd,
    LeakyReLU,
    Linear,
    ReLU,
    ShapeError,
    Sigmoid,
    Tanh,
    WeightMultiply,
    get_activation,
)
from scratchnet.gradcheck import numerical_gradient, relative_error


def away_from_zero(rng, shape):
    """Inputs at least 0.1 from 0, so ReLU's kink is never inside a finite difference."""
    x = rng.standard_normal(shape)
    return np.sign(x) * (0.1 + np.abs(x))


def check_op(op, x, rng, param=None):
    """Compare backward with finite differences of L = sum(forward(x) * R)."""
    out = op.forward(x)
    R = rng.standard_normal(out.shape)

    def loss():
        return float(np.sum(op.forward(x) * R))

    op.forward(x)
    input_grad = op.backward(R).copy()
    errors = [relative_error(input_grad, numerical_gradient(loss, x))]
    if param is not None:
        op.forward(x)
        op.backward(R)
        param_grad = op.param_grad.copy()
        errors.append(relative_error(param_grad, numerical_gradient(loss, param)))
    return errors


@pytest.mark.parametrize("n", [1, 3, 7, 32])
def test_weight_multiply_gradients(rng, n):
    W = rng.standard_normal((5, 4))
    errors = check_op(WeightMultiply(W), rng.standard_normal((n, 5)), rng, param=W)
    assert max(errors) < 1e-6


@pytest.mark.parametrize("n", [1, 3, 7, 32])
def test_bias_add_gradients(rng, n):
    B = rng.standard_normal((1, 4))
    errors = check_op(BiasAdd(B), rng.standard_normal((n, 4)), rng, param=B)
    assert max(errors) < 1e-6


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("n", [1, 5, 33])
def test_activation_gradients(rng, name, n):
    (error,) = check_op(get_activation(name), away_from_zero(rng, (n, 6)), rng)
    assert error < 1e-6


def test_leaky_relu_alpha_in_gradient(rng):
    (error,) = check_op(LeakyReLU(alpha=0.3), away_from_zero(rng, (8, 3)), rng)
    assert error < 1e-6
    op = LeakyReLU(alpha=0.3)
    op.forward(np.array([[-2.0, 2.0]]))
    assert np.allclose(op.backward(np.ones((1, 2))), [[0.3, 1.0]])


def test_activation_values():
    x = np.array([[-2.0, 0.0, 3.0]])
    assert np.allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)))
    assert np.allclose(Tanh().forward(x), np.tanh(x))
    assert np.allclose(ReLU().forward(x), [[0.0, 0.0, 3.0]])
    assert np.allclose(LeakyReLU(0.1).forward(x), [[-0.2, 0.0, 3.0]])
    assert Linear().forward(x) is x


def test_sigmoid_is_stable_at_1000():
    x = np.array([[-1000.0, -710.0, 0.0, 710.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = Sigmoid().forward(x)
    assert np.all(np.isfinite(out))
    assert out[0, 0] == pytest.approx(0.0, abs=1e-300)
    assert out[0, 2] == 0.5
    assert out[0, -1] == 1.0


def test_bias_add_needs_a_row():
    with pytest.raises(ValueError, match=r"shape \(1, d\)"):
        BiasAdd(np.zeros((2, 3)))


def test_weight_multiply_needs_2d():
    with pytest.raises(ValueError, match="2-D"):
        WeightMultiply(np.zeros(3))


def test_output_grad_shape_rule_names_op_and_shapes(rng):
    op = WeightMultiply(rng.standard_normal((3, 2)))
    op.forward(rng.standard_normal((4, 3)))
    with pytest.raises(ShapeError, match=r"WeightMultiply: output_grad vs output.*\(4, 3\) vs \(4, 2\)"):
        op.backward(np.ones((4, 3)))


def test_input_grad_shape_rule(rng):
    class BadInputGrad(Linear):
        def _input_grad(self, output_grad):
            return output_grad[:, :1]

    op = BadInputGrad()
    op.forward(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"BadInputGrad: input_grad vs input.*\(3, 1\) vs \(3, 2\)"):
        op.backward(np.ones((3, 2)))


def test_param_grad_shape_rule(rng):
    class BadParamGrad(BiasAdd):
        def _param_grad(self, output_grad):
            return output_grad

    op = BadParamGrad(np.zeros((1, 2)))
    op.forward(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"BadParamGrad: param_grad vs param.*\(3, 2\) vs \(1, 2\)"):
        op.backward(np.ones((3, 2)))


def test_shape_rules_hold_under_python_O():
    code = (
        "import numpy as np\n"
        "from scratchnet import WeightMultiply, ShapeError\n"
        "op = WeightMultiply(np.ones((3, 2)))\n"
        "op.forward(np.ones((4, 3)))\n"
        "try:\n"
        "    op.backward(np.ones((4, 5)))\n"
        "except ShapeError as e:\n"
        "    print('raised', e)\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True)
    assert "raised WeightMultiply" in out.stdout


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'softplus'.*sigmoid"):
        get_activation("softplus")


def test_leaky_relu_alpha_validated():
    with pytest.raises(ValueError, match="alpha must be in"):
        LeakyReLU(alpha=-1)


def test_registry_gives_fresh_instances():
    assert get_activation("sigmoid") is not get_activation("sigmoid")
    assert isinstance(get_activation(None), Linear)
    assert get_activation({"name": "leaky_relu", "alpha": 0.2}).alpha == 0.2


@pytest.mark.parametrize(
    "make", [Sigmoid, ReLU, lambda: WeightMultiply(np.ones((3, 2))), lambda: BiasAdd(np.ones((1, 2)))]
)
def test_backward_before_forward_names_the_operation(make):
    op = make()
    with pytest.raises(RuntimeError, match=rf"^{type(op).__name__}: backward called before forward$"):
        op.backward(np.ones((4, 2)))


def test_a_param_grad_returned_as_a_new_array_lands_in_the_grad_buffer(rng):
    class NewArrayBias(BiasAdd):
        def _param_grad(self, output_grad):
            return output_grad.sum(axis=0, keepdims=True) * 1.0  # a new array, not grad_buffer

    op = NewArrayBias(np.zeros((1, 2)))
    op.grad_buffer = buffer = np.zeros((1, 2))
    op.forward(np.ones((3, 2)))
    op.backward(np.full((3, 2), 2.0))
    assert op.param_grad is buffer and np.array_equal(buffer, [[6.0, 6.0]])
