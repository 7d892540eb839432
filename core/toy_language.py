"""The toy English -> Portuguese language pair that the translator learns, and its reference translator.

English:    ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN    "the black cat sat on the white mat"
Portuguese: ART NOUN [ADJ] VERB PP NOUN [ADJ]          "o gato preto sentou no tapete branco"

The adjective follows its noun and agrees with its gender, the article agrees with the noun
(the -> o/a, a -> um/uma), and the preposition contracts with the article that follows it:
on the -> no/na, on a -> em um/em uma, under the -> debaixo do/da, near the -> perto do/da.
No other preposition-article pair is in the language ("under a" is not).

The nouns, adjectives and verbs come from a ``Lexicon`` (the learner may add words); the
articles, prepositions and contractions are the grammar's. Every grammatical sentence has an
index: the mixed-radix number of its choices (article, adjective or none, noun, verb,
preposition-article pair, adjective or none, noun), so sentences can be counted, enumerated and
drawn without listing them all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._checks import AttentionInputError, check_rng, positive_int

ARTICLES: Mapping[str, tuple[str, str]] = MappingProxyType({"the": ("o", "a"), "a": ("um", "uma")})
PREPOSITIONS = ("on", "under", "near")
# (preposition, article) -> Portuguese before a masculine and before a feminine noun
CONTRACTIONS: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType(
    {
        ("on", "the"): ("no", "na"),
        ("on", "a"): ("em um", "em uma"),
        ("under", "the"): ("debaixo do", "debaixo da"),
        ("near", "the"): ("perto do", "perto da"),
    }
)
GENDERS = ("m", "f")
MAX_ENTRIES = 100  # per part of speech: a lexicon is a table a learner edits, not a dictionary
MAX_WORD = 32  # characters in a word

_FUNCTION_WORDS = frozenset(ARTICLES) | frozenset(PREPOSITIONS)


def _word(value, where: str) -> str:
    """One word: text of 1 to MAX_WORD characters, without whitespace or control characters."""
    if not isinstance(value, str):
        raise AttentionInputError(f"{where} must be text, but is {value!r}")
    if not value:
        raise AttentionInputError(f"{where} is empty; every word needs at least one character")
    if len(value) > MAX_WORD:
        raise AttentionInputError(f"{where} must have at most {MAX_WORD} characters, but has {len(value)}")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise AttentionInputError(f"{where} {value!r} contains a space or a control character; a word is one token")
    return value


def _entries(table, name: str, n_values: int) -> dict:
    """``table`` (english -> value(s)) as a dict with checked words; ``n_values`` 1 (a word) or 2 (a pair)."""
    if not isinstance(table, Mapping):
        raise AttentionInputError(f"{name} must be a mapping english -> Portuguese, but is {type(table).__name__}")
    if len(table) > MAX_ENTRIES:
        raise AttentionInputError(f"{name} must have at most {MAX_ENTRIES} words, but has {len(table)}")
    out = {}
    for english, value in table.items():
        english = _word(english, f"the English word {english!r} in {name}")
        if english in _FUNCTION_WORDS:
            raise AttentionInputError(
                f"{english!r} is an article or a preposition of the grammar; it cannot also be one of the {name}"
            )
        if n_values == 1:
            out[english] = _word(value, f"the Portuguese of {english!r}")
            continue
        if isinstance(value, str) or not isinstance(value, (tuple, list)) or len(value) != 2:
            raise AttentionInputError(f"the Portuguese of {english!r} in {name} must be a pair, but is {value!r}")
        out[english] = (_word(value[0], f"the Portuguese of {english!r}"), value[1])
    return out


@dataclass(frozen=True)
class Lexicon:
    """The words of the toy language pair, by part of speech, in the order given.

    nouns: english -> (portuguese, gender "m" or "f"); adjectives: english -> (masculine,
    feminine); verbs: english -> portuguese. Stored as read-only mappings; compared and hashed by
    value. Each part holds at most MAX_ENTRIES words, at least one noun and one verb (a sentence
    needs them; adjectives are optional). An English word belongs to one part only and is not an
    article or a preposition; every word is one token (no spaces).
    """

    nouns: Mapping[str, tuple[str, str]]
    adjectives: Mapping[str, tuple[str, str]]
    verbs: Mapping[str, str]

    def __post_init__(self):
        nouns = _entries(self.nouns, "nouns", 2)
        for english, (_, gender) in nouns.items():
            if gender not in GENDERS:
                raise AttentionInputError(f"the gender of {english!r} must be 'm' or 'f', but is {gender!r}")
        adjectives = _entries(self.adjectives, "adjectives", 2)
        for english, (_, feminine) in adjectives.items():
            _word(feminine, f"the feminine Portuguese of {english!r}")
        verbs = _entries(self.verbs, "verbs", 1)
        if not nouns or not verbs:
            raise AttentionInputError(
                f"a lexicon needs at least one noun and one verb, but has {len(nouns)} nouns and {len(verbs)} verbs"
            )
        seen = {}
        for part, table in (("nouns", nouns), ("adjectives", adjectives), ("verbs", verbs)):
            for english in table:
                if english in seen:
                    raise AttentionInputError(f"{english!r} is in both {seen[english]} and {part}; a word has one part")
                seen[english] = part
        object.__setattr__(self, "nouns", MappingProxyType(nouns))
        object.__setattr__(self, "adjectives", MappingProxyType(adjectives))
        object.__setattr__(self, "verbs", MappingProxyType(verbs))

    def __hash__(self) -> int:
        return hash(self.key())

    def __eq__(self, other) -> bool:
        return isinstance(other, Lexicon) and self.key() == other.key()

    def key(self) -> tuple:
        """The lexicon as nested tuples (hashable, order included): a cache key."""
        return (tuple(self.nouns.items()), tuple(self.adjectives.items()), tuple(self.verbs.items()))

    def with_noun(self, english: str, portuguese: str, gender: str) -> Lexicon:
        """A new lexicon with the noun added (or replaced): ``with_noun("mouse", "rato", "m")``."""
        return Lexicon({**self.nouns, english: (portuguese, gender)}, self.adjectives, self.verbs)

    def with_adjective(self, english: str, masculine: str, feminine: str) -> Lexicon:
        """A new lexicon with the adjective added (or replaced): ``with_adjective("red", "vermelho", "vermelha")``."""
        return Lexicon(self.nouns, {**self.adjectives, english: (masculine, feminine)}, self.verbs)

    def with_verb(self, english: str, portuguese: str) -> Lexicon:
        """A new lexicon with the verb added (or replaced): ``with_verb("ate", "comeu")``."""
        return Lexicon(self.nouns, self.adjectives, {**self.verbs, english: portuguese})

    @property
    def radices(self) -> tuple[int, ...]:
        """The number of choices at each step of a sentence: article, adjective (or none), noun, verb,
        preposition-article pair, adjective (or none), noun."""
        A, N = len(self.adjectives) + 1, len(self.nouns)
        return (len(ARTICLES), A, N, len(self.verbs), len(CONTRACTIONS), A, N)

    @property
    def n_sentences(self) -> int:
        """How many grammatical English sentences (each has one translation) the lexicon allows."""
        return int(np.prod(self.radices, dtype=object))


TOY_LEXICON = Lexicon(
    nouns={
        "cat": ("gato", "m"),
        "dog": ("cão", "m"),
        "bird": ("pássaro", "m"),
        "mat": ("tapete", "m"),
        "table": ("mesa", "f"),
        "chair": ("cadeira", "f"),
        "house": ("casa", "f"),
        "bed": ("cama", "f"),
    },
    adjectives={
        "black": ("preto", "preta"),
        "white": ("branco", "branca"),
        "big": ("grande", "grande"),
        "small": ("pequeno", "pequena"),
    },
    verbs={"sat": "sentou", "slept": "dormiu", "ran": "correu", "jumped": "pulou"},
)


def check_lexicon(lexicon) -> Lexicon:
    """``lexicon`` as a Lexicon; None is TOY_LEXICON."""
    if lexicon is None:
        return TOY_LEXICON
    if not isinstance(lexicon, Lexicon):
        raise AttentionInputError(
            f"lexicon must be a Lexicon (or None for TOY_LEXICON), but is {type(lexicon).__name__}"
        )
    return lexicon


# ---------------------------------------------------------------- parsing English


def _words(english_words) -> list[str]:
    if isinstance(english_words, str):
        return english_words.split()
    try:
        words = list(english_words)
    except TypeError:
        raise AttentionInputError(f"the sentence must be a list of words, but is {english_words!r}") from None
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise AttentionInputError(f"word {i + 1} must be text, but is {w!r}")
    return words


def _part_of(word: str, lexicon: Lexicon) -> str:
    if word in ARTICLES:
        return "an article"
    if word in PREPOSITIONS:
        return "a preposition"
    for part, table in (("a noun", lexicon.nouns), ("an adjective", lexicon.adjectives), ("a verb", lexicon.verbs)):
        if word in table:
            return part
    return ""


def parse(english_words, lexicon: Lexicon) -> tuple[int, ...]:
    """The choices of a grammatical sentence, as in Lexicon.radices (adjective 0 = none, i + 1 = the i-th).

    Raises AttentionInputError naming the first word outside the lexicon, or the first word where
    the sentence leaves the grammar ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN.
    """
    words = _words(english_words)
    if not words:
        raise AttentionInputError("the sentence is empty; it needs ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN")
    for i, w in enumerate(words):
        if not _part_of(w, lexicon):
            shown = w if len(w) <= MAX_WORD else w[:MAX_WORD] + "…"
            raise AttentionInputError(f"{shown!r} (word {i + 1}) is not in the lexicon")
    nouns, adjectives, verbs = list(lexicon.nouns), list(lexicon.adjectives), list(lexicon.verbs)
    at = 0

    def take(part: str, table, optional: bool = False) -> int | None:
        nonlocal at
        if at >= len(words):
            if optional:
                return None
            after = f"after {words[at - 1]!r} (word {at})" if at else "at the start"
            raise AttentionInputError(f"the sentence ends too early: expected {part} {after}")
        w = words[at]
        if w not in table:
            if optional:
                return None
            raise AttentionInputError(f"expected {part} at word {at + 1}, but {w!r} is {_part_of(w, lexicon)}")
        at += 1
        return table.index(w)

    article = take("an article (the, a)", tuple(ARTICLES))
    adjective1 = take("an adjective", adjectives, optional=True)
    noun1 = take("a noun", nouns)
    verb = take("a verb", verbs)
    preposition = take("a preposition (on, under, near)", PREPOSITIONS)
    article2 = take("an article (the, a)", tuple(ARTICLES))
    pair = (PREPOSITIONS[preposition], tuple(ARTICLES)[article2])
    if pair not in CONTRACTIONS:
        allowed = ", ".join(" ".join(p) for p in CONTRACTIONS)
        raise AttentionInputError(
            f"{' '.join(pair)!r} (words {at - 1}-{at}) is not in the toy language; the pairs are {allowed}"
        )
    adjective2 = take("an adjective", adjectives, optional=True)
    noun2 = take("a noun", nouns)
    if at < len(words):
        raise AttentionInputError(
            f"the sentence should end after the noun {words[at - 1]!r} (word {at}), but goes on with {words[at]!r}"
        )
    pair_index = list(CONTRACTIONS).index(pair)
    adj1 = 0 if adjective1 is None else adjective1 + 1
    adj2 = 0 if adjective2 is None else adjective2 + 1
    return (article, adj1, noun1, verb, pair_index, adj2, noun2)


# ---------------------------------------------------------------- the two sentences of a choice


def english_of(choices, lexicon: Lexicon) -> tuple[str, ...]:
    """The English sentence of the choices (Lexicon.radices' order)."""
    article, adj1, noun1, verb, pair, adj2, noun2 = (int(c) for c in choices)
    nouns, adjectives, verbs = list(lexicon.nouns), list(lexicon.adjectives), list(lexicon.verbs)
    preposition, article2 = list(CONTRACTIONS)[pair]
    out = [list(ARTICLES)[article]]
    out += [adjectives[adj1 - 1]] if adj1 else []
    out += [nouns[noun1], verbs[verb], preposition, article2]
    out += [adjectives[adj2 - 1]] if adj2 else []
    out.append(nouns[noun2])
    return tuple(out)


def portuguese_of(choices, lexicon: Lexicon) -> tuple[str, ...]:
    """The Portuguese sentence of the choices: ART NOUN [ADJ] VERB PP NOUN [ADJ], with agreement and contraction."""
    article, adj1, noun1, verb, pair, adj2, noun2 = (int(c) for c in choices)
    nouns, adjectives = list(lexicon.nouns.values()), list(lexicon.adjectives.values())
    noun1_pt, gender1 = nouns[noun1]
    noun2_pt, gender2 = nouns[noun2]
    g1, g2 = GENDERS.index(gender1), GENDERS.index(gender2)
    out = [list(ARTICLES.values())[article][g1], noun1_pt]
    out += [adjectives[adj1 - 1][g1]] if adj1 else []
    out.append(list(lexicon.verbs.values())[verb])
    out += list(CONTRACTIONS.values())[pair][g2].split()  # "em um", "debaixo do": two words
    out.append(noun2_pt)
    out += [adjectives[adj2 - 1][g2]] if adj2 else []
    return tuple(out)


def toy_translation(english_words, lexicon: Lexicon | None = None) -> list[str]:
    """The reference translation of an English sentence of the toy language (words, or a string of them).

    ``toy_translation("the black cat sat on the white mat".split())`` ->
    ``["o", "gato", "preto", "sentou", "no", "tapete", "branco"]``. A contraction of two words
    ("em um", "debaixo do") gives two words. ``lexicon`` None = TOY_LEXICON. A word outside the
    lexicon, or a sentence outside the grammar, raises AttentionInputError naming it.
    """
    lexicon = check_lexicon(lexicon)
    return list(portuguese_of(parse(english_words, lexicon), lexicon))


# ---------------------------------------------------------------- every sentence, by index


def choices_of(indices, lexicon: Lexicon) -> np.ndarray:
    """indices (n,) of sentences (0 .. n_sentences - 1) -> choices (n, 7), Lexicon.radices' order."""
    return np.stack(np.unravel_index(np.asarray(indices, dtype=np.int64), lexicon.radices), axis=-1)


def sentence_pairs(lexicon: Lexicon | None = None) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every grammatical (English, Portuguese) pair of the lexicon, in index order (n_sentences of them)."""
    lexicon = check_lexicon(lexicon)
    for choices in itertools.product(*(range(r) for r in lexicon.radices)):
        yield english_of(choices, lexicon), portuguese_of(choices, lexicon)


def sample_sentence_pairs(
    n: int, rng: np.random.Generator, lexicon: Lexicon | None = None
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """``n`` different grammatical (English, Portuguese) pairs, drawn uniformly from ``rng``."""
    lexicon = check_lexicon(lexicon)
    n = positive_int(n, "n")
    rng = check_rng(rng)
    total = lexicon.n_sentences
    if n > total:
        raise AttentionInputError(f"n must be at most {total}, the number of sentences of the lexicon, but is {n}")
    indices = rng.choice(total, size=n, replace=False)
    return [(english_of(c, lexicon), portuguese_of(c, lexicon)) for c in choices_of(indices, lexicon)]
