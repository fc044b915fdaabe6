"""Milliseconds per training epoch: scratchnet against a plain numpy loop, scikit-learn and PyTorch.

Every implementation trains the same network on the Boston training rows
(354 x 13, scaled as in the book) with plain SGD, lr 0.01, batches of 32
drawn from a fresh permutation each epoch. The plain numpy loop is the same
maths as scratchnet without classes, written to be as fast as plain numpy
allows; it is the practical floor, and every ratio is taken against it.

The implementations run round-robin inside each repeat (the starting one
rotates), so machine noise hits them alike; the table reports medians.

Run from anywhere::

    python bench/speed.py            # full run
    python bench/speed.py --quick    # smoke run with few repeats
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scratchnet import SGD, Dense, NeuralNetwork, Trainer  # noqa: E402
from scratchnet.data import load_boston, split_scale  # noqa: E402

LR = 0.01
BATCH = 32
NET_SEED = 20190501
SHUFFLE_SEED = 1
PLAIN = "plain numpy loop"

Runner = Callable[[int], None]
Flats = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Case:
    """One network to time.

    Attributes
    ----------
    key : str
        Short label used in the targets line, e.g. ``"book"``.
    title : str
        Heading printed above the table.
    hidden : tuple of int
        Widths of the sigmoid hidden layers; the output is 1 linear unit.
    repeats : int
        Timed repeats per implementation (the median is reported).
    epochs : int
        Epochs per repeat; a repeat's time is divided by this.
    warmup : int
        Untimed epochs each implementation trains first.
    target : float
        The largest acceptable ratio of scratchnet to the plain loop.
    """

    key: str
    title: str
    hidden: tuple[int, ...]
    repeats: int
    epochs: int
    warmup: int
    target: float


CASES = (
    Case("book", "(a) the book's net: 13 -> 13 sigmoid -> 13 sigmoid -> 1 linear", (13, 13), 31, 40, 10, 1.3),
    Case("wide", "(b) wide net: 13 -> 256 -> 256 -> 256 sigmoid -> 1 linear", (256, 256, 256), 31, 8, 2, 1.1),
)


# ----- the plain numpy loop ----------------------------------------------------
def init_params(sizes: list[int], seed: int) -> list[np.ndarray]:
    """Standard-normal ``W`` then ``B`` per layer, as scratchnet draws them.

    Parameters
    ----------
    sizes : list of int
        Input width, then every layer's width.
    seed : int
        Layer ``i`` draws from ``default_rng(SeedSequence(seed).spawn(L)[i])``.

    Returns
    -------
    list of ndarray
        ``[W1, B1, W2, B2, ...]`` with ``W`` of shape ``(n_in, n_out)`` and ``B`` of ``(1, n_out)``.
    """
    seeds = np.random.SeedSequence(seed).spawn(len(sizes) - 1)
    params = []
    for n_in, n_out, child in zip(sizes[:-1], sizes[1:], seeds, strict=True):
        rng = np.random.default_rng(child)
        params.append(rng.standard_normal((n_in, n_out)))
        params.append(rng.standard_normal((1, n_out)))
    return params


def flat_views(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Copy ``arrays`` into one flat buffer; return it and a same-shaped view into it per array."""
    flat = np.concatenate([a.ravel() for a in arrays])
    views, start = [], 0
    for a in arrays:
        views.append(flat[start : start + a.size].reshape(a.shape))
        start += a.size
    return flat, views


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """The framework's ``1 / (1 + exp(min(-z, 700)))``, computed in place in ``z``."""
    np.negative(z, out=z)
    np.minimum(z, 700.0, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.divide(1.0, z, out=z)


def sigmoid_grad(s: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The sigmoid's backward pass: ``s * (1 - s) * g`` for outputs ``s``, in the framework's order."""
    t = 1.0 - s
    t *= s
    t *= g
    return t


def epoch_two_hidden(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], grads: list[np.ndarray], flats: Flats
) -> float:
    """One epoch of a net with exactly two sigmoid hidden layers, unrolled; return the mean batch loss.

    ``X`` and ``y`` are already in this epoch's shuffled order. The book's net
    is small enough that Python overhead is most of the time, so this version
    names every array instead of looping over layers (about 4% faster). The
    gradients are views into ``flats[1]`` and the parameters into ``flats[0]``,
    so one in-place update of the flat buffers is the SGD step for all six.
    Element-wise operations run in the framework's order, so the weights match
    scratchnet's to the last bit.
    """
    W1, B1, W2, B2, W3, B3 = params
    dW1, dB1, dW2, dB2, dW3, dB3 = grads
    flat_p, flat_g = flats
    matmul, add_reduce = np.matmul, np.add.reduce  # local names: no global look-ups in the loop
    n, total = X.shape[0], 0.0
    for start in range(0, n, BATCH):
        xb = X[start : start + BATCH]
        m = xb.shape[0]
        z = xb @ W1
        z += B1
        a1 = sigmoid_(z)
        z = a1 @ W2
        z += B2
        a2 = sigmoid_(z)
        p = a2 @ W3
        p += B3
        d = p - y[start : start + BATCH]
        loss = float(add_reduce(d * d, axis=None)) / m
        g = 2.0 * d
        g /= m
        matmul(a2.T, g, out=dW3)
        add_reduce(g, axis=0, keepdims=True, out=dB3)
        g = sigmoid_grad(a2, g @ W3.T)
        matmul(a1.T, g, out=dW2)
        add_reduce(g, axis=0, keepdims=True, out=dB2)
        g = sigmoid_grad(a1, g @ W2.T)
        matmul(xb.T, g, out=dW1)
        add_reduce(g, axis=0, keepdims=True, out=dB1)
        flat_g *= LR
        flat_p -= flat_g
        total += loss * m
    return total / n


def epoch_any_depth(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], grads: list[np.ndarray], flats: Flats
) -> float:
    """``epoch_two_hidden`` for any number of sigmoid hidden layers, looping over the layers."""
    hidden = list(zip(params[0:-2:2], params[1:-2:2], strict=True))
    W_out, B_out = params[-2], params[-1]
    back = [(i, params[2 * i], grads[2 * i], grads[2 * i + 1]) for i in range(len(params) // 2 - 1, -1, -1)]
    flat_p, flat_g = flats
    n, total = X.shape[0], 0.0
    for start in range(0, n, BATCH):
        acts = [X[start : start + BATCH]]
        m = acts[0].shape[0]
        for W, B in hidden:
            z = acts[-1] @ W
            z += B
            acts.append(sigmoid_(z))
        p = acts[-1] @ W_out
        p += B_out
        d = p - y[start : start + BATCH]
        loss = float(np.add.reduce(d * d, axis=None)) / m
        g = 2.0 * d
        g /= m
        for i, W, dW, dB in back:
            np.matmul(acts[i].T, g, out=dW)
            np.add.reduce(g, axis=0, keepdims=True, out=dB)
            if i:
                g = sigmoid_grad(acts[i], g @ W.T)
        flat_g *= LR
        flat_p -= flat_g
        total += loss * m
    return total / n


def make_plain(X: np.ndarray, y: np.ndarray, sizes: list[int]) -> tuple[Runner, list[np.ndarray]]:
    """Set up the plain loop; return its runner and its parameter views ``[W1, B1, ...]``.

    Like scratchnet's Trainer, each epoch permutes the order the previous
    epoch left (``order = order[rng.permutation(n)]``), so both see the same rows.
    """
    flat_p, params = flat_views(init_params(sizes, NET_SEED))
    flat_g, grads = flat_views([np.zeros_like(p) for p in params])
    epoch = epoch_two_hidden if len(sizes) == 4 else epoch_any_depth
    rng = np.random.default_rng(SHUFFLE_SEED)
    order = np.arange(X.shape[0])

    def run(epochs: int) -> None:
        nonlocal order
        for _ in range(epochs):
            order = order[rng.permutation(order.shape[0])]
            epoch(X[order], y[order], params, grads, (flat_p, flat_g))

    return run, params


# ----- scratchnet, scikit-learn, PyTorch ---------------------------------------
def make_scratchnet(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], total_epochs: int) -> tuple[Runner, Trainer]:
    """Return a runner that trains ``epochs`` more epochs through ``Trainer.fit_iter``, and the trainer."""
    layers = [Dense(width, "sigmoid") for width in hidden] + [Dense(1, "linear")]
    net = NeuralNetwork(layers, "mse", seed=NET_SEED)
    trainer = Trainer(net, SGD(lr=LR))
    epochs_iter = trainer.fit_iter(
        X, y, None, None, epochs=total_epochs, eval_every=total_epochs, batch_size=BATCH, seed=SHUFFLE_SEED
    )

    def run(epochs: int) -> None:
        for _ in range(epochs):
            next(epochs_iter)

    return run, trainer


def make_sklearn(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...]) -> Runner:
    """Return a runner that trains an ``MLPRegressor`` one epoch per ``partial_fit``."""
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(
        hidden_layer_sizes=hidden,
        activation="logistic",
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        learning_rate_init=LR,
        batch_size=BATCH,
        alpha=0.0,
        shuffle=True,
        random_state=0,
    )
    target = y.ravel()

    def run(epochs: int) -> None:
        for _ in range(epochs):
            model.partial_fit(X, target)

    return run


def load_torch() -> ModuleType | None:
    """Return the ``torch`` module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_model(torch: ModuleType, sizes: list[int]) -> Any:
    """``nn.Sequential`` of Linear + Sigmoid (linear output), float64, starting from ``init_params``' weights."""
    nn = torch.nn
    params = init_params(sizes, NET_SEED)
    modules = []
    for i in range(0, len(params), 2):
        W, B = params[i], params[i + 1]
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(B.ravel().copy()))
        modules.append(linear)
        if i + 2 < len(params):
            modules.append(nn.Sigmoid())
    return nn.Sequential(*modules)


def make_torch(torch: ModuleType, X: np.ndarray, y: np.ndarray, sizes: list[int]) -> Runner:
    """Return a runner training the net with ``torch.optim.SGD`` and ``MSELoss`` on CPU tensors."""
    model = torch_model(torch, sizes)
    optim = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(SHUFFLE_SEED)
    n = X.shape[0]

    def run(epochs: int) -> None:
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            Xe, ye = Xt[perm], yt[perm]
            for start in range(0, n, BATCH):
                optim.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xe[start : start + BATCH]), ye[start : start + BATCH])
                loss.backward()
                optim.step()
                loss.item()

    return run


