"""End-to-end: the dashboard in headless Chromium, driven with mouse and keyboard as a user would.

Every interaction waits for the run it triggers (the server's ``script_finished`` on the
websocket, then the page settled and every chart drawn); no sleeps. Page switches inside a
test use the sidebar links: ``page.goto`` would open a new session and lose its state.
"""

from __future__ import annotations

import pytest
from helpers import (
    CHART,
    GRID,
    SIDEBAR,
    chart_count,
    chart_index,
    chart_numbers,
    click_nav,
    goto,
    key,
    open_page,
    press_slider,
    query,
    radio_value,
    rerun,
    selectbox_value,
    signature,
    signatures,
    slider_label,
    slider_value,
    title,
    wait_signature_change,
    wait_signature_equal,
    wait_signatures_equal,
    warnings,
    widget_values,
)
from playwright.sync_api import expect

from ui.i18n import CATALOGUE
from ui.screens import SCREENS

pytestmark = pytest.mark.browser

# path -> (English title, charts in paper mode with the defaults, charts in tutorial mode)
PAGES = {
    "/": ("Attention Explorer", 2, 2),  # the whole transformer, then the encoder block's flow
    "/vocabulary": ("Vocabulary and embeddings", 3, 1),
    "/self-attention": ("Self-attention, one head step by step", 9, 3),
    "/multi-head": ("Multi-head attention", 6, 4),
    "/add-norm": ("Add & Norm: the residual and the layer norm", 4, 1),
    "/feed-forward": ("Position-wise feed-forward", 8, 4),
}
MODE_LABELS = {"paper": "Paper (Vaswani et al. 2017)", "tutorial": "Tutorial (the article's code)"}


def mh_charts(heads: int) -> int:
    """Charts on /multi-head in paper mode with random weights: a weights map and an output per head, the
    concatenation, the output (the heads' analysis is off until asked for)."""
    return 2 * heads + 2


@pytest.mark.parametrize("mode", ["paper", "tutorial"])
@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_and_draws_every_chart(server, page, path, mode):
    heading, paper_charts, tutorial_charts = PAGES[path]

    goto(page, f"{server}{path}?mode={mode}")

    assert title(page) == heading
    assert radio_value(page, "w_mode") == MODE_LABELS[mode]
    n = chart_count(page)
    assert n > 0
    assert n == (paper_charts if mode == "paper" else tutorial_charts)
    drawn = page.locator(CHART).evaluate_all("els => els.filter(e => e.querySelector('canvas, svg')).length")
    assert drawn == n
    assert page.locator("[data-testid='stException']").count() == 0
    assert warnings(page) == []


def test_vocabulary_edit_changes_attention_and_survives_page_switches(server, page):
    goto(page, f"{server}/self-attention?preset=seed")  # the article's table
    softmax = chart_index(page, "softmax (1)")
    attention_before = signature(page, softmax)

    click_nav(page, "Vocabulary")
    assert title(page) == "Vocabulary and embeddings"
    grid = page.locator(GRID)
    cat_d1 = grid.locator("#glide-cell-2-1")  # the accessible mirror of the canvas: column 2 = d1, row 1 = cat
    assert grid.locator("#glide-cell-1-1").text_content() == "cat"
    assert cat_d1.text_content() == "0"
    embeddings_before = signature(page, 0)

    # Click the word 'cat' (rows are 35 px under a 35 px header; the word column starts after the
    # row markers), move right to d1 with the keyboard once the grid has the cell selected (on a busy
    # machine an arrow pressed sooner is lost, and the 5 lands in the word), type it and press Enter.
    canvas = page.locator(f"{GRID} [data-testid='stDataFrameResizable']")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 + 17)
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('[aria-selected=true]') !== null", arg=GRID
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('[aria-selected=true]')?.id === 'glide-cell-2-1'",
        arg=GRID,
    )
    page.keyboard.type("5")
    page.locator(".gdg-input").wait_for()  # glide's overlay editor opened on typing
    with rerun(page):
        page.keyboard.press("Enter")

    embeddings_after = wait_signature_change(page, 0, embeddings_before)
    assert 5.0 in chart_numbers(embeddings_after)  # the cell value written in the heatmap
    assert 5.0 not in chart_numbers(embeddings_before)
    expect(cat_d1).to_have_text("5")  # the grid's accessible mirror follows its canvas a moment after a run

    click_nav(page, "Self-attention")
    assert title(page) == "Self-attention, one head step by step"
    assert chart_index(page, "softmax (1)") == softmax
    wait_signature_change(page, softmax, attention_before)

    click_nav(page, "Vocabulary")
    assert title(page) == "Vocabulary and embeddings"
    expect(cat_d1).to_have_text("5")
    wait_signature_equal(page, 0, embeddings_after)


