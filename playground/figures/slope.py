"""The slope of one weight: the batch loss along the weight, the backprop tangent, and the next SGD step."""

from __future__ import annotations

import numpy as np

from playground.figures.common import BIAS_COLOUR, NEG_COLOUR, TRAIN_COLOUR, base_layout
from scratchnet.slope import Slope


def slope_figure(r: Slope, name: str) -> dict:
    """The loss curve along weight ``name``, its tangent at the current value and where the next step lands."""
    span = r.weights[-1] - r.weights[0]
    t = np.array([r.w0 - span / 4, r.w0 + span / 4])
    curve = {"type": "scatter", "mode": "lines", "x": r.weights, "y": r.losses, "name": "batch loss",
             "line": {"color": TRAIN_COLOUR, "width": 3}, "hovertemplate": f"{name} %{{x:.4f}}: loss %{{y:.5g}}"
                                                                             "<extra></extra>"}
    tangent = {"type": "scatter", "mode": "lines", "x": t, "y": r.loss0 + r.gradient * (t - r.w0),
               "name": f"tangent: backprop slope {r.gradient:.4g}", "line": {"color": NEG_COLOUR, "dash": "dash"},
               "hoverinfo": "skip"}
    now = {"type": "scatter", "mode": "markers", "x": [r.w0], "y": [r.loss0], "name": "now",
           "marker": {"color": NEG_COLOUR, "size": 11}, "hovertemplate": "now: %{x:.4f}, loss %{y:.5g}<extra></extra>"}
    step = {"type": "scatter", "mode": "markers", "x": [r.w_next], "y": [r.loss_next],
            "name": f"after one SGD step (lr {r.lr:g})", "marker": {"color": BIAS_COLOUR, "size": 11, "symbol": "x"},
            "hovertemplate": "next: %{x:.4f}, loss %{y:.5g}<extra></extra>"}
    arrow = {"x": r.w_next, "y": r.loss_next, "ax": r.w0, "ay": r.loss0, "xref": "x", "yref": "y", "axref": "x",
             "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowcolor": BIAS_COLOUR, "text": ""}
    low, high = float(np.min(r.losses)), float(np.max(r.losses))
    pad = 0.1 * (high - low or 1.0)
    layout = base_layout(f"The batch loss along {name}, every other parameter frozen", 360,
                         xaxis={"title": {"text": name}}, yaxis={"title": {"text": "loss"},
                                                                 "range": [low - pad, high + pad]},
                         annotations=[arrow])
    return {"data": [curve, tangent, now, step], "layout": layout}
