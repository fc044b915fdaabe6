"""What a synthetic problem's network computes, everywhere on its inputs: the output map and every neuron's picture.

One batched pass of the network over a grid of the input space (``scratchnet.problems.grid``: a
line for a 1-D problem, the square for a 2-D one) gives every layer's output at every grid point
(``NeuralNetwork.layer_outputs``, which stores nothing, so it is safe while another thread trains
the network). The last layer's output is the output map; each hidden unit's column is that unit's
picture. A person's selected input features (``x1^2``, ``sin x1``, ...) are computed on the grid
and scaled as the training rows were.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from playground.figures import png
from scratchnet import explain
from scratchnet.config import RunConfig
from scratchnet.problems import PROBLEMS, Problem, expand, grid, make_problem

MAP_RESOLUTION = 50  # the output map: 50 x 50 points (a 1-D curve: 200), one batched forward pass
CURVE_RESOLUTION = 200
THUMB_STRIDE = 3  # a 2-D neuron's thumbnail takes every third grid point: 17 x 17 pixels, smoothed when drawn
THUMB_POINTS = 40  # a 1-D neuron's thumbnail curve


@dataclass
class Pictures:
    """The network over its input space.

    ``axis`` ``(r,)`` is the grid along each input; ``output`` is ``(r,)`` (1-D) or ``(r, r)`` (2-D, x2 down the
    rows): the prediction, or for two classes the probability of class 1. ``hidden[L][k]`` is unit ``k`` of
    hidden layer ``L + 1`` over the same grid.
    """

    problem: Problem
    axis: np.ndarray
    output: np.ndarray
    hidden: list[np.ndarray]  # per hidden layer: (r, units) for 1-D, (r, r, units) for 2-D


def problem_of(config: RunConfig) -> Problem | None:
    """The synthetic problem ``config`` trains on, or None for a table of data (Boston, a CSV...)."""
    return PROBLEMS.get(config.dataset)


def compute(run, net=None) -> Pictures:
    """Every layer's output over the grid, for the network ``run`` holds now (or its starting weights), or ``net``."""
    problem = problem_of(run.config)
    if problem is None:
        raise ValueError(f"{run.config.dataset!r} is not a synthetic problem: it has no input space to draw")
    resolution = MAP_RESOLUTION if problem.dims == 2 else CURVE_RESOLUTION
    points = grid(problem.name, resolution)
    X = expand(points, run.data.feature_names) if problem.dims == 2 else points
    X = (X - run.split.mean) / run.split.scale
    outs = (net or run.network).layer_outputs(X)
    final = outs[-1][:, 0]
    if run.config.kind == "classification":
        final = 1.0 / (1.0 + np.exp(-np.clip(final, -500, 500)))
    shape = (resolution, resolution) if problem.dims == 2 else (resolution,)
    hidden = [out.reshape(*shape, out.shape[1]) for out in outs[:-1]]
    return Pictures(problem, np.unique(points[:, 0]), final.reshape(shape), hidden)


def thumbnails(pictures: Pictures, max_units: int) -> dict:
    """``(layer, unit) -> picture`` for the network diagram (layers from 1), at most ``max_units`` per layer.

    A 2-D problem's picture is a PNG data URI (the unit's output on a 17 x 17 grid, x2 up); a 1-D problem's is
    ``(t, v)``: ``t`` in [0, 1] along x and ``v`` the output in [-1, 1]. Colours and curves share one scale per
    layer, zero in the middle, so the units of a layer compare at a glance.
    """
    out = {}
    for layer, values in enumerate(pictures.hidden, start=1):
        top = _top(values)
        for k in range(min(values.shape[-1], max_units)):
            v = values[..., k]
            if pictures.problem.dims == 2:
                small = v[::THUMB_STRIDE, ::THUMB_STRIDE][::-1]  # row 0 of an image is its top: highest x2
                out[(layer, k)] = png.png_uri(png.diverging_rgb(small, top))
            else:
                pick = np.linspace(0, len(v) - 1, THUMB_POINTS).round().astype(int)
                out[(layer, k)] = (pick / (len(v) - 1), np.clip(v[pick] / top, -1.0, 1.0))
    return out


def formulas(net, input_names: list[str], max_units: int) -> dict:
    """``(layer, unit) -> "tanh(0.8*x1 - 1.3*x2 + 0.2)"``: what each hidden unit computes (layers from 1)."""
    out = {}
    for index in range(len(net.layers) - 1):
        names = explain.layer_input_names(net, index, input_names if index == 0 else None)
        for k in range(min(net.layers[index].neurons, max_units)):
            out[(index + 1, k)] = explain.unit_formula(net, index, k, names)
    return out


def picture(pictures: Pictures, layer: int, unit: int) -> dict:
    """One unit's picture at full resolution: ``{"axis", "values" (r, r)}`` or ``{"x", "values" (r,)}``."""
    values = pictures.hidden[layer - 1][..., unit]
    return {"axis": pictures.axis, "values": values} if pictures.problem.dims == 2 else {"x": pictures.axis,
                                                                                            "values": values}


def _top(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    top = float(np.max(np.abs(finite))) if finite.size else 1.0
    return top if top > 0 else 1.0


def raw_points(config: RunConfig) -> np.ndarray:
    """The problem's points in its own coordinates, ``(n, dims)``: x (1-D) or x1, x2 (2-D), every row.

    The run's data holds the selected features only (perhaps neither x1 nor x2), so the points are drawn
    again from the problem's settings, once per setting.
    """
    return _points(config.dataset, config.samples, config.noise, config.data_seed)


@lru_cache(maxsize=32)
def _points(name: str, samples: int, noise: float, data_seed: int) -> np.ndarray:
    data = make_problem(name, n=samples, noise=noise, seed=data_seed)
    points = data.X[:, : PROBLEMS[name].dims].copy()
    points.flags.writeable = False  # shared by every caller
    return points
