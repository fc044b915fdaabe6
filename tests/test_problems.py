"""The synthetic problems: reproducible draws, documented shapes, formulas and domains, features and grids."""

import numpy as np
import pytest

from scratchnet.data import MIN_ROWS, DataError, load_dataset, make_sine
from scratchnet.problems import (
    DEFAULT_FEATURES,
    FEATURES,
    GAUSSIAN_MIX_CENTRES,
    MAX_PROBLEM_ROWS,
    PROBLEMS,
    Problem,
    expand,
    get_problem,
    grid,
    make_problem,
    sine,
)

ONE_D = sorted(name for name, p in PROBLEMS.items() if p.dims == 1)
TWO_D = sorted(name for name, p in PROBLEMS.items() if p.dims == 2)
CLASSES = sorted(name for name, p in PROBLEMS.items() if p.kind == "classification")


def test_the_registry():
    assert set(PROBLEMS) == {"sine", "step", "abs", "plane", "gaussian-mix", "circle", "xor", "gaussians", "spirals"}
    assert ONE_D == ["abs", "sine", "step"]
    assert CLASSES == ["circle", "gaussians", "spirals", "xor"]
    for name, problem in PROBLEMS.items():
        assert problem.name == name and problem.title and problem.formula
        assert problem.kind in ("regression", "classification") and problem.dims in (1, 2)
        assert problem.domain == ((-6.0, 6.0) if problem.dims == 2 else (-3.0, 3.0))
        assert problem.target_name == ("class" if name in CLASSES else "y")
        assert (problem.n, problem.noise) == ((300, 0.1) if problem.dims == 1 else (500, 0.0))
    assert PROBLEMS["spirals"].title == "two spirals"
    with pytest.raises(DataError, match="unknown problem 'moons'; choose from"):
        get_problem("moons")
    with pytest.raises(ValueError, match="kind must be one of .* got 'ranking'"):
        Problem("x", "ranking", 2, "x", sine, "y")
    with pytest.raises(ValueError, match="dims must be 1 or 2, got 3"):
        Problem("x", "regression", 3, "x", sine, "y")
    with pytest.raises(AttributeError):
        PROBLEMS["sine"].n = 5  # frozen


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_each_problem_is_reproducible_from_its_seed(name):
    noise = 0.3
    a, b, c = (make_problem(name, 80, noise, seed) for seed in (4, 4, 5))
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X) and not np.array_equal(a.y, c.y)
    generator = np.random.default_rng(4)
    assert np.array_equal(make_problem(name, 80, noise, seed=generator).X, a.X)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_shapes_columns_and_ranges(name):
    problem = PROBLEMS[name]
    data = make_problem(name, n=123, noise=1.0, seed=2)
    assert data.name == name and data.y.shape == (123, 1) and data.target_name == problem.target_name
    assert data.X.dtype == np.float64 and data.y.dtype == np.float64
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    low, high = problem.domain
    if problem.dims == 1:
        assert data.X.shape == (123, 1) and data.feature_names == ["x"]
    else:
        assert data.X.shape == (123, len(FEATURES)) and data.feature_names == list(FEATURES)
    assert low <= data.X[:, : problem.dims].min() and data.X[:, : problem.dims].max() <= high
    default = make_problem(name)
    assert default.X.shape[0] == problem.n
    assert f"{problem.n} rows" in default.description and problem.title in default.description


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("n", [MIN_ROWS, 11, 500])
@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_classes_are_zero_and_one_both_present_and_balanced(name, n, noise):
    y = make_problem(name, n, noise, seed=3).y
    assert set(np.unique(y)) == {0.0, 1.0}
    assert int(y.sum()) == n - n // 2  # class 1 gets the odd row
    assert 0 < y[: n // 2].sum() < n // 2  # shuffled: not all of one class first


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_noise_changes_the_data(name):
    clean, noisy = make_problem(name, 200, 0.0, 1), make_problem(name, 200, 1.0, 1)
    assert not (np.array_equal(clean.X, noisy.X) and np.array_equal(clean.y, noisy.y))


@pytest.mark.parametrize("name, f", [("sine", np.sin), ("step", lambda x: (x >= 0) * 1.0), ("abs", np.abs)])
def test_one_d_formulas_and_their_noise(name, f):
    clean = make_problem(name, 1000, 0.0, seed=8)
    assert np.array_equal(clean.y, f(clean.X))
    noisy = make_problem(name, 5000, 0.5, seed=8)
    assert np.std(noisy.y - f(noisy.X)) == pytest.approx(0.5, rel=0.05)  # noise is the sd of N(0, 1) noise
    assert noisy.X.min() < -2.9 and noisy.X.max() > 2.9


def test_make_sine_draws_what_it_always_drew():
    """The old formula, with the same draws in the same order: x first, then the noise."""
    for n, noise, seed in [(300, 0.1, 0), (50, 0.7, 9), (12, 0.0, 3)]:
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3.0, 3.0, size=(n, 1))
        y = np.sin(x) + noise * rng.standard_normal((n, 1))
        old = make_sine(n, noise, seed)
        assert np.array_equal(old.X, x) and np.array_equal(old.y, y)
        assert old.feature_names == ["x"] and old.target_name == "y" and old.name == "sine"
        assert old.description == f"y = sin(x) + {noise:g} N(0,1), {n} rows"
        new = make_problem("sine", n, noise, seed)
        assert np.array_equal(new.X, x) and np.array_equal(new.y, y)
    assert np.array_equal(make_sine(40, 2.5, 1).y, sine(40, 2.5, np.random.default_rng(1))[1])  # noise > 1 still
    assert np.array_equal(load_dataset("sine").y, make_problem("sine").y)


