"""Screenshots of every screen for the README, taken from the running app in headless Chromium.

    python scripts/screenshots.py            # writes docs/screenshots/*.png

Starts its own server on a free loopback port (the browser tests' helpers) and drives
Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import DEFAULT_CHROMIUM, LAUNCH_ARGS, streamlit_server, wait_ready  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# (file name, path, the heading to scroll to or None for the top of the page[, clicks]): a click is
# ("label", text) for a radio option or ("button", name), made before the picture is taken.
SHOTS = [
    ("home", "/", None),
    ("vocabulary", "/vocabulary", None),
    ("positional-encoding", "/vocabulary?sentence=the+cat+sat+on+the+cat", "Positional encoding"),
    ("self-attention", "/self-attention?mode=tutorial", None),
    (
        "explain-cell",
        "/self-attention?mask=causal&cell=4,2&preset=random&dim=8&sentence=the+cat+sat+on+the+mat",
        "Explain one cell",
    ),
    ("multi-head", "/multi-head?preset=random&dim=8&heads=4&sentence=the+cat+sat+on+the+mat", None),
    ("add-norm", "/add-norm?preset=random&dim=8&sentence=the+cat+sat+on+the+mat", None),
    ("feed-forward", "/feed-forward?lang=pt", None),
    ("lesson", "/lesson?step=7", "7 · A row of weights", [("label", "A. "), ("button", "Reveal")]),
    ("lesson-host", "/lesson?step=11&host=1", "11 · One head against two", [("button", "Show the answer")]),
    (
        "lesson-content",
        "/lesson?step=14",
        "Sentence B holds",  # the question, its verdict, and sentence B's maps after the reveal
        [("label", "On to,"), ("button", "Reveal")],
    ),
    ("train", "/train?preset=random&dim=16&sentence=the+cat+sat+on+a+mat+dog+ran+to+park", None, [("button", "Train")]),
    ("decoder", "/decoder?heads=4", "Cross-attention, layer 1"),
    (
        "translate",
        "/translate?heads=4&tstep=3",
        "Translate a sentence, word by word",
        [("button", "Train the translator")],
    ),
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM), args=LAUNCH_ARGS
        )
        for name, path, heading, *clicks in SHOTS:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
            page = context.new_page()
            page.goto(base + path)
            wait_ready(page, min_charts=0 if clicks else 1)  # /train draws its charts once trained
            for kind, text in clicks[0] if clicks else ():
                if kind == "label":
                    page.locator("label").filter(has_text=text).first.click()
                else:
                    page.get_by_role("button", name=text).first.click()
                page.wait_for_timeout(4000)  # the rerun, a training, and Vega's paint
                wait_ready(page)
            if heading is not None:
                page.get_by_role("heading", name=heading).first.evaluate("h => h.scrollIntoView()")
            page.mouse.move(5, 5)  # no chart toolbar left over a chart
            page.wait_for_timeout(500)  # let Vega finish its last paint
            page.screenshot(path=str(OUT / f"{name}.png"))
            context.close()
            print(f"wrote {OUT / f'{name}.png'}")
        browser.close()


if __name__ == "__main__":
    main()
