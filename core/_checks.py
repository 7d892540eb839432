"""Input checks shared by every public function of ``core``.

Each helper raises :class:`AttentionInputError` with a message that says what was
expected and what came, before any arithmetic runs.
"""

from __future__ import annotations

import numbers

import numpy as np


class AttentionInputError(ValueError):
    """Bad input to a ``core`` function; the message names what was expected and what came."""


def as_float_array(x, name: str, ndim: int | None = None, min_ndim: int | None = None) -> np.ndarray:
    """``x`` as a float64 array with every value finite, and the number of axes asked for."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AttentionInputError(f"{name} must be an array of numbers, but could not be read as one: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise AttentionInputError(f"{name} must have {ndim} axes, but has {arr.ndim} (shape {arr.shape})")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise AttentionInputError(f"{name} must have at least {min_ndim} axes, but has {arr.ndim} (shape {arr.shape})")
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad)
        raise AttentionInputError(f"{name} must hold finite numbers only, but has {arr[where]} at index {where}")


def positive_int(value, name: str) -> int:
    """``value`` as an int >= 1 (bools and fractions are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise AttentionInputError(f"{name} must be a whole number >= 1, but is {value!r}")
    if value < 1:
        raise AttentionInputError(f"{name} must be >= 1, but is {value}")
    return int(value)


def non_negative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise AttentionInputError(f"{name} must be a whole number >= 0, but is {value!r}")
    if value < 0:
        raise AttentionInputError(f"{name} must be >= 0, but is {value}")
    return int(value)


def positive_float(value, name: str) -> float:
    """``value`` as a finite float > 0."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise AttentionInputError(f"{name} must be a positive number, but is {value!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise AttentionInputError(f"{name} must be a finite number > 0, but is {value}")
    return value


def check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise AttentionInputError(
            f"rng must be an np.random.Generator (np.random.default_rng(seed)), but is {type(rng).__name__}"
        )
    return rng


def non_empty_sequence(arr: np.ndarray, name: str, axis: int = -2) -> None:
    if arr.shape[axis] == 0:
        raise AttentionInputError(f"{name} must hold at least one token, but its shape is {arr.shape}")


def frozen_array(arr: np.ndarray) -> np.ndarray:
    """A read-only float64 copy, so a frozen dataclass really is frozen."""
    out = np.array(arr, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out
