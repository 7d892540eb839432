"""Accessibility of what the app sends (issue 20): every chart's text alternative in the page's language,
the numbers as tables on demand, the document's language. The browser side (axe-core, the keyboard, the
live region, reduced motion) is tests/browser/test_a11y.py."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PAGES, assert_clean, chart_spec, chart_titled, charts, run_app
from ui import describe, draw, layout, lesson, training
from ui.i18n import LANGS, Translator, escape_markdown, languages

# Views that draw every kind of data chart: each page as a link opens it, /train and /translate trained
# (40 and 20 quick steps), /multi-head with its head view, the lesson's step on d_k with its answer revealed.
TRAIN = {"preset": "random", "dim": 8, "sentence": "a b c d e f", "heads": 1, "steps": 40, "task": "neighbours"}
EN = Translator("en")
DK_STEP = 1 + [step.id for step in lesson.STEPS].index("dk")


def view(name: str, lang: str = "en", **params) -> AppTest:
    """The page ``name`` in ``lang`` as a learner reaches it with all of its charts drawn."""
    if name == "train":
        at = run_app(PAGES[name], lang=lang, weights="trained", seed=2001, **TRAIN, **params)
    elif name == "translate":
        at = run_app(PAGES[name], lang=lang, seed=1901, **params)  # test_translate_page's training: cached
        for button in [b for b in at.button if b.label == Translator(lang)("tr.go")]:
            button.click().run(timeout=120)
    elif name == "lesson":
        at = run_app(PAGES[name], lang=lang, step=DK_STEP, **params)
        [picker] = [r for r in at.radio if (r.key or "").startswith("lesson_pick_")]
        picker.set_value(0).run()
        next(b for b in at.button if b.label == Translator(lang)("lesson.reveal")).click().run()
    else:
        at = run_app(PAGES[name], lang=lang, **params)
        if name == "multi-head":
            at.toggle(key="mh_analyse").set_value(True).run()
    assert_clean(at)
    return at


VIEWS = list(PAGES)
# Phrases of the English descriptions that a Portuguese or Spanish one must not hold.
ENGLISH = ("a matrix of", "Values from", "the largest", "training step", "colour scale", "masked (grey", "Heads:")
# The sentences a chart's description starts with (ui/describe.py); the flow diagrams list their steps.
DESCRIPTIONS = ("a11y.matrix", "a11y.curve", "a11y.curves", "a11y.scaling", "a11y.temperature", "a11y.head_view")
DESCRIPTIONS += ("a11y.row_stats",)


def template(lang: str, key: str) -> re.Pattern:
    """What a catalogue sentence reads like in ``lang`` (any of its plural forms), any text for its arguments."""
    forms = languages()[lang].messages[key]
    alternatives = (".+?".join(map(re.escape, re.split(r"\{[a-z_0-9]+\}", form))) for form in forms)
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.DOTALL)


def title_text(spec: dict) -> str:
    title = spec.get("title") or ""
    title = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(title) if isinstance(title, list) else title


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", VIEWS)
def test_every_chart_sent_has_a_description_in_the_pages_language(name, lang):
    at = view(name, lang)
    drawn = [chart_spec(c) for c in charts(at)]
    assert drawn, f"/{name} drew no chart"
    sentences = [template(lang, key) for key in DESCRIPTIONS]
    for spec in drawn:
        text = spec["description"]
        assert len(text) > len(title_text(spec)), text  # more than its title: what it shows
        assert spec["config"]["aria"] is False and spec["config"]["mark"]["aria"] is False
        if lang != "en":
            assert not [word for word in ENGLISH if word in text], text
        if name != "home":  # Home's two charts are flow diagrams: their steps, in the page's words
            assert any(sentence.match(text) for sentence in sentences), text
    if name != "home":  # every other view draws matrices: one at least reads as one
        assert any(template(lang, "a11y.matrix").match(spec["description"]) for spec in drawn)


def test_a_weights_map_says_its_size_its_tokens_and_its_fixed_scale():
    at = run_app(PAGES["self-attention"], lang="en", mode="tutorial")
    text = chart_spec(chart_titled(at, "softmax(E·Eᵀ, axis=0)"))["description"]
    assert text.startswith("softmax(E·Eᵀ, axis=0): a matrix of 4 rows by 4 columns.")
    assert "the, cat, sat, on" in text
    assert text.endswith("Its colour scale runs from 0.000 to 1.000.")


def test_a_matrix_on_its_own_scale_says_its_range_and_where_its_largest_value_is():
    at = run_app(PAGES["self-attention"], lang="en", mode="tutorial")
    text = chart_spec(chart_titled(at, "E·Eᵀ"))["description"]
    assert text.endswith("Values from 0.000 to 2.000; the largest is at row on (#4), column on (#4).")


def test_a_new_head_count_keeps_a_maps_description_so_the_browser_only_swaps_its_data():
    at = run_app(PAGES["multi-head"])
    before = chart_spec(chart_titled(at, "Head 1"))["description"]
    at.slider(key="w_heads").set_value(4).run()
    assert chart_spec(chart_titled(at, "Head 1"))["description"] == before


def test_masked_cells_are_counted_in_the_description():
    at = run_app(PAGES["self-attention"], lang="pt", mask="causal")
    described = [chart_spec(c)["description"] for c in charts(at)]
    assert any("6 células estão mascaradas" in d for d in described), described


def test_numbers_come_as_decimal_commas_in_portuguese():
    t = Translator("pt")
    text = describe.matrix(t, np.array([[0.25, -1.5]]), ["a"], ["x", "y"], "M", "Linha", "Coluna")
    assert "Valores de -1,500 a 0,250" in text and "linha a (#1), coluna x (#1)" in text


@pytest.mark.parametrize(
    ("lang", "one", "more"),
    [
        ("en", "a matrix of 1 row by 1 column.", "a matrix of 2 rows by 3 columns."),
        ("pt", "uma matriz de 1 linha por 1 coluna.", "uma matriz de 2 linhas por 3 colunas."),
        ("es", "una matriz de 1 fila por 1 columna.", "una matriz de 2 filas por 3 columnas."),
    ],
)
def test_a_matrix_counts_its_rows_and_columns_in_the_right_number(lang, one, more):
    t = Translator(lang)
    assert one in describe.matrix(t, np.zeros((1, 1)), ["a"], ["x"], "M", "R", "C")
    assert more in describe.matrix(t, np.zeros((2, 3)), ["a", "b"], ["x", "y", "z"], "M", "R", "C")


def test_the_temperatures_are_written_as_the_language_writes_numbers():
    pairs = [(0.25, np.array([0.9, 0.1])), (0.5, np.array([0.7, 0.3])), (2.0, np.array([0.55, 0.45]))]
    pt = describe.temperature(Translator("pt"), ["a", "b"], pairs, 0.5, title="T")
    assert "(0,25, 0,5, 2)" in pt and "τ = 0,5," in pt and "0.25" not in pt
    en = describe.temperature(Translator("en"), ["a", "b"], pairs, 0.5, title="T")
    assert "(0.25, 0.5, 2)" in en and "τ = 0.5," in en


def test_a_value_that_rounds_to_zero_is_never_written_minus_zero():
    means, spreads = np.array([-4e-5, 3e-5]), np.array([1.0, 0.99996])
    text = describe.row_stats(Translator("en"), ["a", "b"], means, spreads, title="After")
    assert "Means from 0.000 to 0.000; spreads from 1.000 to 1.000." in text and "-0.000" not in text
    matrix = describe.matrix(Translator("pt"), np.array([[-1e-4, 0.5]]), ["a"], ["x", "y"], "M", "L", "C")
    assert "Valores de 0,000 a 0,500" in matrix


def test_a_long_sentence_names_the_first_tokens_and_how_many_more():
    t = Translator("en")
    words = [f"w{i}" for i in range(40)]
    text = describe.matrix(t, np.zeros((40, 40)), words, words, "M", "Query", "Key")
    assert "w0, w1" in text and "and 32 more" in text and len(text) < 600


class _Box:
    """Where a live curve is drawn (an ``st.empty``): keeps the spec it is given."""

    def vega_lite_chart(self, spec, **_):
        self.spec = spec


@pytest.mark.parametrize("lang", LANGS)
def test_a_live_training_curve_says_what_it_shows_in_the_pages_language(lang):
    t = Translator(lang)
    job = SimpleNamespace(step=3, total=50, losses=[2.0, 1.5, 1.25, 9.0], accuracies=[0.25, 0.5, 0.75, 1.0])
    boxes = [_Box(), _Box()]
    training._curves(t, boxes, job)
    loss, accuracy = (box.spec["description"] for box in boxes)
    assert loss == describe.curve(t, [2.0, 1.5, 1.25], **training.curve_titles(t, False))
    assert accuracy == describe.curve(t, [0.25, 0.5, 0.75], **training.curve_titles(t, True))
    assert loss.startswith(t("train.loss", raw=True) + ": ") and len(loss) > len(t("train.loss", raw=True)) + 20
    assert t.number(1.25, 3) in loss and f"{t.number(75, 1)}%" in accuracy  # the last step drawn, not 9.0


def test_no_numbers_table_is_drawn_unless_asked():
    at = run_app(PAGES["self-attention"], lang="en")
    assert not at.table and not at.dataframe


def _with_numbers(page: str, **params):
    at = run_app(PAGES[page], **params)
    at.toggle(key=layout.NUMBERS).set_value(True).run()
    assert not at.exception
    return at


def numbers_tables(at: AppTest) -> list[str]:
    """The accessible names of the numbers' tables on the page (HTML tables and, past 1,024 cells, grids)."""
    named = Translator("en")("a11y.table", raw=True, title="", rows="", cols="").split(":")[0]
    return [el.proto.alt for el in [*at.table, *at.dataframe] if el.proto.alt.startswith(named)]


