"""Cached calls into ``core``: everything a page shows, computed once per distinct input.

One pass per view: its key is small values (mode, a digest of the vocabulary, the tokens,
the sizes, the seed), never big arrays. Passes live in one cache shared by every session of
the process, bounded by the bytes they hold, not by their number: a 512-token pass at the
widest settings is about 100 MB, the article's sentence a few kB. A hit returns the cached
object itself, not a copy (``st.cache_data`` unpickles a copy on every hit), so every array
of a cached pass is made read-only first. Concurrent requests for the same missing pass
compute it once: a room that opens one link waits for one computation.
"""

from __future__ import annotations

import dataclasses
import threading

import cachetools
import numpy as np

import core
from ui import state

# The bytes of computed passes kept for reuse. With Streamlit and the libraries (~175 MB) and
# the chart specs (ui/layout.py, ~110 MB at most), this keeps a 1 GB server clear of the limit.
PASS_CACHE_BYTES = 192 * 2**20
PASS_TTL_S = 900  # a pass nobody asked for in 15 minutes is dropped, big or small


@dataclasses.dataclass(frozen=True)
class PaperPass:
    """The paper's block: x (T, D) -> multi-head attention -> feed-forward."""

    x: np.ndarray
    params: core.MultiHeadParams
    attention: core.MultiHeadResult
    scale: float
    ffn_params: core.FeedForwardParams
    ffn: core.FeedForwardResult


@dataclasses.dataclass(frozen=True)
class TutorialPass:
    """The article's code: E (T, D) -> one head, copied H times on rows -> feed-forward.

    The article's feed-forward runs on the H·T stacked rows, H identical copies of the head's
    T rows, so each copy's result is the same: ``ffn`` holds it once, for the T rows of
    ``head_output`` (at 512 tokens, 16 heads and d_ff = 4096 the stack would be 500 MB).
    """

    x: np.ndarray
    scores: np.ndarray  # (T, T) = E Eᵀ
    weights: np.ndarray  # (T, T), columns sum to 1
    head_output: np.ndarray  # (T, D)
    stacked: np.ndarray  # (H*T, D)
    ffn_params: core.FeedForwardParams
    ffn: core.FeedForwardResult  # of one copy: (T, F) and (T, D)


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
    d_ff = ffn or state.default_ffn("tutorial", vocab.dim)
    ffn_params = core.init_tutorial_feed_forward(vocab.dim, d_ff, np.random.default_rng(seed))
    return TutorialPass(
        x=x,
        scores=x @ x.T,  # (T, D) @ (D, T) -> (T, T)
        weights=weights,
        head_output=output,
        stacked=core.tutorial_multi_head_attention(x, heads),
        ffn_params=ffn_params,
        ffn=core.feed_forward(output, ffn_params),
    )


def _arrays(obj):
    """Every ndarray a pass holds, through nested dataclasses."""
    if isinstance(obj, np.ndarray):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _arrays(getattr(obj, f.name))


def pass_nbytes(result) -> int:
    """The memory a pass holds: each buffer once, however many views of it the pass keeps."""
    buffers = {}
    for arr in _arrays(result):
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        buffers[id(root)] = root.nbytes
    return sum(buffers.values())


def _read_only(result):
    for arr in _arrays(result):
        arr.setflags(write=False)
    return result


_PASSES = cachetools.TTLCache(maxsize=PASS_CACHE_BYTES, ttl=PASS_TTL_S, getsizeof=pass_nbytes)
_LOCK = threading.Lock()
_COMPUTING = threading.Condition(_LOCK)  # one computation per key at a time (cachetools' stampede guard)


def _key(mode: str, vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, vocab):
    return cachetools.keys.hashkey(mode, vocab_key, tokens, heads, ffn, seed)  # the vocabulary is in vocab_key


@cachetools.cached(_PASSES, key=_key, lock=_LOCK, condition=_COMPUTING)
def _run(
    mode: str, vocab_key: str, tokens: tuple[str, ...], heads: int, ffn: int | None, seed: int, vocab: core.Vocabulary
) -> PaperPass | TutorialPass:
    """One pass; ``vocab_key`` (a digest of ``vocab``) stands for the vocabulary in the cache key.

    A pass larger than the whole cache is computed and returned without being kept.
    """
    fn = tutorial_pass if mode == "tutorial" else paper_pass
    return _read_only(fn(tokens, heads, ffn, seed, vocab))


def current_pass(settings: state.Settings, vocab: core.Vocabulary) -> PaperPass | TutorialPass:
    return _run(
        settings.mode, state.vocab_key(vocab), settings.tokens, settings.heads, settings.ffn, settings.seed, vocab
    )


def cached_pass_bytes() -> int:
    """What the pass cache holds now (for benchmarks and tests)."""
    with _LOCK:
        return int(_PASSES.currsize)


def unscaled_scores(result: PaperPass, head: int) -> np.ndarray:
    """(T, T) = Q_h K_hᵀ of one head, before the 1/sqrt(d_k) scaling."""
    att = result.attention
    return att.q[head] @ att.k[head].T  # (T, d_k) @ (d_k, T) -> (T, T)
