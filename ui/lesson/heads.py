"""Steps of the lesson on the paper's math with several heads: what a head reads, one head against
two (trained), a head switched off, the concatenation and W_O, a head that looks by content, and
Add & Norm."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import charts, compute, draw
from ui.lesson.step import PAPER, RANDOM, SETUP, Asked, Scene, Step, choices, frozen, head_option, option

_TWO_HEADS = frozen(heads=2)
# Ten words trained on "neighbours", with the positional encoding the training used.
_TRAINED = frozen(weights="trained", task="neighbours", heads=2, pe="sin")


def trained_maps(page, scene: Scene, name: str = "view") -> None:
    """The training ``name``'s heads on a sentence it never saw."""
    training = scene.trainings[name]
    words = compute.held_out_sentence(training, scene.vocab, scene.settings.seed)
    trained = compute.trained_view(training, scene.vocab, words)
    st.caption(page.t("train.maps_help", sentence=" ".join(words)))
    draw.weights_grid(page, trained.weights, words)


class Heads(Step):
    id, model, screen, vocab = "heads", PAPER, "multi-head", RANDOM
    view = _TWO_HEADS

    def ask(self, scene: Scene) -> Asked:
        w_q = scene.result.params.w_q  # (H, D, d_k)
        H, D, d_k = w_q.shape
        read = set(np.flatnonzero(np.abs(w_q[H - 1]).sum(axis=1) > 0).tolist())  # the rows of x it multiplies
        half = D // 2
        answer = 0 if read == set(range(D)) else 1 if read == set(range(half)) else 2 if read else 3
        options = (
            option(self.id, "all", d=D),
            option(self.id, "part", lo=1, hi=half),
            option(self.id, "part", lo=half + 1, hi=D),
            option(self.id, "none"),
        )
        return Asked(options, answer, facts={"d": D, "h": H, "dk": d_k, "n": H})

    def before(self, page, scene: Scene) -> None:
        w_q = scene.result.params.w_q
        _, D, d_k = w_q.shape
        rows, cols = draw.feature_labels("d", D), draw.feature_labels("q", d_k)
        draw.heads_grid(page, list(w_q), rows, cols, domain=charts.symmetric_domain(w_q), row_axis="axis.dimension")

    def after(self, page, scene: Scene, q) -> None:
        att = scene.result.attention
        cols = draw.feature_labels("q", att.q.shape[-1])
        draw.heads_grid(page, list(att.q), list(scene.tokens), cols, domain=charts.symmetric_domain(att.q))


class Compare(Step):
    id, model, screen, vocab = "compare", PAPER, "train", SETUP
    view = _TRAINED
    trainings = frozen(one=frozen(heads=1), ffn=frozen(heads=1, train_ffn="1"))

    def accuracies(self, scene: Scene) -> dict[str, str]:
        return {name: scene.percent(scene.trainings[name].accuracy) for name in ("one", "view", "ffn")}

    def ask(self, scene: Scene) -> Asked:
        shown = self.accuracies(scene)
        one, two = int(shown["one"]), int(shown["view"])  # as the chart shows them
        answer = 0 if one == two else 1 if two > one else 2
        facts = {"one": shown["one"], "two": shown["view"], "ffn": shown["ffn"]}
        return Asked(choices(self.id, "same", "two", "one"), answer, facts=facts)

    def after(self, page, scene: Scene, q) -> None:
        shown = self.accuracies(scene)
        labels = {"one": "lesson.compare_one_head", "view": "lesson.compare_two_heads", "ffn": "lesson.compare_ffn"}
        for col, (name, label) in zip(st.columns(len(labels)), labels.items(), strict=True):
            col.metric(page.t(label), f"{shown[name]}%")
        for name in ("one", "view"):  # stacked: a row of heads needs the page's width
            st.markdown(f"**{page.t(labels[name])}**")
            trained_maps(page, scene, name)


class Off(Step):
    id, model, screen, vocab = "off", PAPER, "multi-head", SETUP
    view = _TRAINED

    def ablation(self, scene: Scene):
        key = compute.TrainKey.of(scene.settings, scene.vocab)
        return compute.ablation(key, scene.trainings["view"], scene.vocab)

    def ask(self, scene: Scene) -> Asked:
        ablation = self.ablation(scene)
        full = int(scene.percent(ablation.accuracy))
        shown = [int(scene.percent(a)) for a in ablation.head_off]  # what the chart writes
        H, worst = len(shown), min(shown)
        right = {h for h in range(H) if shown[h] == worst}
        if worst >= full:  # no loss the chart can show
            answer, right = H, right | {H}
        else:
            answer = int(np.argmin(ablation.head_off))
        lines = "; ".join(page_line(h, a, full) for h, a in enumerate(shown))
        options = (*(head_option(h + 1) for h in range(H)), option(self.id, "neither"))
        return Asked(options, answer, frozenset(right), {"full": full, "lines": lines})

    def before(self, page, scene: Scene) -> None:
        trained_maps(page, scene)

    def after(self, page, scene: Scene, q) -> None:
        ablation = self.ablation(scene)
        full = int(scene.percent(ablation.accuracy))
        cols = st.columns(len(ablation.head_off) + 1)
        cols[0].metric(page.t("lesson.off_all"), f"{full}%")
        for h, acc in enumerate(ablation.head_off):
            shown = int(scene.percent(acc))
            cols[h + 1].metric(page.t("lesson.off_head", n=h + 1), f"{shown}%", delta=f"{shown - full} pp")


def page_line(h: int, shown: int, full: int) -> str:
    return f"{h + 1}: {full}% → {shown}%"


