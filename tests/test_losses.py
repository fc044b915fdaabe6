import warnings

import numpy as np
import pytest

from scratchnet import (
    LOSSES,
    SGD,
    Dense,
    HuberLoss,
    MeanSquaredError,
    NeuralNetwork,
    ShapeError,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    Trainer,
    accuracy,
    get_loss,
)
from scratchnet.gradcheck import check_network, numerical_gradient, relative_error


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


# ----- classification losses ------------------------------------------------------------
def one_hot(labels, k):
    return np.eye(k)[labels]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 5, 12])
def test_sigmoid_cross_entropy_gradient(rng, n):
    z = rng.standard_normal((n, 1)) * 4
    y = rng.integers(0, 2, (n, 1)).astype(float)
    loss = SigmoidCrossEntropy()
    loss.forward(z, y)
    grad = loss.backward().copy()
    assert np.allclose(grad, (1 / (1 + np.exp(-z)) - y) / n, rtol=1e-12, atol=0)
    numeric = numerical_gradient(lambda: loss.forward(z, y), z)
    assert relative_error(grad, numeric) < 1e-7


@pytest.mark.parametrize("n, k", [(1, 2), (6, 3), (9, 5)])
def test_softmax_cross_entropy_gradient(rng, n, k):
    z = rng.standard_normal((n, k)) * 3
    y = one_hot(rng.integers(0, k, n), k)
    loss = SoftmaxCrossEntropy()
    loss.forward(z, y)
    grad = loss.backward().copy()
    assert np.allclose(grad, (softmax(z) - y) / n, rtol=1e-12, atol=1e-15)
    numeric = numerical_gradient(lambda: loss.forward(z, y), z)
    assert relative_error(grad, numeric) < 1e-7


def test_sigmoid_cross_entropy_values():
    loss = SigmoidCrossEntropy()
    assert loss.forward(np.zeros((4, 1)), np.array([[0.0], [1.0], [1.0], [0.0]])) == pytest.approx(np.log(2))
    assert np.allclose(loss.backward(), [[0.125], [-0.125], [-0.125], [0.125]])
    z, y = np.array([[2.0], [-1.0]]), np.array([[1.0], [1.0]])
    # -log sigmoid(z) = log(1 + exp(-z)), the brief's formula with y = 1
    expected = (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(1.0))) / 2
    assert loss.forward(z, y) == pytest.approx(expected, rel=1e-14)
    # y = 0: log(1 + exp(-z)) + z
    assert loss.forward(z, 1 - y) == pytest.approx((np.log1p(np.exp(-2.0)) + 2 + np.log1p(np.exp(1.0)) - 1) / 2)


def test_softmax_cross_entropy_values():
    loss = SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((2, 4)), one_hot([0, 3], 4)) == pytest.approx(np.log(4))
    z = np.array([[1.0, 2.0, 3.0]])
    assert loss.forward(z, one_hot([2], 3)) == pytest.approx(-np.log(softmax(z)[0, 2]), rel=1e-14)


def test_cross_entropies_are_stable_for_huge_logits():
    big = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or a log(0) would raise here
        sig = SigmoidCrossEntropy()
        assert sig.forward(big, y) == pytest.approx(2000 / 4)  # right answers cost 0, wrong ones |z|
        assert np.array_equal(sig.backward(), np.array([[0.0], [0.0], [1.0], [-1.0]]) / 4)
        soft = SoftmaxCrossEntropy()
        z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
        assert soft.forward(z, one_hot([0, 0], 2)) == pytest.approx(1000.0)  # (0 + 2000) / 2
        assert np.array_equal(soft.backward(), np.array([[0.0, 0.0], [-0.5, 0.5]]))


def test_cross_entropy_misuse():
    with pytest.raises(ShapeError, match=r"SigmoidCrossEntropy.*\(3, 1\) vs \(3,\)"):
        SigmoidCrossEntropy().forward(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\].*got 2.0"):
        SigmoidCrossEntropy().forward(np.zeros((3, 1)), np.array([[0.0], [1.0], [2.0]]))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\].*got nan"):
        SigmoidCrossEntropy().forward(np.zeros((2, 1)), np.array([[0.0], [np.nan]]))
    with pytest.raises(ValueError, match=r"k >= 2 classes, got \(3, 1\).*sigmoid_cross_entropy"):
        SoftmaxCrossEntropy().forward(np.zeros((3, 1)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="one-hot rows; row 1 sums to 2.0"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 2)), np.array([[1.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(RuntimeError, match="^SoftmaxCrossEntropy: backward called before forward$"):
        SoftmaxCrossEntropy().backward()


def test_cross_entropy_registry_round_trip():
    for name, cls in [("sigmoid_cross_entropy", SigmoidCrossEntropy), ("softmax_cross_entropy", SoftmaxCrossEntropy)]:
        loss = get_loss(name)
        assert type(loss) is cls and LOSSES[name] is cls
        assert type(get_loss(loss.get_config())) is cls
    alias = get_loss("log_loss")
    assert type(alias) is SigmoidCrossEntropy and alias.get_config() == {"name": "sigmoid_cross_entropy"}
    assert type(get_loss({"name": "LOG_LOSS"})) is SigmoidCrossEntropy
    assert "log_loss" not in LOSSES  # one entry per loss: a list of choices shows each once
    net = NeuralNetwork([Dense(3, "tanh"), Dense(1)], "log_loss")
    assert NeuralNetwork.from_config(net.get_config()).loss.name == "sigmoid_cross_entropy"


def test_network_with_sigmoid_cross_entropy_gradients(rng):
    X = rng.standard_normal((8, 3))
    y = rng.integers(0, 2, (8, 1)).astype(float)
    net = NeuralNetwork([Dense(4, "tanh"), Dense(1)], "sigmoid_cross_entropy", seed=5)
    net.forward(X)
    assert max(check_network(net, X, y).values()) < 1e-6


def test_network_learns_a_separable_problem_with_log_loss():
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (60, 2))
    X = X[np.abs(X[:, 0] + X[:, 1]) > 0.2]  # a margin around the line x1 + x2 = 0
    y = (X[:, :1] + X[:, 1:] > 0).astype(float)
    net = NeuralNetwork([Dense(4, "tanh"), Dense(1)], "sigmoid_cross_entropy", seed=1)
    trainer = Trainer(net, SGD(lr=0.5))
    reports = trainer.fit(X, y, X, y, epochs=200, eval_every=200, batch_size=16, seed=1)
    logits = net.predict(X)
    assert accuracy(y, logits > 0) == 1.0
    assert reports[-1].val_loss < 0.1
