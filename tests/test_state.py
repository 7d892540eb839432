"""The pure rules behind the session: URL parsing, sentences, the vocabulary table."""

import copy
import pickle
import time

import babel.numbers
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from ui import i18n, state
from ui.i18n import Translator
from ui.state import DEFAULTS, Notice, Settings


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
        ("lang", "no-such-language", DEFAULTS.lang, "notice.param_choice"),
        ("preset", "<b>x</b>", DEFAULTS.preset, "notice.param_choice"),
        ("sentence", "   ", DEFAULTS.sentence, "notice.param_ignored"),
    ],
)
def test_bad_parameters_are_clamped_or_ignored_with_a_notice(name, raw, expected, key):
    params = {name: raw, "preset": "random"} if name == "dim" else {name: raw}  # dim sets random vectors' width
    settings, notices = state.parse_query_params(params)
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


def test_the_translators_sentence_is_bounded_by_its_own_box_and_named_source():
    longest = " ".join(["x" * state.MAX_WORD_CHARS] * 8)  # the toy grammar's longest sentence, at most
    assert len(longest) <= state.MAX_SOURCE_CHARS
    settings, notices = state.parse_query_params({"source": longest})
    assert settings.source == longest and not notices
    for raw in ("a " * 200, "x" * 300, "w" * (state.MAX_SENTENCE_CHARS - 1)):
        settings, notices = state.parse_query_params({"source": raw})
        assert settings.source == DEFAULTS.source
        assert notices == [
            Notice("notice.param_too_long", {"name": "source", "n": len(raw), "max": state.MAX_SOURCE_CHARS})
        ]
    en = Translator("en")
    for raw in ("a " * 200, "x" * 40, "ｔｈｅ cat", "the\u200bcat"):  # cut, a word too long, lookalikes, invisible
        _, notices = state.parse_query_params({"source": raw})
        said = [en.notice(n, raw=True) for n in notices]
        assert said and all("source" in text and "sentence" not in text for text in said), said


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
    assert state.to_query_params(Settings(preset="seed", dim=3)) == {"preset": "seed"}
    assert state.to_query_params(Settings(mode="tutorial", dim=3)) == {"mode": "tutorial"}
    assert state.to_query_params(Settings(preset="random", dim=3)) == {"preset": "random", "dim": "3"}
    assert state.to_query_params(Settings(dim=3)) == {"dim": "3"}  # paper mode's own preset: random vectors


def test_each_mode_has_its_own_preset():
    assert DEFAULTS.preset is None and DEFAULTS.vocab_preset == "random"
    assert Settings(mode="tutorial").vocab_preset == "seed"  # the article's table: the article's numbers
    assert Settings(mode="tutorial", preset="random").vocab_preset == "random"


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
    wide, hidden = state.resize_vocabulary(vocab, 5)
    np.testing.assert_array_equal(wide.vectors[:, :3], vocab.vectors)
    np.testing.assert_array_equal(wide.vectors[:, 3:], 0)
    assert hidden == {}
    narrow, hidden = state.resize_vocabulary(vocab, 2)
    np.testing.assert_array_equal(narrow.vectors, vocab.vectors[:, :2])
    assert set(hidden) == {"sat"}  # the only word with a value in d3
    np.testing.assert_array_equal(hidden["sat"], [1.0])


def test_vocab_key_changes_with_any_value():
    vocab = core.seed_vocabulary()
    other = core.Vocabulary(vocab.words, vocab.vectors + np.eye(4, 3) * 1e-12)
    renamed = core.Vocabulary(("the", "cat", "sat", "in"), vocab.vectors)
    assert len({state.vocab_key(vocab), state.vocab_key(other), state.vocab_key(renamed)}) == 3
    assert state.vocab_key(vocab) == state.vocab_key(core.seed_vocabulary())


def table():
    return state.vocab_to_table(core.seed_vocabulary())


def test_table_round_trip():
    r = state.read_table(table())
    assert r.errors == () and r.waiting == () and r.notes == ()
    assert r.vocab == core.seed_vocabulary()


def test_editor_delta_edits_adds_and_deletes():
    delta = {
        "edited_rows": {1: {"word": "dog", "d2": 0.5}},
        "added_rows": [{"word": "mat", "d1": 0.1, "d2": 0.2, "d3": 0.3}],
        "deleted_rows": [0],
    }
    r = state.read_table(state.apply_editor_delta(table(), delta))
    assert r.errors == ()
    assert r.vocab.words == ("dog", "sat", "on", "mat")
    np.testing.assert_array_equal(r.vocab.vectors[0], [0, 0.5, 0])
    np.testing.assert_array_equal(r.vocab.vectors[3], [0.1, 0.2, 0.3])


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ({1: {"d1": "abc"}}, "error.cell_not_number"),
        ({1: {"d1": None}}, "error.cells_empty"),
        ({1: {"d1": "  "}}, "error.cells_empty"),
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
    r = state.read_table(state.apply_editor_delta(table(), {"edited_rows": edit}), core.seed_vocabulary())
    assert r.vocab is None
    assert keys(r.errors) == [key]


