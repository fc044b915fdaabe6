"""The synthetic problems in the playground: the output view, every neuron's picture and formula, the cards, links."""

import base64
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plotly_json import board_figures, board_update
from streamlit.testing.v1 import AppTest

from playground.core import share
from playground.core.config import PROBLEM_PRESETS, from_preset
from playground.core.run import LiveRun
from playground.figures import png
from playground.logic import live, pictures
from scratchnet import explain
from scratchnet.problems import PROBLEMS, expand, grid

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def trained(name: str, epochs: int = 5) -> LiveRun:
    config = replace(from_preset(name), epochs=epochs)
    data = config.load_data()
    run = LiveRun(config, data if config.features is None else data.select(list(config.features)))
    run.start()
    run.advance(60.0)
    return run


def decode_png(uri: str) -> np.ndarray:
    """The RGB pixels of a PNG data URI written by ``png.png_uri`` (rows of filter 0)."""
    raw = base64.b64decode(uri.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    idat = raw.index(b"IDAT")
    length = struct.unpack(">I", raw[idat - 4:idat])[0]
    rows = np.frombuffer(zlib.decompress(raw[idat + 4:idat + 4 + length]), np.uint8).reshape(height, 1 + 3 * width)
    assert (rows[:, 0] == 1).all()  # the "Sub" filter: undo it, pixel by pixel from the left
    pixels = rows[:, 1:].reshape(height, width, 3).astype(np.int64)
    return (np.cumsum(pixels, axis=1) % 256).astype(np.uint8)


def test_png_round_trips_and_the_colours_run_red_white_blue():
    values = np.array([[-1.0, 0.0, 1.0], [np.nan, 0.5, -0.5]])
    pixels = decode_png(png.png_uri(png.diverging_rgb(values, 1.0)))
    assert pixels.shape == (2, 3, 3)
    assert tuple(pixels[0, 0]) == (0xD7, 0x19, 0x1C) and tuple(pixels[0, 2]) == (0x2B, 0x83, 0xBA)
    assert tuple(pixels[0, 1]) == (0xF7, 0xF7, 0xF7) and tuple(pixels[1, 0]) == (160, 160, 160)
    with pytest.raises(ValueError, match=r"shape \(h, w, 3\)"):
        png.png_uri(np.zeros((2, 2)))


def test_the_output_map_is_one_batched_pass_that_equals_the_networks_predictions():
    run = trained("spirals-deep")
    view = pictures.compute(run)
    points = grid("spirals", pictures.MAP_RESOLUTION)
    X = (expand(points, run.data.feature_names) - run.split.mean) / run.split.scale
    probability = 1 / (1 + np.exp(-run.net.predict(X)[:, 0]))
    assert view.output.shape == (50, 50)
    np.testing.assert_allclose(view.output.ravel(), probability, rtol=0, atol=1e-12)
    # x2 down the rows, x1 along the columns
    assert np.isclose(view.output[0, -1], probability[49]) and np.isclose(view.output[-1, 0], probability[49 * 50])
    hidden = run.net.layer_outputs(X)[:-1]
    for layer, values in enumerate(view.hidden):
        np.testing.assert_array_equal(values.reshape(-1, values.shape[-1]), hidden[layer])


def test_every_hidden_neuron_gets_a_picture_and_the_formula_it_computes():
    run = trained("spirals-deep")
    view = pictures.compute(run)
    thumbs = pictures.thumbnails(view, max_units=24)
    assert sorted(thumbs) == [(layer, k) for layer in (1, 2, 3) for k in range(8)]
    pixels = decode_png(thumbs[(2, 5)])
    assert pixels.shape == (17, 17, 3)
    top = np.max(np.abs(view.hidden[1]))
    expected = png.diverging_rgb(view.hidden[1][::3, ::3, 5][::-1], top)  # x2 up: the image's top row is x2 = 6
    np.testing.assert_array_equal(pixels, expected)
    formulas = pictures.formulas(run.net, run.data.feature_names, 24)
    assert formulas[(1, 0)] == explain.unit_formula(run.net, 0, 0, ["x1", "x2"])
    assert formulas[(1, 0)].startswith("tanh(") and "x1" in formulas[(1, 0)]
    assert formulas[(2, 3)] == explain.unit_formula(run.net, 1, 3)


def test_a_1d_problem_draws_the_fitted_curve_and_curve_thumbnails():
    run = trained("sine-hidden")
    charts = live.chart_figures(run, False, "test", run.model_epoch)
    curve = charts["output"][0]["data"][1]
    x = np.asarray(curve["x"], dtype=float)
    np.testing.assert_allclose(curve["y"], run.net.predict(((x[:, None] - run.split.mean) / run.split.scale))[:, 0])
    assert len(charts["output"][0]["data"][0]["x"]) == len(run.split.test_rows)
    thumbs = pictures.thumbnails(pictures.compute(run), 24)
    t, v = thumbs[(1, 0)]
    assert len(thumbs) == 8 and t[0] == 0 and t[-1] == 1 and np.abs(v).max() <= 1.0


def test_the_network_diagram_carries_the_pictures_and_a_click_id_per_neuron():
    run = trained("circle-hidden")
    network = live.chart_figures(run, False, "train", run.model_epoch)["network"][0]
    assert len(network["layout"]["images"]) == 4
    nodes = network["data"][-1]
    assert list(nodes["customdata"]) == ["", "", "1:0", "1:1", "1:2", "1:3", ""]
    assert nodes["text"][2].startswith("tanh(")


def test_the_neuron_card_shows_its_picture_and_formula():
    run = trained("xor-hidden")
    card = live.neuron_card(run, "1:2")
    assert card["title"] == "layer 1, neuron 3" and card["formula"] == explain.unit_formula(run.net, 0, 2, ["x1", "x2"])
    heat = card["figure"]["data"][0]
    np.testing.assert_array_equal(heat["z"], pictures.compute(run).hidden[0][..., 2])
    assert live.neuron_choices(run.config) == ["1:0", "1:1", "1:2", "1:3"]


def test_two_class_runs_report_accuracy_train_and_test():
    run = trained("circle-hidden", epochs=20)
    h = run.history
    assert h.accuracy and h.train_accuracy and not h.mae
    logits = run.net.predict(run.split.X_test)
    assert h.accuracy[-1] == np.mean((logits > 0) == (run.split.y_test > 0.5))
    panel = live.panel_html(run)
    assert 'data-testid="sn-accuracy"' in panel and 'data-testid="sn-train-accuracy"' in panel and "MAE" not in panel


def map_pixels(run, **options) -> np.ndarray:
    figure = live.chart_figures(run, False, "test", run.model_epoch, **options)["output"][0]
    return decode_png(figure["layout"]["images"][0]["source"])


def test_the_output_map_is_the_probability_and_discretize_colours_by_class():
    run = trained("gaussians-linear")
    view = pictures.compute(run)
    smooth, sharp = map_pixels(run), map_pixels(run, discretize=True)
    assert smooth.shape == sharp.shape == (50, 50, 3)
    # the top row of the picture is x2 = 6: the probability 0..1 as -1..1 on the diverging scale
    np.testing.assert_array_equal(smooth, png.diverging_rgb(2 * view.output[::-1] - 1, 1.0))
    np.testing.assert_array_equal(sharp, png.diverging_rgb(2 * (view.output[::-1] > 0.5) - 1.0, 1.0))
    assert len(np.unique(sharp.reshape(-1, 3), axis=0)) == 2 < len(np.unique(smooth.reshape(-1, 3), axis=0))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_every_problem_trains_in_the_playground_with_its_charts(name):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="dataset").set_value(name).run()
    for _ in range(3):
        next(b for b in at.button if b.label == "Step").click().run()
    assert not at.exception and not at.error
    assert at.session_state["run"].epoch == 3
    figures = board_figures(at)
    assert sorted(figures) == ["flow", "loss", "network", "output", "weights"]
    squares = figures["output"]["layout"].get("images", [])  # a 2-D map is one picture; a 1-D view, a curve
    assert len(squares) == (1 if PROBLEMS[name].dims == 2 else 0)
    images = figures["network"]["layout"].get("images", [])
    assert len(images) == (26 if PROBLEMS[name].dims == 2 else 0)  # the default network: 13 + 13 hidden
    assert board_update(at)["columns"] == [["loss", "flow", "output"], ["network", "weights"]]


