"""ui/layout.py (the page frame) and ui/draw.py (what pages draw with): the page of a run, and rows and
grids of charts laid out by the sizing arithmetic of ui/charts/sizing.py.

The sidebar, its settings and the download panel are driven through whole pages in test_app.py,
test_share_session.py and test_downloads.py; here are the parts a page builds on.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import chart_spec
from tests.conftest import charts as drawn
from ui import charts, draw, layout
from ui.charts import sizing


def test_outside_a_script_run_there_is_no_page():
    assert layout.current_page() is None


def test_feature_labels_count_from_one():
    assert draw.feature_labels("d", 3) == ["d1", "d2", "d3"]
    assert draw.feature_labels("h", 0) == []


def test_a_masked_weight_is_drawn_as_masked_not_as_zero():
    weights = np.array([[1.0, 0.0], [0.5, 0.5]])
    mask = np.array([[True, False], [True, True]])
    drawn_weights = draw.masked(weights, mask)
    assert drawn_weights[0, 1] == -np.inf and np.array_equal(drawn_weights[mask], weights[mask])
    assert draw.masked(weights, None) is weights


def test_the_role_table_has_one_row_per_head_and_draws_a_missing_relation_as_zero():
    roles = types.SimpleNamespace(
        previous=np.array([0.5, np.nan]),
        next=np.array([0.1, np.nan]),
        self=np.array([0.2, 1.0]),
        first=np.array([0.3, 1.0]),
        spread=np.array([0.4, 0.0]),
    )
    np.testing.assert_array_equal(draw.role_table(roles), [[0.5, 0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize(("per_row", "n"), [(4, 4), (4, 1), (2, 2), (1, 1)])
def test_the_last_chart_of_a_grid_row_gets_the_room_of_its_legend(per_row, n):
    rows = ["the", "cat", "sat"]
    widths = charts.grid_columns(per_row, n, 150, rows)
    assert len(widths) == per_row and widths[: n - 1] == [1.0] * (n - 1) and widths[n:] == [1.0] * (per_row - n)
    chart_px = 150 + charts.axis_label_px(rows) + sizing._GRID_AXIS_PX
    assert widths[n - 1] == pytest.approx((chart_px + sizing._GRID_LEGEND_PX) / chart_px)


def side_by_side_script():
    import numpy as np
    import streamlit as st

    from ui import charts, draw, layout

    page = layout.start("nav.vocabulary")
    n = st.session_state["n"]
    values = [np.arange(n * n, dtype=float).reshape(n, n) for _ in range(3)]
    labels = [f"t{i}" for i in range(n)]
    places, legends = draw.side_by_side(*(charts.matrix_width(v, labels) for v in values), shared_legend=True)
    st.session_state["legends"] = legends
    for place, v, legend in zip(places, values, legends, strict=True):
        with place:
            draw.matrix(page, v, labels, labels, title="M", legend=legend)


@pytest.mark.parametrize(("n", "in_columns"), [(3, True), (12, False)])
def test_matrices_sit_side_by_side_only_when_they_fit_and_are_stacked_else(n, in_columns):
    at = AppTest.from_function(side_by_side_script, default_timeout=60)
    at.session_state["n"] = n
    at.run()
    assert not at.exception
    assert len(drawn(at)) == 3
    assert (len(at.columns) == 3) is in_columns
    # side by side: one legend, on the last; stacked: one each
    assert at.session_state["legends"] == ([False, False, True] if in_columns else [True, True, True])


def heads_grid_script():
    import numpy as np

    from ui import charts, draw, layout

    page = layout.start("nav.multi_head")
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(20), size=(5, 20))  # 5 heads, 20 tokens: no numbers in the cells
    with layout.guarded(page):
        draw.weights_grid(page, weights, [f"t{i}" for i in range(20)])
    assert charts.grid_plan(list(weights), range(20), range(20), charts.WEIGHTS_DOMAIN)[0] == 4


def test_a_grid_of_heads_fills_rows_by_its_plan_and_the_last_of_each_row_carries_the_legend():
    at = AppTest.from_function(heads_grid_script, default_timeout=60)
    at.run()
    assert not at.exception
    specs = [chart_spec(c) for c in drawn(at)]
    assert len(specs) == 5
    assert len(at.columns) == 2 * 4  # two rows of four columns; the second holds one head
    legends = [s["layer"][0]["encoding"]["color"].get("legend", {}) is not None for s in specs]
    assert legends == [False, False, False, True, True]
    assert [s["title"] for s in specs] == [f"Head {h}" for h in range(1, 6)]
