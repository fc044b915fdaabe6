"""Datasets and the two ways to split and scale them.

Loaders return a ``Dataset`` with ``X`` ``(n, d)`` and ``y`` ``(n, 1)``.
``split_scale`` has two modes: ``"book"`` (one scaler over all rows, then
split, as the book does) and ``"proper"`` (split first, scaler fit on the
training rows only, so nothing about the test rows leaks into training).
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas and scikit-learn are imported by the functions that use them: not on `import scratchnet`
    import pandas as pd

# the project's datasets/ folder, which an installed package carries as scratchnet/datasets
DATA_DIR = next((d for d in (Path(__file__).resolve().parent / "datasets", Path(__file__).resolve().parent.parent /
                             "datasets") if (d / "boston_house_prices.csv").is_file()),
                Path(__file__).resolve().parent.parent / "datasets")
BOSTON_CSV = DATA_DIR / "boston_house_prices.csv"
BOOK_TEST_SIZE = 0.3
BOOK_SPLIT_SEED = 80718
MIN_ROWS = 10
MAX_COLUMNS = 500
MAX_ROWS = 100_000
MAX_FILE_BYTES = 64 * 2**20  # a CSV read from a path (the app's uploads are limited to 5 MB by Streamlit)


class DataError(ValueError):
    """A dataset cannot be used; the message names the problem."""


@dataclass
class Dataset:
    """Features ``X`` ``(n, d)``, target ``y`` ``(n, 1)`` and their names."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str
    description: str = ""

    def select(self, features: list[str]) -> Dataset:
        """Return a copy keeping only ``features`` (in the given order)."""
        unknown = [f for f in features if f not in self.feature_names]
        if unknown:
            raise DataError(f"unknown feature(s) {unknown}; this dataset has {self.feature_names}")
        if not features:
            raise DataError("choose at least one feature")
        idx = [self.feature_names.index(f) for f in features]
        return Dataset(self.name, self.X[:, idx], self.y, list(features), self.target_name, self.description)


@dataclass
class Split:
    """Train and test arrays after scaling; ``mean`` and ``scale`` are the scaler's, shape ``(d,)``."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray = field(repr=False)
    scale: np.ndarray = field(repr=False)
    train_rows: np.ndarray = field(repr=False)
    test_rows: np.ndarray = field(repr=False)


# ----- loaders ---------------------------------------------------------------
def load_boston(path: str | os.PathLike | None = None) -> Dataset:
    """Load the Boston housing data: 506 rows, 13 features, target MEDV ($1000s).

    The file's first line is ``506,13`` and its second the header.
    """
    import pandas as pd

    frame = pd.read_csv(BOSTON_CSV if path is None else path, skiprows=1)
    X = frame.iloc[:, :13].to_numpy(dtype=np.float64)
    y = frame.iloc[:, 13].to_numpy(dtype=np.float64).reshape(-1, 1)
    return Dataset(
        "boston",
        X,
        y,
        list(frame.columns[:13]),
        str(frame.columns[13]),
        "Boston housing (Harrison and Rubinfeld 1978); see datasets/README.md",
    )


def load_diabetes() -> Dataset:
    """scikit-learn's bundled diabetes data: 442 rows, 10 raw features, disease progression."""
    from sklearn.datasets import load_diabetes as _sk_diabetes

    bunch = _sk_diabetes(scaled=False)
    return Dataset(
        "diabetes",
        bunch.data.astype(np.float64),
        bunch.target.reshape(-1, 1).astype(np.float64),
        list(bunch.feature_names),
        "progression",
        "Diabetes (Efron et al. 2004), as bundled with scikit-learn",
    )


