"""The numbers behind the pictures: one attention cell derived step by step, why scores are scaled, temperature.

explain_cell follows one weight w_ij from the vectors q_i and k_j to the output row o_i, with the
actual numbers; scaling_study measures what the 1/sqrt(d_k) of the paper is for; softmax_temperatures
gives one row of weights at several temperatures.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import (
    AttentionInputError,
    as_float_array,
    check_rng,
    non_empty_sequence,
    positive_float,
    positive_int,
)
from .attention import _softmax, check_mask

# scaling_study refuses to draw more random numbers than this (128 MB of float64): one server
# serves a whole workshop, and no single request may hold it for long.
_MAX_DRAWS = 1 << 24


def _frozen(value, dtype=np.float64) -> np.ndarray:
    """A read-only copy; bool arrays stay bool."""
    out = np.array(value, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------- one cell, step by step


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class CellExplanation:
    """How weight w_ij and output row o_i come out of q_i, k_j and v, with the numbers. Arrays are read-only.

    i, j (0-based): the query and the key of the cell. axis: -1 normalises row i over the S keys
    (the paper), 0 normalises column j over the T queries (the article). Its normalisation group
    has n = S entries for axis=-1 and n = T for axis=0; ``position`` is the cell's place in it.

    q_i, k_j (d_k,); products (d_k,) = q_i * k_j; dot = q_i·k_j, computed as the matrix q kᵀ is
    (so the sum of products up to rounding); scaled = dot * scale, the cell's score
    before any mask. masked (n,) bool, True = excluded from the group (the opposite of ``mask``,
    whose True means "may attend"); group_scores (n,) the group's scaled scores,
    -inf where masked; shift = the largest unmasked group score, subtracted before exp (the same
    weights, without overflow); exps (n,) = exp(group_scores - shift), 0 where masked;
    total = sum of exps; weight = exp(scaled - shift) / total; group_weights (n,) = exps / total.
    A fully masked group (fully_masked) has shift = 0 and exps, total and its weights all 0.

    The output row o_i = Σ_j w_ij v_j always runs over row i of the weights: row_weights (S,) is
    that row (the group itself for axis=-1; for axis=0, row i of the column-normalised matrix,
    whose sum row_weight_sum is in general not 1); contributions (S, d_v) = row_weights[:, None] * v;
    output_row (d_v,) = the sum of contributions.
    """

    i: int
    j: int
    axis: int
    q_i: np.ndarray
    k_j: np.ndarray
    products: np.ndarray
    dot: float
    scale: float
    scaled: float
    masked: np.ndarray
    group_scores: np.ndarray
    shift: float
    exps: np.ndarray
    total: float
    weight: float
    group_weights: np.ndarray
    fully_masked: bool
    row_weights: np.ndarray
    row_weight_sum: float
    contributions: np.ndarray
    output_row: np.ndarray

    def __post_init__(self):
        for name in (
            "q_i",
            "k_j",
            "products",
            "group_scores",
            "exps",
            "group_weights",
            "row_weights",
            "contributions",
            "output_row",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "masked", _frozen(self.masked, dtype=np.bool_))

    @property
    def position(self) -> int:
        """The cell's index in its group: j in row i (axis=-1), i in column j (axis=0)."""
        return self.j if self.axis == -1 else self.i

    @property
    def is_masked(self) -> bool:
        """True when the cell itself is excluded: its weight is 0 whatever its score."""
        return bool(self.masked[self.position])


