"""Regression metrics and the book's ``eval_regression_model``; accuracy and log loss for classification."""

from __future__ import annotations

import numpy as np

from .losses import SigmoidCrossEntropy


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"y_true and y_pred need the same non-zero number of values, got {y_true.size} and {y_pred.size}"
        )
    return y_true, y_pred


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error of two arrays of n values (any shape with n elements)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot (nan for a constant target)."""
    y_true, y_pred = _pair(y_true, y_pred)
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    if ss_tot == 0.0:
        return float("nan")
    return 1.0 - float(np.sum((y_true - y_pred) ** 2)) / ss_tot


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """``{"mae", "rmse", "r2"}`` of ``y_pred`` against ``y_true`` (n values each, any shape)."""
    return {"mae": mae(y_true, y_pred), "rmse": rmse(y_true, y_pred), "r2": r2(y_true, y_pred)}


def eval_regression_model(model, X_test: np.ndarray, y_test: np.ndarray, verbose: bool = False) -> dict:
    """Predict ``X_test`` ``(n, d)`` and return ``{"mae", "rmse", "r2"}`` against ``y_test``.

    With ``verbose`` it also prints MAE and RMSE as the book does.
    """
    figures = regression_metrics(y_test, model.predict(X_test))
    if verbose:
        print(f"Mean absolute error: {figures['mae']:.2f}")
        print(f"Root mean squared error {figures['rmse']:.2f}")
    return figures


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the fraction of class labels ``y_pred`` equal to ``y_true`` (n labels each, any shape).

    Labels are compared as they are (numbers or strings): for two classes
    from logits, pass ``logits > 0`` as ``y_pred`` or use
    ``classification_metrics``.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"y_true and y_pred need the same non-zero number of labels, got {y_true.size} and {y_pred.size}"
        )
    return float(np.mean(y_true == y_pred))


def classification_metrics(y_true: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    """Return ``{"accuracy", "log_loss"}`` of a two-class model's logits.

    Parameters
    ----------
    y_true : ndarray, shape (n, 1) or (n,)
        The classes, 0 or 1.
    logits : ndarray, shape (n, 1) or (n,)
        The network's outputs ``z``: class 1 has probability ``sigmoid(z)``
        and is predicted where ``z > 0``.

    Returns
    -------
    dict
        ``accuracy``: the fraction of rows whose predicted class is right;
        ``log_loss``: the mean of ``-log p(y | z)`` (natural logarithm), the
        ``sigmoid_cross_entropy`` loss.
    """
    y_true, logits = _pair(y_true, logits)
    bad = y_true[(y_true != 0) & (y_true != 1)]
    if bad.size:
        raise ValueError(f"y_true must hold the classes 0 and 1 only, got {float(bad[0])!r}")
    column_true, column_logits = y_true.reshape(-1, 1), logits.reshape(-1, 1)
    return {
        "accuracy": accuracy(y_true, (logits > 0).astype(np.float64)),
        "log_loss": SigmoidCrossEntropy().forward(column_logits, column_true),
    }
