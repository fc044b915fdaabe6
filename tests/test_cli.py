import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scratchnet import load
from scratchnet.cli import main

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "scratchnet", "train", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_book_deep_json_prints_the_books_numbers():
    out = cli("--preset", "book-deep", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"val_losses", "mae", "rmse", "r2", "epochs_run", "seconds"}
    assert [[e, round(v, 3)] for e, v in result["val_losses"]] == [
        [10, 44.143],
        [20, 25.278],
        [30, 22.339],
        [40, 16.5],
        [50, 14.655],
    ]
    assert round(result["mae"], 2) == 2.45 and round(result["rmse"], 2) == 3.83
    assert result["epochs_run"] == 50 and result["seconds"] > 0


def test_text_output_has_the_books_lines(capsys):
    assert main(["train", "--preset", "book-linear"]) == 0
    printed = capsys.readouterr().out
    assert "Validation loss after 10 epochs is 30.293" in printed
    assert "Mean absolute error: 3.52" in printed
    assert "Root mean squared error 5.01" in printed


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lr", "-1"], "argument --lr: Learning rate must be between 1e-05 and 10, got -1."),
            (["--momentum", "1"], "Momentum must be between 0 and 0.99, got 1."),
        (["--lr", "abc"], "not a number"),
        (["--epochs", "0"], "Epochs must be between 1 and 5,000, got 0."),
            (["--batch-size", "400"], "Batch size must be between 1 and the 354 training rows, got 400."),
        (["--layers", "x:relu"], "neurons must be a whole number"),
        (["--layers", "13:swish,1:linear"], "unknown activation 'swish'"),
        (["--layers", "13:relu,2:linear"], "output layer must have 1 neuron"),
        (["--preset", "book-deep", "--layers", "1:linear"], "not both"),
        (["--preset", "book-huge"], "invalid choice"),
        (["--dataset", "nope"], "unknown dataset 'nope'"),
        (["--dataset", "missing.csv"], "no such file"),
        (["--optimizer", "rmsprop"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message):
    out = cli(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.stderr


def test_csv_dataset_save_and_json(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = X @ [1.0, -2.0, 0.5] + 3
    path = tmp_path / "data.csv"
    lines = ["x1,price,x2,x3"] + [f"{a},{t},{b},{c}" for (a, b, c), t in zip(X, y, strict=True)]
    path.write_text("\n".join(lines))
    model = tmp_path / "m.npz"
    out = cli(
        "--layers",
        "1:linear",
        "--dataset",
        str(path),
        "--target",
        "price",
        "--epochs",
        "200",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--no-early-stopping",
        "--save",
        str(model),
        "--json",
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["epochs_run"] == 200 and result["r2"] > 0.99
    assert load(model).layers[0].input_width == 3


def test_divergence_exits_1_with_advice():
    out = cli("--preset", "book-deep", "--lr", "10", "--epochs", "200")
    assert out.returncode == 1
    assert "lower learning rate" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "adir.csv", "is a directory; give the path of a CSV file"),
    (lambda tmp: tmp / "loop.csv", "cannot read"),
    (lambda tmp: Path("/dev/zero.csv"), "no such file"),
])
def test_a_dataset_path_that_is_no_regular_file_is_one_clear_error(tmp_path, make, message):
    (tmp_path / "adir.csv").mkdir()
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    out = cli("--dataset", str(make(tmp_path)), "--epochs", "1")
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_a_device_is_refused_without_reading_it(tmp_path):
    """--dataset /dev/zero used to hang and grow to gigabytes: only regular files are read, and only so much."""
    from scratchnet.data import DataError, read_file_bytes

    with pytest.raises(DataError, match="/dev/zero is not a regular file"):
        read_file_bytes("/dev/zero")
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(DataError, match="is larger than 0 MB"):
        read_file_bytes(big, max_bytes=100)
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    out = cli("--dataset", str(link), "--epochs", "1")
    assert out.returncode == 2 and "is not a regular file" in out.stderr


def test_save_says_the_name_it_wrote_and_refuses_a_missing_folder_before_training(tmp_path):
    out = cli("--preset", "book-linear", "--epochs", "2", "--save", str(tmp_path / "adir.csv"))
    assert out.returncode == 0, out.stderr
    assert f"saved the model to {tmp_path / 'adir.csv.npz'}" in out.stdout and (tmp_path / "adir.csv.npz").is_file()
    out = cli("--preset", "book-linear", "--save", str(tmp_path / "no" / "such" / "m.npz"))
    assert out.returncode == 2 and "the folder" in out.stderr and "does not exist" in out.stderr
    assert "Traceback" not in out.stderr and "Validation loss" not in out.stdout  # refused before training
