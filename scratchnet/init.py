"""Weight initialisation schemes, keyed by name.

Each scheme draws the weights ``W`` (``n_in x n_out``) and then the bias
``B`` (``1 x n_out``) from the generator it is given, in that order.
"""

from __future__ import annotations

from typing import Callable, Union

import numpy as np

RNG = Union[np.random.Generator, np.random.RandomState]


def standard_init(rng: RNG, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """The book's scheme: W and B both standard normal."""
    W = rng.standard_normal((n_in, n_out))
    B = rng.standard_normal((1, n_out))
    return W, B


def glorot_init(rng: RNG, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Glorot (Xavier) normal: W ~ N(0, 2 / (n_in + n_out)), B = 0."""
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
