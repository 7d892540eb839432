"""ui/charts.py through ``chart.to_dict()``: data, scales, labels, tooltips, the PNG of image mode."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import numpy as np
import pytest

from ui import charts

TOKENS = "the cat sat on the mat".split()
TITLES = {"title": "Weights", "row_title": "Query", "col_title": "Key", "value_title": "Weight"}
VIRIDIS_FIRST, VIRIDIS_MID, VIRIDIS_LAST = (0x44, 0x01, 0x54), (0x21, 0x91, 0x8D), (0xFD, 0xE7, 0x25)
BLUEORANGE_FIRST, BLUEORANGE_MID, BLUEORANGE_LAST = (0x13, 0x4B, 0x85), (0xF2, 0xF0, 0xEB), (0x99, 0x4A, 0x07)
MASKED_RGB = tuple(int(charts.MASKED_COLOR[i : i + 2], 16) for i in (1, 3, 5))
LABEL_SUFFIX = "[floor(datum.value)] || ''"


# ---------------------------------------------------------------------------------------
# helpers: read a Vega-Lite dict and the PNG inside it


def spec(chart) -> dict:
    """chart.to_dict(), after checking it serialises as strict JSON (no NaN, no Infinity)."""
    d = chart.to_dict()
    json.dumps(d, allow_nan=False)
    return d


def rows_of(d: dict, layer: dict) -> list[dict]:
    """The rows a layer draws: its own data, or the chart's (Altair hoists data shared by all layers)."""
    data = layer.get("data", d.get("data"))
    return d["datasets"][data["name"]] if "name" in data else data["values"]


def layers_with_mark(d: dict, mark: str) -> list[dict]:
    return [layer for layer in d["layer"] if layer["mark"]["type"] == mark]


def only_layer(d: dict, mark: str) -> dict:
    (layer,) = layers_with_mark(d, mark)
    return layer


def label_list(axis: dict) -> list[str]:
    """The JSON array literal of an axis labelExpr, parsed."""
    expr = axis["labelExpr"]
    assert expr.endswith(LABEL_SUFFIX)
    return json.loads(expr.removesuffix(LABEL_SUFFIX))


def shown_labels(axis: dict) -> list[str]:
    """What Vega shows at each tick: labels[floor(value)]."""
    labels = label_list(axis)
    return [labels[int(np.floor(v))] for v in axis["values"]]


def color_fields(d: dict) -> list[dict]:
    """The colour encodings that map a field through a scale (not the text layer's black/white)."""
    return [layer["encoding"]["color"] for layer in d["layer"] if "field" in layer["encoding"].get("color", {})]


def png_of(d: dict) -> bytes:
    url = rows_of(d, only_layer(d, "image"))[0]["url"]
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return base64.b64decode(url.removeprefix(prefix), validate=True)


