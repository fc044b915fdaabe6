"""Gradient flow: per layer, how large its weight gradient is, how far a step moves it, how many units are stuck.

One ``FlowRecord`` describes one training step (one batch): for every layer

* ``grad_norm``: the Frobenius norm of the gradient of its weights ``W``
  (the biases are left out), after the batch's backward pass;
* ``update_ratio``: ``||W_after - W_before|| / ||W_before||``, the size of the
  step the optimizer actually took relative to the size of the weights (the
  real step, so it is right for Adam and momentum, where it is not
  ``lr * grad``);
* ``stuck``: the share of the layer's units that cannot pass a gradient back
  on this batch, judged from the activation's outputs on the batch:

  - sigmoid and tanh (``kind`` ``"saturated"``): the share of the layer's
    outputs (rows x units) within ``SATURATION_MARGIN`` of a bound (sigmoid
    0 or 1, tanh -1 or 1), where the activation's slope is nearly 0;
  - ReLU and LeakyReLU (``kind`` ``"dead"``): the share of units whose output
    is ``<= 0`` on every row of the batch (never active on it);
  - any other activation (``kind`` ``""``): NaN.

``Trainer.fit_iter(..., record_flow=True)`` records one ``FlowRecord`` per
epoch, on the epoch's last full batch (its only batch when the epoch has
fewer rows than a batch): gradient norms and unit shares after that
batch's backward pass and before its update, the update ratio from the
weights before and after its update; it is put on the epoch's report as
``report.flow``. ``flow_step`` does the same for one batch outside a Trainer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .layers import Layer
from .network import NeuralNetwork
from .operation import Operation

SATURATION_MARGIN = 0.02  # an output this close to a sigmoid's or tanh's bound counts as saturated


@dataclass(frozen=True)
class FlowRecord:
    """The gradient flow of one training step, one entry per layer (layer 1 first).

    Attributes
    ----------
    epoch : int
        The epoch (from 1) the step belongs to; 0 when recorded outside a Trainer.
    grad_norm : ndarray, shape (n_layers,)
        ``||dLoss/dW||`` of each layer's weights, after the batch's backward pass.
    update_ratio : ndarray, shape (n_layers,)
        ``||W_after - W_before|| / ||W_before||`` of the step (inf where ``W_before`` is 0).
    stuck : ndarray, shape (n_layers,)
        The share in [0, 1] of saturated outputs (``kind`` ``"saturated"``) or of
        dead units (``kind`` ``"dead"``); NaN for other activations.
    kinds : tuple of str
        Per layer ``"saturated"``, ``"dead"`` or ``""`` (see the module notes).
    rows : int
        The rows of the batch the record was taken on.
    """

    epoch: int
    grad_norm: np.ndarray = field(repr=False)
    update_ratio: np.ndarray = field(repr=False)
    stuck: np.ndarray = field(repr=False)
    kinds: tuple[str, ...]
    rows: int

    @property
    def n_layers(self) -> int:
        """Return the number of layers recorded."""
        return int(self.grad_norm.shape[0])


def stuck_kind(activation: Operation | None) -> str:
    """Return ``"saturated"`` for sigmoid and tanh, ``"dead"`` for ReLU and LeakyReLU, else ``""``."""
    if isinstance(activation, (Sigmoid, Tanh)):
        return "saturated"
    if isinstance(activation, (ReLU, LeakyReLU)):
        return "dead"
    return ""


def stuck_share(activation: Operation | None, output: np.ndarray) -> float:
    """Return the share of ``output`` ``(rows, units)`` that is stuck, for the layer's ``activation``.

    Parameters
    ----------
    activation : Operation or None
        The layer's activation; it decides what stuck means (see the module notes).
    output : ndarray, shape (rows, units)
        The activation's outputs on a batch.

    Returns
    -------
    float
        Sigmoid or tanh: the share of entries within ``SATURATION_MARGIN`` of
        a bound. ReLU or LeakyReLU: the share of columns ``<= 0`` on every row.
        Otherwise (or for an empty batch) NaN.
    """
    out = np.asarray(output)
    if out.ndim != 2:
        raise ValueError(f"output must be 2-D (rows, units), got shape {out.shape}")
    kind = stuck_kind(activation)
    if not kind or out.size == 0:
        return float("nan")
    if kind == "dead":
        return float(np.count_nonzero(out.max(axis=0) <= 0.0)) / out.shape[1]
    low, high = (-1.0, 1.0) if isinstance(activation, Tanh) else (0.0, 1.0)
    near = np.count_nonzero(out <= low + SATURATION_MARGIN) + np.count_nonzero(out >= high - SATURATION_MARGIN)
    return float(near) / out.size


def _weights(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Return the layer's weight array and its gradient (``W`` if it has one, else its first parameter)."""
    i = layer.param_kinds.index("W") if "W" in layer.param_kinds else 0
    return layer.params[i], layer.param_grads[i]


