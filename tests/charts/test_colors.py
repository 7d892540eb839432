"""Colour: schemes, domains, masked cells, no NaN/inf."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.charts.chart_helpers import (
    MASKED_RGB,
    TITLES,
    color_fields,
    layers_with_mark,
    only_layer,
    png_rgb,
    rows_of,
    softmax_rows,
    spec,
    weights_chart,
)
from ui import charts

# ---------------------------------------------------------------------------------------
# colour: schemes, domains, masked cells, no NaN/inf


@pytest.mark.parametrize("big", [False, True], ids=["rect", "image"])
def test_weights_use_viridis_on_a_fixed_unit_domain(rng, big):
    n = 80 if big else 5
    values = softmax_rows(rng.normal(size=(n, n))) * 0.1  # max far below 1: the domain must stay [0, 1]
    d = spec(weights_chart(values))
    (color,) = color_fields(d)
    assert color["scale"]["scheme"] == "viridis"
    assert color["scale"]["domain"] == [0.0, 1.0]
    assert color["scale"]["nice"] is False and color["legend"]["title"] == "Weight"
    for layer in layers_with_mark(d, "rect"):  # the seam-hiding stroke uses the very same scale
        assert layer["encoding"]["stroke"]["scale"] == color["scale"] and layer["encoding"]["stroke"]["legend"] is None


@pytest.mark.parametrize("big", [False, True], ids=["rect", "image"])
def test_signed_values_use_blueorange_on_the_given_symmetric_domain(rng, big):
    n = 80 if big else 5
    a, b = rng.normal(size=(n, n)), 3 * rng.normal(size=(n, n))
    domain = charts.symmetric_domain(a, b)
    d = spec(
        charts.heatmap(
            a, [str(i) for i in range(n)], [str(i) for i in range(n)], **TITLES, domain=domain, scheme="blueorange"
        )
    )
    (color,) = color_fields(d)
    assert color["scale"]["scheme"] == "blueorange"
    assert color["scale"]["domain"] == [domain[0], domain[1]] and domain[0] == -domain[1]


def test_masked_cells_are_grey_with_the_callers_label_and_no_infinity_in_the_spec(rng):
    scores = rng.normal(size=(5, 5))
    scores[np.triu_indices(5, 1)] = -np.inf
    d = spec(
        charts.heatmap(
            scores,
            list("abcde"),
            list("abcde"),
            **TITLES,
            domain=charts.symmetric_domain(scores),
            scheme="blueorange",
            masked_label="mascarado",
        )
    )
    rect = only_layer(d, "rect")
    color = rect["encoding"]["color"]
    assert color["condition"] == {"test": "datum.masked", "value": charts.MASKED_COLOR}
    by_cell = {(row["r"], row["c"]): row for row in rows_of(d, rect)}
    masked = by_cell[(0, 4)]
    assert masked["masked"] is True and masked["val"] == "mascarado" and masked["exact"] == "-inf"
    assert np.isfinite(masked["v"])
    assert by_cell[(4, 0)]["masked"] is False and by_cell[(4, 0)]["v"] == scores[4, 0]
    text_rows = rows_of(d, only_layer(d, "text"))
    assert {row["txt"] for row in text_rows if row["masked"]} == {"−∞"}


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_plus_inf_are_refused(bad):
    values = np.zeros((3, 3))
    values[1, 2] = bad
    with pytest.raises(charts.ChartInputError, match=r"finite or -inf .* \(1, 2\)"):
        weights_chart(values)


def test_image_mode_with_masked_cells_serialises_strictly(rng):
    w = softmax_rows(rng.normal(size=(100, 100)))
    w[np.triu_indices(100, 1)] = -np.inf
    d = spec(weights_chart(w))
    rgb = png_rgb(d)
    assert tuple(rgb[0, 99]) == MASKED_RGB and tuple(rgb[99, 0]) != MASKED_RGB


def test_text_colour_contrasts_with_the_cell():
    values = np.array([[0.0, 1.0]])
    d = spec(weights_chart(values, show_values=True))
    text = only_layer(d, "text")
    assert text["encoding"]["color"] == {"condition": {"test": "datum.dark", "value": "white"}, "value": "black"}
    by_col = {row["c"]: row for row in rows_of(d, text)}
    assert by_col[0]["dark"] is True  # dark purple -> white text
    assert by_col[1]["dark"] is False  # yellow -> black text


@pytest.mark.parametrize(
    ("shape", "show", "expected"),
    [
        ((12, 12), None, True),
        ((13, 12), None, False),
        ((13, 12), True, True),
        ((17, 2), None, False),  # a long side: 900 px tall to fit them; the tooltip has them
        ((16, 9), None, True),
        ((2, 2), False, False),
        ((80, 80), True, False),
    ],
)
def test_values_are_written_in_small_matrices(rng, shape, show, expected):
    d = spec(weights_chart(rng.random(shape), show_values=show))
    assert bool(layers_with_mark(d, "text")) is expected


def test_max_plot_caps_the_size_of_a_matrix_without_numbers(rng):
    d = spec(weights_chart(rng.random((20, 20)), max_plot=120))
    assert d["width"] <= 120 and d["height"] <= 120
    assert not layers_with_mark(d, "text")
    roomy = spec(weights_chart(rng.random((4, 4)), max_plot=400))
    assert layers_with_mark(roomy, "text") and roomy["width"] == roomy["height"] == 4 * 36


def test_numbers_make_the_plot_grow_instead_of_being_dropped(rng):
    d = spec(weights_chart(rng.random((12, 12)), max_plot=120))  # 10 px cells could not hold "0.47"
    (text,) = layers_with_mark(d, "text")
    widest = max(len(row["txt"]) for row in rows_of(d, text))
    assert d["width"] >= 12 * widest * 5 and d["height"] >= 12 * charts.VALUE_ROW_PX
    squeezed = spec(weights_chart(rng.random((12, 12)), width=120, height=120))  # a size given is kept
    assert (squeezed["width"], squeezed["height"]) == (120, 120) and not layers_with_mark(squeezed, "text")


def test_numbers_in_cells_are_rounded_to_fit_and_the_tooltip_keeps_four_decimals():
    values = np.array([[0.123456, 0.5], [1 / 3, 0.0]])
    weights = spec(weights_chart(values))
    rows = {(r["r"], r["c"]): r for r in rows_of(weights, only_layer(weights, "text"))}
    assert rows[(0, 0)]["txt"] == "0.12" and rows[(0, 0)]["val"] == "0.1235"  # weights: 2 decimals
    assert rows[(0, 0)]["exact"] == repr(0.123456)
    signed = spec(charts.heatmap(values - 0.5, "ab", "cd", **TITLES, domain=(-1, 1), scheme="blueorange"))
    rows = {(r["r"], r["c"]): r for r in rows_of(signed, only_layer(signed, "text"))}
    assert rows[(0, 0)]["txt"] == "-0.377" and rows[(0, 0)]["val"] == "-0.3765"  # others: 3 when they fit
    wide = np.random.default_rng(0).normal(size=(2, 12)) * 10
    d = spec(charts.heatmap(wide, "ab", [str(i) for i in range(12)], **TITLES, domain=(-40, 40)))
    texts = [r["txt"] for r in rows_of(d, only_layer(d, "text"))]
    assert all(len(t.split(".")[1]) == 2 for t in texts)  # 3 decimals would not fit in 420 px: 2
    given = spec(charts.heatmap(values, "ab", "cd", **TITLES, domain=(0, 1), value_decimals=4))
    assert {r["txt"] for r in rows_of(given, only_layer(given, "text"))} == {"0.1235", "0.5000", "0.3333", "0.0000"}


@pytest.mark.parametrize("big", [False, True])
def test_legend_can_be_left_out(rng, big):
    values = rng.random((80, 80) if big else (4, 4))
    shown = json.dumps(spec(weights_chart(values)))
    hidden = spec(weights_chart(values, legend=False))
    assert '"legend": {' in shown
    for layer in hidden["layer"]:
        color = layer.get("encoding", {}).get("color")
        if isinstance(color, dict) and "scale" in color:
            assert color.get("legend", "absent") is None


# ---------------------------------------------------------------------------------------
# domains


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        ((np.array([[0.5, -2.0], [1.0, 0.0]]),), (-2.0, 2.0)),
        ((np.array([1.0, -0.5]), np.array([[3.0]])), (-3.0, 3.0)),
        ((np.array([-np.inf, 0.25, np.nan]),), (-0.25, 0.25)),
        ((np.zeros((3, 3)),), (-1.0, 1.0)),
        ((np.array([]),), (-1.0, 1.0)),
        ((), (-1.0, 1.0)),
    ],
)
def test_symmetric_domain(arrays, expected):
    got = charts.symmetric_domain(*arrays)
    assert got == expected and all(isinstance(v, float) for v in got)


def test_nonnegative_domain():
    assert charts.nonnegative_domain(np.array([0.0, 2.5]), np.array([[-np.inf, 4.0]])) == (0.0, 4.0)
    assert charts.nonnegative_domain(np.zeros(3)) == (0.0, 1.0)
