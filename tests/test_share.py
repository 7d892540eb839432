"""Links that carry the table (vocab=) and scenario files: round trips, and every problem named."""

import json
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from ui import scenarios, share, state
from ui.i18n import CATALOGUE, Translator
from ui.state import DEFAULTS, Notice, Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "the:1,0,0;cat:0,1,0;sat:0,0,1;on:1,1,0"


def keys(notices):
    return [n.key for n in notices]


def bits(vocab):
    """The vectors' exact bits: -0.0 and 0.0 differ, as do any two floats that are not the same."""
    return np.ascontiguousarray(vocab.vectors).view(np.uint64).tolist()


# Every notice a test here sees; the last test formats each one in both languages.
SEEN: list[Notice] = []


def decode(text):
    vocab, notices = share.decode_vocab(text)
    SEEN.extend(notices)
    return vocab, notices


def read(data):
    scenario, notices = scenarios.read_scenario(data)
    SEEN.extend(notices)
    return scenario, notices


# --- strategies ------------------------------------------------------------------------------


def table_word(w: str) -> bool:
    """A word the table editor keeps exactly as it is."""
    return (
        1 <= len(w) <= state.MAX_WORD_CHARS
        and not any(ch.isspace() for ch in w)
        and state.clean_text(w)[0] == w  # no invisible character, already NFC
        and unicodedata.normalize("NFC", w) == w
    )


# Any unicode, and words made mostly of the link's separators, its escape character and what
# follows one ("%3A" typed as a word must come back as "%3A").
words_st = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=32),
    st.text(alphabet=st.sampled_from("%:;,%%23ACBacé+&=#?"), min_size=1, max_size=12),
).filter(table_word)

SPECIAL_VALUES = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    1e-300,
    -1e-300,
    2.2250738585072014e-308,
    1e-07,
    0.1,
    1 / 3,
    1000.0,
    -1000.0,
]
values_st = st.one_of(
    st.floats(-state.MAX_ABS_VALUE, state.MAX_ABS_VALUE, allow_nan=False, allow_infinity=False, allow_subnormal=True),
    st.sampled_from(SPECIAL_VALUES),
)


@st.composite
def vocabularies(draw, max_words=8):
    words = draw(st.lists(words_st, min_size=1, max_size=max_words, unique=True))
    dim = draw(st.integers(1, 6))
    rows = [draw(st.lists(values_st, min_size=dim, max_size=dim)) for _ in words]
    return core.Vocabulary(tuple(words), np.array(rows, dtype=np.float64))


def optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def all_settings(draw, words):
    """Any settings the app can hold, with a sentence made of ``words``."""
    spec = state.SPEC
    sentence = " ".join(draw(st.lists(st.sampled_from(words), min_size=1, max_size=6)))
    heads = draw(st.integers(state.HEADS_MIN, state.HEADS_MAX))
    s = Settings(
        lang=draw(st.sampled_from(state.LANGS)),
        mode=draw(st.sampled_from(state.MODES)),
        preset=draw(st.sampled_from(state.PRESETS)),
        sentence=sentence,
        dim=draw(st.integers(state.DIM_MIN, state.DIM_MAX)),
        heads=heads,
        ffn=draw(optional(st.integers(state.FFN_MIN, state.FFN_MAX))),
        seed=draw(st.integers(state.SEED_MIN, state.SEED_MAX)),
        pe=draw(st.sampled_from(spec["pe"].choices)),
        mask=draw(st.sampled_from(spec["mask"].choices)),
        scale=draw(st.sampled_from(spec["scale"].choices)),
        temp=draw(st.floats(state.TEMP_MIN, state.TEMP_MAX)),
        norm=draw(st.sampled_from(spec["norm"].choices)),
        head=draw(st.integers(1, heads)),
        cell=draw(optional(st.tuples(st.integers(1, 8), st.integers(1, 8)))),
        off=tuple(sorted(draw(st.sets(st.integers(1, heads), max_size=4)))),
        weights=draw(st.sampled_from(state.WEIGHTS)),
        task=draw(st.sampled_from(state.TASKS)),
        steps=draw(optional(st.integers(state.STEPS_MIN, state.STEPS_MAX))),
        train_ffn=draw(st.sampled_from(spec["train_ffn"].choices)),
    )
    return state.fit_view(s)  # a cell past the sentence is dropped, as the app does


