"""The synthetic problems' main view: the fitted curve over x (1-D) or the output map over the input square (2-D).

Plain figure dicts, SVG traces only, like every figure here (``playground.figures.common``).
"""

from __future__ import annotations

import numpy as np

from playground.figures import png
from playground.figures.common import (
    DIVERGING,
    MAX_SCATTER,
    NEG_COLOUR,
    POS_COLOUR,
    TRAIN_COLOUR,
    base_layout,
    colour_bar,
)

# the two classes' colours, the ends of the diverging scale: class 0 red, class 1 blue
CLASS_COLOURS = (NEG_COLOUR, POS_COLOUR)


def _points(points: np.ndarray, y: np.ndarray, kind: str, max_points: int = MAX_SCATTER) -> list[dict]:
    """The data points over a 2-D map: one trace per class, or one coloured by value."""
    keep = np.linspace(0, len(points) - 1, min(len(points), max_points)).round().astype(int) if len(points) else []
    points, y = points[keep], y.ravel()[keep]
    base = {"type": "scatter", "mode": "markers", "showlegend": False, "hoverinfo": "skip"}
    if kind == "classification":
        return [{**base, "x": points[y == c, 0], "y": points[y == c, 1], "name": f"class {c}",
                 "marker": {"color": CLASS_COLOURS[c], "size": 6, "line": {"color": "white", "width": 1}}}
                for c in (0, 1)]
    top = float(np.max(np.abs(y))) if y.size else 1.0
    return [{**base, "x": points[:, 0], "y": points[:, 1], "name": "data",
             "marker": {"color": y, "cmin": -top, "cmax": top, "colorscale": DIVERGING, "size": 6,
                        "line": {"color": "#333", "width": 0.6}}}]


def output_map(axis: np.ndarray, z: np.ndarray, points: np.ndarray, y: np.ndarray, kind: str,
               discretize: bool = False, title: str = "") -> dict:
    """The network's output over the input square as a picture, with the data points on it.

    The square is one PNG image (``png.png_uri``) stretched over the axes, smoothed by the browser's own
    image scaling: a heatmap trace of the same grid took several times longer to draw on every live update.
    A colour bar (an invisible point's marker scale) gives the values.

    Parameters
    ----------
    axis : ndarray, shape (r,)
        The grid's coordinates along x1 and along x2 (the square is ``axis x axis``).
    z : ndarray, shape (r, r)
        ``z[i, j]`` is the output at ``x2 = axis[i]``, ``x1 = axis[j]``: for a regression the
        prediction, for two classes the probability of class 1.
    points : ndarray, shape (n, 2)
        The data points (x1, x2) drawn on the map, at most ``MAX_SCATTER`` of them.
    y : ndarray, shape (n,) or (n, 1)
        Their targets: 0/1 classes, or values on the map's colour scale.
    kind : "regression" or "classification"
    discretize : bool
        Two classes only: colour each point of the square by its predicted class (probability
        above or below 0.5) instead of by the probability.
    """
    z = np.asarray(z, dtype=float)
    if kind == "classification":
        shown = (z > 0.5).astype(float) if discretize else z
        centred, low, high, bar = 2.0 * shown - 1.0, 0.0, 1.0, "P(class 1)"
    else:
        finite = z[np.isfinite(z)]
        top = max(float(np.max(np.abs(finite))) if finite.size else 1.0, float(np.max(np.abs(y))) if len(y) else 0.0)
        top = top or 1.0
        centred, low, high, bar = z / top, -top, top, "prediction"
    lo, hi = float(axis[0]), float(axis[-1])
    image = {"source": png.png_uri(png.diverging_rgb(centred[::-1], 1.0)), "xref": "x", "yref": "y", "x": lo, "y": hi,
             "sizex": hi - lo, "sizey": hi - lo, "sizing": "stretch", "layer": "below"}
    data = [colour_bar(DIVERGING, low, high, bar), *_points(np.asarray(points, dtype=float), np.asarray(y), kind)]
    layout = base_layout(title, 330, margin={"l": 45, "r": 10, "t": 45, "b": 40}, images=[image],
                         xaxis={"title": {"text": "x1"}, "range": [lo, hi], "constrain": "domain", "showgrid": False,
                                "zeroline": False},
                         yaxis={"title": {"text": "x2"}, "range": [lo, hi], "scaleanchor": "x", "showgrid": False,
                                "zeroline": False})
    return {"data": data, "layout": layout}


def curve_figure(x_grid: np.ndarray, fitted: np.ndarray, x: np.ndarray, y: np.ndarray, title: str = "") -> dict:
    """A 1-D problem: the data points and the network's fitted curve over ``x``.

    ``x_grid`` and ``fitted`` are ``(m,)``: the curve, computed in one batched pass over the grid;
    ``x`` and ``y`` are the data's ``(n,)`` (at most ``MAX_SCATTER`` are drawn).
    """
    keep = np.linspace(0, len(x) - 1, min(len(x), MAX_SCATTER)).round().astype(int) if len(x) else []
    points = {"type": "scatter", "mode": "markers", "x": np.ravel(x)[keep], "y": np.ravel(y)[keep], "name": "data",
              "marker": {"color": TRAIN_COLOUR, "size": 5, "opacity": 0.55}, "hoverinfo": "skip"}
    curve = {"type": "scatter", "mode": "lines", "x": np.ravel(x_grid), "y": np.ravel(fitted), "name": "network",
             "line": {"color": NEG_COLOUR, "width": 3}, "hovertemplate": "x %{x:.2f}: %{y:.3f}<extra></extra>"}
    finite = np.ravel(y)[np.isfinite(np.ravel(y))]
    span = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    pad = 0.15 * (span[1] - span[0] or 1.0)
    layout = base_layout(title, 330, xaxis={"title": {"text": "x"}},
                         yaxis={"title": {"text": "y"}, "range": [span[0] - pad, span[1] + pad]})
    return {"data": [points, curve], "layout": layout}


def neuron_figure(picture: dict, formula: str, title: str) -> dict:
    """One neuron's picture large: ``picture`` is ``{"axis", "values"}`` (2-D) or ``{"x", "values"}`` (1-D)."""
    values = np.asarray(picture["values"], dtype=float)
    finite = values[np.isfinite(values)]
    top = float(np.max(np.abs(finite))) if finite.size else 1.0
    if "axis" in picture:
        axis = picture["axis"]
        data = [{"type": "heatmap", "x": axis, "y": axis, "z": values, "colorscale": DIVERGING, "zmin": -top,
                 "zmax": top, "zmid": 0.0, "colorbar": {"thickness": 10},
                 "hovertemplate": "x1 %{x:.2f}, x2 %{y:.2f}<br>output %{z:.3f}<extra></extra>"}]
        axes = {"xaxis": {"title": {"text": "x1"}, "constrain": "domain"},
                "yaxis": {"title": {"text": "x2"}, "scaleanchor": "x"}}
    else:
        data = [{"type": "scatter", "mode": "lines", "x": picture["x"], "y": values, "line": {"color": POS_COLOUR},
                 "hovertemplate": "x %{x:.2f}: %{y:.3f}<extra></extra>"}]
        axes = {"xaxis": {"title": {"text": "x"}}, "yaxis": {"title": {"text": "output"}}}
    return {"data": data, "layout": base_layout(title, 330, showlegend=False, **axes)}
