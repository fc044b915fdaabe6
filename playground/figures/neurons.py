"""The "Neuron by neuron" page's figures: unit curves, the prediction and its contributions along a sweep, a waterfall.

Plain figure dicts with SVG traces only (scatter and bar). Feature and target
names may come from a person's CSV: they are escaped with
``playground.core.text.plotly`` and reach hover text only as ``meta`` data.
"""

from __future__ import annotations

import numpy as np

from playground.core import text
from playground.figures.common import BIAS_COLOUR, NEG_COLOUR, POS_COLOUR, TRAIN_COLOUR, VAL_COLOUR, base_layout
from playground.logic.neurons import MAX_UNITS, Sweep, Waterfall, grouped, strongest, unit_labels

# sixteen distinguishable colours, one per unit drawn (MAX_UNITS)
UNIT_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd"]
OTHER_COLOUR = "#c7c7c7"
PREDICTION_COLOUR = "#111111"


def _holding(sw: Sweep) -> str:
    return "the other features at their medians" if sw.hold == "median" else "the other features at this house's values"


def unit_curves(sw: Sweep) -> dict:
    """Each unit of hidden layer ``sw.layer`` as its activation along the sweep, overlaid (``hL_j`` names).

    With more than ``MAX_UNITS`` units, the ``MAX_UNITS`` that vary most along the sweep are drawn.
    """
    units = np.asarray(sw.units, dtype=float)
    if units.shape[1] == 0:
        raise ValueError("the sweep has no hidden units to draw")
    labels = unit_labels(sw.layer, units.shape[1])
    shown = strongest(units - units.mean(axis=0), MAX_UNITS)
    feature = text.plotly(sw.feature)
    traces = [{
        "type": "scatter",
        "mode": "lines",
        "x": sw.x,
        "y": units[:, j],
        "name": labels[j],
        "line": {"color": UNIT_COLOURS[i % len(UNIT_COLOURS)], "width": 2},
        "meta": [labels[j], feature],
        "hovertemplate": "%{meta[0]}: %{y:.4g} at %{meta[1]} = %{x:.4g}<extra></extra>",
    } for i, j in enumerate(shown)]
    title = f"Layer {sw.layer}'s units along {feature}"
    if len(shown) < units.shape[1]:
        title += f" ({len(shown)} of {units.shape[1]}: those that vary most)"
    layout = base_layout(title, 360, xaxis={"title": {"text": feature}},
                         yaxis={"title": {"text": f"activation a of layer {sw.layer}"}})
    layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "xanchor": "left", "yanchor": "top"}
    layout["uirevision"] = layout["title"]["text"]  # a zoom is kept for this sweep, not carried to another
    return {"data": traces, "layout": layout}


def prediction_curve(sw: Sweep, target: str, house: dict | None = None) -> dict:
    """The network's prediction along the sweep; ``house`` (``logic.neurons.house_point``) marks one house.

    The house's prediction lies on the curve when the other features are held at its values.
    """
    feature, target = text.plotly(sw.feature), text.plotly(target)
    traces = [{
        "type": "scatter",
        "mode": "lines",
        "x": sw.x,
        "y": sw.prediction,
        "name": "prediction",
        "line": {"color": PREDICTION_COLOUR, "width": 3},
        "meta": [feature],
        "hovertemplate": "%{meta[0]} = %{x:.4g}: prediction %{y:.4g}<extra></extra>",
    }]
    if house is not None:
        traces.append({
            "type": "scatter", "mode": "markers", "x": [house["x"]], "y": [house["prediction"]],
            "name": "this house: prediction", "marker": {"color": TRAIN_COLOUR, "size": 12, "symbol": "circle"},
            "hovertemplate": "this house's prediction %{y:.4g}<extra></extra>",
        })
        traces.append({
            "type": "scatter", "mode": "markers", "x": [house["x"]], "y": [house["truth"]],
            "name": "this house: true value", "marker": {"color": VAL_COLOUR, "size": 12, "symbol": "x"},
            "hovertemplate": "this house's true value %{y:.4g}<extra></extra>",
        })
    layout = base_layout(f"Prediction along {feature}, {_holding(sw)}", 360,
                         xaxis={"title": {"text": feature}}, yaxis={"title": {"text": f"predicted {target}"}})
    layout["uirevision"] = layout["title"]["text"]  # a zoom is kept for this sweep, not carried to another
    return {"data": traces, "layout": layout}


