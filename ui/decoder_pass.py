"""The decoder screen's cached pass: an English sentence through the encoder stack, its Portuguese
translation through the decoder stack with teacher forcing, every layer's intermediates kept.

    memory = EncoderStack(E_src[source] + PE)                 (S, D)
    out = DecoderStack(E_tgt["<s>" + reference] + PE, memory)  (T, D), T = 1 + reference words

The reference is ``core.toy_translation(source)``: input position t ("<s>", then the words before)
is the step that writes output word t (the last step writes "</s>"), so its self-attention is
causal. Random weights are seeded by ``settings.seed`` (each layer its own stream: a new layer
count keeps the others), at the translator's sizes: d_model 32, d_ff 64. One pass per view, keyed
on small values (the words, the sizes, the seed), in one cache for the process bounded by bytes,
as ``ui/compute.py``'s passes.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Sequence

import cachetools
import numpy as np

import core
from core import toy_language
from ui import session, state, training, translation
from ui.compute import pass_nbytes, read_only
from ui.state import Notice

D_MODEL, D_FF = translation.D_MODEL, translation.D_FF  # the translator's widths
SOURCE_CHARS = state.MAX_SOURCE_CHARS  # the box's limit: the longest sentence, eight words of 32
START, END = "<s>", "</s>"
PASS_CACHE_BYTES = 16 * 2**20  # a pass at 3 layers and 16 heads is under 1 MB
PASS_TTL_S = 900

# The grammar, slot by slot: ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN (core/toy_language.py).
_SLOTS = (
    ("article", False),
    ("adjective", True),
    ("noun", False),
    ("verb", False),
    ("preposition", False),
    ("article", False),
    ("adjective", True),
    ("noun", False),
)
GRAMMAR = "ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN"


def source_help(t, lexicon: core.Lexicon) -> str:
    """The source box's help: the grammar, and the words of the lexicon in use (the learner's, once edited)."""
    words = {part: ", ".join(getattr(lexicon, part)) for part in ("nouns", "adjectives", "verbs")}
    return t("dec.source_help", grammar=GRAMMAR, **words)


# --- the source sentence ---------------------------------------------------------------------


def _part(word: str, lexicon: core.Lexicon) -> str | None:
    if word in toy_language.ARTICLES:
        return "article"
    if word in toy_language.PREPOSITIONS:
        return "preposition"
    for part, table in (("noun", lexicon.nouns), ("adjective", lexicon.adjectives), ("verb", lexicon.verbs)):
        if word in table:
            return part
    return None


def source_problem(words: Sequence[str], lexicon: core.Lexicon) -> Notice | None:
    """Why ``words`` is not a sentence of the toy language, naming the first word at fault; None if it is."""
    if not words:
        return Notice("dec.source_empty", {"grammar": GRAMMAR})
    for n, word in enumerate(words, start=1):
        if _part(word, lexicon) is None:
            return Notice("dec.source_unknown", {"word": state.excerpt(word), "n": n})
    at, preposition = 0, None
    for part, optional in _SLOTS:
        if at == len(words):
            if optional:
                continue
            return Notice("dec.source_short", {"word": state.excerpt(words[-1]), "grammar": GRAMMAR})
        if _part(words[at], lexicon) == part:
            preposition = at if part == "preposition" else preposition
            at += 1
        elif not optional:
            return Notice("dec.source_grammar", {"word": state.excerpt(words[at]), "n": at + 1, "grammar": GRAMMAR})
    if at < len(words):
        return Notice("dec.source_grammar", {"word": state.excerpt(words[at]), "n": at + 1, "grammar": GRAMMAR})
    pair = (words[preposition], words[preposition + 1])
    if pair not in toy_language.CONTRACTIONS:
        pairs = tuple(" ".join(p) for p in toy_language.CONTRACTIONS)
        return Notice("dec.source_pair", {"pair": " ".join(pair), "pairs": pairs})
    return None


def read_source(text: str, lexicon: core.Lexicon) -> tuple[tuple[str, ...], Notice | None]:
    """The English words the screen translates, and what was wrong with ``text`` (then the default
    sentence is used). The text is cut by length first and cleaned as a sentence is (``state.clean_text``)."""
    words = tuple(state.clean_text(text[: state.MAX_SENTENCE_CHARS]).text.split())
    problem = source_problem(words, lexicon)
    if problem is None:
        return words, None
    fallback = tuple(state.SOURCE_SENTENCE.split())
    if source_problem(fallback, lexicon) is not None:  # a lexicon without the default's words: its first sentence
        fallback = next(iter(core.sentence_pairs(lexicon)))[0]
    return fallback, problem


# --- heads ---------------------------------------------------------------------------------

heads_used = translation.translator_heads  # the heads setting if it divides D_MODEL, else the nearest that does


# --- the pass --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DecoderKey:
    """What a decoder view computes from: small values only.

    ``settings`` holds the settings whose spec says they change this pass (``Spec.in_decoder``), every
    other at its default, as ``compute.PassKey`` does; tutorial mode has no decoder, so it leaves the
    paper's own at their defaults (the article's code has none). Two values stand for a setting
    rather than copy it: ``heads`` is the count the translator's width allows (``heads_used``), and
    ``source`` the words read from the sentence, which may be the default one when it was no
    sentence of the toy language.
    """

    source: tuple[str, ...]  # the English words
    target: tuple[str, ...]  # the decoder's input: "<s>", then the reference translation
    settings: state.Settings
    trained: object = None  # the translator's training key (ui/translation.py), or None: random weights

    @classmethod
    def of(cls, settings: state.Settings, source: tuple[str, ...], lexicon: core.Lexicon, trained=None) -> DecoderKey:
        used = {
            spec.name: getattr(settings, spec.name)
            for spec in state.SPECS
            if spec.in_decoder and (settings.paper or not spec.paper_only)
        }
        used["heads"] = heads_used(used["heads"])
        target = (START, *core.toy_translation(source, lexicon))
        return cls(source, target, dataclasses.replace(state.DEFAULTS, **used), trained)

    @property
    def heads(self) -> int:
        return self.settings.heads


@dataclasses.dataclass(frozen=True)
class DecoderPass:
    """Every intermediate of one translation step with teacher forcing.

    x (S, D) the encoder's input, encoder its stack (``.output`` is the memory); y (T, D) the
    decoder's input, decoder its stack: each layer's ``self_attention.weights`` (H, T, T) is zero
    above the diagonal (``self_mask``), ``cross_attention.weights`` (H, T, S) has target steps on
    rows and source words on columns. Row t of the decoder is the step that writes ``outputs[t]``.
    """

    source: tuple[str, ...]  # S
    inputs: tuple[str, ...]  # T: "<s>", then the reference words
    outputs: tuple[str, ...]  # T: the reference words, then "</s>"
    x: np.ndarray
    encoder: core.EncoderStackResult
    y: np.ndarray
    decoder: core.DecoderStackResult
    self_mask: np.ndarray  # (T, T) bool, True = may attend
    d_model: int
    n_heads: int
    d_ff: int
    trained: bool

    @property
    def memory(self) -> np.ndarray:
        return self.encoder.output

    @property
    def n_layers(self) -> int:
        return len(self.decoder.layers)


def embedding(words: Sequence[str], side: str, dim: int, seed: int) -> np.ndarray:
    """(n, dim): a seeded random vector per word, the same wherever it stands; each side its own
    (the English article "a" and the Portuguese "a" are different tokens)."""
    return np.stack([core.word_vector(f"{side}:{w}", dim, seed) for w in words])


def _random_model(key: DecoderKey):
    s = key.settings
    D, H, F = D_MODEL, s.heads, D_FF
    encoder = [core.init_encoder_block(D, H, F, np.random.default_rng([s.seed, 11, i])) for i in range(s.layers)]
    decoder = [core.init_decoder_block(D, H, F, np.random.default_rng([s.seed, 12, i])) for i in range(s.layers)]
    x = embedding(key.source, "en", D, s.seed)
    y = embedding(key.target, "pt", D, s.seed)
    return x, y, encoder, decoder


def _trained_model(result: core.TranslatorResult, key: DecoderKey):
    src = {w: i for i, w in enumerate(result.source_words)}
    tgt = {w: i for i, w in enumerate(result.target_words)}
    x = result.source_embedding[[src[w] for w in key.source]]
    y = result.target_embedding[[tgt[w] for w in key.target]]
    return x, y, list(result.encoder), list(result.decoder)


def compute(key: DecoderKey, result: core.TranslatorResult | None = None) -> DecoderPass:
    """The pass for ``key``: random weights, or the trained translator ``result`` (its own
    embeddings, stacks and post-norm order, the paper's scale)."""
    x, y, encoder, decoder = _random_model(key) if result is None else _trained_model(result, key)
    s, T, D = key.settings, len(key.target), x.shape[1]
    if result is not None or s.pe == "sin":
        x, y = core.add_positions(x), core.add_positions(y)  # (S, D), (T, D)
    d_k = encoder[0].attention.d_k
    scaled = s.scale == "sqrt"
    scale = None if result is not None else core.attention_scale(d_k, scaled=scaled, temperature=s.temp)
    norm_first = False if result is not None else s.norm == "pre"
    mask = core.causal_mask(T)  # (T, T): step t sees "<s>" and the words before it, never the one it writes
    enc = core.encoder_stack(x, encoder, scale=scale, norm_first=norm_first)
    dec = core.decoder_stack(y, enc.output, decoder, self_mask=mask, scale=scale, norm_first=norm_first)
    return DecoderPass(
        source=key.source,
        inputs=key.target,
        outputs=(*key.target[1:], END),
        x=x,
        encoder=enc,
        y=y,
        decoder=dec,
        self_mask=mask,
        d_model=D,
        n_heads=encoder[0].n_heads,
        d_ff=encoder[0].d_ff,
        trained=result is not None,
    )


_PASSES = cachetools.TTLCache(maxsize=PASS_CACHE_BYTES, ttl=PASS_TTL_S, getsizeof=pass_nbytes)
_LOCK = threading.Lock()
_COMPUTING = threading.Condition(_LOCK)


def _cache_key(key: DecoderKey, result=None):
    return key  # a trained result is named by key.trained


@cachetools.cached(_PASSES, key=_cache_key, lock=_LOCK, condition=_COMPUTING)
def cached(key: DecoderKey, result: core.TranslatorResult | None = None) -> DecoderPass:
    """``compute``, once per key for the whole process; the arrays of a cached pass are read-only."""
    return read_only(compute(key, result))


# --- one cell explained ----------------------------------------------------------------------

KINDS = ("self", "cross")


def attention(result: DecoderPass, layer: int, kind: str) -> core.MultiHeadResult:
    block = result.decoder.layers[layer]
    return block.self_attention if kind == "self" else block.cross_attention


def explain(result: DecoderPass, layer: int, kind: str, head: int, i: int, j: int) -> core.CellExplanation:
    """Cell (i, j) of a decoder layer's self- or cross-attention in ``head`` (all 0-based), with the
    pass's own numbers: q from decoder row i; k and v from the decoder (self) or the memory (cross)."""
    att = attention(result, layer, kind)
    mask = result.self_mask if kind == "self" else None
    return core.explain_cell(att.q[head], att.k[head], att.v[head], i, j, scale=att.scale, mask=mask)


class QueryIndex(int):
    """The query's index in a cross-attention derivation, told apart from a key's by its type."""


class CrossTokens(Sequence):
    """The labels ``ui/derivation.py`` reads: ``tokens[i]`` names the query when ``i`` is a
    QueryIndex (a decoder step), else the key (a source word). Self-attention has one sequence;
    cross-attention two, of different lengths."""

    def __init__(self, queries: Sequence[str], keys: Sequence[str]):
        self.queries, self.keys = tuple(queries), tuple(keys)

    def __getitem__(self, k):
        return self.queries[k] if isinstance(k, QueryIndex) else self.keys[k]

    def __len__(self) -> int:
        return len(self.keys)


def for_derivation(ex: core.CellExplanation, queries, keys) -> tuple[core.CellExplanation, CrossTokens]:
    """``ex`` and the labels to hand ``derivation.derivation`` for a query from ``queries`` and keys from ``keys``."""
    return dataclasses.replace(ex, i=QueryIndex(ex.i)), CrossTokens(queries, keys)


# --- trained weights -------------------------------------------------------------------------


def trained_weights(page, lexicon: core.Lexicon) -> tuple[tuple[object, core.TranslatorResult] | None, str | None]:
    """With ``weights=trained`` in paper mode: (the translator's training key, the trained translator),
    trained now through the process's job queue (``ui/training.py``, its progress drawn here) when the
    process has none; else None and a message saying that random weights are shown, and why."""
    s, t = page.settings, page.t
    if not (s.paper and s.weights == "trained"):
        return None, None
    key = translation.TranslatorKey.of(s, lexicon)
    result = translation.trained(key)
    if result is not None:
        return (key, result), None
    problem = translation.problem(key, lexicon)
    stopped = problem is None and session.training_stopped(key)
    if problem is None and not stopped:
        work = functools.partial(translation.train, key, lexicon)
        result = training.run_job(t, key, key.total_steps, work, curves=False, caption="train.for_page")
        if result is not None:
            return (key, result), None
    reason = t.notice(problem) if problem is not None else t("train.stopped") if stopped else ""
    return None, f"{t('train.weights_random')} {reason}".strip()
