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

from playground.core.config import dataset_label, from_preset, validate
from playground.core.text import md
from scratchnet import Dataset, Trainer, TrainingDiverged, accuracy, classification_metrics, regression_metrics
from scratchnet.config import BOOK_SEED, RunConfig
from scratchnet.data import Split
from scratchnet.problems import PROBLEMS

MAX_CONFIGS, MAX_SEEDS = 6, 10
BOOK_MODELS = {"book-linear": "linear", "book-shallow": "one hidden layer", "book-deep": "deep"}
# on a synthetic problem the book's three models keep their layers and train as TensorFlow Playground
# trains: the book's SGD at 0.01 for 50 epochs leaves even the deep net near chance on the two-class
# problems, and the book's random sequence (with its scaler fit on every row) exists to reproduce the
# book's Boston numbers, which no problem has
PROBLEM_SETTINGS = {"optimizer": "adam", "lr": 0.03, "epochs": 300, "early_stopping": False,
                    "sequence": "independent"}
# what the playground's data settings give every configuration of a comparison
DATA_FIELDS = ("dataset", "features", "samples", "noise", "data_seed", "test_size")
# each run's figures on the test rows (and, for two classes, the training rows' accuracy), by kind
FIGURES = {"regression": ("final_val_loss", "mae", "rmse", "r2"),
           "classification": ("final_val_loss", "accuracy", "train_accuracy")}


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


def default_entries(dataset: str = "boston") -> list[Entry]:
    """The book's three chapter-3 models on ``dataset``: the book's settings, or on a problem ``PROBLEM_SETTINGS``.

    The labels are the same for every dataset ("linear", "one hidden layer", "deep"), so a choice of
    configurations survives a change of dataset.
    """
    extra = PROBLEM_SETTINGS if dataset in PROBLEMS else {}
    return [Entry(label, replace(from_preset(name), dataset=dataset, **extra)) for name, label in BOOK_MODELS.items()]


def on_data(entries: list[Entry], playground: RunConfig) -> list[Entry]:
    """Every entry on the playground's data: its dataset, features, a problem's samples, noise and data seed.

    A configuration added from the playground earlier keeps its network and training settings but follows
    the session's current dataset, so its loss (MSE or cross-entropy) always fits the data it is compared on.
    """
    data = {name: getattr(playground, name) for name in DATA_FIELDS}
    return [Entry(e.label, replace(e.config, **data)) for e in entries]


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
                "val_loss": self.val_loss, "final_val_loss": final, **self._figures(pred), "predictions": pred,
                "epochs_run": self.trainer.epoch, "seconds": self.seconds, "diverged": self.diverged}

    def _figures(self, pred: np.ndarray) -> dict[str, float]:
        """MAE, RMSE and R² of the test predictions, or for two classes the test and training accuracy."""
        s = self.task.split
        if self.task.config.kind != "classification":
            return regression_metrics(s.y_test, pred)
        if not np.isfinite(pred).all():
            return {"accuracy": math.nan, "train_accuracy": math.nan}
        train = self.net.predict(s.X_train)
        return {"accuracy": accuracy(s.y_test.ravel(), pred > 0),
                "train_accuracy": accuracy(s.y_train, train > 0) if np.isfinite(train).all() else math.nan}


def run_task(task: Task) -> dict:
    """Train one configuration with one seed; return its curve, figures and test predictions.

    Returns
    -------
    dict
        ``label``, ``seed``, ``eval_epochs`` (list of int), ``val_loss``
        (list of float: the configuration's loss, MSE or log loss),
        ``final_val_loss``, then by kind ``mae``, ``rmse`` and ``r2``
        (regression) or ``accuracy`` and ``train_accuracy`` (two classes,
        predicting class 1 where the logit is positive), ``predictions``
        (ndarray ``(n_test,)``: logits for two classes), ``epochs_run``,
        ``seconds`` and ``diverged`` (a message or ``""``).
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
    they finish), ``total`` (tasks), ``status`` ("running", "stopped" or "done"), ``kind`` ("regression" or
    "classification", the first entry's), ``y_test``, ``reference`` (the test loss of scikit-learn's linear
    model of the kind, ``linear_reference`` or ``logistic_reference``), ``reference_accuracy`` (two classes,
    else None), ``seconds`` and ``data`` (the dataset's name).
    """
    split = shared_split(entries, data, test_size)
    tasks = make_tasks(entries, seeds_for(BOOK_SEED, seeds), split)
    kind = entries[0].config.kind
    if kind == "classification":
        reference, reference_accuracy = logistic_reference(split)
    else:
        reference, reference_accuracy = linear_reference(split), None
    comparison = {"labels": [e.label for e in entries], "results": [], "total": len(tasks), "status": "running",
                  "kind": kind, "y_test": split.y_test, "reference": reference,
                  "reference_accuracy": reference_accuracy, "seconds": 0.0, "data": data.name}
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
    """How far the comparison got, on which data and how long it took (markdown: a CSV's name is escaped)."""
    state = {"done": "finished", "stopped": "stopped", "running": "interrupted"}[comparison["status"]]
    return (f"{len(comparison['results'])} of {comparison['total']} runs {state} in {comparison['seconds']:.1f} s "
            f"on {md(dataset_label(comparison['data']))}; runs take turns on the server's training slots.")


