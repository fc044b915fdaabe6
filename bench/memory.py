"""Memory of a long-running server as sessions come and go: two rounds of 20 browser sessions.

Each session is a fresh browser context (its own Streamlit session) that uploads a 4 MB CSV it is
given, makes it the dataset, trains on it, and closes, as students do. Prints the server's resident
memory after each session, each round's peak, and the targets: the second round's peak at most 20 MB
above the first round's (a steady state).
Usage: python bench/memory.py [--sessions 20] [--rounds 2] [--epochs 30]  (make memory)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import launch, missing_chromium, rss_mb, serve_app_process, wait_idle  # noqa: E402

EPOCH = '[data-testid="sn-epoch"]'


def write_csv(path: Path, rows: int = 40_000, seed: int = 0) -> Path:
    """A regression CSV of about 4 MB: 11 features and a target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 11))
    y = X @ rng.normal(size=11) + 0.3 * rng.normal(size=rows)
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.5f",
               header=",".join([f"f{i}" for i in range(11)] + ["target"]), comments="")
    return path


def one_session(browser, url: str, csv: Path, epochs: int) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/?ep={epochs}&es=0&ev=10", timeout=120_000)
        page.wait_for_selector(EPOCH, timeout=120_000)
        wait_idle(page, 60_000)
        start = time.perf_counter()
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Load a CSV (this session only)").click()
        sidebar.locator('input[type="file"][accept*=".csv"]').set_input_files(str(csv))
        sidebar.get_by_role("button", name="Use this CSV").click(timeout=60_000)
        page.wait_for_function("() => document.body.innerText.includes('rows, 11 features')", timeout=60_000)
        wait_idle(page, 60_000)
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
    parser.add_argument("--sessions", type=int, default=20, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--rounds", type=int, default=2, choices=range(1, 6), metavar="1..5")
    parser.add_argument("--epochs", type=int, default=30, choices=range(1, 5001), metavar="1..5000")
    args = parser.parse_args(argv)
    if missing_chromium():
        return 2
    from playwright.sync_api import sync_playwright

    csv = write_csv(Path(tempfile.mkdtemp()) / "students.csv")
    print(f"each session uploads {csv.stat().st_size / 2**20:.1f} MB ({csv.name}), trains {args.epochs} epochs, closes")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with serve_app_process(log_path=ROOT / "test-artifacts" / "memory-server.log") as (url, proc), \
            sync_playwright() as p:
        browser = launch(p)
        one_session(browser, url, csv, 2)  # warm up: imports, caches, the first session
        time.sleep(3)
        start = rss_mb(proc.pid)
        peaks = []
        for r in range(args.rounds):
            peak = 0.0
            for i in range(args.sessions):
                seconds = one_session(browser, url, csv, args.epochs)
                now = rss_mb(proc.pid)
                peak = max(peak, now)
                print(f"round {r + 1} session {i + 1:2d}: {seconds:5.1f} s, server {now:6.1f} MB", flush=True)
            peaks.append(peak)
        browser.close()
        time.sleep(5)
        end = rss_mb(proc.pid)
    print(f"\nserver memory after the warm-up session: {start:.1f} MB; after the last round: {end:.1f} MB")
    for r, peak in enumerate(peaks, 1):
        print(f"round {r} peak: {peak:.1f} MB ({peak - start:+.1f} MB over the start)")
    steady = all(b - peaks[0] <= 20 for b in peaks[1:])
    print("target (each later round's peak at most 20 MB above round 1's):", "met" if steady else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