# --- links: the format -----------------------------------------------------------------------


def test_the_example_link_decodes_to_the_four_words():
    vocab, notices = decode(EXAMPLE)
    assert notices == []
    assert vocab.words == ("the", "cat", "sat", "on")
    assert vocab.vectors.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]
    assert vocab.vectors.dtype == np.float64


def test_the_article_table_encodes_to_the_example():
    assert share.encode_vocab(core.seed_vocabulary()) == EXAMPLE


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.5, "0.5"),
        (1e-07, "1e-07"),
        (-0.0, "-0"),
        (0.0, "0"),
        (-3.0, "-3"),
        (1000.0, "1000"),
        (0.1, "0.1"),
    ],
)
def test_values_are_written_in_their_shortest_form(value, text):
    vocab = core.Vocabulary(("w",), np.array([[value]]))
    assert share.encode_vocab(vocab) == f"w:{text}"
    back, _ = decode(f"w:{text}")
    assert bits(back) == bits(vocab)


def test_negative_zero_keeps_its_sign():
    back, _ = decode(share.encode_vocab(core.Vocabulary(("w",), np.array([[-0.0, 0.0]]))))
    assert np.signbit(back.vectors[0, 0]) and not np.signbit(back.vectors[0, 1])


def test_only_four_characters_are_escaped_in_a_word():
    vocab = core.Vocabulary(("a%:;,b", "café", "x+y&z=?#", "日本"), np.ones((4, 1)))
    text = share.encode_vocab(vocab)
    assert text == "a%25%3A%3B%2Cb:1;café:1;x+y&z=?#:1;日本:1"
    assert decode(text)[0] == vocab


def test_escapes_are_undone_in_one_pass_and_other_percents_stay():
    vocab, notices = decode("%253A:1;50%off:2;%3a%3b%2c:3")
    assert notices == []
    assert vocab.words == ("%3A", "50%off", ":;,")


def test_other_number_spellings_are_read():
    vocab, _ = decode("w:+1,.5,2.,1E3,-1e-3, 7 ")
    assert vocab.vectors.tolist() == [[1, 0.5, 2, 1000, -0.001, 7]]


def test_a_trailing_semicolon_is_allowed():
    assert decode(EXAMPLE + ";")[0] == core.seed_vocabulary()


def test_invisible_characters_are_taken_out_of_a_word_as_the_table_does():
    vocab, notices = decode("ca\u200bt:1;cafe\u0301:2")
    assert vocab.words == ("cat", "café")
    assert keys(notices) == ["table.word_cleaned"]


@settings(max_examples=300, deadline=None)
@given(vocab=vocabularies())
def test_link_round_trip_is_exact(vocab):
    assert state.read_table(state.vocab_to_table(vocab)).vocab == vocab  # the table editor accepts it
    text = share.encode_vocab(vocab)
    back, notices = share.decode_vocab(text)
    assert notices == []
    assert back.words == vocab.words
    assert bits(back) == bits(vocab)


@settings(max_examples=100, deadline=None)
@given(vocab=vocabularies(), s=st.data())
def test_link_round_trip_through_the_url_layer(vocab, s):
    chosen = s.draw(all_settings(list(vocab.words)))
    link = {**state.to_query_params(chosen), "vocab": share.encode_vocab(vocab)}  # as ui/session.py writes it
    query = urlencode(link)
    params = {name: values[-1] for name, values in parse_qs(query, keep_blank_values=True).items()}
    back, notices = share.decode_vocab(params.pop("vocab"))
    assert notices == []
    assert back.words == vocab.words and bits(back) == bits(vocab)
    assert share.query_length(link) == len(query)


