"""The live board: the playground's four Plotly charts, redrawn in place by the browser.

``st.plotly_chart`` builds a new chart in the browser for every update, and
each update goes through a round of Streamlit's page rendering; while
training, that held the charts to one or two refreshes a second. Instead:

- the page puts each update (the four figures as JSON) inside its progress
  panel, an ``st.html`` block that Streamlit updates in place, as a hidden
  element (``carrier_html``);
- a small ``st.components.v2`` component (``board.js``), mounted once per
  script run under a fixed key so that it is never rebuilt, keeps one Plotly
  div per chart for the whole browser tab, picks up the newest update every
  animation frame and hands it to ``Plotly.react``, one chart at a time.

Plotly's own ``plotly.min.js``, shipped inside the ``plotly`` Python package,
is served through a ``components.v1`` file route, so nothing is downloaded
from the internet and nothing is vendored.

``payload`` and ``carrier_html`` are plain functions that tests call without
Streamlit; ``mount`` draws.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import math
import secrets
from functools import cache
from pathlib import Path

import numpy as np

PLOTLY_DIR = Path(__import__("plotly").__file__).parent / "package_data"
# declare_component names a component after the module that declares it; served at PLOTLY_SRC
PLOTLY_ROUTE = f"{__name__}.plotly_js"
PLOTLY_SRC = f"component/{PLOTLY_ROUTE}/plotly.min.js"
COMPONENT = "scratchnet_live_board"
# what board.js reads, declared once here and handed to it as the component's data
CARRIER = {"data_class": "sn-live-data", "state_class": "sn-live-state", "seq": "seq", "payload": "payload",
           "source": "source", "training": "training"}  # class names and data-* attribute names
PAYLOAD = {"seq": "seq", "src": "src", "config": "config", "columns": "columns", "charts": "charts"}
CHART = {"height": "height", "epoch": "epoch", "figure": "figure"}  # the keys of one chart in PAYLOAD["charts"]
# each chart's div in the browser: data-testid, data-name (the chart's name), data-epoch (the epoch drawn)
CHART_DIV = {"test_id": "sn-live-chart", "name": "name", "epoch": "epoch"}
HEADER_STOP = "header_stop"  # the trigger the board sets when Streamlit's header Stop is clicked while training
# the trigger set by a click on a point of the CLICK_CHART carrying an id in its customdata (a neuron: "layer:unit")
NEURON_CLICK, CLICK_CHART = "neuron", "network"
CONTRACT = {"carrier": CARRIER, "payload": PAYLOAD, "chart": CHART, "chartDiv": CHART_DIV, "headerStop": HEADER_STOP,
            "neuronClick": NEURON_CLICK, "clickChart": CLICK_CHART}
# updates are numbered by one counter per server process; the process's own token tells a browser tab that
# a new server (whose counter starts again) is talking, so that it does not wait for the old numbers
_SEQUENCE = itertools.count(1)
SOURCE = secrets.token_hex(8)
JS = (Path(__file__).parent / "board.js").read_text(encoding="utf-8")
TEMPLATE_KEYS = ("font", "colorway", "paper_bgcolor", "plot_bgcolor", "hovermode", "hoverlabel", "title", "xaxis",
                 "yaxis", "annotationdefaults")


def plain(value):
    """``value`` as JSON-ready Python: numpy arrays and scalars as lists and numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            bad = ~np.isfinite(value)
            value = value.astype(object)
            value[bad] = None
        return value.tolist()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@cache
def template() -> dict:
    """The layout part of Plotly's ``plotly_white`` template, as plain JSON, tuned for fast redraws."""
    import plotly.io as pio

    layout = pio.templates["plotly_white"].to_plotly_json()["layout"]
    layout = {k: layout[k] for k in TEMPLATE_KEYS if k in layout}
    for axis in ("xaxis", "yaxis"):
        # fixed margins, and no per-label overflow check: both measure every tick label on every draw
        layout[axis] = {**layout.get(axis, {}), "automargin": False, "ticklabeloverflow": "allow"}
    return {"layout": layout}


HOVER_ONLY = ("customdata", "hovertemplate", "hoverinfo", "text", "meta")  # trace keys a static chart does not use


def chart_payload(figure: dict, epoch: int, static: bool = False) -> dict:
    """One chart of the board: its figure as plain JSON, its height in pixels and the epoch it shows.

    A ``static`` chart (no hover) is sent without its hover-only data, which is most of some figures.
    """
    layout = dict(figure["layout"])
    if layout.get("template") == "plotly_white":
        layout["template"] = template()
    data = figure["data"]
    if static:
        data = [{k: v for k, v in trace.items() if k not in HOVER_ONLY} for trace in data]
    return {
        CHART["height"]: int(layout.get("height", 320)),
        CHART["epoch"]: int(epoch),
        CHART["figure"]: {"data": plain(data), "layout": plain(layout)},
    }


