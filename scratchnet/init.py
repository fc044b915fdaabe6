"""Weight initialisation schemes, keyed by name.

Each scheme draws the weights ``W`` (``n_in x n_out``) and then the bias
``B`` (``1 x n_out``) from the generator it is given, in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np

RNG: TypeAlias = np.random.Generator | np.random.RandomState  # the new generators, or the book's legacy one


def standard_init(rng: RNG, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw the book's scheme: W ``(n_in, n_out)`` and B ``(1, n_out)`` both standard normal."""
    W = rng.standard_normal((n_in, n_out))
    B = rng.standard_normal((1, n_out))
    return W, B


def glorot_init(rng: RNG, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw Glorot (Xavier) normal weights: W ~ N(0, 2 / (n_in + n_out)) ``(n_in, n_out)``, B = 0 ``(1, n_out)``."""
    W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))
    B = np.zeros((1, n_out))
    return W, B


INITS: dict[str, Callable[[RNG, int, int], tuple[np.ndarray, np.ndarray]]] = {
    "standard": standard_init,
    "glorot": glorot_init,
}


def check_init(name: str) -> str:
    """Return ``name`` if it is a known scheme, else raise ``ValueError``."""
    if name not in INITS:
        raise ValueError(f"unknown weight_init {name!r}; choose from {sorted(INITS)}")
    return name
