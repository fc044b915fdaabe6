"""Trainer: determinism, threads, resume, early stopping, divergence, input checks."""

import threading

import numpy as np
import pytest

from scratchnet import SGD, Adam, Dense, NeuralNetwork, SGDMomentum, Trainer, TrainingDiverged


def deep_net(seed=1, book_mode=False):
    return NeuralNetwork([Dense(13, "sigmoid"), Dense(13, "sigmoid"), Dense(1)], "mse", seed=seed, book_mode=book_mode)


def train(split, seed, epochs=30, optim=None, **kw):
    net = deep_net(seed)
    trainer = Trainer(net, optim or SGD(lr=0.01))
    reports = trainer.fit(
        split.X_train,
        split.y_train,
        split.X_test,
        split.y_test,
        epochs=epochs,
        eval_every=5,
        seed=seed,
        early_stopping=False,
        **kw,
    )
    return [r.train_loss for r in reports], [p.copy() for p in net.params()]


def test_same_seed_identical_other_seed_differs(book_split):
    a, b, c = train(book_split, 3), train(book_split, 3), train(book_split, 4)
    assert a[0] == b[0]
    assert all(np.array_equal(p, q) for p, q in zip(a[1], b[1], strict=True))
    assert a[0] != c[0]


def test_four_threads_match_serial(book_split):
    seeds = [11, 12, 13, 14]
    serial = {s: train(book_split, s, epochs=60) for s in seeds}
    parallel = {}

    def work(s):
        parallel[s] = train(book_split, s, epochs=60)

    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in seeds:
        assert parallel[s][0] == serial[s][0]
        assert all(np.array_equal(p, q) for p, q in zip(parallel[s][1], serial[s][1], strict=True))


def test_fit_iter_is_lazy_per_epoch_and_resumes_exactly(book_split):
    s = book_split
    straight = Trainer(deep_net(), SGD(0.01))
    full = list(
        straight.fit_iter(s.X_train, s.y_train, s.X_test, s.y_test, epochs=10, eval_every=5, early_stopping=False)
    )
    paused = Trainer(deep_net(), SGD(0.01))
    it = paused.fit_iter(s.X_train, s.y_train, s.X_test, s.y_test, epochs=4, eval_every=5, early_stopping=False)
    first = next(it)
    assert first.epoch == 1 and first.val_loss is None and first.seconds > 0
    part = [first, *it]
    part += list(
        paused.fit_iter(
            s.X_train, s.y_train, s.X_test, s.y_test, epochs=6, eval_every=5, restart=False, early_stopping=False
        )
    )
    assert [r.epoch for r in part] == list(range(1, 11))
    assert [r.train_loss for r in part] == [r.train_loss for r in full]
    assert [r.val_loss for r in part] == [r.val_loss for r in full]
    assert all(np.array_equal(p, q) for p, q in zip(straight.net.params(), paused.net.params(), strict=True))


def test_early_stopping_restores_the_best_model_not_the_books_snapshot(rng):
    # validation targets are the negative of the training targets: learning makes validation worse
    X = rng.standard_normal((64, 2))
    y = X @ np.array([[1.0], [-2.0]])
    net = NeuralNetwork([Dense(1)], "mse", seed=0)
    net.forward(X)
    for p in net.params():
        p[...] = 0.0
    trainer = Trainer(net, SGD(lr=0.002))
    snapshots = {}
    reports = []
    for report in trainer.fit_iter(X, y, X, -y, epochs=30, eval_every=3, batch_size=16, restart=False):
        reports.append(report)
        snapshots[report.epoch] = [p.copy() for p in net.params()]
    assert reports[0].val_loss is None and reports[2].val_loss is not None
    last = reports[-1]
    assert last.stopped_early and last.epoch == 6 and last.restored_epoch == 3
    assert last.best_val_loss == reports[2].val_loss
    assert all(np.array_equal(p, q) for p, q in zip(net.params(), snapshots[3], strict=True))
    # the book would have restored the model from the start of epoch 6 (after epoch 5)
    assert not all(np.array_equal(p, q) for p, q in zip(net.params(), snapshots[5], strict=True))


