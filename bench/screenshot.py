"""Take the README's screenshots in headless Chromium.

docs/playground.png: the playground mid-training; docs/projector-1280x720.png: the same on a 1280 x 720
projector; docs/stopped-early.png and docs/diverged.png: those two states at 1280 x 720; docs/spirals.png:
the two spirals' deep preset after training, with its output map and neuron pictures.
Usage: python bench/screenshot.py [OUT_DIR]  (default docs/)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import launch, serve_app, wait_idle  # noqa: E402

EPOCH_ABOVE = ("(n) => { const e = document.querySelector('[data-testid=\"sn-epoch\"]');"
               " return e && parseInt(e.textContent) > n; }")
CHARTS_PAST = ("(n) => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
               ".filter(d => Number(d.dataset.epoch) > n).length == 5")
TRAIN_BACK = ("() => { const b = [...document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] button')]"
              ".find(x => x.innerText.trim() === 'Train'); return !!b && !b.disabled; }")


def open_and_train(browser, url: str, query: str, size: tuple[int, int]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{url}/{query}")
    page.wait_for_selector('[data-testid="sn-epoch"]', timeout=60000)
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    return page


def mid_training(browser, url: str, size: tuple[int, int], out: Path) -> None:
    page = open_and_train(browser, url, "?ep=3000&es=0", size)
    page.wait_for_function(EPOCH_ABOVE, arg=1200, timeout=60000)
    page.wait_for_function(CHARTS_PAST, arg=1000, timeout=60000)  # each chart has drawn an epoch past 1000
    page.screenshot(path=str(out))
    page.close()


def finished(browser, url: str, query: str, out: Path) -> None:
    page = open_and_train(browser, url, query, (1280, 720))
    page.wait_for_function(TRAIN_BACK, timeout=60000)
    wait_idle(page)
    page.wait_for_timeout(1500)  # the charts' last redraw
    page.screenshot(path=str(out))
    page.close()


def spirals(browser, url: str, out: Path) -> None:
    """The two spirals after 300 epochs of the deep preset: the output map and every neuron's picture."""
    from urllib.parse import urlencode

    from playground.core import share
    from playground.core.config import from_preset

    page = open_and_train(browser, url, "?" + urlencode(share.to_query(from_preset("spirals-deep"))), (1500, 1150))
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-epoch=\"300\"]')"
                           ".length == 5", timeout=120000)
    wait_idle(page)
    page.wait_for_timeout(1500)  # the charts' last redraw
    page.screenshot(path=str(out))
    page.close()


def main(out_dir: str = str(ROOT / "docs")) -> int:
    from playwright.sync_api import sync_playwright

    out = Path(out_dir)
    with serve_app() as url, sync_playwright() as p:
        browser = launch(p)
        mid_training(browser, url, (1500, 1150), out / "playground.png")
        mid_training(browser, url, (1280, 720), out / "projector-1280x720.png")
        finished(browser, url, "?ep=2000&es=1", out / "stopped-early.png")
        finished(browser, url, "?ep=300&lr=3&es=0", out / "diverged.png")
        spirals(browser, url, out / "spirals.png")
        browser.close()
    print(f"saved the screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
