"""What the Data page says and draws: dataset texts, statistics, figures and upload checks.

Plain functions on ``Dataset`` objects and on a session mapping, with no
Streamlit import, so tests can call them directly. Figures are plain
``{"data": [...], "layout": {...}}`` dicts with SVG traces only, like those
of ``playground.figures``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import replace

import numpy as np
import pandas as pd

from playground.core import session, text
from playground.core.config import DATASETS
from playground.figures.common import MAX_SCATTER
from scratchnet.data import Dataset, csv_columns, load_csv

STATS = ("mean", "std", "min", "25%", "50%", "75%", "max")
MAX_HEATMAP = 25  # columns in the correlation heatmap; the target plus the most correlated features
MAX_BINS = 50
MAX_NAME = 40

# ----- texts -------------------------------------------------------------------------
SOURCES = {
    "boston": (
        "**Boston housing.** Collected by David Harrison and Daniel Rubinfeld for their 1978 study "
        "*Hedonic prices and the demand for clean air* (Journal of Environmental Economics and Management 5, "
        "81–102). Each row is one census tract in the Boston area; the target is the median value of the "
        "homes there that their owners live in. The file in `datasets/` is the copy scikit-learn used to ship, "
        "and it is the data of chapter 3 of *Deep Learning from Scratch*, so the book's numbers come from it."
    ),
    "diabetes": (
        "**Diabetes.** 442 people with diabetes, each measured once at the start of a study (ten baseline "
        "values: age, sex, body mass index, average blood pressure and six blood serum measurements). The "
        "target is a number that rates how far the disease had progressed one year later. It comes from "
        "Efron, Hastie, Johnstone and Tibshirani, *Least Angle Regression* (Annals of Statistics, 2004), and "
        "scikit-learn includes it, so nothing is downloaded. The playground uses the raw values, not "
        "scikit-learn's pre-scaled ones; it standardises the features itself."
    ),
    "sine": (
        "**Sine.** Made up on the spot, not measured: 300 values of `x` drawn uniformly between −3 and 3 "
        "(with a fixed seed, so it is the same every time), and `y = sin(x)` plus a little Gaussian noise "
        "(standard deviation 0.1). No straight line can follow a wave, so a network without hidden layers "
        "does poorly here, while a single hidden layer of a few neurons fits it well."
    ),
}
CSV_SOURCE = (
    "**Your CSV** «{name}», loaded in this browser session. It is kept in memory only for this session (never "
    "written to disk) and disappears when the session ends. Column «{target}» is the target; every other "
    "column is a feature."
)
B_NOTE = (
    "**About column B.** B is not a plain measurement: it is 1000 · (Bk − 0.63)², where Bk is the share of "
    "Black residents in the town. Harrison and Rubinfeld put it in because they assumed that racial "
    "segregation affects what people pay for a home, so the column writes that assumption into any model "
    "fitted on it. The parabola around 63 % also throws information away: two towns with quite different "
    "shares can get the same B, so the real share cannot be read back from it. For these reasons "
    "scikit-learn deprecated its `load_boston` loader in version 1.0 and removed it in 1.2. We keep the "
    "column only because the book's results use all 13 features; you can drop B (or any other feature) "
    "below, and the playground then trains without it."
)
MEANINGS = {
    "boston": {
        "CRIM": "crimes per resident in the town",
        "ZN": "% of residential land zoned for lots larger than 25,000 sq. ft.",
        "INDUS": "% of the town's land used by businesses other than shops",
        "CHAS": "1 if the tract lies on the Charles River, 0 if not",
        "NOX": "nitric oxides in the air, parts per 10 million",
        "RM": "average number of rooms per home",
        "AGE": "% of owner-occupied homes built before 1940",
        "DIS": "weighted distance to five employment centres in Boston",
        "RAD": "index of how easily radial highways can be reached",
        "TAX": "property tax per $10,000 of a home's value",
        "PTRATIO": "number of pupils per teacher in the town",
        "B": "1000 · (Bk − 0.63)², Bk = share of Black residents (see the note above)",
        "LSTAT": "% of residents counted as of lower status",
        "MEDV": "median value of owner-occupied homes, in $1000s",
    },
    "diabetes": {
        "age": "age in years",
        "sex": "sex, coded 1 or 2",
        "bmi": "body mass index",
        "bp": "average blood pressure",
        "s1": "blood serum 1: total cholesterol (tc)",
        "s2": "blood serum 2: low-density lipoprotein, LDL",
        "s3": "blood serum 3: high-density lipoprotein, HDL",
        "s4": "blood serum 4: total cholesterol divided by HDL (tch)",
        "s5": "blood serum 5: (probably the log of) triglycerides (ltg)",
        "s6": "blood serum 6: blood sugar (glu)",
        "progression": "how far the disease progressed one year after the baseline measurements",
    },
    "sine": {"x": "input, uniform between −3 and 3", "y": "sin(x) plus Gaussian noise (sd 0.1)"},
}


def dataset_options(state: MutableMapping) -> list[str]:
    """The built-in datasets and this session's CSVs; an unknown ``state["dataset"]`` falls back to the first."""
    options = list(DATASETS) + [f"csv:{name}" for name in state.setdefault("uploads", {})]
    if state.get("dataset") not in options:
        state["dataset"] = options[0]
    return options


