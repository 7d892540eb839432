"""A chart to its Vega-Lite dict without Altair's global state.

``vega_lite(chart)`` turns a chart into its Vega-Lite dict without Altair's global state (its
data transformer, theme and dataset options, which ``st.altair_chart`` switches for a moment
in whatever thread it runs): use it, never ``chart.to_dict()``, in the app.
"""

from __future__ import annotations

import types
from collections.abc import Callable

import altair as alt
import pandas as pd
from altair.utils.data import to_values

from ui.charts._common import NO_VEGA_ARIA

# What Altair's default theme writes into a top-level spec. ``to_dict`` reads the theme from a
# registry of the whole process (``st.altair_chart`` switches it to "none" for its own call), so
# vega_lite() writes these itself: every spec looks the same whoever else is drawing.
_VIEW_DEFAULTS = types.MappingProxyType({"continuousWidth": 300, "continuousHeight": 300})

Dataset = Callable[["pd.DataFrame | list[dict]"], object]


def records(table: pd.DataFrame | list[dict]) -> list[dict]:
    """A dataset as JSON rows (what a file needs): a DataFrame's rows, sanitised as Altair does."""
    return to_values(table)["values"] if isinstance(table, pd.DataFrame) else table


def vega_lite(chart, dataset: Dataset = records) -> dict:
    """A chart built by this package -> its Vega-Lite dict, read from the chart alone.

    ``chart.to_dict()`` consults process-wide registries: it hands a DataFrame to the active
    ``alt.data_transformers`` entry (whose default refuses more than 5,000 rows, and which
    ``st.altair_chart`` replaces, for a moment, by one that sends the rows to its own call),
    inlines tables or not by their ``consolidate_datasets`` flag, refuses to run while
    "vegafusion" is enabled, and merges the active theme. Here every table (a DataFrame, inline
    rows) first becomes a dataset named by its place in the chart ("data-0", "data-1", ...: the
    spec without its data stays the same when only the values change) with ``dataset(table)`` as
    its value (rows by default, Arrow bytes for Streamlit); then the chart is serialised as a
    nested part, which reads no registry, and the default theme's view size is written in.

    The chart is consumed: its tables are replaced by references to the datasets.
    """
    datasets: dict[str, object] = {}
    _name_tables(chart, datasets, dataset, {}, inherited=False)
    leftover: dict[str, object] = {}  # nothing should reach Altair's own consolidation; kept if it does
    spec = chart.to_dict(validate=False, context={"top_level": False, "pre_transform": False, "datasets": leftover})
    for name, table in leftover.items():
        datasets.setdefault(name, dataset(table))
    config = spec.setdefault("config", {})
    view = config.setdefault("view", {})
    for key, value in _VIEW_DEFAULTS.items():
        view.setdefault(key, value)
    _text_alternative(spec, config)
    spec["$schema"] = alt.SCHEMA_URL
    if datasets:
        spec["datasets"] = datasets
    return spec


def _text_alternative(spec: dict, config: dict) -> None:
    """Every spec has a text alternative: a builder writes its ``description`` (``_common._accessible``); one
    that does not gets its title, and Vega's English ARIA (``NO_VEGA_ARIA``) is turned off either way."""
    if not str(spec.get("description") or "").strip():
        title = spec.get("title")
        text = title.get("text") if isinstance(title, dict) else title
        text = " ".join(text) if isinstance(text, list) else str(text or "")
        if text.strip():
            spec["description"] = " ".join(text.split())
    for key, value in NO_VEGA_ARIA.items():
        if isinstance(value, dict):
            config.setdefault(key, {}).update(value)
        else:
            config.setdefault(key, value)


def _table_of(data) -> pd.DataFrame | list | None:
    """The rows of a chart's data if they are a table held in the chart (not a URL, not named)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return data["values"] if "name" not in data and isinstance(data.get("values"), list) else None
    if isinstance(data, alt.SchemaBase) and not isinstance(data, alt.UrlData | alt.NamedData):
        kwds = data._kwds
        plain = all(alt.utils.is_undefined(kwds.get(k, alt.Undefined)) for k in ("name", "format"))
        if plain and isinstance(kwds.get("values"), list):
            return kwds["values"]
    return None


def _name_tables(node, datasets: dict, dataset: Dataset, names: dict, *, inherited: bool) -> None:
    """Replace each table in the chart tree under ``node`` by a named dataset (one per table object)."""
    data = getattr(node, "data", alt.Undefined)
    if alt.utils.is_undefined(data) and isinstance(node, alt.Chart) and not inherited:
        data = names.setdefault("no data", [{}])  # what Altair gives it: one empty row, for datum encodings
    table = _table_of(data)
    if table is not None:
        key = id(data)
        if key not in names:
            names[key] = (data, f"data-{len(names)}")  # the object is held, so its id is not reused
            datasets[names[key][1]] = dataset(table)
        node.data = alt.NamedData(name=names[key][1])
    inherited = inherited or not alt.utils.is_undefined(data)
    for part in ("layer", "hconcat", "vconcat", "concat"):
        subs = getattr(node, part, alt.Undefined)
        if isinstance(subs, list):
            for sub in subs:
                if isinstance(sub, alt.SchemaBase):
                    _name_tables(sub, datasets, dataset, names, inherited=inherited)
    spec = getattr(node, "spec", alt.Undefined)
    if isinstance(spec, alt.SchemaBase):
        _name_tables(spec, datasets, dataset, names, inherited=inherited)
