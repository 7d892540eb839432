"""ui/layout.py (the page frame) and ui/draw.py (what pages draw with): the page of a run, and rows and
grids of charts laid out by the sizing arithmetic of ui/charts/sizing.py.

The sidebar, its settings and the download panel are driven through whole pages in test_app.py,
test_share_session.py and test_downloads.py; here are the parts a page builds on, and layout's own
functions each in a small script: a setting's widget, a bound widget, errors, guarded and stop.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import chart_spec, plain
from tests.conftest import charts as drawn
from ui import charts, draw, layout, session, state
from ui.charts import sizing
from ui.i18n import Translator, language_names


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


# --- ui/layout.py's own functions ----------------------------------------------------------------
# setting: a widget from its spec; bound: a widget tied to a setting; errors, guarded, stop.


def setting_script():
    """One setting's widget, as ``layout.setting`` draws it; the case is (name, widget) in the session."""
    import streamlit as st

    from ui import layout, session
    from ui.i18n import Translator

    session.ensure()
    session.begin_run()
    s = session.settings()
    name, widget = st.session_state["test_setting"]
    layout.setting(Translator(s.lang), s, name, widget)


def run_setting(name: str, widget: str, **params) -> AppTest:
    at = AppTest.from_function(setting_script, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["test_setting"] = (name, widget)
    at.run()
    assert not at.exception
    return at


DRAWN_AS = {"choice": ("select", "selectbox"), "int": ("number", "number_input"), "float": ("slider", "slider")}


@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("spec", [s for s in state.SPECS if s.kind in DRAWN_AS], ids=lambda s: s.name)
def test_a_settings_widget_is_built_from_its_spec_and_the_catalogue(spec, mode):
    widget, kind = DRAWN_AS[spec.kind]
    at = run_setting(spec.name, widget, mode=mode, lang="pt")
    (drawn_widget,) = getattr(at, kind)
    t = Translator("pt")
    assert drawn_widget.key == session.widget_key(spec.name)
    assert drawn_widget.label == t(spec.label)
    if spec.help:
        assert drawn_widget.help == t(spec.help, lo=state.format_value(spec.lo), hi=state.format_value(spec.hi))
    assert drawn_widget.disabled == (spec.paper_only and mode == "tutorial")  # the article has no such thing
    if spec.kind == "choice":
        names = language_names() if spec.name == "lang" else t.options(spec.name, spec.choices)
        assert drawn_widget.options == [names[c] for c in spec.choices]
    else:
        assert (drawn_widget.min, drawn_widget.max) == (spec.lo, spec.hi)


def test_a_whole_number_box_starts_empty_of_a_default_and_holds_the_settings_value():
    at = run_setting("ffn", "number")  # d_ff: None means the mode's width
    assert at.number_input(key=session.widget_key("ffn")).value is None
    at = run_setting("seed", "number", seed="42")
    assert at.number_input(key=session.widget_key("seed")).value == 42
    assert at.number_input(key=session.widget_key("seed")).step == 1


def test_moving_a_settings_widget_changes_the_setting():
    at = run_setting("heads", "slider")
    at.slider(key=session.widget_key("heads")).set_value(5).run()
    assert at.session_state[session.SETTINGS_KEY].heads == 5
    at = run_setting("norm", "radio")
    at.radio(key=session.widget_key("norm")).set_value("pre").run()
    assert at.session_state[session.SETTINGS_KEY].norm == "pre"


def bound_script():
    import streamlit as st

    from ui import layout, session

    session.ensure()
    session.begin_run()
    st.text_input("sentence", **layout.bound("sentence", session.settings().sentence))
    st.write(f"sentence: {session.settings().sentence}")


def test_a_bound_widget_starts_at_the_setting_and_writes_back_to_it():
    at = AppTest.from_function(bound_script, default_timeout=30)
    at.query_params["sentence"] = "the cat sat"
    at.run()
    box = at.text_input(key=session.widget_key("sentence"))
    assert box.value == "the cat sat"
    box.set_value("the cat sat on").run()
    assert at.session_state[session.SETTINGS_KEY].sentence == "the cat sat on"
    assert any(m.value == "sentence: the cat sat on" for m in at.markdown)


def page_script():
    """A page's frame around a body chosen by the test: errors, an error inside ``guarded``, an early stop."""
    import numpy as np
    import streamlit as st

    import core
    from ui import draw, layout
    from ui.state import Notice

    page = layout.start("nav.vocabulary")
    case = st.session_state["test_case"]
    if case.startswith("errors"):
        n = int(case.split(":")[1])
        layout.errors(page, [Notice("error.word_empty", {"row": row}) for row in range(1, n + 1)])
    with layout.guarded(page):
        draw.matrix(page, np.eye(2), ["a", "b"], ["a", "b"], title="M")
        if case == "fails":
            raise ValueError("a secret the page must not show")
        if case == "refused":
            raise core.AttentionInputError("x has width 3, but the heads were built for d_model=4")
        if case == "stops":
            layout.stop(page)
        st.write("the page went on")
    st.write("after the guarded block")


def run_page(case: str, **state_values) -> AppTest:
    at = AppTest.from_function(page_script, default_timeout=30)
    at.session_state["test_case"] = case
    for key, value in state_values.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def texts(at) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.mark.parametrize("n", [1, layout.MAX_ERRORS, layout.MAX_ERRORS + 1, layout.MAX_ERRORS + 3])
def test_errors_name_the_first_few_and_count_the_rest(n):
    at = run_page(f"errors:{n}")
    t = Translator("en")
    shown = [e.value for e in at.error]
    named = [t.notice(state.Notice("error.word_empty", {"row": row})) for row in range(1, n + 1)]
    more = [t("errors.more", n=n - layout.MAX_ERRORS)] if n > layout.MAX_ERRORS else []
    assert shown == named[: layout.MAX_ERRORS] + more


def test_an_unexpected_error_in_a_guarded_block_is_a_short_message_and_the_page_goes_on():
    at = run_page("fails")
    assert [e.value for e in at.error] == [Translator("en")("error.unexpected", kind="ValueError")]
    assert "a secret the page must not show" not in " ".join(e.value for e in at.error)
    assert "after the guarded block" in texts(at) and "the page went on" not in texts(at)


def test_what_core_refuses_is_said_in_cores_words():
    at = run_page("refused")
    (error,) = at.error
    assert "x has width 3, but the heads were built for d_model=4" in plain(error.value)


def test_a_guarded_block_offers_its_charts_for_download_when_the_panel_is_on():
    off = run_page("draws")  # the panel is off until the sidebar's toggle is on
    assert not [w for w in off.sidebar.selectbox if w.key == layout.DOWNLOAD_PICK]
    at = run_page("draws", **{layout.SAVE_PANEL: True})
    assert at.sidebar.selectbox(key=layout.DOWNLOAD_PICK).options == ["1 · M"]
    assert "the page went on" in texts(at) and not at.error


def test_stop_draws_the_download_panel_then_stops_the_page():
    at = run_page("stops", **{layout.SAVE_PANEL: True})
    assert at.sidebar.selectbox(key=layout.DOWNLOAD_PICK).options == ["1 · M"]  # drawn once, before the stop
    assert "the page went on" not in texts(at) and "after the guarded block" not in texts(at)
    assert not at.error
