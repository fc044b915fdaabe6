"""The gradient check of the "Inside the network" page: backward against finite differences.

The check itself is ``scratchnet.gradcheck.gradient_check`` (sampling of
large parameters, several finite-difference steps, a bound on what float64
rounding can explain); this module chooses how many entries fit the page's
time budget and how many rows of the batch are used, and turns the results
into the page's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.logic.inside import FAIL, PASS, Inspection, as_batch
from scratchnet import NeuralNetwork, gradcheck
from scratchnet.gradcheck import TOLERANCE, GradCheck

__all__ = ["TOLERANCE", "CheckReport", "GradCheck", "check", "checked_per_parameter", "gradient_check"]

FINITE_STEPS = (1e-6, 1e-7, 1e-5)  # the first is the page's; the others are tried if it fails
CHECK_ROWS = 64  # the gradient check uses at most this many rows of the batch
CHECK_SECONDS = 0.3  # aim of the gradient check's running time
CHECK_RATE = 5e9  # multiply-adds per second assumed for a forward pass (conservative)
LAYER_OVERHEAD = 50_000  # Python overhead of one layer's forward pass, in multiply-adds
MARKS = {"pass": PASS, "fail": FAIL, "rounding": "⚠ rounding-limited"}


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

    ``scratchnet.gradcheck.gradient_check`` (whose docstring gives the arguments
    and the result, one ``GradCheck`` per parameter) on the page's batch, ``X``
    of shape ``(n, d)`` and ``y`` of shape ``(n, 1)``, with the page's steps and,
    by default, as many entries per parameter as ``checked_per_parameter(net, n)``
    allows. When every entry is compared and the first step passes, the errors
    equal ``scratchnet.gradcheck.check_network``'s with ``h = 1e-6``.
    """
    X, y = as_batch(X, y)
    if max_checked is None:
        max_checked = checked_per_parameter(net, X.shape[0])
    return gradcheck.gradient_check(net, X, y, max_checked, steps)


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