def test_divergence_stops_with_message_and_last_finite_weights(book_split):
    s = book_split
    trainer = Trainer(deep_net(), SGD(lr=10.0))
    kept = {}
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch (\d+).*lower learning rate than 10") as info:
        for report in trainer.fit_iter(s.X_train, s.y_train, s.X_test, s.y_test, epochs=200, eval_every=10):
            kept[report.epoch] = [p.copy() for p in trainer.net.params()]
    epoch = info.value.epoch
    assert epoch == max(kept) + 1
    assert trainer.epoch == epoch - 1
    params = list(trainer.net.params())
    assert all(np.isfinite(p).all() for p in params)
    assert all(np.array_equal(p, q) for p, q in zip(params, kept[epoch - 1], strict=True))


def test_divergence_in_first_epoch_keeps_initial_weights(book_split):
    s = book_split
    net = NeuralNetwork([Dense(13, "relu"), Dense(1)], "mse", seed=2)
    net.forward(s.X_train[:1])
    start = [p.copy() for p in net.params()]
    with pytest.raises(TrainingDiverged, match="epoch 1"):
        Trainer(net, SGD(lr=1e6)).fit(s.X_train, s.y_train, epochs=3, restart=False)
    assert all(np.array_equal(p, q) for p, q in zip(net.params(), start, strict=True))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(y_train=np.ones((5, 1))), "X_train has 354 rows but y_train has 5"),
        (dict(X_train=np.full((354, 13), np.nan)), "X_train contains NaN"),
        (dict(X_train=np.ones(354)), "X_train must be 2-D"),
        (dict(X_train=[["a"] * 13] * 354), "X_train must be numeric"),
        (dict(batch_size=0), "batch_size must be a whole number >= 1, got 0"),
        (dict(epochs=2.5), "epochs must be a whole number >= 1, got 2.5"),
        (dict(eval_every=-1), "eval_every must be a whole number >= 1, got -1"),
        (dict(seed=-3), "seed must be a whole number >= 0, got -3"),
        (dict(y_test=None), "give both X_test and y_test"),
        (dict(X_test=np.ones((152, 12))), "X_test has 12 columns but X_train has 13"),
    ],
)
def test_fit_argument_errors(book_split, kwargs, message):
    s = book_split
    args = dict(X_train=s.X_train, y_train=s.y_train, X_test=s.X_test, y_test=s.y_test, epochs=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Trainer(deep_net(), SGD()).fit_iter(**args)


def test_one_dimensional_targets_become_columns(book_split):
    s = book_split
    reports = Trainer(deep_net(), SGD()).fit(
        s.X_train, s.y_train.ravel(), s.X_test, s.y_test.ravel(), epochs=2, eval_every=1
    )
    assert len(reports) == 2 and reports[1].val_loss > 0


@pytest.mark.parametrize(
    "decay, expected",
    [
        ("linear", np.linspace(0.1, 0.01, 10)),
        ("exponential", np.geomspace(0.1, 0.01, 10)),
        (None, np.full(10, 0.1)),
    ],
)
def test_learning_rate_decay(book_split, decay, expected):
    s = book_split
    optim = SGD(lr=0.1, final_lr=0.01, decay_type=decay)
    reports = Trainer(deep_net(), optim).fit(s.X_train, s.y_train, epochs=10)
    assert np.allclose([r.lr for r in reports], expected)


def test_trainer_type_checks():
    with pytest.raises(TypeError, match="net must be a NeuralNetwork"):
        Trainer("net", SGD())
    with pytest.raises(TypeError, match="optim must be an Optimizer"):
        Trainer(deep_net(), "sgd")


def test_optimizers_train_the_deep_net(book_split):
    for optim in (SGDMomentum(lr=0.005, momentum=0.9), Adam(lr=0.01)):
        losses, _ = train(book_split, 5, epochs=30, optim=optim)
        assert losses[-1] < losses[0] / 3