@pytest.mark.parametrize("name", [name for name in VIEWS if name != "home"])  # Home draws flow diagrams only
def test_the_numbers_of_every_data_chart_come_as_a_table(name):
    at = view(name)
    drawn = [chart_spec(c) for c in charts(at)]
    assert not numbers_tables(at)  # off: no table
    at.toggle(key=layout.NUMBERS).set_value(True).run()
    assert_clean(at)
    assert [chart_spec(c) for c in charts(at)] == drawn  # the same charts, and under each its numbers
    tables = numbers_tables(at)
    assert len(tables) == len(drawn) > 0
    untitled = Translator("en")("mh.head_view", raw=True)  # the head view's title is the subheader above it
    for spec in drawn:
        title = title_text(spec) or untitled
        assert any(table.startswith(f"Numbers of {title}") for table in tables), (title, tables)


def test_the_curves_the_study_and_the_temperatures_are_tables_headed_by_steps_d_k_and_tau():
    at = view("self-attention", lang="pt")
    at.toggle(key=layout.NUMBERS).set_value(True).run()
    frames = {table.proto.alt.split(":")[0]: table.value for table in at.table}
    study = frames["Números de " + Translator("pt")("sqrt.chart", raw=True)]
    assert study.index.name == "d_k" and list(study.index[:3]) == ["1", "2", "4"] and study.shape[1] == 4
    temperatures = next(frame for frame in frames.values() if frame.index.name == "τ")
    assert list(temperatures.index) == ["0,25", "0,5", "1", "2", "4"]
    assert list(temperatures.columns) == ["the", "cat", "sat", "on"] and "," in temperatures.iloc[0, 0]
    at = view("train")
    at.toggle(key=layout.NUMBERS).set_value(True).run()
    frames = {table.proto.alt.split(":")[0]: table.value for table in at.table}
    loss, accuracy = (frames[f"Numbers of {EN(key, raw=True)}"] for key in ("train.loss", "train.accuracy_curve"))
    assert loss.index.name == "Step" and list(loss.index[:3]) == ["1", "2", "3"] and len(loss) == TRAIN["steps"]
    assert list(loss.columns) == ["Loss"] and list(accuracy.columns) == [escape_markdown("Accuracy (%)")]


