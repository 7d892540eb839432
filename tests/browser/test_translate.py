"""/translate in the browser: train the translator, translate a sentence, read one step's cross-attention;
add a noun to the lexicon grid as a person does, and delete a row.

The lexicon grids are canvases (glide-data-grid), as the vocabulary's: cells are clicked by position
(a 35 px header, then 35 px rows) and read from the grid's accessible mirror (``#glide-cell-C-R``).
"""

from __future__ import annotations

import pytest
from helpers import as_read, chart_index, chart_numbers, chart_titles, goto, key, rerun, signature

pytestmark = pytest.mark.browser

ROW_PX = 35
KEY_DELAY_MS = 60  # a person's typing: glide's editors drop keys that come faster than they render
ERROR = "[data-testid='stAlertContentError']"
NOUNS = "[class*='st-key-lexicon_editor_nouns_'] [data-testid='stDataFrame']"
VERBS = "[class*='st-key-lexicon_editor_verbs_'] [data-testid='stDataFrame']"


def type_into(page, name: str, text: str) -> None:
    box = page.locator(f"{key(name)} input")
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)
    with rerun(page, timeout=60_000, min_charts=0):
        page.keyboard.press("Enter")


def train(page, min_charts: int = 4) -> None:
    with rerun(page, timeout=120_000, min_charts=min_charts):
        page.get_by_role("button", name="Train the translator").click()


def test_a_learner_trains_translates_and_reads_a_steps_cross_attention(server, page):
    goto(page, f"{server}/translate?seed=4101", min_charts=0)
    main = page.locator("[data-testid='stMain']")
    assert "Press the button: 300 steps" in as_read(main.inner_text())
    train(page)
    text = as_read(main.inner_text())
    assert "Held-out exact match" in text and "The 512 sentences held out of training" in text
    assert "Training loss (cross-entropy)" in chart_titles(page)

    type_into(page, "w_translate_source", "a small bird slept near the big house")
    assert page.locator(ERROR).count() == 0
    text = as_read(main.inner_text())
    assert "The translator wrote “um pássaro pequeno dormiu perto da casa grande”" in text
    # step 3 writes the adjective "pequeno": its cross-attention over the English words is drawn
    for _ in range(2):  # as a keyboard user moves the step slider's thumb
        page.locator(".st-key-w_tstep").get_by_role("slider").focus()
        with rerun(page, min_charts=4):
            page.keyboard.press("ArrowRight")
    assert "Step 3 of 8 writes pequeno" in as_read(main.inner_text())
    i = chart_index(page, "Step 3 writes “pequeno”: cross-attention")
    sig = signature(page, i)
    assert "small" in sig and "house" in sig  # the English words on its columns, heads on rows
    weights = [v for v in chart_numbers(sig) if 0 <= v <= 1]
    assert len(weights) >= 2 * 8  # a weight in every cell: 2 heads x 8 English words (and the legend's)


def nouns(page) -> list[str]:
    grid = page.locator(NOUNS)
    grid.scroll_into_view_if_needed()
    grid.locator("table[role='grid']").wait_for(state="attached")
    out, row = [], 0
    while grid.locator(f"#glide-cell-1-{row}").count():
        out.append(grid.locator(f"#glide-cell-1-{row}").text_content())
        row += 1
    return out


def click_row(page, selector: str, row: int, x: float = 60) -> None:
    canvas = page.locator(f"{selector} [data-testid='stDataFrameResizable']")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)


def test_a_learner_adds_mouse_to_the_lexicon_and_deletes_a_verb(server, page):
    goto(page, f"{server}/translate?seed=4102&steps=60", min_charts=0)
    page.get_by_text("Edit the words the translator learns").click()
    assert nouns(page)[:2] == ["cat", "dog"]
    # the empty last row: a click adds a row (a rerun) and opens the English cell; then Tab, Tab across
    with rerun(page, min_charts=0):
        click_row(page, NOUNS, 8)
        page.locator(".gdg-input").wait_for()
        page.keyboard.type("mouse", delay=KEY_DELAY_MS)
    with rerun(page, min_charts=0):
        page.keyboard.press("Tab")
    page.keyboard.type("r")
    page.locator(".gdg-input").wait_for()
    page.keyboard.type("ato", delay=KEY_DELAY_MS)
    with rerun(page, min_charts=0):
        page.keyboard.press("Tab")
    # the gender: a select cell, opened by Enter, "m" picked
    page.keyboard.press("Enter")
    page.get_by_role("option", name="m", exact=True).click()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('lexicon')?.includes('mouse:rato:m')", timeout=20_000
    )
    assert nouns(page)[8] == "mouse"
    assert page.locator(ERROR).count() == 0

    # delete the first verb: tick its row marker, then Delete
    grid = page.locator(f"{VERBS} [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + ROW_PX * 1.5)
    with rerun(page, min_charts=0):
        page.keyboard.press("Delete")
    page.wait_for_function(
        "() => !new URLSearchParams(location.search).get('lexicon')?.includes('sat:sentou')", timeout=20_000
    )
    assert "mouse:rato:m" in page.evaluate("() => new URLSearchParams(location.search).get('lexicon')")

    train(page, min_charts=2)  # the curves; the default sentence has "sat", deleted: a message names it
    assert "Not in the lexicon: sat" in as_read(page.locator(ERROR).first.inner_text())
    type_into(page, "w_translate_source", "the mouse slept on the mat")  # the new word: it translates
    assert page.locator(ERROR).count() == 0
    assert any(t and t.startswith("Step 1 writes") for t in chart_titles(page))
