"""A whole run from a ``RunConfig``: data, network, optimizer, training, figures.

Used by the command line, and free of any UI so that a worker process can
run it unchanged. The configuration, its limits and the book's presets are in
``scratchnet.config``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .config import BOOK_SEED, PRESETS, RunConfig, parse_layers, preset
from .data import Dataset, Split
from .metrics import eval_regression_model
from .trainer import EpochReport, Trainer

__all__ = ["BOOK_SEED", "PRESETS", "RunConfig", "parse_layers", "prepare", "preset", "run"]


def prepare(config: RunConfig, data: Dataset | None = None) -> tuple[Dataset, Split]:
    """Load the config's dataset (unless ``data`` is given), keep its features, and split it as the config says."""
    data = config.load_data() if data is None else data
    if config.features is not None:
        data = data.select(list(config.features))
    return data, config.split(data)


def run(
    config: RunConfig,
    data: Dataset | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> dict[str, Any]:
    """Train as ``config`` says; return the figures and the trained network.

    Returns
    -------
    dict
        ``val_losses`` ([[epoch, loss], ...]), ``mae``, ``rmse``, ``r2``,
        ``epochs_run``, ``seconds``, ``net`` and ``reports``.
    """
    _, split = prepare(config, data)
    net = config.build_network()
    trainer = Trainer(net, config.build_optimizer())
    start = time.perf_counter()
    reports = []
    for report in config.fit_iter(trainer, split):
        reports.append(report)
        if on_epoch is not None:
            on_epoch(report)
    seconds = time.perf_counter() - start
    figures = eval_regression_model(net, split.X_test, split.y_test)
    return {
        "val_losses": [[r.epoch, r.val_loss] for r in reports if r.val_loss is not None],
        **figures,
        "epochs_run": len(reports),
        "seconds": seconds,
        "net": net,
        "reports": reports,
    }
