"""Cached calls into ``core``: everything a page shows, computed once per distinct input.

One pass per view: its key is small values (mode, a digest of the vocabulary, the tokens,
the sizes, the seed), never big arrays. Passes live in one cache shared by every session of
the process, bounded by the bytes they hold, not by their number: a 512-token pass at the
widest settings is about 100 MB, the article's sentence a few kB. A hit returns the cached
object itself, not a copy (``st.cache_data`` unpickles a copy on every hit), so every array
of a cached pass is made read-only first. Concurrent requests for the same missing pass
compute it once: a room that opens one link waits for one computation. Large passes are
computed one at a time (``LARGE_PASS_BYTES``, ``budget.pass_slot``), so parallel tabs of the
widest pages do not hold several of them half-built at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading

import cachetools
import numpy as np
import streamlit as st

import core
from ui import budget, i18n, state

# The bytes of computed passes kept for reuse. With Streamlit and the libraries (~175 MB) and
# the chart specs (ui/chart_cache.py, 96 MB at most), this keeps a 1 GB server clear of the limit.
PASS_CACHE_BYTES = 192 * 2**20
PASS_TTL_S = 900  # a pass nobody asked for in 15 minutes is dropped, big or small


@dataclasses.dataclass(frozen=True)
class PassKey:
    """What a view computes from: small values only (the vocabulary by its digest).

    ``settings`` holds the settings whose spec says they change the pass (``Spec.in_pass``), every
    other at its default; tutorial mode leaves the paper's own (positional encoding, mask, scaling,
    temperature, Add & Norm) at their defaults too, since its code has none of them.
    """

    settings: state.Settings
    vocab_key: str
    trained: TrainKey | None = None  # the training whose weights the block uses, or None: random weights

    @classmethod
    def of(cls, settings: state.Settings, vocab: core.Vocabulary) -> PassKey:
        used = {
            spec.name: getattr(settings, spec.name)
            for spec in state.SPECS
            if spec.in_pass and (settings.paper or not spec.paper_only)
        }
        trained = TrainKey.of(settings, vocab) if settings.paper and settings.weights == "trained" else None
        return cls(dataclasses.replace(state.DEFAULTS, **used), state.vocab_key(vocab), trained)


@dataclasses.dataclass(frozen=True)
class PaperPass:
    """The paper's encoder block: E (+ PE) = x (T, D) -> multi-head attention -> Add & Norm -> FFN -> Add & Norm.

    ``block`` holds every residual sum and layer norm (None with ``norm="none"``: attention,
    then the feed-forward layer on its output, as in the first version of the app).
    """

    embeddings: np.ndarray  # (T, D), the vocabulary's rows
    positions: np.ndarray | None  # (T, D) sinusoidal encoding, or None
    x: np.ndarray  # (T, D) = embeddings + positions
    mask: np.ndarray | None  # (T, T) bool, True = may attend
    params: core.MultiHeadParams
    attention: core.MultiHeadResult
    scale: float  # what the scores were multiplied by: 1/(τ·√d_k), or 1/τ unscaled
    ffn_params: core.FeedForwardParams
    ffn: core.FeedForwardResult
    block: core.EncoderBlockResult | None
    output: np.ndarray  # (T, D)


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


def paper_pass(key: PassKey, vocab: core.Vocabulary) -> PaperPass:
    s = key.settings
    embeddings = vocab.embed(s.tokens)
    T, D = embeddings.shape
    positions = core.sinusoidal_positional_encoding(T, D) if s.pe == "sin" else None
    x = embeddings if positions is None else core.add_positions(embeddings)  # (T, D), the block's input
    if key.trained is not None:  # the block /train trained: its heads, feed-forward layer and norms
        trained = train(key.trained, vocab).params
        params, ffn_params, norm1, norm2 = trained.attention, trained.feed_forward, trained.norm1, trained.norm2
    else:
        rng_att, rng_ffn = rngs(s.seed)
        params = core.init_multi_head(D, s.heads, rng_att)
        ffn_params = core.init_feed_forward(D, s.ffn or state.default_ffn("paper", D), rng_ffn)
        norm1 = norm2 = core.init_layer_norm(D)  # as before training
    mask = core.causal_mask(T) if s.mask == "causal" else None
    scale = core.attention_scale(params.d_k, scaled=s.scale == "sqrt", temperature=s.temp)
    if s.norm == "none":
        attention = core.multi_head_attention(x, params, mask=mask, scale=scale)
        ffn, block = core.feed_forward(attention.output, ffn_params), None
        output = ffn.output
    else:
        block_params = core.EncoderBlockParams(params, ffn_params, norm1, norm2)
        block = core.encoder_block(x, block_params, mask=mask, scale=scale, norm_first=s.norm == "pre")
        attention, ffn, output = block.attention, block.feed_forward, block.output
    return PaperPass(
        embeddings=embeddings,
        positions=positions,
        x=x,
        mask=mask,
        params=params,
        attention=attention,
        scale=attention.scale,
        ffn_params=ffn_params,
        ffn=ffn,
        block=block,
        output=output,
    )


def tutorial_pass(key: PassKey, vocab: core.Vocabulary) -> TutorialPass:
    s = key.settings
    x = vocab.embed(s.tokens)
    attention = core.tutorial_attention(x)
    d_ff = s.ffn or state.default_ffn("tutorial", vocab.dim)
    ffn_params = core.init_tutorial_feed_forward(vocab.dim, d_ff, np.random.default_rng(s.seed))
    return TutorialPass(
        x=x,
        scores=attention.scores,
        weights=attention.weights,
        head_output=attention.output,
        stacked=core.tutorial_multi_head_attention(x, s.heads),
        ffn_params=ffn_params,
        ffn=core.feed_forward(attention.output, ffn_params),
    )


def arrays(obj):
    """Every ndarray a result holds, through nested dataclasses, tuples and lists (the encoder's and
    decoder's passes, a training, a translation: every cache of results here sizes them by this)."""
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, tuple | list):
        for item in obj:
            if not isinstance(item, str | int | float):
                yield from arrays(item)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from arrays(getattr(obj, f.name))