# ----- checking, timing, reporting ---------------------------------------------
def check_same_maths(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], epochs: int = 2) -> float:
    """Train scratchnet and the plain loop ``epochs`` epochs each; return the largest weight difference.

    Raises
    ------
    RuntimeError
        If the two disagree beyond rounding, so the loop would not be the same maths.
    """
    sizes = [X.shape[1], *hidden, 1]
    run_scratch, trainer = make_scratchnet(X, y, hidden, epochs)
    run_plain, params = make_plain(X, y, sizes)
    run_scratch(epochs)
    run_plain(epochs)
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(trainer.net.params(), params, strict=True))
    if not diff <= 1e-9:
        raise RuntimeError(f"the plain loop and scratchnet disagree after {epochs} epochs: max |diff| = {diff:g}")
    return diff


def time_round_robin(runners: dict[str, Runner], case: Case) -> dict[str, list[float]]:
    """Warm every runner up, then time ``case.repeats`` rounds of ``case.epochs`` epochs each.

    Returns
    -------
    dict
        Milliseconds per epoch of every repeat, per runner name.
    """
    for run in runners.values():
        run(case.warmup)
    names = list(runners)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(case.repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            runners[name](case.epochs)
            times[name].append((time.perf_counter() - start) * 1e3 / case.epochs)
    return times


def build_runners(case: Case, X: np.ndarray, y: np.ndarray, torch: ModuleType | None) -> dict[str, Runner]:
    """The implementations to time for ``case``, the plain loop first."""
    sizes = [X.shape[1], *case.hidden, 1]
    total = case.warmup + case.repeats * case.epochs
    runners = {PLAIN: make_plain(X, y, sizes)[0], "scratchnet": make_scratchnet(X, y, case.hidden, total)[0]}
    runners["scikit-learn MLPRegressor"] = make_sklearn(X, y, case.hidden)
    if torch is not None:
        runners["pytorch (CPU)"] = make_torch(torch, X, y, sizes)
    return runners


def table(times: dict[str, list[float]]) -> str:
    """A markdown table of median ms/epoch and the ratio to the plain loop."""
    base = statistics.median(times[PLAIN])
    rows = ["| implementation | ms/epoch (median) | ratio to plain numpy |", "|---|---:|---:|"]
    for name, values in times.items():
        med = statistics.median(values)
        rows.append(f"| {name} | {med:.3f} | {med / base:.2f}x |")
    return "\n".join(rows)


def spread(times: dict[str, list[float]]) -> str:
    """Interquartile ranges of each runner's ms/epoch and of its per-repeat ratio to the plain loop.

    The per-repeat ratio compares runs of the same round, so slow drifts of the machine cancel out of it.
    """
    parts = []
    for name, values in times.items():
        q1, _, q3 = statistics.quantiles(values, n=4)
        part = f"{name} {q1:.3f}-{q3:.3f} ms"
        if name != PLAIN:
            r1, _, r3 = statistics.quantiles([v / b for v, b in zip(values, times[PLAIN], strict=True)], n=4)
            part += f" (ratio per repeat {r1:.2f}-{r3:.2f}x)"
        parts.append(part)
    return "noise, interquartile ranges: " + "; ".join(parts)


def scaled(case: Case, scale: float) -> Case:
    """``case`` with its repeats multiplied by ``scale`` (at least 3)."""
    repeats = max(3, round(case.repeats * scale))
    return Case(case.key, case.title, case.hidden, repeats, case.epochs, case.warmup, case.target)


# ----- environment ---------------------------------------------------------------
def describe_environment(torch: ModuleType | None) -> list[str]:
    """Lines on Python, numpy, the BLAS thread pools and PyTorch's threads."""
    import sklearn

    lines = [
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs",
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}; {load_average()}",
        "OPENBLAS_NUM_THREADS="
        + os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")
        + ", OMP_NUM_THREADS="
        + os.environ.get("OMP_NUM_THREADS", "(unset)"),
    ]
    lines.extend(blas_lines())
    if torch is None:
        lines.append("pytorch: not installed, skipped")
    else:
        lines.append(
            f"pytorch {torch.__version__}: default intra-op threads = {torch.get_num_threads()} "
            "(left as is, not set to 1); float64 tensors, like numpy"
        )
    return lines


