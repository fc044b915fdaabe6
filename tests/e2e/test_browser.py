"""The app driven the way a person uses it: a real Chromium, a real server, real clicks."""

import pytest
from pagetools import EPOCH, epoch, no_exception, press, set_number
from playwright.sync_api import expect

from bench.browser import wait_idle


def wait_epoch_above(page, n: int) -> None:
    page.wait_for_function(
        f"() => {{ const e = document.querySelector('{EPOCH}'); return e && parseInt(e.textContent) > {n}; }}")


def loss_path(page) -> str:
    return page.evaluate(
        "() => { const p = document.querySelector('.js-plotly-plot .scatterlayer .trace path.js-line');"
        " return p ? p.getAttribute('d') : ''; }")


def chart_epochs(page) -> dict:
    """The epoch each live chart has drawn, by chart name."""
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
        ".map(d => [d.dataset.name, Number(d.dataset.epoch)]))")


def test_playground_loads(open_app):
    page = open_app()
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("50")
    assert page.get_by_role("heading", name="scratchnet playground").is_visible()
    for label in ("Train", "Stop", "Step", "Reset"):
        assert page.get_by_test_id("stMainBlockContainer").get_by_role("button", name=label, exact=True).count() == 1
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-epoch]').length == 5")
    assert chart_epochs(page) == {"loss": 0, "flow": 0, "pva": 0, "network": 0, "weights": 0}
    assert epoch(page) == 0
    no_exception(page)


def test_the_plotly_route_the_board_asks_for_serves_plotly(open_app):
    from playground.ui import board

    page = open_app()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-epoch]').length == 5")
    src = page.evaluate("() => [...document.scripts].map(s => s.getAttribute('src') || '').find(s => s.includes("
                        "'plotly.min.js')) || ''")
    assert src == f"component/{board.PLOTLY_ROUTE}/plotly.min.js"
    response = page.request.get(f"{page.base_url}/{src}")
    assert response.status == 200 and b"Plotly" in response.body()[:4000]


def test_train_moves_the_loss_chart_stop_holds_it_train_continues(open_app):
    page = open_app()
    page.get_by_text("Early stopping").click()
    wait_idle(page)
    set_number(page, "Epochs", 5000)
    press(page, "Train")
    wait_epoch_above(page, 5)
    first, drawn = loss_path(page), chart_epochs(page)
    page.wait_for_timeout(800)
    assert loss_path(page) != first and epoch(page) > 5  # the chart changes while training
    later = chart_epochs(page)
    assert all(later[name] > drawn[name] for name in drawn), (drawn, later)  # so do the other three
    press(page, "Stop")
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_role("button", name="Train", exact=True)).to_be_enabled()  # the page knows it stopped
    wait_idle(page)
    stopped = epoch(page)
    page.wait_for_timeout(1000)
    assert epoch(page) == stopped and 0 < stopped < 5000  # the counter stays still
    press(page, "Train")
    wait_epoch_above(page, stopped)
    press(page, "Stop")
    no_exception(page)


def test_step_and_reset(open_app):
    page = open_app()
    counter = page.locator(EPOCH)
    press(page, "Step")
    expect(counter).to_have_text("1 / 50")  # the page may still be drawing the charts: wait for the counter
    press(page, "Step")
    expect(counter).to_have_text("2 / 50")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                           ".every(d => d.dataset.epoch === '2')")  # every chart shows epoch 2
    press(page, "Reset")
    expect(counter).to_have_text("0 / 50")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                           ".every(d => d.dataset.epoch === '0')")
    no_exception(page)


@pytest.mark.parametrize("title", ["Compare", "Inside the network", "Data", "Playground"])
def test_every_page_opens_from_the_navigation(open_app, title):
    page = open_app()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_timeout(500)
    wait_idle(page, timeout_ms=60000)
    no_exception(page)
    assert page.locator("h1").first.inner_text().strip() != ""


def test_a_copied_link_reopens_the_same_configuration_in_a_new_browser(open_app, browser, app_url):
    page = open_app()
    set_number(page, "Epochs", 321)
    set_number(page, "Batch size", 16)
    page.get_by_label("Layer 1 neurons", exact=True).fill("7")
    page.get_by_label("Layer 1 neurons", exact=True).press("Enter")
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('ep=321') && location.search.includes('layers=7')")
    link = page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        fresh.goto(link)
        fresh.wait_for_selector(EPOCH, timeout=60000)
        wait_idle(fresh)
        expect(fresh.get_by_label("Epochs", exact=True)).to_have_value("321")
        expect(fresh.get_by_label("Batch size", exact=True)).to_have_value("16")
        expect(fresh.get_by_label("Layer 1 neurons", exact=True)).to_have_value("7")
        expect(fresh.locator(EPOCH)).to_have_text("0 / 321")
        no_exception(fresh)
    finally:
        other.close()


def classroom_link() -> str:
    """A teacher's link (signed with the key the test server shares): 40 epochs, lr 0.1, both fixed, and the layers."""
    from dataclasses import replace
    from urllib.parse import urlencode

    from playground.core import share
    from playground.core.config import from_preset

    config = replace(from_preset("book-deep"), epochs=40, lr=0.1)
    return "/?" + urlencode(share.to_query(config, locked=("lr", "epochs", "hidden")))


