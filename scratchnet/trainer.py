"""``Trainer``: the book's training loop, as an iterator the app can pause between epochs."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .flow import FlowRecord, probe
from .network import NeuralNetwork
from .optimizers import Optimizer


class TrainingDiverged(RuntimeError):
    """The loss or a weight stopped being finite; the network keeps its last finite weights."""

    def __init__(self, epoch: int, lr: float, what: str) -> None:
        self.epoch = epoch
        self.lr = lr
        super().__init__(
            f"training diverged in epoch {epoch}: {what} is not finite. "
            f"Try a lower learning rate than {lr:g}. The network keeps the weights "
            f"it had at the end of epoch {epoch - 1}."
        )


@dataclass
class EpochReport:
    """What one epoch did.

    ``epoch`` counts from 1 over the whole run; ``train_loss`` is the mean of
    the epoch's batch losses weighted by batch size; ``val_loss`` is set on
    evaluation epochs only; ``seconds`` is the epoch's wall time; ``flow`` is
    the gradient flow of the epoch's last full batch when ``fit_iter`` was called
    with ``record_flow=True`` (see ``scratchnet.flow``), else None.
    """

    epoch: int
    train_loss: float
    val_loss: float | None
    seconds: float
    lr: float
    best_val_loss: float | None = None
    stopped_early: bool = False
    restored_epoch: int | None = None
    val_prediction: np.ndarray | None = field(default=None, repr=False)  # (n_test, d_out) on evaluation epochs
    flow: FlowRecord | None = field(default=None, repr=False)


@dataclass
class _EpochInProgress:
    """An epoch that a time budget paused: its shuffled rows, the next row, the loss so far."""

    X: np.ndarray  # (n, d) in this epoch's order
    y: np.ndarray  # (n, 1)
    saved: np.ndarray  # the flat weights at the start of the epoch
    row: int = 0
    total: float = 0.0  # sum of batch loss x batch rows
    seconds: float = 0.0
    flow: FlowRecord | None = None  # the last batch's gradient flow, when recorded


def _as_float_2d(name: str, a: np.ndarray, column: bool = False) -> np.ndarray:
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if column and a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name} must be 2-D with at least one row, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _whole(name: str, value: int, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


class Trainer:
    """Trains ``net`` with ``optim``, as in the book.

    ``fit_iter`` yields an ``EpochReport`` per epoch, so a caller can draw,
    pause and resume between epochs; ``fit`` is a loop over it.
    """

    def __init__(self, net: NeuralNetwork, optim: Optimizer) -> None:
        if not isinstance(net, NeuralNetwork):
            raise TypeError(f"net must be a NeuralNetwork, got {type(net).__name__}")
        if not isinstance(optim, Optimizer):
            raise TypeError(f"optim must be an Optimizer, got {type(optim).__name__}")
        self.net = net
        self.optim = optim
        optim.net = net
        self.epoch = 0
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self._best_params: np.ndarray | None = None
        self._rng: np.random.Generator | np.random.RandomState | None = None
        self._order: np.ndarray | None = None
        self._partial: _EpochInProgress | None = None

    # ----- the book's helpers -------------------------------------------------
    @staticmethod
    def generate_batches(X: np.ndarray, y: np.ndarray, size: int = 32):
        """Yield ``(X_batch, y_batch)`` of ``size`` rows; the last may be smaller."""
        for start in range(0, X.shape[0], size):
            yield X[start : start + size], y[start : start + size]

    def restart(self, seed: int) -> None:
        """Start over: unbuilt layers (same starting weights), fresh shuffles and optimizer state."""
        seed = _whole("seed", seed, low=0)
        self.net.reset()
        self.optim.reset_state()
        self.epoch = 0
        self.best_loss = math.inf
        self.best_epoch = None
        self._best_params = None
        self._order = None
        self._partial = None
        self._start_stream(seed)

    def _start_stream(self, seed: int) -> None:
        if self.net.book_mode:
            # one legacy generator for shuffles and (re-seeded) layer set-up
            self._rng = np.random.RandomState(seed)
            self.net.shared_rng = self._rng
        else:
            self._rng = np.random.default_rng(seed)

    # ----- training -----------------------------------------------------------
    def fit_iter(
        self,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        epochs: int = 100,
        eval_every: int = 10,
        batch_size: int = 32,
        seed: int = 1,
        restart: bool = True,
        early_stopping: bool = True,
        time_budget: float | None = None,
        should_pause: Callable[[], bool] | None = None,
        record_flow: bool = False,
    ) -> Iterator[EpochReport]:
        """Check the arguments now; return an iterator that trains one epoch per ``next``.

        Parameters
        ----------
        X_train : ndarray, shape (n, d)
        y_train : ndarray, shape (n, 1) or (n,)
        X_test, y_test : ndarray or None
            Evaluated every ``eval_every`` epochs; None skips evaluation.
        epochs, eval_every, batch_size : int
        seed : int
            Seeds the shuffles when ``restart`` is True.
        restart : bool
            True: fresh weights and state. False: continue where the last
            call stopped (same shuffle stream, epoch count, best loss), or
            on a new Trainer from the network's current weights.
        early_stopping : bool
            Stop at the first evaluation that is not better than the best
            so far, and restore the weights of the best evaluation.
        time_budget : float or None
            Seconds to train before the iterator ends, checked between batches:
            it may end inside an epoch, and the next call with ``restart=False``
            resumes that epoch at its next batch (same shuffle, same batches),
            so a run paused any number of times gives bit-identical results to
            one that never paused. ``epochs`` counts completed epochs, the
            resumed one included. None: no limit.
        should_pause : callable or None
            Asked between batches, as the time budget is: when it returns True
            the iterator ends the same way (for a Stop pressed meanwhile).
        record_flow : bool
            True: put a ``scratchnet.flow.FlowRecord`` of each epoch's last
            full batch (a short final batch of a few rows would give noisy
            norms) on its report as ``report.flow``: gradient norms and unit
            shares after that batch's backward pass, update ratios from the
            weights before and after its update. It reads and copies only;
            the training is bit-identical either way. False (default): no cost.

        Raises
        ------
        TrainingDiverged
            From ``next`` when a loss or weight stops being finite.
        """
        X_train = _as_float_2d("X_train", X_train)
        y_train = _as_float_2d("y_train", y_train, column=True)
        if X_train.shape[0] != y_train.shape[0]:
            raise ValueError(f"X_train has {X_train.shape[0]} rows but y_train has {y_train.shape[0]}")
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        if X_test is not None and y_test is not None:
            X_test = _as_float_2d("X_test", X_test)
            y_test = _as_float_2d("y_test", y_test, column=True)
            if X_test.shape[0] != y_test.shape[0]:
                raise ValueError(f"X_test has {X_test.shape[0]} rows but y_test has {y_test.shape[0]}")
            if X_test.shape[1] != X_train.shape[1]:
                raise ValueError(f"X_test has {X_test.shape[1]} columns but X_train has {X_train.shape[1]}")
        epochs = _whole("epochs", epochs)
        eval_every = _whole("eval_every", eval_every)
        batch_size = _whole("batch_size", batch_size)
        if time_budget is not None and not (isinstance(time_budget, (int, float)) and time_budget >= 0):
            raise ValueError(f"time_budget must be a number of seconds >= 0 or None, got {time_budget!r}")
        if restart:
            self.restart(seed)
        elif self._rng is None:
            # continue from the network's current weights with a fresh shuffle stream
            self._start_stream(_whole("seed", seed, low=0))
        deadline = None if time_budget is None else time.perf_counter() + time_budget

        def pause() -> bool:
            return (deadline is not None and time.perf_counter() >= deadline) or (
                should_pause is not None and bool(should_pause()))

        return self._epochs(
            X_train, y_train, X_test, y_test, epochs, eval_every, batch_size, early_stopping, pause, record_flow
        )

    def fit(
        self,
        X_train,
        y_train,
        X_test=None,
        y_test=None,
        epochs=100,
        eval_every=10,
        batch_size=32,
        seed=1,
        restart=True,
        early_stopping=True,
        verbose=False,
    ) -> list[EpochReport]:
        """Train for ``epochs`` epochs (fewer if stopped early); return every report.

        With ``verbose`` it prints the book's lines on evaluation epochs.
        """
        reports = []
        for report in self.fit_iter(
            X_train, y_train, X_test, y_test, epochs, eval_every, batch_size, seed, restart, early_stopping
        ):
            reports.append(report)
            if verbose and report.val_loss is not None:
                print(describe(report))
        return reports

    def _epochs(self, X, y, X_test, y_test, epochs, eval_every, batch_size, early_stopping, pause, record_flow=False):
        optim = self.optim
        n = X.shape[0]
        if self._order is None or self._order.shape[0] != n:
            self._order = np.arange(n)
        optim.setup_schedule(self.epoch + epochs)
        for _ in range(epochs):
            if self._partial is None:
                self._partial = self._begin_epoch(X, y)
            part = self._partial
            optim.set_epoch(self.epoch)
            started = time.perf_counter()
            with np.errstate(over="ignore", invalid="ignore"):
                finished = self._train_rows(part, batch_size, pause, record_flow)
                part.seconds += time.perf_counter() - started
                if not finished:
                    return  # out of time inside the epoch: the next call resumes at part.row
                self._check_weights(part.saved)
                self._partial = None
                self.epoch += 1
                report = EpochReport(self.epoch, part.total / n, None, 0.0, optim.current_lr, flow=part.flow)
                if X_test is not None and self.epoch % eval_every == 0:
                    self._evaluate(report, X_test, y_test, part.saved, early_stopping)
            report.best_val_loss = None if self.best_epoch is None else self.best_loss
            report.seconds = part.seconds
            yield report
            if report.stopped_early or pause():
                return

    def _begin_epoch(self, X, y) -> _EpochInProgress:
        """Shuffle for the next epoch; remember the weights to go back to if it diverges."""
        if self._rng is None or self._order is None:
            raise RuntimeError("Trainer: an epoch began before fit_iter set up the shuffles")
        # the book permutes the arrays the previous epoch left shuffled
        self._order = self._order[self._rng.permutation(X.shape[0])]
        if not self.net.built:
            self.net.build(X.shape[1])
        return _EpochInProgress(X[self._order], y[self._order], self.net.flat()[0].copy())

    def _train_rows(
        self, part: _EpochInProgress, batch_size: int, pause: Callable[[], bool], record_flow: bool = False
    ) -> bool:
        """Train batches of ``part`` from ``part.row`` on; return True at the end of the epoch, False on a pause.

        With ``record_flow`` the gradient flow of the epoch's last full batch
        (its only batch when it has fewer rows than ``batch_size``) goes to ``part.flow``.
        """
        net, optim = self.net, self.optim
        n, first = part.X.shape[0], True
        flow_row = max(n // batch_size - 1, 0) * batch_size if record_flow else -1
        while part.row < n:
            if not first and pause():
                return False
            first = False
            X_batch = part.X[part.row : part.row + batch_size]
            y_batch = part.y[part.row : part.row + batch_size]
            loss = net.train_batch(X_batch, y_batch)
            if not math.isfinite(loss):
                self._diverge(part.saved, "the training loss")
            if part.row == flow_row:
                half = probe(net)
                optim.step()
                part.flow = half.finish(net, self.epoch + 1)
            else:
                optim.step()
            part.total += loss * X_batch.shape[0]
            part.row += X_batch.shape[0]
        return True

    def _check_weights(self, saved) -> None:
        if not math.isfinite(float(np.sum(self.net.flat()[0]))):
            # the sum is finite exactly when every weight is (unless weights near 1e308 overflow it)
            self._diverge(saved, "a weight")

    def _evaluate(self, report, X_test, y_test, saved, early_stopping) -> None:
        prediction = self.net.predict(X_test)  # stores nothing in the layers
        loss = self.net.loss.forward(prediction, y_test)
        if not math.isfinite(loss):
            self._diverge(saved, "the validation loss")
        report.val_loss = loss
        report.val_prediction = prediction
        if loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, self.epoch
            self._best_params = self.net.flat()[0].copy()
        elif early_stopping and self._best_params is not None:
            # unlike the book's code, restore the weights of the best evaluation
            self._restore(self._best_params)
            report.stopped_early = True
            report.restored_epoch = self.best_epoch

    def _restore(self, values: np.ndarray) -> None:
        self.net.flat()[0][...] = values

    def _diverge(self, saved, what: str) -> None:
        self._restore(saved)
        self._partial = None
        raise TrainingDiverged(self.epoch + 1, self.optim.current_lr, what)


def describe(report: EpochReport) -> str:
    """Return the book's line for an evaluation epoch."""
    if report.stopped_early:
        return (
            f"Loss increased after epoch {report.epoch}, final loss was "
            f"{report.best_val_loss:.3f}, using the model from epoch {report.restored_epoch}"
        )
    return f"Validation loss after {report.epoch} epochs is {report.val_loss:.3f}"
