"""The playground's plain functions: configuration, run state, figure builders."""

from dataclasses import replace

import numpy as np
import pytest

from playground.core import session
from playground.core.config import from_preset, validate
from playground.core.run import LiveRun
from playground.figures import common
from playground.figures import playground as figures
from scratchnet.config import RunConfig
from scratchnet.data import load_boston, make_sine


@pytest.fixture(scope="module")
def boston():
    return load_boston()


def quick(**changes):
    """The book's deep preset without early stopping, with ``changes``."""
    return replace(from_preset("book-deep"), early_stopping=False, **changes)


def test_preset_config_builds_the_books_network():
    config = from_preset("book-shallow")
    net = config.build_network()
    assert [layer.neurons for layer in net.layers] == [13, 1]
    assert [type(layer.activation).__name__ for layer in net.layers] == ["Sigmoid", "Linear"]
    assert net.book_mode and net.seed == 20190501
    assert net.n_params(13) == 14 * 13 + 14


def test_the_random_number_mode_is_its_own_setting_not_the_presets_name():
    custom = RunConfig(preset="custom", hidden=((8, "relu"),), init="glorot")
    assert custom.build_network().book_mode and custom.build_network().layers[0].weight_init == "glorot"
    independent = RunConfig(preset="book-deep", sequence="independent")
    assert not independent.build_network().book_mode
    assert custom.run_key() != RunConfig(preset="custom", hidden=((8, "relu"),), init="glorot",
                                                sequence="independent").run_key()


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(features=()), "Choose at least one feature"),
        (dict(features=("RM", "XYZ")), "Unknown features"),
        (dict(hidden=((0, "relu"),)), "Layer 1: neurons must be between 1 and 256, got 0"),
        (dict(hidden=((4, "swish"),)), "unknown activation 'swish'"),
        (dict(lr=100.0), "Learning rate must be between"),
        (dict(batch_size=500), "Batch size must be between 1 and the 354 training rows, got 500"),
        (dict(epochs=6000), "Epochs must be between 1 and 5,000, got 6,000."),
        (dict(eval_every=60), "Evaluate every must be between 1 and the 50 epochs, got 60"),
        (dict(test_size=0.9), "Test fraction must be between"),
        (dict(optimizer="rmsprop"), "Unknown optimizer"),
        (dict(hidden=((4, "relu"),) * 9), "at most 8 hidden layers"),
    ],
)
def test_validate_names_each_problem(boston, changes, message):
    errors = validate(quick(**changes), 506, boston.feature_names)
    assert len(errors) == 1 and message in errors[0]


def test_valid_presets_have_no_errors(boston):
    for name in ("book-linear", "book-shallow", "book-deep"):
        assert validate(from_preset(name), 506, boston.feature_names) == []


def test_run_reproduces_the_book_and_records_history(boston):
    run = LiveRun(from_preset("book-deep"), boston)
    run.start()
    while run.status == "training":
        run.advance(0.05)
    assert run.status == "done" and run.epoch == 50
    assert [round(v, 3) for v in run.history.val_loss] == [44.143, 25.278, 22.339, 16.5, 14.655]
    assert run.history.eval_epochs == [10, 20, 30, 40, 50]
    assert round(run.history.mae[-1], 2) == 2.45


def test_stop_keeps_history_and_train_continues_the_same_run(boston):
    config = quick(epochs=400)
    straight = LiveRun(config, boston)
    straight.start()
    straight.advance(60)
    paused = LiveRun(config, boston)
    paused.start()
    paused.advance(0.01)
    paused.stop()
    first = paused.epoch
    assert 0 < first < 400 and paused.advance(1.0) == 0 and paused.epoch == first
    paused.start()
    paused.advance(60)
    assert paused.history.epochs == list(range(1, 401))
    assert paused.history.train_loss == straight.history.train_loss


def test_step_trains_exactly_one_epoch(boston):
    run = LiveRun(quick(), boston)
    assert run.step() == 1 and run.epoch == 1 and run.status == "stopped"
    assert run.step() == 1 and run.epoch == 2


def test_reset_restores_the_same_starting_weights(boston):
    run = LiveRun(quick(preset="custom", hidden=((6, "tanh"),)), boston)
    start = [p.copy() for p in run.current_params()]
    run.step()
    after_one = [p.copy() for p in run.net.params()]
    for _ in range(3):
        run.step()
    run.reset()
    assert run.epoch == 0 and run.history.epochs == []
    assert all(np.array_equal(a, b) for a, b in zip(run.current_params(), start, strict=True))
    run.step()
    assert all(np.array_equal(a, b) for a, b in zip(run.net.params(), after_one, strict=True))


