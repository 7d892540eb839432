"""A hostile visitor's links and files (issue 16): nothing they bring may crash, freeze or flood a page.

Three kinds of test:

- Hypothesis over every URL parameter (the settings of ``state.SPECS``, the pages' own
  ``PAGE_PARAMS``, ``vocab`` and names the app does not know), with adversarial values
  (Unicode digits, huge and non-finite numbers, long, lookalike and Markdown text, combining
  marks, repeated parameters), on every page file in AppTest: no exception, no generic
  "Something went wrong", every notice short and without a Markdown heading, each run within
  ``RUN_BOUND_S``.
- Links named in the issue, one test each: a notice says what was changed, the page draws.
- Hypothesis over scenario files through ``scenarios.read_scenario`` (pure and fast, so many
  examples): it never raises, says what it did in a few short notices, and takes < 1 s.

Everything is derandomized (the same examples on every run, no example database), and the
AppTest properties skip Hypothesis's shrink phase: one example costs a page run, and the
failing example is printed as drawn.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import core
from tests.conftest import PAGES, ROOT, charts, plain
from ui import scenarios, session, share, state
from ui.i18n import CATALOGUE, Translator

RUN_BOUND_S = 10.0  # a page run takes 0.05-1 s here; ten times that is a freeze, not a slow machine
PARSE_BOUND_S = 0.5  # reading one link's parameters, however long: microseconds when bounded first
FILE_BOUND_S = 1.0  # reading one scenario file of at most 1 MB
MAX_NOTICES = 10  # a header, the first eight, "... and N more"
MAX_NOTICE_CHARS = 600  # one notice as shown
MAX_ARG_CHARS = 100  # one echoed value in a notice
GENERIC = tuple(CATALOGUE["error.unexpected"][lang].split("(")[0].strip() for lang in state.LANGS)
SCRIPTS = {**PAGES, "router": "app.py"}
EXPLORER = ("multi-head", "self-attention")

# --- adversarial values ----------------------------------------------------------------------


def bomb(k: int) -> str:
    """A letter and 2k combining marks in descending canonical class: NFC is quadratic on it."""
    return "a" + "\u0345" * k + "\u0301" * k


WORDS_512 = " ".join(f"w{i}" for i in range(512))
VALUES = (
    # numbers in other scripts, and numbers that are not what they look like
    "²",
    "٣",
    "２",
    "¹²",
    "²,1",
    "1,²",
    "٣,١",
    "２,１",
    "1,,2",
    ",",
    "1,1,1",
    "1_000",
    " 1",
    "0x10",
    "1e9",
    "-1",
    "0",
    "-0",
    "0.5",
    "1e-400",
    "1e400",
    "-1e400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "9" * 5000,
    "-" + "9" * 5000,
    "1," + "9" * 5000,
    # long, lookalike, invisible and Markdown text
    "x" * 10_000,
    "ｔｈｅ",
    "ｔｈｅ ｃａｔ",
    "the\u200bcat",
    "\u202eabc",
    "\ufeff1",
    bomb(2000),
    "x\n===",
    "x\n---",
    "# heading",
    "![](https://example.org/p.png)",
    "[a](https://example.org)",
    "<img src=https://example.org/p.png>",
    "$$x$$",
    "{kind}",
    "{0}",
    "%s",
    "\\",
    "`",
    WORDS_512,
    # real values, so that combinations reach deeper into the pages
    "the:1,0",
    "a:1,2;b:3,4",
    "paper",
    "tutorial",
    "random",
    "trained",
    "pt",
    "1",
    "2",
    "16",
    "128",
    "3,1",
    "a b c d",
)

one_value = st.one_of(
    st.sampled_from(VALUES),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
)
# A repeated parameter (?heads=2&heads=9) reaches the app as a list.
param_value = st.one_of(one_value, st.lists(one_value, min_size=2, max_size=3))
LOOKALIKE_NAMES = (
    "HEADS",
    "ｈｅａｄｓ",
    "heads\u200b",
    "x\n===",
    "![](https://example.org/n.png)",
    "n" * 10_000,
    bomb(2000),
)
NAMES = (*(spec.name for spec in state.SPECS), *state.PAGE_PARAMS, "vocab", "foo", *LOOKALIKE_NAMES)
links = st.dictionaries(st.sampled_from(NAMES), param_value, min_size=1, max_size=4)

APP_SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each example is a page run
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example),
)

# --- running a page --------------------------------------------------------------------------


def run_bounded(script: str, params: dict, bound_s: float = RUN_BOUND_S) -> tuple[AppTest, float]:
    """A fresh session of ``script`` with these query parameters, run once; fails past ``bound_s``.

    The run happens on a daemon thread, so that a page that does not stop (a training no one can
    cancel) fails this test instead of hanging the suite.
    """
    at = AppTest.from_file(str(ROOT / script), default_timeout=bound_s * 30)
    for name, value in params.items():
        at.query_params[name] = value
    box: dict = {}

    def target() -> None:
        try:
            at.run()
        except BaseException as exc:  # reported below, in the test's thread
            box["error"] = exc

    t0 = time.perf_counter()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(bound_s)
    elapsed = time.perf_counter() - t0
    assert not worker.is_alive(), f"{script} {shown(params)}: still running after {bound_s:.0f} s"
    if "error" in box:
        raise box["error"]
    return at, elapsed


def shown(params: dict) -> str:
    """Parameters as a failure message can show them: every value cut."""

    def cut(v) -> str:
        v = repr(v)
        return v if len(v) <= 80 else f"{v[:60]}...({len(v)} chars)"

    return "{" + ", ".join(f"{cut(k)}: {cut(v)}" for k, v in params.items()) + "}"


def link_notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.icon == ":material/link:"]


def messages(at: AppTest) -> list[str]:
    """Everything the page says in boxes: errors, warnings, infos."""
    return [m.value for kind in (at.error, at.warning, at.info) for m in kind]


def assert_survives(at: AppTest, params: dict) -> None:
    """No exception, no generic error, every message short and not a Markdown heading."""
    where = shown(params)
    assert not at.exception, f"{where}: exception {[e.value[:300] for e in at.exception]}"
    generic = [e.value[:300] for e in at.error if e.value.startswith(GENERIC)]
    assert not generic, f"{where}: generic error {generic}"
    for text in messages(at):
        assert len(text) <= MAX_NOTICE_CHARS, f"{where}: a message of {len(text)} chars: {text[:200]!r}..."
        heading = re.search(r"\n[ \t]*(=+|-+)[ \t]*(\n|$)", text)
        assert heading is None, f"{where}: a message turned into a Markdown heading: {text[:200]!r}"


# --- every page, any link --------------------------------------------------------------------


@pytest.mark.parametrize("page", list(SCRIPTS))
@APP_SETTINGS
@given(params=links)
def test_any_link_on_any_page(page, params):
    at, elapsed = run_bounded(SCRIPTS[page], params)
    assert_survives(at, params)
    assert elapsed < RUN_BOUND_S


# --- every name the app reads, on every page ---------------------------------------------------
#
# Hypothesis above draws a few links per page; this sweep is deterministic and complete: on every page,
# every parameter name the app reads (``state.SPECS``, ``state.PAGE_PARAMS``, ``vocab``) and the names it
# must not mistake for one (lookalikes, a 10,000-character name, the combining-mark bomb, a Markdown
# heading) gets a hostile value that the app has to change or ignore, so a link notice must name it.
# Names go three to a link (a page run is ~60 ms); the grouping and the value each name gets shift
# from page to page, so that across the pages every name meets several values and neighbours.

HOSTILE_NUMBERS = ("٣", "２", "²", "1e400", "nan", "-inf", "9" * 5000, "x" * 300, "x\n===", ["2", "9"])
HOSTILE_TEXT = ("x" * 300, "9" * 5000, bomb(2000), "the\u200bcat", "ｔｈｅ cat", ["a", "b"])
HOSTILE_CHOICES = (*HOSTILE_NUMBERS, "ＰＡＰＥＲ")
HOSTILE_BY_KIND = {"text": HOSTILE_TEXT, "choice": HOSTILE_CHOICES}
SWEPT_NAMES = (*(spec.name for spec in state.SPECS), *state.PAGE_PARAMS, "vocab", *LOOKALIKE_NAMES)
READ_ONLY_BY = {"step": ("lesson",), "host": ("lesson",), "lexicon": ("translate",)}  # a page's own parameters
NAMES_PER_LINK = 3


def hostile_value(name: str, n: int):
    spec = state.SPEC.get(name)
    values = HOSTILE_BY_KIND.get(spec.kind if spec else "", HOSTILE_NUMBERS)
    return values[n % len(values)]


def sweep_links(page_index: int) -> list[dict]:
    """The links of the sweep on the ``page_index``-th page: every swept name once, three to a link."""
    params = [(name, hostile_value(name, page_index + j)) for j, name in enumerate(SWEPT_NAMES)]
    k = page_index % len(params)
    params = params[k:] + params[:k]
    return [dict(params[i : i + NAMES_PER_LINK]) for i in range(0, len(params), NAMES_PER_LINK)]


SWEEP = [
    pytest.param(page, params, id=f"{page}-{i}")
    for p, page in enumerate(SCRIPTS)
    for i, params in enumerate(sweep_links(p))
]


def link_messages(at: AppTest) -> list[str]:
    """What the page says about its link (warnings, and errors such as a rejected lexicon), as read."""
    return [plain(m.value) for kind in (at.warning, at.error) for m in kind if m.icon == ":material/link:"]


def test_the_sweep_gives_every_name_every_kind_of_value():
    for name in SWEPT_NAMES:
        given = {repr(params[name]) for p in range(len(SCRIPTS)) for params in sweep_links(p) if name in params}
        spec = state.SPEC.get(name)
        kinds = HOSTILE_BY_KIND.get(spec.kind if spec else "", HOSTILE_NUMBERS)
        assert len(given) >= min(len(kinds), len(SCRIPTS)), f"{name[:20]!r} meets {len(given)} values"


@pytest.mark.parametrize(("page", "params"), SWEEP)
def test_every_name_on_every_page_is_changed_with_a_notice(page, params):
    at, _ = run_bounded(SCRIPTS[page], params)
    assert_survives(at, params)
    said = link_messages(at)
    for name in params:
        if page not in READ_ONLY_BY.get(name, (page,)) and not isinstance(params[name], list):
            continue  # another page's parameter: nothing here reads it (a repeat is still said)
        named = state.excerpt(name)
        assert any(named in text for text in said), f"{page} {shown(params)}: no notice names {named!r}: {said}"


# --- the links the issue names ---------------------------------------------------------------

POISONED = [
    {"cell": "²,1"},
    {"cell": "1,²"},
    {"cell": "٣,1"},
    {"off": "²"},
    {"off": "٣"},
    {"off": "1,,2"},
    {"off": ","},
    {"heads": "9" * 5000},
    {"heads": "٣"},
    {"heads": "２"},
    {"head": "²"},
    {"seed": "1e400"},
    {"seed": "1e-400"},
    {"seed": "٣"},
    {"seed": "9" * 5000},
    {"seed": "nan"},
    {"temp": "inf"},
    {"temp": "-0"},
    {"preset": "random", "dim": "２"},
    {"heads": ["2", "9"]},  # repeated: which one counts must be said
    {"lang": "x" * 10_000},
    {"mode": "x" * 10_000},
    {"weights": "x" * 10_000},
    {"x" * 10_000: "1"},
    {"cell": "x\n==="},
    {"mode": "x\n==="},
    {"x\n===": "1"},
]


@pytest.mark.parametrize("page", EXPLORER)
@pytest.mark.parametrize("params", POISONED, ids=lambda p: shown(p)[:40])
def test_poisoned_link_draws_the_page_and_says_what_was_changed(page, params):
    at, _ = run_bounded(PAGES[page], params)
    assert_survives(at, params)
    assert link_notices(at), f"{shown(params)}: the link was changed without a notice"
    assert charts(at), f"{shown(params)}: no chart drawn"


@pytest.mark.parametrize("last", ["garbage", "toy"])
def test_a_repeated_lexicon_is_said_once(last):
    """lexicon= given twice: one notice says so (not one from the link's settings and another from the lexicon)."""
    value = share.encode_lexicon(core.TOY_LEXICON) if last == "toy" else last
    params = {"lexicon": ["x:y:m;;", value]}
    at, _ = run_bounded(PAGES["translate"], params)
    assert_survives(at, params)
    repeated = plain(EN("notice.param_repeated", name="lexicon", n=2))
    said = link_messages(at)
    assert said.count(repeated) == 1, said
    rejected = plain(EN("tr.link_rejected"))
    assert (rejected in said) == (last == "garbage")  # the last one is the one read


def test_lesson_step_out_of_range_or_in_other_digits():
    for step in ("1e9", "٣", "²", "9" * 5000, "-1"):
        params = {"step": step}
        at, _ = run_bounded(PAGES["lesson"], params)
        assert_survives(at, params)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("self-attention", {"vocab": "the:1,0"}),  # the default sentence has words the table lacks
        ("multi-head", {"weights": "trained", "preset": "random", "dim": "1", "sentence": "a b c d"}),
        ("self-attention", {"weights": "trained", "vocab": "a:1,2;b:3,4", "sentence": "a b"}),
    ],
)
def test_link_the_app_cannot_follow_says_why(page, params):
    """No generic message: a notice names the problem and the page still draws."""
    at, _ = run_bounded(PAGES[page], params)
    assert_survives(at, params)
    assert charts(at), f"{shown(params)}: no chart drawn"


