"""Curves: why scale by 1/√d_k, softmax temperature, the training curve."""

from __future__ import annotations

import numpy as np
import pytest

from tests.charts.chart_helpers import (
    SCALING_TITLES,
    TOKENS,
    label_list,
    layers_with_mark,
    marks_of,
    only_layer,
    rows_of,
    shown_labels,
    softmax_rows,
    spec,
    view_rows,
)
from ui import charts
from ui.charts import curves

# ---------------------------------------------------------------------------------------
# studies: scaling by 1/√d_k, temperature, statistics per row


D_K = 2 ** np.arange(10)


def scaling_curves(rng) -> dict:
    return {
        "spread_unscaled": np.sqrt(D_K) * (1 + 0.05 * rng.normal(size=D_K.size)),
        "spread_scaled": 1 + 0.05 * rng.normal(size=D_K.size),
        "top_unscaled": np.linspace(0.2, 0.97, D_K.size),
        "top_scaled": rng.uniform(0.3, 0.4, size=D_K.size),
    }


def test_scaling_study_panels_carry_the_input_curves(rng):
    curves = scaling_curves(rng)
    d = spec(charts.scaling_study(D_K, *curves.values(), 64, **SCALING_TITLES))
    assert d["title"] == "Why divide by √d_k"
    left, right = d["hconcat"]
    assert (left["title"], right["title"]) == ("Spread of q·k", "Largest weight")
    for panel, keys in ((left, ("spread_unscaled", "spread_scaled")), (right, ("top_unscaled", "top_scaled"))):
        (points,) = marks_of(panel, "point")
        rows = view_rows(d, panel, points)
        for label, key in zip(("q·k", "q·k / √d_k"), keys, strict=True):
            mine = [row for row in rows if row["series"] == label]
            np.testing.assert_array_equal([row["d_k"] for row in mine], D_K)
            np.testing.assert_array_equal([row["y"] for row in mine], curves[key])
            assert [float(row["y_exact"]) for row in mine] == list(curves[key])  # exact in the tooltip
            assert [row["y_val"] for row in mine] == [f"{v:.4f}" for v in curves[key]]
        (line,) = marks_of(panel, "line")
        assert view_rows(d, panel, line) == rows


def test_scaling_study_axes_series_rule_and_tooltips(rng):
    d = spec(charts.scaling_study(D_K, *scaling_curves(rng).values(), 64, **SCALING_TITLES))
    for panel in d["hconcat"]:
        assert 160 <= panel["width"] <= 300  # two panels side by side within half of a 1280 px screen
        for layer in panel["layer"]:
            x = layer["encoding"]["x"]
            assert x["field"] == "d_k" and x["scale"]["type"] == "log" and x["scale"]["base"] == 2
            assert x["scale"]["domain"] == [1.0, 512.0] and x["axis"]["values"] == [float(v) for v in D_K]
        (points,) = marks_of(panel, "point")
        enc = points["encoding"]
        assert enc["color"]["scale"] == {"domain": ["q·k", "q·k / √d_k"], "range": list(curves._PAIR_COLORS)}
        assert enc["shape"]["scale"]["range"] == ["circle", "square"]
        assert enc["color"]["legend"]["title"] == "Scores"
        assert [t["field"] for t in enc["tooltip"]] == ["dk", "series", "y_val", "y_exact"]
        assert [t["title"] for t in enc["tooltip"]] == ["d_k", "Scores", panel["title"], "float64"]
        (rule,) = marks_of(panel, "rule")
        assert [row["d_k"] for row in view_rows(d, panel, rule)] == [64.0] and rule["mark"]["strokeDash"]
    left, right = d["hconcat"]
    assert right["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0.0, 1.0]  # fixed: weights live in [0, 1]
    assert left["layer"][0]["encoding"]["y"]["scale"]["zero"] is True
    assert d["resolve"]["legend"] == {"color": "shared", "shape": "shared"}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"d_k": [1, 2, 2, 8]}, "strictly increasing"),
        ({"d_k": [0, 1, 2, 4]}, "positive"),
        ({"d_k": [4]}, ">= 2"),
        ({"d_k": np.ones((2, 2))}, "1 axis"),
        ({"spread_scaled": [1.0, 1.0, 1.0]}, "spread_scaled has 3 values"),
        ({"spread_unscaled": [1.0, np.nan, 2.0, 2.0]}, "spread_unscaled must be finite, but value 1"),
        ({"spread_scaled": [1.0, -0.5, 1.0, 1.0]}, r"spread_scaled must be >= 0"),
        ({"top_unscaled": [0.5, 0.7, 1.2, 0.9]}, r"top_unscaled must be in \[0.0, 1.0\], but value 2"),
        ({"current_d_k": 16}, r"current_d_k must lie within .*\[1, 8\]"),
        ({"current_d_k": "big"}, "current_d_k must be a number"),
        ({"scaled_label": "q·k"}, "must differ"),
        ({"decimals": 30}, "decimals"),
    ],
)
def test_scaling_study_refuses_bad_input(change, match):
    args = {
        "d_k": [1, 2, 4, 8],
        "spread_unscaled": [1, 1.4, 2, 2.8],
        "spread_scaled": [1, 1, 1, 1],
        "top_unscaled": [0.5, 0.6, 0.7, 0.8],
        "top_scaled": [0.5, 0.5, 0.5, 0.5],
        "current_d_k": 4,
        **SCALING_TITLES,
        **change,
    }
    with pytest.raises(charts.ChartInputError, match=match):
        charts.scaling_study(**args)


