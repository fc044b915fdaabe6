"""Logic of the "Inside the network" page: one batch traced operation by operation.

Plain functions and dataclasses, no Streamlit: the page reads its widgets,
calls these and draws what they return. The text beside each step, and the
names of the arrays (``X``, ``Mk``, ``Nk``, ``Ak``, ``P``), come from
``inside_text``; the gradient check is ``inside_check``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from playground.core.config import BUDGETS, from_preset
from playground.core.run import LiveRun
from playground.core.session import data_for, read_config
from playground.logic.inside_text import backward_text, forward_text, layer_names, loss_text
from scratchnet import BiasAdd, Dataset, NeuralNetwork, Operation, ParamOperation, SigmoidCrossEntropy, WeightMultiply
from scratchnet.config import PRESETS, RunConfig
from scratchnet.data import Split

SOURCES = {
    "playground": "The playground's network",
    "book-linear": "Book: linear",
    "book-shallow": "Book: one hidden layer",
    "book-deep": "Book: deep",
    "custom": "One hidden layer, any activation",
}
DEFAULT_BATCH = 8
PASS, FAIL = "✓ pass", "✗ fail"


# ----- data classes ------------------------------------------------------------------
@dataclass(frozen=True)
class ShapeCheck:
    """One of the book's shape rules at one step: ``got`` must equal ``expected``."""

    rule: str
    got: tuple[int, ...]
    expected: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return tuple(self.got) == tuple(self.expected)


@dataclass(frozen=True)
class Step:
    """One step of the trace: a forward operation, the loss, or a backward operation.

    Attributes
    ----------
    phase : {"forward", "loss", "backward"}
    layer : int or None
        1-based layer number; None for the loss.
    position : int
        Index of the operation inside its layer (0 WeightMultiply, 1 BiasAdd,
        2 activation); -1 for the loss.
    operation : str
        Class name, e.g. ``"WeightMultiply"`` or ``"MeanSquaredError"``.
    symbol : str
        Short label for the pipeline, e.g. ``"×W1"``, ``"+B1"``, ``"sigmoid1"``.
    arrays : tuple of (str, ndarray)
        Labelled copies of the arrays of this step, each 2-D.
    checks : tuple of ShapeCheck
    text : str
        Markdown (with LaTeX) tying the step to the chain rule.
    shapes : dict
        Shapes by role: ``input``, ``output``, ``param`` (forward and loss) or
        ``output_grad``, ``input_grad``, ``param_grad`` (backward), and
        ``param_name`` (``"W1"``, ``"B1"``... or None); the loss step has
        ``target`` and ``input_grad``.
    loss : float or None
        The batch loss (loss step only).
    """

    phase: str
    layer: int | None
    position: int
    operation: str
    symbol: str
    arrays: tuple[tuple[str, np.ndarray], ...]
    checks: tuple[ShapeCheck, ...]
    text: str
    shapes: dict
    loss: float | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def title(self) -> str:
        if self.phase == "loss":
            return f"Loss: {self.operation}"
        return f"{self.phase.capitalize()}: layer {self.layer}, {self.operation}"


@dataclass
class Inspection:
    """Everything the page shows for one network and one batch.

    Attributes
    ----------
    config : RunConfig
    net : NeuralNetwork
        Built, with the weights that were inspected.
    X : ndarray, shape (n, d)
    y : ndarray, shape (n, 1)
    steps : list of Step
        ``3 L`` forward steps, one loss step, ``3 L`` backward steps.
    origin : str
        Where the weights and the batch come from, in words.
    """

    config: RunConfig
    net: NeuralNetwork
    X: np.ndarray
    y: np.ndarray
    steps: list[Step]
    origin: str


