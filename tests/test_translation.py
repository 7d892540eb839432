"""ui/translation.py: the translator's key, its cache (once per key, bounded by bytes), the budget check,
translations cached by sentence, and the lexicon tables' reader."""

import dataclasses
import threading

import numpy as np
import pandas as pd
import pytest

import core
from ui import scenarios, share, state, training, translation
from ui.i18n import Translator
from ui.state import Settings

LEX = core.TOY_LEXICON


def quick(seed: int, steps: int = 12, **more) -> translation.TranslatorKey:
    """A training of a few steps; each test its own seed, so nothing another test trained is found cached."""
    return translation.TranslatorKey.of(Settings(seed=seed, steps=steps, **more), LEX)


@pytest.mark.parametrize(
    ("heads", "used"), [(1, 1), (2, 2), (3, 2), (4, 4), (5, 4), (6, 4), (7, 8), (8, 8), (12, 8), (13, 16), (16, 16)]
)
def test_heads_are_the_nearest_count_that_splits_d_model(heads, used):
    assert translation.translator_heads(heads) == used
    assert translation.D_MODEL % used == 0
    note = translation.heads_notice(Settings(heads=heads))
    assert (note is None) == (heads == used)
    if note is not None:
        assert note.args == {"asked": heads, "used": used, "d": translation.D_MODEL}


def test_the_key_holds_what_the_training_depends_on():
    key = translation.TranslatorKey.of(Settings(seed=3, heads=3, steps=None), LEX.with_verb("ate", "comeu"))
    assert (key.seed, key.heads, key.steps, key.total_steps) == (3, 2, None, core.translator.DEFAULT_TRANSLATOR_STEPS)
    assert key.layers == getattr(Settings(), "layers", 1)
    assert key.lexicon == LEX.with_verb("ate", "comeu").key()
    assert key != translation.TranslatorKey.of(Settings(seed=3, heads=3), LEX)
    hash(key)


def test_a_training_runs_once_per_key_and_is_deterministic():
    key = quick(5101)
    assert translation.trained(key) is None
    steps = []
    result = translation.train(key, LEX, callback=lambda step, loss, accuracy: steps.append(step))
    assert steps == list(range(1, 13))
    assert translation.trained(key) is result
    assert translation.train(key, LEX) is result  # cached: no second training
    again = core.train_translator(rng=np.random.default_rng([5101, 7]), n_heads=key.heads, steps=12, lexicon=LEX)
    np.testing.assert_array_equal(again.losses, result.losses)
    assert again.accuracy == result.accuracy


def test_concurrent_requests_for_one_key_train_once():
    key = quick(5102)
    calls = []
    results = []

    def ask():
        results.append(translation.train(key, LEX, callback=lambda step, loss, accuracy: calls.append(step)))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == list(range(1, 13))
    assert all(r is results[0] for r in results)


def test_the_cache_is_bounded_by_bytes():
    result = translation.train(quick(5103), LEX)
    size = translation.nbytes(result)
    assert 50_000 < size < 2 * 2**20  # the default width: well under a megabyte
    assert translation._TRAINED.maxsize == translation.TRAINED_CACHE_BYTES
    assert translation._TRAINED.getsizeof(result) == size


def test_a_training_of_another_lexicon_is_refused():
    with pytest.raises(ValueError):
        translation.train(quick(5104), LEX.with_noun("mouse", "rato", "m"))


def test_problem_refuses_what_the_budget_cannot_pay_and_says_what_fits():
    assert translation.problem(quick(1, steps=None), LEX) is None
    big = quick(1, steps=5000)
    found = translation.problem(big, LEX)
    assert found.key == "tr.too_big"
    max_steps = found.args["max_steps"]
    assert state.STEPS_MIN <= max_steps < 5000
    fits = dataclasses.replace(big, steps=max_steps)
    assert (
        translation.cost(fits, LEX)
        <= training.MAX_TRAIN_COST
        < translation.cost(dataclasses.replace(big, steps=max_steps + 1), LEX)
    )
    assert translation.problem(fits, LEX) is None


