"""What the app says, checked against what it computes, in every language.

Each statement below is a sentence of the catalogue (``ui/locales/*.po``) that a number can check:
the number is computed here, from the article's table (``core.seed_vocabulary``), the lesson's own
scenes, the study behind "why √d_k" or the tasks' targets, and compared with what each language
says. Numbers are read as each language writes them (``Translator.number``); words are looked for
in each language's terms (``docs/glossary.md``).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

import core
from tests.conftest import plain
from ui import compute, lesson, state
from ui.i18n import LANGS, Translator

ARTICLE = core.seed_vocabulary()
GRAM = ARTICLE.vectors @ ARTICLE.vectors.T  # every dot product of the article's table: E·Eᵀ of its four words


def dot(a: str, b: str) -> float:
    return float(GRAM[ARTICLE.words.index(a), ARTICLE.words.index(b)])


def step(step_id: str) -> lesson.Step:
    [found] = [s for s in lesson.STEPS if s.id == step_id]
    return found


# "the·the = the·on = 1": dot products of the article's words, chained with "=", then a number.
_WORD = "|".join(ARTICLE.words)
_CHAIN = re.compile(rf"((?:\b(?:{_WORD})·(?:{_WORD}) = )+)(-?\d+(?:[.,]\d+)?)")


def quoted_dot_products(text: str) -> list[tuple[list[tuple[str, str]], str]]:
    """Each chain of dot products of the article's words a text quotes, with the number it ends on."""
    out = []
    for chain, number in _CHAIN.findall(text):
        pairs = [tuple(p.split("·")) for p in chain.split(" = ") if p]
        out.append((pairs, number))
    return out


def words_of(table: dict, lang: str):
    """``table``'s words for ``lang``: the terms this check looks for. A language file added since the
    table was written is skipped here, by name, rather than failing: its words are a translator's to add."""
    if lang not in table:
        pytest.skip(f"no words in {lang!r} for this check yet: add them to its table in this file")
    return table[lang]


def written(lang: str, value: float, number: str) -> str:
    """``value`` written as ``lang`` writes numbers, with as many decimals as ``number`` has."""
    decimals = len(re.split(r"[.,]", number)[1]) if re.search(r"[.,]", number) else 0
    return Translator(lang).number(value, decimals)


# --- 1. the article's table is not one-hot: ties, and the largest score -------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_dot_product_of_the_articles_words_the_tutorial_note_quotes_is_the_tables(lang):
    text = Translator(lang)("sa.tutorial_note")
    quoted = quoted_dot_products(text)
    assert sum(len(pairs) for pairs, _ in quoted) >= 5  # the·the, the·on, cat·cat, cat·on, on·on
    for pairs, number in quoted:
        for a, b in pairs:
            assert written(lang, dot(a, b), number) == number, f"{a}·{b} = {dot(a, b):g}, the text says {number}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_tutorial_note_names_every_tie_and_the_largest_score(lang):
    text = Translator(lang)("sa.tutorial_note")
    quoted = quoted_dot_products(text)
    # A word that does not score highest with itself: another word scores as much or more with it.
    ties = [(w, v) for w in ARTICLE.words for v in ARTICLE.words if v != w and dot(w, v) >= dot(w, w)]
    assert ties == [("the", "on"), ("cat", "on")]
    for w, v in ties:
        assert f"{w}·{w} = {w}·{v}" in text, (w, v)
    # the largest score of the table, and the vector that makes the table not one-hot
    i, j = np.unravel_index(np.argmax(GRAM), GRAM.shape)
    largest = (ARTICLE.words[i], ARTICLE.words[j])
    assert any(largest in pairs and number == written(lang, GRAM.max(), number) for pairs, number in quoted)
    not_one_hot = [w for w, e in zip(ARTICLE.words, ARTICLE.vectors, strict=True) if np.count_nonzero(e) != 1]
    assert not_one_hot == ["on"]
    vector = ", ".join(Translator(lang).number(x, 0) for x in ARTICLE.vectors[ARTICLE.words.index("on")])
    assert f"on = [{vector}]" in text


