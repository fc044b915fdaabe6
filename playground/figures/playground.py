"""The playground page's figures: the loss curve, weight histograms, predicted vs actual, the network diagram.

Plain functions from arrays to figure dicts; see ``playground.figures.common``.
"""

from __future__ import annotations

import numpy as np

from playground.core import text
from playground.figures.common import (
    BIAS_COLOUR,
    MAX_SCATTER,
    NEG_COLOUR,
    POS_COLOUR,
    TRAIN_COLOUR,
    VAL_COLOUR,
    base_layout,
    downsample,
    epoch_axis_end,
    nice_ceiling,
)

MAX_DIAGRAM_NEURONS = 24
MAX_MARKED = 100  # eval points marked on the loss curve up to this many
WIDTH_BANDS = (0.5, 1.2, 2.0, 3.0, 4.5)


def loss_figure(epochs, train_loss, eval_epochs, val_loss, log_y: bool = False, total_epochs: int = 1,
                loss_name: str = "MSE loss") -> dict:
    """Train loss per epoch, and validation loss on the evaluation epochs, marked."""
    x, y = downsample(np.asarray(epochs), np.asarray(train_loss, dtype=float))
    vx, vy = downsample(np.asarray(eval_epochs), np.asarray(val_loss, dtype=float))
    right = epoch_axis_end(int(x[-1]) if len(x) else 0, int(total_epochs))
    data = [
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "mode": "lines",
            "name": "train",
            "line": {"color": TRAIN_COLOUR},
            "hovertemplate": "epoch %{x}<br>train loss %{y:.4g}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": vx,
            "y": vy,
            # each eval point marked while they are few enough to tell apart (hundreds of markers also slow
            # every redraw); beyond that the line through them
            "mode": "lines+markers" if len(vx) <= MAX_MARKED else "lines",
            "name": "validation (eval points)",
            "line": {"color": VAL_COLOUR},
            "marker": {"size": 7},
            "hovertemplate": "epoch %{x}<br>validation loss %{y:.4g}<extra></extra>",
        },
    ]
    layout = base_layout(
        "Loss",
        xaxis={"title": {"text": "epoch"}, "range": [0, right]},
        yaxis={"title": {"text": loss_name + (" (log scale)" if log_y else "")}, "type": "log" if log_y else "linear",
               # before the first epoch: an empty axis from 0, not Plotly's default of -1 to 4
               **({} if len(x) or len(vx) else {"range": [0, 1]})},
    )
    return {"data": data, "layout": layout}


def histogram_edges(arrays: list[np.ndarray], bins: int = 30) -> np.ndarray:
    """Fixed symmetric bin edges covering every array, shared across snapshots: ``bins + 1`` of them.

    They run from ``-top`` to ``top``, the largest absolute value rounded up by ``nice_ceiling``.
    """
    top = nice_ceiling(max((float(np.max(np.abs(a))) for a in arrays if a.size), default=1.0))
    return np.linspace(-top, top, bins + 1)


