"""The arithmetic of sizes: plot widths, numbers in cells, rows and grids of charts on a page."""

from __future__ import annotations

import pytest

from tests.charts.chart_helpers import TITLES, layers_with_mark, only_layer, rows_of, softmax_rows, spec, weights_chart
from ui import charts
from ui.charts import sizing

# ---------------------------------------------------------------------------------------
# per-head grids (grid_plan): numbers in every cell up to ~12 tokens, within the screen


@pytest.mark.parametrize(("T", "per_row"), [(4, 4), (6, 3), (9, 2), (12, 2), (13, 4), (40, 4)])
def test_a_grid_puts_fewer_heads_in_a_row_when_their_cells_hold_numbers(rng, T, per_row):
    tokens = ["the", "cat", "sat", "on", "mat", "and"] * 7
    heads = [softmax_rows(rng.normal(size=(T, T))) for _ in range(4)]
    n, max_plot, extra = sizing.grid_plan(heads, tokens[:T], tokens[:T], charts.WEIGHTS_DOMAIN)
    assert n == per_row
    d = spec(weights_chart(heads[0], tokens[:T], max_plot=max_plot, legend=False, **extra))
    assert bool(layers_with_mark(d, "text")) is (T <= 12)
    assert extra == ({"value_decimals": 2} if T <= 12 else {})
    # the charts, their axes and (for the last of a row) the legend fit the main column: a chart wider
    # than its st.column is cut (at 13-40 tokens, 150 px plots lost their last key labels)
    axis = charts.axis_label_px(tokens[:T]) + sizing._GRID_AXIS_PX
    assert n * (d["width"] + axis) + sizing._GRID_LEGEND_PX + (n - 1) * sizing._GRID_GAP_PX <= sizing.GRID_ROW_PX
    if T > 12:
        assert sizing.GRID_PLOT_PX - 40 <= max_plot <= sizing.GRID_PLOT_PX  # no smaller than it must be


@pytest.mark.parametrize(("T", "C"), [(4, 2), (4, 4), (4, 12), (9, 3), (13, 8), (40, 24), (4, 128)])
def test_plot_width_is_the_width_heatmap_draws(rng, T, C):
    values = rng.normal(size=(T, C)) * 3
    domain = charts.symmetric_domain(values)
    d = spec(charts.heatmap(values, [f"t{i}" for i in range(T)], [f"d{j}" for j in range(C)], **TITLES, domain=domain))
    assert charts.plot_width(values, domain) == d["width"]


@pytest.mark.parametrize(
    ("d_k", "side_by_side"), [(2, True), (3, True), (4, True), (5, False), (9, False), (24, False)]
)
def test_q_k_and_v_sit_side_by_side_only_when_they_fit_the_column(rng, d_k, side_by_side):
    # /self-attention draws Q, K and V of four tokens in one row sharing V's legend, or stacked
    tokens = ["the", "cat", "sat", "on"]
    q, k, v = (rng.normal(size=(4, d_k)) for _ in range(3))
    domain = charts.symmetric_domain(q, k, v)
    widths = [sizing.matrix_width(m, tokens, domain) for m in (q, k, v)]
    for m, width in zip((q, k, v), widths, strict=True):  # the chart without legend: plot, labels, axis
        plot = spec(charts.heatmap(m, tokens, [f"q{j}" for j in range(d_k)], **TITLES, domain=domain))["width"]
        assert width == plot + charts.axis_label_px(tokens) + sizing._GRID_AXIS_PX
    plan = sizing.row_plan(*widths, shared_legend=True)
    assert (plan is not None) is side_by_side
    if plan is not None:
        columns, legends = plan
        assert legends == [False, False, True]
        assert columns == [widths[0], widths[1], widths[2] + sizing._GRID_LEGEND_PX]
        assert sum(columns) + 2 * sizing._GRID_GAP_PX <= sizing.GRID_ROW_PX


def test_a_row_of_matrices_with_their_own_legends_is_stacked_when_too_wide():
    legend = sizing._GRID_LEGEND_PX
    fit = (sizing.GRID_ROW_PX - sizing._GRID_GAP_PX) // 2 - legend
    assert sizing.row_plan(fit, fit) == ([fit + legend] * 2, [True, True])
    assert sizing.row_plan(fit + 1, fit) is None
    assert sizing.row_plan(fit + legend, fit, shared_legend=True) is not None  # one legend less
    assert sizing.row_plan(sizing.GRID_ROW_PX - legend) == ([sizing.GRID_ROW_PX], [True])


def test_a_grid_writes_every_head_with_the_same_decimals(rng):
    outputs = [rng.normal(size=(5, 2)) * s for s in (0.1, 9.0)]  # one head's numbers much longer
    _, _, extra = sizing.grid_plan(outputs, list("abcde"), ["v1", "v2"], charts.symmetric_domain(*outputs))
    assert extra["value_decimals"] in (2, 3)
    texts = []
    for m in outputs:
        d = spec(charts.heatmap(m, "abcde", ["v1", "v2"], **TITLES, domain=(-30, 30), **extra))
        texts += [row["txt"] for row in rows_of(d, only_layer(d, "text"))]
    assert {len(t.split(".")[1]) for t in texts} == {extra["value_decimals"]}


def test_every_map_of_a_short_sentence_shows_its_numbers_grids_included():
    from tests.conftest import PAGES, assert_clean, chart_spec, run_app
    from tests.conftest import charts as drawn

    at = run_app(PAGES["multi-head"], heads=4, preset="random", dim=8, sentence="the cat sat on the mat and the dog")
    assert_clean(at)
    heatmaps = [
        c
        for c in drawn(at)
        if any(layer.get("mark", {}).get("type") == "rect" for layer in chart_spec(c).get("layer", []))
    ]
    assert len(heatmaps) == 2 * 4 + 2
    for c in heatmaps:
        assert any(layer["mark"]["type"] == "text" for layer in chart_spec(c)["layer"])


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Row spread (std)", 170, "Row spread (std)"),
        ("Espalhamento da linha (desvio)", 170, ["Espalhamento da linha", "(desvio)"]),
        ("Espalhamento da linha (desvio)", 400, "Espalhamento da linha (desvio)"),
        ("Supercalifragilistic", 50, "Supercalifragilistic"),  # one word: nothing to break
        ("a bb ccc dddd", 30, ["a bb", "ccc", "dddd"]),
    ],
)
def test_a_long_panel_title_breaks_between_words(text, width, lines):
    assert charts.title_lines(text, width) == lines
    if isinstance(lines, list):
        assert " ".join(lines) == text  # nothing lost