def settings_caption(dataset: str) -> str:
    """What the book's three models are on ``dataset``: the book's settings, or how a problem trains them."""
    if dataset not in PROBLEMS:
        return ("linear, one hidden layer and deep are the book's chapter-3 models with the book's settings "
                "(SGD, early stopping, the book's random sequence).")
    return ("On a synthetic problem, linear, one hidden layer and deep are the book's chapter-3 layers trained "
            "with Adam for 300 epochs, without early stopping, and with independent random streams (the "
            "scaler fit on the training rows only): with the book's SGD settings even the deep net stays "
            "near chance on the two-class problems, and the book's random sequence only reproduces the "
            "book's Boston numbers.")


# ----- summaries ---------------------------------------------------------------------
def number(value: float) -> str:
    """``value`` to three decimals, or to three significant digits below 0.1 (a 2-D problem's MSE can be 1e-5)."""
    return f"{value:.3f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3g}"


def plus_minus(mean: float, std: float, percent: bool = False) -> str:
    """``mean ± std``, or a dash when there is no value.

    Both to three decimals, or below 0.1 to three and two significant digits; as percentages to one decimal
    with ``percent``.
    """
    if math.isnan(mean):
        return "–"
    if percent:
        return f"{mean:.1%} ± {std:.1%}"
    return f"{mean:.3f} ± {std:.3f}" if max(abs(mean), abs(std)) >= 0.1 else f"{mean:#.3g} ± {std:.2g}"


# the summary table's columns by kind: column name -> key of a result
SUMMARY_COLUMNS = {
    "regression": {"validation MSE": "final_val_loss", "MAE": "mae", "RMSE": "rmse", "R²": "r2"},
    "classification": {"validation log loss": "final_val_loss", "test accuracy": "accuracy",
                       "train accuracy": "train_accuracy"},
}


# the line above the summary table, by kind
TABLE_HEADINGS = {
    "regression": "**Final figures on the test rows, best first** (mean ± standard deviation across seeds)",
    "classification": "**Final figures, best first** (mean ± standard deviation across seeds; the validation "
                      "log loss and the test accuracy on the test rows, the train accuracy on the training rows; "
                      "a point is predicted as class 1 where the network's logit is positive)",
}


def summary_table(results: list[dict], labels: list[str], kind: str = "regression") -> dict[str, list]:
    """The page's summary table, column name to values: each figure as mean ± std across seeds, best first.

    The columns are ``SUMMARY_COLUMNS[kind]``'s, then ``runs`` and ``diverged``; accuracies are percentages.
    """
    rows = summary_rows(results, labels, kind)
    table: dict[str, list] = {"configuration": [r["configuration"] for r in rows]}
    for column, key in SUMMARY_COLUMNS[kind].items():
        table[column] = [plus_minus(r[key], r[key + "_std"], "accuracy" in key) for r in rows]
    table["runs"] = [r["runs"] for r in rows]
    table["diverged"] = [r["diverged"] for r in rows]
    return table


def summary_rows(results: list[dict], labels: list[str], kind: str = "regression") -> list[dict]:
    """One row per configuration: mean and standard deviation of each of the kind's ``FIGURES``, best first.

    Best is the lowest mean validation loss (MSE, or log loss for two classes).
    """
    rows = []
    for label in labels:
        mine = [r for r in results if r["label"] == label]
        if not mine:
            continue
        row = {"configuration": label, "runs": len(mine), "diverged": sum(bool(r["diverged"]) for r in mine)}
        for key in FIGURES[kind]:
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


