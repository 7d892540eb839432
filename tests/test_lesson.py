"""The lesson: every step in both languages with a right and a wrong answer, its answers worked
out independently, the host's view, bad step numbers, and a view that stays the lesson's own."""

import numpy as np
import pytest

import core
from tests.conftest import assert_clean, charts, plain, run_app
from ui import lesson
from ui.i18n import CATALOGUE, Translator
from ui.state import LANGS

LESSON = "pages/7_lesson.py"
IDS = [s.id for s in lesson.STEPS]


def question_of(n: int):
    step = lesson.STEPS[n - 1]
    return lesson.question(step)


@pytest.fixture(scope="module")
def answers():
    """Each step's right option, as the lesson computes it."""
    return {n: question_of(n) for n in range(1, lesson.COUNT + 1)}


def picker(at):
    """The lesson's answer picker (the sidebar has radios of its own)."""
    found = [r for r in at.radio if (r.key or "").startswith("lesson_pick_")]
    return found[0] if found else None


def pick_and_reveal(at, option: int, lang: str):
    picker(at).set_value(option).run()
    reveal = next(b for b in at.button if b.label == CATALOGUE["lesson.reveal"][lang])
    assert not reveal.disabled
    reveal.click().run()
    return at


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
@pytest.mark.parametrize("n", range(1, lesson.COUNT + 1), ids=IDS)
def test_every_step_asks_then_reveals_in_both_languages(n, right, lang, answers):
    q = answers[n]
    at = run_app(LESSON, step=n, lang=lang)
    assert_clean(at)
    step = lesson.STEPS[n - 1]
    assert any(CATALOGUE[f"lesson.{step.id}_title"][lang] in m.value for m in at.markdown)
    radio = picker(at)
    assert radio.value is None and len(radio.options) == len(q.options)
    reveal = next(b for b in at.button if b.label == CATALOGUE["lesson.reveal"][lang])
    assert reveal.disabled  # no answer yet: nothing to reveal
    charts_before = len(charts(at))

    option = q.answer if right else (q.answer + 1) % len(q.options)
    pick_and_reveal(at, option, lang)
    assert_clean(at)
    t = Translator(lang)
    label = f"{chr(65 + q.answer)}. {t.notice(q.options[q.answer], raw=True)}"
    if right:
        assert [plain(s.value) for s in at.success] == [plain(t("lesson.right", answer=label))]
        assert not [w for w in at.warning if w.icon == ":material/cancel:"]
    else:
        assert not at.success
        picked = f"{chr(65 + option)}. {t.notice(q.options[option], raw=True)}"
        assert plain(t("lesson.wrong", answer=label, picked=picked)) in [plain(w.value) for w in at.warning]
    assert picker(at).disabled  # the prediction is kept as it was made
    assert f"{int(right)}" in plain(next(m.value for m in at.markdown if "**" in m.value and "/" not in m.value))
    why = plain(t(f"lesson.{step.id}_why", **q.facts))
    assert any(plain(m.value).endswith(why) for m in at.markdown)
    if step.id == "off":  # the answer is the accuracy with each head off
        assert len(at.metric) == 3 and at.metric[0].value.endswith("%")
    elif step.id != "score":  # the score's answer is its derivation, drawn as tables
        assert len(charts(at)) > charts_before  # the answer comes with its chart


def test_the_score_counts_right_answers_across_steps(answers):
    at = run_app(LESSON, step=1)
    pick_and_reveal(at, answers[1].answer, "en")
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert at.query_params["step"] in ("2", ["2"])
    pick_and_reveal(at, (answers[2].answer + 1) % 4, "en")
    assert any("1 of 2 right" in plain(m.value) for m in at.markdown)
    next(b for b in at.button if b.label == CATALOGUE["lesson.reset"]["en"]).click().run()
    assert not any("of 2 right" in plain(m.value) for m in at.markdown)


# --- the answers, worked out without the lesson's code -------------------------------------


def test_answers_agree_with_the_numbers():
    E = core.seed_vocabulary()
    assert question_of(1).options[question_of(1).answer].args["word"] == "sat"  # its column is its own
    assert question_of(2).options[question_of(2).answer].args["x"] == "1"  # cat·on = 0·1 + 1·1 + 0·0
    assert lesson.STEPS[1].view["cell"] == (2, 4) and E.vectors[1] @ E.vectors[3] == 1
    assert question_of(5).answer == 1  # the article's axis-0 softmax: columns sum to 1
    assert question_of(6).answer == 0  # the causal mask: the first row is (1, 0, 0, 0)
    assert question_of(7).options[question_of(7).answer].args["x"] == 8  # 16 / 2
    assert question_of(10).answer == 0  # layer norm: every row's mean is 0
    assert question_of(3).answer == 1  # unscaled, the softmax peaks as d_k grows


def test_the_softmax_row_answer_is_the_largest_score():
    step = lesson.STEPS[3]
    s, vocab = lesson.settings_of(step, "en"), lesson.vocabulary_of(step)
    from ui import compute

    result = compute.current_pass(s, vocab)
    i = s.cell[0] - 1
    q = lesson.question(step, "en", result)
    assert q.answer == int(np.argmax(result.attention.scores[0][i]))  # the exponential keeps the order
    assert q.options[q.answer].args["word"] == s.tokens[q.answer]


