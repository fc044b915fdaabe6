"""Live-training latencies of the playground, measured in a real browser.

Starts the app on 127.0.0.1, opens it in headless Chromium and measures, on
the book's deep preset with early stopping off:

- time from pressing Train to the first drawn loss curve;
- refreshes per second of each of the five charts while training: how often
  each is drawn showing a new epoch, during the 1000-epoch runs and in steady
  training before Stop;
- Stop latency: from pressing Stop to the last change of the epoch counter, for the page's Stop and for
  Streamlit's own Stop in the header (and, for the header's, to the page's Train button being enabled);
- Step and Reset: from the click to the counter showing 1 (or 0);
- another session's first epoch: a new browser session opens the page and presses Train;
- wall time of 1000 epochs in the app against the same 1000 epochs without
  the app (a ``LiveRun`` advanced in this process).

All of it twice in one run: on an otherwise idle machine, then while a second browser session trains
the heaviest settings the limits allow (8 x 256 sigmoid layers, the largest batch the per-step work
limit allows, a 19,500-row CSV it uploads). ``--no-heavy`` skips the second phase.

Run with ``make bench-live``. Timings are taken in the page with
``performance.now()``: the epoch counter is read every animation frame, and
a MutationObserver sees each live chart's ``data-epoch`` attribute, which the
chart sets once Plotly has drawn that epoch.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import launch, serve_app, wait_idle  # noqa: E402
from bench.clicks import clicks_report, measure_clicks  # noqa: E402
from playground.core.config import from_preset  # noqa: E402
from playground.core.run import LiveRun  # noqa: E402
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
CHARTS = ("loss", "flow", "pva", "network", "weights")
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


def refreshes(log, start: float, end: float, charts=CHARTS) -> dict:
    """Per chart: how many times a second it was drawn showing a new epoch, between ``start`` and ``end`` (ms)."""
    rates = {}
    for name in charts:
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
    log, t_stop, latency, rates = train_then_stop(page, train_ms, CHARTS)
    changes = [(t, v) for t, kind, v in log if kind == "epoch"]
    frozen = [v for t, v in changes if t <= t_stop][-1]
    return {"stop_latency_s": latency, "epoch_at_stop": frozen, "epoch_final": changes[-1][1], "rates": rates}


def train_then_stop(page, train_ms: int, charts) -> tuple[list, float, float, dict]:
    """Press Train, wait ``train_ms``, press Stop: the page's log, Stop's time, its latency (s) and the refreshes.

    Refreshes are counted from 1 s after Train to Stop; the latency runs from Stop to the counter's last change.
    """
    page.evaluate(PRESS, "Train")
    page.wait_for_timeout(train_ms)
    page.evaluate(PRESS, "Stop")
    page.wait_for_timeout(2500)
    log = page.evaluate("window.__log")
    t0, t_stop = page.evaluate("[window.__t['Train'], window.__t['Stop']]")
    last = max(t for t, kind, _ in log if kind == "epoch")
    return log, t_stop, max(last - t_stop, 0.0) / 1000, refreshes(log, t0 + 1000, t_stop, charts)


def headless_seconds(epochs: int) -> float:
    config = replace(from_preset("book-deep"), epochs=epochs, early_stopping=False)
    run = LiveRun(config, load_boston())
    run.start()
    start = time.perf_counter()
    while run.status == "training":
        run.advance(10.0)
    return time.perf_counter() - start


HEADER_STOP = """
() => {
  // Streamlit's own Stop, in the status widget at the top right
  const b = [...document.querySelectorAll('[data-testid="stStatusWidget"] button')]
    .find(x => x.innerText.trim() === 'Stop');
  window.__t = window.__t || {};
  window.__t['header'] = performance.now();
  b.click();
}
"""
TRAIN_ENABLED_AT = """
() => new Promise((done) => {
  const look = () => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const b = main && [...main.querySelectorAll('button')].find(x => x.innerText.trim() === 'Train');
    if (b && !b.disabled) done(performance.now()); else requestAnimationFrame(look);
  };
  look();
})
"""


def measure_header_stop(page, url: str) -> dict:
    """Train, then press Streamlit's header Stop: the last counter change and Train enabled, from the click."""
    prepare(page, url, 5000, batch_size=8)
    page.evaluate(PRESS, "Train")
    page.wait_for_timeout(1500)
    page.wait_for_selector('[data-testid="stStatusWidget"] button')
    page.evaluate(HEADER_STOP)
    enabled = page.evaluate(TRAIN_ENABLED_AT)
    page.wait_for_timeout(1500)
    t0 = page.evaluate("window.__t['header']")
    last = max(t for t, kind, _ in page.evaluate("window.__log") if kind == "epoch")
    return {"last_change_s": max(last - t0, 0.0) / 1000, "train_enabled_s": (enabled - t0) / 1000}


