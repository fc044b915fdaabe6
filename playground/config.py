"""The playground's configuration: what the widgets say, checked, and turned into scratchnet objects."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from scratchnet import ACTIVATIONS, OPTIMIZERS, Dense, NeuralNetwork, get_optimizer
from scratchnet.experiment import BOOK_SEED, PRESETS
from scratchnet.init import INITS

DATASETS = ("boston", "diabetes", "sine")
PRESET_NAMES = {
    "book-linear": "Book: linear",
    "book-shallow": "Book: one hidden layer",
    "book-deep": "Book: deep",
    "custom": "Custom",
}
# how the random numbers are drawn (the field ``sequence``): the book re-seeds one legacy generator for every
# layer (so same-shaped layers start equal) and scales before splitting; "independent" gives each layer its own
# stream and fits the scaler on the training rows only
SEQUENCES = {"book": "the book's sequence", "independent": "independent streams"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LIMITS = {"neurons": (1, 256), "layers": (0, 8), "epochs": (1, 5000), "seed": (0, 2**32 - 1),
          # a session's memory: rows x the widest layer (or input) is one full-data activation, 40 MB at the top
          "cells": (1, 5_000_000),
          # one training step's work, batch size x parameters: about 0.1 s of one core at the top, so that
          # Stop and the other sessions never wait long for a step to end
          "batch_work": (1, 250_000_000),
          # the Inside page draws every operation's input and output: batch size x the widest layer, per array
          "inside_values": (1, 16_384)}
OUTPUT_LAYER = (1, "linear")

# one line per control: what it does to training, in the book's terms (the widgets' help= text)
HELP = {
    "dataset": "The rows the network learns from: X, the features, and y, the target it learns to predict.",
    "features": "The input columns X the first layer sees; fewer features means a narrower W1.",
    "test_size": "The share of rows held back as the test set: never trained on, only used to evaluate.",
    "preset": "The book's chapter 3 models with the book's settings and random sequence.",
    "init": "How W and B start: the book's standard normal draws, or Glorot, scaled by the layer's width.",
    "optimizer": "The rule that turns each gradient into a step: SGD is the book's param -= lr * grad; momentum "
                 "keeps a running velocity; Adam scales each parameter's step by its gradient's history.",
    "momentum": "How much of the previous step SGD with momentum keeps: 0 is plain SGD, 0.9 a heavy ball.",
    "lr": "The learning rate: how far each step moves the weights along minus the gradient. Too high and the "
          "loss explodes; too low and it barely moves.",
    "batch_size": "Rows per step: each batch gives one forward pass, one backward pass and one update.",
    "epochs": "Passes over the training rows; each epoch shuffles them and steps through every batch.",
    "eval_every": "How often (in epochs) the test rows are predicted to get the validation loss and the metrics.",
    "weight_decay": "L2 penalty: each step also shrinks every weight by lr x this x the weight, against overfitting.",
    "early_stopping": "Stop at the first evaluation whose validation loss is not better than the best so far, "
                      "and go back to the weights of that best evaluation.",
    "seed": "Seeds the random starting weights and the shuffles: the same seed gives the same run, bit for bit.",
    "sequence": "The book's sequence re-seeds one generator for every layer (same-shaped layers start equal) and "
                "scales the data before splitting it, to reproduce the book's numbers; independent streams give "
                "each layer its own random stream and scale with the training rows only.",
}


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything the controls set.

    ``hidden`` holds the hidden layers as ``(neurons, activation)``; the output
    layer ``(1, "linear")`` is fixed for regression and added by ``layers``.
    """

    dataset: str = "boston"
    features: tuple[str, ...] | None = None
    hidden: tuple[tuple[int, str], ...] = ((13, "sigmoid"), (13, "sigmoid"))
    preset: str = "book-deep"
    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int = 32
    epochs: int = 50
    eval_every: int = 10
    seed: int = BOOK_SEED
    init: str = "standard"
    weight_decay: float = 0.0
    early_stopping: bool = False
    test_size: float = 0.3
    sequence: str = "book"

    @property
    def layers(self) -> list[tuple[int, str]]:
        return [*self.hidden, OUTPUT_LAYER]

    @property
    def book_mode(self) -> bool:
        """The book's random sequence and data split (``sequence == "book"``), whatever the preset is called."""
        return self.sequence == "book"

    def run_key(self) -> tuple:
        """What defines a run: changing any of it starts a new run."""
        return (self.dataset, self.features, self.hidden, self.seed, self.init, self.test_size, self.book_mode)

    def to_dict(self) -> dict:
        return asdict(self)


FIELDS = tuple(f.name for f in fields(PlaygroundConfig))  # every control, in the constructor's order


def from_preset(name: str, base: PlaygroundConfig | None = None) -> PlaygroundConfig:
    """``base`` (or the defaults) with the book preset's layers and settings."""
    base = base or PlaygroundConfig()
    p = PRESETS[name]
    return replace(
        base,
        dataset="boston",
        features=None,
        hidden=tuple(tuple(x) for x in p.layers[:-1]),
        preset=name,
        optimizer=p.optimizer,
        lr=p.lr,
        batch_size=p.batch_size,
        epochs=p.epochs,
        eval_every=p.eval_every,
        seed=p.seed,
        init=p.init,
        weight_decay=0.0,
        early_stopping=p.early_stopping,
        test_size=p.test_size,
        sequence="book",
    )