# --- links: problems -------------------------------------------------------------------------

MANY = ";".join(f"{chr(0x4E00 + i)}:1" for i in range(state.MAX_WORDS + 1))  # short words: under the length cap


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "share.link_empty"),
        ("   ", "share.link_empty"),
        ("w:" + "1," * 4000 + "1", "share.link_too_long"),
        ("the:1,0;cat", "share.link_entry_malformed"),
        ("the:1,0;;cat:1,0", "share.link_entry_malformed"),
        ("the:", "share.link_no_values"),
        ("the:1,,0", "share.link_value_empty"),
        ("the:1,0,", "share.link_value_empty"),
        ("the:1,0,0;cat:0,1,0;sat:0,0;on:1,1,0", "share.value_count"),
        ("w:" + ",".join(["0"] * (state.DIM_MAX + 1)), "share.vocab_too_wide"),
        (MANY, "error.vocab_too_big"),
        ("the:1,abc", "error.cell_not_number"),
        ("the:1_0", "error.cell_not_number"),  # float() would take it; a link does not
        ("the:١", "error.cell_not_number"),  # an Arabic-Indic digit: float() would take it too
        ("the:0x10", "error.cell_not_number"),
        ("the:nan", "error.cell_not_number"),
        ("the:inf", "error.cell_not_finite"),
        ("the:-Infinity", "error.cell_not_finite"),
        ("the:1000.5", "error.cell_too_big"),
        ("the:1e999", "error.cell_too_big"),
        ("the:1;the:2", "error.word_duplicate"),
        ("a%3Ab:1;a%3ab:2", "error.word_duplicate"),
        ("cafe\u0301:1;café:2", "error.word_duplicate"),  # the same word once NFC
        ("a" * (state.MAX_WORD_CHARS + 1) + ":1", "error.word_long"),
        (":1", "error.word_empty"),
        ("\u200b:1", "error.word_empty"),
        ("a b:1", "error.word_space"),
    ],
)
def test_a_bad_link_changes_nothing_and_names_the_problem(text, key):
    vocab, notices = decode(text)
    assert vocab is None
    assert notices[0] == Notice("share.link_rejected")
    assert key in keys(notices[1:])


def test_a_count_mismatch_names_the_entry_the_word_and_both_counts():
    _, notices = decode("the:1,0,0;cat:0,1,0;sat:0,0;on:1,1,0")
    assert notices[1:] == [Notice("share.value_count", {"entry": 3, "word": "sat", "n": 2, "d": 3})]


def test_every_problem_of_a_link_is_named_at_once():
    _, notices = decode("the:1,0;cat;x:1,,2;y:")
    assert keys(notices) == [
        "share.link_rejected",
        "share.link_entry_malformed",
        "share.link_value_empty",
        "share.link_no_values",
    ]
    _, notices = decode("the:1,x;the:inf,2")
    assert keys(notices)[1:] == ["error.cell_not_number", "error.word_duplicate", "error.cell_not_finite"]


