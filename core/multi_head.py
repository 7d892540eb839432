"""Multi-head attention: per-head projections, scaled dot-product attention, concat, W_O.

Shapes: T tokens, D = d_model, H = n_heads, d_k (queries and keys), d_v (values).
The same math as ``torch.nn.MultiheadAttention(bias=False)`` with weights kept per head.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._checks import (
    AttentionInputError,
    as_float_array,
    check_rng,
    frozen_array,
    non_empty_sequence,
    positive_float,
    positive_int,
)
from .attention import EXP_SAFE, _softmax, _softmax_bounded, check_mask, check_scale

# multi_head_attention works through the heads in blocks of about this many scores
# (2**18 float64 = 2 MB, cache-sized): one head per block at T=512, one block for short inputs.
_BLOCK_ELEMENTS = 1 << 18
_MAX_SCORE = 1e300  # a bound on |score| that keeps every score, and their sums, finite


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class MultiHeadParams:
    """w_q, w_k (H, D, d_k), w_v (H, D, d_v), w_o (H*d_v, D). Arrays are stored read-only."""

    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    w_o: np.ndarray
    # (D, H*(2*d_k + d_v)): [all heads' W_Q | all heads' W_K | all heads' W_V], one matmul for Q, K, V.
    w_qkv: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        w_q = as_float_array(self.w_q, "w_q", ndim=3)
        w_k = as_float_array(self.w_k, "w_k", ndim=3)
        w_v = as_float_array(self.w_v, "w_v", ndim=3)
        w_o = as_float_array(self.w_o, "w_o", ndim=2)
        H, D, d_k = w_q.shape
        if H < 1 or D < 1 or d_k < 1:
            raise AttentionInputError(
                f"w_q must have shape (n_heads, d_model, d_k) with every size >= 1, but has {w_q.shape}"
            )
        if w_k.shape != w_q.shape:
            raise AttentionInputError(f"w_k must have the shape of w_q {w_q.shape}, but has {w_k.shape}")
        if w_v.shape[:2] != (H, D) or w_v.shape[2] < 1:
            raise AttentionInputError(f"w_v must have shape ({H}, {D}, d_v) with d_v >= 1, but has {w_v.shape}")
        d_v = w_v.shape[2]
        if w_o.shape != (H * d_v, D):
            raise AttentionInputError(
                f"w_o must have shape (n_heads*d_v, d_model) = ({H * d_v}, {D}), but has {w_o.shape}"
            )
        for name, arr in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
            object.__setattr__(self, name, frozen_array(arr))
        # (H, D, d) -> (D, H, d) -> (D, H*d): head h owns columns h*d .. (h+1)*d - 1.
        # Each block is written straight into the fused array: one copy per weight, no temporaries.
        n_qk = H * d_k
        fused = np.empty((D, 2 * n_qk + H * d_v))
        fused[:, :n_qk].reshape(D, H, d_k)[...] = w_q.transpose(1, 0, 2)
        fused[:, n_qk : 2 * n_qk].reshape(D, H, d_k)[...] = w_k.transpose(1, 0, 2)
        fused[:, 2 * n_qk :].reshape(D, H, d_v)[...] = w_v.transpose(1, 0, 2)
        fused.setflags(write=False)
        object.__setattr__(self, "w_qkv", fused)

    @property
    def n_heads(self) -> int:
        return self.w_q.shape[0]

    @property
    def d_model(self) -> int:
        return self.w_q.shape[1]

    @property
    def d_k(self) -> int:
        return self.w_q.shape[2]

    @property
    def d_v(self) -> int:
        return self.w_v.shape[2]


def default_head_width(d_model: int, n_heads: int) -> int:
    """d_model // n_heads, at least 1: any head count works with any width."""
    return max(1, d_model // n_heads)


def attention_scale(d_k: int, *, scaled: bool = True, temperature: float = 1.0) -> float:
    """What the scores q·k are multiplied by before the softmax: 1/(τ·√d_k), or 1/τ unscaled (the article's).

    The paper scales by 1/√d_k and has no temperature (τ = 1); τ is this app's dial on top.
    """
    base = 1.0 / np.sqrt(positive_int(d_k, "d_k")) if scaled else 1.0
    return base / positive_float(temperature, "temperature")


def init_multi_head(
    d_model: int, n_heads: int, rng: np.random.Generator, d_k: int | None = None, d_v: int | None = None
) -> MultiHeadParams:
    """Random weights, drawn from ``rng`` in the order w_q, w_k, w_v, w_o.

    Each entry is normal with standard deviation 1/sqrt(fan_in) (fan_in = D for the
    projections, H*d_v for W_O), which keeps the variance of activations near 1.
    """
    D = positive_int(d_model, "d_model")
    H = positive_int(n_heads, "n_heads")
    d_k = default_head_width(D, H) if d_k is None else positive_int(d_k, "d_k")
    d_v = default_head_width(D, H) if d_v is None else positive_int(d_v, "d_v")
    rng = check_rng(rng)
    std_in = 1.0 / np.sqrt(D)
    w_q = rng.normal(0.0, std_in, size=(H, D, d_k))
    w_k = rng.normal(0.0, std_in, size=(H, D, d_k))
    w_v = rng.normal(0.0, std_in, size=(H, D, d_v))
    w_o = rng.normal(0.0, 1.0 / np.sqrt(H * d_v), size=(H * d_v, D))
    return MultiHeadParams(w_q=w_q, w_k=w_k, w_v=w_v, w_o=w_o)


@dataclass(frozen=True)
class MultiHeadResult:
    """Every intermediate of one multi-head attention pass.

    q (H, T, d_k); k (H, S, d_k); v (H, S, d_v); scores, weights (H, T, S); head_outputs
    (H, T, d_v); concat (T, H*d_v); output (T, D) = concat @ w_o. S = T for self-attention;
    for cross-attention (``memory``) the keys and values are the memory's S rows. ``scores``
    are the scaled logits (-inf where masked); each row of ``weights`` sums to 1 (0 for a fully
    masked query). ``scale`` is what the logits were multiplied by; ``logits(h)`` gives head
    h's Q·Kᵀ before the scale and the mask (computed when asked: a page shows one head's).
    """

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    head_outputs: np.ndarray
    concat: np.ndarray
    output: np.ndarray
    scale: float

    def logits(self, head: int) -> np.ndarray:
        """(T, S) = Q_h K_hᵀ of one head (0-based), unscaled and unmasked."""
        H = self.q.shape[0]
        if not isinstance(head, int | np.integer) or not 0 <= head < H:
            raise AttentionInputError(f"head must be a whole number from 0 to {H - 1}, but is {head!r}")
        return self.q[head] @ self.k[head].T  # (T, d_k) @ (d_k, S) -> (T, S)


def check_head_mask(mask, t: int, n_heads: int, s: int | None = None) -> np.ndarray:
    """``mask`` as a bool array of shape (T, S), (1, T, S) or (H, T, S); S = T unless given (keys)."""
    s = t if s is None else s
    m = check_mask(mask, t, s)
    if m.ndim > 3 or (m.ndim == 3 and m.shape[0] not in (1, n_heads)):
        raise AttentionInputError(f"mask must have shape ({t}, {s}) or ({n_heads}, {t}, {s}), but has {m.shape}")
    return m


def check_memory(memory, d_model: int) -> np.ndarray:
    """``memory`` as a finite float64 (S, d_model) array with S >= 1: the rows keys and values come from."""
    memory = as_float_array(memory, "memory", ndim=2)
    non_empty_sequence(memory, "memory")
    if memory.shape[1] != d_model:
        raise AttentionInputError(f"memory has width {memory.shape[1]}, but the heads were built for d_model={d_model}")
    return memory


def multi_head_attention(x, params: MultiHeadParams, mask=None, scale=None, memory=None) -> MultiHeadResult:
    """x (T, D) -> MultiHeadResult; output (T, D). With ``memory`` (S, D): cross-attention.

    head_h = softmax(Q_h K_hᵀ · scale) V_h with Q_h = x W_Q[h] (scale = 1/sqrt(d_k) by
    default); output = concat(head_1 .. head_H) W_O. Self-attention takes K_h = x W_K[h] and
    V_h = x W_V[h]; with ``memory`` (the encoder's output, in the decoder) K_h = memory W_K[h]
    and V_h = memory W_V[h], and the weights are (H, T, S): torch's ``MultiheadAttention``
    called with query x and key = value = memory. ``mask`` is bool (T, S) or (H, T, S),
    True = may attend (S = T without memory).
    """
    if not isinstance(params, MultiHeadParams):
        raise AttentionInputError(
            f"params must be MultiHeadParams (see init_multi_head), but is {type(params).__name__}"
        )
    x = as_float_array(x, "x", ndim=2)
    non_empty_sequence(x, "x")
    T, D = x.shape
    H, d_k = params.n_heads, params.d_k
    if D != params.d_model:
        raise AttentionInputError(f"x has width {D}, but the heads were built for d_model={params.d_model}")
    if memory is not None:
        memory = check_memory(memory, D)
    if mask is not None:
        mask = check_head_mask(mask, T, H, None if memory is None else memory.shape[0])
    # check_scale's default, 1/sqrt(d_k), as a Python float (same bits as 1.0 / np.sqrt(d_k),
    # without NumPy's scalar overhead, which is ~5% of a call at T=8).
    scale = 1.0 / math.sqrt(d_k) if scale is None else check_scale(scale, d_k)
    if memory is not None:
        return _cross_attention(x, memory, params, mask, scale)
    return _multi_head_attention(x, params, mask, scale)


def _too_large(peak_q: float, peak_k: float, d_k: int, scale: float, what: str) -> None:
    """|q_i·k_j·scale| <= d_k·peak_q·peak_k·|scale| (peak_q, peak_k: the largest |q|, |k| or |v|):
    refuse inputs for which the scores could overflow float64."""
    if not (math.isfinite(peak_q) and math.isfinite(peak_k)) or peak_q * peak_k * d_k * abs(scale) > _MAX_SCORE:
        peak = max(peak_q, peak_k)
        raise AttentionInputError(
            f"{what} too large: its projections reach {peak:.3g}, and Q·Kᵀ would overflow float64; scale it down"
        )


def _softmax_for(bound: float, mask) -> Callable:
    """The softmax for scores bounded by ``bound`` in size (d_k·peak_q·peak_k·|scale|).

    The same bound says when exp() of every score is finite: then the softmax skips its shift
    by the row maximum (typical inputs: |x| of a few units gives scores of tens).
    Without a mask no row is left with a single key (whose weight must be exactly 1), so the
    bounded form may multiply rows by their sums' reciprocals instead of dividing them.
    """
    if bound <= EXP_SAFE:
        return functools.partial(_softmax_bounded, exact=mask is not None)
    return _softmax


def _multi_head_attention(x: np.ndarray, params: MultiHeadParams, mask, scale: float) -> MultiHeadResult:
    """multi_head_attention without its checks: x finite float64 (T, d_model), ``mask`` checked
    (check_head_mask) or None, ``scale`` a positive float (the encoder block has checked them)."""
    T = x.shape[0]
    H, d_k, d_v = params.n_heads, params.d_k, params.d_v
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        qkv = x @ params.w_qkv  # (T, D) @ (D, H*(2*d_k + d_v)) -> (T, H*(2*d_k + d_v))
    # |q_i·k_j·scale| <= d_k·peak²·|scale|: refuse inputs for which the scores could overflow float64.
    # (Written out here rather than through _too_large and _softmax_for, as _cross_attention does:
    # two Python calls fewer on the path the small-input benchmark times.)
    peak = max(float(qkv.max()), -float(qkv.min()))  # two reductions, no temporary array
    if not math.isfinite(peak) or peak * peak * d_k * abs(scale) > _MAX_SCORE:
        raise AttentionInputError(
            f"x is too large: its projections reach {peak:.3g}, and Q·Kᵀ would overflow float64; scale x down"
        )
    if peak * peak * d_k * abs(scale) <= EXP_SAFE:  # see _softmax_for
        softmax_into = functools.partial(_softmax_bounded, exact=mask is not None)
    else:
        softmax_into = _softmax
    n_qk = H * d_k
    q = qkv[:, :n_qk].reshape(T, H, d_k).transpose(1, 0, 2)  # (H, T, d_k), a view
    k = qkv[:, n_qk : 2 * n_qk].reshape(T, H, d_k).transpose(1, 0, 2)  # (H, T, d_k)
    v = qkv[:, 2 * n_qk :].reshape(T, H, d_v).transpose(1, 0, 2)  # (H, T, d_v)
    return _attend(q, k, v, params, mask, scale, softmax_into)


def _cross_attention(x: np.ndarray, memory: np.ndarray, params: MultiHeadParams, mask, scale: float):
    """Cross-attention without its checks: queries from x (T, D), keys and values from memory (S, D)."""
    T, S = x.shape[0], memory.shape[0]
    H, d_k, d_v = params.n_heads, params.d_k, params.d_v
    n_qk = H * d_k
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        q_all = x @ params.w_qkv[:, :n_qk]  # (T, D) @ (D, H*d_k) -> (T, H*d_k)
        kv = memory @ params.w_qkv[:, n_qk:]  # (S, D) @ (D, H*(d_k + d_v)) -> (S, H*(d_k + d_v))
    peak_q = max(float(q_all.max()), -float(q_all.min()))
    peak_kv = max(float(kv.max()), -float(kv.min()))
    _too_large(peak_q, peak_kv, d_k, scale, "x or memory is")
    softmax_into = _softmax_for(peak_q * peak_kv * d_k * abs(scale), mask)
    q = q_all.reshape(T, H, d_k).transpose(1, 0, 2)  # (H, T, d_k), a view
    k = kv[:, :n_qk].reshape(S, H, d_k).transpose(1, 0, 2)  # (H, S, d_k)
    v = kv[:, n_qk:].reshape(S, H, d_v).transpose(1, 0, 2)  # (H, S, d_v)
    return _attend(q, k, v, params, mask, scale, softmax_into)


def _attend(q, k, v, params: MultiHeadParams, mask, scale: float, softmax_into) -> MultiHeadResult:
    """q (H, T, d_k), k (H, S, d_k), v (H, S, d_v) -> MultiHeadResult: the scores, the softmax, the
    heads' outputs, their concatenation and W_O."""
    H, T, _ = q.shape
    S, d_v = v.shape[1], v.shape[2]
    k_t = k.transpose(0, 2, 1)  # (H, d_k, S), a view: BLAS reads it transposed, no copy
    # (q·scale) kᵀ = scale·(q kᵀ) up to rounding: the scale costs H·T·d_k multiplications instead of H·T·S.
    q_scaled = q * scale  # (H, T, d_k)

    # Head h's output is written straight into columns h*d_v.. of concat (no concatenation
    # copy). Every view here has unit inner stride, so each matmul below is one BLAS gemm per head.
    # concat is allocated after scores and weights: in the other order glibc handed out fresh
    # pages on every call at T=256 (~1000 page faults, +15% time), in this one it reuses memory.
    # The softmax runs on the calling thread, BLAS spreads the matmuls over the cores (a softmax
    # split between two threads came out slower: benchmarks/bench_core.py says why).
    excluded = None if mask is None else ~mask  # True = score set to -inf
    step = _BLOCK_ELEMENTS // (T * S)  # heads per cache-sized block
    if step >= H:  # one block: whole-array calls, the fewest Python steps (short inputs)
        scores = np.matmul(q_scaled, k_t)  # (H, T, d_k) @ (H, d_k, S) -> (H, T, S)
        if excluded is not None:
            np.copyto(scores, -np.inf, where=excluded)
        weights = softmax_into(scores, out=np.empty_like(scores))  # rows sum to 1
        concat = np.empty((T, H * d_v))
        head_outputs = concat.reshape(T, H, d_v).transpose(1, 0, 2)  # (H, T, d_v), a view of concat
        np.matmul(weights, v, out=head_outputs)  # (H, T, S) @ (H, S, d_v) -> (H, T, d_v)
    else:  # the same steps block by block, so each block's scores are still in cache for the softmax
        scores = np.empty((H, T, S))
        weights = np.empty((H, T, S))
        concat = np.empty((T, H * d_v))
        head_outputs = concat.reshape(T, H, d_v).transpose(1, 0, 2)  # (H, T, d_v), a view of concat
        if excluded is not None:
            excluded = np.broadcast_to(excluded, (H, T, S))  # a view, so every block can slice it
        step = max(1, step)
        for h0 in range(0, H, step):
            heads = slice(h0, h0 + step)
            s = scores[heads]
            np.matmul(q_scaled[heads], k_t[heads], out=s)
            if excluded is not None:
                np.copyto(s, -np.inf, where=excluded[heads])
            softmax_into(s, out=weights[heads])
            np.matmul(weights[heads], v[heads], out=head_outputs[heads])
    output = concat @ params.w_o  # (T, H*d_v) @ (H*d_v, D) -> (T, D)
    return MultiHeadResult(
        q=q,
        k=k,
        v=v,
        scores=scores,
        weights=weights,
        head_outputs=head_outputs,
        concat=concat,
        output=output,
        scale=scale,
    )
