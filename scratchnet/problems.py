"""Synthetic problems: TensorFlow Playground's data sets and three 1-D curves, each reproducible from a seed.

``PROBLEMS`` names every problem. ``make_problem`` draws one as a
``Dataset``: a 2-D problem's ``X`` holds every input feature of
``FEATURES`` (``x1``, ``x2``, their squares, product and sines), so a caller
picks the features a network sees with ``Dataset.select``, the feature
engineering lesson of TensorFlow Playground. ``grid`` gives the points of
the input square (or line) in one array, so a network's output map is one
batched prediction.

The 2-D points lie in TensorFlow Playground's square ``[-6, 6]^2``; the
1-D inputs in ``[-3, 3]``. Classification targets are 0 and 1, with the two
classes equally often (one more of class 1 for an odd ``n``). ``noise``
runs from 0 (clean) to 1; for the 2-D problems 1 is TensorFlow
Playground's largest noise (its slider's 50 %), for the 1-D ones it is the
standard deviation of Gaussian noise added to ``y``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from .data import MIN_ROWS, DataError, Dataset

SQUARE = 6.0  # 2-D inputs lie in [-SQUARE, SQUARE]^2
LINE = 3.0  # 1-D inputs lie in [-LINE, LINE], make_sine's range
MAX_PROBLEM_ROWS = 5000
MAX_RESOLUTION = 1000  # points per axis of a grid: a 2-D grid has up to a million rows
KINDS = ("regression", "classification")
# noise 1 moves a circle or xor point by up to this much per coordinate, a plane or gaussian-mix target's
# point by up to TARGET_JITTER (TensorFlow Playground's jitter at its largest noise)
CLASS_JITTER = 2.5
TARGET_JITTER = 3.0

Generate: TypeAlias = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


# ----- 1-D regression ----------------------------------------------------------
def sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``y = sin(x) + noise * N(0, 1)`` for ``x`` uniform in [-3, 3].

    ``data.make_sine`` draws with this function: ``x`` ``(n, 1)`` first,
    then the noise ``(n, 1)`` (drawn for ``noise = 0`` too).

    Parameters
    ----------
    n : int
        Rows.
    noise : float
        The standard deviation of the Gaussian noise on ``y``.
    rng : numpy.random.Generator
        The source of every random number.

    Returns
    -------
    x : ndarray, shape (n, 1)
    y : ndarray, shape (n, 1)
    """
    x = rng.uniform(-LINE, LINE, size=(n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return x, y


def step(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw a unit step, ``y = 1`` for ``x >= 0`` and 0 below, plus ``noise * N(0, 1)``; ``x`` uniform in [-3, 3].

    Draws as ``sine`` does; returns ``x`` and ``y``, both ``(n, 1)``. A
    jump needs steep units: a sigmoid layer gets close with large weights.
    """
    x = rng.uniform(-LINE, LINE, size=(n, 1))
    y = (x >= 0).astype(np.float64) + noise * rng.standard_normal((n, 1))
    return x, y


def absolute(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``y = |x| + noise * N(0, 1)`` for ``x`` uniform in [-3, 3].

    Draws as ``sine`` does; returns ``x`` and ``y``, both ``(n, 1)``. Two
    ReLU units make it exactly: ``|x| = relu(x) + relu(-x)``.
    """
    x = rng.uniform(-LINE, LINE, size=(n, 1))
    y = np.abs(x) + noise * rng.standard_normal((n, 1))
    return x, y


# ----- 2-D regression ----------------------------------------------------------
def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's "plane": ``y = (x1 + x2) / 10`` for points uniform in [-6, 6]^2.

    Noise shifts the point a target is read at: ``y = (x1 + e1 + x2 + e2) / 10``
    with each ``e`` uniform in ``[-3 noise, 3 noise]``, so ``y`` lies in
    ``[-1.2 - 0.6 noise, 1.2 + 0.6 noise]``. Returns the points ``(n, 2)``
    and ``y`` ``(n, 1)``.
    """
    points = rng.uniform(-SQUARE, SQUARE, size=(n, 2))
    shifted = points + rng.uniform(-1.0, 1.0, size=(n, 2)) * (TARGET_JITTER * noise)
    return points, shifted.sum(axis=1, keepdims=True) / 10.0


# (x, y, sign) of TensorFlow Playground's six bumps, 4 apart across and 5 apart up and down
GAUSSIAN_MIX_CENTRES = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
                        (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def gaussian_mix(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's "multi gaussian": six bumps of height +1 or -1 over points uniform in [-6, 6]^2.

    ``y = sum_i s_i max(0, 1 - d_i / 2)``, ``d_i`` the distance to centre
    ``i`` of ``GAUSSIAN_MIX_CENTRES`` and ``s_i`` its sign; every bump has
    radius 2 and none overlaps another, so this is TensorFlow Playground's
    "the bump of largest magnitude" and ``y`` lies in [-1, 1]. Noise shifts
    the point a target is read at by ``e`` uniform in ``[-3 noise, 3 noise]``
    per coordinate, as for ``plane``. Returns the points ``(n, 2)`` and
    ``y`` ``(n, 1)``.
    """
    points = rng.uniform(-SQUARE, SQUARE, size=(n, 2))
    shifted = points + rng.uniform(-1.0, 1.0, size=(n, 2)) * (TARGET_JITTER * noise)
    y = np.zeros(n)
    for cx, cy, sign in GAUSSIAN_MIX_CENTRES:
        distance = np.hypot(shifted[:, 0] - cx, shifted[:, 1] - cy)
        y += sign * np.maximum(0.0, 1.0 - distance / 2.0)
    return points, y.reshape(-1, 1)


# ----- 2-D classification ------------------------------------------------------
def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's "circle": class 1 within radius 2.5 of the origin, class 0 on a ring.

    Class 1 has ``n - n // 2`` points at a radius uniform in [0, 2.5],
    class 0 ``n // 2`` at a radius uniform in [3.5, 5]; every angle is
    uniform in [0, 2 pi). Noise moves each point by ``e`` uniform in
    ``[-2.5 noise, 2.5 noise]`` per coordinate (redrawn where it would leave
    [-6, 6]^2) and keeps its class, so noise fills the gap between the
    classes and then mixes them. Returns the points ``(n, 2)``, in random
    order, and the classes ``(n, 1)``.
    """
    labels = _labels(n)
    low = np.where(labels == 1, 0.0, 3.5)
    high = np.where(labels == 1, 2.5, 5.0)
    radius = rng.uniform(low, high)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    clean = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    points = _jittered(clean, _uniform_jitter(rng, CLASS_JITTER * noise))
    return _shuffled(points, labels, rng)


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's "exclusive or": class 1 where ``x1 * x2 > 0``, class 0 where it is < 0.

    Each coordinate's size is uniform in [0.3, 5.3] (a gap of 0.6 along
    both axes), its sign picked at random: class 1 (``n - n // 2`` points)
    in the quadrants where the signs agree, class 0 (``n // 2``) where they
    differ. Noise moves each point by ``e`` uniform in
    ``[-2.5 noise, 2.5 noise]`` per coordinate (redrawn where it would leave
    [-6, 6]^2) and keeps its class. Returns the points ``(n, 2)``, in random
    order, and the classes ``(n, 1)``.
    """
    labels = _labels(n)
    size = rng.uniform(0.3, 5.3, size=(n, 2))
    first = rng.choice([-1.0, 1.0], size=n)
    second = np.where(labels == 1, first, -first)
    clean = size * np.column_stack([first, second])
    points = _jittered(clean, _uniform_jitter(rng, CLASS_JITTER * noise))
    return _shuffled(points, labels, rng)


def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's two Gaussian blobs: class 1 around (2, 2), class 0 around (-2, -2).

    Each coordinate is normal about its centre with variance
    ``0.5 + 3.5 noise`` (TensorFlow Playground's 0.5 to 4), truncated to
    [-6, 6]^2 (a point outside is drawn again). Clean, the blobs hardly
    touch; at noise 1 they overlap. Class 1 has ``n - n // 2`` points,
    class 0 ``n // 2``. Returns the points ``(n, 2)``, in random order, and
    the classes ``(n, 1)``.
    """
    labels = _labels(n)
    centres = np.where(labels[:, None] == 1, 2.0, -2.0) * np.ones((1, 2))
    sd = float(np.sqrt(0.5 + 3.5 * noise))
    points = _jittered(centres, lambda k: sd * rng.standard_normal((k, 2)))
    return _shuffled(points, labels, rng)


def spirals(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw TensorFlow Playground's two interleaved spirals, class 1 and class 0, each 1.75 turns out to radius 5.

    A point at fraction ``u`` (uniform in [0, 1]) of its spiral lies at
    radius ``r = 5 u`` and angle ``t = 3.5 pi u`` (class 1) or
    ``3.5 pi u + pi`` (class 0): ``(r sin t, r cos t)``. Noise moves each
    point by ``e`` uniform in ``[-noise / 2, noise / 2]`` per coordinate.
    Class 1 has ``n - n // 2`` points, class 0 ``n // 2``. Returns the
    points ``(n, 2)``, in random order, and the classes ``(n, 1)``.
    """
    labels = _labels(n)
    u = rng.uniform(0.0, 1.0, size=n)
    radius = 5.0 * u
    angle = 1.75 * 2.0 * np.pi * u + np.where(labels == 1, 0.0, np.pi)
    clean = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    points = _jittered(clean, _uniform_jitter(rng, noise / 2.0))
    return _shuffled(points, labels, rng)


def _labels(n: int) -> np.ndarray:
    """Return ``n - n // 2`` ones, then ``n // 2`` zeros, shape ``(n,)``."""
    return (np.arange(n) < n - n // 2).astype(np.float64)


def _uniform_jitter(rng: np.random.Generator, half_width: float) -> Callable[[int], np.ndarray]:
    """Return a function drawing ``(k, 2)`` numbers uniform in ``[-half_width, half_width]``."""
    return lambda k: rng.uniform(-1.0, 1.0, size=(k, 2)) * half_width


def _jittered(clean: np.ndarray, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """Return ``clean`` ``(n, 2)`` plus ``draw(n)``, drawing again for every row that leaves the square."""
    points = clean + draw(clean.shape[0])
    outside = np.abs(points).max(axis=1) > SQUARE
    while outside.any():
        points[outside] = clean[outside] + draw(int(outside.sum()))
        outside = np.abs(points).max(axis=1) > SQUARE
    return points


def _shuffled(points: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return ``points`` ``(n, 2)`` and ``labels`` as ``(n, 1)`` in one random order."""
    order = rng.permutation(points.shape[0])
    return points[order], labels[order].reshape(-1, 1)


# ----- the registry --------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One synthetic problem: what it is and how to draw it.

    Attributes
    ----------
    name : str
        Its key in ``PROBLEMS`` and its ``Dataset``'s name.
    kind : str
        ``"regression"`` or ``"classification"`` (targets 0 and 1).
    dims : int
        1 (inputs in [-3, 3]) or 2 (points in [-6, 6]^2).
    title : str
        A label for people, such as ``"two spirals"``.
    generate : callable
        ``generate(n, noise, rng)`` returns the points ``(n, dims)`` and the
        targets ``(n, 1)``, drawing every random number from the
        ``numpy.random.Generator`` ``rng``.
    formula : str
        One line for people: what the targets are.
    n : int
        The default number of rows.
    noise : float
        The default noise, in [0, 1].
    """

    name: str
    kind: str
    dims: int
    title: str
    generate: Generate
    formula: str
    n: int = 500
    noise: float = 0.0

    def __post_init__(self) -> None:
        """Check ``kind`` and ``dims``."""
        if self.kind not in KINDS:
            raise ValueError(f"a problem's kind must be one of {KINDS}, got {self.kind!r}")
        if self.dims not in (1, 2):
            raise ValueError(f"a problem's dims must be 1 or 2, got {self.dims!r}")

    @property
    def domain(self) -> tuple[float, float]:
        """Return ``(low, high)`` of every input coordinate: (-3, 3) in 1-D, (-6, 6) in 2-D."""
        half = SQUARE if self.dims == 2 else LINE
        return -half, half

    @property
    def target_name(self) -> str:
        """Return ``"class"`` for classification, ``"y"`` for regression."""
        return "class" if self.kind == "classification" else "y"


_LINE = "x uniform in [-3, 3]"
PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in (
        Problem("sine", "regression", 1, "sine", sine, f"y = sin(x) + noise N(0, 1), {_LINE}", n=300, noise=0.1),
        Problem("step", "regression", 1, "step", step, f"y = 1 for x >= 0, else 0, + noise N(0, 1), {_LINE}",
                n=300, noise=0.1),
        Problem("abs", "regression", 1, "absolute value", absolute, f"y = |x| + noise N(0, 1), {_LINE}",
                n=300, noise=0.1),
        Problem("plane", "regression", 2, "plane", plane, "y = (x1 + x2) / 10"),
        Problem("gaussian-mix", "regression", 2, "multi gaussian", gaussian_mix,
                "six bumps of height +1 or -1 and radius 2, y in [-1, 1]"),
        Problem("circle", "classification", 2, "circle", circle,
                "class 1 within radius 2.5 of the origin, class 0 on the ring from radius 3.5 to 5"),
        Problem("xor", "classification", 2, "exclusive or", xor, "class 1 where x1 * x2 > 0, class 0 where it is < 0"),
        Problem("gaussians", "classification", 2, "two gaussians", gaussians,
                "class 1 around (2, 2), class 0 around (-2, -2), variance 0.5 + 3.5 noise"),
        Problem("spirals", "classification", 2, "two spirals", spirals,
                "two interleaved spirals of 1.75 turns out to radius 5, one per class"),
    )
}


def get_problem(name: str) -> Problem:
    """Return ``PROBLEMS[name]``, or raise ``DataError`` naming the choices."""
    if not isinstance(name, str) or name not in PROBLEMS:
        raise DataError(f"unknown problem {name!r}; choose from {sorted(PROBLEMS)}")
    return PROBLEMS[name]


# ----- input features ------------------------------------------------------------
# name -> the feature as a function of the points (n, 2), giving (n,): TensorFlow Playground's seven inputs
FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin x1": lambda p: np.sin(p[:, 0]),
    "sin x2": lambda p: np.sin(p[:, 1]),
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")


def expand(points: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
    """Return the features ``names`` of 2-D points, one column each.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        The columns ``x1`` and ``x2``.
    names : sequence of str
        Keys of ``FEATURES``, in the order of the columns wanted; all seven
        by default.

    Returns
    -------
    ndarray, shape (n, len(names))
    """
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of feature names, not the string {names!r}")
    names = list(names)
    unknown = [f for f in names if f not in FEATURES]
    if unknown or not names:
        raise ValueError(f"unknown feature(s) {unknown}; choose one or more of {list(FEATURES)}")
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    out = np.empty((points.shape[0], len(names)))
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name](points)
    return out


# ----- data sets and grids ---------------------------------------------------------
def make_problem(
    name: str, n: int | None = None, noise: float | None = None, seed: int | np.random.Generator = 0
) -> Dataset:
    """Draw problem ``name`` as a ``Dataset``.

    Parameters
    ----------
    name : str
        A key of ``PROBLEMS``.
    n : int, optional
        Rows, from ``data.MIN_ROWS`` to ``MAX_PROBLEM_ROWS``; by default the
        problem's ``n`` (300 for the 1-D problems, 500 for the 2-D ones).
    noise : float, optional
        In [0, 1]; by default the problem's ``noise`` (0.1 for the 1-D
        problems, 0 for the 2-D ones). See each generator for its meaning.
    seed : int or numpy.random.Generator
        Seeds ``numpy.random.default_rng``; the same seed gives the same rows.

    Returns
    -------
    Dataset
        A 2-D problem's ``X`` ``(n, 7)`` holds every column of ``FEATURES``,
        in its order and named by it (pick some with ``Dataset.select``); a
        1-D problem's ``X`` ``(n, 1)`` is the column ``"x"``. ``y`` ``(n, 1)``
        is named ``"class"`` (0 or 1) or ``"y"``.
    """
    problem = get_problem(name)
    n = problem.n if n is None else n
    noise = problem.noise if noise is None else noise
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not MIN_ROWS <= n <= MAX_PROBLEM_ROWS:
        raise DataError(f"n must be a whole number from {MIN_ROWS} to {MAX_PROBLEM_ROWS}, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)) or not 0.0 <= noise <= 1.0:
        raise DataError(f"noise must be a number from 0 to 1, got {noise!r}")
    if not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise DataError(f"seed must be a whole number >= 0 or a numpy Generator, got {seed!r}")
    points, y = problem.generate(int(n), float(noise), np.random.default_rng(seed))
    if problem.dims == 2:
        X, names = expand(points), list(FEATURES)
    else:
        X, names = points, ["x"]
    where = "" if problem.dims == 1 else ", points in [-6, 6]^2"
    description = f"{problem.title} ({problem.kind}{where}): {problem.formula}; noise {float(noise):g}, {int(n)} rows"
    return Dataset(problem.name, X, y, names, problem.target_name, description)


def grid(name_or_dims: str | int, resolution: int = 50) -> np.ndarray:
    """Return evenly spaced points covering a problem's inputs, for one batched prediction of its output map.

    Each axis takes ``resolution`` values, ``numpy.linspace(low, high,
    resolution)`` over the problem's ``domain`` (both ends included).

    Parameters
    ----------
    name_or_dims : str or int
        A key of ``PROBLEMS``, or its ``dims`` (1 or 2).
    resolution : int
        Values per axis, from 2 to ``MAX_RESOLUTION``.

    Returns
    -------
    ndarray
        1-D: shape ``(resolution, 1)``, increasing. 2-D: shape
        ``(resolution**2, 2)``, row-major with ``x1`` varying fastest: row
        ``i2 * resolution + i1`` is ``(u[i1], u[i2])``, so a prediction
        ``(resolution**2, 1)`` reshaped to ``(resolution, resolution)`` has
        ``x2`` down its rows and ``x1`` along its columns (a heatmap's
        ``z``). A network trained on some ``FEATURES`` of the points takes
        ``expand(grid(...), names)``.
    """
    if isinstance(name_or_dims, str):
        problem = get_problem(name_or_dims)
        dims, (low, high) = problem.dims, problem.domain
    elif not isinstance(name_or_dims, bool) and name_or_dims in (1, 2):
        dims = int(name_or_dims)
        low, high = (-SQUARE, SQUARE) if dims == 2 else (-LINE, LINE)
    else:
        raise ValueError(f"name_or_dims must be a problem's name or 1 or 2, got {name_or_dims!r}")
    if (isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer))
            or not 2 <= resolution <= MAX_RESOLUTION):
        raise ValueError(f"resolution must be a whole number from 2 to {MAX_RESOLUTION}, got {resolution!r}")
    u = np.linspace(low, high, int(resolution))
    if dims == 1:
        return u.reshape(-1, 1)
    x1, x2 = np.meshgrid(u, u)  # (resolution, resolution): x1 along the columns, x2 down the rows
    return np.column_stack([x1.ravel(), x2.ravel()])
