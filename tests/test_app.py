"""Every page driven by AppTest: defaults, modes, languages, links, bad input, kept edits."""

import numpy as np
import pytest

import core
from tests.conftest import PAGES, assert_clean, chart_frame, chart_spec, charts, run_app
from ui.i18n import CATALOGUE

PAGE_TITLES = {
    "home": "home.title",
    "vocabulary": "vocab.title",
    "self-attention": "sa.title",
    "multi-head": "mh.title",
    "feed-forward": "ff.title",
}


@pytest.mark.parametrize("lang", ["en", "pt"])
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_draws_in_every_mode_and_language(page, mode, lang):
    at = run_app(PAGES[page], mode=mode, lang=lang)
    assert_clean(at)
    assert at.title[0].value == CATALOGUE[PAGE_TITLES[page]][lang]
    assert len(charts(at)) >= 1
    assert not at.warning  # no notices for valid links


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
    weights = chart_frame(charts(at)[1])
    cell = weights[(weights["r"] == 2) & (weights["c"] == 2)]  # sat -> sat
    assert cell["v"].iloc[0] == pytest.approx(0.475367, abs=5e-7)
    sums = weights.groupby("c")["v"].sum()  # the article's softmax: columns sum to 1
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


def test_paper_weights_rows_sum_to_one_for_every_head():
    at = run_app(PAGES["multi-head"], heads=3, preset="random", dim=6, sentence="a b c a")
    assert_clean(at)
    head_charts = charts(at)[:3]
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
    assert len(charts(at)) == 10
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
    assert len(charts(at)) == 10
    assert at.slider(key="w_heads").value == 4
    assert at.number_input(key="w_seed").value == 7


