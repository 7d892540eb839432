"""/translate with AppTest: train the translator through its button, decode a sentence step by step, edit
the lexicon, carry it in a link, and the messages for words, sentences and trainings the page cannot take."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core
from tests.conftest import PAGES, assert_clean, chart_frame, chart_titles, charts, plain, run_app
from ui import jobs, session, share, state, translation
from ui.i18n import CATALOGUE, Translator

PAGE = PAGES["translate"]
# The translation tests share one default training (~1 s): one seed, found cached after the first.
TRAINED = {"seed": 1901}
SENTENCE = "a small bird slept near the big house"


def text(key: str, lang: str = "en") -> str:
    return CATALOGUE[key][lang]


def key_of(params: dict, lexicon=core.TOY_LEXICON) -> translation.TranslatorKey:
    settings, _ = state.parse_query_params({k: str(v) for k, v in params.items()})
    return translation.TranslatorKey.of(settings, lexicon)


def press_train(at, lang: str = "en") -> None:
    [button] = [b for b in at.button if b.label == text("tr.go", lang)]
    button.click().run(timeout=120)
    assert_clean(at)


def trained_page(lang: str = "en", **params) -> AppTest:
    params = {**TRAINED, "lang": lang, **params}
    at = run_app(PAGE, **params)
    assert_clean(at)
    if translation.trained(key_of(params)) is None:
        press_train(at, lang)
    return at


def type_source(at, sentence: str) -> None:
    at.text_input(key="w_translate_source").set_value(sentence).run()


def errors(at) -> list[str]:
    return [plain(e.value) for e in at.error]


@pytest.mark.parametrize("mode", state.MODES)
@pytest.mark.parametrize("lang", state.LANGS)
def test_the_page_draws_in_every_mode_and_language(lang, mode):
    at = run_app(PAGE, lang=lang, mode=mode, seed=1902)
    assert_clean(at)
    train = [b for b in at.button if b.label == text("tr.go", lang)]
    if mode == "tutorial":  # the article has no decoder: the page says so and shows the paper's math only
        assert any(text("tutorial.badge", lang) in plain(i.value) for i in at.info)
        assert any(text("tr.tutorial_note", lang)[:40] in plain(i.value) for i in at.info)
        assert len(at.latex) >= 2 and not train
    else:
        assert len(train) == 1 and not charts(at)
        assert any(plain(c.value).startswith(text("tr.idle", lang)[:10]) for c in at.caption)


@pytest.mark.parametrize(("lang", "seed"), [("en", 1903), ("pt", 1913)])
def test_training_through_the_button_shows_the_held_out_accuracy_and_live_curves(lang, seed):
    params = {"lang": lang, "seed": seed, "steps": 20}
    key = key_of(params)
    at = run_app(PAGE, **params)
    assert translation.trained(key) is None
    press_train(at, lang)
    result = translation.trained(key)
    assert result is not None and len(result.losses) == 20
    assert jobs.active() == 0  # trained in the process's job queue, and done
    [metric] = at.metric
    assert metric.label == text("tr.accuracy", lang)
    shown = f"{100 * result.accuracy:.1f}%"  # written as the language writes decimals: 87,5% in Portuguese
    assert metric.value == (shown.replace(".", ",") if Translator(lang).decimal_comma else shown)
    loss = charts(at)[chart_titles(at).index(text("train.loss", lang))]
    exact = charts(at)[chart_titles(at).index(text("tr.exact_curve", lang))]
    assert chart_frame(loss)["loss"].tolist() == pytest.approx(list(result.losses))
    assert chart_frame(exact)["loss"].tolist() == pytest.approx(list(result.accuracies))
    # the held-out sentences are listed: the accuracy is theirs
    held = Translator(lang)("tr.held_out", raw=True, n=len(result.held_out))
    assert held in [plain(e.label) for e in at.expander]
    [listed] = [d.value for d in at.dataframe if d.value.shape == (len(result.held_out), 1)]
    assert listed.iloc[:, 0].tolist() == [" ".join(words) for words in result.held_out]
    at.run()  # a rerun finds it trained: no button, the same numbers
    assert_clean(at)
    assert not [b for b in at.button if b.label == text("tr.go", lang)]


def test_each_step_shows_its_word_and_its_cross_attention_as_core_computes_it():
    at = trained_page()
    result = translation.trained(key_of(TRAINED))
    assert result.accuracy > 0.9
    type_source(at, SENTENCE)
    assert_clean(at)
    expected = core.translate(result, SENTENCE.split())
    assert expected.correct
    assert any(" ".join(expected.words) in plain(s.value) for s in at.success)
    n = len(expected.words)
    [slider] = [s for s in at.slider if s.label == text("tr.step")]
    for step in (1, 3, n):
        slider.set_value(step).run()
        assert_clean(at)
        word = expected.words[step - 1]
        assert any(f"**{word}**" in plain(m.value) for m in at.markdown)
        title = Translator("en")("tr.cross_step", raw=True, step=step, word=word)
        frame = chart_frame(charts(at)[chart_titles(at).index(title)])
        H, S = expected.cross_weights.shape[1], expected.cross_weights.shape[3]
        drawn = np.zeros((H, S))
        drawn[frame["r"].to_numpy(), frame["c"].to_numpy()] = frame["v"].to_numpy()
        np.testing.assert_allclose(drawn, expected.cross_weights[0, :, step - 1, :], rtol=1e-12)
        self_title = Translator("en")("tr.self_step", raw=True, step=step, word=word)
        assert chart_frame(charts(at)[chart_titles(at).index(self_title)])["c"].max() == step - 1
        [slider] = [s for s in at.slider if s.label == text("tr.step")]
    # the whole alignment: averaged, then one map per head, target words on rows
    mean = chart_frame(charts(at)[chart_titles(at).index(Translator("en")("tr.alignment_mean", raw=True, n=H))])
    assert (mean["r"].max(), mean["c"].max()) == (n - 1, S - 1)
    assert "Head 1" in chart_titles(at)


def test_the_step_shown_is_in_the_link_and_a_new_sentence_starts_at_step_one():
    at = trained_page(tstep=3)
    result = translation.trained(key_of(TRAINED))
    out = core.translate(result, state.SOURCE_SENTENCE.split())
    [slider] = [s for s in at.slider if s.label == text("tr.step")]
    assert slider.value == 3 and any(f"**{out.words[2]}**" in plain(m.value) for m in at.markdown)
    slider.set_value(5).run()
    assert at.query_params["tstep"] == "5"
    type_source(at, SENTENCE)
    assert_clean(at)
    [slider] = [s for s in at.slider if s.label == text("tr.step")]
    assert slider.value == 1 and "tstep" not in at.query_params


def test_a_step_past_the_translation_shows_its_last_word():
    at = trained_page(tstep=8, source="the cat sat on the mat")  # five Portuguese words: o gato sentou no tapete
    assert_clean(at)
    out = core.translate(translation.trained(key_of(TRAINED)), "the cat sat on the mat".split())
    [slider] = [s for s in at.slider if s.label == text("tr.step")]
    assert slider.value == len(out.words) and slider.max == len(out.words)


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("the mouse sat on the mat", "mouse"),
        ("the cat sat under a mat", "under a"),
        ("the cat sat on the", "ends too early"),
    ],
)
def test_a_word_outside_the_lexicon_or_a_sentence_outside_the_grammar_is_named(sentence, named):
    at = trained_page()
    type_source(at, sentence)
    assert not at.exception
    [error] = errors(at)
    assert named in error
    assert not any(t.startswith("Step") for t in chart_titles(at))  # nothing drawn for it


def lexicon_page_script():
    """/translate after the lexicon grid's edit record in ``test_lex_edit`` ((part, record), cumulative as the
    grid sends it) went through the session, as the grid's callback does."""
    import runpy

    import streamlit as st

    from tests.conftest import ROOT
    from ui import session

    session.ensure()
    edit = st.session_state.pop("test_lex_edit", None)
    if edit is not None:
        session.edit_lexicon_table(*edit)
    runpy.run_path(str(ROOT / "pages" / "9_translate.py"))


