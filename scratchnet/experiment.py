"""A whole run from a plain config: data, network, optimizer, training, figures.

Used by the command line, and free of any UI so that a worker process can
run it unchanged. ``PRESETS`` holds the book's three chapter-3 models with
the book's settings.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

from .data import BOOK_SPLIT_SEED, Dataset, load_dataset, split_scale
from .layers import Dense
from .metrics import eval_regression_model
from .network import NeuralNetwork
from .optimizers import get_optimizer
from .trainer import EpochReport, Trainer

BOOK_SEED = 20190501
MAX_NEURONS = 256


@dataclass
class RunConfig:
    """Everything a run needs; ``layers`` is a list of ``(neurons, activation)`` pairs."""

    layers: list[tuple[int, str]] = field(default_factory=lambda: [(13, "sigmoid"), (13, "sigmoid"), (1, "linear")])
    dataset: str = "boston"
    target: str | None = None
    lr: float = 0.01
    batch_size: int = 32
    epochs: int = 50
    eval_every: int = 10
    seed: int = BOOK_SEED
    optimizer: str = "sgd"
    init: str = "standard"
    weight_decay: float = 0.0
    early_stopping: bool = True
    test_size: float = 0.3
    book_mode: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


_BOOK = dict(
    lr=0.01,
    batch_size=32,
    epochs=50,
    eval_every=10,
    seed=BOOK_SEED,
    optimizer="sgd",
    init="standard",
    early_stopping=True,
    test_size=0.3,
    book_mode=True,
    dataset="boston",
)
PRESETS: dict[str, RunConfig] = {
    "book-linear": RunConfig(layers=[(1, "linear")], **_BOOK),
    "book-shallow": RunConfig(layers=[(13, "sigmoid"), (1, "linear")], **_BOOK),
    "book-deep": RunConfig(layers=[(13, "sigmoid"), (13, "sigmoid"), (1, "linear")], **_BOOK),
}


def preset(name: str, **changes) -> RunConfig:
    """A copy of preset ``name`` with ``changes`` applied."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    return replace(PRESETS[name], **changes)


def parse_layers(spec: str) -> list[tuple[int, str]]:
    """``"13:sigmoid,13:sigmoid,1:linear"`` to ``[(13, "sigmoid"), (13, "sigmoid"), (1, "linear")]``."""
    layers = []
    for part in str(spec).split(","):
        neurons, _, activation = part.strip().partition(":")
        try:
            n = int(neurons)
        except ValueError:
            raise ValueError(f"layer {part.strip()!r}: neurons must be a whole number, as in 13:sigmoid") from None
        if not 1 <= n <= MAX_NEURONS:
            raise ValueError(f"layer {part.strip()!r}: neurons must be between 1 and {MAX_NEURONS}, got {n}")
        layers.append((n, activation.strip().lower() or "linear"))
    return layers


def build_network(config: RunConfig) -> NeuralNetwork:
    """The unbuilt network ``config`` describes; the last layer must have 1 neuron."""
    if not config.layers:
        raise ValueError("the network needs at least one layer")
    if config.layers[-1][0] != 1:
        raise ValueError(f"the output layer must have 1 neuron for regression, got {config.layers[-1][0]}")
    layers = [Dense(n, activation, weight_init=config.init) for n, activation in config.layers]
    return NeuralNetwork(layers, "mse", seed=config.seed, book_mode=config.book_mode)


def prepare(config: RunConfig, data: Dataset | None = None):
    """Load (unless given) and split the data as ``config`` says; book mode splits the book's way."""
    data = load_dataset(config.dataset, config.target) if data is None else data
    mode = "book" if config.book_mode else "proper"
    return data, split_scale(data, config.test_size, BOOK_SPLIT_SEED, mode)


def run(
    config: RunConfig,
    data: Dataset | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> dict:
    """Train as ``config`` says; return the figures and the trained network.

    Returns
    -------
    dict
        ``val_losses`` ([[epoch, loss], ...]), ``mae``, ``rmse``, ``r2``,
        ``epochs_run``, ``seconds``, ``net`` and ``reports``.
    """
    _, split = prepare(config, data)
    net = build_network(config)
    optim = get_optimizer(config.optimizer, lr=config.lr, weight_decay=config.weight_decay)
    trainer = Trainer(net, optim)
    start = time.perf_counter()
    reports = []
    for report in trainer.fit_iter(
        split.X_train,
        split.y_train,
        split.X_test,
        split.y_test,
        config.epochs,
        config.eval_every,
        config.batch_size,
        config.seed,
        True,
        config.early_stopping,
    ):
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
