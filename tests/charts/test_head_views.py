"""The head view: one line per weight, the strongest kept past the line limit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.charts.chart_helpers import softmax_rows, spec
from ui import charts


def test_the_head_view_draws_one_line_per_weight_of_the_chosen_heads():
    w = np.zeros((2, 3, 3))
    w[0] = np.eye(3)
    w[1, :, 0] = 1.0
    chart = charts.head_view(
        ["a", "b", "a"], w, title="t", head_title="Head", query_title="q", key_title="k", weight_title="w"
    )
    spec = chart.to_dict()
    lines = chart.layer[0].data
    assert len(lines) == 6 and set(lines["head"]) == {"Head 1", "Head 2"}
    assert lines[lines["head"] == "Head 2"]["k"].tolist() == [0, 0, 0]
    assert {p["name"] for p in spec["params"]} >= {"query", "heads"} or any(
        p.get("name") in ("query", "heads") for layer in spec["layer"] for p in layer.get("params", [])
    )
    only = charts.head_view(
        ["a", "b", "a"], w, heads=[1], title="t", head_title="Head", query_title="q", key_title="k", weight_title="w"
    )
    assert set(only.layer[0].data["head"]) == {"Head 2"}
    with pytest.raises(charts.ChartInputError, match=r"\(H, T, T\)"):
        charts.head_view(["a"], w, title="t", head_title="H", query_title="q", key_title="k", weight_title="w")


HEAD_VIEW_TITLES = {"title": "", "head_title": "H", "query_title": "q", "key_title": "k", "weight_title": "w"}


def test_the_head_view_at_16_heads_and_40_tokens_keeps_each_querys_strongest_lines(rng):
    H, T = 16, 40
    w = softmax_rows(rng.normal(size=(H, T, T)))
    tokens = [f"t{i}" for i in range(T)]
    total = int((w >= 0.01).sum())
    assert total > 5000  # Altair's to_dict would raise MaxRowsError with them all
    chart = charts.head_view(tokens, w, cut_note="{shown} of {total}, top {k}", **HEAD_VIEW_TITLES)
    lines = chart.layer[0].data
    assert 0 < len(lines) <= charts.HEAD_VIEW_LINES
    assert spec(chart)["title"]["subtitle"] == f"{len(lines)} of {total}, top {len(lines) // (H * T)}"
    per_row = lines.groupby(["head", "q"]).size()
    assert len(per_row) == H * T and per_row.nunique() == 1  # every query of every head keeps k lines
    for (h, i), group in lines.groupby(["head", "q"]):
        row = w[int(h.split()[-1]) - 1, i]
        np.testing.assert_array_equal(np.sort(group["w"].to_numpy()), np.sort(row)[-len(group) :])  # its largest
    small = charts.head_view(tokens[:6], w[:2, :6, :6], cut_note="{shown}", **HEAD_VIEW_TITLES)
    assert len(small.layer[0].data) == int((w[:2, :6, :6] >= 0.01).sum())  # nothing to cut: all, no note
    assert "subtitle" not in json.dumps(spec(small))