def driven_page(**params) -> AppTest:
    at = AppTest.from_function(lexicon_page_script, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = str(value)
    at.run()
    assert_clean(at)
    return at


def grid(at, part: str, record: dict) -> None:
    at.session_state["test_lex_edit"] = (part, record)
    at.run()


def test_adding_mouse_to_the_lexicon_retrains_and_a_link_carries_it():
    params = {"seed": 1904, "steps": 20}
    at = driven_page(**params)
    version = at.session_state[session.LEXICON_EDITOR_VERSION_KEY]
    mouse = {"english": "mouse", "portuguese": "rato", "gender": "m"}
    grid(at, "nouns", {"added_rows": [{"english": "mouse"}]})  # typing a new row: it waits, nothing breaks
    assert_clean(at)
    assert "mouse" not in at.session_state[session.LEXICON_KEY].nouns if at.session_state[session.LEXICON_KEY] else True
    assert any("mouse" in plain(i.value) for i in at.info)
    grid(at, "nouns", {"added_rows": [mouse]})
    assert_clean(at)
    lexicon = at.session_state[session.LEXICON_KEY]
    assert lexicon == core.TOY_LEXICON.with_noun("mouse", "rato", "m")
    assert at.session_state[session.LEXICON_EDITOR_VERSION_KEY] == version  # the grid was not rebuilt under the fingers
    link = at.query_params["lexicon"]
    link = link[0] if isinstance(link, list) else link
    assert "mouse:rato:m" in link and share.decode_lexicon(link) == (lexicon, [])
    # a new word is a new training: the page offers it, and after it the word's sentences translate
    press_train(at)
    type_source(at, "the mouse sat on the mat")
    assert_clean(at)
    assert any(t.startswith("Step 1 writes") for t in chart_titles(at))  # translated, not refused
    assert any("mouse" in plain(m.value) for m in at.markdown)  # how many held-out sentences with it came out right
    # deleting a row takes the word out, and the link follows
    grid(at, "verbs", {"deleted_rows": [0]})
    assert_clean(at)
    assert "sat" not in at.session_state[session.LEXICON_KEY].verbs
    link = at.query_params["lexicon"]
    link = link[0] if isinstance(link, list) else link
    assert "sat:sentou" not in link and "mouse:rato:m" in link

    # the link opens the same lexicon in a new session
    other = run_app(PAGE, lexicon=share.encode_lexicon(lexicon), **params)
    assert_clean(other)
    assert other.session_state[session.LEXICON_KEY] == lexicon


def test_a_wrong_row_is_named_and_the_lexicon_in_use_stays():
    at = driven_page(seed=1905)
    grid(at, "nouns", {"added_rows": [{"english": "cat", "portuguese": "gata", "gender": "f"}]})
    assert not at.exception
    assert any("cat" in e and text("tr.part_nouns") in e for e in errors(at))
    assert at.session_state[session.LEXICON_KEY] is None  # still the toy lexicon
    restore = [b for b in at.button if b.label == text("tr.lexicon_restore")]
    restore[0].click().run()
    assert_clean(at)


def test_a_bad_lexicon_link_is_refused_with_its_reason_and_the_page_works():
    at = run_app(PAGE, lexicon="cat:gato:x;;sat:sentou", seed=1906)
    assert not at.exception
    [error] = errors(at)
    assert text("tr.link_rejected") in error
    assert at.session_state[session.LEXICON_KEY] is None
    assert [b for b in at.button if b.label == text("tr.go")]


def test_a_training_too_big_for_the_server_is_refused_with_what_fits():
    params = {"seed": 1907, "steps": 5000}
    key = key_of(params)
    problem = translation.problem(key, core.TOY_LEXICON)
    assert problem is not None and problem.key == "tr.too_big"
    at = run_app(PAGE, **params)
    assert not at.exception
    assert errors(at) == [plain(Translator("en").notice(problem))]
    assert str(problem.args["max_steps"]) in errors(at)[0]
    assert not [b for b in at.button if b.label == text("tr.go")]
    assert translation.trained(key) is None


def test_heads_that_do_not_split_the_width_are_changed_with_a_notice():
    at = run_app(PAGE, heads=3, seed=1908)
    assert_clean(at)
    assert any(plain(Translator("en")("tr.heads_changed", asked=3, used=2, d=32)) == plain(i.value) for i in at.info)
