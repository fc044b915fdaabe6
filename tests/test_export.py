"""The project installs as a package, and an exported script runs from any folder against it."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from playground.core import share
from playground.core.config import from_preset
from playground.core.run import LiveRun
from playground.logic.data import load_upload
from scratchnet.data import load_boston

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The project installed with pip into a folder of its own (its dependencies come from this environment)."""
    target = tmp_path_factory.mktemp("site")
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                          "--target", str(target), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert (target / "scratchnet" / "datasets" / "boston_house_prices.csv").is_file()
    assert (target / "bin" / "scratchnet").is_file()  # the console script
    return target


def run_script(site, folder: Path, text: str, *args: str):
    path = folder / "scratchnet_run.py"
    path.write_text(text)
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, cwd=folder,
                          timeout=300, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})


def mae_line(run) -> str:
    return f"Mean absolute error: {(run.restored or {'mae': run.history.mae[-1]})['mae']:.2f}"


def test_the_exported_script_runs_from_a_folder_outside_the_project(site, tmp_path):
    """It used to stop with ModuleNotFoundError: scratchnet when run from the Downloads folder."""
    config = replace(from_preset("book-deep"), epochs=30)
    out = run_script(site, tmp_path, share.script(config))
    assert out.returncode == 0, out.stderr
    run = LiveRun(config, load_boston())
    run.start()
    run.advance(60)
    assert mae_line(run) in out.stdout and "Validation loss after 30 epochs is" in out.stdout


def test_the_script_of_an_uploaded_csv_reads_the_csv_named_on_its_command_line(site, tmp_path):
    """It used to call load_dataset("csv:my_data") and stop with a DataError."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=120)
    lines = ["a,b,c,price"] + [",".join(f"{v:.5f}" for v in (*x, t)) for x, t in zip(X, y, strict=True)]
    content = ("\n".join(lines) + "\n").encode()
    (tmp_path / "my_data.csv").write_bytes(content)
    data = load_upload(content, "price", "my_data.csv")
    config = replace(from_preset("book-shallow"), dataset="csv:my_data", preset="custom", epochs=20, batch_size=16)
    text = share.script(config, "price")
    assert "python this_file.py PATH/TO/my_data.csv" in text and "pip install" in text
    missing = run_script(site, tmp_path, text)
    assert missing.returncode != 0 and "usage: python this_file.py PATH/TO/my_data.csv" in missing.stderr
    out = run_script(site, tmp_path, text, "my_data.csv")
    assert out.returncode == 0, out.stderr
    run = LiveRun(config, data)
    run.start()
    run.advance(60)
    assert mae_line(run) in out.stdout


def test_the_console_script_trains_the_books_net(site, tmp_path):
    out = subprocess.run([sys.executable, str(site / "bin" / "scratchnet"), "train", "--preset", "book-linear",
                          "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert '"epochs_run": 50' in out.stdout


def test_the_script_of_a_synthetic_problem_draws_the_same_points_and_trains_the_same_network(site, tmp_path):
    config = replace(from_preset("spirals-deep"), epochs=20, data_seed=5, noise=0.2, features=("x1", "x2", "sin x1"))
    out = run_script(site, tmp_path, share.script(config))
    assert out.returncode == 0, out.stderr
    data = config.load_data().select(list(config.features))
    run = LiveRun(config, data)
    run.start()
    run.advance(60)
    assert run.epoch == 20 and f"Validation loss after 20 epochs is {run.history.val_loss[-1]:.3f}" in out.stdout
