"""A hostile visitor's links in the browser (issue 16): nothing a link brings is interpreted, nothing poisons a page.

- Injection: Markdown from a link (the sentence, a word of the table) must not make the page load
  anything from another host. Every request the page makes is logged (Playwright's request
  event) and requests to other hosts are answered with an abort, so the test never goes out.
- Poisoned links: numbers in other scripts, huge and non-finite values. The page still draws
  its charts, a notice says what was changed, and the generic "Something went wrong" never shows.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import numpy as np
import pytest
from helpers import as_read, goto, warnings

import core
from ui import share
from ui.i18n import CATALOGUE

pytestmark = pytest.mark.browser

IMAGE = "![](https://example.org/p.png)"
WORD_IMAGE = "![](https://example.org/v.png)"  # 30 characters: a word may have 32
GENERIC = CATALOGUE["error.unexpected"]["en"].split("(")[0].strip()


def watch_requests(page, server: str) -> list[str]:
    """Every request the page makes to a host other than the app's; those are aborted, not sent."""
    own = urlsplit(server).netloc
    outside: list[str] = []

    def on_request(request) -> None:
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and urlsplit(request.url).netloc != own:
            outside.append(request.url)

    def route(r) -> None:
        if urlsplit(r.request.url).netloc == own or urlsplit(r.request.url).scheme in ("data", "blob"):
            r.continue_()
        else:
            r.abort()

    page.on("request", on_request)
    page.context.route("**/*", route)
    return outside


def settle(page) -> None:
    """Images load after the page is drawn: give a stray one time to be asked for."""
    page.wait_for_timeout(1500)


def word_link(extra: dict) -> str:
    vocab = core.Vocabulary((WORD_IMAGE, "b"), np.array([[1.0, 0.0], [0.0, 1.0]]))
    return urlencode({"vocab": share.encode_vocab(vocab), **extra})


INJECTIONS = [
    ("self-attention", urlencode({"preset": "random", "sentence": f"{IMAGE} b", "cell": "1,1"})),
    ("multi-head", urlencode({"preset": "random", "sentence": f"{IMAGE} b"})),
    ("self-attention", word_link({"sentence": f"{WORD_IMAGE} b", "cell": "1,1"})),
    ("vocabulary", word_link({"sentence": f"{WORD_IMAGE} b"})),
    ("self-attention", urlencode({IMAGE: "1", "mode": IMAGE})),  # echoed in notices
]


@pytest.mark.parametrize(("path", "query"), INJECTIONS, ids=lambda v: v[:40])
def test_markdown_from_a_link_loads_nothing_from_another_host(server, page, path, query):
    """Nothing reaches another host: not the link's text, not the page itself (its icon is the app's own)."""
    outside = watch_requests(page, server)
    goto(page, f"{server}/{path}?{query}")
    settle(page)
    assert not outside, f"/{path}?{query[:80]} made requests to other hosts: {outside}"
    assert page.locator("[data-testid='stMain'] img[src*='example.org']").count() == 0


POISONED = [
    {"cell": "²,1"},
    {"off": "²"},
    {"heads": "9" * 5000},
    {"seed": "1e400"},
]


@pytest.mark.parametrize("path", ["multi-head", "self-attention"])
@pytest.mark.parametrize("params", POISONED, ids=lambda p: f"{next(iter(p))}={next(iter(p.values()))[:8]}")
def test_poisoned_link_draws_the_page_with_a_notice(server, page, path, params):
    goto(page, f"{server}/{path}?{urlencode(params)}")  # fails on an exception element
    body = as_read(page.locator("[data-testid='stApp']").inner_text())
    assert GENERIC not in body, f"/{path}?{urlencode(params)[:60]}: {GENERIC}"
    assert warnings(page), f"/{path}?{urlencode(params)[:60]}: the link was changed without a notice"
    assert all(len(w) <= 600 for w in warnings(page)), [len(w) for w in warnings(page)]