TEMP_TITLES = {"title": "One row", "key_title": "Key", "weight_title": "Weight", "temperature_title": "τ"}


def weights_at(rng, taus, T=6) -> dict:
    scores = 2 * rng.normal(size=T)
    return {tau: softmax_rows(scores[None, :] / tau)[0] for tau in taus}


def test_temperature_curve_carries_each_row_at_its_position(rng):
    by_tau = weights_at(rng, [2.0, 0.5, 1.0])  # given out of order: drawn in order of τ
    d = spec(charts.temperature_curve(TOKENS, by_tau, 1.0, **TEMP_TITLES))
    rows = rows_of(d, only_layer(d, "point"))
    assert len(rows) == 3 * 6
    for tau, weights in by_tau.items():
        mine = [row for row in rows if row["tau"] == tau]
        assert [row["x"] for row in mine] == [j + 0.5 for j in range(6)]
        np.testing.assert_array_equal([row["w"] for row in mine], weights)
        assert [float(row["w_exact"]) for row in mine] == list(weights)
        assert {row["cur"] for row in mine} == {tau == 1.0}
    keys = [row["key"] for row in rows if row["tau"] == 0.5]
    assert keys[0] == "the (#1)" and keys[4] == "the (#5)"  # the repeated token keeps its own position
    x = only_layer(d, "point")["encoding"]["x"]
    assert label_list(x["axis"]) == TOKENS and shown_labels(x["axis"]) == TOKENS
    assert x["scale"]["domain"] == [0, 6]


def test_temperature_curve_takes_a_dict_or_pairs_alike(rng):
    by_tau = weights_at(rng, [0.5, 1.0, 4.0])
    as_dict = spec(charts.temperature_curve(TOKENS, by_tau, 4.0, **TEMP_TITLES))
    as_pairs = spec(charts.temperature_curve(TOKENS, list(by_tau.items())[::-1], 4, **TEMP_TITLES))
    assert rows_of(as_dict, as_dict["layer"][0]) == rows_of(as_pairs, as_pairs["layer"][0])


def test_temperature_curve_colours_and_emphasis(rng):
    d = spec(charts.temperature_curve(TOKENS, weights_at(rng, [0.25, 1.0, 4.0]), 1.0, **TEMP_TITLES))
    point = only_layer(d, "point")
    color = point["encoding"]["color"]
    assert color["scale"]["domain"] == ["0.25", "1", "4"]
    first, *_, last = color["scale"]["range"]
    assert first == "#440154" and last != "#fde725"  # viridis, stopped before its palest yellows
    assert color["legend"]["title"] == "τ" and '=== "1"' in color["legend"]["labelFontWeight"]["expr"]
    y = point["encoding"]["y"]
    assert y["scale"]["domain"] == [0.0, 1.0] and y["axis"]["title"] == "Weight"
    faded, current = layers_with_mark(d, "line")
    assert faded["transform"] == [{"filter": "!datum.cur"}] and current["transform"] == [{"filter": "datum.cur"}]
    assert current["mark"]["strokeWidth"] > faded["mark"]["strokeWidth"] and faded["mark"]["opacity"] < 1
    assert d["layer"].index(current) > d["layer"].index(faded)  # drawn on top
    size = point["encoding"]["size"]
    assert size["condition"]["test"] == "datum.cur" and size["condition"]["value"] > size["value"]
    tips = point["encoding"]["tooltip"]
    assert [t["field"] for t in tips] == ["key", "t", "w_val", "w_exact"]
    assert [t["title"] for t in tips] == ["Key", "τ", "Weight", "float64"]
    assert 240 <= d["width"] <= 480


