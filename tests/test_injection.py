"""Nothing a user types is interpreted (issue 16, item 6): Markdown in the derivation's tables, a
Vega expression built from tokens, formulas in a CSV (tests/test_downloads.py)."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PAGES, assert_clean, run_app
from ui import charts

LABEL_SUFFIX = "[floor(datum.value)] || ''"
# Words as a user can type them (up to 32 characters of any text), and what could end a string or a script.
TRICKY = ["'", '"', "\\", "\n", "\r", "\u2028", "\u2029", "</script>", "${x}", "`", "' + alert(1) + '", "\x00"]
words = st.one_of(st.text(max_size=32), st.sampled_from(TRICKY), st.lists(st.sampled_from(TRICKY)).map("".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(words, min_size=1, max_size=12))
def test_a_label_expression_holds_each_token_as_one_string_literal(labels):
    expr = charts.label_expr(labels)
    assert expr.endswith(LABEL_SUFFIX)
    literal = expr.removesuffix(LABEL_SUFFIX)
    # One JSON array of strings and nothing else (json.loads refuses anything after it), in printable ASCII:
    # JSON is JavaScript (and Vega's expression language) once U+2028/U+2029 are escaped, and no
    # "<", ">" or "&" can close an HTML script tag around the spec.
    assert literal.isascii() and literal.isprintable()
    assert not {"<", ">", "&"} & set(literal)
    assert json.loads(literal) == labels  # one JSON (and so JavaScript) string literal per token, equal to it


def test_a_heatmaps_axes_carry_the_tokens_in_their_label_expressions():
    tokens = ["a'b", 'c"d', "e\\f", "g\u2028h"]
    chart = charts.heatmap(
        np.eye(4), tokens, tokens, title="t", row_title="r", col_title="c", value_title="v", domain=(0.0, 1.0)
    )
    spec = charts.vega_lite(chart)
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert json.loads(axis["labelExpr"].removesuffix(LABEL_SUFFIX)) == tokens


def test_markdown_typed_as_a_word_is_shown_as_text_in_the_derivation_tables():
    word = "![](https://example.org/p.png)"
    at = run_app(PAGES["self-attention"], preset="random", sentence=f"{word} **b**", cell="1,1")
    assert_clean(at)
    assert len(at.table) == 3
    texts = []
    for table in at.table:
        frame = table.value
        texts += (
            [str(x) for x in frame.columns]
            + [str(x) for x in frame.index]
            + frame.astype(str).to_numpy().ravel().tolist()
        )
    assert any("example" in text for text in texts)  # the word is there ...
    for text in texts:  # ... with every Markdown character escaped
        unescaped = text.replace("\\\\", "").replace("\\!", "").replace("\\[", "").replace("\\*", "")
        assert "![" not in unescaped and "**" not in unescaped and "](" not in text.replace("\\]\\(", "")
