"""The data-flow diagram: a step per box, joined by arrows, left to right, wrapped into rows."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import altair as alt

from ui.charts._common import _TEXT_COLOR, ChartInputError, _accessible, _autosize

_BOX_H = 50
_GAP_X = 30
_GAP_Y = 36
_PAD = 4  # free px around the boxes
# Colours against what they are drawn on (WCAG 2.1: text 4.5 : 1, a line that carries meaning 3 : 1;
# tests/charts/test_contrast.py measures them): Vega's canvas is out of reach of a page checker.
_BOX_FILL = "#eef3f8"
_BOX_STROKE = "#4c78a8"
_SCREEN_COLOR = "#4b5563"  # a box's screen and step number: 6.8 : 1 on _BOX_FILL
_ARROW = "#7f7f7f"  # 3.8 : 1 on _FRAME_FILL
_FRAME_FILL = "#f8fafc"  # the band behind a stack's repeated layer
_FRAME_STROKE = "#9ca3af"  # its dashed outline: the band's fill tells it as well
_ATTENTION = "#d55e00"  # the attentions' outlines and the memory's arrow: 3.9 : 1 on white
_MEMORY_TEXT = "#a84300"  # the memory's label, on white: 6.1 : 1 (_ATTENTION itself is 3.9 : 1, too light for text)
_RESIDUAL = "#808896"  # the residual lines, on _FRAME_FILL: 3.4 : 1


def _canvas(W: float, H: float) -> tuple[Callable[[str], alt.X], Callable[[str], alt.Y]]:
    """The x and y encodings of a field, in px on a W × H drawing (y down), with _PAD around it."""
    xs = alt.Scale(domain=[-_PAD, W + _PAD], nice=False, zero=False, padding=0)
    ys = alt.Scale(domain=[-_PAD, H + _PAD], nice=False, zero=False, padding=0, reverse=True)

    def x(field: str) -> alt.X:
        return alt.X(f"{field}:Q", scale=xs, axis=None)

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=ys, axis=None)

    return x, y


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
    description: str | None = None,
) -> alt.LayerChart:
    """steps [(name, screen), ...] -> boxes joined by arrows, left to right, wrapped into rows within max_width.

    Each box shows the step's name (line 1, bold) and the screen where it is shown (line 2,
    smaller); with ``numbered`` a small step number sits in its top-left corner. Rows read
    left to right; an elbow arrow leads from the end of a row to the start of the next.
    description: the chart's text alternative (its ``aria-label``), by default its title and the steps
    in order ("1. name (screen); 2. ...").
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

    x, y = _canvas(W, H)
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
    chart = alt.LayerChart(
        layer=layers,
        width=W + 2 * _PAD,
        height=H + 2 * _PAD,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=title if title else alt.Undefined,
    )
    steps_text = "; ".join(f"{k}. {name} ({screen})" for k, (name, screen) in enumerate(items, start=1))
    return _accessible(chart, description, f"{title}: {steps_text}" if title else steps_text)


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
            .encode(x=x("nx"), y=y("ny"), text=alt.Text("num:N"), color=alt.value(_SCREEN_COLOR))
        )
    return layers


# --- the whole transformer: two stacks side by side ---------------------------------------------

_TF_BOX_W = 196
_TF_BOX_H = 40
_TF_ROW = 56  # a box and the gap below it
_TF_LABEL_H = 24  # the band above a stack's repeated layer, for its name
_TF_AFTER = 12  # more room below a stack's frame, for the arrow that leaves it
_TF_MID = 150  # between the two columns: the memory's arrow and its label
_TF_SIDE = 30  # beside each column: its residual connections and frame
_TF_FILLS = {  # kind -> (fill, stroke): the three attentions stand out
    "io": ("#ffffff", "#6b7280"),
    "attention": ("#fde7cf", _ATTENTION),
    "cross": ("#fde7cf", _ATTENTION),
    "norm": (_BOX_FILL, _BOX_STROKE),
    "ffn": ("#e3f2ec", "#009e73"),
}


def _check_parts(parts, name: str) -> list[tuple[str, str, str]]:
    out = []
    for k, part in enumerate(parts):
        try:
            text, screen, kind = part
        except (TypeError, ValueError):
            raise ChartInputError(f"{name}[{k}] must be (name, screen, kind), but is {part!r}") from None
        if kind not in _TF_FILLS:
            raise ChartInputError(f"{name}[{k}] has kind {kind!r}; the kinds are {', '.join(_TF_FILLS)}")
        out.append((str(text), str(screen), kind))
    inner = [k for k, (_, _, kind) in enumerate(out) if kind != "io"]
    if not inner:
        raise ChartInputError(f"{name} must hold at least one sublayer (a kind other than 'io'), but has none")
    return out


