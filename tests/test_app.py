"""Every page driven by AppTest: defaults, modes, languages, links, bad input, kept edits."""

import dataclasses

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import (
    PAGES,
    assert_clean,
    chart_frame,
    chart_spec,
    chart_titled,
    chart_titles,
    charts,
    plain,
    run_app,
)
from ui import lesson, session
from ui.i18n import CATALOGUE, Translator
from ui.state import LANGS

PAGE_TITLES = {
    "home": "home.title",
    "vocabulary": "vocab.title",
    "self-attention": "sa.title",
    "multi-head": "mh.title",
    "add-norm": "an.title",
    "feed-forward": "ff.title",
    "train": "train.title",
    "lesson": "lesson.title",
    "decoder": "dec.title",
    "translate": "tr.title",
}


def link_notices(at) -> list:
    """The notices about the link (a value clamped or ignored), not the page's own warnings."""
    return [w for w in at.warning if w.icon == ":material/link:"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_draws_in_every_mode_and_language(page, mode, lang):
    at = run_app(PAGES[page], mode=mode, lang=lang)
    assert_clean(at)
    assert at.title[0].value == CATALOGUE[PAGE_TITLES[page]][lang]
    assert len(charts(at)) >= (0 if page in ("train", "translate") else 1)  # these draw once trained
    assert not link_notices(at)  # no notices for valid links


def test_router_starts_on_home():
    at = run_app("app.py")
    assert_clean(at)
    assert at.title[0].value == CATALOGUE["home.title"]["en"]


@pytest.mark.parametrize("page", ["self-attention", "multi-head", "feed-forward"])
def test_tutorial_note_only_in_tutorial_mode(page):
    badge = CATALOGUE["tutorial.badge"]["en"]
    assert not any(badge in i.value for i in run_app(PAGES[page]).info)
    assert any(badge in i.value for i in run_app(PAGES[page], mode="tutorial").info)


def test_tutorial_shows_the_articles_numbers():
    at = run_app(PAGES["self-attention"], mode="tutorial")
    weights = chart_frame(chart_titled(at, "softmax(E·Eᵀ, axis=0)"))
    cell = weights[(weights["r"] == 2) & (weights["c"] == 2)]  # sat -> sat
    assert cell["v"].iloc[0] == pytest.approx(0.475367, abs=5e-7)
    sums = weights.groupby("c")["v"].sum()  # the article's softmax: columns sum to 1
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


def test_paper_weights_rows_sum_to_one_for_every_head():
    at = run_app(PAGES["multi-head"], heads=3, preset="random", dim=6, sentence="a b c a")
    assert_clean(at)
    # the attention maps: one per head, on the fixed 0-1 weight scale (the per-head outputs are on their own)
    head_charts = [c for c in charts(at) if chart_spec(c).get("title", "").startswith("Head ")]
    head_charts = [c for c in head_charts if chart_frame(c)["c"].max() == chart_frame(c)["r"].max()]
    assert len(head_charts) == 3
    for chart in head_charts:
        frame = chart_frame(chart)
        assert chart_spec(chart)["layer"][0]["encoding"]["color"]["scale"]["domain"] == [0.0, 1.0]
        np.testing.assert_allclose(frame.groupby("r")["v"].sum(), 1.0, rtol=1e-12)


@pytest.mark.parametrize("heads", [1, 2, 5, 16])
def test_one_weight_chart_and_one_output_chart_per_head(heads):
    at = run_app(PAGES["multi-head"], heads=heads, preset="random", dim=8)
    assert_clean(at)
    assert len(charts(at)) == 2 * heads + 2  # weights and outputs per head, concat, W_O output


def test_changing_heads_changes_the_charts_and_the_url():
    at = run_app(PAGES["multi-head"])
    at.slider(key="w_heads").set_value(4).run()
    assert_clean(at)
    assert len(charts(at)) == 2 * 4 + 2
    assert at.query_params["heads"] == ["4"] or at.query_params["heads"] == "4"


def test_cold_deep_link_draws_the_page_with_its_parameters():
    at = run_app(
        PAGES["multi-head"],
        heads=4,
        mode="paper",
        lang="pt",
        sentence="the cat sat on the mat",
        preset="random",
        seed=7,
    )
    assert_clean(at)
    assert at.title[0].value == CATALOGUE["mh.title"]["pt"]
    assert len(charts(at)) == 2 * 4 + 2
    assert at.slider(key="w_heads").value == 4
    assert at.number_input(key="w_seed").value == 7


def test_url_parameters_are_applied_to_every_widget():
    at = run_app(PAGES["feed-forward"], mode="tutorial", ffn=7, seed=3, lang="pt", heads=3)
    assert_clean(at)
    assert at.radio(key="w_mode").value == "tutorial"
    assert at.number_input(key="w_ffn").value == 7
    assert at.selectbox(key="w_lang").value == "pt"
    hidden = chart_frame(chart_titled(at, "max(0, x·W1 + b1)"))
    assert hidden["c"].max() == 6  # d_ff = 7 columns
    assert hidden["r"].max() == 4 - 1  # tutorial: one of the 3 identical stacked copies of 4 tokens
    assert any("12" in plain(i.value) and "3" in plain(i.value) for i in at.info)  # the note names the stack


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"heads": "99"}, "heads=99"),
        ({"heads": "abc"}, "heads=abc"),
        ({"ffn": "0"}, "ffn=0"),
        ({"dim": "-5", "preset": "random"}, "dim=-5"),
        ({"mode": "fancy"}, "mode=fancy"),
        ({"lang": "de"}, "lang=de"),
        ({"sentence": ""}, "sentence"),
        ({"zzz": "1"}, "zzz"),
    ],
)
def test_bad_url_parameters_give_a_notice_not_a_traceback(params, fragment):
    at = run_app(PAGES["multi-head"], **params)
    assert_clean(at)
    assert any(fragment in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    assert len(charts(at)) >= 4


def test_clamped_heads_are_used_and_written_back():
    at = run_app(PAGES["multi-head"], heads=99)
    assert at.slider(key="w_heads").value == 16
    assert at.query_params["heads"] in ("16", ["16"])


def test_unknown_words_in_a_link_are_named_and_can_be_added():
    at = run_app(PAGES["vocabulary"], preset="seed", sentence="the dog sat on the mat")
    assert any("dog" in e.value and "mat" in e.value for e in at.error)
    assert at.text_input(key="w_sentence").value == "the dog sat on the mat"  # the typed text is kept
    at.button[0].click().run()
    assert_clean(at)
    frame = chart_frame(chart_titled(at, "Embeddings of the sentence"))
    assert frame["r"].max() == 5  # six tokens charted
    assert at.session_state[session.SETTINGS_KEY].sentence == "the dog sat on the mat"


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", CATALOGUE["error.sentence_empty"]["en"][:20]),
        ("the " * 600, "600"),
        ("the " + "x" * 40, "32"),
        ("the unicorn", "unicorn"),
    ],
)
def test_bad_sentences_keep_the_last_good_one(typed, fragment):
    at = run_app(PAGES["vocabulary"], preset="seed")
    at.text_input(key="w_sentence").input(typed).run()
    assert not at.exception
    assert any(fragment in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_input(key="w_sentence").value == typed  # the edit is not lost
    assert at.session_state[session.SETTINGS_KEY].sentence == "the cat sat on"  # the charts keep the last good
    assert chart_frame(chart_titled(at, "Embeddings of the sentence"))["r"].max() == 3


def test_discarding_a_bad_sentence_goes_back():
    at = run_app(PAGES["vocabulary"])
    at.text_input(key="w_sentence").input("").run()
    at.button[-1].click().run()
    assert_clean(at)
    assert at.text_input(key="w_sentence").value == "the cat sat on"


def test_random_preset_accepts_any_sentence_and_512_tokens():
    words = " ".join(f"w{i % 300}" for i in range(512))
    at = run_app(PAGES["multi-head"], preset="random", dim=64, heads=8, ffn=256, sentence=words)
    assert_clean(at)
    assert len(charts(at)) == 2 * 8 + 2
    # a 512 x 512 map is drawn as one image, not 262,144 rects
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in chart_spec(chart_titled(at, "Head 1"))["layer"]
    ]
    assert "image" in marks


