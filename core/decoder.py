"""The Transformer decoder block, and stacks of encoder or decoder blocks.

The decoder block has three sublayers, each wrapped in Add & Norm: masked self-attention over
the target words written so far, cross-attention whose queries come from the decoder and whose
keys and values come from the encoder's output (``memory``), and the feed-forward layer.

Post-norm, the paper's order (Vaswani et al. 2017, section 3.1; torch's default):
    h = LN1(y + SelfAttn(y));  h2 = LN2(h + CrossAttn(h, m));  out = LN3(h2 + FFN(h2))
Pre-norm (``norm_first=True``):
    h = y + SelfAttn(LN1(y));  h2 = h + CrossAttn(LN2(h), m);  out = h2 + FFN(LN3(h2))
The memory m is used as it comes: the decoder does not normalise it. No dropout: this is
``torch.nn.TransformerDecoderLayer(dropout=0.0)`` at inference.

A stack runs N blocks one after the other, each on the previous one's output (the decoder's
every block on the same memory), without a final layer norm: ``torch.nn.TransformerEncoder`` /
``torch.nn.TransformerDecoder`` with ``norm=None``. ``nn.Transformer`` adds one after each stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, check_rng, non_empty_sequence, positive_float, positive_int
from .attention import check_scale
from .encoder import (
    EncoderBlockParams,
    EncoderBlockResult,
    _check_flag,
    _check_part,
    _post_norm,
    _pre_norm,
    _residual,
)
from .feed_forward import FeedForwardParams, FeedForwardResult, _feed_forward, init_feed_forward
from .layers import LayerNormParams, _layer_norm, init_layer_norm
from .multi_head import (
    MultiHeadParams,
    MultiHeadResult,
    _cross_attention,
    _multi_head_attention,
    check_head_mask,
    check_memory,
    init_multi_head,
)


@dataclass(frozen=True, eq=False)  # compared by identity, as the parameters it holds
class DecoderBlockParams:
    """self_attention, cross_attention (MultiHeadParams), feed_forward (FeedForwardParams),
    norm1, norm2, norm3 (LayerNormParams): norm1 belongs to the self-attention sublayer, norm2 to
    cross-attention, norm3 to the feed-forward layer. All six share one d_model.
    """

    self_attention: MultiHeadParams
    cross_attention: MultiHeadParams
    feed_forward: FeedForwardParams
    norm1: LayerNormParams
    norm2: LayerNormParams
    norm3: LayerNormParams

    def __post_init__(self):
        _check_part(self.self_attention, "self_attention", MultiHeadParams, "see init_multi_head")
        _check_part(self.cross_attention, "cross_attention", MultiHeadParams, "see init_multi_head")
        _check_part(self.feed_forward, "feed_forward", FeedForwardParams, "see init_feed_forward")
        for name in ("norm1", "norm2", "norm3"):
            _check_part(getattr(self, name), name, LayerNormParams, "gamma and beta of shape (d_model,)")
        D = self.self_attention.d_model
        for name in ("cross_attention", "feed_forward", "norm1", "norm2", "norm3"):
            d = getattr(self, name).d_model
            if d != D:
                raise AttentionInputError(
                    f"{name} was built for d_model={d}, but self_attention for d_model={D}; they must match"
                )

    @property
    def d_model(self) -> int:
        return self.self_attention.d_model

    @property
    def n_heads(self) -> int:
        return self.self_attention.n_heads

    @property
    def d_ff(self) -> int:
        return self.feed_forward.d_ff


def init_decoder_block(d_model: int, n_heads: int, d_ff: int, rng: np.random.Generator) -> DecoderBlockParams:
    """Self-attention weights, cross-attention weights (init_multi_head), then feed-forward weights
    (init_feed_forward), drawn from ``rng`` in that order; the three layer norms start as
    torch.nn.LayerNorm does, gamma = 1 and beta = 0.
    """
    D = positive_int(d_model, "d_model")
    H = positive_int(n_heads, "n_heads")
    F = positive_int(d_ff, "d_ff")
    rng = check_rng(rng)
    self_attention = init_multi_head(D, H, rng)
    cross_attention = init_multi_head(D, H, rng)
    ffn = init_feed_forward(D, F, rng)
    return DecoderBlockParams(
        self_attention=self_attention,
        cross_attention=cross_attention,
        feed_forward=ffn,
        norm1=init_layer_norm(D),
        norm2=init_layer_norm(D),
        norm3=init_layer_norm(D),
    )


@dataclass(frozen=True)
class DecoderBlockResult:
    """Every intermediate of one decoder block; the same fields in both orders.

    Sublayer 1 is masked self-attention, 2 cross-attention, 3 the feed-forward layer:
    ``residualN`` is the sum around sublayer N, ``normN`` the output of ``params.normN``.
    Every array is (T, D); ``cross_attention.weights`` is (H, T, S).

        post-norm (norm_first=False)                 pre-norm (norm_first=True)
        self_attention = SelfAttn(y)                 norm1 = LN1(y)
        residual1 = y + self_attention.output        self_attention = SelfAttn(norm1)
        norm1 = LN1(residual1)                       residual1 = y + self_attention.output
        cross_attention = CrossAttn(norm1, m)        norm2 = LN2(residual1)
        residual2 = norm1 + cross_attention.output   cross_attention = CrossAttn(norm2, m)
        norm2 = LN2(residual2)                       residual2 = residual1 + cross_attention.output
        feed_forward = FFN(norm2)                    norm3 = LN3(residual2)
        residual3 = norm2 + feed_forward.output      feed_forward = FFN(norm3)
        norm3 = LN3(residual3)                       residual3 = residual2 + feed_forward.output
        output = norm3                               output = residual3

    ``output`` is the same array as ``norm3`` (post-norm) or ``residual3`` (pre-norm).
    """

    norm_first: bool
    self_attention: MultiHeadResult
    residual1: np.ndarray
    norm1: np.ndarray
    cross_attention: MultiHeadResult
    residual2: np.ndarray
    norm2: np.ndarray
    feed_forward: FeedForwardResult
    residual3: np.ndarray
    norm3: np.ndarray
    output: np.ndarray


# Below, the sublayers run without their own input checks: decoder_block has checked y, the
# memory, the masks and the scale, and every intermediate is finite (the residuals are checked
# as they are made).


def _decoder_post_norm(y, memory, params: DecoderBlockParams, self_mask, memory_mask, scales, eps):
    """h = LN1(y + SelfAttn(y)); h2 = LN2(h + CrossAttn(h, m)); out = LN3(h2 + FFN(h2))."""
    self_attention = _multi_head_attention(y, params.self_attention, self_mask, scales[0])
    residual1 = _residual(y, self_attention.output, "y + SelfAttn(y)")
    norm1 = _layer_norm(residual1, params.norm1.gamma, params.norm1.beta, eps)
    cross_attention = _cross_attention(norm1, memory, params.cross_attention, memory_mask, scales[1])
    residual2 = _residual(norm1, cross_attention.output, "norm1 + CrossAttn(norm1, memory)")
    norm2 = _layer_norm(residual2, params.norm2.gamma, params.norm2.beta, eps)
    ffn = _feed_forward(norm2, params.feed_forward)
    residual3 = _residual(norm2, ffn.output, "norm2 + FFN(norm2)")
    norm3 = _layer_norm(residual3, params.norm3.gamma, params.norm3.beta, eps)
    return DecoderBlockResult(
        norm_first=False,
        self_attention=self_attention,
        residual1=residual1,
        norm1=norm1,
        cross_attention=cross_attention,
        residual2=residual2,
        norm2=norm2,
        feed_forward=ffn,
        residual3=residual3,
        norm3=norm3,
        output=norm3,
    )


def _decoder_pre_norm(y, memory, params: DecoderBlockParams, self_mask, memory_mask, scales, eps):
    """h = y + SelfAttn(LN1(y)); h2 = h + CrossAttn(LN2(h), m); out = h2 + FFN(LN3(h2))."""
    norm1 = _layer_norm(y, params.norm1.gamma, params.norm1.beta, eps)
    self_attention = _multi_head_attention(norm1, params.self_attention, self_mask, scales[0])
    residual1 = _residual(y, self_attention.output, "y + SelfAttn(norm1)")
    norm2 = _layer_norm(residual1, params.norm2.gamma, params.norm2.beta, eps)
    cross_attention = _cross_attention(norm2, memory, params.cross_attention, memory_mask, scales[1])
    residual2 = _residual(residual1, cross_attention.output, "residual1 + CrossAttn(norm2, memory)")
    norm3 = _layer_norm(residual2, params.norm3.gamma, params.norm3.beta, eps)
    ffn = _feed_forward(norm3, params.feed_forward)
    residual3 = _residual(residual2, ffn.output, "residual2 + FFN(norm3)")
    return DecoderBlockResult(
        norm_first=True,
        self_attention=self_attention,
        residual1=residual1,
        norm1=norm1,
        cross_attention=cross_attention,
        residual2=residual2,
        norm2=norm2,
        feed_forward=ffn,
        residual3=residual3,
        norm3=norm3,
        output=residual3,
    )


def _check_params(params, kind: type, hint: str, name: str = "params"):
    if not isinstance(params, kind):
        raise AttentionInputError(f"{name} must be {kind.__name__} (see {hint}), but is {type(params).__name__}")
    return params


def _check_input(x, name: str, d_model: int, what: str) -> np.ndarray:
    """``x`` as a finite float64 (T, d_model) array with T >= 1."""
    x = as_float_array(x, name, ndim=2)
    non_empty_sequence(x, name)
    if x.shape[1] != d_model:
        raise AttentionInputError(f"{name} has width {x.shape[1]}, but {what} was built for d_model={d_model}")
    return x


def _check_scale(scale, d_k: int) -> float:
    return 1.0 / math.sqrt(d_k) if scale is None else check_scale(scale, d_k)


def _decoder_scales(scale, params: DecoderBlockParams) -> tuple[float, float]:
    """(self-attention's, cross-attention's): ``scale``, or each one's 1/sqrt(d_k) by default."""
    return _check_scale(scale, params.self_attention.d_k), _check_scale(scale, params.cross_attention.d_k)


