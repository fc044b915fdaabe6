"""The two parameter operations of a Dense layer: ``WeightMultiply`` and ``BiasAdd``."""

from __future__ import annotations

import numpy as np

from .operation import ParamOperation


class WeightMultiply(ParamOperation):
    """Multiply the input ``(n, d_in)`` by the weights ``W`` ``(d_in, d_out)``."""

    def __init__(self, W: np.ndarray) -> None:
        if np.ndim(W) != 2:
            raise ValueError(f"WeightMultiply needs a 2-D weight matrix, got shape {np.shape(W)}")
        super().__init__(W)

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return x @ self.param

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # dL/dX = dL/dY . W^T, shape (n, d_in)
        return output_grad @ self.param.T

    def _param_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # dL/dW = X^T . dL/dY, shape (d_in, d_out)
        return np.matmul(self.input_.T, output_grad, out=self.grad_buffer)


class BiasAdd(ParamOperation):
    """Add the bias row ``B`` ``(1, d)`` to every row of the input ``(n, d)``."""

    def __init__(self, B: np.ndarray) -> None:
        if np.ndim(B) != 2 or B.shape[0] != 1:
            raise ValueError(f"BiasAdd needs a bias of shape (1, d), got shape {np.shape(B)}")
        super().__init__(B)

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return x + self.param

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # each output element depends on its input element with slope 1
        return output_grad

    def _param_grad(self, output_grad: np.ndarray) -> np.ndarray:
        # the bias is added to every row, so its gradient sums over the rows
        return np.add.reduce(output_grad, axis=0, keepdims=True, out=self.grad_buffer)
