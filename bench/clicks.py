"""Click to card: how long a click on the network diagram takes to show its card, measured in the browser.

Part of ``make bench-live`` (``bench/live.py`` runs it in each phase). In a new browser tab:

- the book's deep net trains 3 epochs; then five connections of the diagram are clicked in turn, each
  timed from the click to the tangent plot of that weight ("The batch loss along W...") being drawn;
- the spirals with 3 x 8 tanh layers train 3 epochs; then three neurons are clicked, each timed from
  the click to its large picture ("Layer k, neuron j over the inputs") being drawn.

The first click of a tab is reported on its own: it used to wait for Streamlit's own copy of Plotly to load.
"""

from __future__ import annotations

import statistics

from bench.browser import wait_idle

POINTS = '[data-testid="sn-live-chart"][data-name="network"] .scatterlayer .trace:nth-last-child({k}) .point'
TITLE_OF = """(prefix) => ([...document.querySelectorAll('.gtitle')]
  .find((t) => t.textContent.startsWith(prefix)) || {}).textContent || ''"""
NEW_TITLE = """([prefix, old]) => [...document.querySelectorAll('.gtitle')]
  .some((t) => t.textContent.startsWith(prefix) && t.textContent !== old)"""
WEIGHT_POINTS = (13 * 13 + 5, 13 * 13 + 40, 30, 13 * 13 + 100, 60)  # of the book net's 351 weights
NEURON_POINTS = (2 + 3, 2 + 8 + 4, 2 + 16 + 1)  # of the spirals' 2 inputs, 24 hidden neurons and 1 output


def clicks_to_title(page, points, indices, prefix: str) -> list[float]:
    """Click each of ``points.nth(k)`` in turn: seconds from each click to a new title starting with ``prefix``."""
    seconds = []
    for k in indices:
        old = page.evaluate(TITLE_OF, prefix)
        page.evaluate("() => { window.__clicked = performance.now(); }")
        points.nth(k).click(force=True)
        page.wait_for_function(NEW_TITLE, arg=[prefix, old], timeout=60000, polling="raf")
        seconds.append(page.evaluate("() => performance.now() - window.__clicked") / 1000)
        wait_idle(page)
    return seconds


def trained(context, url: str, link: str):
    page = context.new_page()
    page.goto(url + link)
    page.get_by_role("button", name="Train").wait_for(timeout=60000)
    wait_idle(page, 60000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"sn-epoch\"]').textContent.trim()"
                           ".startsWith('3 /') && [...document.querySelectorAll('button')]"
                           ".some((b) => b.innerText.trim() === 'Train' && !b.disabled)", timeout=60000)
    wait_idle(page, 60000)
    # a person clicks once the diagram is drawn: every live chart showing epoch 3, then a moment to look
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"sn-live-chart\"]')]"
                           ".every((c) => c.dataset.epoch === '3')", timeout=60000)
    page.wait_for_timeout(500)
    return page


def measure_clicks(browser, url: str, spirals_link: str) -> dict:
    """Seconds from click to card: ``weights`` (five connections) and ``neurons`` (three), each in a new tab.

    ``spirals_link`` opens the spirals with 3 x 8 tanh layers set to train 3 epochs.
    """
    result = {}
    for name, link, k, indices, prefix in (
            ("weights", "/?ep=3", 2, WEIGHT_POINTS, "The batch loss along"),
            ("neurons", spirals_link, 1, NEURON_POINTS, "Layer ")):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = trained(context, url, link)
            result[name] = clicks_to_title(page, page.locator(POINTS.format(k=k)), indices, prefix)
        finally:
            context.close()
    return result


def clicks_report(name: str, trials: list[dict]) -> bool:
    print(f"\n### {name}: click on the diagram to its card drawn (s)\n")
    print("| trial | connection: first click | connection: later clicks | neuron: first click | neuron: later clicks |")
    print("|---|---|---|---|---|")
    for i, r in enumerate(trials, 1):
        w, n = r["weights"], r["neurons"]
        print(f"| {i} | {w[0]:.3f} | {', '.join(f'{v:.3f}' for v in w[1:])} | {n[0]:.3f} | "
              f"{', '.join(f'{v:.3f}' for v in n[1:])} |")
    every = [v for r in trials for v in r["weights"] + r["neurons"]]
    print(f"\nevery click: median {statistics.median(every):.3f} s, max {max(every):.3f} s")
    ok = max(every) <= 0.5
    print("target (the tangent plot within 0.5 s of the click):", "met" if ok else "NOT met")
    return ok