def test_classroom_link_hides_the_fixed_controls(open_app):
    page = open_app(classroom_link())
    expect(page.get_by_label("Batch size", exact=True)).to_have_count(1)  # the sidebar has rendered
    expect(page.get_by_text("Set by your teacher")).to_have_count(1)
    assert page.get_by_label("Epochs", exact=True).count() == 0
    assert page.get_by_text("Learning rate", exact=True).count() == 0
    assert page.get_by_label("Layer 1 neurons", exact=True).count() == 0
    assert page.locator(EPOCH).inner_text().strip() == "0 / 40"
    no_exception(page)


def test_a_malformed_link_shows_one_warning(open_app):
    page = open_app("/?ep=abc&lr=<script>alert(1)</script>&zzz=1")
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 1
    assert page.locator(EPOCH).inner_text().strip() == "0 / 50"
    no_exception(page)


def test_the_live_charts_come_back_after_another_page(open_app):
    page = open_app()
    press(page, "Step")
    expect(page.locator(EPOCH)).to_have_text("1 / 50")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Data", exact=True).click()
    page.wait_for_timeout(500)
    wait_idle(page, timeout_ms=60000)
    visible = "[...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')].filter(d => d.getClientRects().length)"
    assert page.evaluate(f"{visible}.length") == 0  # the board is not on the Data page
    nav.get_by_text("Playground", exact=True).click()
    page.wait_for_function(f"() => {visible}.filter(d => d.dataset.epoch === '1' && d.querySelector('.main-svg'))"
                           ".length == 5")
    assert epoch(page) == 1
    no_exception(page)


def test_the_loss_charts_epoch_axis_follows_the_epochs_trained(open_app):
    """The axis was fixed to the configured epochs: with 2000 epochs an early stop at 40 was a sliver."""
    page = open_app()
    set_number(page, "Epochs", 2000)
    for n in range(1, 5):
        press(page, "Step")
        expect(page.locator(EPOCH)).to_have_text(f"{n} / 2000")
    page.wait_for_function("() => document.querySelector('[data-testid=\"sn-live-chart\"][data-name=\"loss\"]')"
                           "?.dataset.epoch === '4'")
    ticks = page.evaluate("() => [...document.querySelectorAll('[data-name=\"loss\"] .xtick text')]"
                          ".map(t => Number(t.textContent.replace(/[^0-9.]/g, '')))")
    assert ticks and max(ticks) <= 15, ticks  # 4 epochs trained: the axis ends at 15, not at 2000
    no_exception(page)


def test_a_classroom_link_offers_no_preset_to_undo_the_lock(open_app):
    page = open_app(classroom_link())
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Set by your teacher")).to_have_count(1)
    assert sidebar.get_by_label("Preset").count() == 0
    assert "preset" in sidebar.get_by_text("Set by your teacher").inner_text()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Data", exact=True).click()
    page.wait_for_timeout(500)
    wait_idle(page, timeout_ms=60000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Playground", exact=True).click()
    page.wait_for_timeout(500)
    wait_idle(page, timeout_ms=60000)
    assert page.locator(EPOCH).inner_text().strip() == "0 / 40"
    no_exception(page)


def test_on_a_1280_by_720_projector_the_buttons_loss_chart_and_network_show_together(browser, app_url):
    """At 1280 x 720 no chart was visible without scrolling, and scrolling hid Train and Stop."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(app_url + "/?ep=3000&es=0")
        page.wait_for_selector(EPOCH, timeout=60000)
        wait_idle(page, timeout_ms=60000)
        press(page, "Train")
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                               ".filter(d => Number(d.dataset.epoch) > 100).length == 5", timeout=60000)
        assert page.evaluate("() => window.scrollY + document.querySelector("
                             "'[data-testid=\"stMain\"]').scrollTop") == 0
        boxes = page.evaluate("""() => {
          const main = document.querySelector('[data-testid="stMainBlockContainer"]');
          const button = (t) => [...main.querySelectorAll('button')].find(b => b.innerText.trim() === t);
          const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; };
          const chart = (n) => document.querySelector(`[data-testid="sn-live-chart"][data-name="${n}"]`);
          return {Train: box(button('Train')), Stop: box(button('Stop')),
                  loss: box(chart('loss')), network: box(chart('network'))};
        }""")
        for name, (top, bottom, left, right) in boxes.items():
            assert 0 <= top and bottom <= 720 and 0 <= left and right <= 1280, (name, boxes[name])
        press(page, "Stop")
    finally:
        context.close()


def test_every_sidebar_button_has_a_name_and_labels_are_not_cut(open_app):
    """The layer editor's icon buttons had no accessible name; downloads read "C.", "P."; the seed "2019050"."""
    page = open_app()
    sidebar = page.get_by_test_id("stSidebar")
    for name in ("Up", "Down", "Drop"):
        expect(sidebar.get_by_role("button", name=name, exact=True)).to_have_count(2)  # one per hidden layer
    nameless = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stSidebar"] button')]
        .filter(b => !(b.textContent.trim() || b.getAttribute('aria-label'))).map(b => b.outerHTML.slice(0, 300))""")
    assert nameless == []
    sidebar.get_by_text("Share and export").click()
    page.wait_for_timeout(300)
    cut = page.evaluate("""() => {
        const side = document.querySelector('[data-testid="stSidebar"]');
        const labels = [...side.querySelectorAll('button p')].filter(p => p.offsetParent !== null);
        const boxes = [...side.querySelectorAll('input[type="number"], input[type="text"]')]
            .filter(i => i.offsetParent !== null);
        return [...labels, ...boxes].filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => el.value || el.textContent);
    }""")
    assert cut == [], cut
    no_exception(page)
