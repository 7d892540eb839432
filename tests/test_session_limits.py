"""Limits a session keeps whatever it is given: the vocabulary's 1,024 words when a sentence brings new ones,
and a pasted table far past them, refused before its cells are read.

The session's functions run inside a script (``AppTest.from_function``), as Streamlit's callbacks do.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import session, state
from ui.i18n import Translator

EN = Translator("en")


def vocabulary_cap_script():
    """A table of 1,020 words with random vectors, then ten new words brought in three ways; what each left."""
    import streamlit as st

    import core
    from ui import session, state

    session.ensure()
    table = core.random_vocabulary([f"v{i}" for i in range(1020)], 4, 0)
    new_words = " ".join(f"n{i}" for i in range(10))  # ten words the table lacks (a script has no module globals)
    seen = st.session_state["test_seen"] = []

    def record(how: str) -> None:
        seen.append((how, list(session.sentence_errors()), len(session.vocabulary()), session.settings().sentence))

    # the table arrives (a lesson step, a file) while the sentence holds the new words: it is checked again
    session.open_view(state.Settings(preset="random", dim=4, sentence=new_words), table)
    record("recheck")
    session.add_unknown_words()  # the sentence's button: "give them random vectors"
    record("add")
    session.commit_sentence(f"v0 {new_words}")  # typed
    record("commit")
    session.commit_sentence("v0 n0 n1 n2 n3")  # four new words still fit: 1,024
    record("fits")


def test_new_words_past_the_vocabularys_limit_are_refused_with_the_limit_named():
    at = AppTest.from_function(vocabulary_cap_script, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = {how: rest for how, *rest in at.session_state["test_seen"]}
    for how in ("recheck", "add", "commit"):
        errors, n_words, sentence = seen[how]
        assert [e.key for e in errors] == ["error.vocab_too_big"], (how, errors)
        assert errors[0].args == {"n": 1030, "max": state.MAX_WORDS}
        assert "1024" in EN.notice(errors[0]).replace(",", "")  # the message names the limit
        assert n_words == 1020  # nothing added
        assert set(sentence.split()) <= {f"v{i}" for i in range(1020)}  # the page computes meanwhile
    errors, n_words, sentence = seen["fits"]
    assert errors == [] and n_words == state.MAX_WORDS and sentence == "v0 n0 n1 n2 n3"


def paste_script():
    """The table editor's callback given a paste of ``test_rows`` rows, timed; how the table was typed."""
    import time

    import streamlit as st

    from ui import session, state

    session.ensure()
    session.begin_run()
    session.table_for_editor("en")
    typed, applied = [], []
    real_typed, real_apply = state.typed_cells, state.apply_editor_delta
    state.typed_cells = lambda table, *a: typed.append(len(table)) or real_typed(table, *a)
    state.apply_editor_delta = lambda table, delta: applied.append(len(table)) or real_apply(table, delta)
    try:
        for delta in st.session_state["test_edits"]:
            t0 = time.perf_counter()
            session.edit_table(delta)
            st.session_state.setdefault("test_took", []).append(time.perf_counter() - t0)
    finally:
        state.typed_cells, state.apply_editor_delta = real_typed, real_apply
    st.session_state["test_typed"], st.session_state["test_applied"] = typed, applied
    reading = session.table_reading()
    st.session_state["test_errors"] = list(reading.errors) if reading else []
    st.session_state["test_words"] = session.vocabulary().words


def run_paste(*edits) -> AppTest:
    at = AppTest.from_function(paste_script, default_timeout=60)
    at.query_params["preset"] = "seed"  # the article's table: the, cat, sat, on (width 3)
    at.session_state["test_edits"] = list(edits)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pasted(n: int) -> dict:
    """The grid's record of ``n`` rows pasted below the table, values as text, as a spreadsheet gives them."""
    return {"added_rows": [{"word": f"p{i}", "d1": "0,5", "d2": "1", "d3": "x"} for i in range(n)]}


def test_a_paste_far_past_the_word_limit_is_refused_before_its_cells_are_read():
    at = run_paste(pasted(5000))
    errors = at.session_state["test_errors"]
    assert [e.key for e in errors] == ["error.vocab_too_big"]
    assert errors[0].args == {"n": 5004, "max": state.MAX_WORDS}
    assert "1024" in EN.notice(errors[0]).replace(",", "")
    assert at.session_state["test_typed"] == []  # no cell of the 5,004 rows was typed
    assert at.session_state["test_words"] == ("the", "cat", "sat", "on")  # nothing changed
    assert at.session_state[session.TABLE_DRAFT_KEY] is not None  # kept to be cut down, with its message
    assert at.session_state["test_took"][0] < 1.0, at.session_state["test_took"]


def test_a_paste_within_the_limit_is_typed_and_read():
    at = run_paste(pasted(3))
    assert at.session_state["test_typed"] == [7]
    assert {e.key for e in at.session_state["test_errors"]} == {"error.cell_not_number", "error.cell_comma"}


def test_each_edit_of_the_grid_is_applied_to_the_table_once():
    """The grid sends its whole record on every edit; the table it made last time is kept, not made again."""
    first = {"edited_rows": {1: {"word": "dog"}}}
    second = {"edited_rows": {1: {"word": "dog"}, 2: {"word": "ran"}}}
    third = {"edited_rows": {1: {"word": "dog"}, 2: {"word": "ran"}}, "deleted_rows": [3]}
    at = run_paste(first, second, third)
    assert at.session_state["test_applied"] == [4, 4, 4]  # one application of the grid's record per edit
    assert at.session_state["test_words"] == ("the", "dog", "ran")
    assert at.session_state["test_errors"] == []