def payload(charts: dict, columns, static: bool, seq: int | None = None) -> dict:
    """What the browser gets for one update of the board.

    Parameters
    ----------
    charts : dict
        Chart name to ``(figure, epoch)``: a figure dict from ``playground.figures`` (numpy
        arrays allowed) and the epoch it shows.
    columns : sequence of sequences of str
        The chart names of each column, top to bottom.
    static : bool
        True while training: static charts (no hover or toolbar), which draw fastest.
    seq : int, optional
        Orders the updates (the browser ignores one older than what it shows); by default the
        next number of this server process's counter.
    """
    names = [name for col in columns for name in col]
    if sorted(names) != sorted(charts):
        raise ValueError(f"columns must name each chart once: got {names} for charts {sorted(charts)}")
    return {
        PAYLOAD["seq"]: next(_SEQUENCE) if seq is None else int(seq),
        PAYLOAD["src"]: PLOTLY_SRC,
        PAYLOAD["config"]: {"staticPlot": True} if static else {"displaylogo": False, "responsive": True},
        PAYLOAD["columns"]: [list(col) for col in columns],
        PAYLOAD["charts"]: {name: chart_payload(fig, epoch, static) for name, (fig, epoch) in charts.items()},
    }


def carrier_html(panel: str, data: dict | None, training: bool = False) -> str:
    """``panel`` (trusted HTML built by the app) followed by the board update ``data`` in a hidden element.

    The update is JSON in base64, whose alphabet (letters, digits, ``+/=``) no HTML sanitizer rewrites,
    whatever strings the charts hold (a column named ``</script>`` got the old escaped JSON stripped).
    ``training`` tells the board that this script run is training (see ``board.js``: Streamlit's own
    header Stop then stops the run). Without ``data`` the board keeps what it shows.
    """
    c = CARRIER
    flag = f'<div hidden class="{c["state_class"]}" data-{c["training"]}="{int(bool(training))}"></div>'
    if data is None:
        return panel + flag
    body = base64.b64encode(json.dumps(data, separators=(",", ":"), allow_nan=False).encode()).decode("ascii")
    return (f'{panel}{flag}<div hidden class="{c["data_class"]}" data-{c["source"]}="{SOURCE}" '
            f'data-{c["seq"]}="{int(data[PAYLOAD["seq"]])}" data-{c["payload"]}="{body}"></div>')


def read_carrier(text: str) -> dict | None:
    """The board update inside ``carrier_html`` output, or None (the inverse, for tests and tools)."""
    marker = f'data-{CARRIER["payload"]}="'
    start = text.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return json.loads(base64.b64decode(html.unescape(text[start:text.index('"', start)])).decode())


def mount(on_header_stop=None, on_neuron=None) -> str | None:
    """Mount the board under its fixed key; call it once per script run, where the charts go.

    ``on_header_stop`` is called (in the rerun the board asks for) when the person clicked Streamlit's own
    Stop in the page header while the run was training; ``on_neuron`` when they clicked a neuron of the
    network diagram (interactive charts only, so once training has stopped). Returns the clicked neuron's
    ``"layer:unit"`` in the rerun that click caused, else None.
    """
    _serve_plotly()
    result = _component()(key="live_board", data=CONTRACT, **{f"on_{HEADER_STOP}_change": on_header_stop,
                                                               f"on_{NEURON_CLICK}_change": on_neuron})
    clicked = getattr(result, NEURON_CLICK, None)
    return str(clicked) if clicked else None


FIGURE_TEST_ID = "sn-figure"  # the data-testid of a chart drawn by ``figure``


def figure_data(fig: dict, name: str) -> dict:
    """What ``figure`` hands to the browser: the chart as plain JSON, its height, Plotly's source and config."""
    part = chart_payload(fig, 0)
    return {"figure": part[CHART["figure"]], "height": part[CHART["height"]], "name": name,
            "name_attribute": CHART_DIV["name"], "test_id": FIGURE_TEST_ID,
            "src": PLOTLY_SRC, "config": {"displaylogo": False, "responsive": True}}


def figure(fig: dict, key: str, name: str) -> None:
    """Draw one interactive chart here with the board's Plotly (already loaded for the board), under ``key``.

    ``st.plotly_chart`` loads Streamlit's own copy of Plotly the first time a page draws one, which kept the
    first card a click opened about two seconds from the click; this draws as soon as the figure arrives.
    """
    _serve_plotly()
    _component()(key=key, data=figure_data(fig, name))


def _serve_plotly() -> None:
    """Declare the route that serves ``plotly.min.js`` at ``PLOTLY_SRC`` (each script run that draws asks again)."""
    from streamlit.components.v1 import declare_component

    declare_component("plotly_js", path=str(PLOTLY_DIR))


@cache
def _component():
    import streamlit as st

    return st.components.v2.component(COMPONENT, js=JS, isolate_styles=False)
