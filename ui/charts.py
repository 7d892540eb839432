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

``vega_lite(chart)`` turns a chart into its Vega-Lite dict without Altair's global state (its
data transformer, theme and dataset options, which ``st.altair_chart`` switches for a moment
in whatever thread it runs): use it, never ``chart.to_dict()``, in the app.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
import types
import zlib
from collections.abc import Callable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.data import to_values

# Above this many cells a matrix is drawn as one image: one rect per cell gets slow in the browser.
# (<= 5,000 also keeps a test's ``chart.to_dict()`` within Altair's default row limit.)
RECT_CELL_LIMIT: int = 4096
# Image mode: a side longer than this (or than the plot's side in px) is block-averaged down to it.
MAX_IMAGE_SIDE: int = 256
# In small multiples (``max_plot`` given), a matrix whose cells would be thinner than this many px
# is drawn as an image: a cell no one can point at gains nothing from its own rect and tooltip.
MIN_CELL_PX: float = 2.0
# Numbers are written in the cells when the matrix has at most this many cells (12 x 12) and no side
# longer than SHOW_VALUES_SIDE_LIMIT: the plot grows to fit them, so a projector shows them without
# hovering. (A 40 x 3 table would grow to 900 px tall: its numbers stay in the tooltip.)
SHOW_VALUES_CELL_LIMIT: int = 144
SHOW_VALUES_SIDE_LIMIT: int = 16
# Attention weights live in [0, 1]: pass this as ``domain`` so every head shares one scale.
WEIGHTS_DOMAIN: tuple[float, float] = (0.0, 1.0)
MASKED_COLOR: str = "#a3a3a3"  # -inf (masked) cells: a grey neither viridis nor blueorange contains

_CELL_PX = 36  # cell side of tiny matrices
_MAX_PLOT_PX = 420  # plot area cap per side
_LABEL_SPACING_PX = 14  # minimum distance between two shown axis labels
_LABEL_LIMIT_PX = 90  # long tokens are truncated with an ellipsis
_CHAR_PX = 6.5  # rough width of one label character
# Width (px) of the characters of a number written in a cell, at its 10 px font: a digit is 5.0 px
# in Source Sans (the browser's) and 5.6 in Liberation Sans / Arial (vl-convert's); the widest is taken.
_VALUE_CHAR_PX = types.MappingProxyType({".": 2.8, "-": 3.4, "−": 5.9, "∞": 7.2})
_DIGIT_PX = 5.6
_VALUE_PAD_PX = 5  # free width around a number in its cell
VALUE_ROW_PX: int = 22  # least row height for a number written in a cell
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


def hex_colors(values, domain: tuple[float, float], scheme: str) -> list[str]:
    """Each finite value's colour on the scale, as "#rrggbb" (the palette of image mode: within 1/254 of
    the range of Vega's own colour)."""
    colors = palette(scheme)[_color_indices(np.asarray(values, dtype=np.float64), _check_domain(domain))]
    return ["#" + bytes(rgb).hex() for rgb in colors.reshape(-1, 3)]


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


def _check_decimals(decimals) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 17:
        raise ChartInputError(f"decimals must be a whole number in [0, 17], but is {decimals!r}")
    return decimals


_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_param_name(name, what: str) -> str:
    """A Vega-Lite parameter name: a JavaScript identifier (letters, digits, _; no leading digit)."""
    if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name):
        raise ChartInputError(
            f"{what} must be a name of letters, digits and _ not starting with a digit, but is {name!r}"
        )
    return name


def _check_vector(values, name: str, n: int | None = None) -> np.ndarray:
    """values (n,) as float64, every one finite."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ChartInputError(f"{name} must be an array of numbers, but could not be read as one: {exc}") from None
    if arr.ndim != 1:
        raise ChartInputError(f"{name} must have 1 axis, but has shape {arr.shape}")
    if arr.size == 0:
        raise ChartInputError(f"{name} must hold at least one value, but is empty")
    if n is not None and arr.size != n:
        raise ChartInputError(f"{name} has {arr.size} values, but {n} were expected")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise ChartInputError(f"{name} must be finite, but value {i} is {arr[i]} ({int(bad.sum())} such values)")
    return arr


def _check_within(arr: np.ndarray, name: str, lo: float, hi: float = math.inf) -> np.ndarray:
    """arr with every value in [lo, hi]."""
    bad = (arr < lo) | (arr > hi)
    if bad.any():
        i = int(np.argmax(bad))
        expected = f">= {lo}" if hi == math.inf else f"in [{lo}, {hi}]"
        raise ChartInputError(f"{name} must be {expected}, but value {i} is {arr[i]} ({int(bad.sum())} such values)")
    return arr


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


def shows_values(n_rows: int, n_cols: int, max_plot: int | None = None) -> bool:
    """True when ``heatmap`` writes the numbers in the cells by default: at most SHOW_VALUES_CELL_LIMIT
    cells and SHOW_VALUES_SIDE_LIMIT rows and columns, drawn as rects (never in image mode)."""
    return (
        n_rows * n_cols <= SHOW_VALUES_CELL_LIMIT
        and max(n_rows, n_cols) <= SHOW_VALUES_SIDE_LIMIT
        and not uses_image(n_rows, n_cols, max_plot)
    )


def value_cell_px(lo: float, hi: float, decimals: int) -> int:
    """Least cell width (px) for the numbers of a matrix whose finite values span [lo, hi], written with
    ``decimals`` decimals. The widest text is the one of lo or of hi (more digits, or a minus sign)."""
    texts = (_fmt(lo, decimals), _fmt(hi, decimals), "−∞")  # "−∞": a masked cell
    return math.ceil(max(sum(_VALUE_CHAR_PX.get(ch, _DIGIT_PX) for ch in s) for s in texts) + _VALUE_PAD_PX)


def axis_label_px(labels: Sequence[str]) -> int:
    """Rough width (px) of a matrix's row labels as its y axis shows them (long ones are cut)."""
    return int(min(max((len(str(s)) for s in labels), default=1) * _CHAR_PX, _LABEL_LIMIT_PX))


def cell_decimals(domain: tuple[float, float], n_cols: int, lo: float, hi: float, cap: int = _MAX_PLOT_PX) -> int:
    """Decimals of the numbers written in the cells: 2 for values on a 0-1 scale (attention weights);
    otherwise 3 when n_cols cells of 3-decimal numbers fit within ``cap`` px, else 2 (the plot then
    grows to fit them). The tooltip keeps ``heatmap``'s ``decimals`` and the exact float64."""
    if 0.0 <= domain[0] and domain[1] <= 1.0:
        return 2
    return 3 if n_cols * value_cell_px(lo, hi, 3) <= cap else 2