def validate(config: PlaygroundConfig, n_rows: int, all_features: list[str]) -> list[str]:
    """Every problem with ``config`` for a dataset of ``n_rows`` rows, as one message each."""
    errors = []
    if config.dataset not in DATASETS and not config.dataset.startswith("csv:"):
        errors.append(f"Unknown dataset {config.dataset!r}.")
    if config.features is not None:
        unknown = [f for f in config.features if f not in all_features]
        if unknown:
            errors.append(f"Unknown features {unknown}.")
        if not config.features:
            errors.append("Choose at least one feature.")
    lo, hi = LIMITS["layers"]
    if not lo <= len(config.hidden) <= hi:
        errors.append(f"Use at most {hi} hidden layers, got {len(config.hidden)}.")
    for i, (neurons, activation) in enumerate(config.hidden, start=1):
        if not LIMITS["neurons"][0] <= neurons <= LIMITS["neurons"][1]:
            errors.append(f"Layer {i}: neurons must be between 1 and 256, got {neurons}.")
        if activation not in ACTIVATIONS:
            errors.append(f"Layer {i}: unknown activation {activation!r}.")
    if config.optimizer not in OPTIMIZERS:
        errors.append(f"Unknown optimizer {config.optimizer!r}.")
    if not 1e-5 <= config.lr <= 10:
        errors.append(f"Learning rate must be between 1e-05 and 10, got {config.lr:g}.")
    if not 0.0 <= config.momentum < 1.0:
        errors.append(f"Momentum must be in [0, 1), got {config.momentum}.")
    if not 0.05 <= config.test_size <= 0.5:
        errors.append(f"Test fraction must be between 0.05 and 0.5, got {config.test_size}.")
    n_train = n_rows - math.ceil(config.test_size * n_rows)
    if not 1 <= config.batch_size <= max(n_train, 1):
        errors.append(f"Batch size must be between 1 and the {n_train} training rows, got {config.batch_size}.")
    if not LIMITS["epochs"][0] <= config.epochs <= LIMITS["epochs"][1]:
        errors.append(f"Epochs must be between 1 and 5000, got {config.epochs}.")
    if not 1 <= config.eval_every <= config.epochs:
        errors.append(f"Evaluate every must be between 1 and the {config.epochs} epochs, got {config.eval_every}.")
    errors += size_errors(config, n_rows, len(config.features) if config.features is not None else len(all_features))
    if not LIMITS["seed"][0] <= config.seed <= LIMITS["seed"][1]:
        errors.append(f"Seed must be between 0 and 2**32 - 1, got {config.seed}.")
    if config.sequence not in SEQUENCES:
        errors.append(f"Unknown random-number mode {config.sequence!r}; use one of {', '.join(SEQUENCES)}.")
    if config.init not in INITS:
        errors.append(f"Unknown weight init {config.init!r}.")
    if not 0.0 <= config.weight_decay <= 1.0:
        errors.append(f"L2 weight decay must be between 0 and 1, got {config.weight_decay}.")
    return errors


def size_errors(config: PlaygroundConfig, n_rows: int, n_inputs: int) -> list[str]:
    """The per-session bounds of ``LIMITS`` on memory (rows x widest layer) and on one step's work."""
    if n_inputs < 1 or any(not 1 <= n <= LIMITS["neurons"][1] for n, _ in config.hidden):
        return []  # reported elsewhere
    errors = []
    widest = max([n_inputs] + [n for n, _ in config.hidden])
    cells, cell_limit = n_rows * widest, LIMITS["cells"][1]
    if cells > cell_limit:
        errors.append(
            f"Too big for one session: {n_rows:,} rows x {widest} (the widest layer) = {cells:,} numbers per layer "
            f"output, over the limit of {cell_limit:,}. Use a narrower network or a smaller CSV."
        )
    width, n_params = n_inputs, 0
    for neurons, _ in config.layers:
        n_params, width = n_params + (width + 1) * neurons, neurons
    work, work_limit = config.batch_size * n_params, LIMITS["batch_work"][1]
    if work > work_limit:
        largest = max(work_limit // n_params, 1)
        errors.append(
            f"Batch size {config.batch_size:,} is too large for {n_params:,} parameters: one step would take "
            f"{work:,} multiply-adds, over the limit of {work_limit:,}. Use a batch size of at most {largest:,}."
        )
    return errors


def build_network(config: PlaygroundConfig) -> NeuralNetwork:
    """The unbuilt network the config describes (book random sequence for book presets)."""
    layers = [Dense(n, a, weight_init=config.init) for n, a in config.layers]
    return NeuralNetwork(layers, "mse", seed=config.seed, book_mode=config.book_mode)


def build_optimizer(config: PlaygroundConfig):
    """The optimizer with the config's learning rate, L2 and (for momentum) momentum."""
    extra = {"momentum": config.momentum} if config.optimizer == "momentum" else {}
    return get_optimizer(config.optimizer, lr=config.lr, weight_decay=config.weight_decay, **extra)
