"""Downloads: a page's charts as CSV (their numbers), PNG and SVG, and all of its matrices as one zip.

No streamlit here. ``ui/draw.py`` records a ``Figure`` for every chart it draws (references
only: nothing is converted on a rerun) and ``ui/layout.py`` offers the files with
``st.download_button(data=<a zero-argument callable>)``: Streamlit calls it only when the button
is clicked, on a thread of its own with no script context, so these functions must not touch
``st.session_state`` (they take everything from the Figure) and must be safe to run beside a
script run (they only read).

A chart is rebuilt from its recipe with its data inline (the specs Streamlit is sent carry Arrow
bytes, which vl-convert cannot read) and rendered on the server by vl-convert-python.

The buttons hand out ``download`` / ``download_zip``: a file past its limit (``LIMITS``: cells of a
CSV or a zip, marks of a picture, counted from the recipe before anything is built) is refused
and its button disabled; any other is built under the process's file slot (``ui/budget.py``: one at a time)
and kept FILE_TTL_S (2 minutes) in a FILE_CACHE_BYTES (32 MB) cache, keyed by its content, so a
double click, or a room saving the same chart, builds it once.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import pickle
import re
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import cachetools
import numpy as np

from ui import budget, charts

PNG_SCALE = 2  # pixels per CSS pixel: sharp on slides and high-density screens
_SLUG_CHARS = 60  # longest file-name stem taken from a title


@dataclass(frozen=True, eq=False)
class Table:
    """A chart's numbers: values (R, C) as drawn (-inf = masked, NaN = no value), labels, the titles of
    the rows and of the columns, and what a masked cell holds ("-inf" for a score, "0" for an attention weight)."""

    values: np.ndarray
    rows: Sequence[str]
    cols: Sequence[str]
    row_title: str = ""
    masked_value: str = "-inf"
    col_title: str = ""


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text) -> str:
    """A text cell as Excel will not run it: "=HYPERLINK(...)", "+1", "-x", "@SUM(1)" get a leading
    "'" (OWASP's rule for CSV injection: Excel shows the text without it); any other text unchanged."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


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
    A label is text typed by a user: one that Excel would run as a formula (``text_cell``) is written
    after a "'", which Excel hides; numbers are written as numbers, a negative one too.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"values must have 2 axes (rows, columns), but has shape {arr.shape}")
    R, C = arr.shape
    if len(rows) != R or len(cols) != C:
        raise ValueError(f"{len(rows)} row and {len(cols)} column labels for a matrix of shape {arr.shape}")
    title = text_cell(row_title)
    header = [title, *distinct_labels([text_cell(c) for c in cols], reserved=(title,))]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow(header)
    masked = np.isneginf(arr)
    number = (lambda v: repr(v).replace(".", ",")) if comma else repr
    labels = distinct_labels([text_cell(r) for r in rows])
    for label, line, line_masked in zip(labels, arr.tolist(), masked.tolist(), strict=True):
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
    """The Altair chart of a figure, rebuilt (for a picture: a heatmap's legend back, no selection)."""
    kwargs = dict(figure.kwargs)
    if figure.builder == "heatmap":
        kwargs.update(_HEATMAP_EXPORT)
    return getattr(charts, figure.builder)(*figure.args, **kwargs)


def vega_lite(figure: Figure) -> dict:
    """The figure's Vega-Lite spec with its data inline, as vl-convert reads it.

    A line's or rule's ``opacity`` becomes ``strokeOpacity`` (the same picture: they have only a
    stroke): an SVG element with ``opacity`` is composited on a layer of its own, which makes
    rasterising the head view's thousands of lines several times slower.
    """
    spec = charts.vega_lite(figure_chart(figure))  # every dataset as rows; no Altair global state, no row limit
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
# A head view of more lines is rasterised at scale 1: its wide translucent lines cost four times as
# much at scale 2 (the rects of a heatmap cost far less: scale 2 at any size). Times: the README.
_PNG_LINES_AT_SCALE_2 = 1000


def _rows(spec: dict) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values() if isinstance(v, list))


def chart_png(figure: Figure, scale: float | None = None) -> bytes:
    """The figure as a PNG, ``scale`` pixels per CSS pixel, rendered by vl-convert (no network access).

    Default scale: PNG_SCALE, or 1 for a head view of more than _PNG_LINES_AT_SCALE_2 lines.
    """
    import vl_convert  # imported on the first download: the renderer is big and a rerun never needs it

    spec = vega_lite(figure)
    if scale is None:
        many_lines = figure.builder == "head_view" and picture_marks(figure) > _PNG_LINES_AT_SCALE_2
        scale = 1 if many_lines else PNG_SCALE
    return vl_convert.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])