def test_cell_error_names_the_word_and_column():
    r = state.read_table(state.apply_editor_delta(table(), {"edited_rows": {2: {"d3": "x"}}}))
    assert r.errors[0].args["word"] == "sat" and r.errors[0].args["col"] == "d3"


def test_a_decimal_comma_is_read():
    r = state.read_table(state.apply_editor_delta(table(), {"edited_rows": {0: {"d1": "0,5"}}}))
    assert r.errors == () and r.vocab.vectors[0, 0] == 0.5


def test_editable_table_keeps_words_and_the_text_typed_in_a_value():
    """The grid's values are text: what was typed and is no number is shown as typed (it was blanked when
    they were number cells, and the edit to fix was lost), numbers in their shortest exact form."""
    draft = state.apply_editor_delta(table(), {"edited_rows": {0: {"d1": "abc", "word": "new"}}})
    shown = state.editable_table(draft)
    assert shown["word"].tolist()[0] == "new"
    assert shown["d1"][0] == "abc"
    assert shown["d2"].tolist() == ["0", "1", "0", "1"]


def test_fallback_sentence():
    vocab = core.seed_vocabulary()
    assert state.fallback_sentence(("the", "dog", "sat"), vocab) == "the sat"
    assert state.fallback_sentence(("dog",), vocab) == "the"


def test_table_has_word_then_dimensions():
    df = table()
    assert list(df.columns) == ["word", "d1", "d2", "d3"]
    assert isinstance(df, pd.DataFrame)


# --- the width: columns cut off are hidden, not lost -------------------------------------------


def test_shrinking_then_growing_the_width_brings_the_values_back():
    vocab = core.Vocabulary(("a", "b"), np.arange(1.0, 11.0).reshape(2, 5))
    narrow, hidden = state.resize_vocabulary(vocab, 2)
    np.testing.assert_array_equal(narrow.vectors, [[1, 2], [6, 7]])
    narrower, hidden = state.resize_vocabulary(narrow, 1, hidden)
    back, hidden = state.resize_vocabulary(narrower, 7, hidden)
    np.testing.assert_array_equal(back.vectors, [[1, 2, 3, 4, 5, 0, 0], [6, 7, 8, 9, 10, 0, 0]])
    assert hidden == {}


def test_a_table_being_edited_is_resized_with_the_hidden_values():
    draft = state.apply_editor_delta(table(), {"edited_rows": {0: {"d1": "x"}}})
    wide = state.resize_table(draft, 5, {"cat": np.array([7.0])})
    assert list(wide.columns) == ["word", "d1", "d2", "d3", "d4", "d5"]
    assert wide["d4"].tolist() == [0.0, 7.0, 0.0, 0.0]
    assert wide.at[0, "d1"] == "x"  # the text being fixed stays
    assert list(state.resize_table(draft, 1).columns) == ["word", "d1"]


# --- text as typed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "clean", "names"),
    [
        ("the\u200b", "the", ("U+200B ZERO WIDTH SPACE",)),
        ("\u202ethe cat", "the cat", ("U+202E RIGHT-TO-LEFT OVERRIDE",)),
        ("\ufeffcafe\u0301", "café", ("U+FEFF ZERO WIDTH NO-BREAK SPACE",)),
        ("cafe\u200d\u0301", "café", ("U+200D ZERO WIDTH JOINER",)),  # the mark composes once the joiner is out
        ("a\x00b", "ab", ("U+0000",)),
        ("tab\tstays", "tab\tstays", ()),
        ("gato 🐈", "gato 🐈", ()),
    ],
)
def test_clean_text_removes_invisible_characters_and_composes(typed, clean, names):
    cleaned = state.clean_text(typed)
    assert (cleaned.text, cleaned.removed) == (clean, names)
    assert cleaned.replaced == ()


def test_visible_shows_where_an_invisible_character_was():
    assert state.visible("9\u202e9") == "9⟨U+202E⟩9"


def test_a_link_value_with_a_bidi_override_is_cleaned_with_a_notice():
    settings, notices = state.parse_query_params({"heads": "\u202e4"})
    assert settings.heads == 4
    assert keys(notices) == ["notice.param_invisible"]
    assert notices[0].args["chars"] == ("U+202E RIGHT-TO-LEFT OVERRIDE",)


def test_an_unknown_parameter_name_is_shown_with_its_invisible_characters():
    _, notices = state.parse_query_params({"he\u200bads": "4"})
    assert notices[-1].args["name"] == "he⟨U+200B⟩ads"