_TITLE_CHAR_PX = 7.5  # rough width of one character of a chart's (bold) title


def title_lines(text: str, width: int) -> str | list[str]:
    """A chart title broken between words into lines of at most ``width`` px (a word longer than
    that keeps a line of its own): Vega draws a title on one line, past its panel and over the
    next one, as "Espalhamento da linha (desvio)" did beside a 170 px panel."""
    words = str(text).split()
    if len(str(text)) * _TITLE_CHAR_PX <= width or len(words) < 2:
        return str(text)
    lines, line = [], words[0]
    for word in words[1:]:
        if (len(line) + 1 + len(word)) * _TITLE_CHAR_PX <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    return [*lines, line]


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


def _natural_plot(arr, masked, domain, max_plot, show_values: bool, value_decimals) -> tuple[int, int, int, int | None]:
    """(width, height) of heatmap's plot area at its default size, the least cell width its numbers
    need (0 without numbers) and their decimals: 36 px cells up to the cap, wider for the numbers."""
    R, C = arr.shape
    cap = _MAX_PLOT_PX if max_plot is None else int(max_plot)
    natural_w, natural_h = _plot_px(C, _CELL_PX, cap), _plot_px(R, _CELL_PX, cap)
    if not show_values:
        return natural_w, natural_h, 0, value_decimals
    shown = arr[~masked]
    lo, hi = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 0.0)
    if value_decimals is None:
        value_decimals = cell_decimals(domain, C, lo, hi, cap)
    value_decimals = _check_decimals(value_decimals)
    need_w = value_cell_px(lo, hi, value_decimals)
    # as big as without numbers (36 px cells, capped), but never too small for them
    natural_w = max(_plot_px(C, max(_CELL_PX, need_w), cap), C * need_w)
    return natural_w, max(natural_h, R * VALUE_ROW_PX), need_w, value_decimals