def contribution_stack(sw: Sweep, target: str) -> dict:
    """The prediction along the sweep built from the output bias and each last-layer unit's ``W_j a_j``.

    Stacked bars (Plotly's "relative" mode: positive parts above zero, negative below), one colour per
    unit, and the prediction as a line: at every point the bars add up to it. With more than
    ``MAX_UNITS`` units the smaller ones are summed into one "other units" bar.
    """
    if sw.parts.shape[1] == 0:
        raise ValueError("the sweep has no hidden units to stack")
    labels, columns = grouped(sw.parts, unit_labels(sw.last_layer, sw.parts.shape[1]))
    feature, target = text.plotly(sw.feature), text.plotly(target)
    step = float(np.min(np.diff(sw.x))) if len(sw.x) > 1 and np.ptp(sw.x) > 0 else None
    common = {"type": "bar", "x": sw.x, "meta": [feature]}
    if step:
        common["width"] = step
    traces = [{**common, "y": sw.bias, "name": "output bias B", "marker": {"color": BIAS_COLOUR},
               "hovertemplate": "bias B = %{y:.4g}<extra></extra>"}]
    for i, (label, column) in enumerate(zip(labels, columns.T, strict=True)):
        colour = OTHER_COLOUR if label.startswith("other") else UNIT_COLOURS[i % len(UNIT_COLOURS)]
        traces.append({**common, "y": column, "name": label, "marker": {"color": colour, "line": {"width": 0}},
                       "hovertemplate": f"{label}: W·a = %{{y:.4g}} at %{{meta[0]}} = %{{x:.4g}}<extra></extra>"})
    traces.append({"type": "scatter", "mode": "lines", "x": sw.x, "y": sw.prediction, "name": "prediction (the sum)",
                   "line": {"color": PREDICTION_COLOUR, "width": 3}, "meta": [feature],
                   "hovertemplate": "prediction %{y:.4g} at %{meta[0]} = %{x:.4g}<extra></extra>"})
    layout = base_layout(f"Prediction = bias + layer {sw.last_layer}'s contributions W·a, along {feature}", 420,
                         barmode="relative", bargap=0, xaxis={"title": {"text": feature}},
                         yaxis={"title": {"text": f"contribution to {target}"}})
    layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "xanchor": "left", "yanchor": "top"}
    layout["uirevision"] = layout["title"]["text"]  # a zoom is kept for this sweep, not carried to another
    return {"data": traces, "layout": layout}


def waterfall(wf: Waterfall, target: str, max_units: int = MAX_UNITS) -> dict:
    """From the output bias, one floating bar per unit's ``W_j a_j``, to the prediction; the true value marked.

    Units are in ``wf.order``; with more than ``max_units``, the smaller ones make one "other units" bar.
    """
    labels, parts = grouped(wf.parts, wf.labels, max_units)
    running = wf.bias + np.cumsum(parts)
    before = np.concatenate([[wf.bias], running[:-1]])
    target = text.plotly(target)
    x = ["bias B", *labels, "prediction"]
    steps = {
        "type": "bar",
        "x": labels,
        "y": parts,
        "base": before,
        "name": "unit contribution W·a",
        "marker": {"color": [POS_COLOUR if p >= 0 else NEG_COLOUR for p in parts]},
        "text": [f"{p:+.3g}" for p in parts],
        "textposition": "outside",
        "customdata": np.column_stack([before, running]),
        "hovertemplate": "%{x}: %{y:+.4g} (from %{customdata[0]:.4g} to %{customdata[1]:.4g})<extra></extra>",
    }
    ends = {
        "type": "bar",
        "x": ["bias B", "prediction"],
        "y": [wf.bias, wf.prediction],
        "name": "bias and prediction",
        "marker": {"color": [BIAS_COLOUR, PREDICTION_COLOUR]},
        "text": [f"{wf.bias:.4g}", f"{wf.prediction:.4g}"],
        "textposition": "outside",
        "hovertemplate": "%{x}: %{y:.4g}<extra></extra>",
    }
    truth = {
        "type": "scatter",
        "mode": "markers",
        "x": ["prediction"],
        "y": [wf.truth],
        "name": "true value",
        "marker": {"color": VAL_COLOUR, "size": 14, "symbol": "x"},
        "hovertemplate": "true value %{y:.4g}<extra></extra>",
    }
    low = min(0.0, float(np.min(before)), float(np.min(running)), wf.truth)
    high = max(0.0, float(np.max(before)), float(np.max(running)), wf.truth, wf.bias, wf.prediction)
    pad = 0.12 * (high - low or 1.0)
    layout = base_layout(
        f"Test row {wf.house + 1}: bias + each unit's W·a = prediction of {target}", 420,
        barmode="overlay",
        xaxis={"title": {"text": f"bars {'by size' if wf.order == 'size' else 'in unit order'}"},
               "type": "category", "categoryorder": "array", "categoryarray": x},
        yaxis={"title": {"text": target}, "range": [low - pad, high + pad]},
    )
    layout["uirevision"] = layout["title"]["text"]
    return {"data": [ends, steps, truth], "layout": layout}