def test_snapshot_zero_matches_the_weights_training_starts_from(boston):
    run = LiveRun(quick(), boston)
    start = run.snapshots[0].params
    other = LiveRun(quick(), boston)
    other.trainer.net.build(13)
    assert all(np.array_equal(a, b.astype(np.float32)) for a, b in zip(start, other.net.params(), strict=True))


def test_divergence_stops_with_advice_and_keeps_finite_weights(boston):
    run = LiveRun(quick(lr=10.0, epochs=300), boston)
    run.start()
    run.advance(30)
    assert run.status == "diverged" and "lower learning rate" in run.message
    assert all(np.isfinite(p).all() for p in run.net.params())
    assert len(run.history.epochs) == run.epoch


def test_snapshots_stay_bounded(boston):
    run = LiveRun(quick(epochs=1000, eval_every=100), boston)
    run.start()
    run.advance(120)
    epochs = [s.epoch for s in run.snapshots]
    assert len(epochs) <= run.max_snapshots
    assert epochs[0] == 0 and epochs == sorted(epochs) and epochs[-1] >= 950


def test_changing_hyperparameters_continues_and_architecture_starts_anew(boston):
    state = {}
    session.init_state(state)
    config = session.read_config(state)
    assert session.sync_run(state, config, boston) == ""
    run = state["run"]
    run.step()
    assert session.sync_run(state, replace(config, lr=0.1, optimizer="adam", epochs=80), boston) == ""
    assert state["run"] is run and run.trainer.optim.lr == 0.1 and run.config.epochs == 80
    notice = session.sync_run(state, replace(config, hidden=((5, "relu"),)), boston)
    assert "new run" in notice and state["run"] is not run and state["run"].epoch == 0


def test_layer_stack_editor():
    state = {}
    session.init_state(state)
    assert [state[f"neurons_{lid}"] for lid in state["layers"]] == [13, 13]
    session.add_layer(state, 5, "tanh")
    assert state["preset"] == "custom"
    last = state["layers"][-1]
    session.move_layer(state, last, -1)
    assert session.read_config(state).hidden == ((13, "sigmoid"), (5, "tanh"), (13, "sigmoid"))
    session.remove_layer(state, state["layers"][0])
    assert session.read_config(state).hidden == ((5, "tanh"), (13, "sigmoid"))
    state["preset"] = "book-linear"
    session.apply_preset(state)
    assert session.read_config(state).hidden == ()


# ----- figures ---------------------------------------------------------------------
def test_downsample_keeps_first_and_last():
    x = np.arange(5000)
    y = x * 2.0
    dx, dy = common.downsample(x, y, 500)
    assert len(dx) <= 500 and dx[0] == 0 and dx[-1] == 4999 and dy[-1] == 9998
    sx, _ = common.downsample(x[:10], y[:10], 500)
    assert len(sx) == 10


def test_loss_figure_caps_points_and_marks_eval_epochs():
    epochs = np.arange(1, 3001)
    fig = figures.loss_figure(epochs, 1 / epochs, [10, 20], [0.5, 0.4], log_y=True, total_epochs=3000)
    train, val = fig["data"]
    assert len(train["x"]) <= common.MAX_CURVE and train["x"][-1] == 3000
    assert list(val["x"]) == [10, 20] and "markers" in val["mode"]
    assert fig["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("trained, total, end", [(40, 2000, 50), (0, 2000, 10), (1000, 5000, 1200), (1090, 5000, 1200),
                                                 (1091, 5000, 1500), (40, 45, 45), (3000, 3000, 3000), (5, 50, 15)])
def test_the_loss_charts_epoch_axis_follows_the_epochs_trained(trained, total, end):
    """The axis was fixed to the configured epochs: an early stop at 40 of 2000 was a sliver at the left."""
    epochs = np.arange(1, trained + 1)
    fig = figures.loss_figure(epochs, 1 / np.maximum(epochs, 1), [], [], total_epochs=total)
    assert fig["layout"]["xaxis"]["range"] == [0, end]


def test_loss_figure_marks_eval_points_only_while_they_are_few():
    evals = np.arange(10, 3001, 10)  # 300 eval points
    few = figures.loss_figure([1, 2], [1.0, 0.5], evals[: figures.MAX_MARKED], evals[: figures.MAX_MARKED] * 0.0)
    many = figures.loss_figure([1, 2], [1.0, 0.5], evals, evals * 0.0)
    assert few["data"][1]["mode"] == "lines+markers" and many["data"][1]["mode"] == "lines"