def test_a_512_token_page_sends_under_a_megabyte_and_specs_hold_no_inline_data():
    words = " ".join(f"w{i % 300}" for i in range(512))
    at = run_app(PAGES["multi-head"], preset="random", dim=64, heads=8, ffn=256, sentence=words)
    assert_clean(at)
    assert sum(c.proto.ByteSize() for c in charts(at)) < 1_000_000
    for chart in charts(at):  # data travels as named Arrow datasets, never inside the spec
        assert all("values" not in layer.get("data", {}) for layer in chart_spec(chart).get("layer", []))


def test_a_new_head_count_keeps_the_first_maps_spec_and_swaps_its_data():
    at = run_app(PAGES["multi-head"])
    first = chart_titled(at, "Head 1")
    spec, data = first.proto.spec, chart_frame(first)["v"].to_numpy()
    at.slider(key="w_heads").set_value(3).run()
    first = chart_titled(at, "Head 1")
    assert first.proto.spec == spec  # the browser keeps its Vega view and only swaps the data
    assert not np.allclose(chart_frame(first)["v"].to_numpy(), data)


def test_a_token_window_brings_back_exact_values_for_long_sentences():
    words = " ".join(f"w{i}" for i in range(100))
    at = run_app(PAGES["self-attention"], preset="random", sentence=words, heads=1)
    at.slider(key="window_sa").set_value((10, 20)).run()
    assert_clean(at)
    weights = chart_frame(charts(at)[chart_titles(at).index("softmax (1)")])
    assert len(weights) == 11 * 11 and "exact" in weights.columns


def test_language_switch_keeps_the_state():
    at = run_app("app.py")
    at.switch_page(PAGES["multi-head"]).run()
    at.slider(key="w_heads").set_value(3).run()
    at.radio(key="w_mode").set_value("tutorial").run()
    at.selectbox(key="w_lang").set_value("pt").run()
    assert_clean(at)
    assert at.title[0].value == CATALOGUE["mh.title"]["pt"]
    assert at.slider(key="w_heads").value == 3
    assert at.radio(key="w_mode").value == "tutorial"
    assert at.session_state[session.SETTINGS_KEY].heads == 3


def test_edits_survive_page_switches():
    at = run_app("app.py")
    at.switch_page(PAGES["vocabulary"]).run()
    at.selectbox(key="w_preset").set_value("random").run()
    at.text_input(key="w_sentence").input("a rose is a rose").run()
    at.switch_page(PAGES["multi-head"]).run()
    at.slider(key="w_heads").set_value(5).run()
    assert chart_frame(chart_titled(at, "Head 1"))["r"].max() == 4  # five tokens
    at.switch_page(PAGES["feed-forward"]).run()
    at.switch_page(PAGES["vocabulary"]).run()
    assert at.text_input(key="w_sentence").value == "a rose is a rose"
    assert at.selectbox(key="w_preset").value == "random"
    at.switch_page(PAGES["multi-head"]).run()
    assert at.slider(key="w_heads").value == 5
    assert_clean(at)


def test_seed_changes_the_weights_and_the_url():
    at = run_app(PAGES["multi-head"])
    before = chart_frame(chart_titled(at, "Head 1"))["v"].to_numpy()
    at.number_input(key="w_seed").set_value(5).run()
    after = chart_frame(chart_titled(at, "Head 1"))["v"].to_numpy()
    assert not np.allclose(before, after)
    assert at.query_params["seed"] in ("5", ["5"])


def test_width_change_pads_the_table_and_feeds_every_page():
    at = run_app(PAGES["vocabulary"])
    at.number_input(key="w_dim").set_value(5).run()
    assert_clean(at)
    frame = chart_frame(chart_titled(at, "Embeddings of the sentence"))
    assert frame["c"].max() == 4


WORDS_LINE = "words: "  # how the table-edit script writes the vocabulary's words


def words_written(at) -> str:
    """The vocabulary's words, as the table-edit script writes them."""
    (line,) = [m.value for m in at.markdown if m.value.startswith(WORDS_LINE)]
    return line.removeprefix(WORDS_LINE)


def table_edit_script():
    """Drives the table editor's callback with the record st.data_editor would send."""
    import streamlit as st

    from ui import session

    session.ensure()
    session.begin_run()
    session.table_for_editor("en")
    edit = st.session_state.get("test_edit")
    if edit is not None and not st.session_state.get("test_done"):
        session.edit_table(edit)
        st.session_state["test_done"] = True
    st.write("words: " + " ".join(session.vocabulary().words))  # WORDS_LINE: the script's globals are its own
    reading = session.table_reading()
    for notice in reading.errors if reading else ():
        st.error(notice.key)