@pytest.mark.parametrize(
    ("labels", "by_tau", "current", "match"),
    [
        ("abc", {1.0: [0.2, 0.3, 0.5]}, 2.0, r"current must be one of the temperatures \[1.0\]"),
        ("abc", {0.0: [0.2, 0.3, 0.5]}, 0.0, "must be > 0"),
        ("abc", [(1.0, [0.2, 0.3, 0.5]), (1.0, [0.2, 0.3, 0.5])], 1.0, "distinct"),
        ("abc", {1.0: [0.5, 0.5]}, 1.0, r"weights at τ=1 has 2 values"),
        ("abc", {1.0: [0.5, 1.5, 0.0]}, 1.0, r"weights at τ=1 must be in \[0.0, 1.0\], but value 1"),
        ("abc", {1.0: [0.5, np.nan, 0.0]}, 1.0, "must be finite"),
        ("abc", {}, 1.0, "at least one"),
        ("abc", [(1.0,)], 1.0, "entry 0 must be a pair"),
        ("", {1.0: []}, 1.0, "labels must hold at least one"),
    ],
)
def test_temperature_curve_refuses_bad_input(labels, by_tau, current, match):
    with pytest.raises(charts.ChartInputError, match=match):
        charts.temperature_curve(list(labels), by_tau, current, **TEMP_TITLES)


def test_the_loss_curve_carries_every_step_on_the_planned_range():
    chart = charts.loss_curve([2.0, 1.5, 1.0], title="t", step_title="step", loss_title="loss", total_steps=10)
    spec = chart.to_dict()
    assert chart.data["step"].tolist() == [1, 2, 3] and chart.data["loss"].tolist() == [2.0, 1.5, 1.0]
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 10]
    with pytest.raises(charts.ChartInputError, match="finite"):
        charts.loss_curve([1.0, float("nan")], title="t", step_title="s", loss_title="l")


def test_a_loss_curve_of_thousands_of_steps_draws_at_most_curve_points_per_series(rng):
    curves = {"random": rng.random(3000), "trained": rng.random(2501)}
    chart = charts.loss_curve(curves, title="t", step_title="s", loss_title="l", total_steps=3000)
    d = spec(chart)
    data = chart.data
    for label, curve in curves.items():
        drawn = data[data["series"] == label]
        assert len(drawn) <= charts.CURVE_POINTS
        assert drawn["step"].iloc[0] == 1 and drawn["step"].iloc[-1] == len(curve)  # the first and the last step
        np.testing.assert_array_equal(drawn["loss"].to_numpy(), curve[drawn["step"].to_numpy() - 1])
    assert d["encoding"]["x"]["scale"]["domain"] == [1, 3000]
    assert len(charts.loss_curve([1.0] * 999, title="t", step_title="s", loss_title="l").data) == 999


@pytest.mark.parametrize(
    ("last", "ticks"), [(1500, [500, 1000, 1500]), (300, [50, 100, 150, 200, 250, 300]), (7, [2, 4, 6])]
)
def test_a_curve_marks_round_steps(last, ticks):
    assert charts.curves.step_ticks(last) == ticks
    spec = charts.vega_lite(charts.loss_curve([1.0] * last, title="t", step_title="s", loss_title="l"))
    assert (
        ticks
        == next(layer for layer in [spec, *spec.get("layer", [])] if "encoding" in layer)["encoding"]["x"]["axis"][
            "values"
        ]
    )