def test_the_numbers_of_every_matrix_come_as_a_table_headed_by_tokens_and_dimensions():
    at = _with_numbers("self-attention", lang="en", mode="tutorial")
    matrices = charts(at)  # tutorial mode's self-attention draws matrices only
    assert len(at.table) == len(matrices) > 0
    frames = [table.value for table in at.table]
    tokens = ["the", "cat", "sat", "on"]
    weights = next(
        f for f in frames if list(f.columns) == tokens and f.iloc[2, 2] == "0.4754"
    )  # the article's 0.475367
    assert list(weights.index) == tokens
    names = [table.proto.alt for table in at.table]
    assert all(names)  # each table has an accessible name, with its range and largest cell
    assert any(n.endswith("Values from 0.072 to 0.534; the largest is at row on (#4), column on (#4).") for n in names)


def test_a_masked_cell_reads_masked_in_the_table_and_numbers_follow_the_language():
    at = _with_numbers("self-attention", lang="pt", mask="causal")
    cells = {v for table in at.table for v in table.value.to_numpy().ravel()}
    assert "mascarado" in cells
    assert any("," in v for v in cells if v != "mascarado")


def test_repeated_tokens_get_their_positions_as_headers_and_markdown_is_escaped():
    at = _with_numbers("self-attention", lang="en", preset="random", sentence="the *cat* the")
    headers = [list(table.value.columns) for table in at.table]
    assert [escape_markdown(h) for h in ("the (#1)", "*cat* (#2)", "the (#3)")] in headers


def test_a_matrix_too_big_for_a_table_points_to_its_csv():
    t = Translator("en")
    assert "65536" in t("a11y.table_too_big", n=70_000, max=draw.NUMBERS_GRID_CELLS)


@pytest.mark.parametrize(("lang", "tag"), [("en", "en"), ("pt", "pt-BR"), ("es", "es")])
def test_the_document_language_is_the_catalogues(lang, tag):
    assert layout.html_lang(Translator(lang)) == tag
    at = run_app(PAGES["home"], lang=lang)
    (frame,) = [el for el in at.get("html") if "__a11yLang" in el.proto.body]
    assert f'window.__a11yLang = "{tag}";' in frame.proto.body
    reduced = frame.proto.body.split("@media (prefers-reduced-motion: reduce)")[1]
    assert f"[class*='st-key-{training.LIVE_CURVES}_'] {{ display: none !important; }}" in reduced


def test_every_language_file_has_a_document_language():
    for lang in LANGS:
        tag = layout.html_lang(Translator(lang))
        assert tag and tag.replace("-", "").isalpha()
