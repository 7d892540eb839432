"""Training in the browser: the set-up button, the Train button, the live progress, the trained heads."""

from __future__ import annotations

import pytest
from helpers import as_read, chart_titles, goto, query, rerun

pytestmark = pytest.mark.browser


def test_a_learner_sets_up_trains_two_heads_and_sees_them(server, page):
    goto(page, f"{server}/train?steps=200&preset=seed", min_charts=0)  # the article's table: d_k = 1
    main = page.locator("[data-testid='stMain']")
    assert "d_k = 1" in as_read(main.inner_text())  # the article's 4 words of width 3

    with rerun(page, min_charts=0):
        page.get_by_role("button", name="Set up 10 random words of width 16").click()
    assert query(page).get("dim") == "16" and query(page).get("preset") == "random"

    with rerun(page, timeout=120_000, min_charts=3):
        page.get_by_role("button", name="Train", exact=True).click()
    titles = chart_titles(page)
    assert "Training loss (cross-entropy)" in titles
    assert "Head 1" in titles and "Head 2" in titles
    text = as_read(main.inner_text())
    assert "Held-out accuracy" in text and "Head 2 off:" in text
