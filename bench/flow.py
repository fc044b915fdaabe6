"""Milliseconds per epoch of the book's deep net with gradient-flow recording off and on.

The network is the book's deep one (13-13-1, sigmoid, standard normal weights,
book mode) on the Boston training rows (354 x 13, scaled as in the book),
trained with plain SGD, lr 0.01, batches of 32. Each repeat trains a fresh
network for ``--epochs`` epochs once with ``record_flow=False`` and once with
``record_flow=True`` (which one goes first alternates between repeats, so
machine noise hits both alike); the table reports the medians of the
per-epoch times and their ratio (the target is at most 1.10). ``make bench`` runs it; from anywhere,
``python bench/flow.py`` (``--quick`` for a few repeats only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scratchnet import SGD, Dense, NeuralNetwork, Sigmoid, Trainer  # noqa: E402
from scratchnet.data import load_boston, split_scale  # noqa: E402

TARGET = 1.10
SEED = 20190501


def ms_per_epoch(X, y, epochs: int, record_flow: bool) -> float:
    """Train a fresh book deep net for ``epochs`` epochs; return the wall milliseconds per epoch."""
    net = NeuralNetwork([Dense(13, Sigmoid()), Dense(13, Sigmoid()), Dense(1, "linear")], "mse", seed=SEED,
                        book_mode=True)
    trainer = Trainer(net, SGD(lr=0.01))
    started = time.perf_counter()
    for report in trainer.fit_iter(X, y, epochs=epochs, batch_size=32, seed=SEED, early_stopping=False,
                                   record_flow=record_flow):
        if record_flow and report.flow is None:
            raise RuntimeError("record_flow=True gave a report without flow")
    return (time.perf_counter() - started) * 1000 / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, for a smoke run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 15)
    epochs = args.epochs or (20 if args.quick else 200)
    split = split_scale(load_boston(), mode="book")
    X, y = split.X_train, split.y_train
    ms_per_epoch(X, y, 5, False)  # warm-up
    ms_per_epoch(X, y, 5, True)
    times: dict[bool, list[float]] = {False: [], True: []}
    for r in range(repeats):
        order = (False, True) if r % 2 == 0 else (True, False)
        for record in order:
            times[record].append(ms_per_epoch(X, y, epochs, record))
    off, on = statistics.median(times[False]), statistics.median(times[True])
    ratio = on / off
    print(f"book deep net (13-13-1 sigmoid, Boston 354 rows, batch 32), {repeats} repeats x {epochs} epochs, medians")
    print(f"{'recording':<12}{'ms/epoch':>10}")
    print(f"{'off':<12}{off:>10.3f}")
    print(f"{'on':<12}{on:>10.3f}")
    print(f"ratio on/off {ratio:.3f} (target <= {TARGET:.2f}): {'ok' if ratio <= TARGET else 'OVER'}")


if __name__ == "__main__":
    main()
