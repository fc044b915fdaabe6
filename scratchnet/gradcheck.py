"""Finite-difference gradient checks for Operations, losses and whole networks.

``gradient_check`` is the one network check: it compares backward's gradient
of every parameter with central finite differences, optionally on a spread
of entries only and with several steps ``h``, and says when float64 rounding
of the loss alone could explain a gap. ``check_network`` is its short form,
one relative error per parameter name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .network import NeuralNetwork

TOLERANCE = 1e-6  # a gradient check passes below this relative error
ROUNDING = float(np.finfo(np.float64).eps)
NOISE_MARGIN = 10.0  # rounding builds up through the layers: allow ten times the rounding of one loss value


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Return central differences of the scalar ``f()`` with respect to ``x``, changed in place.

    Parameters
    ----------
    f : callable
        Takes no arguments and returns a float that depends on ``x``.
    x : ndarray, any shape
        Nudged by ``+h`` and ``-h`` one entry at a time, and put back.
    h : float
        The finite-difference step.

    Returns
    -------
    ndarray, shape of ``x``
        ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every entry ``i``; ``x``
        is left as it was.
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
    """Return ``||a - b|| / (||a|| + ||b||)`` (Euclidean norms), 0 when both are zero.

    Normalising by the whole array rather than element by element keeps an
    exactly-zero gradient entry (a dead ReLU, say) from counting as a 100 %
    error when the finite difference gives 1e-11 there.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b) / denom)


@dataclass(frozen=True)
class GradCheck:
    """Backward's gradient of one parameter against central finite differences.

    Attributes
    ----------
    name : str
        ``"W1"``, ``"B1"``, ...
    shape : tuple of int
        The parameter's shape.
    checked : int
        Entries compared (all of them unless ``max_checked`` was smaller).
    rel_error : float
        ``relative_error`` of the compared entries.
    difference : float
        Euclidean norm of analytic minus numerical gradient.
    noise : float
        How large ``difference`` can get from float64 rounding of the loss
        alone: ``NOISE_MARGIN * eps * |L| / h * sqrt(checked)``. A network
        whose loss is huge (say 1e18) cannot be checked by finite
        differences to 1e-6.
    h : float
        The finite-difference step of this result.
    """

    name: str
    shape: tuple[int, ...]
    checked: int
    rel_error: float
    difference: float = 0.0
    noise: float = 0.0
    h: float = 1e-6

    @property
    def size(self) -> int:
        """Return the number of entries of the parameter."""
        return math.prod(self.shape)

    @property
    def passed(self) -> bool:
        """Return True when ``rel_error`` is below ``TOLERANCE``."""
        return bool(self.rel_error < TOLERANCE)

    @property
    def status(self) -> str:
        """Return ``"pass"``, ``"rounding"`` (within float64 rounding, undecided) or ``"fail"``."""
        if self.passed:
            return "pass"
        return "rounding" if self.difference <= self.noise else "fail"


def gradient_check(
    net: NeuralNetwork,
    X: np.ndarray,
    y: np.ndarray,
    max_checked: int | None = None,
    steps: Sequence[float] = (1e-5,),
) -> list[GradCheck]:
    """Compare backward's gradient of every parameter (W1, B1, ...) with central finite differences.

    One ``train_batch`` gives the analytic gradients; then each compared
    entry of each parameter is nudged by ``+h`` and ``-h`` and the loss
    recomputed. The weights are unchanged afterwards.

    - A parameter with more than ``max_checked`` entries is compared on
      ``max_checked`` or fewer entries spread evenly over it.
    - A parameter that does not pass with the first step ``h`` is tried
      with the next steps (a too large step suffers from curvature, a too
      small one from rounding; a wrong gradient fails with every step), and
      the best result is kept.
    - Each result carries the gap float64 rounding of the loss alone can
      cause (``GradCheck.noise``), so a caller can tell when the check
      cannot decide.

    Parameters
    ----------
    net : NeuralNetwork
        Built for ``X``'s columns.
    X : ndarray, shape (n, d)
    y : ndarray, shape (n, d_out)
    max_checked : int, optional
        Most entries compared per parameter; by default all of them.
    steps : sequence of float
        Finite-difference steps ``h`` to try, in order.

    Returns
    -------
    list of GradCheck
        One per parameter, in the order of ``net.param_names()``.
    """
    X, y = _check_batch(net, X, y)
    _check_settings(max_checked, steps)
    loss_value = net.train_batch(X, y)
    analytic = [np.array(g, copy=True) for g in net.param_grads()]

    def loss() -> float:
        return net.loss.forward(net.forward(X), y)

    results = []
    for name, param, grad in zip(net.param_names(), net.params(), analytic, strict=True):
        flat = param.reshape(-1)
        if not np.shares_memory(flat, param):
            raise ValueError(f"{name} is not stored contiguously, so it cannot be checked in place")
        every = 1 if max_checked is None else max(1, math.ceil(param.size / max_checked))
        view = flat[::every]  # a view: numerical_gradient nudges the real weights and puts them back
        exact = grad.reshape(-1)[::every]
        tries: list[GradCheck] = []
        for h in steps:
            tries.append(_compare(name, param.shape, exact, numerical_gradient(loss, view, h), loss_value, h))
            if tries[-1].passed:
                break
        results.append(min(tries, key=lambda r: r.rel_error))  # the first of equal errors
    return results


def check_network(net: NeuralNetwork, X: np.ndarray, y: np.ndarray, h: float = 1e-5) -> dict[str, float]:
    """Return, for each parameter (W1, B1, ...), the relative error of backward vs finite differences.

    ``gradient_check`` with every entry compared and the one step ``h``.
    ``net`` must be built (run ``forward`` once); its weights are unchanged
    afterwards.
    """
    return {r.name: r.rel_error for r in gradient_check(net, X, y, steps=(h,))}


def _check_batch(net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` ``(n, d)`` and ``y`` ``(n, d_out)`` as float64, checked against ``net``."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must be 2-D with the same rows, got shapes {X.shape} and {y.shape}")
    if not net.built or net.layers[0].input_width != X.shape[1]:
        raise ValueError(f"the network must be built for the batch's {X.shape[1]} features")
    return X, y


def _check_settings(max_checked: int | None, steps: Sequence[float]) -> None:
    """Raise ``ValueError`` for a ``max_checked`` below 1 or a step that is not positive."""
    if max_checked is not None and (
        isinstance(max_checked, bool) or not isinstance(max_checked, (int, np.integer)) or max_checked < 1
    ):
        raise ValueError(f"max_checked must be a whole number >= 1, got {max_checked!r}")
    if not steps or any(not h > 0 for h in steps):
        raise ValueError(f"steps must be positive numbers, got {steps!r}")


def _compare(
    name: str, shape: tuple[int, ...], exact: np.ndarray, numeric: np.ndarray, loss_value: float, h: float
) -> GradCheck:
    """Compare ``exact`` (backward) with ``numeric`` (finite differences with step ``h``), both ``(k,)``."""
    noise = NOISE_MARGIN * ROUNDING * abs(loss_value) / h * math.sqrt(exact.size)
    difference = float(np.linalg.norm(exact - numeric))
    return GradCheck(name, tuple(shape), exact.size, relative_error(exact, numeric), difference, noise, h)