def path_points(path: str) -> np.ndarray:
    """An outline shape's path ("Mx,yLx,y...Z") as its vertices, (n, 2)."""
    return np.array([[float(v) for v in p.split(",")] for p in path[1:-1].split("L")])


def test_histogram_outlines_count_every_weight_once_and_hover_tells_each_bin(boston):
    run = LiveRun(quick(), boston)
    params = run.current_params()
    edges = [figures.histogram_edges([p]) for p in params]
    fig = figures.weight_histograms(params, edges, 0)
    shapes, n_layers = fig["layout"]["shapes"], len(params) // 2
    assert len(shapes) == len(fig["data"]) == len(params)  # an outline and a hover trace per array
    for shape, trace, p, e in zip(shapes, fig["data"], params, edges, strict=True):
        xy = path_points(shape["path"])
        assert shape["type"] == "path" and shape["xref"] == trace["xaxis"] and shape["yref"] == trace["yaxis"]
        assert np.allclose(xy[[0, -1]], [[e[0], 0], [e[-1], 0]])  # closed along the axis
        counts = xy[1:-1:2, 1]
        assert int(counts.sum()) == p.size and np.array_equal(counts, xy[2:-1:2, 1])  # flat tops: each count once
        assert np.allclose(xy[1:-1:2, 0], e[:-1]) and np.allclose(xy[2:-1:2, 0], e[1:])  # touching bars
        assert np.array_equal(trace["y"], counts) and np.allclose(trace["x"], (e[:-1] + e[1:]) / 2)
        assert np.array_equal(np.asarray(trace["customdata"]), np.c_[e[:-1], e[1:]])
        assert trace["marker"]["opacity"] == 0 and "hovertemplate" in trace
    for row in range(n_layers):  # each count axis ends at a round number at or above its highest bar
        ax = "" if row == 0 else str(row + 1)
        top = fig["layout"][f"yaxis{ax}"]["range"][1]
        highest = max(path_points(shapes[k]["path"])[:, 1].max() for k in (2 * row, 2 * row + 1))
        assert highest <= top <= 4 / 3 * max(highest, 1) and top == figures.nice_ceiling(top)
    assert [shapes[2 * k]["xref"] for k in range(n_layers)] == ["x", *[f"x{k}" for k in range(2, n_layers + 1)]]
    assert shapes[1]["xref"] == shapes[0]["xref"]  # a layer's biases over its weights


def test_live_histograms_change_only_their_outlines_from_one_update_to_the_next(boston):
    run = LiveRun(quick(), boston)
    params = run.current_params()
    edges = [figures.histogram_edges([p]) for p in params]
    live_fig, idle_fig = (figures.weight_histograms(params, edges, 7, live=flag) for flag in (True, False))
    assert live_fig["layout"]["shapes"] == idle_fig["layout"]["shapes"]
    assert "epoch" not in live_fig["layout"]["title"]["text"] and "epoch 7" in idle_fig["layout"]["title"]["text"]
    assert len(live_fig["data"]) == len(params) // 2  # an empty trace per axis pair, the same at every epoch
    later = [p * 0.9 for p in params]
    assert figures.weight_histograms(later, edges, 8, live=True)["data"] == live_fig["data"]


def test_nice_ceiling_rounds_up_to_few_values():
    assert [figures.nice_ceiling(v) for v in (1, 1.1, 0.013, 47, 50, 51, 801, 9.5)] == [
        1, 1.2, 0.015, 50, 50, 60, 1000, 10]
    assert figures.nice_ceiling(0) == figures.nice_ceiling(float("nan")) == 1.0
    assert all(v <= figures.nice_ceiling(v) <= 4 / 3 * v for v in np.geomspace(1e-4, 1e6, 500))


def test_step_histogram_counts_like_numpy():
    values = np.array([-0.9, -0.1, 0.0, 0.2, 0.2, 0.95])
    edges = np.linspace(-1, 1, 5)
    x, y, bins = figures.step_histogram(values, edges)
    assert y[::2].tolist() == np.histogram(values, edges)[0].tolist() == [1, 1, 3, 1]
    assert x.tolist() == [-1, -0.5, -0.5, 0, 0, 0.5, 0.5, 1] and y.tolist() == [1, 1, 1, 1, 3, 3, 1, 1]
    assert bins.shape == (8, 2)