# ----- which network, which data -----------------------------------------------------------
def page_config(
    source: str, playground: RunConfig, activation: str = "sigmoid", neurons: int = 13
) -> RunConfig:
    """The configuration to inspect.

    Parameters
    ----------
    source : str
        A key of ``SOURCES``: ``"playground"`` (``playground`` as it is), a
        book preset, or ``"custom"`` (one hidden layer of ``neurons`` with
        ``activation`` on the Boston data).
    playground : RunConfig
        The playground's current configuration.
    """
    if source == "playground":
        return playground
    if source in PRESETS:
        return from_preset(source)
    if source == "custom":
        return replace(from_preset("book-shallow"), preset="custom", hidden=((int(neurons), str(activation)),))
    raise ValueError(f"unknown network source {source!r}; choose from {list(SOURCES)}")


def split_for(config: RunConfig, data: Dataset) -> Split:
    """The playground's split of ``data`` (book order for book presets), features as configured."""
    if config.features is not None:
        data = data.select(list(config.features))
    return config.split(data)


def matching_run(state: MutableMapping, config: RunConfig) -> LiveRun | None:
    """The playground's run if it trains exactly ``config``'s network on ``config``'s data, else None."""
    run = state.get("run")
    if isinstance(run, LiveRun) and run.key == config.run_key():
        return run
    return None


