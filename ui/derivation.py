"""The derivation of one attention cell, drawn with its own numbers (core.explain_cell computes them).

Every number is rounded and written as the charts' tooltips write them (4 decimals, with the
language's decimal sign: 0,4754 in Portuguese; a small map writes them in its cells to 2 or 3),
so a learner can find each one on the maps above: the score, the weight and the output row are
cells of those maps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from ui.charts import NumberFormat
from ui.draw import number_format
from ui.i18n import Counted, escape_markdown
from ui.layout import Page

DECIMALS = 4
MAX_KEYS = 16  # rows of a group table; a longer row shows the explained key and the largest weights


def _fmt(value: float, numbers: NumberFormat) -> str:
    """A number as the charts' tooltips write it: 4 decimals, −∞ for a masked score, no "-0.0000"."""
    if value == -np.inf:
        return "−∞"
    return numbers.fixed(float(value), DECIMALS)  # fixed() writes no "-0.0000"


def _label(tokens, k: int) -> str:
    return f"{tokens[k]} (#{k + 1})"


def _shown_group(ex: core.CellExplanation, n: int) -> list[int]:
    """The positions of the group to list: all of them, or the explained one and the largest weights."""
    if n <= MAX_KEYS:
        return list(range(n))
    order = [int(k) for k in np.argsort(-ex.group_weights, kind="stable") if k != ex.position]
    return sorted([ex.position, *order[: MAX_KEYS - 1]])


def _table(rows: dict[str, list[str]], columns: list[str]) -> None:
    """A table of numbers under row and column labels. ``st.table`` renders Markdown in every cell,
    header and index (a token ``![](https://…)`` would load an outside image in every viewer's
    browser): each label and cell is escaped, so typed text shows as typed."""
    frame = pd.DataFrame({escape_markdown(k): [escape_markdown(v) for v in vs] for k, vs in rows.items()})
    frame.index = [escape_markdown(c) for c in columns]
    st.table(frame.T)


def derivation(page: Page, ex: core.CellExplanation, tokens, *, head: int | None, temp: float) -> None:
    """Steps 1-5: q·k, the scale, the mask, the softmax of the group, the output row."""
    t = page.t
    numbers = number_format(t)

    def fmt(value: float) -> str:
        return _fmt(value, numbers)

    qi, kj = _label(tokens, ex.i), _label(tokens, ex.j)
    st.markdown(t("ex.cell", q=qi, k=kj, head=head if head is not None else "—"))
    _score(t, ex, tokens, fmt, temp)
    if ex.is_masked:
        st.warning(t("ex.masked", q=qi, k=kj), icon=":material/block:")
    if ex.fully_masked:
        st.warning(t("ex.fully_masked"), icon=":material/block:")
        return
    _group_softmax(t, ex, tokens, fmt)
    _output_row(t, ex, tokens, fmt)


def _score(t, ex: core.CellExplanation, tokens, fmt, temp: float) -> None:
    """Steps 1-2: q · k term by term, then the scale (the article's code has none)."""
    i, j = ex.i, ex.j
    d = len(ex.q_i)
    cols = [str(c + 1) for c in range(d)]
    _table(
        {
            f"q ({tokens[i]})": [fmt(v) for v in ex.q_i],
            f"k ({tokens[j]})": [fmt(v) for v in ex.k_j],
            "q × k": [fmt(v) for v in ex.products],
        },
        cols,
    )
    terms = " + ".join(fmt(v) for v in ex.products[:8]) + (" + …" if d > 8 else "")
    st.markdown(f"q · k = {terms} = **{fmt(ex.dot)}**")  # numbers only: nothing to escape
    if ex.axis == -1:
        numbers = number_format(t)
        key = "ex.scale_temp" if temp != 1 else "ex.scale"
        st.markdown(
            t(
                key,
                dot=fmt(ex.dot),
                scale=numbers.text(f"{ex.scale:.6g}"),
                scaled=fmt(ex.scaled),
                temp=numbers.text(f"{temp:g}"),
            )
        )
    else:
        st.markdown(t("ex.no_scale", dot=fmt(ex.dot)))


def _group_softmax(t, ex: core.CellExplanation, tokens, fmt) -> None:
    """Step 4: the softmax over the cell's group (the query's row; the article's: the key's column)."""
    qi, kj = _label(tokens, ex.i), _label(tokens, ex.j)
    n = len(ex.group_scores)
    shown = _shown_group(ex, n)
    names = [_label(tokens, k) for k in shown]
    st.markdown(t("ex.softmax_row" if ex.axis == -1 else "ex.softmax_col", q=qi, k=kj, shift=fmt(ex.shift), n=n))
    _table(
        {
            t("ex.score"): [fmt(ex.group_scores[k]) for k in shown],
            f"exp(s − {fmt(ex.shift)})": [fmt(ex.exps[k]) for k in shown],
            t("ex.weight"): [fmt(ex.group_weights[k]) for k in shown],
        },
        names,
    )
    if len(shown) < n:
        st.caption(t("ex.shown", shown=len(shown), n=n))
    st.markdown(
        t(
            "ex.weight_is",
            s=fmt(-np.inf if ex.is_masked else ex.scaled),
            shift=fmt(ex.shift),
            total=fmt(ex.total),
            w=fmt(ex.weight),
        )
    )


def _output_row(t, ex: core.CellExplanation, tokens, fmt) -> None:
    """Step 5: the query's output row, each value row times its weight, and their sum."""
    S = len(ex.row_weights)
    keys = _shown_group_row(ex, S)
    d_v = ex.contributions.shape[1]
    qi = _label(tokens, ex.i)
    st.markdown(t("ex.output" if ex.axis == -1 else "ex.output_tutorial", q=qi, total=fmt(ex.row_weight_sum)))
    rows = {_label(tokens, k): [fmt(ex.row_weights[k]), *(fmt(v) for v in ex.contributions[k][:8])] for k in keys}
    rows["o = Σ"] = ["", *(fmt(v) for v in ex.output_row[:8])]
    _table(rows, ["w", *[f"w·v{c + 1}" for c in range(min(d_v, 8))]])
    if d_v > 8 or len(keys) < S:
        st.caption(t("ex.cut", shown=len(keys), n=S, cols=min(d_v, 8), d=Counted("ex.columns", d_v)))


def _shown_group_row(ex: core.CellExplanation, S: int) -> list[int]:
    if S <= MAX_KEYS:
        return list(range(S))
    order = [int(k) for k in np.argsort(-ex.row_weights, kind="stable")]
    return sorted(order[:MAX_KEYS])
