import numpy as np
import pytest

from scratchnet import HuberLoss, MeanSquaredError, ShapeError, get_loss
from scratchnet.gradcheck import numerical_gradient, relative_error


def test_mse_is_the_books_sum_over_n():
    p = np.array([[1.0], [2.0], [4.0]])
    y = np.array([[0.0], [2.0], [1.0]])
    loss = MeanSquaredError()
    assert loss.forward(p, y) == pytest.approx((1 + 0 + 9) / 3)
    assert np.allclose(loss.backward(), 2 * (p - y) / 3)


@pytest.mark.parametrize("loss", [MeanSquaredError(), HuberLoss(0.5), HuberLoss(2.0)])
@pytest.mark.parametrize("n", [1, 4, 9])
def test_loss_gradients(rng, loss, n):
    p = rng.standard_normal((n, 1)) * 3
    y = rng.standard_normal((n, 1))
    # keep every residual away from Huber's kinks at +-delta
    r = p - y
    delta = getattr(loss, "delta", 1.0)
    near = np.abs(np.abs(r) - delta) < 0.05
    p[near] += 0.2
    loss.forward(p, y)
    grad = loss.backward().copy()
    numeric = numerical_gradient(lambda: loss.forward(p, y), p)
    assert relative_error(grad, numeric) < 1e-6


def test_huber_values():
    loss = HuberLoss(delta=1.0)
    p = np.array([[0.5], [3.0]])
    y = np.zeros((2, 1))
    # 0.5 * 0.25 = 0.125; 1 * (3 - 0.5) = 2.5; divided by N = 2
    assert loss.forward(p, y) == pytest.approx((0.125 + 2.5) / 2)
    assert np.allclose(loss.backward(), [[0.25], [0.5]])


def test_loss_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"MeanSquaredError.*\(3, 1\) vs \(3,\)"):
        MeanSquaredError().forward(np.zeros((3, 1)), np.zeros(3))


def test_loss_registry():
    assert isinstance(get_loss("mse"), MeanSquaredError)
    assert get_loss({"name": "huber", "delta": 2}).delta == 2.0
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        get_loss("l1")
    with pytest.raises(ValueError, match="delta must be > 0, got -1"):
        HuberLoss(-1)


@pytest.mark.parametrize("loss", [MeanSquaredError(), HuberLoss()])
def test_backward_before_forward_names_the_loss(loss):
    with pytest.raises(RuntimeError, match=rf"^{type(loss).__name__}: backward called before forward$"):
        loss.backward()