def run_table_edit(edit):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(table_edit_script, default_timeout=30)
    at.query_params["preset"] = "seed"  # the article's table
    at.session_state["test_edit"] = edit
    at.run()
    return at


def test_a_valid_table_edit_becomes_the_vocabulary():
    at = run_table_edit(
        {
            "edited_rows": {1: {"word": "dog"}},
            "added_rows": [{"word": "cat", "d1": 0, "d2": 1, "d3": 0}],
            "deleted_rows": [],
        }
    )
    assert not at.error
    assert words_written(at) == "the dog sat on cat"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ({"edited_rows": {0: {"d1": "x"}}}, "error.cell_not_number"),
        ({"edited_rows": {0: {"d1": float("nan")}}}, "error.cells_empty"),
        ({"edited_rows": {0: {"d1": float("inf")}}}, "error.cell_not_finite"),
        ({"edited_rows": {0: {"word": "cat"}}}, "error.word_duplicate"),
        ({"edited_rows": {0: {"word": "a b"}}}, "error.word_space"),
        ({"edited_rows": {0: {"word": ""}}}, "error.word_empty"),
        ({"deleted_rows": [0, 1, 2, 3]}, "error.vocab_empty"),
    ],
)
def test_a_bad_table_edit_keeps_the_last_good_vocabulary(edit, key):
    at = run_table_edit(edit)
    assert [e.value for e in at.error] == [key]
    assert words_written(at) == "the cat sat on"
    draft = at.session_state[session.TABLE_DRAFT_KEY]
    assert draft is not None and len(draft) == 4 - len(edit.get("deleted_rows", []))  # kept as typed, to be fixed


def test_renaming_a_word_of_the_sentence_renames_it_in_the_sentence():
    at = run_table_edit({"edited_rows": {1: {"word": "dog"}}})
    assert at.session_state[session.SETTINGS_KEY].sentence == "the dog sat on"
    assert at.session_state[session.SENTENCE_DRAFT_KEY] is None


def test_deleting_a_word_of_the_sentence_keeps_a_computable_sentence_and_the_link_keeps_the_typed_one():
    at = run_table_edit({"deleted_rows": [1]})
    assert at.session_state[session.SETTINGS_KEY].sentence == "the sat on"
    assert at.session_state[session.SENTENCE_DRAFT_KEY] == "the cat sat on"
    at = run_app(PAGES["vocabulary"], preset="seed", sentence="the dog sat")
    assert at.session_state[session.SENTENCE_DRAFT_KEY] == "the dog sat"
    assert at.query_params["sentence"] in ("the dog sat", ["the dog sat"])  # what was typed, not a stand-in


# --- the vocabulary page as a person uses it ---------------------------------------------------


def vocab_page(**params) -> AppTest:
    return run_app(PAGES["vocabulary"], **{"preset": "seed", **params})


def editor_key(at) -> str:
    return f"vocab_editor_{at.session_state[session.EDITOR_VERSION_KEY]}"


def vocab_page_script():
    """The vocabulary page, after the grid's edit record in ``test_edits`` (cumulative, as the grid
    sends it) or a button's action in ``test_action`` went through the session, as callbacks do."""
    import runpy

    import streamlit as st

    from tests.conftest import ROOT
    from ui import session

    session.ensure()
    edit = st.session_state.pop("test_edit", None)
    if edit is not None:
        session.edit_table(edit)
    action = st.session_state.pop("test_action", None)
    if action is not None:
        getattr(session, action)()
    runpy.run_path(str(ROOT / "pages" / "1_vocabulary.py"))


def driven_vocab_page(**params):
    at = AppTest.from_function(vocab_page_script, default_timeout=30)
    at.query_params["preset"] = "seed"  # the article's table
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert_clean(at)
    return at


def grid(at, edit=None, action=None):
    """One user step on the grid (or a button), then the rerun it causes."""
    if edit is not None:
        at.session_state["test_edit"] = edit
    if action is not None:
        at.session_state["test_action"] = action
    return at.run()


def infos(at) -> list[str]:
    return [plain(i.value) for i in at.info]


def test_the_editor_keeps_its_key_while_the_user_edits():
    """A new key would rebuild the grid under the user's fingers: the typing of a new row was lost."""
    at = run_app("app.py")
    at.switch_page(PAGES["vocabulary"]).run()
    first = editor_key(at)
    at.text_input(key="w_sentence").set_value("the cat").run()
    assert editor_key(at) == first
    at.switch_page(PAGES["multi-head"]).run()
    at.switch_page(PAGES["vocabulary"]).run()
    assert editor_key(at) != first  # Streamlit dropped the widget's state: a fresh editor from the table


def test_clearing_the_width_box_changes_nothing():
    at = vocab_page(preset="random", dim=5)
    before = chart_frame(chart_titled(at, "Embeddings of the sentence"))
    at.number_input(key="w_dim").set_value(None).run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].dim == 5
    assert at.number_input(key="w_dim").value == 5
    assert chart_frame(chart_titled(at, "Embeddings of the sentence")).equals(before)


def test_clearing_the_seed_box_changes_nothing():
    at = run_app(PAGES["multi-head"], seed=7)
    at.number_input(key="w_seed").set_value(None).run()
    assert at.session_state[session.SETTINGS_KEY].seed == 7
    assert at.number_input(key="w_seed").value == 7


def test_shrinking_the_width_warns_and_growing_it_brings_the_values_back():
    at = vocab_page()  # the article's table, width 3: sat has a 1 in d3
    at.number_input(key="w_dim").set_value(2).run()
    assert_clean(at)
    assert any("d3" in i and "hidden" in i for i in infos(at)), infos(at)
    assert chart_frame(chart_titled(at, "Embeddings of the sentence"))["c"].max() == 1  # two columns
    at.number_input(key="w_dim").set_value(4).run()
    vocab = at.session_state[session.CUSTOM_VOCAB_KEY]
    np.testing.assert_array_equal(vocab.vectors[2], [0, 0, 1, 0])  # sat's d3 is back, d4 is new
    assert any("back" in i for i in infos(at)), infos(at)


