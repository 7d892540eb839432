"""The vocabulary page driven as people use it: the grid's last row, select-all and Delete,
a cleared number box, the width shrunk and grown, a sentence pasted with an invisible character,
rows pasted from a spreadsheet (with their last line break, over other words), and values typed,
pasted and cleared as text, read in the page's language ("2,5" is 2.5 in Portuguese, refused in English).

The grid is a canvas (glide-data-grid): cells are clicked by position (a 35 px header, then
35 px rows, the row markers first) and read from its accessible mirror (``#glide-cell-C-R``).
"""

from __future__ import annotations

import io

import pytest
from helpers import (
    GRID,
    WARNING,
    as_read,
    chart_numbers,
    chart_titles,
    goto,
    key,
    open_page,
    query,
    rerun,
    signature,
    wait_signature_change,
    wait_signature_equal,
)

pytestmark = pytest.mark.browser

ROW_PX = 35
D1_X = 300  # inside the d1 column, after the row markers and the word column
INFO = "[data-testid='stAlertContentInfo']"
ERROR = "[data-testid='stAlertContentError']"


def grid_box(page) -> dict:
    canvas = page.locator(f"{GRID} [data-testid='stDataFrameResizable']")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    return box


def click_cell(page, row: int, x: float = 60) -> None:
    """Click the grid at row ``row`` (0 = the first word; len(words) = the empty last row)."""
    box = grid_box(page)
    page.mouse.click(box["x"] + x, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)


def cell(page, col: int, row: int) -> str | None:
    return page.locator(GRID).locator(f"#glide-cell-{col}-{row}").text_content()


def words(page) -> list[str]:
    grid_box(page)  # the accessible mirror is filled once the grid is in view
    grid = page.locator(GRID)
    grid.locator("table[role='grid']").wait_for(state="attached")
    out, row = [], 0
    while grid.locator(f"#glide-cell-1-{row}").count():
        out.append(grid.locator(f"#glide-cell-1-{row}").text_content())
        row += 1
    return out


def texts(page, selector: str) -> list[str]:
    return [as_read(t) for t in page.locator(selector).all_inner_texts()]


KEY_DELAY_MS = 60  # a person's typing: glide's editors drop keys that come faster than they render


def type_in_cell(page, text: str) -> None:
    """Type into the selected cell: the first key opens glide's editor, the rest go into it."""
    page.keyboard.type(text[0])
    page.locator(".gdg-input").wait_for()
    type_keys(page, text[1:])


def type_keys(page, text: str) -> None:
    page.keyboard.type(text, delay=KEY_DELAY_MS)
    page.wait_for_timeout(2 * KEY_DELAY_MS)