def pass_nbytes(result) -> int:
    """The memory a pass holds: each buffer once, however many views of it the pass keeps."""
    buffers = {}
    for arr in arrays(result):
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        buffers[id(root)] = root.nbytes
    return sum(buffers.values())


def read_only(result):
    """``result`` with every array it holds made read-only: a cached result is shared by every session."""
    for arr in arrays(result):
        arr.setflags(write=False)
    return result


_PASSES = cachetools.TTLCache(maxsize=PASS_CACHE_BYTES, ttl=PASS_TTL_S, getsizeof=pass_nbytes)
_LOCK = threading.Lock()
_COMPUTING = threading.Condition(_LOCK)  # one computation per key at a time (cachetools' stampede guard)


# A pass at least this large waits for the process's pass slot (budget.pass_slot): one is computed at a time.
# The default pages hold kilobytes, a 512-token sentence at 2 heads ~9 MB, the widest page ~115 MB.
LARGE_PASS_BYTES = 32 * 2**20


def pass_bytes(key: PassKey, vocab: core.Vocabulary) -> int:
    """About the bytes the pass for ``key`` holds, from its sizes alone, before it is computed: the heads'
    scores and weights (H, T, T), the feed-forward layer's hidden rows (T, F) and weights (D, F), and the
    (T, D) rows of every step."""
    s = key.settings
    T, D, H = len(s.tokens), vocab.dim, s.heads
    F = s.ffn or state.default_ffn(s.mode, D)
    if s.paper:
        elements = 2 * H * T * T + 3 * T * F + 2 * D * F + 16 * T * D
    else:  # one head's (T, T), and its output stacked H times
        elements = 2 * T * T + 2 * T * F + 2 * D * F + H * T * D + 4 * T * D
    return 8 * elements


def _key(key: PassKey, vocab: core.Vocabulary, waiting=None):
    return key  # the vocabulary is in key.vocab_key; ``waiting`` only draws


@cachetools.cached(_PASSES, key=_key, lock=_LOCK, condition=_COMPUTING)
def _run(key: PassKey, vocab: core.Vocabulary, waiting=None) -> PaperPass | TutorialPass:
    """One pass. A pass larger than the whole cache is computed and returned without being kept.

    A large one (``LARGE_PASS_BYTES``) is computed in the process's pass slot, one at a time; ``waiting()``
    is shown while another holds it (``budget.pass_slot``).
    """
    fn = paper_pass if key.settings.paper else tutorial_pass
    large = pass_bytes(key, vocab) >= LARGE_PASS_BYTES
    with budget.pass_slot(waiting) if large else contextlib.nullcontext():
        return read_only(fn(key, vocab))


def current_pass(settings: state.Settings, vocab: core.Vocabulary) -> PaperPass | TutorialPass:
    return _run(PassKey.of(settings, vocab), vocab, functools.partial(waiting_spinner, settings.lang))


def waiting_spinner(lang: str):
    """What a page shows while its large pass waits for another one to be computed."""
    return st.spinner(i18n.Translator(lang)("compute.waiting"))


