"""What every page's figures share: the layout, the colours, point caps and axis helpers.

The figure builders return plain ``{"data": [...], "layout": {...}}`` dicts rather than
``plotly.graph_objects`` figures: ``st.plotly_chart`` validates a figure once anyway, and
skipping a second validation halves the cost of a live refresh. Every builder caps what it
sends: at most ``MAX_CURVE`` points per curve and ``MAX_SCATTER`` per scatter, as numpy
arrays, in SVG traces only (WebGL does not draw everywhere).
"""

from __future__ import annotations

import math

import numpy as np

MAX_CURVE = 500
MAX_SCATTER = 1000
TRAIN_COLOUR, VAL_COLOUR, BIAS_COLOUR = "#1f77b4", "#d62728", "#ff7f0e"
POS_COLOUR, NEG_COLOUR, ZERO_COLOUR = "#2b83ba", "#d7191c", "#f7f7f7"
# values from -top (red) through 0 (near white) to +top (blue): heatmaps, output maps, neuron pictures
DIVERGING = [[0.0, NEG_COLOUR], [0.5, ZERO_COLOUR], [1.0, POS_COLOUR]]


def downsample(x: np.ndarray, y: np.ndarray, max_points: int = MAX_CURVE) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced points of ``(x, y)``, never more than ``max_points``, first and last kept."""
    x, y = np.asarray(x), np.asarray(y)
    if len(x) <= max_points:
        return x, y
    idx = np.unique(np.linspace(0, len(x) - 1, max_points).round().astype(int))
    return x[idx], y[idx]


def base_layout(title: str, height: int = 320, **extra) -> dict:
    """The layout every chart starts from: its title, height, margins, the white template, a legend on top."""
    return {
        "title": {"text": title, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 55, "r": 20, "t": 50, "b": 45},
        "template": "plotly_white",
        "legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        "uirevision": "keep",
        **extra,
    }


def colour_bar(scale, low: float, high: float, title: str, thickness: int = 10) -> dict:
    """A colour bar alone, from ``low`` to ``high`` on ``scale``: an invisible point's marker scale.

    For a chart whose colours are a picture (a layout image), which has no trace of its own to carry one.
    """
    return {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "showlegend": False, "hoverinfo": "skip",
            "marker": {"color": [low], "cmin": low, "cmax": high, "colorscale": scale, "showscale": True,
                       "colorbar": {"thickness": thickness, "title": {"text": title}}}}


def whole_ticks(n: int) -> dict:
    """Axis ticks on whole row or column numbers only (about eight of them)."""
    return {"tick0": 1, "dtick": max(1, int(np.ceil(n / 8)))}


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= ``value`` (> 0).

    An axis end or a bin range rounded up this way changes only now and then while a run trains, so the
    live board redraws it by changing what moved, not the axes (it is at most a third above ``value``).
    """
    if not math.isfinite(value) or value <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    return next(float(f"{step * scale:.3g}") for step in NICE_STEPS if step * scale >= value * (1 - 1e-12))


def epoch_axis_end(trained: int, total: int) -> int:
    """Where an epoch axis ends: 10 % (at least 10 epochs) past the epochs trained, rounded up by ``nice_ceiling``.

    Never past ``total`` (or the epochs trained, if more). A fixed axis of the configured epochs made the
    first hundred of 2000 epochs a sliver; a round end moves only now and then while a run trains.
    """
    end = math.ceil(nice_ceiling(trained + max(10.0, 0.1 * trained)))
    return max(1, min(max(total, trained), end))
