"""Small images as PNG data URIs, written with zlib: the neuron pictures, the output map, the live flow heatmap.

A Plotly layout image draws a picture as one SVG ``<image>``, far cheaper to send and draw than a
heatmap trace per neuron.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from playground.figures.common import DIVERGING


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def scale_rgb(values: np.ndarray, low: float, high: float, scale: list, gap: float = 255.0) -> np.ndarray:
    """Colours ``(h, w, 3)`` (uint8) of ``values`` ``(h, w)`` on a Plotly colour ``scale`` from ``low`` to ``high``.

    ``scale`` is ``[[position, "#rrggbb"], ...]`` with positions from 0 to 1, interpolated linearly in RGB as
    Plotly does; values outside the range take the end colours and a value that is not finite is the grey
    level ``gap`` (by default white, the charts' background, where a heatmap leaves a gap).
    """
    v = np.asarray(values, dtype=float)
    t = np.clip((np.nan_to_num(v, nan=low, posinf=high, neginf=low) - low) / ((high - low) or 1.0), 0.0, 1.0)
    stops = np.array([float(position) for position, _ in scale])
    colours = np.array([_rgb(colour) for _, colour in scale])
    rgb = np.stack([np.interp(t, stops, colours[:, c]) for c in range(3)], axis=-1)
    rgb[~np.isfinite(v)] = gap
    return np.rint(rgb).astype(np.uint8)


def diverging_rgb(values: np.ndarray, top: float) -> np.ndarray:
    """Colours ``(h, w, 3)`` (uint8) of ``values`` ``(h, w)``: red at ``-top``, near white at 0, blue at ``+top``.

    The charts' ``common.DIVERGING`` scale (``scale_rgb``); values beyond ``top`` take the end colours and a
    value that is not finite is drawn grey.
    """
    top = top if top > 0 else 1.0
    return scale_rgb(values, -top, top, DIVERGING, gap=160.0)


def png_uri(rgb: np.ndarray) -> str:
    """An RGB image ``(h, w, 3)`` (uint8, row 0 at the top) as a ``data:image/png;base64,...`` URI."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or 0 in rgb.shape[:2]:
        raise ValueError(f"an RGB image needs shape (h, w, 3) with h, w >= 1, got {rgb.shape}")
    h, w = rgb.shape[:2]
    # PNG's "Sub" filter (type 1) on every row: each byte minus the same colour's byte one pixel to the left,
    # which turns a smooth picture into small numbers that compress to about half the size of the raw bytes
    sub = rgb.astype(np.int16)
    sub[:, 1:] -= rgb[:, :-1]
    rows = np.concatenate([np.ones((h, 1), np.uint8), (sub % 256).astype(np.uint8).reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
    png += chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
