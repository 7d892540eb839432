"""Vocabulary, seed_vocabulary, random_vocabulary, word_vector and split_sentence."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core

ARTICLE_TABLE = {
    "the": [1, 0, 0],
    "cat": [0, 1, 0],
    "sat": [0, 0, 1],
    "on": [1, 1, 0],
}


def test_seed_vocabulary_is_the_article_table():
    vocab = core.seed_vocabulary()
    assert vocab.words == ("the", "cat", "sat", "on")
    assert len(vocab) == 4
    assert vocab.dim == 3
    assert vocab.vectors.dtype == np.float64
    for word, vec in ARTICLE_TABLE.items():
        assert word in vocab
        np.testing.assert_array_equal(vocab.embed([word])[0], vec)
    np.testing.assert_array_equal(vocab.vectors, np.array(list(ARTICLE_TABLE.values()), dtype=np.float64))


def test_seed_vocabulary_returns_independent_equal_tables():
    a, b = core.seed_vocabulary(), core.seed_vocabulary()
    assert a.words == b.words
    np.testing.assert_array_equal(a.vectors, b.vectors)


@pytest.mark.parametrize(("words", "dim"), [(["a"], 1), (["x", "y", "z"], 4), (["the", "cat"], 7)])
def test_dim_and_len(words, dim):
    vocab = core.Vocabulary(words=words, vectors=np.ones((len(words), dim)))
    assert vocab.dim == dim
    assert len(vocab) == len(words)
    assert vocab.words == tuple(words)


def test_contains():
    vocab = core.seed_vocabulary()
    assert "cat" in vocab
    assert "dog" not in vocab
    assert "Cat" not in vocab


def test_embed_with_repeated_words():
    vocab = core.seed_vocabulary()
    out = vocab.embed(["the", "cat", "the", "the", "on"])
    assert out.shape == (5, 3)
    expected = [ARTICLE_TABLE[w] for w in ("the", "cat", "the", "the", "on")]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("sentence", ["the cat", "  the   cat ", "the\tcat\n", "the\u00a0cat"])
def test_embed_splits_a_string_on_whitespace(sentence):
    vocab = core.seed_vocabulary()
    np.testing.assert_array_equal(vocab.embed(sentence), vocab.embed(["the", "cat"]))
    assert vocab.embed(sentence).shape == (2, 3)


def test_split_sentence():
    assert core.split_sentence("the cat  sat\ton\n") == ["the", "cat", "sat", "on"]
    assert core.split_sentence("the the") == ["the", "the"]
    assert core.split_sentence("   ") == []


def test_embed_returns_a_fresh_writable_array():
    vocab = core.seed_vocabulary()
    out = vocab.embed("the cat")
    out[0, 0] = 42.0  # does not reach the vocabulary
    np.testing.assert_array_equal(vocab.embed("the")[0], [1.0, 0.0, 0.0])


def test_unknown_lists_each_unknown_word_once_in_order():
    vocab = core.seed_vocabulary()
    assert vocab.unknown(["dog", "the", "ran", "dog", "cat"]) == ["dog", "ran"]
    assert vocab.unknown(["the", "on"]) == []


def test_vectors_are_read_only_copies():
    vectors = np.array([[1.0, 2.0], [3.0, 4.0]])
    vocab = core.Vocabulary(words=["a", "b"], vectors=vectors)
    assert not vocab.vectors.flags.writeable
    with pytest.raises(ValueError):
        vocab.vectors[0, 0] = 9.0
    vectors[0, 0] = 9.0
    np.testing.assert_array_equal(vocab.vectors, [[1.0, 2.0], [3.0, 4.0]])
    seed = core.seed_vocabulary()
    with pytest.raises(ValueError):
        seed.vectors[1] = 0.0


def test_words_are_stored_as_a_tuple():
    words = ["a", "b"]
    vocab = core.Vocabulary(words=words, vectors=np.eye(2))
    words.append("c")
    assert vocab.words == ("a", "b")
    assert "c" not in vocab


@pytest.mark.parametrize("name", ["words", "vectors"])
def test_vocabulary_is_frozen(name):
    vocab = core.seed_vocabulary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(vocab, name, None)


# ---------------------------------------------------------------- word_vector / random_vocabulary


def test_word_vector_is_deterministic_and_rounded():
    v = core.word_vector("cat", 6, seed=3)
    assert v.shape == (6,)
    assert v.dtype == np.float64
    np.testing.assert_array_equal(v, core.word_vector("cat", 6, seed=3))
    np.testing.assert_array_equal(v, np.round(v, 2))
    wide = core.word_vector("cat", 1000, seed=3)  # wide enough to hold values that round to -0.0
    assert np.count_nonzero(wide == 0.0) > 0
    assert not np.any(np.signbit(wide) & (wide == 0.0))  # zeros are +0.0, never -0.0


def test_random_vocabulary_vector_does_not_depend_on_the_other_words():
    a = core.random_vocabulary(["the", "cat", "sat"], dim=5, seed=11)
    b = core.random_vocabulary(["dog", "cat"], dim=5, seed=11)
    c = core.random_vocabulary(["cat"], dim=5, seed=11)
    np.testing.assert_array_equal(a.embed("cat"), b.embed("cat"))
    np.testing.assert_array_equal(a.embed("cat"), c.embed("cat"))
    np.testing.assert_array_equal(c.vectors[0], core.word_vector("cat", 5, 11))


def test_random_vocabulary_differs_for_another_seed_or_dim():
    base = core.random_vocabulary(["cat", "dog"], dim=6, seed=1)
    other_seed = core.random_vocabulary(["cat", "dog"], dim=6, seed=2)
    other_dim = core.random_vocabulary(["cat", "dog"], dim=7, seed=1)
    assert not np.array_equal(base.vectors, other_seed.vectors)
    assert other_dim.dim == 7
    assert not np.array_equal(base.vectors, other_dim.vectors[:, :6])
    # different words get different vectors
    assert not np.array_equal(base.vectors[0], base.vectors[1])


def test_random_vocabulary_dedupes_keeping_the_first_place():
    vocab = core.random_vocabulary(["b", "a", "b", "c", "a"], dim=3, seed=0)
    assert vocab.words == ("b", "a", "c")
    assert vocab.vectors.shape == (3, 3)


def test_random_vocabulary_accepts_a_sentence():
    vocab = core.random_vocabulary("the cat sat on the mat", dim=4, seed=5)
    assert vocab.words == ("the", "cat", "sat", "on", "mat")
    assert vocab.dim == 4
    assert not vocab.vectors.flags.writeable


def test_random_vocabulary_is_reproducible():
    a = core.random_vocabulary(["x", "y"], dim=8, seed=9)
    b = core.random_vocabulary(["x", "y"], dim=8, seed=9)
    assert a.words == b.words
    np.testing.assert_array_equal(a.vectors, b.vectors)


# ---------------------------------------------------------------- hypothesis

WORD = st.text(st.characters(exclude_categories=("Z", "C")), min_size=1, max_size=8).filter(
    lambda w: not any(ch.isspace() for ch in w)
)


@settings(max_examples=50, deadline=None)
@given(
    words=st.lists(WORD, min_size=1, max_size=12, unique=True),
    dim=st.integers(1, 10),
    data=st.data(),
)
def test_vocabulary_round_trip(words, dim, data):
    vectors = np.random.default_rng(len(words) * 31 + dim).standard_normal((len(words), dim))
    vocab = core.Vocabulary(words=words, vectors=vectors)
    assert vocab.words == tuple(words)
    assert vocab.dim == dim
    np.testing.assert_array_equal(vocab.embed(words), vectors)
    np.testing.assert_array_equal(vocab.embed(" ".join(words)), vectors)
    sentence = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=10))
    np.testing.assert_array_equal(vocab.embed(sentence), vectors[[words.index(w) for w in sentence]])
    assert vocab.unknown(sentence) == []


@settings(max_examples=50, deadline=None)
@given(
    words=st.lists(WORD, min_size=1, max_size=10),
    dim=st.integers(1, 10),
    seed=st.integers(0, 2**32),
)
def test_random_vocabulary_round_trip(words, dim, seed):
    vocab = core.random_vocabulary(words, dim=dim, seed=seed)
    assert vocab.words == tuple(dict.fromkeys(words))
    out = vocab.embed(words)
    assert out.shape == (len(words), dim)
    assert np.all(np.isfinite(out))
    for word, row in zip(words, out, strict=True):
        np.testing.assert_array_equal(row, core.word_vector(word, dim, seed))
    np.testing.assert_array_equal(core.random_vocabulary(" ".join(words), dim=dim, seed=seed).vectors, vocab.vectors)


def test_vocabularies_compare_by_content_and_hash():
    a, b = core.seed_vocabulary(), core.seed_vocabulary()
    assert a == b and hash(a) == hash(b)
    assert a != core.Vocabulary(a.words, a.vectors + 1)
    assert a != core.Vocabulary(("the", "cat", "sat", "in"), a.vectors)
    assert len({a, b}) == 1


def test_params_compare_by_identity():
    p = core.init_multi_head(4, 2, np.random.default_rng(0))
    q = core.init_multi_head(4, 2, np.random.default_rng(0))
    assert p == p and p != q and len({p, q}) == 2
