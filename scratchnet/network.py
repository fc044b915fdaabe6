"""``NeuralNetwork``: layers plus a loss, with the book's forward/backward/train_batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .init import RNG
from .layers import Layer, Shape, get_layer
from .losses import Loss, get_loss

PREDICT_CHUNK_ROWS = 4096  # rows per block in predict: bounds its working memory


class NeuralNetwork:
    """A stack of layers trained against a loss.

    Parameters
    ----------
    layers : sequence of Layer
        Run in order; each layer is set up on the first forward pass.
    loss : Loss, str or dict
        The loss, e.g. ``MeanSquaredError()`` or ``"mse"``.
    seed : int
        Seeds the weight initialisation.
    book_mode : bool
        False (default): each layer draws its weights from its own
        independent stream derived from ``seed``. True: the book's sequence,
        where every layer re-seeds one shared legacy generator with ``seed``
        (so layers of the same shape start identical) and the Trainer's
        shuffles continue from that same generator.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        loss: Loss | str | dict | None = None,
        seed: int = 1,
        book_mode: bool = False,
    ) -> None:
        layers = list(layers)
        if not layers:
            raise ValueError("a NeuralNetwork needs at least one layer, got none")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i + 1} must be a Layer, got {type(layer).__name__}")
        _check_no_shared_operations(layers)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        self.layers = layers
        self.loss = get_loss(loss)
        self.seed = int(seed)
        self.book_mode = bool(book_mode)
        self.shared_rng: np.random.RandomState | None = None
        self._layer_seeds = np.random.SeedSequence(self.seed).spawn(len(layers))
        self._flat: tuple[np.ndarray, np.ndarray] | None = None  # (parameters, gradients), made by flat()
        self._packed_versions: tuple[int, ...] | None = None

    # ----- set-up -------------------------------------------------------------
    @property
    def built(self) -> bool:
        """Return True when every layer is built."""
        return all(layer.built for layer in self.layers)

    def layer_rng(self, index: int) -> RNG:
        """Return the generator layer ``index`` (0-based) draws its initial weights from."""
        if self.book_mode:
            if self.shared_rng is None:
                self.shared_rng = np.random.RandomState(self.seed)
            self.shared_rng.seed(self.seed)
            return self.shared_rng
        return np.random.default_rng(self._layer_seeds[index])

    def build(self, input_width: int) -> None:
        """Set up every layer not yet built for inputs of ``input_width`` columns."""
        width = int(input_width)
        for i, layer in enumerate(self.layers):
            if not layer.built:
                layer.build(width, self.layer_rng(i))
            width = layer.neurons
        self.flat()

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """All parameters and all their gradients as two flat vectors, in ``params()`` order.

        The layers' parameter and gradient arrays are views into these two
        vectors, so an optimizer can update every parameter with one
        vectorised step. They are (re)made whenever a layer's arrays change.
        """
        versions = tuple(layer.params_version for layer in self.layers)
        if self._flat is None or versions != self._packed_versions:
            self._flat = self._pack()
            self._packed_versions = versions
        return self._flat

    def _pack(self) -> tuple[np.ndarray, np.ndarray]:
        """Return new flat parameter and gradient vectors and make every layer's arrays views into them."""
        if not self.built:
            raise RuntimeError("the network is not built yet; run forward once first")
        total = sum(p.size for p in self.params())
        flat_params, flat_grads = np.empty(total), np.zeros(total)
        offset = 0
        for layer in self.layers:
            params, grads = [], []
            for p in layer.params:
                params.append(flat_params[offset : offset + p.size].reshape(p.shape))
                grads.append(flat_grads[offset : offset + p.size].reshape(p.shape))
                offset += p.size
            layer.use_buffers(params, grads)
        return flat_params, flat_grads

    def clone(self) -> NeuralNetwork:
        """Return a new network of the same architecture; built, it holds copies of this one's current weights.

        An unbuilt network's clone is unbuilt too and draws the same starting weights from the same seed.
        """
        copy = NeuralNetwork.from_config(self.get_config())
        if self.built:
            width = self.layers[0].input_width
            if width is None:
                raise ValueError("the network's first layer has no input width")
            copy.build(width)
            copy.flat()[0][:] = self.flat()[0]
        return copy

    def reset(self) -> None:
        """Forget the weights; the next forward pass draws the same starting weights again."""
        for layer in self.layers:
            layer.built = False

    # ----- the book's methods -------------------------------------------------
    def forward(self, x_batch: np.ndarray) -> np.ndarray:
        """Pass ``x_batch`` ``(n, d_in)`` through every layer; return ``(n, d_out)``."""
        x_out = x_batch if getattr(x_batch, "ndim", None) == 2 else _check_2d(x_batch, "X")
        if not self.built:
            self.build(x_out.shape[1])
        for layer in self.layers:
            x_out = layer.forward(x_out)
        return x_out

    def backward(self, loss_grad: np.ndarray) -> None:
        """Send dLoss/dPrediction ``(n, d_out)`` back through the layers in reverse."""
        if self.layers[0].output is None or self.layers[-1].output is None:  # each layer checks its own too
            raise RuntimeError("NeuralNetwork: backward called before forward (run forward or train_batch first)")
        grad = loss_grad
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def train_batch(self, x_batch: np.ndarray, y_batch: np.ndarray) -> float:
        """Forward, loss, backward for one batch; return the batch loss."""
        predictions = self.forward(x_batch)
        loss = self.loss.forward(predictions, y_batch)
        self.backward(self.loss.backward())
        return loss

    def params(self) -> Iterator[np.ndarray]:
        """Yield the parameters in the book's order: W1, B1, W2, B2, ..."""
        for layer in self.layers:
            yield from layer.params

    def param_grads(self) -> Iterator[np.ndarray]:
        """Yield the parameter gradients, in the order of ``params()``."""
        for layer in self.layers:
            yield from layer.param_grads

    def predict(self, X: np.ndarray, chunk_rows: int = PREDICT_CHUNK_ROWS) -> np.ndarray:
        """Predictions ``(n, d_out)`` for ``X`` ``(n, d_in)``, ``chunk_rows`` rows at a time.

        Unlike ``forward`` it stores nothing in the operations (it uses their
        ``apply``), so the values a training step keeps for backward are left
        alone, another thread may train meanwhile, and no activation of ``X``
        outlives the call; working memory is about ``chunk_rows`` x the widest
        layer. An unbuilt network is built for ``X``'s width first.
        """
        X = self._prediction_input(X, chunk_rows)
        parts = []
        for start in range(0, max(X.shape[0], 1), chunk_rows):
            out = X[start : start + chunk_rows]
            for layer in self.layers:
                out = layer.apply(out)
            parts.append(out)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def layer_outputs(self, X: np.ndarray, chunk_rows: int = PREDICT_CHUNK_ROWS) -> list[np.ndarray]:
        """Return every layer's output for ``X`` ``(n, d_in)``: one array ``(n, neurons)`` per layer, in order.

        Entry ``k`` holds what the ``neurons`` units of layer ``k`` (0-based)
        compute for each row, after the activation; the last entry equals
        ``predict(X)``. Like ``predict`` it stores nothing in the network
        (safe while another thread trains) and runs ``chunk_rows`` rows at a
        time; the arrays returned take ``n`` x the sum of the layer widths.
        """
        X = self._prediction_input(X, chunk_rows)
        parts: list[list[np.ndarray]] = [[] for _ in self.layers]
        for start in range(0, max(X.shape[0], 1), chunk_rows):
            out = X[start : start + chunk_rows]
            for layer, kept in zip(self.layers, parts, strict=True):
                out = layer.apply(out)
                kept.append(out)
        return [kept[0] if len(kept) == 1 else np.concatenate(kept) for kept in parts]

    def _prediction_input(self, X: np.ndarray, chunk_rows: int) -> np.ndarray:
        """Return ``X`` as a float64 2-D array after checking ``chunk_rows``; build the network for it if needed."""
        X = _check_2d(np.asarray(X, dtype=np.float64), "X")
        if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
        if not self.built:
            self.build(X.shape[1])
        return X

    # ----- description --------------------------------------------------------
    def param_names(self) -> list[str]:
        """Return ``["W1", "B1", "W2", "B2", ...]`` matching ``params()``: each layer's ``param_kinds``, numbered."""
        return [f"{kind}{i + 1}" for i, layer in enumerate(self.layers) for kind in layer.param_kinds]

    def param_shapes(self, input_width: int | None = None) -> dict[str, Shape]:
        """Return every parameter's shape by name (as ``param_names()``), None where the width is unknown.

        Parameters
        ----------
        input_width : int, optional
            The network's input width; by default the one it was built for.
        """
        width = self.layers[0].input_width if input_width is None else int(input_width)
        shapes: dict[str, Shape] = {}
        for i, layer in enumerate(self.layers):
            for kind, shape in zip(layer.param_kinds, layer.param_shapes(width), strict=True):
                shapes[f"{kind}{i + 1}"] = shape
            width = layer.neurons
        return shapes

    def n_params(self, input_width: int | None = None) -> int:
        """Return the number of trainable numbers (needs ``input_width`` if not built)."""
        width = self.layers[0].input_width if input_width is None else int(input_width)
        if width is None:
            raise ValueError("the network is not built yet; pass input_width")
        total = 0
        for layer in self.layers:
            total += layer.n_params(width)
            width = layer.neurons
        return total

    def get_config(self) -> dict:
        """Return the constructor arguments as plain JSON-ready values (each layer's config names its type)."""
        return {
            "layers": [layer.get_config() for layer in self.layers],
            "loss": self.loss.get_config(),
            "seed": self.seed,
            "book_mode": self.book_mode,
        }

    @classmethod
    def from_config(cls, config: dict) -> NeuralNetwork:
        """Make an unbuilt network from ``get_config()``'s output."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("a network config must be a dict with a list under 'layers'")
        layers = [get_layer(c) for c in config["layers"]]
        return cls(
            layers,
            loss=config.get("loss", "mse"),
            seed=config.get("seed", 1),
            book_mode=config.get("book_mode", False),
        )

    def summary(self, input_width: int | None = None) -> str:
        """Return a text table: layer, activation, each kind of parameter's shape (W, B), parameter count."""
        width = self.layers[0].input_width if input_width is None else int(input_width)
        known = width is not None
        kinds = list(dict.fromkeys(kind for layer in self.layers for kind in layer.param_kinds))
        rows = [("layer", "activation", *kinds, "params")]
        total = 0
        for i, layer in enumerate(self.layers):
            activation = getattr(layer, "activation", None)
            shapes = dict(zip(layer.param_kinds, layer.param_shapes(width), strict=True))
            count = "?" if width is None else str(layer.n_params(width))
            total += 0 if width is None else layer.n_params(width)
            cells = [_shape_text(shapes[k]) if k in shapes else "" for k in kinds]
            rows.append((f"{i + 1} {type(layer).__name__}", "" if activation is None else type(activation).__name__,
                         *cells, count))
            width = layer.neurons
        rows.append(("total", "", *[""] * len(kinds), str(total) if known else "?"))
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.insert(len(lines) - 1, "-" * len(lines[0]))
        return "\n".join(lines)

    def __repr__(self) -> str:
        """Return ``NeuralNetwork([layers], loss=..., seed=...)``."""
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"NeuralNetwork([{inner}], loss={self.loss!r}, seed={self.seed})"


def _shape_text(shape: Shape) -> str:
    """Return ``shape`` as ``(a, b)``, with ``?`` for an unknown width."""
    return "(" + ", ".join("?" if n is None else str(n) for n in shape) + ")"


def _check_2d(X: np.ndarray, name: str) -> np.ndarray:
    if np.ndim(X) != 2:
        raise ValueError(f"{name} must be 2-D (rows, columns), got shape {np.shape(X)}")
    return X


def _check_no_shared_operations(layers: list[Layer]) -> None:
    """Each layer keeps state in its activation, so two layers must not share one."""
    seen: dict[int, int] = {}
    for i, layer in enumerate(layers):
        for op in [getattr(layer, "activation", None), *layer.operations]:
            if op is None:
                continue
            if id(op) in seen and seen[id(op)] != i:
                raise ValueError(
                    f"layers {seen[id(op)] + 1} and {i + 1} share one {type(op).__name__} "
                    "instance; give each layer its own"
                )
            seen[id(op)] = i
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError("the same Layer instance appears twice; give each position its own")
