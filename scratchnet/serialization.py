"""Save and load trained networks as ``.npz`` (no pickle) with a JSON config inside."""

from __future__ import annotations

import json
import zipfile

import numpy as np

from .layers import Shape
from .network import NeuralNetwork

FORMAT = "scratchnet-npz-1"
MAX_PARAMS = 10_000_000
READABLE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # zipfile reads these in bounded steps
MAX_HEADER = 10_000  # bytes of a .npy header (numpy's own default bound)
MAX_META_BYTES = 4_000_000  # the JSON config, as numpy stores it (4 bytes a character)


class ModelFileError(ValueError):
    """A model file cannot be loaded; the message names the problem."""


def save(net: NeuralNetwork, file) -> None:
    """Write ``net``'s config and parameters W1, B1, ... to ``file`` (a path or binary file)."""
    if not net.built:
        raise ValueError("the network has no weights yet; train it or run forward once before saving")
    arrays = dict(zip(net.param_names(), net.params(), strict=True))
    meta = {"format": FORMAT, "config": net.get_config(), "input_width": net.layers[0].input_width}
    np.savez(file, allow_pickle=False, __meta__=np.array(json.dumps(meta)), **arrays)


def load(file) -> NeuralNetwork:
    """Read a network written by ``save``; every array is checked before use.

    Nothing is decompressed blindly: each array's shape and dtype are read from its
    ``.npy`` header (the first bytes of the entry) and checked against the model's
    config first, and then exactly the bytes that shape needs are read, so a small
    file that would inflate to gigabytes is refused at once.

    Raises
    ------
    ModelFileError
        For a file that is not an npz, holds pickled objects, lacks arrays, or
        has arrays of the wrong shape or dtype.
    """
    try:
        archive = zipfile.ZipFile(file)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        if _starts_with(file, np.lib.format.MAGIC_PREFIX):
            raise ModelFileError("not a scratchnet model file: it holds a single array, not an .npz archive") from None
        raise ModelFileError(f"not a scratchnet model file (.npz, a zip archive): {exc}") from None
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        meta = _read_meta(archive, names)
        try:
            net = NeuralNetwork.from_config(meta["config"])
        except (ValueError, TypeError, RecursionError) as exc:
            raise ModelFileError(f"the model's config is not valid: {exc}") from None
        width = meta.get("input_width")
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ModelFileError(f"the model's input_width must be a whole number >= 1, got {width!r}")
        if net.n_params(width) > MAX_PARAMS:
            raise ModelFileError(f"the model has more than {MAX_PARAMS} parameters")
        shapes = net.param_shapes(width)
        extra = sorted(n.removesuffix(".npy") for n in set(names) - {f"{key}.npy" for key in shapes} - {"__meta__.npy"})
        if extra:
            raise ModelFileError(f"unexpected arrays in the model file: {extra}")
        arrays = iter([_read_array(archive, names, key, shape) for key, shape in shapes.items()])
        for layer in net.layers:
            try:
                layer.set_params(*[next(arrays) for _ in layer.param_kinds], input_width=width)
            except ValueError as exc:
                raise ModelFileError(f"the model's weights do not fit its layers: {exc}") from None
            width = layer.neurons
    return net


def _starts_with(file, prefix: bytes) -> bool:
    try:
        if hasattr(file, "read"):
            file.seek(0)
            return file.read(len(prefix)) == prefix
        with open(file, "rb") as f:
            return f.read(len(prefix)) == prefix
    except (OSError, ValueError):
        return False


def _header(archive, names, key: str):
    """``(open entry, shape, dtype)`` of array ``key``, read from its .npy header alone."""
    info = names.get(f"{key}.npy")
    if info is None:
        raise ModelFileError(f"the model file has no array {key}")
    if info.compress_type not in READABLE_COMPRESSION:
        # Python's zipfile inflates bzip2 and lzma input in unbounded blocks: a few kB can become gigabytes
        raise ModelFileError(f"array {key} is compressed with method {info.compress_type}; a model file's entries "
                             "are stored or deflated (numpy's savez or savez_compressed)")
    entry = archive.open(info)
    try:
        version = np.lib.format.read_magic(entry)
        readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in readers:
            raise ValueError(f"unsupported .npy version {version}")
        shape, _, dtype = readers[version](entry, max_header_size=MAX_HEADER)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, NotImplementedError) as exc:
        entry.close()
        raise ModelFileError(f"array {key} is not a readable .npy entry: {exc}") from None
    return entry, shape, dtype


def _read_body(entry, key: str, shape, dtype) -> np.ndarray:
    """Exactly the bytes ``shape`` and ``dtype`` need, never more."""
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    with entry:
        try:
            body = entry.read(size + 1)
        except (OSError, EOFError, zipfile.BadZipFile, ValueError) as exc:
            raise ModelFileError(f"array {key} cannot be read: {exc}") from None
    if len(body) != size:
        raise ModelFileError(f"array {key} holds {len(body)} bytes of data where its header declares {size}")
    return np.frombuffer(body, dtype=dtype).reshape(shape)


def _read_checked(archive, names, key: str, problem) -> np.ndarray:
    """Array ``key``, read only if ``problem(shape, dtype)`` (from its header alone) finds nothing wrong.

    ``problem`` returns the message of a ``ModelFileError``, or None. Object arrays are always refused.
    """
    entry, shape, dtype = _header(archive, names, key)
    message = f"array {key} holds pickled objects, which are refused" if dtype.hasobject else problem(shape, dtype)
    if message:
        entry.close()
        raise ModelFileError(message)
    return _read_body(entry, key, shape, dtype)


def _read_meta(archive, names) -> dict:
    if "__meta__.npy" not in names:
        raise ModelFileError("not a scratchnet model file: it has no __meta__ entry")

    def problem(shape, dtype):
        if dtype.kind != "U" or shape != () or dtype.itemsize > MAX_META_BYTES:
            return f"the model file's __meta__ entry is not a text string of at most {MAX_META_BYTES // 4:,} characters"
        return None

    raw = _read_checked(archive, names, "__meta__", problem)
    try:
        meta = json.loads(str(raw[()]))
    except (json.JSONDecodeError, RecursionError):
        raise ModelFileError("the model file's __meta__ entry is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "config" not in meta:
        raise ModelFileError(f"the model file is not in the {FORMAT} format")
    return meta


def _read_array(archive, names, key: str, shape: Shape) -> np.ndarray:
    def problem(declared, dtype):
        if dtype.kind != "f":
            return f"array {key} must hold floats, got dtype {dtype}"
        if tuple(declared) != shape:
            return f"array {key} must have shape {shape}, got {tuple(declared)}"
        return None

    a = _read_checked(archive, names, key, problem)
    if not np.isfinite(a).all():
        raise ModelFileError(f"array {key} holds NaN or infinite values")
    return a.astype(np.float64)
