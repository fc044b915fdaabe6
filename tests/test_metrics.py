import numpy as np
import pytest

from scratchnet import mae, r2, rmse


def test_metric_values():
    y = np.array([[1.0], [2.0], [3.0], [4.0]])
    p = np.array([1.5, 2.0, 2.0, 4.0])
    assert mae(y, p) == pytest.approx(1.5 / 4)
    assert rmse(y, p) == pytest.approx(np.sqrt(1.25 / 4))
    assert r2(y, p) == pytest.approx(1 - 1.25 / 5)
    assert r2(y, y) == 1.0


def test_metric_errors_and_constant_target():
    with pytest.raises(ValueError, match="same non-zero number of values, got 3 and 2"):
        mae(np.ones(3), np.ones(2))
    assert np.isnan(r2(np.ones(4), np.arange(4.0)))
