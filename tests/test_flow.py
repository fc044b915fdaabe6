"""Gradient flow: scratchnet.flow's records, the Trainer's hook, the playground's matrices, flags and heatmap."""

import numpy as np
import pytest

from playground.figures.flow import MAX_COLUMNS, flow_heatmap
from playground.logic.flow import FlowMatrices, flow_flags, flow_matrices
from scratchnet import SGD, Adam, Dense, LeakyReLU, Linear, NeuralNetwork, ReLU, SGDMomentum, Sigmoid, Tanh, Trainer
from scratchnet.flow import SATURATION_MARGIN, FlowRecord, flow_step, layer_flow, probe, stuck_kind, stuck_share


def deep_net(activation="sigmoid", widths=(13, 13), seed=20190501, book_mode=True):
    layers = [Dense(w, activation) for w in widths] + [Dense(1, "linear")]
    return NeuralNetwork(layers, "mse", seed=seed, book_mode=book_mode)


def batch(split, rows=32):
    return split.X_train[:rows], split.y_train[:rows]


# ----- scratchnet.flow ---------------------------------------------------------------------------
@pytest.mark.parametrize("optim", [SGD(lr=0.01), SGDMomentum(lr=0.01), Adam(lr=0.01)], ids=lambda o: type(o).__name__)
def test_record_matches_numpy_on_the_networks_own_gradients(book_split, optim):
    net = deep_net()
    optim.net = net
    X, y = batch(book_split)
    for _ in range(3):  # a few steps first, so momentum and Adam have state
        net.train_batch(X, y)
        optim.step()
    net.train_batch(X, y)
    W_before = [layer.params[0].copy() for layer in net.layers]
    dW = [layer.param_grads[0].copy() for layer in net.layers]
    outputs = [layer.output.copy() for layer in net.layers]
    record = flow_step(net, optim.step, epoch=7)
    W_after = [layer.params[0] for layer in net.layers]
    assert isinstance(record, FlowRecord) and record.epoch == 7 and record.rows == 32 and record.n_layers == 3
    expected = [np.sqrt(np.sum(g**2)) for g in dW]
    np.testing.assert_allclose(record.grad_norm, expected, rtol=1e-12)
    ratio = [np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(W_after, W_before, strict=True)]
    np.testing.assert_allclose(record.update_ratio, ratio, rtol=1e-12)
    assert (record.update_ratio > 0).all()
    if isinstance(optim, SGD):  # plain SGD: the step is lr * grad
        sizes = [np.linalg.norm(w) for w in W_before]
        np.testing.assert_allclose(record.update_ratio, 0.01 * np.array(expected) / sizes)
    assert record.kinds == ("saturated", "saturated", "")
    for share, out in zip(record.stuck[:2], outputs[:2], strict=True):
        assert share == np.mean((out <= SATURATION_MARGIN) | (out >= 1 - SATURATION_MARGIN))
    assert np.isnan(record.stuck[2])


def test_layer_flow_is_one_training_step(book_split):
    X, y = batch(book_split)
    a, b = deep_net(), deep_net()
    oa, ob = SGD(lr=0.01), SGD(lr=0.01)
    oa.net, ob.net = a, b
    record = layer_flow(a, X, y, oa.step, epoch=1)
    b.train_batch(X, y)
    ob.step()
    assert np.array_equal(a.flat()[0], b.flat()[0])
    assert record.grad_norm.shape == record.update_ratio.shape == record.stuck.shape == (3,)


def test_probe_before_training_raises():
    net = deep_net()
    net.build(13)
    with pytest.raises(RuntimeError, match="train_batch"):
        probe(net)


def test_saturated_and_dead_shares_on_hand_made_outputs():
    sig = np.array([[0.0, 0.5, 0.019, 0.99], [1.0, 0.5, 0.021, 0.98]])  # 0, 1, 0.019, 0.99, 0.98 saturated
    assert stuck_share(Sigmoid(), sig) == 5 / 8
    tanh = np.array([[-1.0, 0.0], [0.979, -0.985]])  # -1 and -0.985 within 0.02 of -1; 0.979 is not
    assert stuck_share(Tanh(), tanh) == 2 / 4
    relu = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert stuck_share(ReLU(), relu) == 2 / 4  # columns 1 and 4 never active
    leaky = np.array([[-0.01, 0.5], [-0.02, -0.001]])
    assert stuck_share(LeakyReLU(), leaky) == 1 / 2
    assert np.isnan(stuck_share(Linear(), relu))
    assert np.isnan(stuck_share(None, relu))
    assert [stuck_kind(a) for a in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Linear())] == [
        "saturated", "saturated", "dead", "dead", ""]
    with pytest.raises(ValueError, match="2-D"):
        stuck_share(ReLU(), np.zeros(3))


