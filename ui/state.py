"""The settings a session works on and the pure rules behind them.

``Settings`` is what a shared link carries; here are its defaults and limits, the URL
parser (bad values clamped or ignored, each with a notice) and the conversions between
the editable vocabulary table and ``core.Vocabulary``. No Streamlit: ``ui/session.py``
keeps these values in ``st.session_state``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

import core
from ui import i18n

LANGS = i18n.LANGS  # one per file in ui/locales/
MODES = ("paper", "tutorial")
PRESETS = ("seed", "random")

HEADS_MIN, HEADS_MAX = 1, 16
FFN_MIN, FFN_MAX = 1, 4096
DIM_MIN, DIM_MAX = 1, 128
SEED_MIN, SEED_MAX = 0, 2**32 - 1
TEMP_MIN, TEMP_MAX = 0.05, 20.0
STEPS_MIN, STEPS_MAX = 10, 5000
LAYERS_MIN, LAYERS_MAX = 1, 3  # encoder and decoder layers on the decoder and translator screens
TSTEP_MAX = core.translator.MAX_TARGET  # the decoding steps /translate can show: one per word written
SOURCE_SENTENCE = "the black cat sat on the white mat"  # a sentence of core's toy language (core.toy_translation)
TASKS = tuple(core.TASKS)  # what a block can be trained to do (core/train.py)
WEIGHTS = ("random", "trained")
SETUP_WORDS = "the cat sat on a mat dog ran to park"  # ten words: with random vectors of width 16, heads learn
MAX_TOKENS = 512
MAX_WORDS = 1024
MAX_WORD_CHARS = 32
MAX_ABS_VALUE = 1000.0  # |cell| <= this keeps E·Eᵀ and exp() far from overflow
# Text is cut by length before anything reads it (see clean_text):
MAX_SENTENCE_CHARS = MAX_TOKENS * (MAX_WORD_CHARS + 1)  # a sentence as typed or linked
# The translator's English sentence (source=): the toy grammar's longest, eight words of 32, as its boxes allow
MAX_SOURCE_CHARS = 8 * (core.toy_language.MAX_WORD + 1)
MAX_VALUE_CHARS = 256  # any other value of a link or a scenario file
MAX_NUMBER_CHARS = 24  # a number: up to 10^23 is still read (and clamped); a float's shortest form fits
_NORMALISE_CHARS = 4 * MAX_WORD_CHARS  # a longer run without spaces is no word: it is not normalised
_CELL_SCAN_CHARS = 2 * _NORMALISE_CHARS  # a table's cell longer than this is neither blank nor read
MAX_NOTICES = 8  # notices shown about one link or file; then "… and N more"
EXCERPT_CHARS = 40  # what a notice quotes of a value


@dataclass(frozen=True)
class Spec:
    """One setting a link carries: how it is read, written, drawn and explained.

    ``kind`` is int, float, choice, text (the sentence), cell (``3,1``: query 3, key 1,
    1-based) or heads (a list of head numbers). ``label`` and ``help`` are catalogue keys; help
    is formatted with ``lo`` and ``hi``. ``paper_only``: the article has no such thing, so
    tutorial mode ignores it and its widget is disabled there. ``in_pass``: the setting changes
    the numbers the encoder's views compute (``compute.PassKey`` holds exactly these); the
    vocabulary's own settings (preset, width) reach that pass through the vocabulary, and
    training's through ``compute.TrainKey``. ``in_decoder``: the same for the decoder screen's pass
    (``decoder_pass.DecoderKey``); its sentence (``source``) reaches it as the words read from it.
    """

    name: str
    kind: str
    default: object
    label: str
    help: str | None = None
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    paper_only: bool = False
    in_pass: bool = False
    in_decoder: bool = False


def _setting(kind: str, default, label: str, help: str | None = None, **rest):
    """A field of ``Settings`` and its row of ``SPECS`` in one place (the name comes from the field)."""
    return field(default=default, metadata={"spec": Spec("", kind, default, label, help, **rest)})


@dataclass(frozen=True)
class Settings:
    """Everything a shared link carries: one field per setting, its spec (``SPECS``) beside it.

    ``ffn=None`` means the mode's default width; ``steps=None`` core's default.
    """

    lang: str = _setting("choice", "en", "sidebar.lang", choices=LANGS)
    mode: str = _setting("choice", "paper", "sidebar.mode", "sidebar.mode_help", choices=MODES, in_pass=True)
    # None: the mode's own (``vocab_preset``): the article's table in tutorial mode, random vectors in paper mode
    preset: str | None = _setting("choice", None, "vocab.preset", "vocab.preset_help", choices=PRESETS)
    sentence: str = _setting("text", "the cat sat on", "vocab.sentence", "vocab.sentence_help", in_pass=True)
    dim: int = _setting("int", 8, "vocab.dim", "vocab.dim_help", lo=DIM_MIN, hi=DIM_MAX)
    heads: int = _setting(
        "int", 2, "mh.heads", "mh.heads_help", lo=HEADS_MIN, hi=HEADS_MAX, in_pass=True, in_decoder=True
    )
    ffn: int | None = _setting("int", None, "ff.width", "ff.width_help", lo=FFN_MIN, hi=FFN_MAX, in_pass=True)
    seed: int = _setting(
        "int", 0, "sidebar.seed", "sidebar.seed_help", lo=SEED_MIN, hi=SEED_MAX, in_pass=True, in_decoder=True
    )
    pe: str = _setting(
        "choice",
        "sin",
        "block.pe",
        "block.pe_help",
        choices=("sin", "none"),
        paper_only=True,
        in_pass=True,
        in_decoder=True,
    )
    mask: str = _setting(
        "choice", "none", "block.mask", "block.mask_help", choices=("none", "causal"), paper_only=True, in_pass=True
    )
    scale: str = _setting(
        "choice",
        "sqrt",
        "block.scale",
        "block.scale_help",
        choices=("sqrt", "none"),
        paper_only=True,
        in_pass=True,
        in_decoder=True,
    )
    temp: float = _setting(
        "float",
        1.0,
        "block.temp",
        "block.temp_help",
        lo=TEMP_MIN,
        hi=TEMP_MAX,
        paper_only=True,
        in_pass=True,
        in_decoder=True,
    )
    norm: str = _setting(
        "choice",
        "post",
        "block.norm",
        "block.norm_help",
        choices=("post", "pre", "none"),
        paper_only=True,
        in_pass=True,
        in_decoder=True,
    )
    head: int = _setting("int", 1, "sa.head", "sa.head_help", lo=HEADS_MIN, hi=HEADS_MAX)  # 1-based, as shown
    cell: tuple[int, int] | None = _setting("cell", None, "sa.cell", "sa.cell_help")  # (query, key), 1-based
    # heads switched off (1-based, sorted): their output is zeroed before W_O
    off: tuple[int, ...] = _setting("heads", (), "mh.off", "mh.off_help", lo=HEADS_MIN, hi=HEADS_MAX, paper_only=True)
    # "trained": every page shows the block /train trains for these settings
    weights: str = _setting("choice", "random", "train.weights", "train.weights_help", choices=WEIGHTS, paper_only=True)
    task: str = _setting("choice", "neighbours", "train.task", "train.task_help", choices=TASKS, paper_only=True)
    steps: int | None = _setting(
        "int", None, "train.steps", "train.steps_help", lo=STEPS_MIN, hi=STEPS_MAX, paper_only=True
    )
    train_ffn: str = _setting("choice", "0", "train.ffn", "train.ffn_help", choices=("0", "1"), paper_only=True)
    # the decoder and translator screens: layers on each side, and the English sentence they translate
    layers: int = _setting(
        "int", 1, "dec.layers", "dec.layers_help", lo=LAYERS_MIN, hi=LAYERS_MAX, paper_only=True, in_decoder=True
    )
    source: str = _setting("text", SOURCE_SENTENCE, "dec.source", "dec.source_help")
    # what those screens show of the pass: the layer (None: the last), the attention whose cell /decoder
    # explains, its head and cell (None: the first query and key), the decoding step /translate shows
    layer: int | None = _setting("int", None, "dec.layer", "dec.layer_help", lo=LAYERS_MIN, hi=LAYERS_MAX)
    attn: str = _setting("choice", "cross", "dec.kind", "dec.kind_help", choices=("cross", "self"))
    dhead: int = _setting("int", 1, "axis.head", "dec.head_help", lo=HEADS_MIN, hi=HEADS_MAX)
    dcell: tuple[int, int] | None = _setting("cell", None, "dec.cell", "dec.cell_help")
    tstep: int = _setting("int", 1, "tr.step", "tr.step_help", lo=1, hi=TSTEP_MAX)

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.sentence.split())

    @property
    def paper(self) -> bool:
        return self.mode == "paper"

    @property
    def vocab_preset(self) -> str:
        """The preset in use: the one chosen, else the mode's own. Tutorial mode shows the article's
        table (its numbers are the article's); paper mode random vectors of width ``dim``, so that
        d_model = 8 splits into heads of d_k = 4 and the heads' maps differ (the article's width 3
        would leave each of two heads a single column)."""
        return self.preset or default_preset(self.mode)


SPECS = tuple(replace(f.metadata["spec"], name=f.name) for f in fields(Settings))
SPEC = {spec.name: spec for spec in SPECS}
# Parameters a page reads for itself, not settings: the lesson's step and its host view, /translate's lexicon.
PAGE_PARAMS = ("step", "host", "lexicon")
MAX_LEXICON_ENTRIES = 64  # words per part of speech in a lexicon a learner edits (links, files, the table)


DEFAULTS = Settings()


@dataclass(frozen=True)
class Notice:
    """A message for the user, as a catalogue key and its arguments."""

    key: str
    args: Mapping[str, object] = field(default_factory=dict)


def default_preset(mode: str) -> str:
    return "seed" if mode == "tutorial" else "random"


def default_ffn(mode: str, d_model: int) -> int:
    """The paper's d_ff = 4·d_model; the article's 2·d."""
    return (2 if mode == "tutorial" else 4) * d_model


# --- text as typed ---------------------------------------------------------------------------
#
# Every text from a link, a file or a widget is cut by length before anything else reads it, and
# normalised one word at a time: Unicode normalisation is quadratic in a run of combining marks
# (seconds for 64 kB, with the GIL held), so no run longer than _NORMALISE_CHARS is normalised.


def _invisible(ch: str) -> bool:
    """A format character (zero-width, bidi control, BOM, soft hyphen...) or a control that is not whitespace."""
    category = unicodedata.category(ch)
    return category == "Cf" or (category == "Cc" and not ch.isspace())


def char_name(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how a message names a character nobody can see."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


class Cleaned(NamedTuple):
    """Text as the app uses it, and what was done to it: the names of the invisible characters
    taken out, and the compatibility forms replaced (``"ｔｈｅ → the"``)."""

    text: str
    removed: tuple[str, ...]
    replaced: tuple[str, ...]


_RUNS = re.compile(r"(\s+)")


def _normalise(run: str, replaced: dict[str, None]) -> str:
    """One run of text without spaces in NFKC (NFC if NFKC would put a space in it), noting a run
    that NFC alone would have left different."""
    if len(run) > _NORMALISE_CHARS or run.isascii():
        return run
    composed = unicodedata.normalize("NFC", run)
    plain = unicodedata.normalize("NFKC", composed)
    if plain == composed or any(ch.isspace() for ch in plain):  # "¨" is " ̈" in NFKC: a word stays one word
        return composed
    replaced[f"{excerpt(composed, MAX_WORD_CHARS)} → {excerpt(plain, MAX_WORD_CHARS)}"] = None
    return plain


def clean_text(text: str, normalise: bool = True) -> Cleaned:
    """``text`` without invisible characters, each word in Unicode NFKC; what was taken out and replaced.

    Two words that look the same must be the same word: "café" typed with a combining accent
    and with the composed letter both become the composed one, and full-width "ｔｈｅ" becomes
    "the" (NFKC: compatibility forms to their plain letters, digits and ligatures). A zero-width
    space or a right-to-left override (which make a word differ from the word it looks like, or
    reorder the text around it) is taken out; removal comes first, so that a mark separated
    from its letter by an invisible character composes with it. A run without spaces longer than
    ``_NORMALISE_CHARS`` is no word (words have at most ``MAX_WORD_CHARS``) and is left as it
    is, for the word-length rule to refuse: the caller cuts ``text`` by length first.
    ``normalise=False`` only takes out invisible characters (a number or a name: ASCII is read,
    and "２" must not become "2").
    """
    removed = [ch for ch in text if _invisible(ch)]
    kept = "".join(ch for ch in text if not _invisible(ch)) if removed else text
    replaced: dict[str, None] = {}
    if normalise and not kept.isascii():
        kept = "".join(_normalise(run, replaced) for run in _RUNS.split(kept))
    return Cleaned(kept, tuple(dict.fromkeys(char_name(ch) for ch in removed)), tuple(replaced))


def visible(text: str) -> str:
    """``text`` with each invisible character written out as ⟨U+XXXX⟩, to show where it was."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if _invisible(ch) else ch for ch in text)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of a text someone gave, as a message quotes it.

    Invisible characters and every line or tab break are written out as ⟨U+XXXX⟩ (a newline
    in a link's value must not turn a notice into a heading), and a cut ends with "…".
    The translator escapes Markdown and isolates the result (ui/i18n.py).
    """
    text = str(text)
    cut = text[:limit]
    shown = "".join(f"⟨U+{ord(ch):04X}⟩" if _invisible(ch) or (ch.isspace() and ch != " ") else ch for ch in cut)
    return shown + ("…" if len(text) > limit else "")


def cap_notices(notices: list[Notice]) -> list[Notice]:
    """The first ``MAX_NOTICES`` notices, then one that says how many more there were (counting
    those an earlier cap left out)."""
    more = sum(n.args["n"] for n in notices if n.key == "notice.more")
    kept = [n for n in notices if n.key != "notice.more"]
    more += max(0, len(kept) - MAX_NOTICES)
    return [*kept[:MAX_NOTICES], Notice("notice.more", {"n": more})] if more else kept


# --- the URL ---------------------------------------------------------------------------------
#
# One reader per kind of setting, with the same rules for a link and a scenario file: numbers in
# ASCII digits only ("²".isdigit() is True and int("٣") is 3), within a length; a value longer
# than MAX_VALUE_CHARS is not read at all; each value changed or ignored gives one notice, which
# quotes it cut (``excerpt``).

_INT = re.compile(r"[+-]?[0-9]+(?:\.0*)?")  # "4.0" is 4; "1e3" and "٣" are no whole numbers
_REAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_GROUPED = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+")  # "1.000", "12.500": thousands, where a comma is decimal
_POSITION = re.compile(r"[0-9]{1,6}")  # a token's 1-based position, or a head's number


def _range_notice(key: str, spec: Spec, raw: str, **more) -> Notice:
    return Notice(key, {"name": spec.name, "value": excerpt(raw), "lo": _shown(spec.lo), "hi": _shown(spec.hi), **more})


def _shown(value) -> str:
    """A number as a link and a message write it: 8, 0.05, 20."""
    return format_value(value)


def whole_number(text: str) -> int | None:
    """A whole number as a link writes it ("12", "-3", "4.0"), in ASCII digits and at most
    MAX_NUMBER_CHARS long; None for anything else ("1e3", "٣", "²", "")."""
    text = text.strip()
    return int(text.split(".")[0]) if len(text) <= MAX_NUMBER_CHARS and _INT.fullmatch(text) else None


def _read_number(spec: Spec, raw: str, notices: list[Notice]) -> float | int | None:
    """An int or float setting: out of range is clamped, unreadable is ignored; each with a notice.

    A whole number is written in ASCII digits with an optional sign ("4.0" is one, "1e3" is not); a real
    number as Python writes a float ("0.5", "2e-1"). Past MAX_NUMBER_CHARS nothing is read.
    """
    text = raw.strip()
    whole = spec.kind == "int"
    if whole:
        value = whole_number(text)
        if value is None:
            notices.append(_range_notice("notice.param_not_number", spec, raw))
            return None
    else:
        value = float(text) if len(text) <= MAX_NUMBER_CHARS and _REAL.fullmatch(text) else math.nan
        if not math.isfinite(value):
            notices.append(_range_notice("notice.param_not_real", spec, raw))
            return None
    if value < spec.lo or value > spec.hi:
        clamped = min(max(value, spec.lo), spec.hi)
        clamped = int(clamped) if whole else float(clamped)
        notices.append(_range_notice("notice.param_clamped", spec, raw, used=_shown(clamped)))
        return clamped
    return value


def _read_choice(spec: Spec, raw: str, notices: list[Notice]) -> str | None:
    value = raw.strip().lower()
    if value in spec.choices:
        return value
    notices.append(
        Notice("notice.param_choice", {"name": spec.name, "value": excerpt(raw), "allowed": " | ".join(spec.choices)})
    )
    return None


def _read_sentence(spec: Spec, raw: str, notices: list[Notice]) -> str | None:
    problems = check_sentence(raw)
    if problems and problems[0].key == "error.sentence_too_long" and spec.name == "sentence":
        notices.append(Notice("notice.sentence_cut", {"n": len(raw.split()), "max": MAX_TOKENS}))
        return " ".join(raw.split()[:MAX_TOKENS])
    if problems:
        notices.append(Notice("notice.param_ignored", {"name": spec.name, "value": excerpt(raw)}))
        return None
    return " ".join(raw.split())


def _read_cell(spec: Spec, raw: str, notices: list[Notice]) -> tuple[int, int] | None:
    parts = raw.replace(" ", "").split(",")
    if len(parts) == 2 and all(_POSITION.fullmatch(p) and int(p) >= 1 for p in parts):
        return int(parts[0]), int(parts[1])
    notices.append(Notice("notice.param_cell", {"name": spec.name, "value": excerpt(raw)}))
    return None


def _read_heads(spec: Spec, raw: str, notices: list[Notice]) -> tuple[int, ...] | None:
    """A list of head numbers: the ones that are heads are kept, and a list that had anything else
    (an empty item, a repeat, a number out of range, a word) says what was used."""
    parts = raw.replace(" ", "").split(",")
    heads = [int(p) for p in parts if _POSITION.fullmatch(p) and spec.lo <= int(p) <= spec.hi]
    used = tuple(sorted(set(heads)))
    if raw.strip() == "" or (len(heads) == len(parts) and len(used) == len(heads)):
        return used
    args = {"name": spec.name, "value": excerpt(raw), "hi": spec.hi}
    notices.append(Notice("notice.param_heads", {**args, "used": format_value(used) or "—"}))
    return used


_READERS = {
    "int": _read_number,
    "float": _read_number,
    "choice": _read_choice,
    "text": _read_sentence,
    "cell": _read_cell,
    "heads": _read_heads,
}


def format_value(value) -> str:
    """A setting's value as a link writes it: floats in the shortest form that reads back the same."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


# The longest value each text setting takes from a link or a file (any other value: MAX_VALUE_CHARS).
_TEXT_CHARS = {"sentence": MAX_SENTENCE_CHARS, "source": MAX_SOURCE_CHARS}


def parse_query_params(params: Mapping[str, str | list[str]]) -> tuple[Settings, list[Notice]]:
    """Settings from a URL's query parameters: bad values are clamped or ignored, each with a notice.

    A value may be a list (a parameter the link repeats): the last one is used, with a notice.
    Values are cut by length before they are cleaned; the notices are capped (``cap_notices``).
    """
    notices: list[Notice] = []
    values: dict[str, object] = {}
    for name, given in params.items():
        name = str(name)
        given = given if isinstance(given, list) else [given]
        if len(given) > 1:
            notices.append(Notice("notice.param_repeated", {"name": excerpt(name), "n": len(given)}))
        raw = str(given[-1]) if given else ""
        spec = SPEC.get(name)
        if name in PAGE_PARAMS:
            continue
        if spec is None:
            notices.append(Notice("notice.param_unknown", {"name": excerpt(name)}))
            continue
        limit = _TEXT_CHARS.get(name, MAX_VALUE_CHARS)
        if len(raw) > limit:
            if name != "sentence":  # the sentence is cut (and says so); a longer value is no value at all
                notices.append(Notice("notice.param_too_long", {"name": name, "n": len(raw), "max": limit}))
                continue
            notices.append(Notice("notice.sentence_chars", {"n": len(raw), "max": limit}))
            raw = raw[:limit]
        raw, removed, replaced = clean_text(raw, normalise=spec.kind == "text")
        if removed:
            notices.append(Notice("notice.param_invisible", {"name": name, "chars": removed}))
        if replaced:
            notices.append(Notice("notice.param_compat", {"name": name, "pairs": replaced}))
        value = _READERS[spec.kind](spec, raw, notices)
        if value is not None:
            values[name] = value
    if "dim" in values and (values.get("preset") or default_preset(values.get("mode", DEFAULTS.mode))) == "seed":
        notices.append(Notice("notice.dim_with_seed", {"value": values.pop("dim")}))
    settings = replace(DEFAULTS, **values)
    settings = fit_view(settings, notices)
    return settings, cap_notices(notices)


def fit_view(settings: Settings, notices: list[Notice] | None = None) -> Settings:
    """The explained head and cell, and the heads switched off, kept inside the model and the sentence
    (with a notice when one moved)."""
    notices = [] if notices is None else notices
    if settings.head > settings.heads:
        notices.append(Notice("notice.head_clamped", {"head": settings.head, "n": settings.heads}))
        settings = replace(settings, head=settings.heads)
    outside = [h for h in settings.off if h > settings.heads]
    if outside:
        notices.append(Notice("notice.off_outside", {"heads": tuple(outside), "n": settings.heads}))
        settings = replace(settings, off=tuple(h for h in settings.off if h <= settings.heads))
    T = len(settings.tokens)
    if settings.cell is not None and max(settings.cell) > T:
        notices.append(Notice("notice.cell_outside", {"cell": format_value(settings.cell), "n": T}))
        settings = replace(settings, cell=None)
    return settings


def to_query_params(settings: Settings) -> dict[str, str]:
    """The settings that differ from the defaults, as URL query parameters.

    ``dim`` is left out with the article's table, whose width is its own.
    """
    out = {}
    for spec in SPECS:
        value = getattr(settings, spec.name)
        if value != spec.default and value is not None:
            out[spec.name] = format_value(value)
    if settings.vocab_preset == "seed":
        out.pop("dim", None)
    return out


def check_sentence(sentence: str) -> list[Notice]:
    """Problems of a sentence as typed (empty, too long, a word too long); [] if none."""
    tokens = sentence.split()
    if not tokens:
        return [Notice("error.sentence_empty")]
    if len(tokens) > MAX_TOKENS:
        return [Notice("error.sentence_too_long", {"n": len(tokens), "max": MAX_TOKENS})]
    long_words = [excerpt(w) for w in dict.fromkeys(tokens) if len(w) > MAX_WORD_CHARS]
    if long_words:
        return [Notice("error.word_too_long", {"words": tuple(long_words), "max": MAX_WORD_CHARS})]
    return []


# --- the vocabulary --------------------------------------------------------------------------


def preset_vocabulary(settings: Settings) -> core.Vocabulary:
    """The article's table, or a seeded random vector for every word of the sentence."""
    if settings.vocab_preset == "random":
        return core.random_vocabulary(settings.tokens or ("the",), settings.dim, settings.seed)
    return core.seed_vocabulary()


def extend_vocabulary(vocab: core.Vocabulary, words, seed: int) -> core.Vocabulary:
    """``vocab`` plus seeded random vectors (of its width) for the words it lacks."""
    new = vocab.unknown(words)
    if not new:
        return vocab
    extra = np.stack([core.word_vector(w, vocab.dim, seed) for w in new])
    return core.Vocabulary(vocab.words + tuple(new), np.vstack([vocab.vectors, extra]))


def resize_vocabulary(
    vocab: core.Vocabulary, dim: int, hidden: Mapping[str, np.ndarray] | None = None
) -> tuple[core.Vocabulary, dict[str, np.ndarray]]:
    """``vocab`` at width ``dim``, and the values its words keep out of sight.

    Columns cut off are not lost: ``hidden`` maps a word to the values past its visible
    width (first hidden column first). Growing the width brings them back, and zeros
    follow where nothing was hidden.
    """
    hidden = hidden or {}
    rows, tails = [], {}
    for word, vector in zip(vocab.words, vocab.vectors, strict=True):
        full = np.concatenate([vector, hidden.get(word, np.zeros(0))])
        if len(full) < dim:
            full = np.concatenate([full, np.zeros(dim - len(full))])
        rows.append(full[:dim])
        if len(full) > dim and np.any(full[dim:] != 0):
            tails[word] = full[dim:].copy()
    return core.Vocabulary(vocab.words, np.stack(rows)), tails


def vocab_key(vocab: core.Vocabulary) -> str:
    """A digest of words and vectors: the small, exact value caches are keyed on."""
    h = hashlib.blake2b(digest_size=16)
    h.update("\x1f".join(vocab.words).encode("utf-8"))
    h.update(np.ascontiguousarray(vocab.vectors).tobytes())
    h.update(str(vocab.vectors.shape).encode())
    return h.hexdigest()


def dim_columns(dim: int) -> list[str]:
    return [f"d{i + 1}" for i in range(dim)]


def vocab_to_table(vocab: core.Vocabulary) -> pd.DataFrame:
    """The editable table: a 'word' column, then d1..dD."""
    df = pd.DataFrame(vocab.vectors, columns=dim_columns(vocab.dim))
    df.insert(0, "word", pd.Series(list(vocab.words), dtype=object))
    return df


def editable_table(df: pd.DataFrame, decimal_comma: bool = False) -> pd.DataFrame:
    """A table as the grid shows it: words as text or None, each value as text (``cell_text``).

    The grid's value columns are text columns, read here (``read_table``), not by the browser: a
    number is written in the shortest form that reads back as the same float, with the language's
    decimal sign (``decimal_comma``: "0,5" in Portuguese); text typed that is no number is shown as
    typed, so an edit still to fix is never lost; an empty cell is None, never the string "nan".
    The word column stays text even with no rows, and a missing word is None.
    """
    words = [None if _is_empty(w) else str(w) for w in df["word"].tolist()] if "word" in df.columns else []
    columns = {"word": pd.Series(words, dtype=object)}
    for col in df.columns:
        if col != "word":
            columns[col] = pd.Series([cell_text(v, decimal_comma) for v in df[col].tolist()], dtype=object)
    return pd.DataFrame(columns)


def cell_text(value, decimal_comma: bool = False) -> str | None:
    """A cell of the table as the grid shows it: None when empty, text as typed, a number in its shortest exact
    form ("1", "-0", "0.47", "1e-05"; "0,47" with ``decimal_comma``), which ``read_table`` reads back bit for bit."""
    if _is_empty(value):
        return None
    if isinstance(value, str | bool):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return text.replace(".", ",") if decimal_comma else text


class Typed(str):
    """Text typed in a cell that was not read as a number, and whether the page it was typed on writes
    a decimal comma: it is read by that page's rules in any language ("1.000" typed in Portuguese may
    be a thousand, so it stays unclear in English rather than becoming one), until it is typed again."""

    decimal_comma: bool

    def __new__(cls, text: str, decimal_comma: bool):
        typed = super().__new__(cls, text)
        typed.decimal_comma = decimal_comma
        return typed

    def __reduce__(self):
        return Typed, (str(self), self.decimal_comma)


def typed_cells(df: pd.DataFrame, decimal_comma: bool = True) -> pd.DataFrame:
    """``df`` with each text cell that reads as a finite number held as that number, the rest ``Typed``.

    A draft is kept so, read once in the language it was typed in: "2,5" typed in Portuguese stays
    2.5 when the page changes language, while "abc", "1e999" or an unclear "1.000" stay what was
    typed, for the message that names them and for the grid.
    """
    out = df.copy()
    for col in out.columns:
        if col == "word":
            continue
        values = out[col].tolist()
        if any(isinstance(v, str) for v in values):
            out[col] = pd.Series([_typed_cell(v, decimal_comma) for v in values], dtype=object, index=out.index)
    return out


def _typed_cell(value, decimal_comma: bool):
    if not isinstance(value, str) or isinstance(value, Typed) or _is_empty(value):
        return value
    if _number_text(value) is None:  # too long to be a number in any language: kept as it is, not copied
        return value
    number = _cell_number(value, decimal_comma)
    return number if number is not None and math.isfinite(number) else Typed(value, decimal_comma)


def apply_editor_delta(table: pd.DataFrame, delta: Mapping) -> pd.DataFrame:
    """``st.data_editor``'s edit record (edited_rows, added_rows, deleted_rows) applied to ``table``.

    As the editor does: edits refer to the rows of ``table``, deletions too, and added rows
    come last. A cell the record does not name is empty (None).
    """
    df = table.copy().reset_index(drop=True)
    df = df.astype({c: object for c in df.columns})  # a cell may hold text the user pasted
    for row, changes in (delta.get("edited_rows") or {}).items():
        for col, value in changes.items():
            if col in df.columns and int(row) < len(df):
                df.at[int(row), col] = value
    deleted = sorted(int(r) for r in (delta.get("deleted_rows") or []))
    if deleted:
        df = df.drop(index=[r for r in deleted if r < len(df)]).reset_index(drop=True)
    added = [{c: r.get(c) for c in df.columns} for r in (delta.get("added_rows") or [])]
    if added:
        df = pd.concat([df, pd.DataFrame(added, columns=df.columns, dtype=object)], ignore_index=True)
    return df


def editor_row_ids(n_rows: int, delta: Mapping) -> list[int]:
    """Where each row of ``apply_editor_delta(table, delta)`` comes from: its index in ``table``
    (of ``n_rows`` rows), or ``n_rows + j`` for the j-th added row. Two records of the same
    editor are compared row by row through these (a deletion shifts the rows after it)."""
    deleted = {int(r) for r in (delta.get("deleted_rows") or [])}
    added = len(delta.get("added_rows") or [])
    return [i for i in range(n_rows) if i not in deleted] + [n_rows + j for j in range(added)]


class Replaced(NamedTuple):
    """What one edit of the table overwrote: ``pairs`` ("cat → dog") for each word of the vocabulary
    whose row got another word, ``words`` for each word whose values a paste over several rows changed."""

    pairs: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


def replaced_rows(
    before: pd.DataFrame, before_ids, after: pd.DataFrame, after_ids, known: core.Vocabulary, decimal_comma: bool = True
) -> Replaced:
    """The words of ``known`` that an edit overwrote, from the table before and after it (with their
    ``editor_row_ids``). A row renamed is a replacement; a row whose values changed is one only when the
    edit changed two or more rows of ``known`` at once (a paste: typing changes one cell at a time).
    A row emptied or deleted is not: the table's reading names an empty word, and a deletion is asked for.
    """
    cols = [c for c in before.columns if c != "word" and c in after.columns]
    where = {row_id: i for i, row_id in enumerate(after_ids)}
    pairs, overwritten, changed = [], [], 0
    for i, row_id in enumerate(before_ids):
        j = where.get(row_id)
        old = _table_word(before.at[i, "word"]).text
        if j is None or old not in known:
            continue
        new = _table_word(after.at[j, "word"]).text
        values_changed = any(
            _cell_value(before.at[i, c], decimal_comma) != _cell_value(after.at[j, c], decimal_comma) for c in cols
        )
        if new and new != old:
            pairs.append(f"{excerpt(old, MAX_WORD_CHARS)} → {excerpt(new, MAX_WORD_CHARS)}")
        elif new == old and values_changed:
            overwritten.append(excerpt(old, MAX_WORD_CHARS))
        changed += new != old or values_changed
    return Replaced(tuple(pairs), tuple(overwritten) if changed > 1 else ())


def _cell_value(raw, decimal_comma: bool = True):
    """A cell as two tables are compared: None when empty, its number when it reads as one, else its text."""
    if _is_empty(raw):
        return None
    number = _cell_number(raw, decimal_comma)
    return str(raw) if number is None or math.isnan(number) else number


def _is_empty(value) -> bool:
    """An empty cell: None, NaN (how pandas fills a new row) or blank text (not longer than a scan: a megabyte
    of spaces is no empty cell, and is not read to the end to find out)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and len(value) <= _CELL_SCAN_CHARS and not value.strip()


def _number_text(value: str) -> str | None:
    """A typed cell's text without the spaces around it, or None when it is too long to be a number.

    The length is checked before anything reads the text, so a 10,000-character cell costs what a short one does.
    """
    if len(value) > _CELL_SCAN_CHARS:
        return None
    text = value.strip()
    return text if len(text) <= MAX_NUMBER_CHARS else None


def _cell_number(value, decimal_comma: bool = True) -> float | None:
    """A cell's number, or None: empty, or not read as one (``read_table`` says why).

    A number is itself (infinity and NaN included: ``read_table`` names them). Text is read in ASCII
    digits, as a link's numbers, with a decimal point ("2.5" in every language) or, where the
    language writes one (``decimal_comma``: Portuguese, Spanish), a decimal comma ("2,5"); no
    thousands separator. There a point between groups of three digits ("1.000") is not read: it
    may be a thousands separator. "inf" and "nan" are read as what they are, to be named.
    """
    if _is_empty(value) or isinstance(value, bool):
        return None
    if isinstance(value, str):  # typed or pasted text
        decimal_comma = value.decimal_comma if isinstance(value, Typed) else decimal_comma
        text = _number_text(value)
        if text is None:
            return None
        if decimal_comma and _GROUPED.fullmatch(text):
            return None  # 1.000 is a thousand in Portuguese, one in English: read_table asks which
        if decimal_comma and text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if _REAL.fullmatch(text):
            return float(text)
        return float(text) if _NOT_FINITE.fullmatch(text) else None  # read_table names these
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _unclear_number(value, decimal_comma: bool) -> bool:
    """Text that is a number or not depending on what its separators mean, refused with a message that
    says so, never read one way or the other. Where the language writes a decimal point: a comma, which
    may separate thousands ("2,5", "1,000.5"). Where it writes a decimal comma: a point between groups
    of three digits ("1.000", "12.500"), which may."""
    text = _number_text(value) if isinstance(value, str) else None
    if text is None:
        return False
    if _typed_with_comma(value, decimal_comma):
        return bool(_GROUPED.fullmatch(text))
    return "," in text and (
        _cell_number(text, decimal_comma=True) is not None or bool(_REAL.fullmatch(text.replace(",", "")))
    )


def _typed_with_comma(value, decimal_comma: bool) -> bool:
    """Whether ``value`` was typed where a decimal comma is written: on its own page (``Typed``), else on this one."""
    return value.decimal_comma if isinstance(value, Typed) else decimal_comma


@dataclass(frozen=True)
class TableReading:
    """What a table as typed describes.

    ``vocab`` is None when ``errors`` is not empty. ``waiting`` are rows not used yet but not
    wrong either: a new word whose values are still empty. A row with nothing in it (the new
    row a click or a paste's last line break adds) is no word and no problem: it is left out
    without a message. ``notes`` tell what was changed in a word (invisible characters taken out).
    """

    vocab: core.Vocabulary | None
    errors: tuple[Notice, ...] = ()
    waiting: tuple[Notice, ...] = ()
    notes: tuple[Notice, ...] = ()

    @property
    def waiting_words(self) -> bool:
        """Some waiting row has a word: its empty cells can be filled."""
        return any("word" in n.args for n in self.waiting)


def _table_word(raw) -> Cleaned:
    """A word as typed in the table, cleaned; text past ``_NORMALISE_CHARS`` is cut first (too long anyway)."""
    return Cleaned("", (), ()) if _is_empty(raw) else clean_text(str(raw)[: 2 * _NORMALISE_CHARS].strip())


# Empty rows a table may hold besides its words before it is refused unread (a paste's last line
# break adds one; a few more are a slip, thousands are not a vocabulary).
MAX_BLANK_ROWS = 16


def blank_row(raw_word, cells) -> bool:
    """A row with nothing in it: no word (invisible characters are nothing) and every cell empty."""
    return all(_is_empty(raw) for raw in cells) and not _table_word(raw_word).text


def _word_problem(word: str, row: int, seen: set[str]) -> Notice | None:
    """What is wrong with a table's word (row 1-based), if anything: empty, spaced, long, or a repeat."""
    if not word:
        return Notice("error.word_empty", {"row": row})
    if any(ch.isspace() for ch in word):
        return Notice("error.word_space", {"row": row, "word": excerpt(word)})
    if len(word) > MAX_WORD_CHARS:
        return Notice("error.word_long", {"row": row, "max": MAX_WORD_CHARS})
    if word in seen:
        return Notice("error.word_duplicate", {"row": row, "word": excerpt(word)})
    return None


def _row_values(label: str, cols, cells, decimal_comma: bool, errors: list[Notice]) -> list[float]:
    """The numbers of a table's row (its empty cells skipped); each cell that is no usable number
    adds its problem to ``errors``, named by the row's ``label`` and the column."""
    values: list[float] = []
    for col, raw in zip(cols, cells, strict=True):
        if _is_empty(raw):
            continue
        number = _cell_number(raw, decimal_comma)
        if number is not None and math.isfinite(number) and abs(number) <= MAX_ABS_VALUE:
            values.append(number)
            continue
        where = {"word": label, "col": col, "value": excerpt(str(raw)[:100], 20)}
        if number is None and _unclear_number(raw, decimal_comma):
            where_comma = _typed_with_comma(raw, decimal_comma)  # the rules of the page it was typed on
            errors.append(Notice("error.cell_point", where) if where_comma else Notice("error.cell_comma", where))
        elif number is None or math.isnan(number):
            errors.append(Notice("error.cell_not_number", {**where, "example": cell_text(0.5, decimal_comma)}))
        elif not math.isfinite(number):
            errors.append(Notice("error.cell_not_finite", {**where, "max": _shown(MAX_ABS_VALUE)}))
        else:
            errors.append(Notice("error.cell_too_big", {"word": label, "col": col, "max": _shown(MAX_ABS_VALUE)}))
    return values


def read_table(df: pd.DataFrame, known: core.Vocabulary | None = None, decimal_comma: bool = True) -> TableReading:
    """The vocabulary a table describes, with every problem named by its row, word and column.

    ``known`` is the vocabulary in use: a row whose word it lacks is new, and a new row with
    empty cells waits (one message, no error per cell) instead of being wrong. Cells typed as
    text are read by ``_cell_number``: ``decimal_comma`` says the page's language writes "2,5"
    for 2.5 (Portuguese, Spanish); without it (English) a comma is refused as unclear, since
    "2,5" could be 2.5 or 25 with a thousands separator.
    """
    cols = [c for c in df.columns if c != "word"]
    if "word" not in df.columns or not cols:
        return TableReading(None, (Notice("error.table_shape"),))
    if len(df) > MAX_WORDS + MAX_BLANK_ROWS:  # bounded before any row is read
        return TableReading(None, (Notice("error.vocab_too_big", {"n": len(df), "max": MAX_WORDS}),))
    cells = df[cols].to_numpy(dtype=object)
    raw_words = df["word"].tolist()
    blank = [blank_row(w, cells[i]) for i, w in enumerate(raw_words)]
    n_words = len(blank) - sum(blank)
    if n_words > MAX_WORDS:
        return TableReading(None, (Notice("error.vocab_too_big", {"n": n_words, "max": MAX_WORDS}),))
    errors: list[Notice] = []
    waiting: list[Notice] = []
    notes: list[Notice] = []
    words: list[str] = []
    rows: list[list[float]] = []
    seen: set[str] = set()
    for i, raw_word in enumerate(raw_words):
        if blank[i]:  # an empty row: left out, quietly, however it came (a click, a paste's last line break)
            continue
        row = i + 1
        word, removed, replaced = _table_word(raw_word)
        if removed:
            notes.append(Notice("table.word_cleaned", {"row": row, "word": excerpt(word), "chars": removed}))
        if replaced:
            notes.append(Notice("table.word_compat", {"row": row, "pairs": replaced}))
        empty = [col for col, raw in zip(cols, cells[i], strict=True) if _is_empty(raw)]
        problem = _word_problem(word, row, seen)
        if problem is not None:
            errors.append(problem)
        seen.add(word)
        label = excerpt(word) if word else f"#{row}"
        values = _row_values(label, cols, cells[i], decimal_comma, errors)
        if empty and word and (known is None or word not in known):
            waiting.append(
                Notice("table.row_waiting", {"row": row, "word": excerpt(word), "n": len(empty), "d": len(cols)})
            )
            continue
        if empty:
            errors.append(Notice("error.cells_empty", {"word": label, "cols": tuple(empty), "n": len(empty)}))
        words.append(word)
        rows.append(values)
    if not errors and not words:
        errors.append(Notice("error.vocab_empty"))
    if errors:
        return TableReading(None, tuple(errors), tuple(waiting), tuple(notes))
    return TableReading(
        core.Vocabulary(tuple(words), np.array(rows, dtype=np.float64)), (), tuple(waiting), tuple(notes)
    )


def fill_empty_cells(df: pd.DataFrame, vocab: core.Vocabulary, seed: int) -> pd.DataFrame:
    """The table with each row's empty cells filled: a known word's own values, else its seeded random vector."""
    out = df.copy().astype(object)
    cols = [c for c in df.columns if c != "word"]
    for i, raw_word in enumerate(df["word"].tolist()):
        word = _table_word(raw_word).text
        if not word or any(ch.isspace() for ch in word) or len(word) > MAX_WORD_CHARS:
            continue
        source = vocab.vectors[vocab.words.index(word)] if word in vocab else core.word_vector(word, len(cols), seed)
        for j, col in enumerate(cols):
            if _is_empty(out.at[i, col]):
                out.at[i, col] = float(source[j]) if j < len(source) else 0.0
    return out


def resize_table(df: pd.DataFrame, dim: int, hidden: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """A table as typed, at width ``dim``: columns cut off, or added from ``hidden`` (else 0)."""
    hidden = hidden or {}
    cols = [c for c in df.columns if c != "word"]
    out = df[["word", *cols[:dim]]].copy()
    tails = [hidden.get(_table_word(w).text, np.zeros(0)) for w in df["word"].tolist()]
    for j in range(len(cols), dim):
        k = j - len(cols)  # the k-th hidden value of each word
        out[f"d{j + 1}"] = [float(tail[k]) if k < len(tail) else 0.0 for tail in tails]
    return out


def renamed_words(old: core.Vocabulary, new: core.Vocabulary) -> dict[str, str]:
    """Words renamed from ``old`` to ``new``: the same row, a different word that ``old`` lacked
    (a table of the same length whose other words stayed put); {} for any other change."""
    if len(old) != len(new):
        return {}
    changed = {a: b for a, b in zip(old.words, new.words, strict=True) if a != b}
    if not changed or any(b in old for b in changed.values()):
        return {}
    return changed


def fallback_sentence(tokens, vocab: core.Vocabulary) -> str:
    """The tokens the vocabulary knows, or its first word: a sentence that always computes."""
    known = [t for t in tokens if t in vocab]
    return " ".join(known) if known else vocab.words[0]
