"""Vocabulary: the words, their vectors, the sentence, and the sentence's embeddings."""

import streamlit as st

from ui import charts, compute, draw, layout, session, state

page = layout.start("nav.vocabulary")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("vocab.title"))
st.write(t("vocab.intro"))

with layout.guarded(page):
    left, right = st.columns([3, 2])
    with left:
        layout.setting(t, s, "preset", "select", value=s.vocab_preset)
    with right:
        layout.setting(t, s, "dim", "number", value=vocab.dim)
    if session.width_note():
        st.info(t.notice(session.width_note()), icon=":material/visibility_off:")

    st.text_input(
        t("vocab.sentence"),
        max_chars=state.MAX_SENTENCE_CHARS,
        help=t("vocab.sentence_help", max=state.MAX_TOKENS),
        **layout.bound("sentence", session.sentence_text()),
    )  # free text: the one setting its spec does not draw
    for note in session.sentence_notes():
        st.info(t.notice(note), icon=":material/cleaning_services:")
    problems = session.sentence_errors()
    if problems:
        layout.errors(page, problems)
        st.caption(t("error.sentence_kept", sentence=s.sentence))
        b1, b2 = st.columns(2)
        if session.unknown_in_draft():
            b1.button(t("vocab.add_words"), on_click=session.add_unknown_words, icon=":material/add:")
        b2.button(t("vocab.discard_sentence"), on_click=session.discard_sentence_draft)
    shown = " · ".join(s.tokens[:40]) + (" …" if len(s.tokens) > 40 else "")
    st.caption(t("vocab.tokens", n=len(s.tokens), tokens=shown))

    st.subheader(t("vocab.table"))
    table, editor_key = session.table_for_editor(s.lang)
    dims = state.dim_columns(len(table.columns) - 1)
    # No max_chars: the grid would cut a long word silently; the table's reader names it instead.
    # Values are text too: the browser's number cells would read a pasted "2,5" as 25 and drop "abc"
    # silently; the table's reader reads them in the page's language and names what it cannot.
    config = {"word": st.column_config.TextColumn(t("vocab.word_col"))}
    value_help = t("vocab.value_help", max=state.format_value(state.MAX_ABS_VALUE))
    config.update({c: st.column_config.TextColumn(c, help=value_help, alignment="right") for c in dims})
    st.data_editor(
        table,
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        column_config=config,
        on_change=session.commit_table,
        args=(editor_key,),
        placeholder="",  # an empty cell looks empty (Streamlit would write a grey "None" in it)
    )
    st.caption(t("vocab.table_help", max=state.MAX_WORDS))
    reading = session.table_reading()
    replaced = session.table_replaced()  # an edit that overwrote words: said, with the way back
    errors = reading.errors if reading is not None else ()
    if replaced is not None and replaced.pairs:
        st.info(t("vocab.replaced", pairs=replaced.pairs), icon=":material/find_replace:")
    if replaced is not None and replaced.words:
        st.info(t("vocab.overwritten", words=replaced.words), icon=":material/find_replace:")
    for note in (*reading.notes, *reading.waiting) if reading is not None else ():
        st.info(t.notice(note), icon=":material/edit_note:")
    if errors:
        layout.errors(page, errors)
        st.warning(t("error.table_kept" if replaced is None else "error.table_kept_undo"))
    fill = reading is not None and (reading.waiting_words or any(e.key == "error.cells_empty" for e in errors))
    if fill or errors or replaced is not None:
        buttons = st.columns(2)
        if fill:
            buttons[0].button(
                t("vocab.fill_empty"),
                help=t("vocab.fill_empty_help"),
                on_click=session.fill_empty_cells,
                icon=":material/format_color_fill:",
            )
        if errors or replaced is not None:  # a replacement is undone even when it left no error
            buttons[int(fill)].button(
                t("vocab.undo_replace" if replaced is not None else "vocab.restore_table"),
                on_click=session.discard_table_draft,
                icon=":material/undo:",
            )
    if session.is_custom():
        st.caption(t("vocab.custom_note"))

    result = compute.current_pass(s, vocab)
    dims = draw.feature_labels("d", vocab.dim)
    T = len(s.tokens)
    w = draw.token_window(page, T, "vocab")
    rows = list(s.tokens)[w]
    draw.matrix(
        page,
        result.x[w] if not s.paper else result.embeddings[w],
        rows,
        dims,
        title=t("vocab.embeddings", raw=True, t=T, d=vocab.dim),
    )
    draw.notice(page, "vocab.embeddings_notice")
    if s.paper and result.positions is not None:
        st.subheader(t("vocab.pe_title"))
        st.write(t("vocab.pe_body"))
        (left, right), _ = draw.side_by_side(
            charts.matrix_width(result.positions[w], rows), charts.matrix_width(result.x[w], rows)
        )
        with left:
            draw.matrix(
                page,
                result.positions[w],
                rows,
                dims,
                title=f"PE ({T} × {vocab.dim})",
                row_axis="axis.position",
            )
        with right:
            draw.matrix(page, result.x[w], rows, dims, title=f"X = E + PE ({T} × {vocab.dim})")
        draw.notice(page, "vocab.pe_notice")
        if len(set(s.tokens)) == len(s.tokens):
            st.caption(t("vocab.pe_repeat"))
    elif s.paper:
        st.caption(t("vocab.pe_off"))
