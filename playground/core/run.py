"""One person's training run: the network, its trainer, its history and weight snapshots.

A ``LiveRun`` lives in ``st.session_state`` and is advanced in short,
time-boxed chunks, so the page can draw between them and a Stop takes effect
at once. It holds no Streamlit objects and can be driven from a test.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from scratchnet import Dataset, EpochReport, Trainer, TrainingDiverged, accuracy, regression_metrics
from scratchnet.config import RunConfig

STEP_BUDGET = 0.25  # seconds the Step button trains in its callback before the live loop takes over
MAX_SNAPSHOTS = 40
SNAPSHOT_FLOATS = 2_000_000  # bound on the numbers kept in snapshots per run
F32_MAX = float(np.finfo(np.float32).max)


@dataclass
class History:
    """Per-epoch figures; evaluation figures only on evaluation epochs."""

    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    eval_epochs: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    mae: list[float] = field(default_factory=list)
    rmse: list[float] = field(default_factory=list)
    r2: list[float] = field(default_factory=list)
    # two-class problems: the share of rows classified right
    train_accuracy: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    # gradient flow, one record per epoch (scratchnet.flow.FlowRecord: per layer, its last full batch)
    flow: list = field(default_factory=list)


@dataclass
class Snapshot:
    epoch: int
    params: list[np.ndarray]


def _locked(method):
    """Run ``method`` holding the run's lock."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class LiveRun:
    """A run of ``config`` on ``data`` (already reduced to the chosen features).

    Its methods that change it hold a per-run lock: Streamlit starts the script run that follows a click
    while the one it replaces may still be inside ``advance``, so two threads can use one run. The lock
    lets the in-flight chunk finish before Stop (or anything else) changes the run, and never lets two
    threads train it at once.
    """

    def __init__(self, config: RunConfig, data: Dataset) -> None:
        self._lock = threading.RLock()
        self._interrupt = threading.Event()  # set by stop(): a turn in flight ends at its next batch
        self.config = config
        self.key = config.run_key()
        self.data = data
        self.split = config.split(data)
        self.net = config.build_network()
        self.trainer = Trainer(self.net, config.build_optimizer())
        n_params = self.net.n_params(self.split.X_train.shape[1])
        self.max_snapshots = int(np.clip(SNAPSHOT_FLOATS // n_params, 5, MAX_SNAPSHOTS))
        self.initial: list[np.ndarray] | None = None  # starting weights of a loaded model
        self.reset()

    @_locked
    def adopt(self, net) -> None:
        """Start this run from the weights of ``net`` (a loaded model of the same architecture)."""
        widths = [(layer.input_width, layer.neurons) for layer in net.layers]
        mine = [n for n, _ in self.config.layers]
        if widths[0][0] != self.split.X_train.shape[1] or [w[1] for w in widths] != mine:
            raise ValueError(
                f"the model expects {widths[0][0]} inputs and layers {[w[1] for w in widths]}; the playground has "
                f"{self.split.X_train.shape[1]} features and layers {mine}"
            )
        self.initial = [np.array(p, copy=True) for p in net.params()]
        self.reset()

    # ----- state --------------------------------------------------------------
    @_locked
    def reset(self) -> None:
        """Back to epoch 0 with the same starting weights (of the seed, or of a loaded model)."""
        self.trainer.restart(self.config.seed)
        if self.initial is not None:
            for layer, (W, B) in zip(self.net.layers, zip(self.initial[0::2], self.initial[1::2], strict=True),
                                     strict=True):
                layer.set_params(W, B)
        self.status = "idle"  # idle, training, stopped, done, diverged
        self.message = ""
        self._stop_at: int | None = None  # a Step still finishing its epoch in the live loop
        self.restored: dict | None = None  # the restored model's epoch and figures after an early stop
        self.history = History()
        self._rate_marks: list[tuple[float, int]] = []
        start = self.config.build_network()
        # building a twin draws exactly the weights the run will start from,
        # without touching the run's own random stream
        start.build(self.split.X_train.shape[1])
        self.snapshots = [Snapshot(0, _compact(self.initial or start.params()))]
        self._snapshot_every = 1
        self._start_net = start

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @_locked
    def start(self) -> None:
        """Train (or continue) until the configured number of epochs.

        After a divergence the network holds the weights of the last finite epoch, and training goes on
        from them (with whatever learning rate the person has chosen meanwhile).
        """
        if self.epoch >= self.config.epochs:
            self.status = "done"
            self.message = f"All {self.config.epochs} epochs are done; raise Epochs to train further."
            return
        self.status, self.message, self._stop_at = "training", "", None
        self._interrupt.clear()
        self._rate_marks = [(time.perf_counter(), self.epoch)]

    @_locked
    def train_to(self, epoch: int) -> None:
        """Train until ``epoch`` (a link's moment) and stop there, as a long Step does."""
        self.start()
        if self.status == "training":
            self._stop_at = min(int(epoch), self.config.epochs)

    def stop(self) -> None:
        """Stop training; the history, the weights and a paused epoch's place are kept.

        A turn in flight in another thread is told first (without waiting for the lock it holds), so it
        ends at its next batch rather than at the end of its time budget.
        """
        self._interrupt.set()
        with self._lock:
            if self.status == "training":
                self.status = "stopped"
            self._stop_at = None

    @_locked
    def update(self, config: RunConfig) -> None:
        """Take new settings that continue the run (learning rate, optimizer, epochs, batch size...)."""
        if config.run_key() != self.key:
            raise ValueError("this change needs a new run")
        old = self.config
        self.config = config
        if (config.optimizer, config.momentum) != (old.optimizer, old.momentum):
            optim = config.build_optimizer()
            optim.net = self.net
            self.trainer.optim = optim
        else:
            self.trainer.optim.lr = config.lr
            self.trainer.optim.current_lr = config.lr
            self.trainer.optim.weight_decay = config.weight_decay
        if self.status == "done" and self.epoch < config.epochs and not self.message.startswith("Stopped early"):
            self.status = "stopped"

    # ----- training -----------------------------------------------------------
    @_locked
    def advance(self, budget: float) -> int:
        """Train for about ``budget`` seconds (checked between batches, so also inside an epoch).

        Returns the number of epochs completed. A paused epoch resumes at its next batch on the next
        call, with results bit-identical to an uninterrupted run. A Step that did not finish its epoch
        in its callback is finished here, and then the run stops.
        """
        if self.status != "training":
            return 0
        target = self.config.epochs if self._stop_at is None else min(self._stop_at, self.config.epochs)
        done = self._train(epochs=target - self.epoch, budget=budget)
        if self.status == "training" and self.epoch >= target:
            self.status = "done" if self.epoch >= self.config.epochs else "stopped"
            self._stop_at = None
        now = time.perf_counter()
        self._rate_marks = [m for m in self._rate_marks if now - m[0] < 3.0][-20:] + [(now, self.epoch)]
        return done

    @_locked
    def step(self, budget: float = STEP_BUDGET) -> int:
        """Train exactly one epoch (the Step button); return 1 if it finished within ``budget`` seconds.

        An epoch that takes longer goes on in the live loop (status "training", stopping after it), where
        Stop can interrupt it and other sessions keep their share of the machine.
        """
        if self.status == "training":
            return 0
        if self.epoch >= self.config.epochs:
            self.start()  # says that all epochs are done
            return 0
        self.status, self.message = "stopped", ""
        self._interrupt.clear()
        done = self._train(epochs=1, budget=budget)
        if not done and self.status == "stopped":
            self.status, self._stop_at = "training", self.epoch + 1
            self._rate_marks = [(time.perf_counter(), self.epoch)]
        return done

    def _train(self, epochs: int, budget: float | None) -> int:
        if epochs < 1:
            return 0
        it = self.config.fit_iter(self.trainer, self.split, epochs=epochs, restart=False, time_budget=budget,
                                  should_pause=self._interrupt.is_set, record_flow=True)
        trained = 0
        try:
            for report in it:
                trained += 1
                self._record(report)
                if report.stopped_early:
                    self.status = "done"
                    self.message = (
                        f"Stopped early at epoch {report.epoch} of {self.config.epochs}: the validation loss rose "
                        f"(early stopping is on), so the weights of epoch {report.restored_epoch}, the best so far, "
                        f"were restored. Every figure now describes that model. Turn early stopping off to train "
                        f"all {self.config.epochs} epochs."
                    )
                    break
        except TrainingDiverged as exc:
            self.status = "diverged"
            self.message = (f"{exc} Lower the learning rate and press Train or Step to go on from there, or press "
                            "Reset to start again from epoch 0.")
        return trained

    def _record(self, report: EpochReport) -> None:
        h = self.history
        h.epochs.append(report.epoch)
        h.train_loss.append(report.train_loss)
        if report.flow is not None:
            h.flow.append(report.flow)
        if report.val_loss is not None:
            # every figure of an evaluation epoch describes the weights of that epoch
            h.eval_epochs.append(report.epoch)
            h.val_loss.append(report.val_loss)
            for name, value in self._figures(report.val_prediction).items():
                getattr(h, name).append(value)
        if report.stopped_early:
            self._restored(report)
        elif report.epoch % self._snapshot_every == 0:
            self._snapshot(report.epoch)

    def _restored(self, report: EpochReport) -> None:
        """After an early stop the model is the restored one: its epoch and its own figures."""
        h, best = self.history, report.restored_epoch
        pred = self.net.predict(self.split.X_test)
        self.restored = {
            "epoch": best,
            "train_loss": h.train_loss[h.epochs.index(best)],
            "val_loss": h.val_loss[h.eval_epochs.index(best)],
            **self._figures(pred),
        }

    def _figures(self, test_prediction: np.ndarray) -> dict[str, float]:
        """The evaluation figures of the network whose test predictions these are (logits for two classes)."""
        if self.config.kind == "classification":
            train = self.net.predict(self.split.X_train)
            return {"train_accuracy": accuracy(self.split.y_train, train > 0),
                    "accuracy": accuracy(self.split.y_test, np.asarray(test_prediction) > 0)}
        return regression_metrics(self.split.y_test, test_prediction)

    @property
    def model_epoch(self) -> int:
        """The epoch whose weights the network holds: the restored one after an early stop."""
        return self.restored["epoch"] if self.restored else self.epoch

    def _snapshot(self, epoch: int) -> None:
        self.snapshots.append(Snapshot(epoch, _compact(self.net.params())))
        if len(self.snapshots) > self.max_snapshots:
            # keep epoch 0 and every other snapshot after it; take them half as often
            self.snapshots = [self.snapshots[0]] + self.snapshots[2::2]
            self._snapshot_every *= 2

    # ----- read-outs ----------------------------------------------------------
    def epochs_per_second(self) -> float | None:
        marks = self._rate_marks
        if len(marks) < 2 or marks[-1][0] - marks[0][0] <= 0:
            return None
        return (marks[-1][1] - marks[0][1]) / (marks[-1][0] - marks[0][0])

    def current_params(self) -> list[np.ndarray]:
        return list(self.net.params()) if self.net.built else self.snapshots[0].params

    def snapshot_network(self, epoch: int):
        """A new network holding the weights of the snapshot taken at ``epoch`` (for a replay), or None.

        Its parameters are the snapshot's float32 values, bit for bit, as float64.
        """
        snap = next((s for s in self.snapshots if s.epoch == epoch), None)
        if snap is None:
            return None
        net = self.config.build_network()
        net.build(self.split.X_train.shape[1])
        net.flat()[0][:] = np.concatenate([p.astype(np.float64).ravel() for p in snap.params])
        return net

    def predictions(self, rows: str = "test", max_rows: int | None = None, net=None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(actual, predicted, row indices into data)`` for the test or training rows.

        With ``max_rows``, at most that many rows, evenly spaced, are predicted (a chart that draws a
        subsample predicts only it). The prediction stores nothing in the network, so it is safe while
        another thread trains it. ``net`` predicts instead of the run's network (a replayed snapshot).
        """
        s = self.split
        X, y, idx = (s.X_test, s.y_test, s.test_rows) if rows == "test" else (s.X_train, s.y_train, s.train_rows)
        if max_rows is not None and len(idx) > max_rows:
            pick = np.linspace(0, len(idx) - 1, max_rows).round().astype(int)
            X, y, idx = X[pick], y[pick], idx[pick]
        return y.ravel(), (net or self.network).predict(X).ravel(), idx

    @property
    def network(self):
        """The network the charts show: the one training, or before its first step a twin with its starting weights."""
        return self.net if self.net.built else self._start_net


def _compact(params) -> list[np.ndarray]:
    """float32 copies for snapshots (huge weights of a diverging run are clipped, not made inf)."""
    return [np.clip(p, -F32_MAX, F32_MAX).astype(np.float32) for p in params]
