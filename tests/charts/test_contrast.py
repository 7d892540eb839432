"""Contrast inside the charts: text and the lines that carry meaning against what they are drawn on.

A page checker (axe-core) cannot read text that Vega draws on a canvas, so the ratios are measured here,
on the specs the builders return: WCAG 2.1 AA asks 4.5 : 1 of text (1.4.3) and 3 : 1 of the parts of a
graphic needed to understand it (1.4.11). Lightening a colour below that fails here.
"""

from __future__ import annotations

import pytest

from tests.charts.chart_helpers import layers_with_mark, rows_of, spec
from ui import charts
from ui.charts import heatmaps

TEXT, GRAPHIC = 4.5, 3.0
WHITE = "#ffffff"  # the page behind a chart (the light theme's background)

STEPS = [("Embeddings", "Vocabulary"), ("Q, K, V", "Self-attention"), ("Add & Norm", "Add & Norm")]
ENCODER = [
    ("Source", "Vocabulary", "io"),
    ("Self-attention", "Self-attention", "attention"),
    ("Add & Norm", "Add & Norm", "norm"),
    ("Feed-forward", "Feed-forward", "ffn"),
    ("Add & Norm", "Feed-forward", "norm"),
]
DECODER = [
    ("Target", "Decoder", "io"),
    ("Masked self-attention", "Decoder", "attention"),
    ("Add & Norm", "Decoder", "norm"),
    ("Cross-attention", "Decoder", "cross"),
    ("Add & Norm", "Decoder", "norm"),
    ("Linear", "Decoder", "io"),
]


def luminance(color: str) -> float:
    """WCAG 2.1's relative luminance of "#rrggbb"."""
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_ratio_is_wcags():
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the grey just short of 4.5 : 1
    assert contrast(WHITE, "#777777") == contrast("#777777", WHITE)


def text_color(layer: dict) -> str:
    return layer["mark"].get("color") or layer["encoding"]["color"]["value"]


def kind_colors(d: dict) -> dict[str, str]:
    """The transformer's line colours by kind (flow, memory, residual), from the rules' colour scale."""
    scale = layers_with_mark(d, "rule")[0]["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_the_flow_diagrams_texts_read_on_their_boxes():
    d = spec(charts.flow_diagram(STEPS, numbered=True))
    (box,) = layers_with_mark(d, "rect")
    fill = box["encoding"]["fill"]["value"]
    texts = layers_with_mark(d, "text")
    assert {layer["encoding"]["text"]["field"] for layer in texts} == {"name", "screen", "num"}
    for layer in texts:  # the step's name, its screen and its number
        assert contrast(text_color(layer), fill) >= TEXT, layer["encoding"]["text"]["field"]
    (arrow,) = layers_with_mark(d, "rule")
    assert contrast(arrow["mark"]["color"], WHITE) >= GRAPHIC


def transformer() -> dict:
    chart = charts.transformer_diagram(
        ENCODER, DECODER, memory="memory", encoder_title="Encoder", decoder_title="Decoder", title="T"
    )
    return spec(chart)


def test_the_transformers_texts_read_on_their_boxes_its_frames_and_the_page():
    d = transformer()
    frame = next(layer for layer in layers_with_mark(d, "rect") if "fill" in layer["mark"])
    boxes = next(layer for layer in layers_with_mark(d, "rect") if "fill" in layer["encoding"])
    fills = {row["fill"] for row in rows_of(d, boxes)}
    assert len(fills) >= 4  # io, attention, norm, ffn
    on_boxes = [layer for layer in layers_with_mark(d, "text") if rows_of(d, layer) == rows_of(d, boxes)]
    assert {layer["encoding"]["text"]["field"] for layer in on_boxes} == {"name", "screen"}
    for layer in on_boxes:
        for fill in fills:
            assert contrast(text_color(layer), fill) >= TEXT, (layer["encoding"]["text"]["field"], fill)
    (label,) = [layer for layer in layers_with_mark(d, "text") if rows_of(d, layer) == rows_of(d, frame)]
    assert contrast(text_color(label), frame["mark"]["fill"]) >= TEXT  # "Encoder", "Decoder" on their frames
    (memory,) = [layer for layer in layers_with_mark(d, "text") if rows_of(d, layer)[0].get("text") == "memory"]
    assert contrast(text_color(memory), WHITE) >= TEXT  # between the two frames


def test_the_transformers_lines_stand_out_from_what_they_cross():
    d = transformer()
    frame = next(layer for layer in layers_with_mark(d, "rect") if "fill" in layer["mark"])["mark"]["fill"]
    lines = kind_colors(d)
    assert contrast(lines["residual"], frame) >= GRAPHIC  # inside a stack's frame
    assert contrast(lines["flow"], frame) >= GRAPHIC and contrast(lines["flow"], WHITE) >= GRAPHIC
    assert contrast(lines["memory"], WHITE) >= GRAPHIC  # from one stack to the other, on the page


def test_a_masked_cells_strike_stands_out_from_its_grey():
    assert contrast(heatmaps._MASKED_STRIKE, charts.MASKED_COLOR) >= GRAPHIC
