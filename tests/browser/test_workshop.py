"""The guided lesson driven as a learner and a host drive it: pick an answer, reveal it, go on;
open a step in the explorer; the host's projector view; a link that carries an edited table.

Expected texts come from the catalogue (``ui.i18n.CATALOGUE``) and the right answers from
``ui.lesson.question``, which works them out on the numbers the step's charts draw.
Set ``LESSON_SHOTS=/some/dir`` to save screenshots of the host view and of a revealed step.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from helpers import (
    GRID,
    SIDEBAR,
    as_read,
    chart_count,
    chart_numbers,
    goto,
    key,
    open_page,
    query,
    rerun,
    selectbox_value,
    signature,
    title,
    warnings,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import core
from ui import lesson, share
from ui.i18n import CATALOGUE, Translator

pytestmark = pytest.mark.browser

MAIN = "[data-testid='stMain']"
SUCCESS = "[data-testid='stAlertContentSuccess']"
RADIO_OPTION = f"{MAIN} [data-testid='stRadioOption']"
SHOTS = os.environ.get("LESSON_SHOTS")


def text(key_name: str, lang: str = "en", **args) -> str:
    """A catalogue string as the page shows it: arguments filled in, Markdown bold and italic marks gone."""
    return CATALOGUE[key_name][lang].format(**args).replace("*", "")


NUMBER = {s.id: n for n, s in enumerate(lesson.STEPS, start=1)}  # steps named by id, not by place


def heading(n: int, lang: str = "en") -> str:
    """A step's heading as the page numbers it: "3 · Softmax: from scores to weights"."""
    return f"{n} · {text(lesson.title_key(lesson.STEPS[n - 1]), lang)}"


def figures(page) -> int:
    """The charts and tables of the lesson."""
    return chart_count(page) + page.locator(f"{MAIN} [data-testid='stTable']").count()


def main_text(page) -> str:
    return as_read(page.locator(MAIN).inner_text())


