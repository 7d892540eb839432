"""The toy language pair: every rule of the reference translator, the lexicon, enumerating and drawing sentences."""

import itertools

import numpy as np
import pytest

import core
from core.toy_language import CONTRACTIONS, parse, portuguese_of

MASCULINE = ("cat", "dog", "bird", "mat")
FEMININE = ("table", "chair", "house", "bed")


def tr(sentence, lexicon=None):
    return " ".join(core.toy_translation(sentence.split(), lexicon))


# ---------------------------------------------------------------- the issue's examples and every rule


@pytest.mark.parametrize(
    ("english", "portuguese"),
    [
        ("the black cat sat on the white mat", "o gato preto sentou no tapete branco"),
        ("a small bird slept near the big house", "um pássaro pequeno dormiu perto da casa grande"),
    ],
)
def test_the_issues_examples(english, portuguese):
    assert tr(english) == portuguese
    assert core.toy_translation(english) == portuguese.split()  # a string of words works too


@pytest.mark.parametrize(
    ("noun", "the", "a", "pt"),
    [
        ("cat", "o", "um", "gato"),
        ("dog", "o", "um", "cão"),
        ("bird", "o", "um", "pássaro"),
        ("mat", "o", "um", "tapete"),
        ("table", "a", "uma", "mesa"),
        ("chair", "a", "uma", "cadeira"),
        ("house", "a", "uma", "casa"),
        ("bed", "a", "uma", "cama"),
    ],
)
def test_the_article_agrees_with_the_nouns_gender(noun, the, a, pt):
    assert tr(f"the {noun} ran on the mat") == f"{the} {pt} correu no tapete"
    assert tr(f"a {noun} ran on the mat") == f"{a} {pt} correu no tapete"


@pytest.mark.parametrize(
    ("adjective", "masculine", "feminine"),
    [
        ("black", "preto", "preta"),
        ("white", "branco", "branca"),
        ("big", "grande", "grande"),
        ("small", "pequeno", "pequena"),
    ],
)
def test_the_adjective_follows_its_noun_and_agrees_with_its_gender(adjective, masculine, feminine):
    assert (
        tr(f"the {adjective} dog jumped near the {adjective} bed")
        == f"o cão {masculine} pulou perto da cama {feminine}"
    )
    assert (
        tr(f"a {adjective} chair sat under the {adjective} cat")
        == f"uma cadeira {feminine} sentou debaixo do gato {masculine}"
    )


@pytest.mark.parametrize(
    ("pp", "masculine", "feminine"),
    [
        ("on the", "no", "na"),
        ("on a", "em um", "em uma"),
        ("under the", "debaixo do", "debaixo da"),
        ("near the", "perto do", "perto da"),
    ],
)
def test_the_preposition_contracts_with_the_article_of_the_second_noun(pp, masculine, feminine):
    for noun, pt in zip(MASCULINE, ("gato", "cão", "pássaro", "tapete"), strict=True):
        assert tr(f"the cat slept {pp} {noun}") == f"o gato dormiu {masculine} {pt}"
    for noun, pt in zip(FEMININE, ("mesa", "cadeira", "casa", "cama"), strict=True):
        assert tr(f"the table slept {pp} {noun}") == f"a mesa dormiu {feminine} {pt}"
    # the first noun's gender does not decide the contraction
    assert tr(f"the house slept {pp} mat") == f"a casa dormiu {masculine} tapete"


@pytest.mark.parametrize(
    ("english", "pt"), [("sat", "sentou"), ("slept", "dormiu"), ("ran", "correu"), ("jumped", "pulou")]
)
def test_verbs(english, pt):
    assert core.toy_translation(f"the bird {english} on a table".split()) == ["o", "pássaro", pt, "em", "uma", "mesa"]


def test_a_two_word_contraction_gives_two_words():
    assert core.toy_translation("a dog ran under the white bed") == [
        "um",
        "cão",
        "correu",
        "debaixo",
        "da",
        "cama",
        "branca",
    ]


@pytest.mark.parametrize(
    ("english", "message"),
    [
        ("the mouse sat on the mat", r"'mouse' \(word 2\) is not in the lexicon"),
        ("the cat sat on the mat quickly", r"'quickly' \(word 7\) is not in the lexicon"),
        ("the cat sat under a mat", r"'under a' \(words 4-5\) is not in the toy language"),
        ("the cat sat near a mat", r"'near a' \(words 4-5\) is not in the toy language"),
        ("cat sat on the mat", r"expected an article \(the, a\) at word 1, but 'cat' is a noun"),
        ("the black sat on the mat", "expected a noun at word 3, but 'sat' is a verb"),
        ("the cat black sat on the mat", "expected a verb at word 3, but 'black' is an adjective"),
        ("the cat sat the mat", r"expected a preposition \(on, under, near\) at word 4, but 'the' is an article"),
        ("the cat sat on the", r"the sentence ends too early: expected a noun after 'the' \(word 5\)"),
        ("the cat sat on the black", r"ends too early: expected a noun after 'black'"),
        ("the cat sat on the mat the", r"should end after the noun 'mat' \(word 6\), but goes on with 'the'"),
        ("the black white cat sat on the mat", "expected a noun at word 3, but 'white' is an adjective"),
        ("", "the sentence is empty"),
    ],
)
def test_a_sentence_outside_the_grammar_or_the_lexicon_is_refused_by_name(english, message):
    with pytest.raises(core.AttentionInputError, match=message):
        core.toy_translation(english.split())