def transformer_diagram(
    encoder: Sequence[tuple[str, str, str]],
    decoder: Sequence[tuple[str, str, str]],
    *,
    memory: str,
    encoder_title: str,
    decoder_title: str,
    title: str = "",
    legend: str = "",
    description: str | None = None,
) -> alt.LayerChart:
    """The encoder (left) and the decoder (right), top to bottom, each a list of (name, screen, kind).

    kind: "io" (an input or output, outside the stack's repeated layer), "attention", "cross" (the
    decoder's box that reads the memory), "norm" (an Add & Norm: a residual line joins it from the
    input of the box before it), "ffn". The sublayers of each stack sit in a frame named by its
    title; the encoder's last box sends the memory to the decoder's "cross" box, level with it.
    description: the chart's text alternative (its ``aria-label``), by default its title and each
    stack's boxes in order.
    """
    enc, dec = _check_parts(encoder, "encoder"), _check_parts(decoder, "decoder")
    cross = [k for k, part in enumerate(dec) if part[2] == "cross"]
    if len(cross) != 1:
        raise ChartInputError(f"decoder must hold one 'cross' box, but holds {len(cross)}")
    shift = cross[0] - (len(enc) - 1)  # the encoder's last box is level with cross-attention
    first_row = min(0, shift)
    columns = (
        (enc, _TF_SIDE, shift - first_row, "left", encoder_title),
        (dec, _TF_SIDE + _TF_BOX_W + _TF_MID, -first_row, "right", decoder_title),
    )
    boxes, segments, heads, frames = [], [], [], []
    for parts, x0, row0, side, frame_title in columns:
        inner = [k for k, (_, _, kind) in enumerate(parts) if kind != "io"]
        lo, hi = inner[0], inner[-1]

        def top(k, row0=row0, lo=lo, hi=hi):
            return (row0 + k) * _TF_ROW + (_TF_LABEL_H if k >= lo else 0) + (_TF_AFTER if k > hi else 0)

        column = _tf_column(parts, x0, top)
        boxes += column
        seg, hd = _tf_arrows(parts, column, x0, side)
        segments += seg
        heads += hd
        frames.append(_tf_frame(x0, top(lo), top(hi), frame_title))
    source, target = boxes[len(enc) - 1], boxes[len(enc) + cross[0]]
    y = (source["y0"] + source["y1"]) / 2
    segments.append({"x": source["x1"], "x2": target["x0"] - 6, "y": y, "y2": y, "kind": "memory"})
    heads.append({"x": target["x0"] - 6, "y": y, "shape": "triangle-right", "kind": "memory"})
    W = 2 * (_TF_SIDE + _TF_BOX_W) + _TF_MID
    H = max(b["y1"] for b in boxes)
    chart = _tf_chart(boxes, segments, heads, frames, W, H, memory, (source["x1"] + target["x0"]) / 2, y, title, legend)
    stacks = "; ".join(
        f"{name}: {' → '.join(part[0] for part in parts)}"
        for name, parts in ((encoder_title, enc), (decoder_title, dec))
    )
    return _accessible(chart, description, f"{title}: {stacks}" if title else stacks)


def _tf_frame(x0: float, first: float, last: float, label: str) -> dict:
    """The frame round a stack's repeated layer, from its first box's top to its last box's, named by ``label``."""
    return {
        "x0": x0 - _TF_SIDE + 6,
        "x1": x0 + _TF_BOX_W + _TF_SIDE - 6,
        "y0": first - _TF_LABEL_H,
        "y1": last + _TF_BOX_H + 8,
        "lx": x0 - _TF_SIDE + 12,
        "ly": first - _TF_LABEL_H / 2,
        "label": label,
    }


def _tf_column(parts, x0: float, top) -> list[dict]:
    out = []
    for k, (name, screen, kind) in enumerate(parts):
        y0 = top(k)
        fill, stroke = _TF_FILLS[kind]
        out.append(
            {
                "x0": x0,
                "x1": x0 + _TF_BOX_W,
                "y0": y0,
                "y1": y0 + _TF_BOX_H,
                "cx": x0 + _TF_BOX_W / 2,
                "y_name": y0 + _TF_BOX_H / 2 - 7,
                "y_screen": y0 + _TF_BOX_H / 2 + 10,
                "name": name,
                "screen": screen,
                "fill": fill,
                "stroke": stroke,
                "tip": f"{name} — {screen}" if screen else name,
            }
        )
    return out


