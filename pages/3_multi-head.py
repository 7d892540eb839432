"""Multi-head attention: one map per head, per-head outputs, their concatenation, W_O."""

import streamlit as st

from ui import charts, compute, draw, layout

HEAD_VIEW_TOKENS = 40  # past this many tokens a line per weight is a thicket: the maps say more

page = layout.start("nav.multi_head")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("mh.title"))
st.write(t("mh.intro" if s.paper else "mh.intro_tutorial"))

with layout.guarded(page):
    H = layout.heads_control(page)
    result = compute.current_pass(s, vocab)
    tokens = list(s.tokens)
    T, D = len(tokens), vocab.dim

    if s.mode == "tutorial":
        layout.tutorial_note(page, "mh.tutorial_note", n=H, ht=H * T, d=D)
        w = draw.token_window(page, T, "mh")
        st.subheader(t("mh.t_weights"))
        draw.token_map(page, result.weights[w, w], tokens[w], title="softmax(E·Eᵀ, axis=0)", weights=True)
        draw.notice(page, "sa.t_weights_notice")
        st.subheader(t("mh.t_stacked", n=H, ht=H * T, d=D))
        draw.matrix(
            page,
            result.stacked,
            [f"{i // T + 1}·{tok}" for i, tok in enumerate(tokens * H)],
            draw.feature_labels("d", D),
            title=f"np.concatenate([head] × {H})",
            row_axis="axis.row",
            row_boundaries=[T * i for i in range(1, H)],
        )
        draw.notice(page, "mh.t_stacked_notice", n=H)  # one head: nothing is repeated
    else:
        att, params = result.attention, result.params
        st.caption(t("mh.dims", d=D, h=H, dk=params.d_k, t=T, hdv=H * params.d_v))
        if H * params.d_v != D:  # the paper's d_k = d_model / h needs h to divide d_model
            st.info(t("mh.not_divisible", d=D, h=H, dk=params.d_k, hdv=H * params.d_v), icon=":material/info:")
        w = draw.token_window(page, T, "mh")
        rows = tokens[w]

        st.subheader(t("mh.weights"))
        draw.weights_grid(
            page, [draw.masked(att.weights[h], result.mask)[w, w] for h in range(H)], rows, masked_value="0"
        )
        draw.notice(page, "mh.weights_notice")

        analyse = st.toggle(
            t("mh.analyse"), value=s.weights == "trained" or bool(s.off), key="mh_analyse", help=t("mh.analyse_help")
        )
        if analyse and T <= HEAD_VIEW_TOKENS:
            st.subheader(t("mh.head_view"))
            draw.notice(page, "mh.head_view_help")
            draw.chart(
                "head_view",
                tokens,
                att.weights,  # a masked weight is exactly 0
                title="",  # the subheader above names it
                head_title=t("axis.head", raw=True),
                query_title=t("axis.query", raw=True),
                key_title=t("axis.key", raw=True),
                weight_title=t("axis.weight", raw=True),
                cut_note=t("chart.head_view_cut", raw=True),
            )

        st.subheader(t("mh.outputs"))
        out_domain = charts.symmetric_domain(att.head_outputs[:, w])
        draw.heads_grid(
            page,
            [att.head_outputs[h][w] for h in range(H)],
            rows,
            draw.feature_labels("v", params.d_v),
            domain=out_domain,
        )
        draw.notice(page, "mh.outputs_notice")

        st.subheader(t("mh.concat", t=T, hdv=H * params.d_v))
        concat_cols = [f"{h + 1}·v{j + 1}" for h in range(H) for j in range(params.d_v)]
        draw.matrix(
            page,
            att.concat[w],
            rows,
            concat_cols,
            title="concat(head₁ … headₕ)",
            col_boundaries=[params.d_v * h for h in range(1, H)],
            domain=out_domain,
        )
        draw.notice(page, "mh.concat_notice")

        st.subheader(t("mh.output", t=T, d=D))
        draw.matrix(page, att.output[w], rows, draw.feature_labels("d", D), title="concat · W_O")
        draw.notice(page, "mh.output_notice")

    if s.mode == "paper" and not analyse:
        layout.stop(page)
    st.subheader(t("mh.roles"))
    st.write(t("mh.roles_body"))
    if s.mode == "tutorial":
        st.info(t("mh.roles_tutorial"), icon=":material/psychology:")
    elif s.weights == "trained":
        st.info(t(f"mh.roles_trained_{s.task}"), icon=":material/psychology:")
    else:
        st.info(t("mh.roles_random"), icon=":material/psychology:")
    roles, similarity = compute.head_roles(result, s)
    head_names = [t("mh.head_n", raw=True, n=h + 1) for h in range(H)]
    role_names = [t(f"mh.role_{r}", raw=True) for r in ("previous", "next", "self", "first", "spread")]
    role_table = draw.role_table(roles)
    (left, right), _ = draw.side_by_side(
        charts.matrix_width(role_table, head_names, charts.WEIGHTS_DOMAIN),
        charts.matrix_width(similarity, head_names, charts.WEIGHTS_DOMAIN),
    )
    with left:
        draw.matrix(
            page,
            role_table,
            head_names,
            role_names,
            title=t("mh.roles", raw=True),
            row_axis="axis.head",
            col_axis="mh.role_axis",
            value_axis="axis.weight",
            domain=charts.WEIGHTS_DOMAIN,
        )
    with right:
        draw.matrix(
            page,
            similarity,
            head_names,
            head_names,
            title=t("mh.similarity", raw=True),
            row_axis="axis.head",
            col_axis="axis.head",
            value_axis="axis.similarity",
            domain=charts.WEIGHTS_DOMAIN,
        )
    draw.notice(page, "mh.roles_notice")

    if s.mode == "paper" and H > 1:
        layout.setting(t, s, "off", "multiselect", options=list(range(1, H + 1)), format_func=lambda h: f"{h}")
        off = compute.heads_off(result, s)
        if off is not None:
            shown = ", ".join(str(h) for h in s.off)
            draw.notice(
                page, "mh.off_change", heads=shown, change=t.number(off.mean_change, 4), size=t.number(off.mean_size, 4)
            )
            accuracy = compute.accuracy_with_heads_off(s, vocab)
            if accuracy is not None:
                full, without = (f"{100 * a:.0f}" for a in accuracy)
                st.info(
                    t("mh.off_accuracy", heads=shown, task=t(f"task.{s.task}", raw=True), full=full, off=without),
                    icon=":material/target:",
                )
            dims = draw.feature_labels("d", D)
            (left, right), _ = draw.side_by_side(
                charts.matrix_width(off.output[w], rows), charts.matrix_width(off.change[w], rows)
            )
            with left:
                draw.matrix(page, off.output[w], rows, dims, title=t("mh.off_title", raw=True, heads=shown))
            with right:
                draw.matrix(page, off.change[w], rows, dims, title=t("mh.off_diff", raw=True))
