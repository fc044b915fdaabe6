"""Gradient flow as a layer x epoch heatmap: log10 of the gradient norm or of the update ratio, or the stuck share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from playground.figures import png
from playground.figures.common import base_layout, colour_bar, epoch_axis_end
from playground.logic.flow import QUANTITIES, flow_matrices
from scratchnet.flow import FlowRecord

MAX_COLUMNS = 300  # epochs drawn at most; longer runs are thinned evenly, first and last epoch kept
TITLES = {
    "grad_norm": "Gradient size per layer (log10 of ||dLoss/dW||)",
    "update_ratio": "Step size per layer (log10 of ||step|| / ||W||)",
    "stuck": "Stuck units per layer (saturated sigmoid/tanh outputs, dead ReLU units)",
}
COLOUR_TITLES = {"grad_norm": "log10 ||dW||", "update_ratio": "log10 ratio", "stuck": "share"}
# Viridis (dark = small gradient or step: the layer "goes dark"), spelled out so that the live board's picture
# (``png.scale_rgb``) and the heatmap trace colour every value alike
SEQUENTIAL = [[k / 9, c] for k, c in enumerate(("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89",
                                                "#35b779", "#6ece58", "#b5de2b", "#fde725"))]
PICTURE_PIXELS = (300, 140)  # a live picture has at least this many pixels across and down: crisp cells
BAR_THICKNESS = 12  # pixels
STUCK_SCALE = [[0.0, "#f7f7f7"], [1.0, "#d7191c"]]  # white (none stuck) to red (all stuck)


def flow_heatmap(
    records: Sequence[FlowRecord],
    quantity: str = "grad_norm",
    max_columns: int = MAX_COLUMNS,
    height: int | None = None,
    total_epochs: int | None = None,
    live: bool = False,
) -> dict:
    """A layer x epoch heatmap of one gradient-flow quantity, layer 1 on top.

    Parameters
    ----------
    records : sequence of FlowRecord
        One per epoch, in order (``report.flow``); those of an older layer layout are left out.
    quantity : str
        ``"grad_norm"`` or ``"update_ratio"`` (drawn as log10; zero or infinite
        values are left blank) or ``"stuck"`` (the share from 0 to 1).
    max_columns : int
        At most this many epoch columns (evenly thinned).
    height : int, optional
        Pixels; by default it grows with the number of layers.
    total_epochs : int, optional
        The run's epochs: the epoch axis ends at ``common.epoch_axis_end``, like the loss chart's.
        By default it ends at the last epoch.
    live : bool
        While training: the matrix as one picture (a layout image, no hover) over a colour bar whose range
        is rounded to whole decades, so that from one update to the next only the picture changes, which
        the live board redraws as a relayout (a heatmap trace's redraw took three times as long).

    Returns
    -------
    dict
        A Plotly figure dict. Unless ``live``, one ``heatmap`` trace: ``z`` of shape
        (n_layers, n_columns), ``x`` the epochs, ``y`` the layer numbers 1, 2, ... (labelled "layer k").
        The colour range (``zmin``, ``zmax``) is the same in both forms.
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    m = flow_matrices(records, max_columns=max_columns)
    z, scale, low, high = _values(m.get(quantity), quantity)
    x = m.epochs
    last = int(x[-1]) if len(x) else 0
    end = epoch_axis_end(last, total_epochs) if total_epochs is not None else max(last, 1)
    rows_px = int(np.clip(90 + 36 * m.n_layers, 200, 420)) if height is None else int(height)
    layout = base_layout(
        TITLES[quantity],
        height=rows_px,
        xaxis={"title": {"text": "epoch"}, "range": [0, end + 0.5], "showgrid": False, "zeroline": False},
        yaxis={"range": [m.n_layers + 0.5, 0.5], "tickvals": list(range(1, m.n_layers + 1)), "showgrid": False,
               "ticktext": [f"layer {k}" for k in range(1, m.n_layers + 1)], "zeroline": False},
    )
    bar = colour_bar(scale, low, high, COLOUR_TITLES[quantity], BAR_THICKNESS)  # (the live form's only trace)
    if m.n_layers == 0:
        layout["annotations"] = [{"text": "no gradient-flow records yet", "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
    if live:
        # the colour bar alone, and the matrix as a picture over the cells
        data = [bar]
        if z.size:
            layout["images"] = [_picture(z, x, scale, low, high)]
        return {"data": data, "layout": layout}
    hover = ("layer %{y}, epoch %{x}<br>share %{z:.0%}<extra></extra>" if quantity == "stuck"
             else "layer %{y}, epoch %{x}<br>log10 %{z:.2f}<extra></extra>")
    trace = {"type": "heatmap", "z": z, "x": x, "y": np.arange(1, m.n_layers + 1), "colorscale": scale,
             "zmin": low, "zmax": high, "colorbar": bar["marker"]["colorbar"], "hoverongaps": False,
             "hovertemplate": hover}
    return {"data": [trace], "layout": layout}


def _values(raw: np.ndarray, quantity: str) -> tuple[np.ndarray, list, float, float]:
    """What is coloured (log10 of a norm or ratio, blank where not finite; or the stuck share), its scale and range.

    A log10 range is rounded out to whole decades (at least one), so that it changes only now and then.
    """
    if quantity == "stuck":
        return raw.astype(float), STUCK_SCALE, 0.0, 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(raw.astype(float))
    z[~np.isfinite(z)] = np.nan
    finite = z[np.isfinite(z)]
    low, high = (float(np.floor(finite.min())), float(np.ceil(finite.max()))) if finite.size else (0.0, 1.0)
    return z, SEQUENTIAL, low, max(high, low + 1.0)


def _picture(z: np.ndarray, epochs: np.ndarray, scale: list, low: float, high: float) -> dict:
    """``z`` (layers x columns) as a layout image over the cells a heatmap of it would draw.

    Each cell is repeated to at least ``PICTURE_PIXELS`` in all, so that the browser's smoothing of a
    stretched image blurs only the cells' edges.
    """
    n_layers, n_columns = z.shape
    across = -(-PICTURE_PIXELS[0] // n_columns)
    down = -(-PICTURE_PIXELS[1] // n_layers)
    pixels = np.repeat(np.repeat(png.scale_rgb(z, low, high, scale), down, axis=0), across, axis=1)
    step = float(epochs[-1] - epochs[0]) / (n_columns - 1) if n_columns > 1 else 1.0
    return {"source": png.png_uri(pixels), "xref": "x", "yref": "y", "x": float(epochs[0]) - step / 2, "y": 0.5,
            "sizex": step * n_columns, "sizey": n_layers, "sizing": "stretch", "layer": "below"}