def test_dead_relu_layer_in_a_network():
    net = NeuralNetwork([Dense(4, "relu"), Dense(1, "linear")], "mse", seed=3)
    net.build(2)
    W, B = net.layers[0].params
    W[...] = [[1.0, -1.0, 0.0, 2.0], [0.0, 0.0, 0.0, 1.0]]
    B[...] = [[0.0, 0.0, -1.0, 0.0]]
    X = np.array([[1.0, 1.0], [2.0, 0.5]])  # unit 1 > 0, unit 2 < 0, unit 3 = -1, unit 4 > 0
    net.train_batch(X, np.zeros((2, 1)))
    optim = SGD(lr=0.1)
    optim.net = net
    record = flow_step(net, optim.step)
    assert record.kinds == ("dead", "")
    assert record.stuck[0] == 0.5


# ----- the Trainer's hook ------------------------------------------------------------------------
def test_recording_off_leaves_reports_and_results_unchanged(book_split):
    s = book_split
    runs = {}
    for record in (False, True):
        net = deep_net()
        trainer = Trainer(net, SGD(lr=0.01))
        reports = list(trainer.fit_iter(s.X_train, s.y_train, s.X_test, s.y_test, epochs=12, eval_every=4,
                                        seed=20190501, record_flow=record))
        runs[record] = (net.flat()[0].copy(), reports)
    (w_off, off), (w_on, on) = runs[False], runs[True]
    assert np.array_equal(w_off, w_on)
    assert all(r.flow is None for r in off)
    assert [(r.epoch, r.train_loss, r.val_loss) for r in off] == [(r.epoch, r.train_loss, r.val_loss) for r in on]
    assert [r.flow.epoch for r in on] == list(range(1, 13))
    assert all(r.flow.rows == 32 for r in on)  # the epoch's last full batch (rows 320-351 of 354)
    # the default call (as the book makes it) carries no flow
    trainer = Trainer(deep_net(), SGD(lr=0.01))
    assert all(r.flow is None for r in trainer.fit(s.X_train, s.y_train, epochs=2))


def test_recording_survives_pauses_and_is_bit_identical(book_split):
    s = book_split
    net = deep_net()
    trainer = Trainer(net, SGD(lr=0.01))
    asks = iter([False, True] * 200)
    reports = list(trainer.fit_iter(s.X_train, s.y_train, epochs=6, seed=5, should_pause=lambda: next(asks),
                                    record_flow=True))
    while trainer.epoch < 6:
        reports += list(trainer.fit_iter(s.X_train, s.y_train, epochs=6 - trainer.epoch, restart=False,
                                         should_pause=lambda: next(asks), record_flow=True))
    plain = deep_net()
    ref = list(Trainer(plain, SGD(lr=0.01)).fit_iter(s.X_train, s.y_train, epochs=6, seed=5, record_flow=True))
    assert np.array_equal(net.flat()[0], plain.flat()[0])
    for a, b in zip(reports, ref, strict=True):
        assert a.flow.epoch == b.flow.epoch
        np.testing.assert_array_equal(a.flow.grad_norm, b.flow.grad_norm)
        np.testing.assert_array_equal(a.flow.update_ratio, b.flow.update_ratio)


def test_deep_sigmoid_stack_front_layer_learns_slowly(book_split):
    """The lecture: five sigmoid layers on Boston; the first layer's gradient is far smaller than the last one's."""
    s = book_split
    medians = {}
    for activation, lr in (("sigmoid", 0.01), ("relu", 0.001)):
        net = NeuralNetwork([Dense(13, activation, weight_init="glorot") for _ in range(5)] + [Dense(1)], "mse",
                            seed=3)
        reports = list(Trainer(net, SGD(lr=lr)).fit_iter(s.X_train, s.y_train, epochs=5, seed=3, record_flow=True))
        medians[activation] = np.median([r.flow.grad_norm for r in reports[2:]], axis=0)
    sigmoid, relu = medians["sigmoid"], medians["relu"]
    assert sigmoid[0] < sigmoid[4] / 10  # the front goes dark ...
    assert relu[0] > relu[4] / 2  # ... and with ReLU it does not
    flags = flow_flags([r.flow for r in reports])  # the ReLU run: no gradient flag
    assert not any("smaller than" in f for f in flags)