def about(name: str, data: Dataset) -> str:
    """Where dataset ``name`` comes from, as Markdown."""
    if name.startswith("csv:"):
        # the names as escaped text, not code spans: a backtick in a name would end a code span
        return CSV_SOURCE.format(name=text.md(name[4:]), target=text.md(data.target_name))
    return SOURCES.get(name, data.description)


def column_table(name: str, data: Dataset, features: list[str] | None) -> pd.DataFrame:
    """One row per column: its role, its meaning and whether the network uses it.

    ``features`` is ``state["features"]``: None means every feature is used.
    """
    meanings = MEANINGS.get(name, {})
    used = set(data.feature_names if features is None else features)
    rows = [
        {"column": f, "role": "feature", "meaning": meanings.get(f, "a column of your CSV"), "used": f in used}
        for f in data.feature_names
    ]
    target_meaning = meanings.get(data.target_name, "the target you chose")
    rows.append({"column": data.target_name, "role": "target", "meaning": target_meaning, "used": True})
    return pd.DataFrame(rows)


# ----- the feature selection, shared with the playground --------------------------------
def chosen_features(features: list[str] | None, names: list[str]) -> list[str]:
    """The features in use, in the dataset's order: all of ``names`` when ``features`` is None."""
    if features is None:
        return list(names)
    keep = set(features)
    return [n for n in names if n in keep]


def set_features(state: MutableMapping, picked: list[str], names: list[str]) -> None:
    """Store a new feature selection where the playground reads it, and leave the book preset.

    ``state["features"]`` becomes None when every feature is kept. The
    playground's own multiselect (``session.features_key``) is dropped so that it is
    rebuilt from ``state["features"]`` on the next visit.
    """
    if not isinstance(picked, (list, tuple)):
        raise TypeError(f"picked must be a list of feature names, got {type(picked).__name__}")
    if session.is_locked(state, "features"):
        return
    chosen = chosen_features(list(picked), names)
    new = None if chosen == list(names) else chosen
    if new != state.get("features"):
        state["features"] = new
        session.drop_feature_widget(state)
        session.mark_custom(state)


# ----- statistics ----------------------------------------------------------------------
def table(data: Dataset) -> tuple[list[str], np.ndarray]:
    """Every column, features then target: names and values ``(n, d + 1)``."""
    return [*data.feature_names, data.target_name], np.hstack([data.X, data.y])


def summary(data: Dataset) -> pd.DataFrame:
    """Mean, standard deviation (n - 1), min, quartiles and max of every column; one row per column."""
    names, values = table(data)
    q = np.percentile(values, [25, 50, 75], axis=0)
    stats = np.vstack([values.mean(axis=0), values.std(axis=0, ddof=1), values.min(axis=0), q, values.max(axis=0)])
    return pd.DataFrame(stats.T, index=pd.Index(names, name="column"), columns=list(STATS))