def measure_button(page, label: str, shows: str, timeout: float = 30000) -> float:
    """Seconds from an in-page click on ``label`` to the counter first passing ``shows`` (JS: text -> bool)."""
    seen = f"e => e[1] === 'epoch' && e[2] && ({shows})(e[2])"
    page.evaluate("window.__log = []")
    page.evaluate(PRESS, label)
    page.wait_for_function(f"() => window.__log.some({seen})", timeout=timeout)
    t0 = page.evaluate(f"window.__t['{label}']")
    return (page.evaluate(f"window.__log.find({seen})[0]") - t0) / 1000


def measure_step_reset(page, url: str, trials: int) -> tuple[list[float], list[float]]:
    page.goto(url)
    page.get_by_role("button", name="Train").wait_for()
    wait_idle(page)
    page.evaluate(WATCH)
    steps, resets = [], []
    for _ in range(trials):
        steps.append(measure_button(page, "Step", "v => v.startsWith('1 /')"))
        wait_idle(page)
        resets.append(measure_button(page, "Reset", "v => v.startsWith('0 /')"))
        wait_idle(page)
    return steps, resets


def first_epoch_of_a_new_session(browser, url: str) -> float:
    """A newcomer opens the page and presses Train: seconds from the click to the counter leaving 0."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.get_by_role("button", name="Train").wait_for(timeout=60000)
        wait_idle(page, 60000)
        page.evaluate(WATCH)
        seconds = measure_button(page, "Train", "v => !v.startsWith('0 /')", timeout=120000)
        page.evaluate(PRESS, "Stop")
        return seconds
    finally:
        context.close()


HEAVY_ROWS = 19_500  # with 8 x 256 layers: 19,500 x 256 = 4,992,000 numbers, just under the per-session limit
HEAVY_BATCH = 538  # the largest batch the per-step work limit allows for 8 x 256 layers on 13 features
HEAVY_LINK = "/?layers=" + ",".join(["256:sigmoid"] * 8) + "&ep=5000&es=0&ev=50&preset=custom"


def heavy_csv(path: Path) -> Path:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(HEAVY_ROWS, 13))
    y = X @ rng.normal(size=13) + 0.5 * rng.normal(size=HEAVY_ROWS)
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.4f",
               header=",".join([f"x{i}" for i in range(13)] + ["y"]), comments="")
    return path


def start_heavy_neighbour(browser, url: str, csv: Path):
    """A second session training the heaviest allowed settings: 8 x 256 sigmoid, the largest batch, 19,500 rows."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url + HEAVY_LINK)
    page.get_by_role("button", name="Train").wait_for(timeout=60000)
    wait_idle(page, 60000)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Load a CSV (this session only)").click()
    sidebar.locator('input[type="file"][accept*=".csv"]').set_input_files(str(csv))
    sidebar.get_by_role("button", name="Use this CSV").click(timeout=60000)
    wait_idle(page, 60000)
    set_number(page, "Batch size", HEAVY_BATCH)
    page.evaluate(PRESS, "Train")
    page.wait_for_function("() => document.querySelector('[data-testid=\"sn-progress\"]')"
                           ".textContent.includes('left') || document.querySelector('[data-testid=\"sn-epoch\"]')"
                           ".textContent.trim().startsWith('1 /')", timeout=120000)
    return context, page