def test_dim_with_the_articles_table_is_dropped_with_a_notice():
    for params in ({"dim": "64", "preset": "seed"}, {"dim": "64", "mode": "tutorial"}):
        settings, notices = state.parse_query_params(params)
        assert settings.dim == DEFAULTS.dim
        assert keys(notices) == ["notice.dim_with_seed"]
    for params in ({"dim": "64", "preset": "random"}, {"dim": "64"}):
        settings, notices = state.parse_query_params(params)
        assert settings.dim == 64 and notices == []


# --- the table as typed ------------------------------------------------------------------------


def reading(delta, known=None):
    return state.read_table(state.apply_editor_delta(table(), delta), known or core.seed_vocabulary())


def test_a_new_row_waits_for_its_values_without_an_error_per_cell():
    r = reading({"added_rows": [{"word": "dog"}]})
    assert r.errors == ()
    assert r.vocab == core.seed_vocabulary()  # the rows already complete still compute
    assert keys(r.waiting) == ["table.row_waiting"]
    assert r.waiting[0].args == {"row": 5, "word": "dog", "n": 3, "d": 3}
    assert r.waiting_words


@pytest.mark.parametrize(
    "blank", [{}, {"word": None}, {"word": "  ", "d1": None}, {"d2": float("nan")}, {"word": "\u200b", "d1": ""}]
)
def test_an_empty_new_row_is_never_a_word_and_no_problem(blank):
    r = reading({"added_rows": [blank]})
    assert r.errors == ()
    assert r.vocab.words == ("the", "cat", "sat", "on")
    assert "nan" not in r.vocab and "None" not in r.vocab
    assert r.waiting == () and r.notes == ()  # left out quietly: nothing to show, no draft kept
    assert not r.waiting_words


def test_an_emptied_row_is_left_out_as_quietly_as_an_added_one():
    r = reading({"edited_rows": {1: {"word": None, "d1": None, "d2": None, "d3": None}}})
    assert r.errors == () and r.waiting == ()
    assert r.vocab.words == ("the", "sat", "on")


def test_empty_rows_do_not_count_against_the_word_limit():
    rows = [{"word": f"w{i}", "d1": 1, "d2": 0, "d3": 0} for i in range(state.MAX_WORDS - 4)]
    r = reading({"added_rows": [*rows, {}, {"word": ""}]})  # a full table pasted with its last line break
    assert r.errors == () and len(r.vocab) == state.MAX_WORDS
    r = reading({"added_rows": [*rows, {"word": "one_more", "d1": 1, "d2": 1, "d3": 1}]})
    assert keys(r.errors) == ["error.vocab_too_big"] and r.errors[0].args["n"] == state.MAX_WORDS + 1


def test_a_complete_new_row_joins_the_vocabulary():
    r = reading({"added_rows": [{"word": "dog", "d1": 0.5, "d2": "1", "d3": -2}]})
    assert r.errors == () and r.waiting == ()
    assert r.vocab.words[-1] == "dog"
    np.testing.assert_array_equal(r.vocab.vectors[-1], [0.5, 1, -2])


def test_a_known_word_with_an_emptied_cell_is_one_error_naming_the_columns():
    r = reading({"edited_rows": {1: {"d1": None, "d3": None}}})
    assert r.vocab is None
    assert keys(r.errors) == ["error.cells_empty"]
    assert r.errors[0].args == {"word": "cat", "cols": ("d1", "d3"), "n": 2}  # n: "2 empty values"


def test_deleting_every_row_is_refused():
    r = reading({"deleted_rows": [0, 1, 2, 3]})
    assert r.vocab is None and keys(r.errors) == ["error.vocab_empty"]


def test_an_empty_table_is_still_a_table_of_text_words():
    empty = state.editable_table(state.apply_editor_delta(table(), {"deleted_rows": [0, 1, 2, 3]}))
    assert len(empty) == 0
    assert empty["word"].dtype == object
    assert empty["d1"].dtype == object  # the values are text columns too


def test_invisible_characters_in_a_word_are_removed_with_a_note():
    r = reading({"edited_rows": {0: {"word": "th\u200be"}}})
    assert r.vocab.words[0] == "the"
    assert keys(r.notes) == ["table.word_cleaned"]
    assert r.notes[0].args["chars"] == ("U+200B ZERO WIDTH SPACE",)


def test_composed_and_decomposed_words_are_the_same_word():
    r = reading(
        {"edited_rows": {0: {"word": "café"}}, "added_rows": [{"word": "cafe\u0301", "d1": 1, "d2": 1, "d3": 1}]}
    )
    assert keys(r.errors) == ["error.word_duplicate"]


def test_fill_empty_cells_uses_known_values_then_seeded_ones():
    draft = state.apply_editor_delta(table(), {"edited_rows": {1: {"d2": None}}, "added_rows": [{"word": "dog"}, {}]})
    filled = state.fill_empty_cells(draft, core.seed_vocabulary(), seed=4)
    r = state.read_table(filled, core.seed_vocabulary())
    assert r.errors == ()
    np.testing.assert_array_equal(r.vocab.vectors[1], [0, 1, 0])  # cat's own value came back
    np.testing.assert_array_equal(r.vocab.vectors[4], core.word_vector("dog", 3, 4))
    assert r.waiting == ()  # the row with no word stays empty, and is left out


