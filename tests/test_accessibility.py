"""Accessibility of what the app sends (issue 20): every chart's text alternative in the page's language,
the numbers as tables on demand, the document's language. The browser side (axe-core, the keyboard, the
live region, reduced motion) is tests/browser/test_a11y.py."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import PAGES, chart_spec, chart_titled, charts, run_app
from ui import draw, layout
from ui.i18n import LANGS, Translator, escape_markdown

# A matrix's text alternative in each language: words it must hold.
MATRIX_WORDS = {"en": ("rows by", "columns"), "pt": ("linhas por", "colunas"), "es": ("filas por", "columnas")}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ["self-attention", "multi-head", "add-norm", "train"])
def test_every_chart_sent_has_a_description_in_the_pages_language(page, lang):
    at = run_app(PAGES[page], lang=lang)
    assert not at.exception
    drawn = charts(at)
    assert drawn or page == "train"
    for chart in drawn:
        spec = chart_spec(chart)
        assert spec["description"].strip(), spec.get("title")
        assert spec["config"]["aria"] is False and spec["config"]["mark"]["aria"] is False
    matrices = [chart_spec(c)["description"] for c in drawn if chart_spec(c).get("layer")]
    for text in matrices[:1]:
        assert all(word in text for word in MATRIX_WORDS.get(lang, MATRIX_WORDS["en"])), text


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
    text = draw.describe_matrix(t, np.array([[0.25, -1.5]]), ["a"], ["x", "y"], "M", "Linha", "Coluna")
    assert "Valores de -1,500 a 0,250" in text and "linha a (#1), coluna x (#1)" in text


def test_a_long_sentence_names_the_first_tokens_and_how_many_more():
    t = Translator("en")
    words = [f"w{i}" for i in range(40)]
    text = draw.describe_matrix(t, np.zeros((40, 40)), words, words, "M", "Query", "Key")
    assert "w0, w1" in text and "and 32 more" in text and len(text) < 600


def test_no_numbers_table_is_drawn_unless_asked():
    at = run_app(PAGES["self-attention"], lang="en")
    assert not at.table and not at.dataframe


def _with_numbers(page: str, **params):
    at = run_app(PAGES[page], **params)
    at.toggle(key=layout.NUMBERS).set_value(True).run()
    assert not at.exception
    return at


def test_the_numbers_of_every_matrix_come_as_a_table_headed_by_tokens_and_dimensions():
    at = _with_numbers("self-attention", lang="en", mode="tutorial")
    matrices = [c for c in charts(at) if chart_spec(c).get("layer")]
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
    assert "prefers-reduced-motion: reduce" in frame.proto.body


def test_every_language_file_has_a_document_language():
    for lang in LANGS:
        tag = layout.html_lang(Translator(lang))
        assert tag and tag.replace("-", "").isalpha()