def test_a_link_as_long_as_the_cap_is_read():
    text = "w:" + ",".join(["1"] * ((share.MAX_LINK_CHARS - 1) // 2))
    assert len(text) <= share.MAX_LINK_CHARS
    assert decode(text)[1][1].key == "share.vocab_too_wide"  # read (and then too wide), not refused for length


# --- links: length ---------------------------------------------------------------------------


def test_query_length_measures_the_percent_encoded_query():
    params = {"heads": "3", "vocab": "é:1,0"}
    assert share.query_length(params) == len("heads=3&vocab=%C3%A9%3A1%2C0")
    assert share.query_length({"vocab": "a%2Cb:1"}) == len("vocab=a%252Cb%3A1")


def test_a_link_fits_up_to_the_cap():
    def fits(params):
        return share.query_length(params) <= share.MAX_LINK_CHARS  # as ui/session.py decides

    base = len("vocab=")
    assert fits({"vocab": "a" * (share.MAX_LINK_CHARS - base)})
    assert not fits({"vocab": "a" * (share.MAX_LINK_CHARS - base + 1)})
    assert not fits({"vocab": "é" * (share.MAX_LINK_CHARS // 6)})  # 6 characters each, sent
    assert fits({"vocab": share.encode_vocab(core.seed_vocabulary())})
    big = core.random_vocabulary([f"w{i}" for i in range(100)], 16, 0)
    assert not fits({"vocab": share.encode_vocab(big)})


# --- scenario files --------------------------------------------------------------------------


def test_a_scenario_file_is_readable_json_with_every_setting():
    s = Settings(heads=4, head=3, cell=(2, 1), off=(1, 4), temp=0.5, weights="trained", steps=300, train_ffn="1")
    data = scenarios.scenario_bytes(s, core.Vocabulary(("the", "cat", "sat", "on", "café"), np.eye(5)))
    assert "café" in data.decode("utf-8")  # ensure_ascii=False
    obj = json.loads(data)
    assert list(obj) == ["app", "version", "settings", "vocabulary"]
    assert obj["app"] == "attention-explorer" and obj["version"] == scenarios.SCENARIO_VERSION == 1
    assert list(obj["settings"]) == [spec.name for spec in state.SPECS]
    assert obj["settings"]["cell"] == "2,1" and obj["settings"]["off"] == "1,4" and obj["settings"]["temp"] == "0.5"
    assert obj["settings"]["weights"] == "trained" and obj["settings"]["steps"] == "300"
    assert obj["settings"]["ffn"] is None
    assert all(v is None or isinstance(v, str) for v in obj["settings"].values())
    assert obj["vocabulary"]["words"][-1] == "café"
    assert obj["vocabulary"]["vectors"][1] == [0, 1, 0, 0, 0]
    assert json.loads(scenarios.scenario_bytes(DEFAULTS, None))["vocabulary"] is None
    assert data.startswith(b'{\n "app"')  # indented


@settings(max_examples=100, deadline=None)
@given(vocab=vocabularies(), s=st.data(), with_table=st.booleans())
def test_scenario_round_trip_is_exact(vocab, s, with_table):
    chosen = s.draw(all_settings(list(vocab.words)))
    table = vocab if with_table else None
    scenario, notices = scenarios.read_scenario(scenarios.scenario_bytes(chosen, table))
    assert notices == []
    assert scenario == scenarios.Scenario(chosen, table, ())
    if with_table:
        assert bits(scenario.vocab) == bits(vocab)


def test_scenario_keeps_dim_with_the_article_table():
    chosen = Settings(preset="seed", dim=16)
    scenario, notices = read(scenarios.scenario_bytes(chosen, None))
    assert notices == [] and scenario.settings.dim == 16


def test_a_byte_order_mark_is_fine():
    data = b"\xef\xbb\xbf" + scenarios.scenario_bytes(DEFAULTS, core.seed_vocabulary())
    assert read(data)[0] == scenarios.Scenario(DEFAULTS, core.seed_vocabulary(), ())


def test_a_big_table_can_make_a_file_over_the_cap():
    """The cap is the reader's: a writer can exceed it, and the reader then refuses the file."""
    wide = core.Vocabulary(
        tuple(f"w{i}" for i in range(state.MAX_WORDS)), np.full((state.MAX_WORDS, state.DIM_MAX), 1 / 3)
    )
    data = scenarios.scenario_bytes(DEFAULTS, wide)
    assert len(data) > scenarios.MAX_SCENARIO_BYTES
    assert keys(read(data)[1]) == ["share.file_rejected", "share.file_too_big"]


def scenario(**changes) -> bytes:
    obj = json.loads(scenarios.scenario_bytes(DEFAULTS, core.seed_vocabulary()))
    for name, value in changes.items():
        if value is ...:
            del obj[name]
        else:
            obj[name] = value
    return json.dumps(obj).encode()


def seed_table(**changes):
    table = {"words": ["the", "cat", "sat", "on"], "vectors": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]}
    return {**table, **changes}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b" " * (scenarios.MAX_SCENARIO_BYTES + 1), "share.file_too_big"),
        (b"\xff\xfe{}", "share.file_not_text"),
        (b"{\n not json", "share.file_not_json"),
        (b"", "share.file_not_json"),
        (b"[" * 100_000, "share.file_unreadable"),
        (b'{"n": ' + b"1" * 5000 + b"}", "share.file_unreadable"),
        (b"[1, 2]", "share.file_not_scenario"),
        (b'"attention-explorer"', "share.file_not_scenario"),
        (scenario(app="other-app"), "share.file_not_scenario"),
        (scenario(app=...), "share.file_not_scenario"),
        (scenario(version=...), "share.file_version_missing"),
        (scenario(version=2), "share.file_version_newer"),
        (scenario(version=0), "share.file_version_unknown"),
        (scenario(version="1"), "share.file_version_unknown"),
        (scenario(version=1.5), "share.file_version_unknown"),
        (scenario(version=True), "share.file_version_unknown"),
        (scenario(settings=...), "share.file_settings_shape"),
        (scenario(settings=["heads", "2"]), "share.file_settings_shape"),
        (scenario(vocabulary=[]), "share.file_vocab_shape"),
        (scenario(vocabulary={"words": ["the"]}), "share.file_vocab_shape"),
        (scenario(vocabulary=seed_table(words="the cat sat on")), "share.file_vocab_shape"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat"])), "share.file_vocab_shape"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", 4])), "share.file_vocab_shape"),
        (scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, 1], 1])), "share.file_vocab_shape"),
        (scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0], [1, 1, 0]])), "share.value_count"),
        (scenario(vocabulary={"words": [], "vectors": []}), "error.vocab_empty"),
        (scenario(vocabulary=seed_table(vectors=[[], [], [], []])), "error.table_shape"),
        (
            scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, "1"], [1, 1, 0]])),
            "error.cell_not_number",
        ),
        (
            scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, None], [1, 1, 0]])),
            "error.cell_not_number",
        ),
        (
            scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, True], [1, 1, 0]])),
            "error.cell_not_number",
        ),
        (
            scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, 1001], [1, 1, 0]])),
            "error.cell_too_big",
        ),
        (
            scenario(vocabulary=seed_table(vectors=[[1, 0, 0], [0, 1, 0], [0, 0, 10**400], [1, 1, 0]])),
            "error.cell_too_big",
        ),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", "the"])), "error.word_duplicate"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", "o n"])), "error.word_space"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", ""])), "error.word_empty"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", "x" * 33])), "error.word_long"),
        (
            scenario(vocabulary={"words": [f"w{i}" for i in range(1025)], "vectors": [[0]] * 1025}),
            "error.vocab_too_big",
        ),
        (scenario(vocabulary={"words": ["the"], "vectors": [[0] * (state.DIM_MAX + 1)]}), "share.vocab_too_wide"),
        (scenario(vocabulary=seed_table(words=["the", "cat", "sat", "in"])), "share.file_unknown_words"),
    ],
)
def test_a_bad_file_changes_nothing_and_names_the_problem(data, key):
    result, notices = read(data)
    assert result is None
    assert notices[0] == Notice("share.file_rejected")
    assert key in keys(notices[1:])