def replaced(last, delta):
    """What the edit record ``delta`` overwrote, the editor's previous record being ``last``."""
    base = table()
    return state.replaced_rows(
        state.apply_editor_delta(base, last),
        state.editor_row_ids(len(base), last),
        state.apply_editor_delta(base, delta),
        state.editor_row_ids(len(base), delta),
        core.seed_vocabulary(),
    )


def test_rows_pasted_over_words_name_each_word_replaced():
    paste = {"edited_rows": {1: {"word": "dog", "d1": 1, "d2": 0, "d3": 0}, 2: {"word": "run", "d1": 0, "d2": 1}}}
    assert replaced({}, paste) == state.Replaced(("cat → dog", "sat → run"), ())


def test_a_word_typed_over_another_is_a_replacement_a_value_is_not():
    assert replaced({}, {"edited_rows": {1: {"word": "dog"}}}).pairs == ("cat → dog",)
    assert not any(replaced({}, {"edited_rows": {1: {"d1": 5}}}))


def test_values_pasted_over_several_words_name_them():
    paste = {"edited_rows": {0: {"d1": 9, "d2": 9}, 1: {"d1": 8}}}
    assert replaced({}, paste) == state.Replaced((), ("the", "cat"))
    same = {"edited_rows": {0: {"d1": 1.0}, 1: {"d1": "0"}}}  # the values they had: nothing overwritten
    assert not any(replaced({}, same))


def test_only_what_the_last_edit_changed_is_a_replacement():
    first = {"edited_rows": {1: {"word": "dog"}}}
    then = {"edited_rows": {1: {"word": "dog"}, 3: {"d1": 2}}}
    assert not any(replaced(first, then))


def test_a_deletion_or_a_new_row_replaces_nothing():
    assert not any(replaced({}, {"deleted_rows": [0]}))  # the rows after it move up: not renamed
    assert not any(replaced({"deleted_rows": [0]}, {"deleted_rows": [0], "edited_rows": {2: {"d1": 3}}}))
    assert not any(replaced({}, {"added_rows": [{"word": "dog", "d1": 1}, {}]}))
    words_only = {"added_rows": [{"word": "dgo"}]}  # a new word's typo fixed: it was no word of the vocabulary
    assert not any(replaced(words_only, {"added_rows": [{"word": "dog"}]}))


# --- properties --------------------------------------------------------------------------------

words_st = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12)
cell_st = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.floats(allow_nan=False, allow_infinity=True, width=64),
    st.text(max_size=6),
    st.integers(-2000, 2000),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), words_st), st.lists(cell_st, min_size=3, max_size=3)), max_size=6))
def test_any_table_reads_as_a_vocabulary_or_named_problems(rows):
    df = pd.DataFrame(
        {
            "word": pd.Series([w for w, _ in rows], dtype=object),
            **{f"d{j + 1}": [c[j] for _, c in rows] for j in range(3)},
        }
    )
    r = state.read_table(df, core.seed_vocabulary())
    if r.vocab is None:
        assert r.errors
    else:
        assert r.errors == ()
        assert np.isfinite(r.vocab.vectors).all()
        assert np.abs(r.vocab.vectors).max() <= state.MAX_ABS_VALUE
        for w in r.vocab.words:
            assert w == state.clean_text(w)[0] and w.strip() == w and w not in ("nan", "None")
    shown = state.editable_table(df)  # what the editor would be given: text words and text cells, or None
    assert shown["word"].dtype == object and len(shown) == len(df)
    cells = [v for c in shown.columns if c != "word" for v in shown[c]]
    assert all(v is None or (isinstance(v, str) and v.strip()) for v in cells)


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp")), min_size=1, max_size=8
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda w: state.clean_text(w)[0],
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_table_round_trip_over_unicode_words(words, seed):
    words = [state.clean_text(w)[0] for w in words]
    vocab = core.random_vocabulary(words, 4, seed)
    r = state.read_table(state.editable_table(state.vocab_to_table(vocab)), vocab)
    assert r.errors == () and r.waiting == ()
    assert r.vocab == vocab


# --- the explained head and cell ---------------------------------------------------------------


def test_a_cell_is_read_from_a_link_and_written_back():
    settings, notices = state.parse_query_params({"cell": "3,1"})
    assert settings.cell == (3, 1) and notices == []
    assert state.to_query_params(settings) == {"cell": "3,1"}


@pytest.mark.parametrize("raw", ["3", "a,b", "0,1", "1,2,3", "-1,2", ""])
def test_a_bad_cell_is_ignored_with_a_notice(raw):
    settings, notices = state.parse_query_params({"cell": raw})
    assert settings.cell is None and keys(notices) == ["notice.param_cell"]


