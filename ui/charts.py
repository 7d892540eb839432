"""Altair chart builders: numpy arrays in, Vega-Lite charts out.

No streamlit, no i18n: every visible text (titles, axis, legend and tooltip titles) comes
from the caller, so the same builder serves English and Português. No module-level
mutable state: one server process draws for every participant of a workshop.

Matrices use quantitative axes over [0, C] x [0, R]: cell (i, j) spans [j, j+1] x [i, i+1],
rows (queries) top to bottom, columns (keys) left to right. Axis labels sit at cell centres
and are mapped to token strings by a ``labelExpr`` indexing a JSON array literal, so
repeated tokens ("the ... the") stay distinct positions in their original order.

Two drawing modes, chosen by size:

- rect mode (R*C <= RECT_CELL_LIMIT, and in small multiples capped by ``max_plot`` cells
  at least MIN_CELL_PX wide): one rect per cell, tooltips with the exact value;
- image mode: the matrix is colour-mapped in numpy with Vega's own scheme anchors,
  encoded as an 8-bit palette PNG and drawn by one ``mark_image``; an invisible layer
  carries the colour scale for the legend. The PNG never has more pixels than the plot
  shows: it is block-averaged down to at most min(MAX_IMAGE_SIDE, plot size) px a side.
  One rect per cell freezes the browser at 512 tokens x 8 heads (2 million rects); a
  palette PNG of a 512 x 512 map in a 170 px plot is 128 x 128 px, ~20 kB.

The per-cell table is the chart's top-level data, shared by its layers (Altair then needs
no hash of the table, which it would otherwise compute from the frame's text repr).
"""

from __future__ import annotations

import base64
import json
import math
import struct
import types
import zlib
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

# Above this many cells a matrix is drawn as one image. Must stay <= 5,000, Altair's inline
# row limit when a chart is serialised outside Streamlit (tests, exports).
RECT_CELL_LIMIT: int = 4096
# Image mode: a side longer than this (or than the plot's side in px) is block-averaged down to it.
MAX_IMAGE_SIDE: int = 256
# In small multiples (``max_plot`` given), a matrix whose cells would be thinner than this many px
# is drawn as an image: a cell no one can point at gains nothing from its own rect and tooltip.
MIN_CELL_PX: float = 2.0
# Numbers are written in the cells when the matrix has at most this many cells.
SHOW_VALUES_CELL_LIMIT: int = 64
# Attention weights live in [0, 1]: pass this as ``domain`` so every head shares one scale.
WEIGHTS_DOMAIN: tuple[float, float] = (0.0, 1.0)
MASKED_COLOR: str = "#a3a3a3"  # -inf (masked) cells: a grey neither viridis nor blueorange contains

_CELL_PX = 36  # cell side of tiny matrices
_MAX_PLOT_PX = 420  # plot area cap per side
_LABEL_SPACING_PX = 14  # minimum distance between two shown axis labels
_LABEL_LIMIT_PX = 90  # long tokens are truncated with an ellipsis
_CHAR_PX = 6.5  # rough width of one label character
_PALETTE_SIZE = 255  # colour entries of the PNG palette; index 255 is the masked grey
_MASKED_INDEX = 255

# Vega's scheme anchors (vega-scale schemes.js, as bundled with Streamlit's Vega), which Vega
# interpolates piecewise-linearly in RGB. The LUT below does the same, so image mode matches
# the rect-mode colours and the legend.
_SCHEME_ANCHORS = types.MappingProxyType(
    {
        "viridis": (
            "440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e"
            "23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27"
            "d2e21be9e51afde725"
        ),
        "blueorange": "134b852f78b35da2cb9dcae1d2e5eff2f0ebfce0bafbbf74e8932fc5690d994a07",
    }
)
SCHEMES: tuple[str, ...] = tuple(_SCHEME_ANCHORS)


def _autosize() -> alt.AutoSizeParams:
    """Plot area = width x height, axes and legend around it. Without an explicit autosize,
    st.altair_chart sets "fit" and squeezes axes, legend and title into width x height."""
    return alt.AutoSizeParams(type="pad", contains="padding")


class ChartInputError(ValueError):
    """Bad input to a chart builder; the message names what was expected and what came."""


