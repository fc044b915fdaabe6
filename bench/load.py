"""A class at once: N concurrent browser sessions each train a preset on one server.

Starts the app on 127.0.0.1, opens N sessions in headless Chromium (one
browser context each, all driven at the same time), and in each opens a link
with a preset, a fixed seed and E epochs, presses Train and waits for the end.
Reports sessions finished, errors, seconds per session (min, median, max),
the server's peak memory, and whether each session's final validation loss
equals the same run done alone (computed here, outside the server).

Usage: python bench/load.py [--sessions 10] [--epochs 400]   (make load)
Loopback only, bounded in sessions and time; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM_FLAGS, chromium_path, missing_chromium, rss_mb, serve_app_process  # noqa: E402
from playground.core.config import from_preset  # noqa: E402
from playground.core.run import LiveRun  # noqa: E402
from scratchnet.data import load_boston  # noqa: E402

PRESETS = ("book-deep", "book-shallow", "book-linear")
EPOCH = '[data-testid="sn-epoch"]'
SESSION_TIMEOUT_MS = 240_000


def solo_val_loss(preset: str, seed: int, epochs: int) -> float:
    """The final validation loss of the same run done alone, outside the server."""
    config = replace(from_preset(preset), seed=seed, epochs=epochs, early_stopping=False)
    run = LiveRun(config, load_boston())
    run.start()
    while run.status == "training":
        run.advance(60.0)
    return run.history.val_loss[-1]


async def one_session(browser, url: str, preset: str, seed: int, epochs: int) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    result = {"preset": preset, "seed": seed, "error": "", "seconds": float("nan"), "val_loss": None}
    try:
        await page.goto(f"{url}/?preset={preset}&seed={seed}&ep={epochs}&ev=10&es=0", timeout=SESSION_TIMEOUT_MS)
        await page.wait_for_selector(EPOCH, timeout=SESSION_TIMEOUT_MS)
        train = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True)
        await train.wait_for(timeout=SESSION_TIMEOUT_MS)
        start = time.perf_counter()
        await train.click()
        target = f"{epochs} / {epochs}"
        finished = f"() => {{ const e = document.querySelector('{EPOCH}'); return e && e.textContent === '{target}'; }}"
        await page.wait_for_function(finished, timeout=SESSION_TIMEOUT_MS)
        result["seconds"] = time.perf_counter() - start
        result["val_loss"] = float(await page.get_attribute('[data-testid="sn-validation"]', "title"))
        if await page.locator('[data-testid="stException"]').count():
            result["error"] = "an exception element is on the page"
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, not raised
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        await context.close()
    return result


async def drive(url: str, sessions: int, epochs: int) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        jobs = [one_session(browser, url, PRESETS[i % len(PRESETS)], 100 + i, epochs) for i in range(sessions)]
        results = await asyncio.gather(*jobs)
        await browser.close()
    return list(results)


async def sample_peak(pid: int, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.2)


async def run_load(url: str, pid: int, sessions: int, epochs: int) -> tuple[list[dict], float]:
    stop, peak = asyncio.Event(), [rss_mb(pid)]
    sampler = asyncio.create_task(sample_peak(pid, stop, peak))
    results = await drive(url, sessions, epochs)
    stop.set()
    await sampler
    return results, peak[0]


def report(results: list[dict], peak: float, start_mb: float, epochs: int) -> bool:
    done = [r for r in results if not r["error"]]
    times = sorted(r["seconds"] for r in done)
    same = 0
    print("| session | preset | seed | seconds | final val loss | alone | identical |")
    print("|---|---|---|---|---|---|---|")
    for i, r in enumerate(results, 1):
        alone = solo_val_loss(r["preset"], r["seed"], epochs)
        ok = r["val_loss"] == alone
        same += ok
        got = "–" if r["val_loss"] is None else f"{r['val_loss']:.6f}"
        print(f"| {i} | {r['preset']} | {r['seed']} | {r['seconds']:.2f} | {got} | {alone:.6f} | "
              f"{'yes' if ok else 'NO ' + r['error']} |")
    print(f"\nsessions finished: {len(done)} of {len(results)}; errors: {len(results) - len(done)}")
    if times:
        median = statistics.median(times)
        print(f"seconds per session: min {times[0]:.2f}, median {median:.2f}, max {times[-1]:.2f} "
              f"(max / median = {times[-1] / median:.2f})")
    print(f"server memory: {start_mb:.0f} MB after the first page, peak {peak:.0f} MB")
    print(f"final validation loss identical to the solo run: {same} of {len(results)}")
    met = len(done) == len(results) and same == len(results) and times and times[-1] <= 2 * statistics.median(times)
    print("targets (all finish, no error, identical to solo, slowest <= 2x median):", "met" if met else "NOT met")
    return bool(met)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, choices=range(1, 31), metavar="1..30")
    parser.add_argument("--epochs", type=int, default=400, choices=range(10, 2001), metavar="10..2000")
    args = parser.parse_args(argv)
    if missing_chromium():
        return 2
    with serve_app_process(log_path=ROOT / "test-artifacts" / "load-server.log") as (url, proc):
        import urllib.request

        urllib.request.urlopen(url, timeout=30).read()
        start_mb = rss_mb(proc.pid)
        results, peak = asyncio.run(run_load(url, proc.pid, args.sessions, args.epochs))
        peak = max(peak, rss_mb(proc.pid, "VmHWM"))
    print(f"{args.sessions} concurrent sessions, {args.epochs} epochs each, book presets in turn, seeds 100 on\n")
    report(results, peak, start_mb, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
