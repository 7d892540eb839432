"""The translator's compute side: its key, its training (once per key, for the whole process) and its translations.

The toy English -> Portuguese translator (``core.train_translator``) has a fixed width
(``D_MODEL``); from the settings it takes the seed, the heads (a divisor of D_MODEL: see
``translator_heads``), the layers on each side and the steps, and from the session the lexicon.
Like ``compute.train`` for the encoder block, a training is deterministic given its key, so a
room that opens one link trains once, and it is cached by the bytes it holds. The training's
queue, progress and Stop are ``ui/training.py``'s (``run_job``); the budget check is ``problem``.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Mapping

import cachetools
import numpy as np
import pandas as pd

import core
from ui import budget, state
from ui.compute import pass_nbytes
from ui.i18n import Counted
from ui.state import Notice, Settings

D_MODEL = 32  # the translator's width (core.train_translator's default): the heads split it
D_FF = 64
# Head counts that split D_MODEL, within the heads setting's range.
HEAD_CHOICES = tuple(h for h in range(state.HEADS_MIN, state.HEADS_MAX + 1) if D_MODEL % h == 0)
LAYERS_MIN, LAYERS_MAX = 1, 3
DEFAULT_SOURCE = "the black cat sat on the white mat"
DEFAULT_STEPS = core.translator.DEFAULT_TRANSLATOR_STEPS
BATCH = core.translator.TRANSLATOR_BATCH


PART_LABELS = {"nouns": "tr.part_nouns", "adjectives": "tr.part_adjectives", "verbs": "tr.part_verbs"}


def lexicon_notice(t, notice: Notice) -> str:
    """A lexicon notice in the page's language (``t``, a Translator), the table it names by its label."""
    args = dict(notice.args)
    for name in ("part", "other"):
        if args.get(name) in PART_LABELS:
            args[name] = t(PART_LABELS[args[name]], raw=True)
    return t(notice.key, **args)


def translator_heads(heads: int) -> int:
    """``heads`` if it splits D_MODEL, else the nearest count that does (the smaller one on a tie: 3 -> 2)."""
    return min(HEAD_CHOICES, key=lambda h: (abs(h - heads), h))


def heads_notice(settings: Settings) -> Notice | None:
    """A notice when the translator cannot use the heads setting as it is (it does not split D_MODEL)."""
    used = translator_heads(settings.heads)
    if used == settings.heads:
        return None
    return Notice("tr.heads_changed", {"asked": settings.heads, "used": used, "d": D_MODEL})


def settings_layers(settings: Settings) -> int:
    """The layers setting (1 until ``Settings`` has one), within LAYERS_MIN..LAYERS_MAX."""
    layers = getattr(settings, "layers", 1)
    return min(LAYERS_MAX, max(LAYERS_MIN, int(layers or 1)))


@dataclasses.dataclass(frozen=True)
class TranslatorKey:
    """What a translator's training depends on: it is deterministic, so a shared link trains the same model."""

    seed: int
    heads: int
    layers: int
    steps: int | None  # None: core's DEFAULT_TRANSLATOR_STEPS
    lexicon: tuple  # core.Lexicon.key()

    @classmethod
    def of(cls, settings: Settings, lexicon: core.Lexicon) -> TranslatorKey:
        return cls(
            seed=settings.seed,
            heads=translator_heads(settings.heads),
            layers=settings_layers(settings),
            steps=settings.steps,
            lexicon=lexicon.key(),
        )

    @property
    def total_steps(self) -> int:
        return self.steps or DEFAULT_STEPS


def cost(key: TranslatorKey, lexicon: core.Lexicon, steps: int | None = None) -> int:
    """The multiply-adds of training ``key`` (held-out evaluation included): core.translator_cost."""
    return core.translator_cost(
        n_heads=key.heads,
        d_model=D_MODEL,
        d_ff=D_FF,
        n_layers=key.layers,
        steps=key.total_steps if steps is None else steps,
        lexicon=lexicon,
    )


def problem(key: TranslatorKey, lexicon: core.Lexicon) -> Notice | None:
    """Why ``key`` cannot train here (a lexicon of too few sentences, too big for a shared server); None if it can."""
    if lexicon.n_sentences < 10:
        return Notice("tr.too_few", {"n": lexicon.n_sentences})
    keys = ("tr.too_big", "tr.too_big_any")
    return budget.over_budget(functools.partial(cost, key, lexicon), key.total_steps, keys, layers=key.layers)


# ---------------------------------------------------------------- memory


