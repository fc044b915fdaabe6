"""User strings are escaped for Streamlit markdown and for Plotly, and the figures carry names as data."""

import numpy as np
import pytest

from playground.core.text import WORD_JOINER, md, plotly
from playground.figures import data as data_figures
from playground.figures import playground as figures

HOSTILE = ["[click me](https://example.invalid)", "**B0LD**", "![i](http://127.0.0.1:9/x.png)", ":material/home:",
           ":red[alarm]", "<img src=x onerror=alert(1)>", "a_b_c", "`code`", "line\nbreak", "www.example.invalid",
           "me@example.invalid", "%{x}", "50% & more"]


@pytest.mark.parametrize("value", HOSTILE)
def test_md_leaves_no_markup_character_unescaped(value):
    out = md(value)
    assert "\n" not in out
    unescaped = [c for i, c in enumerate(out) if c in "[]()*!`<>:_" and (i == 0 or out[i - 1] != "\\")]
    assert unescaped == [], out
    # what the reader sees is the original text, without its line break or the invisible joiners
    import re

    assert re.sub(r"\\(.)", r"\1", out).replace(WORD_JOINER, "") == value.replace("\n", " ")


def test_md_breaks_bare_addresses_with_an_invisible_joiner():
    assert f"http\\:{WORD_JOINER}\\/\\/" in md("http://example.invalid")
    assert f"www{WORD_JOINER}\\." in md("www.example.invalid") and f"\\@{WORD_JOINER}" in md("a@b.c")


def test_plotly_text_is_html_escaped():
    assert plotly("<b>x</b> & <a href='h'>") == "&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href='h'&gt;"


def test_figures_carry_names_as_data_not_as_template_or_markup():
    names = ["<b>big</b>", "%{y}"]
    fig = figures.pred_vs_actual(np.arange(5.0), np.arange(5.0), np.ones((5, 2)), names)
    points = fig["data"][1]
    assert points["meta"] == ["&lt;b&gt;big&lt;/b&gt;", "%{y}"]
    assert "big" not in points["hovertemplate"] and "%{meta[0]}" in points["hovertemplate"]
    diagram = figures.network_diagram([np.ones((2, 1)), np.ones((1, 1))], names)
    assert diagram["data"][-1]["text"][:2] == ["&lt;b&gt;big&lt;/b&gt;", "%{y}"]
    scatter = data_figures.feature_scatter(np.arange(5.0), np.arange(5.0), "<i>f</i>", "%{x}")
    assert "<i>" not in scatter["layout"]["title"]["text"] and scatter["data"][0]["meta"] == ["&lt;i&gt;f&lt;/i&gt;",
                                                                                             "%{x}"]
    heat = data_figures.correlation_heatmap(["<s>a</s>", "b"], np.eye(2))
    assert heat["data"][0]["x"] == ["&lt;s&gt;a&lt;/s&gt;", "b"]
