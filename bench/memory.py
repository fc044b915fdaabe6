"""Memory of a long-running server: 20 trainings of 2000 epochs, one after another, in one server process.

Each training is its own browser session (a fresh context, closed when the
run ends), as when students come and go. Prints the server's resident memory
after the first page and after the 20 runs, and the target (at most 100 MB
more). Usage: python bench/memory.py [--runs 20] [--epochs 2000]  (make memory)
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import chromium_path, launch, rss_mb, serve_app_process  # noqa: E402

PRESETS = ("book-deep", "book-shallow", "book-linear")
EPOCH = '[data-testid="sn-epoch"]'


def one_training(browser, url: str, preset: str, seed: int, epochs: int) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/?preset={preset}&seed={seed}&ep={epochs}&es=0", timeout=120_000)
        page.wait_for_selector(EPOCH, timeout=120_000)
        start = time.perf_counter()
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
        target = f"{epochs} / {epochs}"
        page.wait_for_function(
            f"() => {{ const e = document.querySelector('{EPOCH}'); return e && e.textContent === '{target}'; }}",
            timeout=300_000)
        return time.perf_counter() - start
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--epochs", type=int, default=2000, choices=range(10, 5001), metavar="10..5000")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("Chromium not found: apt-get install -y chromium")
        return 2
    from playwright.sync_api import sync_playwright

    with serve_app_process(log_path=ROOT / "test-artifacts" / "memory-server.log") as (url, proc), \
            sync_playwright() as p:
        browser = launch(p)
        one_training(browser, url, "book-linear", 1, 10)  # warm up: imports, data cache, first session
        time.sleep(3)
        before = rss_mb(proc.pid)
        seconds = []
        for i in range(args.runs):
            seconds.append(one_training(browser, url, PRESETS[i % 3], 1000 + i, args.epochs))
            print(f"run {i + 1:2d}: {PRESETS[i % 3]:12s} {seconds[-1]:5.1f} s, server {rss_mb(proc.pid):6.1f} MB",
                  flush=True)
        browser.close()
        gc.collect()
        time.sleep(5)  # let the server drop the closed sessions
        after, peak = rss_mb(proc.pid), rss_mb(proc.pid, "VmHWM")
    print(f"\nserver memory after the first page: {before:.1f} MB; after {args.runs} runs of {args.epochs} epochs: "
          f"{after:.1f} MB ({after - before:+.1f} MB); peak {peak:.1f} MB")
    print("target (at most 100 MB above the start):", "met" if after - before <= 100 else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