# ---------------------------------------------------------------------------------------
# domains and colours


def symmetric_domain(*arrays) -> tuple[float, float]:
    """(-m, m) with m = max |finite value| over all arrays (m = 1.0 if all zero/empty), for a shared diverging scale."""
    m = 0.0
    for a in arrays:
        arr = np.asarray(a, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size:
            m = max(m, float(np.abs(finite).max()))
    if m == 0.0:
        m = 1.0
    return (-m, m)


def nonnegative_domain(*arrays) -> tuple[float, float]:
    """(0, m) with m = max finite value over all arrays (m = 1.0 if none is positive), for viridis on values >= 0."""
    m = 0.0
    for a in arrays:
        arr = np.asarray(a, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size:
            m = max(m, float(finite.max()))
    return (0.0, m if m > 0.0 else 1.0)


def palette(scheme: str, n: int = _PALETTE_SIZE) -> np.ndarray:
    """uint8 (n, 3): ``scheme`` sampled at t = 0, 1/(n-1), ..., 1, as Vega interpolates it."""
    hex_anchors = _SCHEME_ANCHORS[_check_scheme(scheme)]
    anchors = np.array(
        [[int(hex_anchors[i + k : i + k + 2], 16) for k in (0, 2, 4)] for i in range(0, len(hex_anchors), 6)],
        dtype=np.float64,
    )  # (A, 3)
    at = np.linspace(0.0, 1.0, len(anchors))
    t = np.linspace(0.0, 1.0, n)
    rgb = np.stack([np.interp(t, at, anchors[:, ch]) for ch in range(3)], axis=1)  # (n, 3)
    return np.floor(rgb + 0.5).astype(np.uint8)  # d3 rounds with Math.round


def _color_indices(values: np.ndarray, domain: tuple[float, float]) -> np.ndarray:
    """values (R, C) finite -> palette indices (R, C) in [0, _PALETTE_SIZE - 1], clamped to the domain."""
    lo, hi = domain
    t = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    return np.floor(t * (_PALETTE_SIZE - 1) + 0.5).astype(np.uint8)


def _dark_background(indices: np.ndarray, scheme: str) -> np.ndarray:
    """bool per palette index: white text reads better than black on that colour (WCAG contrast)."""
    srgb = palette(scheme).astype(np.float64) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    # contrast with white (1.05 / (L + 0.05)) beats contrast with black ((L + 0.05) / 0.05)
    return (luminance < 0.179)[indices]


# ---------------------------------------------------------------------------------------
# input checks


def _check_scheme(scheme: str) -> str:
    if scheme not in _SCHEME_ANCHORS:
        raise ChartInputError(f"scheme must be one of {list(SCHEMES)}, but is {scheme!r}")
    return scheme


def _check_domain(domain) -> tuple[float, float]:
    try:
        lo, hi = (float(d) for d in domain)
    except (TypeError, ValueError):
        raise ChartInputError(f"domain must be two numbers (low, high), but is {domain!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ChartInputError(f"domain must be two finite numbers with low < high, but is ({lo}, {hi})")
    return lo, hi


def _check_values(values) -> tuple[np.ndarray, np.ndarray]:
    """values (R, C) as float64, and where it is -inf (masked)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ChartInputError(f"values must be an array of numbers, but could not be read as one: {exc}") from None
    if arr.ndim != 2:
        raise ChartInputError(f"values must have 2 axes (rows, columns), but has shape {arr.shape}")
    R, C = arr.shape
    if R == 0 or C == 0:
        raise ChartInputError(f"values must have at least one row and one column, but has shape {arr.shape}")
    bad = np.isnan(arr) | np.isposinf(arr)
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        raise ChartInputError(
            f"values must be finite or -inf (masked), but value ({r}, {c}) is {arr[r, c]} ({int(bad.sum())} such cells)"
        )
    return arr, np.isneginf(arr)


def _check_matrix(values, row_labels, col_labels) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """values (R, C) as float64 and its -inf mask; the labels as lists of str."""
    arr, masked = _check_values(values)
    R, C = arr.shape
    rows = [str(x) for x in row_labels]
    cols = [str(x) for x in col_labels]
    if len(rows) != R:
        raise ChartInputError(f"row_labels has {len(rows)} labels, but values has {R} rows")
    if len(cols) != C:
        raise ChartInputError(f"col_labels has {len(cols)} labels, but values has {C} columns")
    return arr, masked, rows, cols


def _check_boundaries(boundaries: Sequence[int], n: int, name: str) -> list[int]:
    out = []
    for b in boundaries:
        try:
            whole = not isinstance(b, bool | str) and float(b).is_integer()
        except (TypeError, ValueError):
            whole = False
        if not whole or not 0 < int(b) < n:
            raise ChartInputError(f"{name} must hold whole numbers in [1, {n - 1}], but holds {b!r}")
        out.append(int(b))
    return sorted(set(out))


# ---------------------------------------------------------------------------------------
# mode, size and axes


def uses_image(n_rows: int, n_cols: int, max_plot: int | None = None) -> bool:
    """True when ``heatmap`` (with this ``max_plot``) draws an (n_rows, n_cols) matrix as one image
    instead of one rect per cell: past RECT_CELL_LIMIT cells, or, in a plot capped at ``max_plot`` px,
    when a cell would be thinner than MIN_CELL_PX."""
    if n_rows * n_cols > RECT_CELL_LIMIT:
        return True
    return max_plot is not None and int(max_plot) < MIN_CELL_PX * max(n_rows, n_cols)


def _image_sides(width: int, height: int) -> tuple[int, int]:
    """Most PNG pixels (rows, columns) for a plot of width x height px: never more than it shows."""
    return (max(1, min(MAX_IMAGE_SIDE, int(height))), max(1, min(MAX_IMAGE_SIDE, int(width))))


def downsample_factors(n_rows: int, n_cols: int, max_plot: int | None = None) -> tuple[int, int]:
    """(kr, kc): image mode averages blocks of kr rows x kc columns; (1, 1) means full resolution.

    For ``heatmap``'s default size with this ``max_plot``. Pages use it to decide whether to pass
    a ``note`` saying the picture is averaged.
    """
    if not uses_image(n_rows, n_cols, max_plot):
        return (1, 1)
    cap = _MAX_PLOT_PX if max_plot is None else int(max_plot)
    side_r, side_c = _image_sides(_plot_px(n_cols, _CELL_PX, cap), _plot_px(n_rows, _CELL_PX, cap))
    return (math.ceil(n_rows / side_r), math.ceil(n_cols / side_c))


def _plot_px(n: int, cell_px: int, cap: int = _MAX_PLOT_PX) -> int:
    return int(min(n * cell_px, max(cap, cell_px)))


def label_expr(labels: Sequence[str]) -> str:
    """Vega expression mapping a cell-centre position (i + 0.5) to ``labels[i]``.

    The labels go in as a JSON array literal (ASCII-only, '<', '>' and '&' escaped), so no
    token can end the string, inject an expression or close an HTML <script> tag.
    """
    literal = json.dumps([str(x) for x in labels], ensure_ascii=True)
    literal = literal.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{literal}[floor(datum.value)] || ''"


def _label_step(n: int, length_px: float) -> int:
    """Show every k-th label so that shown labels are at least _LABEL_SPACING_PX apart."""
    max_shown = max(1, int(length_px // _LABEL_SPACING_PX))
    return max(1, math.ceil(n / max_shown))


def _matrix_axis(labels: list[str], length_px: int, title: str, *, horizontal: bool) -> alt.Axis:
    n = len(labels)
    step = _label_step(n, length_px)
    kwargs = {}
    if horizontal:
        space = length_px * step / n  # px between two shown labels
        text_px = min(max((len(s) for s in labels[::step]), default=1) * _CHAR_PX, _LABEL_LIMIT_PX)
        if text_px + 6 <= space:
            kwargs = {"labelAngle": 0}
        elif space >= 20:
            kwargs = {"labelAngle": -45, "labelAlign": "right", "labelBaseline": "top"}
        else:
            kwargs = {"labelAngle": -90, "labelAlign": "right", "labelBaseline": "middle"}
    return alt.Axis(
        title=title,
        values=[i + 0.5 for i in range(0, n, step)],
        labelExpr=label_expr(labels),
        labelLimit=_LABEL_LIMIT_PX,
        labelOverlap=False,  # thinned deterministically above
        grid=False,
        domain=False,
        **kwargs,
    )


def _position_scale(n: int, *, reverse: bool = False) -> alt.Scale:
    return alt.Scale(domain=[0, n], nice=False, zero=False, padding=0, reverse=reverse)


def _color_scale(scheme: str, domain: tuple[float, float]) -> alt.Scale:
    return alt.Scale(scheme=scheme, domain=list(domain), clamp=True, nice=False, zero=False)


def _unique_titles(*titles: str) -> list[str]:
    """Tooltip titles become object keys in vega-tooltip: equal titles would hide a row."""
    seen: set[str] = set()
    out = []
    for t in titles:
        while t in seen:
            t += "\u200b"  # zero-width space: looks the same, is a different key
        seen.add(t)
        out.append(t)
    return out


def _fmt(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and not s.strip("-0."):  # "-0.0000" -> "0.0000"
        s = s[1:]
    return s


class _Position:
    """x and y channels of one matrix chart: every layer repeats the same scale and axis.

    Vega-Lite merges the axes of layers: one layer with ``axis=None`` removes the axis from
    all of them, and a layer with a default axis makes the merged axis lose ``values``.
    """

    def __init__(self, x_scale: alt.Scale, y_scale: alt.Scale, x_axis: alt.Axis, y_axis: alt.Axis):
        self.x_scale, self.y_scale, self.x_axis, self.y_axis = x_scale, y_scale, x_axis, y_axis

    def x(self, field: str) -> alt.X:
        return alt.X(f"{field}:Q", scale=self.x_scale, axis=self.x_axis)

    def y(self, field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=self.y_scale, axis=self.y_axis)


def _boundary_rules(col_boundaries: list[int], row_boundaries: list[int], pos: _Position) -> list[alt.Chart]:
    """Separator rules: a dark wide rule under a white thin one, visible on any colour."""
    layers = []
    for field, bounds, channel in (("x", col_boundaries, pos.x), ("y", row_boundaries, pos.y)):
        if not bounds:
            continue
        enc = {field: channel("b")}
        data = alt.Data(values=[{"b": b} for b in bounds])
        layers.append(alt.Chart(data).mark_rule(color="black", strokeWidth=3, opacity=0.6).encode(**enc))
        layers.append(alt.Chart(data).mark_rule(color="white", strokeWidth=1.5).encode(**enc))
    return layers


# ---------------------------------------------------------------------------------------
# PNG


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_palette_png(indices: np.ndarray, colors: np.ndarray) -> bytes:
    """indices uint8 (H, W), colors uint8 (P, 3) with P <= 256 -> PNG bytes (8-bit palette, colour type 3)."""
    H, W = indices.shape
    raw = np.zeros((H, W + 1), dtype=np.uint8)  # each scanline: filter byte 0 (None), then W indices
    raw[:, 1:] = indices
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 3, 0, 0, 0)),
            _png_chunk(b"PLTE", np.ascontiguousarray(colors, dtype=np.uint8).tobytes()),
            _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)),  # level 9: ~25x slower on attention maps, -8% size
            _png_chunk(b"IEND", b""),
        )
    )


def _block_sum(x: np.ndarray, kr: int, kc: int) -> np.ndarray:
    """x (Rb*kr, Cb*kc) -> (Rb, Cb) sums of kr x kc blocks (strided slices: far faster than a reshape-sum)."""
    cols = sum(x[:, j::kc] for j in range(1, kc)) + x[:, 0::kc]  # (Rb*kr, Cb)
    return sum(cols[i::kr] for i in range(1, kr)) + cols[0::kr]  # (Rb, Cb)


def _block_mean(values: np.ndarray, masked: np.ndarray, kr: int, kc: int) -> tuple[np.ndarray, np.ndarray]:
    """values, masked (R, C) -> mean of the unmasked cells of each kr x kc block (ceil(R/kr), ceil(C/kc)), and
    which blocks are all masked. Edge blocks may be smaller."""
    finite = np.where(masked, 0.0, values)
    if kr == 1 and kc == 1:
        return finite, masked
    R, C = values.shape
    Rb, Cb = math.ceil(R / kr), math.ceil(C / kc)
    padded = np.zeros((Rb * kr, Cb * kc))
    padded[:R, :C] = finite
    kept = np.zeros((Rb * kr, Cb * kc))
    kept[:R, :C] = 1.0
    kept[:R, :C][masked] = 0.0
    sums = _block_sum(padded, kr, kc)  # (Rb, Cb)
    counts = _block_sum(kept, kr, kc)  # unmasked cells per block, padding excluded
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return means, counts == 0


def matrix_png(
    values: np.ndarray,
    *,
    domain: tuple[float, float],
    scheme: str = "viridis",
    max_side: tuple[int, int] = (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE),
) -> bytes:
    """values (R, C), -inf = masked -> palette PNG, block-averaged to at most max_side (rows, columns) px.

    Palette index i < 255 is the scheme at t = i / 254 over ``domain`` (clamped); 255 is MASKED_COLOR.
    """
    arr, masked = _check_values(values)
    domain = _check_domain(domain)
    R, C = arr.shape
    kr, kc = math.ceil(R / max(1, int(max_side[0]))), math.ceil(C / max(1, int(max_side[1])))  # block sides
    means, all_masked = _block_mean(arr, masked, kr, kc)
    idx = _color_indices(means, domain)
    idx[all_masked] = _MASKED_INDEX
    grey = [int(MASKED_COLOR[i : i + 2], 16) for i in (1, 3, 5)]
    colors = np.vstack([palette(scheme), np.array([grey], dtype=np.uint8)])  # (256, 3)
    return encode_palette_png(idx, colors)


# ---------------------------------------------------------------------------------------
# heatmap


def heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    row_title: str,
    col_title: str,
    value_title: str,
    domain: tuple[float, float],
    scheme: str = "viridis",
    col_boundaries: Sequence[int] = (),
    row_boundaries: Sequence[int] = (),
    width: int | None = None,
    height: int | None = None,
    decimals: int = 4,
    show_values: bool | None = None,
    masked_label: str = "masked",
    exact_title: str = "float64",
    note: str | None = None,
    max_plot: int | None = None,
    legend: bool = True,
) -> alt.LayerChart:
    """values (R, C) -> heatmap, rows (queries) top to bottom, columns (keys) left to right.

    row_labels (R,), col_labels (C,): shown at cell centres; repeats stay distinct positions.
    domain: the colour scale's fixed (low, high), e.g. WEIGHTS_DOMAIN or symmetric_domain(...).
    col_boundaries / row_boundaries: indices where a separator rule is drawn (head boundaries).
    -inf cells are drawn grey with ``masked_label`` as their tooltip value; NaN and +inf are refused.
    Tooltip (rect mode): row label (#position), column label (#position), value rounded to
    ``decimals`` (title value_title) and its shortest exact float64 repr (title exact_title).
    note: subtitle, e.g. the caller's text saying the picture is block-averaged (downsample_factors).
    max_plot: cap on each side of the plot area (default 420 px), for small multiples side by side;
    numbers in cells are dropped when they no longer fit. legend=False leaves the colour legend out.
    Above RECT_CELL_LIMIT cells, or with ``max_plot`` when cells would be thinner than MIN_CELL_PX,
    the matrix is one PNG image of at most the plot's size in px (no per-cell tooltip, no values).
    """
    arr, masked, rows, cols = _check_matrix(values, row_labels, col_labels)
    domain = _check_domain(domain)
    scheme = _check_scheme(scheme)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 17:
        raise ChartInputError(f"decimals must be a whole number in [0, 17], but is {decimals!r}")
    R, C = arr.shape
    col_b = _check_boundaries(col_boundaries, C, "col_boundaries")
    row_b = _check_boundaries(row_boundaries, R, "row_boundaries")
    image = uses_image(R, C, max_plot)
    if show_values is None:
        show_values = R * C <= SHOW_VALUES_CELL_LIMIT
    show_values = bool(show_values) and not image

    finite = np.where(masked, domain[0], arr)
    texts = [_fmt(v, decimals) for v in finite.ravel()] if not image else []
    cell_w = _CELL_PX
    if show_values:
        cell_w = max(_CELL_PX, math.ceil(max(len(s) for s in texts) * _CHAR_PX * 0.9 + 10))
    cap = _MAX_PLOT_PX if max_plot is None else int(max_plot)
    width = int(width) if width is not None else _plot_px(C, cell_w, cap)
    height = int(height) if height is not None else _plot_px(R, _CELL_PX, cap)
    if show_values and (width < C * cell_w or height < R * _CELL_PX * 0.75):
        show_values = False  # the numbers would overlap; the tooltip still has them

    pos = _Position(
        _position_scale(C),
        _position_scale(R, reverse=True),
        _matrix_axis(cols, width, col_title, horizontal=True),
        _matrix_axis(rows, height, row_title, horizontal=False),
    )
    color = alt.Color(
        "v:Q",
        scale=_color_scale(scheme, domain),
        legend=alt.Legend(title=value_title, gradientLength=max(80, min(height, 200))) if legend else None,
    )

    data = alt.Undefined
    if image:
        layers = _image_layers(arr, domain, scheme, pos, color, _image_sides(width, height))
    else:
        data, layers = _rect_layers(
            finite,
            masked,
            texts,
            rows,
            cols,
            domain,
            scheme,
            pos,
            color,
            titles=_unique_titles(row_title, col_title, value_title, exact_title),
            masked_label=masked_label,
            show_values=show_values,
        )
    layers += _boundary_rules(col_b, row_b, pos)

    chart = alt.LayerChart(
        data=data,
        width=width,
        height=height,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=alt.TitleParams(text=title, subtitle=note) if note else title if title else alt.Undefined,
    )
    # Given its layers, LayerChart() deep-copies each of them twice to lift selection params (these
    # layers have none) and looks for data, size and view to move up (the data is given above, the
    # layers hold no size or view): about a third of the time it takes to build a small heatmap.
    chart.layer = layers
    return chart


def _rect_layers(
    finite,
    masked,
    texts,
    rows,
    cols,
    domain,
    scheme,
    pos,
    color,
    *,
    titles,
    masked_label,
    show_values,
) -> tuple[pd.DataFrame, list[alt.Chart]]:
    """The per-cell table (the chart's top-level data) and the layers that draw it."""
    R, C = finite.shape
    r, c = np.divmod(np.arange(R * C), C)  # row-major cell order
    flat_masked = masked.ravel()
    exact = [repr(float(v)) for v in finite.ravel()]
    df = pd.DataFrame(
        {
            "r": r,
            "c": c,
            "v": finite.ravel(),
            "row": [f"{rows[i]} (#{i + 1})" for i in r],
            "col": [f"{cols[j]} (#{j + 1})" for j in c],
            "val": [masked_label if m else s for m, s in zip(flat_masked, texts, strict=True)],
            "exact": ["-inf" if m else e for m, e in zip(flat_masked, exact, strict=True)],
        }
    )
    # A thin stroke in the cell's own colour hides the anti-aliasing seams between small cells. Its
    # field is a copy of v: on v itself Vega-Lite would merge it into a symbol legend.
    stroke = alt.Stroke("vs:Q", scale=_color_scale(scheme, domain), legend=None)
    if masked.any():
        df["masked"] = flat_masked
        color = alt.condition("datum.masked", alt.value(MASKED_COLOR), color)
        stroke = alt.condition("datum.masked", alt.value(MASKED_COLOR), stroke)
    row_t, col_t, val_t, exact_t = titles
    tooltip = [
        alt.Tooltip("row:N", title=row_t),
        alt.Tooltip("col:N", title=col_t),
        alt.Tooltip("val:N", title=val_t),
        alt.Tooltip("exact:N", title=exact_t),
    ]
    if show_values:
        dark = _dark_background(_color_indices(finite, domain), scheme)
        df["dark"] = (dark & ~masked).ravel()
        df["txt"] = ["−∞" if m else s for m, s in zip(flat_masked, texts, strict=True)]

    base = alt.Chart()  # the table is the LayerChart's data
    rect = (
        base.transform_calculate(c1="datum.c + 1", r1="datum.r + 1", vs="datum.v")
        .mark_rect(strokeWidth=0.5)
        .encode(
            x=pos.x("c"),
            x2=alt.X2("c1"),
            y=pos.y("r"),
            y2=alt.Y2("r1"),
            color=color,
            stroke=stroke,
            tooltip=tooltip,
        )
    )
    layers = [rect]
    if show_values:
        layers.append(
            base.transform_calculate(cm="datum.c + 0.5", rm="datum.r + 0.5")
            .mark_text(fontSize=10, align="center", baseline="middle")
            .encode(
                x=pos.x("cm"),
                y=pos.y("rm"),
                text=alt.Text("txt:N"),
                color=alt.ColorValue("black", condition={"test": "datum.dark", "value": "white"}),
                tooltip=tooltip,
            )
        )
    return df, layers


def _image_layers(arr, domain, scheme, pos: _Position, color, max_side: tuple[int, int]) -> list[alt.Chart]:
    R, C = arr.shape
    png = matrix_png(arr, domain=domain, scheme=scheme, max_side=max_side)
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    image = (
        alt.Chart(alt.Data(values=[{"url": url, "x0": 0, "x1": C, "y0": 0, "y1": R}]))
        .mark_image(smooth=False, aspect=False)
        .encode(
            x=pos.x("x0"),
            x2=alt.X2("x1"),
            y=pos.y("y0"),
            y2=alt.Y2("y1"),
            url=alt.Url("url:N"),
        )
    )
    # Two size-0 points (no position: no axis to merge) carry the colour scale, so Vega draws the legend.
    legend = (
        alt.Chart(alt.Data(values=[{"v": domain[0]}, {"v": domain[1]}]))
        .mark_point(size=0, filled=True, opacity=1)
        .encode(color=color)
    )
    return [image, legend]


# ---------------------------------------------------------------------------------------
# flow diagram

_BOX_H = 50
_GAP_X = 30
_GAP_Y = 36
_BOX_FILL = "#eef3f8"
_BOX_STROKE = "#4c78a8"
_ARROW = "#7f7f7f"


def flow_diagram(
    steps: Sequence[tuple[str, str]], *, title: str = "", numbered: bool = True, max_width: int = 680
) -> alt.LayerChart:
    """steps [(name, screen), ...] -> boxes joined by arrows, left to right, wrapped into rows within max_width.

    Each box shows the step's name (line 1, bold) and the screen where it is shown (line 2,
    smaller); with ``numbered`` a small step number sits in its top-left corner. Rows read
    left to right; an elbow arrow leads from the end of a row to the start of the next.
    """
    items = []
    for k, step in enumerate(steps):
        try:
            name, screen = step
        except (TypeError, ValueError):
            raise ChartInputError(f"step {k} must be a pair (name, screen), but is {step!r}") from None
        items.append((str(name), str(screen)))
    if not items:
        raise ChartInputError("steps must hold at least one (name, screen) pair, but is empty")
    n = len(items)
    longest = max(max(len(a) * 7.2, len(b) * 6.0) for a, b in items)
    box_w = int(min(max(longest + 20, 110), 190))
    per_row = max(1, min(n, (max_width + _GAP_X) // (box_w + _GAP_X)))
    n_rows = math.ceil(n / per_row)
    per_row = math.ceil(n / n_rows)  # balance the rows
    W = per_row * box_w + (per_row - 1) * _GAP_X
    H = n_rows * _BOX_H + (n_rows - 1) * _GAP_Y

    boxes, segments, heads = [], [], []
    for k, (name, screen) in enumerate(items):
        row, col = divmod(k, per_row)
        x0, y0 = col * (box_w + _GAP_X), row * (_BOX_H + _GAP_Y)
        boxes.append(
            {
                "x0": x0,
                "x1": x0 + box_w,
                "y0": y0,
                "y1": y0 + _BOX_H,
                "cx": x0 + box_w / 2,
                "y_name": y0 + _BOX_H / 2 - 8,
                "y_screen": y0 + _BOX_H / 2 + 11,
                "nx": x0 + 6,
                "ny": y0 + 7,
                "name": name,
                "screen": screen,
                "num": str(k + 1),
                "tip": f"{k + 1}. {name} — {screen}",
            }
        )
    for k in range(n - 1):
        a, b = boxes[k], boxes[k + 1]
        if b["y0"] == a["y0"]:  # same row: straight arrow
            y = a["y0"] + _BOX_H / 2
            segments.append({"x": a["x1"], "x2": b["x0"] - 6, "y": y, "y2": y})
            heads.append({"x": b["x0"] - 6, "y": y, "shape": "triangle-right"})
        else:  # next row: down, left, down
            y_mid = a["y1"] + _GAP_Y / 2
            segments += [
                {"x": a["cx"], "x2": a["cx"], "y": a["y1"], "y2": y_mid},
                {"x": a["cx"], "x2": b["cx"], "y": y_mid, "y2": y_mid},
                {"x": b["cx"], "x2": b["cx"], "y": y_mid, "y2": b["y0"] - 6},
            ]
            heads.append({"x": b["cx"], "y": b["y0"] - 6, "shape": "triangle-down"})

    pad = 4
    xs = alt.Scale(domain=[-pad, W + pad], nice=False, zero=False, padding=0)
    ys = alt.Scale(domain=[-pad, H + pad], nice=False, zero=False, padding=0, reverse=True)

    def x(field: str) -> alt.X:
        return alt.X(f"{field}:Q", scale=xs, axis=None)

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=ys, axis=None)

    box_data = alt.Data(values=boxes)
    layers = [
        alt.Chart(box_data)
        .mark_rect(fill=_BOX_FILL, stroke=_BOX_STROKE, strokeWidth=1.5, cornerRadius=6)
        .encode(x=x("x0"), x2=alt.X2("x1"), y=y("y0"), y2=alt.Y2("y1"), tooltip=alt.Tooltip("tip:N")),
        alt.Chart(box_data)
        .mark_text(fontSize=12, fontWeight="bold", color="#1f2937", limit=box_w - 12)
        .encode(x=x("cx"), y=y("y_name"), text=alt.Text("name:N"), tooltip=alt.Tooltip("tip:N")),
        alt.Chart(box_data)
        .mark_text(fontSize=10, color="#4b5563", limit=box_w - 12)
        .encode(x=x("cx"), y=y("y_screen"), text=alt.Text("screen:N"), tooltip=alt.Tooltip("tip:N")),
    ]
    if numbered:
        layers.append(
            alt.Chart(box_data)
            .mark_text(fontSize=9, color="#6b7280", align="left", baseline="top")
            .encode(x=x("nx"), y=y("ny"), text=alt.Text("num:N"))
        )
    if segments:
        layers.append(
            alt.Chart(alt.Data(values=segments))
            .mark_rule(color=_ARROW, strokeWidth=1.5)
            .encode(x=x("x"), x2=alt.X2("x2"), y=y("y"), y2=alt.Y2("y2"))
        )
        layers.append(
            alt.Chart(alt.Data(values=heads))
            .mark_point(filled=True, color=_ARROW, size=60, opacity=1)
            .encode(x=x("x"), y=y("y"), shape=alt.Shape("shape:N", scale=None, legend=None))
        )
    return alt.LayerChart(
        layer=layers,
        width=W + 2 * pad,
        height=H + 2 * pad,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=title if title else alt.Undefined,
    )


def grid(charts: Sequence[alt.LayerChart], columns: int, *, spacing: int = 16) -> alt.ConcatChart:
    """Charts from this module (e.g. one heatmap per head) in rows of ``columns``, one shared colour legend.

    Give every chart the same ``domain`` and ``scheme``: the legend is drawn once for all of them.
    """
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ChartInputError(f"columns must be a whole number >= 1, but is {columns!r}")
    parts = []
    for c in charts:
        part = c.copy(deep=False)
        part.autosize = alt.Undefined  # only the top-level chart may set it
        parts.append(part)
    if not parts:
        raise ChartInputError("charts must hold at least one chart, but is empty")
    return (
        alt.concat(*parts, columns=columns, spacing=spacing, autosize=_autosize())
        .resolve_scale(color="shared")
        .resolve_legend(color="shared")
    )