def test_a_cell_outside_the_sentence_is_ignored_with_a_notice():
    settings, notices = state.parse_query_params({"cell": "5,1"})  # the default sentence has 4 tokens
    assert settings.cell is None and keys(notices) == ["notice.cell_outside"]


def test_a_head_past_the_head_count_shows_the_last_head():
    settings, notices = state.parse_query_params({"head": "5", "heads": "3"})
    assert settings.head == 3 and keys(notices) == ["notice.head_clamped"]


def test_temperature_is_written_in_its_shortest_form():
    for raw, value, written in (("0.5", 0.5, "0.5"), ("2", 2.0, "2"), ("0.1000", 0.1, "0.1")):
        settings, _ = state.parse_query_params({"temp": raw})
        assert settings.temp == value and state.to_query_params(settings) == {"temp": written}
    settings, notices = state.parse_query_params({"temp": "nan"})
    assert settings.temp == 1.0 and keys(notices) == ["notice.param_not_real"]


# --- a hostile link: one reader per kind, bounds before work -----------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "key"),
    [
        ("heads", "٣", "notice.param_not_number"),  # Arabic-Indic three: int() would read it
        ("heads", "２", "notice.param_not_number"),  # full-width two
        ("heads", "²", "notice.param_not_number"),  # "²".isdigit() is True, int("²") raises
        ("heads", "1e9", "notice.param_not_number"),  # as step= is: a whole number has no exponent
        ("seed", "9" * 5000, "notice.param_too_long"),
        ("seed", "9" * 30, "notice.param_not_number"),
        ("seed", "1e-400", "notice.param_not_number"),
        ("temp", "1e400", "notice.param_not_real"),
        ("temp", "nan", "notice.param_not_real"),
        ("temp", "1e-400", "notice.param_clamped"),  # 0.0 < 0.05
        ("cell", "²,1", "notice.param_cell"),
        ("cell", "9" * 40 + ",1", "notice.param_cell"),
        ("off", "²", "notice.param_heads"),
        ("off", "1,,2", "notice.param_heads"),
        ("off", ",", "notice.param_heads"),
        ("off", "1,1", "notice.param_heads"),
        ("lang", "x" * 10_000, "notice.param_too_long"),
    ],
)
def test_every_number_is_read_in_ascii_digits_with_one_notice(name, raw, key):
    _, notices = state.parse_query_params({name: raw})
    assert keys(notices) == [key]
    assert all(len(str(v)) <= state.EXCERPT_CHARS + 1 for n in notices for v in n.args.values() if isinstance(v, str))


def test_a_list_of_heads_keeps_the_heads_it_can_read():
    settings, notices = state.parse_query_params({"heads": "4", "off": "1,,3,x,3"})
    assert settings.off == (1, 3) and keys(notices) == ["notice.param_heads"]
    assert notices[0].args["used"] == "1,3"


def test_a_repeated_parameter_takes_the_last_value_with_a_notice():
    settings, notices = state.parse_query_params({"heads": ["2", "9"]})
    assert settings.heads == 9 and notices == [Notice("notice.param_repeated", {"name": "heads", "n": 2})]


def test_a_value_with_a_line_break_is_quoted_on_one_line():
    _, notices = state.parse_query_params({"mode": "x\n===", "x\n===": "1"})
    assert [n.args["value" if "value" in n.args else "name"] for n in notices] == ["x⟨U+000A⟩===", "x⟨U+000A⟩==="]


def test_notices_are_capped_with_a_count():
    _, notices = state.parse_query_params({f"p{i}": "1" for i in range(100)})
    assert len(notices) == state.MAX_NOTICES + 1
    assert notices[-1] == Notice("notice.more", {"n": 100 - state.MAX_NOTICES})


@pytest.mark.parametrize("where", ["sentence", "unknown", "mode"])
def test_a_combining_mark_bomb_is_cut_before_it_is_normalised(where):
    bomb = "a" + "\u0345" * 32_000 + "\u0301" * 32_000  # NFC is quadratic in this: seconds, GIL held
    start = time.perf_counter()
    settings, notices = state.parse_query_params({where: bomb})
    assert time.perf_counter() - start < 0.2
    assert notices and settings.sentence == DEFAULTS.sentence


def test_lookalike_full_width_words_become_one_word_with_a_note():
    settings, notices = state.parse_query_params({"sentence": "ｔｈｅ cat the"})
    assert settings.tokens == ("the", "cat", "the")
    assert keys(notices) == ["notice.param_compat"] and notices[0].args["pairs"] == ("ｔｈｅ → the",)
    assert state.clean_text("ﬁsh").text == "fish"
    assert state.clean_text("¨").text == "¨"  # NFKC would make it a space and a mark: a word stays one word


def test_a_pasted_cell_is_read_in_ascii_digits():
    df = pd.DataFrame({"word": ["a", "b", "c"], "d1": ["٣", "1,5", "1" * 100]})
    reading = state.read_table(df)
    assert [n.args["word"] for n in reading.errors if n.key == "error.cell_not_number"] == ["a", "c"]