def test_trained_weights_that_cannot_train_name_the_weights_setting():
    params = {"weights": "trained", "preset": "random", "dim": "1", "sentence": "a b c d"}
    at, _ = run_bounded(PAGES["multi-head"], params)
    label = CATALOGUE["train.weights"]["en"]
    assert any(label in m for m in messages(at)), f"no message names the {label} setting: {messages(at)}"


def test_lookalike_words_are_one_word_or_a_notice():
    """Full-width ｔｈｅ and the: NFKC makes them one word, or a notice says they differ."""
    params = {"sentence": "ｔｈｅ cat"}
    at, _ = run_bounded(PAGES["self-attention"], params)
    assert_survives(at, params)
    used = at.session_state[session.SETTINGS_KEY].sentence
    assert "ｔｈｅ" not in used or link_notices(at), f"sentence {used!r} kept the lookalike word silently"


# --- the Unicode bomb ------------------------------------------------------------------------

BOMB = bomb(20_000)  # 40,001 characters: NFC takes ~1.5 s on it, holding the GIL


@pytest.mark.parametrize("params", [{"sentence": BOMB}, {"nope": BOMB}, {BOMB: "1"}, {"vocab": f"{BOMB}:1,0"}])
def test_unicode_bomb_in_a_link_is_cut_before_normalising(params):
    for _ in range(3):  # best of three: the machine is shared
        t0 = time.perf_counter()
        state.parse_query_params({k: v for k, v in params.items() if k != "vocab"})
        share.decode_vocab(params.get("vocab", "a:1"))
        took = time.perf_counter() - t0
        if took < PARSE_BOUND_S:
            break
    assert took < PARSE_BOUND_S, f"{shown(params)}: reading the link took {took:.2f} s"
    at, _ = run_bounded(PAGES["multi-head"], params)
    assert_survives(at, params)