def test_plane_and_gaussian_mix_formulas():
    plane = make_problem("plane", 400, 0.0, seed=1)
    assert np.allclose(plane.y[:, 0], (plane.X[:, 0] + plane.X[:, 1]) / 10, rtol=0, atol=1e-15)
    mix = make_problem("gaussian-mix", 2000, 0.0, seed=1)
    points = mix.X[:, :2]
    # TensorFlow Playground's rule: of the six bumps, the value of largest magnitude
    bumps = np.stack([s * np.clip(1 - np.hypot(points[:, 0] - cx, points[:, 1] - cy) / 2, 0, 1)
                      for cx, cy, s in GAUSSIAN_MIX_CENTRES], axis=1)
    largest = bumps[np.arange(len(points)), np.abs(bumps).argmax(axis=1)]
    assert np.allclose(mix.y[:, 0], largest, rtol=0, atol=1e-15)
    assert mix.y.min() < -0.8 and mix.y.max() > 0.8
    noisy = make_problem("plane", 2000, 1.0, seed=1)
    error = noisy.y[:, 0] - (noisy.X[:, 0] + noisy.X[:, 1]) / 10
    assert 0 < np.abs(error).max() <= 0.6  # two shifts of at most 3, divided by 10


def radius_of(data):
    return np.hypot(data.X[:, 0], data.X[:, 1])


def test_circle_xor_gaussians_spirals_shapes():
    circle = make_problem("circle", 1000, 0.0, seed=2)
    inner, r = circle.y[:, 0] == 1, radius_of(circle)
    assert r[inner].max() <= 2.5 and 3.5 <= r[~inner].min() and r[~inner].max() <= 5
    xor = make_problem("xor", 1000, 0.0, seed=2)
    product = xor.X[:, 0] * xor.X[:, 1]
    assert ((product > 0) == (xor.y[:, 0] == 1)).all()
    assert np.abs(xor.X[:, :2]).min() >= 0.3 and np.abs(xor.X[:, :2]).max() <= 5.3
    blobs = make_problem("gaussians", 2000, 0.0, seed=2)
    one = blobs.y[:, 0] == 1
    assert np.allclose(blobs.X[one, :2].mean(axis=0), [2, 2], atol=0.1)
    assert np.allclose(blobs.X[~one, :2].mean(axis=0), [-2, -2], atol=0.1)
    assert np.std(blobs.X[one, 0]) == pytest.approx(np.sqrt(0.5), rel=0.1)
    spirals = make_problem("spirals", 1000, 0.0, seed=2)
    r = radius_of(spirals)
    angle = np.arctan2(spirals.X[:, 0], spirals.X[:, 1])  # (r sin t, r cos t)
    t = 3.5 * np.pi * r / 5 + np.where(spirals.y[:, 0] == 1, 0.0, np.pi)
    assert r.max() <= 5 and np.allclose(np.cos(angle - t)[r > 1e-6], 1.0)


def test_classification_noise_moves_points_within_documented_bounds():
    clean, noisy = make_problem("circle", 500, 0.0, seed=6), make_problem("circle", 500, 1.0, seed=6)
    inner = noisy.y[:, 0] == 1
    assert radius_of(noisy)[inner].max() > 2.5  # noise blurs the gap ...
    assert np.abs(noisy.X[inner, :2]).max() <= 2.5 + 2.5  # ... by at most 2.5 per coordinate
    assert radius_of(clean)[clean.y[:, 0] == 1].max() <= 2.5
    spirals = make_problem("spirals", 500, 1.0, seed=6)
    assert radius_of(spirals).max() <= 5 + 0.5 * np.sqrt(2)
    blobs = make_problem("gaussians", 3000, 1.0, seed=6)
    assert np.abs(blobs.X[:, :2]).max() <= 6  # truncated to the square
    assert np.std(blobs.X[blobs.y[:, 0] == 1, 0]) > 1.5  # variance 4 before the truncation


