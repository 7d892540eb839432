"""The data-flow diagram: a step per box, joined by arrows, left to right, wrapped into rows."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import altair as alt

from ui.charts._common import _RULE_COLOR, _TEXT_COLOR, ChartInputError, _autosize

_BOX_H = 50
_GAP_X = 30
_GAP_Y = 36
_PAD = 4  # free px around the boxes
_BOX_FILL = "#eef3f8"
_BOX_STROKE = "#4c78a8"
_SCREEN_COLOR = "#4b5563"
_ARROW = "#7f7f7f"


def _check_step(k: int, step) -> tuple[str, str]:
    """(name, screen) -> (name, screen) as text."""
    try:
        name, screen = step
    except (TypeError, ValueError):
        raise ChartInputError(f"step {k} must be a pair (name, screen), but is {step!r}") from None
    return str(name), str(screen)


def flow_diagram(
    steps: Sequence[tuple[str, str]],
    *,
    title: str = "",
    numbered: bool = True,
    max_width: int = 680,
) -> alt.LayerChart:
    """steps [(name, screen), ...] -> boxes joined by arrows, left to right, wrapped into rows within max_width.

    Each box shows the step's name (line 1, bold) and the screen where it is shown (line 2,
    smaller); with ``numbered`` a small step number sits in its top-left corner. Rows read
    left to right; an elbow arrow leads from the end of a row to the start of the next.
    """
    items = [_check_step(k, step) for k, step in enumerate(steps)]
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
    boxes = _flow_boxes(items, box_w, per_row)
    segments, heads = _flow_arrows(boxes)

    xs = alt.Scale(domain=[-_PAD, W + _PAD], nice=False, zero=False, padding=0)
    ys = alt.Scale(domain=[-_PAD, H + _PAD], nice=False, zero=False, padding=0, reverse=True)

    def x(field: str) -> alt.X:
        return alt.X(f"{field}:Q", scale=xs, axis=None)

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=ys, axis=None)

    layers = _box_layers(boxes, box_w, x, y, numbered)
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
        width=W + 2 * _PAD,
        height=H + 2 * _PAD,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=title if title else alt.Undefined,
    )


def _flow_boxes(items: list[tuple[str, str]], box_w: int, per_row: int) -> list[dict]:
    """One row of data per box: its corners, where its texts sit, and the texts."""
    boxes = []
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
    return boxes


def _flow_arrows(boxes: list[dict]) -> tuple[list[dict], list[dict]]:
    """The arrows from each box to the next: their line segments and their heads (a point and its shape)."""
    segments, heads = [], []
    for a, b in itertools.pairwise(boxes):
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
    return segments, heads


def _box_layers(
    boxes: list[dict], box_w: int, x: Callable[[str], alt.X], y: Callable[[str], alt.Y], numbered: bool
) -> list[alt.Chart]:
    """The boxes, their names and screens (the step as tooltip), and their numbers when ``numbered``."""
    box_data = alt.Data(values=boxes)
    layers = [
        alt.Chart(box_data)
        .mark_rect(strokeWidth=1.5, cornerRadius=6)
        .encode(
            x=x("x0"),
            x2=alt.X2("x1"),
            y=y("y0"),
            y2=alt.Y2("y1"),
            fill=alt.value(_BOX_FILL),
            stroke=alt.value(_BOX_STROKE),
            tooltip=alt.Tooltip("tip:N"),
        ),
        alt.Chart(box_data)
        .mark_text(fontSize=12, fontWeight="bold", limit=box_w - 12)
        .encode(
            x=x("cx"),
            y=y("y_name"),
            text=alt.Text("name:N"),
            color=alt.value(_TEXT_COLOR),
            tooltip=alt.Tooltip("tip:N"),
        ),
        alt.Chart(box_data)
        .mark_text(fontSize=10, limit=box_w - 12)
        .encode(
            x=x("cx"),
            y=y("y_screen"),
            text=alt.Text("screen:N"),
            color=alt.value(_SCREEN_COLOR),
            tooltip=alt.Tooltip("tip:N"),
        ),
    ]
    if numbered:
        layers.append(
            alt.Chart(box_data)
            .mark_text(fontSize=9, align="left", baseline="top")
            .encode(x=x("nx"), y=y("ny"), text=alt.Text("num:N"), color=alt.value(_RULE_COLOR))
        )
    return layers
