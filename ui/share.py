"""Sharing a session: links that carry the vocabulary table (and the translator's lexicon), and scenario files.

A link carries the settings as query parameters (``ui/state.py``) and, for an edited table,
``vocab=the:1,0,0;cat:0,1,0``: entries separated by ``;``, a word and its values by ``:``,
values by ``,``. A scenario file is JSON with the same settings and the table.

What either brings in is read by the same rules as a link's settings
(``state.parse_query_params``) and the table editor (``state.read_table``). A table or a
file with any problem is rejected as a whole, with notices naming each problem, so that
loading it changes nothing. No Streamlit here: ``ui/session.py`` applies what is read.
"""

from __future__ import annotations

import collections
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd

import core

from . import state, translation
from .state import Notice, Settings

MAX_LINK_CHARS = 8000  # a query string longer than this is not made (and a vocab= longer than this not read)
SCENARIO_APP = "attention-explorer"
SCENARIO_VERSION = 1
MAX_SCENARIO_BYTES = 1_000_000

# --- numbers as text -------------------------------------------------------------------------


def _number_text(value: float, negative_zero: str) -> str:
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


class _Text:
    """A cell that is text but not a number: ``read_table`` names it as "not a number".

    (Handing it the text itself would let its own, more lenient reading take "1_0" as 10.)
    """

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _link_cell(text: str):
    """One value of a link as a cell for ``read_table``: a float, or what it will call not a number / not finite."""
    if _NUMBER.fullmatch(text):
        number = float(text)
        # "1e999" reads as inf: for the table it is a value too big, not one typed as infinity
        return number if math.isfinite(number) else math.copysign(1e308, number)
    if _NOT_FINITE.fullmatch(text):
        return text  # read_table: "inf" is not finite, "nan" not a number
    return _Text(text)


# --- the vocabulary as rows ------------------------------------------------------------------


def _label(word: str, entry: int) -> str:
    """A word as a message names it: cleaned, and cut (a file's word can be any length)."""
    word = state.clean_text(word[: state.MAX_VALUE_CHARS].strip()).text
    return state.excerpt(word) if word else f"#{entry}"


def _check_rows(words: list[str], rows: list[list]) -> tuple[core.Vocabulary | None, list[Notice], list[Notice]]:
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
        _escape_word(word) + ":" + ",".join(_number_text(v, "-0") for v in vector)
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
        rows.append([_link_cell(v) for v in values])
    if errors:  # the entries cannot be lined up as rows: read_table would number them wrong
        return None, _link_rejected(errors)
    vocab, errors, notes = _check_rows(words, rows)
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


