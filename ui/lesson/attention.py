"""Steps 6-9 of the lesson, on the paper's math with one random head: d_k and √d_k, a row of
weights, the output weights · V, and the causal mask."""

from __future__ import annotations

import numpy as np
import streamlit as st

import core
from ui import compute, draw
from ui.lesson.step import PAPER, RANDOM, Asked, Scene, Step, frozen, option, shown_ties, word

_ONE_HEAD = {"heads": 1}


def weights_map(page, scene: Scene, result=None, title: str = "softmax") -> None:
    result = result or scene.result
    weights = draw.masked(result.attention.weights[0], result.mask)
    draw.token_map(page, weights, list(scene.tokens), title=title, weights=True)


class Width(Step):
    id, model, screen, vocab = "dk", PAPER, "self-attention", RANDOM
    view = frozen(**_ONE_HEAD, dim=64, scale="none")
    SPAN = (4, 256)  # the two widths the question compares

    def ask(self, scene: Scene) -> Asked:
        study = compute.scaling_study()
        d0, d1 = self.SPAN
        widths = [int(d) for d in study.d_k]
        grown = study.spread_unscaled[widths.index(d1)] / study.spread_unscaled[widths.index(d0)]
        ratio = d1 // d0
        factors = [1, round(ratio ** (1 / 3)), round(ratio**0.5), ratio]  # the same, ∛, √, as many as the products
        answer = int(np.argmin([abs(np.log(grown / f)) for f in factors]))
        options = (option(self.id, "same"), *(option(self.id, "times", x=f) for f in factors[1:]))
        facts = {
            "d0": d0,
            "d1": d1,
            "ratio": ratio,
            "grown": scene.number(grown, 1),
            "sqrt": round(ratio**0.5),
            "top": scene.percent(study.top_unscaled[-1]),
            "wide": widths[-1],
            "dk": scene.result.params.d_k,
        }
        return Asked(options, answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        draw.scaling_chart(page, self.SPAN[1])

    def after(self, page, scene: Scene, q) -> None:
        left, right = st.columns(2)
        with left:
            weights_map(page, scene, title=page.t("lesson.dk_unscaled", raw=True))
        with right:
            scaled = scene.variant(scale="sqrt")
            weights_map(page, scene, scaled, title=page.t("lesson.dk_scaled", raw=True, dk=scene.result.params.d_k))


class Row(Step):
    id, model, screen, vocab = "row", PAPER, "self-attention", RANDOM
    view = frozen(**_ONE_HEAD, cell=(3, 3))

    def ask(self, scene: Scene) -> Asked:
        i = scene.settings.cell[0] - 1
        scores = scene.result.attention.scores[0][i]
        top = int(np.argmax(scores))
        weight = scene.result.attention.weights[0][i, top]
        facts = {"word": scene.tokens[i], "top": scene.tokens[top], "weight": scene.percent(weight)}
        return Asked(tuple(word(w) for w in scene.tokens), top, shown_ties(scores, top), facts)

    def before(self, page, scene: Scene) -> None:
        draw.token_map(page, scene.result.attention.scores[0], list(scene.tokens), title="Q·Kᵀ/√d_k")

    def after(self, page, scene: Scene, q) -> None:
        weights_map(page, scene)


class Output(Step):
    id, model, screen, vocab = "output", PAPER, "self-attention", RANDOM
    view = frozen(**_ONE_HEAD)

    def query(self, scene: Scene) -> int:
        """The query whose heaviest weight is largest among those that look at another word."""
        w = scene.result.attention.weights[0]
        others = [i for i in range(len(w)) if int(np.argmax(w[i])) != i] or list(range(len(w)))
        return max(others, key=lambda i: w[i].max())

    def ask(self, scene: Scene) -> Asked:
        att = scene.result.attention
        i = self.query(scene)
        w, v = att.weights[0][i], att.v[0]
        shares = core.value_shares(w, v)  # w_j · |v_j|: how much of each value row the output holds
        top = int(np.argmax(shares))
        runner = int(np.argsort(shares)[-2]) if len(shares) > 1 else top
        facts = {
            "word": scene.tokens[i],
            "top": scene.tokens[top],
            "weight": scene.number(w[top]),
            "share": scene.number(shares[top]),
            "next": scene.tokens[runner],
            "next_share": scene.number(shares[runner]),
        }
        return Asked(tuple(word(t) for t in scene.tokens), top, shown_ties(shares, top), facts)

    def before(self, page, scene: Scene) -> None:
        att = scene.result.attention
        left, right = st.columns(2)
        with left:
            weights_map(page, scene)
        with right:
            draw.matrix(page, att.v[0], list(scene.tokens), draw.feature_labels("v", att.v.shape[-1]), title="V")

    def after(self, page, scene: Scene, q) -> None:
        out = scene.result.attention.head_outputs[0]
        draw.matrix(page, out, list(scene.tokens), draw.feature_labels("o", out.shape[-1]), title="weights · V")


class Mask(Step):
    id, model, screen, vocab = "mask", PAPER, "self-attention", RANDOM
    view = frozen(**_ONE_HEAD, mask="causal")

    def ask(self, scene: Scene) -> Asked:
        masked = scene.result.attention.weights[0]
        free = scene.variant(mask="none").attention.weights[0]
        changed = np.abs(np.round(masked, 2) - np.round(free, 2)).max(axis=1)  # 0: the chart shows the same row
        answer = int(np.argmin(changed))
        right = frozenset(int(i) for i in np.flatnonzero(changed == 0))
        return Asked(tuple(word(w) for w in scene.tokens), answer, right, {"word": scene.tokens[answer]})

    def before(self, page, scene: Scene) -> None:
        weights_map(page, scene, scene.variant(mask="none"), title=page.t("lesson.mask_off", raw=True))

    def after(self, page, scene: Scene, q) -> None:
        weights_map(page, scene, title=page.t("lesson.mask_on", raw=True))
