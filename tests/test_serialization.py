import io
import json
import zipfile

import numpy as np
import pytest

from scratchnet import SGD, Dense, ModelFileError, NeuralNetwork, Trainer, load, save

UNPICKLED = []


def _record_unpickle():
    UNPICKLED.append(True)
    return "boom"


class Hostile:
    """Unpickling this object would call _record_unpickle."""

    def __reduce__(self):
        return (_record_unpickle, ())


@pytest.fixture
def trained(book_split):
    net = NeuralNetwork([Dense(8, "tanh"), Dense(4, {"name": "leaky_relu", "alpha": 0.1}), Dense(1)], "mse", seed=4)
    Trainer(net, SGD(0.01)).fit(book_split.X_train, book_split.y_train, epochs=3)
    return net


def saved_bytes(net):
    buf = io.BytesIO()
    save(net, buf)
    return buf.getvalue()


def test_round_trip_same_predictions(trained, book_split, tmp_path):
    path = tmp_path / "model.npz"
    save(trained, path)
    clone = load(path)
    assert clone.get_config() == trained.get_config()
    assert np.array_equal(clone.predict(book_split.X_test), trained.predict(book_split.X_test))
    assert clone.built and clone.layers[0].input_width == 13


def test_unbuilt_network_cannot_be_saved():
    with pytest.raises(ValueError, match="no weights yet"):
        save(NeuralNetwork([Dense(1)], "mse"), io.BytesIO())


def test_object_array_is_refused_without_unpickling(trained):
    arrays = dict(np.load(io.BytesIO(saved_bytes(trained))))
    arrays["W1"] = np.array([Hostile()], dtype=object)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    buf.seek(0)
    with pytest.raises(ModelFileError, match="W1 holds pickled objects"):
        load(buf)
    assert UNPICKLED == []


def rewrite(net, **changes):
    arrays = dict(np.load(io.BytesIO(saved_bytes(net))))
    arrays.update(changes)
    buf = io.BytesIO()
    np.savez(buf, **{k: v for k, v in arrays.items() if v is not None})
    buf.seek(0)
    return buf


def meta_with(net, **changes):
    meta = json.loads(str(np.load(io.BytesIO(saved_bytes(net)))["__meta__"]))
    meta.update(changes)
    return np.array(json.dumps(meta))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda net: io.BytesIO(b"not a zip file at all"), "not a scratchnet model file"),
        (lambda net: rewrite(net, W1=np.ones((13, 9))), r"W1 must have shape \(13, 8\), got \(13, 9\)"),
        (lambda net: rewrite(net, B2=np.ones((1, 4), dtype=np.int64)), "B2 must hold floats"),
        (lambda net: rewrite(net, W3=None), "has no array W3"),
        (lambda net: rewrite(net, W2=np.full((8, 4), np.nan)), "W2 holds NaN"),
        (lambda net: rewrite(net, extra=np.ones(3)), r"unexpected arrays.*extra"),
        (lambda net: rewrite(net, __meta__=np.array("{not json")), "not valid JSON"),
        (lambda net: rewrite(net, __meta__=np.array(["a", "b"])), "not a text string"),
        (lambda net: rewrite(net, __meta__=meta_with(net, format="other")), "format"),
        (lambda net: rewrite(net, __meta__=meta_with(net, input_width=-2)), "input_width must be"),
        (lambda net: rewrite(net, __meta__=meta_with(net, config={"layers": "x"})), "config is not valid"),
        (lambda net: rewrite(net, __meta__=meta_with(net, input_width=10**9)), "more than"),
    ],
)
def test_bad_model_files(trained, make, message):
    with pytest.raises(ModelFileError, match=message):
        load(make(trained))


def test_single_npy_is_not_a_model():
    buf = io.BytesIO()
    np.save(buf, np.ones(3))
    buf.seek(0)
    with pytest.raises(ModelFileError, match="single array"):
        load(buf)


