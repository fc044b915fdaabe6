"""The book's two base classes: ``Operation`` and ``ParamOperation``.

An Operation sends its output forward and, on the way back, a gradient of the
same shape as its input. A ParamOperation also holds a parameter and computes
a gradient of the parameter's shape. The shape rules are checked on every
call with real exceptions, so they hold under ``python -O`` too.
"""

from __future__ import annotations

import numpy as np


class ShapeError(ValueError):
    """An array does not have the shape the book's shape rules require."""


def shape_error(owner: object, what: str, array: np.ndarray, grad: np.ndarray) -> ShapeError:
    """The error for a broken shape rule: names the class, the rule and both shapes."""
    return ShapeError(f"{type(owner).__name__}: {what} shapes differ: {np.shape(grad)} vs {np.shape(array)}")


def check_same_shape(owner: object, what: str, array: np.ndarray, grad: np.ndarray) -> None:
    """Raise ``ShapeError`` unless ``grad`` has the shape of ``array``.

    Parameters
    ----------
    owner : object
        The operation, layer or loss doing the check; its class name goes in
        the message.
    what : str
        Which rule is checked, such as ``"output_grad vs output"``.
    array, grad : ndarray
        The array and its gradient.
    """
    if np.shape(array) != np.shape(grad):
        raise shape_error(owner, what, array, grad)


class Operation:
    """One step of a network: ``forward`` computes, ``backward`` sends gradients back.

    Subclasses implement ``_compute(x)``, the output as a pure function of an
    input, and ``_input_grad``. The book's ``_output()`` is ``_compute`` of the
    stored ``self.input_``; ``apply`` is the same computation for predictions,
    storing nothing, so a prediction never disturbs (or races with) the values
    a training step keeps for its backward pass.
    """

    def __init__(self) -> None:
        self.input_: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.input_grad: np.ndarray | None = None

    def forward(self, input_: np.ndarray) -> np.ndarray:
        """Store ``input_`` (shape ``(n, d_in)``) and return the output."""
        self.input_ = input_
        self.output = self._output()
        return self.output

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """Take dLoss/dOutput (shape of ``output``), return dLoss/dInput (shape of ``input_``)."""
        if output_grad.shape != self.output.shape:
            raise shape_error(self, "output_grad vs output", self.output, output_grad)
        self.input_grad = self._input_grad(output_grad)
        if self.input_grad.shape != self.input_.shape:
            raise shape_error(self, "input_grad vs input", self.input_, self.input_grad)
        return self.input_grad

    def apply(self, input_: np.ndarray) -> np.ndarray:
        """The output for ``input_`` (shape ``(n, d_in)``), without storing anything."""
        return self._compute(input_)

    def _output(self) -> np.ndarray:
        return self._compute(self.input_)

    def _compute(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        """Constructor arguments, plus ``name`` for the registry."""
        return {"name": getattr(self, "name", type(self).__name__.lower())}

    def __repr__(self) -> str:
        args = {k: v for k, v in self.get_config().items() if k != "name"}
        inner = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"{type(self).__name__}({inner})"


class ParamOperation(Operation):
    """An Operation with a parameter ``param``; backward also sets ``param_grad``.

    When ``grad_buffer`` is set (an array of the parameter's shape, which the
    network points into one flat gradient vector), ``_param_grad`` writes its
    result there instead of allocating a new array.
    """

    def __init__(self, param: np.ndarray) -> None:
        super().__init__()
        self.param = param
        self.param_grad: np.ndarray | None = None
        self.grad_buffer: np.ndarray | None = None

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """As ``Operation.backward``, and also compute dLoss/dParam (shape of ``param``)."""
        if output_grad.shape != self.output.shape:
            raise shape_error(self, "output_grad vs output", self.output, output_grad)
        self.input_grad = self._input_grad(output_grad)
        self.param_grad = self._param_grad(output_grad)
        if self.input_grad.shape != self.input_.shape:
            raise shape_error(self, "input_grad vs input", self.input_, self.input_grad)
        if self.param_grad.shape != self.param.shape:
            raise shape_error(self, "param_grad vs param", self.param, self.param_grad)
        return self.input_grad

    def _param_grad(self, output_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(param shape {self.param.shape})"
