"""Statistics per row: each token's mean and spread as bars."""

from __future__ import annotations

import numpy as np
import pytest

from tests.charts.chart_helpers import TOKENS, label_list, marks_of, shown_labels, spec, view_rows
from ui import charts
from ui.charts import sizing

STATS_TITLES = {"title": "After LayerNorm", "row_title": "Token", "mean_title": "Mean", "std_title": "Spread"}


def test_row_stats_carry_each_rows_mean_and_spread(rng):
    means, stds = rng.normal(size=6), rng.uniform(0.5, 2.0, size=6)
    d = spec(charts.row_stats(TOKENS, means, stds, **STATS_TITLES))
    assert d["title"] == "After LayerNorm"
    left, right = d["hconcat"]
    assert (left["title"], right["title"]) == ("Mean", "Spread")
    rows = view_rows(d, left, left["layer"][0])
    np.testing.assert_array_equal([row["mean"] for row in rows], means)
    np.testing.assert_array_equal([row["std"] for row in rows], stds)
    assert [float(row["mean_exact"]) for row in rows] == list(means)
    assert [row["row"] for row in rows] == [f"{t} (#{i + 1})" for i, t in enumerate(TOKENS)]
    for i, row in enumerate(rows):  # each bar sits inside its own row band, centred on the label
        assert i < row["y0"] < row["y1"] < i + 1 and (row["y0"] + row["y1"]) / 2 == row["ym"] == i + 0.5
    assert 2 * left["width"] + d["spacing"] <= 640 and left["width"] == right["width"] >= 120
    assert view_rows(d, right, right["layer"][0]) == rows  # one table for both panels
    for panel, field in ((left, "mean"), (right, "std")):
        (bar,) = marks_of(panel, "rect")
        enc = bar["encoding"]
        assert enc["x"]["field"] == field and enc["x2"] == {"datum": 0.0}  # a bar from 0
        assert enc["y"]["scale"]["domain"] == [0, 6] and enc["y"]["scale"]["reverse"] is True
        assert [t["field"] for t in enc["tooltip"]] == ["row", f"{field}_val", f"{field}_exact"]
        assert [t["title"] for t in enc["tooltip"]] == ["Token", panel["title"], "float64"]
    y_axis = left["layer"][0]["encoding"]["y"]["axis"]
    assert label_list(y_axis) == TOKENS and shown_labels(y_axis) == TOKENS  # "the" twice, in place
    assert right["layer"][0]["encoding"]["y"]["axis"] is None  # labels once, on the left


def test_row_stats_reference_rules_and_domains(rng):
    d = spec(
        charts.row_stats("abc", [0.5, -3.0, 0.0], [0.2, 0.4, 1.5], **STATS_TITLES, show_values=False, std_domain=(0, 2))
    )
    left, right = d["hconcat"]
    assert left["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-3.0, 3.0]  # symmetric, around 0
    assert right["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0.0, 2.0]  # as given
    (zero,) = marks_of(left, "rule")
    (target,) = marks_of(right, "rule")
    assert view_rows(d, left, zero) == [{"ref": 0.0}] and view_rows(d, right, target) == [{"ref": 1.0}]
    assert target["mark"]["strokeDash"]
    small = spec(charts.row_stats("ab", [1e-17, -2e-17], [1.0, 1.0], **STATS_TITLES, std_target=None))
    s_left, s_right = small["hconcat"]
    lo, hi = s_left["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert lo <= -1.0 and hi >= 1.0  # rounding noise after LayerNorm stays a tiny bar, not a full one
    assert not marks_of(s_right, "rule")


@pytest.mark.parametrize(("n", "shown"), [(1, True), (charts.ROW_STATS_VALUES_LIMIT, True), (13, False)])
def test_row_stats_write_the_values_for_few_rows(rng, n, shown):
    d = spec(charts.row_stats([f"t{i}" for i in range(n)], rng.normal(size=n), rng.random(n), **STATS_TITLES))
    for panel in d["hconcat"]:
        assert bool(marks_of(panel, "text")) is shown


def test_row_stats_numbers_sit_beside_their_bars():
    d = spec(charts.row_stats("abc", [0.25, -0.5, -1e-17], [1.0, 1.0, 1.0], **STATS_TITLES))
    left, _ = d["hconcat"]
    rows = view_rows(d, left, left["layer"][0])
    assert [row["mean_val"] for row in rows] == ["0.2500", "-0.5000", "0.0000"]
    assert [row["mean_left"] for row in rows] == [False, True, False]  # -1e-17 reads 0.0000: on the right
    right_of, left_of = marks_of(left, "text")
    assert right_of["transform"] == [{"filter": "!datum.mean_left"}] and right_of["mark"]["align"] == "left"
    assert left_of["transform"] == [{"filter": "datum.mean_left"}] and left_of["mark"]["align"] == "right"
    assert right_of["encoding"]["text"]["field"] == "mean_val"
    lo, hi = left["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert lo < -1.0 and hi > 1.0  # widened so the numbers fit inside the plot


@pytest.mark.parametrize(
    ("labels", "means", "stds", "kwargs", "match"),
    [
        ("ab", [0.0, 1.0], [1.0], {}, "stds has 1 values"),
        ("abc", [0.0, 1.0], [1.0, 1.0], {}, "labels has 3 labels"),
        ("ab", [0.0, 1.0], [1.0, -0.1], {}, "stds must be >= 0"),
        ("ab", [0.0, np.inf], [1.0, 1.0], {}, "means must be finite, but value 1"),
        ("", [], [], {}, "means must hold at least one"),
        ("ab", [0.0, 0.0], [1.0, 1.0], {"std_target": -1}, "std_target must be >= 0"),
        ("ab", [0.0, 0.0], [1.0, 1.0], {"mean_domain": (1, -1)}, "low < high"),
    ],
)
def test_row_stats_refuse_bad_input(labels, means, stds, kwargs, match):
    with pytest.raises(charts.ChartInputError, match=match):
        charts.row_stats(list(labels), means, stds, **STATS_TITLES, **kwargs)


def test_row_stats_titles_stay_within_their_panels():
    d = spec(
        charts.row_stats(
            list("abc"),
            [0.1, 0.2, 0.3],
            [1.0, 0.5, 0.2],
            title="Antes",
            row_title="Token",
            mean_title="Média da linha",
            std_title="Espalhamento da linha (desvio)",
        )
    )
    titles = [panel["title"] for panel in d["hconcat"]]
    assert titles[0] == "Média da linha"
    assert titles[1] == ["Espalhamento da linha", "(desvio)"]
    width = d["hconcat"][1]["width"]
    assert all(len(line) * sizing._TITLE_CHAR_PX <= width for line in titles[1])
