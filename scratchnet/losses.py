"""Losses, in a registry: regression's ``MeanSquaredError`` and ``HuberLoss``, classification's cross entropies.

The two classification losses take the network's raw outputs (logits) and
apply the sigmoid or the softmax themselves, so the last layer stays linear
and the loss stays finite for any logit.
"""

from __future__ import annotations

import numpy as np

from .operation import ShapeError, shape_error
from .registry import from_registry


class Loss:
    """Compares predictions with targets of the same shape; ``backward`` gives dLoss/dPrediction.

    Regression compares ``(n, 1)`` with ``(n, 1)``; the cross entropies take
    logits ``(n, 1)`` or ``(n, k)`` and targets of the same shape.
    """

    name = "loss"
    # set by forward and backward; reading one before its method has run raises AttributeError
    prediction: np.ndarray
    target: np.ndarray
    input_grad: np.ndarray

    def forward(self, prediction: np.ndarray, target: np.ndarray) -> float:
        """Store both arrays (same shape) and return the loss as a float."""
        if prediction.shape != np.shape(target):
            raise ShapeError(
                f"{type(self).__name__}: prediction and target shapes differ: "
                f"{np.shape(prediction)} vs {np.shape(target)}"
            )
        self.prediction = prediction
        self.target = target
        return float(self._output())

    def backward(self) -> np.ndarray:
        """Return dLoss/dPrediction, of the prediction's shape."""
        if not hasattr(self, "prediction"):
            raise RuntimeError(f"{type(self).__name__}: backward called before forward")
        self.input_grad = self._input_grad()
        if self.input_grad.shape != self.prediction.shape:
            raise shape_error(self, "input_grad vs prediction", self.prediction, self.input_grad)
        return self.input_grad

    def _output(self) -> float:
        raise NotImplementedError

    def _input_grad(self) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        """Return the constructor arguments, plus ``name`` for ``LOSSES``."""
        return {"name": self.name}

    def __repr__(self) -> str:
        """Return ``Name()``."""
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """The book's MSE: ``sum((p - y)^2) / N``; gradient ``2 (p - y) / N`` (N rows)."""

    name = "mse"

    def _output(self) -> float:
        self._diff = self.prediction - self.target
        return np.vdot(self._diff, self._diff) / self.prediction.shape[0]

    def _input_grad(self) -> np.ndarray:
        return self._diff * (2.0 / self.prediction.shape[0])