class Concat(Step):
    id, model, screen, vocab = "concat", PAPER, "multi-head", RANDOM
    view = _TWO_HEADS

    def ask(self, scene: Scene) -> Asked:
        att = scene.result.attention
        H, _, d_v = att.head_outputs.shape
        last = att.head_outputs[H - 1]
        blocks = {start: np.array_equal(att.concat[:, start : start + d_v], last) for start in (0, (H - 1) * d_v)}
        every = att.concat[:, H - 1 :: H]
        answer = 0 if blocks[0] else 1 if blocks[(H - 1) * d_v] else 2 if np.array_equal(every, last) else 3
        width = H * d_v
        options = (
            option(self.id, "cols", lo=1, hi=d_v),
            option(self.id, "cols", lo=width - d_v + 1, hi=width),
            option(self.id, "every", n=H),
            option(self.id, "added", n=width),
        )
        facts = {"h": H, "dv": d_v, "width": width, "d": scene.vocab.dim, "lo": width - d_v + 1, "hi": width}
        return Asked(options, answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        att = scene.result.attention
        tokens = list(scene.tokens)
        domain = charts.symmetric_domain(att.head_outputs)
        draw.heads_grid(
            page, list(att.head_outputs), tokens, draw.feature_labels("v", att.head_outputs.shape[-1]), domain=domain
        )
        draw.matrix(
            page,
            att.concat,
            tokens,
            draw.feature_labels("c", att.concat.shape[-1]),
            title=page.t("lesson.concat_chart", raw=True),
        )

    def after(self, page, scene: Scene, q) -> None:
        att, params = scene.result.attention, scene.result.params
        left, right = st.columns(2)
        with left:
            c, d = draw.feature_labels("c", params.w_o.shape[0]), draw.feature_labels("d", params.w_o.shape[1])
            draw.matrix(page, params.w_o, c, d, title="W_O", row_axis="axis.dimension")
        with right:
            draw.matrix(
                page,
                att.output,
                list(scene.tokens),
                draw.feature_labels("d", att.output.shape[-1]),
                title="Concat · W_O",
            )


class Content(Step):
    """Where the CNN analogy breaks, shown: heads trained on "highest" follow a word, not an offset.
    Sentence B holds sentence A's words rotated so that the column head 1 lights up in A holds
    another word: a kernel at fixed offsets would look at that column again, a head that looks by
    content follows the word."""

    id, model, screen, vocab = "content", PAPER, "multi-head", SETUP
    view = frozen(weights="trained", task="highest", heads=2, pe="sin")

    def maps(self, scene: Scene, words) -> np.ndarray:
        return compute.trained_view(scene.trainings["view"], scene.vocab, words).weights  # (H, T, T)

    def sentences(self, scene: Scene) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """Sentence A (held out), sentence B (A rotated) and the column head 1 lights up in A."""
        a = compute.held_out_sentence(scene.trainings["view"], scene.vocab, scene.settings.seed)
        col = int(np.argmax(self.maps(scene, a)[0].sum(axis=0)))  # head 1's weight per key, over all queries
        T = len(a)
        shifts = [(T // 2 + k) % T for k in range(T)]  # half the sentence first: every word moves far
        shift = next((n for n in shifts if n and a[(col - n) % T] != a[col]), T // 2)
        return a, a[-shift:] + a[:-shift], col

    def ask(self, scene: Scene) -> Asked:
        a, b, col = self.sentences(scene)
        looked = a[col]  # the word head 1 looks at in A
        other = next(w for w in sorted(set(a), key=a.index) if w != looked)  # another word of A
        weights_b, T = self.maps(scene, b)[0], len(b)  # head 1 on B
        on = {  # the share of head 1's weight (averaged over the queries) each option names
            "word": weights_b[:, [w == looked for w in b]].sum() / T,
            "other": weights_b[:, [w == other for w in b]].sum() / T,
            "same": weights_b[:, col].sum() / T,
            "diagonal": np.trace(weights_b) / T,
        }
        answer = int(np.argmax(list(on.values())))
        options = tuple(option(self.id, name, word=looked, other=other, col=col + 1) for name in on)
        facts = {
            "list": ", ".join(scene.vocab.words),
            "b": " ".join(b),
            "word": looked,
            "col": col + 1,
            "share": scene.percent(on["word"]),
        }
        return Asked(options, answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        a, _, _ = self.sentences(scene)
        st.markdown(page.t("lesson.content_sentence", name="A", sentence=" ".join(a)))
        draw.weights_grid(page, self.maps(scene, a), a)

    def after(self, page, scene: Scene, q) -> None:
        _, b, _ = self.sentences(scene)
        st.markdown(page.t("lesson.content_sentence", name="B", sentence=" ".join(b)))
        draw.weights_grid(page, self.maps(scene, b), b)


class Norm(Step):
    id, model, screen, vocab = "norm", PAPER, "add-norm", RANDOM
    view = _TWO_HEADS

    def ask(self, scene: Scene) -> Asked:
        block = scene.result.block
        (before, _), (after, spread) = compute.row_moments(block.residual1), compute.row_moments(block.norm1)
        zero = np.allclose(after, 0, atol=1e-9)
        answer = 0 if zero else 1 if np.allclose(after, 1) else 3 if np.allclose(after, before) else 2
        facts = {
            "m": f"{np.abs(after).max():.0e}",
            "s0": scene.number(spread.min(), 4),
            "s1": scene.number(spread.max(), 4),
        }
        return Asked(choices(self.id, "zero", "one", "rows", "same"), answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        block = scene.result.block
        draw.row_stats(page, block.residual1, block.norm1, list(scene.tokens))

    def after(self, page, scene: Scene, q) -> None:
        norm = scene.result.block.norm1
        draw.matrix(
            page,
            norm,
            list(scene.tokens),
            draw.feature_labels("d", norm.shape[-1]),
            title="LayerNorm(x + MultiHead(x))",
        )
