"""Gradient flow over a run: per-epoch ``FlowRecord``s as layer x epoch matrices, and plain-language flags.

The records come from ``Trainer.fit_iter(..., record_flow=True)`` (``report.flow``, one per
epoch, taken on the epoch's last full batch; see ``scratchnet.flow``).

The flags read the median of each quantity over the last ``FLAG_WINDOW`` records (one batch
is noisy) and use these thresholds:

* ``GRADIENT_GAP`` (10): one layer's weight-gradient norm is at least 10x smaller than
  another's -- "layer 1's gradients are 100x smaller than layer 3's: the front of the network
  learns slowly". Only the smallest against the largest is reported; a zero norm is
  reported as such.
* ``SATURATED_SHARE`` (0.5): at least half of a sigmoid/tanh layer's outputs lie within
  0.02 of a bound, where the slope is nearly 0.
* ``DEAD_SHARE`` (0.25): at least a quarter of a ReLU/LeakyReLU layer's units were never
  active on the batch.
* ``SMALL_UPDATE`` (1e-5) and ``LARGE_UPDATE`` (0.1): a step's size relative to the weights'
  size (``||dW|| / ||W||``) below 1e-5 (the layer barely moves) or above 0.1 (the learning
  rate may be too high); about 1e-3 is the usual rule of thumb for healthy training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scratchnet.flow import FlowRecord

FLAG_WINDOW = 5
GRADIENT_GAP = 10.0
SATURATED_SHARE = 0.5
DEAD_SHARE = 0.25
SMALL_UPDATE = 1e-5
LARGE_UPDATE = 0.1
QUANTITIES = ("grad_norm", "update_ratio", "stuck")


@dataclass(frozen=True)
class FlowMatrices:
    """A run's gradient flow, layer x epoch.

    Attributes
    ----------
    epochs : ndarray of int, shape (n_epochs,)
        The epoch (from 1) of each column.
    grad_norm, update_ratio, stuck : ndarray, shape (n_layers, n_epochs)
        Row ``k`` is layer ``k + 1``; the quantities of ``FlowRecord``.
    kinds : tuple of str
        Per layer ``"saturated"``, ``"dead"`` or ``""`` (what ``stuck`` measures).
    """

    epochs: np.ndarray
    grad_norm: np.ndarray
    update_ratio: np.ndarray
    stuck: np.ndarray
    kinds: tuple[str, ...]

    @property
    def n_layers(self) -> int:
        """Return the number of layers (rows)."""
        return int(self.grad_norm.shape[0])

    def get(self, quantity: str) -> np.ndarray:
        """Return the matrix of ``quantity``: one of ``QUANTITIES``."""
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
        return getattr(self, quantity)


def _same_network(records: Sequence[FlowRecord]) -> list[FlowRecord]:
    """Return the records of the last record's network (the same layer count and kinds), in order."""
    if not records:
        return []
    last = records[-1]
    return [r for r in records if r.kinds == last.kinds]


def flow_matrices(records: Sequence[FlowRecord], max_columns: int | None = None) -> FlowMatrices:
    """Stack per-epoch records into layer x epoch matrices.

    Parameters
    ----------
    records : sequence of FlowRecord
        In epoch order. Records of another layer layout than the last one's
        (from before the network changed) are left out.
    max_columns : int or None
        Keep at most this many epochs, evenly spaced, the first and the last
        kept (for drawing); None keeps all.
    """
    kept = _same_network(records)
    if max_columns is not None and len(kept) > max_columns:
        if max_columns < 2:
            raise ValueError(f"max_columns must be at least 2, got {max_columns}")
        idx = np.unique(np.linspace(0, len(kept) - 1, max_columns).round().astype(int))
        kept = [kept[i] for i in idx]
    n_layers = kept[-1].n_layers if kept else 0

    def stack(name: str) -> np.ndarray:
        if not kept:
            return np.empty((0, 0))
        return np.column_stack([getattr(r, name) for r in kept]).reshape(n_layers, len(kept))

    return FlowMatrices(
        epochs=np.array([r.epoch for r in kept], dtype=int),
        grad_norm=stack("grad_norm"),
        update_ratio=stack("update_ratio"),
        stuck=stack("stuck"),
        kinds=kept[-1].kinds if kept else (),
    )


def _times(ratio: float) -> str:
    """Return ``ratio`` to two significant figures, as a whole number: 12, 130, 4,500."""
    return f"{float(f'{ratio:.2g}'):,.0f}"


def _gradient_flag(norms: np.ndarray) -> list[str]:
    finite = [(float(g), k) for k, g in enumerate(norms) if np.isfinite(g)]
    if len(finite) < 2:
        return []
    values = [g for g, _ in finite]
    (small, i), (large, j) = finite[int(np.argmin(values))], finite[int(np.argmax(values))]
    if large <= 0 or large < GRADIENT_GAP * small:
        return []
    if small == 0:
        return [f"layer {i + 1}'s gradients are zero: it does not learn"]
    where = "the front of the network learns slowly" if i < j else f"layer {i + 1} learns slowly"
    return [f"layer {i + 1}'s gradients are {_times(large / small)}x smaller than layer {j + 1}'s: {where}"]


def _stuck_flags(shares: np.ndarray, kinds: tuple[str, ...]) -> list[str]:
    flags = []
    for k, (share, kind) in enumerate(zip(shares, kinds, strict=True)):
        if kind == "saturated" and share >= SATURATED_SHARE:
            flags.append(f"layer {k + 1}: {share:.0%} of its outputs are saturated (at the flat ends of its "
                         "activation): little gradient gets through them")
        elif kind == "dead" and share >= DEAD_SHARE:
            flags.append(f"layer {k + 1}: {share:.0%} of its ReLU units are dead (never active on a batch): "
                         "they no longer learn")
    return flags


def _update_flags(ratios: np.ndarray) -> list[str]:
    flags = []
    for k, ratio in enumerate(ratios):
        if not np.isfinite(ratio) or ratio > LARGE_UPDATE:
            size = "larger than its weights" if not np.isfinite(ratio) else f"{ratio:.2g} of its weights' size"
            flags.append(f"layer {k + 1}: each step is {size}: the learning rate may be too high")
        elif ratio < SMALL_UPDATE:
            flags.append(f"layer {k + 1} barely moves: each step changes its weights by {ratio:.1g} of their size")
    return flags


def flow_flags(records: Sequence[FlowRecord], window: int = FLAG_WINDOW) -> list[str]:
    """Return plain-language warnings about the last ``window`` records (none when all looks healthy).

    Parameters
    ----------
    records : sequence of FlowRecord
        In epoch order; only those of the last record's layer layout count.
    window : int
        How many of the latest records the medians are taken over.

    Returns
    -------
    list of str
        Gradient gap first, then saturated or dead units, then step sizes
        (thresholds in the module notes).
    """
    kept = _same_network(records)[-max(int(window), 1):]
    if not kept:
        return []
    with np.errstate(invalid="ignore"):
        norms = np.median([r.grad_norm for r in kept], axis=0)
        ratios = np.median([r.update_ratio for r in kept], axis=0)
        shares = np.median([r.stuck for r in kept], axis=0)
    return _gradient_flag(norms) + _stuck_flags(shares, kept[-1].kinds) + _update_flags(ratios)