def _index(value, name: str, n: int, size: str, items: str) -> int:
    """``value`` as a 0-based index into ``n`` items (bools and fractions are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise AttentionInputError(f"{name} must be a whole number (a 0-based index), but is {value!r}")
    if not 0 <= value < n:
        raise AttentionInputError(f"{name} must be in [0, {n - 1}] for {size}={n} {items} (0-based), but is {value}")
    return int(value)


def _check_axis(axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or axis not in (-1, 0):
        raise AttentionInputError(
            f"axis must be -1 (softmax over keys, the paper) or 0 (over queries, the article), but is {axis!r}"
        )
    return int(axis)


def _check_qkv(q, k, v) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = as_float_array(q, "q", ndim=2)
    k = as_float_array(k, "k", ndim=2)
    v = as_float_array(v, "v", ndim=2)
    non_empty_sequence(q, "q")
    non_empty_sequence(k, "k")
    d_k = q.shape[1]
    if d_k < 1:
        raise AttentionInputError(f"q must have a width d_k >= 1, but has shape {q.shape}")
    if k.shape[1] != d_k:
        raise AttentionInputError(f"k has width {k.shape[1]}, but q has width d_k={d_k}; they must match")
    if v.shape[0] != k.shape[0]:
        raise AttentionInputError(f"v has {v.shape[0]} rows, but k has S={k.shape[0]}; every key needs one value")
    return q, k, v


def _cell_scores(q, k, i: int, j: int, rows: slice, scale: float, mask):
    """The scores of ``rows`` as scaled_dot_product_attention computes them (q kᵀ, then times scale)
    -> products q_i * k_j (d_k,), dots (R, S), scaled (R, S), excluded (R, S) bool, scores (R, S)."""
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        dots = q[rows] @ k.T  # (R, d_k) @ (d_k, S) -> (R, S), R = 1 or T
        scaled = dots * scale  # (R, S)
        products = q[i] * k[j]  # (d_k,)
    if not (np.isfinite(scaled).all() and np.isfinite(products).all()):
        raise AttentionInputError("q·kᵀ·scale overflowed float64; the values of q and k are too large, scale them down")
    excluded = np.zeros(scaled.shape, dtype=bool) if mask is None else ~mask[rows]
    scores = np.where(excluded, -np.inf, scaled)  # (R, S)
    return products, dots, scaled, excluded, scores


def _softmax_steps(scores: np.ndarray, axis: int):
    """The softmax of scores (R, S) along ``axis`` with its steps kept, the operations of
    core.attention._softmax -> shift, exps (R, S), totals, weights (R, S)."""
    shift = np.max(scores, axis=axis, keepdims=True, initial=-np.inf)  # (1, S) for axis=0, (1, 1) for -1
    shift[shift == -np.inf] = 0.0  # a fully masked group: exp(-inf - 0) = 0, never exp(NaN)
    exps = np.exp(scores - shift)  # (R, S), 0 where masked
    totals = np.add.reduce(exps, axis=axis, keepdims=True)
    weights = exps / np.maximum(totals, 1.0)  # totals >= exp(0) = 1 unless the group is fully masked (0)
    return shift, exps, totals, weights


def explain_cell(q, k, v, i: int, j: int, *, scale: float, mask=None, axis: int = -1) -> CellExplanation:
    """q (T, d_k), k (S, d_k), v (S, d_v), cell (i, j) -> CellExplanation; output_row (d_v,).

    The same numbers as ``scaled_dot_product_attention(q, k, v, mask, scale)`` (axis=-1) or, with
    q = k = v = E and scale=1, as ``tutorial_attention(E)`` (axis=0). ``mask`` is bool (T, S),
    True = may attend, as everywhere in ``core``; ``scale`` is a number > 0.
    """
    q, k, v = _check_qkv(q, k, v)
    T, S = q.shape[0], k.shape[0]
    i = _index(i, "i", T, "T", "queries")
    j = _index(j, "j", S, "S", "keys")
    scale = positive_float(scale, "scale")
    axis = _check_axis(axis)
    if mask is not None:
        mask = check_mask(mask, T, S)
        if mask.ndim != 2:
            raise AttentionInputError(f"mask must have shape ({T}, {S}) for one cell's matrix, but has {mask.shape}")

    # axis=-1 needs row i only; axis=0 needs every column's total for row i's weights, so every row.
    rows = slice(i, i + 1) if axis == -1 else slice(None)
    r = 0 if axis == -1 else i  # row i among the rows kept
    products, dots, scaled, excluded, scores = _cell_scores(q, k, i, j, rows, scale, mask)
    shift, exps, totals, weights = _softmax_steps(scores, axis)

    group = (r, slice(None)) if axis == -1 else (slice(None), j)  # row i or column j
    reduced = (r, 0) if axis == -1 else (0, j)  # the group's entry in shift and totals
    row_weights = weights[r]  # (S,): o_i runs over row i, whichever way the weights were normalised
    contributions = row_weights[:, None] * v  # (S, 1) * (S, d_v) -> (S, d_v)
    return CellExplanation(
        i=i,
        j=j,
        axis=axis,
        q_i=q[i],
        k_j=k[j],
        products=products,
        dot=float(dots[r, j]),
        scale=scale,
        scaled=float(scaled[r, j]),
        masked=excluded[group],
        group_scores=scores[group],
        shift=float(shift[reduced]),
        exps=exps[group],
        total=float(totals[reduced]),
        weight=float(weights[r, j]),
        group_weights=weights[group],
        fully_masked=bool(excluded[group].all()),
        row_weights=row_weights,
        row_weight_sum=float(row_weights.sum()),
        contributions=contributions,
        output_row=contributions.sum(axis=0),
    )


# ---------------------------------------------------------------- why 1/sqrt(d_k)


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class ScalingStudy:
    """d_k (m,) int; spread_unscaled, spread_scaled, top_unscaled, top_scaled (m,). Arrays are read-only.

    For each d_k, n_samples rows of attention, each one query against n_keys keys, every entry
    standard normal. spread_*: the standard deviation of the scores q·k (about sqrt(d_k)) and of
    q·k / sqrt(d_k) (about 1). top_*: the mean over rows of the row's largest softmax weight; it
    tends to 1 (one key takes everything) unscaled as d_k grows, and stays moderate scaled.
    """

    d_k: np.ndarray
    spread_unscaled: np.ndarray
    spread_scaled: np.ndarray
    top_unscaled: np.ndarray
    top_scaled: np.ndarray
    n_keys: int
    n_samples: int

    def __post_init__(self):
        object.__setattr__(self, "d_k", _frozen(self.d_k, dtype=np.int64))
        for name in ("spread_unscaled", "spread_scaled", "top_unscaled", "top_scaled"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def uniform_weight(self) -> float:
        """1 / n_keys: every row's largest weight if the scores were all equal."""
        return 1.0 / self.n_keys


