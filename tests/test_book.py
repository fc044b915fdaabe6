"""The book's three chapter-3 models reproduce its notebook outputs."""

import numpy as np
import pytest

from scratchnet import SGD, Dense, MeanSquaredError, NeuralNetwork, Sigmoid, Trainer, eval_regression_model
from scratchnet.config import preset
from scratchnet.experiment import run

BOOK = {
    "book-linear": ([30.293, 28.469, 26.293, 25.541, 25.087], 3.52, 5.01),
    "book-shallow": ([27.435, 21.839, 18.918, 17.195, 16.215], 2.60, 4.03),
    "book-deep": ([44.143, 25.278, 22.339, 16.500, 14.655], 2.45, 3.83),
}
LAYERS = {
    "book-linear": lambda: [Dense(1, "linear")],
    "book-shallow": lambda: [Dense(13, Sigmoid()), Dense(1, "linear")],
    "book-deep": lambda: [Dense(13, Sigmoid()), Dense(13, Sigmoid()), Dense(1, "linear")],
}


@pytest.mark.parametrize("name", sorted(BOOK))
def test_book_model_with_the_books_calls(name, book_split, capsys):
    s = book_split
    net = NeuralNetwork(LAYERS[name](), MeanSquaredError(), seed=20190501, book_mode=True)
    trainer = Trainer(net, SGD(lr=0.01))
    reports = trainer.fit(
        s.X_train, s.y_train, s.X_test, s.y_test, epochs=50, eval_every=10, seed=20190501, verbose=True
    )
    losses, book_mae, book_rmse = BOOK[name]
    got = [round(r.val_loss, 3) for r in reports if r.val_loss is not None]
    assert got == losses
    figures = eval_regression_model(net, s.X_test, s.y_test, verbose=True)
    assert round(figures["mae"], 2) == book_mae
    assert round(figures["rmse"], 2) == book_rmse
    printed = capsys.readouterr().out
    assert f"Validation loss after 50 epochs is {losses[-1]:.3f}" in printed
    assert f"Mean absolute error: {book_mae:.2f}" in printed


@pytest.mark.parametrize("name", sorted(BOOK))
def test_book_presets(name):
    result = run(preset(name))
    assert [e for e, _ in result["val_losses"]] == [10, 20, 30, 40, 50]
    assert [round(v, 3) for _, v in result["val_losses"]] == BOOK[name][0]


def test_book_split_shapes(book_split):
    assert book_split.X_train.shape == (354, 13)
    assert book_split.X_test.shape == (152, 13)
    assert book_split.y_train.shape == (354, 1)
    # the book scales with one scaler over all 506 rows
    all_rows = np.vstack([book_split.X_train, book_split.X_test])
    assert np.allclose(all_rows.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(all_rows.std(axis=0), 1)
