"""One helper for the name-keyed registries (activations, losses, optimizers, layers)."""

from __future__ import annotations

from typing import Any


def from_registry(kind: str, registry: dict[str, type], spec: Any, base: type, **extra: Any) -> Any:
    """Return a new object made from ``spec``: a registry name or a config dict with ``name``.

    A class with a ``from_config`` classmethod (the layers) is made by it,
    from the config without ``name``; any other class by its constructor.

    Parameters
    ----------
    kind : str
        What is made ("activation", "loss", ...), for error messages.
    registry : dict
        Name to class.
    spec : str, dict or instance of ``base``
        An instance is returned as is.
    base : type
        The common base class of the registry's classes.
    **extra
        Further keyword arguments for the constructor.
    """
    if isinstance(spec, base):
        return spec
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise TypeError(f"{kind} must be a name, a config dict or a {base.__name__}, got {spec!r}")
    kwargs = dict(spec)
    name = str(kwargs.pop("name", "")).lower()
    if name not in registry:
        raise ValueError(f"unknown {kind} {name!r}; choose from {sorted(registry)}")
    cls = registry[name]
    try:
        if hasattr(cls, "from_config"):
            return cls.from_config({**kwargs, **extra})
        return cls(**kwargs, **extra)
    except TypeError as exc:
        raise ValueError(f"bad settings for {kind} {name!r}: {kwargs}") from exc
