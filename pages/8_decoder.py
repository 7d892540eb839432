"""The decoder: masked self-attention, cross-attention over the encoder's output, three Add & Norms and
the feed-forward layer, in 1-3 layers, on an English sentence and its Portuguese translation."""

import streamlit as st

from ui import charts, decoder_pass, derivation, draw, layout, session, state, translation

# Its trained weights are the translator's (block_weights=False); a link's lexicon= is its own as /translate's.
page = layout.start("nav.decoder", page_params=("lexicon",), block_weights=False)
t, s = page.t, page.settings

st.title(t("dec.title"))
st.write(t("dec.intro"))


def grid(page, matrices, rows, cols, *, kind: str, layer: int, domain, **kwargs) -> None:
    """One chart per head, titled by its kind, layer and head, ``grid_plan`` to a row, on one scale."""
    H = len(matrices)
    per_row, max_plot, extra = charts.grid_plan(matrices, rows, cols, domain)
    for start in range(0, H, per_row):
        n = min(per_row, H - start)
        for i, col in enumerate(st.columns(charts.grid_columns(per_row, n, max_plot, rows))[:n]):
            with col:
                draw.matrix(
                    page,
                    matrices[start + i],
                    rows,
                    cols,
                    title=t(kind, raw=True, layer=layer, n=start + i + 1),
                    domain=domain,
                    max_plot=max_plot,
                    legend=i == n - 1,
                    **extra,
                    **kwargs,
                )


def sentences(result) -> None:
    source, target = " ".join(result.source), " ".join(result.outputs[:-1])
    st.markdown(t("dec.sentences", source=source, target=target, start=decoder_pass.START))
    st.caption(
        t(
            "dec.dims",
            d=result.d_model,
            n=result.n_heads,
            dk=result.d_model // result.n_heads,
            f=result.d_ff,
            layers=result.n_layers,
            s=len(result.source),
            t=len(result.inputs),
        )
    )


def add_norm(block, number: int, rows, dims, sublayer: str, keys: tuple[str, str], in_layer: str) -> None:
    """The sum around sublayer ``number`` (1-3) with its layer norm: one matrix, the next sublayer's input.
    ``keys``: its subheader's and its caption's."""
    st.subheader(t(keys[0]))
    if block.norm_first:
        value, title = getattr(block, f"residual{number}"), f"h{number - 1} + {sublayer}(LayerNorm(h{number - 1}))"
    else:
        value, title = (
            getattr(block, f"norm{number}"),
            f"h{number} = LayerNorm(h{number - 1} + {sublayer}(h{number - 1}))",
        )
    draw.matrix(page, value, rows, dims, title=f"{title} · {in_layer}")
    draw.notice(page, keys[1])


def explain(result, layer: int) -> None:
    """Pick an attention kind, a head and a cell of the layer shown: its derivation, step by step.
    The picks are settings (``attn``, ``dhead``, ``dcell``), so a link opens the same derivation;
    a cell or head past this sentence or model shows its last query, key or head."""
    st.subheader(t("dec.explain"))
    left, mid, q_col, k_col = st.columns([2, 1, 2, 2], vertical_alignment="bottom")
    with left:
        layout.setting(t, s, "attn", "radio", horizontal=True)
    kind = s.attn
    head = min(s.dhead, result.n_heads)
    with mid:
        layout.setting(t, s, "dhead", "select", value=head, options=list(range(1, result.n_heads + 1)))
    queries, keys = result.inputs, result.source if kind == "cross" else result.inputs
    q, k = s.dcell or (1, 1)
    q, k = min(q, len(queries)), min(k, len(keys))
    q_labels = {i: f"{i} · {w} → {result.outputs[i - 1]}" for i, w in enumerate(queries, start=1)}
    k_labels = {j: f"{j} · {w}" for j, w in enumerate(keys, start=1)}
    q_key, k_key = session.seed_cell_widgets("dcell", (q, k))
    for col, key, label, labels in ((q_col, q_key, "ex.pick_query", q_labels), (k_col, k_key, "ex.pick_key", k_labels)):
        col.selectbox(
            t(label),
            list(labels),
            format_func=labels.get,
            key=key,
            on_change=session.commit_cell_pickers,
            args=("dcell",),
        )
    st.caption(t("dec.explain_cross" if kind == "cross" else "dec.explain_self", layer=layer + 1))
    ex = decoder_pass.explain(result, layer, kind, head - 1, q - 1, k - 1)
    ex, labels = decoder_pass.for_derivation(ex, queries, keys)
    derivation.derivation(page, ex, labels, head=head, temp=s.temp if s.paper and not result.trained else 1.0)


