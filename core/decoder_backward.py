"""Gradients of cross-attention, the decoder block and the stacks, by hand (the encoder's are in core.backward).

The decoder block on a batch of B target sentences of T tokens and their memories (B, S, D):

    post-norm (norm_first=False)                 pre-norm (norm_first=True)
    h = LN1(y + SelfAttn(y))                     h = y + SelfAttn(LN1(y))
    h2 = LN2(h + CrossAttn(h, m))                h2 = h + CrossAttn(LN2(h), m)
    out = LN3(h2 + FFN(h2))                      out = h2 + FFN(LN3(h2))

CrossAttn(a, m) = concat_h(softmax(Q_h K_hᵀ·scale) V_h) W_O with Q_h = a W_Q[h] and K_h, V_h from
m: the memory gets a gradient too, summed over every decoder block that reads it. Each forward
step is followed by its backward step, which undoes it line by line in reverse, the shape of
every gradient on its line; ``d_name`` is d loss / d name. The steps themselves (layer norm,
the feed-forward layer, the heads' softmax, the encoder block) are core.backward's.

Inside, a block's arrays live in a dict by name, the per-head projections fused as in
``MultiHeadParams.w_qkv`` (D, H*(2*d_k + d_v)): the decoder's are sa_w_qkv, sa_w_o (self-
attention), ca_w_qkv, ca_w_o (cross-attention), w1, b1, w2, b2 and gamma1..3, beta1..3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, positive_float
from .attention import check_scale
from .backward import (
    _attend_backward,
    _attend_forward,
    _attention_backward,
    _attention_forward,
    _block_backward,
    _block_forward,
    _Config,
    _feed_forward_backward,
    _feed_forward_forward,
    _fuse_qkv,
    _layer_norm_backward,
    _layer_norm_forward,
    _matmul,
    _split_qkv,
    check_flag,
    check_magnitude,
)
from .decoder import DecoderBlockParams
from .encoder import EncoderBlockParams
from .feed_forward import FeedForwardParams
from .layers import LayerNormParams
from .multi_head import MultiHeadParams, check_head_mask

# ---------------------------------------------------------------- cross-attention


def _split_heads(z, B, T, H, d):
    """z (B, T, H*d) -> (B, H, T, d), a view: head h owns columns h*d .. (h+1)*d - 1."""
    return z.reshape(B, T, H, d).transpose(0, 2, 1, 3)


def _cross_attention_forward(a, m, w_qkv, w_o, cfg):
    """a (B, T, D), m (B, S, D) -> y (B, T, D) = concat_h(softmax(Q_h K_hᵀ·scale) V_h) W_O, and the cache;
    Q from a, K and V from m."""
    B, T, D = a.shape
    S = m.shape[1]
    H, d_k, d_v = cfg.heads
    n_qk = H * d_k
    a2, m2 = a.reshape(B * T, D), m.reshape(B * S, D)
    q = _split_heads(
        _matmul(a2, w_qkv[:, :n_qk]).reshape(B, T, n_qk), B, T, H, d_k
    )  # (B·T, D) @ (D, H·d_k) -> (B, H, T, d_k)
    kv = _matmul(m2, w_qkv[:, n_qk:]).reshape(B, S, -1)  # (B·S, D) @ (D, H·(d_k+d_v)) -> (B, S, H·(d_k+d_v))
    k = _split_heads(kv[..., :n_qk], B, S, H, d_k)  # (B, H, S, d_k)
    v = _split_heads(kv[..., n_qk:], B, S, H, d_v)  # (B, H, S, d_v)
    weights, heads = _attend_forward(q, k, v, cfg)  # (B, H, T, S), (B, H, T, d_v)
    concat = heads.transpose(0, 2, 1, 3).reshape(B * T, H * d_v)  # (B·T, H·d_v), head h in columns h·d_v ..
    y = _matmul(concat, w_o).reshape(B, T, D)  # (B·T, H·d_v) @ (H·d_v, D) -> (B, T, D)
    return y, (a2, m2, q, k, v, weights, concat)


def _cross_attention_backward(d_y, cache, w_qkv, w_o, cfg):
    """d_y (B, T, D) -> d_a (B, T, D), d_m (B, S, D), d_w_qkv (D, H·(2d_k+d_v)), d_w_o (H·d_v, D)."""
    a2, m2, q, k, v, weights, concat = cache
    B, T, D = d_y.shape
    S = m2.shape[0] // B
    H, d_k, d_v = cfg.heads
    n_qk = H * d_k
    d_y2 = d_y.reshape(B * T, D)  # (B·T, D)
    d_w_o = _matmul(concat.T, d_y2)  # (H·d_v, B·T) @ (B·T, D) -> (H·d_v, D)
    d_concat = _matmul(d_y2, w_o.T)  # (B·T, D) @ (D, H·d_v) -> (B·T, H·d_v)
    d_heads = _split_heads(d_concat, B, T, H, d_v)  # (B, H, T, d_v)
    d_q, d_k_, d_v_ = _attend_backward(d_heads, q, k, v, weights, cfg)  # (B, H, T, d_k), (B, H, S, d_k), (B, H, S, d_v)
    d_q2 = d_q.transpose(0, 2, 1, 3).reshape(B * T, n_qk)  # (B·T, H·d_k), the layout of q
    d_kv = np.empty((B, S, w_qkv.shape[1] - n_qk))  # (B, S, H·(d_k+d_v)), the layout of kv
    _split_heads(d_kv[..., :n_qk], B, S, H, d_k)[...] = d_k_  # writes (B, H, S, d_k) into its columns
    _split_heads(d_kv[..., n_qk:], B, S, H, d_v)[...] = d_v_
    d_kv2 = d_kv.reshape(B * S, -1)  # (B·S, H·(d_k+d_v))
    d_w_qkv = np.concatenate(
        [_matmul(a2.T, d_q2), _matmul(m2.T, d_kv2)], axis=1
    )  # (D, B·T) @ (B·T, H·d_k) | (D, B·S) @ (B·S, H·(d_k+d_v)) -> (D, H·(2d_k+d_v))
    d_a = _matmul(d_q2, w_qkv[:, :n_qk].T).reshape(B, T, D)  # (B·T, H·d_k) @ (H·d_k, D) -> (B, T, D)
    d_m = _matmul(d_kv2, w_qkv[:, n_qk:].T).reshape(B, S, D)  # (B·S, H·(d_k+d_v)) @ (.., D) -> (B, S, D)
    return d_a, d_m, d_w_qkv, d_w_o


# ---------------------------------------------------------------- the decoder block


@dataclass(frozen=True)
class _DecoderConfig:
    """What a decoder block's forward and backward passes share besides the weights: one attention
    config (core.backward's _Config: heads, excluded scores, scale) for each attention."""

    self_attention: _Config
    cross_attention: _Config
    norm_first: bool
    eps: float


def _decoder_forward(y, m, w, cfg, tape):
    """y (B, T, D), m (B, S, D) -> out (B, T, D), the decoder block; caches go to ``tape``."""
    eps = cfg.eps
    if not cfg.norm_first:  # h = LN1(y + SA(y)); h2 = LN2(h + CA(h, m)); out = LN3(h2 + FFN(h2))
        sa, tape["self_attention"] = _attention_forward(y, w["sa_w_qkv"], w["sa_w_o"], cfg.self_attention)  # (B, T, D)
        h, tape["norm1"] = _layer_norm_forward(y + sa, w["gamma1"], w["beta1"], eps)  # (B, T, D)
        ca, tape["cross_attention"] = _cross_attention_forward(
            h, m, w["ca_w_qkv"], w["ca_w_o"], cfg.cross_attention
        )  # (B, T, D)
        h2, tape["norm2"] = _layer_norm_forward(h + ca, w["gamma2"], w["beta2"], eps)  # (B, T, D)
        f, tape["feed_forward"] = _feed_forward_forward(h2, w["w1"], w["b1"], w["w2"], w["b2"])  # (B, T, D)
        out, tape["norm3"] = _layer_norm_forward(h2 + f, w["gamma3"], w["beta3"], eps)  # (B, T, D)
        return out
    # h = y + SA(LN1(y)); h2 = h + CA(LN2(h), m); out = h2 + FFN(LN3(h2))
    n1, tape["norm1"] = _layer_norm_forward(y, w["gamma1"], w["beta1"], eps)  # (B, T, D)
    sa, tape["self_attention"] = _attention_forward(n1, w["sa_w_qkv"], w["sa_w_o"], cfg.self_attention)  # (B, T, D)
    h = y + sa  # (B, T, D)
    n2, tape["norm2"] = _layer_norm_forward(h, w["gamma2"], w["beta2"], eps)  # (B, T, D)
    ca, tape["cross_attention"] = _cross_attention_forward(
        n2, m, w["ca_w_qkv"], w["ca_w_o"], cfg.cross_attention
    )  # (B, T, D)
    h2 = h + ca  # (B, T, D)
    n3, tape["norm3"] = _layer_norm_forward(h2, w["gamma3"], w["beta3"], eps)  # (B, T, D)
    f, tape["feed_forward"] = _feed_forward_forward(n3, w["w1"], w["b1"], w["w2"], w["b2"])  # (B, T, D)
    return h2 + f  # (B, T, D)


def _decoder_backward(d_out, tape, w, cfg, g):
    """d_out (B, T, D) -> d_y (B, T, D), d_m (B, S, D); the block's gradients go to ``g``."""
    if not cfg.norm_first:  # undo h = LN1(y + SA(y)); h2 = LN2(h + CA(h, m)); out = LN3(h2 + FFN(h2))
        d_r3, g["gamma3"], g["beta3"] = _layer_norm_backward(d_out, w["gamma3"], tape["norm3"])  # (B, T, D), (D,)
        d_h2_ffn, g["w1"], g["b1"], g["w2"], g["b2"] = _feed_forward_backward(
            d_r3, tape["feed_forward"], w["w1"], w["w2"]
        )  # (B, T, D), (D, F), (F,), (F, D), (D,)
        d_h2 = d_r3 + d_h2_ffn  # (B, T, D): r3 = h2 + f, the residual path and the FFN path
        d_r2, g["gamma2"], g["beta2"] = _layer_norm_backward(d_h2, w["gamma2"], tape["norm2"])  # (B, T, D), (D,)
        d_h_ca, d_m, g["ca_w_qkv"], g["ca_w_o"] = _cross_attention_backward(
            d_r2, tape["cross_attention"], w["ca_w_qkv"], w["ca_w_o"], cfg.cross_attention
        )  # (B, T, D), (B, S, D), (D, H·(2d_k+d_v)), (H·d_v, D)
        d_h = d_r2 + d_h_ca  # (B, T, D): r2 = h + ca
        d_r1, g["gamma1"], g["beta1"] = _layer_norm_backward(d_h, w["gamma1"], tape["norm1"])  # (B, T, D), (D,)
        d_y_sa, g["sa_w_qkv"], g["sa_w_o"] = _attention_backward(
            d_r1, tape["self_attention"], w["sa_w_qkv"], w["sa_w_o"], cfg.self_attention, need_d_a=True
        )  # (B, T, D), (D, H·(2d_k+d_v)), (H·d_v, D)
        return d_r1 + d_y_sa, d_m  # (B, T, D): r1 = y + sa; (B, S, D)
    # undo h = y + SA(LN1(y)); h2 = h + CA(LN2(h), m); out = h2 + FFN(LN3(h2))
    d_n3, g["w1"], g["b1"], g["w2"], g["b2"] = _feed_forward_backward(
        d_out, tape["feed_forward"], w["w1"], w["w2"]
    )  # (B, T, D), (D, F), (F,), (F, D), (D,)
    d_h2_ln3, g["gamma3"], g["beta3"] = _layer_norm_backward(d_n3, w["gamma3"], tape["norm3"])  # (B, T, D), (D,)
    d_h2 = d_out + d_h2_ln3  # (B, T, D): out = h2 + f, the residual path and the LN3 -> FFN path
    d_n2, d_m, g["ca_w_qkv"], g["ca_w_o"] = _cross_attention_backward(
        d_h2, tape["cross_attention"], w["ca_w_qkv"], w["ca_w_o"], cfg.cross_attention
    )  # (B, T, D), (B, S, D), (D, H·(2d_k+d_v)), (H·d_v, D)
    d_h_ln2, g["gamma2"], g["beta2"] = _layer_norm_backward(d_n2, w["gamma2"], tape["norm2"])  # (B, T, D), (D,)
    d_h = d_h2 + d_h_ln2  # (B, T, D): h2 = h + ca
    d_n1, g["sa_w_qkv"], g["sa_w_o"] = _attention_backward(
        d_h, tape["self_attention"], w["sa_w_qkv"], w["sa_w_o"], cfg.self_attention, need_d_a=True
    )  # (B, T, D), (D, H·(2d_k+d_v)), (H·d_v, D)
    d_y_ln1, g["gamma1"], g["beta1"] = _layer_norm_backward(d_n1, w["gamma1"], tape["norm1"])  # (B, T, D), (D,)
    return d_h + d_y_ln1, d_m  # (B, T, D): h = y + sa; (B, S, D)


# ---------------------------------------------------------------- stacks


def _encoder_stack_forward(x, ws, cfg):
    """x (B, S, D), ws one dict of arrays per block -> out (B, S, D), one tape per block."""
    tapes = []
    for w in ws:
        tapes.append({})
        x = _block_forward(x, w, cfg, tapes[-1])  # (B, S, D), the next block's input
    return x, tapes


def _encoder_stack_backward(d_out, tapes, ws, cfg):
    """d_out (B, S, D) -> d_x (B, S, D), one dict of gradients per block."""
    grads = [{} for _ in ws]
    for w, tape, g in zip(reversed(ws), reversed(tapes), reversed(grads), strict=True):
        d_out = _block_backward(d_out, tape, w, cfg, g, need_d_x=True)  # (B, S, D), the block's input
    return d_out, grads


def _decoder_stack_forward(y, m, ws, cfg):
    """y (B, T, D), m (B, S, D) -> out (B, T, D), one tape per block; every block reads the same memory."""
    tapes = []
    for w in ws:
        tapes.append({})
        y = _decoder_forward(y, m, w, cfg, tapes[-1])  # (B, T, D), the next block's input
    return y, tapes


def _decoder_stack_backward(d_out, tapes, ws, cfg):
    """d_out (B, T, D) -> d_y (B, T, D), d_m (B, S, D) summed over the blocks, one dict of gradients per block."""
    grads = [{} for _ in ws]
    d_m = None
    for w, tape, g in zip(reversed(ws), reversed(tapes), reversed(grads), strict=True):
        d_out, d_m_block = _decoder_backward(d_out, tape, w, cfg, g)  # (B, T, D), (B, S, D)
        d_m = d_m_block if d_m is None else d_m + d_m_block  # (B, S, D)
    return d_out, d_m, grads


# ---------------------------------------------------------------- parameters <-> arrays


def encoder_arrays(params: EncoderBlockParams) -> dict:
    """An encoder block's arrays by name (fresh writable copies): w_qkv, w_o, gamma1, beta1, w1, b1, w2, b2,
    gamma2, beta2."""
    a, ff = params.attention, params.feed_forward
    w = {"w_qkv": _fuse_qkv(a), "w_o": a.w_o.copy(), "gamma1": params.norm1.gamma.copy()}
    w.update(beta1=params.norm1.beta.copy(), w1=ff.w1.copy(), b1=ff.b1.copy(), w2=ff.w2.copy(), b2=ff.b2.copy())
    w.update(gamma2=params.norm2.gamma.copy(), beta2=params.norm2.beta.copy())
    return w


def _attention_params(w_qkv, w_o, like: MultiHeadParams) -> MultiHeadParams:
    w_q, w_k, w_v = _split_qkv(w_qkv, like.n_heads, like.d_k, like.d_v)
    return MultiHeadParams(w_q=w_q, w_k=w_k, w_v=w_v, w_o=w_o)


def _feed_forward_params(w) -> FeedForwardParams:
    return FeedForwardParams(w1=w["w1"], b1=w["b1"], w2=w["w2"], b2=w["b2"])


def encoder_from_arrays(w: dict, like: EncoderBlockParams) -> EncoderBlockParams:
    """The inverse of encoder_arrays; ``like`` gives the head widths."""
    return EncoderBlockParams(
        attention=_attention_params(w["w_qkv"], w["w_o"], like.attention),
        feed_forward=_feed_forward_params(w),
        norm1=LayerNormParams(gamma=w["gamma1"], beta=w["beta1"]),
        norm2=LayerNormParams(gamma=w["gamma2"], beta=w["beta2"]),
    )


def decoder_arrays(params: DecoderBlockParams) -> dict:
    """A decoder block's arrays by name (fresh writable copies), the names of the module docstring."""
    sa, ca, ff = params.self_attention, params.cross_attention, params.feed_forward
    w = {"sa_w_qkv": _fuse_qkv(sa), "sa_w_o": sa.w_o.copy(), "ca_w_qkv": _fuse_qkv(ca), "ca_w_o": ca.w_o.copy()}
    w.update(w1=ff.w1.copy(), b1=ff.b1.copy(), w2=ff.w2.copy(), b2=ff.b2.copy())
    for i, norm in enumerate((params.norm1, params.norm2, params.norm3), start=1):
        w[f"gamma{i}"], w[f"beta{i}"] = norm.gamma.copy(), norm.beta.copy()
    return w


def decoder_from_arrays(w: dict, like: DecoderBlockParams) -> DecoderBlockParams:
    """The inverse of decoder_arrays; ``like`` gives the head widths."""
    return DecoderBlockParams(
        self_attention=_attention_params(w["sa_w_qkv"], w["sa_w_o"], like.self_attention),
        cross_attention=_attention_params(w["ca_w_qkv"], w["ca_w_o"], like.cross_attention),
        feed_forward=_feed_forward_params(w),
        norm1=LayerNormParams(gamma=w["gamma1"], beta=w["beta1"]),
        norm2=LayerNormParams(gamma=w["gamma2"], beta=w["beta2"]),
        norm3=LayerNormParams(gamma=w["gamma3"], beta=w["beta3"]),
    )


def attention_config(params: MultiHeadParams, excluded, scale: float) -> _Config:
    """core.backward's _Config for one attention: ``excluded`` bool broadcastable to (B, H, T, S) or None."""
    return _Config(
        heads=(params.n_heads, params.d_k, params.d_v),
        excluded=excluded,
        scale=scale,
        norm_first=False,
        feed_forward=True,
        eps=1e-5,
        keep=None,
    )


# ---------------------------------------------------------------- public


@dataclass(frozen=True, eq=False)
class AttentionGradients:
    """The gradient of a loss, given d loss / d output, for multi-head attention: ``params`` holds
    d loss / d w_q, w_k, w_v, w_o in their shapes; ``x`` (.., T, D) d loss / d x; ``memory``
    (.., S, D) d loss / d memory for cross-attention, None for self-attention (x's gradient has both paths).
    """

    params: MultiHeadParams
    x: np.ndarray
    memory: np.ndarray | None


@dataclass(frozen=True, eq=False)
class DecoderBlockGradients:
    """The gradient of a loss, given d loss / d output, for a decoder block: ``params`` holds d loss / d
    every parameter in its shape (a DecoderBlockParams of gradients); ``y`` (.., T, D) and
    ``memory`` (.., S, D) are d loss / d y and d loss / d memory.
    """

    params: DecoderBlockParams
    y: np.ndarray
    memory: np.ndarray


def _batch(x, name: str, d_model: int, what: str) -> tuple[np.ndarray, bool]:
    """``x`` (T, D) or (B, T, D) as a finite (B, T, D) array, and whether it came without the batch axis."""
    arr = as_float_array(x, name)
    if arr.ndim not in (2, 3):
        raise AttentionInputError(f"{name} must have shape (T, D) or (B, T, D), but has shape {arr.shape}")
    single = arr.ndim == 2
    arr = arr[None] if single else arr
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise AttentionInputError(f"{name} must hold at least one sentence of one token, but its shape is {arr.shape}")
    if arr.shape[2] != d_model:
        raise AttentionInputError(f"{name} has width {arr.shape[2]}, but {what} was built for d_model={d_model}")
    check_magnitude(arr, name)
    return arr, single


def _upstream(d_output, shape: tuple[int, ...]) -> np.ndarray:
    d = as_float_array(d_output, "d_output")
    if d.shape != shape:
        raise AttentionInputError(f"d_output must have the shape of the output {shape}, but has {d.shape}")
    return d


def _memory_batch(memory, B: int, d_model: int, what: str) -> np.ndarray:
    m, single = _batch(memory, "memory", d_model, what)
    if single and B > 1:
        raise AttentionInputError(f"memory must have shape ({B}, S, {d_model}), one per sentence, but has {m[0].shape}")
    if m.shape[0] != B:
        raise AttentionInputError(f"memory holds {m.shape[0]} sentences, but there are {B}; one memory per sentence")
    return m


def _scale(scale, d_k: int) -> float:
    return 1.0 / math.sqrt(d_k) if scale is None else check_scale(scale, d_k)


def _finite(grads: dict, *inputs) -> None:
    bad = [name for name, grad in grads.items() if not np.isfinite(grad).all()]
    bad += [name for name, grad in inputs if grad is not None and not np.isfinite(grad).all()]
    if bad:
        raise AttentionInputError(
            f"the gradient of {', '.join(bad)} overflowed float64; the values of the inputs or the weights are too large"
        )


def attention_gradients(x, params: MultiHeadParams, d_output, mask=None, scale=None, memory=None) -> AttentionGradients:
    """x (T, D) or (B, T, D), d_output (the output's shape) -> AttentionGradients.

    The backward pass of ``multi_head_attention`` (with ``memory`` (S, D) or (B, S, D): of
    cross-attention): given d loss / d output, the gradients of the same loss with respect to the
    weights, x and the memory. ``mask`` (T, S) or (H, T, S), True = may attend, and ``scale`` as
    in multi_head_attention.
    """
    if not isinstance(params, MultiHeadParams):
        raise AttentionInputError(
            f"params must be MultiHeadParams (see init_multi_head), but is {type(params).__name__}"
        )
    D, H = params.d_model, params.n_heads
    xb, single = _batch(x, "x", D, "the heads")
    m = None if memory is None else _memory_batch(memory, xb.shape[0], D, "the heads")
    T, S = xb.shape[1], (xb.shape[1] if m is None else m.shape[1])
    d_out = _upstream(d_output, xb.shape[1:] if single else xb.shape).reshape(xb.shape)
    excluded = None if mask is None else ~check_head_mask(mask, T, H, S)
    cfg = attention_config(params, excluded, _scale(scale, params.d_k))
    w_qkv, w_o = _fuse_qkv(params), params.w_o
    with np.errstate(all="ignore"):  # an overflow is reported just below
        if m is None:
            _, cache = _attention_forward(xb, w_qkv, w_o, cfg)
            d_x, d_w_qkv, d_w_o = _attention_backward(d_out, cache, w_qkv, w_o, cfg, need_d_a=True)
            d_m = None
        else:
            _, cache = _cross_attention_forward(xb, m, w_qkv, w_o, cfg)
            d_x, d_m, d_w_qkv, d_w_o = _cross_attention_backward(d_out, cache, w_qkv, w_o, cfg)
    _finite({"w_qkv": d_w_qkv, "w_o": d_w_o}, ("x", d_x), ("memory", d_m))
    grads = _attention_params(d_w_qkv, d_w_o, params)
    if single:
        d_x, d_m = d_x[0], None if d_m is None else d_m[0]
    return AttentionGradients(params=grads, x=d_x, memory=d_m)


def decoder_block_gradients(
    y,
    memory,
    params: DecoderBlockParams,
    d_output,
    self_mask=None,
    memory_mask=None,
    scale=None,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> DecoderBlockGradients:
    """y (T, D) or (B, T, D), memory (S, D) or (B, S, D), d_output (y's shape) -> DecoderBlockGradients.

    The backward pass of ``decoder_block`` (the same arguments): given d loss / d output, the
    gradients of the same loss with respect to every parameter, y and the memory.
    """
    if not isinstance(params, DecoderBlockParams):
        raise AttentionInputError(
            f"params must be DecoderBlockParams (see init_decoder_block), but is {type(params).__name__}"
        )
    D = params.d_model
    yb, single = _batch(y, "y", D, "the decoder block")
    m = _memory_batch(memory, yb.shape[0], D, "the decoder block")
    T, S = yb.shape[1], m.shape[1]
    d_out = _upstream(d_output, yb.shape[1:] if single else yb.shape).reshape(yb.shape)
    sa, ca = params.self_attention, params.cross_attention
    self_excluded = None if self_mask is None else ~check_head_mask(self_mask, T, sa.n_heads)
    memory_excluded = None if memory_mask is None else ~check_head_mask(memory_mask, T, ca.n_heads, S)
    cfg = _DecoderConfig(
        self_attention=attention_config(sa, self_excluded, _scale(scale, sa.d_k)),
        cross_attention=attention_config(ca, memory_excluded, _scale(scale, ca.d_k)),
        norm_first=check_flag(norm_first, "norm_first"),
        eps=positive_float(eps, "eps"),
    )
    w = decoder_arrays(params)
    g = {}
    with np.errstate(all="ignore"):  # an overflow is reported just below
        tape = {}
        _decoder_forward(yb, m, w, cfg, tape)
        d_y, d_m = _decoder_backward(d_out, tape, w, cfg, g)
    _finite(g, ("y", d_y), ("memory", d_m))
    if single:
        d_y, d_m = d_y[0], d_m[0]
    return DecoderBlockGradients(params=decoder_from_arrays(g, params), y=d_y, memory=d_m)
