"""/decoder driven by AppTest: the decoder's masked self-attention, cross-attention (target rows, source
columns), layers, a bad source sentence, a cell explained with core's numbers; and Home's transformer."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import core
from tests.conftest import PAGES, assert_clean, chart_frame, chart_spec, chart_titled, chart_titles, plain, run_app
from ui import charts as chart_builders
from ui import decoder_pass, session, share, state, translation
from ui.i18n import CATALOGUE

PAGE = PAGES["decoder"]
SOURCE = state.SOURCE_SENTENCE.split()
TARGET = ["<s>", *core.toy_translation(SOURCE)]


def expected_pass(**changes) -> decoder_pass.DecoderPass:
    """The pass core computes for the page's settings (the key made as the page makes it)."""
    settings = dataclasses.replace(state.DEFAULTS, **changes)
    words, _ = decoder_pass.read_source(settings.source, core.TOY_LEXICON)
    return decoder_pass.compute(decoder_pass.DecoderKey.of(settings, words, core.TOY_LEXICON))


def grid(frame, rows, cols) -> np.ndarray:
    """A heatmap's cells (r, c, v) as a rows × cols matrix (a masked cell is NaN)."""
    out = np.full((rows, cols), np.nan)
    for r, c, v in frame[["r", "c", "v"]].itertuples(index=False):
        out[int(r), int(c)] = v
    return out


@pytest.mark.parametrize("lang", state.LANGS)
@pytest.mark.parametrize("mode", ["paper", "tutorial"])
def test_the_decoder_draws_in_every_mode_and_language(mode, lang):
    at = run_app(PAGE, mode=mode, lang=lang)
    assert_clean(at)
    assert at.title[0].value == CATALOGUE["dec.title"][lang]
    titles = chart_titles(at)
    for key in ("dec.self_head", "dec.cross_head"):
        title = CATALOGUE[key][lang].format(layer=1, n=1)
        assert chart_titled(at, title), titles
    assert "memory = Encoder(x)" in titles
    badge = CATALOGUE["tutorial.badge"][lang]
    assert any(badge in plain(i.value) for i in at.info) == (mode == "tutorial")
    assert not at.warning


def test_cross_attention_is_target_by_source_and_equals_cores_weights():
    at = run_app(PAGE, heads=2)
    assert_clean(at)
    expected = expected_pass(heads=2)
    cross = expected.decoder.layers[0].cross_attention.weights  # (H, T, S)
    assert cross.shape == (2, len(TARGET), len(SOURCE))
    for h in range(2):
        chart = chart_titled(at, f"Cross-attention · layer 1 · head {h + 1}")
        drawn = grid(chart_frame(chart), len(TARGET), len(SOURCE))
        np.testing.assert_allclose(drawn.sum(axis=1), 1.0, atol=1e-9)
        np.testing.assert_allclose(drawn, cross[h], rtol=1e-12, atol=1e-12)
        spec = str(chart.proto.spec)
        assert "Decoder position (row)" in spec and "English word (column)" in spec
        for word in ("gato", "preto", "black", "mat"):
            assert word in spec  # target words label the rows, source words the columns


def test_masked_self_attention_has_nothing_above_the_diagonal():
    at = run_app(PAGE)
    expected = expected_pass().decoder.layers[0].self_attention.weights
    T = len(TARGET)
    for h in range(expected.shape[0]):
        drawn = grid(chart_frame(chart_titled(at, f"Masked self-attention · layer 1 · head {h + 1}")), T, T)
        above = np.triu_indices(T, k=1)
        assert np.all(np.isnan(drawn[above])) or np.allclose(np.nan_to_num(drawn[above]), 0.0)
        np.testing.assert_array_equal(expected[h][above], 0.0)
        lower = np.tril_indices(T)
        np.testing.assert_allclose(drawn[lower], expected[h][lower], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(expected[h].sum(axis=1), 1.0)


def test_three_layers_draw_each_layers_maps():
    at = run_app(PAGE, layers=3)
    assert_clean(at)
    expected = expected_pass(layers=3)
    assert expected.n_layers == 3
    seen = []
    for layer in (1, 2, 3):
        at.segmented_control(key="w_layer").set_value(layer).run()
        assert_clean(at)
        cross = chart_frame(chart_titled(at, f"Cross-attention · layer {layer} · head 1"))
        drawn = grid(cross, len(TARGET), len(SOURCE))
        np.testing.assert_allclose(drawn, expected.decoder.layers[layer - 1].cross_attention.weights[0], atol=1e-12)
        assert chart_titled(at, f"Masked self-attention · layer {layer} · head 1")
        seen.append(drawn)
    assert not np.allclose(seen[0], seen[1]) and not np.allclose(seen[1], seen[2])


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("the dog barked on the mat", "barked"),  # not in the lexicon
        ("the cat sat under a mat", "under a"),  # a pair outside the language
        ("cat the sat on the mat", "cat"),  # outside the grammar
        ("the cat sat", "sat"),  # ends too early
    ],
)
def test_a_bad_source_is_named_and_the_page_still_draws(source, named):
    at = run_app(PAGE, source=source)
    assert_clean(at)
    said = [plain(w.value) for w in at.warning]
    assert len(said) == 1 and f"“{named}”" in said[0] and state.SOURCE_SENTENCE in said[0]
    assert chart_titled(at, "Cross-attention · layer 1 · head 1")