def make_sine(n: int = 300, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Make a noisy sine, ``y = sin(x) + noise * N(0, 1)`` for ``x`` uniform in [-3, 3].

    A straight line cannot follow it; one hidden layer can. The rows are
    ``problems.sine``'s, drawn from ``numpy.random.default_rng(seed)``: the
    same as ``problems.make_problem("sine", n, noise, seed)``, which takes
    a noise up to 1 only.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < MIN_ROWS:
        raise DataError(f"n must be a whole number >= {MIN_ROWS}, got {n!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise DataError(f"noise must be >= 0, got {noise}")
    from .problems import sine  # problems.py builds on this module

    x, y = sine(int(n), noise, np.random.default_rng(seed))
    return Dataset("sine", x, y, ["x"], "y", f"y = sin(x) + {noise:g} N(0,1), {n} rows")


def load_csv(source, target: str | None = None, name: str = "csv", max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """Load a user's CSV (a path, bytes or a file-like object) with ``target`` as y.

    Every other column is a feature. ``target=None`` takes the last column.
    The file is checked by ``csv_columns`` first, then cell by cell.

    Raises
    ------
    DataError
        With one message naming the first problem: any that ``csv_columns``
        finds, no such target column, non-numeric cells, missing or
        infinite values, fewer than ``MIN_ROWS`` rows or a constant target.
    """
    frame = _checked_frame(source, max_bytes)
    columns = [str(c) for c in frame.columns]
    target = columns[-1] if target is None else str(target)
    if target not in columns:
        raise DataError(f"no column named {target!r}; the columns are {columns}")
    numeric = _numeric_frame(frame)
    if len(numeric) < MIN_ROWS:
        raise DataError(f"the CSV has {len(numeric)} rows; at least {MIN_ROWS} are needed")
    y = numeric[target].to_numpy(dtype=np.float64)
    if np.ptp(y) == 0:
        raise DataError(f"the target column {target!r} is constant ({y[0]:g}); there is nothing to learn")
    features = [c for c in columns if c != target]
    X = numeric[features].to_numpy(dtype=np.float64)
    return Dataset(name, X, y.reshape(-1, 1), features, target, f"uploaded CSV, {len(y)} rows")


def csv_columns(source, max_bytes: int = MAX_FILE_BYTES) -> list[str]:
    """Return the column names of a CSV (a path, bytes or a file-like object) after checking its layout.

    These are all the checks that need no target: the ones an upload gets
    before its target is chosen, and the first ones ``load_csv`` makes.

    Raises
    ------
    DataError
        One message naming the first problem found: larger than
        ``max_bytes``, binary or UTF-16, not UTF-8, another separator than
        commas, more than ``MAX_COLUMNS`` columns, a row with another number
        of values than the header, no data rows or a single one, more than
        ``MAX_ROWS`` rows, an empty or unreadable file, fewer than two
        columns, or unnamed or duplicate column names.
    """
    return [str(c) for c in _checked_frame(source, max_bytes).columns]


def read_file_bytes(path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Return the bytes of the regular file at ``path``, at most ``max_bytes`` of them.

    Raises
    ------
    DataError
        For a path that does not exist, is a directory, a device (``/dev/zero`` never ends), a link
        loop or otherwise not a regular file, cannot be read, or holds more than ``max_bytes``.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"no such file: {path}") from None
    except OSError as exc:  # a link loop, a name too long, no permission
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise DataError(f"{path} is {kind}; give the path of a CSV file")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise DataError(f"{path} is larger than {max_bytes // 2**20} MB")
    return data


def _checked_frame(source, max_bytes: int) -> pd.DataFrame:
    """Return every cell of the CSV ``source`` as text, after the checks of ``csv_columns``."""
    content = _source_bytes(source, max_bytes)
    _check_rows(_decode(content, max_bytes))
    frame = _read_frame(content)
    if frame.shape[1] < 2:
        raise DataError(f"the CSV needs a target and at least one feature column, it has {frame.shape[1]} column(s)")
    columns = [str(c) for c in frame.columns]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise DataError(f"the CSV has duplicate column names: {dupes}")
    return frame


def _source_bytes(source, max_bytes: int) -> bytes:
    """Return the bytes of ``source``: a path (``str`` or ``PathLike``), bytes, or a binary or text file."""
    if isinstance(source, (str, os.PathLike)):
        return read_file_bytes(source, max_bytes)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(f"a CSV source must be a path, bytes or a file object, got {type(source).__name__}")


def _decode(content: bytes, max_bytes: int) -> str:
    """Return ``content`` as text, or raise ``DataError`` if it is too large, binary or not UTF-8."""
    if len(content) > max_bytes:
        raise DataError(f"the file is {len(content) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("this is not a readable CSV file: it is UTF-16 text; save it as UTF-8")
    if b"\x00" in content:
        raise DataError("this is not a readable CSV file: it holds binary data (a spreadsheet or an image?), not text")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start + 1}"
        raise DataError(f"this is not a readable CSV file: {where} is not UTF-8 text; save it as UTF-8") from None


def _check_rows(text: str) -> None:
    """Raise ``DataError`` for separator, column count and row count problems, found with the ``csv`` module."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            return  # _read_frame reports the empty file
        if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
            raise DataError("the header has a single column; separate the columns with commas, not ';', tabs or '|'")
        if len(header) > MAX_COLUMNS:
            raise DataError(f"the CSV has {len(header)} columns; at most {MAX_COLUMNS} are allowed")
        n_rows = 0
        for row in reader:
            if not row:
                continue
            n_rows += 1
            if len(row) != len(header):
                raise DataError(f"data row {n_rows} has {len(row)} values but the header names {len(header)} columns")
    except csv.Error as exc:
        raise DataError(f"this is not a readable CSV file ({exc})") from None
    if n_rows == 0:
        raise DataError(f"the CSV has a header but no data rows: it has 0 rows; at least {MIN_ROWS} are needed")
    if n_rows == 1:
        raise DataError(f"the CSV has a single data row; at least {MIN_ROWS} are needed")
    if n_rows > MAX_ROWS:
        raise DataError(f"the CSV has {n_rows} rows; at most {MAX_ROWS} are allowed")


def _read_frame(content: bytes) -> pd.DataFrame:
    """Read every cell as text; the first row is the header, kept exactly (duplicates too)."""
    import pandas as pd

    try:
        raw = pd.read_csv(io.BytesIO(content), header=None, dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"this is not a readable CSV file ({type(exc).__name__})") from None
    header = list(raw.iloc[0])
    for i, name in enumerate(header):
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"column {i + 1} has no name in the header row")
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = [name.strip() for name in header]
    return frame


def _numeric_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame``'s cells as numbers, or raise ``DataError`` for the first bad, missing or infinite one."""
    import pandas as pd

    out = {}
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() & frame[col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"column {col!r} has a non-numeric cell {frame[col].iloc[row]!r} in data row {row + 1}")
        missing = values.isna()
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0])
            raise DataError(f"column {col!r} has {int(missing.sum())} missing value(s), first in data row {row + 1}")
        if not np.isfinite(values.to_numpy(dtype=np.float64)).all():
            raise DataError(f"column {col!r} has an infinite value")
        out[col] = values
    return pd.DataFrame(out)


LOADERS = {"boston": load_boston, "diabetes": load_diabetes, "sine": make_sine}


def dataset_names() -> list[str]:
    """Return every name ``load_dataset`` knows: the ``LOADERS``, then the other synthetic problems."""
    from .problems import PROBLEMS

    return [*LOADERS, *(name for name in PROBLEMS if name not in LOADERS)]


def load_dataset(name: str, target: str | None = None) -> Dataset:
    """Load ``"boston"``, ``"diabetes"``, ``"sine"``, another synthetic problem, or the CSV file at a path.

    A synthetic problem's name is a key of ``problems.PROBLEMS``; it is
    drawn by ``problems.make_problem`` with its default rows and noise and
    seed 0. ``target`` names a CSV's target column (by default its last).
    """
    from .problems import PROBLEMS, make_problem

    if name in LOADERS:
        return LOADERS[name]()
    if name in PROBLEMS:
        return make_problem(name)
    if str(name).lower().endswith(".csv"):
        return load_csv(name, target, name=Path(name).stem)
    raise DataError(f"unknown dataset {name!r}; use one of {dataset_names()} or a path ending in .csv")


# ----- split and scale -------------------------------------------------------
def split_scale(
    data: Dataset,
    test_size: float = BOOK_TEST_SIZE,
    seed: int = BOOK_SPLIT_SEED,
    mode: str = "proper",
) -> Split:
    """Split ``data`` into train and test rows and standardise the features.

    Parameters
    ----------
    test_size : float
        Fraction of rows for the test set, in (0, 1).
    seed : int
        ``random_state`` of scikit-learn's ``train_test_split``.
    mode : "book" or "proper"
        ``"book"``: scaler fit on all rows, then split (the book's order).
        ``"proper"``: split, then scaler fit on the training rows only.
    """
    from sklearn.model_selection import train_test_split

    if mode not in ("book", "proper"):
        raise ValueError(f"mode must be 'book' or 'proper', got {mode!r}")
    test_size = float(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    n = data.X.shape[0]
    n_test = int(np.ceil(test_size * n))
    if n_test < 1 or n - n_test < 1:
        raise ValueError(f"test_size {test_size} leaves no rows on one side of {n} rows")
    rows = np.arange(n)
    train_rows, test_rows = train_test_split(rows, test_size=test_size, random_state=seed)
    fit_rows = rows if mode == "book" else train_rows
    mean = data.X[fit_rows].mean(axis=0)
    scale = data.X[fit_rows].std(axis=0)
    scale[scale == 0] = 1.0
    X = (data.X - mean) / scale
    return Split(X[train_rows], X[test_rows], data.y[train_rows], data.y[test_rows], mean, scale, train_rows, test_rows)
