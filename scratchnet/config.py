"""One run's settings: the configuration, the one table of their limits, and what they build.

``RunConfig`` is what the playground's controls, a share link, a saved
configuration file, the command line, Compare and an exported script all
describe. ``LIMITS`` gives every numeric setting its one range, read by
``check``, by the link parser, by the widgets of every page and by the
command line. Nothing here knows about a user interface.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .activations import ACTIVATIONS
from .data import BOOK_SPLIT_SEED, Dataset, Split, load_dataset, split_scale
from .init import INITS
from .layers import Dense
from .network import NeuralNetwork
from .optimizers import OPTIMIZERS, Optimizer, get_optimizer
from .problems import MAX_PROBLEM_ROWS, PROBLEMS, make_problem
from .trainer import EpochReport, Trainer

BOOK_SEED = 20190501
OUTPUT_LAYER = (1, "linear")  # regression: one linear output neuron
# the learning rates a person picks from (a log scale); a link's learning rate must be one of them
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# how the random numbers are drawn (the field ``sequence``) and, with it, how the data is split: the book
# re-seeds one legacy generator for every layer (same-shaped layers start equal) and scales before splitting;
# "independent" gives each layer its own stream and fits the scaler on the training rows only
SEQUENCES = {"book": "the book's sequence", "independent": "independent streams"}
SPLIT_MODES = {"book": "book", "independent": "proper"}  # sequence -> ``split_scale``'s mode


@dataclass(frozen=True)
class Limit:
    """The range ``[low, high]`` of one numeric setting and the name a message gives it.

    ``whole`` settings take whole numbers only.
    """

    low: float
    high: float
    label: str
    whole: bool = True

    def show(self, value: float) -> str:
        """``value`` written as this setting's messages write it."""
        return f"{int(value):,}" if self.whole else f"{value:g}"

    def problem(self, value: float, high: float | None = None, high_text: str | None = None) -> str | None:
        """One sentence if ``value`` is outside the range (or below a tighter ``high``), else None.

        ``high_text`` names a tighter upper bound, as in "the 354 training rows".
        """
        top = self.high if high is None else min(high, self.high)
        if self.low <= value <= top and (not self.whole or float(value).is_integer()):
            return None
        upper = high_text if high is not None and high_text else self.show(top)
        return f"{self.label} must be between {self.show(self.low)} and {upper}, got {self.show(value)}."