def test_a_renamed_word_is_found_by_its_row():
    old = core.seed_vocabulary()
    new = core.Vocabulary(("the", "dog", "sat", "on"), old.vectors)
    assert state.renamed_words(old, new) == {"cat": "dog"}
    swapped = core.Vocabulary(("cat", "the", "sat", "on"), old.vectors)
    assert state.renamed_words(old, swapped) == {}  # a word moved: no rename to follow
    shorter = core.Vocabulary(("the", "sat", "on"), old.vectors[[0, 2, 3]])
    assert state.renamed_words(old, shorter) == {}


def test_a_table_far_past_the_word_limit_is_refused_before_a_row_is_read(monkeypatch):
    cleaned = []
    monkeypatch.setattr(state, "clean_text", lambda text: cleaned.append(text) or state.Cleaned(text, (), ()))
    n = state.MAX_WORDS + state.MAX_BLANK_ROWS + 1
    table = pd.DataFrame({"word": [f"w{i}" for i in range(n)], "d1": 1.0, "d2": 0.0, "d3": 0.0})
    r = state.read_table(table)
    assert keys(r.errors) == ["error.vocab_too_big"] and r.errors[0].args["n"] == n
    assert cleaned == []  # no word was cleaned: the size alone refused it


# --- the grid's values, typed as text and read in the page's language -------------------------
#
# The grid's value columns are text: the browser's number cells read a pasted "2,5" as 25, dropped
# "abc" and emptied "1e999" before Python saw them. Here each form a person types or pastes is read
# as the page's language writes numbers: English with a decimal point, Portuguese and Spanish with a
# decimal comma (and a point too).

COMMA = {lang: Translator(lang).decimal_comma for lang in state.LANGS}
NOT_A_NUMBER, NOT_FINITE = "error.cell_not_number", "error.cell_not_finite"

# typed: what English reads, what a decimal-comma language (pt, es) reads: a number or the error's key
TYPED_FORMS = [
    ("2.5", 2.5, 2.5),
    ("-0.25", -0.25, -0.25),
    (" 2.5 ", 2.5, 2.5),  # spaces around, as a paste from a spreadsheet may have
    ("1e-3", 0.001, 0.001),
    (".5", 0.5, 0.5),
    ("0.500", 0.5, 0.5),  # no thousands reading: 0 is no group
    ("1000", 1000.0, 1000.0),
    ("2,5", "error.cell_comma", 2.5),  # 2.5 or 25 in English?
    ("-0,25", "error.cell_comma", -0.25),
    ("1,5e-3", "error.cell_comma", 0.0015),
    ("1,000", "error.cell_comma", 1.0),  # a thousand in English, one in Portuguese
    ("1,000.5", "error.cell_comma", NOT_A_NUMBER),
    ("1.000", 1.0, "error.cell_point"),  # one in English, a thousand in Portuguese
    ("12.500", 12.5, "error.cell_point"),
    ("1.000,5", "error.cell_comma", NOT_A_NUMBER),
    ("2,5,0", "error.cell_comma", NOT_A_NUMBER),
    ("abc", NOT_A_NUMBER, NOT_A_NUMBER),
    ("a,b", NOT_A_NUMBER, NOT_A_NUMBER),
    ("1 000", NOT_A_NUMBER, NOT_A_NUMBER),
    ("٣", NOT_A_NUMBER, NOT_A_NUMBER),  # ASCII digits only, as a link's numbers
    ("nan", NOT_A_NUMBER, NOT_A_NUMBER),
    ("inf", NOT_FINITE, NOT_FINITE),
    ("-Infinity", NOT_FINITE, NOT_FINITE),
    ("1e999", NOT_FINITE, NOT_FINITE),
    ("1e6", "error.cell_too_big", "error.cell_too_big"),
    ("1" * 30, NOT_A_NUMBER, NOT_A_NUMBER),  # longer than any number (MAX_NUMBER_CHARS)
]


def typed_cell(text: str, lang: str) -> state.TableReading:
    """cat's d1 typed as ``text`` on a page in ``lang``."""
    draft = state.apply_editor_delta(table(), {"edited_rows": {1: {"d1": text}}})
    return state.read_table(draft, core.seed_vocabulary(), decimal_comma=COMMA[lang])


@pytest.mark.parametrize("lang", state.LANGS)
@pytest.mark.parametrize(("typed", "point", "comma"), TYPED_FORMS, ids=[f[0][:8] for f in TYPED_FORMS])
def test_a_typed_value_is_read_in_the_pages_language(lang, typed, point, comma):
    expected = comma if COMMA[lang] else point
    r = typed_cell(typed, lang)
    if isinstance(expected, float):
        assert r.errors == () and r.vocab.vectors[1, 0] == expected
        assert r.vocab.vectors[1].tolist()[1:] == [1.0, 0.0]
    else:
        assert r.vocab is None and keys(r.errors) == [expected]
        assert r.errors[0].args["word"] == "cat" and r.errors[0].args["col"] == "d1"


