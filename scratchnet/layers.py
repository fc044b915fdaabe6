"""``Layer`` and ``Dense``: a stack of Operations set up on their first input."""

from __future__ import annotations

import numpy as np

from .activations import get_activation
from .init import INITS, RNG, check_init
from .operation import Operation, ParamOperation, shape_error
from .param_operations import BiasAdd, WeightMultiply


class Layer:
    """A list of Operations run in order forward and in reverse backward.

    Like Keras' ``build``, the layer is set up lazily on its first input:
    ``build`` records the input width and creates the parameters; ``built``
    says whether that has happened. A later input of another width raises.
    """

    def __init__(self, neurons: int) -> None:
        if isinstance(neurons, bool) or not isinstance(neurons, (int, np.integer)) or neurons < 1:
            raise ValueError(f"neurons must be a whole number >= 1, got {neurons!r}")
        self.neurons = int(neurons)
        self.built = False
        self.input_width: int | None = None
        self.seed: int | None = None
        self.params: list[np.ndarray] = []
        self.param_grads: list[np.ndarray] = []
        self.operations: list[Operation] = []
        self.grads_in_place = False  # True once the network gives it gradient buffers
        self.params_version = 0  # goes up whenever the parameter arrays are replaced

    # the book calls the built flag "first" (True until set up)
    @property
    def first(self) -> bool:
        return not self.built

    @first.setter
    def first(self, value: bool) -> None:
        self.built = not value

    def build(self, input_width: int, rng: RNG) -> None:
        """Create the parameters for inputs of ``input_width`` columns, drawing from ``rng``."""
        self.input_width = int(input_width)
        self._setup_layer(self.input_width, rng)
        self.grads_in_place = False
        self.params_version += 1
        self.built = True

    def _setup_layer(self, input_width: int, rng: RNG) -> None:
        raise NotImplementedError

    def forward(self, input_: np.ndarray) -> np.ndarray:
        """Run ``input_`` ``(n, d_in)`` through the operations; return ``(n, neurons)``."""
        if not self.built:
            self.build(input_.shape[1], np.random.default_rng(self.seed))
        self._check_width(input_)
        self.input_ = input_
        for operation in self.operations:
            input_ = operation.forward(input_)
        self.output = input_
        return self.output

    def apply(self, input_: np.ndarray) -> np.ndarray:
        """The layer's output ``(n, neurons)`` for ``input_`` ``(n, d_in)``, storing nothing (for predictions)."""
        if not self.built:
            raise RuntimeError(f"{type(self).__name__}({self.neurons}) is not built yet; run forward once first")
        self._check_width(input_)
        for operation in self.operations:
            input_ = operation.apply(input_)
        return input_

    def _check_width(self, input_: np.ndarray) -> None:
        if input_.shape[1] != self.input_width:
            raise ValueError(
                f"{type(self).__name__}({self.neurons}) was built for inputs with "
                f"{self.input_width} columns, got {input_.shape[1]}"
            )

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """Send ``output_grad`` ``(n, neurons)`` back through the operations; return ``(n, d_in)``."""
        if output_grad.shape != self.output.shape:
            raise shape_error(self, "output_grad vs output", self.output, output_grad)
        for operation in reversed(self.operations):
            output_grad = operation.backward(output_grad)
        if not self.grads_in_place:
            self._param_grads()
        return output_grad

    def _param_grads(self) -> None:
        self.param_grads = [op.param_grad for op in self.operations if isinstance(op, ParamOperation)]

    def _params(self) -> None:
        self.params = [op.param for op in self.operations if isinstance(op, ParamOperation)]

    def use_buffers(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Move the parameters into ``params`` (views the network owns); write gradients into ``grads``.

        Values are copied; afterwards ``self.params`` and ``self.param_grads``
        are those views, and backward fills the gradient views in place.
        """
        ops = [op for op in self.operations if isinstance(op, ParamOperation)]
        for op, view, grad in zip(ops, params, grads, strict=True):
            view[...] = op.param
            op.param = view
            op.grad_buffer = grad
            op.param_grad = grad
        self.params = list(params)
        self.param_grads = list(grads)
        self.grads_in_place = True


class Dense(Layer):
    """A fully connected layer: ``activation(X @ W + B)``.

    Parameters
    ----------
    neurons : int
        Output width.
    activation : str, dict, Operation or None
        ``None`` gives a fresh ``Linear``; a name from ``ACTIVATIONS`` gives a
        fresh instance of it.
    weight_init : str
        ``"standard"`` (the book's standard normal W and B) or ``"glorot"``.
    """

    def __init__(
        self,
        neurons: int,
        activation: str | dict | Operation | None = None,
        weight_init: str = "standard",
    ) -> None:
        super().__init__(neurons)
        self.activation = get_activation(activation)
        self.weight_init = check_init(weight_init)

    def _setup_layer(self, input_width: int, rng: RNG) -> None:
        W, B = INITS[self.weight_init](rng, input_width, self.neurons)
        self.params = [W, B]
        self.operations = [WeightMultiply(W), BiasAdd(B), self.activation]

    def set_params(self, W: np.ndarray, B: np.ndarray) -> None:
        """Set the weights ``(d_in, neurons)`` and bias ``(1, neurons)`` directly."""
        W = np.array(W, dtype=np.float64)
        B = np.array(B, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != self.neurons or B.shape != (1, self.neurons):
            raise ValueError(
                f"Dense({self.neurons}) needs W of shape (d_in, {self.neurons}) and B of "
                f"shape (1, {self.neurons}), got {W.shape} and {B.shape}"
            )
        self.input_width = W.shape[0]
        self.params = [W, B]
        self.operations = [WeightMultiply(W), BiasAdd(B), self.activation]
        self.grads_in_place = False
        self.params_version += 1
        self.built = True

    def get_config(self) -> dict:
        return {
            "neurons": self.neurons,
            "activation": self.activation.get_config(),
            "weight_init": self.weight_init,
        }

    @classmethod
    def from_config(cls, config: dict) -> Dense:
        return cls(**config)

    def __repr__(self) -> str:
        return f"Dense({self.neurons}, activation={self.activation!r})"
