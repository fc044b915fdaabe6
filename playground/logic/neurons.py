"""Logic of the "Neuron by neuron" page: how a tabular network's prediction is assembled from its units.

Plain functions and dataclasses, no Streamlit and no Plotly. The network is a
private copy of the playground's (``model_for``), so a training thread that
goes on meanwhile cannot change the weights between one curve and the next;
every value is computed with ``Layer.apply`` (stateless), never ``forward``.

The output layer of a regression network is linear with one unit, so its
prediction is exactly ``B + sum_j W_j a_j``: the output bias plus one
contribution ``W_j a_j`` per unit ``j`` of the last hidden layer. With no
hidden layer the "units" would be the scaled features themselves and the page
says there are none to show.

Layer outputs come from ``NeuralNetwork.layer_outputs`` and the split of the
prediction from ``scratchnet.explain.contributions``.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass

import numpy as np

from playground.core.session import data_for, read_config
from playground.logic.data import best_feature
from playground.logic.inside import matching_run, network_for, split_for
from scratchnet import Dataset, Linear, NeuralNetwork, explain
from scratchnet.data import Split

N_POINTS = 100  # points of a sweep
MAX_POINTS = 500  # at most this many (playground.figures.common.MAX_CURVE)
MAX_UNITS = 16  # units drawn one by one in a figure; the others are summed into one
HOLDS = {"median": "at their medians", "house": "at the chosen house's values"}
ORDERS = {"size": "largest contribution first", "unit": "in unit order"}


# ----- which network ---------------------------------------------------------------------
@dataclass
class Model:
    """The network the page explains, with its data.

    Attributes
    ----------
    net : NeuralNetwork
        A built copy with its own weights (never the run's arrays).
    data : Dataset
        The features the network uses, in original units: ``X`` ``(n, d)``, ``y`` ``(n, 1)``.
    split : Split
        The run's split: scaled ``X_test`` ``(m, d)``, ``y_test`` ``(m, 1)``,
        ``test_rows`` ``(m,)`` into ``data``, the scaler's ``mean`` and ``scale`` ``(d,)``.
    origin : str
        Where the weights come from, in words.
    kind : {"regression", "classification"}
        For two classes the output, and everything split here, is the logit (before the sigmoid).
    """

    net: NeuralNetwork
    data: Dataset
    split: Split
    origin: str
    kind: str = "regression"

    @property
    def hidden(self) -> int:
        """The number of hidden layers."""
        return len(self.net.layers) - 1


def model_for(state: MutableMapping, loader: Callable[[str], Dataset]) -> Model:
    """The playground's network: its run's current weights, or the configuration's starting weights.

    Parameters
    ----------
    state : mapping
        The session state (``session.init_state`` already applied).
    loader : callable
        ``loader(name)`` gives a built-in dataset, e.g. ``playground.ui.loaders.dataset``.

    Raises
    ------
    ValueError or KeyError
        The configuration's features do not exist, or its CSV is no longer loaded (KeyError).
    """
    config = read_config(state)
    run = matching_run(state, config)
    if run is not None:
        params = [np.array(p, dtype=np.float64, copy=True) for p in run.current_params()]
        net = network_for(run.config, run.split.X_train.shape[1], params)
        origin = f"the playground run's weights at epoch {run.model_epoch}"
        if run.model_epoch == 0:
            origin += " (its starting weights: train it on the playground to see what the units learn)"
        if run.status == "training":
            origin += " (it is training: these are the weights when the page was drawn)"
        return Model(net, run.data, run.split, origin, run.config.kind)
    data = data_for(state, config.dataset, loader)
    if config.features is not None:
        data = data.select(list(config.features))
    split = split_for(config, data)
    net = network_for(config, split.X_train.shape[1])
    origin = f"the starting weights of seed {config.seed} (the playground has not trained this network yet)"
    return Model(net, data, split, origin, config.kind)


# ----- the network, unit by unit -----------------------------------------------------------
def contributions(net: NeuralNetwork, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The output bias and each last-hidden-layer unit's contribution ``W_j a_j`` for every row of ``X``.

    ``scratchnet.explain.contributions``, and for a network with no hidden
    layer the same split over the scaled features.

    Parameters
    ----------
    net : NeuralNetwork
        Built, with a linear output layer of one unit.
    X : ndarray, shape (n, d)
        Scaled features.

    Returns
    -------
    bias : ndarray, shape (n,)
        The output bias ``B``, once per row.
    parts : ndarray, shape (n, h)
        ``a_j W_j`` for the ``h`` units feeding the output (the scaled
        features when there is no hidden layer); ``bias + parts.sum(axis=1)``
        is the prediction.
    """
    if len(net.layers) > 1:
        return explain.contributions(net, X)
    out_layer = net.layers[0]
    if out_layer.neurons != 1 or not isinstance(getattr(out_layer, "activation", None), Linear):
        raise ValueError(f"the output layer must be linear with one unit to split its prediction, got {out_layer!r}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n, d), got shape {X.shape}")
    W, B = out_layer.params
    return np.full(X.shape[0], float(B[0, 0])), X * W[:, 0]


def unit_labels(layer: int, n_units: int) -> list[str]:
    """``["h1_1", "h1_2", ...]``: the names of hidden layer ``layer``'s units (both 1-based)."""
    return [explain.unit_name(int(layer) - 1, j) for j in range(int(n_units))]


def strongest(values: np.ndarray, keep: int = MAX_UNITS) -> np.ndarray:
    """The ``keep`` units of largest size, in unit order (every unit when there are at most ``keep``).

    Parameters
    ----------
    values : ndarray, shape (n, h) or (h,)
        Contributions or (centred) activations; a unit's size is its largest absolute value.
    keep : int
        At least 1.

    Returns
    -------
    ndarray of int, shape (min(h, keep),)
        0-based unit numbers, ascending.
    """
    if isinstance(keep, bool) or not isinstance(keep, (int, np.integer)) or keep < 1:
        raise ValueError(f"keep must be a whole number >= 1, got {keep!r}")
    values = np.asarray(values, dtype=float)
    size = np.abs(values.reshape(-1, values.shape[-1])).max(axis=0)
    if size.shape[0] <= keep:
        return np.arange(size.shape[0])
    return np.sort(np.argsort(-size, kind="stable")[:keep])


def grouped(parts: np.ndarray, labels: list[str], max_units: int = MAX_UNITS) -> tuple[list[str], np.ndarray]:
    """Contributions to draw: every unit, or the ``max_units - 1`` largest and one sum of the others.

    Parameters
    ----------
    parts : ndarray, shape (n, h) or (h,)
        Contributions, one column per unit.
    labels : list of str
        ``h`` unit names.
    max_units : int
        At least 2.

    Returns
    -------
    labels : list of str
        The units kept (in column order), then ``"other N units"`` if any were summed.
    columns : ndarray, shape (n, m) or (m,)
        Their contributions; the columns still sum to ``parts.sum(axis=-1)``.
    """
    parts = np.asarray(parts, dtype=float)
    if parts.shape[-1] != len(labels):
        raise ValueError(f"labels must name the {parts.shape[-1]} units, got {len(labels)} names")
    if isinstance(max_units, bool) or not isinstance(max_units, (int, np.integer)) or max_units < 2:
        raise ValueError(f"max_units must be a whole number >= 2, got {max_units!r}")
    if len(labels) <= max_units:
        return list(labels), parts
    keep = strongest(parts, max_units - 1)  # ascending columns: the given order
    rest = np.setdiff1d(np.arange(len(labels)), keep)
    other = parts[..., rest].sum(axis=-1, keepdims=True)
    return [labels[j] for j in keep] + [f"other {len(rest)} units"], np.concatenate([parts[..., keep], other], axis=-1)


# ----- the sweep -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """One feature swept across its range with the others held fixed, and what the network makes of it.

    Attributes
    ----------
    feature : str
    index : int
        The feature's column.
    x : ndarray, shape (n,)
        The swept feature in original units, from its minimum to its maximum in the data.
    X : ndarray, shape (n, d)
        The sweep's rows in original units (every column but ``index`` constant).
    X_scaled : ndarray, shape (n, d)
        The same rows scaled as the network's inputs.
    held : ndarray, shape (d,)
        The values the other features are held at, original units.
    hold : {"median", "house"}
    layer : int
        The hidden layer of ``units`` (1-based; 0 with no hidden layer).
    units : ndarray, shape (n, k)
        The activations of that layer's ``k`` units along the sweep (``(n, 0)`` with no hidden layer).
    prediction : ndarray, shape (n,)
    bias : ndarray, shape (n,)
    parts : ndarray, shape (n, h)
        The last hidden layer's contributions ``W_j a_j``; ``bias + parts.sum(axis=1) == prediction``.
    last_layer : int
        The number of that last hidden layer (0 with none: ``parts`` are then the scaled features' ``W_j x_j``).
    """

    feature: str
    index: int
    x: np.ndarray
    X: np.ndarray
    X_scaled: np.ndarray
    held: np.ndarray
    hold: str
    layer: int
    units: np.ndarray
    prediction: np.ndarray
    bias: np.ndarray
    parts: np.ndarray
    last_layer: int


def held_values(data: Dataset, split: Split, hold: str = "median", house: int = 0) -> np.ndarray:
    """The values ``(d,)``, original units, the other features are held at: their medians or one test house's."""
    if hold == "median":
        return np.median(np.asarray(data.X, dtype=np.float64), axis=0)
    if hold == "house":
        return np.asarray(data.X[split.test_rows[check_house(split, house)]], dtype=np.float64)
    raise ValueError(f"hold must be one of {list(HOLDS)}, got {hold!r}")


def sweep_grid(
    data: Dataset, split: Split, feature: str, held: np.ndarray, n_points: int = N_POINTS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows that sweep ``feature`` from its minimum to its maximum in ``data``, the others at ``held``.

    Parameters
    ----------
    held : ndarray, shape (d,)
        Original units.
    n_points : int
        Between 2 and ``MAX_POINTS``.

    Returns
    -------
    x : ndarray, shape (n_points,)
        The swept values, original units.
    X : ndarray, shape (n_points, d)
        Original units.
    X_scaled : ndarray, shape (n_points, d)
        ``(X - split.mean) / split.scale``: what the network takes.
    """
    index = feature_index(data, feature)
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or not 2 <= n_points <= MAX_POINTS:
        raise ValueError(f"n_points must be a whole number from 2 to {MAX_POINTS}, got {n_points!r}")
    held = np.asarray(held, dtype=np.float64)
    if held.shape != (data.X.shape[1],):
        raise ValueError(f"held must have shape ({data.X.shape[1]},), one value per feature, got {held.shape}")
    column = np.asarray(data.X[:, index], dtype=np.float64)
    x = np.linspace(column.min(), column.max(), int(n_points))
    X = np.tile(held, (len(x), 1))
    X[:, index] = x
    return x, X, (X - split.mean) / split.scale


def sweep(
    model: Model, feature: str, hold: str = "median", house: int = 0, layer: int = 1, n_points: int = N_POINTS
) -> Sweep:
    """Sweep ``feature``; the unit curves of hidden layer ``layer``, the prediction and its contributions.

    Parameters
    ----------
    hold : {"median", "house"}
        The other features at their medians over all rows, or at test row ``house``'s values.
    house : int
        0-based row of the test set (used when ``hold == "house"``).
    layer : int
        1-based hidden layer whose units are drawn (ignored with no hidden layer).
    """
    held = held_values(model.data, model.split, hold, house)
    x, X, X_scaled = sweep_grid(model.data, model.split, feature, held, n_points)
    outputs = model.net.layer_outputs(X_scaled)
    if model.hidden:
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= model.hidden:
            raise ValueError(f"layer must be a hidden layer from 1 to {model.hidden}, got {layer!r}")
        units = outputs[int(layer) - 1]
    else:
        layer, units = 0, np.zeros((len(x), 0))
    bias, parts = contributions(model.net, X_scaled)
    return Sweep(feature, feature_index(model.data, feature), x, X, X_scaled, held, hold, int(layer), units,
                 outputs[-1][:, 0], bias, parts, model.hidden)


def feature_index(data: Dataset, feature: str) -> int:
    """The column of ``feature``; ValueError naming it if the data has no such feature."""
    if feature not in data.feature_names:
        raise ValueError(f"no feature named {feature!r}; the network uses {data.feature_names}")
    return data.feature_names.index(feature)


def check_house(split: Split, house: int) -> int:
    """``house`` if it is a 0-based row of the test set, else a ValueError naming it."""
    n_test = len(split.test_rows)
    if isinstance(house, bool) or not isinstance(house, (int, np.integer)) or not 0 <= house < n_test:
        raise ValueError(f"house must be a test row from 0 to {n_test - 1}, got {house!r}")
    return int(house)


def house_point(model: Model, sweep_: Sweep, house: int) -> dict:
    """The chosen house on the sweep's axes: its feature value ``x``, its ``prediction`` and its ``truth``."""
    house = check_house(model.split, house)
    row = model.split.X_test[house : house + 1]
    return {
        "x": float(model.data.X[model.split.test_rows[house], sweep_.index]),
        "prediction": float(model.net.predict(row)[0, 0]),
        "truth": float(model.split.y_test[house, 0]),
        "on_curve": sweep_.hold == "house",
    }


# ----- one house's waterfall ---------------------------------------------------------------------
@dataclass(frozen=True)
class Waterfall:
    """One test house's prediction built up from the output bias, one step per last-hidden-layer unit.

    Attributes
    ----------
    house : int
        0-based test row.
    row : int
        Its row in the data.
    labels : list of str
        The units in bar order (``"h2_5"``...).
    units : ndarray of int, shape (h,)
        0-based unit numbers in bar order.
    activations, weights, parts : ndarray, shape (h,)
        ``a_j``, ``W_j`` and ``a_j W_j`` in bar order.
    bias, prediction, truth : float
        ``bias + parts.sum() == prediction``; ``truth`` is the house's price.
    order : {"size", "unit"}
    """

    house: int
    row: int
    labels: list[str]
    units: np.ndarray
    activations: np.ndarray
    weights: np.ndarray
    parts: np.ndarray
    bias: float
    prediction: float
    truth: float
    order: str

    @property
    def running(self) -> np.ndarray:
        """The running total after each bar, shape (h,): the last one is the prediction."""
        return self.bias + np.cumsum(self.parts)


def waterfall(model: Model, house: int, order: str = "size") -> Waterfall:
    """Test house ``house``: output bias, then each last-hidden-layer unit's ``W_j a_j``, then the prediction.

    Parameters
    ----------
    house : int
        0-based row of the test set.
    order : {"size", "unit"}
        Bars by largest absolute contribution first, or in unit order.
    """
    house = check_house(model.split, house)
    if not model.hidden:
        raise ValueError("the network has no hidden layer: there are no units to add up")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {list(ORDERS)}, got {order!r}")
    X = model.split.X_test[house : house + 1]
    outputs = model.net.layer_outputs(X)
    bias, parts = contributions(model.net, X)
    a, c = outputs[-2][0], parts[0]
    units = np.argsort(-np.abs(c), kind="stable") if order == "size" else np.arange(c.shape[0])
    labels = unit_labels(model.hidden, c.shape[0])
    W = model.net.layers[-1].params[0][:, 0]
    return Waterfall(house, int(model.split.test_rows[house]), [labels[j] for j in units], units, a[units],
                     W[units].copy(), c[units], float(bias[0]), float(outputs[-1][0, 0]),
                     float(model.split.y_test[house, 0]), order)


def waterfall_table(wf: Waterfall) -> list[dict]:
    """The waterfall's numbers, one row per bar: the bias, each unit, the prediction and the true price."""
    rows = [{"step": "output bias B", "activation a": None, "weight W": None, "contribution": wf.bias,
             "running total": wf.bias}]
    for label, a, w, c, total in zip(wf.labels, wf.activations, wf.weights, wf.parts, wf.running, strict=True):
        rows.append({"step": label, "activation a": float(a), "weight W": float(w), "contribution": float(c),
                     "running total": float(total)})
    rows.append({"step": "prediction", "activation a": None, "weight W": None, "contribution": None,
                 "running total": wf.prediction})
    rows.append({"step": "true price", "activation a": None, "weight W": None, "contribution": None,
                 "running total": wf.truth})
    return rows


def waterfall_caption(wf: Waterfall, target: str) -> str:
    """Bias + contributions = prediction, in numbers (plain text: ``target`` goes in as it is)."""
    total = float(wf.parts.sum())
    return (f"Bias + contributions = prediction: {wf.bias:.4g} + ({total:+.4g}) = {wf.prediction:.4g}, where "
            f"{total:+.4g} is the sum of the {len(wf.parts)} units' contributions W·a. The true {target} of this "
            f"house is {wf.truth:.4g}: the prediction is off by {wf.prediction - wf.truth:+.4g}. "
            f"Bars: {ORDERS[wf.order]}.")


def house_table(model: Model, house: int) -> list[dict]:
    """The chosen house's features next to the medians, original units."""
    values = held_values(model.data, model.split, "house", house)
    medians = held_values(model.data, model.split, "median")
    return [{"feature": name, "this house": float(v), "median": float(m)}
            for name, v, m in zip(model.data.feature_names, values, medians, strict=True)]


def keep_feature(state: MutableMapping, key: str, data: Dataset) -> str:
    """Keep ``state[key]`` one of ``data``'s features: by default the one most correlated with the target."""
    if state.get(key) not in data.feature_names:
        state[key] = best_feature(data)
    return state[key]


def clamp_house(state: MutableMapping, key: str, n_test: int) -> int:
    """Keep ``state[key]`` (a 1-based test row number) within ``1 .. n_test``; return it."""
    value = state.get(key, 1)
    value = int(value) if isinstance(value, (int, np.integer, float)) else 1
    state[key] = min(max(value, 1), int(n_test))
    return state[key]
