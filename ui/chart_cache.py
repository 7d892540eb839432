"""The chart-spec cache: Vega-Lite dicts built once per content, with their data as Arrow bytes.

Pages draw through ``ui/draw.py``; this module turns a chart's recipe into the spec Streamlit
sends. Specs are built by ``charts.vega_lite``, which reads no Altair global state (the data
transformer that ``st.altair_chart`` switches, the theme, the 5,000-row limit), so two sessions
building at once each get their own data. Every table goes to Arrow here, once: Streamlit would
otherwise convert a spec's rows to Arrow on every rerun that draws it.

Built specs live in one cache for the whole process, keyed by a digest of their content (never
Streamlit's sampled hash of a big array), bounded by the bytes they hold: SPEC_CACHE_BYTES
(96 MB) for every chart spec together, each dropped SPEC_TTL_S (15 minutes) after it was built.
A hit is the cached dict itself, not a copy: ``st.vega_lite_chart`` copies the top level before
it moves the datasets out, and changes nothing below it but a null colour title, which
``build_spec`` writes as Streamlit would. A spec larger than the whole cache is built and
returned, not kept.
"""

from __future__ import annotations

import hashlib
import sys
import threading

import cachetools
import numpy as np
import pandas as pd
from streamlit import dataframe_util

from ui import charts

SPEC_CACHE_BYTES = 96 * 2**20
SPEC_TTL_S = 900


def spec_nbytes(spec) -> int:
    """The bytes a spec holds: its Arrow datasets and every dict, list and string of the rest."""
    if isinstance(spec, dict):
        return sys.getsizeof(spec) + sum(spec_nbytes(k) + spec_nbytes(v) for k, v in spec.items())
    if isinstance(spec, list | tuple):
        return sys.getsizeof(spec) + sum(spec_nbytes(v) for v in spec)
    return sys.getsizeof(spec)


_SPECS = cachetools.TTLCache(maxsize=SPEC_CACHE_BYTES, ttl=SPEC_TTL_S, getsizeof=spec_nbytes)
_LOCK = threading.Lock()
_BUILDING = threading.Condition(_LOCK)  # one build per key at a time (cachetools' stampede guard)


def _arrow(table: pd.DataFrame | list[dict]) -> bytes:
    return dataframe_util.convert_anything_to_arrow_bytes(
        table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    )


def _null_legend_titles(spec: dict) -> dict:
    """A null colour title at the top level as " ", which ``st.vega_lite_chart`` would otherwise write
    into the (cached) dict it is given: its only change below the top level (streamlit#9339)."""
    color = spec.get("encoding", {}).get("color")
    if isinstance(color, dict):
        if "title" in color and color["title"] is None:
            color["title"] = " "
        legend = color.get("legend")
        if isinstance(legend, dict) and "title" in legend and legend["title"] is None:
            legend["title"] = " "
    return spec


def build_spec(builder: str, *args, **kwargs) -> dict:
    """The spec of ``charts.<builder>(*args, **kwargs)``, built now and not cached: for a chart
    redrawn with new data many times (a live training curve). Draw it with ``st.vega_lite_chart``."""
    return _null_legend_titles(charts.vega_lite(getattr(charts, builder)(*args, **kwargs), _arrow))


@cachetools.cached(_SPECS, key=lambda steps: ("flow", steps), lock=_LOCK, condition=_BUILDING)
def flow_spec(steps: tuple[tuple[str, str], ...]) -> dict:
    return build_spec("flow_diagram", list(steps))


def digest(values: np.ndarray) -> str:
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return hashlib.blake2b(arr.tobytes() + str(arr.shape).encode(), digest_size=16).hexdigest()


def _heatmap_key(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray):
    return ("heatmap", digest, rows, cols, options)


@cachetools.cached(_SPECS, key=_heatmap_key, lock=_LOCK, condition=_BUILDING)
def heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    """The cached spec of a heatmap: keyed on a digest of its values and its small options.

    Building an Altair chart and serialising it is most of what drawing one costs (the README's "A
    rerun on the server" gives the time), and a rerun draws a dozen of them.
    """
    return build_spec("heatmap", _values, list(rows), list(cols), **dict(options))


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


def _chart_key(builder: str, digest: str, _args: tuple, _kwargs: dict):
    return ("chart", builder, digest)


@cachetools.cached(_SPECS, key=_chart_key, lock=_LOCK, condition=_BUILDING)
def chart_spec(builder: str, digest: str, _args: tuple, _kwargs: dict) -> dict:
    """The Vega-Lite spec of ``charts.<builder>(*args, **kwargs)``, built once per content (``digest``)."""
    return build_spec(builder, *_args, **_kwargs)


def clear() -> None:
    """Drop every cached spec (tests)."""
    with _LOCK:
        _SPECS.clear()