def test_a_lexicon_too_large_for_even_the_fewest_steps_says_so():
    nouns = {f"n{i}": (f"p{i}", "m") for i in range(64)}
    adjectives = {f"a{i}": (f"m{i}", f"f{i}") for i in range(64)}
    verbs = {f"v{i}": f"w{i}" for i in range(64)}
    wide = core.Lexicon(nouns, adjectives, verbs)
    key = dataclasses.replace(quick(1, steps=5000), layers=3, lexicon=wide.key())
    found = translation.problem(key, wide)
    assert found.key in ("tr.too_big", "tr.too_big_any")


def test_a_lexicon_of_too_few_sentences_cannot_train():
    tiny = core.Lexicon({"cat": ("gato", "m")}, {}, {"sat": "sentou"})  # 8 sentences
    key = translation.TranslatorKey.of(Settings(), tiny)
    assert translation.problem(key, tiny).key == "tr.too_few"


def test_translations_are_cached_by_key_and_words():
    key = quick(5105)
    result = translation.train(key, LEX)
    words = "the black cat sat on the white mat".split()
    first = translation.translation(key, result, words)
    assert translation.translation(key, result, tuple(words)) is first
    expected = core.translate(result, words)
    np.testing.assert_array_equal(first.cross_weights, expected.cross_weights)
    assert first.words == expected.words


@pytest.mark.parametrize(
    ("sentence", "key", "named"),
    [
        ("", "tr.empty", None),
        ("the mouse sat on the mat", "tr.unknown", "mouse"),
        ("the cat sat under a mat", "tr.grammar", "under a"),
        ("the cat sat on the", "tr.grammar", "ends too early"),
        ("cat the sat on the mat", "tr.grammar", "expected an article"),
    ],
)
def test_a_sentence_outside_the_lexicon_or_grammar_is_named(sentence, key, named):
    found = translation.sentence_problem(sentence.split(), LEX)
    assert found.key == key
    if named:
        assert named in " ".join(str(v) for v in found.args.values())


def test_a_good_sentence_has_no_problem():
    assert translation.sentence_problem("a small bird slept near the big house".split(), LEX) is None


def tables(**changes) -> dict[str, pd.DataFrame]:
    out = translation.lexicon_tables(LEX)
    out.update(changes)
    return out


def with_row(part: str, row: list) -> pd.DataFrame:
    df = translation.lexicon_tables(LEX)[part]
    return pd.concat([df, pd.DataFrame([row], columns=df.columns, dtype=object)], ignore_index=True)


def test_the_tables_read_back_as_the_lexicon():
    reading = translation.read_lexicon(translation.lexicon_tables(LEX))
    assert reading.lexicon == LEX and not reading.errors and not reading.waiting


def test_a_row_added_to_each_table_joins_the_lexicon():
    reading = translation.read_lexicon(
        tables(
            nouns=with_row("nouns", ["mouse", "rato", "m"]),
            adjectives=with_row("adjectives", ["red", "vermelho", "vermelha"]),
            verbs=with_row("verbs", ["ate", "comeu"]),
        )
    )
    expected = (
        LEX.with_noun("mouse", "rato", "m").with_adjective("red", "vermelho", "vermelha").with_verb("ate", "comeu")
    )
    assert reading.lexicon == expected
    assert translation.added_words(reading.lexicon) == ("mouse", "red", "ate")


def test_an_incomplete_row_waits_and_the_rest_is_used():
    reading = translation.read_lexicon(tables(nouns=with_row("nouns", ["mouse", None, "m"])))
    assert reading.lexicon == LEX
    assert [n.key for n in reading.waiting] == ["tr.lex_waiting"]
    assert reading.waiting[0].args == {"part": "nouns", "row": 9, "word": "mouse"}


