"""Live-training latencies of the playground, measured in a real browser.

Starts the app on 127.0.0.1, opens it in headless Chromium and measures, on
the book's deep preset with early stopping off:

- time from pressing Train to the first drawn loss curve;
- refreshes per second of the loss chart while training;
- Stop latency: from pressing Stop to the last change of the epoch counter;
- wall time of 1000 epochs in the app against the same 1000 epochs without
  the app (a ``LiveRun`` advanced in this process), and the target
  in-app <= 2 x headless + 1 s.

Run with ``make bench-live``. Timings are taken in the page with
``performance.now()`` by a poller that samples the DOM every 10 ms.
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
  window.__log = [];
  let lastEpoch = null, lastPath = null; const lastPlots = {};
  const tick = () => {
    const v = document.querySelector('[data-testid="sn-epoch"]');
    const epoch = v ? v.textContent : null;
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(e => e.getClientRects().length);
    const path = plot ? plot.querySelector('.scatterlayer .trace path.js-line') : null;
    const d = path ? path.getAttribute('d') : null;
    const t = performance.now();
    if (epoch !== lastEpoch) { window.__log.push([t, 'epoch', epoch]); lastEpoch = epoch; }
    // a redraw replaces the chart, so its path is briefly missing: count only new drawn paths
    if (d && d !== lastPath) { window.__log.push([t, 'chart', d.length]); lastPath = d; }
    // what each chart shows: the loss curve's path, and the epoch in the other charts' titles
    const sig = {};
    document.querySelectorAll('.js-plotly-plot').forEach(el => {
      if (!el.getClientRects().length) return;  // skip hidden copies left from the previous run
      const title = (el.querySelector('.gtitle') || {}).textContent || '';
      const kind = title.split(/[ :(]/)[0];
      const line = el.querySelector('.scatterlayer .trace path.js-line');
      if (kind === 'Loss' && !line) return;  // mid-redraw
      sig[kind] = kind === 'Loss' ? line.getAttribute('d') : title;
    });
    for (const kind of Object.keys(sig)) {
      if (sig[kind] !== lastPlots[kind]) { window.__log.push([t, 'plot:' + kind, 1]); lastPlots[kind] = sig[kind]; }
    }
  };
  window.__poll = setInterval(tick, 10);
}
"""
PRESS = """
(label) => {
  const b = [...document.querySelectorAll('button')].find(x => x.innerText.trim() === label);
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


def prepare(page, url: str, epochs: int) -> None:
    page.goto(url)
    page.get_by_role("button", name="Train").wait_for()
    wait_idle(page)
    page.get_by_text("Early stopping").click()
    wait_idle(page)
    set_number(page, "Epochs", epochs)
    page.evaluate(WATCH)


def measure_full_run(page, url: str, epochs: int) -> dict:
    prepare(page, url, epochs)
    page.evaluate(PRESS, "Train")
    target = f"{epochs} / {epochs}"
    page.wait_for_function(f"() => window.__log.some(e => e[1] === 'epoch' && e[2] === '{target}')", timeout=120000)
    log = page.evaluate("window.__log")
    t0 = page.evaluate("window.__t['Train']")
    done = next(t for t, kind, v in log if kind == "epoch" and v == target)
    first_chart = next(t for t, kind, v in log if kind == "chart" and t > t0 and v)
    chart_times = [t for t, kind, v in log if kind == "chart" and t0 < t <= done]
    gaps = [b - a for a, b in zip(chart_times, chart_times[1:], strict=False)]
    per_plot = {}
    for name in ("Loss", "Predicted", "Network", "Weights"):
        times = [t for t, kind, _ in log if kind == f"plot:{name}" and t0 < t <= done]
        per_plot[name] = (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 1 else 0.0
    return {"first_chart_s": (first_chart - t0) / 1000, "run_s": (done - t0) / 1000, "per_plot": per_plot,
            "refreshes_per_s": (len(chart_times) - 1) / ((chart_times[-1] - chart_times[0]) / 1000),
            "median_gap_s": statistics.median(gaps) / 1000 if gaps else float("nan")}


def measure_stop(page, url: str) -> dict:
    prepare(page, url, 5000)
    page.evaluate(PRESS, "Train")
    page.wait_for_timeout(2500)
    page.evaluate(PRESS, "Stop")
    page.wait_for_timeout(2500)
    log = page.evaluate("window.__log")
    t_stop = page.evaluate("window.__t['Stop']")
    changes = [(t, v) for t, kind, v in log if kind == "epoch"]
    last = max(t for t, _ in changes)
    frozen = [v for t, v in changes if t <= t_stop][-1]
    final = changes[-1][1]
    return {"stop_latency_s": max(last - t_stop, 0.0) / 1000, "epoch_at_stop": frozen, "epoch_final": final}


def headless_seconds(epochs: int) -> float:
    config = replace(from_preset("book-deep"), epochs=epochs, early_stopping=False)
    run = LiveRun(config, load_boston())
    run.start()
    start = time.perf_counter()
    while run.status == "training":
        run.advance(10.0)
    return time.perf_counter() - start


def main() -> int:
    from playwright.sync_api import sync_playwright

    epochs = 1000
    rows = []
    with serve_app() as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for _ in range(3):
            rows.append((measure_full_run(page, url, epochs), headless_seconds(epochs)))
        stops = [measure_stop(page, url) for _ in range(3)]
        browser.close()
    print(f"Book deep net, {epochs} epochs, early stopping off; 3 trials in one run\n")
    print("| trial | first chart (s) | refreshes/s | median gap (s) | in app (s) | headless (s) | target 2h+1 (s) |")
    print("|---|---|---|---|---|---|---|")
    for i, (r, h) in enumerate(rows, 1):
        print(f"| {i} | {r['first_chart_s']:.2f} | {r['refreshes_per_s']:.1f} | {r['median_gap_s']:.3f} "
              f"| {r['run_s']:.2f} | {h:.2f} | {2 * h + 1:.2f} |")
    print("\nChanges per second of what each chart shows, while training (the heavy three are redrawn in turn):\n")
    print("| trial | loss | predicted vs actual | network | weight histograms |")
    print("|---|---|---|---|---|")
    for i, (r, _) in enumerate(rows, 1):
        p = r["per_plot"]
        print(f"| {i} | {p['Loss']:.1f} | {p['Predicted']:.1f} | {p['Network']:.1f} | {p['Weights']:.1f} |")
    print("\n| trial | Stop latency (s) | epoch shown at Stop | epoch shown after |")
    print("|---|---|---|---|")
    for i, s in enumerate(stops, 1):
        print(f"| {i} | {s['stop_latency_s']:.3f} | {s['epoch_at_stop']} | {s['epoch_final']} |")
    ok = all(r["first_chart_s"] <= 1 and r["refreshes_per_s"] >= 4 and r["run_s"] <= 2 * h + 1 for r, h in rows)
    ok = ok and all(s["stop_latency_s"] <= 0.5 for s in stops)
    print("\ntargets (first chart <= 1 s, >= 4 refreshes/s, Stop <= 0.5 s, in-app <= 2x headless + 1 s):",
          "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
