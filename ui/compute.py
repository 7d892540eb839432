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

# A pass holds ~2·H·T² floats (scores and weights): 256 bytes for the article's sentence,
# 67 MB for 512 tokens and 16 heads. Small passes share a roomy cache, big ones a short
# one, so a room of users cannot fill a 1 GB server with big entries.
BIG_PASS_FLOATS = 2 * 8 * 128 * 128
_SMALL = {"max_entries": 512, "ttl": 3600, "show_spinner": False}
_BIG = {"max_entries": 6, "ttl": 900, "show_spinner": False}


@dataclass(frozen=True)
class PaperPass:
    """The paper's block: x (T, D) -> multi-head attention -> feed-forward."""

    x: np.ndarray
    params: core.MultiHeadParams
    attention: core.MultiHeadResult
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


def paper_pass(tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, vocab: core.Vocabulary) -> PaperPass:
    x = vocab.embed(tokens)
    rng_att, rng_ffn = rngs(seed)
    params = core.init_multi_head(vocab.dim, heads, rng_att)
    result = core.multi_head_attention(x, params)
    d_ff = ffn or state.default_ffn("paper", vocab.dim)
    ffn_params = core.init_feed_forward(vocab.dim, d_ff, rng_ffn)
    return PaperPass(
        x=x,
        params=params,
        attention=result,
        scale=1.0 / np.sqrt(params.d_k),
        ffn_params=ffn_params,
        ffn=core.feed_forward(result.output, ffn_params),
    )


def tutorial_pass(
    tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, vocab: core.Vocabulary
) -> TutorialPass:
    x = vocab.embed(tokens)
    output, weights = core.tutorial_self_attention(x)
    stacked = core.tutorial_multi_head_attention(x, heads)
    d_ff = ffn or state.default_ffn("tutorial", vocab.dim)
    ffn_params = core.init_tutorial_feed_forward(vocab.dim, d_ff, np.random.default_rng(seed))
    return TutorialPass(
        x=x,
        scores=x @ x.T,  # (T, D) @ (D, T) -> (T, T)
        weights=weights,
        head_output=output,
        stacked=stacked,
        ffn_params=ffn_params,
        ffn=core.feed_forward(stacked, ffn_params),
    )


def _run(
    mode: str, vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, _vocab: core.Vocabulary
) -> PaperPass | TutorialPass:
    """One pass; ``vocab_key`` (a digest of ``_vocab``) stands for the vocabulary in the cache key."""
    fn = tutorial_pass if mode == "tutorial" else paper_pass
    return fn(tokens, heads, ffn, seed, _vocab)


# Two functions, not one decorated twice: Streamlit keys a cache on the function itself.
@st.cache_data(**_SMALL)
def _run_small(
    mode: str, vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, _vocab: core.Vocabulary
) -> PaperPass | TutorialPass:
    return _run(mode, vocab_key, tokens, heads, ffn, seed, _vocab)


@st.cache_data(**_BIG)
def _run_big(
    mode: str, vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, _vocab: core.Vocabulary
) -> PaperPass | TutorialPass:
    return _run(mode, vocab_key, tokens, heads, ffn, seed, _vocab)


def current_pass(settings: state.Settings, vocab: core.Vocabulary) -> PaperPass | TutorialPass:
    T, H = len(settings.tokens), settings.heads
    run = _run_big if 2 * H * T * T > BIG_PASS_FLOATS else _run_small
    return run(settings.mode, state.vocab_key(vocab), settings.tokens, H, settings.ffn, settings.seed, vocab)


def unscaled_scores(result: PaperPass, head: int) -> np.ndarray:
    """(T, T) = Q_h K_hᵀ of one head, before the 1/sqrt(d_k) scaling."""
    att = result.attention
    return att.q[head] @ att.k[head].T  # (T, d_k) @ (d_k, T) -> (T, T)
