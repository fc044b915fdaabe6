"""Training paused inside an epoch resumes bit-identically; predictions store nothing and race with nothing."""

import sys
import threading

import numpy as np
import pytest

from scratchnet import SGD, Dense, NeuralNetwork, Trainer


def _data(n=300, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=(d, 1)) + 0.1 * rng.normal(size=(n, 1))
    return X[:240], y[:240], X[240:], y[240:]


def _trainer(book_mode=False):
    net = NeuralNetwork([Dense(16, "sigmoid"), Dense(16, "tanh"), Dense(1)], "mse", seed=7, book_mode=book_mode)
    return Trainer(net, SGD(lr=0.01))


def _uninterrupted(epochs, batch_size, book_mode=False):
    t = _trainer(book_mode)
    reports = t.fit(*_data(), epochs=epochs, eval_every=2, batch_size=batch_size, seed=3, early_stopping=False)
    return t, reports


@pytest.mark.parametrize("book_mode", [False, True])
def test_a_run_paused_after_every_batch_is_bit_identical(book_mode):
    ref, ref_reports = _uninterrupted(6, 7, book_mode)
    t = _trainer(book_mode)
    data = _data()
    reports, calls = [], 0
    it = t.fit_iter(*data, epochs=6, eval_every=2, batch_size=7, seed=3, early_stopping=False, time_budget=0.0)
    while True:
        calls += 1
        reports.extend(it)
        if t.epoch >= 6:
            break
        it = t.fit_iter(*data, epochs=6 - t.epoch, eval_every=2, batch_size=7, seed=3, restart=False,
                        early_stopping=False, time_budget=0.0)
    # 240 rows in batches of 7: 35 batches an epoch, one batch per call
    assert calls == 6 * 35
    assert [r.epoch for r in reports] == [r.epoch for r in ref_reports] == list(range(1, 7))
    assert [r.train_loss for r in reports] == [r.train_loss for r in ref_reports]
    assert [r.val_loss for r in reports] == [r.val_loss for r in ref_reports]
    for a, b in zip(t.net.params(), ref.net.params(), strict=True):
        assert np.array_equal(a, b)


def test_a_paused_epoch_is_not_counted_until_it_ends():
    t = _trainer()
    X, y, Xt, yt = _data()
    list(t.fit_iter(X, y, Xt, yt, epochs=1, batch_size=1, seed=3, time_budget=0.0))
    assert t.epoch == 0  # one batch of 240 done
    assert t._partial is not None and t._partial.row == 1
    reports = list(t.fit_iter(X, y, Xt, yt, epochs=1, batch_size=1, seed=3, restart=False))
    assert [r.epoch for r in reports] == [1] and t.epoch == 1


def test_restart_forgets_a_paused_epoch():
    t = _trainer()
    X, y, Xt, yt = _data()
    list(t.fit_iter(X, y, epochs=3, batch_size=1, seed=3, time_budget=0.0))
    t.restart(3)
    assert t._partial is None and t.epoch == 0


def test_time_budget_must_be_seconds():
    t = _trainer()
    with pytest.raises(ValueError, match="time_budget must be a number of seconds >= 0 or None, got -1"):
        t.fit_iter(*_data(), epochs=1, time_budget=-1)


def test_predict_stores_nothing_in_the_operations():
    t = _trainer()
    X, y, Xt, yt = _data()
    t.fit(X, y, epochs=1, batch_size=16, seed=1)
    before = [(op.input_, op.output) for layer in t.net.layers for op in layer.operations]
    t.net.predict(np.zeros((1000, 5)))
    after = [(op.input_, op.output) for layer in t.net.layers for op in layer.operations]
    assert all(a[0] is b[0] and a[1] is b[1] for a, b in zip(before, after, strict=True))


def test_predict_in_chunks_equals_one_pass():
    t = _trainer()
    X, y, Xt, yt = _data()
    t.fit(X, y, epochs=2, batch_size=16, seed=1)
    # BLAS may round a 7-row block differently from a 240-row one in the last bit
    np.testing.assert_allclose(t.net.predict(X, chunk_rows=7), t.net.predict(X), rtol=1e-12, atol=1e-12)
    assert np.array_equal(t.net.predict(X, chunk_rows=7), t.net.predict(X, chunk_rows=7))
    assert np.array_equal(t.net.predict(X), t.net.forward(X))


def test_predicting_while_another_thread_trains_changes_nothing():
    """Chart read-outs used to call forward, overwriting the cached activations a training step needs."""
    X, y, Xt, yt = _data()
    ref, _ = _uninterrupted(30, 2)
    t = _trainer()
    done = threading.Event()
    errors = []

    def read():
        while not done.is_set():
            try:
                if t.net.built:
                    t.net.predict(Xt)  # 60 rows, not the batch's 2: a cached forward would break backward
            except Exception as exc:  # noqa: BLE001 - any error is the failure
                errors.append(exc)

    reader = threading.Thread(target=read)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to make a race show
    reader.start()
    try:
        t.fit(X, y, Xt, yt, epochs=30, eval_every=2, batch_size=2, seed=3, early_stopping=False)
    except ValueError as exc:  # ShapeError, or a matmul of mismatched cached arrays
        errors.append(exc)
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(interval)
    assert errors == []
    assert t.epoch == 30
    for a, b in zip(t.net.params(), ref.net.params(), strict=True):
        assert np.array_equal(a, b)