def _check_layers(layers, kind: type, hint: str) -> tuple:
    """``layers`` as a non-empty tuple of ``kind`` sharing one d_model."""
    if isinstance(layers, kind) or not isinstance(layers, Sequence) or isinstance(layers, str):
        raise AttentionInputError(
            f"layers must be a list of {kind.__name__} (see {hint}), one per block, but is {type(layers).__name__}"
        )
    layers = tuple(layers)
    if not layers:
        raise AttentionInputError("layers must hold at least one block, but is empty")
    for i, layer in enumerate(layers):
        _check_params(layer, kind, hint, f"layers[{i}]")
    D = layers[0].d_model
    for i, layer in enumerate(layers):
        if layer.d_model != D:
            raise AttentionInputError(
                f"layers[{i}] was built for d_model={layer.d_model}, but layers[0] for d_model={D}; they must match"
            )
    return layers


def decoder_block(
    y,
    memory,
    params: DecoderBlockParams,
    self_mask=None,
    memory_mask=None,
    scale=None,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> DecoderBlockResult:
    """y (T, D), memory (S, D) -> DecoderBlockResult; output (T, D).

    Post-norm (default): LN3(h2 + FFN(h2)) with h2 = LN2(h + CrossAttn(h, memory)) and
    h = LN1(y + SelfAttn(y)); ``norm_first=True``: h2 + FFN(LN3(h2)) with
    h2 = h + CrossAttn(LN2(h), memory) and h = y + SelfAttn(LN1(y)). ``self_mask`` bool (T, T)
    or (H, T, T) for the self-attention (``causal_mask(T)`` for a decoder that writes word by
    word), ``memory_mask`` bool (T, S) or (H, T, S) for the cross-attention; True = may attend
    (torch's masks say the opposite). ``scale`` (1/sqrt(d_k) by default) goes to both
    attentions, ``eps`` to the three layer norms.
    """
    params = _check_params(params, DecoderBlockParams, "init_decoder_block")
    y = _check_input(y, "y", params.d_model, "the decoder block")
    memory = check_memory(memory, params.d_model)
    # Every argument is checked here, before any arithmetic (pre-norm runs LN1 first).
    self_mask, memory_mask = _check_decoder_masks(self_mask, memory_mask, y.shape[0], memory.shape[0], (params,))
    scales = _decoder_scales(scale, params)
    norm_first = _check_flag(norm_first, "norm_first")
    eps = positive_float(eps, "eps")
    block = _decoder_pre_norm if norm_first else _decoder_post_norm
    return block(y, memory, params, self_mask, memory_mask, scales, eps)


def _check_decoder_masks(self_mask, memory_mask, T: int, S: int, layers) -> tuple:
    """Both masks checked against every layer's head count (a per-head mask must fit each)."""
    for layer in layers:
        if self_mask is not None:
            self_mask = check_head_mask(self_mask, T, layer.self_attention.n_heads)
        if memory_mask is not None:
            memory_mask = check_head_mask(memory_mask, T, layer.cross_attention.n_heads, S)
    return self_mask, memory_mask


# ---------------------------------------------------------------- stacks


@dataclass(frozen=True)
class EncoderStackResult:
    """layers: every block's EncoderBlockResult, first to last; output (S, D) = the last block's output."""

    layers: tuple[EncoderBlockResult, ...]
    output: np.ndarray


@dataclass(frozen=True)
class DecoderStackResult:
    """layers: every block's DecoderBlockResult, first to last; output (T, D) = the last block's output."""

    layers: tuple[DecoderBlockResult, ...]
    output: np.ndarray


def encoder_stack(
    x, layers: Sequence[EncoderBlockParams], mask=None, scale=None, norm_first: bool = False, eps: float = 1e-5
) -> EncoderStackResult:
    """x (S, D) -> EncoderStackResult; output (S, D): encoder_block applied once per layer, in order.

    ``mask``, ``scale``, ``norm_first`` and ``eps`` go to every block. No final layer norm
    (``torch.nn.TransformerEncoder(..., norm=None)``).
    """
    layers = _check_layers(layers, EncoderBlockParams, "init_encoder_block")
    x = _check_input(x, "x", layers[0].d_model, "the encoder stack")
    S = x.shape[0]
    if mask is not None:
        for layer in layers:
            mask = check_head_mask(mask, S, layer.n_heads)
    scales = [_check_scale(scale, layer.attention.d_k) for layer in layers]
    norm_first = _check_flag(norm_first, "norm_first")
    eps = positive_float(eps, "eps")
    block = _pre_norm if norm_first else _post_norm
    results = []
    for layer, layer_scale in zip(layers, scales, strict=True):
        results.append(block(x, layer, mask, layer_scale, eps))
        x = results[-1].output  # (S, D), the next block's input
    return EncoderStackResult(layers=tuple(results), output=x)


def decoder_stack(
    y,
    memory,
    layers: Sequence[DecoderBlockParams],
    self_mask=None,
    memory_mask=None,
    scale=None,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> DecoderStackResult:
    """y (T, D), memory (S, D) -> DecoderStackResult; output (T, D): decoder_block once per layer,
    each on the previous one's output and on the same memory (the encoder stack's output).

    The masks, ``scale``, ``norm_first`` and ``eps`` go to every block. No final layer norm
    (``torch.nn.TransformerDecoder(..., norm=None)``).
    """
    layers = _check_layers(layers, DecoderBlockParams, "init_decoder_block")
    D = layers[0].d_model
    y = _check_input(y, "y", D, "the decoder stack")
    memory = check_memory(memory, D)
    self_mask, memory_mask = _check_decoder_masks(self_mask, memory_mask, y.shape[0], memory.shape[0], layers)
    scales = [_decoder_scales(scale, layer) for layer in layers]
    norm_first = _check_flag(norm_first, "norm_first")
    eps = positive_float(eps, "eps")
    block = _decoder_pre_norm if norm_first else _decoder_post_norm
    results = []
    for layer, layer_scales in zip(layers, scales, strict=True):
        results.append(block(y, memory, layer, self_mask, memory_mask, layer_scales, eps))
        y = results[-1].output  # (T, D), the next block's input
    return DecoderStackResult(layers=tuple(results), output=y)