def _norm(a: np.ndarray) -> float:
    flat = a.ravel()
    return float(np.sqrt(np.dot(flat, flat)))


@dataclass
class FlowProbe:
    """The half of a record taken before the update: gradient norms, unit shares and a copy of the weights.

    Made by ``probe`` after a batch's backward pass; ``finish`` after the
    optimizer's step turns it into a ``FlowRecord``.
    """

    grad_norm: np.ndarray
    stuck: np.ndarray
    kinds: tuple[str, ...]
    rows: int
    before: list[np.ndarray]

    def finish(self, net: NeuralNetwork, epoch: int = 0) -> FlowRecord:
        """Return the record, with each layer's update ratio from its weights now against those probed."""
        ratios = np.empty(len(self.before))
        for i, (layer, old) in enumerate(zip(net.layers, self.before, strict=True)):
            size = _norm(old)
            moved = _norm(_weights(layer)[0] - old)
            ratios[i] = moved / size if size > 0 else (0.0 if moved == 0 else np.inf)
        return FlowRecord(int(epoch), self.grad_norm, ratios, self.stuck, self.kinds, self.rows)


def probe(net: NeuralNetwork) -> FlowProbe:
    """Take the pre-update half of a record from ``net`` right after a ``train_batch``.

    Reads each layer's weight gradient and the outputs of its last forward
    pass; copies the weights (``finish`` compares them after the step).

    Raises
    ------
    RuntimeError
        When a layer has not run forward and backward yet.
    """
    n = len(net.layers)
    grad_norm, stuck = np.empty(n), np.empty(n)
    kinds, before = [], []
    rows = 0
    for i, layer in enumerate(net.layers):
        if layer.output is None or not layer.param_grads:
            raise RuntimeError("flow: run train_batch (forward and backward) before recording")
        W, dW = _weights(layer)
        grad_norm[i] = _norm(dW)
        activation = getattr(layer, "activation", None)
        kinds.append(stuck_kind(activation))
        stuck[i] = stuck_share(activation, layer.output)
        before.append(W.copy())
        rows = layer.output.shape[0]
    return FlowProbe(grad_norm, stuck, tuple(kinds), rows, before)


def flow_step(net: NeuralNetwork, step: Callable[[], None], epoch: int = 0) -> FlowRecord:
    """Record the flow of the update ``step`` (e.g. ``optim.step``) that follows a ``train_batch`` on ``net``.

    Parameters
    ----------
    net : NeuralNetwork
        Right after ``train_batch``: its gradients and layer outputs are the batch's.
    step : callable
        Applies the update (``optimizer.step``); called once.
    epoch : int
        Stored on the record.
    """
    half = probe(net)
    step()
    return half.finish(net, epoch)


def layer_flow(net: NeuralNetwork, X_batch: np.ndarray, y_batch: np.ndarray, step: Callable[[], None],
               epoch: int = 0) -> FlowRecord:
    """Train ``net`` on one batch (``train_batch`` then ``step``) and return that step's record.

    Parameters
    ----------
    net : NeuralNetwork
    X_batch : ndarray, shape (rows, d_in)
    y_batch : ndarray, shape (rows, d_out)
    step : callable
        The optimizer's ``step`` (the optimizer must be attached to ``net``).
    epoch : int
        Stored on the record.
    """
    net.train_batch(X_batch, y_batch)
    return flow_step(net, step, epoch)
