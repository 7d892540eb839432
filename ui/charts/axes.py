"""Axes and scales of matrix-like charts: tokens as axis labels at cell centres, separator rules.

Matrices use quantitative axes over [0, C] x [0, R]: cell (i, j) spans [j, j+1] x [i, i+1],
rows (queries) top to bottom, columns (keys) left to right. Axis labels sit at cell centres
and are mapped to token strings by a ``labelExpr`` indexing a JSON array literal, so
repeated tokens ("the ... the") stay distinct positions in their original order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import altair as alt

from ui.charts._common import _CHAR_PX, _LABEL_LIMIT_PX, _LABEL_SPACING_PX


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