def test_a_zero_width_character_in_the_sentence_is_removed_with_a_note():
    at = vocab_page()
    at.text_input(key="w_sentence").set_value("the\u200b cat sat").run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].sentence == "the cat sat"
    assert any("U+200B ZERO WIDTH SPACE" in i for i in infos(at)), infos(at)
    assert at.text_input(key="w_sentence").value == "the cat sat"


def test_the_unknown_words_of_a_long_sentence_are_listed_up_to_a_limit():
    words = " ".join(f"w{i}" for i in range(500))
    at = vocab_page()
    at.text_input(key="w_sentence").set_value(words).run()
    message = plain(at.error[0].value)
    assert "w0, w1" in message and "w7" in message and "w8," not in message
    assert "and 492 more" in message


def test_one_token_is_singular():
    at = vocab_page()
    at.text_input(key="w_sentence").set_value("cat").run()
    assert any(c.value.startswith("1 token:") for c in at.caption)


def test_a_bidi_override_in_a_link_cannot_reorder_the_notice():
    at = run_app(PAGES["multi-head"], heads="\u202e99")
    texts = [w.value for w in at.warning]
    assert not any("\u202e" in t for t in texts), texts
    assert any("U+202E" in plain(t) for t in texts), texts


def test_a_new_row_waits_for_its_word_and_values_then_joins():
    at = driven_vocab_page()
    key = editor_key(at)
    grid(at, {"added_rows": [{}]})  # the click on the last row
    assert_clean(at)
    assert editor_key(at) == key  # the grid is not rebuilt: the typing goes on
    assert not at.info and not at.error and not at.warning  # an empty row is no problem, said nowhere
    assert at.session_state[session.TABLE_DRAFT_KEY] is None
    grid(at, {"added_rows": [{"word": "dog"}]})
    assert_clean(at)
    assert len(at.info) == 1 and "“dog”: 3 of 3 values are still empty" in infos(at)[0]
    assert "nan" not in at.session_state[session.TABLE_DRAFT_KEY]["word"].tolist()
    grid(at, action="fill_empty_cells")
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words == ("the", "cat", "sat", "on", "dog")
    at.text_input(key="w_sentence").set_value("the dog sat on").run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].sentence == "the dog sat on"


def test_a_new_row_typed_in_full_is_used_without_any_button():
    at = driven_vocab_page()
    grid(at, {"added_rows": [{"word": "dog", "d1": 0.5}]})
    grid(at, {"added_rows": [{"word": "dog", "d1": 0.5, "d2": 1, "d3": 0}]})
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words[-1] == "dog"
    assert at.session_state[session.TABLE_DRAFT_KEY] is None and not at.info


def test_a_paste_ending_in_a_line_break_adds_its_words_and_nothing_else():
    at = driven_vocab_page()
    grid(at, {"added_rows": [{"word": "dog", "d1": 1, "d2": 0, "d3": 0}, {}]})  # "dog\t1\t0\t0\n"
    assert_clean(at)
    assert not at.info and not at.error and not at.warning
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words == ("the", "cat", "sat", "on", "dog")
    assert at.session_state[session.TABLE_DRAFT_KEY] is None


PASTE_OVER_CAT_AND_SAT = {"edited_rows": {1: {"word": "dog", "d1": 1, "d2": 0, "d3": 0}, 2: {"word": "run"}}}


def buttons(at) -> list[str]:
    return [b.label for b in at.button]


def test_rows_pasted_over_words_say_what_they_replaced_and_can_be_undone():
    at = driven_vocab_page()
    grid(at, PASTE_OVER_CAT_AND_SAT)
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words == ("the", "dog", "run", "on")
    assert at.session_state[session.SETTINGS_KEY].sentence == "the dog run on"  # the renamed words follow
    assert infos(at) == [
        "Replaced: cat → dog, sat → run. To bring the previous words back, with their values and the sentence "
        "as it was, click “Undo the replacement”."
    ]
    assert buttons(at) == ["Undo the replacement"]
    at.button[0].click().run()
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None  # the article's table, as before the paste
    assert at.session_state[session.SETTINGS_KEY].sentence == "the cat sat on"
    assert not at.info and buttons(at) == []


def test_the_next_edit_takes_the_replacement_note_away():
    at = driven_vocab_page()
    grid(at, {"edited_rows": {1: {"word": "dog"}}})  # a word typed over cat
    assert any(i.startswith("Replaced: cat → dog.") for i in infos(at)), infos(at)
    grid(at, {"edited_rows": {1: {"word": "dog"}, 3: {"d1": 2}}})  # then a value typed
    assert_clean(at)
    assert not at.info and buttons(at) == []
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words == ("the", "dog", "sat", "on")


def test_undoing_a_replacement_keeps_the_edit_in_progress_before_it():
    at = driven_vocab_page()
    grid(at, {"added_rows": [{"word": "bird"}]})  # a new word, its values still to type
    grid(at, {"added_rows": [{"word": "bird"}], **PASTE_OVER_CAT_AND_SAT})
    assert any(i.startswith("Replaced: cat → dog, sat → run.") for i in infos(at)), infos(at)
    assert any("“bird”: 3 of 3 values are still empty" in i for i in infos(at)), infos(at)
    [undo] = [b for b in at.button if b.label == "Undo the replacement"]
    undo.click().run()
    assert_clean(at)
    assert at.session_state[session.TABLE_DRAFT_KEY]["word"].tolist() == ["the", "cat", "sat", "on", "bird"]
    assert infos(at) == [
        "Row 5, “bird”: 3 of 3 values are still empty, so the word is not used yet. "
        "Type them, or fill them with the button below."
    ]
    assert at.session_state[session.EDITOR_BASE_KEY]["word"].tolist() == [
        "the",
        "cat",
        "sat",
        "on",
        "bird",
    ]  # the grid too


def test_a_replacement_that_leaves_a_problem_is_undone_by_the_one_button():
    at = driven_vocab_page()
    grid(at, {"edited_rows": {1: {"word": "sat"}}})  # cat typed over with a word the table has
    assert any(i.startswith("Replaced: cat → sat.") for i in infos(at)), infos(at)
    assert [plain(e.value).split(":")[0] for e in at.error] == ["Row 3"]
    assert buttons(at) == ["Undo the replacement"]  # one way back, not two
    assert [w.value for w in at.warning] == [
        "The charts still use the last valid table. Fix what is named above, or undo the replacement."
    ]
    at.button[0].click().run()
    assert_clean(at)
    assert not at.error and at.session_state[session.TABLE_DRAFT_KEY] is None


