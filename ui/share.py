"""Sharing a session by link: the vocabulary table (and the translator's lexicon) as URL text.

A link carries the settings as query parameters (``ui/state.py``) and, for an edited table,
``vocab=the:1,0,0;cat:0,1,0``: entries separated by ``;``, a word and its values by ``:``,
values by ``,``. Scenario files, JSON with the same settings and the table, are ``ui/scenarios.py``'s,
read by the same rules.

What either brings in is read by the same rules as a link's settings
(``state.parse_query_params``) and the table editor (``state.read_table``). A table or a
file with any problem is rejected as a whole, with notices naming each problem, so that
loading it changes nothing. No Streamlit here: ``ui/session.py`` applies what is read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd

import core

from . import state, translation
from .state import Notice

MAX_LINK_CHARS = 8000  # a query string longer than this is not made (and a vocab= longer than this not read)

# --- numbers as text -------------------------------------------------------------------------


def number_text(value: float, negative_zero: str) -> str:
    """The shortest text that reads back as the same float64 (``state.format_value``: 1, 0.5, 1e-07).

    ``format_value`` writes -0.0 as "0"; the sign of zero is kept with ``negative_zero``.
    """
    value = float(value)  # a numpy scalar's repr is "np.float64(...)"
    if value == 0 and math.copysign(1.0, value) < 0:
        return negative_zero
    return state.format_value(value)


# A number as a link writes it (digits, point, exponent; ASCII only): float() alone would also
# take "1_000", " 1" or "١", which no link made here contains.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)


class Text:
    """A cell that is text but not a number: ``read_table`` names it as "not a number".

    (Handing it the text itself would let its own, more lenient reading take "1_0" as 10.)
    """

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def link_cell(text: str):
    """One value of a link as a cell for ``read_table``: a float, or what it will call not a number / not finite."""
    if _NUMBER.fullmatch(text):
        number = float(text)
        # "1e999" reads as inf: for the table it is a value too big, not one typed as infinity
        return number if math.isfinite(number) else math.copysign(1e308, number)
    if _NOT_FINITE.fullmatch(text):
        return text  # read_table: "inf" is not finite, "nan" not a number
    return Text(text)


# --- the vocabulary as rows ------------------------------------------------------------------


def _label(word: str, entry: int) -> str:
    """A word as a message names it: cleaned, and cut (a file's word can be any length)."""
    word = state.clean_text(word[: state.MAX_VALUE_CHARS].strip()).text
    return state.excerpt(word) if word else f"#{entry}"


def check_rows(words: list[str], rows: list[list]) -> tuple[core.Vocabulary | None, list[Notice], list[Notice]]:
    """Words and their cells (one list per word) read as the table editor reads a table.

    Returns the vocabulary (or None), the errors, and the notes (words that were cleaned).
    """
    if not words:
        return None, [Notice("error.vocab_empty")], []
    if len(words) > state.MAX_WORDS:
        return None, [Notice("error.vocab_too_big", {"n": len(words), "max": state.MAX_WORDS})], []
    d = len(rows[0]) if rows else 0
    errors = [
        Notice("share.value_count", {"entry": i + 1, "word": _label(w, i + 1), "n": len(r), "d": d})
        for i, (w, r) in enumerate(zip(words, rows, strict=True))
        if len(r) != d
    ]
    if d > state.DIM_MAX:
        errors.insert(0, Notice("share.vocab_too_wide", {"n": d, "max": state.DIM_MAX}))
    if errors:
        return None, errors, []
    cols = state.dim_columns(d)
    df = pd.DataFrame(
        {
            "word": pd.Series(words, dtype=object),
            **{c: pd.Series([r[j] for r in rows], dtype=object) for j, c in enumerate(cols)},
        }
    )
    reading = state.read_table(df, decimal_comma=False)  # a link and a file write a decimal point
    # No cell is empty here, so nothing waits; were something to, it would not be a vocabulary yet.
    problems = [*reading.errors, *reading.waiting]
    if problems or reading.vocab is None:
        return None, problems or [Notice("error.vocab_empty")], []
    return reading.vocab, [], list(reading.notes)


# --- links -----------------------------------------------------------------------------------

_ESCAPES = {"%": "%25", ":": "%3A", ";": "%3B", ",": "%2C"}
_ESCAPED = re.compile(r"%(?:25|3[AaBb]|2[Cc])")


def _escape_word(word: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in word)


def _unescape_word(text: str) -> str:
    """The four escapes undone, in one pass ("%253A" is "%3A"); any other "%" stays as it is."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(0)[1:], 16)), text)


def encode_vocab(vocab: core.Vocabulary) -> str:
    """``vocab`` as a link's ``vocab=`` value: ``the:1,0,0;cat:0,1,0``.

    ``%``, ``:``, ``;`` and ``,`` inside a word are written %25, %3A, %3B, %2C (nothing else
    is: the URL layer encodes the rest). Values are the shortest text that reads back as the
    same float64 (1, 0.5, 1e-07), and -0.0 is "-0".
    """
    return ";".join(
        _escape_word(word) + ":" + ",".join(number_text(v, "-0") for v in vector)
        for word, vector in zip(vocab.words, vocab.vectors.tolist(), strict=True)
    )


def decode_vocab(text: str) -> tuple[core.Vocabulary | None, list[Notice]]:
    """The vocabulary a link's ``vocab=`` value describes, and notices.

    Read by the table editor's rules (``state.read_table``: words cleaned of invisible
    characters and NFC-normalised, unique, at most ``MAX_WORD_CHARS``; finite values within
    ±``MAX_ABS_VALUE``; at most ``MAX_WORDS`` words), plus the link's own: each entry is
    ``word:values``, no value is empty and every entry has as many values as the first.
    A single ``;`` at the end is allowed.

    Any problem: (None, [``share.link_rejected``, one notice per problem]). Otherwise the
    vocabulary and the notes about words that were cleaned (often none).
    """
    if len(text) > MAX_LINK_CHARS:
        return None, _link_rejected([Notice("share.link_too_long", {"n": len(text), "max": MAX_LINK_CHARS})])
    if not text.strip():
        return None, _link_rejected([Notice("share.link_empty")])
    entries = text.split(";")
    if len(entries) > 1 and entries[-1] == "":
        entries.pop()
    if len(entries) > state.MAX_WORDS:
        return None, _link_rejected([Notice("error.vocab_too_big", {"n": len(entries), "max": state.MAX_WORDS})])
    errors: list[Notice] = []
    words: list[str] = []
    rows: list[list] = []
    for i, entry in enumerate(entries):
        n = i + 1
        if ":" not in entry:
            errors.append(Notice("share.link_entry_malformed", {"entry": n, "text": _unescape_word(entry)[:40]}))
            continue
        raw_word, raw_values = entry.split(":", 1)
        word = _unescape_word(raw_word)
        if not raw_values.strip():
            errors.append(Notice("share.link_no_values", {"entry": n, "word": _label(word, n)}))
            continue
        values = [v.strip() for v in raw_values.split(",")]
        for col, value in zip(state.dim_columns(len(values)), values, strict=True):
            if not value:
                errors.append(Notice("share.link_value_empty", {"entry": n, "word": _label(word, n), "col": col}))
        words.append(word)
        rows.append([link_cell(v) for v in values])
    if errors:  # the entries cannot be lined up as rows: read_table would number them wrong
        return None, _link_rejected(errors)
    vocab, errors, notes = check_rows(words, rows)
    if vocab is None:
        return None, _link_rejected(errors)
    return vocab, notes


def _link_rejected(problems: list[Notice]) -> list[Notice]:
    return [Notice("share.link_rejected"), *state.cap_notices(problems)]


def query_length(params: Mapping[str, str]) -> int:
    """How many characters the query string of ``params`` has, as a link sends it.

    Measured: ``urllib.parse.urlencode(params)``, the part after "?" without the "?" itself
    (nor scheme, host, path or "#..."), percent-encoded as a browser sends it: each byte of
    a non-ASCII character's UTF-8 counts 3 ("é" is %C3%A9, 6), and so do ``:``, ``;``, ``,``
    and ``%`` (the escapes of a word's ``%2C`` become ``%252C``, 5), a space counts 1 ("+").
    A browser's own encoding (URLSearchParams) differs from it only for ``*`` and ``~``.
    """
    return len(urlencode(params))


# --- the translator's lexicon in a link -----------------------------------------------------------
#
# ``lexicon=cat:gato:m,dog:cão:m;black:preto:preta;sat:sentou``: the nouns, the adjectives and the
# verbs, separated by ``;`` (the adjectives may be empty); entries by ``,``; an entry's words by
# ``:`` (a noun: English, Portuguese, gender; an adjective: English, masculine, feminine; a verb:
# English, Portuguese). A word's own ``%``, ``:``, ``;`` and ``,`` are escaped as in ``vocab=``.
# Read by the lexicon table's rules (``translation.read_lexicon``); any problem rejects it whole.


def encode_lexicon(lexicon: core.Lexicon) -> str:
    """``lexicon`` as a link's ``lexicon=`` value (see above)."""
    parts = (
        [(en, pt, g) for en, (pt, g) in lexicon.nouns.items()],
        [(en, m, f) for en, (m, f) in lexicon.adjectives.items()],
        list(lexicon.verbs.items()),
    )
    return ";".join(",".join(":".join(_escape_word(w) for w in entry) for entry in part) for part in parts)


def decode_lexicon(text: str) -> tuple[core.Lexicon | None, list[Notice]]:
    """The lexicon a link's ``lexicon=`` value describes, and notices: (None, [``tr.link_rejected``,
    the problems]) for any problem, else the lexicon and notes about words that were cleaned."""
    if len(text) > MAX_LINK_CHARS:
        return None, _lexicon_rejected([Notice("share.link_too_long", {"n": len(text), "max": MAX_LINK_CHARS})])
    parts = text.split(";")
    if len(parts) != len(translation.PARTS):
        return None, _lexicon_rejected([Notice("tr.link_parts", {"n": len(parts)})])
    rows = {
        part: [[_unescape_word(w) for w in entry.split(":")] for entry in raw.split(",") if entry]
        for part, raw in zip(translation.PARTS, parts, strict=True)
    }
    lexicon, errors, notes = translation.read_lexicon_rows(rows)
    return (lexicon, notes) if lexicon is not None else (None, _lexicon_rejected(errors))


def _lexicon_rejected(problems: list[Notice]) -> list[Notice]:
    return [Notice("tr.link_rejected"), *state.cap_notices(problems)]
