"""The slope of one weight: the chapter's whole idea in one picture.

The loss of one batch as a function of a single weight ``W[row, col]`` of one layer, every other
parameter frozen; the gradient backpropagation gives for that weight, which is the slope of that
curve at the weight's current value; a central finite difference of the same curve beside it; and
where the next SGD step (``w - lr * gradient``) lands on the curve. Everything runs on a copy of the
network, so the network itself (perhaps training in another thread) is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import get_loss
from .network import NeuralNetwork


@dataclass(frozen=True)
class Slope:
    """The loss along one weight.

    ``weights`` and ``losses`` are ``(points,)``: the curve. ``w0`` is the weight's value now and ``loss0``
    the batch loss there; ``gradient`` is backpropagation's dLoss/dW[row, col]; ``finite_difference`` the
    central difference ``(L(w0 + h) - L(w0 - h)) / 2h``; ``w_next = w0 - lr * gradient`` and ``loss_next``
    the loss there.
    """

    layer: int
    row: int
    col: int
    weights: np.ndarray
    losses: np.ndarray
    w0: float
    loss0: float
    gradient: float
    finite_difference: float
    lr: float
    w_next: float
    loss_next: float


def weight_slope(
    net: NeuralNetwork,
    layer: int,
    row: int,
    col: int,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    points: int = 51,
) -> Slope:
    """Return the batch loss along weight ``W[row, col]`` of ``net.layers[layer]`` (from 0), the others frozen.

    Parameters
    ----------
    net : NeuralNetwork
        Built; copied, never changed.
    layer, row, col : int
        The layer (index into ``net.layers``) and the weight's row (its input) and column (its neuron).
    X : ndarray, shape (n, d)
    y : ndarray, shape (n, d_out)
        The batch.
    lr : float
        The learning rate of the step drawn (> 0).
    points : int
        Values of the weight on the curve (at least 5); the curve spans the current value and the next
        step's, with room on both sides.
    """
    if not net.built:
        raise ValueError("the network is not built yet: train it a step, or predict once, first")
    if not 0 <= layer < len(net.layers):
        raise ValueError(f"layer must be from 0 to {len(net.layers) - 1}, got {layer!r}")
    W = net.layers[layer].params[0]
    if not (0 <= row < W.shape[0] and 0 <= col < W.shape[1]):
        raise ValueError(f"W{layer + 1} has shape {W.shape}; there is no weight [{row}, {col}]")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be > 0, got {lr!r}")
    if points < 5:
        raise ValueError(f"points must be at least 5, got {points!r}")
    copy = net.clone()
    weight = copy.layers[layer].params[0]
    w0 = float(weight[row, col])
    loss = get_loss(copy.loss.get_config())

    def loss_at(value: float) -> float:
        weight[row, col] = value
        return float(loss.forward(copy.predict(X), y))

    gradient = _gradient(copy, layer, row, col, X, y)
    h = 1e-6 * max(1.0, abs(w0))
    finite_difference = (loss_at(w0 + h) - loss_at(w0 - h)) / (2 * h)
    w_next = w0 - lr * gradient
    half = max(1.25 * abs(w_next - w0), 0.5 * max(1.0, abs(w0)))
    weights = np.linspace(w0 - half, w0 + half, points)
    losses = np.array([loss_at(float(w)) for w in weights])
    loss_next = loss_at(w_next)
    loss0 = loss_at(w0)
    return Slope(layer, row, col, weights, losses, w0, loss0, gradient, finite_difference, float(lr), w_next,
                 loss_next)


def _gradient(copy: NeuralNetwork, layer: int, row: int, col: int, X: np.ndarray, y: np.ndarray) -> float:
    """Backpropagation's dLoss/dW[row, col] of the batch (forward and backward on the copy; no update)."""
    copy.train_batch(X, y)
    return float(copy.layers[layer].param_grads[0][row, col])
