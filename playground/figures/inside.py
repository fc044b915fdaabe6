"""The Inside page's figures: one array of a batch as a heatmap."""

from __future__ import annotations

import numpy as np

from playground.figures.common import DIVERGING, base_layout, whole_ticks


def array_heatmap(values: np.ndarray, title: str, height: int | None = None) -> dict:
    """One 2-D array as a heatmap: row 1 at the top, blue positive, red negative, white 0.

    Parameters
    ----------
    values : ndarray, shape (rows, columns)
        Shown as it is (every entry, with its row, column and value on hover).
    title : str
    height : int, optional
        Pixels; by default it grows with the number of rows, from 170 to 420.
    """
    z = np.asarray(values, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"a heatmap needs a 2-D array, got shape {z.shape}")
    finite = z[np.isfinite(z)]
    top = float(np.max(np.abs(finite))) if finite.size else 1.0
    top = top if top > 0 else 1.0
    trace = {
        "type": "heatmap",
        "z": z,
        "x": np.arange(1, z.shape[1] + 1),
        "y": np.arange(1, z.shape[0] + 1),
        "zmin": -top,
        "zmax": top,
        "colorscale": DIVERGING,
        "colorbar": {"thickness": 12},
        "hovertemplate": "row %{y}, column %{x}<br>value %{z:.6g}<extra></extra>",
    }
    rows_px = int(np.clip(70 + 22 * z.shape[0], 170, 420)) if height is None else int(height)
    fig_layout = base_layout(
        title,
        rows_px,
        margin={"l": 45, "r": 10, "t": 45, "b": 30},
        xaxis={"title": {"text": "column"}, "showgrid": False, "zeroline": False, **whole_ticks(z.shape[1])},
        yaxis={"title": {"text": "row"}, "autorange": "reversed", "showgrid": False, "zeroline": False,
               **whole_ticks(z.shape[0])},
    )
    fig_layout["title"]["font"]["size"] = 13
    fig_layout["uirevision"] = title  # a zoom is kept while the same array is shown, not carried to another
    return {"data": [trace], "layout": fig_layout}