def test_trained_heads_split_the_neighbours():
    q = question_of(8)
    assert q.answer == 0  # one head on the previous word, one on the next
    assert int(q.facts["prev"]) > 50 and int(q.facts["next"]) > 50 and int(q.facts["acc"]) >= 95
    off = question_of(9)
    assert off.answer in (0, 1)  # switching either head off costs accuracy
    assert float(off.facts["full"]) >= 95


# --- the lesson's view is its own --------------------------------------------------------


def test_a_step_does_not_touch_the_learners_settings():
    at = run_app(LESSON, step=6, heads=3)  # the mask step draws with a causal mask and one head
    assert_clean(at)
    s = at.session_state["settings"]
    assert s.mask == "none" and s.heads == 3
    assert at.query_params["step"] in ("6", ["6"]) and at.query_params["heads"] in ("3", ["3"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_sidebar_offers_only_what_changes_the_lesson(lang):
    # the steps draw their own settings: mode, seed and the block's settings would change nothing here
    from ui import session

    at = run_app(LESSON, step=4, lang=lang, heads=3, mask="causal")
    assert_clean(at)
    keys = {w.key for kind in (at.radio, at.selectbox, at.number_input) for w in kind if w.key}
    for name in ("mode", "seed", "weights", "pe", "mask", "scale", "norm", "temp"):
        assert session.widget_key(name) not in keys, name
    assert session.widget_key("lang") in keys
    assert any(CATALOGUE["sidebar.own_view"][lang] in c.value for c in at.sidebar.caption)
    at.selectbox(key=session.widget_key("lang")).set_value("pt" if lang == "en" else "en").run()
    assert_clean(at)
    other = "pt" if lang == "en" else "en"
    assert at.session_state["settings"].lang == other  # the language still works, and the lesson follows it
    assert any(CATALOGUE["lesson.row_title"][other] in m.value for m in at.markdown)
    s = at.session_state["settings"]
    assert (s.heads, s.mask) == (3, "causal")  # the learner's other settings are kept for the other screens


def open_step_in_the_explorer(step: int, lang: str = "en"):
    """A learner's session that reaches the lesson's step ``step`` and clicks "Open this in the explorer"."""
    at = run_app("app.py", lang=lang)
    at.switch_page(LESSON)
    at.query_params["step"] = str(step)
    at.run()
    next(b for b in at.button if b.label == CATALOGUE["lesson.open"][lang]).click().run()
    assert_clean(at)
    return at


def test_open_in_the_explorer_makes_the_view_the_learners():
    at = open_step_in_the_explorer(6)
    s = at.session_state["settings"]
    assert s.mask == "causal" and s.heads == 1
    assert at.title[0].value == CATALOGUE["sa.title"]["en"]


def test_open_a_trained_step_brings_its_words():
    at = open_step_in_the_explorer(9, "pt")
    s = at.session_state["settings"]
    assert (s.weights, s.task, s.lang) == ("trained", "neighbours", "pt")
    assert at.session_state["custom_vocab"].words == tuple(lesson.state.SETUP_WORDS.split())


# --- the host's view and bad links ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_host_view_shows_the_question_then_the_answer(lang, answers):
    at = run_app(LESSON, step=6, host=1, lang=lang)
    assert_clean(at)
    assert picker(at) is None  # the host asks the room; nobody picks here
    q = answers[6]
    t = Translator(lang)
    question = t("lesson.mask_q", **q.facts)
    assert any(m.value == f"## {question}" for m in at.markdown)
    answer = f"{chr(65 + q.answer)}. {t.notice(q.options[q.answer], raw=True)}"
    assert not any(plain(t("lesson.answer_is", answer=answer)) in plain(m.value) for m in at.markdown)
    next(b for b in at.button if b.label == CATALOGUE["lesson.show_answer"][lang]).click().run()
    assert any(plain(m.value) == "## " + plain(t("lesson.answer_is", answer=answer)) for m in at.markdown)
    assert at.query_params["host"] in ("1", ["1"])
    next(b for b in at.button if b.label == CATALOGUE["lesson.hide_answer"][lang]).click().run()
    assert not any(plain(t("lesson.answer_is", answer=answer)) in plain(m.value) for m in at.markdown)  # ask again


def test_host_toggle_writes_the_link():
    at = run_app(LESSON, step=2)
    at.toggle[0].set_value(True).run()
    assert at.query_params["host"] in ("1", ["1"])
    assert picker(at) is None


@pytest.mark.parametrize(
    ("raw", "shown", "key"),
    [("0", 1, "lesson.step_outside"), ("42", 10, "lesson.step_outside"), ("two", 1, "lesson.step_bad"), ("", 1, None)],
)
def test_a_step_out_of_range_is_brought_inside_with_a_notice(raw, shown, key):
    number, notice = lesson.step_number(raw)
    assert number == shown and (notice.key if notice else None) == key
    at = run_app(LESSON, step=raw)
    assert_clean(at)
    title = CATALOGUE[f"lesson.{lesson.STEPS[shown - 1].id}_title"]["en"]
    assert any(title in m.value for m in at.markdown)
    link_notices = [plain(w.value) for w in at.warning if w.icon == ":material/link:"]
    assert len(link_notices) == (key is not None)
    if key is not None:
        assert at.query_params["step"] in (str(shown), [str(shown)])  # a copied link shows this step
    assert not any("unknown" in n.lower() for n in link_notices)


def test_step_and_host_are_not_settings():
    from ui import state

    settings, notices = state.parse_query_params({"step": "3", "host": "1", "heads": "4"})
    assert settings.heads == 4 and not notices
