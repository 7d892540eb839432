"""The article's own numpy code, reproduced for the dashboard's tutorial mode.

It differs from the paper on purpose, and the dashboard says where: no Q/K/V
projections (scores are E·Eᵀ), no 1/sqrt(d_k) scaling, a softmax over axis 0 (each
*column* sums to 1, not each query's row), "heads" that are identical copies stacked
on rows, and a feed-forward layer of uniform random weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, check_rng, frozen_array, non_empty_sequence, positive_int
from .attention import _softmax
from .feed_forward import FeedForwardParams


def _embeddings(embeddings) -> np.ndarray:
    e = as_float_array(embeddings, "embeddings", ndim=2)
    non_empty_sequence(e, "embeddings")
    return e


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class TutorialAttentionResult:
    """scores (T, T) = E·Eᵀ, unscaled; weights (T, T), each column sums to 1; output (T, D) = weights E.

    Arrays are stored read-only.
    """

    scores: np.ndarray
    weights: np.ndarray
    output: np.ndarray

    def __post_init__(self):
        for name in ("scores", "weights", "output"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))


def tutorial_attention(embeddings) -> TutorialAttentionResult:
    """embeddings (T, D) -> TutorialAttentionResult, every step of the article's self_attention.

    scores = E Eᵀ; weights = exp(scores) / sum(exp(scores), axis=0), so columns sum to 1;
    output = weights E. The softmax subtracts each column's maximum first: the same
    numbers up to rounding, without the article's overflow past exp(709).
    """
    e = _embeddings(embeddings)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        scores = e @ e.T  # (T, D) @ (D, T) -> (T, T)
    if not np.isfinite(scores).all():  # past ~1.8e308 the softmax would give NaN
        raise AttentionInputError("E·Eᵀ overflowed float64; the embedding values are too large, scale them down")
    weights = _softmax(scores, axis=0, out=np.empty_like(scores))
    output = weights @ e  # (T, T) @ (T, D) -> (T, D)
    return TutorialAttentionResult(scores=scores, weights=weights, output=output)


def tutorial_self_attention(embeddings) -> tuple[np.ndarray, np.ndarray]:
    """embeddings (T, D) -> (output (T, D), weights (T, T)), as the article's self_attention returns them.

    The two arrays of :func:`tutorial_attention`, read-only.
    """
    result = tutorial_attention(embeddings)
    return result.output, result.weights


def tutorial_multi_head_attention(embeddings, n_heads: int = 2) -> np.ndarray:
    """embeddings (T, D) -> (H*T, D): the one head above, repeated H times and stacked on rows."""
    e = _embeddings(embeddings)
    H = positive_int(n_heads, "n_heads")
    output, _ = tutorial_self_attention(e)
    return np.concatenate([output] * H)  # np.concatenate stacks along axis 0, as in the article


def init_tutorial_feed_forward(d_model: int, d_ff: int, rng: np.random.Generator) -> FeedForwardParams:
    """W1 (D, F), b1 (F,), W2 (F, D), b2 (D,) drawn with ``rng.random`` in that order.

    The article's ``np.random.rand`` made reproducible; the article uses d_ff = 2·d_model.
    """
    D = positive_int(d_model, "d_model")
    F = positive_int(d_ff, "d_ff")
    rng = check_rng(rng)
    w1 = rng.random((D, F))
    b1 = rng.random(F)
    w2 = rng.random((F, D))
    b2 = rng.random(D)
    return FeedForwardParams(w1=w1, b1=b1, w2=w2, b2=b2)
