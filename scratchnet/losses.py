"""Losses: ``Loss``, the book's ``MeanSquaredError`` and ``HuberLoss``, in a registry."""

from __future__ import annotations

import numpy as np

from .operation import ShapeError, shape_error
from .registry import from_registry


class Loss:
    """Compares predictions ``(n, 1)`` with targets ``(n, 1)``; ``backward`` gives dLoss/dPrediction."""

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


LOSSES: dict[str, type[Loss]] = {"mse": MeanSquaredError, "huber": HuberLoss}


def get_loss(spec: str | dict | Loss | None) -> Loss:
    """Return a loss from a name, a config dict, an instance, or None (MSE)."""
    if spec is None:
        return MeanSquaredError()
    return from_registry("loss", LOSSES, spec, Loss)
