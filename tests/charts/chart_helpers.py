"""Shared by the chart tests: read a Vega-Lite dict (``chart.to_dict()``) and the PNG inside it."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import numpy as np

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


def weights_chart(values, labels=None, **kwargs):
    r, c = np.shape(values)
    rows = labels if labels is not None else [f"t{i}" for i in range(r)]
    cols = labels if labels is not None else [f"t{j}" for j in range(c)]
    return charts.heatmap(values, rows, cols, **{**TITLES, "domain": charts.WEIGHTS_DOMAIN, **kwargs})


def view_rows(d: dict, *views: dict) -> list[dict]:
    """The rows a nested view draws: the innermost data given on the path d -> views[0] -> ... (named or inline)."""
    data = None
    for view in (d, *views):
        data = view.get("data", data)
    return d["datasets"][data["name"]] if "name" in data else data["values"]


def marks_of(view: dict, mark: str) -> list[dict]:
    return [layer for layer in view["layer"] if layer["mark"]["type"] == mark]


# The scaling study's titles, for the tests that build it.
SCALING_TITLES = {
    "title": "Why divide by √d_k",
    "spread_title": "Spread of q·k",
    "top_title": "Largest weight",
    "d_k_title": "d_k",
    "series_title": "Scores",
    "unscaled_label": "q·k",
    "scaled_label": "q·k / √d_k",
}