def _bomb(net, key, shape, compression=zipfile.ZIP_BZIP2):
    """A model file whose array ``key`` declares ``shape`` and inflates to that many zero bytes."""
    good = zipfile.ZipFile(io.BytesIO(saved_bytes(net)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as out:
        for info in good.infolist():
            if info.filename != f"{key}.npy":
                out.writestr(info.filename, good.read(info))
                continue
            with out.open(info.filename, "w", force_zip64=True) as entry:
                header = io.BytesIO()
                np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
                entry.write(header.getvalue())
                zeros = bytes(2**22)
                for _ in range(int(np.prod(shape)) * 8 // len(zeros)):
                    entry.write(zeros)
    buf.seek(0)
    return buf


def _peak_mb_of(fn):
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peak


def test_a_bzip2_bomb_is_refused_without_inflating(trained):
    """A tiny bzip2 entry declaring a huge array used to be inflated in full (4.3 GB) before any check."""
    bomb = _bomb(trained, "W1", (4096, 8192))  # 256 MB of zeros in a few kB
    assert len(bomb.getvalue()) < 20_000

    def load_it():
        with pytest.raises(ModelFileError, match="compressed with method 12; a model file's entries are stored"):
            load(bomb)

    assert _peak_mb_of(load_it) < 20


def test_a_deflate_bomb_is_refused_from_its_header_without_inflating(trained):
    bomb = _bomb(trained, "W1", (4096, 8192), zipfile.ZIP_DEFLATED)  # 256 MB of zeros in about 250 kB
    assert len(bomb.getvalue()) < 1_000_000

    def load_it():
        with pytest.raises(ModelFileError, match=r"W1 must have shape \(13, 8\), got \(4096, 8192\)"):
            load(bomb)

    assert _peak_mb_of(load_it) < 20


def test_an_entry_longer_than_its_header_declares_is_refused(trained):
    """A header that declares the right shape, followed by far more data than that shape needs."""
    good = zipfile.ZipFile(io.BytesIO(saved_bytes(trained)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            data = good.read(info)
            out.writestr(info.filename, data + bytes(2**26) if info.filename == "W1.npy" else data)
    buf.seek(0)

    def load_it():
        with pytest.raises(ModelFileError, match="W1 holds .* bytes of data where its header declares 832"):
            load(buf)

    assert _peak_mb_of(load_it) < 20


def test_a_huge_meta_string_is_refused_before_reading(trained):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<U100000000", "fortran_order": False, "shape": ()})
    good = zipfile.ZipFile(io.BytesIO(saved_bytes(trained)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in good.infolist():
            out.writestr(info.filename, header.getvalue() if info.filename == "__meta__.npy" else good.read(info))
    buf.seek(0)
    with pytest.raises(ModelFileError, match="not a text string of at most"):
        load(buf)


def test_deeply_nested_meta_json_is_a_clear_error(trained):
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load(rewrite(trained, __meta__=np.array("[" * 200_000 + "]" * 200_000)))


# ----- layer types --------------------------------------------------------------------------
def test_a_layer_type_registered_in_a_test_saves_and_loads(monkeypatch, book_split):
    from test_network import Scale

    from scratchnet.layers import LAYERS

    net = NeuralNetwork([Dense(5, "tanh"), Scale(5), Dense(1)], "mse", seed=3)
    Trainer(net, SGD(0.01)).fit(book_split.X_train, book_split.y_train, epochs=2)
    content = saved_bytes(net)
    assert sorted(np.load(io.BytesIO(content))) == ["B1", "B3", "S2", "W1", "W3", "__meta__"]
    with pytest.raises(ModelFileError, match=r"config is not valid: unknown layer 'scale'; choose from \['dense'\]"):
        load(io.BytesIO(content))
    monkeypatch.setitem(LAYERS, "scale", Scale)
    clone = load(io.BytesIO(content))
    assert type(clone.layers[1]) is Scale and clone.get_config() == net.get_config()
    assert np.array_equal(clone.predict(book_split.X_test), net.predict(book_split.X_test))
    bad = rewrite(net, S2=np.ones((1, 4)))
    with pytest.raises(ModelFileError, match=r"S2 must have shape \(1, 5\), got \(1, 4\)"):
        load(bad)


def test_a_model_saved_before_layers_had_types_still_loads(trained, book_split):
    meta = json.loads(str(np.load(io.BytesIO(saved_bytes(trained)))["__meta__"]))
    for layer in meta["config"]["layers"]:
        del layer["name"]  # the format of files written before the layer registry
    old = rewrite(trained, __meta__=np.array(json.dumps(meta)))
    clone = load(old)
    assert [type(layer) for layer in clone.layers] == [Dense, Dense, Dense]
    assert clone.get_config() == trained.get_config()
    assert np.array_equal(clone.predict(book_split.X_test), trained.predict(book_split.X_test))
