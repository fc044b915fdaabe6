"""Plotly figure dicts for the Compare page (SVG traces only)."""

from __future__ import annotations

import numpy as np

from playground.figures.common import MAX_SCATTER, base_layout
from playground.logic.compare import accuracy_table, curve_band

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
# by kind: the validation loss's name, and the reference model's legend entry and hover name
LOSS_NAMES = {"regression": "validation MSE", "classification": "validation log loss"}
REFERENCES = {
    "regression": ("closed-form linear regression (scikit-learn)", "scikit-learn LinearRegression<br>test MSE"),
    "classification": ("logistic regression (scikit-learn)", "scikit-learn LogisticRegression<br>test log loss"),
}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def validation_curves(results: list[dict], labels: list[str], reference: float | None = None,
                      kind: str = "regression") -> dict:
    """Mean validation loss per configuration with a min-max band across seeds, and the reference line.

    ``kind`` names the loss (MSE, or log loss for two classes) and the reference model (scikit-learn's
    LinearRegression or LogisticRegression); ``reference`` is that model's test loss.
    """
    data = []
    right = 1
    for k, label in enumerate(labels):
        epochs, mean, low, high = curve_band(results, label)
        if not len(epochs):
            continue
        right = max(right, int(epochs[-1]))
        colour = PALETTE[k % len(PALETTE)]
        data.append({"type": "scatter", "x": epochs, "y": high, "mode": "lines", "line": {"width": 0},
                     "hoverinfo": "skip", "showlegend": False, "legendgroup": label})
        data.append({"type": "scatter", "x": epochs, "y": low, "mode": "lines", "line": {"width": 0},
                     "fill": "tonexty", "fillcolor": _rgba(colour, 0.18), "hoverinfo": "skip",
                     "showlegend": False, "legendgroup": label})
        data.append({"type": "scatter", "x": epochs, "y": mean, "mode": "lines+markers", "name": label,
                     "legendgroup": label, "line": {"color": colour, "width": 2.5}, "marker": {"size": 5},
                     "customdata": np.c_[low, high],
                     "hovertemplate": (f"{label}<br>epoch %{{x}}<br>mean %{{y:.4g}}<br>"
                                       "min %{customdata[0]:.4g} – max %{customdata[1]:.4g}<extra></extra>")})
    if reference is not None:
        name, hover = REFERENCES[kind]
        data.append({"type": "scatter", "x": np.array([0, right]), "y": np.array([reference, reference]),
                     "mode": "lines", "name": name, "line": {"color": "#555", "dash": "dash"},
                     "hovertemplate": f"{hover} %{{y:.4g}}<extra></extra>"})
    layout = base_layout("Validation loss: mean across seeds, band from min to max", 420,
                     xaxis={"title": {"text": "epoch"}}, yaxis={"title": {"text": LOSS_NAMES[kind]}})
    return {"data": data, "layout": layout}


def accuracy_by_seed(results: list[dict], labels: list[str], reference: float | None = None) -> dict:
    """Test accuracy of every run: one group of markers per seed, one colour per configuration.

    ``reference`` (scikit-learn's LogisticRegression's test accuracy) is drawn as a dashed line.
    """
    seeds, table = accuracy_table(results, labels)
    names = [str(s) for s in seeds]
    data = []
    for k, label in enumerate(labels):
        values = np.array(table[label], dtype=float)
        if np.isnan(values).all():
            continue
        data.append({"type": "scatter", "x": names, "y": values, "mode": "markers", "name": label,
                     "marker": {"size": 10, "color": PALETTE[k % len(PALETTE)]},
                     "hovertemplate": f"{label}<br>seed %{{x}}<br>test accuracy %{{y:.1%}}<extra></extra>"})
    layout = base_layout("Test accuracy with each seed", 380, scattermode="group",
                         xaxis={"title": {"text": "seed"}, "type": "category"},
                         yaxis={"title": {"text": "test accuracy"}, "tickformat": ".0%"})
    if reference is not None:
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": reference, "y1": reference,
                             "line": {"color": "#555", "dash": "dash"}}]
        layout["annotations"] = [{"text": f"logistic regression {reference:.1%}", "xref": "paper", "x": 1,
                                  "y": reference, "xanchor": "right", "yanchor": "bottom", "showarrow": False}]
    return {"data": data, "layout": layout}