with layout.guarded(page):
    layout.tutorial_note(page, "dec.tutorial_note")
    left, mid, right = st.columns([3, 1, 2])
    with left:
        st.text_input(
            t("dec.source"),
            help=decoder_pass.source_help(t, session.lexicon()),
            max_chars=decoder_pass.SOURCE_CHARS,
            **layout.bound("source", s.source),
        )
    with mid:
        layout.setting(t, s, "layers", "segmented", options=[1, 2, 3])
    with right:
        layout.heads_control(page)

    for notice in session.take_lexicon_notices():  # a link's lexicon= is this page's too
        st.warning(translation.lexicon_notice(t, notice), icon=":material/link:")  # the page still draws
    lexicon = session.lexicon()  # /translate's, as the learner edited it, or the toy lexicon
    if not session.sync_lexicon_url():
        st.warning(t("tr.link_too_long", max=state.MAX_LEXICON_ENTRIES), icon=":material/link_off:")
    source, problem = decoder_pass.read_source(s.source, lexicon)
    if problem is not None:
        st.warning(
            f"{t.notice(problem)} {t('dec.source_used', sentence=' '.join(source))}", icon=":material/translate:"
        )
    trained, note = decoder_pass.trained_weights(page, lexicon)
    if note:
        st.warning(note, icon=":material/model_training:")
    key = decoder_pass.DecoderKey.of(s, source, lexicon, trained=trained and trained[0])
    if trained is not None:
        st.info(t("dec.trained", acc=round(100 * trained[1].accuracy)), icon=":material/model_training:")
    if key.heads != s.heads:
        st.info(t("dec.heads_divisor", h=s.heads, used=key.heads, d=decoder_pass.D_MODEL), icon=":material/info:")
    if s.paper and not trained and s.norm == "none":
        st.info(t("dec.norm_none"), icon=":material/info:")
    if s.paper and s.mask == "causal":
        st.caption(t("dec.mask_setting"))
    result = decoder_pass.cached(key, trained and trained[1])
    sentences(result)

    dims = draw.feature_labels("d", result.d_model)
    source_words, inputs = list(result.source), list(result.inputs)
    st.subheader(t("dec.memory", s=len(source_words), d=result.d_model))
    draw.matrix(page, result.memory, source_words, dims, title="memory = Encoder(x)")
    draw.notice(page, "dec.memory_caption")

    L = result.n_layers
    layer = min(s.layer or L, L)  # the last layer unless the link or the learner picks one
    if L > 1:
        layout.setting(t, s, "layer", "segmented", value=layer, options=list(range(1, L + 1)))
    block = result.decoder.layers[layer - 1]
    H = result.n_heads
    in_layer = t("dec.layer_n", raw=True, layer=layer)

    st.subheader(t("dec.self", layer=layer))
    draw.notice(page, "dec.why_masked")
    self_att = block.self_attention
    masked = [draw.masked(self_att.weights[h], result.self_mask) for h in range(H)]
    weight_axes = {"value_axis": "axis.weight", "domain": charts.WEIGHTS_DOMAIN}
    grid(
        page,
        masked,
        inputs,
        inputs,
        kind="dec.self_head",
        layer=layer,
        masked_value="0",
        **weight_axes,
        row_axis="axis.query",
        col_axis="axis.key",
    )
    add_norm(block, 1, inputs, dims, "SelfAttn", ("dec.an1", "dec.an1_caption"), in_layer)

    st.subheader(t("dec.cross", layer=layer))
    draw.notice(page, "dec.cross_caption", first=inputs[0], word=result.outputs[0])
    cross = block.cross_attention
    grid(
        page,
        list(cross.weights),
        inputs,
        source_words,
        kind="dec.cross_head",
        layer=layer,
        **weight_axes,
        row_axis="dec.axis_target",
        col_axis="dec.axis_source",
    )

    d_v = cross.v.shape[-1]
    st.subheader(t("dec.concat", t=len(inputs), hdv=H * d_v))
    draw.matrix(
        page,
        cross.concat,
        inputs,
        [f"{h + 1}·v{j + 1}" for h in range(H) for j in range(d_v)],
        title=f"concat(head₁ … headₕ) · {in_layer}",
        col_boundaries=[d_v * h for h in range(1, H)],
    )
    draw.notice(page, "dec.concat_caption")
    draw.matrix(page, cross.output, inputs, dims, title=f"CrossAttn = concat · W_O · {in_layer}")
    draw.notice(page, "dec.w_o_caption", hdv=H * d_v, d=result.d_model)
    add_norm(block, 2, inputs, dims, "CrossAttn", ("dec.an2", "dec.an2_caption"), in_layer)

    st.subheader(t("dec.ffn", f=result.d_ff))
    ffn = block.feed_forward
    draw.matrix(
        page,
        ffn.hidden,
        inputs,
        draw.feature_labels("h", result.d_ff),
        title=f"max(0, x·W1 + b1) · {in_layer}",
        col_axis="axis.hidden_unit",
    )
    draw.notice(page, "dec.ffn_caption")
    add_norm(block, 3, inputs, dims, "FFN", ("dec.an3", "dec.an3_caption"), in_layer)
    if layer == L:
        st.success(t("dec.output", t=len(inputs), d=result.d_model), icon=":material/check_circle:")
    else:
        st.caption(t("dec.next_layer", n=layer + 1))

    explain(result, layer - 1)
