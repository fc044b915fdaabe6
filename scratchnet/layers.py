"""``Layer``, ``Dense`` and the ``LAYERS`` registry: stacks of Operations set up on their first input.

A new kind of layer subclasses ``Layer``, gives itself a registry ``name``
and its ``param_kinds``, and implements three methods: ``param_shapes``
(the parameter shapes for an input width), ``_init_params`` (draw them) and
``_make_operations`` (the Operations that use them). Added to ``LAYERS``, it
round-trips through ``NeuralNetwork.get_config``/``from_config`` and through
saved model files like ``Dense`` does.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike

from .activations import get_activation
from .init import INITS, RNG, check_init
from .operation import Operation, ParamOperation, shape_error
from .param_operations import BiasAdd, WeightMultiply
from .registry import from_registry

Shape = tuple[int | None, ...]  # a parameter's shape; None stands for the (unknown) input width


class Layer:
    """A list of Operations run in order forward and in reverse backward.

    Like Keras' ``build``, the layer is set up lazily: ``build`` records the
    input width and creates the parameters; ``built`` says whether that has
    happened. A later input of another width raises. Every layer's output has
    ``neurons`` columns.

    A ``NeuralNetwork`` builds its layers from seeded generators. A layer
    used on its own builds itself on its first ``forward`` from a fresh,
    unseeded ``np.random.default_rng()``; call ``build(width, rng)`` first
    for reproducible weights.

    Parameters
    ----------
    neurons : int
        Output width.

    Attributes
    ----------
    name : str
        The layer's key in ``LAYERS`` and in its config.
    param_kinds : tuple of str
        Names of the parameters, in the order of ``params`` and of the
        layer's ParamOperations; the network numbers them by layer
        (``W1``, ``B1``, ``W2``, ...).
    """

    name = "layer"
    param_kinds: tuple[str, ...] = ()

    def __init__(self, neurons: int) -> None:
        if isinstance(neurons, bool) or not isinstance(neurons, (int, np.integer)) or neurons < 1:
            raise ValueError(f"neurons must be a whole number >= 1, got {neurons!r}")
        self.neurons = int(neurons)
        self.built = False
        self.input_width: int | None = None
        self.params: list[np.ndarray] = []
        self.param_grads: list[np.ndarray] = []
        self.operations: list[Operation] = []
        self.input_: np.ndarray | None = None  # the last forward pass's input (n, d_in) ...
        self.output: np.ndarray | None = None  # ... and output (n, neurons); None until forward runs
        self.grads_in_place = False  # True once the network gives it gradient buffers
        self.params_version = 0  # goes up whenever the parameter arrays are replaced

    # the book calls the built flag "first" (True until set up)
    @property
    def first(self) -> bool:
        """Return True until the layer is built (the book's name for ``not built``)."""
        return not self.built

    @first.setter
    def first(self, value: bool) -> None:
        self.built = not value

    # ----- what a subclass defines --------------------------------------------
    def param_shapes(self, input_width: int | None) -> list[Shape]:
        """Return the parameter shapes, in ``param_kinds`` order, for inputs of ``input_width`` columns.

        ``input_width=None`` (not known yet) gives ``None`` where the width goes.
        """
        raise NotImplementedError(f"{type(self).__name__} must define param_shapes")

    def _init_params(self, input_width: int, rng: RNG) -> list[np.ndarray]:
        """Return new parameters for inputs of ``input_width`` columns, drawn from ``rng``."""
        raise NotImplementedError(f"{type(self).__name__} must define _init_params")

    def _make_operations(self, params: list[np.ndarray]) -> list[Operation]:
        """Return the Operations that run the layer with ``params`` (one ``ParamOperation`` each)."""
        raise NotImplementedError(f"{type(self).__name__} must define _make_operations")

    # ----- set-up -------------------------------------------------------------
    def build(self, input_width: int, rng: RNG) -> None:
        """Create the parameters for inputs of ``input_width`` columns, drawing from ``rng``."""
        width = int(input_width)
        self._install(width, self._init_params(width, rng))

    def set_params(self, *params: ArrayLike, input_width: int | None = None) -> None:
        """Set the parameters directly, in ``param_kinds`` order (Dense: ``W`` then ``B``); the layer is then built.

        Parameters
        ----------
        *params : array_like
            One array per entry of ``param_kinds``, of the shapes ``param_shapes`` gives.
        input_width : int, optional
            The input width they are for. By default it is read off the
            parameters (Dense: the rows of ``W``), or else the layer's own.
        """
        arrays = [np.array(p, dtype=np.float64) for p in params]
        self._install(self._width_of(arrays, input_width), arrays)

    def _install(self, input_width: int, params: list[np.ndarray]) -> None:
        self.input_width = input_width
        self.params = params
        self.operations = self._make_operations(params)
        self.input_ = self.output = None  # a forward pass through the old operations does not count
        self.grads_in_place = False
        self.params_version += 1
        self.built = True

    def _width_of(self, arrays: list[np.ndarray], input_width: int | None) -> int:
        """Return the input width ``arrays`` are for; ``ValueError`` if their shapes do not fit the layer."""
        wanted = self.param_shapes(None if input_width is None else int(input_width))
        pairs = list(zip(arrays, wanted, strict=False))
        widths = {got for a, shape in pairs for got, want in zip(a.shape, shape, strict=False) if want is None}
        if len(arrays) != len(wanted) or not all(_fits(a.shape, shape) for a, shape in pairs) or len(widths) > 1:
            expected = " and ".join(
                f"{kind} of shape {_shape_text(shape)}" for kind, shape in zip(self.param_kinds, wanted, strict=True)
            )
            got = " and ".join(str(a.shape) for a in arrays) or "nothing"
            raise ValueError(f"{self._label()} needs {expected}, got {got}")
        if widths:
            return widths.pop()
        width = input_width if input_width is not None else self.input_width
        if width is None:
            raise ValueError(f"{self._label()}: its parameters do not show the input width; pass input_width")
        return int(width)

    def n_params(self, input_width: int) -> int:
        """Return the number of trainable numbers for inputs of ``input_width`` columns."""
        total = 0
        for shape in self.param_shapes(int(input_width)):
            if None in shape:
                raise ValueError(f"{self._label()}.param_shapes({input_width}) left a size unknown: {shape}")
            total += math.prod(n for n in shape if n is not None)
        return total

    # ----- forward and backward -----------------------------------------------
    def forward(self, input_: np.ndarray) -> np.ndarray:
        """Run ``input_`` ``(n, d_in)`` through the operations; return ``(n, neurons)``.

        An unbuilt layer is built first, from a fresh unseeded generator (see the class notes).
        """
        if not self.built:
            self._check_2d(input_)
            self.build(input_.shape[1], np.random.default_rng())
        shape: tuple[int, ...] = getattr(input_, "shape", ())
        if len(shape) != 2 or shape[1] != self.input_width:
            self._check_2d(input_)
            self._check_width(input_)
        self.input_ = input_
        for operation in self.operations:
            input_ = operation.forward(input_)
        self.output = input_
        return input_

    def apply(self, input_: np.ndarray) -> np.ndarray:
        """Return the output ``(n, neurons)`` for ``input_`` ``(n, d_in)``, storing nothing (for predictions)."""
        self._check_2d(input_)
        if not self.built:
            raise RuntimeError(f"{self._label()} is not built yet; run forward once first")
        self._check_width(input_)
        for operation in self.operations:
            input_ = operation.apply(input_)
        return input_

    def backward(self, output_grad: np.ndarray) -> np.ndarray:
        """Send ``output_grad`` ``(n, neurons)`` back through the operations; return ``(n, d_in)``."""
        output = self.output
        if output is None:
            raise RuntimeError(f"{self._label()}: backward called before forward")
        if getattr(output_grad, "shape", None) != output.shape:
            raise shape_error(self, "output_grad vs output", output, output_grad)
        for operation in reversed(self.operations):
            output_grad = operation.backward(output_grad)
        if not self.grads_in_place:
            self.param_grads = [op.param_grad for op in self._param_operations()]
        return output_grad

    def _check_2d(self, input_: np.ndarray) -> None:
        if np.ndim(input_) != 2:
            raise ValueError(f"{self._label()} needs a 2-D input (n, d), got shape {np.shape(input_)}")

    def _check_width(self, input_: np.ndarray) -> None:
        if input_.shape[1] != self.input_width:
            raise ValueError(
                f"{self._label()} was built for inputs with {self.input_width} columns, got {input_.shape[1]}"
            )

    def _param_operations(self) -> list[ParamOperation]:
        return [op for op in self.operations if isinstance(op, ParamOperation)]

    def use_buffers(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Move the parameters into ``params`` (views the network owns); write gradients into ``grads``.

        Values are copied; afterwards ``self.params`` and ``self.param_grads``
        are those views, and backward fills the gradient views in place.
        """
        for op, view, grad in zip(self._param_operations(), params, grads, strict=True):
            view[...] = op.param
            op.param = view
            op.grad_buffer = grad
            op.param_grad = grad
        self.params = list(params)
        self.param_grads = list(grads)
        self.grads_in_place = True

    # ----- config -------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as JSON-ready values, plus ``name`` for ``LAYERS``."""
        return {"name": self.name, "neurons": self.neurons}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Self:
        """Return a new unbuilt layer from ``get_config()``'s output (``name``, if given, must be this class's)."""
        kwargs = dict(config)
        name = kwargs.pop("name", cls.name)
        if name != cls.name:
            raise ValueError(f"a {cls.__name__} config has name {cls.name!r}, got {name!r}")
        return cls(**kwargs)

    def _label(self) -> str:
        return f"{type(self).__name__}({self.neurons})"

    def __repr__(self) -> str:
        """Return ``Name(neurons)``."""
        return self._label()


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

    name = "dense"
    param_kinds = ("W", "B")

    def __init__(
        self,
        neurons: int,
        activation: str | dict | Operation | None = None,
        weight_init: str = "standard",
    ) -> None:
        super().__init__(neurons)
        self.activation = get_activation(activation)
        self.weight_init = check_init(weight_init)

    def param_shapes(self, input_width: int | None) -> list[Shape]:
        """Return ``[(input_width, neurons), (1, neurons)]``: the shapes of W and B."""
        return [(input_width, self.neurons), (1, self.neurons)]

    def _init_params(self, input_width: int, rng: RNG) -> list[np.ndarray]:
        return list(INITS[self.weight_init](rng, input_width, self.neurons))

    def _make_operations(self, params: list[np.ndarray]) -> list[Operation]:
        W, B = params
        return [WeightMultiply(W), BiasAdd(B), self.activation]

    def get_config(self) -> dict[str, Any]:
        """Return ``name``, ``neurons``, the activation's config and ``weight_init``."""
        return {**super().get_config(), "activation": self.activation.get_config(), "weight_init": self.weight_init}

    def __repr__(self) -> str:
        """Return ``Dense(neurons, activation=...)``."""
        return f"Dense({self.neurons}, activation={self.activation!r})"


LAYERS: dict[str, type[Layer]] = {"dense": Dense}
DEFAULT_LAYER = "dense"  # the type of a layer config without a name (saved before layers had types)


def get_layer(spec: str | dict[str, Any] | Layer) -> Layer:
    """Return a new layer from a config dict (or the given instance as is).

    Parameters
    ----------
    spec : dict or Layer
        A config such as ``{"name": "dense", "neurons": 13, "activation": "sigmoid"}``
        (``Layer.get_config()``'s output), made by ``LAYERS[name].from_config``.
        A config without ``name`` is a Dense layer's, as saved before layer
        configs named their type.
    """
    if isinstance(spec, dict) and "name" not in spec:
        spec = {"name": DEFAULT_LAYER, **spec}
    return from_registry("layer", LAYERS, spec, Layer)


def _fits(shape: tuple[int, ...], wanted: Shape) -> bool:
    """Return whether ``shape`` matches ``wanted``, where None matches any width >= 1."""
    return len(shape) == len(wanted) and all(
        got >= 1 if want is None else got == want for got, want in zip(shape, wanted, strict=True)
    )


def _shape_text(shape: Shape) -> str:
    """Return ``shape`` as ``(a, b)``, with ``d_in`` for an unknown input width."""
    cells = ["d_in" if n is None else str(n) for n in shape]
    return f"({', '.join(cells)}{',' if len(cells) == 1 else ''})"