# ----- the playground's matrices, flags and heatmap ----------------------------------------------
def crafted(epoch, grad=(0.01, 0.1, 1.0), ratio=(1e-3, 1e-3, 1e-3), stuck=(0.4, 0.8, np.nan),
            kinds=("dead", "saturated", "")):
    return FlowRecord(epoch, np.array(grad, float), np.array(ratio, float), np.array(stuck, float), kinds, 32)


def test_matrices_are_layer_by_epoch():
    records = [crafted(e, grad=(e, 2 * e, 3 * e)) for e in range(1, 8)]
    m = flow_matrices(records)
    assert isinstance(m, FlowMatrices) and m.n_layers == 3
    assert m.epochs.tolist() == list(range(1, 8))
    assert m.grad_norm.shape == m.update_ratio.shape == m.stuck.shape == (3, 7)
    assert m.grad_norm[:, 2].tolist() == [3, 6, 9]
    assert m.kinds == ("dead", "saturated", "")
    thin = flow_matrices(records, max_columns=3)
    assert thin.epochs.tolist() == [1, 4, 7]
    # records from before the network changed (another layout) are left out
    older = FlowRecord(0, np.ones(2), np.ones(2), np.ones(2), ("", ""), 32)
    assert flow_matrices([older, *records]).epochs.tolist() == list(range(1, 8))
    empty = flow_matrices([])
    assert empty.n_layers == 0 and empty.epochs.size == 0
    with pytest.raises(ValueError, match="quantity"):
        m.get("loss")


def test_flags_for_a_crafted_case():
    flags = flow_flags([crafted(e) for e in range(1, 10)])
    assert flags == [
        "layer 1's gradients are 100x smaller than layer 3's: the front of the network learns slowly",
        "layer 1: 40% of its ReLU units are dead (never active on a batch): they no longer learn",
        "layer 2: 80% of its outputs are saturated (at the flat ends of its activation): "
        "little gradient gets through them",
    ]
    healthy = crafted(1, grad=(0.5, 1.0, 2.0), stuck=(0.1, 0.3, np.nan))
    assert flow_flags([healthy]) == []
    steps = flow_flags([crafted(1, grad=(1, 1, 1), ratio=(1e-7, 0.5, np.inf), stuck=(0, 0, np.nan))])
    assert steps == [
        "layer 1 barely moves: each step changes its weights by 1e-07 of their size",
        "layer 2: each step is 0.5 of its weights' size: the learning rate may be too high",
        "layer 3: each step is larger than its weights: the learning rate may be too high",
    ]
    zero = flow_flags([crafted(1, grad=(0.0, 1.0, 1.0), stuck=(0, 0, np.nan))])
    assert zero == ["layer 1's gradients are zero: it does not learn"]
    back = flow_flags([crafted(1, grad=(1.0, 1.0, 0.05), stuck=(0, 0, np.nan))])
    assert back == ["layer 3's gradients are 20x smaller than layer 1's: layer 3 learns slowly"]
    # the medians of the last window: one bad epoch among healthy ones raises nothing
    records = [crafted(e, grad=(1, 1, 1), stuck=(0, 0, np.nan)) for e in range(1, 5)] + [crafted(5)]
    assert flow_flags(records) == []
    assert flow_flags([]) == []


@pytest.mark.parametrize("quantity", ["grad_norm", "update_ratio", "stuck"])
def test_heatmap_shape(quantity):
    records = [crafted(e, grad=(0.0, 0.1 * e, e), ratio=(np.inf, 1e-3, 1e-2)) for e in range(1, 1001)]
    fig = flow_heatmap(records, quantity)
    (trace,) = fig["data"]
    assert trace["type"] == "heatmap"  # SVG, not WebGL
    assert trace["z"].shape == (3, MAX_COLUMNS)
    assert trace["x"][0] == 1 and trace["x"][-1] == 1000 and len(trace["x"]) == MAX_COLUMNS
    assert trace["y"].tolist() == [1, 2, 3]
    yaxis = fig["layout"]["yaxis"]
    assert yaxis["range"] == [3.5, 0.5] and yaxis["ticktext"] == ["layer 1", "layer 2", "layer 3"]  # layer 1 on top
    if quantity == "grad_norm":
        assert np.isnan(trace["z"][0]).all()  # log10 of 0: blank
        np.testing.assert_allclose(trace["z"][2, -1], 3.0)
    if quantity == "stuck":
        assert trace["zmin"] == 0 and trace["zmax"] == 1
        assert np.isnan(trace["z"][2]).all()
    small = flow_heatmap(records[:5], quantity)
    assert small["data"][0]["z"].shape == (3, 5)


