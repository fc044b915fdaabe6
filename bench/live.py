"""Live-training latencies of the playground, measured in a real browser.

Starts the app on 127.0.0.1, opens it in headless Chromium and measures, on
the book's deep preset with early stopping off:

- time from pressing Train to the first drawn loss curve;
- refreshes per second of each of the four charts while training: how often
  each is drawn showing a new epoch, during the 1000-epoch runs and in steady
  training before Stop;
- Stop latency: from pressing Stop to the last change of the epoch counter;
- wall time of 1000 epochs in the app against the same 1000 epochs without
  the app (a ``LiveRun`` advanced in this process), and the target
  in-app <= 2 x headless + 1 s.

Run with ``make bench-live``. Timings are taken in the page with
``performance.now()``: the epoch counter is read every animation frame, and
a MutationObserver sees each live chart's ``data-epoch`` attribute, which the
chart sets once Plotly has drawn that epoch.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import launch, serve_app, wait_idle  # noqa: E402
from playground.config import from_preset  # noqa: E402
from playground.run import LiveRun  # noqa: E402
from scratchnet.data import load_boston  # noqa: E402

WATCH = """
() => {
  // the counter is read every animation frame (a timer is starved while the page is busy drawing)
  window.__log = [];
  let lastEpoch = null;
  const epochSeen = () => {
    const v = document.querySelector('[data-testid="sn-epoch"]');
    const epoch = v ? v.textContent : null;
    if (epoch !== lastEpoch) { window.__log.push([performance.now(), 'epoch', epoch]); lastEpoch = epoch; }
    requestAnimationFrame(epochSeen);
  };
  requestAnimationFrame(epochSeen);
  // a live chart sets data-epoch to the epoch it shows once Plotly has drawn it
  new MutationObserver((records) => {
    const t = performance.now();
    for (const r of records) {
      const el = r.target;
      if (el.getClientRects().length) window.__log.push([t, 'plot:' + el.dataset.name, +el.dataset.epoch]);
    }
  }).observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-epoch']});
}
"""
CHARTS = ("loss", "pva", "network", "weights")
STEADY_MS = 4000  # steady training before Stop; refreshes are counted from 1 s after Train to Stop
STEADY_TRIALS = 5
PRESS = """
(label) => {
  // the page's own buttons, not Streamlit's header Stop (which stops the script, not the training)
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const b = [...main.querySelectorAll('button')].find(x => x.innerText.trim() === label);
  window.__t = window.__t || {};
  window.__t[label] = performance.now();
  b.click();
}
"""


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def prepare(page, url: str, epochs: int, batch_size: int | None = None) -> None:
    page.goto(url)
    page.get_by_role("button", name="Train").wait_for()
    wait_idle(page)
    page.get_by_text("Early stopping").click()
    wait_idle(page)
    set_number(page, "Epochs", epochs)
    if batch_size is not None:
        set_number(page, "Batch size", batch_size)
    page.evaluate(WATCH)


def refreshes(log, start: float, end: float) -> dict:
    """Per chart: how many times a second it was drawn showing a new epoch, between ``start`` and ``end`` (ms)."""
    rates = {}
    for name in CHARTS:
        shown, times = None, []
        for t, kind, epoch in log:
            if kind == f"plot:{name}" and epoch != shown:
                shown = epoch
                if start <= t <= end:
                    times.append(t)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        rates[name] = (len(times) / ((end - start) / 1000), max(gaps, default=float("nan")) / 1000)
    return rates


def measure_full_run(page, url: str, epochs: int) -> dict:
    prepare(page, url, epochs)
    page.evaluate(PRESS, "Train")
    target = f"{epochs} / {epochs}"
    page.wait_for_function(f"() => window.__log.some(e => e[1] === 'epoch' && e[2] === '{target}')", timeout=120000)
    log = page.evaluate("window.__log")
    t0 = page.evaluate("window.__t['Train']")
    done = next(t for t, kind, v in log if kind == "epoch" and v == target)
    first_chart = next(t for t, kind, v in log if kind == "plot:loss" and t > t0 and v > 0)
    return {"first_chart_s": (first_chart - t0) / 1000, "run_s": (done - t0) / 1000,
            "rates": refreshes(log, first_chart, done)}


def measure_stop(page, url: str, train_ms: int = STEADY_MS) -> dict:
    """Train for ``train_ms``, press Stop: steady refresh rates and the Stop latency.

    The run is the deep net with batch size 8 (about 4 times slower epochs than
    batch 32), so that 5000 epochs outlast the measurement.
    """
    prepare(page, url, 5000, batch_size=8)
    page.evaluate(PRESS, "Train")
    page.wait_for_timeout(train_ms)
    page.evaluate(PRESS, "Stop")
    page.wait_for_timeout(2500)
    log = page.evaluate("window.__log")
    t0, t_stop = page.evaluate("[window.__t['Train'], window.__t['Stop']]")
    changes = [(t, v) for t, kind, v in log if kind == "epoch"]
    last = max(t for t, _ in changes)
    frozen = [v for t, v in changes if t <= t_stop][-1]
    return {"stop_latency_s": max(last - t_stop, 0.0) / 1000, "epoch_at_stop": frozen, "epoch_final": changes[-1][1],
            "rates": refreshes(log, t0 + 1000, t_stop)}


def headless_seconds(epochs: int) -> float:
    config = replace(from_preset("book-deep"), epochs=epochs, early_stopping=False)
    run = LiveRun(config, load_boston())
    run.start()
    start = time.perf_counter()
    while run.status == "training":
        run.advance(10.0)
    return time.perf_counter() - start


def rate_table(rows) -> None:
    print("| trial | " + " | ".join(f"{name} /s (longest gap s)" for name in CHARTS) + " |")
    print("|---" * (len(CHARTS) + 1) + "|")
    for i, r in enumerate(rows, 1):
        cells = [f"{r['rates'][name][0]:.1f} ({r['rates'][name][1]:.2f})" for name in CHARTS]
        print(f"| {i} | " + " | ".join(cells) + " |")


def main() -> int:
    from playwright.sync_api import sync_playwright

    epochs = 1000
    runs, stops = [], []
    with serve_app() as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for _ in range(3):
            runs.append((measure_full_run(page, url, epochs), headless_seconds(epochs)))
        stops = [measure_stop(page, url) for _ in range(STEADY_TRIALS)]
        browser.close()
    print(f"Book deep net, {epochs} epochs, early stopping off; 3 trials in one run\n")
    print("| trial | first chart (s) | in app (s) | headless (s) | target 2h+1 (s) |")
    print("|---|---|---|---|---|")
    for i, (r, h) in enumerate(runs, 1):
        print(f"| {i} | {r['first_chart_s']:.2f} | {r['run_s']:.2f} | {h:.2f} | {2 * h + 1:.2f} |")
    print(f"\nRefreshes per second of each chart (draws showing a new epoch) during those {epochs}-epoch runs")
    print("(about a second each, so a draw more or less moves a figure by about 1):\n")
    rate_table([r for r, _ in runs])
    print(f"\nSteady training (batch size 8, from 1 s after Train to Stop at {STEADY_MS / 1000:g} s), "
          f"{STEADY_TRIALS} trials:\n")
    rate_table(stops)
    print("\n| trial | Stop latency (s) | epoch shown at Stop | epoch shown after |")
    print("|---|---|---|---|")
    for i, s in enumerate(stops, 1):
        print(f"| {i} | {s['stop_latency_s']:.3f} | {s['epoch_at_stop']} | {s['epoch_final']} |")
    steady = {name: [s["rates"][name][0] for s in stops] for name in CHARTS}
    latency = [s["stop_latency_s"] for s in stops]
    print("\nSteady refreshes per second, median (lowest trial): "
          + ", ".join(f"{name} {statistics.median(v):.1f} ({min(v):.1f})" for name, v in steady.items()))
    print(f"Stop latency: median {statistics.median(latency):.3f} s, highest {max(latency):.3f} s")
    ok = all(r["first_chart_s"] <= 1 and r["run_s"] <= 2 * h + 1 for r, h in runs)
    ok = ok and min(min(v) for v in steady.values()) >= 4 and max(latency) <= 0.5
    print("targets (first chart <= 1 s, in-app <= 2x headless + 1 s; in every steady trial each chart >= 4 "
          "refreshes/s and Stop <= 0.5 s):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
