"""The gradient check of the "Inside the network" page: backward against finite differences.

Builds on ``scratchnet.gradcheck`` (its ``numerical_gradient`` and
``relative_error``), adding sampling of large parameters, several
finite-difference steps and a bound on what float64 rounding can explain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scratchnet import NeuralNetwork
from scratchnet.gradcheck import numerical_gradient, relative_error

from .inside import FAIL, PASS, Inspection, as_batch

TOLERANCE = 1e-6  # a gradient check passes below this relative error
FINITE_STEPS = (1e-6, 1e-7, 1e-5)  # the first is check_network's; the others are tried if it fails
ROUNDING = float(np.finfo(np.float64).eps)
NOISE_MARGIN = 10.0  # rounding builds up through the layers: allow ten times the rounding of one loss value
CHECK_ROWS = 64  # the gradient check uses at most this many rows of the batch
CHECK_SECONDS = 0.3  # aim of the gradient check's running time
CHECK_RATE = 5e9  # multiply-adds per second assumed for a forward pass (conservative)
LAYER_OVERHEAD = 50_000  # Python overhead of one layer's forward pass, in multiply-adds
MARKS = {"pass": PASS, "fail": FAIL, "rounding": "⚠ rounding-limited"}


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
        Entries compared (all of them unless the parameter is large).
    rel_error : float
        ``scratchnet.gradcheck.relative_error`` of the compared entries.
    difference : float
        Euclidean norm of analytic minus numerical gradient.
    h : float
        The finite-difference step of this result.
    noise : float
        How large ``difference`` can get from float64 rounding of the loss
        alone: ``NOISE_MARGIN * eps * |L| / h * sqrt(checked)``. A network whose loss is huge
        (say 1e18) cannot be checked by finite differences to 1e-6.
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
        return math.prod(self.shape)

    @property
    def passed(self) -> bool:
        return bool(self.rel_error < TOLERANCE)

    @property
    def status(self) -> str:
        """``"pass"``; ``"rounding"`` when it does not pass but the gap is within float64 rounding; ``"fail"``."""
        if self.passed:
            return "pass"
        return "rounding" if self.difference <= self.noise else "fail"


def checked_per_parameter(net: NeuralNetwork, n_rows: int) -> int:
    """How many entries of each parameter the gradient check compares, to stay near ``CHECK_SECONDS``.

    Each compared entry costs two forward passes. A forward pass is costed
    as ``n_rows * n_params`` multiply-adds plus a fixed overhead per layer,
    at a conservative ``CHECK_RATE`` per second; the entries this buys are
    shared out equally between the parameters (at least one each). The
    book's presets and small nets get far more than they have, so all their
    entries are compared.
    """
    n_params = sum(p.size for p in net.params())
    per_forward = (int(n_rows) * n_params + LAYER_OVERHEAD * len(net.layers)) / CHECK_RATE
    entries = int(CHECK_SECONDS / (2.0 * per_forward))
    return max(1, entries // (2 * len(net.layers)))


def gradient_check(
    net: NeuralNetwork,
    X: np.ndarray,
    y: np.ndarray,
    max_checked: int | None = None,
    steps: Sequence[float] = FINITE_STEPS,
) -> list[GradCheck]:
    """Backward's gradient of every parameter (W1, B1, ...) against central finite differences.

    Works like ``scratchnet.gradcheck.check_network`` (and gives the same
    errors when every entry is compared and the first step passes), using its
    ``numerical_gradient`` and ``relative_error``. In addition:

    - a parameter with more than ``max_checked`` entries is compared on
      ``max_checked`` or fewer entries spread evenly over it;
    - a parameter that does not pass with the first step ``h`` is tried
      with the next steps (a too large step suffers from curvature, a too
      small one from rounding; a wrong gradient fails with every step), and
      the best result is kept;
    - each result carries the error that float64 rounding of the loss alone
      can cause, so that the page can say when the check cannot decide.

    The weights are unchanged afterwards.

    Parameters
    ----------
    net : NeuralNetwork
        Built for ``X``'s columns.
    X : ndarray, shape (n, d)
    y : ndarray, shape (n, 1)
    max_checked : int, optional
        Most entries compared per parameter; by default
        ``checked_per_parameter(net, n)``.
    steps : sequence of float
        Finite-difference steps ``h`` to try, in order.

    Returns
    -------
    list of GradCheck
        One per parameter, in the order of ``net.param_names()``.
    """
    X, y = as_batch(X, y)
    if not net.built or net.layers[0].input_width != X.shape[1]:
        raise ValueError(f"the network must be built for the batch's {X.shape[1]} features")
    if max_checked is None:
        max_checked = checked_per_parameter(net, X.shape[0])
    if isinstance(max_checked, bool) or not isinstance(max_checked, (int, np.integer)) or max_checked < 1:
        raise ValueError(f"max_checked must be a whole number >= 1, got {max_checked!r}")
    if not steps or any(not h > 0 for h in steps):
        raise ValueError(f"steps must be positive numbers, got {steps!r}")
    loss_value = net.train_batch(X, y)
    analytic = [np.array(g, copy=True) for g in net.param_grads()]

    def loss() -> float:
        return net.loss.forward(net.forward(X), y)

    results = []
    for name, param, grad in zip(net.param_names(), net.params(), analytic, strict=True):
        flat = param.reshape(-1)
        if not np.shares_memory(flat, param):
            raise ValueError(f"{name} is not stored contiguously, so it cannot be checked in place")
        every = max(1, math.ceil(param.size / max_checked))
        view = flat[::every]  # a view: numerical_gradient nudges the real weights and puts them back
        exact = grad.reshape(-1)[::every]
        best = None
        for h in steps:
            result = _compare(name, param.shape, exact, numerical_gradient(loss, view, h), loss_value, h)
            if best is None or result.rel_error < best.rel_error:
                best = result
            if best.passed:
                break
        results.append(best)
    return results


def _compare(
    name: str, shape: tuple[int, ...], exact: np.ndarray, numeric: np.ndarray, loss_value: float, h: float
) -> GradCheck:
    """``exact`` (backward) against ``numeric`` (finite differences with step ``h``), both of shape ``(k,)``."""
    noise = NOISE_MARGIN * ROUNDING * abs(loss_value) / h * math.sqrt(exact.size)
    difference = float(np.linalg.norm(exact - numeric))
    return GradCheck(name, tuple(shape), exact.size, relative_error(exact, numeric), difference, noise, h)


@dataclass(frozen=True)
class CheckReport:
    """The gradient check of an inspection: one ``GradCheck`` per parameter and how it was run.

    Attributes
    ----------
    results : tuple of GradCheck
    rows : int
        Rows of the batch the check used (at most ``CHECK_ROWS``).
    batch_rows : int
        Rows of the whole batch.
    max_checked : int
        Most entries compared per parameter.
    n_params : int
        All parameters of the network.
    """

    results: tuple[GradCheck, ...]
    rows: int
    batch_rows: int
    max_checked: int
    n_params: int

    @property
    def status(self) -> str:
        """``"fail"`` if any parameter fails, else ``"rounding"`` if any cannot be decided, else ``"pass"``."""
        statuses = {r.status for r in self.results}
        for status in ("fail", "rounding"):
            if status in statuses:
                return status
        return "pass"

    @property
    def max_rel_error(self) -> float:
        return max(r.rel_error for r in self.results)

    @property
    def sampled(self) -> bool:
        """True when some parameter was compared on part of its entries only."""
        return any(r.checked < r.size for r in self.results)

    def table(self) -> list[dict[str, str]]:
        """One row per parameter for the page: name, shape, entries compared, error, step, mark."""
        return [
            {
                "Parameter": r.name,
                "Shape": str(r.shape),
                "Entries compared": f"{r.checked} of {r.size}",
                "Relative error": f"{r.rel_error:.2e}",
                "Step h": f"{r.h:g}",
                "Result": MARKS[r.status],
            }
            for r in self.results
        ]


def check(inspection: Inspection, max_rows: int = CHECK_ROWS) -> CheckReport:
    """The gradient check of ``inspection``'s network on (at most ``max_rows`` rows of) its batch."""
    rows = min(int(max_rows), inspection.X.shape[0])
    X, y = inspection.X[:rows], inspection.y[:rows]
    max_checked = checked_per_parameter(inspection.net, rows)
    results = gradient_check(inspection.net, X, y, max_checked)
    n_params = sum(p.size for p in inspection.net.params())
    return CheckReport(tuple(results), rows, inspection.X.shape[0], max_checked, n_params)
