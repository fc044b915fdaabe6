"""What every page's figures share: the layout, the colours, point caps and axis helpers.

The figure builders return plain ``{"data": [...], "layout": {...}}`` dicts rather than
``plotly.graph_objects`` figures: ``st.plotly_chart`` validates a figure once anyway, and
skipping a second validation halves the cost of a live refresh. Every builder caps what it
sends: at most ``MAX_CURVE`` points per curve and ``MAX_SCATTER`` per scatter, as numpy
arrays, in SVG traces only (WebGL does not draw everywhere).
"""

from __future__ import annotations

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


def whole_ticks(n: int) -> dict:
    """Axis ticks on whole row or column numbers only (about eight of them)."""
    return {"tick0": 1, "dtick": max(1, int(np.ceil(n / 8)))}
