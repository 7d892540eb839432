"""Explain a cell by clicking it: the derivation appears with the map's numbers, and the link carries the cell."""

from __future__ import annotations

import pytest
from helpers import CHART, as_read, chart_index, goto, query, rerun

pytestmark = pytest.mark.browser

CELL_RECTS = "svg g.mark-rect.role-mark >> nth=0 >> path"  # the first rect layer: one per cell, row-major


def click_cell(page, title: str, row: int, col: int, n_cols: int) -> None:
    chart = page.locator(CHART).nth(chart_index(page, title))
    chart.scroll_into_view_if_needed()
    cell = chart.locator(CELL_RECTS).nth(row * n_cols + col)
    box = cell.bounding_box()
    assert box is not None
    with rerun(page):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize(("mode", "title"), [("paper", "softmax (1)"), ("tutorial", "softmax(E·Eᵀ, axis=0)")])
def test_clicking_a_weight_explains_it_with_the_same_number(server, page, mode, title):
    goto(page, f"{server}/self-attention?mode={mode}")
    assert page.get_by_text("Click a cell of the scores or weights map").count() == 1

    click_cell(page, title, row=2, col=1, n_cols=4)  # query sat, key cat

    main = as_read(page.locator("[data-testid='stMain']").inner_text())
    assert "sat (#3) looks at key cat (#2)" in main
    assert query(page).get("cell") == "3,2"
    step4 = next(line for line in main.splitlines() if line.startswith(("Step 4", "Passo 4")))
    weight = step4.rsplit("=", 1)[1].split(",")[0].strip()
    chart_text = page.locator(CHART).nth(chart_index(page, title)).inner_text()
    assert f"{float(weight):.2f}" in chart_text  # the derived weight is the number in the map's cell (2 decimals)


def pick(page, name: str, option: str) -> None:
    box = page.get_by_role("combobox", name=name)
    box.scroll_into_view_if_needed()  # the list opens below the box: it must be on screen
    box.click()
    with rerun(page):
        page.get_by_role("option", name=option).click()


def test_the_articles_weight_sat_to_sat_picked_in_portuguese(server, page):
    goto(page, f"{server}/self-attention?mode=tutorial&lang=pt")
    pick(page, "Consulta (linha)", "3 · sat")  # a query alone is explained with itself as the key
    main = as_read(page.locator("[data-testid='stMain']").inner_text())
    assert "0,4754" in main and "eixo 0" in main  # the article's printed 0.475367, as Portuguese writes it
    assert query(page).get("cell") == "3,3"
    pick(page, "Chave (coluna)", "2 · cat")
    assert query(page).get("cell") == "3,2"
