"""The learning-rate finder's plot: loss against learning rate on a log axis, with its three zones shaded."""

from __future__ import annotations

import math

import numpy as np

from scratchnet.lr_finder import LRFinderResult

from .common import TRAIN_COLOUR, VAL_COLOUR, base_layout

ZONES = (("too small", "#bdbdbd"), ("good", "#4daf4a"), ("diverging", "#e41a1c"))


def lr_finder_figure(result: LRFinderResult) -> dict:
    """Each batch's loss and the smoothed loss against the rate; the zones as shaded bands; the suggestion marked."""
    rates = np.asarray(result.rates, dtype=float)
    losses = np.asarray(result.losses, dtype=float)
    smoothed = np.asarray(result.smoothed, dtype=float)
    keep, keep_s = np.isfinite(losses), np.isfinite(smoothed)
    data = [
        {"type": "scatter", "mode": "markers", "name": "batch loss", "x": rates[keep], "y": losses[keep],
         "marker": {"size": 4, "color": TRAIN_COLOUR, "opacity": 0.35},
         "hovertemplate": "lr %{x:.2g}<br>loss %{y:.4g}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "smoothed", "x": rates[keep_s], "y": smoothed[keep_s],
         "line": {"color": TRAIN_COLOUR, "width": 2.5},
         "hovertemplate": "lr %{x:.2g}<br>smoothed %{y:.4g}<extra></extra>"},
    ]
    shapes, notes = [], []
    if result.small_end is not None and result.good_end is not None:
        edges = [rates[0], result.small_end, result.good_end, rates[-1]]
        for (name, colour), left, right in zip(ZONES, edges[:-1], edges[1:], strict=True):
            if right <= left:
                continue
            shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": left, "x1": right, "y0": 0, "y1": 1,
                           "fillcolor": colour, "opacity": 0.12, "line": {"width": 0}, "layer": "below"})
            notes.append({"x": math.log10(math.sqrt(left * right)), "y": 1, "xref": "x", "yref": "paper",
                          "text": name, "showarrow": False, "yanchor": "top", "font": {"size": 12, "color": colour}})
    if result.suggestion is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": result.suggestion,
                       "x1": result.suggestion, "y0": 0, "y1": 1, "line": {"color": VAL_COLOUR, "dash": "dash"}})
        notes.append({"x": math.log10(result.suggestion), "y": 0.88, "xref": "x", "yref": "paper",
                      "text": f"suggested {result.suggestion:g}", "showarrow": False, "xanchor": "left",
                      "font": {"size": 12, "color": VAL_COLOUR}})
    top = _top(smoothed, losses, result.min_index)
    layout = base_layout("Loss against learning rate", height=340, shapes=shapes, annotations=notes)
    layout["xaxis"] = {"type": "log", "title": {"text": "learning rate (log scale)"}}
    layout["yaxis"] = {"title": {"text": "training loss"}, "range": [0, top]}
    layout.pop("uirevision")  # a new test draws its own axes
    return {"data": data, "layout": layout}


def _top(smoothed: np.ndarray, losses: np.ndarray, m: int) -> float:
    """The y axis's top: a little above the smoothed curve up to its minimum (a diverging loss runs off the chart)."""
    part = smoothed[: m + 1][np.isfinite(smoothed[: m + 1])]
    if part.size == 0:
        part = losses[np.isfinite(losses)]
    return float(1.15 * part.max()) if part.size and part.max() > 0 else 1.0
