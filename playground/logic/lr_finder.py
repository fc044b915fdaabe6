"""The learning-rate finder for a playground run: run the range test from the run's starting weights, and its texts.

Pure Python: ``playground.ui.lr_finder`` draws what this computes.
"""

from __future__ import annotations

from playground.core.run import LiveRun
from scratchnet.config import LEARNING_RATES
from scratchnet.lr_finder import LRFinderResult, find_lr

LOW, HIGH, STEPS = 1e-5, 10.0, 200  # the range test: 1e-5 to 10 over at most 200 batches


def run_finder(run: LiveRun) -> LRFinderResult:
    """The range test for ``run``: its training rows, batch size, optimizer type and seed, from its starting weights.

    The network is a fresh one built from the run's configuration (so the same starting weights as the
    run's epoch 0), or, for a loaded model, started from the model's weights (``run.initial``). The run
    itself is not touched.
    """
    config, split = run.config, run.split
    batch_size = max(1, min(config.batch_size, split.X_train.shape[0]))
    return find_lr(config.build_network, config.build_optimizer(), split.X_train, split.y_train,
                   batch_size=batch_size, seed=config.seed, low=LOW, high=HIGH, steps=STEPS,
                   start_params=run.initial, scale=LEARNING_RATES)


def rate_text(rate: float) -> str:
    """A rate written as the learning-rate slider writes it (``0.01``, ``3e-05``)."""
    return f"{rate:g}"


def use_label(rate: float) -> str:
    """The label of the button that takes the suggested rate."""
    return f"Use {rate_text(rate)}"


def finder_key(run: LiveRun) -> tuple:
    """What a finder result depends on: the run (its ``run_key``) and the settings the test trains with."""
    c = run.config
    return (run.key, c.optimizer, c.momentum, c.weight_decay, c.batch_size, c.seed)


def summary(result: LRFinderResult) -> str:
    """One paragraph: how far the test went, the three zones and the suggestion with its rule."""
    ran = f"{result.steps} batches, learning rate {rate_text(result.rates[0])} to {rate_text(result.rates[-1])}"
    ended = {"diverged": "stopped when the smoothed loss passed 4x its minimum",
             "not finite": "stopped when the loss overflowed",
             "completed": "every step ran"}[result.stopped]
    if result.good_end is None or result.small_end is None:
        return f"{ran}; {ended}. The loss never clearly fell, so there is no suggestion: try another optimizer."
    zones = (f"Too small below {rate_text(result.small_end)} (the loss barely moves), good from there to "
             f"{rate_text(result.good_end)} (the steep descent, ending at the smoothed loss's minimum), "
             "diverging above it.")
    if result.suggestion is None:
        return f"{ran}; {ended}. {zones} No rate of the slider's scale lies inside the good zone."
    return (f"{ran}; {ended}. {zones} Suggested: **{rate_text(result.suggestion)}**, the slider's rate nearest a "
            "tenth of the minimum's rate inside the good zone: still well down the descent, safely short of where "
            "the steps start to overshoot.")
