"""The settings a session works on and the pure rules behind them.

``Settings`` is what a shared link carries; here are its defaults and limits, the URL
parser (bad values clamped or ignored, each with a notice) and the conversions between
the editable vocabulary table and ``core.Vocabulary``. No Streamlit: ``ui/session.py``
keeps these values in ``st.session_state``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

import core

LANGS = ("en", "pt")
MODES = ("paper", "tutorial")
PRESETS = ("seed", "random")

HEADS_MIN, HEADS_MAX = 1, 16
FFN_MIN, FFN_MAX = 1, 4096
DIM_MIN, DIM_MAX = 1, 128
SEED_MIN, SEED_MAX = 0, 2**32 - 1
MAX_TOKENS = 512
MAX_WORDS = 1024
MAX_WORD_CHARS = 32
MAX_ABS_VALUE = 1000.0  # |cell| <= this keeps E·Eᵀ and exp() far from overflow


@dataclass(frozen=True)
class Settings:
    """Everything a shared link carries. ``ffn=None`` means the mode's default width."""

    lang: str = "en"
    mode: str = "paper"
    preset: str = "seed"
    sentence: str = "the cat sat on"
    dim: int = 8
    heads: int = 2
    ffn: int | None = None
    seed: int = 0

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.sentence.split())


DEFAULTS = Settings()


@dataclass(frozen=True)
class Notice:
    """A message for the user, as a catalogue key and its arguments."""

    key: str
    args: Mapping[str, object] = field(default_factory=dict)


def default_ffn(mode: str, d_model: int) -> int:
    """The paper's d_ff = 4·d_model; the article's 2·d."""
    return (2 if mode == "tutorial" else 4) * d_model


# --- the URL ---------------------------------------------------------------------------------


def _int_param(name: str, raw: str, lo: int, hi: int, notices: list[Notice]) -> int | None:
    try:
        value = float(raw.strip())
    except ValueError:
        notices.append(Notice("notice.param_not_number", {"name": name, "value": raw, "lo": lo, "hi": hi}))
        return None
    if not math.isfinite(value) or value != int(value):
        notices.append(Notice("notice.param_not_number", {"name": name, "value": raw, "lo": lo, "hi": hi}))
        return None
    value = int(value)
    if value < lo or value > hi:
        clamped = min(max(value, lo), hi)
        notices.append(
            Notice("notice.param_clamped", {"name": name, "value": raw, "used": clamped, "lo": lo, "hi": hi})
        )
        return clamped
    return value


def _choice_param(name: str, raw: str, allowed: tuple[str, ...], notices: list[Notice]) -> str | None:
    value = raw.strip().lower()
    if value in allowed:
        return value
    notices.append(Notice("notice.param_choice", {"name": name, "value": raw, "allowed": " | ".join(allowed)}))
    return None


def check_sentence(sentence: str) -> list[Notice]:
    """Problems of a sentence as typed (empty, too long, a word too long); [] if none."""
    tokens = sentence.split()
    if not tokens:
        return [Notice("error.sentence_empty")]
    if len(tokens) > MAX_TOKENS:
        return [Notice("error.sentence_too_long", {"n": len(tokens), "max": MAX_TOKENS})]
    long_words = [w for w in dict.fromkeys(tokens) if len(w) > MAX_WORD_CHARS]
    if long_words:
        return [
            Notice("error.word_too_long", {"words": ", ".join(w[:40] for w in long_words[:5]), "max": MAX_WORD_CHARS})
        ]
    return []


def parse_query_params(params: Mapping[str, str]) -> tuple[Settings, list[Notice]]:
    """Settings from a URL's query parameters: bad values are clamped or ignored, each with a notice."""
    notices: list[Notice] = []
    values: dict[str, object] = {}
    choices = {"lang": LANGS, "mode": MODES, "preset": PRESETS}
    ranges = {
        "dim": (DIM_MIN, DIM_MAX),
        "heads": (HEADS_MIN, HEADS_MAX),
        "ffn": (FFN_MIN, FFN_MAX),
        "seed": (SEED_MIN, SEED_MAX),
    }
    for name, raw in params.items():
        if isinstance(raw, list):  # st.query_params gives the last value; plain dicts may hold lists
            raw = raw[-1] if raw else ""
        raw = str(raw)
        if name in choices:
            value = _choice_param(name, raw, choices[name], notices)
        elif name in ranges:
            value = _int_param(name, raw, *ranges[name], notices)
        elif name == "sentence":
            problems = check_sentence(raw)
            if problems and problems[0].key == "error.sentence_too_long":
                value = " ".join(raw.split()[:MAX_TOKENS])
                notices.append(Notice("notice.sentence_cut", {"n": len(raw.split()), "max": MAX_TOKENS}))
            elif problems:
                notices.append(Notice("notice.param_ignored", {"name": name, "value": raw[:60]}))
                value = None
            else:
                value = " ".join(raw.split())
        else:
            notices.append(Notice("notice.param_unknown", {"name": name}))
            value = None
        if value is not None:
            values[name] = value
    return replace(DEFAULTS, **values), notices


