"""The live loop in a real browser: every visible Stop stops, Step and Reset on every dataset, hostile column names."""

import pytest
from pagetools import EPOCH, epoch, no_exception, press, set_number
from playwright.sync_api import expect

from bench.browser import wait_idle
from playground.core.config import dataset_label

TRAIN_ENABLED = ("() => { const b = [...document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] button')]"
                 ".find(x => x.innerText.trim() === 'Train'); return !!b && !b.disabled; }")
CHARTS_AT = ("(e) => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
             ".filter(d => d.getClientRects().length && d.dataset.epoch === String(e) && d.querySelector('.main-svg'))"
             ".length === 5")
WATCH_COUNTER = """() => {
  window.__changes = [];
  let last = null;
  const look = () => {
    const e = document.querySelector('[data-testid="sn-epoch"]');
    const v = e ? e.textContent : null;
    if (v !== last) { window.__changes.push([performance.now(), v]); last = v; }
    requestAnimationFrame(look);
  };
  look();
}"""


CLICK_NOW = """(label) => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const b = [...main.querySelectorAll('button')].find(x => x.innerText.trim() === label);
  window.__stopAt = performance.now();
  b.click();
}"""


def start_long_run(page) -> None:
    page.get_by_text("Early stopping").click()
    wait_idle(page)
    set_number(page, "Epochs", 5000)
    set_number(page, "Batch size", 8)
    press(page, "Train")
    page.wait_for_function(f"() => parseInt(document.querySelector('{EPOCH}').textContent) > 20")


def choose_dataset(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name=dataset_label(name), exact=True).click()
    wait_idle(page)


def test_streamlits_header_stop_stops_the_run_and_nothing_else_resumes_it(open_app):
    """The header's Stop used to stop the script only: Train stayed disabled and the next click resumed training."""
    page = open_app()
    start_long_run(page)
    header_stop = page.locator('[data-testid="stStatusWidget"]').get_by_role("button", name="Stop")
    header_stop.click()
    page.wait_for_function(TRAIN_ENABLED, timeout=5000)
    expect(page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop", exact=True)).to_be_disabled()
    stopped = epoch(page)
    page.wait_for_timeout(800)
    assert epoch(page) == stopped and 0 < stopped < 5000
    assert "left" not in page.locator('[data-testid="sn-progress"]').inner_text()
    # other clicks rerun the page but must not resume training
    page.get_by_text("Log scale").click()
    wait_idle(page)
    page.get_by_role("slider", name="Learning rate").focus()
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    page.wait_for_timeout(800)
    assert epoch(page) == stopped
    press(page, "Train")  # Train still continues from where it stopped
    page.wait_for_function(f"() => parseInt(document.querySelector('{EPOCH}').textContent) > {stopped}")
    press(page, "Stop")
    page.wait_for_function(TRAIN_ENABLED)
    no_exception(page)


def test_the_pages_stop_freezes_the_counter_at_once(open_app):
    """Stop ends the turn in flight: a few updates already on their way may land, then nothing moves."""
    page = open_app()
    start_long_run(page)
    page.evaluate(WATCH_COUNTER)
    page.wait_for_timeout(600)
    page.evaluate(CLICK_NOW, "Stop")  # in the page, so the time is the click's, not Playwright's wait before it
    page.wait_for_function(TRAIN_ENABLED, timeout=5000)
    page.evaluate("window.__enabledAt = performance.now()")
    page.wait_for_timeout(1000)
    after = page.evaluate("window.__changes.filter(c => c[0] > window.__stopAt).map(c => c[1])")
    # the stopped page draws its buttons, then its counter: nothing moves once that redraw is over
    late = page.evaluate("window.__changes.filter(c => c[0] > window.__enabledAt + 300).length")
    assert len(after) <= 4 and late == 0, (after, late)
    assert page.evaluate("window.__changes.filter(c => c[0] < window.__stopAt).length") >= 2  # it was moving
    no_exception(page)


@pytest.mark.parametrize("dataset", ["boston", "diabetes", "sine", "step", "plane", "circle", "spirals"])
def test_step_and_reset_on_every_dataset(open_app, dataset):
    page = open_app()
    if dataset != "boston":
        choose_dataset(page, dataset)
    counter = page.locator(EPOCH)
    for n in (1, 2, 3):
        press(page, "Step")
        expect(counter).to_have_text(f"{n} / {page.get_by_label('Epochs', exact=True).input_value()}")
    page.wait_for_function(CHARTS_AT, arg=3)
    press(page, "Reset")
    expect(counter).to_have_text(f"0 / {page.get_by_label('Epochs', exact=True).input_value()}")
    page.wait_for_function(CHARTS_AT, arg=0)
    no_exception(page)


VISIBLE_CHARTS = ("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                  ".filter(d => d.getClientRects().length).map(d => d.dataset.name).sort()")


@pytest.mark.parametrize("dataset", ["circle", "sine"])
def test_switching_from_boston_to_a_problem_leaves_no_chart_of_boston_on_the_board(open_app, dataset):
    """Boston's predicted-vs-actual stayed on the board, stale, beside the problem's output view."""
    page = open_app()
    page.wait_for_function(CHARTS_AT, arg=0)  # Boston's five charts drawn, predicted vs actual among them
    choose_dataset(page, dataset)
    press(page, "Step")
    page.wait_for_function(CHARTS_AT, arg=1)
    assert page.evaluate(VISIBLE_CHARTS) == sorted(["loss", "flow", "output", "network", "weights"])
    choose_dataset(page, "boston")  # and back: its own charts again, in their places
    press(page, "Step")
    page.wait_for_function(CHARTS_AT, arg=1)
    assert page.evaluate(VISIBLE_CHARTS) == sorted(["loss", "flow", "pva", "network", "weights"])
    order = page.evaluate("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                          ".filter(d => d.getClientRects().length).map(d => d.dataset.name)")
    assert order == ["loss", "flow", "pva", "network", "weights"]
    no_exception(page)


HOSTILE = ["</script>", "</style>", "</title>", "]]>", "--!>", "<!--"]


def test_column_names_that_look_like_closing_tags_do_not_kill_the_live_charts(open_app, tmp_path):
    """A column named </script> got the hidden chart data stripped; the board threw and stopped for the tab."""
    csv = tmp_path / "tags.csv"
    rows = [",".join(HOSTILE + ["price"])]
    rows += [",".join(str((i * (k + 3)) % 17 / 4) for k in range(len(HOSTILE) + 1)) for i in range(120)]
    csv.write_text("\n".join(rows) + "\n")
    page = open_app()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Load a CSV (this session only)").click()
    sidebar.locator('input[type="file"][accept*=".csv"]').set_input_files(str(csv))
    sidebar.get_by_role("button", name="Use this CSV").click()
    wait_idle(page)
    for n in (1, 2):
        press(page, "Step")
        expect(page.locator(EPOCH)).to_have_text(f"{n} / 50")
    page.wait_for_function(CHARTS_AT, arg=2)  # all five drawn from data holding those names
    choose_dataset(page, "boston")
    press(page, "Step")
    expect(page.locator(EPOCH)).to_have_text("1 / 50")
    page.wait_for_function(CHARTS_AT, arg=1)  # and the board still draws after switching back
    assert page.evaluate("() => (window.__snBoard && window.__snBoard.dataset.error) || ''") == ""
    no_exception(page)
