"""Softmax, masks and scaled dot-product attention (Vaswani et al. 2017, eq. 1)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, non_empty_sequence, positive_int

_LOWEST = float(np.finfo(np.float64).min)  # the most negative finite float64; a finite max is never below it
# exp(±EXP_SAFE) is a normal float64 (about 1e±260), and a sum of up to 1e40 of them is finite:
# for logits within ±EXP_SAFE, softmax needs no shift by the row maximum.
EXP_SAFE = 600.0
_TINY = float(np.finfo(np.float64).tiny)  # the smallest normal float64, far below exp(-EXP_SAFE)


def _softmax(x: np.ndarray, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    """Softmax of ``x`` along ``axis`` into ``out`` (may be ``x`` itself); -inf is allowed.

    No input checks: callers pass float64 arrays without NaN or +inf. A slice that is
    all -inf (a query with no allowed key) comes out as zeros, not NaN.
    """
    # The row max, but never below _LOWEST (initial=): for an all -inf slice m = _LOWEST and
    # exp(-inf - _LOWEST) = exp(-inf) = 0, where m = -inf would give exp(-inf - -inf) = exp(NaN).
    m = np.maximum.reduce(x, axis=axis, keepdims=True, initial=_LOWEST)
    out = np.subtract(x, m, out=out)
    np.exp(out, out=out)
    s = np.add.reduce(out, axis=axis, keepdims=True)
    np.maximum(s, 1.0, out=s)  # s >= exp(0) = 1 unless the slice is all -inf (s = 0): then 0 / 1 = 0
    np.divide(out, s, out=out)
    return out


def _softmax_bounded(x: np.ndarray, out: np.ndarray, exact: bool = True) -> np.ndarray:
    """Softmax of ``x`` along the last axis into ``out``, for logits the caller has bounded.

    Every finite value of ``x`` must lie within ±EXP_SAFE (-inf is allowed). Then exp(x) cannot
    overflow, and the shift by the row maximum that _softmax needs is not: two passes over the
    array fewer, the same weights up to rounding. An all -inf row sums to 0 and gives zeros.
    ``exact``: rows are divided by their sums, so a row with one allowed key gets exactly 1;
    ``exact=False`` (no -inf anywhere: no such row) multiplies them by the sums' reciprocals
    instead, equal within an ulp and faster on large maps (the README's "The math" gives the time).
    """
    np.exp(x, out=out)
    s = np.matmul(out, np.ones(out.shape[-1]))[..., None]  # row sums as matrix-vector products, in BLAS
    np.maximum(s, _TINY, out=s)  # a row with one finite logit sums to >= exp(-EXP_SAFE) > _TINY; 0 / _TINY = 0
    if exact:
        np.divide(out, s, out=out)
    else:
        np.multiply(out, np.divide(1.0, s, out=s), out=out)
    return out


def softmax(x, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis``. x (...,) -> same shape, float64.

    Finite for any finite input (shift invariant: the row maximum is subtracted first).
    -inf means "excluded"; a slice that is all -inf gives zeros, never NaN.
    """
    try:
        arr = np.array(x, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise AttentionInputError(f"x must be an array of numbers, but could not be read as one: {exc}") from None
    if arr.ndim == 0:
        raise AttentionInputError("x must have at least 1 axis, but is a scalar")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise AttentionInputError(f"axis must be a whole number, but is {axis!r}")
    axis = int(axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise AttentionInputError(
            f"axis must be in [{-arr.ndim}, {arr.ndim - 1}] for x of shape {arr.shape}, but is {axis}"
        )
    if np.isnan(arr).any() or np.isposinf(arr).any():
        raise AttentionInputError("x must hold finite numbers or -inf (excluded), but has NaN or +inf")
    if arr.shape[axis] == 0:
        raise AttentionInputError(f"x must not be empty along axis {axis}, but has shape {arr.shape}")
    return _softmax(arr, axis=axis, out=arr)


def causal_mask(n: int) -> np.ndarray:
    """bool (n, n): True where query i may attend key j, that is j <= i."""
    n = positive_int(n, "n")
    return np.tri(n, dtype=bool)


@dataclass(frozen=True)
class AttentionResult:
    """scores (..., T, S) scaled logits (-inf where masked), weights (..., T, S), output (..., T, d_v)."""

    scores: np.ndarray
    weights: np.ndarray
    output: np.ndarray


def check_mask(mask, t: int, s: int) -> np.ndarray:
    """``mask`` as a bool array whose last two axes are (T, S)."""
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise AttentionInputError(f"mask must be a bool array (True = may attend), but has dtype {m.dtype}")
    if m.ndim < 2 or m.shape[-2:] != (t, s):
        raise AttentionInputError(
            f"mask must have shape (..., {t}, {s}) for {t} queries and {s} keys, but has shape {m.shape}"
        )
    return m


def apply_mask(scores: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Excluded scores set to -inf. scores (..., T, S), mask bool broadcastable with it.

    Works in place unless the mask has more leading axes than the scores.
    """
    if mask is None:
        return scores
    full = np.broadcast_shapes(scores.shape, mask.shape)
    if full != scores.shape:
        scores = np.broadcast_to(scores, full).copy()
    np.copyto(scores, -np.inf, where=~mask)
    return scores


def check_scale(scale, d_k: int) -> float:
    if scale is None:
        return 1.0 / np.sqrt(d_k)
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise AttentionInputError(f"scale must be a number (default 1/sqrt(d_k)), but is {scale!r}") from None
    if not np.isfinite(value):
        raise AttentionInputError(f"scale must be finite, but is {value}")
    if value <= 0:
        raise AttentionInputError(
            f"scale must be positive (it multiplies the scores: 1/sqrt(d_k), or 1/(tau*sqrt(d_k))), but is {value}"
        )
    return value


def scaled_dot_product_attention(q, k, v, mask=None, scale=None) -> AttentionResult:
    """q (..., T, d_k), k (..., S, d_k), v (..., S, d_v) -> output (..., T, d_v).

    softmax(q kᵀ · scale) v, with scale = 1/sqrt(d_k) unless given (``scale=1.0`` is the
    unscaled form). Leading axes broadcast. ``mask`` is bool (..., T, S), True = may attend;
    a query with no allowed key gets zero weights and a zero output.
    """
    q = as_float_array(q, "q", min_ndim=2)
    k = as_float_array(k, "k", min_ndim=2)
    v = as_float_array(v, "v", min_ndim=2)
    non_empty_sequence(q, "q")
    non_empty_sequence(k, "k")
    T, d_k = q.shape[-2:]
    S = k.shape[-2]
    if d_k < 1:
        raise AttentionInputError(f"q must have a width d_k >= 1, but has shape {q.shape}")
    if k.shape[-1] != d_k:
        raise AttentionInputError(f"k has width {k.shape[-1]}, but q has width d_k={d_k}; they must match")
    if v.shape[-2] != S:
        raise AttentionInputError(f"v has {v.shape[-2]} rows, but k has S={S}; every key needs one value")
    try:
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise AttentionInputError(
            f"the leading axes of q {q.shape[:-2]}, k {k.shape[:-2]} and v {v.shape[:-2]} do not broadcast"
        ) from None
    if mask is not None:
        mask = check_mask(mask, T, S)
        try:
            np.broadcast_shapes(mask.shape[:-2], lead)
        except ValueError:
            raise AttentionInputError(
                f"mask has leading axes {mask.shape[:-2]}, which do not broadcast with {lead}"
            ) from None
    scale = check_scale(scale, d_k)

    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        scores = np.matmul(q, np.swapaxes(k, -1, -2))  # (..., T, d_k) @ (..., d_k, S) -> (..., T, S)
        scores *= scale
    if not np.isfinite(scores).all():  # |q·k| past ~1.8e308: +inf or NaN would become NaN weights
        raise AttentionInputError("q·kᵀ·scale overflowed float64; the values of q and k are too large, scale them down")
    scores = apply_mask(scores, mask)
    weights = _softmax(scores)
    output = np.matmul(weights, v)  # (..., T, S) @ (..., S, d_v) -> (..., T, d_v)
    return AttentionResult(scores=scores, weights=weights, output=output)
