"""Save and load trained networks as ``.npz`` (no pickle) with a JSON config inside."""

from __future__ import annotations

import json
import zipfile

import numpy as np

from .network import NeuralNetwork

FORMAT = "scratchnet-npz-1"
MAX_PARAMS = 10_000_000


class ModelFileError(ValueError):
    """A model file cannot be loaded; the message names the problem."""


def save(net: NeuralNetwork, file) -> None:
    """Write ``net``'s config and parameters W1, B1, ... to ``file`` (a path or binary file)."""
    if not net.built:
        raise ValueError("the network has no weights yet; train it or run forward once before saving")
    arrays = dict(zip(net.param_names(), net.params(), strict=True))
    meta = {"format": FORMAT, "config": net.get_config(), "input_width": net.layers[0].input_width}
    np.savez(file, __meta__=np.array(json.dumps(meta)), **arrays)


def load(file) -> NeuralNetwork:
    """Read a network written by ``save``; every array is checked before use.

    Raises
    ------
    ModelFileError
        For a file that is not an npz, holds pickled objects, lacks arrays, or
        has arrays of the wrong shape or dtype.
    """
    try:
        archive = np.load(file, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"not a scratchnet model file (.npz): {exc}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError("not a scratchnet model file: it holds a single array, not an .npz archive")
    with archive:
        meta = _read_meta(archive)
        try:
            net = NeuralNetwork.from_config(meta["config"])
        except (ValueError, TypeError) as exc:
            raise ModelFileError(f"the model's config is not valid: {exc}") from None
        width = meta.get("input_width")
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ModelFileError(f"the model's input_width must be a whole number >= 1, got {width!r}")
        if net.n_params(width) > MAX_PARAMS:
            raise ModelFileError(f"the model has more than {MAX_PARAMS} parameters")
        expected = set(net.param_names()) | {"__meta__"}
        extra = set(archive.files) - expected
        if extra:
            raise ModelFileError(f"unexpected arrays in the model file: {sorted(extra)}")
        for i, layer in enumerate(net.layers):
            W = _read_array(archive, f"W{i + 1}", (width, layer.neurons))
            B = _read_array(archive, f"B{i + 1}", (1, layer.neurons))
            layer.set_params(W, B)
            width = layer.neurons
    return net


def _read_meta(archive) -> dict:
    if "__meta__" not in archive.files:
        raise ModelFileError("not a scratchnet model file: it has no __meta__ entry")
    try:
        raw = archive["__meta__"]
    except ValueError:
        raise ModelFileError("the model file holds pickled objects, which are refused") from None
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ModelFileError("the model file's __meta__ entry is not a text string")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError:
        raise ModelFileError("the model file's __meta__ entry is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "config" not in meta:
        raise ModelFileError(f"the model file is not in the {FORMAT} format")
    return meta


def _read_array(archive, key: str, shape: tuple[int, int]) -> np.ndarray:
    if key not in archive.files:
        raise ModelFileError(f"the model file has no array {key}")
    try:
        a = archive[key]
    except ValueError:
        raise ModelFileError(f"array {key} holds pickled objects, which are refused") from None
    if a.dtype.kind != "f":
        raise ModelFileError(f"array {key} must hold floats, got dtype {a.dtype}")
    if a.shape != shape:
        raise ModelFileError(f"array {key} must have shape {shape}, got {a.shape}")
    if not np.isfinite(a).all():
        raise ModelFileError(f"array {key} holds NaN or infinite values")
    return a.astype(np.float64)
