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
    """Return the error for a broken shape rule, naming the class, the rule and both shapes."""
    return ShapeError(f"{type(owner).__name__}: {what} shapes differ: {np.shape(grad)} vs {np.shape(array)}")


class Operation:
    """One step of a network: ``forward`` computes, ``backward`` sends gradients back.

    Subclasses implement ``_compute(x)``, the output as a pure function of an
    input, and ``_input_grad``. The book's ``_output()`` is ``_compute`` of the
    stored ``self.input_``; ``apply`` is the same computation for predictions,
    storing nothing, so a prediction never disturbs (or races with) the values
    a training step keeps for its backward pass.
    """

    # set by forward and backward; reading one before its method has run raises AttributeError
    input_: np.ndarray
    output: np.ndarray
    input_grad: np.ndarray

    def forward(self, input_: np.ndarray) -> np.ndarray:
        """Store ``input_`` (shape ``(n, d_in)``) and return the output."""
        self.input_ = input_
        self.output = self._output()
        return self.output

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """Take dLoss/dOutput (shape of ``output``), return dLoss/dInput (shape of ``input_``)."""
        try:
            fits = output_grad.shape == self.output.shape
        except AttributeError:
            fits = False
        if not fits:
            self._refuse_output_grad(output_grad)
        self.input_grad = self._input_grad(output_grad)
        if self.input_grad.shape != self.input_.shape:
            raise shape_error(self, "input_grad vs input", self.input_, self.input_grad)
        return self.input_grad

    def _refuse_output_grad(self, output_grad: np.ndarray) -> None:
        """Raise the reason ``output_grad`` was refused: no forward pass yet, or not the output's shape.

        ``backward`` checks with one comparison inline (it runs for every operation of every batch) and
        calls this only once the check has failed.
        """
        if not hasattr(self, "output"):
            raise RuntimeError(f"{type(self).__name__}: backward called before forward")
        raise shape_error(self, "output_grad vs output", self.output, output_grad)

    def apply(self, input_: np.ndarray) -> np.ndarray:
        """Return the output for ``input_`` (shape ``(n, d_in)``), storing nothing."""
        return self._compute(input_)

    def _output(self) -> np.ndarray:
        return self._compute(self.input_)

    def _compute(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _input_grad(self, output_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        """Return the constructor arguments, plus ``name`` for the registry."""
        return {"name": getattr(self, "name", type(self).__name__.lower())}

    def __repr__(self) -> str:
        """Return ``Name(arg=value, ...)`` from ``get_config``."""
        args = {k: v for k, v in self.get_config().items() if k != "name"}
        inner = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"{type(self).__name__}({inner})"


class ParamOperation(Operation):
    """An Operation with a parameter ``param``; backward also sets ``param_grad``.

    When ``grad_buffer`` is set (an array of the parameter's shape, which the
    network points into one flat gradient vector), ``_param_grad`` writes its
    result there instead of allocating a new array.
    """

    param_grad: np.ndarray  # set by backward (or pointed at the network's buffer by Layer.use_buffers)

    def __init__(self, param: np.ndarray) -> None:
        self.param = param
        self.grad_buffer: np.ndarray | None = None

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """As ``Operation.backward``, and also compute dLoss/dParam (shape of ``param``).

        With a ``grad_buffer``, the gradient ends up in it: ``_param_grad``
        may write there itself (``out=self.grad_buffer``) or return a new
        array, which is then copied in.
        """
        # the same check as Operation.backward, written out: calling super().backward instead made the
        # book net's train_batch 3.5% slower (37.5 -> 38.9 us, medians of three runs each)
        try:
            fits = output_grad.shape == self.output.shape
        except AttributeError:
            fits = False
        if not fits:
            self._refuse_output_grad(output_grad)
        self.input_grad = self._input_grad(output_grad)
        param_grad = self._param_grad(output_grad)
        if self.input_grad.shape != self.input_.shape:
            raise shape_error(self, "input_grad vs input", self.input_, self.input_grad)
        if param_grad.shape != self.param.shape:
            raise shape_error(self, "param_grad vs param", self.param, param_grad)
        if param_grad is not self.grad_buffer and self.grad_buffer is not None:
            self.grad_buffer[...] = param_grad
            param_grad = self.grad_buffer
        self.param_grad = param_grad
        return self.input_grad

    def _param_grad(self, output_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        """Return ``Name(param shape (a, b))``."""
        return f"{type(self).__name__}(param shape {self.param.shape})"