def cell_explanation(result: PaperPass | TutorialPass, settings: state.Settings) -> core.CellExplanation | None:
    """How the explained cell's weight and its output row come about, with the pass's own numbers.

    Paper mode: the softmax runs over the query's row (keys), in the settings' head.
    Tutorial mode: the article's softmax runs over the key's column (axis 0), on E·Eᵀ unscaled.
    """
    if settings.cell is None:
        return None
    i, j = settings.cell[0] - 1, settings.cell[1] - 1
    if isinstance(result, TutorialPass):
        x = result.x
        return core.explain_cell(x, x, x, i, j, scale=1.0, axis=0)
    att, h = result.attention, settings.head - 1
    return core.explain_cell(att.q[h], att.k[h], att.v[h], i, j, scale=result.scale, mask=result.mask)


TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)


def temperature_rows(result: PaperPass, settings: state.Settings) -> tuple[tuple[float, ...], np.ndarray, int]:
    """The explained query's row of weights (the first token's without a cell) at several τ, the current one included.

    Returns (temperatures, weights (m, T), the row's 0-based index).
    """
    i = settings.cell[0] - 1 if settings.cell else 0
    temps = tuple(sorted({*TEMPERATURES, float(settings.temp)}))
    row = result.attention.scores[settings.head - 1][i]  # scaled at the current τ
    return temps, core.softmax_temperatures(row, temps, current=settings.temp), i


@st.cache_data(max_entries=1, show_spinner=False)
def scaling_study() -> core.ScalingStudy:
    """Why √d_k, measured on seeded random vectors for d_k = 1, 2, 4, ..., 512 (the same for everyone)."""
    return core.scaling_study([2**k for k in range(10)], np.random.default_rng(2017))


row_moments = core.row_moments  # each row's mean and spread, before and after a layer norm
zero_fraction = core.zero_fraction  # the share of hidden units a ReLU cut


def head_roles(result: PaperPass | TutorialPass, settings: state.Settings) -> tuple[core.HeadRoles, np.ndarray]:
    """What each head looks at, and (H, H) how alike the heads' maps are. The article's H heads are
    copies of one, so they share its numbers."""
    weights = result.attention.weights if settings.paper else np.repeat(result.weights[None], settings.heads, axis=0)
    return core.head_roles(weights), core.head_similarity(weights)


def heads_off(result: PaperPass, settings: state.Settings) -> core.HeadsOff | None:
    """The attention output with ``settings.off`` (1-based) switched off, or None with every head on."""
    if not settings.off:
        return None
    return core.heads_off(result.attention, result.params, [h - 1 for h in settings.off])


# --- training ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TrainKey:
    """What a training run depends on: it is deterministic, so a shared link trains the same heads."""

    vocab_key: str
    task: str
    heads: int
    steps: int | None
    feed_forward: bool
    seed: int

    @classmethod
    def of(cls, settings: state.Settings, vocab: core.Vocabulary) -> TrainKey:
        return cls(
            vocab_key=state.vocab_key(vocab),
            task=settings.task,
            heads=settings.heads,
            steps=settings.steps,
            feed_forward=settings.train_ffn == "1",
            seed=settings.seed,
        )


def _train_nbytes(result: core.TrainResult) -> int:
    """A training's memory: its arrays, and its two per-step curves (a float in a tuple is ~32 bytes)."""
    return pass_nbytes(result) + 2 * 32 * len(result.losses)


# Trained blocks, bounded by bytes: the widest allowed training (ui/training.py) holds ~5 MB.
TRAINED_CACHE_BYTES = 48 * 2**20
_TRAINED = cachetools.TTLCache(maxsize=TRAINED_CACHE_BYTES, ttl=3600, getsizeof=_train_nbytes)
_TRAIN_LOCK = threading.Lock()
_TRAINING = threading.Condition(_TRAIN_LOCK)


def _train_key(key: TrainKey, vocab: core.Vocabulary, callback=None):
    return key  # the vocabulary is in key.vocab_key; the callback only draws progress


@cachetools.cached(_TRAINED, key=_train_key, lock=_TRAIN_LOCK, condition=_TRAINING)
def train(key: TrainKey, vocab: core.Vocabulary, callback=None) -> core.TrainResult:
    """Train (or find trained) the block for ``key``; ``callback(step, loss)`` sees the steps of a new run
    (``callback(step, loss, accuracy=...)`` if it takes the keyword: see core.train_block).

    Concurrent visitors of one link train once: the others wait for the first.
    """
    rng = np.random.default_rng([key.seed, 3])  # its own stream: training draws nothing the pass draws
    return core.train_block(
        vocab, key.task, n_heads=key.heads, rng=rng, steps=key.steps, feed_forward=key.feed_forward, callback=callback
    )


