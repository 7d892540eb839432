"""The pure rules behind the session: URL parsing, sentences, the vocabulary table."""

import numpy as np
import pandas as pd
import pytest

import core
from ui import state
from ui.state import DEFAULTS, Settings


def keys(notices):
    return [n.key for n in notices]


def test_empty_url_gives_defaults():
    settings, notices = state.parse_query_params({})
    assert settings == DEFAULTS
    assert notices == []


def test_every_parameter_is_read():
    params = {
        "lang": "pt",
        "mode": "tutorial",
        "preset": "random",
        "sentence": "a  b a",
        "dim": "5",
        "heads": "3",
        "ffn": "7",
        "seed": "9",
    }
    settings, notices = state.parse_query_params(params)
    assert notices == []
    assert settings == Settings(
        lang="pt", mode="tutorial", preset="random", sentence="a b a", dim=5, heads=3, ffn=7, seed=9
    )


@pytest.mark.parametrize(
    ("name", "raw", "expected", "key"),
    [
        ("heads", "99", 16, "notice.param_clamped"),
        ("heads", "0", 1, "notice.param_clamped"),
        ("heads", "-3", 1, "notice.param_clamped"),
        ("ffn", "100000", 4096, "notice.param_clamped"),
        ("dim", "0", 1, "notice.param_clamped"),
        ("dim", "1000", 128, "notice.param_clamped"),
        ("seed", "-1", 0, "notice.param_clamped"),
        ("heads", "abc", DEFAULTS.heads, "notice.param_not_number"),
        ("heads", "2.5", DEFAULTS.heads, "notice.param_not_number"),
        ("heads", "nan", DEFAULTS.heads, "notice.param_not_number"),
        ("heads", "inf", DEFAULTS.heads, "notice.param_not_number"),
        ("seed", "", DEFAULTS.seed, "notice.param_not_number"),
        ("mode", "fancy", DEFAULTS.mode, "notice.param_choice"),
        ("lang", "fr", DEFAULTS.lang, "notice.param_choice"),
        ("preset", "<b>x</b>", DEFAULTS.preset, "notice.param_choice"),
        ("sentence", "   ", DEFAULTS.sentence, "notice.param_ignored"),
    ],
)
def test_bad_parameters_are_clamped_or_ignored_with_a_notice(name, raw, expected, key):
    settings, notices = state.parse_query_params({name: raw})
    assert getattr(settings, name) == expected
    assert keys(notices) == [key]
    assert notices[0].args["name"] == name


def test_float_spelling_of_a_whole_number_is_accepted():
    settings, notices = state.parse_query_params({"heads": "4.0"})
    assert settings.heads == 4 and notices == []


def test_unknown_parameter_is_reported():
    settings, notices = state.parse_query_params({"colour": "red"})
    assert settings == DEFAULTS
    assert keys(notices) == ["notice.param_unknown"]


def test_long_sentence_is_cut_to_the_limit():
    words = " ".join(f"w{i}" for i in range(state.MAX_TOKENS + 10))
    settings, notices = state.parse_query_params({"sentence": words})
    assert len(settings.tokens) == state.MAX_TOKENS
    assert keys(notices) == ["notice.sentence_cut"]


def test_a_list_value_takes_the_last():
    settings, _ = state.parse_query_params({"heads": ["3", "4"]})
    assert settings.heads == 4


@pytest.mark.parametrize(
    "settings",
    [
        DEFAULTS,
        Settings(lang="pt", mode="tutorial", preset="random", sentence="x y x", dim=64, heads=8, ffn=256, seed=12345),
    ],
)
def test_query_params_round_trip(settings):
    params = state.to_query_params(settings)
    assert state.parse_query_params(params) == (settings, [])


def test_dim_is_left_out_with_the_articles_table():
    assert state.to_query_params(Settings(preset="seed", dim=3)) == {}
    assert state.to_query_params(Settings(preset="random", dim=3)) == {"preset": "random", "dim": "3"}


def test_defaults_leave_the_url_empty():
    assert state.to_query_params(DEFAULTS) == {}
    assert state.to_query_params(Settings(heads=4)) == {"heads": "4"}


@pytest.mark.parametrize(
    ("sentence", "key"),
    [
        ("", "error.sentence_empty"),
        ("  \t ", "error.sentence_empty"),
        ("a " * 513, "error.sentence_too_long"),
        ("x" * 33, "error.word_too_long"),
    ],
)
def test_check_sentence(sentence, key):
    assert keys(state.check_sentence(sentence)) == [key]


def test_check_sentence_accepts_512_tokens():
    assert state.check_sentence("a " * state.MAX_TOKENS) == []


def test_default_ffn_per_mode():
    assert state.default_ffn("paper", 3) == 12
    assert state.default_ffn("tutorial", 3) == 6


