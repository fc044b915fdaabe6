"""Finite-difference gradient checks for Operations, losses and whole networks."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .network import NeuralNetwork


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``x``, changed in place.

    Returns an array of ``x``'s shape; ``x`` is left as it was.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)`` (Euclidean norms), 0 when both are zero.

    Normalising by the whole array rather than element by element keeps an
    exactly-zero gradient entry (a dead ReLU, say) from counting as a 100 %
    error when the finite difference gives 1e-11 there.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b) / denom)


def check_network(net: NeuralNetwork, X: np.ndarray, y: np.ndarray, h: float = 1e-5) -> dict[str, float]:
    """For each parameter (W1, B1, ...), the max relative error of backward vs finite differences.

    ``net`` must be built (run ``forward`` once); its weights are unchanged afterwards.
    """
    net.train_batch(X, y)
    analytic = [g.copy() for g in net.param_grads()]

    def loss() -> float:
        return net.loss.forward(net.forward(X), y)

    errors = {}
    for name, param, grad in zip(net.param_names(), net.params(), analytic, strict=True):
        errors[name] = relative_error(grad, numerical_gradient(loss, param, h))
    return errors