def paste(page, text: str) -> None:
    """Paste ``text`` into the grid's selected cell with the keyboard, as from a spreadsheet."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    with rerun(page):
        page.keyboard.press("ControlOrMeta+v")


def ink(page, row: int, x_from: float = 0) -> int:
    """Dark pixels in row ``row`` of the grid, right of ``x_from``: text drawn on the canvas (the grid's
    lines and backgrounds are lighter). The accessible mirror does not show what a missing value is drawn as."""
    from PIL import Image

    box = grid_box(page)
    clip = {
        "x": box["x"] + x_from + 4,
        "y": box["y"] + ROW_PX * (row + 1) + 4,
        "width": box["width"] - x_from - 8,
        "height": ROW_PX - 8,
    }
    image = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L")
    return sum(image.histogram()[:200])


def type_into(page, name: str, text: str, submit: str = "Enter") -> None:
    """Select all in a text or number box, type ``text`` (may be empty) and press ``submit``."""
    box = page.locator(f"{key(name)} input")
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    if text:
        page.keyboard.insert_text(text)  # as a paste: the characters arrive as they are
    else:
        page.keyboard.press("Backspace")
    with rerun(page):
        page.keyboard.press(submit)


def test_a_word_typed_into_the_last_row_can_be_used_in_the_sentence(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    assert words(page) == ["the", "cat", "sat", "on"]

    # The click on the empty last row adds a row, which reruns the script at once, and opens
    # an editor in the new row's word cell. The user types as soon as the editor shows, while
    # the script runs: the grid must not be rebuilt under the typing.
    with rerun(page):
        click_cell(page, 4)
        page.locator(".gdg-input").wait_for()
        type_keys(page, "dog")
    assert page.locator(".gdg-input").input_value() == "dog"
    with rerun(page):
        page.keyboard.press("Enter")
    in_grid = "(sel) => !!document.activeElement && !!document.activeElement.closest(sel)"
    assert page.evaluate(in_grid, GRID)  # the keyboard stays in the grid after Enter

    assert words(page)[:5] == ["the", "cat", "sat", "on", "dog"]
    assert "nan" not in words(page)
    info = texts(page, INFO)
    assert len(info) == 1 and "“dog”: 3 of 3 values are still empty" in info[0], info
    assert texts(page, ERROR) == []

    embeddings = signature(page, 0)
    with rerun(page):
        page.get_by_role("button", name="Fill the empty cells").click()
    assert texts(page, INFO) == []
    assert cell(page, 2, 4) not in ("", None)  # d1 of dog has a value now

    type_into(page, "w_sentence", "the dog sat on")
    assert texts(page, ERROR) == []
    after = wait_signature_change(page, 0, embeddings)
    assert "dog" in after


def test_typing_a_new_words_values_by_keyboard(server, browser, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    with rerun(page):
        click_cell(page, 4)
        page.locator(".gdg-input").wait_for()
    type_keys(page, "dog")
    with rerun(page):
        page.keyboard.press("Tab")  # to d1 of the same row
    for value, then in (("0.5", "Tab"), ("2", "Tab"), ("-1", "Enter")):
        type_in_cell(page, value)
        with rerun(page):
            page.keyboard.press(then)
    assert words(page)[4] == "dog"
    assert [cell(page, c, 4) for c in (2, 3, 4)] == ["0.5", "2", "-1"]
    assert texts(page, INFO) == [] and texts(page, ERROR) == []
    type_into(page, "w_sentence", "dog on")
    assert 0.5 in chart_numbers(signature(page, 0)) and texts(page, ERROR) == []
    # the link carries the new word: a new visitor opening it gets the same table and sentence
    page.wait_for_function("() => new URLSearchParams(location.search).get('vocab')?.includes('dog:0.5,2,-1')")
    context, visitor = open_page(browser)
    try:
        goto(visitor, page.url)
        assert words(visitor)[4] == "dog" and [cell(visitor, c, 4) for c in (2, 3, 4)] == ["0.5", "2", "-1"]
        assert 0.5 in chart_numbers(signature(visitor, 0)) and texts(visitor, ERROR) == []
    finally:
        context.close()


def test_deleting_every_row_keeps_the_page_and_the_last_table_comes_back(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    box = grid_box(page)
    page.mouse.move(box["x"] + 15, box["y"] + ROW_PX / 2)
    page.mouse.click(box["x"] + 15, box["y"] + ROW_PX / 2)  # the header's select-all box
    selected = page.locator(GRID).locator("tbody tr[aria-selected='true']")
    selected.nth(3).wait_for(state="attached")  # every word's row is ticked
    with rerun(page):
        page.keyboard.press("Delete")

    assert words(page) == []
    errors = texts(page, ERROR)
    assert any("needs at least one word" in e for e in errors), errors
    assert not any("Something went wrong" in e for e in errors), errors
    assert chart_titles(page)[0].startswith("Embeddings of the sentence")  # the last good table computes

    with rerun(page):
        page.get_by_role("button", name="Restore the last valid table").click()
    assert words(page) == ["the", "cat", "sat", "on"]
    assert texts(page, ERROR) == []


def test_clearing_the_width_box_changes_nothing(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    click_cell(page, 1, x=D1_X)  # cat's d1
    type_in_cell(page, "5")
    with rerun(page):
        page.keyboard.press("Enter")
    assert cell(page, 2, 1) == "5"

    type_into(page, "w_dim", "", submit="Tab")

    assert page.locator(f"{key('w_dim')} input").input_value() == "3"
    assert cell(page, 2, 1) == "5"
    assert [cell(page, c, 2) for c in (2, 3, 4)] == ["0", "0", "1"]  # sat keeps its three columns


def test_shrinking_the_width_warns_and_growing_it_brings_the_values_back(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    type_into(page, "w_dim", "2")
    info = texts(page, INFO)
    assert any("d3" in i and "hidden" in i for i in info), info
    assert page.locator(GRID).locator("#glide-cell-4-2").count() == 0  # no d3 column

    type_into(page, "w_dim", "4")
    assert [cell(page, c, 2) for c in (2, 3, 4, 5)] == ["0", "0", "1", "0"]  # sat's d3 is back, d4 is new
    assert any("are back" in i for i in texts(page, INFO))


def test_a_zero_width_character_in_the_sentence_is_removed_with_a_note(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    type_into(page, "w_sentence", "the\u200b cat sat")
    assert texts(page, ERROR) == []
    info = texts(page, INFO)
    assert any("U+200B ZERO WIDTH SPACE" in i for i in info), info
    assert page.locator(f"{key('w_sentence')} input").input_value() == "the cat sat"


def test_empty_cells_look_empty(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    with rerun(page):
        click_cell(page, 4)  # the empty last row: a new row
        page.locator(".gdg-input").wait_for()
        type_keys(page, "dog")
    with rerun(page):
        page.keyboard.press("Enter")
    assert words(page)[4] == "dog"
    assert ink(page, 0, x_from=D1_X - 20) > 0  # the's numbers are drawn: the measure sees text
    assert ink(page, 4, x_from=D1_X - 20) == 0  # dog's empty values: no grey "None" in them


def test_a_pasted_last_line_break_adds_no_row_and_no_message(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    with rerun(page):
        click_cell(page, 4)  # the empty last row: a new row, its word cell selected
        page.locator(".gdg-input").wait_for()
    page.keyboard.press("Escape")  # out of the cell's editor; the cell stays selected
    paste(page, "dog\t0.5\t2\t-1\n")  # a line copied from a spreadsheet, with its line break
    assert words(page)[:5] == ["the", "cat", "sat", "on", "dog"]
    assert texts(page, INFO) == [] and texts(page, ERROR) == [] and texts(page, WARNING) == []
    assert all(ink(page, row) == 0 for row in range(5, len(words(page))))  # what is left below is empty
    type_into(page, "w_sentence", "dog on")
    assert texts(page, ERROR) == []
    assert 0.5 in chart_numbers(signature(page, 0))


def test_rows_pasted_over_words_say_what_they_replaced_with_a_way_back(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table
    before = signature(page, 0)
    click_cell(page, 1)  # cat's word
    paste(page, "dog\t1\t0\t0\nrun\t0\t1\t0\n")
    assert words(page) == ["the", "dog", "run", "on"]
    assert page.locator(f"{key('w_sentence')} input").input_value() == "the dog run on"
    info = texts(page, INFO)
    assert len(info) == 1 and "Replaced: cat → dog, sat → run." in info[0], info
    assert texts(page, ERROR) == []

    with rerun(page):
        page.get_by_role("button", name="Undo the replacement").click()
    assert words(page) == ["the", "cat", "sat", "on"]
    assert page.locator(f"{key('w_sentence')} input").input_value() == "the cat sat on"
    assert texts(page, INFO) == [] and page.get_by_role("button", name="Undo the replacement").count() == 0
    wait_signature_equal(page, 0, before)  # the charts are the article's again


# --- values typed as text, read in the page's language ------------------------------------------
#
# The grid's number cells parsed a pasted "2,5" as 25 in the browser, before Python saw it. The values
# are text cells now, read by the table's reader in the page's language.


def wait_cell(page, col: int, row: int, text: str) -> None:
    """The grid's accessible mirror follows its canvas a moment after a run: wait for a cell to show ``text``."""
    grid_box(page)
    page.wait_for_function(
        "([sel, id, text]) => document.querySelector(sel)?.querySelector('#' + id)?.textContent === text",
        arg=[GRID, f"glide-cell-{col}-{row}", text],
        timeout=10_000,
    )


