"""Compare configurations over several seeds: the runners (Streamlit-free), the summaries and the verdict.

Where the runs train is a setting, ``backend()``: the environment variable ``SCRATCHNET_COMPARE_BACKEND``.
"local" (the default) trains with ``run_sliced``: task after task in short turns on the server's
training slots, like every playground session, so a comparison takes its fair share of a class server.
A dask scheduler's address ("tcp://host:8786") sends the tasks to that cluster with ``run_dask``:
``run_task``, the same training in one go (a plain top-level function of plain arguments), on the
cluster's workers, results gathered as they finish. ``run_parallel`` runs ``run_task`` in joblib's
process pool (a script's way; the page does not use it).
"""

from __future__ import annotations

import math
import os
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


def playground_label(hidden) -> str:
    """The name of a network added from the playground: its hidden layers, e.g. "playground: 8 tanh → 4 relu"."""
    return "playground: " + (" → ".join(f"{n} {a}" for n, a in hidden) or "no hidden layer")


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


# ----- where the runs train ----------------------------------------------------------
BACKEND_VARIABLE = "SCRATCHNET_COMPARE_BACKEND"
DASK_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")


def backend(environ=None) -> str:
    """``SCRATCHNET_COMPARE_BACKEND``: "local" (unset or empty too) or a dask scheduler's address.

    Raises ValueError for anything else (a bare "host:8786" included: dask wants the scheme).
    """
    value = (os.environ if environ is None else environ).get(BACKEND_VARIABLE, "").strip() or "local"
    if value != "local" and not value.startswith(DASK_SCHEMES):
        raise ValueError(f"{BACKEND_VARIABLE} must be 'local' or a dask scheduler's address such as "
                         f"tcp://host:8786, got {value!r}")
    return value


def backend_caption(name: str) -> str:
    """Which backend trains the page's runs, in one sentence (markdown)."""
    if name == "local":
        return (f"Backend: local. Runs take turns on this server's training slots with everyone's training "
                f"(set `{BACKEND_VARIABLE}` to a dask scheduler's address to use a cluster).")
    return (f"Backend: the dask cluster at `{name}` (`{BACKEND_VARIABLE}`). Runs train on its workers, "
            "results arrive as they finish, and Stop cancels the runs not yet finished.")


def backend_setting(environ=None) -> tuple[str, str, list[str]]:
    """The backend (``backend``), the page's caption on it, and a list with the error when the setting is bad.

    A bad setting falls back to "local" with the error, so the page can say so and keep Run disabled.
    """
    try:
        name = backend(environ)
    except ValueError as exc:
        return "local", backend_caption("local"), [str(exc)]
    return name, backend_caption(name), []


def run_dask(tasks: list[Task], address: str, client=None, wait: float = 0.3) -> Iterator[dict | None]:
    """Run ``tasks`` with ``run_task`` on the dask cluster at ``address``; yield results as they finish.

    Yields None about every ``wait`` seconds while none arrives (a place to redraw or stop). Closing the
    iterator (Stop) cancels every future not yet gathered. ``client``: an open ``dask.distributed.Client``
    to use (left open), else one is opened on ``address`` and closed at the end.
    """
    from dask.distributed import Client, as_completed

    own = client is None
    if own:
        client = Client(address, set_as_default=False, timeout="10s")
    futures = client.map(run_task, tasks, pure=False)
    finished = as_completed(futures, loop=client.loop)
    try:
        while not finished.is_empty():
            if not finished.has_ready():
                started = time.perf_counter()
                while not finished.has_ready() and time.perf_counter() - started < wait:
                    time.sleep(0.02)
                if not finished.has_ready():
                    yield None
                    continue
            for future in finished.next_batch(block=False):
                yield future.result()
    finally:
        client.cancel([f for f in futures if not f.done()])
        del futures, finished
        if own:
            client.close()


def runner(name: str, tasks: list[Task], slots, budget: float) -> Iterator[dict | None]:
    """The backend's runner: ``run_sliced`` on ``slots`` for "local", else ``run_dask`` on that address."""
    return run_sliced(tasks, slots, budget) if name == "local" else run_dask(tasks, name)


# ----- one comparison, as the page runs it --------------------------------------------
def problems(entries: list[Entry], data: Dataset) -> list[str]:
    """Every reason the comparison cannot run on ``data``, one sentence each, named by configuration."""
    errors = [] if 2 <= len(entries) <= MAX_CONFIGS else [
        f"Choose between 2 and {MAX_CONFIGS} configurations; {len(entries)} chosen."]
    for e in entries:
        errors += [f"{e.label}: {m}" for m in validate(replace(e.config, features=None), data.X.shape[0],
                                                        data.feature_names)]
    return errors