@pytest.mark.parametrize(("constant", "key"), [("NaN", "error.cell_not_number"), ("Infinity", "error.cell_not_finite")])
def test_json_constants_in_a_table_are_rejected(constant, key):
    data = scenario(vocabulary=seed_table()).replace(b"[0, 0, 1]", f"[0, 0, {constant}]".encode())
    assert constant.encode() in data
    result, notices = read(data)
    assert result is None and key in keys(notices)


def test_notices_name_the_details():
    assert read(scenario(version=7))[1][1] == Notice("share.file_version_newer", {"version": 7, "supported": 1})
    assert read(b" " * (scenarios.MAX_SCENARIO_BYTES + 1))[1][1].args == {"size": 1_000_001, "max": 1_000_000}
    assert read(b'{\n"app": 1,\n oops}')[1][1] == Notice("share.file_not_json", {"line": 3})
    missing = read(scenario(vocabulary=seed_table(words=["the", "cat", "hat", "in"])))[1][1]
    assert missing == Notice("share.file_unknown_words", {"words": ("sat", "on")})


def test_settings_out_of_range_are_clamped_with_a_notice_but_the_file_is_read():
    obj = json.loads(scenarios.scenario_bytes(DEFAULTS, core.seed_vocabulary()))
    obj["settings"].update(heads="99", temp="nan", mode="fancy", colour="red", seed=[1], ffn=4)
    scenario_, notices = read(json.dumps(obj).encode())
    assert scenario_ is not None and scenario_.vocab == core.seed_vocabulary()
    assert scenario_.settings.heads == state.HEADS_MAX and scenario_.settings.ffn == 4
    assert scenario_.settings.temp == DEFAULTS.temp and scenario_.settings.mode == DEFAULTS.mode
    assert notices == list(scenario_.notices)
    assert notices[0] == Notice("share.file_settings_adjusted")
    assert set(keys(notices[1:])) == {
        "share.file_setting_type",
        "notice.param_clamped",
        "notice.param_not_real",
        "notice.param_choice",
        "notice.param_unknown",
    }


