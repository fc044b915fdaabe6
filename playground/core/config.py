"""The playground's side of the run configuration: names for the menus, help texts, per-session budgets.

The configuration itself (``RunConfig``), the limits of every setting (``LIMITS``) and the book's presets
live in ``scratchnet.config``; this module adds what only a shared server needs.
"""

from __future__ import annotations

from dataclasses import replace

from scratchnet.config import LIMITS, PRESETS, RunConfig, check
from scratchnet.problems import PROBLEMS

# the tables of data, then the synthetic problems (scratchnet.problems: 1-D, 2-D regression, two classes)
DATASETS = ("boston", "diabetes", *PROBLEMS)
# starting points for the synthetic problems: Adam, glorot weights, half the points held back (as TensorFlow
# Playground does); a pair per problem shows a lesson (too small and deep enough; features instead of depth)
_PROBLEM = {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 300, "eval_every": 10, "init": "glorot",
            "sequence": "independent", "test_size": 0.5, "early_stopping": False, "weight_decay": 0.0}
_XY = ("x1", "x2")


def _problem_preset(dataset: str, hidden: tuple, features: tuple[str, ...] | None = _XY, **changes) -> RunConfig:
    problem = PROBLEMS[dataset]
    return RunConfig(dataset=dataset, hidden=hidden, features=features if problem.dims == 2 else None,
                     samples=problem.n, noise=problem.noise, **{**_PROBLEM, **changes})


PROBLEM_PRESETS = {
    "spirals-small": ("Spirals: too small (4 tanh)", _problem_preset("spirals", ((4, "tanh"),))),
    "spirals-deep": ("Spirals: deep (3 x 8 tanh)", _problem_preset("spirals", ((8, "tanh"),) * 3)),
    "circle-linear": ("Circle: no hidden layer on x1, x2", _problem_preset("circle", ())),
    "circle-squares": ("Circle: no hidden layer on x1², x2²", _problem_preset("circle", (), ("x1^2", "x2^2"))),
    "circle-hidden": ("Circle: one hidden layer of 4", _problem_preset("circle", ((4, "tanh"),))),
    "xor-hidden": ("XOR: one hidden layer of 4", _problem_preset("xor", ((4, "tanh"),))),
    "xor-product": ("XOR: no hidden layer on x1·x2", _problem_preset("xor", (), ("x1*x2",))),
    "gaussians-linear": ("Two Gaussians: no hidden layer", _problem_preset("gaussians", ())),
    "plane-linear": ("Plane: no hidden layer", _problem_preset("plane", ())),
    "gaussian-mix-deep": ("Multi Gaussian: 2 x 8 tanh", _problem_preset("gaussian-mix", ((8, "tanh"),) * 2)),
    "sine-hidden": ("Sine: one hidden layer of 8", _problem_preset("sine", ((8, "tanh"),))),
    "step-relu": ("Step: 2 x 8 relu", _problem_preset("step", ((8, "relu"),) * 2)),
    "abs-relu": ("Absolute value: 4 relu", _problem_preset("abs", ((4, "relu"),))),
}
# every preset, for the menu, links and from_preset: the book's chapter-3 models, then the problems'
ALL_PRESETS: dict[str, RunConfig] = {**PRESETS, **{name: replace(config, preset=name)
                                                  for name, (_, config) in PROBLEM_PRESETS.items()}}
PRESET_NAMES = {
    "book-linear": "Book: linear",
    "book-shallow": "Book: one hidden layer",
    "book-deep": "Book: deep",
    **{name: label for name, (label, _) in PROBLEM_PRESETS.items()},
    "custom": "Custom",
}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
# what one session may ask of a shared server
BUDGETS = {
    # a session's memory: rows x the widest layer (or input) is one full-data activation, 40 MB at the top
    "cells": 5_000_000,
    # one training step's work, batch size x parameters: about 0.1 s of one core at the top, so that
    # Stop and the other sessions never wait long for a step to end
    "batch_work": 250_000_000,
    # the Inside page draws every operation's input and output: batch size x the widest layer, per array
    "inside_values": 16_384,
}

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
    "samples": "How many points the problem draws; the test fraction of them is held back.",
    "noise": "How noisy the problem's points are: 0 is the clean shape; 1 blurs it (targets jitter, classes mix).",
    "regenerate": "Draw the problem's points again with a new data seed: same shape, new points.",
    "inputs": "The features the first layer sees, computed from each point (x1, x2): with x1^2 and x2^2 one "
              "layer can draw a circle, which x1 and x2 alone need a hidden layer for.",
    "sequence": "The book's sequence re-seeds one generator for every layer (same-shaped layers start equal) and "
                "scales the data before splitting it, to reproduce the book's numbers; independent streams give "
                "each layer its own random stream and scale with the training rows only.",
}


def dataset_label(name: str) -> str:
    """A dataset's name in the menu: an uploaded CSV, a problem with its kind, or a table as it is."""
    if name.startswith("csv:"):
        return f"{name[4:]} (your CSV)"
    problem = PROBLEMS.get(name)
    if problem is None:
        return name
    kind = "two classes" if problem.kind == "classification" else "regression"
    return f"{problem.title} ({problem.dims}-D {kind})"


def from_preset(name: str, base: RunConfig | None = None) -> RunConfig:
    """Preset ``name`` (of ``ALL_PRESETS``), keeping ``base``'s momentum (no preset uses momentum)."""
    if base is None:
        return ALL_PRESETS[name]
    return replace(ALL_PRESETS[name], momentum=base.momentum)


def validate(config: RunConfig, n_rows: int, all_features: list[str]) -> list[str]:
    """Every problem with ``config`` for a dataset of ``n_rows`` rows, as one message each.

    ``scratchnet.config.check`` and this server's budgets (``size_errors``).
    """
    errors = []
    if config.dataset not in DATASETS and not config.dataset.startswith("csv:"):
        errors.append(f"Unknown dataset {config.dataset!r}.")
    errors += check(config, n_rows, all_features)
    n_inputs = len(config.features) if config.features is not None else len(all_features)
    return errors + size_errors(config, n_rows, n_inputs)


def size_errors(config: RunConfig, n_rows: int, n_inputs: int) -> list[str]:
    """The per-session ``BUDGETS`` on memory (rows x widest layer) and on one step's work."""
    if n_inputs < 1 or any(LIMITS["neurons"].problem(n) for n, _ in config.hidden):
        return []  # reported elsewhere
    errors = []
    widest = max([n_inputs] + [n for n, _ in config.hidden])
    cells, cell_limit = n_rows * widest, BUDGETS["cells"]
    if cells > cell_limit:
        errors.append(
            f"Too big for one session: {n_rows:,} rows x {widest} (the widest layer) = {cells:,} numbers per layer "
            f"output, over the limit of {cell_limit:,}. Use a narrower network or a smaller CSV."
        )
    n_params = config.n_params(n_inputs)
    work, work_limit = config.batch_size * n_params, BUDGETS["batch_work"]
    if work > work_limit:
        largest = max(work_limit // n_params, 1)
        errors.append(
            f"Batch size {config.batch_size:,} is too large for {n_params:,} parameters: one step would take "
            f"{work:,} multiply-adds, over the limit of {work_limit:,}. Use a batch size of at most {largest:,}."
        )
    return errors
