"""Links that carry the table and scenario files, driven through the pages: what a shared link or
a file brings is what the session uses, a bad one changes nothing, and the language stays."""

import tomllib

import numpy as np
import pytest

from tests.conftest import PAGES, ROOT, assert_clean, plain, run_app
from ui import layout, scenarios, session, share, state
from ui.i18n import CATALOGUE, Translator

VOCAB = PAGES["vocabulary"]
UNICODE_LINK = "the:1,0,0;gato%3Apreto:0.1,0.2,-0;café:1e-07,-2.5,3;日本:0.30000000000000004,1,1"


def link_notices(at) -> list[str]:
    return [plain(w.value) for w in at.warning if w.icon == ":material/link:"]


def saving_on(at):
    """The sidebar's "Save charts, numbers or this session" switched on."""
    at.toggle(key=layout.SAVE_PANEL).set_value(True).run()
    return at


def uploaded(at, name: str, data: bytes):
    saving_on(at)
    uploader = next(u for u in at.get("file_uploader"))
    uploader.set_value((name, data, "application/json")).run()
    return at


def test_a_link_with_a_table_brings_it_exactly():
    at = run_app(VOCAB, vocab=UNICODE_LINK, sentence="gato:preto café 日本")
    assert_clean(at)
    vocab = at.session_state[session.CUSTOM_VOCAB_KEY]
    assert vocab.words == ("the", "gato:preto", "café", "日本")
    assert vocab.vectors[1, 2] == 0 and np.signbit(vocab.vectors[1, 2])  # -0 stays -0
    assert vocab.vectors[2, 0] == 1e-07 and vocab.vectors[3, 0] == 0.30000000000000004
    assert at.session_state[session.SETTINGS_KEY].tokens == ("gato:preto", "café", "日本")
    assert not link_notices(at)
    # the page writes the same table back into the link
    assert at.query_params["vocab"] in (UNICODE_LINK, [UNICODE_LINK])


def test_an_edited_table_goes_into_the_link_and_back():
    edited = state.vocab_to_table(state.preset_vocabulary(state.DEFAULTS))
    edited.loc[1, "d2"] = 0.125
    vocab = state.read_table(edited).vocab
    link = share.encode_vocab(vocab)
    at = run_app(VOCAB, vocab=link)
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY] == vocab
    assert at.query_params["vocab"] in (link, [link])
    again = run_app(
        PAGES["self-attention"], **{k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}
    )
    assert again.session_state[session.CUSTOM_VOCAB_KEY] == vocab


@pytest.mark.parametrize(
    ("link", "key"),
    [
        ("the:1,0,0;cat:0,1", "share.value_count"),
        ("the:1,0,0;cat", "share.link_entry_malformed"),
        ("the:1,x,0", "error.cell_not_number"),
        ("the:1,0,0;the:0,1,0", "error.word_duplicate"),
        ("the:1e9,0,0", "error.cell_too_big"),
    ],
)
def test_a_bad_table_in_a_link_is_ignored_with_a_notice(link, key):
    at = run_app(VOCAB, vocab=link)
    assert_clean(at)
    assert at.session_state[session.CUSTOM_VOCAB_KEY] is None  # the preset is used
    notices = link_notices(at)
    assert plain(CATALOGUE["share.link_rejected"]["en"]) in notices[0]
    assert any(n for n in notices[1:]), notices
    assert "vocab" not in at.query_params  # the link is rewritten without the bad table
    assert key in {n.key for n in share.decode_vocab(link)[1]}


def test_a_table_too_big_for_a_link_says_so_and_keeps_the_settings():
    words = " ".join(f"w{i}" for i in range(200))
    at = run_app(VOCAB, preset="random", dim=32, sentence=words)
    big = state.preset_vocabulary(at.session_state[session.SETTINGS_KEY])
    link = share.encode_vocab(big)
    assert len(link) > share.MAX_LINK_CHARS
    at.session_state[session.CUSTOM_VOCAB_KEY] = big  # as if edited in the grid
    at.run()
    assert_clean(at)
    assert "vocab" not in at.query_params and at.query_params["dim"] in ("32", ["32"])
    warning = next(w for w in at.sidebar.warning)
    assert "8000" in plain(warning.value)


# --- scenario files -------------------------------------------------------------------------


def test_a_scenario_file_restores_the_session_and_keeps_the_language():
    source = state.parse_query_params({"heads": "4", "mask": "causal", "cell": "3,1", "weights": "trained"})[0]
    vocab = state.read_table(state.vocab_to_table(state.preset_vocabulary(state.DEFAULTS))).vocab
    vocab = type(vocab)(("the", "gato", "sat", "on"), vocab.vectors * 0.5)
    data = scenarios.scenario_bytes(state.replace(source, sentence="gato sat on the", lang="en"), vocab)
    at = run_app(VOCAB, lang="pt")
    uploaded(at, "aula.json", data)
    assert_clean(at)
    s = at.session_state[session.SETTINGS_KEY]
    assert (s.heads, s.mask, s.cell, s.weights, s.lang) == (4, "causal", (3, 1), "trained", "pt")
    assert at.session_state[session.CUSTOM_VOCAB_KEY] == vocab
    assert s.sentence == "gato sat on the"
    assert any("aula.json" in plain(i.value) for i in at.sidebar.info)
    assert at.query_params["vocab"] in (share.encode_vocab(vocab), [share.encode_vocab(vocab)])


