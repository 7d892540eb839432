"""Every chart builder writes a text alternative (Vega-Lite's top-level ``description``, the chart's
``aria-label``) and turns off Vega's English ARIA of marks and axes."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from chart_helpers import TITLES, TOKENS, layers_with_mark, rows_of, spec, weights_chart

from ui import charts


def _heatmap(**kw):
    return weights_chart(np.full((3, 3), 1 / 3), **kw)


def _row_stats(**kw):
    titles = {"title": "After", "row_title": "Token", "mean_title": "Mean", "std_title": "Spread"}
    return charts.row_stats(["a", "b"], [0.0, 0.1], [1.0, 0.9], **{**titles, **kw})


def _loss_curve(**kw):
    return charts.loss_curve([1.0, 0.5, 0.2], **{"title": "Loss", "step_title": "Step", "loss_title": "Loss"} | kw)


def _accuracy_curves(**kw):
    curves = {"alone": [0.1, 0.5], "with FFN": [0.2, 0.9]}
    titles = {"title": "Accuracy", "step_title": "Step", "loss_title": "Accuracy", "series_title": "Block"}
    return charts.loss_curve(curves, percent=True, **titles | kw)


def _scaling_study(**kw):
    titles = {
        "title": "Why √d_k",
        "spread_title": "Spread",
        "top_title": "Top weight",
        "d_k_title": "d_k",
        "series_title": "Scores",
        "unscaled_label": "unscaled",
        "scaled_label": "scaled",
    }
    d = [2.0, 4.0, 8.0]
    return charts.scaling_study(d, [1, 2, 3], [1, 1, 1], [0.5, 0.7, 0.9], [0.5, 0.5, 0.5], 4, **titles | kw)


def _temperature_curve(**kw):
    titles = {"title": "τ", "key_title": "Key", "weight_title": "Weight", "temperature_title": "τ"}
    return charts.temperature_curve(["a", "b"], {1.0: [0.4, 0.6], 2.0: [0.45, 0.55]}, 1.0, **titles | kw)


def _flow_diagram(**kw):
    return charts.flow_diagram([("Embeddings", "Vocabulary"), ("Attention", "Self-attention")], **kw)


def _head_view(**kw):
    w = np.full((2, len(TOKENS), len(TOKENS)), 1 / len(TOKENS))
    titles = {"title": "", "head_title": "Head", "query_title": "Query", "key_title": "Key", "weight_title": "Weight"}
    return charts.head_view(TOKENS, w, **titles | kw)


BUILDERS = {
    "heatmap": _heatmap,
    "row_stats": _row_stats,
    "loss_curve": _loss_curve,
    "loss_curve (several series)": _accuracy_curves,
    "scaling_study": _scaling_study,
    "temperature_curve": _temperature_curve,
    "flow_diagram": _flow_diagram,
    "head_view": _head_view,
}


def _transformer_diagram(**kw):
    encoder = [("Source", "Vocabulary", "io"), ("Self-attention", "Self-attention", "attention")]
    decoder = [("Target", "Decoder", "io"), ("Cross-attention", "Decoder", "cross")]
    titles = {"memory": "memory", "encoder_title": "Encoder", "decoder_title": "Decoder"}
    return charts.transformer_diagram(encoder, decoder, **titles | kw)


BUILDERS["transformer_diagram"] = _transformer_diagram


def test_every_builder_of_the_package_is_checked_here():
    """A new chart builder (a public function taking a title) must be added to BUILDERS, and take a description."""
    public = {
        name
        for name in charts.__all__
        if inspect.isfunction(getattr(charts, name)) and "title" in inspect.signature(getattr(charts, name)).parameters
    }
    assert public == {name.split(" ")[0] for name in BUILDERS}
    for name in public:
        assert "description" in inspect.signature(getattr(charts, name)).parameters, name


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_what_the_app_sends_has_the_description(builder):
    d = charts.vega_lite(BUILDERS[builder]())
    assert d["description"].strip() and d["config"]["aria"] is False and d["config"]["mark"]["aria"] is False


def test_a_spec_built_elsewhere_gets_its_title_as_its_description():
    import altair as alt

    d = charts.vega_lite(alt.Chart(alt.Data(values=[{"a": 1}]), title="Untold").mark_point().encode(x="a:Q"))
    assert d["description"] == "Untold" and d["config"]["mark"]["aria"] is False


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_every_chart_has_a_description_and_no_english_aria_of_its_own(builder):
    d = spec(BUILDERS[builder]())
    assert isinstance(d.get("description"), str) and d["description"].strip()
    assert (
        d["config"]["aria"] is False and d["config"]["mark"]["aria"] is False and d["config"]["title"]["aria"] is False
    )


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_the_description_given_is_the_one_written_on_one_line(builder):
    d = spec(BUILDERS[builder](description="  Pesos da cabeça 1:\n4 × 4, de 0 a 1.  "))
    assert d["description"] == "Pesos da cabeça 1: 4 × 4, de 0 a 1."
    assert charts.vega_lite(BUILDERS[builder](description="x"))["description"] == "x"  # what the app sends


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_a_blank_description_falls_back_to_something_the_chart_shows(builder):
    d = spec(BUILDERS[builder](description=" \n "))
    assert d["description"].strip()


def test_the_fallback_is_the_title_and_an_untitled_chart_names_its_parts():
    assert spec(_heatmap())["description"] == TITLES["title"]
    flow = spec(_flow_diagram())["description"]
    assert flow == "1. Embeddings (Vocabulary); 2. Attention (Self-attention)"
    assert spec(_head_view())["description"].startswith("Head × 2: Query → Key, Weight (the cat sat")
    tf = spec(_transformer_diagram(title="The transformer"))["description"]
    assert tf == "The transformer: Encoder: Source → Self-attention; Decoder: Target → Cross-attention"


def test_an_untitled_matrix_says_at_least_its_size():
    untitled = charts.heatmap(np.eye(2, 3), ["a", "b"], list("xyz"), **{**TITLES, "title": ""}, domain=(0, 1))
    assert spec(untitled)["description"] == "2 × 3"


def test_masked_cells_are_struck_through_not_only_grey():
    values = np.array([[1.0, -np.inf], [0.5, 0.5]])
    d = spec(weights_chart(values, masked_value="0"))
    (strike,) = layers_with_mark(d, "rule")
    assert {"filter": "datum.masked"} in strike["transform"]
    assert strike["mark"]["color"] != charts.MASKED_COLOR
    enc = strike["encoding"]
    assert (enc["x"]["field"], enc["x2"]["field"], enc["y"]["field"], enc["y2"]["field"]) == ("c", "c1", "r", "r1")
    masked = [row for row in rows_of(d, strike) if row.get("masked")]
    assert [(row["r"], row["c"]) for row in masked] == [(0, 1)]
    assert not layers_with_mark(spec(weights_chart(np.eye(2))), "rule")  # nothing masked, nothing struck


def test_curves_of_several_series_differ_by_dash_not_only_by_colour():
    d = spec(_accuracy_curves())
    dash = d["encoding"]["strokeDash"]
    assert dash["field"] == d["encoding"]["color"]["field"] == "series"
    assert dash["title"] == d["encoding"]["color"]["title"]  # one legend, both cues in each entry
    ranges = dash["scale"]["range"]
    assert len(ranges) == 2 and ranges[0] != ranges[1]
