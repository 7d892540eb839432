"""Numbers in the page's language: "0,25" in Portuguese in cells, tooltips, ticks and pictures; English as before."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.charts.chart_helpers import SCALING_TITLES, TITLES, marks_of, rows_of, spec, view_rows
from ui import charts, downloads

COMMA = charts.NumberFormat(",", ".")  # Portuguese (Brazil), Spanish
ENGLISH = charts.NumberFormat()
STATS_TITLES = {"title": "After LayerNorm", "row_title": "Token", "mean_title": "Mean", "std_title": "Spread"}
CURVE_TITLES = {"title": "Loss", "step_title": "Step", "loss_title": "Loss"}
HEAD_TITLES = {"title": "Heads", "head_title": "Head", "query_title": "Query", "key_title": "Key", "weight_title": "W"}
TEMPERATURE_TITLES = {"title": "τ", "key_title": "Key", "weight_title": "Weight", "temperature_title": "τ"}
DECIMAL_POINT = re.compile(r"\d\.\d")


def matrix() -> np.ndarray:
    return np.array([[-0.71, 0.25, 1.5], [2.125, -np.inf, 0.0001], [-1e-7, 0.5, -2.0]])


def builds(number_format: charts.NumberFormat) -> dict[str, object]:
    """One chart of every builder that writes numbers, with ``number_format``."""
    w = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.5, 0.25, 0.25]])
    d_k = 2 ** np.arange(5)
    nf = {"number_format": number_format}
    return {
        "heatmap": charts.heatmap(matrix(), list("abc"), list("xyz"), **TITLES, domain=(-3, 3), **nf),
        "row_stats": charts.row_stats("abc", [0.6, -0.05, 0.3], [0.8561, 1.42, 0.9824], **STATS_TITLES, **nf),
        "loss_curve": charts.loss_curve([2.0, 1.25, 0.5], **CURVE_TITLES, **nf),
        "accuracies": charts.loss_curve({"a": [0.1, 0.5], "b": [0.2, 0.9]}, **CURVE_TITLES, percent=True, **nf),
        "scaling_study": charts.scaling_study(
            d_k,
            np.sqrt(d_k) * 1.5,
            np.ones(5) * 1.25,
            np.linspace(0.5, 0.99, 5),
            np.full(5, 0.35),
            4.0,
            **SCALING_TITLES,
            **nf,
        ),
        "temperature_curve": charts.temperature_curve(
            list("abc"), {0.5: w[0], 2.0: w[1], 1.5: w[2]}, 0.5, **TEMPERATURE_TITLES, **nf
        ),
        "head_view": charts.head_view(list("abc"), np.stack([w, w.T / w.T.sum(1, keepdims=True)]), **HEAD_TITLES, **nf),
    }


def all_texts(node) -> list[str]:
    """Every string in a spec (datasets included)."""
    if isinstance(node, dict):
        return [s for v in node.values() for s in all_texts(v)]
    if isinstance(node, list):
        return [s for v in node for s in all_texts(v)]
    return [node] if isinstance(node, str) else []


def test_english_charts_are_exactly_what_they_were():
    """English is the default: giving it changes nothing in a spec (whose content keys its cache)."""
    plain = {name: spec(chart) for name, chart in builds(ENGLISH).items()}
    given = builds(ENGLISH)
    for name, chart in given.items():
        assert spec(chart) == plain[name], name
        assert "locale" not in plain[name]["config"], name


@pytest.mark.parametrize("name", list(builds(ENGLISH)))
def test_a_decimal_comma_language_has_vega_format_its_numbers(name):
    d = spec(builds(COMMA)[name])
    assert d["config"]["locale"] == {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", ""]}
    }
    assert d["config"]["aria"] is False  # the text alternative's config is kept beside it
    english = spec(builds(ENGLISH)[name])
    del d["config"]["locale"]
    assert d.keys() == english.keys()


def test_heatmap_cells_and_tooltips_write_a_decimal_comma():
    d = spec(charts.heatmap(matrix(), list("abc"), list("xyz"), **TITLES, domain=(-3, 3), number_format=COMMA))
    rows = rows_of(d, d["layer"][0])
    assert [r["txt"] for r in rows] == ["-0,710", "0,250", "1,500", "2,125", "−∞", "0,000", "0,000", "0,500", "-2,000"]
    assert [r["val"] for r in rows][:4] == ["-0,7100", "0,2500", "1,5000", "2,1250"]
    assert [r["exact"] for r in rows] == ["-0,71", "0,25", "1,5", "2,125", "-inf", "0,0001", "-1e-07", "0,5", "-2,0"]
    english = spec(charts.heatmap(matrix(), list("abc"), list("xyz"), **TITLES, domain=(-3, 3)))
    assert [r["txt"] for r in rows_of(english, english["layer"][0])][:2] == ["-0.710", "0.250"]


def test_every_number_a_chart_writes_itself_has_no_decimal_point():
    for name, chart in builds(COMMA).items():
        d = spec(chart)
        texts = [t for t in all_texts(d.get("datasets", {})) if not t.startswith("data:")]
        assert not [t for t in texts if DECIMAL_POINT.search(t)], name


def test_row_stats_write_a_decimal_comma_and_keep_negatives_left():
    d = spec(charts.row_stats("abc", [0.25, -0.5, -1e-17], [1.0, 0.75, 1.0], **STATS_TITLES, number_format=COMMA))
    left, _ = d["hconcat"]
    rows = view_rows(d, left, left["layer"][0])
    assert [row["mean_val"] for row in rows] == ["0,2500", "-0,5000", "0,0000"]
    assert [row["mean_left"] for row in rows] == [False, True, False]
    assert [row["std_exact"] for row in rows] == ["1,0", "0,75", "1,0"]


def test_temperatures_are_written_in_the_language_and_the_current_one_stays_bold():
    w = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    d = spec(
        charts.temperature_curve(list("abc"), {0.5: w[0], 2.0: w[1]}, 0.5, **TEMPERATURE_TITLES, number_format=COMMA)
    )
    color = marks_of(d, "point")[0]["encoding"]["color"]
    assert color["scale"]["domain"] == ["0,5", "2"]
    assert '"0,5"' in color["legend"]["labelFontWeight"]["expr"]


def text_span_px(start_px: float, text: str) -> tuple[float, float]:
    """Where a 10 px number written from ``start_px`` (4 px after its anchor) lies, generously (6.5 px a character)."""
    return start_px + 4, start_px + 4 + 6.5 * len(text)


@pytest.mark.parametrize("number_format", [ENGLISH, COMMA])
def test_a_spread_label_never_crosses_the_dashed_rule(number_format):
    stds = [0.8561, 1.4227, 0.9824, 2.0143, 0.2, 1.0, 0.999]
    d = spec(charts.row_stats("abcdefg", np.zeros(7), stds, **STATS_TITLES, number_format=number_format, width=170))
    _, right = d["hconcat"]
    (rule,) = marks_of(right, "rule")
    assert rule["mark"]["strokeDash"]  # the dashed rule at the target spread, 1
    written = next(t for t in marks_of(right, "text") if t["transform"] == [{"filter": "!datum.std_left"}])
    x = written["encoding"]["x"]
    lo, hi = x["scale"]["domain"]

    def px(v: float) -> float:
        return (v - lo) / (hi - lo) * right["width"]

    rule_px = px(1.0)
    for row in view_rows(d, right, right["layer"][0]):
        start, end = text_span_px(px(row[x["field"]]), row["std_val"])
        assert not start - 2 < rule_px < end + 2, row  # clear of the rule's 1.5 px stroke
        assert start >= px(row["std"]) + 4  # never over its own bar
        assert end <= right["width"] + 1e-9  # inside the plot
        if row["std"] in (0.2, 1.4227, 2.0143):  # far from the rule: beside its bar as before
            assert row[x["field"]] == row["std"]


def test_downloads_render_the_languages_numbers():
    """vl-convert formats the ticks with the spec's locale, and the cells carry their own texts."""
    values = np.array([[0.25, -0.5], [1.75, 0.0]])
    kwargs = {**TITLES, "title": "M", "domain": (-2.0, 2.0), "scheme": "blueorange"}
    texts = {}
    for lang, nf in (("en", ENGLISH), ("pt", COMMA)):
        heatmap = downloads.Figure("m", "heatmap", (values, ["a", "b"], ["c", "d"]), {**kwargs, "number_format": nf})
        loss = downloads.Figure("l", "loss_curve", ([2.0, 1.0, 0.25],), {**CURVE_TITLES, "number_format": nf})
        texts[lang] = [re.findall(r">([^<>]+)</text>", downloads.chart_svg(f)) for f in (heatmap, loss)]
    (cells_en, ticks_en), (cells_pt, ticks_pt) = texts["en"], texts["pt"]
    assert {"0.250", "-0.500", "1.750"} <= set(cells_en) and {"0,250", "-0,500", "1,750"} <= set(cells_pt)
    assert "0.5" in ticks_en and "1.5" in ticks_en
    assert "0,5" in ticks_pt and "1,5" in ticks_pt
    assert not [t for t in cells_pt + ticks_pt if DECIMAL_POINT.search(t)]


def test_a_number_format_that_is_not_one_is_refused():
    with pytest.raises(charts.ChartInputError, match="NumberFormat"):
        charts.heatmap(matrix(), list("abc"), list("xyz"), **TITLES, domain=(-3, 3), number_format="pt")
    with pytest.raises(charts.ChartInputError, match="NumberFormat"):
        charts.loss_curve([1.0, 0.5], **CURVE_TITLES, number_format=",")


def test_number_format_writes_fixed_and_exact_numbers():
    assert COMMA.fixed(-0.71, 3) == "-0,710" and COMMA.fixed(-1e-9, 4) == "0,0000"
    assert COMMA.exact(1.5e-7) == "1,5e-07" and COMMA.text("1,500.25") == "1.500,25"
    assert ENGLISH.fixed(-0.71, 3) == "-0.710" and ENGLISH.vega() is None