def test_the_replacement_note_is_in_the_pages_language():
    at = AppTest.from_function(vocab_page_script, default_timeout=30)
    at.query_params["preset"] = "seed"
    at.query_params["lang"] = "pt"
    at.run()
    grid(at, PASTE_OVER_CAT_AND_SAT)
    assert_clean(at)
    assert infos(at)[0].startswith("Substituído: cat → dog, sat → run.")
    assert buttons(at) == ["Desfazer a substituição"]


def test_deleting_every_row_keeps_the_page_and_offers_the_last_table():
    at = driven_vocab_page()
    grid(at, {"deleted_rows": [0, 1, 2, 3]})
    assert not at.exception
    assert [plain(e.value).split(".")[0] for e in at.error] == ["The vocabulary needs at least one word"]
    assert "Embeddings of the sentence" in chart_titles(at)[0]  # the last good table still computes
    restore = [b for b in at.button if b.label == "Restore the last valid table"]
    assert restore
    restore[0].click().run()
    assert_clean(at)
    assert at.session_state[session.TABLE_DRAFT_KEY] is None
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None  # back to the article's table


def test_an_empty_draft_draws_after_a_page_switch():
    """The grid forgets its edits when it leaves the screen: it is rebuilt from the draft, 0 rows included."""
    at = driven_vocab_page()
    grid(at, {"deleted_rows": [0, 1, 2, 3]})
    at.session_state[session.RUN_KEY] = at.session_state[session.RUN_KEY] + 5  # as if other pages ran in between
    at.run()
    assert not at.exception
    assert at.session_state[session.EDITOR_BASE_KEY].shape == (0, 4)


def test_shrinking_the_width_keeps_an_edit_in_progress():
    at = driven_vocab_page()
    grid(at, {"edited_rows": {0: {"d1": "x"}}})
    at.number_input(key="w_dim").set_value(2).run()
    assert not at.exception
    draft = at.session_state[session.TABLE_DRAFT_KEY]
    assert list(draft.columns) == ["word", "d1", "d2"] and draft.at[0, "d1"] == "x"


# --- the grid's values: text, read in the page's language ----------------------------------------


def errors(at) -> list[str]:
    return [plain(e.value) for e in at.error]


def link_vocab(at) -> str:
    value = at.query_params.get("vocab")
    return value[-1] if isinstance(value, list) else value


def shown(at, row: int, col: str) -> str | None:
    """What the grid shows in a cell: the text the editor was given."""
    return at.session_state[session.EDITOR_GRID_KEY].at[row, col]


def test_a_decimal_comma_typed_in_portuguese_is_the_decimal_sign():
    at = driven_vocab_page(lang="pt")
    assert shown(at, 1, "d1") == "0"
    grid(at, {"edited_rows": {1: {"d1": "2,5"}}})  # cat's d1, as the grid sends a typed or pasted "2,5"
    assert_clean(at)
    assert not at.info and not at.warning
    assert at.session_state[session.CUSTOM_VOCAB_KEY].vectors[1].tolist() == [2.5, 1, 0]
    assert "cat:2.5,1,0" in link_vocab(at)  # the link holds the value itself
    grid(at, {"edited_rows": {1: {"d1": "2,5"}, 2: {"d2": "-0.75"}}})  # a decimal point is read too
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].vectors[2].tolist() == [0, -0.75, 1]


def test_a_decimal_comma_typed_in_english_is_refused_naming_the_cell_and_what_to_type():
    at = driven_vocab_page()
    grid(at, {"edited_rows": {1: {"d1": "2,5"}}})
    assert not at.exception
    assert errors(at) == [
        "“cat”, column d1: “2,5” has a comma, which in English separates thousands (1,000), not decimals: "
        "the number is unclear. Type it with a decimal point and no comma, such as 2.5 or 1000."
    ]
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None  # the article's table: nothing read as 25
    assert [w.value for w in at.warning] == [
        "The charts still use the last valid table. Fix what is named above, or restore the last valid table."
    ]
    assert buttons(at) == ["Restore the last valid table"]
    at.session_state[session.RUN_KEY] = at.session_state[session.RUN_KEY] + 5  # the grid left the screen and comes back
    at.run()
    assert shown(at, 1, "d1") == "2,5"  # the edit to fix is shown as typed, not lost
    grid(at, {"edited_rows": {1: {"d1": "2.5"}}})
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].vectors[1].tolist() == [2.5, 1, 0]


@pytest.mark.parametrize("lang", ["en", "pt"])
@pytest.mark.parametrize("typed", ["abc", "1e999", "nan", "inf"])
def test_what_is_no_finite_number_is_refused_naming_the_word_and_column(lang, typed):
    at = driven_vocab_page(lang=lang)
    grid(at, {"edited_rows": {2: {"d3": typed}}})
    assert not at.exception
    [error] = errors(at)
    assert error.startswith("“sat”, " + {"en": "column", "pt": "coluna"}[lang] + f" d3: “{typed}”"), error
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None


def test_the_grid_shows_a_linked_table_in_the_pages_decimal_sign_and_keeps_it_to_the_last_digit():
    vocab = "the:0.30000000000000004,1e-05,-0;cat:0.47,-2,1000"
    for lang, values in (
        ("en", ["0.30000000000000004", "1e-05", "-0"]),
        ("pt", ["0,30000000000000004", "1e-05", "-0"]),
    ):
        at = driven_vocab_page(lang=lang, vocab=vocab, sentence="the cat")
        assert [shown(at, 0, c) for c in ("d1", "d2", "d3")] == values
        assert shown(at, 1, "d1") == {"en": "0.47", "pt": "0,47"}[lang]
        grid(at, {"edited_rows": {1: {"d2": "-3"}}})  # an edit elsewhere: the rest is read back from the grid
        assert_clean(at)
        assert link_vocab(at) == "the:0.30000000000000004,1e-05,-0;cat:0.47,-3,1000"