def load_average() -> str:
    """The 1-minute load average, a hint of what else the machine was doing."""
    try:
        return f"load average {os.getloadavg()[0]:.2f}"
    except OSError:
        return "load average unknown"


def blas_lines() -> list[str]:
    """One line per thread pool threadpoolctl sees, or a note when it is missing."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not importable: BLAS threads unknown"]
    lines = []
    for pool in threadpool_info():
        lines.append(
            f"thread pool: {pool.get('internal_api')} {pool.get('version')} ({pool.get('prefix')}), "
            f"{pool.get('num_threads')} threads"
        )
    return lines or ["threadpoolctl found no BLAS or OpenMP thread pool"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: ``--quick`` and ``--repeats-scale``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: a fifth of the repeats (at least 3)")
    parser.add_argument(
        "--repeats-scale", type=float, default=1.0, metavar="S", help="multiply every case's repeats by S"
    )
    args = parser.parse_args(argv)
    if not args.repeats_scale > 0:
        parser.error("--repeats-scale must be > 0")
    if args.quick:
        args.repeats_scale *= 0.2
    return args


def run_case(case: Case, X: np.ndarray, y: np.ndarray, torch: ModuleType | None) -> float:
    """Check, time and print one case; return scratchnet's ratio to the plain loop."""
    diff = check_same_maths(X, y, case.hidden)
    print(f"\n### {case.title}")
    print(f"Boston train rows {X.shape}, batch {BATCH}, SGD lr {LR}; {case.repeats} repeats x {case.epochs} epochs")
    print(f"check: plain loop vs scratchnet weights after 2 epochs, max |diff| = {diff:g}\n")
    times = time_round_robin(build_runners(case, X, y, torch), case)
    print(table(times))
    print("\n" + spread(times))
    return statistics.median(times["scratchnet"]) / statistics.median(times[PLAIN])


