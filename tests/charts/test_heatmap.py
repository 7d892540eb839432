"""Heatmaps in rect mode: data, labels, tooltips, boundaries, size, axes, a clicked cell."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.charts.chart_helpers import (
    LABEL_SUFFIX,
    TITLES,
    TOKENS,
    label_list,
    layers_with_mark,
    only_layer,
    rows_of,
    shown_labels,
    softmax_rows,
    spec,
    weights_chart,
)
from ui import charts

# ---------------------------------------------------------------------------------------
# rect mode: data, labels, tooltips


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (6, 6), (64, 64), (1, charts.RECT_CELL_LIMIT)])
def test_rect_mode_has_one_row_per_cell(rng, shape):
    values = rng.random(shape)
    d = spec(weights_chart(values))
    rect = only_layer(d, "rect")
    rows = rows_of(d, rect)
    R, C = shape
    assert len(rows) == R * C
    assert not layers_with_mark(d, "image")
    got = np.zeros(shape)
    for row in rows:
        got[row["r"], row["c"]] = row["v"]
    np.testing.assert_array_equal(got, values)
    assert rect["encoding"]["x"]["field"] == "c" and rect["encoding"]["y"]["field"] == "r"


def test_repeated_tokens_stay_distinct_positions_in_order(rng):
    values = softmax_rows(rng.normal(size=(6, 6)))
    d = spec(charts.heatmap(values, TOKENS, TOKENS, **TITLES, domain=(0, 1)))
    rect = only_layer(d, "rect")
    rows = rows_of(d, rect)
    assert sorted({row["c"] for row in rows}) == list(range(6))
    assert sorted({row["r"] for row in rows}) == list(range(6))
    for channel in ("x", "y"):
        axis = rect["encoding"][channel]["axis"]
        assert label_list(axis) == TOKENS
        assert axis["values"] == [i + 0.5 for i in range(6)]
        assert shown_labels(axis) == TOKENS  # 'the' at positions 0 and 4
    # the two 'the' columns keep their own values
    by_cell = {(row["r"], row["c"]): row for row in rows}
    assert by_cell[(1, 0)]["col"] == "the (#1)" and by_cell[(1, 4)]["col"] == "the (#5)"
    assert by_cell[(1, 0)]["v"] == values[1, 0] and by_cell[(1, 4)]["v"] == values[1, 4]


def test_rows_run_top_to_bottom_and_columns_left_to_right(rng):
    d = spec(weights_chart(rng.random((3, 4))))
    enc = only_layer(d, "rect")["encoding"]
    assert enc["y"]["scale"]["reverse"] is True and enc["y"]["scale"]["domain"] == [0, 3]
    assert enc["x"]["scale"]["reverse"] is False and enc["x"]["scale"]["domain"] == [0, 4]
    assert enc["x"]["axis"]["title"] == "Key" and enc["y"]["axis"]["title"] == "Query"
    assert enc["x2"]["field"] == "c1" and enc["y2"]["field"] == "r1"
    assert {"calculate": "datum.c + 1", "as": "c1"} in only_layer(d, "rect")["transform"]


NASTY = ['say "hi"', "back\\slash", "</script>", "<b>bold</b>", "it's", "a&b", "ação", "😀", "line\u2028sep", ""]


def test_hostile_tokens_survive_as_plain_text(rng):
    values = rng.random((len(NASTY), len(NASTY)))
    d = spec(charts.heatmap(values, NASTY, NASTY, **TITLES, domain=(0, 1)))
    rect = only_layer(d, "rect")
    for channel in ("x", "y"):
        axis = rect["encoding"][channel]["axis"]
        assert label_list(axis) == NASTY  # the literal parses as a JSON array of the exact strings
        literal = axis["labelExpr"].removesuffix(LABEL_SUFFIX)
        assert literal.isascii() and not set("<>&") & set(literal)  # no raw markup, no raw U+2028
    rows = rows_of(d, rect)
    assert {row["row"] for row in rows} == {f"{t} (#{i + 1})" for i, t in enumerate(NASTY)}
    for tip in rect["encoding"]["tooltip"]:
        assert tip["type"] == "nominal" and "format" not in tip  # plain text, no html format


def test_label_expr_escapes_and_round_trips():
    labels = ["</script><script>alert(1)</script>", "x' || true || '", 'q"']
    expr = charts.label_expr(labels)
    assert "</" not in expr and json.loads(expr.removesuffix(LABEL_SUFFIX)) == labels


def test_tooltip_has_labels_positions_rounded_and_exact_value():
    values = np.array([[0.123456789012345, 1 / 3], [2 / 3, -0.0]])
    d = spec(charts.heatmap(values, ["a", "b"], ["c", "d"], **TITLES, domain=(-1, 1), scheme="blueorange", decimals=3))
    rect = only_layer(d, "rect")
    tips = rect["encoding"]["tooltip"]
    assert [t["field"] for t in tips] == ["row", "col", "val", "exact"]
    assert [t["title"] for t in tips] == ["Query", "Key", "Weight", "float64"]
    by_cell = {(row["r"], row["c"]): row for row in rows_of(d, rect)}
    cell = by_cell[(0, 0)]
    assert (cell["row"], cell["col"], cell["val"]) == ("a (#1)", "c (#1)", "0.123")
    assert float(cell["exact"]) == values[0, 0]  # the full float64, round-trip exact
    assert by_cell[(0, 1)]["exact"] == repr(1 / 3) and by_cell[(1, 0)]["val"] == "0.667"
    assert by_cell[(1, 1)]["val"] == "0.000"  # no "-0.000"


def test_tooltip_titles_stay_distinct_when_the_caller_repeats_one(rng):
    d = spec(
        charts.heatmap(
            rng.random((2, 2)),
            "ab",
            "ab",
            title="",
            row_title="Token",
            col_title="Token",
            value_title="v",
            domain=(0, 1),
        )
    )
    titles = [t["title"] for t in only_layer(d, "rect")["encoding"]["tooltip"]]
    assert len(set(titles)) == 4 and titles[0] == "Token" and titles[1].strip("\u200b") == "Token"


# ---------------------------------------------------------------------------------------
# boundaries, size, axes


def test_col_boundaries_draw_rules_at_head_boundaries(rng):
    d_v, heads = 4, 3
    values = rng.normal(size=(6, d_v * heads))
    d = spec(
        charts.heatmap(
            values,
            TOKENS,
            [str(j) for j in range(d_v * heads)],
            **TITLES,
            domain=charts.symmetric_domain(values),
            scheme="blueorange",
            col_boundaries=[d_v, 2 * d_v],
        )
    )
    rules = layers_with_mark(d, "rule")
    assert rules
    rect_x = only_layer(d, "rect")["encoding"]["x"]
    for rule in rules:
        assert [row["b"] for row in rows_of(d, rule)] == [4, 8]
        assert rule["encoding"]["x"]["field"] == "b" and "y" not in rule["encoding"]  # full height
        assert rule["encoding"]["x"]["scale"] == rect_x["scale"]  # same scale: x = 4 is the left edge of column 4


def test_row_boundaries_draw_horizontal_rules(rng):
    d = spec(weights_chart(rng.random((6, 3)), row_boundaries=[3]))
    for rule in layers_with_mark(d, "rule"):
        assert [row["b"] for row in rows_of(d, rule)] == [3] and "x" not in rule["encoding"]


@pytest.mark.parametrize("bad", [[0], [6], [-1], [2.5], [True], ["3"]])
def test_bad_boundaries_are_refused(rng, bad):
    with pytest.raises(charts.ChartInputError, match="col_boundaries"):
        weights_chart(rng.random((6, 6)), col_boundaries=bad)


def test_size_follows_the_matrix_unless_given(rng):
    tiny = spec(weights_chart(rng.random((3, 3)), show_values=False))
    assert tiny["width"] == tiny["height"] == 3 * 36
    with_values = spec(weights_chart(rng.random((3, 3))))
    assert 28 * 3 <= with_values["width"] <= 60 * 3 and with_values["height"] == 3 * 36
    big = spec(weights_chart(rng.random((512, 512))))
    assert big["width"] == big["height"] == 420
    tall = spec(weights_chart(rng.random((40, 3))))
    assert tall["height"] == 420 and tall["width"] == 3 * 36
    given = spec(weights_chart(rng.random((3, 3)), width=250, height=120))
    assert (given["width"], given["height"]) == (250, 120)
    assert tiny["autosize"] == {"type": "pad", "contains": "padding"}  # Streamlit would "fit" otherwise


def test_few_short_labels_stay_horizontal_many_turn(rng):
    few = spec(charts.heatmap(rng.random((3, 3)), ["a", "b", "c"], ["a", "b", "c"], **TITLES, domain=(0, 1)))
    assert only_layer(few, "rect")["encoding"]["x"]["axis"]["labelAngle"] == 0
    labels = [f"tok{i}" for i in range(60)]
    many = spec(charts.heatmap(rng.random((3, 60)), ["a", "b", "c"], labels, **TITLES, domain=(0, 1)))
    axis = only_layer(many, "rect")["encoding"]["x"]["axis"]
    assert axis["labelAngle"] in (-45, -90) and axis["labelLimit"] > 0


def test_note_becomes_the_subtitle(rng):
    d = spec(weights_chart(rng.random((512, 512)), note="Averaged over 2×2 blocks"))
    assert d["title"] == {"text": "Weights", "subtitle": "Averaged over 2×2 blocks"}
    assert charts.downsample_factors(512, 512) == (2, 2) and charts.downsample_factors(64, 64) == (1, 1)


@pytest.mark.parametrize(
    ("values", "rows", "cols", "kwargs", "match"),
    [
        (np.zeros(3), "abc", "abc", {}, "2 axes"),
        (np.zeros((0, 3)), "", "abc", {}, "at least one row"),
        (np.zeros((2, 3)), "a", "abc", {}, "row_labels has 1"),
        (np.zeros((2, 3)), "ab", "abcd", {}, "col_labels has 4"),
        (np.zeros((2, 2)), "ab", "ab", {"domain": (1, 1)}, "low < high"),
        (np.zeros((2, 2)), "ab", "ab", {"domain": (0, np.nan)}, "finite"),
        (np.zeros((2, 2)), "ab", "ab", {"scheme": "jet"}, "scheme must be one of"),
        (np.zeros((2, 2)), "ab", "ab", {"decimals": -1}, "decimals"),
    ],
)
def test_bad_input_is_refused_with_a_message(values, rows, cols, kwargs, match):
    with pytest.raises(charts.ChartInputError, match=match):
        charts.heatmap(values, list(rows), list(cols), **{**TITLES, "domain": (0, 1), **kwargs})


# ---------------------------------------------------------------------------------------
# heatmap: a clicked cell as a selection


def outline_layers(d: dict, param: str) -> list[dict]:
    return [layer for layer in d["layer"] if {"filter": {"param": param, "empty": False}} in layer.get("transform", [])]


def test_select_is_a_point_selection_on_the_cell_indices(rng):
    values = rng.random((3, 4))
    d = spec(weights_chart(values, select="cell"))
    (param,) = d["params"]
    assert param["name"] == "cell"
    sel = param["select"]
    assert sel["type"] == "point" and sel["fields"] == ["r", "c"]
    assert sel["on"].startswith("click[") and sel["clear"] == "dblclick" and sel["toggle"] is False
    # bound to the cell rects, whose rows carry r and c: what Streamlit returns for a click
    rect = next(layer for layer in layers_with_mark(d, "rect") if "filter" not in json.dumps(layer.get("transform")))
    assert param["views"] == [rect["name"]] and rect["mark"]["cursor"] == "pointer"
    got = np.full(values.shape, np.nan)
    for row in rows_of(d, rect):
        assert isinstance(row["r"], int) and isinstance(row["c"], int)
        got[row["r"], row["c"]] = row["v"]
    np.testing.assert_array_equal(got, values)


def test_the_selected_cell_is_outlined_dark_under_white_above_every_cell(rng):
    d = spec(weights_chart(rng.random((4, 4)), select="pick", col_boundaries=[2]))
    outlines = outline_layers(d, "pick")
    assert [o["mark"]["stroke"] for o in outlines] == ["black", "white"]
    assert outlines[0]["mark"]["strokeWidth"] > outlines[1]["mark"]["strokeWidth"] > 0.5
    assert all(o["mark"]["filled"] is False for o in outlines)
    cell = d["layer"][0]
    for o in outlines:
        assert d["layer"].index(o) > d["layer"].index(only_layer(d, "text"))  # on top of the numbers too
        for channel in ("x", "y"):
            assert o["encoding"][channel]["field"] == cell["encoding"][channel]["field"]
            assert o["encoding"][channel]["scale"] == cell["encoding"][channel]["scale"]
        assert o["encoding"]["x2"]["field"] == "c1" and o["encoding"]["y2"]["field"] == "r1"
        assert o["encoding"]["tooltip"] == cell["encoding"]["tooltip"]  # hovering the outline still tells the value


@pytest.mark.parametrize("masked", [False, True])
def test_select_only_adds_the_selection_and_its_outline(rng, masked):
    values = rng.random((5, 5))
    if masked:
        values[np.triu_indices(5, 1)] = -np.inf
    plain = spec(weights_chart(values))
    # no selection, and no layer filtered by one (the masked cells' strike filters by a field)
    assert "params" not in plain and not any(
        '"param"' in json.dumps(layer.get("transform")) for layer in plain["layer"]
    )
    assert plain == spec(weights_chart(values, select=None))
    selected = spec(weights_chart(values, select="cell"))
    del selected["params"]
    selected["layer"] = [layer for layer in selected["layer"] if layer not in outline_layers(selected, "cell")]
    for layer in selected["layer"]:
        layer.pop("name", None)
        layer["mark"].pop("cursor")
    assert selected == plain


def test_select_is_ignored_in_image_mode(rng):
    values = rng.random((80, 80))
    d = spec(weights_chart(values, select="cell"))
    assert layers_with_mark(d, "image") and "params" not in d
    assert d == spec(weights_chart(values))


@pytest.mark.parametrize("bad", ["", "1cell", "a cell", "cell-1", 3, "x'y"])
def test_a_select_name_that_is_no_identifier_is_refused(rng, bad):
    with pytest.raises(charts.ChartInputError, match="select must be a name"):
        weights_chart(rng.random((2, 2)), select=bad)


def test_a_masked_weight_is_written_as_its_value_zero_and_a_masked_score_as_minus_infinity():
    values = np.array([[1.0, -np.inf], [0.5, 0.5]])
    titles = {"title": "t", "row_title": "q", "col_title": "k", "value_title": "v"}
    weights = charts.heatmap(values, ["a", "b"], ["a", "b"], domain=charts.WEIGHTS_DOMAIN, masked_value="0", **titles)
    scores = charts.heatmap(values, ["a", "b"], ["a", "b"], domain=(-1.0, 1.0), **titles)
    w, s = weights.data, scores.data
    assert w.loc[1, "txt"] == "0" and w.loc[1, "exact"] == "0" and w.loc[1, "masked"]
    assert s.loc[1, "txt"] == "−∞" and s.loc[1, "exact"] == "-inf"