def test_a_language_switch_keeps_what_was_read_and_what_was_refused():
    at = driven_vocab_page(lang="pt")
    grid(at, {"edited_rows": {1: {"d1": "2,5"}, 2: {"d1": "1.000"}}})  # 2.5, and 1.000: one, or a thousand?
    assert [e.split(":")[0] for e in errors(at)] == ["“sat”, coluna d1"]
    assert "em português o ponto separa milhares" in errors(at)[0]
    at.selectbox(key="w_lang").set_value("en").run()
    assert not at.exception
    assert [shown(at, r, "d1") for r in (1, 2)] == ["2.5", "1.000"]  # 2.5 in English; the unclear one as typed
    assert errors(at) == [
        "“sat”, column d1: “1.000” is unclear: it was typed in a language that writes a decimal comma, where a "
        "point between groups of three digits separates thousands (1.000 for a thousand). Type it again without "
        "a thousands separator, such as 1.5 or 1000."
    ]
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None  # nothing became one behind the user's back
    grid(at, {"edited_rows": {2: {"d1": "1000"}}})
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY].vectors[1:3, 0].tolist() == [2.5, 1000]


# --- the encoder block's settings ---------------------------------------------------------------

BLOCK_SETTINGS = [
    {"pe": "none"},
    {"mask": "causal"},
    {"scale": "none"},
    {"temp": "0.5"},
    {"norm": "pre"},
    {"norm": "none"},
]


