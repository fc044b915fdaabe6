import numpy as np
import pytest

from scratchnet.data import load_boston, split_scale


@pytest.fixture(scope="session")
def book_split():
    """The book's Boston split: scaler over all rows, then train_test_split(0.3, 80718)."""
    return split_scale(load_boston(), mode="book")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