# --- links that ask for the most work --------------------------------------------------------

WIDEST_TRAINING = {
    "preset": "random",
    "dim": "128",
    "heads": "16",
    "weights": "trained",
    "steps": "5000",
    "train_ffn": "1",
    "seed": "7",
    "sentence": WORDS_512,
}

# A separate process: today such a link trains for minutes in a thread that nothing stops, and
# would slow every later test; a process can be killed.
_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from streamlit.testing.v1 import AppTest
    script, params, press = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
    at = AppTest.from_file(script, default_timeout=600)
    for k, v in params.items():
        at.query_params[k] = v
    t0 = time.perf_counter()
    at.run()
    if press:
        buttons = [b for b in at.button if b.label == "Train"]
        if buttons:
            buttons[0].click().run()
    print(json.dumps({
        "seconds": time.perf_counter() - t0,
        "exceptions": [e.value[:300] for e in at.exception],
        "errors": [e.value[:300] for e in at.error],
        "messages": [m.value[:300] for kind in (at.error, at.warning, at.info) for m in kind],
    }))
    """
)


@pytest.mark.parametrize(("page", "press"), [("multi-head", False), ("train", True)])
def test_widest_training_link_is_refused_or_bounded(page, press):
    """The widest training a link can ask for finishes (or is refused with a message) within the bound."""
    cmd = [sys.executable, "-c", _CHILD, str(ROOT / PAGES[page]), json.dumps(WIDEST_TRAINING), "1" if press else "0"]
    startup_s = 15.0  # the child imports streamlit, numpy, pandas, altair
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=RUN_BOUND_S + startup_s)
    except subprocess.TimeoutExpired:
        pytest.fail(f"/{page} widest training{' + Train' if press else ''}: still running after {RUN_BOUND_S:.0f} s")
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["seconds"] < RUN_BOUND_S, out
    assert not out["exceptions"], out
    assert not [e for e in out["errors"] if e.startswith(GENERIC)], out


# --- scenario files --------------------------------------------------------------------------


class Raw(str):
    """JSON text written as it is (NaN, 1e400, a 5,000-digit integer, a duplicate key)."""


def to_json(value) -> str:
    """JSON text of ``value``; ``Raw`` leaves and dict items given as a list of pairs (duplicates) kept as they are."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{to_json(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return to_json(Pairs(value.items()))
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class Pairs(list):
    """A JSON object as a list of (key, value): keys may repeat."""