def nbytes(result) -> int:
    """The memory a result holds: each array buffer once, its curves (~32 bytes a float in a tuple),
    and its held-out sentences (~100 bytes a word, the tuples included)."""
    total = pass_nbytes(result) + 1024
    if isinstance(result, core.TranslatorResult):
        total += 2 * 32 * len(result.losses) + 100 * sum(len(s) for s in result.held_out)
    else:
        total += 100 * (len(getattr(result, "words", ())) + len(getattr(result, "source", ())))
    return total


# ---------------------------------------------------------------- training

# Trained translators, bounded by bytes: the default one holds ~0.3 MB (three layers about three times that).
TRAINED_CACHE_BYTES = 24 * 2**20
_TRAINED = cachetools.TTLCache(maxsize=TRAINED_CACHE_BYTES, ttl=3600, getsizeof=nbytes)
_TRAIN_LOCK = threading.Lock()
_TRAINING = threading.Condition(_TRAIN_LOCK)


def rng(key: TranslatorKey) -> np.random.Generator:
    """The training's own stream: it draws nothing any other page draws from the seed."""
    return np.random.default_rng([key.seed, 7])


def _train_key(key: TranslatorKey, lexicon: core.Lexicon, callback=None):
    return key  # the lexicon is in key.lexicon; the callback only draws progress


@cachetools.cached(_TRAINED, key=_train_key, lock=_TRAIN_LOCK, condition=_TRAINING)
def train(key: TranslatorKey, lexicon: core.Lexicon, callback=None) -> core.TranslatorResult:
    """Train (or find trained) the translator for ``key``; ``callback(step, loss, accuracy=...)`` sees
    the steps of a new run. Concurrent requests for one key train once: the others wait for the first."""
    if lexicon.key() != key.lexicon:
        raise ValueError("the lexicon is not the key's")
    return core.train_translator(
        rng=rng(key),
        n_heads=key.heads,
        d_model=D_MODEL,
        d_ff=D_FF,
        n_layers=key.layers,
        steps=key.steps,
        lexicon=lexicon,
        callback=callback,
    )


def trained(key: TranslatorKey) -> core.TranslatorResult | None:
    """The finished translator for ``key``, if this process has one."""
    with _TRAIN_LOCK:
        return _TRAINED.get(key)


# ---------------------------------------------------------------- translating

TRANSLATION_CACHE_BYTES = 4 * 2**20
_TRANSLATIONS = cachetools.TTLCache(maxsize=TRANSLATION_CACHE_BYTES, ttl=900, getsizeof=nbytes)
_TRANSLATION_LOCK = threading.Lock()


def _translation_key(key: TranslatorKey, result: core.TranslatorResult, words: tuple[str, ...]):
    return key, tuple(words)


@cachetools.cached(_TRANSLATIONS, key=_translation_key, lock=_TRANSLATION_LOCK)
def _translate(key: TranslatorKey, result: core.TranslatorResult, words: tuple[str, ...]) -> core.Translation:
    return core.translate(result, list(words))


def translation(key: TranslatorKey, result: core.TranslatorResult, words) -> core.Translation:
    """The greedy translation of ``words`` by the translator ``key`` (its ``result``), worked out once.

    A word outside the lexicon or a sentence outside the grammar raises core.AttentionInputError
    (``sentence_problem`` says which, in the catalogue's words, before).
    """
    return _translate(key, result, tuple(words))


def unknown_words(words, lexicon: core.Lexicon) -> list[str]:
    """The words of ``words`` that are neither in the lexicon nor articles or prepositions, in order, once each."""
    known = set(core.toy_language.ARTICLES) | set(core.toy_language.PREPOSITIONS)
    known |= set(lexicon.nouns) | set(lexicon.adjectives) | set(lexicon.verbs)
    return list(dict.fromkeys(w for w in words if w not in known))


def sentence_problem(words, lexicon: core.Lexicon) -> Notice | None:
    """Why ``words`` cannot be translated (empty, words outside the lexicon, outside the grammar); None if fine."""
    words = tuple(words)
    if not words:
        return Notice("tr.empty")
    unknown = unknown_words(words, lexicon)
    if unknown:
        shown = ", ".join(state.excerpt(w) for w in unknown[: state.MAX_NOTICES])
        return Notice("tr.unknown", {"words": shown})
    try:
        core.toy_language.parse(list(words), lexicon)
    except core.AttentionInputError as exc:
        return Notice("tr.grammar", {"reason": state.excerpt(str(exc), 200)})
    return None


