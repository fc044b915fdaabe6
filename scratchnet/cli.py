"""``python -m scratchnet train``: train from the command line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .config import LIMITS, PRESETS, RunConfig, check, hidden_of, parse_layers, preset
from .data import DataError, dataset_names, load_dataset
from .experiment import run
from .init import INITS
from .optimizers import OPTIMIZERS
from .problems import PROBLEMS
from .serialization import save
from .trainer import TrainingDiverged, describe


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr, exit status 2."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"scratchnet: error: {message}\n")


def _setting(name: str) -> Callable[[str], float]:
    """Make an argparse type for the numeric setting ``name``, in the range ``LIMITS`` gives it."""
    limit = LIMITS[name]

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
        message = limit.problem(value)
        if message:
            raise argparse.ArgumentTypeError(message)
        return int(value) if limit.whole else value

    return parse


def _layers(text: str) -> list[tuple[int, str]]:
    try:
        return parse_layers(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def make_parser() -> argparse.ArgumentParser:
    """Build the parser of ``python -m scratchnet`` and its ``train`` command."""
    parser = _Parser(prog="python -m scratchnet", description="Train scratchnet networks.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train a network and report its validation loss")
    t.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="one of the book's chapter-3 models, with the book's settings (default book-deep)",
    )
    t.add_argument("--layers", type=_layers, help="e.g. 13:sigmoid,13:sigmoid,1:linear")
    t.add_argument("--dataset", help=f"{', '.join(dataset_names())} or PATH.csv")
    t.add_argument("--target", help="target column of a CSV dataset (default: its last column)")
    for name in ("lr", "momentum", "batch_size", "epochs", "eval_every", "seed", "weight_decay", "test_size", "samples",
                 "noise", "data_seed"):
        limit = LIMITS[name]
        t.add_argument(f"--{name.replace('_', '-')}", type=_setting(name),
                       help=f"{limit.label}, {limit.show(limit.low)} to {limit.show(limit.high)}")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS))
    t.add_argument("--init", choices=sorted(INITS))
    t.add_argument("--early-stopping", action=argparse.BooleanOptionalAction, default=None)
    t.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    t.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    return parser


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """Build the run's configuration: the preset (book-deep unless --layers is given) with every option given."""
    if args.preset and args.layers:
        raise ValueError("give --preset or --layers, not both")
    if args.layers:
        # a network of one's own: the book's settings with independent random streams
        config = preset("book-deep", hidden=hidden_of(args.layers), preset="custom", sequence="independent")
    else:
        config = preset(args.preset or "book-deep")
    names = ("dataset", "lr", "momentum", "batch_size", "epochs", "eval_every", "seed", "weight_decay", "test_size",
             "samples", "noise", "data_seed", "optimizer", "init", "early_stopping")
    config = replace(config, **{k: getattr(args, k) for k in names if getattr(args, k) is not None})
    if args.eval_every is None and config.eval_every > config.epochs:
        config = replace(config, eval_every=config.epochs)  # a short run is still evaluated at its end
    return config


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    save_to = _save_path(parser, args.save) if args.save else None  # refused before any training
    try:
        config = config_from_args(args)
        data = config.load_data() if config.dataset in PROBLEMS else load_dataset(config.dataset, args.target)
        problems = check(config, data.X.shape[0], data.feature_names)
        if problems:
            raise ValueError(" ".join(problems))
        on_epoch = None if args.json else _print_progress(config.epochs)
        result = run(config, data, on_epoch=on_epoch)
    except (ValueError, DataError) as exc:
        parser.error(str(exc))
    except TrainingDiverged as exc:
        print(f"scratchnet: {exc}", file=sys.stderr)
        return 1
    if save_to:
        try:
            save(result["net"], save_to)
        except OSError as exc:
            parser.error(f"cannot save to {save_to}: {exc.strerror or exc}")
    if args.json:
        keys = ("val_losses", "mae", "rmse", "r2", "epochs_run", "seconds")
        print(json.dumps({k: result[k] for k in keys}))
    else:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"Mean absolute error: {result['mae']:.2f}")
        print(f"Root mean squared error {result['rmse']:.2f}")
        print(f"R-squared {result['r2']:.3f}  ({result['epochs_run']} epochs in {result['seconds']:.2f} s)")
        if save_to:
            print(f"saved the model to {save_to}")
    return 0


def _save_path(parser, path: str) -> str:
    """Return the file ``--save`` will write: numpy adds ``.npz`` to a name without it, so the name does too."""
    target = Path(path)
    if target.suffix != ".npz":
        target = target.with_name(target.name + ".npz")
    if not target.parent.is_dir():
        parser.error(f"cannot save to {path}: the folder {target.parent} does not exist")
    if target.is_dir():
        parser.error(f"cannot save to {target}: it is a folder")
    return str(target)


def _print_progress(total: int):
    tty = sys.stderr.isatty()

    def on_epoch(report) -> None:
        if tty:
            print(
                f"\repoch {report.epoch}/{total}  train loss {report.train_loss:.3f}",
                end="",
                file=sys.stderr,
                flush=True,
            )
        if report.val_loss is not None:
            if tty:
                print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
            print(describe(report), flush=True)

    return on_epoch
