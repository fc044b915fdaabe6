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