def test_a_new_source_sentence_is_translated():
    at = run_app(PAGE)
    at.text_input(key="w_source").set_value("a small bird slept near the big house").run()
    assert_clean(at)
    assert at.session_state[session.SETTINGS_KEY].source == "a small bird slept near the big house"
    assert "pássaro pequeno dormiu perto da casa grande" in plain(" ".join(m.value for m in at.markdown))
    spec = json.dumps(chart_spec(chart_titled(at, "Cross-attention · layer 1 · head 1")), ensure_ascii=False)
    assert "pássaro" in spec and "bird" in spec


def test_a_head_count_that_does_not_divide_d_model_says_what_the_paper_requires():
    at = run_app(PAGE, heads=3)
    assert_clean(at)
    said = [plain(i.value) for i in at.info if "d_model / h" in plain(i.value)]
    assert len(said) == 1 and "uses 2" in said[0]
    assert chart_titled(at, "Cross-attention · layer 1 · head 2")
    assert "Cross-attention · layer 1 · head 3" not in chart_titles(at)


@pytest.mark.parametrize("kind", ["cross", "self"])
def test_the_explained_cell_has_cores_numbers(kind):
    at = run_app(PAGE)
    if kind == "self":
        at.radio(key="w_attn").set_value("self").run()
    at.selectbox(key="w_dcell_q").set_value(4).run()  # 1-based, as the pickers show them
    at.selectbox(key="w_dcell_k").set_value(2).run()
    at.selectbox(key="w_dhead").set_value(2).run()
    assert at.session_state[session.SETTINGS_KEY].dcell == (4, 2)
    assert at.session_state[session.SETTINGS_KEY].dhead == 2
    assert_clean(at)
    att = expected_pass().decoder.layers[0]
    att = att.cross_attention if kind == "cross" else att.self_attention
    mask = None if kind == "cross" else core.causal_mask(len(TARGET))
    ex = core.explain_cell(att.q[1], att.k[1], att.v[1], 3, 1, scale=att.scale, mask=mask)
    text = " ".join(plain(m.value) for m in at.markdown)
    assert f"{ex.dot:.4f}" in text and f"{ex.weight:.4f}" in text
    assert f"**Query {TARGET[3]} (#4) looks at key {(SOURCE if kind == 'cross' else TARGET)[1]} (#2)**" in text
    np.testing.assert_allclose(ex.weight, att.weights[1, 3, 1], rtol=1e-12)


def test_a_masked_cell_of_self_attention_says_so():
    at = run_app(PAGE)
    at.radio(key="w_attn").set_value("self").run()
    at.selectbox(key="w_dcell_k").set_value(6).run()  # key 6, query 1: in the future
    assert_clean(at)
    assert any("mask" in plain(w.value).lower() for w in at.warning)


def test_a_link_opens_the_same_layer_attention_head_and_cell():
    """What /decoder explains is in its link (layer, attn, dhead, dcell), as the encoder screens' cell is."""
    at = run_app(PAGE, layers=2, layer=1, attn="self", dhead=2, dcell="5,3")
    assert_clean(at)
    assert at.segmented_control(key="w_layer").value == 1
    assert chart_titled(at, "Cross-attention · layer 1 · head 1")
    assert "Cross-attention · layer 2 · head 1" not in chart_titles(at)
    assert (at.radio(key="w_attn").value, at.selectbox(key="w_dhead").value) == ("self", 2)
    assert (at.selectbox(key="w_dcell_q").value, at.selectbox(key="w_dcell_k").value) == (5, 3)
    text = " ".join(plain(m.value) for m in at.markdown)
    assert f"**Query {TARGET[4]} (#5) looks at key {TARGET[2]} (#3)**" in text
    att = expected_pass(layers=2).decoder.layers[0].self_attention
    ex = core.explain_cell(att.q[1], att.k[1], att.v[1], 4, 2, scale=att.scale, mask=core.causal_mask(len(TARGET)))
    assert f"**{ex.weight:.4f}**" in text
    # and a pick goes back into the link
    at.selectbox(key="w_dcell_q").set_value(6).run()
    assert (at.query_params["dcell"], at.query_params["attn"]) == ("6,3", "self")


def test_a_cell_or_head_past_this_sentence_or_model_shows_the_last_one():
    at = run_app(PAGE, dhead=9, dcell="40,40", layer=3)  # one layer, two heads, 8 English words
    assert_clean(at)
    assert at.selectbox(key="w_dhead").value == 2
    assert (at.selectbox(key="w_dcell_q").value, at.selectbox(key="w_dcell_k").value) == (len(TARGET), len(SOURCE))
    assert chart_titled(at, "Cross-attention · layer 1 · head 1")