def correlation(data: Dataset) -> tuple[list[str], np.ndarray]:
    """Pearson correlations between all columns, the target last: names and matrix ``(d + 1, d + 1)``.

    A constant column has no correlation: its row and column are NaN.
    """
    names, values = table(data)
    centred = values - values.mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    varies = norms > 0
    z = centred / np.where(varies, norms, 1.0)
    matrix = np.clip(z.T @ z, -1.0, 1.0)
    matrix[~varies, :] = np.nan
    matrix[:, ~varies] = np.nan
    return names, matrix


def heatmap_columns(names: list[str], matrix: np.ndarray, limit: int = MAX_HEATMAP) -> list[int]:
    """Indices of the columns to show: all, or the target and the features most correlated with it."""
    if len(names) <= limit:
        return list(range(len(names)))
    strength = np.nan_to_num(np.abs(matrix[-1, :-1]), nan=-1.0)
    top = np.argsort(-strength, kind="stable")[: limit - 1]
    return [*sorted(int(i) for i in top), len(names) - 1]


def best_feature(data: Dataset) -> str:
    """The feature with the largest absolute correlation with the target (the first if none varies)."""
    _, matrix = correlation(data)
    strength = np.nan_to_num(np.abs(matrix[-1, :-1]), nan=-1.0)
    return data.feature_names[int(np.argmax(strength))]


def histogram(values: np.ndarray, max_bins: int = MAX_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``(b,)`` and edges ``(b + 1,)`` of ``values``; numpy's "auto" bins, at most ``max_bins``."""
    values = np.asarray(values, dtype=float).ravel()
    edges = np.histogram_bin_edges(values, bins="auto")
    if len(edges) - 1 > max_bins:
        edges = np.histogram_bin_edges(values, bins=max_bins)
    counts, edges = np.histogram(values, bins=edges)
    return counts, edges


def sample_rows(n: int, max_points: int = MAX_SCATTER, seed: int = 0) -> np.ndarray:
    """Sorted row indices: all ``n`` rows, or ``max_points`` of them drawn without replacement."""
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


# ----- uploads -----------------------------------------------------------------------------
def read_upload(content: bytes, max_bytes: int) -> list[str]:
    """Check an uploaded file's bytes and header; return its column names.

    The checks are ``scratchnet.data.csv_columns``'s, the same ones
    ``load_csv`` starts with, with the upload limit ``max_bytes``.

    Raises
    ------
    DataError
        One message naming the first problem found: too large, binary or
        UTF-16, not UTF-8, another separator than commas, too many columns
        or rows, rows with a different number of values than the header, no
        data rows or a single one, an empty or unreadable file, fewer than
        two columns, unnamed or duplicate columns.
    """
    return csv_columns(bytes(content), max_bytes)


def load_upload(content: bytes, target: str, file_name: str) -> Dataset:
    """The uploaded CSV as a Dataset with ``target`` as y, named after the file (``DataError`` if unusable)."""
    return load_csv(content, target, name=upload_name(file_name))


def upload_name(file_name: str) -> str:
    """A short dataset name from an uploaded file's name: no extension, at most ``MAX_NAME`` characters."""
    return str(file_name).rsplit(".", 1)[0].strip()[:MAX_NAME] or "data"


def same_data(a: Dataset, b: Dataset) -> bool:
    """Whether two datasets hold the same columns and values."""
    return (
        a.feature_names == b.feature_names
        and a.target_name == b.target_name
        and np.array_equal(a.X, b.X)
        and np.array_equal(a.y, b.y)
    )


def add_upload(uploads: MutableMapping, data: Dataset) -> str:
    """Store ``data`` in ``uploads`` under a free name and return it.

    The same data again keeps its name; different data with a taken name gets
    ``name-2``, ``name-3``..., so a run on the older file never silently
    continues on the new one.
    """
    name, k = data.name, 1
    while name in uploads and not same_data(uploads[name], data):
        k += 1
        name = f"{data.name}-{k}"
    uploads[name] = replace(data, name=name)
    return name