@pytest.mark.parametrize(
    ("part", "row", "key"),
    [
        ("nouns", ["cat", "gata", "f"], "tr.lex_duplicate"),
        ("verbs", ["black", "preto"], "tr.lex_duplicate"),
        ("nouns", ["the", "o", "m"], "tr.lex_grammar_word"),
        ("nouns", ["mouse", "rato", "x"], "tr.lex_gender"),
        ("verbs", ["ate", "comeu muito"], "tr.lex_space"),
        ("verbs", ["a" * 33, "comeu"], "tr.lex_long"),
    ],
)
def test_a_wrong_row_is_named_and_nothing_changes(part, row, key):
    reading = translation.read_lexicon(tables(**{part: with_row(part, row)}))
    assert reading.lexicon is None
    assert [e.key for e in reading.errors] == [key]


def test_words_are_cleaned_and_lowered_with_a_note():
    reading = translation.read_lexicon(tables(nouns=with_row("nouns", ["Mouse", "ｒａｔｏ", "m"])))
    assert reading.lexicon == LEX.with_noun("mouse", "rato", "m")
    assert {n.key for n in reading.notes} == {"tr.lex_cleaned"}


def test_too_many_rows_are_refused():
    nouns = pd.DataFrame([[f"n{i}", f"p{i}", "m"] for i in range(state.MAX_LEXICON_ENTRIES + 1)], dtype=object)
    nouns.columns = list(translation.LEXICON_COLUMNS["nouns"])
    reading = translation.read_lexicon(tables(nouns=nouns))
    assert reading.lexicon is None and reading.errors[0].key == "tr.lex_too_many"


def test_a_lexicon_needs_a_noun_and_a_verb():
    empty = translation.lexicon_tables(LEX)["verbs"].iloc[0:0]
    reading = translation.read_lexicon(tables(verbs=empty))
    assert reading.lexicon is None and reading.errors[0].key == "tr.lex_needs"
    one_noun = translation.lexicon_tables(LEX)["nouns"].iloc[0:1]
    [error] = translation.read_lexicon(tables(nouns=one_noun, verbs=empty)).errors
    assert Translator("en").notice(error).endswith("the lexicon has 1 noun and 0 verbs.")  # each noun its count
    assert Translator("pt").notice(error).endswith("o léxico tem 1 substantivo e 0 verbo.")  # pt: 0 and 1 singular


def test_a_link_carries_the_lexicon_and_a_bad_one_is_refused_whole():
    lexicon = LEX.with_noun("mouse", "rato", "m").with_noun("a:b", "c;d", "f")
    text = share.encode_lexicon(lexicon)
    assert share.decode_lexicon(text) == (lexicon, [])
    assert "mouse:rato:m" in text
    for bad in ("cat:gato:m", "cat:gato;;", "cat:gato:x;;sat:sentou", "x" * (share.MAX_LINK_CHARS + 1)):
        found, notices = share.decode_lexicon(bad)
        assert found is None and notices[0].key == "tr.link_rejected" and len(notices) > 1


def test_a_scenario_file_carries_the_lexicon_and_version_1_files_still_open():
    lexicon = LEX.with_verb("ate", "comeu")
    data = scenarios.scenario_bytes(Settings(), None, lexicon)
    scenario, notices = scenarios.read_scenario(data)
    assert scenario.lexicon == lexicon and notices == []
    plain, _ = scenarios.read_scenario(scenarios.scenario_bytes(Settings(), None))
    assert plain.lexicon is None and b'"lexicon"' not in scenarios.scenario_bytes(Settings(), None)
    broken = data.replace(b'["ate", "comeu"]', b'["ate", 5]')
    scenario, notices = scenarios.read_scenario(broken)
    assert scenario is None and [n.key for n in notices] == ["share.file_rejected", "tr.file_lexicon_shape"]