DEFAULT_STEPS = core.train.DEFAULT_STEPS
DEFAULT_BATCH = core.train.DEFAULT_BATCH


def compared(key: TrainKey) -> TrainKey:
    """The same training with the other choice of what trains: attention only <-> the whole block."""
    return dataclasses.replace(key, feed_forward=not key.feed_forward)


def training_problem(vocab: core.Vocabulary, settings: state.Settings) -> state.Notice | None:
    """Why this vocabulary cannot train (too few words, width 1), or trains poorly (d_k = 1); None if fine."""
    if len(vocab) < 3:
        return state.Notice("train.too_few", {"n": len(vocab)})
    if vocab.dim < 2:
        return state.Notice("train.too_narrow", {"d": vocab.dim})
    if max(1, vocab.dim // settings.heads) < 2:
        return state.Notice("train.narrow", {"d": vocab.dim, "h": settings.heads, "n": len(vocab)})
    return None


def trained(key: TrainKey) -> core.TrainResult | None:
    """The finished run for ``key``, if this process has one."""
    with _TRAIN_LOCK:
        return _TRAINED.get(key)


def held_out_sentence(result: core.TrainResult, vocab: core.Vocabulary, seed: int) -> tuple[str, ...]:
    """A sentence the block never trained on (drawn from its own seeded stream), of the training length."""
    ids = core.train.sample_sentences(len(vocab), 1, result.length, np.random.default_rng([seed, 4]))[0]
    return tuple(vocab.words[i] for i in ids)


def trained_view(result: core.TrainResult, vocab: core.Vocabulary, words) -> core.TrainedPass:
    return core.run_trained(result, vocab, words)


# What a rerun redraws from a training (the ablation, the accuracy with heads off) is worked out once:
# a few floats each, bounded by bytes as every other cache here (about 4,000 of them).
EVALUATION_CACHE_BYTES = 2**20
_EVALUATION_ENTRY_BYTES = 192  # an entry's own share (its key: a TrainKey and the heads switched off)
FLOAT_BYTES = 32  # a Python float in a tuple: the object and its slot


def _evaluation_nbytes(value: tuple[float, float] | core.HeadAblation) -> int:
    floats = (value.accuracy, *value.head_off) if isinstance(value, core.HeadAblation) else value
    return _EVALUATION_ENTRY_BYTES + FLOAT_BYTES * len(floats)


_EVALUATIONS = cachetools.TTLCache(maxsize=EVALUATION_CACHE_BYTES, ttl=3600, getsizeof=_evaluation_nbytes)
_EVALUATION_LOCK = threading.Lock()


def _evaluation_key(key: TrainKey, off: tuple[int, ...], result: core.TrainResult, vocab: core.Vocabulary):
    return key, off


@cachetools.cached(_EVALUATIONS, key=_evaluation_key, lock=_EVALUATION_LOCK)
def _accuracy_without(key: TrainKey, off: tuple[int, ...], result: core.TrainResult, vocab: core.Vocabulary):
    on = np.array([h + 1 not in off for h in range(key.heads)])
    rng = [key.seed, 5]  # the held-out sentences of ``ablation``
    full = core.evaluate(result, vocab, result.task, np.random.default_rng(rng))
    return full, core.evaluate(result, vocab, result.task, np.random.default_rng(rng), head_mask=on)


def accuracy_with_heads_off(settings: state.Settings, vocab: core.Vocabulary) -> tuple[float, float] | None:
    """With trained weights and heads switched off: held-out accuracy with every head, and without those.

    None without them, or while this process has no finished training for the settings (a page
    never starts one from here: ui/training.py does, within the budget).
    """
    if settings.weights != "trained" or not settings.off:
        return None
    key = TrainKey.of(settings, vocab)
    result = trained(key)
    return None if result is None else _accuracy_without(key, settings.off, result, vocab)


def _ablation_key(key: TrainKey, result: core.TrainResult, vocab: core.Vocabulary):
    return "ablation", key


@cachetools.cached(_EVALUATIONS, key=_ablation_key, lock=_EVALUATION_LOCK)
def ablation(key: TrainKey, result: core.TrainResult, vocab: core.Vocabulary) -> core.HeadAblation:
    """Held-out accuracy with every head, and with each head of ``result`` (the training ``key``)
    switched off in turn; worked out once."""
    return core.ablate_heads(result, vocab, result.task, np.random.default_rng([key.seed, 5]))