def test_words_must_be_text():
    with pytest.raises(core.AttentionInputError, match="word 2 must be text"):
        core.toy_translation(["the", 3, "sat"])
    with pytest.raises(core.AttentionInputError, match="lexicon must be a Lexicon"):
        core.toy_translation("the cat sat on the mat", lexicon={"cat": "gato"})


# ---------------------------------------------------------------- the lexicon


def test_the_lexicon_can_grow_and_the_new_words_follow_the_rules():
    lex = core.TOY_LEXICON.with_noun("mouse", "rato", "m").with_adjective("red", "vermelho", "vermelha")
    lex = lex.with_verb("ate", "comeu").with_noun("box", "caixa", "f")
    assert tr("the red mouse ate on the red box", lex) == "o rato vermelho comeu na caixa vermelha"
    assert tr("a mouse ate near the box", lex) == "um rato comeu perto da caixa"
    assert lex.n_sentences == 2 * 6 * 10 * 5 * 4 * 6 * 10
    with pytest.raises(core.AttentionInputError, match="'mouse'"):
        core.toy_translation("the mouse sat on the mat")  # the default lexicon is unchanged


def test_the_lexicon_is_read_only_and_compared_by_value():
    lex = core.TOY_LEXICON
    with pytest.raises(TypeError):
        lex.nouns["mouse"] = ("rato", "m")
    assert lex == core.Lexicon(dict(lex.nouns), dict(lex.adjectives), dict(lex.verbs))
    assert hash(lex) == hash(core.Lexicon(dict(lex.nouns), dict(lex.adjectives), dict(lex.verbs)))
    assert lex != lex.with_verb("ate", "comeu")
    assert lex.n_sentences == 2 * 5 * 8 * 4 * 4 * 5 * 8 == 51200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nouns": {"cat": ("gato", "n")}}, "the gender of 'cat' must be 'm' or 'f', but is 'n'"),
        ({"nouns": {"cat": "gato"}}, "must be a pair"),
        ({"nouns": {"big cat": ("gato", "m")}}, "contains a space"),
        ({"nouns": {"on": ("em", "m")}}, "'on' is an article or a preposition"),
        ({"verbs": {"cat": "gato"}}, "'cat' is in both nouns and verbs"),
        ({"verbs": {}}, "at least one noun and one verb, but has 8 nouns and 0 verbs"),
        ({"adjectives": {"red": ("vermelho", "")}}, "is empty"),
        ({"verbs": {"ate": "x" * 40}}, "at most 32 characters"),
        ({"nouns": {f"n{i}": ("x", "m") for i in range(101)}}, "at most 100 words"),
        ({"verbs": ["sat"]}, "verbs must be a mapping"),
    ],
)
def test_a_bad_lexicon_is_refused_by_name(change, message):
    parts = {"nouns": dict(core.TOY_LEXICON.nouns), "adjectives": {}, "verbs": {"sat": "sentou"}} | change
    with pytest.raises(core.AttentionInputError, match=message):
        core.Lexicon(**parts)


# ---------------------------------------------------------------- enumerating and drawing


def small_lexicon():
    return core.Lexicon({"cat": ("gato", "m"), "bed": ("cama", "f")}, {"big": ("grande", "grande")}, {"sat": "sentou"})


def test_sentence_pairs_enumerates_every_grammatical_sentence_once():
    lex = small_lexicon()
    pairs = list(core.sentence_pairs(lex))
    assert len(pairs) == lex.n_sentences == 2 * 2 * 2 * 1 * 4 * 2 * 2
    assert len({en for en, _ in pairs}) == len(pairs)
    for en, pt in pairs:
        assert core.toy_translation(en, lex) == list(pt)
    # every shape of the grammar appears: with and without each adjective, every pair
    assert {len(en) for en, _ in pairs} == {6, 7, 8}
    assert {(en[-4 if en[-2] == "big" else -3], en[-3 if en[-2] == "big" else -2]) for en, _ in pairs} == set(
        CONTRACTIONS
    )


def test_an_index_names_the_same_sentence_as_its_parse():
    lex = core.TOY_LEXICON
    for choices in itertools.islice(itertools.product(*(range(r) for r in lex.radices)), 0, 51200, 997):
        en = core.toy_language.english_of(choices, lex)
        assert parse(en, lex) == choices
        assert portuguese_of(choices, lex) == tuple(core.toy_translation(en))


def test_sample_sentence_pairs_is_deterministic_distinct_and_grammatical():
    a = core.sample_sentence_pairs(50, np.random.default_rng(3))
    assert a == core.sample_sentence_pairs(50, np.random.default_rng(3))
    assert a != core.sample_sentence_pairs(50, np.random.default_rng(4))
    assert len({en for en, _ in a}) == 50
    assert all(core.toy_translation(en) == list(pt) for en, pt in a)
    with pytest.raises(core.AttentionInputError, match="n must be at most 128"):
        core.sample_sentence_pairs(129, np.random.default_rng(0), small_lexicon())