PROBLEM_CHARTS = ("loss", "flow", "output", "network", "weights")


def problem_link(epochs: int = 5000) -> str:
    """The spirals with 3 hidden layers of 8 (24 neuron pictures), by default long enough to outlast a measurement."""
    from urllib.parse import urlencode

    from playground.core import share

    return "/?" + urlencode(share.to_query(replace(from_preset("spirals-deep"), epochs=epochs, batch_size=4)))


def measure_problem(page, url: str, train_ms: int = STEADY_MS) -> dict:
    """A 2-D problem with 24 neuron pictures: steady refreshes of every chart while training, then Stop's latency."""
    page.goto(url + problem_link())
    page.get_by_role("button", name="Train").wait_for()
    wait_idle(page)
    page.evaluate(WATCH)
    _, _, latency, rates = train_then_stop(page, train_ms, PROBLEM_CHARTS)
    images = page.evaluate("() => document.querySelectorAll('[data-testid=\"sn-live-chart\"][data-name=\"network\"]"
                           " .layer-above image').length")
    return {"stop_latency_s": latency, "rates": rates, "images": images}


def problem_report(name: str, trials: list[dict]) -> bool:
    print(f"\n### {name}: spirals, 3 x 8 tanh hidden layers (24 neuron pictures), batch size 4\n")
    print("| trial | " + " | ".join(f"{c} /s (longest gap s)" for c in PROBLEM_CHARTS) + " | Stop (s) | pictures |")
    print("|---" * (len(PROBLEM_CHARTS) + 3) + "|")
    for i, r in enumerate(trials, 1):
        cells = [f"{r['rates'][c][0]:.1f} ({r['rates'][c][1]:.2f})" for c in PROBLEM_CHARTS]
        print(f"| {i} | " + " | ".join(cells) + f" | {r['stop_latency_s']:.3f} | {r['images']} |")
    lowest = min(r["rates"][c][0] for r in trials for c in PROBLEM_CHARTS)
    stop = [r["stop_latency_s"] for r in trials]
    print(f"\nlowest refresh rate of any chart {lowest:.1f}/s; Stop median {median(stop):.3f} s, max {max(stop):.3f} s")
    ok = lowest >= 4 and max(stop) <= 0.5
    print("targets (every chart >= 4 refreshes/s, Stop <= 0.5 s):", "met" if ok else "NOT met")
    return ok


