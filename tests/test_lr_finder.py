"""The learning-rate finder: the range test (scratchnet.lr_finder), its playground logic, figure and panel."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plotly_json import page_figures
from streamlit.testing.v1 import AppTest

from playground.core.config import from_preset
from playground.core.run import LiveRun
from playground.figures.lr_finder import lr_finder_figure
from playground.logic import lr_finder as logic
from scratchnet.config import LEARNING_RATES, preset
from scratchnet.data import load_boston
from scratchnet.lr_finder import find_lr

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CASES = [(name, opt) for name in ("book-linear", "book-shallow", "book-deep") for opt in ("sgd", "momentum", "adam")]


@pytest.fixture(scope="module")
def boston():
    return load_boston()


def finder(config, split, **kwargs):
    return find_lr(config.build_network, config.build_optimizer(), split.X_train, split.y_train,
                   config.batch_size, config.seed, **kwargs)


def book(name="book-deep", **changes):
    config = preset(name, **changes)
    return config, config.split(load_boston())


def test_deterministic_for_a_seed_and_the_seed_matters():
    config, split = book()
    a, b, c = finder(config, split), finder(config, split), finder(replace(config, seed=7), split)
    for field in ("rates", "losses", "smoothed"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert (a.small_end, a.good_end, a.suggestion, a.stopped) == (b.small_end, b.good_end, b.suggestion, b.stopped)
    assert not np.array_equal(a.losses[:50], c.losses[:50])


def test_the_callers_network_is_unchanged_and_an_unbuilt_one_gives_the_factorys_result():
    config, split = book()
    net = config.build_network()
    unbuilt = find_lr(net, "sgd", split.X_train, split.y_train, 32, 1)
    assert not net.built  # not even built
    np.testing.assert_array_equal(unbuilt.losses, find_lr(config.build_network, "sgd", split.X_train, split.y_train,
                                                           32, 1).losses)
    net.build(split.X_train.shape[1])
    net.train_batch(split.X_train[:32], split.y_train[:32])  # some gradients and stored activations
    before = [p.copy() for p in net.params()]
    grads = [g.copy() for g in net.param_grads()]
    flat = net.flat()[0]
    built = find_lr(net, config.build_optimizer(), split.X_train, split.y_train, 32, 1)
    assert net.flat()[0] is flat
    for p, q in zip(net.params(), before, strict=True):
        assert p.tobytes() == q.tobytes()
    for g, h in zip(net.param_grads(), grads, strict=True):
        assert g.tobytes() == h.tobytes()
    # a built network's current weights are the copy's start, as start_params gives them
    again = find_lr(config.build_network, "sgd", split.X_train, split.y_train, 32, 1, start_params=before)
    np.testing.assert_array_equal(built.losses, again.losses)


def test_the_optimizer_passed_is_not_changed():
    config, split = book(optimizer="momentum")
    optim = config.build_optimizer()
    finder_result = find_lr(config.build_network, optim, split.X_train, split.y_train, 32, 1)
    assert finder_result.steps > 10
    assert optim.lr == config.lr and optim.net is None and optim.state == {}


@pytest.mark.parametrize("name, opt", CASES)
def test_zones_ordered_and_the_suggestion_inside_the_good_zone_on_the_scale(name, opt):
    config, split = book(name, optimizer=opt)
    r = finder(config, split)
    assert r.suggestion is not None and r.small_end is not None and r.good_end is not None
    assert r.rates[0] <= r.small_end < r.good_end <= r.rates[-1]
    assert r.good_end == r.rates[r.min_index]
    assert r.suggestion in LEARNING_RATES
    assert r.small_end <= r.suggestion <= r.good_end
    assert r.small_end <= r.raw_suggestion <= r.good_end
    assert np.all(np.diff(r.rates) > 0)
    np.testing.assert_allclose(r.rates[1:] / r.rates[:-1], (10.0 / 1e-5) ** (1 / 199))


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_the_book_net_on_boston_suggests_between_1e_4_and_1(opt):
    r = finder(*book(optimizer=opt))
    assert 1e-4 <= r.suggestion <= 1.0


def test_the_book_net_with_sgd_suggests_the_books_rate():
    assert finder(*book()).suggestion == 0.01


def test_the_stop_rule_on_divergence():
    config, split = book()
    r = finder(config, split)
    assert r.stopped == "diverged" and r.steps < 200
    running_min = np.minimum.accumulate(r.smoothed)
    assert np.all(r.smoothed[:-1] <= 4 * running_min[:-1])  # nothing before the stop broke the rule
    assert r.smoothed[-1] > 4 * running_min[-2]
    # a wilder range overflows the loss: the test ends there, and the overflow is recorded
    wild = finder(config, split, low=1e3, high=1e8, steps=50)
    assert wild.stopped in ("not finite", "diverged") and wild.steps < 50
    if wild.stopped == "not finite":
        assert not np.isfinite(wild.losses[-1]) and np.all(np.isfinite(wild.losses[:-1]))
    # a test that never diverges runs every step
    assert finder(config, split, low=1e-5, high=1e-3, steps=30).stopped == "completed"


def test_no_descent_means_no_suggestion():
    config, split = book()
    r = finder(config, split, low=1e3, high=1e8, steps=20)  # no descent: the first batch is the minimum
    assert r.suggestion is None and r.good_end is None
    assert "no suggestion" in logic.summary(r)
    assert lr_finder_figure(r)["layout"]["xaxis"]["type"] == "log"


def test_bad_arguments_raise():
    config, split = book()
    for kwargs in (dict(low=1.0, high=0.1), dict(steps=1), dict(beta=1.0), dict(diverge_factor=1.0)):
        with pytest.raises(ValueError):
            finder(config, split, **kwargs)


def test_the_playground_logic_and_figure(boston):
    config = replace(from_preset("book-deep"), early_stopping=False)
    run = LiveRun(config, boston)
    run.step(5.0)
    trained = [p.copy() for p in run.net.params()]
    r = logic.run_finder(run)
    assert all(p.tobytes() == q.tobytes() for p, q in zip(run.net.params(), trained, strict=True))
    np.testing.assert_array_equal(r.losses, finder(config, run.split).losses)  # from the starting weights
    assert logic.use_label(0.01) == "Use 0.01" and "Suggested: **0.01**" in logic.summary(r)
    fig = lr_finder_figure(r)
    assert fig["layout"]["xaxis"]["type"] == "log"
    rects = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    assert [(s["x0"], s["x1"]) for s in rects] == [(r.rates[0], r.small_end), (r.small_end, r.good_end),
                                                    (r.good_end, r.rates[-1])]
    assert [a["text"] for a in fig["layout"]["annotations"]][:3] == ["too small", "good", "diverging"]
    for trace in fig["data"]:
        assert np.all(np.isfinite(trace["y"])) and np.all(np.isfinite(trace["x"]))
    # a loaded model's run starts the finder from the model's weights
    model = config.build_network()
    model.build(13)
    model.flat()[0][:] *= 0.5
    run.adopt(model)
    loaded = logic.run_finder(run)
    expected = find_lr(config.build_network, config.build_optimizer(), run.split.X_train, run.split.y_train, 32,
                       config.seed, start_params=list(model.params()))
    np.testing.assert_array_equal(loaded.losses, expected.losses)
    assert not np.array_equal(loaded.losses, r.losses)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def start_weights(at):
    run = at.session_state["run"]
    net = run.config.build_network()
    net.build(run.split.X_train.shape[1])
    return [p.copy() for p in net.params()]


def test_the_panel_finds_a_rate_and_uses_it():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.select_slider(key="lr").set_value(0.1).run()
    button(at, "Step").click().run()
    assert at.session_state["run"].epoch == 1 and at.session_state["run"].config.lr == 0.1
    assert not any(b.label.startswith("Use ") for b in at.button)
    button(at, "Find a learning rate").click().run()
    assert not at.exception
    figures = [f for f in page_figures(at) if f["layout"]["title"]["text"] == "Loss against learning rate"]
    assert len(figures) == 1 and figures[0]["layout"]["xaxis"]["type"] == "log"
    assert any("Suggested: " in m.value for m in at.markdown)
    button(at, "Use 0.01").click().run()
    assert not at.exception
    run = at.session_state["run"]
    assert at.session_state["lr"] == 0.01 and run.config.lr == 0.01 and run.trainer.optim.lr == 0.01
    assert run.epoch == 0 and not run.net.built
    for p, q in zip(run.network.params(), start_weights(at), strict=True):
        assert p.tobytes() == q.tobytes()
    # the next epoch trains from those starting weights with the new rate
    button(at, "Step").click().run()
    assert at.session_state["run"].epoch == 1


def test_a_locked_rate_has_no_use_button_and_says_so():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["locked"] = ("lr",)
    button(at, "Find a learning rate").click().run()
    assert not at.exception
    assert not any(b.label.startswith("Use ") for b in at.button)
    assert any("fixed the learning rate" in c.value for c in at.caption)


def test_a_new_run_drops_the_result():
    at = AppTest.from_file(APP, default_timeout=60).run()
    button(at, "Find a learning rate").click().run()
    assert any(b.label.startswith("Use ") for b in at.button)
    at.session_state["seed"] = 123
    at.run()
    assert not any(b.label.startswith("Use ") for b in at.button)
    assert not [f for f in page_figures(at) if f["layout"]["title"]["text"] == "Loss against learning rate"]
