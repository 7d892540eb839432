"""Training in the browser: the set-up button, the Train button, the live progress, the trained heads."""

from __future__ import annotations

import json
import re

import pytest
from helpers import as_read, chart_index, chart_titles, goto, key, query, rerun, signature, wait_ready

from ui.i18n import Translator

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


# Each chart's drawing (canvas or SVG) against the st.column it is in, in px: a chart wider than its column
# is cut by Streamlit or runs into the next one.
_OVERFLOWS_JS = """
() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].flatMap(el => {
  const column = el.closest("[data-testid='stColumn']") || el.closest("[data-testid='stMain'] [data-testid='stVerticalBlock']");
  const drawing = el.querySelector('canvas, svg');
  if (!column || !drawing) return [];
  const c = column.getBoundingClientRect(), d = drawing.getBoundingClientRect();
  const title = el.querySelector('svg .role-title text');
  return d.left < c.left - 0.5 || d.right > c.right + 0.5
    ? [{title: title && title.textContent, chart: [d.left, d.right], column: [c.left, c.right]}] : [];
})
"""


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_the_task_and_the_curves_fit_their_columns_on_a_laptop_screen(server, page, lang):
    t = Translator(lang)
    page.set_viewport_size({"width": 1280, "height": 1000})  # the sidebar open: a main column of 820 px
    goto(page, f"{server}/train?task=neighbours&steps=200&lang={lang}", min_charts=0)
    task = page.locator(f"{key('w_task')} input[role='combobox']")
    assert task.input_value() == t("task.neighbours")
    assert task.evaluate("e => e.scrollWidth <= e.clientWidth"), "the task's name is cut"
    train = page.get_by_role("button", name=t("train.go"), exact=True)
    if train.count():  # another test may have trained it in this server already
        with rerun(page, timeout=120_000, min_charts=3):
            train.click()
    wait_ready(page, min_charts=3)
    titles = chart_titles(page)
    assert t("train.loss") in titles and t("train.accuracy_curve") in titles
    assert page.evaluate(_OVERFLOWS_JS) == []
    # The accuracy's ticks as the language writes them (Vega's locale): 100% either way, 0,5 in the loss's.
    loss = signature(page, chart_index(page, t("train.loss")))
    ticks = [x for x in json.loads(loss)["texts"] if re.fullmatch(r"[\d.,]+", x)]
    decimals = [x for x in ticks if not x.isdigit()]
    assert decimals and all(t.number_symbols[0] in x for x in decimals), ticks