@pytest.mark.parametrize("quantity", ["grad_norm", "update_ratio", "stuck"])
def test_the_live_heatmap_is_a_picture_of_the_same_cells_in_the_same_colours(quantity):
    from playground.figures import png

    records = [crafted(e, grad=(0.0, 0.1 * e, e), ratio=(np.inf, 1e-3, 1e-2 * e)) for e in range(1, 41)]
    still = flow_heatmap(records, quantity, total_epochs=100)
    live = flow_heatmap(records, quantity, total_epochs=100, live=True)
    (trace,), (bar,) = still["data"], live["data"]
    assert bar["marker"]["cmin"] == trace["zmin"] and bar["marker"]["cmax"] == trace["zmax"]
    assert bar["marker"]["colorscale"] == trace["colorscale"] and bar["marker"]["showscale"]
    assert live["layout"]["xaxis"] == still["layout"]["xaxis"] and live["layout"]["yaxis"] == still["layout"]["yaxis"]
    assert still["layout"]["xaxis"]["range"] == [0, 50.5]  # like the loss chart's: 40 epochs of 100 end at 50
    (image,) = live["layout"]["images"]
    assert (image["x"], image["sizex"], image["y"], image["sizey"]) == (0.5, 40, 0.5, 3)  # over the cells
    expected = png.scale_rgb(trace["z"], trace["zmin"], trace["zmax"], trace["colorscale"])
    assert image["source"] == png.png_uri(np.repeat(np.repeat(expected, 47, axis=0), 8, axis=1))
    if quantity != "stuck":  # a log10 range of whole decades
        assert float(trace["zmin"]).is_integer() and float(trace["zmax"]).is_integer()
        assert trace["zmin"] <= np.nanmin(trace["z"]) and np.nanmax(trace["z"]) <= trace["zmax"]


def test_the_live_heatmap_changes_only_its_picture_while_the_range_holds():
    records = [crafted(e, grad=(0.5, 0.2, 0.3 + 0.001 * e)) for e in range(1, 61)]
    first, later = (flow_heatmap(records[:n], total_epochs=1000, live=True) for n in (52, 60))
    assert first["data"] == later["data"] and first["layout"]["xaxis"] == later["layout"]["xaxis"]
    assert first["layout"]["images"] != later["layout"]["images"]


def test_scale_rgb_follows_the_scale_and_leaves_gaps_white():
    from playground.figures import png

    scale = [[0.0, "#000000"], [0.5, "#ff0000"], [1.0, "#ffff00"]]
    rgb = png.scale_rgb(np.array([[-5.0, 0.0, 0.5, 0.75, 1.0, 9.0, np.nan]]), 0.0, 1.0, scale)
    assert rgb[0].tolist() == [[0, 0, 0], [0, 0, 0], [255, 0, 0], [255, 128, 0], [255, 255, 0], [255, 255, 0],
                               [255, 255, 255]]


def test_heatmap_of_nothing_and_bad_quantity():
    fig = flow_heatmap([])
    assert fig["data"][0]["z"].shape == (0, 0)
    assert "no gradient-flow records" in fig["layout"]["annotations"][0]["text"]
    with pytest.raises(ValueError, match="quantity"):
        flow_heatmap([crafted(1)], "loss")


def test_heatmap_of_a_real_run(book_split):
    s = book_split
    net = deep_net()
    reports = list(Trainer(net, SGD(lr=0.01)).fit_iter(s.X_train, s.y_train, epochs=4, seed=1, record_flow=True))
    fig = flow_heatmap([r.flow for r in reports])
    assert fig["data"][0]["z"].shape == (3, 4)
    assert np.isfinite(fig["data"][0]["z"]).all()