def test_url_parameters_are_applied_to_every_widget():
    at = run_app(PAGES["feed-forward"], mode="tutorial", ffn=7, seed=3, lang="pt", heads=3)
    assert_clean(at)
    assert at.radio(key="w_mode").value == "tutorial"
    assert at.number_input(key="w_ffn").value == 7
    assert at.selectbox(key="w_lang").value == "pt"
    hidden = chart_frame(charts(at)[2])
    assert hidden["c"].max() == 6  # d_ff = 7 columns
    assert hidden["r"].max() == 3 * 4 - 1  # tutorial: 3 stacked copies of 4 tokens


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"heads": "99"}, "heads=99"),
        ({"heads": "abc"}, "heads=abc"),
        ({"ffn": "0"}, "ffn=0"),
        ({"dim": "-5"}, "dim=\\-5"),
        ({"mode": "fancy"}, "mode=fancy"),
        ({"lang": "de"}, "lang=de"),
        ({"sentence": ""}, "sentence"),
        ({"zzz": "1"}, "zzz"),
    ],
)
def test_bad_url_parameters_give_a_notice_not_a_traceback(params, fragment):
    at = run_app(PAGES["multi-head"], **params)
    assert_clean(at)
    assert any(fragment in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(charts(at)) >= 4


def test_clamped_heads_are_used_and_written_back():
    at = run_app(PAGES["multi-head"], heads=99)
    assert at.slider(key="w_heads").value == 16
    assert at.query_params["heads"] in ("16", ["16"])


def test_unknown_words_in_a_link_are_named_and_can_be_added():
    at = run_app(PAGES["vocabulary"], sentence="the dog sat on the mat")
    assert any("dog" in e.value and "mat" in e.value for e in at.error)
    assert at.text_input(key="w_sentence").value == "the dog sat on the mat"  # the typed text is kept
    at.button[0].click().run()
    assert_clean(at)
    frame = chart_frame(charts(at)[0])
    assert frame["r"].max() == 5  # six tokens charted
    assert at.session_state["settings"].sentence == "the dog sat on the mat"


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
    at = run_app(PAGES["vocabulary"])
    at.text_input(key="w_sentence").input(typed).run()
    assert not at.exception
    assert any(fragment in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_input(key="w_sentence").value == typed  # the edit is not lost
    assert at.session_state["settings"].sentence == "the cat sat on"  # the charts keep the last good
    assert chart_frame(charts(at)[0])["r"].max() == 3


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
        for layer in chart_spec(charts(at)[0])["layer"]
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
    first = charts(at)[0]
    spec, data = first.proto.spec, chart_frame(first)["v"].to_numpy()
    at.slider(key="w_heads").set_value(3).run()
    first = charts(at)[0]
    assert first.proto.spec == spec  # the browser keeps its Vega view and only swaps the data
    assert not np.allclose(chart_frame(first)["v"].to_numpy(), data)


def test_a_token_window_brings_back_exact_values_for_long_sentences():
    words = " ".join(f"w{i}" for i in range(100))
    at = run_app(PAGES["self-attention"], preset="random", sentence=words, heads=1)
    at.slider(key="window_sa").set_value((10, 20)).run()
    assert_clean(at)
    weights = chart_frame(charts(at)[5])
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
    assert at.session_state["settings"].heads == 3


def test_edits_survive_page_switches():
    at = run_app("app.py")
    at.switch_page(PAGES["vocabulary"]).run()
    at.selectbox(key="w_preset").set_value("random").run()
    at.text_input(key="w_sentence").input("a rose is a rose").run()
    at.switch_page(PAGES["multi-head"]).run()
    at.slider(key="w_heads").set_value(5).run()
    assert chart_frame(charts(at)[0])["r"].max() == 4  # five tokens
    at.switch_page(PAGES["feed-forward"]).run()
    at.switch_page(PAGES["vocabulary"]).run()
    assert at.text_input(key="w_sentence").value == "a rose is a rose"
    assert at.selectbox(key="w_preset").value == "random"
    at.switch_page(PAGES["multi-head"]).run()
    assert at.slider(key="w_heads").value == 5
    assert_clean(at)


def test_seed_changes_the_weights_and_the_url():
    at = run_app(PAGES["multi-head"])
    before = chart_frame(charts(at)[0])["v"].to_numpy()
    at.number_input(key="w_seed").set_value(5).run()
    after = chart_frame(charts(at)[0])["v"].to_numpy()
    assert not np.allclose(before, after)
    assert at.query_params["seed"] in ("5", ["5"])


def test_width_change_pads_the_table_and_feeds_every_page():
    at = run_app(PAGES["vocabulary"])
    at.number_input(key="w_dim").set_value(5).run()
    assert_clean(at)
    frame = chart_frame(charts(at)[0])
    assert frame["c"].max() == 4


def table_edit_script():
    """Drives the table editor's callback with the record st.data_editor would send."""
    import streamlit as st

    from ui import session

    session.ensure()
    _table, key = session.table_for_editor()
    edit = st.session_state.get("test_edit")
    if edit is not None and not st.session_state.get("test_done"):
        st.session_state[key] = edit
        session.commit_table(key)
        st.session_state["test_done"] = True
    st.write(" ".join(session.vocabulary().words))
    for notice in session.table_errors():
        st.error(notice.key)


def run_table_edit(edit):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(table_edit_script, default_timeout=30)
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
    assert at.markdown[0].value == "the dog sat on cat"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ({"edited_rows": {0: {"d1": "x"}}}, "error.cell_not_number"),
        ({"edited_rows": {0: {"d1": float("nan")}}}, "error.cell_not_number"),
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
    assert at.markdown[0].value == "the cat sat on"
    draft = at.session_state["table_draft"]
    assert draft is not None and len(draft) >= 0  # the typed table is kept to be fixed


def test_renaming_a_word_of_the_sentence_keeps_a_computable_sentence():
    at = run_table_edit({"edited_rows": {1: {"word": "dog"}}})
    assert at.session_state["settings"].sentence == "the sat on"
    assert at.session_state["sentence_draft"] == "the cat sat on"


def test_core_is_not_imported_with_streamlit():
    import sys

    assert "streamlit" not in core.__dict__
    assert all(not name.startswith("streamlit") for name in getattr(core, "__all__", []))
    assert "core" in sys.modules
