"""Scenario files: a session saved as JSON (its settings, its table, the translator's lexicon) and read back.

A file is read by the same rules as a link (``ui/share.py``): its settings as a link's parameters
(``state.parse_query_params``), its table by the table editor's (``state.read_table``), its numbers as
a link's text. A file with any problem in its table is rejected as a whole, with notices naming each
problem, so that opening it changes nothing. No Streamlit here: ``ui/session.py`` applies what is read.
"""

from __future__ import annotations

import collections
import json
import math
import re
import unicodedata
from dataclasses import dataclass, replace

import core

from . import share, state, translation
from .state import Notice, Settings

SCENARIO_APP = "attention-explorer"
SCENARIO_VERSION = 1
MAX_SCENARIO_BYTES = 1_000_000


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
    return share.number_text(value, "-0.0")


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
        vocab, errors, notes = share.check_rows(*words_rows)
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
        return share.link_cell(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return share.Text(json.dumps(value, ensure_ascii=False)[:20])
    if isinstance(value, float):
        return share.Text("NaN") if math.isnan(value) else value  # a NaN cell would read as empty
    try:
        return float(value)
    except OverflowError:  # an integer beyond float64: too big
        return 1e308 if value > 0 else -1e308