@pytest.mark.parametrize("params", BLOCK_SETTINGS, ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_draws_with_every_block_setting(page, mode, params):
    at = run_app(PAGES[page], mode=mode, **params)
    assert_clean(at)
    assert (charts(at) or page in ("train", "translate")) and not link_notices(at)
    assert all(at.query_params[k] in (v, [v]) for k, v in params.items())  # the link keeps the setting


def test_a_causal_mask_draws_masked_cells_and_rows_still_sum_to_one():
    at = run_app(PAGES["self-attention"], mask="causal")
    assert_clean(at)
    frame = chart_frame(charts(at)[chart_titles(at).index("softmax (1)")])
    upper = frame[frame["c"] > frame["r"]]
    assert len(upper) == 6 and upper["masked"].all()  # 4 tokens: 6 cells above the diagonal
    lower = frame[frame["c"] <= frame["r"]]
    np.testing.assert_allclose(lower.groupby("r")["v"].sum(), 1.0, rtol=1e-12)


def test_the_block_settings_are_disabled_in_tutorial_mode_with_a_reason():
    at = run_app(PAGES["multi-head"], mode="tutorial")
    assert at.selectbox(key="w_pe").disabled and at.number_input(key="w_temp").disabled
    assert any("paper mode" in c.value for c in at.sidebar.caption)
    at = run_app(PAGES["multi-head"])
    assert not at.selectbox(key="w_pe").disabled


def test_positional_encoding_makes_two_copies_of_a_word_differ():
    at = run_app(PAGES["vocabulary"], preset="seed", sentence="the cat sat on the cat")
    assert_clean(at)
    titles = chart_titles(at)
    x = chart_frame(charts(at)[titles.index("X = E + PE (6 × 3)")])
    first, second = (x[x["r"] == r].sort_values("c")["v"].to_numpy() for r in (0, 4))  # the two 'the'
    assert not np.allclose(first, second)
    e = chart_frame(chart_titled(at, "Embeddings of the sentence"))
    np.testing.assert_array_equal(*(e[e["r"] == r].sort_values("c")["v"].to_numpy() for r in (0, 4)))


def test_add_norm_rows_have_mean_zero_and_spread_one():
    at = run_app(PAGES["add-norm"], preset="random", dim=6, sentence="a b c")
    assert_clean(at)
    normed = chart_frame(charts(at)[chart_titles(at).index("LayerNorm(x + MultiHead(x))")])
    by_row = normed.groupby("r")["v"]
    np.testing.assert_allclose(by_row.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(by_row.std(ddof=0), 1, rtol=1e-4)  # eps = 1e-5 in the variance


# --- explaining one cell -----------------------------------------------------------------------


def markdown_numbers(at) -> str:
    return " ".join(plain(m.value) for m in at.markdown)


@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_cell_from_the_link_is_explained_with_the_maps_numbers(mode, lang):
    at = run_app(PAGES["self-attention"], mode=mode, lang=lang, cell="3,2", mask="causal")
    assert_clean(at)
    titles = chart_titles(at)
    weights = chart_frame(charts(at)[titles.index("softmax (1)" if mode == "paper" else "softmax(E·Eᵀ, axis=0)")])
    w32 = weights[(weights["r"] == 2) & (weights["c"] == 1)]["v"].item()
    text = markdown_numbers(at)
    shown = f"{w32:.4f}"  # step 4 ends on the weights map's cell, written as the page's tooltips write it
    assert f"**{shown.replace('.', ',') if Translator(lang).decimal_comma else shown}**" in text
    assert at.session_state[session.SETTINGS_KEY].cell == (3, 2)


def test_the_articles_sat_to_sat_weight_is_derived():
    at = run_app(PAGES["self-attention"], mode="tutorial", cell="3,3")
    assert_clean(at)
    assert "**0.4754**" in markdown_numbers(at)  # the article's printed 0.475367


def test_picking_a_query_and_a_key_explains_the_cell_and_puts_it_in_the_link():
    at = run_app(PAGES["self-attention"])
    assert "Click a cell" in " ".join(c.value for c in at.caption)
    at.selectbox(key="w_cell_q").select(4).run()
    assert at.session_state[session.SETTINGS_KEY].cell == (4, 4)
    at.selectbox(key="w_cell_k").select(1).run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].cell == (4, 1)
    assert at.query_params["cell"] in ("4,1", ["4,1"])
    [close] = [b for b in at.button if b.label == "Close the explanation"]
    close.click().run()
    assert at.session_state[session.SETTINGS_KEY].cell is None


def test_a_masked_cell_says_so():
    at = run_app(PAGES["self-attention"], mask="causal", cell="1,4")
    assert_clean(at)
    assert any("causal mask hides" in plain(w.value) for w in at.warning)


# --- what each head does, heads switched off ---------------------------------------------------


def test_the_heads_roles_are_the_weights_maps_averages():
    at = run_app(PAGES["multi-head"], heads=2, preset="random", dim=8, sentence="a b c d e")
    assert "What each head does" not in chart_titles(at)  # random weights: the analysis waits to be asked
    at.toggle(key="mh_analyse").set_value(True).run()
    assert_clean(at)
    titles = chart_titles(at)
    roles = chart_frame(charts(at)[titles.index("What each head does")])
    head1 = chart_frame(charts(at)[titles.index("Head 1")])
    w = head1.pivot(index="r", columns="c", values="v").to_numpy()
    previous = roles[(roles["r"] == 0) & (roles["c"] == 0)]["v"].item()
    assert previous == pytest.approx(np.mean([w[i, i - 1] for i in range(1, 5)]), rel=1e-12)
    assert any("random" in plain(i.value) for i in at.info)


def test_switching_a_head_off_from_the_link_shows_what_changes():
    at = run_app(PAGES["multi-head"], heads=3, off="2")
    assert_clean(at)
    assert at.multiselect(key="w_off").value == [2]
    assert "Output with heads 2 off" in chart_titles(at)
    at.multiselect(key="w_off").set_value([]).run()
    assert "off" not in at.query_params
    assert "Output with heads 2 off" not in chart_titles(at)


def test_heads_off_outside_the_model_are_dropped_with_a_notice():
    at = run_app(PAGES["multi-head"], heads=2, off="1,5")
    assert at.session_state[session.SETTINGS_KEY].off == (1,)
    assert any("5" in plain(w.value) for w in at.warning)


# --- training ------------------------------------------------------------------------------------


def test_training_from_the_page_shows_the_loss_the_accuracy_and_the_trained_heads():
    at = run_app(PAGES["train"], preset="random", dim=8, sentence="a b c d e f", heads=2, steps=30, task="previous")
    assert_clean(at)
    assert not charts(at)
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run(timeout=120)
    assert_clean(at)
    titles = chart_titles(at)
    assert "Training loss (cross-entropy)" in titles and "Head 1" in titles and "Head 2" in titles
    accuracy = at.metric[0].value
    assert accuracy.endswith("%") and 0 <= float(accuracy[:-1]) <= 100
    assert any("Head 1 off" in plain(m.value) for m in at.markdown)
    again = run_app(PAGES["train"], preset="random", dim=8, sentence="a b c d e f", heads=2, steps=30, task="previous")
    assert "Training loss (cross-entropy)" in chart_titles(again)  # the same link: trained already, no button
    assert again.metric[0].value == accuracy


def test_the_articles_table_suggests_a_set_up_that_trains_well():
    at = run_app(PAGES["train"], preset="seed", heads=2)  # 4 words of width 3: d_k = 1
    assert any("d_k = 1" in plain(w.value) for w in at.warning)
    [setup] = [b for b in at.button if b.label.startswith("Set up 10 random words")]
    setup.click().run()
    s = at.session_state[session.SETTINGS_KEY]
    assert (s.preset, s.dim, len(s.tokens)) == ("random", 16, 10)
    assert not at.warning


def test_training_is_for_paper_mode():
    at = run_app(PAGES["train"], mode="tutorial")
    assert_clean(at)
    assert any("paper mode" in plain(i.value) for i in at.info)
    assert not [b for b in at.button if b.label == "Train"]


TRAINED = {"weights": "trained", "preset": "random", "dim": 8, "sentence": "a b c d e f", "steps": 40}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", [p for p in PAGES if p != "home"])
def test_every_page_draws_the_trained_block(page, lang):
    at = run_app(PAGES[page], lang=lang, **TRAINED)
    assert_clean(at)
    assert not link_notices(at)
    if page == "translate":  # it trains its own model, on its button: charts once this process has trained it
        idle = CATALOGUE["tr.idle"][lang].split("{")[0].strip()
        assert charts(at) or any(plain(c.value).startswith(idle) for c in at.caption)
    else:
        assert charts(at)


def test_trained_weights_are_the_ones_train_made_and_differ_from_random():
    from ui import compute, state

    trained_settings, _ = state.parse_query_params({k: str(v) for k, v in TRAINED.items()})
    vocab = state.preset_vocabulary(trained_settings)
    key = compute.PassKey.of(trained_settings, vocab)
    result = compute.current_pass(trained_settings, vocab)
    trained = compute.train(key.trained, vocab)
    np.testing.assert_array_equal(result.params.w_q, trained.params.attention.w_q)
    random = compute.current_pass(dataclasses.replace(trained_settings, weights="random"), vocab)
    assert not np.array_equal(random.params.w_q, result.params.w_q)


def test_the_train_page_offers_its_heads_to_every_page():
    at = run_app(PAGES["train"], **{**TRAINED, "weights": "random", "seed": 91})  # a seed no other test trains
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run(timeout=120)
    [show] = [b for b in at.button if b.label == "Show these heads on every page"]
    show.click().run()
    assert at.session_state[session.SETTINGS_KEY].weights == "trained"
    assert at.query_params["weights"] in ("trained", ["trained"])


def test_with_trained_weights_switching_a_head_off_shows_the_accuracy_core_measures():
    from ui import compute, state

    params = {**TRAINED, "heads": 2, "off": "2", "seed": 17}
    at = run_app(PAGES["multi-head"], **params)
    assert_clean(at)
    settings, _ = state.parse_query_params({k: str(v) for k, v in params.items()})
    vocab = state.preset_vocabulary(settings)
    key = compute.TrainKey.of(settings, vocab)
    result = compute.train(key, vocab)
    ablation = compute.ablation(key, result, vocab)  # the same held-out sentences
    expected = f"{100 * ablation.accuracy:.0f}% → {100 * ablation.head_off[1]:.0f}%"
    assert any(expected in plain(i.value) for i in at.info), [plain(i.value) for i in at.info]


def test_the_default_paper_view_shows_heads_that_differ():
    """The first view a newcomer meets: d_model splits evenly into heads of d_k >= 2, the concatenation
    is d_model wide, and the two heads' maps are not copies of each other."""
    from ui import compute, state

    at = run_app(PAGES["multi-head"])
    assert_clean(at)
    s = at.session_state[session.SETTINGS_KEY]
    vocab = state.preset_vocabulary(s)
    result = compute.current_pass(s, vocab)
    H, d_k = result.params.n_heads, result.params.d_k
    assert d_k >= 2 and H * d_k == vocab.dim
    assert chart_frame(chart_titled(at, "concat"))["c"].max() + 1 == vocab.dim
    maps = [chart_frame(c) for c in charts(at) if chart_spec(c).get("title") in ("Head 1", "Head 2")][:2]
    assert not np.allclose(maps[0]["v"], maps[1]["v"], atol=0.05)
    similarity = compute.head_roles(result, s)[1][0, 1]
    assert similarity < 0.9  # the article's table with two heads of d_k = 1 gave 0.94


def test_the_articles_table_is_tutorial_modes_own_and_one_click_away():
    at = run_app(PAGES["vocabulary"], mode="tutorial")
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].vocab_preset == "seed"
    assert chart_titled(at, "Embeddings of the sentence, E (4 × 3)")
    at = run_app(PAGES["vocabulary"])
    assert at.selectbox(key="w_preset").value == "random"
    at.selectbox(key="w_preset").set_value("seed").run()
    assert_clean(at)
    assert chart_titled(at, "Embeddings of the sentence, E (4 × 3)")


