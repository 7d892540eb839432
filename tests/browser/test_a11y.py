"""Accessibility in the browser (issue 20): axe-core on every page × language × mode, the document's
language through reruns, charts named in the page's language, the numbers as tables, reduced motion,
and the keyboard alone (Tab, Space, Enter) through the lesson, the vocabulary, a cell explained,
/train and the downloads, with a visible focus and results announced in a live region.

axe-core is an npm package pinned in tests/browser/a11y/package.json; ``npm ci --prefix
tests/browser/a11y`` installs it (``.ci/run`` does). Without it these axe tests are skipped locally and
fail with CI=true.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import CHART, SIDEBAR, as_read, goto, open_page, query, rerun, wait_ready

from ui import lesson, training
from ui.i18n import LANGS, Translator, languages
from ui.screens import SCREENS
from ui.state import MODES

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).with_name("a11y")
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ' | ' + n.failureSummary.split('\\n')[1])
  }));
}"""
# Violations owned by Streamlit itself, by rule and page path, each listed in the README with its upstream
# issue. None today: keep it so.
STREAMLIT_EXCEPTIONS: dict[tuple[str, str], str] = {}
HTML_LANG = {"en": "en", "pt": "pt-BR", "es": "es"}
LIVE = "#a11y-live"
EN = Translator("en")


def bcp47(lang: str) -> str:
    """The tag a language file added since HTML_LANG was written should give: its header's locale (fr_FR -> fr-FR)."""
    return languages()[lang].locale.replace("_", "-")


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.is_file():
        message = f"axe-core is not installed ({AXE}): run npm ci --prefix {AXE_DIR}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE


@pytest.fixture(scope="module")
def shared_page(browser):
    """One page for the axe sweep: each goto is a new Streamlit session, the browser is reused."""
    context, page = open_page(browser)
    yield page
    context.close()


def violations(page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    return page.evaluate(AXE_RUN)


def test_axe_finds_nothing_on_any_page_language_or_mode(server, shared_page, axe):
    page, found, loads = shared_page, {}, 0
    started = time.monotonic()
    views = [(url, lang, f"mode={mode}") for _, url, _, _ in SCREENS for lang in LANGS for mode in MODES]
    views += [("lesson", lang, "host=1") for lang in LANGS]
    for url, lang, extra in views:
        goto(page, f"{server}/{url}?lang={lang}&{extra}", min_charts=0)
        assert page.evaluate("document.documentElement.lang") == HTML_LANG.get(lang, bcp47(lang))
        loads += 1
        for v in violations(page, axe):
            if (v["id"], url) not in STREAMLIT_EXCEPTIONS:
                found[f"/{url}?lang={lang}&{extra} {v['id']} ({v['impact']})"] = v["nodes"][:3]
    for lang in LANGS:  # the lesson's reveal state: an answer picked and revealed, the verdict and why shown
        goto(page, f"{server}/lesson?lang={lang}&step=1", min_charts=0)
        pick_first_answer_and_reveal(page, lang)
        loads += 1
        for v in violations(page, axe):
            found[f"/lesson?lang={lang} revealed {v['id']} ({v['impact']})"] = v["nodes"][:3]
    assert not found, found
    per_load = (time.monotonic() - started) / loads
    assert per_load < 10, f"{per_load:.1f} s a page with axe"


def test_axe_finds_nothing_with_the_tables_on_the_save_panel_open_and_a_later_step_revealed(server, shared_page, axe):
    """What the sweep above does not open, in one language: the numbers' tables under every chart of
    /self-attention (the scaling study and the temperatures among them: τ = 2 opens their expander), the
    sidebar's save panel (its downloads and file uploader), and a decoder step of the lesson revealed."""
    page, found = shared_page, {}
    goto(page, f"{server}/self-attention?lang=en&temp=2")
    tab_to(page, page.locator(SIDEBAR).get_by_role("switch", name=EN("a11y.numbers")))
    with rerun(page):
        page.keyboard.press("Space")
    assert page.get_by_role("table", name=EN("sqrt.chart"), exact=False).count() == 1  # the study's own table
    found["tables"] = violations(page, axe)
    tab_to(page, page.locator(SIDEBAR).get_by_role("switch", name=EN("share.toggle")))
    with rerun(page):
        page.keyboard.press("Space")
    assert page.locator(SIDEBAR).get_by_role("button", name="CSV").count() == 1
    assert page.locator("[data-testid='stFileUploader']").count() == 1
    found["save panel"] = violations(page, axe)
    step = 1 + [s.id for s in lesson.STEPS].index("cross")
    goto(page, f"{server}/lesson?lang=en&step={step}", min_charts=0)
    pick_first_answer_and_reveal(page)
    assert page.get_by_role("button", name=EN("lesson.open")).count() == 1
    found[f"lesson step {step} revealed"] = violations(page, axe)
    found = {where: [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in vs] for where, vs in found.items() if vs}
    assert not found, found


def pick_first_answer_and_reveal(page, lang: str = "en") -> None:
    """Pick option A and reveal it, by keyboard: Tab to the first option, Space, Tab to Reveal, Enter."""
    tab_to(page, page.locator("[data-testid='stMain']").get_by_role("radio").first)
    with rerun(page, min_charts=0):
        page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name=Translator(lang)("lesson.reveal")))
    with rerun(page, min_charts=0):
        page.keyboard.press("Enter")