def scenario(settings: object = None, vocabulary: object = None, **top) -> bytes:
    obj = Pairs([("app", scenarios.SCENARIO_APP), ("version", scenarios.SCENARIO_VERSION)])
    obj.append(("settings", {} if settings is None else settings))
    obj.append(("vocabulary", vocabulary))
    obj.extend(top.items())
    return to_json(obj).encode("utf-8")


json_numbers = st.sampled_from(
    [
        Raw("NaN"),
        Raw("Infinity"),
        Raw("-Infinity"),
        Raw("1e400"),
        Raw("-1e400"),
        Raw("1e-400"),
        Raw("-0"),
        Raw("-0.0"),
        Raw("9" * 4000),
        Raw("9" * 5000),  # past Python's 4,300-digit limit for int()
        Raw("1" + "0" * 400),
        2**63,
        -(2**63),
        0,
        1,
        16,
        0.5,
    ]
)
json_leaves = st.one_of(json_numbers, st.sampled_from(VALUES), st.text(max_size=20), st.booleans(), st.none())
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.lists(st.tuples(st.sampled_from(NAMES[:5]), inner), max_size=4).map(Pairs),
    ),
    max_leaves=12,
)
file_settings = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), json_values, max_size=6),
    st.lists(st.tuples(st.sampled_from(NAMES[:23]), json_values), max_size=6).map(Pairs),  # duplicate keys
    json_values,
)
words = st.one_of(
    st.sampled_from(["the", "cat", "ｔｈｅ", "the\u200b", "x" * 40, "a:b", "", " "]), st.text(max_size=40)
)
file_vocabulary = st.one_of(
    st.none(),
    json_values,
    st.integers(min_value=1, max_value=4).flatmap(
        lambda d: st.lists(
            st.tuples(words, st.lists(st.one_of(st.floats(-2000, 2000), json_numbers), min_size=d, max_size=d)),
            max_size=6,
        ).map(lambda rows: {"words": [w for w, _ in rows], "vectors": [v for _, v in rows]})
    ),
)
scenario_files = st.one_of(
    st.builds(scenario, file_settings, file_vocabulary),
    st.builds(lambda b, cut: b[:cut], st.builds(scenario, file_settings, file_vocabulary), st.integers(0, 400)),
    st.binary(max_size=200),
)


