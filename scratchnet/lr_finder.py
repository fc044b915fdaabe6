"""A learning-rate range test: train briefly while the rate rises geometrically, and read the loss curve.

``find_lr`` copies a network (same starting weights, the caller's network is never touched), trains
the copy for up to ``steps`` shuffled batches while the learning rate rises from ``low`` to ``high``
by a constant factor per batch, and records each batch's loss and a smoothed curve (an exponential
moving average with bias correction). It stops when the smoothed loss exceeds ``diverge_factor``
times its minimum or a loss stops being finite.

The curve is read in three zones along the rates tried:

* **too small**: from the first rate until the smoothed loss has fallen by ``small_fraction`` (10%) of
  its whole fall to the minimum; the steps are too small to move the loss much;
* **good**: from there to the minimum of the smoothed loss, the steep descent;
* **diverging**: after the minimum, where the loss rises.

The suggestion is the rate of the minimum divided by 10, moved into the good zone if it falls outside,
then snapped to the nearest rate of ``scale`` (by default the playground's ``LEARNING_RATES``) that
lies inside the good zone. A tenth of the minimum's rate is chosen rather than the steepest slope of
the smoothed curve: the minimum sits where the steps already begin to overshoot, a tenth of it is
still well down the descent, and it depends on one robust point of the curve instead of a derivative
of a noisy one. When no rate of the scale lies inside the good zone (no clear descent), there is no
suggestion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .config import LEARNING_RATES
from .network import NeuralNetwork
from .optimizers import Optimizer, get_optimizer


@dataclass(frozen=True)
class LRFinderResult:
    """What one range test recorded and what it suggests.

    Attributes
    ----------
    rates : np.ndarray
        The learning rate of each batch trained, shape ``(n,)``, rising geometrically.
    losses : np.ndarray
        Each batch's loss before its update, shape ``(n,)``; the last may be non-finite.
    smoothed : np.ndarray
        The bias-corrected exponential moving average of ``losses``, shape ``(n,)``.
    small_end : float or None
        The rate where the "too small" zone ends and the "good" zone begins.
    good_end : float or None
        The rate of the smoothed loss's minimum: the "good" zone ends, "diverging" begins.
    suggestion : float or None
        The suggested rate, on ``scale`` and inside ``[small_end, good_end]``; None without a clear descent.
    raw_suggestion : float or None
        The rate before snapping: a tenth of ``good_end``, moved into the good zone.
    stopped : str
        Why the test ended: ``"diverged"`` (smoothed loss above the factor times its minimum),
        ``"not finite"`` (a loss overflowed) or ``"completed"`` (every step ran).
    """

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    small_end: float | None
    good_end: float | None
    suggestion: float | None
    raw_suggestion: float | None
    stopped: str

    @property
    def steps(self) -> int:
        """Return the number of batches trained."""
        return int(self.rates.size)

    @property
    def min_index(self) -> int:
        """Return the index of the smoothed loss's minimum (over its finite values)."""
        finite = np.where(np.isfinite(self.smoothed), self.smoothed, np.inf)
        return int(np.argmin(finite))