def test_trained_weights_are_the_translators():
    at = run_app(PAGE, weights="trained")
    assert_clean(at)
    key = translation.TranslatorKey.of(dataclasses.replace(state.DEFAULTS, weights="trained"), core.TOY_LEXICON)
    result = translation.trained(key)
    assert result is not None and any("held-out" in plain(i.value) for i in at.info)
    out = core.translate(result, SOURCE)
    assert out.correct  # the default translator learns the default sentence
    drawn = grid(chart_frame(chart_titled(at, "Cross-attention · layer 1 · head 1")), len(TARGET), len(SOURCE))
    n = len(out.words)  # with the causal mask, row t of teacher forcing is greedy decoding's step t
    np.testing.assert_allclose(drawn[:n], out.cross_weights[0, 0], rtol=1e-9, atol=1e-12)


def test_tutorial_mode_ignores_trained_weights():
    at = run_app(PAGE, weights="trained", mode="tutorial")
    assert_clean(at)
    assert not any("held-out" in plain(i.value) for i in at.info)


def test_the_pass_is_cached_and_read_only():
    settings = state.DEFAULTS
    key = decoder_pass.DecoderKey.of(settings, tuple(SOURCE), core.TOY_LEXICON)
    first, second = decoder_pass.cached(key), decoder_pass.cached(key)
    assert first is second
    assert not first.decoder.layers[0].cross_attention.weights.flags.writeable
    assert 0 < decoder_pass.pass_nbytes(first) < 2**20


def test_a_new_layer_count_keeps_the_first_layers_weights():
    one, three = expected_pass(layers=1), expected_pass(layers=3)
    np.testing.assert_array_equal(one.memory.shape, three.memory.shape)
    np.testing.assert_allclose(
        one.decoder.layers[0].self_attention.weights, three.decoder.layers[0].self_attention.weights
    )


def test_home_draws_the_whole_transformer_naming_each_screen():
    at = run_app(PAGES["home"])
    assert_clean(at)
    chart = chart_titled(at, CATALOGUE["home.tf_title"]["en"])
    boxes = [
        pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets if b"screen" in d.data.data
    ]
    box = pd.concat(boxes).drop_duplicates(["name", "screen"])
    screen = dict(zip(box["name"], box["screen"], strict=False))  # each box names its screen
    assert {CATALOGUE[k]["en"] for k in ("home.tf_self", "home.tf_masked", "home.tf_cross")} <= set(screen)
    assert (
        screen[CATALOGUE["home.tf_self"]["en"]]
        == f"{CATALOGUE['nav.self_attention']['en']} · {CATALOGUE['nav.multi_head']['en']}"
    )
    assert screen[CATALOGUE["home.tf_masked"]["en"]] == CATALOGUE["nav.decoder"]["en"]
    assert screen[CATALOGUE["home.tf_cross"]["en"]] == CATALOGUE["nav.decoder"]["en"]
    assert set(box["screen"]) >= {CATALOGUE[k]["en"] for k in ("nav.vocabulary", "nav.add_norm", "nav.feed_forward")}


def test_the_transformer_diagram_checks_its_parts():
    enc = [("in", "", "io"), ("sa", "", "attention"), ("an", "", "norm")]
    dec = [("in", "", "io"), ("ca", "", "cross"), ("an", "", "norm")]
    chart = chart_builders.transformer_diagram(enc, dec, memory="m", encoder_title="E", decoder_title="D")
    assert chart.to_dict()["layer"]
    with pytest.raises(chart_builders.ChartInputError, match="one 'cross' box"):
        chart_builders.transformer_diagram(enc, enc, memory="m", encoder_title="E", decoder_title="D")
    with pytest.raises(chart_builders.ChartInputError, match="kind"):
        chart_builders.transformer_diagram([("x", "", "nope")], dec, memory="m", encoder_title="E", decoder_title="D")


def test_a_link_with_an_edited_lexicon_keeps_it_on_the_decoder():
    """A /translate link's lexicon= opened on /decoder: its words are the decoder's, and its link keeps them."""
    nouns = {**core.TOY_LEXICON.nouns, "mouse": ("rato", "m")}
    lexicon = core.Lexicon(nouns, core.TOY_LEXICON.adjectives, core.TOY_LEXICON.verbs)
    text = share.encode_lexicon(lexicon)
    at = run_app(PAGE, lexicon=text, source="the mouse sat on the mat")
    assert_clean(at)
    assert not at.warning  # the sentence is one of this lexicon's
    assert "o rato sentou no tapete" in " ".join(plain(m.value) for m in at.markdown)
    assert at.query_params["lexicon"] == text
    assert "mouse" in at.text_input(key="w_source").help  # its help lists the words of the lexicon in use
    assert "mouse" not in run_app(PAGE).text_input(key="w_source").help


def test_a_bad_lexicon_in_the_link_is_named_on_the_decoder_too():
    at = run_app(PAGE, lexicon="cat:gato:x;;sat:sentou")
    assert_clean(at)
    said = " ".join(plain(w.value) for w in at.warning)
    assert "could not be read" in said and "gender of “cat”" in said  # its gender x is neither m nor f
    assert chart_titled(at, "Cross-attention · layer 1 · head 1")  # the toy lexicon and its default sentence