# --- the keyboard ---------------------------------------------------------------------------------


def focused(locator) -> bool:
    return locator.evaluate("e => e === document.activeElement || e.contains(document.activeElement)")


def tab_to(page, target, limit: int = 250) -> None:
    """Press Tab until ``target`` (found by role and name) has the focus; fail if it never does."""
    target.wait_for(state="attached")
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus in {limit} presses of Tab")


def visibly_focused(page) -> bool:
    """The focused element, or the box Streamlit draws for it (a hidden input's label), shows the focus."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const shows = e => { const s = getComputedStyle(e);
            return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none'; };
          return !!el && el !== document.body && (shows(el) || [el.parentElement, el.closest('label')].some(e => e && shows(e)));
        }"""
    )


def assert_announced(page, box) -> None:
    """A box that appeared is spoken: a warning or error is role=alert (the reader says it as it appears), a
    success or info box is role=status, which few readers say when it is inserted: the frame's live region
    says its text."""
    role = box.get_attribute("role")
    if role == "alert":
        return
    assert role == "status"
    text = as_read(box.inner_text()).strip()
    page.wait_for_function(
        f"(text) => document.querySelector('{LIVE}').textContent.replace(/[\u2068\u2069]/g, '').includes(text)",
        arg=text[:40],
    )


def test_the_lesson_by_tab_space_and_enter_alone(server, page):
    goto(page, f"{server}/lesson?step=1", min_charts=0)
    steps_walked = 0
    while True:
        step = int(query(page).get("step", "1"))
        pick_first_answer_and_reveal(page)
        verdict = page.locator("[data-testid='stMain'] [data-testid='stAlertContainer']").filter(has_text="A.")
        assert verdict.count() == 1, f"no verdict on step {step}"
        assert_announced(page, verdict)
        steps_walked += 1
        following = page.get_by_role("button", name=EN("lesson.next"))
        if following.is_disabled():
            break
        tab_to(page, following)
        assert visibly_focused(page)
        with rerun(page, min_charts=0, timeout=120_000):
            page.keyboard.press("Enter")
        assert query(page).get("step") == str(step + 1)
    assert steps_walked == lesson.COUNT
    tab_to(page, page.get_by_role("button", name=EN("lesson.open")))
    assert visibly_focused(page)
    with rerun(page, min_charts=0, timeout=60_000):
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/lesson" not in url)
    wait_ready(page, min_charts=0)


def test_a_cell_explained_by_its_select_boxes_from_the_keyboard(server, page):
    goto(page, f"{server}/self-attention?mode=tutorial")
    query_box = page.get_by_role("combobox", name="Query (row)")
    tab_to(page, query_box)
    assert visibly_focused(page)
    page.keyboard.type("sat")
    with rerun(page):
        page.keyboard.press("Enter")
    assert query(page).get("cell") == "3,3"
    key_box = page.get_by_role("combobox", name="Key (column)")
    tab_to(page, key_box)
    page.keyboard.type("cat")
    with rerun(page):
        page.keyboard.press("Enter")
    assert query(page).get("cell") == "3,2"


def test_train_and_the_result_announced_from_the_keyboard(server, page):
    goto(page, f"{server}/train?steps=100&preset=random&dim=8&sentence=a+b+c+d+e+f+g+h", min_charts=0)
    train = page.get_by_role("button", name="Train", exact=True)
    tab_to(page, train)
    assert visibly_focused(page)
    with rerun(page, timeout=120_000, min_charts=3):
        page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelector('{LIVE}').textContent.includes('Held-out accuracy')")


def test_the_downloads_from_the_keyboard(server, page):
    goto(page, f"{server}/multi-head")
    switch = page.locator(SIDEBAR).get_by_role("switch", name="Save charts, numbers or this session")
    tab_to(page, switch)
    with rerun(page):
        page.keyboard.press("Space")
    csv = page.locator(SIDEBAR).get_by_role("button", name="CSV")
    tab_to(page, csv)
    assert visibly_focused(page)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")


def grid_words(grid) -> list[str]:
    """The words of the vocabulary grid, read from glide-data-grid's accessible mirror (role=grid)."""
    cells = grid.locator("td[role=gridcell]").all_text_contents()
    return [w for w in cells[::4] if w]  # word, d1, d2, d3 a row