def test_head_count_slider_changes_number_of_head_charts(server, page):
    goto(page, f"{server}/multi-head")
    assert slider_value(page, "w_heads") == 2
    assert chart_count(page) == mh_charts(2)

    press_slider(page, "w_heads", "ArrowRight")
    press_slider(page, "w_heads", "ArrowRight")

    assert slider_value(page, "w_heads") == 4
    assert slider_label(page, "w_heads") == "4"
    assert chart_count(page) == mh_charts(4)
    assert query(page).get("heads") == "4"


def test_language_switch_keeps_state(server, page):
    goto(page, f"{server}/multi-head")
    press_slider(page, "w_heads", "ArrowRight")
    assert slider_value(page, "w_heads") == 3

    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_role("combobox", name="Language / Idioma").click()
    with rerun(page):
        page.get_by_role("option", name="Português (Brasil)").click()

    assert title(page) == "Atenção multi-cabeça"
    assert selectbox_value(page, "w_lang") == "Português (Brasil)"
    assert slider_value(page, "w_heads") == 3
    assert slider_label(page, "w_heads") == "3"
    assert chart_count(page) == mh_charts(3)
    params = query(page)
    assert params.get("lang") == "pt"
    assert params.get("heads") == "3"
    assert sidebar.get_by_text("Ajustes de todas as páginas").is_visible()


def test_cold_deep_link_draws_the_page(cold_server, page):
    goto(page, f"{cold_server}/multi-head?heads=4&lang=pt&preset=random&sentence=the+cat+sat+on+the+mat&seed=3")

    assert title(page) == "Atenção multi-cabeça"
    assert chart_count(page) == mh_charts(4)
    assert warnings(page) == []
    assert slider_value(page, "w_heads") == 4
    sidebar = page.locator(SIDEBAR)
    assert sidebar.get_by_text("Ajustes de todas as páginas").is_visible()
    # the translated menu, not Streamlit's legacy one built from file names
    links = [a.strip().splitlines()[-1] for a in sidebar.get_by_role("link").all_inner_texts() if a.strip()]
    assert links == [CATALOGUE[key]["pt"] for _, _, key, _ in SCREENS]
    assert radio_value(page, "w_mode") == CATALOGUE["mode.paper"]["pt"]
    assert selectbox_value(page, "w_lang") == "Português (Brasil)"
    assert page.locator(f"{key('w_seed')} input").input_value() == "3"
    params = query(page)
    assert params == {
        "lang": "pt",
        "preset": "random",
        "sentence": "the cat sat on the mat",
        "heads": "4",
        "seed": "3",
    }
    # the six tokens of the sentence label the rows of the first head's map
    assert "mat" in page.locator(CHART).first.inner_text()


def test_copied_url_reproduces_the_view(server, browser, page):
    goto(page, f"{server}/multi-head")

    with rerun(page):
        page.locator(SIDEBAR).get_by_text(MODE_LABELS["tutorial"]).click()
    press_slider(page, "w_heads", "ArrowRight")
    seed = page.locator(f"{key('w_seed')} input")
    seed.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("7")
    with rerun(page):
        page.keyboard.press("Enter")

    url = page.url
    assert query(page) == {"mode": "tutorial", "heads": "3", "seed": "7"}
    values = widget_values(page)
    assert values == {"mode": MODE_LABELS["tutorial"], "seed": "7", "lang": "English", "heads": "3"}
    expected_count = chart_count(page)

    context, fresh = open_page(browser)
    try:
        goto(fresh, url)
        assert fresh.url == url
        assert widget_values(fresh) == values
        assert chart_count(fresh) == expected_count
        wait_signatures_equal(page, signatures(fresh))  # the first page may still be redrawing its last change

        # The seed matters on the feed-forward screen (W1, b1): the same check there.
        click_nav(page, "Feed-forward")
        url = page.url
        assert query(page) == {"mode": "tutorial", "heads": "3", "seed": "7"}
        goto(fresh, url)
        assert widget_values(fresh) == widget_values(page)
        assert chart_count(fresh) == chart_count(page) == PAGES["/feed-forward"][2]
        wait_signatures_equal(page, signatures(fresh))
    finally:
        context.close()


def test_bad_url_parameter_shows_a_notice(server, page):
    goto(page, f"{server}/multi-head?heads=99")

    notices = warnings(page)
    assert len(notices) == 1
    assert "heads=99" in notices[0]
    assert "16" in notices[0]
    assert slider_value(page, "w_heads") == 16
    assert slider_label(page, "w_heads") == "16"
    assert chart_count(page) == mh_charts(16)
    assert query(page).get("heads") == "16"


def test_a_bidi_override_in_a_link_is_removed_and_named(server, page):
    goto(page, f"{server}/multi-head?heads=%E2%80%AE4")

    notices = warnings(page)
    assert len(notices) == 1
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in notices[0]
    assert "\u202e" not in page.locator("[data-testid='stMain']").inner_text()
    assert slider_value(page, "w_heads") == 4