LENGTH = {"en": "same length", "pt": "mesmo comprimento", "es": "misma longitud"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_word_surely_scores_highest_with_itself_only_when_the_lengths_are_equal(lang):
    assert words_of(LENGTH, lang) in Translator(lang)("sa.tutorial_note")
    # The article's lengths differ, and "the" and "cat" do not win with themselves (above).
    lengths = np.linalg.norm(ARTICLE.vectors, axis=1)
    assert len(set(np.round(lengths, 12))) > 1
    # Every vector made the same length: each word scores highest with itself (Cauchy-Schwarz),
    # on the article's table and on random ones.
    rng = np.random.default_rng(18)
    for e in (ARTICLE.vectors, *(rng.standard_normal((6, 4)) for _ in range(20))):
        unit = e / np.linalg.norm(e, axis=1, keepdims=True)
        scores = unit @ unit.T
        assert (np.diag(scores) >= scores.max(axis=1) - 1e-12).all()


# --- 2. a dot product grows with length (the lesson's first step) ---------------------------------

NUMBER_WORDS = {"en": ("four", "three"), "pt": ("quatro", "três"), "es": ("cuatro", "tres")}
GROWS = {"en": "grows with the length", "pt": "cresce com o comprimento", "es": "crece con la longitud"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_lesson_says_a_dot_product_grows_with_length(lang):
    vectors = step("vectors")
    scene = lesson.scene(vectors, lang)
    q = lesson.question(vectors, lang, the_scene=scene)
    t = Translator(lang)
    # "four words, a vector of three numbers": the article's table
    four, three = words_of(NUMBER_WORDS, lang)
    assert (len(ARTICLE), ARTICLE.dim) == (4, 3) and scene.vocab == ARTICLE
    assert f" {four} " in t("lesson.vectors_text") and f" {three} " in t("lesson.vectors_text")
    # The largest e·e is the longest vector's: on·on = 2 > the·the = 1.
    longest = ARTICLE.words[int(np.argmax(np.linalg.norm(ARTICLE.vectors, axis=1)))]
    assert q.facts["word"] == longest == "on"
    assert q.facts["value"] == t.number(dot("on", "on"), 0) == "2" and dot("the", "the") == 1
    why = plain(t("lesson.vectors_why", **q.facts))  # as a reader sees it
    assert words_of(GROWS, lang) in why
    assert f"= {q.facts['terms']} = 2" in why and q.facts["terms"] == "1·1 + 1·1 + 0·0"
    # "a word does not always score highest with itself": the·on = the·the
    assert dot("the", "on") >= dot("the", "the")


# --- 3. E·Eᵀ is symmetric: the article's weights are the transpose of a softmax over the rows -------

SYMMETRIC = {"en": "symmetric", "pt": "simétrica", "es": "simétrica"}
TRANSPOSE = {"en": "transpose", "pt": "transposta", "es": "traspuesta"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_axis_step_draws_two_weight_maps_that_are_each_others_transpose(lang):
    axis = step("axis")
    scene = lesson.scene(axis, lang)
    q = lesson.question(axis, lang, the_scene=scene)
    scores = scene.result.scores  # the map the step draws on the left
    np.testing.assert_allclose(scores, scores.T, rtol=0, atol=1e-12)
    article = scene.result.weights  # drawn on the right: softmax with axis=0
    paper = core.softmax(scores, axis=-1)  # drawn once answered: softmax of each row
    np.testing.assert_allclose(article, paper.T, rtol=1e-12, atol=1e-15)
    assert not np.allclose(article, paper)  # two different maps, not one drawn twice
    why = plain(Translator(lang)("lesson.axis_why", **q.facts))
    assert words_of(SYMMETRIC, lang) in why and words_of(TRANSPOSE, lang) in why and "E·Eᵀ" in why


@pytest.mark.parametrize("lang", LANGS)
def test_the_symmetric_step_draws_a_symmetric_map_and_says_so(lang):
    symmetric = step("symmetric")
    scene = lesson.scene(symmetric, lang)
    q = lesson.question(symmetric, lang, the_scene=scene)
    scores = scene.result.scores
    np.testing.assert_allclose(scores, scores.T, rtol=0, atol=1e-12)
    i, j = (c - 1 for c in scene.settings.cell)
    assert q.facts["value"] == scene.number(scores[i, j]) == scene.number(scores[j, i])
    why = plain(Translator(lang)("lesson.symmetric_why", **q.facts))
    assert words_of(SYMMETRIC, lang) in why and words_of(TRANSPOSE, lang) in why
    # the paper's map drawn below it, with W_Q ≠ W_K, is not symmetric: qᵢ·kⱼ ≠ qⱼ·kᵢ
    paper = scene.variant(mode=lesson.PAPER, heads=1).attention.logits(0)
    assert not np.allclose(paper, paper.T)


# --- 4. why √d_k: the paper's d_k = 64 --------------------------------------------------------------

THAT_IS = {"en": "that is {}", "pt": "isso dá {}", "es": "eso da {}"}


@pytest.mark.parametrize("lang", LANGS)
def test_why_sqrt_dk_quotes_the_papers_widths_and_what_they_give(lang):
    t = Translator(lang)
    text = t("sqrt.body", dk=4)
    d_model, h = 512, 8  # the paper's base model
    d_k = d_model // h
    assert f"d_k = {d_k}" in text and f"d_model = {d_model}" in text and f"h = {h}" in text
    # q·k of two random vectors with unit variance has variance d_k (a sum of d_k products of variance 1):
    # its standard deviation is √d_k, 8 at d_k = 64; measured on seeded vectors, within 1%.
    rng = np.random.default_rng(64)
    q, k = rng.standard_normal((2, 100_000, d_k))
    assert np.sum(q * k, axis=1).std() == pytest.approx(np.sqrt(d_k), rel=0.01)
    assert words_of(THAT_IS, lang).format(t.number(np.sqrt(d_k), 0)) in text
    # The study the chart draws: its spread at d_k = 64, the largest weight it quotes, its keys per row.
    study = compute.scaling_study()
    at = [int(d) for d in study.d_k].index(d_k)
    assert study.spread_unscaled[at] == pytest.approx(np.sqrt(d_k), rel=0.05)
    assert f"{round(100 * study.top_unscaled[at])}%" in text
    assert f" {study.n_keys} " in text
    # "Dividing by √d_k brings the standard deviation back to 1"
    np.testing.assert_allclose(study.spread_scaled, 1, atol=0.06)


def test_the_scaling_charts_line_says_what_the_study_shows():
    """sqrt.notice: unscaled, the spread grows like √d_k and the largest weight climbs towards 1; scaled,
    both stay nearly flat."""
    study = compute.scaling_study()
    np.testing.assert_allclose(study.spread_unscaled / np.sqrt(study.d_k), 1, atol=0.06)
    assert (np.diff(study.top_unscaled) > 0).all() and study.top_unscaled[-1] > 0.9
    assert np.ptp(study.top_scaled) < 0.05 and np.ptp(study.spread_scaled) < 0.1


# --- 5. ReLU cuts nothing in tutorial mode -----------------------------------------------------------

BELOW = {"en": "(0% below)", "pt": "(0% abaixo)", "es": "(0% abajo)"}


@pytest.mark.parametrize("lang", LANGS)
def test_relu_cuts_nothing_on_the_articles_table(lang):
    settings = replace(state.DEFAULTS, mode="tutorial", lang=lang)
    vocab = state.preset_vocabulary(settings)
    assert vocab == ARTICLE  # tutorial mode starts from the article's table
    result = compute.current_pass(settings, vocab)
    # the article's feed-forward layer: np.random.rand weights in [0, 1), d_ff = 2·d
    params = result.ffn_params
    assert params.d_ff == state.default_ffn("tutorial", vocab.dim) == 2 * vocab.dim
    for w in (params.w1, params.b1, params.w2, params.b2):
        assert (w >= 0).all() and (w < 1).all()
    assert (result.head_output >= 0).all()  # weights ≥ 0 times a table ≥ 0
    assert compute.zero_fraction(result.ffn.hidden) == 0
    # whatever the seed, the sentence or the width of the layer
    rng = np.random.default_rng(5)
    for seed in range(10):
        words = rng.choice(ARTICLE.words, size=int(rng.integers(1, 9))).tolist()
        x = core.tutorial_attention(ARTICLE.embed(words)).output
        ffn = core.init_tutorial_feed_forward(3, int(rng.integers(1, 13)), np.random.default_rng(seed))
        assert core.zero_fraction(core.feed_forward(x, ffn).hidden) == 0
    t = Translator(lang)
    text = t("ff.tutorial_note", n=2, ht=8, t=4)
    assert words_of(BELOW, lang) in text and "[0, 1)" in text and "d_ff = 2·d" in text
    pct = f"{100 * compute.zero_fraction(result.ffn.hidden):.0f}"  # as the page writes it under the chart
    assert pct == "0" and "0%" in text


# --- 6. the temperature is not one of the paper's features -----------------------------------------

PAPERS = {  # what the paper has and the article's code does not, in each language's terms
    "en": ("positional encoding", "mask", "scaling", "Add & Norm"),
    "pt": ("codificação posicional", "máscara", "reescala", "Add & Norm"),
    "es": ("codificación posicional", "máscara", "reescalado", "Add & Norm"),
}
TEMPERATURE = {"en": "temperature", "pt": "temperatura", "es": "temperatura"}
PAPER_LACKS = {"en": "the paper does not have", "pt": "o paper original não tem", "es": "el paper original no tiene"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_tutorial_note_does_not_count_the_temperature_among_the_papers_features(lang):
    text = Translator(lang)("block.tutorial_off")
    at = text.index(words_of(TEMPERATURE, lang))
    for feature in words_of(PAPERS, lang):  # the paper's features, all named before the temperature
        assert feature in text[:at], feature
    assert words_of(PAPER_LACKS, lang) in text[at:]  # and the temperature said to be the app's, not the paper's
    # The paper scales by 1/√d_k alone: the app's τ = 1 is the paper, any other τ is the app's dial.
    assert core.attention_scale(64) == pytest.approx(1 / 8)
    assert core.attention_scale(64, temperature=2.0) != core.attention_scale(64)
    # what the note says tutorial mode leaves out is what tutorial mode disables
    assert all(state.SPEC[name].paper_only for name in ("pe", "mask", "scale", "norm", "temp"))


# --- 7. what to look for in trained heads, per task -------------------------------------------------

# What a head must look at for each kind of target, as each language names it (after the task's name).
PATTERNS = {
    "previous": {"en": "previous token", "pt": "token anterior", "es": "token anterior"},
    "next": {"en": "next", "pt": "seguinte", "es": "siguiente"},
    "first": {"en": "first token", "pt": "primeiro token", "es": "primer token"},
    "content": {"en": "by content", "pt": "pelo conteúdo", "es": "por el contenido"},
}


def relation(task: core.Task, k: int) -> str:
    """What target ``k`` of ``task`` is, found from the targets it gives a few sentences: the word one
    place before or after, the first word, or a word found by what it is, wherever it stands."""
    ids = np.array([[3, 0, 4, 1, 2], [1, 4, 0, 2, 3], [2, 2, 1, 0, 4]])
    targets = core.task_targets(task, ids)[k]  # (B, T), -1 where there is none
    for name, offset in (("previous", -1), ("next", 1)):
        shifted = np.full_like(ids, -1)
        lo, hi = max(0, -offset), min(ids.shape[1], ids.shape[1] - offset)
        shifted[:, lo:hi] = ids[:, lo + offset : hi + offset]
        if np.array_equal(targets, shifted):
            return name
    if np.array_equal(targets, np.repeat(ids[:, :1], ids.shape[1], axis=1)):
        return "first"
    if np.array_equal(targets, np.repeat(ids.max(axis=1, keepdims=True), ids.shape[1], axis=1)):
        return "content"
    raise AssertionError(f"task {task.name}: a target this test does not know")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("task", list(core.TASKS))
def test_what_to_look_for_in_trained_heads_is_the_tasks_own_pattern(task, lang):
    text = Translator(lang)(f"mh.roles_trained_{task}")
    named = re.search(r"“([^”]*)”", text)
    assert named and re.search(rf"\b{task}\b", named.group(1)), "the text names its task, with its id"
    rest = text[named.end() :]  # what to look for, after the task's name
    wanted = {relation(core.TASKS[task], k) for k in range(core.TASKS[task].n_targets)}
    for pattern, words in PATTERNS.items():
        assert (words_of(words, lang) in rest) == (pattern in wanted), (task, pattern, wanted)


# --- 8. the lines that say what to notice hold for any input the page can show ----------------------


@pytest.mark.parametrize("width", [1, 2, 3, 8, 64])
def test_positional_encoding_waves_slow_pair_by_pair_and_part_a_repeated_word(width):
    """vocab.pe_notice: each column a wave, slower pair by pair to the right; a repeated word's rows differ in X."""
    pe = core.sinusoidal_positional_encoding(state.MAX_TOKENS, width)
    speed = 1 / np.power(10000.0, (np.arange(width) // 2 * 2) / width)  # radians per position, by column
    p = np.arange(len(pe))[:, None]
    np.testing.assert_allclose(pe[:, 0::2], np.sin(p * speed[0::2]), atol=1e-12)  # the waves the chart draws
    np.testing.assert_allclose(pe[:, 1::2], np.cos(p * speed[1::2]), atol=1e-12)
    assert (np.diff(speed) <= 0).all() and (speed[0::2][: len(speed[1::2])] == speed[1::2]).all()
    rows = {tuple(np.round(row, 12)) for row in pe}
    assert len(rows) == len(pe)  # no two positions share a row, so a word at two of them gets two rows of X


@pytest.mark.parametrize("seed", range(5))
def test_the_articles_maps_read_as_their_lines_say_on_any_table(seed):
    """sa.t_scores_notice, sa.t_weights_notice, sa.t_output_notice and mh.t_stacked_notice, on random tables."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(int(rng.integers(2, 7)))]
    vocab = core.random_vocabulary(words, int(rng.integers(1, 9)), seed)
    settings = replace(state.DEFAULTS, mode="tutorial", preset="random", sentence=" ".join(rng.choice(words, 5)))
    result = compute.current_pass(settings, vocab)
    np.testing.assert_allclose(result.scores, result.scores.T, atol=1e-12)  # (a, b) = (b, a)
    np.testing.assert_allclose(result.weights.sum(axis=0), 1, atol=1e-12)  # each column sums to 1
    np.testing.assert_allclose(result.head_output, result.weights @ result.x, atol=1e-12)  # rows of E mixed
    T = len(settings.tokens)
    blocks = result.stacked.reshape(-1, T, result.stacked.shape[1])
    assert len(blocks) == settings.heads and all(np.array_equal(b, blocks[0]) for b in blocks)


# --- Home's layer flow: the heads in parallel, ·V, the residuals ---------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_homes_layer_flow_names_the_values_the_parallel_heads_and_the_residuals(lang):
    t = Translator(lang)
    assert t("flow.heads").endswith("· V")  # output = weights · V, not a box that comes from nowhere
    assert t("flow.qkv").startswith("Q, K, V: h ")  # h heads, side by side
    assert "3–5" in t("home.flow_notice") and "Add & Norm" in t("home.flow_notice")