def step_histogram(values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``values`` binned by ``edges`` (``bins + 1``), as the outline of touching bars.

    Returns ``x`` and ``y`` of the outline (``2 * bins`` vertices: each bin's left and right edge at its
    count, so ``y[::2]`` are the counts) and each vertex's bin ``(lo, hi)`` as ``(2 * bins, 2)``.
    """
    counts, _ = np.histogram(values, bins=edges)
    x = np.repeat(edges, 2)[1:-1]
    bins = np.repeat(np.c_[edges[:-1], edges[1:]], 2, axis=0)
    return x, np.repeat(counts, 2), bins


def outline_path(x: np.ndarray, y: np.ndarray) -> str:
    """An SVG path in data coordinates: down to 0 at ``x[0]``, along ``(x, y)``, down to 0 at ``x[-1]``, closed."""
    points = [(x[0], 0), *zip(x, y, strict=True), (x[-1], 0)]
    return "M" + "L".join(f"{float(a):.6g},{float(b):.6g}" for a, b in points) + "Z"


def weight_histograms(snapshot: list[np.ndarray], edges: list[np.ndarray], epoch: int, live: bool = False,
                      count_tops: list[float] | None = None) -> dict:
    """One row per layer: the histogram of its weights, with its biases' histogram over it, binned server-side.

    ``snapshot`` is ``[W1, B1, W2, B2, ...]``; ``edges`` has one array of bin edges per entry. Each
    histogram is a filled outline, drawn as a layout shape (``outline_path``) on its layer's axis pair,
    whose count axis ends at a ``nice_ceiling``. Unless ``live``, an invisible marker per bin (``bins`` per
    histogram) tells its range and count on hover. A ``live`` figure (while training) has neither those
    markers nor the epoch in its title (the epoch card has it): from one update to the next only its
    outlines change, which the live board redraws as a relayout, about four times faster than new traces
    (a new title alone costs as much as the outlines, on four axis pairs). ``count_tops`` (one per layer)
    are where the count axes end at least: the live board passes the tops it drew so far, so that an axis
    grows while training but does not jump back and forth as a bin's count goes up and down by one.
    """
    n_rows = len(snapshot) // 2
    gap = 0.1 / max(n_rows, 1) + 0.05
    height = (1.0 - gap * (n_rows - 1)) / n_rows
    title = "Weights and biases" if live else f"Weights and biases at epoch {epoch}"
    layout = base_layout(title, 120 * n_rows + 90, showlegend=False)
    data, annotations, shapes = [], [], []
    for row in range(n_rows):
        ax = _axis(row)
        top = 1.0 - row * (height + gap)
        axes = {"xaxis": f"x{ax}", "yaxis": f"y{ax}"}
        highest = 1
        for k, colour, what in ((2 * row, TRAIN_COLOUR, "weights"), (2 * row + 1, BIAS_COLOUR, "biases")):
            x, y, bins = step_histogram(snapshot[k], edges[k])
            highest = max(highest, int(y.max(initial=0)))
            shapes.append({"type": "path", "path": outline_path(x, y), "xref": axes["xaxis"], "yref": axes["yaxis"],
                           "fillcolor": colour, "opacity": 0.75, "line": {"width": 1, "color": colour},
                           "layer": "above"})
            if not live:
                data.append({"type": "scatter", "mode": "markers", "x": (x[::2] + x[1::2]) / 2, "y": y[::2],
                             **axes, "marker": {"opacity": 0, "size": 10, "color": colour}, "customdata": bins[::2],
                             "name": f"{what} of layer {row + 1}",
                             "hovertemplate": f"%{{customdata[0]:.3g}} to %{{customdata[1]:.3g}}: %{{y}} {what}"
                                              "<extra></extra>"})
        if live:  # an empty trace keeps the axis pair
            data.append({"type": "scatter", "mode": "markers", "x": [], "y": [], **axes, "hoverinfo": "skip"})
        reach = max(float(edges[2 * row][-1]), float(edges[2 * row + 1][-1]))
        # few ticks: every tick label is measured on every redraw
        layout[f"xaxis{ax}"] = {"domain": [0.0, 1.0], "anchor": f"y{ax}", "range": [-reach, reach], "nticks": 7,
                                "showgrid": False}
        layout[f"yaxis{ax}"] = {"domain": [max(top - height, 0.0), top], "anchor": f"x{ax}", "nticks": 3,
                                "range": [0, _count_top(highest, count_tops, row)]}
        n_w, n_b = snapshot[2 * row].size, snapshot[2 * row + 1].size
        annotations.append({"text": f"layer {row + 1}: <span style='color:{TRAIN_COLOUR}'>{n_w} weight"
                                    f"{'' if n_w == 1 else 's'}</span>, <span style='color:{BIAS_COLOUR}'>"
                                    f"{n_b} bias{'' if n_b == 1 else 'es'}</span>",
                            "x": 0.0, "y": top, "xref": "paper", "yref": "paper", "showarrow": False,
                            "xanchor": "left", "yanchor": "bottom", "font": {"size": 12}})
    layout["annotations"] = annotations
    layout["shapes"] = shapes
    return {"data": data, "layout": layout}


def count_tops(histograms: dict) -> list[float]:
    """Where each layer's count axis of a ``weight_histograms`` figure ends, layer 1 first."""
    layout = histograms["layout"]
    return [layout[f"yaxis{_axis(row)}"]["range"][1] for row in range(len(layout["annotations"]))]


def _axis(row: int) -> str:
    """Plotly's suffix of row ``row``'s axes (from 0): "", "2", "3", ..."""
    return "" if row == 0 else str(row + 1)


def _count_top(highest: int, count_tops: list[float] | None, row: int) -> float:
    """Where layer ``row``'s count axis ends: ``nice_ceiling`` of its highest bar, or its earlier top if higher."""
    top = nice_ceiling(highest)
    if count_tops is not None and row < len(count_tops):
        top = max(top, float(count_tops[row]))
    return top


def pred_vs_actual(actual, predicted, hover_values: np.ndarray | None = None, hover_names=(), title="") -> dict:
    """Predicted against actual, coloured by absolute error, with the y = x line over the data's range.

    ``hover_values`` ``(n, k)`` are shown on hover under ``hover_names``.
    """
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    idx = np.arange(len(actual))
    if len(idx) > MAX_SCATTER:
        idx = np.linspace(0, len(idx) - 1, MAX_SCATTER).round().astype(int)
    a, p = actual[idx], predicted[idx]
    lo = float(min(actual.min(), predicted.min())) if len(a) else 0.0
    hi = float(max(actual.max(), predicted.max())) if len(a) else 1.0
    off = 0
    if len(a):
        # predictions far outside the targets' range (a run near divergence) would shrink the targets to a
        # point: the axes keep to the targets' range plus a margin, and the title counts what is off it
        a_lo, a_hi = float(actual.min()), float(actual.max())
        margin = max(a_hi - a_lo, 1e-9)
        lo, hi = max(lo, a_lo - 2 * margin), min(hi, a_hi + 2 * margin)
        outside = ~np.isfinite(p) | (p < lo) | (p > hi)
        off = int(outside.sum())
        p = np.clip(np.nan_to_num(p, nan=hi, posinf=hi, neginf=lo), lo, hi)
    if off:
        title = f"{title or 'Predicted vs actual'} · {off} predictions off the chart, drawn at its edge"
    hover = "actual %{x:.3g}<br>predicted %{y:.3g}<br>|error| %{marker.color:.3g}"
    custom, meta = None, None
    if hover_values is not None:
        custom = np.asarray(hover_values)[idx]
        meta = [text.plotly(name) for name in hover_names]  # as data, never as template or markup
        hover += "".join(f"<br>%{{meta[{j}]}} %{{customdata[{j}]:.4g}}" for j in range(len(meta)))
    data = [
        {
            "type": "scatter",
            "x": np.array([lo, hi]),
            "y": np.array([lo, hi]),
            "mode": "lines",
            "name": "y = x (perfect)",
            "line": {"color": "#888", "dash": "dash"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": a,
            "y": p,
            "mode": "markers",
            "name": "rows",
            "customdata": custom,
            "meta": meta,
            "marker": {
                "color": np.abs(a - p),
                "colorscale": "Viridis",
                "size": 7,
                "showscale": True,
                "colorbar": {"title": {"text": "|error|"}},
            },
            "hovertemplate": hover + "<extra></extra>",
        },
    ]
    layout = base_layout(
        title or "Predicted vs actual", xaxis={"title": {"text": "actual"}}, yaxis={"title": {"text": "predicted"}}
    )
    # inside the plot's top left corner (few points fall there), clear of the title
    layout["legend"] = {"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.7)"}
    return {"data": data, "layout": layout}


def _connection_shapes(weights, shown, ys) -> list[dict]:
    """Lines between neurons, grouped by sign and width band into at most 10 path shapes.

    Shapes, not traces: while training only the layout then changes from one update to the next (the
    neurons' trace stays the same), which the live board redraws with a relayout, three times faster.
    """
    top = max((float(np.max(np.abs(W))) for W in weights), default=1.0) or 1.0
    shapes = []
    for sign, colour in ((1, POS_COLOUR), (-1, NEG_COLOUR)):
        for b, width in enumerate(WIDTH_BANDS):
            path = []
            for layer, W in enumerate(weights):
                sub = W[: shown[layer], : shown[layer + 1]]
                band = np.minimum((np.abs(sub) / top * len(WIDTH_BANDS)).astype(int), len(WIDTH_BANDS) - 1)
                signs = np.where(sub >= 0, 1, -1)  # a zero weight is drawn as the thinnest positive line
                for a, c in zip(*np.nonzero((signs == sign) & (band == b)), strict=True):
                    path.append(f"M{layer},{ys[layer][a]:.5f}L{layer + 1},{ys[layer + 1][c]:.5f}")
            if path:
                shapes.append({"type": "path", "path": "".join(path), "xref": "x", "yref": "y", "layer": "below",
                               "line": {"color": colour, "width": width}, "opacity": 0.35 + 0.12 * b})
    return shapes


def network_diagram(
    params: list[np.ndarray],
    input_names: list[str],
    max_neurons: int = MAX_DIAGRAM_NEURONS,
    epoch: int | None = None,
    pictures: dict | None = None,
    formulas: dict | None = None,
    clickable: bool = False,
) -> dict:
    """Neurons as nodes by layer; each connection coloured by its weight's sign, width by its size.

    Layers wider than ``max_neurons`` show their first ``max_neurons`` neurons and say so.

    Parameters
    ----------
    pictures : dict, optional
        ``(layer, unit) -> picture`` for hidden neurons (layer 1 is the first hidden layer, units from 0):
        a PNG data URI (a 2-D problem's heatmap) or ``(t, v)``, two arrays ``(m,)`` in [0, 1] and [-1, 1]
        (a 1-D problem's curve). Each is drawn on its neuron.
    formulas : dict, optional
        ``(layer, unit) -> str``, what the neuron computes, shown on hover; the neuron's
        ``"layer:unit"`` goes in its point's customdata, for a click.
    clickable : bool
        Put an invisible point in the middle of every connection drawn, with the weight's value on hover
        and its id ``"w:layer:row:col"`` in its customdata, for a click (leave it off while training: the
        points cost drawing time and a static chart has no clicks).
    """
    pictures, formulas = pictures or {}, formulas or {}
    weights = params[0::2]
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    shown = [min(s, max_neurons) for s in sizes]
    ys = [np.linspace(1, -1, n) if n > 1 else np.zeros(1) for n in shown]
    data = []
    names = [text.plotly(name) for name in input_names[: shown[0]]]
    ids = [""] * shown[0]
    for layer, n in enumerate(shown[1:-1], start=1):
        names += [text.plotly(formulas.get((layer, k), f"layer {layer}, neuron {k + 1}")) for k in range(n)]
        ids += [f"{layer}:{k}" for k in range(n)]
    names += ["output"] * shown[-1]
    ids += [""] * shown[-1]
    size = _picture_size(shown) if pictures else 0.0
    images, curve_x, curve_y = [], [], []
    for (layer, k), picture in pictures.items():
        if layer >= len(shown) - 1 or k >= shown[layer]:
            continue
        cx, cy = float(layer), float(ys[layer][k])
        if isinstance(picture, str):
            images.append({"source": picture, "xref": "x", "yref": "y", "x": cx, "y": cy, "sizex": size * 1.15,
                           "sizey": size, "xanchor": "center", "yanchor": "middle", "sizing": "stretch",
                           "layer": "above"})
        else:
            t, v = picture
            curve_x += [*(cx + (np.asarray(t) - 0.5) * size * 1.15), None]
            curve_y += [*(cy + np.asarray(v) * size * 0.45), None]
    if curve_x:
        data.append({"type": "scatter", "x": curve_x, "y": curve_y, "mode": "lines", "hoverinfo": "skip",
                     "showlegend": False, "line": {"color": "#222", "width": 1.5}})
    if clickable:
        data.append(_weight_points(weights, shown, ys))
    marker = {"size": 12, "color": "white", "line": {"color": "#333", "width": 1.5}}
    if pictures:  # a picture takes the neuron's place; the marker stays for hover and click
        marker = {"size": max(12, int(size * 140)), "color": "rgba(255,255,255,0.01)", "symbol": "square",
                  "line": {"color": "#333", "width": 1}}
    data.append(  # every neuron in one trace: one trace draws much faster than one per layer
        {
            "type": "scatter",
            "x": np.concatenate([np.full(n, layer) for layer, n in enumerate(shown)]),
            "y": np.concatenate(ys),
            "mode": "markers",
            "showlegend": False,
            "marker": marker,
            "text": names,
            "customdata": ids,
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    ticks = ["inputs"] + [f"layer {k + 1}" for k in range(len(weights) - 1)] + ["output"]
    ticks = [t + (f"<br>({shown[k]} of {sizes[k]} shown)" if sizes[k] > shown[k] else "") for k, t in enumerate(ticks)]
    layout = base_layout(
        f"Network{'' if epoch is None else f' at epoch {epoch}'}: blue +, red −, thicker = larger",
        360,
        xaxis={"tickvals": list(range(len(sizes))), "ticktext": ticks, "showgrid": False, "zeroline": False,
               "range": [-0.35, len(sizes) - 0.65]},
        yaxis={"visible": False, "range": [-1.25, 1.25]},
        shapes=_connection_shapes(weights, shown, ys),
    )
    if images:
        layout["images"] = images
    return {"data": data, "layout": layout}


def _weight_points(weights, shown, ys) -> dict:
    """One invisible point in the middle of each connection drawn: its weight's value and click id."""
    xs, yv, ids, names = [], [], [], []
    for layer, W in enumerate(weights):
        for a in range(shown[layer]):
            for c in range(shown[layer + 1]):
                # along the line, at a place that depends on its target, so that crossing lines' points part
                t = 0.25 + 0.5 * (c + 0.5) / shown[layer + 1]
                xs.append(layer + t)
                yv.append(ys[layer][a] + t * (ys[layer + 1][c] - ys[layer][a]))
                ids.append(f"w:{layer + 1}:{a}:{c}")
                names.append(f"W{layer + 1}[{a + 1}, {c + 1}] = {W[a, c]:.4g} (click: its slope)")
    return {"type": "scatter", "mode": "markers", "x": xs, "y": yv, "customdata": ids, "text": names,
            "marker": {"size": 7, "color": "rgba(0,0,0,0)"}, "showlegend": False,
            "hovertemplate": "%{text}<extra></extra>"}


def _picture_size(shown: list[int]) -> float:
    """A neuron picture's height in the diagram's y units: as large as the most crowded layer allows."""
    crowded = max(shown[1:-1], default=1)
    spacing = 2.0 / (crowded - 1) if crowded > 1 else 2.0
    return float(min(0.42, 0.82 * spacing))
