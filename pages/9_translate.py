"""Translate: train a toy English -> Portuguese transformer live, then watch it write word by word."""

import functools

import streamlit as st

from ui import charts, draw, layout, scenarios, session, state, training, translation
from ui.i18n import Counted

page = layout.start("nav.translate", page_params=("lexicon",), block_weights=False)  # it trains its own model
t, s = page.t, page.settings

st.title(t("tr.title"))
st.write(t("tr.intro"))

PARTS_ICON = ":material/table_rows:"


def lexicon_editor(lexicon) -> None:
    """The lexicon as three tables the learner edits (session: base tables kept while on screen, drafts)."""
    tables, version = session.lexicon_tables_for_editor(s.lang)

    def text(label: str):  # narrow: three grids side by side; a longer word scrolls in its cell
        return st.column_config.TextColumn(t(label), width="small")

    configs = {
        "nouns": {
            "english": text("tr.col_english"),
            "portuguese": text("tr.col_portuguese"),
            "gender": st.column_config.SelectboxColumn(t("tr.col_gender"), options=["m", "f"], width="small"),
        },
        "adjectives": {
            "english": text("tr.col_english"),
            "masculine": text("tr.col_masculine"),
            "feminine": text("tr.col_feminine"),
        },
        "verbs": {"english": text("tr.col_english"), "portuguese": text("tr.col_portuguese")},
    }
    for col, part in zip(st.columns([4, 4, 3]), translation.PARTS, strict=True):
        with col:
            st.markdown(f"**{t(translation.PART_LABELS[part])}**")
            key = session.lexicon_editor_key(part, version)
            st.data_editor(
                tables[part],
                key=key,
                num_rows="dynamic",
                hide_index=True,
                column_config=configs[part],
                on_change=session.commit_lexicon_table,
                args=(part, version),
            )
    st.caption(t("tr.lexicon_help", max=state.MAX_LEXICON_ENTRIES, n=lexicon.n_sentences, chars=state.MAX_WORD_CHARS))
    reading = session.lexicon_reading()
    if reading is not None:
        for note in (*reading.notes, *reading.waiting):
            st.info(translation.lexicon_notice(t, note), icon=":material/edit_note:")
        for error in reading.errors[: layout.MAX_ERRORS]:
            st.error(translation.lexicon_notice(t, error), icon=":material/error:")
        if reading.errors:
            st.warning(t("tr.lexicon_kept"))
        st.button(t("tr.lexicon_restore"), on_click=session.discard_lexicon_draft, icon=":material/undo:")
    if session.custom_lexicon() is not None:
        left, right = st.columns(2)
        left.button(t("tr.lexicon_reset"), on_click=session.reset_lexicon, icon=":material/restart_alt:")
        right.download_button(
            t("tr.save"),
            # built on a click, in Streamlit's own thread, from this run's values (no session there)
            data=functools.partial(scenarios.scenario_bytes, s, session.custom_vocabulary(), session.custom_lexicon()),
            file_name="attention-explorer-translator.json",
            mime="application/json",
            on_click="ignore",
            help=t("tr.save_help"),
            icon=":material/download:",
        )


def training_controls(lexicon) -> None:
    """Heads, layers (when the settings have them) and steps: the translator's key."""
    left, mid, right = st.columns(3)
    with left:
        layout.heads_control(page)
    with mid:
        if "layers" in state.SPEC:
            layout.setting(t, s, "layers", "slider")
    with right:
        spec = state.SPEC["steps"]
        st.number_input(
            t("train.steps"),
            min_value=int(spec.lo),
            max_value=int(spec.hi),
            step=1,
            placeholder=t("tr.steps_auto", n=translation.DEFAULT_STEPS),
            help=t("tr.steps_help", lo=int(spec.lo), hi=int(spec.hi), batch=translation.BATCH),
            **layout.bound("steps", s.steps),
        )


