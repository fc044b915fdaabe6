"""Take the README's screenshot: the playground mid-training, in headless Chromium.

Usage: python bench/screenshot.py [OUT.png]  (default docs/playground.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import launch, serve_app, wait_idle  # noqa: E402


def main(out: str = str(ROOT / "docs" / "playground.png")) -> int:
    from playwright.sync_api import sync_playwright

    with serve_app() as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1500, "height": 1150})
        page.goto(f"{url}/?ep=3000&es=0")
        page.wait_for_selector('[data-testid="sn-epoch"]', timeout=60000)
        wait_idle(page)
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(
            "() => { const e = document.querySelector('[data-testid=\"sn-epoch\"]');"
            " return e && parseInt(e.textContent) > 1200; }", timeout=60000)
        # the live charts are redrawn in place: wait until each has drawn an epoch past 1000
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
            ".filter(d => Number(d.dataset.epoch) > 1000).length == 4", timeout=60000)
        page.screenshot(path=out)
        browser.close()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
