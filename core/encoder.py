"""The Transformer encoder block: self-attention and a feed-forward layer, each wrapped in Add & Norm.

Post-norm, the paper's order (Vaswani et al. 2017, section 3.1; torch's default):
    h = LN1(x + MultiHead(x));  out = LN2(h + FFN(h))
Pre-norm (``norm_first=True``, the order of GPT-2 and nanoGPT):
    h = x + MultiHead(LN1(x));  out = h + FFN(LN2(h))
No dropout: this is the block at inference, ``torch.nn.TransformerEncoderLayer(dropout=0.0)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import (
    AttentionInputError,
    as_float_array,
    check_rng,
    non_empty_sequence,
    positive_float,
    positive_int,
)
from .attention import check_scale
from .feed_forward import FeedForwardParams, FeedForwardResult, _feed_forward, init_feed_forward
from .layers import LayerNormParams, _layer_norm, init_layer_norm
from .multi_head import MultiHeadParams, MultiHeadResult, _multi_head_attention, check_head_mask, init_multi_head


def _check_part(value, name: str, kind: type, hint: str) -> None:
    if not isinstance(value, kind):
        raise AttentionInputError(f"{name} must be {kind.__name__} ({hint}), but is {type(value).__name__}")


@dataclass(frozen=True, eq=False)  # compared by identity, as the parameters it holds
class EncoderBlockParams:
    """attention (MultiHeadParams), feed_forward (FeedForwardParams), norm1, norm2 (LayerNormParams).

    norm1 belongs to the attention sublayer, norm2 to the feed-forward one; all four share one d_model.
    """

    attention: MultiHeadParams
    feed_forward: FeedForwardParams
    norm1: LayerNormParams
    norm2: LayerNormParams

    def __post_init__(self):
        _check_part(self.attention, "attention", MultiHeadParams, "see init_multi_head")
        _check_part(self.feed_forward, "feed_forward", FeedForwardParams, "see init_feed_forward")
        _check_part(self.norm1, "norm1", LayerNormParams, "gamma and beta of shape (d_model,)")
        _check_part(self.norm2, "norm2", LayerNormParams, "gamma and beta of shape (d_model,)")
        D = self.attention.d_model
        for name in ("feed_forward", "norm1", "norm2"):
            d = getattr(self, name).d_model
            if d != D:
                raise AttentionInputError(
                    f"{name} was built for d_model={d}, but attention for d_model={D}; they must match"
                )

    @property
    def d_model(self) -> int:
        return self.attention.d_model

    @property
    def n_heads(self) -> int:
        return self.attention.n_heads

    @property
    def d_ff(self) -> int:
        return self.feed_forward.d_ff


def init_encoder_block(d_model: int, n_heads: int, d_ff: int, rng: np.random.Generator) -> EncoderBlockParams:
    """Attention weights (init_multi_head), then feed-forward weights (init_feed_forward), drawn from ``rng``
    in that order; both layer norms start as torch.nn.LayerNorm does, gamma = 1 and beta = 0.
    """
    D = positive_int(d_model, "d_model")
    H = positive_int(n_heads, "n_heads")
    F = positive_int(d_ff, "d_ff")
    rng = check_rng(rng)
    attention = init_multi_head(D, H, rng)
    ffn = init_feed_forward(D, F, rng)
    return EncoderBlockParams(attention=attention, feed_forward=ffn, norm1=init_layer_norm(D), norm2=init_layer_norm(D))


@dataclass(frozen=True)
class EncoderBlockResult:
    """Every intermediate of one encoder block; the same fields in both orders.

    Sublayer 1 is attention, sublayer 2 the feed-forward layer: ``residualN`` is the sum around
    sublayer N, ``normN`` the output of ``params.normN``. Every array is (T, D).

        post-norm (norm_first=False)              pre-norm (norm_first=True)
        attention = MultiHead(x)                  norm1 = LN1(x)
        residual1 = x + attention.output          attention = MultiHead(norm1)
        norm1 = LN1(residual1)                    residual1 = x + attention.output
        feed_forward = FFN(norm1)                 norm2 = LN2(residual1)
        residual2 = norm1 + feed_forward.output   feed_forward = FFN(norm2)
        norm2 = LN2(residual2)                    residual2 = residual1 + feed_forward.output
        output = norm2                            output = residual2

    ``output`` is the same array as ``norm2`` (post-norm) or ``residual2`` (pre-norm).
    """

    norm_first: bool
    attention: MultiHeadResult
    residual1: np.ndarray
    norm1: np.ndarray
    feed_forward: FeedForwardResult
    residual2: np.ndarray
    norm2: np.ndarray
    output: np.ndarray


def _check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise AttentionInputError(f"{name} must be True or False, but is {value!r}")
    return bool(value)


def _residual(x: np.ndarray, sublayer_output: np.ndarray, what: str) -> np.ndarray:
    """x + sublayer_output, both (T, D) and finite; refused if the sum left float64's range.

    Two finite numbers add up to inf only by overflowing, which the processor flags: the check
    costs no pass over the sum.
    """
    try:
        with np.errstate(over="raise"):
            return x + sublayer_output
    except FloatingPointError:
        raise AttentionInputError(f"{what} overflowed float64; the values of x or the weights are too large") from None


# Below, the sublayers run without their own input checks: encoder_block has checked x, the mask
# and the scale, and every intermediate is finite (the residuals are checked as they are made).


def _post_norm(x, params: EncoderBlockParams, mask, scale, eps: float) -> EncoderBlockResult:
    """h = LN1(x + MultiHead(x)); out = LN2(h + FFN(h))."""
    attention = _multi_head_attention(x, params.attention, mask, scale)
    residual1 = _residual(x, attention.output, "x + MultiHead(x)")
    norm1 = _layer_norm(residual1, params.norm1.gamma, params.norm1.beta, eps)
    ffn = _feed_forward(norm1, params.feed_forward)
    residual2 = _residual(norm1, ffn.output, "norm1 + FFN(norm1)")
    norm2 = _layer_norm(residual2, params.norm2.gamma, params.norm2.beta, eps)
    return EncoderBlockResult(
        norm_first=False,
        attention=attention,
        residual1=residual1,
        norm1=norm1,
        feed_forward=ffn,
        residual2=residual2,
        norm2=norm2,
        output=norm2,
    )


def _pre_norm(x, params: EncoderBlockParams, mask, scale, eps: float) -> EncoderBlockResult:
    """h = x + MultiHead(LN1(x)); out = h + FFN(LN2(h))."""
    norm1 = _layer_norm(x, params.norm1.gamma, params.norm1.beta, eps)
    attention = _multi_head_attention(norm1, params.attention, mask, scale)
    residual1 = _residual(x, attention.output, "x + MultiHead(norm1)")
    norm2 = _layer_norm(residual1, params.norm2.gamma, params.norm2.beta, eps)
    ffn = _feed_forward(norm2, params.feed_forward)
    residual2 = _residual(residual1, ffn.output, "residual1 + FFN(norm2)")
    return EncoderBlockResult(
        norm_first=True,
        attention=attention,
        residual1=residual1,
        norm1=norm1,
        feed_forward=ffn,
        residual2=residual2,
        norm2=norm2,
        output=residual2,
    )


def encoder_block(
    x, params: EncoderBlockParams, mask=None, scale=None, norm_first: bool = False, eps: float = 1e-5
) -> EncoderBlockResult:
    """x (T, D) -> EncoderBlockResult; output (T, D).

    Post-norm (default): LN2(h + FFN(h)) with h = LN1(x + MultiHead(x)). ``norm_first=True``:
    h + FFN(LN2(h)) with h = x + MultiHead(LN1(x)). ``mask`` and ``scale`` go to
    multi_head_attention (bool (T, T) or (H, T, T), True = may attend; 1/sqrt(d_k) by default);
    ``eps`` to both layer norms.
    """
    if not isinstance(params, EncoderBlockParams):
        raise AttentionInputError(
            f"params must be EncoderBlockParams (see init_encoder_block), but is {type(params).__name__}"
        )
    x = as_float_array(x, "x", ndim=2)
    non_empty_sequence(x, "x")
    T, D = x.shape
    if D != params.d_model:
        raise AttentionInputError(f"x has width {D}, but the encoder block was built for d_model={params.d_model}")
    # Every argument is checked here, before any arithmetic: pre-norm would otherwise run LN1
    # before multi_head_attention looks at the mask and the scale.
    if mask is not None:
        mask = check_head_mask(mask, T, params.n_heads)
    d_k = params.attention.d_k
    scale = 1.0 / math.sqrt(d_k) if scale is None else check_scale(scale, d_k)
    norm_first = _check_flag(norm_first, "norm_first")
    eps = positive_float(eps, "eps")
    block = _pre_norm if norm_first else _post_norm
    return block(x, params, mask, scale, eps)