def reference(words, lexicon: core.Lexicon) -> tuple[str, ...]:
    """The toy language's own translation of a grammatical sentence (core.toy_translation)."""
    return tuple(core.toy_translation(list(words), lexicon))


# ---------------------------------------------------------------- the lexicon as tables a learner edits

# One table per part of speech, its columns in order (the editor's labels come from the catalogue).
LEXICON_COLUMNS = {
    "nouns": ("english", "portuguese", "gender"),
    "adjectives": ("english", "masculine", "feminine"),
    "verbs": ("english", "portuguese"),
}
PARTS = tuple(LEXICON_COLUMNS)


def lexicon_tables(lexicon: core.Lexicon) -> dict[str, pd.DataFrame]:
    """The lexicon as three tables of text (nouns, adjectives, verbs), the editor's rows."""
    rows = {
        "nouns": [(en, pt, g) for en, (pt, g) in lexicon.nouns.items()],
        "adjectives": [(en, m, f) for en, (m, f) in lexicon.adjectives.items()],
        "verbs": list(lexicon.verbs.items()),
    }
    return {
        part: pd.DataFrame(rows[part], columns=list(cols), dtype=object).reset_index(drop=True)
        for part, cols in LEXICON_COLUMNS.items()
    }


@dataclasses.dataclass(frozen=True)
class LexiconReading:
    """What three lexicon tables as typed describe: the lexicon (None with errors), and what waits or was changed.

    ``waiting``: rows not used yet but not wrong (some cells still empty, blank rows);
    ``notes``: words cleaned (invisible characters taken out, lookalikes replaced, capitals lowered).
    """

    lexicon: core.Lexicon | None
    errors: tuple[Notice, ...] = ()
    waiting: tuple[Notice, ...] = ()
    notes: tuple[Notice, ...] = ()


def _cell_text(raw) -> str:
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    return str(raw)[: 4 * state.MAX_WORD_CHARS].strip()  # cut before cleaning: a longer word is refused anyway


def _read_word(raw, where: dict, errors: list[Notice], notes: list[Notice]) -> str:
    """One cell's word: cleaned (state.clean_text: NFC, lookalikes and invisibles), lower-case, checked."""
    text = _cell_text(raw)
    if not text:
        return ""
    cleaned = state.clean_text(text)
    word = cleaned.text.lower()
    if cleaned.removed or cleaned.replaced or word != cleaned.text:
        notes.append(Notice("tr.lex_cleaned", {**where, "word": state.excerpt(word)}))
    if any(ch.isspace() for ch in word):
        errors.append(Notice("tr.lex_space", {**where, "word": state.excerpt(word)}))
    elif len(word) > state.MAX_WORD_CHARS:
        errors.append(Notice("tr.lex_long", {**where, "max": state.MAX_WORD_CHARS}))
    return word


def read_lexicon(tables: Mapping[str, pd.DataFrame]) -> LexiconReading:
    """The lexicon three tables describe (``LEXICON_COLUMNS``), every problem named by its table, row and word.

    A row with every cell empty is skipped; one with some cells empty waits (not used yet); at most
    ``state.MAX_LEXICON_ENTRIES`` rows a table; an English word is in one table once, and is no
    article or preposition; a gender is m or f; at least one noun and one verb.
    """
    errors: list[Notice] = []
    waiting: list[Notice] = []
    notes: list[Notice] = []
    parts: dict[str, dict] = {part: {} for part in PARTS}
    seen: dict[str, str] = {}
    grammar = set(core.toy_language.ARTICLES) | set(core.toy_language.PREPOSITIONS)
    for part, cols in LEXICON_COLUMNS.items():
        df = tables.get(part)
        if df is None:
            df = pd.DataFrame(columns=list(cols))
        if len(df) > state.MAX_LEXICON_ENTRIES:
            errors.append(Notice("tr.lex_too_many", {"part": part, "n": len(df), "max": state.MAX_LEXICON_ENTRIES}))
            continue
        for i, raw_row in enumerate(df.reindex(columns=list(cols)).itertuples(index=False)):
            where = {"part": part, "row": i + 1}
            words = [_read_word(raw, where, errors, notes) for raw in raw_row]
            if not any(words):
                continue
            english = words[0]
            empty = [col for col, w in zip(cols, words, strict=True) if not w]
            if empty:
                waiting.append(Notice("tr.lex_waiting", {**where, "word": state.excerpt(english or "?")}))
                continue
            if english in grammar:
                errors.append(Notice("tr.lex_grammar_word", {**where, "word": state.excerpt(english)}))
                continue
            if english in seen:
                errors.append(
                    Notice("tr.lex_duplicate", {**where, "word": state.excerpt(english), "other": seen[english]})
                )
                continue
            seen[english] = part
            if part == "nouns":
                if words[2] not in core.toy_language.GENDERS:
                    errors.append(Notice("tr.lex_gender", {**where, "word": state.excerpt(english)}))
                    continue
                parts[part][english] = (words[1], words[2])
            elif part == "adjectives":
                parts[part][english] = (words[1], words[2])
            else:
                parts[part][english] = words[1]
    if not errors and (not parts["nouns"] or not parts["verbs"]):
        nouns, verbs = Counted("tr.lex_nouns", len(parts["nouns"])), Counted("tr.lex_verbs", len(parts["verbs"]))
        errors.append(Notice("tr.lex_needs", {"nouns": nouns, "verbs": verbs}))  # "0 nouns and 1 verb"
    if errors:
        return LexiconReading(None, tuple(errors), tuple(waiting), tuple(notes))
    try:
        lexicon = core.Lexicon(parts["nouns"], parts["adjectives"], parts["verbs"])
    except core.AttentionInputError as exc:  # a rule of core's the checks above missed: its own words
        return LexiconReading(None, (Notice("tr.lex_invalid", {"reason": state.excerpt(str(exc), 200)}),))
    return LexiconReading(lexicon, (), tuple(waiting), tuple(notes))


