"""The data-flow diagram."""

from __future__ import annotations

import pytest

from tests.charts.chart_helpers import layers_with_mark, only_layer, rows_of, spec
from ui import charts

# ---------------------------------------------------------------------------------------
# flow diagram

STEPS = [
    ("Embeddings", "Vocabulary"),
    ("Q, K, V per head", "Multi-head"),
    ("softmax(QKᵀ/√d_k)", "Self-attention"),
    ("weights · V", "Self-attention"),
    ("Concat heads", "Multi-head"),
    ("· W_O", "Multi-head"),
    ("Feed-forward", "Feed-forward"),
    ("Résumé <b>", "Resumo"),
]


def test_flow_diagram_shows_every_step_and_screen():
    d = spec(charts.flow_diagram(STEPS, title="Pipeline"))
    assert d["title"] == "Pipeline"
    texts = {layer["encoding"]["text"]["field"]: rows_of(d, layer) for layer in layers_with_mark(d, "text")}
    assert [row["name"] for row in texts["name"]] == [name for name, _ in STEPS]
    assert [row["screen"] for row in texts["screen"]] == [screen for _, screen in STEPS]
    assert [row["num"] for row in texts["num"]] == [str(k) for k in range(1, 9)]


def test_flow_diagram_wraps_into_two_rows_joined_by_arrows():
    d = spec(charts.flow_diagram(STEPS))
    boxes = rows_of(d, only_layer(d, "rect"))
    assert len({box["y0"] for box in boxes}) == 2
    heads = rows_of(d, only_layer(d, "point"))
    assert len(heads) == len(STEPS) - 1
    assert {h["shape"] for h in heads} == {"triangle-right", "triangle-down"}
    assert d["width"] <= 680 + 8


def test_flow_diagram_single_step_and_bad_steps():
    d = spec(charts.flow_diagram([("Only", "Here")]))
    assert not layers_with_mark(d, "point") and not layers_with_mark(d, "rule")
    with pytest.raises(charts.ChartInputError, match="at least one"):
        charts.flow_diagram([])
    with pytest.raises(charts.ChartInputError, match="step 1 must be a pair"):
        charts.flow_diagram([("a", "b"), ("c",)])


@pytest.mark.parametrize("bad", [("a", "b", True), ("a", "b", "c"), "abc"])
def test_flow_diagram_refuses_a_step_that_is_not_a_pair(bad):
    with pytest.raises(charts.ChartInputError, match=r"step 0 must be a pair \(name, screen\)"):
        charts.flow_diagram([bad])
