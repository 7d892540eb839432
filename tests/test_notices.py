"""What to notice: every chart a page draws has a line next to it that says what to look at in it.

The line is a caption from the catalogue (``ui/draw.py``'s ``notice``), drawn next to its chart;
the lesson's charts have their step's own text instead. The check is structural: the page's main
column, read top to bottom, is a sequence of charts and other elements. Charts drawn one right
after another (a row of charts side by side, a grid of heads) form one group, and each group must
have a line of its own (not shared with another group) between it and the charts before or after
it. ``CHARTS`` lists each chart with its line; a line is recognised by its text in the page's
language, whatever numbers or words were filled in.
"""

from __future__ import annotations

import re
import string

import pytest
from streamlit.testing.v1.element_tree import Block

from tests.conftest import PAGES, ROOT, assert_clean, chart_spec, run_app
from ui import lesson
from ui.i18n import CATALOGUE, LANGS, languages

# page -> (chart, the catalogue key of the line that says what to notice in it)
CHARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "home": (
        ("the transformer diagram", "home.tf_notice"),
        ("the data flow of one encoder layer", "home.flow_notice"),
    ),
    "vocabulary": (
        ("the sentence's embeddings E", "vocab.embeddings_notice"),
        ("PE and X = E + PE, side by side (paper mode)", "vocab.pe_notice"),
    ),
    "self-attention": (
        ("E·Eᵀ (tutorial)", "sa.t_scores_notice"),
        ("softmax(E·Eᵀ, axis=0) (tutorial)", "sa.t_weights_notice"),
        ("weights · E (tutorial)", "sa.t_output_notice"),
        ("Q, K, V side by side", "sa.qkv_notice"),
        ("Q·Kᵀ", "sa.scores_notice"),
        ("the scaled scores", "sa.scaled_notice"),
        ("the scaled scores, with the causal mask", "sa.mask_note"),
        ("why √d_k: spread and largest weight as d_k grows", "sqrt.notice"),
        ("one row's weights at several temperatures", "sqrt.temp_body"),
        ("softmax, the attention weights", "sa.weights_notice"),
        ("weights · V", "sa.output_notice"),
    ),
    "multi-head": (
        ("softmax(E·Eᵀ, axis=0) (tutorial)", "sa.t_weights_notice"),
        ("np.concatenate of the copies (tutorial)", "mh.t_stacked_notice"),
        ("one attention map per head", "mh.weights_notice"),
        ("the head view", "mh.head_view_help"),
        ("one output per head", "mh.outputs_notice"),
        ("the concatenation", "mh.concat_notice"),
        ("concat · W_O", "mh.output_notice"),
        ("what each head does, and how alike the heads are", "mh.roles_notice"),
        ("the output with heads off, and what changed", "mh.off_change"),
    ),
    "add-norm": (
        ("the attention output passed on unchanged (tutorial, norm = none)", "an.straight_notice"),
        ("x + MultiHead(x)", "an.residual_notice"),
        ("LayerNorm(…)", "an.norm_notice"),
        ("each row's mean and spread before and after the norm", "an.stats_line"),
    ),
    "feed-forward": (
        ("the input x", "ff.input_notice"),
        ("x·W1 + b1", "ff.pre_notice"),
        ("max(0, x·W1 + b1)", "ff.relu_share"),
        ("FFN(x)", "ff.output_notice"),
        ("h + FFN(…)", "ff.residual2_notice"),
        ("LayerNorm(h + FFN(h))", "an.norm_notice"),
        ("each row's mean and spread before and after the norm", "an.stats_line"),
    ),
    "train": (
        ("the loss and the accuracy per step", "train.curves_notice"),
        ("what the trained heads look at", "train.maps_notice"),
        ("attention only vs the whole block", "train.compare_notice"),
    ),
    "decoder": (
        ("the memory, the encoder's output", "dec.memory_caption"),
        ("masked self-attention, per head", "dec.why_masked"),
        ("Add & Norm 1", "dec.an1_caption"),
        ("cross-attention, per head", "dec.cross_caption"),
        ("cross-attention's heads concatenated", "dec.concat_caption"),
        ("concat · W_O", "dec.w_o_caption"),
        ("Add & Norm 2", "dec.an2_caption"),
        ("the feed-forward hidden layer", "dec.ffn_caption"),
        ("Add & Norm 3", "dec.an3_caption"),
    ),
    "translate": (
        ("the loss and the exact match per step", "tr.curves_notice"),
        ("one step's cross-attention", "tr.cross_help"),
        ("one step's self-attention", "tr.self_help"),
        ("the alignment averaged over the heads", "tr.alignment_notice"),
        ("the alignment, one map per head", "tr.heads_notice"),
    ),
}
# The lesson's charts are read with their step: its text before them, its question, and its answer.
LESSON_KEYS = tuple(f"lesson.{step.id}_{part}" for step in lesson.STEPS for part in ("text", "q", "why"))
NOTICE_KEYS = frozenset(key for charts in CHARTS.values() for _, key in charts) | {"train.maps_help"}
MAX_WORDS = 25  # a line added to say what to notice: short enough to read at a glance