def test_the_languages_decimal_signs():
    """Each language's decimal sign is its file's locale's: 0.5 as Babel (CLDR) writes it there."""
    for code, language in i18n.languages().items():
        half = babel.numbers.format_decimal(0.5, locale=language.locale)
        assert COMMA[code] is (half == "0,5"), (code, language.locale, half)
        assert half in ("0.5", "0,5"), half  # a decimal sign this app reads (state.read_table)
    assert (COMMA["en"], COMMA["pt"]) == (False, True)  # pt_BR: "0,5"


REFUSED = [
    (lang, typed)
    for lang in state.LANGS
    for typed, point, comma in TYPED_FORMS
    if isinstance(comma if COMMA[lang] else point, str) and len(typed) < 20
]


@pytest.mark.parametrize(("lang", "typed"), REFUSED)
def test_a_refused_value_is_named_with_its_word_and_column_and_what_is_allowed(lang, typed):
    [error] = typed_cell(typed, lang).errors
    text = Translator(lang).notice(error, raw=True)
    assert "“cat”" in text and "d1" in text
    assert f"“{typed}”" in text or error.key == "error.cell_too_big"  # a number too big is not quoted
    assert "1000" in text or "0.5" in text or "0,5" in text  # what is allowed: a range, or an example


def test_english_refuses_a_decimal_comma_saying_it_is_unclear_and_how_to_write_it():
    [error] = typed_cell("2,5", "en").errors
    text = Translator("en").notice(error, raw=True)
    assert text.startswith("“cat”, column d1: “2,5” has a comma")
    assert "thousands" in text and "decimal point" in text and "2.5" in text


def test_not_a_number_gives_an_example_in_the_languages_decimal_sign():
    assert "como 0,5, -1" in Translator("pt").notice(typed_cell("abc", "pt").errors[0], raw=True)
    assert "such as 0.5, -1" in Translator("en").notice(typed_cell("abc", "en").errors[0], raw=True)


@pytest.mark.parametrize("typed", ["", "   ", None, float("nan")])
@pytest.mark.parametrize("lang", state.LANGS)
def test_a_cleared_value_is_empty_in_every_language(typed, lang):
    r = typed_cell(typed, lang)
    assert keys(r.errors) == ["error.cells_empty"] and r.errors[0].args["cols"] == ("d1",)


@pytest.mark.parametrize(
    ("value", "point", "comma"),
    [
        (0.47, "0.47", "0,47"),
        (1.0, "1", "1"),
        (-3.0, "-3", "-3"),
        (0.0, "0", "0"),
        (-0.0, "-0", "-0"),
        (1e-05, "1e-05", "1e-05"),
        (-1.5e-07, "-1.5e-07", "-1,5e-07"),
        (0.1 + 0.2, "0.30000000000000004", "0,30000000000000004"),
        (np.float64(2.5), "2.5", "2,5"),
        (2, "2", "2"),
        (None, None, None),
        (float("nan"), None, None),
        ("abc", "abc", "abc"),  # typed text stays as typed
    ],
)
def test_a_value_is_shown_in_its_shortest_exact_form_with_the_languages_decimal_sign(value, point, comma):
    assert state.cell_text(value) == point
    assert state.cell_text(value, decimal_comma=True) == comma


finite_st = st.floats(-state.MAX_ABS_VALUE, state.MAX_ABS_VALUE, allow_nan=False, allow_subnormal=True)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(finite_st, min_size=3, max_size=3), lang=st.sampled_from(state.LANGS))
def test_what_the_grid_shows_reads_back_to_the_last_bit(values, lang):
    vocab = core.Vocabulary(("a",), np.array([values], dtype=np.float64))
    shown = state.editable_table(state.vocab_to_table(vocab), COMMA[lang])
    r = state.read_table(shown, vocab, decimal_comma=COMMA[lang])  # every cell text, as if each was retyped
    assert r.errors == ()
    assert r.vocab.vectors.tobytes() == vocab.vectors.tobytes()  # -0.0 and subnormals included


def test_a_value_read_in_one_language_stays_itself_in_another():
    draft = state.apply_editor_delta(table(), {"edited_rows": {1: {"d1": "2,5", "d2": "abc"}}})
    kept = state.typed_cells(draft, decimal_comma=True)  # the draft as kept, typed on a page in Portuguese
    assert kept.at[1, "d1"] == 2.5 and kept.at[1, "d2"] == "abc"  # what it cannot read stays as typed
    assert state.editable_table(kept).at[1, "d1"] == "2.5"  # the grid in English shows it with a point
    r = state.read_table(kept, core.seed_vocabulary(), decimal_comma=False)  # and English reads it
    assert keys(r.errors) == [NOT_A_NUMBER] and r.errors[0].args["col"] == "d2"


