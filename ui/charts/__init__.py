"""Altair chart builders: numpy arrays in, Vega-Lite charts out, one module per chart family.

No streamlit, no i18n: every visible text (titles, axis, legend and tooltip titles) comes
from the caller, so the same builder serves English and Português; so does the way its numbers
are written (``number_format``, a ``NumberFormat``: "0,25" in Portuguese). No module-level
mutable state: one server process draws for every participant of a workshop.

- ``heatmaps``: a matrix as rects or one image; ``png``: the palette PNG of image mode;
  ``colors``: schemes, palettes and shared domains; ``axes``: token labels at cell centres.
- ``curves``: a training curve, why √d_k, softmax temperature; ``bars``: statistics per row.
- ``flow``: the data-flow diagram and the whole transformer; ``head_views``: BertViz's line view of the heads.
- ``sizing``: the arithmetic of sizes, for builders and for pages planning rows of charts.
- ``spec``: ``vega_lite(chart)``, a chart's Vega-Lite dict without Altair's global state.

The public names of every module are here: ``charts.heatmap(...)``, ``charts.WEIGHTS_DOMAIN``.
A builder is looked up by name (``getattr(charts, "heatmap")``) by the spec cache and downloads.
"""

from ui.charts._common import HEAD_COLORS, WEIGHTS_DOMAIN, ChartInputError, NumberFormat
from ui.charts.axes import label_expr
from ui.charts.bars import ROW_STATS_VALUES_LIMIT, row_stats
from ui.charts.colors import MASKED_COLOR, SCHEMES, hex_colors, nonnegative_domain, palette, symmetric_domain
from ui.charts.curves import CURVE_POINTS, curve_steps, loss_curve, scaling_study, temperature_curve
from ui.charts.flow import flow_diagram, transformer_diagram
from ui.charts.head_views import HEAD_VIEW_LINES, head_view, head_view_lines
from ui.charts.heatmaps import heatmap
from ui.charts.png import encode_palette_png, matrix_png
from ui.charts.sizing import (
    GRID_PLOT_PX,
    GRID_ROW_PX,
    HEADS_PER_ROW,
    MAX_IMAGE_SIDE,
    MIN_CELL_PX,
    RECT_CELL_LIMIT,
    SHOW_VALUES_CELL_LIMIT,
    SHOW_VALUES_SIDE_LIMIT,
    VALUE_ROW_PX,
    axis_label_px,
    cell_decimals,
    downsample_factors,
    grid_columns,
    grid_plan,
    matrix_width,
    plot_width,
    row_plan,
    shows_values,
    title_lines,
    uses_image,
    value_cell_px,
)
from ui.charts.spec import Dataset, records, vega_lite

__all__ = [
    "CURVE_POINTS",
    "GRID_PLOT_PX",
    "GRID_ROW_PX",
    "HEADS_PER_ROW",
    "HEAD_COLORS",
    "HEAD_VIEW_LINES",
    "MASKED_COLOR",
    "MAX_IMAGE_SIDE",
    "MIN_CELL_PX",
    "RECT_CELL_LIMIT",
    "ROW_STATS_VALUES_LIMIT",
    "SCHEMES",
    "SHOW_VALUES_CELL_LIMIT",
    "SHOW_VALUES_SIDE_LIMIT",
    "VALUE_ROW_PX",
    "WEIGHTS_DOMAIN",
    "ChartInputError",
    "Dataset",
    "NumberFormat",
    "axis_label_px",
    "cell_decimals",
    "curve_steps",
    "downsample_factors",
    "encode_palette_png",
    "flow_diagram",
    "grid_columns",
    "grid_plan",
    "head_view",
    "head_view_lines",
    "heatmap",
    "hex_colors",
    "label_expr",
    "loss_curve",
    "matrix_png",
    "matrix_width",
    "nonnegative_domain",
    "palette",
    "plot_width",
    "records",
    "row_plan",
    "row_stats",
    "scaling_study",
    "shows_values",
    "symmetric_domain",
    "temperature_curve",
    "title_lines",
    "transformer_diagram",
    "uses_image",
    "value_cell_px",
    "vega_lite",
]