def inspect(
    state: MutableMapping,
    source: str,
    batch_size: int,
    loader: Callable[[str], Dataset],
    activation: str = "sigmoid",
    neurons: int = 13,
) -> Inspection:
    """Build the network ``source`` names, take a batch and trace it.

    Parameters
    ----------
    state : mapping
        The session state (``session.init_state`` already applied).
    source : str
        A key of ``SOURCES``.
    batch_size : int
        Rows of the training data in the batch: its first ``batch_size`` rows.
    loader : callable
        ``loader(name)`` gives a built-in dataset, e.g. ``playground.ui.loaders.dataset``.

    Raises
    ------
    ValueError, TypeError or KeyError
        With a message for the person: unknown source, a CSV no longer loaded
        (KeyError), a bad architecture or feature choice, a batch size that is
        not a whole number (TypeError) or is larger than the data.
    """
    config = page_config(source, read_config(state), activation, neurons)
    run = matching_run(state, config) if source == "playground" else None
    if run is not None:
        split = run.split
        params = list(run.net.params()) if run.net.built else None
        origin = f"the playground run's weights at epoch {run.epoch}"
    else:
        split = split_for(config, data_for(state, config.dataset, loader))
        params = None
        origin = f"the starting weights of seed {config.seed}"
    X, y = first_batch(split, batch_size)
    widest = max([split.X_train.shape[1]] + [n for n, _ in config.layers])
    if isinstance(batch_size, int) and batch_size * widest > BUDGETS["inside_values"]:
        cap = BUDGETS["inside_values"]
        largest = max(cap // widest, 1)
        raise ValueError(f"Batch size {batch_size:,} is too large for this page: it draws every operation's values, "
                         f"at most {cap:,} numbers per array ({largest} rows at the widest layer of {widest}). "
                         f"Use a batch size of at most {largest}.")
    net = network_for(config, X.shape[1], params)
    origin = f"{origin}; the first {X.shape[0]} training rows of {config.dataset}"
    return Inspection(config, net, X, y, trace_batch(net, X, y), origin)


def first_batch(split: Split, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``batch_size`` training rows as float64: ``X`` ``(n, d)`` and ``y`` ``(n, 1)``."""
    n_rows = split.X_train.shape[0]
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch size must be a whole number, got {batch_size!r}")
    if not 1 <= batch_size <= n_rows:
        raise ValueError(f"Batch size must be between 1 and the {n_rows} training rows, got {batch_size}.")
    X = np.array(split.X_train[:batch_size], dtype=np.float64)
    y = np.array(split.y_train[:batch_size], dtype=np.float64).reshape(-1, 1)
    return X, y


def network_for(
    config: RunConfig, input_width: int, params: Sequence[np.ndarray] | None = None
) -> NeuralNetwork:
    """A new, built network of ``config`` for ``input_width`` features, with copies of ``params`` if given.

    Parameters
    ----------
    params : sequence of ndarray, optional
        ``[W1 (d, h1), B1 (1, h1), W2, B2, ...]``, e.g. a playground run's
        weights; they are copied, never shared.
    """
    net = config.build_network()
    net.build(int(input_width))
    if params is not None:
        params = list(params)
        targets = list(net.params())
        if [np.shape(p) for p in params] != [t.shape for t in targets]:
            raise ValueError(
                f"the weights have shapes {[np.shape(p) for p in params]}, "
                f"the network needs {[t.shape for t in targets]}"
            )
        for target, value in zip(targets, params, strict=True):
            target[...] = np.asarray(value, dtype=np.float64)
    return net


# ----- the trace ---------------------------------------------------------------------------
def trace_batch(net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> list[Step]:
    """Run one batch forward and backward operation by operation, keeping a copy of every array.

    Parameters
    ----------
    net : NeuralNetwork
        Built for ``X``'s columns (or unbuilt: it is built here).
    X : ndarray, shape (n, d)
    y : ndarray, shape (n, 1)

    Returns
    -------
    list of Step
        The forward step of every operation in order, the loss step, then the
        backward step of every operation in reverse order.
    """
    X, y = as_batch(X, y)
    if not net.built:
        net.build(X.shape[1])
    if net.layers[0].input_width != X.shape[1]:
        raise ValueError(f"the network takes {net.layers[0].input_width} features, the batch has {X.shape[1]}")
    net.flat()  # parameters and gradients in the network's flat buffers, as in training
    steps: list[Step] = []
    values = X
    for k, layer in enumerate(net.layers, start=1):
        for position, op in enumerate(layer.operations):
            values = op.forward(values)
            steps.append(_forward_step(k, position, op))
    loss = net.loss.forward(values, y)
    grad = net.loss.backward()
    steps.append(_loss_step(net, len(net.layers), loss))
    for k in range(len(net.layers), 0, -1):
        layer = net.layers[k - 1]
        for position in range(len(layer.operations) - 1, -1, -1):
            op = layer.operations[position]
            received = _copy(grad)
            grad = op.backward(grad)
            steps.append(_backward_step(k, position, op, received))
    return steps


def as_batch(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``X`` ``(n, d)`` and ``y`` ``(n, 1)`` as float64, with a ValueError if their shapes do not fit."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be 2-D with at least one row, got shape {X.shape}")
    if y.shape != (X.shape[0], 1):
        raise ValueError(f"y must have shape ({X.shape[0]}, 1) to match X, got {y.shape}")
    return X, y


def _copy(a: np.ndarray) -> np.ndarray:
    return np.array(a, dtype=np.float64, copy=True)


def _in_out_names(k: int, position: int) -> tuple[str, str]:
    n = layer_names(k)
    return [(n["A_in"], n["M"]), (n["M"], n["N"]), (n["N"], n["A"])][min(position, 2)]


def _symbol(k: int, op: Operation) -> str:
    if isinstance(op, WeightMultiply):
        return f"×W{k}"
    if isinstance(op, BiasAdd):
        return f"+B{k}"
    return f"{getattr(op, 'name', type(op).__name__.lower())}{k}"


def _forward_step(k: int, position: int, op: Operation) -> Step:
    x, out = _copy(op.input_), _copy(op.output)
    name_in, name_out = _in_out_names(k, position)
    arrays = [(f"{name_in} (input)", x)]
    checks = [ShapeCheck("output has one row per input row", out.shape[:1], x.shape[:1])]
    shapes = {"input": x.shape, "output": out.shape, "param": None, "param_name": None}
    if isinstance(op, ParamOperation):
        p = _copy(op.param)
        pname = layer_names(k)["W" if isinstance(op, WeightMultiply) else "B"]
        arrays.append((f"{pname} (parameter)", p))
        shapes["param"], shapes["param_name"] = p.shape, pname
        checks += _forward_param_checks(op, x, p, out)
    else:
        checks.append(ShapeCheck("output has the input's shape", out.shape, x.shape))
    arrays.append((f"{name_out} (output)", out))
    text = forward_text(k, op, x.shape, shapes["param"], out.shape)
    return Step("forward", k, position, type(op).__name__, _symbol(k, op), tuple(arrays), tuple(checks), text, shapes)


def _forward_param_checks(op: ParamOperation, x: np.ndarray, p: np.ndarray, out: np.ndarray) -> list[ShapeCheck]:
    if isinstance(op, WeightMultiply):
        return [
            ShapeCheck("input columns = rows of W", x.shape[1:], p.shape[:1]),
            ShapeCheck("output is (input rows, columns of W)", out.shape, (x.shape[0], p.shape[1])),
        ]
    return [
        ShapeCheck("B is one row as wide as the input", p.shape, (1, x.shape[1])),
        ShapeCheck("output has the input's shape", out.shape, x.shape),
    ]


def _loss_step(net: NeuralNetwork, n_layers: int, loss: float) -> Step:
    """The loss step: prediction, target and gradient (a two-class net's logit, its probability, classes, gradient)."""
    pred, target, grad = _copy(net.loss.prediction), _copy(net.loss.target), _copy(net.loss.input_grad)
    if isinstance(net.loss, SigmoidCrossEntropy):
        probability = 0.5 * (1.0 + np.tanh(0.5 * pred))  # sigmoid(P), finite for any logit
        arrays = ((f"P = A{n_layers} (logit)", pred), ("σ(P) (probability of class 1)", probability),
                  ("Y (class, 0 or 1)", target), ("∂L/∂P (gradient)", grad))
    else:
        arrays = ((f"P = A{n_layers} (prediction)", pred), ("Y (target)", target), ("∂L/∂P (gradient)", grad))
    checks = (
        ShapeCheck("target has the prediction's shape", target.shape, pred.shape),
        ShapeCheck("∂L/∂P has the prediction's shape", grad.shape, pred.shape),
    )
    shapes = {"input": pred.shape, "output": (), "param": None, "target": target.shape, "input_grad": grad.shape}
    text = loss_text(net.loss, n_layers, pred.shape, loss)
    return Step("loss", None, -1, type(net.loss).__name__, "L", arrays, checks, text, shapes, loss=float(loss))


def _backward_step(k: int, position: int, op: Operation, out_grad: np.ndarray) -> Step:
    """The backward step of ``op``, which received ``out_grad`` (shape of its output)."""
    name_in, name_out = _in_out_names(k, position)
    in_grad = _copy(op.input_grad)
    arrays = [(f"∂L/∂{name_out} (received)", out_grad), (f"∂L/∂{name_in} (sent back)", in_grad)]
    checks = [
        ShapeCheck("output gradient has the output's shape", out_grad.shape, op.output.shape),
        ShapeCheck("input gradient has the input's shape", in_grad.shape, op.input_.shape),
    ]
    shapes = {"output_grad": out_grad.shape, "input_grad": in_grad.shape, "param_grad": None, "param_name": None}
    if isinstance(op, ParamOperation):
        pname = layer_names(k)["W" if isinstance(op, WeightMultiply) else "B"]
        p_grad = _copy(op.param_grad)
        arrays.append((f"∂L/∂{pname} (parameter gradient)", p_grad))
        checks.append(ShapeCheck("parameter gradient has the parameter's shape", p_grad.shape, op.param.shape))
        shapes["param_grad"], shapes["param_name"] = p_grad.shape, pname
    text = backward_text(k, op, out_grad.shape, in_grad.shape, shapes["param_grad"])
    return Step("backward", k, position, type(op).__name__, _symbol(k, op), tuple(arrays), tuple(checks), text, shapes)


# ----- read-outs for the page ----------------------------------------------------------------
def operations_table(steps: Sequence[Step]) -> list[dict[str, str]]:
    """One row per operation, then the loss: the shapes of the book's figures 3-1 and 3-2.

    Columns: Layer, Operation, Input, Parameter, Output, ∂L/∂Output,
    ∂L/∂Input, ∂L/∂Parameter and Shape rules (pass when every check of the
    operation's forward and backward step holds).
    """
    backward = {(s.layer, s.position): s for s in steps if s.phase == "backward"}
    rows = []
    for f in (s for s in steps if s.phase == "forward"):
        b = backward[(f.layer, f.position)]
        param = f.shapes["param"]
        rows.append({
            "Layer": str(f.layer),
            "Operation": f.operation,
            "Input": str(f.shapes["input"]),
            "Parameter": f"{f.shapes['param_name']} {param}" if param else "—",
            "Output": str(f.shapes["output"]),
            "∂L/∂Output": str(b.shapes["output_grad"]),
            "∂L/∂Input": str(b.shapes["input_grad"]),
            "∂L/∂Parameter": str(b.shapes["param_grad"]) if b.shapes["param_grad"] else "—",
            "Shape rules": PASS if f.ok and b.ok else FAIL,
        })
    for s in (s for s in steps if s.phase == "loss"):
        rows.append({
            "Layer": "loss",
            "Operation": s.operation,
            "Input": f"P {s.shapes['input']}",
            "Parameter": f"target Y {s.shapes['target']}",
            "Output": "one number",
            "∂L/∂Output": "—",
            "∂L/∂Input": str(s.shapes["input_grad"]),
            "∂L/∂Parameter": "—",
            "Shape rules": PASS if s.ok else FAIL,
        })
    return rows


def pipeline(steps: Sequence[Step], current: int) -> str:
    """Markdown of the forward and backward chains with step ``current`` (0-based) highlighted."""
    def label(i: int) -> str:
        return f":blue-background[**{steps[i].symbol}**]" if i == current else steps[i].symbol

    forward = [i for i, s in enumerate(steps) if s.phase in ("forward", "loss")]
    backward = [i for i, s in enumerate(steps) if s.phase in ("loss", "backward")]
    return (
        "Forward: X → " + " → ".join(label(i) for i in forward)
        + "  \nBackward: " + " → ".join(label(i) for i in backward) + " → ∂L/∂X"
    )


def clamp_step(state: MutableMapping, key: str, n_steps: int) -> int:
    """Keep ``state[key]`` (1-based step number) within ``1 .. n_steps``; return it."""
    value = state.get(key, 1)
    value = int(value) if isinstance(value, (int, np.integer)) else 1
    state[key] = min(max(value, 1), int(n_steps))
    return state[key]


def move_step(state: MutableMapping, key: str, delta: int, n_steps: int) -> None:
    """Callback of the previous and next buttons: move ``state[key]`` by ``delta`` within ``1 .. n_steps``."""
    state[key] = clamp_step(state, key, n_steps) + int(delta)
    clamp_step(state, key, n_steps)


def describe(net: NeuralNetwork) -> str:
    """``"13 features → Dense(13, sigmoid) → Dense(1, linear)"`` for a built network (``"1 feature → ..."``)."""
    width = net.layers[0].input_width
    parts = [f"{width} feature{'' if width == 1 else 's'}"]
    for layer in net.layers:
        activation = getattr(layer, "activation", None)
        name = getattr(activation, "name", type(activation).__name__)
        parts.append(f"{type(layer).__name__}({layer.neurons}, {name})")
    return " → ".join(parts)


def fingerprint(config: RunConfig, net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> str:
    """A digest of the configuration, every weight and the batch, to cache a gradient check by."""
    digest = hashlib.sha256(repr(sorted(config.to_dict().items())).encode())
    for a in (*net.params(), X, y):
        a = np.ascontiguousarray(a, dtype=np.float64)
        digest.update(str(a.shape).encode())
        digest.update(a.tobytes())
    return digest.hexdigest()
