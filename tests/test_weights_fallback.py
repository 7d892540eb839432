"""Trained weights asked for by a link but not to be had: the page draws random weights and says why."""

from __future__ import annotations

import pytest

from tests.conftest import PAGES, assert_clean, charts, plain, run_app
from ui import session
from ui.i18n import CATALOGUE
from ui.state import LANGS

WIDEST = {
    "preset": "random",
    "dim": 128,
    "heads": 16,
    "weights": "trained",
    "steps": 5000,
    "train_ffn": "1",
    "sentence": " ".join(f"w{i}" for i in range(512)),
}


def weights_warnings(at, lang="en") -> list[str]:
    start = CATALOGUE["train.weights_random"][lang][:40]
    return [plain(w.value) for w in at.warning if plain(w.value).startswith(start)]


@pytest.mark.parametrize(
    ("page", "params", "reason"),
    [
        ("multi-head", {"preset": "random", "dim": 1, "sentence": "a b c d"}, "train.too_narrow"),
        ("self-attention", {"vocab": "a:1,2;b:3,4", "sentence": "a b"}, "train.too_few"),
        ("feed-forward", {k: v for k, v in WIDEST.items() if k != "weights"}, "train.too_big"),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_trained_weights_that_cannot_be_had_fall_back_to_random_with_the_reason(page, params, reason, lang):
    at = run_app(PAGES[page], **params, weights="trained", lang=lang)
    assert_clean(at)
    found = weights_warnings(at, lang)
    assert len(found) == 1, [plain(w.value) for w in at.warning]
    assert CATALOGUE[reason][lang].split("{")[0].strip() in found[0]
    assert charts(at)  # the page works, with random weights
    assert at.session_state[session.SETTINGS_KEY].weights == "trained"  # the link keeps what it asked for


@pytest.mark.parametrize(
    ("train_ffn", "says"), [("0", "steps fit (this link asks 5000)"), ("1", "not even 10 steps fit")]
)
def test_the_widest_training_says_how_many_steps_fit(train_ffn, says):
    at = run_app(PAGES["multi-head"], **{**WIDEST, "train_ffn": train_ffn})
    assert_clean(at)
    (found,) = weights_warnings(at)
    assert says in found


def test_a_link_with_a_table_that_lacks_the_default_sentence_draws_its_own_words():
    at = run_app(PAGES["self-attention"], vocab="the:1,0", preset="seed")
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].sentence == "the"
    assert charts(at)


def test_a_training_stopped_by_its_session_waits_for_a_click():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    from ui import compute, state

    params = {"weights": "trained", "preset": "random", "dim": 8, "sentence": "a b c d e f", "steps": "40"}
    params["seed"] = "4242"
    settings, _ = state.parse_query_params(params)
    key = compute.TrainKey.of(settings, state.preset_vocabulary(settings))
    at = AppTest.from_file(str(ROOT / PAGES["multi-head"]), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.session_state[session.STOPPED_KEY] = frozenset({key})  # as Stop leaves it
    at.run()
    assert_clean(at)
    (found,) = weights_warnings(at)
    assert CATALOGUE["train.stopped"]["en"] in found
    assert compute.trained(key) is None  # nothing started by itself
    again = next(b for b in at.button if b.label == CATALOGUE["train.again"]["en"])
    again.click().run()
    assert_clean(at)
    assert weights_warnings(at) == [] and compute.trained(key) is not None
