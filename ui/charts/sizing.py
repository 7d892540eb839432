"""The arithmetic of sizes: drawing mode, plot sizes, value cells, titles, and rows of charts on a page.

Pure numbers (no Altair, no Streamlit): pages plan their rows of charts with it (``matrix_width``,
``row_plan``, ``grid_plan``), and the builders size their plots with it.
"""

from __future__ import annotations

import math
import types
from collections.abc import Sequence

import numpy as np

from ui.charts._common import (
    _CELL_PX,
    _CHAR_PX,
    _LABEL_LIMIT_PX,
    _MAX_PLOT_PX,
    _check_decimals,
    _check_domain,
    _check_values,
    _fmt,
)
from ui.charts.colors import symmetric_domain

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

# Width (px) of the characters of a number written in a cell, at its 10 px font: a digit is 5.0 px
# in Source Sans (the browser's) and 5.6 in Liberation Sans / Arial (vl-convert's); the widest is taken.
_VALUE_CHAR_PX = types.MappingProxyType({".": 2.8, "-": 3.4, "−": 5.9, "∞": 7.2})
_DIGIT_PX = 5.6
_VALUE_PAD_PX = 5  # free width around a number in its cell
VALUE_ROW_PX: int = 22  # least row height for a number written in a cell

# Rows of charts in the main column of a page (``row_plan``, ``grid_plan``).
HEADS_PER_ROW = 4
GRID_PLOT_PX = 150  # plot side of one head in a row of four, when its cells carry no numbers
# Heads whose cells carry numbers (up to ~12 tokens) get as few to a row as their numbers need, down to
# one, within the main column of a 1280 px screen with the sidebar open:
GRID_ROW_PX = 820  # width of that column
_GRID_GAP_PX = 16  # between two st.columns
_GRID_LEGEND_PX = 70  # the colour legend beside the last chart of a row
_GRID_AXIS_PX = 45  # a y axis besides its labels (title, ticks), and the chart's padding


# ---------------------------------------------------------------------------------------
# one matrix: mode, size, numbers in cells


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


def plot_size(
    arr, masked, domain, max_plot, show_values: bool, value_decimals, width: int | None, height: int | None
) -> tuple[int, int, bool, int | None]:
    """heatmap's plot (width, height), given or at its default size, whether its cells carry numbers
    and their decimals: a given size too small for the numbers drops them (they would overlap; the
    tooltip still has them)."""
    R, C = arr.shape
    natural_w, natural_h, need_w, value_decimals = _natural_plot(
        arr, masked, domain, max_plot, show_values, value_decimals
    )
    width = int(width) if width is not None else natural_w
    height = int(height) if height is not None else natural_h
    if show_values and (width < C * need_w or height < R * VALUE_ROW_PX):
        show_values = False
    return width, height, show_values, value_decimals


# ---------------------------------------------------------------------------------------
# rows of charts on a page


def matrix_width(values, rows, domain: tuple[float, float] | None = None) -> int:
    """Rough width (px) of a matrix's chart for ``values`` without its legend: plot, row labels, y axis."""
    domain = symmetric_domain(values) if domain is None else domain
    return plot_width(values, domain) + axis_label_px(rows) + _GRID_AXIS_PX


def row_plan(*widths: int, shared_legend: bool = False) -> tuple[list[float], list[bool]] | None:
    """Column widths and legends for charts ``widths`` px wide without legend (``matrix_width``) in one
    row of the main column: each column sized to its chart; one legend, on the last chart, when they
    share a colour scale, else one each. None when they do not fit: the caller stacks them."""
    legends = [i == len(widths) - 1 for i in range(len(widths))] if shared_legend else [True] * len(widths)
    columns = [w + _GRID_LEGEND_PX * legend for w, legend in zip(widths, legends, strict=True)]
    if sum(columns) + (len(columns) - 1) * _GRID_GAP_PX > GRID_ROW_PX:
        return None
    return [float(c) for c in columns], legends


def grid_plan(matrices, rows, cols, domain: tuple[float, float]) -> tuple[int, int, dict]:
    """(heads per row, max_plot, extra heatmap options) of a grid of heads, one chart each.

    Without numbers in the cells (big matrices): HEADS_PER_ROW at GRID_PLOT_PX. With them: the most
    heads per row (4, 3, 2, then 1) whose plots hold the numbers, all heads written with the same
    decimals. Costs a min and a max over matrices of at most 144 cells.
    """
    R, C = len(rows), len(cols)
    axis = axis_label_px(rows) + _GRID_AXIS_PX
    if not shows_values(R, C, GRID_PLOT_PX):
        # four to a row, each plot as wide as its column leaves beside its axis (at most GRID_PLOT_PX)
        n = HEADS_PER_ROW
        fit = int((GRID_ROW_PX - (n - 1) * _GRID_GAP_PX - _GRID_LEGEND_PX) / n - axis)
        return n, min(GRID_PLOT_PX, fit), {}
    finite = [m[np.isfinite(m)] for m in (np.asarray(x, dtype=np.float64) for x in matrices)]
    finite = [f for f in finite if f.size]
    lo = min((float(f.min()) for f in finite), default=0.0)
    hi = max((float(f.max()) for f in finite), default=0.0)
    for n in range(HEADS_PER_ROW, 0, -1):
        plot = int((GRID_ROW_PX - (n - 1) * _GRID_GAP_PX - _GRID_LEGEND_PX) / n - axis)
        decimals = cell_decimals(domain, C, lo, hi, plot)
        if C * value_cell_px(lo, hi, decimals) <= plot:
            break
    return n, plot, {"value_decimals": decimals}


def grid_columns(per_row: int, n: int, max_plot: int, rows) -> list[float]:
    """Relative widths of the st.columns of a grid row holding ``n`` of ``per_row`` charts (``grid_plan``):
    the last chart of the row holds the colour legend too, so its column is wider by the legend."""
    legend_w = 1.0 + _GRID_LEGEND_PX / (max_plot + axis_label_px(rows) + _GRID_AXIS_PX)
    return [legend_w if i == n - 1 else 1.0 for i in range(per_row)]
