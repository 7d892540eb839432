"""Cached calls into ``core``: everything a page shows, computed once per distinct input.

Caches are keyed on small values (settings, seed, a digest of the vocabulary), never on
big arrays (``st.cache_data`` samples arrays past 500,000 elements when hashing). The
vocabulary itself is passed as ``_vocab``, which Streamlit leaves out of the key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import core
from ui import state

# Each entry of a 512-token, 16-head pass holds ~70 MB; a room of users keeps few of those.
_CACHE = {"max_entries": 24, "ttl": 3600, "show_spinner": False}


@dataclass(frozen=True)
class PaperPass:
    """The paper's block: x (T, D) -> multi-head attention -> feed-forward."""

    x: np.ndarray
    params: core.MultiHeadParams
    attention: core.MultiHeadResult
    unscaled_scores: np.ndarray  # (H, T, T) = Q_h K_hᵀ, before the 1/sqrt(d_k) scaling
    scale: float
    ffn_params: core.FeedForwardParams
    ffn: core.FeedForwardResult


@dataclass(frozen=True)
class TutorialPass:
    """The article's code: E (T, D) -> one head, copied H times on rows -> feed-forward."""

    x: np.ndarray
    scores: np.ndarray  # (T, T) = E Eᵀ
    weights: np.ndarray  # (T, T), columns sum to 1
    head_output: np.ndarray  # (T, D)
    stacked: np.ndarray  # (H*T, D)
    ffn_params: core.FeedForwardParams
    ffn: core.FeedForwardResult


def rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent streams for attention and feed-forward weights: a new head count keeps the FFN."""
    return np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])


@st.cache_data(**_CACHE)
def paper_pass(
    vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, _vocab: core.Vocabulary
) -> PaperPass:
    x = _vocab.embed(tokens)
    rng_att, rng_ffn = rngs(seed)
    params = core.init_multi_head(_vocab.dim, heads, rng_att)
    result = core.multi_head_attention(x, params)
    unscaled = np.matmul(result.q, result.k.transpose(0, 2, 1))  # (H, T, d_k) @ (H, d_k, T) -> (H, T, T)
    d_ff = ffn or state.default_ffn("paper", _vocab.dim)
    ffn_params = core.init_feed_forward(_vocab.dim, d_ff, rng_ffn)
    return PaperPass(
        x=x,
        params=params,
        attention=result,
        unscaled_scores=unscaled,
        scale=1.0 / np.sqrt(params.d_k),
        ffn_params=ffn_params,
        ffn=core.feed_forward(result.output, ffn_params),
    )


@st.cache_data(**_CACHE)
def tutorial_pass(
    vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, _vocab: core.Vocabulary
) -> TutorialPass:
    x = _vocab.embed(tokens)
    output, weights = core.tutorial_self_attention(x)
    stacked = core.tutorial_multi_head_attention(x, heads)
    d_ff = ffn or state.default_ffn("tutorial", _vocab.dim)
    ffn_params = core.init_tutorial_feed_forward(_vocab.dim, d_ff, np.random.default_rng(seed))
    return TutorialPass(
        x=x,
        scores=x @ x.T,  # (T, D) @ (D, T) -> (T, T)
        weights=weights,
        head_output=output,
        stacked=stacked,
        ffn_params=ffn_params,
        ffn=core.feed_forward(stacked, ffn_params),
    )


def current_pass(settings: state.Settings, vocab: core.Vocabulary) -> PaperPass | TutorialPass:
    fn = tutorial_pass if settings.mode == "tutorial" else paper_pass
    return fn(state.vocab_key(vocab), settings.tokens, settings.heads, settings.ffn, settings.seed, vocab)