def chart_svg(figure: Figure) -> str:
    """The figure as an SVG document, rendered by vl-convert (no network access)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(vega_lite(figure), allowed_base_urls=[])


# ---------------------------------------------------------------------------------------
# what a button may build: limits checked first, one build at a time, a second click served again

# Limits, checked on the figure's recipe before anything is built, so that any file allowed is built
# in a couple of seconds on a 2-core machine: each was set by building the largest it allows (the
# times are in the README's "A shared server"). Past them the button is disabled and says why.
CSV_CELLS = 512 * 4096  # one matrix: the widest any page draws (512 tokens x d_ff 4,096)
ZIP_CELLS = 750_000  # every matrix of a page together
PICTURE_MARKS = 5000  # cells drawn as rects, lines, points of one chart (a matrix drawn as an image: 1)
LIMITS = {"csv": CSV_CELLS, "zip": ZIP_CELLS, "png": PICTURE_MARKS, "svg": PICTURE_MARKS}
# Built files are kept this long, bounded by their bytes, so a double click builds once.
FILE_CACHE_BYTES = 32 * 2**20
FILE_TTL_S = 120

_FILES = cachetools.TTLCache(maxsize=FILE_CACHE_BYTES, ttl=FILE_TTL_S, getsizeof=len)
_FILES_LOCK = threading.Lock()


class TooBig(ValueError):
    """A file past its limit (``LIMITS``): it is not built."""


def picture_marks(figure: Figure) -> int:
    """The marks a figure's picture draws, counted from its recipe without building it: a heatmap's
    cells in rect mode (1 in image mode), a head view's lines, a curve's points; 0 for the small
    charts whose size does not grow with the input (flow diagram, studies)."""
    args, kwargs = figure.args, figure.kwargs
    if figure.builder == "heatmap":
        R, C = np.shape(args[0])
        return 1 if charts.uses_image(R, C, kwargs.get("max_plot")) else R * C
    if figure.builder == "head_view":
        weights = np.asarray(args[1] if len(args) > 1 else kwargs["weights"], dtype=np.float64)
        heads = kwargs.get("heads")
        shown = sorted({int(h) for h in heads}) if heads is not None else list(range(len(weights)))
        keep, _ = charts.head_view_lines(weights[shown], kwargs.get("min_weight", 0.01), kwargs.get("max_lines"))
        return int(np.count_nonzero(keep))
    if figure.builder == "loss_curve":
        losses = args[0] if args else kwargs["losses"]
        curves = losses.values() if isinstance(losses, Mapping) else [losses]
        return sum(len(charts.curve_steps(len(curve))) for curve in curves)
    return 0


def file_size(kind: str, figures: Figure | Sequence[Figure]) -> int:
    """What ``LIMITS[kind]`` counts for this file: cells (csv, zip) or marks (png, svg)."""
    if kind == "zip":
        return sum(f.table.values.size for f in figures if f.table is not None)
    if kind == "csv":
        return figures.table.values.size if figures.table is not None else 0
    return picture_marks(figures)


def refusal(kind: str, figures: Figure | Sequence[Figure]) -> tuple[int, int] | None:
    """(size, limit) when the file is past its limit, else None: the button says so instead."""
    size, limit = file_size(kind, figures), LIMITS[kind]
    return (size, limit) if size > limit else None


def _table_parts(table: Table | None) -> tuple | None:
    if table is None:
        return None
    return (table.values, tuple(table.rows), tuple(table.cols), table.row_title, table.masked_value)


def _content_key(kind: str, comma: bool, figures: Sequence[Figure]) -> str | None:
    """A digest of everything a file is built from (None when it cannot be taken: no caching)."""
    parts = [(f.name, f.builder, f.args, sorted(f.kwargs.items()), _table_parts(f.table)) for f in figures]
    try:
        data = pickle.dumps((kind, comma, parts), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _built(key: str | None, build: Callable[[], bytes | str]) -> bytes | str:
    """``build()``'s file, from the cache, or built under the process's heavy-work slot and kept."""
    if key is not None:
        with _FILES_LOCK:
            hit = _FILES.get(key)
        if hit is not None:
            return hit
    with budget.slot(files=True):
        if key is not None:
            with _FILES_LOCK:
                hit = _FILES.get(key)  # built by the first of two clicks while this one waited
            if hit is not None:
                return hit
        data = build()
    if key is not None:
        with _FILES_LOCK, contextlib.suppress(ValueError):  # ValueError: larger than the whole cache
            _FILES[key] = data
    return data


_BUILDERS = {
    "csv": lambda figure, comma: figure_csv(figure, comma),
    "png": lambda figure, comma: chart_png(figure),
    "svg": lambda figure, comma: chart_svg(figure),
}


def download(kind: str, figure: Figure, comma: bool = False) -> bytes | str:
    """The file a button hands out ("csv", "png" or "svg"): refused past its limit (TooBig), else built
    once under ``budget.slot(files=True)`` and kept FILE_TTL_S for the next click on the same content."""
    if (too_big := refusal(kind, figure)) is not None:
        raise TooBig(f"{figure.name!r} as {kind} has {too_big[0]}, past the limit of {too_big[1]}")
    return _built(_content_key(kind, comma, [figure]), lambda: _BUILDERS[kind](figure, comma))


def download_zip(figures: Sequence[Figure], comma: bool = False) -> bytes:
    """``zip_csvs(figures, comma)`` as ``download`` hands out a file: limited, built once, kept."""
    figures = tuple(figures)
    if (too_big := refusal("zip", figures)) is not None:
        raise TooBig(f"the zip would hold {too_big[0]} cells, past the limit of {too_big[1]}")
    return _built(_content_key("zip", comma, figures), lambda: zip_csvs(figures, comma))


def clear_files() -> None:
    """Drop every kept file (tests)."""
    with _FILES_LOCK:
        _FILES.clear()