def new_comparison(entries: list[Entry], seeds: int, data: Dataset, test_size: float,
                   backend_name: str = "local") -> tuple[dict, list[Task]]:
    """A comparison about to run, and its tasks: every entry with ``seeds`` seeds from the book's seed.

    The comparison is a dict (it lives in the session): ``labels``, ``results`` (``run_task``'s dicts, as
    they finish), ``total`` (tasks), ``status`` ("running", "stopped" or "done"), ``kind`` ("regression" or
    "classification", the first entry's), ``y_test``, ``reference`` (the test loss of scikit-learn's linear
    model of the kind, ``linear_reference`` or ``logistic_reference``), ``reference_accuracy`` (two classes,
    else None), ``seconds``, ``data`` (the dataset's name) and ``backend`` (``backend_name``: "local" or a
    dask scheduler's address).
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
                  "reference_accuracy": reference_accuracy, "seconds": 0.0, "data": data.name,
                  "backend": backend_name}
    return comparison, tasks


def advance(comparison: dict, tasks: list[Task], slots, budget: float) -> Iterator[None]:
    """Train the tasks on the comparison's backend (see ``runner``), filling in ``comparison``; yield after each turn.

    Ends when every task is done (status "done") or when another thread set the status to "stopped";
    closing it early (or its ending on Stop) closes the runner, which on dask cancels the pending runs.
    """
    started = time.perf_counter()
    outcomes = runner(comparison.get("backend", "local"), tasks, slots, budget)
    try:
        for outcome in outcomes:
            if comparison["status"] != "running":
                return  # Stop was pressed in another script run of this session
            comparison["seconds"] = time.perf_counter() - started
            if outcome is not None:
                comparison["results"].append(outcome)
            yield None
        comparison["status"] = "done"
    finally:
        outcomes.close()


def status_caption(comparison: dict) -> str:
    """How far the comparison got, on which data and how long it took (markdown: a CSV's name is escaped)."""
    state = {"done": "finished", "stopped": "stopped", "running": "interrupted"}[comparison["status"]]
    where = comparison.get("backend", "local")
    how = ("runs take turns on the server's training slots" if where == "local"
           else f"runs trained on the dask cluster at {md(where)}")
    return (f"{len(comparison['results'])} of {comparison['total']} runs {state} in {comparison['seconds']:.1f} s "
            f"on {md(dataset_label(comparison['data']))}; {how}.")


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


# ----- the verdict: two configurations paired by seed ------------------------------------
LOSS_WORDS = {"regression": "validation MSE", "classification": "validation log loss"}
RESAMPLES, BOOTSTRAP_SEED, LEVEL = 10_000, 0, 0.95
VERDICT_METHOD = (
    "How the verdict is made: runs of the two configurations with the same seed share the split and the "
    "starting data, so they are paired by seed and each seed gives one difference of the final validation "
    "loss. The interval is a percentile bootstrap: 10,000 resamples of those differences (drawn with "
    "replacement, numpy's `default_rng(0)`), the mean of each, and the 2.5th and 97.5th percentiles of the "
    "means; it is 95 % sure only as far as the seeds are a fair sample, and with few seeds it is too "
    "narrow if anything. The projection scales the interval's half-width by √(seeds now / seeds then), "
    "assuming the seeds' spread stays as it is. As the book's footnote warns, another learning rate or "
    "split can change the ranking: the verdict is about these settings on this split.")


def default_pair(labels: list[str]) -> tuple[str, str]:
    """The two configurations the verdict compares first: deep against one hidden layer, else the first two."""
    if "deep" in labels and "one hidden layer" in labels:
        return "deep", "one hidden layer"
    return labels[0], labels[1]


def forget_stale(state, keys: tuple[str, ...], labels: list[str]) -> None:
    """Drop the ``keys`` of ``state`` (a session) that hold a configuration not among ``labels``."""
    for key in [k for k in keys if k in state and state[k] not in labels]:
        del state[key]


def paired_differences(results: list[dict], first: str, second: str) -> dict:
    """``second``'s final validation loss minus ``first``'s at each seed both ran (above 0: ``first`` is better).

    Returns ``seeds`` (sorted), ``differences`` (ndarray, one per seed), ``unpaired`` (seeds only one of the
    two has finished) and ``not_finite`` (seeds where a run diverged or has no finite loss), the last two
    left out of the differences.
    """
    losses = {(r["label"], r["seed"]): r["final_val_loss"] for r in results if r["label"] in (first, second)}
    mine = {label: {s for lab, s in losses if lab == label} for label in (first, second)}
    both = sorted(mine[first] & mine[second])
    finite = [s for s in both if math.isfinite(losses[first, s]) and math.isfinite(losses[second, s])]
    return {"seeds": finite, "differences": np.array([losses[second, s] - losses[first, s] for s in finite]),
            "unpaired": sorted(mine[first] ^ mine[second]), "not_finite": [s for s in both if s not in finite]}


def bootstrap_interval(values: np.ndarray, resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED,
                       level: float = LEVEL) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``.

    ``resamples`` samples of ``len(values)`` values drawn with replacement (indices from
    ``np.random.default_rng(seed).integers(0, n, size=(resamples, n))``), the mean of each, and the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of those means (numpy's linear interpolation).
    """
    values = np.asarray(values, dtype=float)
    if not len(values):
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _short(value: float) -> str:
    """A difference in a sentence: two significant digits, whole numbers from 10 up."""
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:#.2g}"


def _seed_list(seeds: list[int]) -> str:
    return ", ".join(str(s) for s in seeds)


def verdict(results: list[dict], first: str, second: str, kind: str = "regression", resamples: int = RESAMPLES,
            seed: int = BOOTSTRAP_SEED) -> dict:
    """Whether ``first`` beats ``second``, seed by seed, with a bootstrap 95 % interval and one sentence.

    Returns the ``paired_differences`` (``second``'s loss minus ``first``'s) and ``first``, ``second``, ``n``,
    ``mean``, ``low``, ``high`` (``bootstrap_interval``), ``half_width`` ((high - low) / 2), ``first_wins``
    (seeds where ``first``'s loss is lower), ``clear`` (the interval leaves out 0), ``future`` (10 seeds, or
    twice as many from 10 up) and ``future_half_width`` (the half-width times sqrt(n / future)), and
    ``sentence`` (markdown; the names escaped).
    """
    pairs = paired_differences([] if first == second else results, first, second)
    d, n = pairs["differences"], len(pairs["differences"])
    low, high = bootstrap_interval(d, resamples, seed)
    mean = float(d.mean()) if n else math.nan
    half = (high - low) / 2 if n else math.nan
    future = MAX_SEEDS if n < MAX_SEEDS else 2 * n
    out = {**pairs, "first": first, "second": second, "n": n, "mean": mean, "low": low, "high": high,
           "half_width": half, "first_wins": int((d > 0).sum()), "clear": bool(n > 1 and (low > 0 or high < 0)),
           "future": future, "future_half_width": half * math.sqrt(n / future) if n else math.nan}
    loss, a, b = LOSS_WORDS[kind], md(first), md(second)
    if first == second:
        text = "Choose two different configurations for the verdict."
    elif n == 0:
        text = f"No seed has finished runs of both {a} and {b} yet, so there is nothing to pair."
    elif n == 1:
        text = (f"With one seed there is no interval: {a}'s {loss} is {_short(abs(mean))} "
                f"{'lower' if mean > 0 else 'higher'} than {b}'s at seed {pairs['seeds'][0]}; run more seeds "
                "to judge.")
    else:
        winner, loser = (a, b) if mean > 0 else (b, a)
        wins = out["first_wins"] if mean > 0 else int((d < 0).sum())
        lo, hi = (low, high) if mean > 0 else (-high, -low)  # the interval of the winner's lead
        spread = f"± {_short(half)} {loss} (95% CI {_short(lo)} to {_short(hi)})"
        narrower = (f"{future} seeds would narrow it to about ± {_short(out['future_half_width'])}"
                    + (" (more than this page runs)" if future > MAX_SEEDS else ""))
        if out["clear"]:
            text = (f"{winner} beats {loser} by {_short(abs(mean))} {spread}, in {wins} of {n} seeds; "
                    f"{narrower}.")
        else:
            text = (f"The difference between {a} and {b} is not clear with these {n} seeds: {winner}'s {loss} is "
                    f"lower by {_short(abs(mean))} on average, but the 95% CI of that lead runs from "
                    f"{_short(lo)} to {_short(hi)}, across 0 ({winner} lower in {wins} of {n} seeds); "
                    f"{narrower}.")
    if pairs["unpaired"]:
        text += f" Left out: seed {_seed_list(pairs['unpaired'])}, finished by only one of the two."
    if pairs["not_finite"]:
        text += f" Left out: seed {_seed_list(pairs['not_finite'])}, where a run diverged."
    out["sentence"] = text
    return out


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