LIMITS: dict[str, Limit] = {
    "neurons": Limit(1, 256, "Neurons"),
    "layers": Limit(0, 8, "The number of hidden layers"),
    "lr": Limit(LEARNING_RATES[0], LEARNING_RATES[-1], "Learning rate", whole=False),
    "momentum": Limit(0.0, 0.99, "Momentum", whole=False),
    "batch_size": Limit(1, 100_000, "Batch size"),
    "epochs": Limit(1, 5000, "Epochs"),
    "eval_every": Limit(1, 5000, "Evaluate every"),
    "seed": Limit(0, 2**32 - 1, "Seed"),
    "test_size": Limit(0.05, 0.5, "Test fraction", whole=False),
    "weight_decay": Limit(0.0, 1.0, "L2 weight decay", whole=False),
    # the synthetic problems' data (scratchnet.problems)
    "samples": Limit(20, MAX_PROBLEM_ROWS, "Samples"),
    "noise": Limit(0.0, 1.0, "Noise", whole=False),
    "data_seed": Limit(0, 2**32 - 1, "Data seed"),
}
LOSS_OF_KIND = {"regression": "mse", "classification": "sigmoid_cross_entropy"}


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one training run.

    ``hidden`` holds the hidden layers as ``(neurons, activation)`` pairs; the
    output layer, ``OUTPUT_LAYER``, is fixed for regression and added by
    ``layers``. ``features`` is None for every column of the dataset.
    ``preset`` names the preset the settings came from, or "custom".
    ``samples``, ``noise`` and ``data_seed`` draw the data of a synthetic
    problem (``scratchnet.problems``); other datasets ignore them.
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
    samples: int = 300
    noise: float = 0.1
    data_seed: int = 0

    @property
    def layers(self) -> list[tuple[int, str]]:
        """Every layer, the output layer last, as ``(neurons, activation)``."""
        return [*self.hidden, OUTPUT_LAYER]

    @property
    def book_mode(self) -> bool:
        """Whether the run uses the book's random sequence and data split (``sequence == "book"``)."""
        return self.sequence == "book"

    @property
    def kind(self) -> str:
        """Return ``"classification"`` for a two-class problem, else ``"regression"``."""
        problem = PROBLEMS.get(self.dataset)
        return problem.kind if problem is not None else "regression"

    @property
    def loss(self) -> str:
        """Return the loss's registry name: MSE for regression, sigmoid cross-entropy for two classes."""
        return LOSS_OF_KIND[self.kind]

    def data_key(self) -> tuple:
        """Return what defines the data: the dataset, and a synthetic problem's samples, noise and seed."""
        if self.dataset in PROBLEMS:
            return (self.dataset, self.samples, self.noise, self.data_seed)
        return (self.dataset,)

    def run_key(self) -> tuple:
        """Return what defines a run's start: changing any of it starts a new run."""
        return (*self.data_key(), self.features, self.hidden, self.seed, self.init, self.test_size, self.book_mode)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as plain values, keyed by field name."""
        return asdict(self)

    def n_params(self, n_inputs: int) -> int:
        """How many weights and biases the network has for ``n_inputs`` input columns."""
        total, width = 0, n_inputs
        for neurons, _ in self.layers:
            total, width = total + (width + 1) * neurons, neurons
        return total

    # ----- what the settings build ----------------------------------------------------
    def load_data(self) -> Dataset:
        """Load the dataset (all its columns): a synthetic problem drawn from its settings, or a named one."""
        if self.dataset in PROBLEMS:
            return make_problem(self.dataset, n=self.samples, noise=self.noise, seed=self.data_seed)
        return load_dataset(self.dataset)

    def build_network(self) -> NeuralNetwork:
        """Build the unbuilt network: Dense layers of ``layers``, the kind's loss, the run's seed and sequence."""
        layers = [Dense(n, activation, weight_init=self.init) for n, activation in self.layers]
        return NeuralNetwork(layers, self.loss, seed=self.seed, book_mode=self.book_mode)

    def build_optimizer(self) -> Optimizer:
        """Build the optimizer with the run's learning rate, L2 weight decay and (for momentum) momentum."""
        extra = {"momentum": self.momentum} if self.optimizer == "momentum" else {}
        return get_optimizer(self.optimizer, lr=self.lr, weight_decay=self.weight_decay, **extra)

    def split(self, data: Dataset) -> Split:
        """Split and scale ``data``: the book's way (scale, then split) or the proper way, by ``sequence``."""
        return split_scale(data, self.test_size, BOOK_SPLIT_SEED, SPLIT_MODES[self.sequence])

    def fit_iter(
        self,
        trainer: Trainer,
        split: Split,
        *,
        epochs: int | None = None,
        restart: bool = True,
        time_budget: float | None = None,
        should_pause: Callable[[], bool] | None = None,
        record_flow: bool = False,
    ) -> Iterator[EpochReport]:
        """``trainer.fit_iter`` on ``split`` with the run's batch size, evaluation, seed and early stopping.

        ``epochs`` defaults to the run's; the other keywords are ``Trainer.fit_iter``'s.
        """
        return trainer.fit_iter(
            split.X_train,
            split.y_train,
            split.X_test,
            split.y_test,
            epochs=self.epochs if epochs is None else epochs,
            eval_every=self.eval_every,
            batch_size=self.batch_size,
            seed=self.seed,
            restart=restart,
            early_stopping=self.early_stopping,
            time_budget=time_budget,
            should_pause=should_pause,
            record_flow=record_flow,
        )


FIELDS = tuple(f.name for f in fields(RunConfig))  # every setting, in the constructor's order