def test_make_problem_refuses_bad_settings():
    for n in (MIN_ROWS - 1, MAX_PROBLEM_ROWS + 1, 50.0, True):
        with pytest.raises(DataError, match=rf"n must be a whole number from {MIN_ROWS} to {MAX_PROBLEM_ROWS}"):
            make_problem("xor", n=n)
    for noise in (-0.1, 1.5, float("nan"), "0.5"):
        with pytest.raises(DataError, match="noise must be a number from 0 to 1, got"):
            make_problem("xor", noise=noise)
    with pytest.raises(DataError, match="seed must be a whole number >= 0 or a numpy Generator, got -1"):
        make_problem("xor", seed=-1)
    with pytest.raises(DataError, match="unknown problem 'XOR'"):
        make_problem("XOR")
    assert make_problem("circle", n=MAX_PROBLEM_ROWS, noise=1).X.shape == (MAX_PROBLEM_ROWS, 7)


def test_expand_computes_the_features_by_hand():
    points = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -6.0]])
    x1, x2 = points[:, 0], points[:, 1]
    by_hand = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
               "sin x1": np.sin(x1), "sin x2": np.sin(x2)}
    assert list(FEATURES) == list(by_hand)
    assert np.array_equal(expand(points), np.column_stack(list(by_hand.values())))
    assert np.array_equal(expand(points, ["x1*x2", "x1"]), np.column_stack([x1 * x2, x1]))
    assert np.array_equal(expand(points, DEFAULT_FEATURES), points)
    assert expand(np.zeros((0, 2))).shape == (0, 7)


def test_expand_refuses_bad_input():
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['x3'\]"):
        expand(np.zeros((2, 2)), ["x1", "x3"])
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \[\]; choose one or more"):
        expand(np.zeros((2, 2)), [])
    with pytest.raises(TypeError, match="not the string 'x1'"):
        expand(np.zeros((2, 2)), "x1")
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\), got \(2, 3\)"):
        expand(np.zeros((2, 3)))


def test_a_datasets_features_are_selected_by_name():
    data = make_problem("circle", 50, 0.2, seed=1)
    chosen = data.select(["x1^2", "x2^2"])
    assert chosen.feature_names == ["x1^2", "x2^2"]
    assert np.array_equal(chosen.X, expand(data.X[:, :2], ["x1^2", "x2^2"]))


def test_grid_layout():
    g = grid(2, 3)
    assert np.array_equal(g, [[-6, -6], [0, -6], [6, -6], [-6, 0], [0, 0], [6, 0], [-6, 6], [0, 6], [6, 6]])
    r = 7
    g = grid("spirals", r)
    u = np.linspace(-6, 6, r)
    assert g.shape == (r * r, 2)
    z = (g[:, 0] + 10 * g[:, 1]).reshape(r, r)  # rows: x2, columns: x1
    for i2 in range(r):
        for i1 in range(r):
            assert z[i2, i1] == u[i1] + 10 * u[i2]
            assert np.array_equal(g[i2 * r + i1], [u[i1], u[i2]])
    assert np.array_equal(grid("step", 5), np.linspace(-3, 3, 5).reshape(-1, 1))
    assert np.array_equal(grid(1, 4), grid("sine", 4))
    assert grid("xor").shape == (50 * 50, 2)
    assert expand(grid("xor", 10), ["x1*x2"]).shape == (100, 1)


def test_grid_refuses_bad_arguments():
    for bad in (3, 0, True, 1.5):
        with pytest.raises(ValueError, match=r"name_or_dims must be a problem's name or 1 or 2, got"):
            grid(bad, 10)
    with pytest.raises(DataError, match="unknown problem 'moons'"):
        grid("moons", 10)
    for resolution in (1, 1001, 2.0, False):
        with pytest.raises(ValueError, match="resolution must be a whole number from 2 to 1000"):
            grid(2, resolution)


def test_a_network_predicts_a_whole_output_map_in_one_pass():
    from scratchnet import Dense, NeuralNetwork

    net = NeuralNetwork([Dense(4, "tanh"), Dense(1)], "sigmoid_cross_entropy", seed=2)
    Z = net.predict(expand(grid("circle", 30), ["x1", "x2", "x1*x2"])).reshape(30, 30)
    assert Z.shape == (30, 30)
    for row, column, point in [(0, 0, (-6, -6)), (0, 29, (6, -6)), (29, 0, (-6, 6))]:
        alone = net.predict(expand(np.array([point], dtype=float), ["x1", "x2", "x1*x2"]))[0, 0]
        assert Z[row, column] == pytest.approx(alone, rel=1e-12)
    assert len({Z[0, 0], Z[0, 29], Z[29, 0]}) == 3