@pytest.mark.parametrize(
    ("typed", "on", "then", "key"), [("1.000", "pt", "en", "error.cell_point"), ("2,5", "en", "pt", "error.cell_comma")]
)
def test_a_value_refused_as_unclear_stays_refused_in_another_language_until_typed_again(typed, on, then, key):
    """ "1.000" typed in Portuguese may be a thousand: switching to English must not make it one."""
    draft = state.apply_editor_delta(table(), {"edited_rows": {1: {"d1": typed}}})
    kept = state.typed_cells(draft, COMMA[on])
    assert kept.at[1, "d1"] == typed and isinstance(kept.at[1, "d1"], state.Typed)
    assert state.typed_cells(kept, COMMA[then]).at[1, "d1"] is kept.at[1, "d1"]  # read again: left as it is
    r = state.read_table(kept, core.seed_vocabulary(), decimal_comma=COMMA[then])
    assert keys(r.errors) == [key]
    assert state.editable_table(kept, COMMA[then]).at[1, "d1"] == typed  # the grid shows it as typed
    assert type(state.editable_table(kept, COMMA[then]).at[1, "d1"]) is str
    retyped = state.apply_editor_delta(kept, {"edited_rows": {1: {"d1": typed}}})  # typed again on this page
    r = state.read_table(retyped, core.seed_vocabulary(), decimal_comma=COMMA[then])
    assert r.errors == () and r.vocab.vectors[1, 0] == {"1.000": 1.0, "2,5": 2.5}[typed]


def test_typed_text_survives_a_copy_and_a_pickle():
    typed = state.Typed("1.000", True)
    again = pickle.loads(pickle.dumps(typed))
    assert again == "1.000" and again.decimal_comma is True and isinstance(again, state.Typed)
    assert copy.deepcopy(typed).decimal_comma is True


def test_a_huge_cell_costs_what_a_short_one_does():
    """A cell's text is cut by length before it is read: a million spaces, digits or combining marks are refused unread."""
    words = [f"w{i}" for i in range(200)]

    def read(cell):
        column = pd.Series([cell] * 200, dtype=object)  # as the grid's edits arrive: one string, not 200 copies
        df = pd.DataFrame({"word": pd.Series(words, dtype=object), "d1": column, "d2": pd.Series(["1"] * 200)})
        start = time.perf_counter()
        for lang in state.LANGS:
            r = state.read_table(df, decimal_comma=COMMA[lang])
            kept = state.typed_cells(df, COMMA[lang])
            shown = state.editable_table(kept, COMMA[lang])
        return time.perf_counter() - start, r, kept, shown

    short, _, _, _ = read("x")
    for huge in (" " * 10**6 + "1", "1" * 10**6, "2," + "5" * 10**6, "\u0345" * 10**6):
        took, r, kept, shown = read(huge)
        assert took < 5 * short + 0.2, (took, short)  # reading each to the end took seconds
        assert keys(r.errors) == [NOT_A_NUMBER] * 200
        assert r.errors[0].args["value"].endswith("…")  # quoted cut
        assert kept.at[0, "d1"] is huge and shown.at[0, "d1"] is huge  # kept as typed, never cut silently


@pytest.mark.parametrize("lang", state.LANGS)
def test_a_grid_read_in_any_language_keeps_the_word_limit_and_leaves_empty_rows_out(lang):
    comma = COMMA[lang]
    rows = [{"word": f"w{i}", "d1": state.cell_text(0.5, comma), "d2": "0", "d3": "-1"} for i in range(1020)]
    df = state.apply_editor_delta(table(), {"added_rows": [*rows, {}, {"word": " ", "d1": ""}]})
    r = state.read_table(state.editable_table(df, comma), core.seed_vocabulary(), decimal_comma=comma)
    assert r.errors == () and len(r.vocab) == state.MAX_WORDS and r.vocab.vectors[-1].tolist() == [0.5, 0, -1]
    df = state.apply_editor_delta(table(), {"added_rows": [*rows, {"word": "more", "d1": "1", "d2": "1", "d3": "1"}]})
    r = state.read_table(state.editable_table(df, comma), core.seed_vocabulary(), decimal_comma=comma)
    assert keys(r.errors) == ["error.vocab_too_big"]


def test_a_value_retyped_the_same_in_another_form_overwrites_nothing():
    base = table()
    same = {"edited_rows": {0: {"d1": "1,0"}, 1: {"d1": "0,0"}}}  # the values they had, in a comma language
    args = (base, state.editor_row_ids(4, {}), state.apply_editor_delta(base, same), state.editor_row_ids(4, same))
    assert not any(state.replaced_rows(*args, core.seed_vocabulary(), decimal_comma=True))
    assert state.replaced_rows(*args, core.seed_vocabulary(), decimal_comma=False).words == ("the", "cat")
