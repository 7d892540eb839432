"""A toy vocabulary: words and their embedding vectors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import AttentionInputError, as_float_array, frozen_array, non_negative_int, positive_int


def split_sentence(sentence: str) -> list[str]:
    """The words of ``sentence``, split on any whitespace (words may repeat)."""
    if not isinstance(sentence, str):
        raise AttentionInputError(f"sentence must be text, but is {type(sentence).__name__}")
    return sentence.split()


def check_word(word, where: str = "word") -> str:
    if not isinstance(word, str):
        raise AttentionInputError(f"{where} must be text, but is {word!r}")
    if word == "":
        raise AttentionInputError(f"{where} is empty; every word needs at least one character")
    if any(ch.isspace() for ch in word):
        raise AttentionInputError(f"{where} {word!r} contains whitespace; a word is one token without spaces")
    return word


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """words (V,) unique, non-empty, without whitespace; vectors (V, D) finite, read-only."""

    words: tuple[str, ...]
    vectors: np.ndarray
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.words, str):
            raise AttentionInputError("words must be a list of words, but is a single string")
        words = tuple(self.words)
        if not words:
            raise AttentionInputError("a vocabulary needs at least one word, but none was given")
        for i, w in enumerate(words):
            check_word(w, f"word {i + 1}")
        seen: dict[str, int] = {}
        dupes = []
        for w in words:
            if w in seen and w not in dupes:
                dupes.append(w)
            seen[w] = seen.get(w, 0) + 1
        if dupes:
            raise AttentionInputError(f"words must be unique, but these repeat: {', '.join(dupes)}")
        vectors = as_float_array(self.vectors, "vectors", ndim=2)
        if vectors.shape[0] != len(words):
            raise AttentionInputError(f"vectors must have one row per word ({len(words)}), but have {vectors.shape[0]}")
        if vectors.shape[1] < 1:
            raise AttentionInputError("vectors must have at least one column (embedding width >= 1), but have 0")
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "vectors", frozen_array(vectors))
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(words)})

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Vocabulary) and self.words == other.words and np.array_equal(self.vectors, other.vectors)
        )

    def __hash__(self) -> int:
        return hash((self.words, self.vectors.shape, self.vectors.tobytes()))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self._index

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def unknown(self, tokens: Iterable[str]) -> list[str]:
        """The tokens that are not in the vocabulary, each once, in order of appearance."""
        out: list[str] = []
        for t in tokens:
            if t not in self._index and t not in out:
                out.append(t)
        return out

    def embed(self, tokens: Sequence[str] | str) -> np.ndarray:
        """tokens (T,) -> (T, D). A string is split on whitespace first."""
        if isinstance(tokens, str):
            tokens = split_sentence(tokens)
        tokens = list(tokens)
        if not tokens:
            raise AttentionInputError("the sentence is empty; type at least one word")
        for i, t in enumerate(tokens):
            if not isinstance(t, str):
                raise AttentionInputError(f"token {i + 1} must be text, but is {t!r}")
        missing = self.unknown(tokens)
        if missing:
            raise AttentionInputError(f"unknown words (not in the vocabulary): {', '.join(missing)}")
        idx = np.fromiter((self._index[t] for t in tokens), dtype=np.intp, count=len(tokens))
        return self.vectors[idx]  # (T, D), a fresh array


def seed_vocabulary() -> Vocabulary:
    """The article's one-hot-like table: the, cat, sat, on in 3 dimensions."""
    return Vocabulary(
        words=("the", "cat", "sat", "on"),
        vectors=np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.float64),
    )


def word_vector(word: str, dim: int, seed: int) -> np.ndarray:
    """(dim,): a standard-normal vector rounded to 2 decimals, fixed by (word, dim, seed) alone."""
    word = check_word(word)
    dim = positive_int(dim, "dim")
    seed = non_negative_int(seed, "seed")
    digest = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=16).digest(), "little")
    rng = np.random.default_rng([seed, dim, digest])
    return np.round(rng.standard_normal(dim), 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def random_vocabulary(words: Iterable[str], dim: int, seed: int) -> Vocabulary:
    """Seeded vectors for any words (repeats are kept once, first place wins).

    A word gets the same vector for the same seed and dim whatever else is in the list.
    """
    if isinstance(words, str):
        words = split_sentence(words)
    unique = list(dict.fromkeys(words))
    if not unique:
        raise AttentionInputError("random_vocabulary needs at least one word, but none was given")
    dim = positive_int(dim, "dim")
    return Vocabulary(words=tuple(unique), vectors=np.stack([word_vector(w, dim, seed) for w in unique]))