@pytest.mark.parametrize(
    ("constant", "key"),
    [
        ("NaN", "share.file_setting_not_finite"),
        ("Infinity", "share.file_setting_not_finite"),
        ("-Infinity", "share.file_setting_not_finite"),
        ("1e400", "notice.param_not_number"),  # read as a link writes it: no whole number
        ("1e-400", "notice.param_not_number"),  # not a silent 0
    ],
)
def test_a_setting_that_is_no_finite_number_is_ignored_with_a_notice(constant, key):
    obj = json.loads(scenarios.scenario_bytes(DEFAULTS, None))
    obj["settings"]["seed"] = "SEED"
    text = json.dumps(obj).replace('"SEED"', constant)
    assert constant in text
    scenario_, notices = read(text.encode())
    assert scenario_ is not None and scenario_.settings.seed == DEFAULTS.seed
    assert keys(notices) == ["share.file_settings_adjusted", key]


def test_a_file_with_many_unknown_settings_gives_a_few_short_notices():
    obj = {"app": "attention-explorer", "version": 1, "settings": {f"k{i}" + "x" * 200: 1 for i in range(70_000)}}
    scenario_, notices = read(json.dumps(obj).encode()[: scenarios.MAX_SCENARIO_BYTES])  # cut: not JSON any more
    assert scenario_ is None
    obj["settings"] = {f"k{i}": 1 for i in range(70_000)}
    data = json.dumps(obj).encode()
    assert len(data) <= scenarios.MAX_SCENARIO_BYTES
    scenario_, notices = read(data)
    assert scenario_ is not None and len(notices) == state.MAX_NOTICES + 1
    assert notices[-1] == Notice("notice.more", {"n": 70_000 + 1 - state.MAX_NOTICES})


def test_a_setting_given_twice_in_a_file_takes_the_last_with_the_notice_a_link_gives():
    data = b'{"app": "attention-explorer", "version": 1, "settings": {"heads": "2", "heads": "9", "seed": 1, "seed": 2, "seed": 3}}'
    scenario_, notices = read(data)
    assert (scenario_.settings.heads, scenario_.settings.seed) == (9, 3)
    _, link_notices = state.parse_query_params({"heads": ["2", "9"], "seed": ["1", "2", "3"]})
    assert notices == [Notice("share.file_settings_adjusted"), *link_notices]
    # a repeated key elsewhere is the JSON's own business (the last is read): no notice about settings
    quiet = b'{"app": "attention-explorer", "app": "attention-explorer", "version": 1, "settings": {"heads": "3"}}'
    assert read(quiet) == (scenarios.Scenario(replace(DEFAULTS, heads=3), None, ()), [])
    # a repeated name a link would not read is said once, as repeated, and as unknown
    _, notices = read(b'{"app": "attention-explorer", "version": 1, "settings": {"x\\n===": 1, "x\\n===": 2}}')
    assert keys(notices) == ["share.file_settings_adjusted", "notice.param_repeated", "notice.param_unknown"]