# --- scenario files --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What a scenario file holds: settings, the table (None: the preset's), and what was
    changed in them while reading (settings clamped or ignored, words cleaned)."""

    settings: Settings
    vocab: core.Vocabulary | None
    notices: tuple[Notice, ...] = ()
    lexicon: core.Lexicon | None = None  # the translator's (None: the toy lexicon)


def _json_number(value: float) -> str:
    # JSON's "-0" reads back as the integer 0; "-0.0" keeps the sign.
    return _number_text(value, "-0.0")


def scenario_bytes(settings: Settings, vocab: core.Vocabulary | None, lexicon: core.Lexicon | None = None) -> bytes:
    """A scenario file: JSON in UTF-8, ``{"app", "version", "settings", "vocabulary"}``, and
    ``"lexicon"`` when the translator's lexicon was edited (``lexicon`` not None; see ``_lexicon_json``).

    ``settings`` has every setting of ``state.SPECS``, in its order, written as a link
    writes it (text, ``state.format_value``; null for "none": ``ffn``, ``cell``, ``steps``).
    ``vocabulary`` is ``{"words": [...], "vectors": [[...], ...]}``, or null for the
    preset's table. Values are the shortest text that reads back as the same float64; each
    vector takes one line. A large table can make a file over ``MAX_SCENARIO_BYTES``, which
    ``read_scenario`` refuses: check ``len()`` before offering it.
    """

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    values = {}
    for spec in state.SPECS:
        value = getattr(settings, spec.name)
        values[spec.name] = None if value is None else state.format_value(value)
    lines = [
        "{",
        f' "app": {dumps(SCENARIO_APP)},',
        f' "version": {SCENARIO_VERSION},',
        ' "settings": {',
        ",\n".join(f"  {dumps(name)}: {dumps(value)}" for name, value in values.items()),
        " },",
    ]
    if vocab is None:
        lines.append(' "vocabulary": null')
    else:
        rows = ",\n".join("   [" + ", ".join(_json_number(v) for v in row) + "]" for row in vocab.vectors.tolist())
        lines += [
            ' "vocabulary": {',
            f'  "words": [{", ".join(dumps(w) for w in vocab.words)}],',
            '  "vectors": [',
            rows,
            "  ]",
            " }",
        ]
    if lexicon is not None:
        lines[-1] += ","
        lines.append(f' "lexicon": {dumps(_lexicon_json(lexicon))}')
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _lexicon_json(lexicon: core.Lexicon) -> dict:
    """``{"nouns": [[english, portuguese, gender], ...], "adjectives": [[english, masculine, feminine], ...],
    "verbs": [[english, portuguese], ...]}``: the lexicon table's rows. Optional in a file: version 1
    files without it open with the toy lexicon."""
    tables = translation.lexicon_tables(lexicon)
    return {part: tables[part].to_numpy().tolist() for part in translation.PARTS}


def _read_lexicon_json(raw) -> tuple[core.Lexicon | None, list[Notice], list[Notice]]:
    """A file's ``"lexicon"`` read by the lexicon grids' rules: (lexicon, [], notes) or (None, errors, [])."""
    parts = [raw.get(part, []) for part in translation.PARTS] if isinstance(raw, dict) else None
    if parts is None or not all(
        isinstance(rows, list) and all(isinstance(r, list) and all(isinstance(w, str) for w in r) for r in rows)
        for rows in parts
    ):
        return None, [Notice("tr.file_lexicon_shape")], []
    return translation.read_lexicon_rows(dict(zip(translation.PARTS, parts, strict=True)))


def scenario_file_name(settings: Settings) -> str:
    """``attention-explorer-scenario-the-cat-sat-on.json``: the first words of the sentence, in
    plain ASCII letters and digits (accents dropped), or just ``attention-explorer-scenario.json``."""
    ascii_text = unicodedata.normalize("NFKD", settings.sentence).encode("ascii", "ignore").decode().lower()
    slug = ""
    for part in re.findall(r"[a-z0-9]+", ascii_text):
        if len(slug) + len(part) + 1 > 40:
            break
        slug = f"{slug}-{part}" if slug else part
    return f"attention-explorer-scenario-{slug}.json" if slug else "attention-explorer-scenario.json"


def _scenario_object(data: bytes) -> dict | Notice:
    """The JSON object of a scenario file of this app and version, or why ``data`` is none."""
    if len(data) > MAX_SCENARIO_BYTES:
        return Notice("share.file_too_big", {"size": len(data), "max": MAX_SCENARIO_BYTES})
    try:
        text = bytes(data).decode("utf-8-sig")  # a byte order mark, as some editors write, is fine
    except UnicodeDecodeError:
        return Notice("share.file_not_text")
    try:
        obj = json.loads(text, parse_float=_JsonNumber, object_pairs_hook=_JsonObject.of)
    except json.JSONDecodeError as exc:
        return Notice("share.file_not_json", {"line": exc.lineno})
    except (RecursionError, ValueError):  # nested too deep; an integer of more than 4300 digits
        return Notice("share.file_unreadable")
    if not isinstance(obj, dict) or obj.get("app") != SCENARIO_APP:
        return Notice("share.file_not_scenario")
    version = obj.get("version")
    if version is None:
        return Notice("share.file_version_missing", {"supported": SCENARIO_VERSION})
    if type(version) is int and version > SCENARIO_VERSION:
        return Notice("share.file_version_newer", {"version": version, "supported": SCENARIO_VERSION})
    if type(version) is not int or version != SCENARIO_VERSION:
        shown = state.excerpt(
            version if isinstance(version, _JsonNumber) else json.dumps(version, ensure_ascii=False), 20
        )
        return Notice("share.file_version_unknown", {"version": shown, "supported": SCENARIO_VERSION})
    return obj


def read_scenario(data: bytes) -> tuple[Scenario | None, list[Notice]]:
    """A scenario file read back, and notices.

    Rejected as a whole, (None, [``share.file_rejected``, the problems]), when it is over
    ``MAX_SCENARIO_BYTES``, not UTF-8 JSON, not an object with ``"app": "attention-explorer"``
    and ``"version": 1``, or when its table breaks the table editor's rules (or the sentence
    has words the table lacks). Its settings are read as a link's
    (``state.parse_query_params``): a bad value is clamped or ignored, and the notices
    saying so come back in ``Scenario.notices`` (after ``share.file_settings_adjusted``),
    as do notes about words cleaned. JSON only: nothing in a file is ever run.
    """
    fail = _file_rejected
    obj = _scenario_object(data)
    if isinstance(obj, Notice):
        return fail(obj)
    raw_settings = obj.get("settings")
    if not isinstance(raw_settings, dict):
        return fail(Notice("share.file_settings_shape"))
    settings, adjusted = _read_settings(raw_settings)

    vocab, notes = None, []
    raw_vocab = obj.get("vocabulary")
    if raw_vocab is not None:
        words_rows = _vocab_rows(raw_vocab)
        if words_rows is None:
            return fail(Notice("share.file_vocab_shape"))
        vocab, errors, notes = _check_rows(*words_rows)
        if vocab is None:
            return fail(*errors)
        missing = vocab.unknown(settings.tokens)
        if missing:
            return fail(Notice("share.file_unknown_words", {"words": tuple(missing)}))
    lexicon = None
    if obj.get("lexicon") is not None:
        lexicon, errors, lexicon_notes = _read_lexicon_json(obj["lexicon"])
        if lexicon is None:
            return fail(*errors)
        notes = [*notes, *lexicon_notes]
    notices = state.cap_notices(([Notice("share.file_settings_adjusted"), *adjusted] if adjusted else []) + notes)
    scenario = Scenario(settings, vocab, tuple(notices), lexicon)
    return scenario, list(scenario.notices)


def _file_rejected(*problems: Notice) -> tuple[None, list[Notice]]:
    return None, [Notice("share.file_rejected"), *state.cap_notices(list(problems))]


def _read_settings(raw: dict) -> tuple[Settings, list[Notice]]:
    """The file's settings by a link's rules; null means the default.

    A setting the file gives twice is read as a repeated parameter of a link: the last one is
    used, with the same notice. ``dim`` is read on its own: a link leaves it out with the
    article's table (and says so when it is there), but a file keeps it, as the session does.
    """
    notices: list[Notice] = [
        Notice("notice.param_repeated", {"name": state.excerpt(name), "n": n})
        for name, n in getattr(raw, "repeated", {}).items()
    ]
    params: dict[str, str] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if isinstance(value, str):  # a string, or a JSON number with a fraction or exponent, as written
            params[name] = value
        elif isinstance(value, float) and not math.isfinite(value):  # NaN, Infinity, 1e400
            notices.append(Notice("share.file_setting_not_finite", {"name": state.excerpt(name), "value": str(value)}))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            params[name] = state.format_value(value)
        else:
            notices.append(Notice("share.file_setting_type", {"name": state.excerpt(name)}))
    dim = params.pop("dim", None)
    settings, more = state.parse_query_params(params)
    notices += more
    if dim is not None:
        dim_settings, more = state.parse_query_params({"preset": "random", "dim": dim})
        notices += more
        settings = replace(settings, dim=dim_settings.dim)
    return settings, notices


def _vocab_rows(raw) -> tuple[list[str], list[list]] | None:
    """The file's words and their cells for ``read_table``, or None if it is not shaped as a table."""
    if not isinstance(raw, dict):
        return None
    words, vectors = raw.get("words"), raw.get("vectors")
    if not isinstance(words, list) or not isinstance(vectors, list) or len(words) != len(vectors):
        return None
    if not all(isinstance(w, str) for w in words) or not all(isinstance(r, list) for r in vectors):
        return None
    return words, [[_json_cell(v) for v in row] for row in vectors]


class _JsonObject(dict):
    """A JSON object as ``json.loads`` reads it (the last of a repeated key wins), and how many times each
    repeated key was given, so that a file's repeated setting is said as a link's is."""

    repeated: dict[str, int]

    @classmethod
    def of(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        obj = cls(pairs)
        obj.repeated = {}
        if len(obj) < len(pairs):
            counts = collections.Counter(name for name, _ in pairs)
            obj.repeated = {name: n for name, n in counts.items() if n > 1}
        return obj


class _JsonNumber(str):
    """A JSON number with a fraction or an exponent, as the file writes it: read later by a link's rules
    (float() alone would make 1e-400 a silent 0 and 1e400 an infinity)."""


def _json_cell(value):
    """A JSON value as a cell for ``read_table``: numbers as floats, anything else as text it will call not a number."""
    if isinstance(value, _JsonNumber):
        return _link_cell(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _Text(json.dumps(value, ensure_ascii=False)[:20])
    if isinstance(value, float):
        return _Text("NaN") if math.isnan(value) else value  # a NaN cell would read as empty
    try:
        return float(value)
    except OverflowError:  # an integer beyond float64: too big
        return 1e308 if value > 0 else -1e308