def test_random_preset_covers_every_word_of_the_sentence():
    vocab = state.preset_vocabulary(Settings(preset="random", sentence="a b a c", dim=4, seed=1))
    assert vocab.words == ("a", "b", "c")
    assert vocab.dim == 4
    np.testing.assert_array_equal(vocab.vectors[0], core.word_vector("a", 4, 1))


def test_extend_and_resize():
    vocab = core.seed_vocabulary()
    grown = state.extend_vocabulary(vocab, ["the", "dog", "dog"], seed=3)
    assert grown.words == ("the", "cat", "sat", "on", "dog")
    np.testing.assert_array_equal(grown.vectors[4], core.word_vector("dog", 3, 3))
    wide = state.resize_vocabulary(vocab, 5)
    np.testing.assert_array_equal(wide.vectors[:, :3], vocab.vectors)
    np.testing.assert_array_equal(wide.vectors[:, 3:], 0)
    np.testing.assert_array_equal(state.resize_vocabulary(vocab, 2).vectors, vocab.vectors[:, :2])


def test_vocab_key_changes_with_any_value():
    vocab = core.seed_vocabulary()
    other = core.Vocabulary(vocab.words, vocab.vectors + np.eye(4, 3) * 1e-12)
    renamed = core.Vocabulary(("the", "cat", "sat", "in"), vocab.vectors)
    assert len({state.vocab_key(vocab), state.vocab_key(other), state.vocab_key(renamed)}) == 3
    assert state.vocab_key(vocab) == state.vocab_key(core.seed_vocabulary())


def table():
    return state.vocab_to_table(core.seed_vocabulary())


def test_table_round_trip():
    vocab, problems = state.table_to_vocabulary(table())
    assert problems == []
    assert vocab.words == core.seed_vocabulary().words
    np.testing.assert_array_equal(vocab.vectors, core.seed_vocabulary().vectors)


def test_editor_delta_edits_adds_and_deletes():
    delta = {
        "edited_rows": {1: {"word": "dog", "d2": 0.5}},
        "added_rows": [{"word": "mat", "d1": 0.1, "d2": 0.2, "d3": 0.3}],
        "deleted_rows": [0],
    }
    vocab, problems = state.table_to_vocabulary(state.apply_editor_delta(table(), delta))
    assert problems == []
    assert vocab.words == ("dog", "sat", "on", "mat")
    np.testing.assert_array_equal(vocab.vectors[0], [0, 0.5, 0])
    np.testing.assert_array_equal(vocab.vectors[3], [0.1, 0.2, 0.3])


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ({1: {"d1": "abc"}}, "error.cell_not_number"),
        ({1: {"d1": None}}, "error.cell_not_number"),
        ({1: {"d1": float("inf")}}, "error.cell_not_finite"),
        ({1: {"d1": "1e400"}}, "error.cell_not_finite"),
        ({1: {"d1": 1e6}}, "error.cell_too_big"),
        ({1: {"word": ""}}, "error.word_empty"),
        ({1: {"word": None}}, "error.word_empty"),
        ({1: {"word": "big cat"}}, "error.word_space"),
        ({1: {"word": "the"}}, "error.word_duplicate"),
        ({1: {"word": "x" * 40}}, "error.word_long"),
    ],
)
def test_bad_cells_are_named(edit, key):
    vocab, problems = state.table_to_vocabulary(state.apply_editor_delta(table(), {"edited_rows": edit}))
    assert vocab is None
    assert keys(problems) == [key]


def test_cell_error_names_the_word_and_column():
    _, problems = state.table_to_vocabulary(state.apply_editor_delta(table(), {"edited_rows": {2: {"d3": "x"}}}))
    assert problems[0].args["word"] == "sat" and problems[0].args["col"] == "d3"


def test_a_decimal_comma_is_read():
    vocab, problems = state.table_to_vocabulary(state.apply_editor_delta(table(), {"edited_rows": {0: {"d1": "0,5"}}}))
    assert problems == [] and vocab.vectors[0, 0] == 0.5


def test_deleting_every_row_is_refused():
    vocab, problems = state.table_to_vocabulary(state.apply_editor_delta(table(), {"deleted_rows": [0, 1, 2, 3]}))
    assert vocab is None and keys(problems) == ["error.vocab_empty"]


def test_editable_table_keeps_words_and_blanks_text_in_numbers():
    draft = state.apply_editor_delta(table(), {"edited_rows": {0: {"d1": "abc", "word": "new"}}})
    shown = state.editable_table(draft)
    assert shown["word"].tolist()[0] == "new"
    assert np.isnan(shown["d1"][0])
    assert shown["d2"].dtype == np.float64


def test_fallback_sentence():
    vocab = core.seed_vocabulary()
    assert state.fallback_sentence(("the", "dog", "sat"), vocab) == "the sat"
    assert state.fallback_sentence(("dog",), vocab) == "the"


def test_table_has_word_then_dimensions():
    df = table()
    assert list(df.columns) == ["word", "d1", "d2", "d3"]
    assert isinstance(df, pd.DataFrame)
