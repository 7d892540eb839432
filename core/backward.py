"""Gradients of the encoder block and a linear readout under softmax cross-entropy, by hand.

The model, on a batch of B sentences of T tokens (x = E + PE is the input and stays fixed):

    post-norm (norm_first=False)              pre-norm (norm_first=True)
    h = LN1(x + MultiHead(x))                 h = x + MultiHead(LN1(x))
    out = LN2(h + FFN(h))                     out = h + FFN(LN2(h))
    logits_k = out W_r[k] + b_r[k]            (the same readouts)
    loss = mean over (k, b, t) with a target of -log softmax(logits_k[b, t])[target]

With ``feed_forward=False`` (the attention sublayer alone) the FFN and LN2 are skipped:
out = h. Each forward step is followed by its backward step; the backward of the whole
block (``_block_backward``) undoes ``_block_forward`` line by line in reverse, the shape of
every gradient on its line. ``core.decoder_backward`` builds the decoder and the stacks from
the same steps. ``d_name`` is d loss / d name. Shapes: B sentences, T tokens,
D = d_model, H heads, F = d_ff, K readouts (targets per position), V words.

Internally the per-head projections are kept fused, W_QKV = [W_Q | W_K | W_V] of shape
(D, H*(2*d_k + d_v)) with head h in columns h*d_k .. of each block, the layout of
``MultiHeadParams.w_qkv``: one matmul projects every head of every sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, check_rng, frozen_array, positive_float, positive_int
from .attention import _softmax, check_scale
from .encoder import EncoderBlockParams
from .feed_forward import FeedForwardParams
from .layers import LayerNormParams
from .multi_head import MultiHeadParams, check_head_mask

# Below this |x|, (x - mean)² and its sums stay finite in _layer_norm_forward (core.layer_norm
# rescales such rows instead; a batch of sentences is checked once instead).
X_SAFE = 1e100

# ---------------------------------------------------------------- the readout


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class ReadoutParams:
    """w_r (K, D, V), b_r (K, V): K linear readouts to the V words, logits_k = out @ w_r[k] + b_r[k].

    One readout per target of a position (K = 1 for most tasks, 2 for "neighbours"). Read-only.
    """

    w_r: np.ndarray
    b_r: np.ndarray

    def __post_init__(self):
        w_r = as_float_array(self.w_r, "w_r", ndim=3)
        b_r = as_float_array(self.b_r, "b_r", ndim=2)
        K, D, V = w_r.shape
        if K < 1 or D < 1 or V < 1:
            raise AttentionInputError(
                f"w_r must have shape (n_targets, d_model, n_words) with every size >= 1, but has {w_r.shape}"
            )
        if b_r.shape != (K, V):
            raise AttentionInputError(f"b_r must have shape ({K}, {V}) to match w_r {w_r.shape}, but has {b_r.shape}")
        object.__setattr__(self, "w_r", frozen_array(w_r))
        object.__setattr__(self, "b_r", frozen_array(b_r))

    @property
    def n_targets(self) -> int:
        return self.w_r.shape[0]

    @property
    def d_model(self) -> int:
        return self.w_r.shape[1]

    @property
    def n_words(self) -> int:
        return self.w_r.shape[2]


def init_readout(d_model: int, n_words: int, rng: np.random.Generator, n_targets: int = 1) -> ReadoutParams:
    """Random readouts as ``torch.nn.Linear`` draws them: uniform in ±1/sqrt(d_model), w_r then b_r."""
    D = positive_int(d_model, "d_model")
    V = positive_int(n_words, "n_words")
    K = positive_int(n_targets, "n_targets")
    rng = check_rng(rng)
    bound = 1.0 / math.sqrt(D)
    w_r = rng.uniform(-bound, bound, size=(K, D, V))
    b_r = rng.uniform(-bound, bound, size=(K, V))
    return ReadoutParams(w_r=w_r, b_r=b_r)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class BlockPass:
    """One forward pass on a batch: weights (B, H, T, T) per head, output (B, T, D), logits (K, B, T, V)."""

    weights: np.ndarray
    output: np.ndarray
    logits: np.ndarray


@dataclass(frozen=True, eq=False)
class BlockGradients:
    """loss (float) and its gradient, shaped and named as the parameters: ``block.attention.w_q`` is
    d loss / d ``params.attention.w_q`` (H, D, d_k), ``readout.w_r`` d loss / d ``readout.w_r``, and so on.

    The parts the variant skips (the FFN and LN2 when ``feed_forward=False``) get zeros: the loss
    does not depend on them.
    """

    loss: float
    block: EncoderBlockParams
    readout: ReadoutParams


# ---------------------------------------------------------------- matrix products

# OpenBLAS runs a product of at most 65536·4 multiply-adds (GEMM_MULTITHREAD_THRESHOLD) on the
# calling thread, and wakes its worker threads for larger ones. On a machine whose cores are
# shared with other jobs those threads often wait for a core, and a training step, which is
# many small products, ran many times slower. So each product of (B·T)-row arrays is done in
# blocks of at most this many multiply-adds; blocks keep at least _MIN_ROWS rows, so a large
# product still gets one BLAS call per block, not one per row.
_ONE_THREAD_MNK = 1 << 18
_MIN_ROWS = 64


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a (M, K) @ b (K, N) -> (M, N), the same product in blocks one BLAS thread runs alone."""
    M, K = a.shape
    N = b.shape[1]
    if M * K * N <= _ONE_THREAD_MNK:
        return a @ b
    if M >= K:  # activations, M = B·T rows: blocks of rows
        rows = max(_MIN_ROWS, _ONE_THREAD_MNK // (K * N))
        out = np.empty((M, N))
        for i in range(0, M, rows):
            np.matmul(a[i : i + rows], b, out=out[i : i + rows])  # (rows, K) @ (K, N) -> (rows, N)
        return out
    # weight gradients, K = B·T: the sum over the batch in blocks of K
    step = max(_MIN_ROWS, _ONE_THREAD_MNK // (M * N))
    out = a[:, :step] @ b[:step]  # (M, step) @ (step, N) -> (M, N)
    for i in range(step, K, step):
        out += a[:, i : i + step] @ b[i : i + step]
    return out


# ---------------------------------------------------------------- layer norm


def _layer_norm_forward(x, gamma, beta, eps):
    """x (B, T, D) -> y (B, T, D) = (x - mean) / sqrt(var + eps) * gamma + beta, and (x_hat, inv_std)."""
    mean = x.mean(axis=-1, keepdims=True)  # (B, T, 1)
    centred = x - mean  # (B, T, D)
    var = np.mean(centred * centred, axis=-1, keepdims=True)  # (B, T, 1), population variance
    inv_std = 1.0 / np.sqrt(var + eps)  # (B, T, 1)
    x_hat = centred * inv_std  # (B, T, D)
    return x_hat * gamma + beta, (x_hat, inv_std)


def _layer_norm_backward(d_y, gamma, cache):
    """d_y (B, T, D) -> d_x (B, T, D), d_gamma (D,), d_beta (D,)."""
    x_hat, inv_std = cache
    d_gamma = np.sum(d_y * x_hat, axis=(0, 1))  # (D,)
    d_beta = d_y.sum(axis=(0, 1))  # (D,)
    d_x_hat = d_y * gamma  # (B, T, D)
    # x_hat = (x - mean)·inv_std with mean and inv_std functions of x: the two means below are
    # the gradient through the mean and through the variance.
    d_x = inv_std * (
        d_x_hat - d_x_hat.mean(axis=-1, keepdims=True) - x_hat * np.mean(d_x_hat * x_hat, axis=-1, keepdims=True)
    )  # (B, T, D)
    return d_x, d_gamma, d_beta


# ---------------------------------------------------------------- multi-head attention


def _heads(qkv, B, T, H, d_k, d_v):
    """qkv (B, T, H*(2*d_k + d_v)) -> q, k (B, H, T, d_k), v (B, H, T, d_v), views."""
    n_qk = H * d_k
    q = qkv[..., :n_qk].reshape(B, T, H, d_k).transpose(0, 2, 1, 3)
    k = qkv[..., n_qk : 2 * n_qk].reshape(B, T, H, d_k).transpose(0, 2, 1, 3)
    v = qkv[..., 2 * n_qk :].reshape(B, T, H, d_v).transpose(0, 2, 1, 3)
    return q, k, v


def _attend_forward(q, k, v, cfg):
    """q (B, H, T, d_k), k (B, H, S, d_k), v (B, H, S, d_v) -> weights (B, H, T, S), heads (B, H, T, d_v).

    softmax(q kᵀ·scale) v per head; S = T for self-attention, the memory's length for cross-attention.
    """
    scores = (q * cfg.scale) @ k.transpose(0, 1, 3, 2)  # (B, H, T, d_k) @ (B, H, d_k, S) -> (B, H, T, S)
    if cfg.excluded is not None:
        np.copyto(scores, -np.inf, where=cfg.excluded)  # (T, S) or (H, T, S), broadcast over the batch
    weights = _softmax(scores, out=scores)  # (B, H, T, S), rows sum to 1
    heads = weights @ v  # (B, H, T, S) @ (B, H, S, d_v) -> (B, H, T, d_v)
    if cfg.keep is not None:
        heads = heads * cfg.keep  # (H, 1, 1): a head switched off sends zeros into W_O
    return weights, heads


def _attend_backward(d_heads, q, k, v, weights, cfg):
    """d_heads (B, H, T, d_v) -> d_q (B, H, T, d_k), d_k (B, H, S, d_k), d_v (B, H, S, d_v)."""
    if cfg.keep is not None:
        d_heads = d_heads * cfg.keep  # (B, H, T, d_v): a head switched off gets no gradient
    d_weights = d_heads @ v.transpose(0, 1, 3, 2)  # (B, H, T, d_v) @ (B, H, d_v, S) -> (B, H, T, S)
    d_v_ = weights.transpose(0, 1, 3, 2) @ d_heads  # (B, H, S, T) @ (B, H, T, d_v) -> (B, H, S, d_v)
    # softmax: d s_ij = p_ij (d p_ij - Σ_j' p_ij' d p_ij'); a masked key has p_ij = 0, so d s_ij = 0
    d_scores = weights * (d_weights - np.sum(d_weights * weights, axis=-1, keepdims=True))  # (B, H, T, S)
    d_scores *= cfg.scale  # scores = scale · q kᵀ
    d_q = d_scores @ k  # (B, H, T, S) @ (B, H, S, d_k) -> (B, H, T, d_k)
    d_k_ = d_scores.transpose(0, 1, 3, 2) @ q  # (B, H, S, T) @ (B, H, T, d_k) -> (B, H, S, d_k)
    return d_q, d_k_, d_v_


def _attention_forward(a, w_qkv, w_o, cfg):
    """a (B, T, D) -> y (B, T, D) = concat_h(softmax(Q_h K_hᵀ·scale) V_h) W_O, and the cache."""
    B, T, D = a.shape
    H, d_k, d_v = cfg.heads
    a2 = a.reshape(B * T, D)
    qkv = _matmul(a2, w_qkv).reshape(B, T, -1)  # (B·T, D) @ (D, H·(2d_k+d_v)) -> (B, T, H·(2d_k+d_v))
    q, k, v = _heads(qkv, B, T, H, d_k, d_v)  # (B, H, T, d_k), (B, H, T, d_k), (B, H, T, d_v)
    weights, heads = _attend_forward(q, k, v, cfg)  # (B, H, T, T), (B, H, T, d_v)
    concat = heads.transpose(0, 2, 1, 3).reshape(B * T, H * d_v)  # (B·T, H·d_v), head h in columns h·d_v ..
    y = _matmul(concat, w_o).reshape(B, T, D)  # (B·T, H·d_v) @ (H·d_v, D) -> (B, T, D)
    return y, (a2, q, k, v, weights, concat)


def _attention_backward(d_y, cache, w_qkv, w_o, cfg, need_d_a):
    """d_y (B, T, D) -> d_a (B, T, D) or None, d_w_qkv (D, H·(2d_k+d_v)), d_w_o (H·d_v, D)."""
    a2, q, k, v, weights, concat = cache
    B, T, D = d_y.shape
    H, d_k, d_v = cfg.heads
    d_y2 = d_y.reshape(B * T, D)  # (B·T, D)
    d_w_o = _matmul(concat.T, d_y2)  # (H·d_v, B·T) @ (B·T, D) -> (H·d_v, D)
    d_concat = _matmul(d_y2, w_o.T)  # (B·T, D) @ (D, H·d_v) -> (B·T, H·d_v)
    d_heads = d_concat.reshape(B, T, H, d_v).transpose(0, 2, 1, 3)  # (B, H, T, d_v)
    d_q, d_k_, d_v_ = _attend_backward(d_heads, q, k, v, weights, cfg)  # (B, H, T, d_k), (.., d_k), (.., d_v)
    d_qkv = np.empty((B, T, w_qkv.shape[1]))  # (B, T, H·(2d_k+d_v)), the layout of qkv
    for block, grad in zip(_heads(d_qkv, B, T, H, d_k, d_v), (d_q, d_k_, d_v_), strict=True):
        block[...] = grad  # writes (B, H, T, d) into its columns of d_qkv
    d_qkv2 = d_qkv.reshape(B * T, -1)  # (B·T, H·(2d_k+d_v))
    d_w_qkv = _matmul(a2.T, d_qkv2)  # (D, B·T) @ (B·T, H·(2d_k+d_v)) -> (D, H·(2d_k+d_v))
    d_a = _matmul(d_qkv2, w_qkv.T).reshape(B, T, D) if need_d_a else None  # (B·T, H·(2d_k+d_v)) @ (.., D) -> (B, T, D)
    return d_a, d_w_qkv, d_w_o


# ---------------------------------------------------------------- feed-forward


def _feed_forward_forward(h, w1, b1, w2, b2):
    """h (B, T, D) -> y (B, T, D) = ReLU(h W1 + b1) W2 + b2, and the cache."""
    B, T, D = h.shape
    h2 = h.reshape(B * T, D)
    pre = _matmul(h2, w1) + b1  # (B·T, D) @ (D, F) -> (B·T, F)
    hidden = np.maximum(pre, 0.0)  # (B·T, F), ReLU
    y = (_matmul(hidden, w2) + b2).reshape(B, T, D)  # (B·T, F) @ (F, D) -> (B, T, D)
    return y, (h2, pre, hidden)


def _feed_forward_backward(d_y, cache, w1, w2):
    """d_y (B, T, D) -> d_h (B, T, D), d_w1 (D, F), d_b1 (F,), d_w2 (F, D), d_b2 (D,)."""
    h2, pre, hidden = cache
    B, T, D = d_y.shape
    d_y2 = d_y.reshape(B * T, D)  # (B·T, D)
    d_w2 = _matmul(hidden.T, d_y2)  # (F, B·T) @ (B·T, D) -> (F, D)
    d_b2 = d_y2.sum(axis=0)  # (D,)
    d_hidden = _matmul(d_y2, w2.T)  # (B·T, D) @ (D, F) -> (B·T, F)
    d_pre = d_hidden * (pre > 0.0)  # (B·T, F); ReLU'(0) = 0, as torch takes it
    d_w1 = _matmul(h2.T, d_pre)  # (D, B·T) @ (B·T, F) -> (D, F)
    d_b1 = d_pre.sum(axis=0)  # (F,)
    d_h = _matmul(d_pre, w1.T).reshape(B, T, D)  # (B·T, F) @ (F, D) -> (B, T, D)
    return d_h, d_w1, d_b1, d_w2, d_b2


# ---------------------------------------------------------------- readout and cross-entropy


def _readout_forward(out, w_r, b_r):
    """out (B, T, D) -> logits (K, B, T, V) = out @ w_r[k] + b_r[k] for every readout k."""
    B, T, D = out.shape
    K, _, V = w_r.shape
    logits = out.reshape(1, B * T, D) @ w_r + b_r[:, None, :]  # (1, B·T, D) @ (K, D, V) -> (K, B·T, V)
    return logits.reshape(K, B, T, V)


def _readout_backward(d_logits, out, w_r):
    """d_logits (K, B, T, V) -> d_out (B, T, D), d_w_r (K, D, V), d_b_r (K, V)."""
    K, B, T, V = d_logits.shape
    D = out.shape[-1]
    d_logits2 = d_logits.reshape(K, B * T, V)  # (K, B·T, V)
    out2 = out.reshape(B * T, D)  # (B·T, D)
    d_w_r = out2.T @ d_logits2  # (D, B·T) @ (K, B·T, V) -> (K, D, V)
    d_b_r = d_logits2.sum(axis=1)  # (K, V)
    d_out = (d_logits2 @ w_r.transpose(0, 2, 1)).sum(axis=0)  # (K, B·T, V) @ (K, V, D) -> (K, B·T, D) -> (B·T, D)
    return d_out.reshape(B, T, D), d_w_r, d_b_r


def _cross_entropy_forward(logits, targets):
    """logits (K, B, T, V), targets (K, B, T) word indices, -1 = no target -> loss, cache.

    loss = -mean of log softmax(logits)[target] over the entries that have a target.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (K, B, T, V), max 0: exp cannot overflow
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)  # (K, B, T, 1), >= 1
    has = targets >= 0  # (K, B, T)
    n = int(np.count_nonzero(has))
    index = np.where(has, targets, 0)[..., None]  # (K, B, T, 1), any word where there is no target
    picked = np.take_along_axis(shifted, index, axis=-1)[..., 0] - np.log(total[..., 0])  # (K, B, T), log p
    loss = -float(np.sum(picked, where=has)) / n
    return loss, (exp / total, has, n, index)


def _cross_entropy_backward(cache):
    """-> d_logits (K, B, T, V) = (softmax - one_hot(target)) / n where there is a target, else 0."""
    probs, has, n, index = cache
    d_logits = probs.copy()  # (K, B, T, V)
    np.put_along_axis(d_logits, index, np.take_along_axis(d_logits, index, axis=-1) - 1.0, axis=-1)
    d_logits *= has[..., None] / n  # (K, B, T, V)
    return d_logits


# ---------------------------------------------------------------- the block


@dataclass(frozen=True)
class _Config:
    """What the forward and backward passes share besides the weights."""

    heads: tuple[int, int, int]  # (H, d_k, d_v)
    excluded: np.ndarray | None  # bool (T, T) or (H, T, T), True = score set to -inf
    scale: float
    norm_first: bool
    feed_forward: bool
    eps: float
    keep: np.ndarray | None  # (H, 1, 1) of 1.0 (head on) and 0.0 (head off)


def _forward(x, w, cfg):
    """x (B, T, D), w the trainable arrays by name -> logits (K, B, T, V), weights (B, H, T, T), tape."""
    tape = {}
    out = _block_forward(x, w, cfg, tape)  # (B, T, D)
    logits = _readout_forward(out, w["w_r"], w["b_r"])  # (K, B, T, V)
    tape["out"] = out
    return logits, tape["attention"][4], tape


def _block_forward(x, w, cfg, tape):
    """x (B, T, D) -> out (B, T, D), the encoder block (or its attention sublayer); caches go to ``tape``."""
    if not cfg.norm_first:  # h = LN1(x + MultiHead(x)); out = LN2(h + FFN(h))
        attn, tape["attention"] = _attention_forward(x, w["w_qkv"], w["w_o"], cfg)  # (B, T, D)
        h, tape["norm1"] = _layer_norm_forward(x + attn, w["gamma1"], w["beta1"], cfg.eps)  # (B, T, D)
        out = h
        if cfg.feed_forward:
            f, tape["feed_forward"] = _feed_forward_forward(h, w["w1"], w["b1"], w["w2"], w["b2"])  # (B, T, D)
            out, tape["norm2"] = _layer_norm_forward(h + f, w["gamma2"], w["beta2"], cfg.eps)  # (B, T, D)
    else:  # h = x + MultiHead(LN1(x)); out = h + FFN(LN2(h))
        n1, tape["norm1"] = _layer_norm_forward(x, w["gamma1"], w["beta1"], cfg.eps)  # (B, T, D)
        attn, tape["attention"] = _attention_forward(n1, w["w_qkv"], w["w_o"], cfg)  # (B, T, D)
        h = x + attn  # (B, T, D)
        out = h
        if cfg.feed_forward:
            n2, tape["norm2"] = _layer_norm_forward(h, w["gamma2"], w["beta2"], cfg.eps)  # (B, T, D)
            f, tape["feed_forward"] = _feed_forward_forward(n2, w["w1"], w["b1"], w["w2"], w["b2"])  # (B, T, D)
            out = h + f  # (B, T, D)
    return out


def _backward(d_logits, tape, w, cfg):
    """d_logits (K, B, T, V) -> the gradient of every trainable array, by name (the shapes of ``w``)."""
    g = {}
    d_out, g["w_r"], g["b_r"] = _readout_backward(d_logits, tape["out"], w["w_r"])  # (B, T, D), (K, D, V), (K, V)
    _block_backward(d_out, tape, w, cfg, g, need_d_x=False)
    return g


def _block_backward(d_out, tape, w, cfg, g, need_d_x):
    """d_out (B, T, D) -> d_x (B, T, D), or None unless ``need_d_x``; the block's gradients go to ``g``."""
    if not cfg.norm_first:  # undo h = LN1(x + MultiHead(x)); out = LN2(h + FFN(h))
        d_h = d_out  # (B, T, D)
        if cfg.feed_forward:
            d_r2, g["gamma2"], g["beta2"] = _layer_norm_backward(d_out, w["gamma2"], tape["norm2"])  # (B, T, D), (D,)
            d_f = d_r2  # (B, T, D), r2 = h + f
            d_h_ffn, g["w1"], g["b1"], g["w2"], g["b2"] = _feed_forward_backward(
                d_f, tape["feed_forward"], w["w1"], w["w2"]
            )  # (B, T, D), (D, F), (F,), (F, D), (D,)
            d_h = d_r2 + d_h_ffn  # (B, T, D): the residual path and the FFN path
        d_r1, g["gamma1"], g["beta1"] = _layer_norm_backward(d_h, w["gamma1"], tape["norm1"])  # (B, T, D), (D,)
        d_attn = d_r1  # (B, T, D), r1 = x + attn
        d_x_attn, g["w_qkv"], g["w_o"] = _attention_backward(
            d_attn, tape["attention"], w["w_qkv"], w["w_o"], cfg, need_d_a=need_d_x
        )  # (B, T, D) or None, (D, H·(2d_k+d_v)), (H·d_v, D)
        return d_r1 + d_x_attn if need_d_x else None  # (B, T, D): the residual path and the attention path
    # undo h = x + MultiHead(LN1(x)); out = h + FFN(LN2(h))
    d_h = d_out  # (B, T, D)
    if cfg.feed_forward:
        d_f = d_out  # (B, T, D), out = h + f
        d_n2, g["w1"], g["b1"], g["w2"], g["b2"] = _feed_forward_backward(
            d_f, tape["feed_forward"], w["w1"], w["w2"]
        )  # (B, T, D), (D, F), (F,), (F, D), (D,)
        d_h_ln2, g["gamma2"], g["beta2"] = _layer_norm_backward(d_n2, w["gamma2"], tape["norm2"])  # (B, T, D)
        d_h = d_out + d_h_ln2  # (B, T, D): the residual path and the LN2 -> FFN path
    d_attn = d_h  # (B, T, D), h = x + attn
    d_n1, g["w_qkv"], g["w_o"] = _attention_backward(
        d_attn, tape["attention"], w["w_qkv"], w["w_o"], cfg, need_d_a=True
    )  # (B, T, D), (D, H·(2d_k+d_v)), (H·d_v, D)
    d_x_ln1, g["gamma1"], g["beta1"] = _layer_norm_backward(d_n1, w["gamma1"], tape["norm1"])  # (B, T, D), (D,)
    return d_h + d_x_ln1 if need_d_x else None  # (B, T, D): the residual path and the LN1 -> attention path


def _loss_and_gradients(x, w, targets, cfg):
    """x (B, T, D), targets (K, B, T) -> loss (float), gradients by name."""
    logits, _, tape = _forward(x, w, cfg)  # (K, B, T, V)
    loss, ce = _cross_entropy_forward(logits, targets)
    d_logits = _cross_entropy_backward(ce)  # (K, B, T, V)
    return loss, _backward(d_logits, tape, w, cfg)


# ---------------------------------------------------------------- parameters <-> trainable arrays


def _fuse_qkv(a: MultiHeadParams) -> np.ndarray:
    """(H, D, d) per head -> (D, H*(2*d_k + d_v)) = [W_Q | W_K | W_V], head h in columns h*d .. of each block."""
    return np.concatenate([wt.transpose(1, 0, 2).reshape(a.d_model, -1) for wt in (a.w_q, a.w_k, a.w_v)], axis=1)


def _split_qkv(w_qkv: np.ndarray, H: int, d_k: int, d_v: int):
    """(D, H*(2*d_k + d_v)) -> w_q, w_k (H, D, d_k), w_v (H, D, d_v); the inverse of _fuse_qkv."""
    D = w_qkv.shape[0]
    n_qk = H * d_k
    w_q = w_qkv[:, :n_qk].reshape(D, H, d_k).transpose(1, 0, 2)
    w_k = w_qkv[:, n_qk : 2 * n_qk].reshape(D, H, d_k).transpose(1, 0, 2)
    w_v = w_qkv[:, 2 * n_qk :].reshape(D, H, d_v).transpose(1, 0, 2)
    return w_q, w_k, w_v


def trainable_arrays(params: EncoderBlockParams, readout: ReadoutParams, feed_forward: bool) -> dict:
    """The arrays a training updates, by name (fresh writable copies): w_qkv, w_o, gamma1, beta1, w_r, b_r,
    and with ``feed_forward`` also w1, b1, w2, b2, gamma2, beta2.
    """
    a = params.attention
    w = {"w_qkv": _fuse_qkv(a), "w_o": a.w_o.copy(), "gamma1": params.norm1.gamma.copy()}
    w["beta1"] = params.norm1.beta.copy()
    if feed_forward:
        ff = params.feed_forward
        w.update(w1=ff.w1.copy(), b1=ff.b1.copy(), w2=ff.w2.copy(), b2=ff.b2.copy())
        w.update(gamma2=params.norm2.gamma.copy(), beta2=params.norm2.beta.copy())
    w.update(w_r=readout.w_r.copy(), b_r=readout.b_r.copy())
    return w


def params_from_arrays(w: dict, like: EncoderBlockParams) -> tuple[EncoderBlockParams, ReadoutParams]:
    """The inverse of trainable_arrays: ``like`` gives the head widths and every part ``w`` lacks."""
    a = like.attention
    w_q, w_k, w_v = _split_qkv(w["w_qkv"], a.n_heads, a.d_k, a.d_v)
    attention = MultiHeadParams(w_q=w_q, w_k=w_k, w_v=w_v, w_o=w["w_o"])
    norm1 = LayerNormParams(gamma=w["gamma1"], beta=w["beta1"])
    if "w1" in w:
        ffn = FeedForwardParams(w1=w["w1"], b1=w["b1"], w2=w["w2"], b2=w["b2"])
        norm2 = LayerNormParams(gamma=w["gamma2"], beta=w["beta2"])
    else:
        ffn, norm2 = like.feed_forward, like.norm2
    block = EncoderBlockParams(attention=attention, feed_forward=ffn, norm1=norm1, norm2=norm2)
    return block, ReadoutParams(w_r=w["w_r"], b_r=w["b_r"])


# ---------------------------------------------------------------- checks


def check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise AttentionInputError(f"{name} must be True or False, but is {value!r}")
    return bool(value)


def check_head_switches(head_mask, n_heads: int) -> np.ndarray | None:
    """``head_mask`` (H,) of True/1 (head on) and False/0 (head off) -> (H, 1, 1) floats, or None.

    The convention of Hugging Face's ``head_mask``: 1 keeps a head, 0 switches it off.
    """
    if head_mask is None:
        return None
    m = np.asarray(head_mask)
    if m.shape != (n_heads,):
        raise AttentionInputError(
            f"head_mask must hold one on/off value per head, shape ({n_heads},), but has shape {m.shape}"
        )
    if m.dtype != np.bool_:
        if not np.issubdtype(m.dtype, np.number) or not np.isin(m, (0, 1)).all():
            raise AttentionInputError(
                f"head_mask must hold True/1 (head on) or False/0 (head off), but holds {m.tolist()!r}"
            )
    return m.astype(np.float64).reshape(n_heads, 1, 1)


def check_magnitude(x: np.ndarray, name: str) -> None:
    """Refuse values past X_SAFE, where the squares inside layer norm would overflow."""
    peak = max(float(x.max()), -float(x.min())) if x.size else 0.0
    if peak > X_SAFE:
        raise AttentionInputError(
            f"the values of {name} must lie within ±{X_SAFE:.0e} (layer norm squares them), but one is {peak:.3g} "
            "in size; scale them down"
        )


def _check_batch(x, params, readout) -> np.ndarray:
    if not isinstance(params, EncoderBlockParams):
        raise AttentionInputError(
            f"params must be EncoderBlockParams (see init_encoder_block), but is {type(params).__name__}"
        )
    if not isinstance(readout, ReadoutParams):
        raise AttentionInputError(f"readout must be ReadoutParams (see init_readout), but is {type(readout).__name__}")
    x = as_float_array(x, "x", ndim=3)
    check_magnitude(x, "x")
    B, T, D = x.shape
    if B < 1 or T < 1:
        raise AttentionInputError(f"x must hold at least one sentence of one token, but its shape is {x.shape}")
    if D != params.d_model:
        raise AttentionInputError(f"x has width {D}, but the encoder block was built for d_model={params.d_model}")
    if readout.d_model != D:
        raise AttentionInputError(f"the readout was built for d_model={readout.d_model}, but x has width {D}")
    return x


def _check_targets(targets, shape: tuple[int, int, int], n_words: int) -> np.ndarray:
    t = np.asarray(targets)
    if t.dtype == np.bool_ or not np.issubdtype(t.dtype, np.integer):
        raise AttentionInputError(f"targets must be whole-number word indices (-1 = none), but have dtype {t.dtype}")
    if t.shape != shape:
        raise AttentionInputError(
            f"targets must have shape (n_targets, batch, tokens) = {shape}, one per readout, but have {t.shape}"
        )
    if t.size and (t.min() < -1 or t.max() >= n_words):
        raise AttentionInputError(
            f"targets must be word indices in 0..{n_words - 1} or -1 (none), but range over {t.min()}..{t.max()}"
        )
    if not (t >= 0).any():
        raise AttentionInputError("targets must have at least one entry >= 0; with none the loss is undefined")
    return t.astype(np.intp)


def _config(params, T, mask, scale, norm_first, feed_forward, eps, head_mask) -> _Config:
    a = params.attention
    excluded = None if mask is None else ~check_head_mask(mask, T, a.n_heads)
    return _Config(
        heads=(a.n_heads, a.d_k, a.d_v),
        excluded=excluded,
        scale=1.0 / math.sqrt(a.d_k) if scale is None else check_scale(scale, a.d_k),
        norm_first=check_flag(norm_first, "norm_first"),
        feed_forward=check_flag(feed_forward, "feed_forward"),
        eps=positive_float(eps, "eps"),
        keep=check_head_switches(head_mask, a.n_heads),
    )


# ---------------------------------------------------------------- public


def block_forward(
    x,
    params: EncoderBlockParams,
    readout: ReadoutParams,
    *,
    mask=None,
    scale=None,
    norm_first: bool = False,
    feed_forward: bool = False,
    eps: float = 1e-5,
    head_mask=None,
) -> BlockPass:
    """x (B, T, D) -> BlockPass: attention weights (B, H, T, T), output (B, T, D), logits (K, B, T, V).

    The batched forward pass that ``block_gradients`` differentiates. ``feed_forward=False``:
    the attention sublayer alone, out = LN1(x + MultiHead(x)) (pre-norm: x + MultiHead(LN1(x)));
    ``True``: the whole block, as ``encoder_block``. ``mask`` bool (T, T) or (H, T, T), True =
    may attend; ``scale`` 1/sqrt(d_k) by default; ``head_mask`` (H,) True/1 = head on,
    False/0 = its output is zeroed before W_O.
    """
    x = _check_batch(x, params, readout)
    cfg = _config(params, x.shape[1], mask, scale, norm_first, feed_forward, eps, head_mask)
    w = trainable_arrays(params, readout, cfg.feed_forward)
    with np.errstate(all="ignore"):  # an overflow is reported just below
        logits, weights, tape = _forward(x, w, cfg)
    if not np.isfinite(logits).all():
        raise AttentionInputError("the block's output overflowed float64; the values of x or the weights are too large")
    return BlockPass(weights=weights, output=tape["out"], logits=logits)


def block_gradients(
    x,
    params: EncoderBlockParams,
    readout: ReadoutParams,
    targets,
    *,
    mask=None,
    scale=None,
    norm_first: bool = False,
    feed_forward: bool = False,
    eps: float = 1e-5,
    head_mask=None,
) -> BlockGradients:
    """The loss of ``block_forward`` against ``targets`` (K, B, T) and its gradient for every parameter.

    ``targets[k, b, t]`` is the word index readout k should give at token t of sentence b, or -1
    (no target: left out of the loss). loss = softmax cross-entropy, the mean over the entries
    with a target (``torch.nn.functional.cross_entropy(..., ignore_index=-1)``). The other
    arguments as ``block_forward``.
    """
    x = _check_batch(x, params, readout)
    B, T, _ = x.shape
    targets = _check_targets(targets, (readout.n_targets, B, T), readout.n_words)
    cfg = _config(params, T, mask, scale, norm_first, feed_forward, eps, head_mask)
    w = trainable_arrays(params, readout, cfg.feed_forward)
    with np.errstate(all="ignore"):  # an overflow is reported just below
        loss, g = _loss_and_gradients(x, w, targets, cfg)
    bad = [name for name, grad in g.items() if not np.isfinite(grad).all()]
    if not math.isfinite(loss) or bad:
        what = "the loss" if not math.isfinite(loss) else f"the gradient of {', '.join(bad)}"
        raise AttentionInputError(f"{what} overflowed float64; the values of x or the weights are too large")
    if not cfg.feed_forward:  # the skipped sublayer: the loss does not depend on it
        ff, n2 = params.feed_forward, params.norm2
        g.update(w1=np.zeros_like(ff.w1), b1=np.zeros_like(ff.b1), w2=np.zeros_like(ff.w2), b2=np.zeros_like(ff.b2))
        g.update(gamma2=np.zeros_like(n2.gamma), beta2=np.zeros_like(n2.beta))
    block, readout_grad = params_from_arrays(g, params)
    return BlockGradients(loss=loss, block=block, readout=readout_grad)