def prediction_grid(results: list[dict], labels: list[str], seed: int, actual: np.ndarray) -> dict:
    """Predicted against actual for each configuration (one small panel each) at ``seed``."""
    actual = np.asarray(actual, dtype=float).ravel()
    idx = np.arange(len(actual))
    if len(idx) > MAX_SCATTER:
        idx = np.linspace(0, len(idx) - 1, MAX_SCATTER).round().astype(int)
    n = len(labels)
    cols = min(n, 3)
    rows = -(-n // cols)
    gap_x, gap_y = 0.06, 0.16 if rows > 1 else 0.0
    w, h = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    data, layout, notes = [], base_layout(f"Predicted vs actual on the test rows, seed {seed}", 320 * rows + 60,
                                      showlegend=False), []
    for k, label in enumerate(labels):
        run = next((r for r in results if r["label"] == label and r["seed"] == seed), None)
        ax = "" if k == 0 else str(k + 1)
        row, col = divmod(k, cols)
        x0, y1 = col * (w + gap_x), 1 - row * (h + gap_y)
        layout[f"xaxis{ax}"] = {"domain": [x0, x0 + w], "anchor": f"y{ax}", "title": {"text": "actual"}}
        layout[f"yaxis{ax}"] = {"domain": [y1 - h, y1], "anchor": f"x{ax}", "title": {"text": "predicted"}}
        notes.append({"text": f"<b>{label}</b>", "x": x0 + w / 2, "y": y1, "xref": "paper", "yref": "paper",
                      "showarrow": False, "yanchor": "bottom"})
        if run is None:
            continue
        pred = np.asarray(run["predictions"], dtype=float)
        lo, hi = float(np.nanmin([actual.min(), np.nanmin(pred)])), float(np.nanmax([actual.max(), np.nanmax(pred)]))
        data.append({"type": "scatter", "x": np.array([lo, hi]), "y": np.array([lo, hi]), "mode": "lines",
                     "line": {"color": "#888", "dash": "dash"}, "hoverinfo": "skip", "xaxis": f"x{ax}",
                     "yaxis": f"y{ax}"})
        data.append({"type": "scatter", "x": actual[idx], "y": pred[idx], "mode": "markers",
                     "marker": {"size": 5, "color": PALETTE[k % len(PALETTE)], "opacity": 0.7},
                     "xaxis": f"x{ax}", "yaxis": f"y{ax}",
                     "hovertemplate": "actual %{x:.3g}<br>predicted %{y:.3g}<extra></extra>"})
    layout["annotations"] = notes
    return {"data": data, "layout": layout}


def verdict_figure(v: dict, kind: str = "regression") -> dict:
    """Each seed's difference of the final validation loss (``compare.verdict``'s), its mean and 95 % interval.

    Points above the dashed zero line are seeds where ``v["first"]`` has the lower loss; the shaded band is the
    bootstrap interval of the mean difference and the solid line the mean.
    """
    loss = LOSS_NAMES[kind]
    seeds = [str(s) for s in v["seeds"]]
    data = [{"type": "scatter", "x": seeds, "y": np.asarray(v["differences"], dtype=float), "mode": "markers",
             "name": "one seed", "marker": {"size": 11, "color": PALETTE[0]},
             "hovertemplate": (f"seed %{{x}}<br>{v['second']} − {v['first']}<br>{loss} %{{y:.4g}}"
                               "<extra></extra>")}]
    layout = base_layout(f"{v['second']}'s minus {v['first']}'s final {loss}, seed by seed "
                         f"(above 0: {v['first']} better)", 320, showlegend=False,
                         xaxis={"title": {"text": "seed"}, "type": "category"},
                         yaxis={"title": {"text": f"difference of {loss}"}, "zeroline": False})
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
               "line": {"color": "#555", "dash": "dash"}}]
    if v["n"] > 1:
        shapes += [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": v["low"], "y1": v["high"],
                    "fillcolor": _rgba(PALETTE[0], 0.15), "line": {"width": 0}, "layer": "below"},
                   {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": v["mean"], "y1": v["mean"],
                    "line": {"color": PALETTE[0], "width": 2}}]
        layout["annotations"] = [{"text": f"mean {v['mean']:.3g}, 95% CI {v['low']:.3g} to {v['high']:.3g}",
                                  "xref": "paper", "x": 1, "y": v["high"], "xanchor": "right",
                                  "yanchor": "bottom", "showarrow": False}]
    layout["shapes"] = shapes
    return {"data": data, "layout": layout}
