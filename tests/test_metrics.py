import numpy as np
import pytest

from scratchnet import SigmoidCrossEntropy, accuracy, classification_metrics, mae, r2, rmse


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


def test_accuracy_of_labels():
    assert accuracy(np.array([[1.0], [0.0], [1.0], [1.0]]), np.array([True, False, False, True])) == 0.75
    assert accuracy(["cat", "dog"], np.array(["cat", "dog"])) == 1.0
    assert accuracy(np.array([2, 0, 1]), np.array([[0], [0], [1]])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="same non-zero number of labels, got 3 and 2"):
        accuracy(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="got 0 and 0"):
        accuracy([], [])


def test_classification_metrics_of_logits():
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    logits = np.array([[2.0], [-1.0], [-0.5], [0.0]])  # a logit of 0 predicts class 0
    figures = classification_metrics(y, logits)
    assert set(figures) == {"accuracy", "log_loss"}
    assert figures["accuracy"] == 0.75
    p = 1 / (1 + np.exp(-logits))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert figures["log_loss"] == pytest.approx(expected, rel=1e-12)
    assert figures["log_loss"] == SigmoidCrossEntropy().forward(logits, y)
    assert classification_metrics(y.ravel(), logits.ravel()) == figures  # (n,) works as well as (n, 1)


def test_classification_metrics_refuse_other_labels():
    with pytest.raises(ValueError, match="classes 0 and 1 only, got 2.0"):
        classification_metrics(np.array([0.0, 1.0, 2.0]), np.zeros(3))
    with pytest.raises(ValueError, match="same non-zero number of values, got 3 and 2"):
        classification_metrics(np.array([0.0, 1.0, 1.0]), np.zeros((2, 1)))