def plot_width(values, domain: tuple[float, float], max_plot: int | None = None) -> int:
    """Width (px) of the plot area ``heatmap`` draws for ``values`` at its default size, numbers included;
    for pages that plan a row of charts (the axis, its labels and the legend come on top)."""
    arr, masked = _check_values(values)
    R, C = arr.shape
    show = shows_values(R, C, max_plot)
    return _natural_plot(arr, masked, _check_domain(domain), max_plot, show, None)[0]


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
    value_decimals: int | None = None,
    masked_label: str = "masked",
    exact_title: str = "float64",
    note: str | None = None,
    max_plot: int | None = None,
    legend: bool = True,
    select: str | None = None,
    masked_value: str = "-inf",
) -> alt.LayerChart:
    """values (R, C) -> heatmap, rows (queries) top to bottom, columns (keys) left to right.

    row_labels (R,), col_labels (C,): shown at cell centres; repeats stay distinct positions.
    domain: the colour scale's fixed (low, high), e.g. WEIGHTS_DOMAIN or symmetric_domain(...).
    col_boundaries / row_boundaries: indices where a separator rule is drawn (head boundaries).
    -inf cells are drawn grey with ``masked_label`` as their tooltip value; NaN and +inf are refused.
    ``masked_value`` is what a masked cell holds, written in it and in its exact tooltip: -inf for
    a score, "0" for an attention weight (drawn masked, its weight is exactly 0).
    Tooltip (rect mode): row label (#position), column label (#position), value rounded to
    ``decimals`` (title value_title) and its shortest exact float64 repr (title exact_title).
    show_values: write the numbers in the cells (default: ``shows_values``: up to 12 x 12 or so), with
    ``value_decimals`` decimals (default: ``cell_decimals()``, 2 or 3). Unless width and height are
    given, the plot grows past its cap as far as the numbers need; a given size too small for them
    drops them (the tooltip still has them).
    note: subtitle, e.g. the caller's text saying the picture is block-averaged (downsample_factors).
    max_plot: cap on each side of the plot area (default 420 px), for small multiples side by side;
    the numbers in cells may make the plot bigger. legend=False leaves the colour legend out.
    Above RECT_CELL_LIMIT cells, or with ``max_plot`` when cells would be thinner than MIN_CELL_PX,
    the matrix is one PNG image of at most the plot's size in px (no per-cell tooltip, no values).

    select: in rect mode, the name of a point selection on the cell under a click (double-click
    clears it), and the selected cell is outlined. Drawn with ``st.vega_lite_chart(spec,
    on_select="rerun")``, the event's ``selection[select]`` is ``[{"r": i, "c": j}]``: the clicked
    cell's 0-based row (query) and column (key) indices; empty (falsy: Streamlit gives ``{}``)
    before a click and after a double-click. Ignored in image mode (``uses_image``).
    """
    arr, masked, rows, cols = _check_matrix(values, row_labels, col_labels)
    domain = _check_domain(domain)
    scheme = _check_scheme(scheme)
    decimals = _check_decimals(decimals)
    if select is not None:
        select = _check_param_name(select, "select")
    R, C = arr.shape
    col_b = _check_boundaries(col_boundaries, C, "col_boundaries")
    row_b = _check_boundaries(row_boundaries, R, "row_boundaries")
    image = uses_image(R, C, max_plot)
    if show_values is None:
        show_values = shows_values(R, C, max_plot)
    show_values = bool(show_values) and not image

    finite = np.where(masked, domain[0], arr)
    texts = [_fmt(v, decimals) for v in finite.ravel()] if not image else []
    natural_w, natural_h, need_w, value_decimals = _natural_plot(
        arr, masked, domain, max_plot, show_values, value_decimals
    )
    cell_texts = texts
    if show_values and value_decimals != decimals:
        cell_texts = [_fmt(v, value_decimals) for v in finite.ravel()]
    width = int(width) if width is not None else natural_w
    height = int(height) if height is not None else natural_h
    if show_values and (width < C * need_w or height < R * VALUE_ROW_PX):
        show_values = False  # a given size too small: the numbers would overlap; the tooltip still has them

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
            masked_value=masked_value,
            show_values=show_values,
            cell_texts=cell_texts,
            select=select,
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
    masked_value="-inf",
    show_values,
    cell_texts=None,
    select=None,
) -> tuple[pd.DataFrame, list[alt.Chart]]:
    """The per-cell table (the chart's top-level data) and the layers that draw it.

    texts: each cell's value as the tooltip rounds it; cell_texts: as written in the cell (default texts).
    """
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
            "exact": [masked_value if m else e for m, e in zip(flat_masked, exact, strict=True)],
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
        shown = "−∞" if masked_value == "-inf" else masked_value
        df["txt"] = [shown if m else s for m, s in zip(flat_masked, cell_texts or texts, strict=True)]

    base = alt.Chart()  # the table is the LayerChart's data
    pointer = {"cursor": "pointer"} if select is not None else {}
    rect = (
        base.transform_calculate(c1="datum.c + 1", r1="datum.r + 1", vs="datum.v")
        .mark_rect(strokeWidth=0.5, **pointer)
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
    if select is not None:
        rect = rect.add_params(_cell_selection(select))
    layers = [rect]
    if show_values:
        layers.append(
            base.transform_calculate(cm="datum.c + 0.5", rm="datum.r + 0.5")
            .mark_text(fontSize=10, align="center", baseline="middle", **pointer)
            .encode(
                x=pos.x("cm"),
                y=pos.y("rm"),
                text=alt.Text("txt:N"),
                color=alt.ColorValue("black", condition={"test": "datum.dark", "value": "white"}),
                tooltip=tooltip,
            )
        )
    if select is not None:
        layers += _selected_outline(select, pos, tooltip)
    return df, layers


# A click on a cell or its number (both rows carry the cell's r and c) selects it; a click anywhere else
# (a separator rule, the axes, the legend) leaves the selection as it was.
_CELL_CLICK = "click[item() && item().datum && isValid(item().datum.r)]"


def _cell_selection(name: str) -> alt.Parameter:
    """Point selection of the clicked cell by its indices (r, c); a double-click empties it."""
    return alt.selection_point(
        name=name, fields=["r", "c"], on=_CELL_CLICK, clear="dblclick", toggle=False, empty=False
    )


def _selected_outline(name: str, pos: _Position, tooltip) -> list[alt.Chart]:
    """The selected cell's outline above every cell: a dark wide stroke under a white thin one,
    visible on any colour (as the separator rules). Same tooltip: it covers the cell's own."""
    base = (
        alt.Chart()
        .transform_filter({"param": name, "empty": False})
        .transform_calculate(c1="datum.c + 1", r1="datum.r + 1")
    )
    enc = {
        "x": pos.x("c"),
        "x2": alt.X2("c1"),
        "y": pos.y("r"),
        "y2": alt.Y2("r1"),
        "tooltip": tooltip,
    }
    return [
        base.mark_rect(filled=False, stroke="black", strokeWidth=4, strokeOpacity=0.8, cursor="pointer").encode(**enc),
        base.mark_rect(filled=False, stroke="white", strokeWidth=1.5, cursor="pointer").encode(**enc),
    ]


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
# studies: why scale by 1/√d_k, softmax temperature, statistics per row

# Okabe-Ito vermillion and blue: two series told apart under every common colour-vision deficiency;
# their point shapes (circle, square) tell them apart without colour too.
_PAIR_COLORS = ("#d55e00", "#0072b2")
_PAIR_SHAPES = ("circle", "square")
_RULE_COLOR = "#6b7280"
_BAR_COLOR = "#4c78a8"
_TEXT_COLOR = "#1f2937"
_PANEL_PX = (220, 170)  # one panel of a side-by-side pair: the pair fits half of a 1280 px screen
_LINE_WIDTH_PX = (240, 480)  # a chart over the keys of one row: least and most plot width
_TEMPERATURE_EXTENT = 0.8  # viridis from dark (low τ) to 0.8: its last yellows vanish on white
_ROW_PX = 24  # row height of row_stats
ROW_STATS_VALUES_LIMIT: int = 12  # row_stats writes the numbers when it has at most this many rows


def _check_labels(labels, name: str, n: int | None = None) -> list[str]:
    """labels as a list of str: n of them, or at least one when n is None."""
    try:
        out = [str(x) for x in labels]
    except TypeError:
        raise ChartInputError(f"{name} must be a sequence of labels, but is {labels!r}") from None
    if n is None and not out:
        raise ChartInputError(f"{name} must hold at least one label, but is empty")
    if n is not None and len(out) != n:
        raise ChartInputError(f"{name} has {len(out)} labels, but there are {n} values")
    return out


def _check_number(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ChartInputError(f"{name} must be a number, but is {value!r}") from None
    if not math.isfinite(v):
        raise ChartInputError(f"{name} must be finite, but is {v}")
    return v


def _value_fields(prefix: str, values: np.ndarray, decimals: int) -> dict[str, list]:
    """Columns ``prefix`` (the float), ``prefix_val`` (rounded text) and ``prefix_exact`` (shortest float64 repr)."""
    return {
        prefix: [float(v) for v in values],
        f"{prefix}_val": [_fmt(float(v), decimals) for v in values],
        f"{prefix}_exact": [repr(float(v)) for v in values],
    }


def _records(columns: dict[str, list]) -> list[dict]:
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _number_labels(values: Sequence[float]) -> list[str]:
    """Short text of each number ("0.5", "2"), or the exact repr if the short ones would collide."""
    short = [f"{v:g}" for v in values]
    return short if len(set(short)) == len(short) else [repr(float(v)) for v in values]


def scaling_study(
    d_k,
    spread_unscaled,
    spread_scaled,
    top_unscaled,
    top_scaled,
    current_d_k: float,
    *,
    title: str,
    spread_title: str,
    top_title: str,
    d_k_title: str,
    series_title: str,
    unscaled_label: str,
    scaled_label: str,
    exact_title: str = "float64",
    decimals: int = 4,
    width: int = _PANEL_PX[0],
    height: int = _PANEL_PX[1],
) -> alt.HConcatChart:
    """Why divide by √d_k: d_k (N,), four curves (N,) -> two line panels over d_k on a log2 axis.

    Left (title spread_title): the standard deviation of the scores q·k without (spread_unscaled)
    and with (spread_scaled) the factor 1/√d_k, from 0. Right (top_title): the largest softmax
    weight of a row, top_unscaled and top_scaled in [0, 1], on a fixed 0-1 axis. Each panel has
    the two series (unscaled_label, scaled_label: one shared legend titled series_title), points
    on the lines, and a dashed rule at current_d_k. d_k: >= 2 positive, strictly increasing values;
    current_d_k within [d_k[0], d_k[-1]]. Tooltip: d_k, series, value rounded to ``decimals``
    (titled with its panel's title) and its shortest exact float64 repr (exact_title).
    """
    d = _check_vector(d_k, "d_k")
    if d.size < 2 or (d <= 0).any() or (np.diff(d) <= 0).any():
        raise ChartInputError(f"d_k must hold >= 2 positive, strictly increasing values, but is {d.tolist()}")
    N = d.size
    spread = [
        _check_within(_check_vector(a, k, N), k, 0.0)
        for a, k in ((spread_unscaled, "spread_unscaled"), (spread_scaled, "spread_scaled"))
    ]
    top = [
        _check_within(_check_vector(a, k, N), k, 0.0, 1.0)
        for a, k in ((top_unscaled, "top_unscaled"), (top_scaled, "top_scaled"))
    ]
    current = _check_number(current_d_k, "current_d_k")
    if not d[0] <= current <= d[-1]:
        raise ChartInputError(f"current_d_k must lie within d_k's range [{d[0]:g}, {d[-1]:g}], but is {current:g}")
    decimals = _check_decimals(decimals)
    series = [str(unscaled_label), str(scaled_label)]
    if series[0] == series[1]:
        raise ChartInputError(
            f"unscaled_label and scaled_label must differ (they name the legend's entries), but both are {series[0]!r}"
        )

    x = alt.X(
        "d_k:Q",
        scale=alt.Scale(type="log", base=2, domain=[float(d[0]), float(d[-1])], nice=False),
        axis=alt.Axis(title=d_k_title, values=[float(v) for v in d], format="~g", labelOverlap=True),
    )
    legend = alt.Legend(title=series_title, orient="bottom")
    color = alt.Color("series:N", scale=alt.Scale(domain=series, range=list(_PAIR_COLORS)), legend=legend)
    shape = alt.Shape("series:N", scale=alt.Scale(domain=series, range=list(_PAIR_SHAPES)), legend=legend)
    rule = (
        alt.Chart(alt.Data(values=[{"d_k": current, "dk": f"{current:g}"}]))
        .mark_rule(color=_RULE_COLOR, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=x, tooltip=alt.Tooltip("dk:N", title=d_k_title))
    )
    panels = []
    for curves, panel_title, y_scale in (
        (spread, spread_title, alt.Scale(zero=True, nice=True)),
        (top, top_title, alt.Scale(domain=list(WEIGHTS_DOMAIN), nice=False)),
    ):
        rows = []
        for label, arr in zip(series, curves, strict=True):
            rows += _records(
                {
                    "d_k": [float(v) for v in d],
                    "dk": [f"{v:g}" for v in d],
                    "series": [label] * N,
                    **_value_fields("y", arr, decimals),
                }
            )
        dk_t, series_t, val_t, exact_t = _unique_titles(d_k_title, series_title, panel_title, exact_title)
        tooltip = [
            alt.Tooltip("dk:N", title=dk_t),
            alt.Tooltip("series:N", title=series_t),
            alt.Tooltip("y_val:N", title=val_t),
            alt.Tooltip("y_exact:N", title=exact_t),
        ]
        y = alt.Y("y:Q", scale=y_scale, axis=alt.Axis(title=None))
        base = alt.Chart()  # the rows are the panel's data
        panel = alt.LayerChart(data=alt.Data(values=rows), width=int(width), height=int(height), title=panel_title)
        panel.layer = [
            base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color),
            base.mark_point(filled=True, size=45, opacity=1).encode(
                x=x, y=y, color=color, shape=shape, tooltip=tooltip
            ),
            rule,
        ]
        panels.append(panel)
    return (
        alt.hconcat(*panels, spacing=24, autosize=_autosize(), title=title if title else alt.Undefined)
        .resolve_scale(color="shared", shape="shared")
        .resolve_legend(color="shared", shape="shared")
    )


def _temperature_items(weights_by_temperature, T: int) -> list[tuple[float, np.ndarray]]:
    """{τ: weights (T,)} or [(τ, weights (T,)), ...] -> [(τ, weights)] sorted by τ; τ > 0 distinct, weights in [0, 1]."""
    pairs = (
        list(weights_by_temperature.items())
        if isinstance(weights_by_temperature, Mapping)
        else list(weights_by_temperature)
    )
    if not pairs:
        raise ChartInputError("weights_by_temperature must hold at least one (τ, weights) pair, but is empty")
    items = []
    for k, pair in enumerate(pairs):
        try:
            tau, weights = pair
        except (TypeError, ValueError):
            raise ChartInputError(
                f"weights_by_temperature entry {k} must be a pair (τ, weights), but is {pair!r}"
            ) from None
        tau = _check_number(tau, f"τ of entry {k}")
        if tau <= 0:
            raise ChartInputError(f"τ of entry {k} must be > 0, but is {tau}")
        name = f"weights at τ={tau:g}"
        items.append((tau, _check_within(_check_vector(weights, name, T), name, 0.0, 1.0)))
    taus = [tau for tau, _ in items]
    if len(set(taus)) != len(taus):
        raise ChartInputError(f"the temperatures must be distinct, but are {taus}")
    return sorted(items, key=lambda item: item[0])


def temperature_curve(
    labels: Sequence[str],
    weights_by_temperature,
    current: float,
    *,
    title: str,
    key_title: str,
    weight_title: str,
    temperature_title: str,
    exact_title: str = "float64",
    decimals: int = 4,
    width: int | None = None,
    height: int = 200,
) -> alt.LayerChart:
    """One attention row at several temperatures τ: labels (T,), {τ: weights (T,)} -> one line per τ over the keys.

    weights_by_temperature: a dict {τ: weights} or a sequence of (τ, weights) pairs; τ > 0 and
    distinct, weights (T,) in [0, 1] (the row softmax(scores / τ)). Keys sit at positions 0.5,
    1.5, ... (repeated tokens stay distinct positions, as in heatmap); weight on a fixed 0-1 axis.
    One colour per τ, in order of τ from dark (low τ: sharp) to light (high τ: flat), with a
    legend titled temperature_title. current: the τ drawn thick, opaque and on top (one of the
    given τ, to 1e-9 relative); the others thin and faded. Tooltip: key (#position), τ, weight
    rounded to ``decimals`` and its shortest exact float64 repr.
    """
    keys = _check_labels(labels, "labels")
    T = len(keys)
    items = _temperature_items(weights_by_temperature, T)
    taus = [tau for tau, _ in items]
    cur = _check_number(current, "current")
    matches = [i for i, tau in enumerate(taus) if math.isclose(tau, cur, rel_tol=1e-9)]
    if not matches:
        raise ChartInputError(f"current must be one of the temperatures {taus}, but is {cur}")
    decimals = _check_decimals(decimals)
    tau_labels = _number_labels(taus)

    rows = []
    for i, (tau, weights) in enumerate(items):
        rows += _records(
            {
                "x": [j + 0.5 for j in range(T)],
                "key": [f"{keys[j]} (#{j + 1})" for j in range(T)],
                "tau": [tau] * T,
                "t": [tau_labels[i]] * T,
                "cur": [i == matches[0]] * T,
                **_value_fields("w", weights, decimals),
            }
        )
    width = int(width) if width is not None else min(max(T * _CELL_PX, _LINE_WIDTH_PX[0]), _LINE_WIDTH_PX[1])
    x = alt.X("x:Q", scale=_position_scale(T), axis=_matrix_axis(keys, width, key_title, horizontal=True))
    y = alt.Y("w:Q", scale=alt.Scale(domain=list(WEIGHTS_DOMAIN), nice=False), axis=alt.Axis(title=weight_title))
    shades = palette("viridis")[
        np.round(np.linspace(0.0, _TEMPERATURE_EXTENT, len(taus)) * (_PALETTE_SIZE - 1)).astype(int)
    ]
    color = alt.Color(
        "t:N",
        scale=alt.Scale(domain=tau_labels, range=["#" + bytes(rgb).hex() for rgb in shades]),
        legend=alt.Legend(
            title=temperature_title,
            symbolOpacity=1,
            labelFontWeight=alt.ExprRef(f"datum.label === {json.dumps(tau_labels[matches[0]])} ? 'bold' : 'normal'"),
        ),
    )
    key_t, tau_t, val_t, exact_t = _unique_titles(key_title, temperature_title, weight_title, exact_title)
    tooltip = [
        alt.Tooltip("key:N", title=key_t),
        alt.Tooltip("t:N", title=tau_t),
        alt.Tooltip("w_val:N", title=val_t),
        alt.Tooltip("w_exact:N", title=exact_t),
    ]
    base = alt.Chart()  # the rows are the LayerChart's data
    layers = [
        base.transform_filter("!datum.cur").mark_line(strokeWidth=1.5, opacity=0.7).encode(x=x, y=y, color=color),
        base.transform_filter("datum.cur").mark_line(strokeWidth=3).encode(x=x, y=y, color=color),
        base.mark_point(filled=True).encode(
            x=x,
            y=y,
            color=color,
            size=alt.condition("datum.cur", alt.value(70), alt.value(30)),
            opacity=alt.condition("datum.cur", alt.value(1.0), alt.value(0.8)),
            order=alt.condition("datum.cur", alt.value(1), alt.value(0)),
            tooltip=tooltip,
        ),
    ]
    chart = alt.LayerChart(
        data=alt.Data(values=rows),
        width=width,
        height=int(height),
        autosize=_autosize(),
        title=title if title else alt.Undefined,
    )
    chart.layer = layers
    return chart


def _pad_domain(lo: float, hi: float, length_px: int, left_px: float, right_px: float) -> tuple[float, float]:
    """(lo, hi) widened so that [lo, hi] keeps length_px - left_px - right_px px and the rest is free at its ends."""
    inner = max(length_px - left_px - right_px, 0.25 * length_px)
    per_px = (hi - lo) / inner
    return (lo - left_px * per_px, hi + right_px * per_px)


def row_stats(
    labels: Sequence[str],
    means,
    stds,
    *,
    title: str,
    row_title: str,
    mean_title: str,
    std_title: str,
    exact_title: str = "float64",
    decimals: int = 4,
    show_values: bool | None = None,
    mean_domain: tuple[float, float] | None = None,
    std_domain: tuple[float, float] | None = None,
    std_target: float | None = 1.0,
    width: int = 170,
    height: int | None = None,
) -> alt.HConcatChart:
    """Per row (token): labels (T,), means (T,), stds (T,) -> two bar panels side by side, tokens top to bottom.

    For LayerNorm: after it every row reads mean 0 and spread 1. Left (title mean_title): each
    row's mean as a bar from 0, on mean_domain (default symmetric, at least (-1, 1)); right
    (std_title): its standard deviation (>= 0) from 0 on std_domain (default (0, max(stds,
    std_target))), with a dashed rule at std_target (None: no rule). Rows keep their positions
    (repeated tokens stay distinct); token labels on the left panel only, titled row_title. Pass the
    same domains to a before and an after chart to compare them. The values are written beside
    the bars when show_values (default: at most ROW_STATS_VALUES_LIMIT rows). Tooltip: row label
    (#position), the value rounded to ``decimals`` and its shortest exact float64 repr.
    """
    m = _check_vector(means, "means")
    T = m.size
    sd = _check_within(_check_vector(stds, "stds", T), "stds", 0.0)
    rows_text = _check_labels(labels, "labels", T)
    decimals = _check_decimals(decimals)
    target = None
    if std_target is not None:
        target = _check_number(std_target, "std_target")
        if target < 0:
            raise ChartInputError(f"std_target must be >= 0 (a standard deviation), but is {target}")
    mean_dom = _check_domain(mean_domain) if mean_domain is not None else symmetric_domain(m, [1.0])
    std_dom = (
        _check_domain(std_domain)
        if std_domain is not None
        else nonnegative_domain(sd, [1.0 if target is None else target])
    )
    if show_values is None:
        show_values = T <= ROW_STATS_VALUES_LIMIT
    width = int(width)
    height = int(height) if height is not None else _plot_px(T, _ROW_PX)

    columns = {
        "y0": [i + 0.15 for i in range(T)],
        "y1": [i + 0.85 for i in range(T)],
        "ym": [i + 0.5 for i in range(T)],
        "row": [f"{rows_text[i]} (#{i + 1})" for i in range(T)],
        **_value_fields("mean", m, decimals),
        **_value_fields("std", sd, decimals),
    }
    for field in ("mean", "std"):  # a number reading negative goes left of its bar's end ("0.0000" of -1e-17 right)
        columns[f"{field}_left"] = [t.startswith("-") for t in columns[f"{field}_val"]]
    if show_values:  # room for the numbers beside the bars
        text_px = max(len(s) for s in columns["mean_val"] + columns["std_val"]) * _CHAR_PX + 8
        mean_dom = _pad_domain(*mean_dom, width, text_px, text_px)
        std_dom = _pad_domain(*std_dom, width, 0, text_px)
    y_scale = _position_scale(T, reverse=True)
    panels = []
    for field, panel_title, domain, y_axis, reference in (
        ("mean", mean_title, mean_dom, _matrix_axis(rows_text, height, row_title, horizontal=False), 0.0),
        ("std", std_title, std_dom, None, target),
    ):
        pos = _Position(
            alt.Scale(domain=list(domain), nice=False, zero=False), y_scale, alt.Axis(title=None, tickCount=4), y_axis
        )
        row_t, val_t, exact_t = _unique_titles(row_title, panel_title, exact_title)
        tooltip = [
            alt.Tooltip("row:N", title=row_t),
            alt.Tooltip(f"{field}_val:N", title=val_t),
            alt.Tooltip(f"{field}_exact:N", title=exact_t),
        ]
        base = alt.Chart()  # the rows are the chart's data
        layers = [
            base.mark_rect(color=_BAR_COLOR).encode(
                x=pos.x(field), x2=alt.X2Datum(0.0), y=pos.y("y0"), y2=alt.Y2("y1"), tooltip=tooltip
            )
        ]
        if reference is not None:
            dash = [] if field == "mean" else [4, 3]
            layers.append(
                alt.Chart(alt.Data(values=[{"ref": float(reference)}]))
                .mark_rule(color=_RULE_COLOR, strokeWidth=1.5, strokeDash=dash)
                .encode(x=pos.x("ref"))
            )
        if show_values:
            for test, align, dx in ((f"!datum.{field}_left", "left", 4), (f"datum.{field}_left", "right", -4)):
                layers.append(
                    base.transform_filter(test)
                    .mark_text(align=align, baseline="middle", dx=dx, fontSize=10, color=_TEXT_COLOR)
                    .encode(x=pos.x(field), y=pos.y("ym"), text=alt.Text(f"{field}_val:N"), tooltip=tooltip)
                )
        panel = alt.LayerChart(
            width=width, height=height, title=title_lines(panel_title, width), view=alt.ViewBackground(stroke=None)
        )
        panel.layer = layers
        panels.append(panel)
    return alt.HConcatChart(
        data=alt.Data(values=_records(columns)),
        hconcat=panels,
        spacing=16,
        autosize=_autosize(),
        title=title if title else alt.Undefined,
    )


# ---------------------------------------------------------------------------------------
# flow diagram

_BOX_H = 50
_GAP_X = 30
_GAP_Y = 36
_BOX_FILL = "#eef3f8"
_BOX_STROKE = "#4c78a8"
_ARROW = "#7f7f7f"
# A step switched off (a residual or a norm left out): greyed. (Vega-Lite drops a strokeDash encoding on rects.)
_OFF_FILL = "#f3f4f6"
_OFF_STROKE = "#9ca3af"
_OFF_TEXT = "#9ca3af"


def _check_step(k: int, step) -> tuple[str, str, bool]:
    """(name, screen) or (name, screen, off) -> (name, screen, off)."""
    expected = f"step {k} must be a pair (name, screen) or a triple (name, screen, off: bool), but is {step!r}"
    try:
        name, screen, *rest = step
    except (TypeError, ValueError):
        raise ChartInputError(expected) from None
    if len(rest) > 1 or (rest and not isinstance(rest[0], bool | np.bool_)):
        raise ChartInputError(expected)
    return str(name), str(screen), bool(rest and rest[0])


def flow_diagram(
    steps: Sequence[tuple[str, str] | tuple[str, str, bool]],
    *,
    title: str = "",
    numbered: bool = True,
    max_width: int = 680,
) -> alt.LayerChart:
    """steps [(name, screen), ...] -> boxes joined by arrows, left to right, wrapped into rows within max_width.

    Each box shows the step's name (line 1, bold) and the screen where it is shown (line 2,
    smaller); with ``numbered`` a small step number sits in its top-left corner. Rows read
    left to right; an elbow arrow leads from the end of a row to the start of the next.
    A step given as (name, screen, True) is switched off (e.g. a residual or a norm left out):
    its box and texts are greyed, the arrows still run through it.
    """
    items = [_check_step(k, step) for k, step in enumerate(steps)]
    if not items:
        raise ChartInputError("steps must hold at least one (name, screen) pair, but is empty")
    n = len(items)
    longest = max(max(len(a) * 7.2, len(b) * 6.0) for a, b, _ in items)
    box_w = int(min(max(longest + 20, 110), 190))
    per_row = max(1, min(n, (max_width + _GAP_X) // (box_w + _GAP_X)))
    n_rows = math.ceil(n / per_row)
    per_row = math.ceil(n / n_rows)  # balance the rows
    W = per_row * box_w + (per_row - 1) * _GAP_X
    H = n_rows * _BOX_H + (n_rows - 1) * _GAP_Y

    boxes, segments, heads = [], [], []
    for k, (name, screen, off) in enumerate(items):
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
                "off": off,
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

    def unless_off(on_value, off_value):
        return alt.condition("datum.off", alt.value(off_value), alt.value(on_value))

    box_data = alt.Data(values=boxes)
    layers = [
        alt.Chart(box_data)
        .mark_rect(strokeWidth=1.5, cornerRadius=6)
        .encode(
            x=x("x0"),
            x2=alt.X2("x1"),
            y=y("y0"),
            y2=alt.Y2("y1"),
            fill=unless_off(_BOX_FILL, _OFF_FILL),
            stroke=unless_off(_BOX_STROKE, _OFF_STROKE),
            tooltip=alt.Tooltip("tip:N"),
        ),
        alt.Chart(box_data)
        .mark_text(fontSize=12, fontWeight="bold", limit=box_w - 12)
        .encode(
            x=x("cx"),
            y=y("y_name"),
            text=alt.Text("name:N"),
            color=unless_off(_TEXT_COLOR, _OFF_TEXT),
            tooltip=alt.Tooltip("tip:N"),
        ),
        alt.Chart(box_data)
        .mark_text(fontSize=10, limit=box_w - 12)
        .encode(
            x=x("cx"),
            y=y("y_screen"),
            text=alt.Text("screen:N"),
            color=unless_off("#4b5563", _OFF_TEXT),
            tooltip=alt.Tooltip("tip:N"),
        ),
    ]
    if numbered:
        layers.append(
            alt.Chart(box_data)
            .mark_text(fontSize=9, align="left", baseline="top")
            .encode(x=x("nx"), y=y("ny"), text=alt.Text("num:N"), color=unless_off(_RULE_COLOR, _OFF_TEXT))
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


CURVE_POINTS = 1000  # points drawn per curve at most: a 420 px line shows no more


def curve_steps(n: int, max_points: int = CURVE_POINTS) -> np.ndarray:
    """The 0-based steps of an n-step curve that are drawn: all, or every k-th, the first and the last."""
    if n <= max_points:
        return np.arange(n)
    stride = math.ceil(n / (max_points - 1))
    steps = np.arange(0, n, stride)
    return steps if steps[-1] == n - 1 else np.append(steps, n - 1)


def loss_curve(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    *,
    title: str,
    step_title: str,
    loss_title: str,
    total_steps: int | None = None,
    percent: bool = False,
    series_title: str = "",
):
    """Training loss per step (1-based), a line on a fixed x range up to ``total_steps`` (the plan), so a
    curve drawn while training grows from the left instead of rescaling at every update.

    Any per-step curve draws the same way: ``percent=True`` for shares 0-1 (an accuracy), on a fixed
    0-100% axis. ``losses`` as a mapping label -> values draws one coloured line per label (in that
    order, a legend titled ``series_title``), e.g. two trainings' accuracies to compare.
    A curve longer than CURVE_POINTS steps is drawn through every k-th step and its last one
    (``curve_steps``): each point is a real step with its real value, at a line's resolution.
    """
    named = isinstance(losses, Mapping)
    series = dict(losses) if named else {"": losses}
    if not series:
        raise ChartInputError("losses must hold at least one curve")
    frames, n = [], 0
    for label, curve in series.items():
        values = np.asarray(curve, dtype=np.float64)
        if values.ndim != 1 or not np.isfinite(values).all():
            what = f"the curve {label!r} must be" if named else "losses must be"
            raise ChartInputError(f"{what} a 1-D sequence of finite numbers, but the shape is {values.shape}")
        steps = curve_steps(len(values))
        frames.append(pd.DataFrame({"step": steps + 1, "loss": values[steps], "series": label}))
        n = max(n, len(values))
    df = pd.concat(frames, ignore_index=True) if named else frames[0].drop(columns="series")
    last = max(n, int(total_steps or n), 1)
    x = alt.X("step:Q", title=step_title, scale=alt.Scale(domain=[1, last], nice=False))
    if percent:
        y = alt.Y("loss:Q", title=loss_title, scale=alt.Scale(domain=[0, 1], nice=False), axis=alt.Axis(format="%"))
    else:
        y = alt.Y("loss:Q", title=loss_title, scale=alt.Scale(zero=True))
    fmt = ".1%" if percent else ".4f"
    tooltip = [alt.Tooltip("step:Q", title=step_title), alt.Tooltip("loss:Q", title=loss_title, format=fmt)]
    chart = alt.Chart(df, title=title, width=420, height=200)
    if not named:
        return chart.mark_line(color="#0072B2", strokeWidth=2).encode(x=x, y=y, tooltip=tooltip)
    labels = list(series)
    colors = [HEAD_COLORS[i % len(HEAD_COLORS)] for i in range(len(labels))]
    color = alt.Color(
        "series:N",
        title=series_title,
        scale=alt.Scale(domain=labels, range=colors),
        sort=labels,
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [alt.Tooltip("series:N", title=series_title), *tooltip]
    return chart.mark_line(strokeWidth=2).encode(x=x, y=y, color=color, tooltip=tooltip)


# Lines the head view draws at most: SVG lines past a few thousand slow every hover in the browser
# (16 heads x 40 tokens have 14,105 weights >= 0.01).
HEAD_VIEW_LINES = 4000
HEAD_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")  # Okabe-Ito


def head_view(
    tokens: Sequence[str],
    weights,
    *,
    title: str,
    head_title: str,
    query_title: str,
    key_title: str,
    weight_title: str,
    heads: Sequence[int] | None = None,
    min_weight: float = 0.01,
    height: int | None = None,
    max_lines: int | None = None,
    cut_note: str | None = None,
):
    """BertViz's line view: queries in a left column, keys in a right one, one line per weight.

    weights (H, T, T). A line's opacity and width follow its weight; one colour per head
    (colour-blind-safe, repeating past eight heads); ``heads`` (0-based) picks the heads
    drawn. Hovering a query token keeps only its lines; the legend toggles heads. Weights
    below ``min_weight`` are left out, so a long sentence stays readable; past ``max_lines``
    (default HEAD_VIEW_LINES) each query of each head keeps its k largest (``head_view_lines``),
    and ``cut_note`` (a template with {shown}, {total} and {k}) becomes the subtitle saying so.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 3 or w.shape[1] != w.shape[2] or w.shape[1] != len(tokens):
        raise ChartInputError(f"weights must have shape (H, T, T) with T = {len(tokens)} tokens, but has {w.shape}")
    if not np.isfinite(w).all():
        raise ChartInputError("weights must be finite (draw a masked weight as 0)")
    H, T, _ = w.shape
    shown = list(range(H)) if heads is None else sorted({int(h) for h in heads})
    if any(h < 0 or h >= H for h in shown):
        raise ChartInputError(f"heads must be between 0 and {H - 1}, but are {shown}")
    keep, per_row = head_view_lines(w[shown], min_weight, max_lines)
    h_idx, i_idx, j_idx = np.nonzero(keep)
    h_idx = np.asarray(shown, dtype=np.intp)[h_idx]
    names = [f"{head_title} {h + 1}" for h in range(H)]
    if per_row is not None and cut_note:
        total = int(np.count_nonzero(w[shown] >= min_weight))
        note = cut_note.format(shown=len(h_idx), total=total, k=per_row)
        title = alt.TitleParams(text=title or " ", subtitle=note)  # Vega drops a subtitle under an empty title
    lines = pd.DataFrame(
        {
            "head": [names[h] for h in h_idx],
            "q": i_idx,
            "k": j_idx,
            "query": [f"{tokens[i]} (#{i + 1})" for i in i_idx],
            "key": [f"{tokens[j]} (#{j + 1})" for j in j_idx],
            "w": w[h_idx, i_idx, j_idx],
            "x0": 0.0,
            "x1": 1.0,
        }
    )
    labels = pd.DataFrame({"t": np.arange(T), "token": list(tokens)})
    height = height or max(160, 26 * T)
    y = alt.Scale(domain=[-0.5, T - 0.5], reverse=True)
    hover = alt.selection_point(name="query", fields=["q"], on="pointerover", clear="pointerout", empty=True)
    legend = alt.selection_point(name="heads", fields=["head"], bind="legend")
    color = alt.Color(
        "head:N",
        title=head_title,
        legend=alt.Legend(symbolOpacity=1, symbolStrokeWidth=3),
        scale=alt.Scale(domain=[names[h] for h in shown], range=[HEAD_COLORS[h % len(HEAD_COLORS)] for h in shown]),
    )
    rules = (
        alt.Chart(lines)
        .mark_rule()
        .encode(
            x=alt.X("x0:Q", axis=None, scale=alt.Scale(domain=[0, 1])),
            x2="x1:Q",
            y=alt.Y("q:Q", axis=None, scale=y),
            y2="k:Q",
            color=color,
            opacity=alt.condition(
                hover & legend, alt.Opacity("w:Q", scale=alt.Scale(domain=[0, 1]), legend=None), alt.value(0.03)
            ),
            strokeWidth=alt.StrokeWidth("w:Q", scale=alt.Scale(domain=[0, 1], range=[0.5, 4]), legend=None),
            tooltip=[
                alt.Tooltip("head:N", title=head_title),
                alt.Tooltip("query:N", title=query_title),
                alt.Tooltip("key:N", title=key_title),
                alt.Tooltip("w:Q", title=weight_title, format=".4f"),
            ],
        )
        .add_params(legend)
    )
    left = (
        alt.Chart(labels)
        .mark_text(align="right", dx=-6, fontSize=12)
        .encode(x=alt.datum(0), y=alt.Y("t:Q", scale=y), text="token:N", detail=alt.Detail("t:Q"))
        .transform_calculate(q="datum.t")
        .add_params(hover)
    )
    right = (
        alt.Chart(labels)
        .mark_text(align="left", dx=6, fontSize=12)
        .encode(x=alt.datum(1), y=alt.Y("t:Q", scale=y), text="token:N")
    )
    chart = alt.layer(rules, left, right, width=300, height=height)
    return chart.properties(title=title) if title else chart


def head_view_lines(
    weights: np.ndarray, min_weight: float, max_lines: int | None = None
) -> tuple[np.ndarray, int | None]:
    """weights (H, T, T) -> which become lines (H, T, T) bool, and k: how many each row kept at most
    (None when no line was left out).

    Every weight >= min_weight is a line while they number at most ``max_lines`` (default
    HEAD_VIEW_LINES); past it each row (a query of a head) keeps its k largest, k as large as fits
    (at least 1), so every query still shows where it looks most.
    """
    limit = HEAD_VIEW_LINES if max_lines is None else max(1, int(max_lines))
    keep = weights >= min_weight
    counts = keep.sum(axis=-1)  # (H, T) lines per row
    if counts.sum() <= limit:
        return keep, None
    ks = np.arange(1, weights.shape[-1] + 1)
    totals = np.minimum(counts[..., None], ks).sum(axis=(0, 1))  # lines kept with at most k per row
    k = int(ks[max(0, np.searchsorted(totals, limit, side="right") - 1)])
    rank = np.argsort(np.argsort(-weights, axis=-1, kind="stable"), axis=-1, kind="stable")
    return keep & (rank < k), k


# ---------------------------------------------------------------------------------------
# Vega-Lite dicts without Altair's global state

# What Altair's default theme writes into a top-level spec. ``to_dict`` reads the theme from a
# registry of the whole process (``st.altair_chart`` switches it to "none" for its own call), so
# vega_lite() writes these itself: every spec looks the same whoever else is drawing.
_VIEW_DEFAULTS = types.MappingProxyType({"continuousWidth": 300, "continuousHeight": 300})

Dataset = Callable[["pd.DataFrame | list[dict]"], object]


def records(table: pd.DataFrame | list[dict]) -> list[dict]:
    """A dataset as JSON rows (what a file needs): a DataFrame's rows, sanitised as Altair does."""
    return to_values(table)["values"] if isinstance(table, pd.DataFrame) else table


def vega_lite(chart, dataset: Dataset = records) -> dict:
    """A chart built by this module -> its Vega-Lite dict, read from the chart alone.

    ``chart.to_dict()`` consults process-wide registries: it hands a DataFrame to the active
    ``alt.data_transformers`` entry (whose default refuses more than 5,000 rows, and which
    ``st.altair_chart`` replaces, for a moment, by one that sends the rows to its own call),
    inlines tables or not by their ``consolidate_datasets`` flag, refuses to run while
    "vegafusion" is enabled, and merges the active theme. Here every table (a DataFrame, inline
    rows) first becomes a dataset named by its place in the chart ("data-0", "data-1", ...: the
    spec without its data stays the same when only the values change) with ``dataset(table)`` as
    its value (rows by default, Arrow bytes for Streamlit); then the chart is serialised as a
    nested part, which reads no registry, and the default theme's view size is written in.

    The chart is consumed: its tables are replaced by references to the datasets.
    """
    datasets: dict[str, object] = {}
    _name_tables(chart, datasets, dataset, {}, inherited=False)
    leftover: dict[str, object] = {}  # nothing should reach Altair's own consolidation; kept if it does
    spec = chart.to_dict(validate=False, context={"top_level": False, "pre_transform": False, "datasets": leftover})
    for name, table in leftover.items():
        datasets.setdefault(name, dataset(table))
    view = spec.setdefault("config", {}).setdefault("view", {})
    for key, value in _VIEW_DEFAULTS.items():
        view.setdefault(key, value)
    spec["$schema"] = alt.SCHEMA_URL
    if datasets:
        spec["datasets"] = datasets
    return spec


def _table_of(data) -> pd.DataFrame | list | None:
    """The rows of a chart's data if they are a table held in the chart (not a URL, not named)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return data["values"] if "name" not in data and isinstance(data.get("values"), list) else None
    if isinstance(data, alt.SchemaBase) and not isinstance(data, alt.UrlData | alt.NamedData):
        kwds = data._kwds
        plain = all(alt.utils.is_undefined(kwds.get(k, alt.Undefined)) for k in ("name", "format"))
        if plain and isinstance(kwds.get("values"), list):
            return kwds["values"]
    return None


def _name_tables(node, datasets: dict, dataset: Dataset, names: dict, *, inherited: bool) -> None:
    """Replace each table in the chart tree under ``node`` by a named dataset (one per table object)."""
    data = getattr(node, "data", alt.Undefined)
    if alt.utils.is_undefined(data) and isinstance(node, alt.Chart) and not inherited:
        data = names.setdefault("no data", [{}])  # what Altair gives it: one empty row, for datum encodings
    table = _table_of(data)
    if table is not None:
        key = id(data)
        if key not in names:
            names[key] = (data, f"data-{len(names)}")  # the object is held, so its id is not reused
            datasets[names[key][1]] = dataset(table)
        node.data = alt.NamedData(name=names[key][1])
    inherited = inherited or not alt.utils.is_undefined(data)
    for part in ("layer", "hconcat", "vconcat", "concat"):
        subs = getattr(node, part, alt.Undefined)
        if isinstance(subs, list):
            for sub in subs:
                if isinstance(sub, alt.SchemaBase):
                    _name_tables(sub, datasets, dataset, names, inherited=inherited)
    spec = getattr(node, "spec", alt.Undefined)
    if isinstance(spec, alt.SchemaBase):
        _name_tables(spec, datasets, dataset, names, inherited=inherited)
