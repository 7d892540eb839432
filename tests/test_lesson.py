"""The lesson: every step × language × option gets the verdict its numbers give (ties included),
worked out here without the lesson's code; no step gives its answer away before the reveal; the
options are shuffled, the same way for everyone; each step shows its model and opens its own view
in the explorer; the host's view; bad step numbers; a view that stays the lesson's own."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import core
from tests.conftest import assert_clean, charts, plain, run_app
from ui import compute, lesson, session
from ui.i18n import CATALOGUE, Translator
from ui.lesson import decoder
from ui.lesson.step import order
from ui.state import LANGS

LESSON = "pages/7_lesson.py"
IDS = [s.id for s in lesson.STEPS]
NUMBER = {s.id: n for n, s in enumerate(lesson.STEPS, start=1)}  # the tests name steps by id, not place


@pytest.fixture(scope="module")
def scenes():
    """Each step's numbers in each language (trainings run once per process, shared by all)."""
    return {(s.id, lang): lesson.scene(s, lang) for s in lesson.STEPS for lang in LANGS}


def shown(x, decimals: int = 2) -> float:
    return float(np.round(x, decimals))


def softmax_rows(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --- the right answers, worked out here from the numbers each step draws ------------------------
#
# Each returns the options (as catalogue key and arguments) a learner reading the step's charts
# must count as right: every option the chart cannot tell apart from the answer.


def _words(tokens, values, best):
    return {
        ("lesson.option_word", (("word", tokens[i]),)) for i in range(len(tokens)) if shown(values[i]) == shown(best)
    }


def expected(step_id: str, sc: lesson.Scene) -> set:
    r, tokens = sc.result, sc.tokens
    if step_id == "vectors":
        E = np.array([sc.vocab.vectors[sc.vocab.words.index(w)] for w in tokens])
        own = np.einsum("td,td->t", E, E)
        return _words(tokens, own, own.max())
    if step_id == "score":
        i, j = (c - 1 for c in sc.settings.cell)
        E = sc.vocab.vectors
        value = sum(
            a * b for a, b in zip(E[sc.vocab.words.index(tokens[i])], E[sc.vocab.words.index(tokens[j])], strict=True)
        )
        return {("lesson.option_number", (("x", f"{value:.0f}"),))}
    if step_id == "softmax":
        row = r.scores[sc.settings.cell[0] - 1]
        same = np.array_equal(np.round(softmax_rows(row), 2), np.round(softmax_rows(row + 5), 2))
        return {("lesson.softmax_same" if same else "lesson.softmax_other", ())}
    if step_id == "axis":
        e = np.exp(r.scores)
        article = e / e.sum(axis=0)  # the article's softmax(x): np.sum(np.exp(x), axis=0)
        assert np.allclose(article, r.weights)
        return {("lesson.axis_cols", ())} if np.allclose(article.sum(axis=0), 1) else set()
    if step_id == "symmetric":
        S = r.x @ r.x.T
        i, j = (c - 1 for c in sc.settings.cell)
        return {
            ("lesson.option_cell", (("q", tokens[a]), ("k", tokens[b])))
            for a in range(len(tokens))
            for b in range(len(tokens))
            if (a, b) != (i, j) and shown(S[a, b]) == shown(S[i, j])
        }
    if step_id == "dk":
        study = compute.scaling_study()
        d = list(study.d_k)
        grown = study.spread_unscaled[d.index(256)] / study.spread_unscaled[d.index(4)]
        factors = {1: "lesson.dk_same", 4: 4, 8: 8, 64: 64}
        best = min(factors, key=lambda f: abs(np.log(grown / f)))
        assert best == 8  # √(256 / 4): the spread of a sum of d_k products grows like √d_k
        return {("lesson.dk_times", (("x", 8),))}
    if step_id == "row":
        i = sc.settings.cell[0] - 1
        q, k = r.attention.q[0], r.attention.k[0]
        scores = q[i] @ k.T / np.sqrt(q.shape[-1])
        return _words(tokens, scores, scores.max())
    if step_id == "output":
        w, v = r.attention.weights[0], r.attention.v[0]
        word_ = lesson.question(sc.step, sc.settings.lang, the_scene=sc).facts["word"]
        i = tokens.index(word_)
        assert int(np.argmax(w[i])) != i  # the question asks about a word that looks at another
        shares = np.array([np.linalg.norm(w[i, j] * v[j]) for j in range(len(tokens))])
        return _words(tokens, shares, shares.max())
    if step_id == "mask":
        free = sc.variant(mask="none").attention
        logits = free.logits(0) * free.scale
        masked = softmax_rows(np.where(np.tril(np.ones_like(logits, dtype=bool)), logits, -np.inf))
        np.testing.assert_allclose(masked, r.attention.weights[0], atol=1e-12)
        same = [
            t for n, t in enumerate(tokens) if np.array_equal(np.round(masked[n], 2), np.round(free.weights[0][n], 2))
        ]
        assert tokens[-1] in same  # the last word sees every word anyway
        return {("lesson.option_word", (("word", t),)) for t in same}
    if step_id == "heads":
        w_q = r.params.w_q[-1]
        assert (np.abs(w_q) > 0).any(axis=1).all()  # every row of x is multiplied by something
        return {("lesson.heads_all", (("d", sc.vocab.dim),))}
    if step_id == "compare":
        one, two = (round(100 * sc.trainings[n].accuracy) for n in ("one", "view"))
        key = "lesson.compare_same" if one == two else "lesson.compare_two" if two > one else "lesson.compare_one"
        return {(key, ())}
    if step_id == "off":
        ablation = compute.ablation(compute.TrainKey.of(sc.settings, sc.vocab), sc.trainings["view"], sc.vocab)
        full = round(100 * ablation.accuracy)
        off = [round(100 * a) for a in ablation.head_off]
        right = {("lesson.option_head", (("n", h + 1),)) for h in range(len(off)) if off[h] == min(off)}
        return right | ({("lesson.off_neither", ())} if min(off) >= full else set())
    if step_id == "concat":
        att = r.attention
        d_v = att.head_outputs.shape[-1]
        width = att.concat.shape[-1]
        np.testing.assert_array_equal(att.concat[:, width - d_v :], att.head_outputs[-1])
        return {("lesson.concat_cols", (("lo", width - d_v + 1), ("hi", width)))}
    if step_id == "content":  # worked out independently: head 1's weight on B, by the word it sat on in A
        result = sc.trainings["view"]
        a = compute.held_out_sentence(result, sc.vocab, sc.settings.seed)
        in_a = core.run_trained(result, sc.vocab, a).weights[0]
        looked = a[int(np.argmax(in_a.sum(axis=0)))]
        _, b, col = sc.step.sentences(sc)
        assert sorted(b) == sorted(a) and b[col] != looked  # the same words, and A's column now holds another
        in_b = core.run_trained(result, sc.vocab, b).weights[0]
        on_word = in_b[:, [w == looked for w in b]].sum(axis=1)  # each query's weight on the word
        assert on_word.min() > 0.9  # every query of B follows the word to where it moved
        return {
            ("lesson.content_word", (("word", looked), ("other", next(w for w in a if w != looked)), ("col", col + 1)))
        }
    if step_id == "norm":
        means = r.block.norm1.mean(axis=1)
        assert np.allclose(means, 0, atol=1e-9)
        return {("lesson.norm_zero", ())}
    if step_id == "dmask":
        out = decoder.translated(sc)
        t = decoder.DecoderMask.STEP
        seen = [decoder.shown_input(w) for j, w in enumerate(out.inputs) if out.self_weights[0][:, t, j].sum() > 0]
        assert seen == [decoder.shown_input(w) for w in out.inputs[: t + 1]]  # the inputs up to its own, no later
        return {("lesson.dmask_words", (("words", " ".join(seen)),))}
    if step_id in ("cross", "gender"):
        out = decoder.translated(sc)
        adjectives = {f for forms in core.TOY_LEXICON.adjectives.values() for f in forms}
        t = 0 if step_id == "gender" else next(i for i, w in enumerate(out.words) if w in adjectives)
        mean = out.cross_weights[0][:, t].sum(axis=0) / out.cross_weights.shape[1]
        best = {w: max(mean[i] for i in range(len(mean)) if out.source[i] == w) for w in out.source}
        top = max(best.values())
        shown_options = {o.args["word"] for o in lesson.question(sc.step, sc.settings.lang, the_scene=sc).options}
        right = {w for w in shown_options if shown(best[w]) == shown(top)}
        if step_id == "cross":  # the adjective's English word comes before its noun: the alignment crosses
            assert right == {"black"} and out.words[t] == "preto"
        else:  # the article's step looks at the noun, whose gender it needs
            assert right == {"table"} and out.words[t] == "a"
        return {("lesson.option_word", (("word", w),)) for w in right}
    raise AssertionError(f"no expected answer for step {step_id!r}: add one here")


def as_key(option) -> tuple:
    return option.key, tuple(sorted(option.args.items()))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step_id", IDS)
def test_the_right_options_are_what_the_numbers_give(step_id, lang, scenes):
    sc = scenes[step_id, lang]
    q = lesson.question(sc.step, lang, the_scene=sc)
    want = {(key, tuple(sorted(args))) for key, args in expected(step_id, sc)}
    if step_id == "softmax" and ("lesson.softmax_other", ()) in want:
        want = set()  # never on these numbers: a shift would have to change the weights
    got = {as_key(q.options[i]) for i in q.right}
    assert got == want, (got, want)
    assert q.answer in q.right and all(q.is_right(i) == (i in q.right) for i in range(len(q.options)))
    assert len({as_key(o) for o in q.options}) == len(q.options)  # no option twice


def option_label(q, i: int, lang: str, markdown: bool = True) -> str:
    """The option as the picker shows it; ``markdown=False``: as a message quotes it (no italics)."""
    label = f"{chr(65 + i)}. {Translator(lang).notice(q.options[i], raw=True)}"
    return label if markdown else label.replace("*", "")


def picker(at):
    """The lesson's answer picker (the sidebar has radios of its own)."""
    found = [r for r in at.radio if (r.key or "").startswith("lesson_pick_")]
    return found[0] if found else None


def button(at, key: str, lang: str = "en"):
    return next(b for b in at.button if b.label == CATALOGUE[key][lang])


def pick_and_reveal(at, option: int, lang: str):
    picker(at).set_value(option).run()
    reveal = button(at, "lesson.reveal", lang)
    assert not reveal.disabled
    reveal.click().run()
    return at


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step_id", IDS)
def test_every_option_of_every_step_gets_its_verdict(step_id, lang, scenes):
    """On the page: each option picked and revealed in turn (the score started again between them)."""
    n, t = NUMBER[step_id], Translator(lang)
    sc = scenes[step_id, lang]
    q = lesson.question(sc.step, lang, the_scene=sc)
    at = run_app(LESSON, step=n, lang=lang)
    assert_clean(at)
    assert any(m.value.endswith(f" {n} · {CATALOGUE[f'lesson.{step_id}_title'][lang]}") for m in at.markdown)
    radio = picker(at)
    assert radio.value is None and list(radio.options) == [option_label(q, i, lang) for i in range(len(q.options))]
    assert button(at, "lesson.reveal", lang).disabled  # no answer yet: nothing to reveal
    charts_before = len(charts(at))
    why = plain(t(f"lesson.{step_id}_why", **q.facts))
    assert not any(why in plain(m.value) for m in at.markdown)

    for option in range(len(q.options)):
        pick_and_reveal(at, option, lang)
        assert_clean(at)
        label = option_label(q, option, lang, markdown=False)
        if q.is_right(option):
            assert [plain(s.value) for s in at.success] == [plain(t("lesson.right", answer=label))]
        else:
            assert not at.success
            wrong = plain(t("lesson.wrong", answer=option_label(q, q.answer, lang, markdown=False), picked=label))
            assert wrong in [plain(w.value) for w in at.warning]
        assert picker(at).disabled  # the prediction is kept as it was made
        assert any(plain(m.value).endswith(why) for m in at.markdown)
        score = plain(t("lesson.score", right=int(q.is_right(option)), n=1))
        assert any(score == plain(m.value) for m in at.markdown)
        if step_id in ("compare", "off"):  # the answer is in accuracies, drawn as metrics
            assert at.metric and all(m.value.endswith("%") for m in at.metric)
        if step_id not in ("compare", "off", "dmask") or (step_id == "compare" and option == 0):
            assert len(charts(at)) > charts_before, "the answer comes with its chart"
        button(at, "lesson.reset", lang).click().run()
        assert picker(at).value is None and not picker(at).disabled


# --- nothing gives the answer away ----------------------------------------------------------


def appears(label: str, text: str) -> bool:
    """``label`` in ``text`` as written, not inside a longer word or number ("1" is not in "12")."""
    edge = r"[\w.,]"
    return re.search(rf"(?<!{edge}){re.escape(label)}(?!\w)", text) is not None


@pytest.mark.parametrize("lang", LANGS)
def test_no_step_shows_its_right_option_before_the_reveal(lang, scenes):
    t = Translator(lang)
    for step in lesson.STEPS:
        q = lesson.question(step, lang, the_scene=scenes[step.id, lang])
        before = " ".join(t(f"lesson.{step.id}_{part}", raw=True, **q.facts) for part in ("text", "q"))
        for part in ("title", "text", "q", "why"):
            key = f"lesson.{step.id}_{part}"
            assert t(key, **q.facts) != key, f"{key} is missing in {lang}"
        for i in q.right:
            label = t.notice(q.options[i], raw=True)
            assert label != q.options[i].key, f"{q.options[i].key} is missing in {lang}"
            assert not appears(label, before), f"step {step.id} ({lang}) gives away {label!r}: {before}"


def test_the_check_sees_an_answer_given_away():
    assert (
        appears("*on*", "so *on* scores 2") and appears("1", "it is 1.") and appears("About 8 times", "x About 8 times")
    )
    assert not appears("1", "12 and 0.1") and not appears("*on*", "*one*")


def test_the_options_are_shuffled_the_same_way_for_everyone(scenes):
    answers = [lesson.question(s, "en", the_scene=scenes[s.id, "en"]).answer for s in lesson.STEPS]
    assert len(set(answers)) >= 3, answers  # the right option is not always in one place
    again = [lesson.question(s, "en", the_scene=scenes[s.id, "en"]).answer for s in lesson.STEPS]
    assert answers == again
    assert order("vectors", 4) == order("vectors", 4) and order("vectors", 4) != order("score", 4)
    for step in lesson.STEPS:
        en = lesson.question(step, "en", the_scene=scenes[step.id, "en"])
        for lang in LANGS:
            other = lesson.question(step, lang, the_scene=scenes[step.id, lang])
            assert [as_key(o) for o in other.options] == [as_key(o) for o in en.options]


# --- the page: numbering, badges, the explorer --------------------------------------------


def test_the_steps_are_numbered_by_the_code():
    assert lesson.COUNT == len(lesson.STEPS) and len(set(IDS)) == len(IDS)
    for lang in LANGS:
        assert str(lesson.COUNT) in Translator(lang)("lesson.intro", n=lesson.COUNT)
        for step in lesson.STEPS:
            title = CATALOGUE[f"lesson.{step.id}_title"][lang]
            assert not re.match(r"\s*\d", title), title  # the page writes the number


MODELS = {
    "vectors": "tutorial",
    "score": "tutorial",
    "softmax": "tutorial",
    "axis": "tutorial",
    "symmetric": "tutorial",
}


@pytest.mark.parametrize("step_id", IDS)
def test_each_step_says_which_model_it_uses(step_id):
    step = lesson.STEPS[NUMBER[step_id] - 1]
    assert step.model == MODELS.get(step_id, "paper")
    assert lesson.settings_of(step).mode == step.model  # the badge says what computes the numbers
    at = run_app(LESSON, step=NUMBER[step_id], lang="pt")
    badge = CATALOGUE[lesson.MODEL_KEYS[step.model]]["pt"]
    assert any(badge in m.value and "badge" in m.value for m in at.markdown)
    other = CATALOGUE[lesson.MODEL_KEYS["paper" if step.model == "tutorial" else "tutorial"]]["pt"]
    assert not any(other in m.value and "badge" in m.value for m in at.markdown)


def open_step_in_the_explorer(step: int, lang: str = "en"):
    """A learner's session that reaches the lesson's step ``step`` and clicks "Open this in the explorer"."""
    at = run_app("app.py", lang=lang)
    at.switch_page(LESSON)
    at.query_params["step"] = str(step)
    at.run()
    button(at, "lesson.open", lang).click().run()
    assert_clean(at)
    return at


SCREEN_TITLES = {
    "vocabulary": "vocab.title",
    "self-attention": "sa.title",
    "multi-head": "mh.title",
    "add-norm": "an.title",
    "train": "train.title",
    "translate": "tr.title",
}


@pytest.mark.parametrize("step_id", IDS)
def test_open_in_the_explorer_gives_the_steps_view(step_id):
    step = lesson.STEPS[NUMBER[step_id] - 1]
    at = open_step_in_the_explorer(NUMBER[step_id])
    s, want = at.session_state[session.SETTINGS_KEY], lesson.settings_of(step, "en")
    assert s == want, (s, want)
    assert at.title[0].value == CATALOGUE[SCREEN_TITLES[step.screen]]["en"]  # the step's screen opened
    vocab = at.session_state[session.CUSTOM_VOCAB_KEY] if session.CUSTOM_VOCAB_KEY in at.session_state else None
    if step.vocab == lesson.SETUP:
        assert vocab.words == tuple(lesson.state.SETUP_WORDS.split())
    else:
        assert vocab is None  # the explorer derives the same vocabulary from the settings
        assert lesson.state.preset_vocabulary(s) == lesson.vocabulary_of(step)


def test_open_a_trained_step_brings_its_words_in_its_language():
    at = open_step_in_the_explorer(NUMBER["off"], "pt")
    s = at.session_state[session.SETTINGS_KEY]
    assert (s.weights, s.task, s.lang) == ("trained", "neighbours", "pt")
    assert at.session_state[session.CUSTOM_VOCAB_KEY].words == tuple(lesson.state.SETUP_WORDS.split())


def test_the_score_counts_right_answers_across_steps(scenes):
    first = lesson.question(lesson.STEPS[0], "en", the_scene=scenes[IDS[0], "en"])
    second = lesson.question(lesson.STEPS[1], "en", the_scene=scenes[IDS[1], "en"])
    at = run_app(LESSON, step=1)
    pick_and_reveal(at, first.answer, "en")
    button(at, "lesson.next").click().run()
    assert at.query_params["step"] in ("2", ["2"])
    wrong = next(i for i in range(len(second.options)) if not second.is_right(i))
    pick_and_reveal(at, wrong, "en")
    assert any("1 of 2 right" in plain(m.value) for m in at.markdown)
    button(at, "lesson.reset").click().run()
    assert not any("of 2 right" in plain(m.value) for m in at.markdown)


# --- the trained steps show what the issue measured ------------------------------------------


def test_one_head_against_two_and_the_feed_forward_layer(scenes):
    q = lesson.question(lesson.STEPS[NUMBER["compare"] - 1], "en", the_scene=scenes["compare", "en"])
    one, two, ffn = (int(q.facts[k]) for k in ("one", "two", "ffn"))
    assert one < 80 and two >= 95 and one < ffn  # averaging inhibits one head; the FFN lifts it
    assert q.options[q.answer].key == "lesson.compare_two"


# --- the lesson's view is its own --------------------------------------------------------


def test_a_step_does_not_touch_the_learners_settings():
    at = run_app(LESSON, step=NUMBER["mask"], heads=3)  # the mask step draws with a causal mask and one head
    assert_clean(at)
    s = at.session_state[session.SETTINGS_KEY]
    assert s.mask == "none" and s.heads == 3
    assert at.query_params["step"] in (str(NUMBER["mask"]), [str(NUMBER["mask"])])
    assert at.query_params["heads"] in ("3", ["3"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_sidebar_offers_only_what_changes_the_lesson(lang):
    # the steps draw their own settings: mode, seed and the block's settings would change nothing here
    from ui import session

    at = run_app(LESSON, step=NUMBER["row"], lang=lang, heads=3, mask="causal")
    assert_clean(at)
    keys = {w.key for kind in (at.radio, at.selectbox, at.number_input) for w in kind if w.key}
    for name in ("mode", "seed", "weights", "pe", "mask", "scale", "norm", "temp"):
        assert session.widget_key(name) not in keys, name
    assert session.widget_key("lang") in keys
    assert any(CATALOGUE["sidebar.own_view"][lang] in c.value for c in at.sidebar.caption)
    other = next(code for code in LANGS if code != lang)
    at.selectbox(key=session.widget_key("lang")).set_value(other).run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].lang == other  # the language still works, and the lesson follows it
    assert any(CATALOGUE["lesson.row_title"][other] in m.value for m in at.markdown)
    s = at.session_state[session.SETTINGS_KEY]
    assert (s.heads, s.mask) == (3, "causal")  # the learner's other settings are kept for the other screens


# --- the host's view and bad links ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_host_view_shows_the_question_then_the_answer(lang, scenes):
    n = NUMBER["mask"]
    q = lesson.question(lesson.STEPS[n - 1], lang, the_scene=scenes["mask", lang])
    at = run_app(LESSON, step=n, host=1, lang=lang)
    assert_clean(at)
    assert picker(at) is None  # the host asks the room; nobody picks here
    t = Translator(lang)
    assert any(m.value == f"## {t('lesson.mask_q', **q.facts)}" for m in at.markdown)
    options = [m.value for m in at.markdown if m.value.startswith("### A. ")]
    assert options and all(option_label(q, i, lang) in options[0] for i in range(len(q.options)))
    answer = plain(t("lesson.answer_is", answer=option_label(q, q.answer, lang, markdown=False)))
    assert not any(answer in plain(m.value) for m in at.markdown)
    charts_before = len(charts(at))
    button(at, "lesson.show_answer", lang).click().run()
    assert any(plain(m.value) == "## " + answer for m in at.markdown)
    assert len(charts(at)) > charts_before
    assert at.query_params["host"] in ("1", ["1"])
    button(at, "lesson.hide_answer", lang).click().run()
    assert not any(answer in plain(m.value) for m in at.markdown)  # ask again


def test_host_toggle_writes_the_link():
    at = run_app(LESSON, step=2)
    at.toggle[0].set_value(True).run()
    assert at.query_params["host"] in ("1", ["1"])
    assert picker(at) is None
    at.toggle[0].set_value(False).run()
    assert "host" not in at.query_params and picker(at) is not None


@pytest.mark.parametrize(
    ("raw", "shown", "key"),
    [
        ("0", 1, "lesson.step_outside"),
        ("42", lesson.COUNT, "lesson.step_outside"),
        ("two", 1, "lesson.step_bad"),
        ("", 1, None),
    ],
)
def test_a_step_out_of_range_is_brought_inside_with_a_notice(raw, shown, key):
    number, notice = lesson.step_number(raw)
    assert number == shown and (notice.key if notice else None) == key
    at = run_app(LESSON, step=raw)
    assert_clean(at)
    title = CATALOGUE[f"lesson.{lesson.STEPS[shown - 1].id}_title"]["en"]
    assert any(m.value.endswith(f"{shown} · {title}") for m in at.markdown)
    link_notices = [plain(w.value) for w in at.warning if w.icon == ":material/link:"]
    assert len(link_notices) == (key is not None)
    if key is not None:
        assert at.query_params["step"] in (str(shown), [str(shown)])  # a copied link shows this step
    assert not any("unknown" in n.lower() for n in link_notices)


def test_step_and_host_are_not_settings():
    from ui import state

    settings, notices = state.parse_query_params({"step": "3", "host": "1", "heads": "4"})
    assert settings.heads == 4 and not notices


# --- the README's account of the lesson ---------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
NUMBER_WORDS = dict(
    zip(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(),
        range(10, 21),
        strict=True,
    )
)


def readme_steps() -> list[tuple[int, str, str]]:
    """The rows of the README's lesson table: (step, title, link)."""
    section = README.read_text(encoding="utf-8").split("**The lesson.**", 1)[1].split("\n\n|", 1)[1]
    table = section.split("\n\n", 1)[0]
    return [(int(n), title, link) for n, title, link in re.findall(r"^\| (\d+) \| (.+?) \| `(.+?)` \|", table, re.M)]


def test_the_readme_lists_the_lessons_steps_in_order_by_their_titles():
    rows = readme_steps()
    titles = [CATALOGUE[lesson.title_key(step)]["en"] for step in lesson.STEPS]
    assert [title for _, title, _ in rows] == titles
    assert [(n, link) for n, _, link in rows] == [(n, f"/lesson?step={n}") for n in range(1, lesson.COUNT + 1)]


def test_the_readme_counts_the_lessons_steps_right_where_it_counts_them():
    """Outside the measurements (each says how many steps it ran), "N steps" of the lesson is its count."""
    text = README.read_text(encoding="utf-8").split("\n## Speed", 1)[0]
    counts = [NUMBER_WORDS[word] for word in re.findall(rf"\b({'|'.join(NUMBER_WORDS)}) steps\b", text, re.I)]
    assert all(n == lesson.COUNT for n in counts), counts