# ---------------------------------------------------------------- has a new word been learned?

ADDED_SHOWN = 8  # added words the page reports on
WORD_SENTENCES = 16  # held-out sentences per word it translates to tell


def added_words(lexicon: core.Lexicon) -> tuple[str, ...]:
    """The English words of ``lexicon`` that the toy lexicon lacks (or translates differently), in order."""
    toy = core.TOY_LEXICON
    out = []
    for part in PARTS:
        mine, theirs = getattr(lexicon, part), getattr(toy, part)
        out += [w for w, value in mine.items() if theirs.get(w) != value]
    return tuple(out)


_WORDS = cachetools.TTLCache(maxsize=1024, ttl=3600)  # (key, word) -> two small ints
_WORDS_LOCK = threading.Lock()


def _word_key(key: TranslatorKey, result: core.TranslatorResult, word: str):
    return key, word


@cachetools.cached(_WORDS, key=_word_key, lock=_WORDS_LOCK)
def word_learned(key: TranslatorKey, result: core.TranslatorResult, word: str) -> tuple[int, int]:
    """(correct, tried): greedy translations of up to WORD_SENTENCES held-out sentences with ``word``
    (sentences the training never saw) that equal the reference. (0, 0): none of them has it."""
    sentences = [s for s in result.held_out if word in s][:WORD_SENTENCES]
    correct = sum(translation(key, result, s).correct for s in sentences)
    return correct, len(sentences)


def read_lexicon_rows(rows: Mapping[str, list]) -> tuple[core.Lexicon | None, list[Notice], list[Notice]]:
    """A lexicon brought whole (a link's ``lexicon=``, a scenario file's ``"lexicon"``): per part, rows of
    words (``LEXICON_COLUMNS``' order), read by the grids' rules. Returns (lexicon, [], notes), or
    (None, errors, []): an entry of the wrong length, too many rows, or anything the grids would refuse
    or keep waiting (a row brought whole has nothing left to fill)."""
    tables, errors = {}, []
    for part, cols in LEXICON_COLUMNS.items():
        entries = rows.get(part, [])
        if len(entries) > state.MAX_LEXICON_ENTRIES:
            errors.append(
                Notice("tr.lex_too_many", {"part": part, "n": len(entries), "max": state.MAX_LEXICON_ENTRIES})
            )
            continue
        for i, words in enumerate(entries):
            if len(words) != len(cols):
                errors.append(
                    Notice("tr.link_entry", {"part": part, "row": i + 1, "text": state.excerpt(":".join(words))})
                )
        rows_ok = [[w[: state.MAX_VALUE_CHARS] for w in words] for words in entries if len(words) == len(cols)]
        tables[part] = pd.DataFrame(rows_ok, columns=list(cols), dtype=object)
    if errors:
        return None, errors, []
    reading = read_lexicon(tables)
    problems = [*reading.errors, *reading.waiting]
    if problems or reading.lexicon is None:
        return None, problems, []
    return reading.lexicon, [], list(reading.notes)
