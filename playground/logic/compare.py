"""Compare configurations over several seeds: the runners (Streamlit-free) and the summaries.

The Compare page trains with ``run_sliced``: task after task in short turns on the
server's training slots, like every playground session, so a comparison takes its
fair share of a class server. ``run_task`` is the same training in one go, a plain
top-level function of plain arguments, so any joblib backend can ship it to a
worker (``run_parallel``: joblib's process pool, or dask's
``parallel_backend("dask")`` on a cluster), unchanged.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from playground.core.config import from_preset, validate
from scratchnet import Dataset, Trainer, TrainingDiverged, regression_metrics
from scratchnet.config import BOOK_SEED, RunConfig
from scratchnet.data import Split

MAX_CONFIGS, MAX_SEEDS = 6, 10


@dataclass(frozen=True)
class Entry:
    """One configuration in a comparison: a label and its playground settings."""

    label: str
    config: RunConfig


@dataclass
class Task:
    """One training run: a configuration, one seed, and the shared split."""

    label: str
    config: RunConfig
    seed: int
    split: Split = field(repr=False)


def default_entries() -> list[Entry]:
    """The book's three chapter-3 models with the book's settings."""
    names = {"book-linear": "linear", "book-shallow": "one hidden layer", "book-deep": "deep"}
    return [Entry(label, from_preset(name)) for name, label in names.items()]


def seeds_for(first: int, count: int) -> list[int]:
    """``count`` seeds starting at ``first`` (the book's seed first for the presets)."""
    if not 1 <= count <= MAX_SEEDS:
        raise ValueError(f"seeds per configuration must be between 1 and {MAX_SEEDS}, got {count}")
    return [first + i for i in range(count)]


def shared_split(entries: list[Entry], data: Dataset, test_size: float) -> Split:
    """One split for every run: the book's way when every entry is a book preset, else the proper way."""
    sequence = "book" if all(e.config.book_mode for e in entries) else "independent"
    return replace(entries[0].config, test_size=test_size, sequence=sequence).split(data)


def make_tasks(entries: list[Entry], seeds: list[int], split: Split) -> list[Task]:
    """Every entry with every seed."""
    if not 2 <= len(entries) <= MAX_CONFIGS:
        raise ValueError(f"choose between 2 and {MAX_CONFIGS} configurations, got {len(entries)}")
    labels = [e.label for e in entries]
    if len(set(labels)) != len(labels):
        raise ValueError(f"each configuration needs its own name, got {labels}")
    return [Task(e.label, replace(e.config, seed=s), s, split) for e in entries for s in seeds]


class TaskRun:
    """One task trained in time-boxed chunks (``advance``), so a page can share the machine's training slots.

    ``run_task`` is the same training without pauses; both give bit-identical results.
    """

    def __init__(self, task: Task) -> None:
        c = task.config
        self.task = task
        self.net = c.build_network()
        self.trainer = Trainer(self.net, c.build_optimizer())
        self.eval_epochs: list[int] = []
        self.val_loss: list[float] = []
        self.diverged = ""
        self.done = False
        self.seconds = 0.0
        self._first = True

    def advance(self, budget: float | None = None) -> bool:
        """Train for about ``budget`` seconds (None: to the end); return True once the task is finished."""
        if self.done:
            return True
        c = self.task.config
        started = time.perf_counter()
        try:
            for report in c.fit_iter(self.trainer, self.task.split, epochs=c.epochs - self.trainer.epoch,
                                     restart=self._first, time_budget=budget):
                if report.val_loss is not None:
                    self.eval_epochs.append(report.epoch)
                    self.val_loss.append(report.val_loss)
                if report.stopped_early:
                    self.done = True
        except TrainingDiverged as exc:
            self.diverged, self.done = str(exc), True
        self._first = False
        self.done = self.done or self.trainer.epoch >= c.epochs
        self.seconds += time.perf_counter() - started
        return self.done

    def result(self) -> dict:
        """The finished task's curve, figures and test predictions (see ``run_task``)."""
        s, net = self.task.split, self.net
        pred = net.predict(s.X_test).ravel() if net.built else np.full(len(s.y_test), np.nan)
        final = float(net.loss.forward(pred.reshape(-1, 1), s.y_test)) if np.isfinite(pred).all() else math.nan
        return {"label": self.task.label, "seed": self.task.seed, "eval_epochs": self.eval_epochs,
                "val_loss": self.val_loss, "final_val_loss": final, **regression_metrics(s.y_test, pred),
                "predictions": pred,
                "epochs_run": self.trainer.epoch, "seconds": self.seconds, "diverged": self.diverged}


def run_task(task: Task) -> dict:
    """Train one configuration with one seed; return its curve, figures and test predictions.

    Returns
    -------
    dict
        ``label``, ``seed``, ``eval_epochs`` (list of int), ``val_loss``
        (list of float), ``final_val_loss``, ``mae``, ``rmse``, ``r2``,
        ``predictions`` (ndarray ``(n_test,)``), ``epochs_run``, ``seconds``
        and ``diverged`` (a message or ``""``).
    """
    run = TaskRun(task)
    run.advance(None)
    return run.result()


def run_sliced(tasks: list[Task], slots, budget: float, wait: float = 0.3) -> Iterator[dict | None]:
    """Train ``tasks`` one after another in this thread, ``budget`` seconds per turn on one of ``slots``.

    Yields a result as each task finishes and None after every other turn (a place to redraw or
    stop: closing the iterator stops training at once). Every turn waits its place among all the
    server's trainings, so a comparison takes its fair share and never holds a core for long.
    """
    for task in tasks:
        run = TaskRun(task)
        while True:
            with slots.slot(timeout=wait) as got:
                finished = got and run.advance(budget)
            if finished:
                yield run.result()
                break
            yield None


def run_parallel(tasks: list[Task], n_jobs: int = -1) -> Iterator[dict]:
    """Run ``tasks`` with joblib's process pool; yield results as they finish (any order).

    Closing the iterator early (for example when the person presses Stop)
    cancels the tasks that have not started.
    """
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    results = parallel(delayed(run_task)(t) for t in tasks)
    try:
        yield from results
    finally:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*have been cancelled.*")
            results.close()


# ----- one comparison, as the page runs it --------------------------------------------
def problems(entries: list[Entry], data: Dataset) -> list[str]:
    """Every reason the comparison cannot run on ``data``, one sentence each, named by configuration."""
    errors = [] if 2 <= len(entries) <= MAX_CONFIGS else [
        f"Choose between 2 and {MAX_CONFIGS} configurations; {len(entries)} chosen."]
    for e in entries:
        errors += [f"{e.label}: {m}" for m in validate(replace(e.config, features=None), data.X.shape[0],
                                                        data.feature_names)]
    return errors


def new_comparison(entries: list[Entry], seeds: int, data: Dataset, test_size: float) -> tuple[dict, list[Task]]:
    """A comparison about to run, and its tasks: every entry with ``seeds`` seeds from the book's seed.

    The comparison is a dict (it lives in the session): ``labels``, ``results`` (``run_task``'s dicts, as
    they finish), ``total`` (tasks), ``status`` ("running", "stopped" or "done"), ``y_test``,
    ``reference`` (``linear_reference``), ``seconds`` and ``data`` (the dataset's name).
    """
    split = shared_split(entries, data, test_size)
    tasks = make_tasks(entries, seeds_for(BOOK_SEED, seeds), split)
    comparison = {"labels": [e.label for e in entries], "results": [], "total": len(tasks), "status": "running",
                  "y_test": split.y_test, "reference": linear_reference(split), "seconds": 0.0, "data": data.name}
    return comparison, tasks


def advance(comparison: dict, tasks: list[Task], slots, budget: float) -> Iterator[None]:
    """Train the tasks in turns on ``slots`` (see ``run_sliced``), filling in ``comparison``; yield after each turn.

    Ends when every task is done (status "done") or when another thread set the status to "stopped".
    """
    started = time.perf_counter()
    for outcome in run_sliced(tasks, slots, budget):
        if comparison["status"] != "running":
            return  # Stop was pressed in another script run of this session
        comparison["seconds"] = time.perf_counter() - started
        if outcome is not None:
            comparison["results"].append(outcome)
        yield None
    comparison["status"] = "done"


def status_caption(comparison: dict) -> str:
    """How far the comparison got, on which data and how long it took."""
    state = {"done": "finished", "stopped": "stopped", "running": "interrupted"}[comparison["status"]]
    return (f"{len(comparison['results'])} of {comparison['total']} runs {state} in {comparison['seconds']:.1f} s "
            f"on {comparison['data']}; runs take turns on the server's training slots.")


# ----- summaries ---------------------------------------------------------------------
def plus_minus(mean: float, std: float) -> str:
    """``mean ± std`` to three decimals, or a dash when there is no value."""
    return "–" if math.isnan(mean) else f"{mean:.3f} ± {std:.3f}"


SUMMARY_COLUMNS = {"validation MSE": "final_val_loss", "MAE": "mae", "RMSE": "rmse", "R²": "r2"}


def summary_table(results: list[dict], labels: list[str]) -> dict[str, list]:
    """The page's summary table, column name to values: each figure as mean ± std across seeds, best first."""
    rows = summary_rows(results, labels)
    table: dict[str, list] = {"configuration": [r["configuration"] for r in rows]}
    for column, key in SUMMARY_COLUMNS.items():
        table[column] = [plus_minus(r[key], r[key + "_std"]) for r in rows]
    table["runs"] = [r["runs"] for r in rows]
    table["diverged"] = [r["diverged"] for r in rows]
    return table



def summary_rows(results: list[dict], labels: list[str]) -> list[dict]:
    """One row per configuration: mean and standard deviation of each figure, best first."""
    rows = []
    for label in labels:
        mine = [r for r in results if r["label"] == label]
        if not mine:
            continue
        row = {"configuration": label, "runs": len(mine), "diverged": sum(bool(r["diverged"]) for r in mine)}
        for key in ("final_val_loss", "mae", "rmse", "r2"):
            values = np.array([r[key] for r in mine], dtype=float)
            row[key] = float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
            row[key + "_std"] = float(np.nanstd(values)) if np.isfinite(values).any() else math.nan
        rows.append(row)
    return sorted(rows, key=lambda r: (math.isnan(r["final_val_loss"]), r["final_val_loss"]))


def curve_band(results: list[dict], label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(epochs, mean, low, high)`` of one configuration's validation curves across seeds.

    Runs that stopped early or diverged have shorter curves; each epoch uses
    the runs that reached it.
    """
    mine = [r for r in results if r["label"] == label and r["eval_epochs"]]
    if not mine:
        empty = np.array([])
        return empty, empty, empty, empty
    epochs = np.array(sorted({e for r in mine for e in r["eval_epochs"]}))
    table = np.full((len(mine), len(epochs)), np.nan)
    for i, r in enumerate(mine):
        table[i, np.searchsorted(epochs, r["eval_epochs"])] = r["val_loss"]
    return epochs, np.nanmean(table, axis=0), np.nanmin(table, axis=0), np.nanmax(table, axis=0)


def linear_reference(split: Split) -> float:
    """Test MSE of scikit-learn's closed-form ``LinearRegression`` fit on the same training rows."""
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(split.X_train, split.y_train.ravel())
    diff = model.predict(split.X_test) - split.y_test.ravel()
    return float(np.mean(diff * diff))


def footnote_caption(results: list[dict]) -> str:
    """One line on whether the deep net beat the one-hidden-layer net, seed by seed."""
    by_seed = {}
    for r in results:
        by_seed.setdefault(r["seed"], {})[r["label"]] = r["final_val_loss"]
    pairs = [(s, v["deep"], v["one hidden layer"]) for s, v in sorted(by_seed.items())
             if "deep" in v and "one hidden layer" in v]
    if not pairs:
        return ""
    losses = [(s, d, o) for s, d, o in pairs if d > o]
    if losses:
        s, d, o = losses[0]
        return (f"As the book's footnote warns, depth is no guarantee: the deep net loses to the one-hidden-layer "
                f"net with {len(losses)} of {len(pairs)} seeds (seed {s}: {d:.2f} against {o:.2f}).")
    return (f"With these {len(pairs)} seeds the deep net beats the one-hidden-layer net every time; the book's "
            "footnote warns that small changes (another seed, learning rate or split) can reverse that.")


def results_csv(results: list[dict]) -> str:
    """Every run as a CSV row: configuration, seed, final figures, epochs, seconds, and its curve."""
    lines = ["configuration,seed,final_val_loss,mae,rmse,r2,epochs_run,seconds,diverged,val_loss_curve"]
    for r in sorted(results, key=lambda r: (r["label"], r["seed"])):
        curve = " ".join(f"{e}:{v:.6g}" for e, v in zip(r["eval_epochs"], r["val_loss"], strict=True))
        label = '"' + r["label"].replace('"', '""') + '"'
        lines.append(f"{label},{r['seed']},{r['final_val_loss']:.6g},{r['mae']:.6g},{r['rmse']:.6g},"
                     f"{r['r2']:.6g},{r['epochs_run']},{r['seconds']:.4f},{'yes' if r['diverged'] else 'no'},"
                     f"{curve}")
    return "\n".join(lines) + "\n"