def shot(page, name: str) -> None:
    """The whole page (Streamlit scrolls inside its own container: the window grows to show it all)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 6000))})
    try:
        page.wait_for_timeout(300)  # charts redraw at the new size
        page.screenshot(path=str(Path(SHOTS) / name))
    finally:
        page.set_viewport_size(size)


def button(page, catalogue_key: str, lang: str = "en"):
    return page.locator(MAIN).get_by_role("button", name=CATALOGUE[catalogue_key][lang])


def labels(step: lesson.Step, lang: str = "en") -> list[str]:
    """The options as the radio shows them: "A. the", "B. cat", ..."""
    t = Translator(lang)
    q = lesson.question(step, lang)
    return [f"{chr(65 + i)}. {t.notice(o, raw=True)}".replace("*", "") for i, o in enumerate(q.options)]


def wait_step(page, n: int) -> None:
    """The URL says step=n (the button's callback writes it) and the page shows step n."""
    page.wait_for_function("(n) => new URLSearchParams(location.search).get('step') === n", arg=str(n), timeout=10_000)
    page.locator(MAIN).get_by_role("heading", name=heading(n), exact=True).wait_for()


def answer_step(page, n: int, pick: int) -> None:
    """On step n: read the question, pick option ``pick``, reveal; checks the verdict and the chart it brings."""
    step = lesson.STEPS[n - 1]
    q = lesson.question(step)
    options = labels(step)

    assert as_read(text(f"lesson.{step.id}_q", **q.facts)) in main_text(page)
    assert as_read(page.locator(MAIN).locator("h4").first.inner_text()) == text(f"lesson.{step.id}_q", **q.facts)
    assert [as_read(t) for t in page.locator(RADIO_OPTION).all_inner_texts()] == options
    reveal = button(page, "lesson.reveal")
    assert reveal.is_disabled()  # nothing picked yet
    assert page.locator(SUCCESS).count() == 0 and warnings(page) == []
    figures_before = figures(page)
    why = text(f"lesson.{step.id}_why", **q.facts)
    assert why not in main_text(page)

    with rerun(page, min_charts=0):
        page.locator(RADIO_OPTION).filter(has_text=options[pick]).click()
    assert page.locator(f"{MAIN} input[type='radio']:checked").get_attribute("value") == str(pick)
    assert reveal.is_enabled()

    with rerun(page, min_charts=0):
        reveal.click()
    answer = options[q.answer]
    if q.is_right(pick):
        verdict = [as_read(t) for t in page.locator(SUCCESS).all_inner_texts()]
        assert len(verdict) == 1 and text("lesson.right", answer=options[pick]) in verdict[0], verdict
        assert warnings(page) == []
    else:
        verdict = warnings(page)
        assert len(verdict) == 1 and text("lesson.wrong", answer=answer, picked=options[pick]) in verdict[0], verdict
        assert page.locator(SUCCESS).count() == 0
    assert button(page, "lesson.reveal").count() == 0
    assert page.locator(f"{MAIN} input[type='radio']").first.is_disabled()  # the answer is given
    assert why in main_text(page)
    assert figures(page) > figures_before, f"step {n}: no chart or table came with the answer"


def test_a_learner_follows_the_lesson_and_keeps_score(server, page):
    goto(page, f"{server}/lesson?step=1")
    assert title(page) == text("lesson.title")
    assert text("lesson.progress", n=1, total=lesson.COUNT) in main_text(page)
    assert button(page, "lesson.back").is_disabled()

    # Step 1 right, step 2 wrong, step 3 right.
    picks = {1: lesson.question(lesson.STEPS[0]).answer}
    wrong_q = lesson.question(lesson.STEPS[1])
    picks[2] = next(i for i in range(len(wrong_q.options)) if not wrong_q.is_right(i))
    picks[3] = lesson.question(lesson.STEPS[2]).answer
    right = 0
    for n in (1, 2, 3):
        answer_step(page, n, picks[n])
        right += lesson.question(lesson.STEPS[n - 1]).is_right(picks[n])
        assert text("lesson.score", right=right, n=n) in main_text(page)
        if n == 3:
            shot(page, "revealed_step3.png")
        with rerun(page, min_charts=0):
            button(page, "lesson.next").click()
        wait_step(page, n + 1)
        assert query(page).get("step") == str(n + 1)
        assert text("lesson.progress", n=n + 1, total=lesson.COUNT) in main_text(page)
        assert button(page, "lesson.reveal").is_disabled()  # a new question, nothing picked
    assert text("lesson.score", right=2, n=3) in main_text(page)

    # Back to step 2: the wrong answer stays given, with its warning; the score does not change.
    for n in (3, 2):
        with rerun(page, min_charts=0):
            button(page, "lesson.back").click()
        wait_step(page, n)
    answer = labels(lesson.STEPS[1])[wrong_q.answer]
    picked = labels(lesson.STEPS[1])[picks[2]]
    assert any(text("lesson.wrong", answer=answer, picked=picked) in w for w in warnings(page))
    assert page.locator(f"{MAIN} input[type='radio']:checked").get_attribute("value") == str(picks[2])
    assert button(page, "lesson.reveal").count() == 0
    assert text("lesson.score", right=2, n=3) in main_text(page)


def test_the_content_step_predicted_wrong_then_sentence_b_shows_the_head_following_the_word(server, page):
    """Step 14 as a learner who expects a convolution: "column 2 again" is wrong, and the reveal draws
    sentence B, whose head 1 map lights up the columns of the word it followed."""
    n = NUMBER["content"]
    goto(page, f"{server}/lesson?step={n}")  # trains the heads on "highest" the first time (about a second)
    wait_step(page, n)
    step = lesson.STEPS[n - 1]
    q = lesson.question(step)
    same = next(i for i, o in enumerate(q.options) if o.key == "lesson.content_same")
    assert not q.is_right(same)
    answer_step(page, n, same)
    scene = lesson.scene(step)
    _, b, _ = step.sentences(scene)
    assert text("lesson.content_sentence", name="B", sentence=" ".join(b)).replace("*", "") in main_text(page)
    assert chart_count(page) == 4  # A's two heads, then B's


def test_open_the_causal_mask_step_in_the_explorer(server, page):
    goto(page, f"{server}/lesson?step={NUMBER['mask']}")
    # the step's view is its own: the sidebar offers no mask (nor any setting but the language) and says why
    assert page.locator(f"{SIDEBAR} {key('w_mask')}").count() == 0
    assert page.locator(f"{SIDEBAR} {key('w_lang')}").count() == 1
    assert page.get_by_text(text("sidebar.own_view")).is_visible()

    with rerun(page):
        button(page, "lesson.open").click()
    page.wait_for_url("**/self-attention?**")
    assert title(page) == text("sa.title")
    params = query(page)
    assert params.get("mask") == "causal" and params.get("heads") == "1", params
    assert "step" not in params
    assert selectbox_value(page, "w_mask") == CATALOGUE["mask.causal"]["en"]
    assert page.locator(f"{SIDEBAR} {key('w_mask')} [role='combobox']").is_visible()


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_the_host_view_shows_the_question_large_then_the_answer(server, page, lang):
    n = NUMBER["row"]
    step = lesson.STEPS[n - 1]
    q = lesson.question(step, lang)
    options = labels(step, lang)
    goto(page, f"{server}/lesson?step={n}&host=1&lang={lang}")

    assert page.locator(f"{MAIN} [data-testid='stRadio']").count() == 0
    assert button(page, "lesson.reveal", lang).count() == 0
    h2 = [as_read(h) for h in page.locator(f"{MAIN} h2").all_inner_texts()]
    assert text(f"lesson.{step.id}_q", lang, **q.facts) in h2, h2
    h3 = [as_read(h) for h in page.locator(f"{MAIN} h3").all_inner_texts()]
    assert all(o in h3 for o in options), h3
    answer_heading = text("lesson.answer_is", lang, answer=options[q.answer])
    assert answer_heading not in h2
    show = button(page, "lesson.show_answer", lang)
    assert show.is_visible() and show.is_enabled()
    charts_before = chart_count(page)

    with rerun(page):
        show.click()
    h2 = [as_read(h) for h in page.locator(f"{MAIN} h2").all_inner_texts()]
    assert answer_heading in h2, h2
    assert button(page, "lesson.show_answer", lang).count() == 0
    assert chart_count(page) > charts_before
    assert query(page).get("host") == "1" and query(page).get("step") == str(n)
    shot(page, f"host_step{n}_{lang}.png")


ROW_PX = 35  # the grid: a 35 px header, then 35 px rows
D1_X = 300  # inside the d1 column, after the row markers and the word column
KEY_DELAY_MS = 60  # glide's editors drop keys that come faster than they render


def test_a_shared_link_carries_the_edited_table_to_a_new_visitor(server, browser, page):
    goto(page, f"{server}/vocabulary?preset=seed")  # the article's table (paper mode starts on random vectors)
    assert "vocab" not in query(page)
    grid = page.locator(GRID)
    assert grid.locator("#glide-cell-1-1").text_content() == "cat"
    assert grid.locator("#glide-cell-2-1").text_content() == "0"

    # Select cat's d1 and type 5, as a person does (the first key opens glide's editor).
    canvas = grid.locator("[data-testid='stDataFrameResizable']")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    for attempt in range(3):  # a click while the grid is still settling can miss the cell: try again
        page.mouse.click(box["x"] + D1_X, box["y"] + 2 * ROW_PX + ROW_PX / 2)
        page.keyboard.type("5")
        try:
            page.locator(".gdg-input").wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            assert attempt < 2, "glide's editor never opened on cat's d1"
            page.keyboard.press("Escape")
            box = canvas.bounding_box()
    page.wait_for_timeout(2 * KEY_DELAY_MS)
    with rerun(page):
        page.keyboard.press("Enter")
    assert grid.locator("#glide-cell-2-1").text_content() == "5"

    seed = core.seed_vocabulary()
    vectors = seed.vectors.copy()
    vectors[seed.words.index("cat"), 0] = 5
    expected = share.encode_vocab(core.Vocabulary(seed.words, vectors))
    page.wait_for_function("() => new URLSearchParams(location.search).has('vocab')", timeout=10_000)
    assert query(page).get("vocab") == expected
    assert page.locator(SIDEBAR).get_by_text(text("share.link_table")).is_visible()
    url = page.url

    context, visitor = open_page(browser)  # a new visitor: their own cookies, a new session
    try:
        goto(visitor, url)
        assert title(visitor) == text("vocab.title")
        assert warnings(visitor) == []
        visitor_grid = visitor.locator(GRID)
        visitor_grid.scroll_into_view_if_needed()
        visitor_grid.locator("table[role='grid']").wait_for(state="attached")
        assert visitor_grid.locator("#glide-cell-1-1").text_content() == "cat"
        assert visitor_grid.locator("#glide-cell-2-1").text_content() == "5"
        assert 5.0 in chart_numbers(signature(visitor, 0))  # the sentence's embeddings use the table
        assert query(visitor).get("vocab") == expected
        assert visitor.locator(SIDEBAR).get_by_text(text("share.link_table")).is_visible()
    finally:
        context.close()


def test_a_step_outside_the_lesson_is_named_and_the_last_step_shown(server, page):
    goto(page, f"{server}/lesson?step=99")
    expected = text("lesson.step_outside", value="99", n=lesson.COUNT, used=lesson.COUNT)
    notes = warnings(page)
    assert len(notes) == 1 and expected in notes[0], notes
    headings = [as_read(h) for h in page.locator(f"{MAIN} h3").all_inner_texts()]
    assert heading(lesson.COUNT) in headings, headings
    assert text("lesson.progress", n=lesson.COUNT, total=lesson.COUNT) in main_text(page)
    assert button(page, "lesson.next").is_disabled()


# --- saving charts, numbers and the session ----------------------------------------------------


def saving_on(page, lang: str = "en") -> None:
    """Switch on the sidebar's "Save charts, numbers or this session", as a person clicks it."""
    with rerun(page):
        page.locator(SIDEBAR).get_by_text(text("share.toggle", lang)).click()


def download(page, name: str):
    """Click a sidebar button and return the file it downloads: (suggested name, bytes)."""
    with page.expect_download() as info:
        page.locator(SIDEBAR).get_by_role("button", name=name).first.click()
    item = info.value
    return item.suggested_filename, Path(item.path()).read_bytes()


def test_a_chart_downloads_as_csv_png_and_svg_and_a_page_as_a_zip(server, page):
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    import pandas as pd

    from ui import compute, state

    goto(page, f"{server}/multi-head?preset=seed")
    assert page.locator(SIDEBAR).get_by_text(text("dl.title")).count() == 0  # drawn only when asked for
    saving_on(page)
    assert page.locator(SIDEBAR).get_by_text(text("dl.title")).is_visible()

    name, data = download(page, "CSV")  # the first chart: head 1's weights
    assert name == "multi-head-01-head-1-weight.csv"
    table = pd.read_csv(io.BytesIO(data), index_col=0, keep_default_na=False, dtype={0: str})
    result = compute.current_pass(dataclasses.replace(state.DEFAULTS, preset="seed"), core.seed_vocabulary())
    assert list(table.index) == list(table.columns) == ["the", "cat", "sat", "on"]
    assert (table.to_numpy() == result.attention.weights[0]).all()  # to the last digit

    name, data = download(page, "PNG")
    assert name.endswith(".png") and data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
    name, data = download(page, "SVG")
    assert name.endswith(".svg") and ET.fromstring(data).tag.endswith("svg")

    name, data = download(page, text("dl.zip"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == len(set(names)) >= chart_count(page) - 1 and all(n.endswith(".csv") for n in names)


def test_a_saved_session_opens_in_a_new_visitors_tab(server, browser, page):
    goto(page, f"{server}/multi-head?heads=3&mask=causal&cell=2,1")
    saving_on(page)
    name, data = download(page, text("share.save"))
    assert name.endswith(".json") and b'"heads": "3"' in data

    context, visitor = open_page(browser)
    try:
        goto(visitor, f"{server}/self-attention?lang=pt")
        assert "heads" not in query(visitor)
        saving_on(visitor, "pt")
        with rerun(visitor):
            visitor.locator(f"{SIDEBAR} input[type='file']").set_input_files(
                files=[{"name": name, "mimeType": "application/json", "buffer": data}]
            )
        params = query(visitor)
        assert (params.get("heads"), params.get("mask"), params.get("cell")) == ("3", "causal", "2,1")
        assert params.get("lang") == "pt"  # the visitor's language stays
        assert title(visitor) == text("sa.title", "pt")
    finally:
        context.close()
