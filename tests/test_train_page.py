"""/train with AppTest: the accuracy curve beside the loss, and attention only compared with the whole block."""

import pytest

from tests.conftest import PAGES, assert_clean, chart_frame, chart_spec, charts, plain, run_app
from ui import compute, state
from ui.i18n import CATALOGUE, Translator


def link(lang: str, seed: int, train_ffn: str = "0") -> dict:
    """A quick training (40 steps, 6 words of width 8, one head on "neighbours"); each test its own
    seed, so nothing another test trained in this process is found cached."""
    return {
        "lang": lang,
        "preset": "random",
        "dim": 8,
        "sentence": "a b c d e f",
        "heads": 1,
        "steps": 40,
        "task": "neighbours",
        "train_ffn": train_ffn,
        "seed": seed,
    }


def train_keys(params: dict) -> tuple[compute.TrainKey, compute.TrainKey]:
    """The link's training and the one the comparison adds, as the page builds them."""
    settings, _ = state.parse_query_params({k: str(v) for k, v in params.items()})
    key = compute.TrainKey.of(settings, state.preset_vocabulary(settings))
    return key, compute.compared(key)


def text(key: str, lang: str) -> str:
    return CATALOGUE[key][lang]


def press(at, key: str, lang: str) -> None:
    [button] = [b for b in at.button if b.label == text(key, lang)]
    button.click().run(timeout=120)
    assert_clean(at)


def titled(at, title: str) -> list:
    out = []
    for c in charts(at):
        t = chart_spec(c).get("title")
        if (t.get("text") if isinstance(t, dict) else t) == title:
            out.append(c)
    return out


def compare_buttons(at, lang: str) -> list:
    return [b for b in at.button if b.label == text("train.compare_go", lang)]


@pytest.mark.parametrize(("lang", "seed"), [("en", 301), ("pt", 302)])
def test_training_draws_the_accuracy_per_step_beside_the_loss(lang, seed):
    params = link(lang, seed)
    key, other = train_keys(params)
    at = run_app(PAGES["train"], **params)
    assert_clean(at)
    assert compute.trained(key) is None and not charts(at)
    press(at, "train.go", lang)
    result = compute.trained(key)
    assert result is not None
    [loss] = titled(at, text("train.loss", lang))
    [accuracy] = titled(at, text("train.accuracy_curve", lang))
    frame = chart_frame(accuracy)
    assert frame["step"].tolist() == list(range(1, 41))
    assert frame["loss"].tolist() == pytest.approx(list(result.accuracies))
    assert chart_spec(accuracy)["encoding"]["y"]["title"] == text("train.accuracy_axis", lang)
    assert chart_spec(accuracy)["encoding"]["y"]["scale"]["domain"] == [0, 1]
    for curve in (loss, accuracy):  # ticks and tooltips as the language writes numbers: 0,5 and 94,4%
        decimal = chart_spec(curve)["config"].get("locale", {}).get("number", {}).get("decimal", ".")
        assert decimal == Translator(lang).number_symbols[0]
    assert chart_frame(loss)["loss"].tolist() == pytest.approx(list(result.losses))
    assert any(str(compute.DEFAULT_BATCH) in plain(c.value) for c in at.caption)
    # The comparison waits for its button: neither this run nor a plain rerun trains the other variant.
    assert len(compare_buttons(at, lang)) == 1 and len(at.metric) == 1
    at.run()
    assert_clean(at)
    assert compute.trained(other) is None
    assert len(compare_buttons(at, lang)) == 1


@pytest.mark.parametrize(("lang", "seed", "train_ffn"), [("en", 303, "0"), ("pt", 304, "1"), ("en", 305, "1")])
def test_compare_trains_the_other_variant_and_shows_both_accuracies(lang, seed, train_ffn):
    params = link(lang, seed, train_ffn)
    key, other = train_keys(params)
    at = run_app(PAGES["train"], **params)
    press(at, "train.go", lang)
    press(at, "train.compare_go", lang)
    assert not compare_buttons(at, lang)
    trained = {k.feed_forward: compute.trained(k) for k in (key, other)}
    assert None not in trained.values()
    assert trained[True].accuracies != trained[False].accuracies
    # Attention only on the left, the whole block on the right, whichever the link trains.
    metrics = {m.label: m.value for m in at.metric}

    def percent(share: float) -> str:  # as the language writes it: 37.5% in English, 37,5% in Portuguese
        return f"{Translator(lang).number(100 * share, 1)}%"

    assert metrics[text("train.accuracy", lang)] == percent(trained[key.feed_forward].accuracy)
    assert metrics[text("train_ffn.0", lang)] == percent(trained[False].accuracy)
    assert metrics[text("train_ffn.1", lang)] == percent(trained[True].accuracy)
    [both] = titled(at, text("train.compare_curve", lang))
    frame = chart_frame(both)
    for ffn in (False, True):
        curve = frame[frame["series"] == text(f"train_ffn.{int(ffn)}", lang)]
        assert curve["step"].tolist() == list(range(1, 41))
        assert curve["loss"].tolist() == pytest.approx(list(trained[ffn].accuracies))
    assert chart_spec(both)["encoding"]["color"]["title"] == text("train.ffn", lang)
    assert any(plain(m.value) == text("train.compare_neighbours", lang) for m in at.markdown)
    # The same link in a new session: both trainings are cached, shown without a button.
    again = run_app(PAGES["train"], **params)
    assert_clean(again)
    assert not compare_buttons(again, lang)
    assert {m.label: m.value for m in again.metric} == metrics


def test_another_task_explains_why_the_feed_forward_adds_little():
    params = {**link("en", 306), "task": "previous"}
    at = run_app(PAGES["train"], **params)
    press(at, "train.go", "en")
    press(at, "train.compare_go", "en")
    assert any(plain(m.value) == text("train.compare_other", "en") for m in at.markdown)
    assert not any(plain(m.value) == text("train.compare_neighbours", "en") for m in at.markdown)