def to_query_params(settings: Settings) -> dict[str, str]:
    """The settings that differ from the defaults, as URL query parameters.

    ``dim`` is left out with the article's table, whose width is its own.
    """
    out = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if value != getattr(DEFAULTS, f.name) and value is not None:
            out[f.name] = str(value)
    if settings.preset == "seed":
        out.pop("dim", None)
    return out


# --- the vocabulary --------------------------------------------------------------------------


def preset_vocabulary(settings: Settings) -> core.Vocabulary:
    """The article's table, or a seeded random vector for every word of the sentence."""
    if settings.preset == "random":
        return core.random_vocabulary(settings.tokens or ("the",), settings.dim, settings.seed)
    return core.seed_vocabulary()


def extend_vocabulary(vocab: core.Vocabulary, words, seed: int) -> core.Vocabulary:
    """``vocab`` plus seeded random vectors (of its width) for the words it lacks."""
    new = vocab.unknown(words)
    if not new:
        return vocab
    extra = np.stack([core.word_vector(w, vocab.dim, seed) for w in new])
    return core.Vocabulary(vocab.words + tuple(new), np.vstack([vocab.vectors, extra]))


def resize_vocabulary(vocab: core.Vocabulary, dim: int) -> core.Vocabulary:
    """Columns cut off, or zero columns added, to reach width ``dim``."""
    V, D = vocab.vectors.shape
    if dim <= D:
        return core.Vocabulary(vocab.words, vocab.vectors[:, :dim])
    return core.Vocabulary(vocab.words, np.hstack([vocab.vectors, np.zeros((V, dim - D))]))


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
    df.insert(0, "word", list(vocab.words))
    return df


def editable_table(df: pd.DataFrame) -> pd.DataFrame:
    """A draft as the editor can show it: words as text, number columns as floats (text becomes empty)."""
    out = pd.DataFrame({"word": [None if w is None else str(w) for w in df["word"].tolist()]})
    for col in df.columns:
        if col != "word":
            out[col] = pd.to_numeric(df[col].map(_cell_number), errors="coerce").astype("float64")
    return out


def apply_editor_delta(table: pd.DataFrame, delta: Mapping) -> pd.DataFrame:
    """``st.data_editor``'s edit record (edited_rows, added_rows, deleted_rows) applied to ``table``."""
    df = table.copy().reset_index(drop=True)
    df = df.astype({c: object for c in df.columns})  # a cell may hold text the user pasted
    for row, changes in (delta.get("edited_rows") or {}).items():
        for col, value in changes.items():
            if col in df.columns and int(row) < len(df):
                df.at[int(row), col] = value
    deleted = sorted(int(r) for r in (delta.get("deleted_rows") or []))
    if deleted:
        df = df.drop(index=[r for r in deleted if r < len(df)]).reset_index(drop=True)
    added = [dict(r) for r in (delta.get("added_rows") or [])]
    if added:
        df = pd.concat([df, pd.DataFrame(added, columns=df.columns)], ignore_index=True)
    return df


def _cell_number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value.strip()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def table_to_vocabulary(df: pd.DataFrame) -> tuple[core.Vocabulary | None, list[Notice]]:
    """The vocabulary a table describes, or None and every problem found (each names the cell)."""
    problems: list[Notice] = []
    cols = [c for c in df.columns if c != "word"]
    if "word" not in df.columns or not cols:
        return None, [Notice("error.table_shape")]
    if len(df) == 0:
        return None, [Notice("error.vocab_empty")]
    if len(df) > MAX_WORDS:
        return None, [Notice("error.vocab_too_big", {"n": len(df), "max": MAX_WORDS})]
    words: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(df["word"].tolist()):
        word = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
        word = word.strip()
        if not word:
            problems.append(Notice("error.word_empty", {"row": i + 1}))
        elif any(ch.isspace() for ch in word):
            problems.append(Notice("error.word_space", {"row": i + 1, "word": word}))
        elif len(word) > MAX_WORD_CHARS:
            problems.append(Notice("error.word_long", {"row": i + 1, "max": MAX_WORD_CHARS}))
        elif word in seen:
            problems.append(Notice("error.word_duplicate", {"row": i + 1, "word": word}))
        seen.add(word)
        words.append(word)
    values = np.zeros((len(df), len(cols)))
    for j, col in enumerate(cols):
        for i, raw in enumerate(df[col].tolist()):
            number = _cell_number(raw)
            label = words[i] or f"#{i + 1}"
            if number is None or (isinstance(number, float) and math.isnan(number)):
                problems.append(
                    Notice(
                        "error.cell_not_number",
                        {"word": label, "col": col, "value": "" if raw is None else str(raw)[:20]},
                    )
                )
            elif not math.isfinite(number):
                problems.append(Notice("error.cell_not_finite", {"word": label, "col": col}))
            elif abs(number) > MAX_ABS_VALUE:
                problems.append(Notice("error.cell_too_big", {"word": label, "col": col, "max": MAX_ABS_VALUE}))
            else:
                values[i, j] = number
    if problems:
        return None, problems
    return core.Vocabulary(tuple(words), values), []


def fallback_sentence(tokens, vocab: core.Vocabulary) -> str:
    """The tokens the vocabulary knows, or its first word: a sentence that always computes."""
    known = [t for t in tokens if t in vocab]
    return " ".join(known) if known else vocab.words[0]