def _pattern(text: str) -> str:
    """A catalogue text as a regular expression: its words as they are, any value in its placeholders."""
    return "".join(
        re.escape(literal) + (".*?" if field is not None else "")
        for literal, field, _, _ in string.Formatter().parse(text)
    )


def _matcher(lang: str, keys) -> re.Pattern:
    forms = [form for key in keys for form in languages()[lang].messages[key]]
    return re.compile("|".join(f"(?:{_pattern(form)})" for form in forms), re.DOTALL)


_CHART = object()


def _items(at) -> list:
    """The main column top to bottom, its containers opened: a chart as (``_CHART``, its title), any
    other element as its text (None if it has none)."""
    out = []

    def walk(node) -> None:
        if isinstance(node, Block):
            for k in sorted(node.children):
                walk(node.children[k])
        elif getattr(node, "type", None) == "vega_lite_chart":
            title = chart_spec(node).get("title")
            out.append((_CHART, title.get("text") if isinstance(title, dict) else title))
        else:
            value = getattr(node, "value", None)
            out.append(value if isinstance(value, str) else None)

    walk(at.main)
    return out


def groups_without_a_line(at, lang: str, keys) -> list[list]:
    """The groups of charts (their titles) that have no line of their own next to them. A line before a
    group is taken first, then one after it: left to right, this finds a line for every group if any
    assignment does."""
    items = _items(at)
    is_line = _matcher(lang, keys)
    groups, i = [], 0
    while i < len(items):
        if isinstance(items[i], tuple) and items[i][0] is _CHART:
            j = i
            while j + 1 < len(items) and isinstance(items[j + 1], tuple) and items[j + 1][0] is _CHART:
                j += 1
            groups.append((i, j))
            i = j + 1
        else:
            i += 1
    used, missing = set(), []
    for g, (start, end) in enumerate(groups):
        lo = groups[g - 1][1] + 1 if g else 0
        hi = groups[g + 1][0] if g + 1 < len(groups) else len(items)
        near = [k for k in (*range(lo, start), *range(end + 1, hi)) if k not in used]
        found = [k for k in near if isinstance(items[k], str) and is_line.fullmatch(items[k])]
        if found:
            used.add(found[0])
        else:
            missing.append([items[k][1] for k in range(start, end + 1)])
    return missing


def chart_count(at) -> int:
    return sum(1 for item in _items(at) if isinstance(item, tuple))


def assert_every_chart_has_its_line(at, lang: str, page: str) -> None:
    assert_clean(at)
    keys = (*LESSON_KEYS, "train.maps_help") if page == "lesson" else NOTICE_KEYS
    assert not groups_without_a_line(at, lang, keys), f"charts with no line saying what to notice on {page}"


# --- the table itself -----------------------------------------------------------------------------


