"""What a trained network's units compute: each Dense unit's formula and the output's sum of parts.

Layers and units are counted from 0 in the arguments (``net.layers[layer]``,
column ``unit`` of its output) and from 1 in the names shown to people, as
the book numbers ``W1``, ``B1``: unit ``j`` of layer ``k`` is called
``h{k+1}_{j+1}``, so ``unit_name(0, 2) == "h1_3"``, the third unit of the
first layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Linear
from .layers import Dense
from .network import NeuralNetwork


def unit_name(layer: int, unit: int) -> str:
    """Return the name of unit ``unit`` of layer ``layer`` (both 0-based): ``"h{layer+1}_{unit+1}"``."""
    return f"h{int(layer) + 1}_{int(unit) + 1}"


def layer_input_names(net: NeuralNetwork, layer: int, feature_names: Sequence[str] | None = None) -> list[str]:
    """Return the names of the inputs of ``net.layers[layer]``.

    Layer 0 reads the features: ``feature_names``, or ``x1``, ``x2``, ... by
    default. A later layer reads the units of the layer before it, named by
    ``unit_name``; ``feature_names`` does not change those.
    """
    _check_index(net, layer)
    width = int(_dense(net, layer).params[0].shape[0])  # the rows of W
    if layer > 0:
        return [unit_name(layer - 1, j) for j in range(width)]
    if feature_names is None:
        return [f"x{j + 1}" for j in range(width)]
    if isinstance(feature_names, str):
        raise TypeError(f"feature_names must be a sequence of names, not the string {feature_names!r}")
    names = [str(name) for name in feature_names]
    if len(names) != width:
        raise ValueError(f"the first layer reads {width} inputs, got {len(names)} names: {names}")
    return names


def unit_formula(
    net: NeuralNetwork,
    layer: int,
    unit: int,
    input_names: Sequence[str] | None = None,
    digits: int = 2,
) -> str:
    """Return the formula unit ``unit`` of Dense layer ``net.layers[layer]`` computes: ``sigmoid(0.8*x1 - 1.3)``.

    The weights and the bias are rounded to ``digits`` decimals and written
    without trailing zeros (``0.80`` as ``0.8``, ``-0.001`` as ``0``); the
    activation's registry name wraps the sum, except for ``linear``, which
    adds nothing.

    Parameters
    ----------
    net : NeuralNetwork
        Built (run ``forward`` or ``predict`` once).
    layer : int
        Index into ``net.layers``, from 0.
    unit : int
        Column of the layer's output, from 0.
    input_names : sequence of str, optional
        Names of the layer's inputs, one per row of its ``W``. By default
        ``layer_input_names(net, layer)``: ``x1``, ``x2``, ... for layer 0,
        the previous layer's unit names (``unit_name``) after it.
    digits : int
        Decimals kept, from 0 to 12.
    """
    _check_index(net, layer)
    dense = _dense(net, layer)
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < dense.neurons:
        raise ValueError(f"unit must be a whole number from 0 to {dense.neurons - 1} for {dense!r}, got {unit!r}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 0 <= digits <= 12:
        raise ValueError(f"digits must be a whole number from 0 to 12, got {digits!r}")
    if input_names is None:
        names = layer_input_names(net, layer)
    elif isinstance(input_names, str):
        raise TypeError(f"input_names must be a sequence of names, not the string {input_names!r}")
    else:
        names = [str(name) for name in input_names]
    W, B = dense.params
    if len(names) != W.shape[0]:
        raise ValueError(f"{dense!r} reads {W.shape[0]} inputs, got {len(names)} names: {names}")
    text = _weighted_sum(W[:, unit], float(B[0, unit]), names, int(digits))
    activation = dense.activation
    return text if isinstance(activation, Linear) else f"{activation.get_config()['name']}({text})"


def contributions(net: NeuralNetwork, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each prediction of a one-output network into the output bias and one part per last hidden unit.

    The output is ``b + sum_j w_j a_j``, with ``a_j`` the activation of unit
    ``j`` of the last hidden layer; the parts are the ``w_j a_j``, so
    ``bias + parts.sum(axis=1)`` equals ``net.predict(X)[:, 0]`` up to
    rounding (1e-9 and better). For a classifier trained on logits it
    splits the logit.

    Parameters
    ----------
    net : NeuralNetwork
        At least one hidden layer, and a last layer that is a linear
        ``Dense`` with one neuron.
    X : ndarray, shape (n, d_in)

    Returns
    -------
    bias : ndarray, shape (n,)
        The output bias ``b``, on every row.
    parts : ndarray, shape (n, h)
        ``w_j a_j`` for the ``h`` units of the last hidden layer.
    """
    if len(net.layers) < 2:
        raise ValueError(f"contributions needs at least one hidden layer; this network has {len(net.layers)} layer")
    last = net.layers[-1]
    if not isinstance(last, Dense) or last.neurons != 1 or not isinstance(last.activation, Linear):
        raise ValueError(f"contributions needs a last layer of one linear Dense neuron (regression), got {last!r}")
    hidden = net.layer_outputs(X)[-2]  # builds an unbuilt network first
    W, B = last.params
    parts = hidden * W[:, 0]
    return np.full(hidden.shape[0], float(B[0, 0])), parts


def _check_index(net: NeuralNetwork, layer: int) -> None:
    """Raise ``ValueError`` unless ``layer`` is an index into ``net.layers``, from 0."""
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(net.layers):
        raise ValueError(f"layer must be a whole number from 0 to {len(net.layers) - 1}, got {layer!r}")


def _dense(net: NeuralNetwork, layer: int) -> Dense:
    """Return ``net.layers[layer]`` if it is a built ``Dense`` layer; raise otherwise."""
    found = net.layers[layer]
    if not isinstance(found, Dense):
        raise TypeError(f"layer {layer} is a {type(found).__name__}; only Dense units have a formula")
    if not found.built:
        raise ValueError("the network is not built yet; run forward or predict once first")
    return found


def _weighted_sum(weights: np.ndarray, bias: float, names: list[str], digits: int) -> str:
    """Return ``w1*n1 + w2*n2 ... + b`` with every number rounded to ``digits`` decimals."""
    text = ""
    for w, name in zip(weights, names, strict=True):
        number = _number(float(w), digits)
        if not text:
            text = f"{number}*{name}"
        else:
            text += f" - {number[1:]}*{name}" if number.startswith("-") else f" + {number}*{name}"
    bias_text = _number(bias, digits)
    return text + (f" - {bias_text[1:]}" if bias_text.startswith("-") else f" + {bias_text}")


def _number(value: float, digits: int) -> str:
    """Return ``value`` rounded to ``digits`` decimals, without trailing zeros and without ``-0``."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