def test_a_huge_word_in_a_file_is_named_cut():
    obj = json.loads(scenarios.scenario_bytes(DEFAULTS, core.seed_vocabulary()))
    obj["vocabulary"]["words"][0] = "w" * 500_000
    scenario_, notices = read(json.dumps(obj).encode())
    assert scenario_ is None and "error.word_long" in keys(notices)
    assert all(len(str(v)) <= 2 * state.EXCERPT_CHARS for n in notices for v in n.args.values())


def test_a_file_without_a_table_uses_the_preset_and_any_sentence():
    obj = json.loads(scenarios.scenario_bytes(Settings(preset="random", sentence="dog ran far", dim=200), None))
    scenario_, notices = read(json.dumps(obj).encode())
    assert scenario_.vocab is None and scenario_.settings.sentence == "dog ran far"
    assert scenario_.settings.dim == state.DIM_MAX and keys(notices) == [
        "share.file_settings_adjusted",
        "notice.param_clamped",
    ]


def test_a_minimal_file_is_read_with_defaults():
    scenario_, notices = read(b'{"app": "attention-explorer", "version": 1, "settings": {}}')
    assert scenario_ == scenarios.Scenario(DEFAULTS, None, ()) and notices == []


def test_invisible_characters_in_a_file_are_taken_out_as_the_table_does():
    data = scenario(vocabulary=seed_table(words=["the", "c\u200bat", "sat", "on"]))
    scenario_, notices = read(data)
    assert scenario_.vocab.words == ("the", "cat", "sat", "on")
    assert keys(notices) == ["table.word_cleaned"]


def test_scenario_file_name():
    assert scenarios.scenario_file_name(DEFAULTS) == "attention-explorer-scenario-the-cat-sat-on.json"
    assert scenarios.scenario_file_name(Settings(sentence="Café ☕ no/../path")) == (
        "attention-explorer-scenario-cafe-no-path.json"
    )
    assert scenarios.scenario_file_name(Settings(sentence="日本 語")) == "attention-explorer-scenario.json"
    long_name = scenarios.scenario_file_name(Settings(sentence=" ".join(["word"] * 50)))
    assert re.fullmatch(r"attention-explorer-scenario(-[a-z0-9]+)*\.json", long_name) and len(long_name) < 80


def test_the_module_is_pure():
    source = (ROOT / "ui" / "share.py").read_text(encoding="utf-8")
    assert "streamlit" not in source and "pickle" not in source and "eval(" not in source


# --- the catalogue ---------------------------------------------------------------------------


def source_notice_keys():
    return set(re.findall(r'Notice\("([a-z_.0-9]+)"', (ROOT / "ui" / "share.py").read_text(encoding="utf-8")))


def test_every_notice_key_of_the_module_is_in_the_catalogue():
    made = source_notice_keys()
    assert {k for k in made if k.startswith("share.")}  # the pattern finds them
    assert made <= set(CATALOGUE)


def test_every_notice_seen_formats_in_both_languages():
    """Runs last in this file: every notice the tests above got, with its real arguments."""
    assert SEEN
    share_keys = {k for k in source_notice_keys() if k.startswith("share.")}
    assert share_keys <= set(keys(SEEN)), "a share.* notice no test produced"
    for lang in state.LANGS:
        t = Translator(lang)
        for notice in SEEN:
            text = t.notice(notice)
            assert text and "{" not in text