def test_a_link_to_the_spirals_opens_the_same_problem_and_network():
    config = from_preset("spirals-deep")
    config = replace(config, samples=400, noise=0.3, data_seed=7, features=("x1", "x2", "sin x1"))
    back, locked, problems = share.from_query(share.to_query(config))
    assert problems == [] and back == config
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(share.to_query(config))
    at.run()
    assert not at.exception and at.session_state["run"].config == config
    assert at.session_state["run"].data.X.shape == (400, 3)


def test_every_problem_preset_passes_validation_and_names_its_problem():
    for name, (label, _) in PROBLEM_PRESETS.items():
        config = from_preset(name)
        assert config.preset == name and config.dataset in PROBLEMS and label
        data = config.load_data()
        from playground.core.config import validate

        assert validate(config, data.X.shape[0], data.feature_names) == [], name


def test_a_two_class_history_exports_its_accuracy_and_the_page_survives_a_stop():
    """The share panel's history CSV read MAE from a two-class run and took the page down after Stop."""
    run = trained("circle-hidden", epochs=20)
    lines = share.history_csv(run.history, "classification").strip().split("\n")
    assert lines[0] == "epoch,train_loss,val_loss,train_accuracy,accuracy" and len(lines) == 21
    assert lines[10].split(",")[4] == f"{run.history.accuracy[0]:.8g}"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="preset").set_value("circle-hidden").run()
    at.number_input(key="eval_every").set_value(1).run()  # an evaluation epoch: the CSV has figures to write
    next(b for b in at.button if b.label == "Step").click().run()
    assert not at.exception and at.session_state["run"].history.eval_epochs == [1]


def test_a_classroom_link_fixes_a_problems_data_settings():
    config = replace(from_preset("circle-squares"), samples=300, noise=0.4)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(share.to_query(config, ("samples", "noise", "data_seed", "features")))
    at.run()
    assert not at.exception and at.session_state["run"].config == config
    keys = {w.key for w in [*at.sidebar.number_input, *at.sidebar.slider]}
    assert "samples" not in keys and "noise" not in keys and "test_size" in keys
    assert not [b for b in at.sidebar.button if b.label == "Regenerate data"]
    assert "Set by your teacher for this class" in " ".join(c.value for c in at.sidebar.caption)
