"""A page's charts write numbers as its language does: "-0,710" in Portuguese and Spanish cells, ticks and
tooltips (Vega's ``config.locale``), and the same spec as ever in English; each language its own cached spec."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PAGES, assert_clean, chart_frame, chart_spec, charts, plain, run_app
from ui import state
from ui.i18n import CATALOGUE, Translator

DECIMAL_POINT = re.compile(r"\d\.\d")
DECIMAL_COMMA = re.compile(r"\d,\d")
TEXT_COLUMNS = ("txt", "val", "exact", "mean_val", "std_val", "mean_exact", "std_exact")


def page_numbers(lang: str) -> tuple[list[dict], list[str]]:
    """/add-norm in ``lang``: each chart's spec, and every number text its rows carry."""
    at = run_app(PAGES["add-norm"], lang=lang)
    assert_clean(at)
    drawn = charts(at)
    assert len(drawn) >= 4  # two matrices, the statistics before and after the norm
    specs, texts = [], []
    for chart in drawn:
        specs.append(chart_spec(chart))
        frame = chart_frame(chart)
        for column in TEXT_COLUMNS:
            if column in frame:
                texts += [str(v) for v in frame[column]]
    return specs, texts


def test_english_then_portuguese_and_spanish_each_get_their_own_numbers():
    """The languages run one after the other in one process: the spec cache must not hand one's to another."""
    specs, texts = page_numbers("en")
    assert all("locale" not in spec.get("config", {}) for spec in specs)
    assert any(DECIMAL_POINT.search(t) for t in texts) and not any(DECIMAL_COMMA.search(t) for t in texts)
    for lang in ("pt", "es"):
        specs, texts = page_numbers(lang)
        decimal, thousands = Translator(lang).number_symbols
        assert (decimal, thousands) == (",", ".")
        for spec in specs:
            assert spec["config"]["locale"]["number"] == {
                "decimal": decimal,
                "thousands": thousands,
                "grouping": [3],
                "currency": ["", ""],
            }
        assert any(DECIMAL_COMMA.search(t) for t in texts)
        assert not [t for t in texts if DECIMAL_POINT.search(t)]


def test_the_statistics_line_under_the_charts_writes_the_languages_decimals():
    for lang in state.LANGS:
        at = run_app(PAGES["add-norm"], lang=lang)
        assert_clean(at)
        start = CATALOGUE["an.stats_line"][lang].split("{")[0].strip()
        [line] = [plain(c.value) for c in at.caption if plain(c.value).startswith(start)]
        point, comma = bool(DECIMAL_POINT.search(line)), bool(DECIMAL_COMMA.search(line))
        assert (point, comma) == ((False, True) if Translator(lang).decimal_comma else (True, False)), line


# A decimal written the English way: "0.5", "1.0825"; not a thousands group such as "51.200".
ENGLISH_DECIMAL = re.compile(r"\d\.(?:\d{1,2}|\d{4,})(?!\d)")
TEXT_ELEMENTS = ("markdown", "caption", "info", "success", "warning", "error", "metric")


def english_decimals(at) -> list[str]:
    found = []
    for kind in TEXT_ELEMENTS:
        for element in getattr(at, kind):
            text = plain(str(element.value))
            found += [text[max(0, m.start() - 40) : m.end() + 10] for m in ENGLISH_DECIMAL.finditer(text)]
    return found


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("self-attention", {"cell": "3,2", "temp": "0.5"}),  # a cell's derivation, and the temperature's line
        ("self-attention", {"cell": "2,2", "mode": "tutorial"}),
        ("multi-head", {"off": "1"}),  # what switching a head off changed
        ("decoder", {}),  # its cell explained, cross-attention
        ("add-norm", {}),
        ("feed-forward", {}),
    ],
)
@pytest.mark.parametrize("lang", ["pt", "es"])
def test_the_sentences_under_the_charts_write_decimals_with_the_languages_sign(name, params, lang):
    """A derivation's numbers are the tooltips' numbers: "0,4754" in Portuguese in both, never "0.4754"."""
    at = run_app(PAGES[name], lang=lang, **params)
    assert_clean(at)
    assert not english_decimals(at)
    assert any(DECIMAL_COMMA.search(plain(str(m.value))) for m in [*at.markdown, *at.caption])