def main(argv: list[str] | None = None) -> None:
    """Run every case and print the tables and the targets line."""
    args = parse_args(argv)
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    torch = load_torch()
    data = split_scale(load_boston(), mode="book")
    X = np.ascontiguousarray(data.X_train, dtype=np.float64)
    y = np.ascontiguousarray(data.y_train, dtype=np.float64).reshape(-1, 1)
    print("\n".join(describe_environment(torch)))
    started = time.perf_counter()
    ratios = {case.key: run_case(scaled(case, args.repeats_scale), X, y, torch) for case in CASES}
    print(
        "\nNote: scikit-learn's loss is half the squared error, so its steps are half as large, and it starts "
        "from its own (Glorot) weights; only its timing is compared."
    )
    checks = [
        f"{case.key} net <= {case.target}x: {ratios[case.key]:.2f}x, {met(ratios[case.key], case.target)}"
        for case in CASES
    ]
    print("targets (scratchnet / plain numpy): " + "; ".join(checks))
    print(f"total time {time.perf_counter() - started:.1f} s; {load_average()}")


def met(ratio: float, target: float) -> str:
    """``"met"`` when ``ratio`` is at most ``target``, else ``"NOT met"``."""
    return "met" if ratio <= target else "NOT met"


if __name__ == "__main__":
    main()
