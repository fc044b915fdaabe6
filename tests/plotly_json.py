"""Read the Plotly figures a page drew in an AppTest run (numpy arrays arrive base64-packed)."""

import base64
import json

import numpy as np


def decode(obj):
    """Plotly's JSON with numpy arrays packed as {"dtype", "bdata"} turned back into arrays."""
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            return a.reshape([int(n) for n in str(obj["shape"]).split(",")]) if "shape" in obj else a
        return {k: decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    return obj


def page_figures(at) -> list[dict]:
    """Every Plotly figure of the AppTest page, decoded, in page order."""
    return [decode(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]


def board_update(at) -> dict:
    """The live board's newest update on the AppTest page (carried in the progress panel's st.html)."""
    from playground.ui.board import read_carrier

    updates = [read_carrier(h.proto.body) for h in at.html]
    updates = [u for u in updates if u is not None]
    if not updates:
        raise AssertionError("the page carries no live-board update")
    return updates[-1]


def board_figures(at) -> dict:
    """The live board's figures by chart name ("loss", "flow", "pva", "network", "weights")."""
    return {name: part["figure"] for name, part in board_update(at)["charts"].items()}
