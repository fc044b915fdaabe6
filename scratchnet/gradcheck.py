"""Finite-difference gradient checks for Operations, losses and whole networks."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .network import NeuralNetwork


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
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


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """``max |a - b| / max(|a| + |b|, floor)``, elementwise, as one number."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def check_network(net: NeuralNetwork, X: np.ndarray, y: np.ndarray, h: float = 1e-6) -> dict[str, float]:
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
