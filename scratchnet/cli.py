"""``python -m scratchnet train``: train from the command line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

from .data import LOADERS, DataError
from .experiment import PRESETS, RunConfig, parse_layers, preset, run
from .init import INITS
from .optimizers import OPTIMIZERS
from .serialization import save
from .trainer import TrainingDiverged, describe


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr, exit status 2."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"scratchnet: error: {message}\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _layers(text: str):
    try:
        return parse_layers(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m scratchnet", description="Train scratchnet networks.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train a network and report its validation loss")
    t.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="one of the book's chapter-3 models, with the book's settings (default book-deep)",
    )
    t.add_argument("--layers", type=_layers, help="e.g. 13:sigmoid,13:sigmoid,1:linear")
    t.add_argument("--dataset", help=f"{', '.join(LOADERS)} or PATH.csv")
    t.add_argument("--target", help="target column of a CSV dataset (default: its last column)")
    t.add_argument("--lr", type=_positive_float)
    t.add_argument("--batch-size", type=_whole(1, 1_000_000))
    t.add_argument("--epochs", type=_whole(1, 5000))
    t.add_argument("--eval-every", type=_whole(1, 5000))
    t.add_argument("--seed", type=_whole(0, 2**32 - 1))
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS))
    t.add_argument("--init", choices=sorted(INITS))
    t.add_argument("--early-stopping", action=argparse.BooleanOptionalAction, default=None)
    t.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    t.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    return parser


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The preset (book-deep unless --layers is given) with every given option applied."""
    if args.preset and args.layers:
        raise ValueError("give --preset or --layers, not both")
    if args.layers:
        config = RunConfig(layers=args.layers)
    else:
        config = preset(args.preset or "book-deep")
    changes = {
        "dataset": args.dataset,
        "target": args.target,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "epochs": args.epochs,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "optimizer": args.optimizer,
        "init": args.init,
        "early_stopping": args.early_stopping,
    }
    return replace(config, **{k: v for k, v in changes.items() if v is not None})


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    save_to = _save_path(parser, args.save) if args.save else None  # refused before any training
    try:
        config = config_from_args(args)
        on_epoch = None if args.json else _print_progress(config.epochs)
        result = run(config, on_epoch=on_epoch)
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
    """The file ``--save`` will write: numpy adds ``.npz`` to a name without it, so the name says so too."""
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