class HuberLoss(Loss):
    """Squared for small errors, linear for large ones, summed and divided by N.

    Per element with ``r = p - y``: ``r^2 / 2`` where ``|r| <= delta``, else
    ``delta * (|r| - delta / 2)``. The gradient is ``clip(r, -delta, delta) / N``.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        delta = float(delta)
        if not delta > 0:
            raise ValueError(f"HuberLoss delta must be > 0, got {delta}")
        self.delta = delta

    def _output(self) -> float:
        r = np.abs(self.prediction - self.target)
        small = np.minimum(r, self.delta)
        # r <= delta: small = r, the second term is 0; else small = delta
        per = 0.5 * small * small + self.delta * (r - small)
        return np.sum(per) / self.prediction.shape[0]

    def _input_grad(self) -> np.ndarray:
        r = self.prediction - self.target
        return np.clip(r, -self.delta, self.delta) / self.prediction.shape[0]

    def get_config(self) -> dict:
        """Return ``name`` and ``delta``."""
        return {"name": self.name, "delta": self.delta}

    def __repr__(self) -> str:
        """Return ``HuberLoss(delta=...)``."""
        return f"HuberLoss(delta={self.delta})"


class SigmoidCrossEntropy(Loss):
    """Binary cross entropy (log loss) of logits: the mean over rows of ``-log p(y | z)``.

    Predictions are logits ``z`` ``(n, 1)``, the targets ``y`` are 0 or 1
    ``(n, 1)`` (values in between count as soft labels; ``(n, k)`` gives
    ``k`` independent yes/no labels, summed over the columns). With
    ``p = sigmoid(z)`` the loss per row is
    ``-y log p - (1 - y) log(1 - p) = log(1 + exp(-z)) + (1 - y) z``,
    computed as ``max(z, 0) - y z + log(1 + exp(-|z|))`` (the same number),
    which never overflows: ``|z| = 1000`` gives a finite loss and gradient.
    The gradient is ``(sigmoid(z) - y) / n``.
    """

    name = "sigmoid_cross_entropy"

    def _output(self) -> float:
        z, y = self.prediction, self.target
        _check_targets(self, y)
        self._small = np.exp(-np.abs(z))  # exp(-|z|) in (0, 1]: used again by the gradient
        per = np.maximum(z, 0.0) - y * z + np.log1p(self._small)
        return np.sum(per) / z.shape[0]

    def _input_grad(self) -> np.ndarray:
        z, e = self.prediction, self._small
        # sigmoid(z) = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0, with e = exp(-|z|)
        p = np.where(z >= 0, 1.0, e) / (1.0 + e)
        return (p - self.target) / z.shape[0]


class SoftmaxCrossEntropy(Loss):
    """Categorical cross entropy of logits, the book's chapter 4 loss: ``-sum(y * log softmax(z)) / n``.

    Predictions are logits ``z`` ``(n, k)`` with ``k >= 2`` classes, the
    targets ``y`` ``(n, k)`` one-hot rows (any rows of non-negative numbers
    summing to 1 work). ``log softmax(z) = z - m - log(sum(exp(z - m)))``
    with ``m`` the row's largest logit, so no exponential overflows. The
    gradient is ``(softmax(z) - y) / n``.

    The book's version differs in two ways: it clips the softmax to
    ``[eps, 1 - eps]`` (``eps = 1e-9``) before the logarithm, and it adds
    the terms ``-(1 - y) log(1 - p)`` of every class, while it still returns
    ``(p - y) / n`` as the gradient. That gradient is exact for neither
    change: it is the gradient of the plain categorical cross entropy
    computed here. This loss keeps the plain formula, made stable by the
    log-softmax instead of a clip, so backward gives exactly the gradient
    of the number forward returns (the finite-difference test checks it),
    and the loss of a confident wrong answer grows without the clip's cap.
    """

    name = "softmax_cross_entropy"

    def _output(self) -> float:
        z, y = self.prediction, self.target
        if z.ndim != 2 or z.shape[1] < 2:
            raise ValueError(
                f"SoftmaxCrossEntropy needs logits of shape (n, k) with k >= 2 classes, got {z.shape}; "
                "for two classes and one output use 'sigmoid_cross_entropy'"
            )
        _check_targets(self, y)
        off = np.abs(y.sum(axis=1) - 1.0) > 1e-9
        if off.any():
            row = int(np.flatnonzero(off)[0])
            total = float(y[row].sum())
            raise ValueError(f"SoftmaxCrossEntropy targets must be one-hot rows; row {row} sums to {total!r}")
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        self._softmax = exp / total
        log_softmax = shifted - np.log(total)
        return -np.vdot(y, log_softmax) / z.shape[0]

    def _input_grad(self) -> np.ndarray:
        return (self._softmax - self.target) / self.prediction.shape[0]


def _check_targets(loss: Loss, y: np.ndarray) -> None:
    """Raise ``ValueError`` unless every target is a number in [0, 1] (NaN is not)."""
    if y.size and not (y.min() >= 0.0 and y.max() <= 1.0):
        bad = y[~((y >= 0.0) & (y <= 1.0))].flat[0]
        raise ValueError(f"{type(loss).__name__} targets must be in [0, 1] (class labels 0 and 1), got {float(bad)!r}")


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls for cls in (MeanSquaredError, HuberLoss, SigmoidCrossEntropy, SoftmaxCrossEntropy)
}
# other names get_loss accepts; a loss's config always carries the name it has in LOSSES
LOSS_ALIASES: dict[str, str] = {"log_loss": SigmoidCrossEntropy.name}


def get_loss(spec: str | dict | Loss | None) -> Loss:
    """Return a loss from a name, a config dict, an instance, or None (MSE).

    Parameters
    ----------
    spec : str, dict, Loss or None
        A name from ``LOSSES`` or ``LOSS_ALIASES`` (``"log_loss"`` is
        ``"sigmoid_cross_entropy"``), a config such as
        ``{"name": "huber", "delta": 2}``, an instance (returned as is), or
        None for a new ``MeanSquaredError``.
    """
    if spec is None:
        return MeanSquaredError()
    if isinstance(spec, str):
        spec = {"name": spec}
    if isinstance(spec, dict) and str(spec.get("name", "")).lower() in LOSS_ALIASES:
        spec = {**spec, "name": LOSS_ALIASES[str(spec["name"]).lower()]}
    return from_registry("loss", LOSSES, spec, Loss)
