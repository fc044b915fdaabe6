"""A synthetic problem in the browser: the output map and every neuron's picture change while it trains; a click on
a neuron shows what it computes."""

from dataclasses import replace
from urllib.parse import urlencode

from pagetools import epoch, no_exception, press

from bench.browser import wait_idle
from playground.core import share
from playground.core.config import from_preset

PICTURES = """() => {
  const net = document.querySelector('[data-testid="sn-live-chart"][data-name="network"]');
  const map = document.querySelector('[data-testid="sn-live-chart"][data-name="output"]');
  const hrefs = (d) => d ? [...d.querySelectorAll('image')].map(i => i.getAttribute('href')) : [];
  return {network: hrefs(net), map: hrefs(map), epochs: [net && net.dataset.epoch, map && map.dataset.epoch]};
}"""
TRAIN_ENABLED = ("() => { const b = [...document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                 ".querySelectorAll('button')].find(x => x.innerText.trim() === 'Train'); return b && !b.disabled; }")


def train_to_the_end(page, epochs: int):
    """Press Train and wait until the run is done and every chart, interactive again, shows its last epoch."""
    press(page, "Train")
    page.wait_for_function(TRAIN_ENABLED, timeout=60000)
    wait_idle(page)
    page.wait_for_function("(e) => document.querySelectorAll(`[data-testid=\"sn-live-chart\"][data-epoch=\"${e}\"]`)"
                           ".length == 5", arg=epochs, timeout=30000)
    return page


def spirals_link(**changes) -> str:
    return "/?" + urlencode(share.to_query(replace(from_preset("spirals-deep"), **changes)))


def test_the_output_map_and_the_neuron_pictures_change_while_training(open_app):
    page = open_app(spirals_link(epochs=3000, batch_size=4))
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-epoch]').length == 5")
    before = page.evaluate(PICTURES)
    assert len(before["network"]) == 24 and len(before["map"]) == 1  # 3 x 8 hidden neurons; the square
    press(page, "Train")
    page.wait_for_function("() => { const d = document.querySelector('[data-testid=\"sn-live-chart\"]"
                           "[data-name=\"network\"]'); return d && Number(d.dataset.epoch) > 20; }", timeout=60000)
    page.wait_for_function("() => { const d = document.querySelector('[data-testid=\"sn-live-chart\"]"
                           "[data-name=\"output\"]'); return d && Number(d.dataset.epoch) > 20; }", timeout=60000)
    during = page.evaluate(PICTURES)
    press(page, "Stop")
    page.wait_for_function(TRAIN_ENABLED, timeout=30000)
    assert during["map"] != before["map"]
    changed = sum(a != b for a, b in zip(before["network"], during["network"], strict=True))
    assert changed >= 20, f"only {changed} of 24 neuron pictures changed"
    assert epoch(page) > 20
    no_exception(page)


def test_clicking_a_neuron_shows_its_picture_and_formula(open_app):
    page = train_to_the_end(open_app(spirals_link(epochs=30)), 30)
    neurons = page.locator('[data-testid="sn-live-chart"][data-name="network"] .scatterlayer .trace:last-child .point')
    assert neurons.count() == 2 + 24 + 1
    neurons.nth(2 + 8 + 3).click(force=True)  # layer 2, neuron 4
    page.get_by_text("computes, on the standardised inputs").wait_for(timeout=30000)
    wait_idle(page)
    assert page.get_by_text("layer 2, neuron 4").first.is_visible()
    code = page.locator('[data-testid="stCode"]').filter(has_text="h1_1").first.inner_text()
    assert code.startswith("tanh(") and "h1_8" in code
    no_exception(page)


def test_clicking_a_connection_shows_the_slope_of_that_weight(open_app):
    page = train_to_the_end(open_app("/?ep=3"), 3)
    # the weights' click points are the trace before the neurons'
    points = page.locator('[data-testid="sn-live-chart"][data-name="network"] .scatterlayer .trace:nth-last-child(2)'
                          ' .point')
    assert points.count() == 13 * 13 + 13 * 13 + 13
    points.nth(13 * 13 + 5).click(force=True)  # a weight of layer 2 (Plotly takes the point nearest the mouse)
    page.get_by_text("Backpropagation says dL/dW2[").wait_for(timeout=30000)
    text = page.evaluate("() => document.body.innerText")
    name = "W2[" + text.split("Backpropagation says dL/dW2[", 1)[1].split("]", 1)[0] + "]"
    assert name.startswith("W2[")
    page.wait_for_function("(n) => [...document.querySelectorAll('[data-testid=\"sn-figure\"][data-name=\"slope\"]"
                           " .gtitle')].some(t => t.textContent.startsWith('The batch loss along ' + n))", arg=name,
                           timeout=30000)
    # drawn with the board's Plotly: Streamlit's own chart (whose first draw loaded a second Plotly) is not used
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    no_exception(page)


def test_the_replay_slider_takes_every_chart_back(open_app):
    page = train_to_the_end(open_app("/?ep=30"), 30)
    slider = page.get_by_role("slider", name="Replay: epoch")
    slider.focus()
    slider.press("Home")  # the first snapshot: the starting weights, epoch 0
    page.wait_for_function("() => ['pva', 'network', 'weights'].every(n => document.querySelector("
                           "`[data-testid=\"sn-live-chart\"][data-name=\"${n}\"]`).dataset.epoch === '0')",
                           timeout=30000)
    marks = page.evaluate("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-name=\"loss\"]"
                          " .shapelayer path').length")
    assert marks >= 1  # the moment marked on the loss chart
    assert epoch(page) == 30
    no_exception(page)