def accuracy_table(results: list[dict], labels: list[str]) -> tuple[list[int], dict[str, list[float]]]:
    """Every seed, and each configuration's test accuracy with each of them (nan where a run is missing)."""
    seeds = sorted({r["seed"] for r in results})
    found = {(r["label"], r["seed"]): r["accuracy"] for r in results}
    return seeds, {label: [found.get((label, s), math.nan) for s in seeds] for label in labels}


# ----- the reference line ------------------------------------------------------------
def linear_reference(split: Split) -> float:
    """Test MSE of scikit-learn's closed-form ``LinearRegression`` fit on the same training rows."""
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(split.X_train, split.y_train.ravel())
    diff = model.predict(split.X_test) - split.y_test.ravel()
    return float(np.mean(diff * diff))


def logistic_reference(split: Split) -> tuple[float, float]:
    """Test log loss and test accuracy of scikit-learn's ``LogisticRegression`` fit on the same training rows.

    scikit-learn's default L2 penalty (``C = 1``) keeps the weights finite on separable data, where an
    unpenalised fit would grow them without end; its logits are scored exactly as the networks' are
    (``scratchnet.classification_metrics``).
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=1000).fit(split.X_train, split.y_train.ravel())
    figures = classification_metrics(split.y_test, model.decision_function(split.X_test))
    return figures["log_loss"], figures["accuracy"]


def reference_caption(comparison: dict) -> str:
    """One line on the reference model: which scikit-learn model, fit how, and its test figures."""
    if comparison.get("kind", "regression") == "classification":
        return (f"Reference: scikit-learn's LogisticRegression (L2 penalty, C = 1) on the same split has test "
                f"log loss {number(comparison['reference'])} and test accuracy "
                f"{comparison['reference_accuracy']:.1%}: about the best a straight boundary on these features "
                "does (the dashed lines).")
    return (f"Reference: scikit-learn's closed-form LinearRegression on the same split has test MSE "
            f"{number(comparison['reference'])}.")


def footnote_caption(results: list[dict], kind: str = "regression") -> str:
    """One line on whether the deep net beat the one-hidden-layer net, seed by seed (by validation loss)."""
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
        measure = "validation log loss " if kind == "classification" else ""
        return (f"As the book's footnote warns, depth is no guarantee: the deep net loses to the one-hidden-layer "
                f"net with {len(losses)} of {len(pairs)} seeds (seed {s}: {measure}{_loss(d)} against {_loss(o)}).")
    return (f"With these {len(pairs)} seeds the deep net beats the one-hidden-layer net every time; the book's "
            "footnote warns that small changes (another seed, learning rate or split) can reverse that.")


def _loss(value: float) -> str:
    """A loss in a sentence: two decimals from 1 up (an MSE of Boston prices), else three significant digits."""
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3g}"


# the CSV's figure columns by kind: column -> key of a result
CSV_COLUMNS = {
    "regression": {"final_val_loss": "final_val_loss", "mae": "mae", "rmse": "rmse", "r2": "r2"},
    "classification": {"final_val_log_loss": "final_val_loss", "test_accuracy": "accuracy",
                       "train_accuracy": "train_accuracy"},
}


def results_csv(results: list[dict], kind: str = "regression") -> str:
    """Every run as a CSV row: configuration, seed, the kind's final figures, epochs, seconds, and its curve.

    Regression's figures are ``final_val_loss`` (MSE), ``mae``, ``rmse`` and ``r2``; two classes' are
    ``final_val_log_loss``, ``test_accuracy`` and ``train_accuracy``, and the curve is ``val_log_loss_curve``.
    """
    columns = CSV_COLUMNS[kind]
    curve_name = "val_log_loss_curve" if kind == "classification" else "val_loss_curve"
    lines = [",".join(["configuration", "seed", *columns, "epochs_run", "seconds", "diverged", curve_name])]
    for r in sorted(results, key=lambda r: (r["label"], r["seed"])):
        curve = " ".join(f"{e}:{v:.6g}" for e, v in zip(r["eval_epochs"], r["val_loss"], strict=True))
        label = '"' + r["label"].replace('"', '""') + '"'
        figures = ",".join(f"{r[key]:.6g}" for key in columns.values())
        lines.append(f"{label},{r['seed']},{figures},{r['epochs_run']},{r['seconds']:.4f},"
                     f"{'yes' if r['diverged'] else 'no'},{curve}")
    return "\n".join(lines) + "\n"