def read_png(png: bytes) -> tuple[dict, np.ndarray, np.ndarray]:
    """(IHDR fields, palette (P, 3), indices (H, W)) of an 8-bit palette PNG with filter 0 on every row."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        tag, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF, tag
        chunks[tag] = chunks.get(tag, b"") + body
        pos += 12 + length
    w, h, depth, color_type, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    ihdr = {"width": w, "height": h, "depth": depth, "color_type": color_type, "interlace": interlace}
    assert (comp, filt) == (0, 0) and b"IEND" in chunks
    pal = np.frombuffer(chunks[b"PLTE"], dtype=np.uint8).reshape(-1, 3)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(h, w + 1)
    assert (raw[:, 0] == 0).all()
    return ihdr, pal, raw[:, 1:]


def png_rgb(d: dict) -> np.ndarray:
    _, pal, idx = read_png(png_of(d))
    return pal[idx]  # (H, W, 3)


def softmax_rows(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


def weights_chart(values, labels=None, **kwargs):
    r, c = np.shape(values)
    rows = labels if labels is not None else [f"t{i}" for i in range(r)]
    cols = labels if labels is not None else [f"t{j}" for j in range(c)]
    return charts.heatmap(values, rows, cols, **{**TITLES, "domain": charts.WEIGHTS_DOMAIN, **kwargs})


# ---------------------------------------------------------------------------------------
# rect mode: data, labels, tooltips


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (6, 6), (64, 64), (1, charts.RECT_CELL_LIMIT)])
def test_rect_mode_has_one_row_per_cell(rng, shape):
    values = rng.random(shape)
    d = spec(weights_chart(values))
    rect = only_layer(d, "rect")
    rows = rows_of(d, rect)
    R, C = shape
    assert len(rows) == R * C
    assert not layers_with_mark(d, "image")
    got = np.zeros(shape)
    for row in rows:
        got[row["r"], row["c"]] = row["v"]
    np.testing.assert_array_equal(got, values)
    assert rect["encoding"]["x"]["field"] == "c" and rect["encoding"]["y"]["field"] == "r"


def test_repeated_tokens_stay_distinct_positions_in_order(rng):
    values = softmax_rows(rng.normal(size=(6, 6)))
    d = spec(charts.heatmap(values, TOKENS, TOKENS, **TITLES, domain=(0, 1)))
    rect = only_layer(d, "rect")
    rows = rows_of(d, rect)
    assert sorted({row["c"] for row in rows}) == list(range(6))
    assert sorted({row["r"] for row in rows}) == list(range(6))
    for channel in ("x", "y"):
        axis = rect["encoding"][channel]["axis"]
        assert label_list(axis) == TOKENS
        assert axis["values"] == [i + 0.5 for i in range(6)]
        assert shown_labels(axis) == TOKENS  # 'the' at positions 0 and 4
    # the two 'the' columns keep their own values
    by_cell = {(row["r"], row["c"]): row for row in rows}
    assert by_cell[(1, 0)]["col"] == "the (#1)" and by_cell[(1, 4)]["col"] == "the (#5)"
    assert by_cell[(1, 0)]["v"] == values[1, 0] and by_cell[(1, 4)]["v"] == values[1, 4]


def test_rows_run_top_to_bottom_and_columns_left_to_right(rng):
    d = spec(weights_chart(rng.random((3, 4))))
    enc = only_layer(d, "rect")["encoding"]
    assert enc["y"]["scale"]["reverse"] is True and enc["y"]["scale"]["domain"] == [0, 3]
    assert enc["x"]["scale"]["reverse"] is False and enc["x"]["scale"]["domain"] == [0, 4]
    assert enc["x"]["axis"]["title"] == "Key" and enc["y"]["axis"]["title"] == "Query"
    assert enc["x2"]["field"] == "c1" and enc["y2"]["field"] == "r1"
    assert {"calculate": "datum.c + 1", "as": "c1"} in only_layer(d, "rect")["transform"]


NASTY = ['say "hi"', "back\\slash", "</script>", "<b>bold</b>", "it's", "a&b", "ação", "😀", "line\u2028sep", ""]


def test_hostile_tokens_survive_as_plain_text(rng):
    values = rng.random((len(NASTY), len(NASTY)))
    d = spec(charts.heatmap(values, NASTY, NASTY, **TITLES, domain=(0, 1)))
    rect = only_layer(d, "rect")
    for channel in ("x", "y"):
        axis = rect["encoding"][channel]["axis"]
        assert label_list(axis) == NASTY  # the literal parses as a JSON array of the exact strings
        literal = axis["labelExpr"].removesuffix(LABEL_SUFFIX)
        assert literal.isascii() and not set("<>&") & set(literal)  # no raw markup, no raw U+2028
    rows = rows_of(d, rect)
    assert {row["row"] for row in rows} == {f"{t} (#{i + 1})" for i, t in enumerate(NASTY)}
    for tip in rect["encoding"]["tooltip"]:
        assert tip["type"] == "nominal" and "format" not in tip  # plain text, no html format


def test_label_expr_escapes_and_round_trips():
    labels = ["</script><script>alert(1)</script>", "x' || true || '", 'q"']
    expr = charts.label_expr(labels)
    assert "</" not in expr and json.loads(expr.removesuffix(LABEL_SUFFIX)) == labels


def test_tooltip_has_labels_positions_rounded_and_exact_value():
    values = np.array([[0.123456789012345, 1 / 3], [2 / 3, -0.0]])
    d = spec(charts.heatmap(values, ["a", "b"], ["c", "d"], **TITLES, domain=(-1, 1), scheme="blueorange", decimals=3))
    rect = only_layer(d, "rect")
    tips = rect["encoding"]["tooltip"]
    assert [t["field"] for t in tips] == ["row", "col", "val", "exact"]
    assert [t["title"] for t in tips] == ["Query", "Key", "Weight", "float64"]
    by_cell = {(row["r"], row["c"]): row for row in rows_of(d, rect)}
    cell = by_cell[(0, 0)]
    assert (cell["row"], cell["col"], cell["val"]) == ("a (#1)", "c (#1)", "0.123")
    assert float(cell["exact"]) == values[0, 0]  # the full float64, round-trip exact
    assert by_cell[(0, 1)]["exact"] == repr(1 / 3) and by_cell[(1, 0)]["val"] == "0.667"
    assert by_cell[(1, 1)]["val"] == "0.000"  # no "-0.000"


def test_tooltip_titles_stay_distinct_when_the_caller_repeats_one(rng):
    d = spec(
        charts.heatmap(
            rng.random((2, 2)),
            "ab",
            "ab",
            title="",
            row_title="Token",
            col_title="Token",
            value_title="v",
            domain=(0, 1),
        )
    )
    titles = [t["title"] for t in only_layer(d, "rect")["encoding"]["tooltip"]]
    assert len(set(titles)) == 4 and titles[0] == "Token" and titles[1].strip("\u200b") == "Token"


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


# ---------------------------------------------------------------------------------------
# boundaries, size, axes


def test_col_boundaries_draw_rules_at_head_boundaries(rng):
    d_v, heads = 4, 3
    values = rng.normal(size=(6, d_v * heads))
    d = spec(
        charts.heatmap(
            values,
            TOKENS,
            [str(j) for j in range(d_v * heads)],
            **TITLES,
            domain=charts.symmetric_domain(values),
            scheme="blueorange",
            col_boundaries=[d_v, 2 * d_v],
        )
    )
    rules = layers_with_mark(d, "rule")
    assert rules
    rect_x = only_layer(d, "rect")["encoding"]["x"]
    for rule in rules:
        assert [row["b"] for row in rows_of(d, rule)] == [4, 8]
        assert rule["encoding"]["x"]["field"] == "b" and "y" not in rule["encoding"]  # full height
        assert rule["encoding"]["x"]["scale"] == rect_x["scale"]  # same scale: x = 4 is the left edge of column 4


def test_row_boundaries_draw_horizontal_rules(rng):
    d = spec(weights_chart(rng.random((6, 3)), row_boundaries=[3]))
    for rule in layers_with_mark(d, "rule"):
        assert [row["b"] for row in rows_of(d, rule)] == [3] and "x" not in rule["encoding"]


@pytest.mark.parametrize("bad", [[0], [6], [-1], [2.5], [True], ["3"]])
def test_bad_boundaries_are_refused(rng, bad):
    with pytest.raises(charts.ChartInputError, match="col_boundaries"):
        weights_chart(rng.random((6, 6)), col_boundaries=bad)


def test_size_follows_the_matrix_unless_given(rng):
    tiny = spec(weights_chart(rng.random((3, 3)), show_values=False))
    assert tiny["width"] == tiny["height"] == 3 * 36
    with_values = spec(weights_chart(rng.random((3, 3))))
    assert 28 * 3 <= with_values["width"] <= 60 * 3 and with_values["height"] == 3 * 36
    big = spec(weights_chart(rng.random((512, 512))))
    assert big["width"] == big["height"] == 420
    tall = spec(weights_chart(rng.random((40, 3))))
    assert tall["height"] == 420 and tall["width"] == 3 * 36
    given = spec(weights_chart(rng.random((3, 3)), width=250, height=120))
    assert (given["width"], given["height"]) == (250, 120)
    assert tiny["autosize"] == {"type": "pad", "contains": "padding"}  # Streamlit would "fit" otherwise


def test_few_short_labels_stay_horizontal_many_turn(rng):
    few = spec(charts.heatmap(rng.random((3, 3)), ["a", "b", "c"], ["a", "b", "c"], **TITLES, domain=(0, 1)))
    assert only_layer(few, "rect")["encoding"]["x"]["axis"]["labelAngle"] == 0
    labels = [f"tok{i}" for i in range(60)]
    many = spec(charts.heatmap(rng.random((3, 60)), ["a", "b", "c"], labels, **TITLES, domain=(0, 1)))
    axis = only_layer(many, "rect")["encoding"]["x"]["axis"]
    assert axis["labelAngle"] in (-45, -90) and axis["labelLimit"] > 0


def test_note_becomes_the_subtitle(rng):
    d = spec(weights_chart(rng.random((512, 512)), note="Averaged over 2×2 blocks"))
    assert d["title"] == {"text": "Weights", "subtitle": "Averaged over 2×2 blocks"}
    assert charts.downsample_factors(512, 512) == (2, 2) and charts.downsample_factors(64, 64) == (1, 1)


def test_grid_shares_one_legend_and_keeps_autosize_at_the_top(rng):
    heads = [weights_chart(softmax_rows(rng.normal(size=(4, 4)))) for _ in range(3)]
    d = spec(charts.grid(heads, 2))
    assert d["columns"] == 2 and len(d["concat"]) == 3
    assert d["autosize"]["type"] == "pad" and all("autosize" not in part for part in d["concat"])
    assert d["resolve"]["scale"]["color"] == "shared"
    assert spec(heads[0])["autosize"]["type"] == "pad"  # the originals are untouched


@pytest.mark.parametrize(
    ("values", "rows", "cols", "kwargs", "match"),
    [
        (np.zeros(3), "abc", "abc", {}, "2 axes"),
        (np.zeros((0, 3)), "", "abc", {}, "at least one row"),
        (np.zeros((2, 3)), "a", "abc", {}, "row_labels has 1"),
        (np.zeros((2, 3)), "ab", "abcd", {}, "col_labels has 4"),
        (np.zeros((2, 2)), "ab", "ab", {"domain": (1, 1)}, "low < high"),
        (np.zeros((2, 2)), "ab", "ab", {"domain": (0, np.nan)}, "finite"),
        (np.zeros((2, 2)), "ab", "ab", {"scheme": "jet"}, "scheme must be one of"),
        (np.zeros((2, 2)), "ab", "ab", {"decimals": -1}, "decimals"),
    ],
)
def test_bad_input_is_refused_with_a_message(values, rows, cols, kwargs, match):
    with pytest.raises(charts.ChartInputError, match=match):
        charts.heatmap(values, list(rows), list(cols), **{**TITLES, "domain": (0, 1), **kwargs})


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


def test_flow_diagram_greys_a_step_that_is_off():
    steps = [("Multi-head", "Multi-head"), ("Add & Norm", "Layer norm", True), ("Feed-forward", "FFN", False)]
    d = spec(charts.flow_diagram(steps))
    rect = only_layer(d, "rect")
    assert [box["off"] for box in rows_of(d, rect)] == [False, True, False]
    enc = rect["encoding"]
    assert enc["fill"] == {"condition": {"test": "datum.off", "value": charts._OFF_FILL}, "value": charts._BOX_FILL}
    assert enc["stroke"]["condition"]["value"] == charts._OFF_STROKE and enc["stroke"]["value"] == charts._BOX_STROKE
    for layer in layers_with_mark(d, "text"):  # name, screen and number all turn grey
        assert layer["encoding"]["color"]["condition"] == {"test": "datum.off", "value": charts._OFF_TEXT}
    assert [box["off"] for box in rows_of(d, only_layer(spec(charts.flow_diagram(STEPS)), "rect"))] == [False] * 8


@pytest.mark.parametrize("bad", [("a", "b", "yes"), ("a", "b", 1), ("a", "b", True, False)])
def test_flow_diagram_refuses_a_third_element_that_is_not_a_bool(bad):
    with pytest.raises(charts.ChartInputError, match=r"step 0 must be .*\(name, screen, off: bool\)"):
        charts.flow_diagram([bad])


# ---------------------------------------------------------------------------------------
# heatmap: a clicked cell as a selection


def outline_layers(d: dict, param: str) -> list[dict]:
    return [layer for layer in d["layer"] if {"filter": {"param": param, "empty": False}} in layer.get("transform", [])]


def test_select_is_a_point_selection_on_the_cell_indices(rng):
    values = rng.random((3, 4))
    d = spec(weights_chart(values, select="cell"))
    (param,) = d["params"]
    assert param["name"] == "cell"
    sel = param["select"]
    assert sel["type"] == "point" and sel["fields"] == ["r", "c"]
    assert sel["on"].startswith("click[") and sel["clear"] == "dblclick" and sel["toggle"] is False
    # bound to the cell rects, whose rows carry r and c: what Streamlit returns for a click
    rect = next(layer for layer in layers_with_mark(d, "rect") if "filter" not in json.dumps(layer.get("transform")))
    assert param["views"] == [rect["name"]] and rect["mark"]["cursor"] == "pointer"
    got = np.full(values.shape, np.nan)
    for row in rows_of(d, rect):
        assert isinstance(row["r"], int) and isinstance(row["c"], int)
        got[row["r"], row["c"]] = row["v"]
    np.testing.assert_array_equal(got, values)


def test_the_selected_cell_is_outlined_dark_under_white_above_every_cell(rng):
    d = spec(weights_chart(rng.random((4, 4)), select="pick", col_boundaries=[2]))
    outlines = outline_layers(d, "pick")
    assert [o["mark"]["stroke"] for o in outlines] == ["black", "white"]
    assert outlines[0]["mark"]["strokeWidth"] > outlines[1]["mark"]["strokeWidth"] > 0.5
    assert all(o["mark"]["filled"] is False for o in outlines)
    cell = d["layer"][0]
    for o in outlines:
        assert d["layer"].index(o) > d["layer"].index(only_layer(d, "text"))  # on top of the numbers too
        for channel in ("x", "y"):
            assert o["encoding"][channel]["field"] == cell["encoding"][channel]["field"]
            assert o["encoding"][channel]["scale"] == cell["encoding"][channel]["scale"]
        assert o["encoding"]["x2"]["field"] == "c1" and o["encoding"]["y2"]["field"] == "r1"
        assert o["encoding"]["tooltip"] == cell["encoding"]["tooltip"]  # hovering the outline still tells the value


@pytest.mark.parametrize("masked", [False, True])
def test_select_only_adds_the_selection_and_its_outline(rng, masked):
    values = rng.random((5, 5))
    if masked:
        values[np.triu_indices(5, 1)] = -np.inf
    plain = spec(weights_chart(values))
    assert "params" not in plain and not any("filter" in json.dumps(layer.get("transform")) for layer in plain["layer"])
    assert plain == spec(weights_chart(values, select=None))
    selected = spec(weights_chart(values, select="cell"))
    del selected["params"]
    selected["layer"] = [layer for layer in selected["layer"] if layer not in outline_layers(selected, "cell")]
    for layer in selected["layer"]:
        layer.pop("name", None)
        layer["mark"].pop("cursor")
    assert selected == plain


def test_select_is_ignored_in_image_mode(rng):
    values = rng.random((80, 80))
    d = spec(weights_chart(values, select="cell"))
    assert layers_with_mark(d, "image") and "params" not in d
    assert d == spec(weights_chart(values))


@pytest.mark.parametrize("bad", ["", "1cell", "a cell", "cell-1", 3, "x'y"])
def test_a_select_name_that_is_no_identifier_is_refused(rng, bad):
    with pytest.raises(charts.ChartInputError, match="select must be a name"):
        weights_chart(rng.random((2, 2)), select=bad)


# ---------------------------------------------------------------------------------------
# studies: scaling by 1/√d_k, temperature, statistics per row


def view_rows(d: dict, *views: dict) -> list[dict]:
    """The rows a nested view draws: the innermost data given on the path d -> views[0] -> ... (named or inline)."""
    data = None
    for view in (d, *views):
        data = view.get("data", data)
    return d["datasets"][data["name"]] if "name" in data else data["values"]


def marks_of(view: dict, mark: str) -> list[dict]:
    return [layer for layer in view["layer"] if layer["mark"]["type"] == mark]


D_K = 2 ** np.arange(10)
SCALING_TITLES = {
    "title": "Why divide by √d_k",
    "spread_title": "Spread of q·k",
    "top_title": "Largest weight",
    "d_k_title": "d_k",
    "series_title": "Scores",
    "unscaled_label": "q·k",
    "scaled_label": "q·k / √d_k",
}


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
        assert enc["color"]["scale"] == {"domain": ["q·k", "q·k / √d_k"], "range": list(charts._PAIR_COLORS)}
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


def test_a_masked_weight_is_written_as_its_value_zero_and_a_masked_score_as_minus_infinity():
    values = np.array([[1.0, -np.inf], [0.5, 0.5]])
    titles = {"title": "t", "row_title": "q", "col_title": "k", "value_title": "v"}
    weights = charts.heatmap(values, ["a", "b"], ["a", "b"], domain=charts.WEIGHTS_DOMAIN, masked_value="0", **titles)
    scores = charts.heatmap(values, ["a", "b"], ["a", "b"], domain=(-1.0, 1.0), **titles)
    w, s = weights.data, scores.data
    assert w.loc[1, "txt"] == "0" and w.loc[1, "exact"] == "0" and w.loc[1, "masked"]
    assert s.loc[1, "txt"] == "−∞" and s.loc[1, "exact"] == "-inf"


def test_the_loss_curve_carries_every_step_on_the_planned_range():
    chart = charts.loss_curve([2.0, 1.5, 1.0], title="t", step_title="step", loss_title="loss", total_steps=10)
    spec = chart.to_dict()
    assert chart.data["step"].tolist() == [1, 2, 3] and chart.data["loss"].tolist() == [2.0, 1.5, 1.0]
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 10]
    with pytest.raises(charts.ChartInputError, match="finite"):
        charts.loss_curve([1.0, float("nan")], title="t", step_title="s", loss_title="l")


def test_the_head_view_draws_one_line_per_weight_of_the_chosen_heads():
    w = np.zeros((2, 3, 3))
    w[0] = np.eye(3)
    w[1, :, 0] = 1.0
    chart = charts.head_view(
        ["a", "b", "a"], w, title="t", head_title="Head", query_title="q", key_title="k", weight_title="w"
    )
    spec = chart.to_dict()
    lines = chart.layer[0].data
    assert len(lines) == 6 and set(lines["head"]) == {"Head 1", "Head 2"}
    assert lines[lines["head"] == "Head 2"]["k"].tolist() == [0, 0, 0]
    assert {p["name"] for p in spec["params"]} >= {"query", "heads"} or any(
        p.get("name") in ("query", "heads") for layer in spec["layer"] for p in layer.get("params", [])
    )
    only = charts.head_view(
        ["a", "b", "a"], w, heads=[1], title="t", head_title="Head", query_title="q", key_title="k", weight_title="w"
    )
    assert set(only.layer[0].data["head"]) == {"Head 2"}
    with pytest.raises(charts.ChartInputError, match=r"\(H, T, T\)"):
        charts.head_view(["a"], w, title="t", head_title="H", query_title="q", key_title="k", weight_title="w")


HEAD_VIEW_TITLES = {"title": "", "head_title": "H", "query_title": "q", "key_title": "k", "weight_title": "w"}


def test_the_head_view_at_16_heads_and_40_tokens_keeps_each_querys_strongest_lines(rng):
    H, T = 16, 40
    w = softmax_rows(rng.normal(size=(H, T, T)))
    tokens = [f"t{i}" for i in range(T)]
    total = int((w >= 0.01).sum())
    assert total > 5000  # Altair's to_dict would raise MaxRowsError with them all
    chart = charts.head_view(tokens, w, cut_note="{shown} of {total}, top {k}", **HEAD_VIEW_TITLES)
    lines = chart.layer[0].data
    assert 0 < len(lines) <= charts.HEAD_VIEW_LINES
    assert spec(chart)["title"]["subtitle"] == f"{len(lines)} of {total}, top {len(lines) // (H * T)}"
    per_row = lines.groupby(["head", "q"]).size()
    assert len(per_row) == H * T and per_row.nunique() == 1  # every query of every head keeps k lines
    for (h, i), group in lines.groupby(["head", "q"]):
        row = w[int(h.split()[-1]) - 1, i]
        np.testing.assert_array_equal(np.sort(group["w"].to_numpy()), np.sort(row)[-len(group) :])  # its largest
    small = charts.head_view(tokens[:6], w[:2, :6, :6], cut_note="{shown}", **HEAD_VIEW_TITLES)
    assert len(small.layer[0].data) == int((w[:2, :6, :6] >= 0.01).sum())  # nothing to cut: all, no note
    assert "subtitle" not in json.dumps(spec(small))


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


# ---------------------------------------------------------------------------------------
# per-head grids (ui.layout.grid_plan): numbers in every cell up to ~12 tokens, within the screen


@pytest.mark.parametrize(("T", "per_row"), [(4, 4), (6, 3), (9, 2), (12, 2), (13, 4), (40, 4)])
def test_a_grid_puts_fewer_heads_in_a_row_when_their_cells_hold_numbers(rng, T, per_row):
    from ui import layout

    tokens = ["the", "cat", "sat", "on", "mat", "and"] * 7
    heads = [softmax_rows(rng.normal(size=(T, T))) for _ in range(4)]
    n, max_plot, extra = layout.grid_plan(heads, tokens[:T], tokens[:T], charts.WEIGHTS_DOMAIN)
    assert n == per_row
    d = spec(weights_chart(heads[0], tokens[:T], max_plot=max_plot, legend=False, **extra))
    assert bool(layers_with_mark(d, "text")) is (T <= 12)
    assert extra == ({"value_decimals": 2} if T <= 12 else {})
    # the charts, their axes and (for the last of a row) the legend fit the main column: a chart wider
    # than its st.column is cut (at 13-40 tokens, 150 px plots lost their last key labels)
    axis = charts.axis_label_px(tokens[:T]) + layout._GRID_AXIS_PX
    assert n * (d["width"] + axis) + layout._GRID_LEGEND_PX + (n - 1) * layout._GRID_GAP_PX <= layout.GRID_ROW_PX
    if T > 12:
        assert layout.GRID_PLOT_PX - 40 <= max_plot <= layout.GRID_PLOT_PX  # no smaller than it must be


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
    from ui import layout

    tokens = ["the", "cat", "sat", "on"]
    q, k, v = (rng.normal(size=(4, d_k)) for _ in range(3))
    domain = charts.symmetric_domain(q, k, v)
    widths = [layout.matrix_width(m, tokens, domain) for m in (q, k, v)]
    for m, width in zip((q, k, v), widths, strict=True):  # the chart without legend: plot, labels, axis
        plot = spec(charts.heatmap(m, tokens, [f"q{j}" for j in range(d_k)], **TITLES, domain=domain))["width"]
        assert width == plot + charts.axis_label_px(tokens) + layout._GRID_AXIS_PX
    plan = layout.row_plan(*widths, shared_legend=True)
    assert (plan is not None) is side_by_side
    if plan is not None:
        columns, legends = plan
        assert legends == [False, False, True]
        assert columns == [widths[0], widths[1], widths[2] + layout._GRID_LEGEND_PX]
        assert sum(columns) + 2 * layout._GRID_GAP_PX <= layout.GRID_ROW_PX


def test_a_row_of_matrices_with_their_own_legends_is_stacked_when_too_wide():
    from ui import layout

    legend = layout._GRID_LEGEND_PX
    fit = (layout.GRID_ROW_PX - layout._GRID_GAP_PX) // 2 - legend
    assert layout.row_plan(fit, fit) == ([fit + legend] * 2, [True, True])
    assert layout.row_plan(fit + 1, fit) is None
    assert layout.row_plan(fit + legend, fit, shared_legend=True) is not None  # one legend less
    assert layout.row_plan(layout.GRID_ROW_PX - legend) == ([layout.GRID_ROW_PX], [True])


def test_a_grid_writes_every_head_with_the_same_decimals(rng):
    from ui import layout

    outputs = [rng.normal(size=(5, 2)) * s for s in (0.1, 9.0)]  # one head's numbers much longer
    _, _, extra = layout.grid_plan(outputs, list("abcde"), ["v1", "v2"], charts.symmetric_domain(*outputs))
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
    assert all(len(line) * charts._TITLE_CHAR_PX <= width for line in titles[1])