# the book's settings: plain SGD, lr 0.01, batches of 32, 50 epochs evaluated every 10, early stopping,
# 30% test rows, the book's seed and random sequence
_BOOK = RunConfig(optimizer="sgd", lr=0.01, batch_size=32, epochs=50, eval_every=10, seed=BOOK_SEED, init="standard",
                  weight_decay=0.0, early_stopping=True, test_size=0.3, sequence="book")
# the book's three chapter-3 models with the book's settings
PRESETS: dict[str, RunConfig] = {
    "book-linear": replace(_BOOK, hidden=(), preset="book-linear"),
    "book-shallow": replace(_BOOK, hidden=((13, "sigmoid"),), preset="book-shallow"),
    "book-deep": replace(_BOOK, hidden=((13, "sigmoid"), (13, "sigmoid")), preset="book-deep"),
}


def preset(name: str, **changes: Any) -> RunConfig:
    """Return a copy of preset ``name`` with ``changes`` applied."""
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
        message = LIMITS["neurons"].problem(n)
        if message:
            raise ValueError(f"layer {part.strip()!r}: {message[0].lower()}{message[1:-1]}")
        layers.append((n, activation.strip().lower() or "linear"))
    return layers


def hidden_of(layers: list[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    """Return the hidden layers of a full layer list whose last layer must be ``OUTPUT_LAYER``."""
    if not layers:
        raise ValueError("the network needs at least one layer")
    if layers[-1][0] != OUTPUT_LAYER[0]:
        raise ValueError(f"the output layer must have 1 neuron for regression, got {layers[-1][0]}")
    if layers[-1][1] != OUTPUT_LAYER[1]:
        raise ValueError(f"the output layer must be linear for regression, got {layers[-1][1]!r}")
    return tuple(layers[:-1])


def check(config: RunConfig, n_rows: int, feature_names: list[str]) -> list[str]:
    """Every problem of ``config`` for a dataset of ``n_rows`` rows and these feature columns, one sentence each.

    The dataset's name is not checked here: loading it says whether it exists.
    """
    errors = _feature_problems(config, feature_names) + _layer_problems(config)
    if config.optimizer not in OPTIMIZERS:
        errors.append(f"Unknown optimizer {config.optimizer!r}.")
    if config.init not in INITS:
        errors.append(f"Unknown weight init {config.init!r}.")
    if config.sequence not in SEQUENCES:
        errors.append(f"Unknown random-number mode {config.sequence!r}; use one of {', '.join(SEQUENCES)}.")
    n_train = n_rows - math.ceil(config.test_size * n_rows)
    # bounds tighter than the table's that come from the data or from another setting
    tighter = {"batch_size": (max(n_train, 1), f"the {n_train:,} training rows"),
               "eval_every": (config.epochs, f"the {config.epochs:,} epochs")}
    for name in ("lr", "momentum", "test_size", "batch_size", "epochs", "eval_every", "seed", "weight_decay", "samples",
                 "noise", "data_seed"):
        high, high_text = tighter.get(name, (None, None))
        if high is not None and high >= LIMITS[name].high:
            high = high_text = None
        message = LIMITS[name].problem(getattr(config, name), high, high_text)
        if message:
            errors.append(message)
    return errors


def _feature_problems(config: RunConfig, feature_names: list[str]) -> list[str]:
    if config.features is None:
        return []
    if not config.features:
        return ["Choose at least one feature."]
    unknown = [f for f in config.features if f not in feature_names]
    return [f"Unknown features {unknown}."] if unknown else []


def _layer_problems(config: RunConfig) -> list[str]:
    errors = []
    layers = LIMITS["layers"]
    if not layers.low <= len(config.hidden) <= layers.high:
        errors.append(f"Use at most {layers.show(layers.high)} hidden layers, got {len(config.hidden)}.")
    for i, (neurons, activation) in enumerate(config.hidden, start=1):
        message = LIMITS["neurons"].problem(neurons)
        if message:
            errors.append(f"Layer {i}: {message[0].lower()}{message[1:]}")
        if activation not in ACTIVATIONS:
            errors.append(f"Layer {i}: unknown activation {activation!r}.")
    return errors