def _tf_arrows(parts, column: list[dict], x0: float, side: str) -> tuple[list[dict], list[dict]]:
    """Arrows down the column, and each Add & Norm's residual line on the column's outer side."""
    segments, heads = [], []
    for a, b in itertools.pairwise(column):
        segments.append({"x": a["cx"], "x2": a["cx"], "y": a["y1"], "y2": b["y0"] - 6, "kind": "flow"})
        heads.append({"x": b["cx"], "y": b["y0"] - 6, "shape": "triangle-down", "kind": "flow"})
    outer = x0 - _TF_SIDE / 2 if side == "left" else x0 + _TF_BOX_W + _TF_SIDE / 2
    edge = x0 if side == "left" else x0 + _TF_BOX_W
    for k, (_, _, kind) in enumerate(parts):
        if kind != "norm" or k < 2:
            continue
        sub, norm = column[k - 1], column[k]
        y_from = sub["y0"] - 8  # the sublayer's input, just above it
        y_to = (norm["y0"] + norm["y1"]) / 2
        segments += [
            {"x": sub["cx"], "x2": outer, "y": y_from, "y2": y_from, "kind": "residual"},
            {"x": outer, "x2": outer, "y": y_from, "y2": y_to, "kind": "residual"},
            {"x": outer, "x2": edge + (-5 if side == "left" else 5), "y": y_to, "y2": y_to, "kind": "residual"},
        ]
        shape = "triangle-right" if side == "left" else "triangle-left"
        heads.append({"x": edge + (-5 if side == "left" else 5), "y": y_to, "shape": shape, "kind": "residual"})
    return segments, heads


def _tf_chart(boxes, segments, heads, frames, W, H, memory, mx, my, title, legend) -> alt.LayerChart:
    """The transformer's layers: frames, arrows, boxes and the memory's label, on a W × H drawing."""
    x, y = _canvas(W, H)
    kinds = alt.Scale(domain=["flow", "memory", "residual"], range=[_ARROW, _ATTENTION, _RESIDUAL])
    frame_data, box_data = alt.Data(values=frames), alt.Data(values=boxes)
    layers = [
        alt.Chart(frame_data)
        .mark_rect(fill=_FRAME_FILL, stroke=_FRAME_STROKE, strokeDash=[4, 3], cornerRadius=8)
        .encode(x=x("x0"), x2=alt.X2("x1"), y=y("y0"), y2=alt.Y2("y1")),
        alt.Chart(frame_data)
        .mark_text(align="left", fontSize=11, fontWeight="bold", color=_SCREEN_COLOR)
        .encode(x=x("lx"), y=y("ly"), text=alt.Text("label:N")),
        alt.Chart(alt.Data(values=segments))
        .mark_rule(strokeWidth=1.5)
        .encode(
            x=x("x"),
            x2=alt.X2("x2"),
            y=y("y"),
            y2=alt.Y2("y2"),
            color=alt.Color("kind:N", scale=kinds, legend=None),
        ),
        alt.Chart(alt.Data(values=heads))
        .mark_point(filled=True, size=50, opacity=1)
        .encode(
            x=x("x"),
            y=y("y"),
            shape=alt.Shape("shape:N", scale=None, legend=None),
            color=alt.Color("kind:N", scale=kinds, legend=None),
        ),
        alt.Chart(box_data)
        .mark_rect(strokeWidth=1.5, cornerRadius=6)
        .encode(
            x=x("x0"),
            x2=alt.X2("x1"),
            y=y("y0"),
            y2=alt.Y2("y1"),
            fill=alt.Fill("fill:N", scale=None),
            stroke=alt.Stroke("stroke:N", scale=None),
            tooltip=alt.Tooltip("tip:N"),
        ),
        alt.Chart(box_data)
        .mark_text(fontSize=12, fontWeight="bold", limit=_TF_BOX_W - 10)
        .encode(x=x("cx"), y=y("y_name"), text=alt.Text("name:N"), color=alt.value(_TEXT_COLOR), tooltip="tip:N"),
        alt.Chart(box_data)
        .mark_text(fontSize=10, limit=_TF_BOX_W - 10)
        .encode(x=x("cx"), y=y("y_screen"), text=alt.Text("screen:N"), color=alt.value(_SCREEN_COLOR), tooltip="tip:N"),
        alt.Chart(alt.Data(values=[{"x": mx, "y": my - 9, "text": memory}]))
        .mark_text(fontSize=11, fontWeight="bold", color=_MEMORY_TEXT)
        .encode(x=x("x"), y=y("y"), text=alt.Text("text:N")),
    ]
    heading = alt.TitleParams(text=title, subtitle=legend or alt.Undefined) if title else alt.Undefined
    return alt.LayerChart(
        layer=layers,
        width=W + 2 * _PAD,
        height=H + 2 * _PAD,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=heading,
        description=title or alt.Undefined,
    )