def phase(browser, url: str, trials: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    result = {
        "runs": [(measure_full_run(page, url, 1000), headless_seconds(1000)) for _ in range(2)],
        "stops": [measure_stop(page, url) for _ in range(trials)],
        "header": [measure_header_stop(page, url) for _ in range(3)],
    }
    result["steps"], result["resets"] = measure_step_reset(page, url, trials)
    result["problem"] = [measure_problem(page, url) for _ in range(trials)]
    page.close()
    result["clicks"] = [measure_clicks(browser, url, problem_link(3)) for _ in range(2)]
    result["newcomer"] = [first_epoch_of_a_new_session(browser, url) for _ in range(3)]
    return result


def rate_table(rows) -> None:
    print("| trial | " + " | ".join(f"{name} /s (longest gap s)" for name in CHARTS) + " |")
    print("|---" * (len(CHARTS) + 1) + "|")
    for i, r in enumerate(rows, 1):
        cells = [f"{r['rates'][name][0]:.1f} ({r['rates'][name][1]:.2f})" for name in CHARTS]
        print(f"| {i} | " + " | ".join(cells) + " |")


def median(values) -> float:
    return statistics.median(values)


def report(name: str, r: dict) -> bool:
    print(f"\n### {name}\n")
    print("| trial | first chart (s) | in app, 1000 epochs (s) | headless (s) |")
    print("|---|---|---|---|")
    for i, (run, h) in enumerate(r["runs"], 1):
        print(f"| {i} | {run['first_chart_s']:.2f} | {run['run_s']:.2f} | {h:.2f} |")
    print(f"\nSteady training (book deep net, batch size 8), {len(r['stops'])} trials, refreshes per second:\n")
    rate_table(r["stops"])
    stop = [s["stop_latency_s"] for s in r["stops"]]
    header = [h["last_change_s"] for h in r["header"]]
    header_enabled = [h["train_enabled_s"] for h in r["header"]]
    steady = {name: [s["rates"][name][0] for s in r["stops"]] for name in CHARTS}
    print("\n| measure | trials (s) | median (s) |")
    print("|---|---|---|")
    rows = [("page Stop: click to last counter change", stop),
            ("header Stop: click to last counter change", header),
            ("header Stop: click to Train enabled", header_enabled),
            ("Step: click to counter 1", r["steps"]), ("Reset: click to counter 0", r["resets"]),
            ("another session: Train to its first epoch", r["newcomer"])]
    for label, values in rows:
        print(f"| {label} | {', '.join(f'{v:.3f}' for v in values)} | {median(values):.3f} |")
    print("\nSteady refreshes per second, median (lowest trial): "
          + ", ".join(f"{name} {median(v):.1f} ({min(v):.1f})" for name, v in steady.items()))
    ok = max(stop) <= 0.5 and max(header_enabled) <= 0.5 and median(r["steps"]) <= 0.3 and median(r["resets"]) <= 0.3
    ok = ok and max(r["newcomer"]) <= 2 and min(min(v) for v in steady.values()) >= 4
    print("targets (Stop and header Stop <= 0.5 s, Step and Reset median <= 0.3 s, another session's first epoch "
          "<= 2 s, every chart >= 4 refreshes/s):", "met" if ok else "NOT met")
    return ok


def main(argv: list[str] | None = None) -> int:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, choices=range(1, 21), metavar="1..20")
    parser.add_argument("--no-heavy", action="store_true", help="skip the phase with a heavy second session")
    args = parser.parse_args(argv)
    with serve_app() as url, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = launch(p)
        idle = phase(browser, url, args.trials)
        loaded, elsewhere = None, None
        if not args.no_heavy:
            context, heavy = start_heavy_neighbour(browser, url, heavy_csv(Path(tmp) / "heavy.csv"))
            loaded = phase(browser, url, args.trials)
            # the same neighbour with its charts no longer drawn here, as when its browser runs on its own
            # machine: the server still trains it and sends its updates
            heavy.evaluate("() => { if (window.Plotly) window.Plotly.react = async () => {}; }")
            elsewhere = phase(browser, url, args.trials)
            heavy_epoch = heavy.locator('[data-testid="sn-epoch"]').inner_text()
            heavy.evaluate(PRESS, "Stop")
            context.close()
        browser.close()
    report("Idle machine", idle)
    problem_report("Idle machine", idle["problem"])
    clicks_report("Idle machine", idle["clicks"])
    if loaded is not None:
        neighbour = (f"another session trains 8 x 256 sigmoid, batch {HEAVY_BATCH}, on {HEAVY_ROWS:,} rows "
                     f"(at epoch {heavy_epoch} at the end)")
        report(f"While {neighbour}, its browser drawing on this machine too", loaded)
        problem_report(f"While {neighbour}, its browser drawing on this machine too", loaded["problem"])
        clicks_report(f"While {neighbour}, its browser drawing on this machine too", loaded["clicks"])
        report(f"While {neighbour}, its charts not drawn here (its browser elsewhere)", elsewhere)
        problem_report(f"While {neighbour}, its charts not drawn here", elsewhere["problem"])
        clicks_report(f"While {neighbour}, its charts not drawn here", elsewhere["clicks"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
