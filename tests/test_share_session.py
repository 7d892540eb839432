"""Links that carry the table and scenario files, driven through the pages: what a shared link or
a file brings is what the session uses, a bad one changes nothing, and the language stays."""

import numpy as np
import pytest

from tests.conftest import PAGES, assert_clean, plain, run_app
from ui import layout, session, share, state
from ui.i18n import CATALOGUE

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
    data = share.scenario_bytes(state.replace(source, sentence="gato sat on the", lang="en"), vocab)
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
        b" " * (share.MAX_SCENARIO_BYTES + 1),
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


def test_the_scenario_download_is_built_on_a_click_only(monkeypatch):
    calls = []
    real = share.scenario_bytes
    monkeypatch.setattr(share, "scenario_bytes", lambda *a: calls.append(a) or real(*a))
    at = saving_on(run_app(VOCAB))
    assert_clean(at)
    assert not calls  # a normal run builds no file
    assert any(b.label == CATALOGUE["share.save"]["en"] for b in at.get("download_button"))