with layout.guarded(page):
    if not s.paper:
        layout.tutorial_note(page, "tr.tutorial_note")
        st.subheader(t("tr.paper_math"))
        st.latex(r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V")
        st.write(t("tr.math_self"))
        st.latex(r"Q = Y W^Q,\; K = Y W^K,\; V = Y W^V,\quad \alpha_{t s} = 0 \;\; (s > t)")
        st.write(t("tr.math_cross"))
        st.latex(r"Q = H_{\text{dec}} W^Q,\; K = M W^K,\; V = M W^V,\quad M = \mathrm{Encoder}(X)")
        layout.stop(page)

    for notice in session.take_lexicon_notices():
        (st.error if notice.key == "tr.link_rejected" else st.warning)(
            translation.lexicon_notice(t, notice), icon=":material/link:"
        )
    lexicon = session.lexicon()
    if not session.sync_lexicon_url():
        st.warning(t("tr.link_too_long", max=state.MAX_LEXICON_ENTRIES), icon=":material/link_off:")

    st.subheader(t("tr.lexicon"))
    with st.expander(t("tr.lexicon_edit"), expanded=session.custom_lexicon() is not None, icon=PARTS_ICON):
        lexicon_editor(lexicon)

    st.subheader(t("tr.train"))
    training_controls(lexicon)
    note = translation.heads_notice(s)
    if note is not None:
        st.info(t.notice(note), icon=":material/info:")
    key = translation.TranslatorKey.of(s, lexicon)
    result = translation.trained(key)
    blocking = translation.problem(key, lexicon)
    if result is None and blocking is not None:
        st.error(t.notice(blocking), icon=":material/block:")
    if result is None and blocking is None:
        result = training.button(t, key, "tr.go", lambda: training.run_translator(t, key, lexicon))
    if result is None:
        if blocking is None:
            st.caption(t("tr.idle", n=key.total_steps))
        layout.stop(page)

    st.metric(t("tr.accuracy"), f"{t.number(100 * result.accuracy, 1)}%")
    total = f"{lexicon.n_sentences:,}".replace(",", "." if t.decimal_comma else ",")
    st.caption(t("tr.accuracy_help", n=len(result.held_out), total=total))
    with st.expander(t("tr.held_out", n=len(result.held_out))):
        st.dataframe({t("tr.col_english", raw=True): [" ".join(words) for words in result.held_out]}, hide_index=True)
    left, right = st.columns(2)
    with left:
        draw.chart("loss_curve", result.losses, stretch=True, **training.curve_titles(t, False))
    with right:
        titles = training.curve_titles(t, True) | {"title": t("tr.exact_curve", raw=True)}
        draw.chart("loss_curve", result.accuracies, stretch=True, **titles)
    draw.notice(page, "tr.curves_notice")
    added = translation.added_words(lexicon)
    for word in added[: translation.ADDED_SHOWN]:
        correct, tried = translation.word_learned(key, result, word)
        if tried:
            st.write(t("tr.word_learned", word=word, correct=correct, n=tried))
        else:
            st.write(t("tr.word_untested", word=word))

    st.subheader(t("tr.translate"))
    source = session.source_sentence()
    widget = session.seed_source_widget(source)
    st.text_input(
        t("tr.source"),
        key=widget,
        max_chars=state.MAX_SOURCE_CHARS,
        help=t("tr.source_help"),
        on_change=session.commit_source,
        args=(widget,),
    )
    words = tuple(source.split())
    bad = translation.sentence_problem(words, lexicon)
    if bad is not None:
        st.error(t.notice(bad), icon=":material/error:")
        st.caption(t("tr.grammar_help"))
        layout.stop(page)
    out = translation.translation(key, result, words)
    n, S = len(out.words), len(out.source)
    shown = " ".join(out.words) or "∅"
    if out.correct:
        st.success(t("tr.result_right", words=shown), icon=":material/check_circle:")
    else:
        st.warning(t("tr.result_wrong", words=shown, reference=" ".join(out.reference)), icon=":material/cancel:")
    if n == 0:
        layout.stop(page)

    L, H = out.cross_weights.shape[:2]
    layer = min(s.layer or L, L) - 1  # the last layer unless the link or the learner picks one
    if L > 1:
        layout.setting(t, s, "layer", "radio", value=layer + 1, options=list(range(1, L + 1)), horizontal=True)
    step = min(s.tstep, n)
    if n > 1:
        layout.setting(t, s, "tstep", "slider", value=step, max_value=n)
    i = step - 1
    written = list(out.words[:step])
    st.markdown(t("tr.step_writes", step=step, n=n, word=out.words[i], so_far=" ".join(written)))
    st.caption(t("tr.step_top", words=tuple(f"{result.target_words[j]} ({100 * p:.0f}%)" for j, p in out.top(i))))
    heads = [str(h + 1) for h in range(H)]
    cross = out.cross_weights[layer, :, i, :]  # (H, S)
    self_ = out.self_weights[layer, :, i, : i + 1]  # (H, i + 1)
    inputs = list(out.inputs[: i + 1])
    (left, right), _ = draw.side_by_side(charts.matrix_width(cross, heads), charts.matrix_width(self_, heads))
    with left:
        draw.matrix(
            page,
            cross,
            heads,
            list(out.source),
            title=t("tr.cross_step", raw=True, step=step, word=out.words[i]),
            row_axis="axis.head",
            col_axis="tr.axis_source",
            value_axis="axis.weight",
            domain=charts.WEIGHTS_DOMAIN,
        )
        draw.notice(page, "tr.cross_help")
    with right:
        draw.matrix(
            page,
            self_,
            heads,
            inputs,
            title=t("tr.self_step", raw=True, step=step, word=out.words[i]),
            row_axis="axis.head",
            col_axis="tr.axis_written",
            value_axis="axis.weight",
            domain=charts.WEIGHTS_DOMAIN,
        )
        draw.notice(page, "tr.self_help")

    st.subheader(t("tr.alignment"))
    st.write(t("tr.alignment_help", s=Counted("tr.english_words", S), n=n))
    rows, cols = list(out.words), list(out.source)
    draw.matrix(
        page,
        out.alignment[layer],
        rows,
        cols,
        title=t("tr.alignment_mean", raw=True, n=H),
        row_axis="tr.axis_target",
        col_axis="tr.axis_source",
        value_axis="axis.weight",
        domain=charts.WEIGHTS_DOMAIN,
    )
    draw.notice(page, "tr.alignment_notice")
    draw.heads_grid(
        page,
        list(out.cross_weights[layer]),
        rows,
        cols,
        domain=charts.WEIGHTS_DOMAIN,
        row_axis="tr.axis_target",
        col_axis="tr.axis_source",
        value_axis="axis.weight",
    )
    draw.notice(page, "tr.heads_notice")