def _many_unknown_keys(n: int) -> bytes:
    return scenario(Pairs((f"k{i}", "1") for i in range(n)))


def _near_mb(text_of: Callable[[int], bytes]) -> bytes:
    """The largest file under MAX_SCENARIO_BYTES built by ``text_of(n)``, by halving."""
    lo, hi = 1, scenarios.MAX_SCENARIO_BYTES
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(text_of(mid)) <= scenarios.MAX_SCENARIO_BYTES:
            lo = mid
        else:
            hi = mid - 1
    return text_of(lo)


LARGE_FILES = {
    "70,000 unknown keys": _many_unknown_keys(70_000),
    "1 MB of one word": _near_mb(lambda n: scenario({"sentence": "w" * n})),
    "1 MB sentence of words": _near_mb(lambda n: scenario({"sentence": " ".join(["ab"] * n)})),
    "1 MB seed": _near_mb(lambda n: scenario({"seed": "9" * n})),
    "1 MB of Markdown": _near_mb(lambda n: scenario({"x\n===": "![](https://example.org/p.png)" * n})),
    "1 MB of long words": _near_mb(
        lambda n: scenario(
            {"preset": "random", "sentence": "the"},
            {"words": ["the", *(f"{i:05d}" + "x" * 60 for i in range(n))], "vectors": [[1.0]] * (n + 1)},
        )
    ),
    "1 MB of NaN cells": _near_mb(
        lambda n: scenario({"sentence": "the"}, {"words": ["the"], "vectors": [[Raw("NaN")] * n]})
    ),
    "1 MB of duplicated settings": _near_mb(lambda n: scenario(Pairs([("seed", Raw("1e400"))] * n))),
    "1 MB deep nesting": _near_mb(lambda n: scenario({"seed": Raw("[" * n + "]" * n)})),
    "unicode bomb sentence": scenario({"sentence": bomb(20_000)}),
    "unicode bomb word": scenario(
        {"preset": "random", "sentence": "the"}, {"words": ["the", bomb(20_000)], "vectors": [[1.0], [2.0]]}
    ),
    "unicode bomb key": scenario({bomb(20_000): "1"}),
    "eight unicode bombs": scenario({name: bomb(2_500) for name in ("lang", "mode", "preset", "seed", "dim", "x")}),
    "one byte over": b" " * (scenarios.MAX_SCENARIO_BYTES + 1),
}
EN = Translator("en")