def test_every_line_is_in_the_catalogue_and_drawn_by_its_page():
    shared = (ROOT / "ui" / "draw.py").read_text(encoding="utf-8")  # the row statistics draw their own
    for page, charts in CHARTS.items():
        source = (ROOT / PAGES[page]).read_text(encoding="utf-8")
        for chart, key in charts:
            assert key in CATALOGUE, (chart, key)
            assert f'"{key}"' in source or f'"{key}"' in shared, (page, chart, key)


@pytest.mark.parametrize("key", sorted(k for k in NOTICE_KEYS if k.endswith("_notice")))
def test_a_new_line_is_short(key):
    assert len(CATALOGUE[key]["en"].split()) <= MAX_WORDS, CATALOGUE[key]["en"]


def test_the_check_finds_a_chart_without_its_line():
    """The check can fail: a page's lines taken out of the catalogue leave its charts alone."""
    at = run_app(PAGES["feed-forward"])
    assert_clean(at)
    assert not groups_without_a_line(at, "en", NOTICE_KEYS)
    missing = groups_without_a_line(at, "en", NOTICE_KEYS - {"ff.pre_notice"})
    assert missing == [["x·W1 + b1"]]


# --- every page, mode and language ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("train", "translate")])
def test_every_chart_has_a_line_saying_what_to_notice(page, mode, lang):
    at = run_app(PAGES[page], mode=mode, lang=lang)
    assert chart_count(at) >= 1
    assert_every_chart_has_its_line(at, lang, page)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("self-attention", {"mask": "causal", "temp": 0.5}),
        ("self-attention", {"scale": "none"}),
        ("multi-head", {"off": "1"}),  # the head view, the roles and a head switched off
        ("multi-head", {"mode": "tutorial", "heads": 3}),
        ("add-norm", {"norm": "pre"}),
        ("add-norm", {"norm": "none"}),
        ("feed-forward", {"norm": "pre"}),
        ("feed-forward", {"norm": "none"}),
        ("vocabulary", {"sentence": "the cat sat on the cat"}),
        ("decoder", {"layers": 2, "heads": 4}),
    ],
)
@pytest.mark.parametrize("lang", ["en", "pt"])
def test_every_chart_of_other_views_has_its_line(page, params, lang):
    at = run_app(PAGES[page], lang=lang, **params)
    assert chart_count(at) >= 1
    assert_every_chart_has_its_line(at, lang, page)


def _trains(step) -> bool:
    return bool(step.trainings or step.translates or dict(step.view).get("weights") == "trained")


# The steps that train before they draw are left out (too slow here): tests/test_lesson.py runs them.
@pytest.mark.parametrize("step", [n for n, s in enumerate(lesson.STEPS, 1) if not _trains(s)])
def test_every_lesson_step_reads_its_charts_with_its_text(step):
    at = run_app(PAGES["lesson"], step=step, lang="es")
    assert_every_chart_has_its_line(at, "es", "lesson")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_chart_of_a_training_has_its_line(lang):
    # a quick training: 40 steps, 6 words of width 8, one head; a seed of its own, so nothing is found cached
    params = {"preset": "random", "dim": 8, "sentence": "a b c d e f", "heads": 1, "steps": 40}
    at = run_app(PAGES["train"], lang=lang, task="neighbours", seed=1311 if lang == "en" else 1312, **params)
    [go] = [b for b in at.button if b.label == CATALOGUE["train.go"][lang]]
    go.click().run(timeout=120)
    [compare] = [b for b in at.button if b.label == CATALOGUE["train.compare_go"][lang]]
    compare.click().run(timeout=120)
    assert chart_count(at) >= 4  # two curves, the maps, the comparison
    assert_every_chart_has_its_line(at, lang, "train")


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_every_chart_of_the_translator_has_its_line(lang):
    at = run_app(PAGES["translate"], lang=lang, seed=1901)  # tests/test_translate_page.py's training
    for go in [b for b in at.button if b.label == CATALOGUE["tr.go"][lang]]:  # none if trained in this process
        go.click().run(timeout=120)
    assert chart_count(at) >= 5  # two curves, a step's two maps, the alignment
    assert_every_chart_has_its_line(at, lang, "translate")