def test_pred_vs_actual_line_spans_the_data():
    rng = np.random.default_rng(0)
    actual = rng.normal(20, 5, 3000)
    predicted = actual + rng.normal(0, 3, 3000)
    fig = figures.pred_vs_actual(actual, predicted, np.c_[actual, actual], ["a", "b"])
    line, points = fig["data"]
    lo, hi = min(actual.min(), predicted.min()), max(actual.max(), predicted.max())
    assert line["x"][0] == lo and line["x"][-1] == hi and list(line["y"]) == list(line["x"])
    assert len(points["x"]) <= common.MAX_SCATTER
    assert np.allclose(points["marker"]["color"], np.abs(points["x"] - points["y"]))
    assert "customdata[1]" in points["hovertemplate"]


def test_network_diagram_draws_every_connection_by_sign():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[3.0], [-1.0]])
    fig = figures.network_diagram([W1, np.zeros((1, 2)), W2, np.zeros((1, 1))], ["x1", "x2"])
    lines = fig["layout"]["shapes"]
    assert {line["type"] for line in lines} == {"path"} and not [t for t in fig["data"] if t["mode"] == "lines"]
    segments = sum(line["path"].count("M") for line in lines)
    assert segments == 6  # every weight, the zero one too
    pos = sum(line["path"].count("M") for line in lines if line["line"]["color"] == common.POS_COLOUR)
    assert pos == 4  # 1.0, 0.5, 3.0 and the zero weight, drawn as the thinnest positive line
    thickest = max(lines, key=lambda line: line["line"]["width"])
    assert thickest["path"] == "M1,1.00000L2,0.00000"  # 3.0, the largest: from the first hidden neuron to the output


def test_sine_dataset_runs_in_the_playground():
    config = RunConfig(
        dataset="sine",
        preset="custom",
        hidden=((16, "tanh"),),
        optimizer="adam",
        lr=0.03,
        epochs=150,
        eval_every=10,
        batch_size=16,
    )
    run = LiveRun(config, make_sine())
    run.start()
    run.advance(60)
    assert run.status == "done" and run.history.r2[-1] > 0.8


def test_panel_shows_epoch_cards_full_precision_and_the_waiting_state(boston):
    from playground.core.slots import TrainingSlots
    from playground.logic.live import panel_html

    run = LiveRun(quick(epochs=20, eval_every=5), boston)
    run.start()
    run.advance(10)
    html = panel_html(run)
    assert 'data-testid="sn-epoch" title="20">20 / 20<' in html
    assert f'title="{run.history.val_loss[-1]!r}">{run.history.val_loss[-1]:.3f}<' in html
    slots = TrainingSlots(2)
    assert "waiting for a free training slot (0 of 2 in use, 0 waiting)" in panel_html(run, slots)
    assert "waiting" not in html


def test_histograms_of_a_thinned_out_snapshot_fall_back_to_the_current_weights(boston):
    from playground.logic.live import histogram_figure

    run = LiveRun(quick(), boston)
    run.start()
    run.advance(0.05)
    snap = run.snapshots[-1]
    fig, shown = histogram_figure(run, snap.epoch)
    assert shown == snap.epoch and fig["layout"]["title"]["text"].endswith(f"epoch {snap.epoch}")
    gone = max(s.epoch for s in run.snapshots) + 1  # not a snapshot
    fig, shown = histogram_figure(run, gone)
    assert shown == run.epoch
    counts = [int(np.asarray(trace["y"]).sum()) for trace in fig["data"]]  # (the hover points: a bin each)
    assert counts == [p.size for p in run.current_params()]


def test_live_count_axes_grow_while_training_and_fit_the_bars_again_once_stopped(boston):
    from playground.logic.live import histogram_figure

    run = LiveRun(quick(), boston)
    run.start()
    memory = {}
    tops = []
    for _ in range(6):
        run.advance(0.02)
        fig, _ = histogram_figure(run, live=True, memory=memory)
        axes = ["", *[str(k) for k in range(2, len(run.current_params()) // 2 + 1)]]
        tops.append([fig["layout"][f"yaxis{ax}"]["range"][1] for ax in axes])
    assert (np.diff(np.array(tops), axis=0) >= 0).all()  # never lower than before
    assert memory["count_tops"] == tops[-1]
    run.stop()
    idle, _ = histogram_figure(run, memory=memory)
    assert memory == {}  # stopped: forgotten
    fresh, _ = histogram_figure(run, live=True)  # no memory: the axes fit the bars
    assert idle["layout"]["yaxis"]["range"] == fresh["layout"]["yaxis"]["range"]
    shrunk = figures.weight_histograms(run.current_params(), [figures.histogram_edges([p]) for p in
                                                              run.current_params()], 1, True, count_tops=[1e6, 0])
    assert shrunk["layout"]["yaxis"]["range"][1] == 1e6  # never below an earlier top