@pytest.mark.parametrize(
    "data",
    [
        b"not json at all",
        b'{"app": "attention-explorer", "version": 2, "settings": {}, "vocabulary": null}',
        b'{"app": "something-else", "version": 1}',
        b"\xff\xfe\x00",
        b'{"app": "attention-explorer", "version": 1, "settings": {"sentence": "dog"}, '
        b'"vocabulary": {"words": ["cat"], "vectors": [[1, 2]]}}',
        b" " * (scenarios.MAX_SCENARIO_BYTES + 1),
    ],
    ids=["not-json", "newer", "other-app", "not-utf8", "unknown-word", "too-big"],
)
def test_a_bad_scenario_file_changes_nothing(data):
    at = run_app(VOCAB, heads=3)
    before = at.session_state[session.SETTINGS_KEY]
    uploaded(at, "bad.json", data)
    assert not at.exception
    assert at.session_state[session.SETTINGS_KEY] == before and at.session_state[session.CUSTOM_VOCAB_KEY] is None
    errors = [plain(e.value) for e in at.sidebar.error]
    assert errors and plain(CATALOGUE["share.file_rejected"]["en"]) in errors[0]
    assert len(errors) >= 2  # the problem itself is named
    assert not at.main.error  # the page itself still computes


def hostile_file(settings: str, vocabulary: str = "null") -> bytes:
    """A scenario file with this JSON text as its settings and table, written as it is (NaN, 1e400, repeats)."""
    return f'{{"app": "attention-explorer", "version": 1, "settings": {settings}, "vocabulary": {vocabulary}}}'.encode()


def upload_messages(at) -> list[str]:
    """What the sidebar says about the file it was given, as read."""
    return [
        plain(m.value)
        for kind in (at.sidebar.error, at.sidebar.info)
        for m in kind
        if m.icon == ":material/upload_file:"
    ]


# (file, what must be named, whether it is loaded): a file is read with notices, or rejected changing nothing
HOSTILE_FILES = {
    "seed NaN": (hostile_file('{"seed": NaN, "heads": "3"}'), "seed", True),
    "seed Infinity": (hostile_file('{"seed": Infinity, "heads": "3"}'), "seed", True),
    "seed 1e400": (hostile_file('{"seed": 1e400, "heads": "3"}'), "seed", True),
    "seed of 5,000 digits": (hostile_file('{"seed": ' + "9" * 5000 + ', "heads": "3"}'), "file", False),
    "1,000 keys": (hostile_file("{" + ", ".join(f'"k{i}": "{i}"' for i in range(1000)) + "}"), "k0", True),
    "nested settings": (hostile_file('{"heads": {"a": [1, {"b": [null, NaN]}]}, "seed": [[[[]]]]}'), "heads", True),
    "nested table": (hostile_file('{"heads": "3"}', '{"words": [[["x"]]], "vectors": {"a": [NaN]}}'), "table", False),
    "nested too deep": (hostile_file('{"seed": ' + "[" * 100_000 + "]" * 100_000 + "}"), "file", False),
    "heads twice": (hostile_file('{"heads": "2", "heads": "9"}'), "heads", True),
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_a_hostile_scenario_file_through_the_uploader_is_read_or_refused_with_a_message(name):
    data, named, loaded = HOSTILE_FILES[name]
    at = run_app(VOCAB, heads=5, seed=7)
    before = at.session_state[session.SETTINGS_KEY]
    uploaded(at, f"{name}.json", data)
    assert not at.exception, [e.value[:300] for e in at.exception]
    assert list(at.get("file_uploader")), "the sidebar lost its uploader"
    said = upload_messages(at)
    assert 2 <= len(said) <= state.MAX_NOTICES + 3, said  # what happened, then each problem (capped)
    after = at.session_state[session.SETTINGS_KEY]
    if loaded:
        assert CATALOGUE["share.file_loaded"]["en"].split("{")[0] in said[0]
        assert after != before and (after.seed, after.lang) == (state.DEFAULTS.seed, "en")
    else:
        assert plain(CATALOGUE["share.file_rejected"]["en"]) in said[0]
        assert after == before  # nothing changed
    assert any(named in text for text in said[1:]), f"no message names {named!r}: {said}"
    assert not at.main.error  # the page itself still computes


def test_a_setting_given_twice_in_an_uploaded_file_says_which_is_used():
    at = run_app(VOCAB)
    uploaded(at, "twice.json", hostile_file('{"heads": "2", "heads": "9"}'))
    assert at.session_state[session.SETTINGS_KEY].heads == 9
    repeated = plain(Translator("en")("notice.param_repeated", name="heads", n=2))
    assert repeated in upload_messages(at)


def test_an_upload_is_limited_to_1_mb_by_the_server_and_by_the_uploader():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 1  # MB: the server refuses more before buffering it
    at = saving_on(run_app(VOCAB))
    uploaders = list(at.get("file_uploader"))
    assert [u.proto.max_upload_size_mb for u in uploaders] == [1]
    assert scenarios.MAX_SCENARIO_BYTES <= 2**20  # a file the app reads fits what the server lets through


def test_the_scenario_download_is_built_on_a_click_only(monkeypatch):
    calls = []
    real = scenarios.scenario_bytes
    monkeypatch.setattr(scenarios, "scenario_bytes", lambda *a: calls.append(a) or real(*a))
    at = saving_on(run_app(VOCAB))
    assert_clean(at)
    assert not calls  # a normal run builds no file
    assert any(b.label == CATALOGUE["share.save"]["en"] for b in at.get("download_button"))
