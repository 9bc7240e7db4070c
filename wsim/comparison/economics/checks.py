"""Checks of the numbers the decision economics take: one clear ValueError for bad input.

Shared by the modules of :mod:`wsim.comparison.economics`: a value must be a finite number (or
a 1-d array of them), a horizon positive, a confidence level between 0 and 1; paired arrays
must have one value per replication each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ArrayLike = float | Sequence[float] | np.ndarray

#: Net benefits within this fraction of the best (or of 1 currency unit, whichever is larger)
#: count as a tie: real ties (identical options, or two options at a value equal to their ICER)
#: differ only by floating-point rounding, which is many orders of magnitude smaller.
TIE_RTOL = 1e-9


def as_number(name: str, value: object) -> float:
    """`value` as a finite float, or a ValueError naming `name`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def as_positive(name: str, value: object) -> float:
    """`value` as a float greater than 0, or a ValueError naming `name`."""
    number = as_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {number:g}")
    return number


def as_non_negative(name: str, value: object) -> float:
    """`value` as a float of at least 0, or a ValueError naming `name`."""
    number = as_number(name, value)
    if number < 0:
        raise ValueError(f"{name} must be at least 0, got {number:g}")
    return number


def as_array(name: str, values: ArrayLike, finite: bool = False) -> np.ndarray:
    """`values` as a 1-d float array (a single number gives one element)."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {values!r}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one number or a 1-d sequence, got shape {array.shape}")
    if finite and not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array))
        raise ValueError(f"{name} must be finite numbers; not at position(s) {bad.tolist()}")
    return array


def paired_length(**arrays: np.ndarray) -> int:
    """The common length of arrays that are one value or one value per replication."""
    lengths = {name: a.size for name, a in arrays.items() if a.size != 1}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}: {n}" for name, n in lengths.items())
        raise ValueError(f"paired values need one value per replication each, got {listed}")
    return next(iter(lengths.values()), 1)


def as_confidence(confidence: float) -> float:
    """`confidence` as a level strictly between 0 and 1 (0.95), or a ValueError."""
    level = as_number("confidence", confidence)
    if not 0 < level < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {level:g}")
    return level