def test_a_word_added_edited_and_deleted_in_the_vocabulary_from_the_keyboard(server, page):
    goto(page, f"{server}/vocabulary?mode=tutorial")  # the article's 4 words of width 3
    grid = page.locator("[data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    tab_to(page, grid.locator("canvas[tabindex='0']"))  # the grid takes the focus; arrows move its cell
    for _ in range(6):  # down to the empty last row, which adds a word
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # opens the cell's editor
    page.locator(".gdg-input").wait_for()
    page.keyboard.type("dog", delay=60)
    with rerun(page):
        page.keyboard.press("Enter")  # commits, and moves down a row
    assert grid_words(grid) == ["the", "cat", "sat", "on", "dog"]

    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")  # dog's d1
    page.keyboard.press("Enter")
    page.locator(".gdg-input").wait_for()
    page.keyboard.type("1", delay=60)
    with rerun(page):
        page.keyboard.press("Enter")
    assert grid.locator("#glide-cell-2-4").text_content() == "1"

    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+Space")  # selects dog's row
    assert grid.get_by_role("button", name="Delete row(s)").count() == 1
    with rerun(page):
        page.keyboard.press("Delete")
    assert grid_words(grid) == ["the", "cat", "sat", "on"]


# --- the document around the app --------------------------------------------------------------------


def test_the_document_language_follows_the_chosen_one_through_reruns_and_pages(server, page):
    goto(page, f"{server}/vocabulary?lang=pt")
    assert page.evaluate("document.documentElement.lang") == "pt-BR"
    switch = page.locator(SIDEBAR).get_by_role("switch", name="Mostrar os números em tabelas")
    tab_to(page, switch)
    with rerun(page):
        page.keyboard.press("Space")  # a rerun of the same page
    assert page.evaluate("document.documentElement.lang") == "pt-BR"
    language = page.locator(SIDEBAR).get_by_role("combobox", name=Translator("pt")("sidebar.lang"))
    tab_to(page, language)
    page.keyboard.type("Español")
    with rerun(page):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'es'")
    with rerun(page):
        page.locator(SIDEBAR).get_by_role("link", name="Autoatención").click()
    assert page.evaluate("document.documentElement.lang") == "es"
    names = page.locator(CHART).evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert names and all(names) and any("una matriz de" in n for n in names), names
    assert not any("a matrix of" in n or "Values from" in n for n in names), names  # nothing left in English


def test_the_numbers_of_a_chart_as_a_table_with_row_and_column_headers(server, page):
    goto(page, f"{server}/self-attention?mode=tutorial")
    assert page.locator("table").count() == 0
    switch = page.locator(SIDEBAR).get_by_role("switch", name="Show the numbers as tables")
    tab_to(page, switch)
    with rerun(page):
        page.keyboard.press("Space")
    table = page.get_by_role("table", name="Numbers of softmax(E·Eᵀ, axis=0)", exact=False).first
    assert table.get_by_role("columnheader", name="sat").count() == 1
    assert table.get_by_role("rowheader", name="sat").count() == 1
    assert "0.4754" in table.inner_text()  # the article's 0.475367


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_animations_and_transitions_stop_when_the_reader_asks_for_less_motion(server, browser, motion):
    context = browser.new_context(reduced_motion=motion)
    try:
        page = context.new_page()
        page.goto(f"{server}/")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning'] h1")
        # The page's frame (its style among it) is drawn by st.html, which can land after the title
        # on a loaded machine: read the durations once the style is in the document.
        page.wait_for_selector(".st-key-a11y_frame style", state="attached")
        page.wait_for_timeout(100)
        durations = page.evaluate(
            "() => [...document.querySelectorAll('button, a')].map(e => parseFloat(getComputedStyle(e).transitionDuration))"
        )
        assert durations
        if motion == "reduce":
            assert max(durations) <= 0.001
        else:
            assert max(durations) > 0.001
        live_curves_hidden_only_when_asked(page, server, motion)
    finally:
        context.close()


def live_curves_hidden_only_when_asked(page, server, motion: str) -> None:
    """A training's live curves, redrawn several times a second, are not shown to a reader who asks for less
    motion; its progress bar is. A long training (3,000 steps, a seed per case: nothing cached) is watched
    while it runs, then stopped."""
    seed = 2101 if motion == "reduce" else 2102
    page.goto(f"{server}/train?steps=3000&preset=random&dim=8&sentence=a+b+c+d+e+f+g+h&seed={seed}")
    train = page.get_by_role("button", name=EN("train.go"), exact=True)
    train.click()
    live = page.locator(f"[class*='st-key-{training.LIVE_CURVES}_']")
    live.locator(CHART).first.wait_for(state="attached", timeout=60_000)  # a curve drawn in it
    assert page.locator("[data-testid='stProgress']").is_visible()
    display = live.evaluate("e => getComputedStyle(e).display")
    assert (display == "none") is (motion == "reduce"), display
    if motion != "reduce":
        assert live.locator(CHART).first.is_visible()
    page.get_by_role("button", name=EN("train.stop")).click()
    train.wait_for(state="visible", timeout=60_000)  # stopped: the page offers the training again
