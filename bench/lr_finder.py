"""Seconds for one learning-rate finder run: the book's deep net on Boston, as the playground runs it.

The range test of ``playground.logic.lr_finder.run_finder`` (1e-5 to 10 over at most 200 batches of 32,
plain SGD, the book's seed) on the book's Boston split; the median of 5 runs is printed against the
2-second budget.

Run from anywhere::

    python bench/lr_finder.py
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core.config import from_preset  # noqa: E402
from playground.core.run import LiveRun  # noqa: E402
from playground.logic.lr_finder import run_finder  # noqa: E402
from scratchnet.data import load_boston  # noqa: E402

BUDGET = 2.0  # seconds
REPEATS = 5


def main() -> None:
    """Time ``REPEATS`` finder runs and print their median."""
    run = LiveRun(replace(from_preset("book-deep"), early_stopping=False), load_boston())
    times, steps = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run_finder(run)
        times.append(time.perf_counter() - start)
        steps = result.steps
    median = statistics.median(times)
    verdict = "within" if median <= BUDGET else "OVER"
    print(f"learning-rate finder, book deep net on Boston ({steps} batches): median of {REPEATS} runs "
          f"{median * 1000:.1f} ms ({verdict} the {BUDGET:g} s budget; runs: "
          + ", ".join(f"{t * 1000:.1f}" for t in times) + " ms)")


if __name__ == "__main__":
    main()
