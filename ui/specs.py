"""Chart specs, built once per content: a heatmap's Vega-Lite spec with its data as Arrow bytes.

Pages draw through ``ui/layout.py``; this module turns a matrix and its options into the
spec Streamlit sends, cached by a digest of the values (never Streamlit's sampled hash of
a big array), in two bounded caches.
"""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from ui import charts


@st.cache_data(max_entries=16, show_spinner=False)
def flow_spec(steps: tuple[tuple[str, str], ...]) -> dict:
    return charts.flow_diagram(list(steps)).to_dict()


def digest(values: np.ndarray) -> str:
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return hashlib.blake2b(arr.tobytes() + str(arr.shape).encode(), digest_size=16).hexdigest()


_TABLE = "cells"  # the name of a heatmap's per-cell dataset
# A spec of at most this many cells is small (<= ~30 kB): 2,048 are kept. A bigger one (a rect table
# of up to 4,096 cells is ~400 kB, an image 5-90 kB) goes to a 128-entry cache, so the cached specs
# stay under ~110 MB whatever a room of users looks at.
_SMALL_SPEC_CELLS = 256


def _build_heatmap_spec(rows: tuple[str, ...], cols: tuple[str, ...], options: tuple, values: np.ndarray) -> dict:
    """A heatmap's Vega-Lite spec with its data already as Arrow bytes (cached by _heatmap_spec).

    Building an Altair chart and serialising it costs ~5-30 ms; a rerun draws a dozen of
    them. The caches are keyed on a digest of the full array (not Streamlit's sampled hash)
    and small values. The per-cell table (the chart's top-level DataFrame in rect mode) goes
    to Arrow directly: through ``to_dict`` it would be sanitised, turned into records and
    hashed first.
    """
    chart = charts.heatmap(values, list(rows), list(cols), **dict(options))
    datasets = {}
    if isinstance(chart.data, pd.DataFrame):
        datasets[_TABLE] = dataframe_util.convert_anything_to_arrow_bytes(chart.data)
        chart.data = alt.NamedData(name=_TABLE)  # the chart was built for this call: no copy needed
    spec = chart.to_dict(validate=False)  # the chart builders' tests validate against the schema
    for name, data in spec.get("datasets", {}).items():
        datasets[name] = dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(data))
    # Inline layer data (the image and its legend, rules) becomes named datasets too: then the spec
    # without its data is the same whenever only the values change, and Streamlit swaps the data of
    # the chart already drawn instead of building a new Vega view.
    for i, layer in enumerate(spec.get("layer", [])):
        inline = layer.get("data", {}).get("values")
        if inline is not None:
            datasets[f"layer{i}"] = dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(inline))
            layer["data"] = {"name": f"layer{i}"}
    spec["datasets"] = datasets
    return spec


@st.cache_data(max_entries=2048, show_spinner=False)
def _small_heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    return _build_heatmap_spec(rows, cols, options, _values)


@st.cache_data(max_entries=128, show_spinner=False)
def _big_heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    return _build_heatmap_spec(rows, cols, options, _values)


def heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    """The cached spec of a heatmap: keyed on a digest of its values (see _build_heatmap_spec)."""
    cache = _small_heatmap_spec if _values.size <= _SMALL_SPEC_CELLS else _big_heatmap_spec
    return cache(digest, rows, cols, options, _values=_values)


def _digest_of(value, h) -> None:
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        h.update(str((arr.dtype, arr.shape)).encode())
        h.update(arr.tobytes())
    elif isinstance(value, list | tuple):
        h.update(b"(")
        for v in value:
            _digest_of(v, h)
        h.update(b")")
    elif isinstance(value, dict):
        for k in sorted(value):
            h.update(repr(k).encode())
            _digest_of(value[k], h)
    else:
        h.update(repr(value).encode())
    h.update(b"\x1f")


def arguments_digest(*args, **kwargs) -> str:
    """A digest of a chart builder's arguments, arrays by their bytes: the key of its cached spec."""
    h = hashlib.blake2b(digest_size=16)
    _digest_of((args, kwargs), h)
    return h.hexdigest()


@st.cache_data(max_entries=256, show_spinner=False)
def chart_spec(builder: str, digest: str, _args: tuple, _kwargs: dict) -> dict:
    """The Vega-Lite spec of ``charts.<builder>(*args, **kwargs)``, built once per content (``digest``)."""
    return getattr(charts, builder)(*_args, **_kwargs).to_dict(validate=False)
