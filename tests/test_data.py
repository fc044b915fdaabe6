import hashlib

import numpy as np
import pytest

from scratchnet.data import (
    BOSTON_CSV,
    DataError,
    load_boston,
    load_csv,
    load_dataset,
    load_diabetes,
    make_sine,
    split_scale,
)


def good_csv(rows=12):
    lines = ["a,b,price"] + [f"{i},{i * i % 7},{2 * i + 1}" for i in range(rows)]
    return "\n".join(lines).encode()


def test_boston_file_and_loader():
    digest = hashlib.sha256(BOSTON_CSV.read_bytes()).hexdigest()
    assert digest == "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
    data = load_boston()
    assert data.X.shape == (506, 13) and data.y.shape == (506, 1)
    assert data.feature_names[11] == "B" and data.target_name == "MEDV"
    assert data.X[0, 0] == 0.00632 and data.y[0, 0] == 24.0


def test_diabetes_and_sine():
    d = load_diabetes()
    assert d.X.shape == (442, 10) and d.y.shape == (442, 1)
    s1, s2 = make_sine(100, seed=3), make_sine(100, seed=3)
    assert np.array_equal(s1.y, s2.y) and s1.X.min() >= -3 and s1.X.max() <= 3
    assert np.corrcoef(s1.X.ravel(), s1.y.ravel())[0, 1] < 0.9  # not a straight line


def test_load_csv_good(tmp_path):
    data = load_csv(good_csv(), target="price")
    assert data.X.shape == (12, 2) and data.feature_names == ["a", "b"]
    path = tmp_path / "x.csv"
    path.write_bytes(good_csv())
    assert load_dataset(str(path)).target_name == "price"


@pytest.mark.parametrize(
    "content, target, message",
    [
        (b"", "price", "the file is empty"),
        (b"\x00\xff\xfe\x89PNG\x00\x00binary", "price", "not a readable CSV|needs a target|non-numeric"),
        (good_csv(), "cost", "no column named 'cost'"),
        (
            good_csv().replace(b"\n3,2,7", b"\n3,two,7"),
            "price",
            "column 'b' has a non-numeric cell 'two' in data row 4",
        ),
        (good_csv().replace(b"\n3,2,7", b"\n3,,7"), "price", "column 'b' has 1 missing value"),
        (good_csv(5), "price", "the CSV has 5 rows; at least 10 are needed"),
        (b"a,price\n" + b"\n".join(b"%d,5" % i for i in range(12)), "price", "target column 'price' is constant"),
        (b"price\n" + b"\n".join(b"%d" % i for i in range(12)), "price", "needs a target and at least one feature"),
        (b"a,a,price\n" + b"\n".join(b"1,2,%d" % i for i in range(12)), "price", "duplicate column names"),
        (good_csv().replace(b"\n3,2,7", b"\n3,inf,7"), "price", "column 'b' has an infinite value"),
        (b"a,b,price\n", "price", "has 0 rows"),
        (b",b,price\n" + b"\n".join(b"1,2,%d" % i for i in range(12)), "price", "column 1 has no name"),
        (",".join(f"c{i}" for i in range(600)).encode() + b"\n" + b"1," * 599 + b"1", "c1", "600 columns; at most 500"),
    ],
)
def test_load_csv_errors(content, target, message):
    with pytest.raises(DataError, match=message):
        load_csv(content, target)


@pytest.mark.parametrize(
    "content, message, max_bytes",
    [
        (good_csv() + b"\n1,2,3,4", "data row 13 has 4 values but the header names 3 columns", 10_000),
        (good_csv().replace(b"a,b,price", b"a;b;price"), "separate the columns with commas", 10_000),
        (good_csv().replace(b"\n3,2,7", b"\n3,caf\xe9,7"), "byte 34 is not UTF-8 text", 10_000),
        (b"\xff\xfe" + good_csv(), "it is UTF-16 text", 10_000),
        (b"a,b,price\n1,2,3\n", "the CSV has a single data row; at least 10 are needed", 10_000),
        (good_csv(), "the file is 0.0 MB; the limit is 0 MB", 50),
    ],
)
def test_load_csv_makes_the_upload_checks_too(content, message, max_bytes):
    """One set of checks: the file-level ones the Data page's upload makes come from ``csv_columns``."""
    from scratchnet.data import csv_columns

    for check in (lambda: load_csv(content, "price", max_bytes=max_bytes), lambda: csv_columns(content, max_bytes)):
        with pytest.raises(DataError, match=message):
            check()


def test_load_csv_reads_binary_and_text_files_and_paths(tmp_path):
    import io

    path = tmp_path / "x.csv"
    path.write_bytes(good_csv())
    sources = [io.BytesIO(good_csv()), io.StringIO(good_csv().decode()), path, str(path), bytearray(good_csv())]
    for source in sources:
        assert load_csv(source, "price").X.shape == (12, 2)
    with pytest.raises(TypeError, match="a CSV source must be a path, bytes or a file object, got int"):
        load_csv(3, "price")


def test_unknown_dataset_and_feature():
    with pytest.raises(DataError, match="unknown dataset 'mnist'"):
        load_dataset("mnist")
    with pytest.raises(DataError, match=r"unknown feature\(s\) \['Z'\]"):
        load_boston().select(["RM", "Z"])
    assert load_boston().select(["RM", "LSTAT"]).X.shape == (506, 2)


def test_split_modes():
    data = load_boston()
    book = split_scale(data, mode="book")
    proper = split_scale(data, mode="proper")
    assert np.array_equal(book.test_rows, proper.test_rows)
    # proper: the training rows alone are standardised exactly
    assert np.allclose(proper.X_train.mean(axis=0), 0, atol=1e-12)
    assert not np.allclose(book.X_train.mean(axis=0), 0, atol=1e-3)
    with pytest.raises(ValueError, match="mode must be 'book' or 'proper'"):
        split_scale(data, mode="other")
    with pytest.raises(ValueError, match="test_size must be between 0 and 1, got 1.5"):
        split_scale(data, test_size=1.5)


def test_constant_feature_does_not_divide_by_zero():
    data = load_csv(b"k,x,y\n" + b"\n".join(b"1,%d,%d" % (i, i * 3) for i in range(12)), "y")
    split = split_scale(data)
    assert np.isfinite(split.X_train).all()


def test_import_scratchnet_loads_neither_pandas_nor_sklearn():
    import subprocess
    import sys
    from pathlib import Path

    code = "import scratchnet, sys; print('pandas' in sys.modules, 'sklearn' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == ["False", "False"]


def test_load_dataset_draws_the_synthetic_problems_with_their_defaults():
    from scratchnet.data import LOADERS, dataset_names
    from scratchnet.problems import PROBLEMS, make_problem

    assert list(LOADERS) == ["boston", "diabetes", "sine"]  # the loaders themselves are unchanged
    assert dataset_names() == ["boston", "diabetes", "sine", *(n for n in PROBLEMS if n != "sine")]
    for name in PROBLEMS:
        data, again = load_dataset(name), make_problem(name)
        assert np.array_equal(data.X, again.X) and np.array_equal(data.y, again.y) and data.name == name
    sine = load_dataset("sine")
    assert sine.description == make_sine().description and np.array_equal(sine.X, make_sine().X)
    assert load_dataset("boston").X.shape == (506, 13) and load_dataset("diabetes").X.shape == (442, 10)
    with pytest.raises(DataError, match=r"unknown dataset 'moons'; use one of \['boston', .*'spirals'\]"):
        load_dataset("moons")
