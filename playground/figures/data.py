"""The Data page's figures: the target's distribution, the correlation heatmap, a feature against the target."""

from __future__ import annotations

import numpy as np

from playground.core import text
from playground.figures.common import TRAIN_COLOUR, base_layout
from playground.logic.data import heatmap_columns, histogram, sample_rows


def target_histogram(y: np.ndarray, target: str) -> dict:
    """Bars of the target's distribution, binned here with ``np.histogram``; ``y`` is ``(n,)`` or ``(n, 1)``."""
    counts, edges = histogram(y)
    target = text.plotly(target)
    bars = {
        "type": "bar",
        "x": (edges[:-1] + edges[1:]) / 2,
        "y": counts,
        "width": np.diff(edges),
        "customdata": np.column_stack([edges[:-1], edges[1:]]),
        "marker": {"color": TRAIN_COLOUR},
        "hovertemplate": "%{customdata[0]:.4g} to %{customdata[1]:.4g}: %{y} rows<extra></extra>",
    }
    layout = base_layout(
        f"Distribution of the target {target}",
        showlegend=False,
        bargap=0.05,
        xaxis={"title": {"text": target}},
        yaxis={"title": {"text": "rows"}},
    )
    return {"data": [bars], "layout": layout}


def correlation_heatmap(names: list[str], matrix: np.ndarray) -> dict:
    """Heatmap of ``matrix`` ``(k, k)``, blue positive and red negative; large tables show a subset."""
    keep = heatmap_columns(names, matrix)
    shown = [text.plotly(names[i]) for i in keep]
    z = matrix[np.ix_(keep, keep)]
    trace = {
        "type": "heatmap",
        "z": z,
        "x": shown,
        "y": shown,
        "zmin": -1.0,
        "zmax": 1.0,
        "colorscale": "RdBu",
        "colorbar": {"title": {"text": "r"}},
        "hovertemplate": "%{y} and %{x}: r = %{z:.2f}<extra></extra>",
    }
    if len(shown) <= 15:
        trace["texttemplate"] = "%{z:.2f}"
    title = "Correlations, target included"
    if len(shown) < len(names):
        title += f" ({len(shown)} of {len(names)} columns: the target and its strongest features)"
    size = min(320 + 22 * len(shown), 760)
    layout = base_layout(title, size, xaxis={"tickangle": -45}, yaxis={"autorange": "reversed"})
    return {"data": [trace], "layout": layout}


def feature_scatter(x: np.ndarray, y: np.ndarray, feature: str, target: str) -> dict:
    """``y`` against ``x`` (both ``(n,)`` or ``(n, 1)``), at most ``MAX_SCATTER`` points; r in the title."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.shape} and {y.shape}")
    idx = sample_rows(len(x))
    feature, target = text.plotly(feature), text.plotly(target)
    title = f"{target} against {feature}"
    if np.ptp(x) > 0 and np.ptp(y) > 0:
        title += f" (r = {np.corrcoef(x, y)[0, 1]:.2f})"
    if len(idx) < len(x):
        title += f", {len(idx)} of {len(x)} rows"
    points = {
        "type": "scatter",
        "x": x[idx],
        "y": y[idx],
        "mode": "markers",
        "marker": {"color": TRAIN_COLOUR, "size": 6, "opacity": 0.6},
        "meta": [feature, target],  # names go in as data: a "%{" in one is never read as a template
        "hovertemplate": "%{meta[0]} %{x:.4g}<br>%{meta[1]} %{y:.4g}<extra></extra>",
    }
    axes = {"xaxis": {"title": {"text": feature}}, "yaxis": {"title": {"text": target}}}
    layout = base_layout(title, 380, showlegend=False, **axes)
    return {"data": [points], "layout": layout}