def check_read(data: bytes) -> None:
    t0 = time.perf_counter()
    result = scenarios.read_scenario(data)
    took = time.perf_counter() - t0
    assert took < FILE_BOUND_S, f"a file of {len(data):,} bytes took {took:.2f} s"
    assert isinstance(result, tuple) and len(result) == 2
    loaded, notices = result
    assert loaded is None or isinstance(loaded, scenarios.Scenario)
    assert isinstance(notices, list) and all(isinstance(n, state.Notice) for n in notices)
    if loaded is None:
        assert notices and notices[0].key == "share.file_rejected", notices[:3]
    assert len(notices) <= MAX_NOTICES, f"{len(notices)} notices: {[n.key for n in notices[:12]]}..."
    for notice in notices:
        for name, value in notice.args.items():
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                text = EN._argument(item, True)
                assert len(text) <= MAX_ARG_CHARS, f"{notice.key}: {name} echoes {len(text)} chars: {text[:80]!r}..."
        message = EN.notice(notice)
        assert len(message) <= MAX_NOTICE_CHARS, f"{notice.key}: {len(message)} chars"


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example),
)
@given(data=scenario_files)
def test_any_scenario_file_is_read_or_rejected_in_short(data):
    check_read(data)


@pytest.mark.parametrize("name", list(LARGE_FILES))
def test_large_scenario_file_is_read_or_rejected_in_short(name):
    check_read(LARGE_FILES[name])


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "1e-400", "9" * 5000])
@pytest.mark.parametrize("name", ["seed", "heads", "temp", "dim"])
def test_scenario_number_out_of_float_is_a_notice(name, raw):
    data = scenario({name: Raw(raw)})
    check_read(data)
    loaded, notices = scenarios.read_scenario(data)
    assert loaded is None or notices, f"{name}: {raw[:20]} read silently"
