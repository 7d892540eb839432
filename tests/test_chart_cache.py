"""Chart specs (ui/chart_cache.py) are built without Altair's global state, in one cache bounded by bytes (issue 16, items 5 and 8).

``st.altair_chart`` switches Altair's data transformer and theme for the whole process while it
serialises a chart; a spec built meanwhile in another session's thread must keep its own data.
"""

from __future__ import annotations

import copy
import threading

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ui import chart_cache, charts

ROUNDS = 60


def frame(arrow: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(arrow).read_all().to_pandas()


def loss_spec(offset: float) -> dict:
    curve = offset + np.arange(30.0)
    return chart_cache.build_spec("loss_curve", curve, title="t", step_title="s", loss_title="l")


def heatmap_spec(offset: float) -> dict:
    values = offset + np.arange(12.0).reshape(3, 4)
    options = {"title": "t", "row_title": "r", "col_title": "c", "value_title": "v", "domain": (0.0, 1.0)}
    return chart_cache.build_spec("heatmap", values, list("abc"), list("wxyz"), **options)


def _steal(data, datasets: list):
    """A transformer like Streamlit's: it sends the rows to its own call and leaves a name."""
    datasets.append(data)
    return {"name": "stolen"}


@pytest.fixture
def switching_altair():
    """A thread that switches Altair's global transformer, theme and dataset option as fast as it can."""
    stolen: list = []
    alt.data_transformers.register("steal", _steal)
    stop = threading.Event()

    def switch():
        i = 0
        while not stop.is_set():
            name = ("default", "steal", "vegafusion", "json")[i % 4]
            options = {"datasets": stolen} if name == "steal" else {}
            alt.data_transformers.enable(name, **options)
            alt.theme.enable("none" if i % 2 else "default")
            alt.data_transformers.consolidate_datasets = bool(i % 3)
            i += 1

    switcher = threading.Thread(target=switch, daemon=True)
    switcher.start()
    yield stolen
    stop.set()
    switcher.join(10)
    alt.data_transformers.enable("default")
    alt.theme.enable("default")
    alt.data_transformers.consolidate_datasets = True


@pytest.mark.parametrize("build", [loss_spec, heatmap_spec])
def test_two_threads_each_get_their_own_data_while_altairs_globals_switch(switching_altair, build):
    expected = {offset: build(offset) for offset in (0.0, 1000.0)}
    failures: list[str] = []

    def builder(offset: float) -> None:
        for _ in range(ROUNDS):
            spec = build(offset)
            if spec != expected[offset]:
                failures.append(f"offset {offset}: {sorted(spec.get('datasets', {}))}")

    threads = [threading.Thread(target=builder, args=(offset,)) for offset in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert not switching_altair  # no table ever went through Altair's transformer
    for offset, spec in expected.items():
        data = frame(spec["datasets"][spec["data"]["name"]])
        assert len(data) and data["loss" if "loss" in data else "v"].min() == offset


def test_a_spec_is_the_same_whatever_altairs_globals_say():
    reference = heatmap_spec(0.0)
    alt.data_transformers.enable("vegafusion")
    alt.theme.enable("none")
    alt.data_transformers.consolidate_datasets = False
    try:
        assert heatmap_spec(0.0) == reference
    finally:
        alt.data_transformers.enable("default")
        alt.theme.enable("default")
        alt.data_transformers.consolidate_datasets = True


def test_a_spec_carries_what_to_dict_would_with_every_table_named_and_no_row_limit():
    w = np.full((16, 40, 40), 1 / 40)
    builders = [
        charts.heatmap(
            np.eye(3),
            list("abc"),
            list("abc"),
            title="t",
            row_title="r",
            col_title="c",
            value_title="v",
            domain=(0.0, 1.0),
        ),
        charts.flow_diagram([("x", "embeddings"), ("attn", "attention")]),
        charts.loss_curve({"a": [1.0, 0.5], "b": [2.0, 1.0, 0.1]}, title="t", step_title="s", loss_title="l"),
    ]
    for chart in builders:
        reference = copy.deepcopy(chart).to_dict()
        spec = charts.vega_lite(chart)
        rows = {name: data for name, data in spec.pop("datasets").items()}
        assert all(isinstance(v, list) for v in rows.values())
        assert spec["config"]["view"] == reference.get("config", {}).get("view")
        assert spec["$schema"] == reference["$schema"]
    big = charts.head_view([f"t{i}" for i in range(40)], w, max_lines=25_600, **HEAD_TITLES)
    spec = charts.vega_lite(big)  # 25,600 lines: to_dict() would raise MaxRowsError
    assert len(spec["datasets"][spec["layer"][0]["data"]["name"]]) == 25_600


HEAD_TITLES = {"title": "", "head_title": "H", "query_title": "q", "key_title": "k", "weight_title": "w"}


# ---------------------------------------------------------------------------------------
# the cache: by bytes, a hit is the dict itself, and Streamlit does not change it


def test_the_spec_cache_is_bounded_by_bytes_and_a_hit_is_the_cached_dict():
    assert chart_cache._SPECS.maxsize == chart_cache.SPEC_CACHE_BYTES <= 96 * 2**20
    values = np.arange(20.0 * 20).reshape(20, 20)
    args = (values, tuple("abcdefghijklmnopqrst"), tuple("abcdefghijklmnopqrst"))
    kwargs = {"title": "t", "row_title": "r", "col_title": "c", "value_title": "v", "domain": (0.0, 400.0)}
    key = chart_cache.arguments_digest("heatmap", *args, **kwargs)
    first = chart_cache.chart_spec("heatmap", key, _args=args, _kwargs=kwargs)
    assert chart_cache.chart_spec("heatmap", key, _args=args, _kwargs=kwargs) is first
    size = chart_cache.spec_nbytes(first)
    arrow = sum(len(v) for v in first["datasets"].values())
    assert arrow < size < arrow + 200_000  # the Arrow bytes, and the rest of the dict walked


def test_streamlit_draws_a_cached_spec_without_changing_it():
    def script():
        import numpy as np
        import streamlit as st

        from ui import chart_cache

        for legend_title in (None, "series"):
            curves = {"a": np.arange(3.0), "b": np.arange(4.0)}
            kwargs = {"title": "t", "step_title": "s", "loss_title": "l", "series_title": legend_title}
            key = chart_cache.arguments_digest("loss_curve", curves, **kwargs)
            spec = chart_cache.chart_spec("loss_curve", key, _args=(curves,), _kwargs=kwargs)
            st.session_state.setdefault("specs", []).append((spec, __import__("copy").deepcopy(spec)))
            st.vega_lite_chart(spec, width="content")
            st.vega_lite_chart(spec, width="content", key=f"again-{legend_title}")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    for spec, before in at.session_state["specs"]:
        assert spec == before and "datasets" in spec
