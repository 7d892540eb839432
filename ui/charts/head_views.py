"""The head view (BertViz's line view): each head's attention as lines from queries to keys."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts._common import (
    ENGLISH,
    HEAD_COLORS,
    ChartInputError,
    NumberFormat,
    _accessible,
    _check_number_format,
    _localized,
)

# Lines the head view draws at most: SVG lines past a few thousand slow every hover in the browser
# (16 heads x 40 tokens have 14,105 weights >= 0.01).
HEAD_VIEW_LINES = 4000


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
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
):
    """BertViz's line view: queries in a left column, keys in a right one, one line per weight.

    weights (H, T, T). A line's opacity and width follow its weight; one colour per head
    (colour-blind-safe, repeating past eight heads); ``heads`` (0-based) picks the heads
    drawn. Hovering a query token keeps only its lines; the legend toggles heads. Weights
    below ``min_weight`` are left out, so a long sentence stays readable; past ``max_lines``
    (default HEAD_VIEW_LINES) each query of each head keeps its k largest (``head_view_lines``),
    and ``cut_note`` (a template with {shown}, {total} and {k}) becomes the subtitle saying so.
    description: the chart's text alternative (its ``aria-label``), by default its title, else its
    heads and tokens named. number_format: how the page's language writes numbers (``NumberFormat``):
    the weights in the tooltips.

    Long because of its many titles and options: its parts are ``head_view_lines`` (which weights become
    lines) and ``_head_lines`` (the lines layer).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 3 or w.shape[1] != w.shape[2] or w.shape[1] != len(tokens):
        raise ChartInputError(f"weights must have shape (H, T, T) with T = {len(tokens)} tokens, but has {w.shape}")
    if not np.isfinite(w).all():
        raise ChartInputError("weights must be finite (draw a masked weight as 0)")
    H, T, _ = w.shape
    number_format = _check_number_format(number_format)
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
    color = alt.Color(
        "head:N",
        title=head_title,
        legend=alt.Legend(symbolOpacity=1, symbolStrokeWidth=3),
        scale=alt.Scale(domain=[names[h] for h in shown], range=[HEAD_COLORS[h % len(HEAD_COLORS)] for h in shown]),
    )
    rules = _head_lines(lines, y, color, hover, titles=(head_title, query_title, key_title, weight_title))
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
    if title:
        chart = chart.properties(title=title)
    words = " ".join(str(x) for x in tokens[:12]) + (" …" if T > 12 else "")
    summary = f"{head_title} × {len(shown)}: {query_title} → {key_title}, {weight_title} ({words})"
    chart = _accessible(chart, description, title if isinstance(title, str) else title.text, summary)
    return _localized(chart, number_format)


def _head_lines(lines: pd.DataFrame, y: alt.Scale, color: alt.Color, hover, *, titles) -> alt.Chart:
    """One rule per weight from its query (left) to its key (right), its opacity and width by the weight;
    faded unless its query is hovered and its head is on in the legend (which this layer binds)."""
    head_title, query_title, key_title, weight_title = titles
    legend = alt.selection_point(name="heads", fields=["head"], bind="legend")
    return (
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