def test_switching_to_tutorial_keeps_a_sentence_the_articles_table_lacks():
    at = run_app(PAGES["vocabulary"], sentence="a rose is a rose")
    at.radio(key="w_mode").set_value("tutorial").run()
    assert_clean(at)
    s = at.session_state[session.SETTINGS_KEY]
    assert s.mode == "tutorial" and s.sentence == "a rose is a rose" and s.preset == "random"
    at = run_app(PAGES["vocabulary"])  # the default sentence: every word is in the article's table
    at.radio(key="w_mode").set_value("tutorial").run()
    assert at.session_state[session.SETTINGS_KEY].preset is None
    assert chart_titled(at, "Embeddings of the sentence, E (4 × 3)")


def test_a_head_count_that_does_not_divide_d_model_says_what_the_paper_requires():
    at = run_app(PAGES["multi-head"], heads=3)  # d_model 8
    assert_clean(at)
    said = [plain(i.value) for i in at.info if "d_k = d_v = d_model / h" in plain(i.value)]
    assert len(said) == 1 and "8 / 3" in said[0] and "is 6 wide instead of 8" in said[0]
    assert not [i for i in run_app(PAGES["multi-head"], heads=4).info if "d_model / h" in plain(i.value)]


@pytest.mark.parametrize("lang", ["pt", "es"])
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
def test_chart_titles_on_self_attention_speak_the_page_language(lang, mode):
    at = run_app(PAGES["self-attention"], lang=lang, mode=mode)
    titles = [title for title in chart_titles(at) if isinstance(title, str)]
    assert titles and not [title for title in titles if "weights" in title]  # "pesos · V (1)", "pesos · E"
    assert any(title.startswith("pesos · ") for title in titles)


def multi_head_intro(mode: str) -> str:
    """The introduction /multi-head shows in ``mode``: the paper's or the article's, and only one."""
    t = Translator("en")
    intros = (t("mh.intro"), t("mh.intro_tutorial"))
    (shown,) = [m.value for m in run_app(PAGES["multi-head"], mode=mode).markdown if m.value in intros]
    return shown


def test_tutorial_multi_head_intro_gives_the_paper_its_projections_and_the_article_copies():
    paper, tutorial = (multi_head_intro(m) for m in ("paper", "tutorial"))
    assert "each with its own W_Q" in paper and "copies" not in paper
    assert tutorial.startswith("In the paper,") and "copies" in tutorial


def test_one_head_or_one_token_is_counted_in_the_singular():
    """A count of 1 picks the singular form (ui/locales/*.po's plural entries), on the pages that show it."""
    mh = run_app(PAGES["multi-head"], mode="tutorial", heads=1)
    assert any(h.value.startswith("np.concatenate of 1 copy: ") for h in mh.subheader)
    assert any("calls self-attention 1 time on the embeddings" in plain(i.value) for i in mh.info)
    assert any(plain(c.value).startswith("1 head: its output is the whole concatenation") for c in mh.caption)
    assert not any("repeats the first" in plain(c.value) for c in mh.caption)  # nothing is repeated
    ff = run_app(PAGES["feed-forward"], mode="tutorial", heads=1, sentence="cat")
    assert any("output as it is (1 copy, 1 × d" in plain(i.value) for i in ff.info)
    sa = run_app(PAGES["self-attention"], sentence="cat", cell="1,1")
    assert any("its score for 1 key, the sentence's only one" in plain(m.value) for m in sa.markdown)
    dec = run_app(PAGES["decoder"], heads=1)
    assert any("h = 1 head of d_k" in plain(c.value) for c in dec.caption)
    for at in (mh, ff, sa, dec):
        assert_clean(at)


@pytest.mark.parametrize("lang", LANGS)
def test_home_sends_newcomers_to_the_lesson_before_the_screens_and_the_diagrams(lang):
    at = run_app(PAGES["home"], lang=lang)
    t = Translator(lang)
    texts = [getattr(e, "value", "") or "" for e in at.main]  # the page's elements in order
    lesson_at = next(i for i, v in enumerate(texts) if v.startswith(t("home.lesson", n=lesson.COUNT)[:30]))
    explore_at = next(i for i, v in enumerate(texts) if v == t("home.start_body"))
    diagram_at = next(i for i, v in enumerate(texts) if v == t("home.transformer"))
    assert lesson_at < explore_at < diagram_at


def test_home_folds_the_block_settings_that_the_screens_show_open():
    home, screen = run_app(PAGES["home"]), run_app(PAGES["self-attention"])
    [folded] = [e for e in home.sidebar.expander if e.label == "The encoder block"]
    assert {s.label for s in folded.selectbox} >= {"Weights", "Mask"}  # inside the fold
    assert not [e for e in screen.sidebar.expander if e.label == "The encoder block"]
    assert {s.label for s in screen.sidebar.selectbox} >= {"Weights", "Mask"}


def test_a_sentence_waiting_for_a_word_is_used_once_the_grid_adds_it():
    at = AppTest.from_function(vocab_page_script, default_timeout=30)
    at.query_params.update({"preset": "seed", "sentence": "the cat sat on dog"})  # dog: not in the article's table
    at.run()
    assert at.session_state[session.SENTENCE_DRAFT_KEY] == "the cat sat on dog" and at.error
    grid(at, {"added_rows": [{"word": "dog", "d1": 0.5, "d2": 1, "d3": -0.25}]})  # as the message asks
    assert_clean(at)
    assert not at.error and at.session_state[session.SENTENCE_DRAFT_KEY] is None
    assert at.session_state[session.SETTINGS_KEY].sentence == "the cat sat on dog"
