"""The live board's plain functions: figures to JSON, the update the page carries, and its escaping."""

import json
import re

import numpy as np
import pytest

from playground.figures import playground as figures
from playground.ui import board

COLUMNS = (("loss", "pva"), ("network", "weights"))


def four_charts(title="t"):
    loss = figures.loss_figure([1, 2, 3], [3.0, 2.0, 1.0], [2], [2.5], False, 10)
    pva = figures.pred_vs_actual(np.array([1.0, 2.0]), np.array([1.5, 2.5]), title=title)
    net = figures.network_diagram([np.ones((2, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1)], ["a", "b"])
    hist = figures.weight_histograms([np.ones((2, 3)), np.zeros(3)], [np.linspace(-1, 1, 5)] * 2, 7)
    return {"loss": (loss, 3), "pva": (pva, 3), "network": (net, 3), "weights": (hist, 7)}


def test_plain_turns_numpy_into_json_and_non_finite_numbers_into_none():
    value = {"a": np.array([1.0, np.nan, np.inf]), "b": np.int64(3), "c": (np.float32(0.5), -np.inf), "d": None,
             "e": np.array([[1, 2], [3, 4]])}
    out = board.plain(value)
    assert out == {"a": [1.0, None, None], "b": 3, "c": [0.5, None], "e": [[1, 2], [3, 4]]}
    json.dumps(out, allow_nan=False)  # strict JSON, which the browser's JSON.parse accepts


def test_payload_carries_every_chart_with_its_epoch_height_and_plain_figure():
    data = board.payload(four_charts(), COLUMNS, static=True, seq=5)
    assert data["seq"] == 5 and data["columns"] == [["loss", "pva"], ["network", "weights"]]
    assert {name: part["epoch"] for name, part in data["charts"].items()} == {
        "loss": 3, "pva": 3, "network": 3, "weights": 7}
    assert data["charts"]["network"]["height"] == 360 and data["charts"]["loss"]["height"] == 320
    assert data["charts"]["loss"]["figure"]["data"][0]["y"] == [3.0, 2.0, 1.0]
    assert data["config"] == {"staticPlot": True}
    assert "staticPlot" not in board.payload(four_charts(), COLUMNS, static=False)["config"]
    json.dumps(data, allow_nan=False)


def test_payload_expands_the_template_name_plotly_js_does_not_know():
    layout = board.payload(four_charts(), COLUMNS, static=True)["charts"]["loss"]["figure"]["layout"]
    template = layout["template"]["layout"]
    assert template["plot_bgcolor"] == "white"
    assert template["xaxis"]["automargin"] is False and template["yaxis"]["ticklabeloverflow"] == "allow"


def test_default_seq_is_the_processs_counter_and_the_carrier_names_the_process():
    first = board.payload(four_charts(), COLUMNS, static=True)["seq"]
    second = board.payload(four_charts(), COLUMNS, static=True)["seq"]
    assert second == first + 1  # a counter, not the wall clock
    text = board.carrier_html("<p>panel</p>", board.payload(four_charts(), COLUMNS, static=True))
    assert f'data-source="{board.SOURCE}"' in text and f'data-seq="{second + 1}"' in text


def test_the_board_script_spells_none_of_the_contracts_names():
    """Every class, attribute, key and trigger name board.js uses comes from board.CONTRACT, in Python."""
    names = {*board.CARRIER.values(), *board.PAYLOAD.values(), *board.CHART.values(), *board.CHART_DIV.values(),
             board.HEADER_STOP} - {"config"}  # Plotly.react's own argument is also called config
    code = re.sub(r"//.*", "", board.JS)  # comments may name them
    literals = set(re.findall(r"""['"`]\.?([\w-]+)['"`]""", code))  # 'sn-live-chart', '.sn-live-data'
    attributes = set(re.findall(r"dataset\.(\w+)", code))  # el.dataset.seq
    assert names & (literals | attributes) == set()
    assert "component.data" in code


@pytest.mark.parametrize("columns", [(("loss", "pva"), ("network",)), (("loss", "pva", "pva"), ("network", "weights"))])
def test_payload_refuses_columns_that_do_not_name_each_chart_once(columns):
    with pytest.raises(ValueError, match="columns must name each chart once"):
        board.payload(four_charts(), columns, static=True)


def test_carrier_round_trips_and_escapes_markup_from_the_data():
    hostile = '"><img src=x onerror=alert(1)> & \'quotes\''
    data = board.payload(four_charts(title=hostile), COLUMNS, static=True, seq=42)
    text = board.carrier_html("<p>panel</p>", data)
    assert text.startswith("<p>panel</p>") and 'data-seq="42"' in text
    assert "<img" not in text and '"><' not in text.split("data-payload=")[1][1:-8]
    back = board.read_carrier(text)
    assert back == data
    assert back["charts"]["pva"]["figure"]["layout"]["title"]["text"] == hostile


def test_a_carrier_without_data_is_the_panel_and_the_training_flag():
    assert board.carrier_html("<p>panel</p>", None) == (
        '<p>panel</p><div hidden class="sn-live-state" data-training="0"></div>')
    assert 'data-training="1"' in board.carrier_html("<p>panel</p>", None, training=True)
    assert board.read_carrier("<p>panel</p>") is None


@pytest.mark.parametrize("name", ["</script>", "</style>", "</title>", "]]>", "--!>", "<!--", "\u2028 \u0000 é 漢"])
def test_the_payload_is_base64_so_no_sanitizer_can_strip_it(name):
    """Streamlit's HTML sanitizer dropped the escaped JSON when a column was named like a closing tag."""
    data = board.payload(four_charts(title=name), COLUMNS, static=True, seq=7)
    text = board.carrier_html("<p>panel</p>", data)
    payload = text.split('data-payload="')[1].split('"')[0]
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", payload)
    assert board.read_carrier(text)["charts"]["pva"]["figure"]["layout"]["title"]["text"] == name


def test_the_board_script_is_shipped_and_plotly_is_served_from_the_plotly_package():
    assert "export default function" in board.JS and "Plotly.react" in board.JS
    assert (board.PLOTLY_DIR / "plotly.min.js").is_file()
    assert board.payload(four_charts(), COLUMNS, static=True)["src"] == f"component/{board.PLOTLY_ROUTE}/plotly.min.js"


def test_static_charts_are_sent_without_their_hover_only_data():
    charts = four_charts()
    live = board.payload(charts, COLUMNS, static=True)["charts"]
    idle = board.payload(charts, COLUMNS, static=False)["charts"]
    nodes = [t for t in idle["network"]["figure"]["data"] if t["mode"] == "markers"][0]
    assert nodes["text"] == ["a", "b"] + [f"layer 1, neuron {k}" for k in (1, 2, 3)] + ["output"]
    for name in live:
        for trace in live[name]["figure"]["data"]:
            assert not set(trace) & set(board.HOVER_ONLY), (name, trace.keys())
    assert live["pva"]["figure"]["data"][1]["y"] == idle["pva"]["figure"]["data"][1]["y"]  # the data itself stays


def test_a_cards_figure_goes_to_the_browser_as_plain_json_with_hover_and_the_boards_plotly():
    fig = figures.weight_histograms([np.ones((2, 3)), np.zeros(3)], [np.linspace(-1, 1, 5)] * 2, 7)
    data = board.figure_data(fig, "slope")
    assert data["test_id"] == board.FIGURE_TEST_ID and data["name"] == "slope"
    assert data["name_attribute"] == board.CHART_DIV["name"]
    assert data["src"] == board.payload(four_charts(), COLUMNS, static=True)["src"]
    assert "hovertemplate" in data["figure"]["data"][0] and data["config"]["displaylogo"] is False
    json.dumps(data, allow_nan=False)