def find_lr(
    net: NeuralNetwork | Callable[[], NeuralNetwork],
    optimizer: Optimizer | str | dict,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int = 32,
    seed: int = 0,
    low: float = 1e-5,
    high: float = 10.0,
    steps: int = 200,
    *,
    start_params: Sequence[np.ndarray] | None = None,
    beta: float = 0.9,
    diverge_factor: float = 4.0,
    small_fraction: float = 0.1,
    scale: Sequence[float] = LEARNING_RATES,
) -> LRFinderResult:
    """Run a learning-rate range test on a copy of ``net``; ``net`` itself is left unchanged.

    Parameters
    ----------
    net : NeuralNetwork or callable
        The network to copy (``from_config(get_config())``), or a function returning a fresh one.
        A built network's current weights are the copy's starting weights; an unbuilt one's copy draws
        the same starting weights from its seed.
    optimizer : Optimizer, str or dict
        The optimizer type (and settings, e.g. momentum); a fresh one is made, its rate set per batch.
    X, y : np.ndarray
        Training rows ``(n, d)`` and targets ``(n, 1)``.
    batch_size : int
        Rows per batch; batches are drawn from reshuffled passes over the rows.
    seed : int
        Seeds the shuffles; the same seed gives the same result.
    low, high : float
        The first and last learning rates, ``0 < low < high``.
    steps : int
        The most batches to train (at least 2).
    start_params : sequence of np.ndarray, optional
        Starting weights in ``params()`` order (W1, B1, ...), overriding the network's.
    beta : float
        The moving average's decay, in ``[0, 1)``.
    diverge_factor : float
        Stop once the smoothed loss exceeds this multiple of its minimum (> 1).
    small_fraction : float
        The share of the fall to the minimum that ends the "too small" zone, in ``(0, 1)``.
    scale : sequence of float
        The rates a suggestion may take.

    Returns
    -------
    LRFinderResult
        The rates, losses, smoothed losses, zone boundaries and suggestion.
    """
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2, got {steps!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    if not diverge_factor > 1.0:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor}")
    if not 0.0 < small_fraction < 1.0:
        raise ValueError(f"small_fraction must be in (0, 1), got {small_fraction}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X must be 2-D with one target per row, got X {X.shape} and y {y.shape}")
    if y.ndim == 1:
        y = y[:, None]

    copy = _copy_network(net, X.shape[1], start_params)
    optim = get_optimizer(optimizer.get_config() if isinstance(optimizer, Optimizer) else optimizer)
    optim.net = copy
    rates = low * (high / low) ** (np.arange(steps) / (steps - 1))
    losses, smoothed = _range_test(copy, optim, X, y, int(batch_size), int(seed), rates, beta, diverge_factor)
    n = smoothed.size
    rates = rates[:n]
    if not math.isfinite(losses[-1]):
        stopped = "not finite"
    elif n < steps:
        stopped = "diverged"
    else:
        stopped = "completed"
    small_end, good_end, raw, suggestion = _read_curve(rates, losses[:n], smoothed, small_fraction, scale)
    return LRFinderResult(rates, losses, smoothed, small_end, good_end, suggestion, raw, stopped)


def _copy_network(
    net: NeuralNetwork | Callable[[], NeuralNetwork], width: int, start_params: Sequence[np.ndarray] | None
) -> NeuralNetwork:
    """Return a new built network with ``net``'s architecture and starting weights."""
    if isinstance(net, NeuralNetwork):
        copy = net.clone()
    else:
        copy = net()
        if not isinstance(copy, NeuralNetwork):
            raise TypeError(f"the network factory must return a NeuralNetwork, got {type(copy).__name__}")
        if copy.built:
            copy.reset()
    if not copy.built:
        copy.build(width)
    if start_params is not None:
        flat = copy.flat()[0]
        values = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in start_params])
        if values.size != flat.size:
            raise ValueError(f"start_params hold {values.size} numbers; the network has {flat.size}")
        flat[:] = values
    return copy


def _range_test(
    net: NeuralNetwork,
    optim: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    seed: int,
    rates: np.ndarray,
    beta: float,
    diverge_factor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Train one batch per rate; return the losses and smoothed losses up to the stop."""
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    size = min(batch_size, n)
    order, row = rng.permutation(n), 0
    losses, smoothed = [], []
    average, best = 0.0, math.inf
    with np.errstate(all="ignore"):
        for i, rate in enumerate(rates):
            if row + size > n:  # a new shuffled pass; batches are always full
                order, row = rng.permutation(n), 0
            pick = order[row : row + size]
            row += size
            loss = float(net.train_batch(X[pick], y[pick]))
            average = beta * average + (1.0 - beta) * loss
            smooth = average / (1.0 - beta ** (i + 1))
            losses.append(loss)
            smoothed.append(smooth)
            if not (math.isfinite(loss) and math.isfinite(smooth)):
                break
            best = min(best, smooth)
            if smooth > diverge_factor * best:
                break
            optim.lr = optim.current_lr = float(rate)
            optim.step()
    return np.array(losses), np.array(smoothed)


def _read_curve(
    rates: np.ndarray, losses: np.ndarray, smoothed: np.ndarray, small_fraction: float, scale: Sequence[float]
) -> tuple[float | None, float | None, float | None, float | None]:
    """Return ``(small_end, good_end, raw_suggestion, suggestion)`` from the smoothed curve."""
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    m = int(np.argmin(finite))
    start = float(np.mean(losses[: max(1, min(m, rates.size // 20))]))  # the level before any learning
    fall = start - smoothed[m]
    if m == 0 or not fall > 0:
        return None, None, None, None
    level = start - small_fraction * fall
    above = np.flatnonzero(smoothed[:m] > level)  # the last time the curve was still near its start
    a = int(above[-1]) + 1 if above.size else 0
    small_end, good_end = float(rates[a]), float(rates[m])
    raw = float(np.clip(good_end / 10.0, small_end, good_end))
    inside = [float(r) for r in scale if small_end <= r <= good_end]
    suggestion = min(inside, key=lambda r: abs(math.log(r / raw))) if inside else None
    return small_end, good_end, raw, suggestion