def _check_d_ks(d_ks) -> list[int]:
    arr = np.asarray(d_ks, dtype=object)  # each item as given: 2.5 is refused, not read as the list's dtype
    if arr.ndim != 1 or arr.size == 0:
        raise AttentionInputError(f"d_ks must be a non-empty list of whole numbers >= 1, but has shape {arr.shape}")
    return [positive_int(d, f"d_ks[{n}]") for n, d in enumerate(arr.tolist())]


def _windowed_scores(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """q (N, d_k), k (N + K - 1, d_k) -> scores (N, K): row s is q_s against keys s .. s + K - 1."""
    N = q.shape[0]
    K = k.shape[0] - N + 1
    windows = sliding_window_view(k, K, axis=0).transpose(0, 2, 1)  # (N, K, d_k), a view: window s = k[s : s + K]
    return (windows @ q[:, :, None])[..., 0]  # (N, K, d_k) @ (N, d_k, 1) -> (N, K, 1) -> (N, K)


def _mean_top_weight(scores: np.ndarray) -> float:
    """scores (N, K) -> the mean over rows of each row's largest softmax weight."""
    weights = _softmax(scores, axis=-1, out=np.empty_like(scores))
    return float(weights.max(axis=-1).mean())


def scaling_study(d_ks, rng: np.random.Generator, *, n_keys: int = 16, n_samples: int = 256) -> ScalingStudy:
    """d_ks (m,) -> ScalingStudy (m,): how the spread of q·k and the softmax's peak grow with d_k.

    Each row's keys are a window of one drawn sequence of keys: row s meets keys s .. s + n_keys - 1.
    Every row sees n_keys independent keys, as if drawn for it alone, while the study draws
    n_samples + n_keys - 1 keys, not n_samples·n_keys; and the spread, pooled over rows that meet
    different keys, does not hinge on the lengths of one set of n_keys keys. Draws from ``rng``,
    for each d_k in order: the queries (n_samples, d_k), then the keys (n_samples + n_keys - 1, d_k).
    """
    d_list = _check_d_ks(d_ks)
    rng = check_rng(rng)
    K = positive_int(n_keys, "n_keys")
    if K < 2:
        raise AttentionInputError(f"n_keys must be >= 2 (with one key its weight is always 1), but is {K}")
    N = positive_int(n_samples, "n_samples")
    draws = sum(d_list) * (2 * N + K - 1)
    if draws > _MAX_DRAWS:
        raise AttentionInputError(
            f"scaling_study would draw {draws} random numbers (sum(d_ks)·(2·n_samples + n_keys - 1)), "
            f"but at most {_MAX_DRAWS} are allowed; ask for fewer or smaller d_ks, or fewer samples"
        )
    m = len(d_list)
    spread_unscaled, top_unscaled, top_scaled = np.empty(m), np.empty(m), np.empty(m)
    for n, d_k in enumerate(d_list):
        q = rng.standard_normal((N, d_k))  # (N, d_k)
        k = rng.standard_normal((N + K - 1, d_k))  # (N + K - 1, d_k)
        scores = _windowed_scores(q, k)  # (N, K)
        spread_unscaled[n] = scores.std()
        top_unscaled[n] = _mean_top_weight(scores)
        top_scaled[n] = _mean_top_weight(scores / math.sqrt(d_k))
    d = np.array(d_list, dtype=np.int64)
    return ScalingStudy(
        d_k=d,
        spread_unscaled=spread_unscaled,
        spread_scaled=spread_unscaled / np.sqrt(d),  # the std of scores / sqrt(d_k), without a second pass
        top_unscaled=top_unscaled,
        top_scaled=top_scaled,
        n_keys=K,
        n_samples=N,
    )


# ---------------------------------------------------------------- temperature


def softmax_temperatures(scores_row, temperatures, *, current: float = 1.0) -> np.ndarray:
    """scores_row (n,), temperatures (m,) -> (m, n): softmax(scores_row · current / τ) for each τ > 0.

    ``current``: the temperature scores_row was already divided by (an attention's scores carry its
    τ in their scale, see attention_scale), so the row is taken back to τ = 1 first.
    τ < 1 sharpens the row towards its largest score, τ > 1 flattens it towards uniform.
    -inf in scores_row means excluded, as in core.softmax; an all -inf row gives zeros.
    """
    try:
        row = np.asarray(scores_row, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AttentionInputError(
            f"scores_row must be an array of numbers, but could not be read as one: {exc}"
        ) from None
    if row.ndim != 1 or row.size == 0:
        raise AttentionInputError(f"scores_row must be one non-empty row of scores, but has shape {row.shape}")
    if np.isnan(row).any() or np.isposinf(row).any():
        raise AttentionInputError("scores_row must hold finite numbers or -inf (excluded), but has NaN or +inf")
    try:
        taus = np.asarray(temperatures, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AttentionInputError(
            f"temperatures must be an array of numbers, but could not be read as one: {exc}"
        ) from None
    if taus.ndim != 1 or taus.size == 0:
        raise AttentionInputError(f"temperatures must be a non-empty list of numbers > 0, but has shape {taus.shape}")
    for n, tau in enumerate(taus.tolist()):
        positive_float(tau, f"temperatures[{n}]")
    at_one = positive_float(current, "current")
    with np.errstate(over="ignore"):  # an overflow is reported just below
        logits = (row * at_one)[None, :] / taus[:, None]  # (1, n) / (m, 1) -> (m, n)
    if np.isposinf(logits).any() or (np.isneginf(logits) & np.isfinite(row)).any():
        raise AttentionInputError(
            "scores_row / temperature overflowed float64; the scores are too large for the smallest temperature"
        )
    return _softmax(logits, axis=-1, out=logits)


def row_moments(x) -> tuple[np.ndarray, np.ndarray]:
    """x (T, D) -> each row's mean (T,) and spread (T,): the standard deviation layer norm divides by (ddof 0)."""
    arr = as_float_array(x, "x", ndim=2)
    non_empty_sequence(arr, "x")
    return arr.mean(axis=-1), arr.std(axis=-1)


def value_shares(weights_row, v) -> np.ndarray:
    """weights_row (S,), v (S, d_v) -> (S,): how much of each value row a query's output holds,
    w_j · |v_j| (the output is Σ_j w_j v_j, so a row weighs in by its weight times its length)."""
    w = as_float_array(weights_row, "weights_row", ndim=1)
    values = as_float_array(v, "v", ndim=2)
    if values.shape[0] != w.shape[0]:
        raise AttentionInputError(f"v has {values.shape[0]} rows, but the weights row has {w.shape[0]} entries")
    return w * np.linalg.norm(values, axis=1)


def zero_fraction(x) -> float:
    """The share of entries that are exactly 0, such as the hidden units a ReLU cut."""
    arr = as_float_array(x, "x")
    if arr.size == 0:
        raise AttentionInputError("x is empty; there is no share of zeros to count")
    return float(np.count_nonzero(arr == 0.0)) / arr.size
