"""Widgets for the run's numeric settings, bounded by ``scratchnet.config.LIMITS`` (the one table of ranges)."""

from __future__ import annotations

from typing import Any

from scratchnet.config import LIMITS


def limited_number(where: Any, name: str, label: str | None = None, **kwargs: Any) -> Any:
    """``where.number_input`` for setting ``name``, from its low to its high limit; return the widget's value.

    ``where`` is ``st``, the sidebar or a column; ``label`` defaults to the setting's own.
    """
    limit = LIMITS[name]
    low, high = (int(limit.low), int(limit.high)) if limit.whole else (float(limit.low), float(limit.high))
    return where.number_input(label or limit.label, low, high, **kwargs)


def limited_slider(where: Any, name: str, step: float, label: str | None = None, **kwargs: Any) -> Any:
    """``where.slider`` over setting ``name``'s range in steps of ``step``; return the widget's value."""
    limit = LIMITS[name]
    return where.slider(label or limit.label, float(limit.low), float(limit.high), step=step, **kwargs)
