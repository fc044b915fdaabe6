"""Strings from a link, a file name or column names are shown as text: no link, image or markup appears."""

from urllib.parse import quote

from pagetools import no_exception, press
from playwright.sync_api import expect

from bench.browser import wait_idle

LINK = "[Log in again](https://example.invalid/login)"
IMAGE = "![i](http://127.0.0.1:9/pixel.png)"
MARKUP_IN_PAGE = """(sel) => [...document.querySelectorAll(sel)].flatMap(el =>
  [...el.querySelectorAll('a, img, strong, em, iframe, script')].map(x => x.outerHTML))"""
ALERTS = '[data-testid="stAlert"], [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]'


def no_markup(page) -> None:
    found = page.evaluate(MARKUP_IN_PAGE, ALERTS)
    hostile = [html for html in found if "example.invalid" in html or "127.0.0.1:9" in html or "B0LD" in html]
    assert hostile == [], hostile


def test_a_shared_link_cannot_put_a_link_or_an_image_in_the_apps_warning(open_app):
    page = open_app(f"/?zz{quote('<img src=http://127.0.0.1:9/a.png>')}=1&f={quote(LINK)}&ep={quote(IMAGE)}")
    warning = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warning).to_have_count(1)
    text = warning.inner_text().replace("\u2060", "")  # the invisible joiner that stops autolinks
    # shown literally (long values are shortened to 40 characters)
    assert "'[Log in again](https://example.invali..." in text and "zz<img src=http://127.0.0.1:9/a.png>" in text
    no_markup(page)
    no_exception(page)


def test_file_and_column_names_with_markup_stay_text(open_app, tmp_path):
    columns = [LINK, "**B0LD**", IMAGE, "price"]
    csv = tmp_path / "[click me](https:__example.invalid).csv"
    rows = [",".join(f'"{c}"' for c in columns)]
    rows += [",".join(str((i * (k + 2)) % 13 / 3) for k in range(len(columns))) for i in range(60)]
    csv.write_text("\n".join(rows) + "\n")
    page = open_app()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Load a CSV (this session only)").click()
    sidebar.locator('input[type="file"][accept*=".csv"]').set_input_files(str(csv))
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    expect(success).to_have_count(1)
    assert "[click me](https:__example.invalid).csv looks good" in success.inner_text().replace("\u2060", "")
    no_markup(page)
    sidebar.get_by_role("button", name="Use this CSV").click()
    wait_idle(page)
    press(page, "Step")
    expect(page.locator('[data-testid="sn-epoch"]')).to_have_text("1 / 50")
    no_markup(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Data", exact=True).click()
    page.wait_for_timeout(500)
    wait_idle(page, timeout_ms=60000)
    expect(page.get_by_text("loaded in this browser session")).to_have_count(1)
    no_markup(page)
    # chart text too: Plotly draws tick labels and titles as SVG text, never as links or images
    svg_links = page.evaluate("() => [...document.querySelectorAll('svg a, svg image')].map(x => x.outerHTML)")
    assert [h for h in svg_links if "example.invalid" in h or "127.0.0.1:9" in h] == []
    no_exception(page)
