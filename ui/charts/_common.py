"""What every chart builder shares: the input checks, number formatting, and constants.

Every check raises ``ChartInputError`` with a message naming what was expected and what came.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np

# Attention weights live in [0, 1]: pass this as ``domain`` so every head shares one scale.
WEIGHTS_DOMAIN: tuple[float, float] = (0.0, 1.0)
# Okabe-Ito: colour-blind-safe colours of series told apart by colour alone (heads, curves).
HEAD_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_CELL_PX = 36  # cell side of tiny matrices
_MAX_PLOT_PX = 420  # plot area cap per side
_LABEL_SPACING_PX = 14  # minimum distance between two shown axis labels
_LABEL_LIMIT_PX = 90  # long tokens are truncated with an ellipsis
_CHAR_PX = 6.5  # rough width of one label character
_RULE_COLOR = "#6b7280"
_TEXT_COLOR = "#1f2937"


class ChartInputError(ValueError):
    """Bad input to a chart builder; the message names what was expected and what came."""


@dataclass(frozen=True)
class NumberFormat:
    """How the page's language writes a number: its decimal sign and its thousands separator.

    A builder writes the numbers it formats itself (the texts in cells, the tooltips' rounded and
    exact values) with them, and hands them to Vega as the spec's ``config.locale`` for the numbers
    Vega formats (axis and legend ticks, d3-formatted tooltips): "0,25" and "1.500" in Portuguese.
    The default, English, writes nothing into the spec: English charts are as they always were.
    """

    decimal: str = "."
    thousands: str = ","

    @property
    def english(self) -> bool:
        return (self.decimal, self.thousands) == (".", ",")

    def text(self, number: str) -> str:
        """A number written the English way ("-0.25", "1,500", "1.5e-07") written this way."""
        if self.english:
            return number
        return "".join(self.decimal if ch == "." else self.thousands if ch == "," else ch for ch in number)

    def fixed(self, value: float, decimals: int) -> str:
        """``value`` with ``decimals`` decimals ("0,2500"), never "-0,0000"."""
        return self.text(_fmt(value, decimals))

    def exact(self, value: float) -> str:
        """The shortest text that reads back as the same float64 ("0,1", "1,5e-07"), as the CSV writes it."""
        return self.text(repr(float(value)))

    def vega(self) -> dict | None:
        """The ``config.locale`` Vega formats numbers with; None for English (Vega's own default)."""
        if self.english:
            return None
        number = {"decimal": self.decimal, "thousands": self.thousands, "grouping": [3], "currency": ["", ""]}
        return {"number": number}


ENGLISH = NumberFormat()


def _check_number_format(number_format) -> NumberFormat:
    if not isinstance(number_format, NumberFormat):
        raise ChartInputError(f"number_format must be a NumberFormat, but is {number_format!r}")
    return number_format


def _localized(chart, number_format: NumberFormat):
    """The chart with Vega formatting its numbers (ticks, d3-formatted tooltips) as ``number_format``
    says; unchanged for English. Call it after ``_accessible``, which sets the chart's config."""
    locale = _check_number_format(number_format).vega()
    if locale is not None:
        chart.config.locale = alt.Locale(**locale)
    return chart


# Vega's ARIA off: ``aria`` for axes and legends, ``mark.aria`` for each mark container (without it a
# container keeps role=graphics-symbol and no name: axe's svg-img-alt), ``title.aria`` for "Title text '...'".
NO_VEGA_ARIA = {"aria": False, "mark": {"aria": False}, "title": {"aria": False}}


def _accessible(chart, description: str | None, *fallbacks: str | None):
    """The chart with its text alternative and without Vega's own ARIA of marks and axes.

    Vega-Lite's top-level ``description`` becomes the ``aria-label`` of the chart's container
    (canvas or SVG): what a screen reader says for the chart, written by the caller in the page's
    language. The first non-blank of ``description`` and ``fallbacks`` (the title, then the
    builder's own summary) is used, on one line. ``NO_VEGA_ARIA`` leaves out the labels Vega writes
    for each mark, axis, legend and title, which are English and name raw fields ("c: 0; r: 0").
    """
    for text in (description, *fallbacks):
        line = " ".join(str(text).split()) if text is not None else ""
        if line:
            chart.description = line
            chart.config = alt.Config(**NO_VEGA_ARIA)
            return chart
    raise ChartInputError("a chart needs a description (or a title to stand for one), but every one given is blank")


def _autosize() -> alt.AutoSizeParams:
    """Plot area = width x height, axes and legend around it. Without an explicit autosize,
    st.altair_chart sets "fit" and squeezes axes, legend and title into width x height."""
    return alt.AutoSizeParams(type="pad", contains="padding")


# ---------------------------------------------------------------------------------------
# input checks


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


def _value_fields(
    prefix: str, values: np.ndarray, decimals: int, number_format: NumberFormat = ENGLISH
) -> dict[str, list]:
    """Columns ``prefix`` (the float), ``prefix_val`` (rounded text) and ``prefix_exact`` (shortest float64
    repr), the texts written as ``number_format`` says."""
    return {
        prefix: [float(v) for v in values],
        f"{prefix}_val": [number_format.fixed(float(v), decimals) for v in values],
        f"{prefix}_exact": [number_format.exact(v) for v in values],
    }


def _records(columns: dict[str, list]) -> list[dict]:
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _number_labels(values: Sequence[float], number_format: NumberFormat = ENGLISH) -> list[str]:
    """Short text of each number ("0.5", "2"; "0,5" in a decimal-comma language), or the exact repr if
    the short ones would collide."""
    short = [f"{v:g}" for v in values]
    texts = short if len(set(short)) == len(short) else [repr(float(v)) for v in values]
    return [number_format.text(s) for s in texts]


def _fmt(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and not s.strip("-0."):  # "-0.0000" -> "0.0000"
        s = s[1:]
    return s


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
