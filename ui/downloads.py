"""Downloads: a page's charts as CSV (their numbers), PNG and SVG, and all of its matrices as one zip.

No streamlit here. ``ui/layout.py`` records a ``Figure`` for every chart it draws (references
only: nothing is converted on a rerun) and offers the files with ``st.download_button(data=<a
zero-argument callable>)``: Streamlit calls it only when the button is clicked, on a thread of its
own with no script context, so these functions must not touch ``st.session_state`` (they take
everything from the Figure) and must be safe to run beside a script run (they only read).

A chart is rebuilt from its recipe with its data inline (the specs Streamlit is sent carry Arrow
bytes, which vl-convert cannot read) and rendered on the server by vl-convert-python.
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.data import to_values

from ui import charts

PNG_SCALE = 2  # pixels per CSS pixel: sharp on slides and high-density screens
_SLUG_CHARS = 60  # longest file-name stem taken from a title


@dataclass(frozen=True, eq=False)
class Table:
    """A chart's numbers: values (R, C) as drawn (-inf = masked), labels, the title of the rows,
    and what a masked cell holds ("-inf" for a score, "0" for an attention weight)."""

    values: np.ndarray
    rows: Sequence[str]
    cols: Sequence[str]
    row_title: str = ""
    masked_value: str = "-inf"


@dataclass(frozen=True, eq=False)
class Figure:
    """One drawn chart: its name (the list of downloads, file names) and the recipe that rebuilds it,
    ``charts.<builder>(*args, **kwargs)``; ``table`` holds its numbers when it is a matrix."""

    name: str
    builder: str
    args: tuple = ()
    kwargs: Mapping = field(default_factory=dict)
    table: Table | None = None


class Figures(list):
    """The figures of one page run, in drawing order; ``panel_drawn`` once the download panel is out."""

    panel_drawn = False


# ---------------------------------------------------------------------------------------
# names


def slug(text: str, fallback: str = "chart") -> str:
    """An ASCII file-name stem: "Q·Kᵀ (1)" -> "q-kt-1", "Cabeça 2" -> "cabeca-2"; ``fallback`` if nothing is left."""
    # each character by its ASCII decomposition ("ç" -> "c", "ᵀ" -> "T"), or a separator ("·", "√")
    ascii_text = "".join(
        unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii") or "-" for ch in str(text)
    )
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_SLUG_CHARS].strip("-")
    return stem or fallback


def file_stem(number: int, name: str) -> str:
    """The name of the ``number``-th (1-based) figure of a page as a file-name stem: "03-head-1"."""
    return f"{number:02d}-{slug(name)}"


def distinct_labels(labels: Iterable, reserved: Iterable[str] = ()) -> list[str]:
    """labels as str, a repeated one suffixed with its 1-based position as the tooltips write it
    ("the (#1)", "the (#5)"); the others unchanged. The result holds no label twice, nor one of ``reserved``."""
    out = [str(x) for x in labels]
    taken = set(reserved)
    counts: dict[str, int] = {}
    for s in out:
        counts[s] = counts.get(s, 0) + 1
    out = [f"{s} (#{i + 1})" if counts[s] > 1 or s in taken else s for i, s in enumerate(out)]
    seen = set(taken)
    for i, s in enumerate(out):  # a typed label could read like a suffixed one: keep suffixing
        while s in seen:
            s += f" (#{i + 1})"
        seen.add(s)
        out[i] = s
    return out


# ---------------------------------------------------------------------------------------
# CSV and zip


def matrix_csv(
    values, rows: Sequence, cols: Sequence, row_title: str = "", masked_value: str = "-inf", comma: bool = False
) -> bytes:
    """values (R, C) -> a CSV file: a header of ``row_title`` and the column labels, then one line per row,
    its label first.

    Encoding: UTF-8 with a byte-order mark, so Excel reads the tokens' accents ("atenção") instead of
    guessing a code page; pandas, LibreOffice and Python's csv (encoding "utf-8-sig") skip the mark.
    Comma-separated, "." decimals, lines ended by CRLF (RFC 4180), fields quoted only when needed.
    ``comma=True`` writes what an Excel set up for Brazil (or most of Europe) opens with a
    double-click: ";"-separated, "," decimals ("0,25", "1,5e-07"), the same digits; read back with
    ``pd.read_csv(f, sep=";", decimal=",", index_col=0)``.
    Values: the shortest text that reads back as the same float64 (``repr``); a masked cell (-inf in
    the drawn array) is written as ``masked_value``: "-inf" for a score, "0" for an attention weight.
    A label that repeats (a token seen twice) gets its position, "the (#1)" and "the (#5)", so every
    row and column has its own name. Read back exactly with
    ``pd.read_csv(f, index_col=0, keep_default_na=False, dtype={0: str})`` (the last two keep a token
    such as "NA" or "1" a text label; ``pd.read_csv(f, index_col=0)`` is enough for ordinary words).
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"values must have 2 axes (rows, columns), but has shape {arr.shape}")
    R, C = arr.shape
    if len(rows) != R or len(cols) != C:
        raise ValueError(f"{len(rows)} row and {len(cols)} column labels for a matrix of shape {arr.shape}")
    header = [str(row_title), *distinct_labels(cols, reserved=(str(row_title),))]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow(header)
    masked = np.isneginf(arr)
    number = (lambda v: repr(v).replace(".", ",")) if comma else repr
    for label, line, line_masked in zip(distinct_labels(rows), arr.tolist(), masked.tolist(), strict=True):
        writer.writerow([label, *(masked_value if m else number(v) for v, m in zip(line, line_masked, strict=True))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_csv(table: Table, comma: bool = False) -> bytes:
    return matrix_csv(table.values, table.rows, table.cols, table.row_title, table.masked_value, comma)


def figure_csv(figure: Figure, comma: bool = False) -> bytes:
    if figure.table is None:
        raise ValueError(f"{figure.name!r} is not a matrix: it has no CSV")
    return table_csv(figure.table, comma)


def zip_csvs(figures: Sequence[Figure], comma: bool = False) -> bytes:
    """One CSV per figure that is a matrix (``matrix_csv``, ``comma`` as there), in a zip (deflated).
    Each is named after its figure's place in ``figures`` (1-based, as the page's list of downloads
    numbers them) and its name: "01-q-k-t-1.csv"."""
    out = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for number, figure in enumerate(figures, start=1):
            if figure.table is None:
                continue
            info = zipfile.ZipInfo(f"{file_stem(number, figure.name)}.csv", date_time=now)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, table_csv(figure.table, comma))
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# pictures

# Drawn alone, a chart of a row of small multiples gets its colour legend back; a click selection
# means nothing in a picture.
_HEATMAP_EXPORT = {"legend": True, "select": None}


def figure_chart(figure: Figure):
    """The Altair chart of a figure, rebuilt, every dataset inline (no row limit: Altair's 5,000 rows
    guard the browser, and this goes to vl-convert)."""
    kwargs = dict(figure.kwargs)
    if figure.builder == "heatmap":
        kwargs.update(_HEATMAP_EXPORT)
    chart = getattr(charts, figure.builder)(*figure.args, **kwargs)
    _inline_frames(chart)
    return chart


def _inline_frames(chart) -> None:
    """Replace every DataFrame in a chart (it was built for this call) by its rows as inline values."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        chart.data = alt.InlineData(values=to_values(data)["values"])
    for part in ("layer", "hconcat", "vconcat", "concat"):
        subs = getattr(chart, part, alt.Undefined)
        if isinstance(subs, list):
            for sub in subs:
                _inline_frames(sub)
    spec = getattr(chart, "spec", alt.Undefined)
    if spec is not alt.Undefined and not isinstance(spec, dict):
        _inline_frames(spec)


def vega_lite(figure: Figure) -> dict:
    """The figure's Vega-Lite spec with its data inline, as vl-convert reads it.

    A line's or rule's ``opacity`` becomes ``strokeOpacity`` (the same picture: they have only a
    stroke): an SVG element with ``opacity`` is composited on a layer of its own, which makes
    rasterising the head view's thousands of lines five times slower.
    """
    spec = figure_chart(figure).to_dict(validate=False)  # the builders' tests validate against the schema
    # Titles are formulas ("Q·Kᵀ/√d_k", "head₁"): in a font without those glyphs the renderer sets the
    # whole title in a serif fallback. DejaVu Sans has them (and falls back to sans-serif where absent).
    spec.setdefault("config", {}).setdefault("title", {}).setdefault("font", _TITLE_FONT)
    _stroke_opacity(spec)
    if figure.builder == "heatmap":
        _solid_cell_strokes(spec, figure.kwargs)
    return spec


def _solid_cell_strokes(spec: dict, options: Mapping) -> None:
    """A heatmap cell's seam-hiding stroke as the cell's own colour, written in its row, with no scale.

    On a scale, vl-convert's Vega-Lite joins the stroke to the colour legend, which then becomes a
    list of symbols instead of a gradient; without a stroke, thin seams show between the cells.
    """
    rows = spec.get("datasets", {}).get(spec.get("data", {}).get("name"))
    if not rows:
        return  # image mode: no cells
    for layer in spec.get("layer", []):
        encoding = layer.get("encoding", {})
        if encoding.get("stroke", {}).get("field") != "vs":
            continue
        colors = charts.hex_colors([row["v"] for row in rows], options["domain"], options.get("scheme", "viridis"))
        for row, color in zip(rows, colors, strict=True):
            row["sc"] = charts.MASKED_COLOR if row.get("masked") else color
        encoding["stroke"] = {"field": "sc", "type": "nominal", "scale": None}


def _stroke_opacity(node) -> None:
    if isinstance(node, list):
        for item in node:
            _stroke_opacity(item)
        return
    if not isinstance(node, dict):
        return
    mark = node.get("mark")
    if isinstance(mark, dict) and mark.get("type") in ("rule", "line"):
        if "opacity" in mark and "strokeOpacity" not in mark:
            mark["strokeOpacity"] = mark.pop("opacity")
        encoding = node.get("encoding", {})
        if "opacity" in encoding and "strokeOpacity" not in encoding:
            encoding["strokeOpacity"] = encoding.pop("opacity")
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        if key in node:
            _stroke_opacity(node[key])


_TITLE_FONT = "DejaVu Sans, sans-serif"
_BIG_PICTURE_ROWS = 5000  # a chart drawing more marks than this is rasterised at scale 1


def _rows(spec: dict) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values() if isinstance(v, list))


def chart_png(figure: Figure, scale: float | None = None) -> bytes:
    """The figure as a PNG, ``scale`` pixels per CSS pixel, rendered by vl-convert (no network access).

    Default scale: PNG_SCALE, or 1 for a chart of more than 5,000 marks (the head view of 16 heads
    over 40 tokens draws 20,000 lines: ~20 s at scale 2, ~5 s at 1; its SVG takes a second).
    """
    import vl_convert  # imported on the first download: the renderer is big and a rerun never needs it

    spec = vega_lite(figure)
    if scale is None:
        scale = 1 if _rows(spec) > _BIG_PICTURE_ROWS else PNG_SCALE
    return vl_convert.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])


def chart_svg(figure: Figure) -> str:
    """The figure as an SVG document, rendered by vl-convert (no network access)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(vega_lite(figure), allowed_base_urls=[])
