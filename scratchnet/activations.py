"""Activation functions: Operations with no parameters, kept in a registry by name.

The registry's names feed the app's selectboxes and the configs of saved models.
"""

from __future__ import annotations

import numpy as np

from .operation import Operation
from .registry import from_registry


class Linear(Operation):
    """The identity: output equals input, gradient passes through unchanged."""

    name = "linear"

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return x

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        return output_grad


class Sigmoid(Operation):
    """The logistic function ``1 / (1 + exp(-x))``.

    ``exp(-x)`` is computed on ``-x`` capped at 700, so no overflow happens
    (``exp(709)`` is the largest finite double); below ``x = -700`` the exact
    value is under 1e-304, which the cap reproduces to the last bit that matters.
    """

    name = "sigmoid"

    def _compute(self, x: np.ndarray) -> np.ndarray:
        # 1 / (1 + exp(min(-x, 700))), computed in one new array
        out = np.negative(x)
        np.minimum(out, 700.0, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # d sigma / dx = sigma (1 - sigma)
        grad = np.subtract(1.0, self.output)
        grad *= self.output
        grad *= output_grad
        return grad


class Tanh(Operation):
    """The hyperbolic tangent."""

    name = "tanh"

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # d tanh / dx = 1 - tanh^2
        grad = np.square(self.output)
        np.subtract(1.0, grad, out=grad)
        grad *= output_grad
        return grad


class ReLU(Operation):
    """``max(0, x)``; its gradient is 1 where ``x > 0`` and 0 elsewhere."""

    name = "relu"

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        return output_grad * (self.input_ > 0)


class LeakyReLU(Operation):
    """``x`` where ``x > 0``, else ``alpha * x``."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        alpha = float(alpha)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"LeakyReLU alpha must be in [0, 1), got {alpha}")
        self.alpha = alpha

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, self.alpha * x)

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        return np.where(self.input_ > 0, output_grad, self.alpha * output_grad)

    def get_config(self) -> dict:
        """Return ``name`` and ``alpha``."""
        return {"name": self.name, "alpha": self.alpha}


ACTIVATIONS: dict[str, type[Operation]] = {cls.name: cls for cls in (Linear, Sigmoid, Tanh, ReLU, LeakyReLU)}


def get_activation(spec: str | dict | Operation | None) -> Operation:
    """Return a fresh activation from a name, a config dict, an instance or None.

    Parameters
    ----------
    spec : str, dict, Operation or None
        ``None`` gives a new ``Linear``; a name such as ``"sigmoid"`` or a
        config such as ``{"name": "leaky_relu", "alpha": 0.1}`` gives a new
        instance from ``ACTIVATIONS``; an Operation instance is returned as is.
    """
    if spec is None:
        return Linear()
    return from_registry("activation", ACTIVATIONS, spec, Operation)
