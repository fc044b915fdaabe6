"""Gradient flow as a layer x epoch heatmap: log10 of the gradient norm or of the update ratio, or the stuck share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from playground.figures.common import base_layout
from playground.logic.flow import QUANTITIES, flow_matrices
from scratchnet.flow import FlowRecord

MAX_COLUMNS = 300  # epochs drawn at most; longer runs are thinned evenly, first and last epoch kept
TITLES = {
    "grad_norm": "Gradient size per layer (log10 of ||dLoss/dW||)",
    "update_ratio": "Step size per layer (log10 of ||step|| / ||W||)",
    "stuck": "Stuck units per layer (saturated sigmoid/tanh outputs, dead ReLU units)",
}
COLOUR_TITLES = {"grad_norm": "log10 ||dW||", "update_ratio": "log10 ratio", "stuck": "share"}
SEQUENTIAL = "Viridis"  # dark = small gradient or step: the layer "goes dark"
STUCK_SCALE = [[0.0, "#f7f7f7"], [1.0, "#d7191c"]]  # white (none stuck) to red (all stuck)


def flow_heatmap(
    records: Sequence[FlowRecord],
    quantity: str = "grad_norm",
    max_columns: int = MAX_COLUMNS,
    height: int | None = None,
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

    Returns
    -------
    dict
        A Plotly figure dict with one ``heatmap`` trace: ``z`` of shape
        (n_layers, n_columns), ``x`` the epochs, ``y`` the layer labels.
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    m = flow_matrices(records, max_columns=max_columns)
    raw = m.get(quantity)
    if quantity == "stuck":
        z = raw.astype(float)
        scale: dict = {"colorscale": STUCK_SCALE, "zmin": 0.0, "zmax": 1.0}
        hover = "%{y}, epoch %{x}<br>share %{z:.0%}<extra></extra>"
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log10(raw.astype(float))
        z[~np.isfinite(z)] = np.nan
        scale = {"colorscale": SEQUENTIAL}
        hover = "%{y}, epoch %{x}<br>log10 %{z:.2f}<extra></extra>"
    labels = [f"layer {k + 1}" for k in range(m.n_layers)]
    trace = {
        "type": "heatmap",
        "z": z,
        "x": m.epochs,
        "y": labels,
        **scale,
        "colorbar": {"thickness": 12, "title": {"text": COLOUR_TITLES[quantity]}},
        "hoverongaps": False,
        "hovertemplate": hover,
    }
    rows_px = int(np.clip(90 + 36 * m.n_layers, 200, 420)) if height is None else int(height)
    layout = base_layout(
        TITLES[quantity],
        height=rows_px,
        xaxis={"title": {"text": "epoch"}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    if m.n_layers == 0:
        layout["annotations"] = [{"text": "no gradient-flow records yet", "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
    return {"data": [trace], "layout": layout}
