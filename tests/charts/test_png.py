"""Image mode: the palette PNG, its block averages, its colours."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.charts.chart_helpers import (
    BLUEORANGE_FIRST,
    BLUEORANGE_LAST,
    BLUEORANGE_MID,
    MASKED_RGB,
    TITLES,
    VIRIDIS_FIRST,
    VIRIDIS_LAST,
    VIRIDIS_MID,
    label_list,
    layers_with_mark,
    only_layer,
    png_of,
    png_rgb,
    read_png,
    rows_of,
    shown_labels,
    softmax_rows,
    spec,
    weights_chart,
)
from ui import charts

# ---------------------------------------------------------------------------------------
# image mode


@pytest.mark.parametrize(
    ("shape", "image"),
    [
        ((64, 64), False),
        ((65, 64), True),
        ((1, charts.RECT_CELL_LIMIT), False),
        ((1, charts.RECT_CELL_LIMIT + 1), True),
    ],
)
def test_image_mode_above_the_cell_limit(rng, shape, image):
    assert charts.uses_image(*shape) is image
    d = spec(weights_chart(rng.random(shape)))
    assert bool(layers_with_mark(d, "image")) is image
    assert bool(layers_with_mark(d, "rect")) is not image


@pytest.mark.parametrize(
    ("shape", "png_shape"),
    [
        ((65, 64), (65, 64)),
        ((512, 512), (256, 256)),
        ((300, 40), (150, 40)),
        ((8, 1000), (8, 250)),
        ((257, 256), (129, 256)),
    ],
)
def test_png_has_the_expected_size(rng, shape, png_shape):
    d = spec(weights_chart(rng.random(shape)))
    ihdr, pal, idx = read_png(png_of(d))
    assert (ihdr["height"], ihdr["width"]) == png_shape == idx.shape
    assert (ihdr["depth"], ihdr["color_type"], ihdr["interlace"]) == (8, 3, 0)
    assert len(pal) == 256
    kr, kc = charts.downsample_factors(*shape)
    assert (-(-shape[0] // kr), -(-shape[1] // kc)) == png_shape


def test_image_spans_the_plot_and_keeps_token_labels(rng):
    n = 512
    labels = [f"w{i}" for i in range(n)]
    labels[7] = labels[300] = "the"
    d = spec(weights_chart(softmax_rows(rng.normal(size=(n, n))), labels=labels))
    image = only_layer(d, "image")
    assert image["mark"]["smooth"] is False and image["mark"]["aspect"] is False
    (row,) = rows_of(d, image)
    assert (row["x0"], row["x1"], row["y0"], row["y1"]) == (0, n, 0, n)
    enc = image["encoding"]
    assert enc["x2"]["field"] == "x1" and enc["y2"]["field"] == "y1" and enc["url"]["field"] == "url"
    assert enc["y"]["scale"]["reverse"] is True
    for channel in ("x", "y"):
        axis = enc[channel]["axis"]
        assert label_list(axis) == labels
        assert len(axis["values"]) <= 420 // 14  # thinned
        step = axis["values"][1] - axis["values"][0]
        assert step > 1 and all(b - a == step for a, b in zip(axis["values"], axis["values"][1:], strict=False))
        assert shown_labels(axis) == labels[:: int(step)]
    assert enc["x"]["axis"]["labelAngle"] == -90
    # the legend comes from an invisible layer with the same colour scale
    (legend_layer,) = [layer for layer in d["layer"] if "field" in layer["encoding"].get("color", {})]
    assert legend_layer["mark"]["size"] == 0 and "x" not in legend_layer["encoding"]
    assert [r["v"] for r in rows_of(d, legend_layer)] == [0.0, 1.0]


def test_png_pixels_map_to_the_vega_palette():
    values = np.full((70, 64), 0.25)  # 4480 cells: image mode, no downsampling
    values[0, 0], values[0, 1], values[0, 2], values[69, 63] = 0.0, 1.0, 0.5, -np.inf
    values[1, 0], values[1, 1] = -3.0, 7.0  # outside the domain: clamped
    rgb = png_rgb(spec(weights_chart(values)))
    assert tuple(rgb[0, 0]) == VIRIDIS_FIRST
    assert tuple(rgb[0, 1]) == VIRIDIS_LAST
    assert tuple(rgb[0, 2]) == VIRIDIS_MID  # t = 0.5 is a Vega anchor
    assert tuple(rgb[69, 63]) == MASKED_RGB
    assert tuple(rgb[1, 0]) == VIRIDIS_FIRST and tuple(rgb[1, 1]) == VIRIDIS_LAST


def test_png_pixels_map_to_blueorange_on_a_symmetric_domain():
    values = np.zeros((70, 64))
    values[0, 0], values[0, 1] = -2.0, 2.0
    d = spec(
        charts.heatmap(
            values,
            [str(i) for i in range(70)],
            [str(i) for i in range(64)],
            **TITLES,
            domain=(-2, 2),
            scheme="blueorange",
        )
    )
    rgb = png_rgb(d)
    assert tuple(rgb[0, 0]) == BLUEORANGE_FIRST and tuple(rgb[0, 1]) == BLUEORANGE_LAST
    assert tuple(rgb[5, 5]) == BLUEORANGE_MID  # 0 sits in the middle


def test_palette_interpolates_like_vega():
    pal = charts.palette("viridis", 31)  # one entry per Vega anchor: exactly the anchors
    assert tuple(pal[0]) == VIRIDIS_FIRST and tuple(pal[15]) == VIRIDIS_MID and tuple(pal[-1]) == VIRIDIS_LAST
    half = charts.palette("blueorange", 21)[1]  # halfway between the first two anchors 134b85 and 2f78b3
    np.testing.assert_allclose(half, [(0x13 + 0x2F) / 2, (0x4B + 0x78) / 2, (0x85 + 0xB3) / 2], atol=0.5)


def test_downsampling_averages_blocks_and_ignores_masked_cells():
    values = np.zeros((512, 512))
    values[:, 256:] = 1.0  # right half
    values[0, 0], values[0, 1], values[1, 0], values[1, 1] = 0.0, 1.0, -np.inf, -np.inf  # block (0, 0): mean 0.5
    values[2:4, 0:2] = -np.inf  # block (1, 0): all masked
    rgb = png_rgb(spec(weights_chart(values)))
    assert rgb.shape == (256, 256, 3)
    assert tuple(rgb[0, 0]) == VIRIDIS_MID
    assert tuple(rgb[1, 0]) == MASKED_RGB
    assert tuple(rgb[100, 127]) == VIRIDIS_FIRST and tuple(rgb[100, 128]) == VIRIDIS_LAST


@pytest.mark.parametrize(
    ("shape", "max_plot", "image"),
    [
        ((85, 8), 170, False),  # 2 px a row: each cell can still be pointed at
        ((86, 8), 170, True),
        ((512, 8), 170, True),  # 4,096 cells, but a third of a pixel a row in a small multiple
        ((512, 8), None, False),  # full size: the cell limit alone decides
        ((64, 64), 170, False),  # a 64-token window keeps its tooltips in a grid of heads
    ],
)
def test_small_multiples_draw_cells_too_thin_to_point_at_as_an_image(rng, shape, max_plot, image):
    assert charts.uses_image(*shape, max_plot) is image
    d = spec(weights_chart(rng.random(shape), max_plot=max_plot))
    assert bool(layers_with_mark(d, "image")) is image and bool(layers_with_mark(d, "rect")) is not image


@pytest.mark.parametrize(
    ("shape", "max_plot"), [((512, 512), 170), ((512, 8), 170), ((300, 300), 100), ((512, 512), None)]
)
def test_png_has_no_more_pixels_than_the_plot(rng, shape, max_plot):
    d = spec(weights_chart(rng.random(shape), max_plot=max_plot))
    ihdr, _, _ = read_png(png_of(d))
    assert ihdr["height"] <= min(charts.MAX_IMAGE_SIDE, d["height"]) and ihdr["width"] <= min(
        charts.MAX_IMAGE_SIDE, d["width"]
    )
    kr, kc = charts.downsample_factors(*shape, max_plot)
    assert (ihdr["height"], ihdr["width"]) == (-(-shape[0] // kr), -(-shape[1] // kc))


def test_payload_stays_small_for_512_tokens_and_8_heads(rng):
    n, heads = 512, 8
    labels = [f"token{i}" for i in range(n)]
    sizes, png_sizes = [], []
    for _ in range(heads):
        d = spec(weights_chart(rng.random((n, n)), labels=labels))  # uniform noise: the least compressible case
        png_sizes.append(len(base64.b64encode(png_of(d))))
        sizes.append(len(json.dumps(d)))
    assert max(png_sizes) <= 100_000
    assert sum(sizes) < 1_000_000