def error_messages(page) -> list[str]:
    """The error boxes' messages, without the name of their icon."""
    return [text.split("\n\n")[-1] for text in texts(page, ERROR)]


def wait_link_vocab(page, entry: str) -> None:
    page.wait_for_function(
        "(entry) => (new URLSearchParams(location.search).get('vocab') || '').split(';').includes(entry)", arg=entry
    )


def test_a_decimal_comma_pasted_in_portuguese_is_the_decimal_sign(server, page):
    goto(page, f"{server}/vocabulary?preset=seed&lang=pt")  # the article's table, in Portuguese
    before = signature(page, 0)
    click_cell(page, 1, x=D1_X)  # cat's d1
    paste(page, "2,5")
    wait_link_vocab(page, "cat:2.5,1,0")  # the link holds the vector: 2.5, not 25
    wait_cell(page, 2, 1, "2,5")  # shown as the language writes it
    assert texts(page, ERROR) == [] and texts(page, INFO) == [] and texts(page, WARNING) == []
    embeddings = wait_signature_change(page, 0, before)
    shown = chart_numbers(embeddings, decimal_comma=True)  # the chart writes 2,500
    assert 2.5 in shown and 25 not in shown

    # a new word pasted from a spreadsheet in Portuguese, with its last line break
    click_cell(page, 4)  # the empty last row
    page.locator(".gdg-input").wait_for()
    page.keyboard.press("Escape")
    paste(page, "dog\t0,5\t-1,25\t1e-3\n")
    wait_link_vocab(page, "dog:0.5,-1.25,0.001")
    assert texts(page, ERROR) == []


def test_a_decimal_comma_in_english_is_refused_then_typed_cleared_and_fixed(server, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table, in English
    click_cell(page, 1, x=D1_X)  # cat's d1
    paste(page, "2,5")
    errors = error_messages(page)
    assert errors == [
        "“cat”, column d1: “2,5” has a comma, which in English separates thousands (1,000), not decimals: "
        "the number is unclear. Type it with a decimal point and no comma, such as 2.5 or 1000."
    ], errors
    assert "vocab" not in query(page)  # nothing was read: no 25, no table edited
    wait_cell(page, 2, 1, "2,5")  # what was pasted stays, to be fixed

    type_in_cell(page, "abc")  # the cell is still selected: typing replaces what it holds
    with rerun(page):
        page.keyboard.press("Enter")
    errors = error_messages(page)
    assert errors == [
        "“cat”, column d1: “abc” is not a number. Type a number such as 0.5, -1 or 1e-3, without a thousands separator."
    ], errors

    click_cell(page, 1, x=D1_X)
    with rerun(page):
        page.keyboard.press("Delete")  # cleared
    assert error_messages(page) == [
        "“cat”: 1 empty value, in d1. Type a number in it, or fill it with the button below."
    ]
    assert page.get_by_role("button", name="Fill the empty cells").count() == 1

    type_in_cell(page, "2.5")
    with rerun(page):
        page.keyboard.press("Enter")
    wait_link_vocab(page, "cat:2.5,1,0")
    assert texts(page, ERROR) == [] and texts(page, WARNING) == []
