"""Steps 1-5 of the lesson, on the article's code: words are vectors, a score, softmax, the
article's axis, and why the paper projects queries and keys apart."""

from __future__ import annotations

import numpy as np
import streamlit as st

import core
from ui import charts, draw
from ui.lesson.step import (
    ARTICLE,
    PAPER,
    RANDOM,
    TUTORIAL,
    Asked,
    Scene,
    Step,
    cell,
    choices,
    frozen,
    number,
    shown_ties,
    terms,
    word,
)


def embeddings(page, scene: Scene) -> None:
    vocab = scene.vocab
    draw.matrix(page, vocab.vectors, vocab.words, draw.feature_labels("d", vocab.dim), title="E")


def scores_map(page, scene: Scene, title: str = "E·Eᵀ") -> None:
    draw.token_map(page, scene.result.scores, list(scene.tokens), title=title)


class Vectors(Step):
    id, model, screen, vocab = "vectors", TUTORIAL, "vocabulary", ARTICLE
    view = frozen()

    def ask(self, scene: Scene) -> Asked:
        self_scores = np.diag(scene.result.scores)  # e·e of each word of the sentence
        top = int(np.argmax(self_scores))
        e = scene.result.x[top]
        facts = {"word": scene.tokens[top], "terms": terms(e, e, scene), "value": scene.number(self_scores[top], 0)}
        return Asked(tuple(word(w) for w in scene.tokens), top, shown_ties(self_scores, top), facts)

    def before(self, page, scene: Scene) -> None:
        embeddings(page, scene)

    def after(self, page, scene: Scene, q) -> None:
        diagonal = np.diag(scene.result.scores)[:, None]
        draw.matrix(page, diagonal, list(scene.tokens), ["e·e"], title="e·e", value_axis="axis.score")


class Score(Step):
    id, model, screen, vocab = "score", TUTORIAL, "self-attention", ARTICLE
    view = frozen(cell=(2, 4))

    def ask(self, scene: Scene) -> Asked:
        i, j = (c - 1 for c in scene.settings.cell)
        score = float(scene.result.scores[i, j])
        values = [score - 1, score, score + 1, score + 2]  # shuffled when shown
        x = scene.result.x
        facts = {"q": scene.tokens[i], "k": scene.tokens[j], "terms": terms(x[i], x[j], scene)}
        facts["score"] = scene.number(score, 0)
        return Asked(tuple(number(scene.number(v, 0)) for v in values), 1, shown_ties(values, 1), facts)

    def before(self, page, scene: Scene) -> None:
        embeddings(page, scene)

    def after(self, page, scene: Scene, q) -> None:
        scores_map(page, scene)


class Softmax(Step):
    id, model, screen, vocab = "softmax", TUTORIAL, "self-attention", ARTICLE
    view = frozen(cell=(4, 1))
    SHIFT = 5.0

    def rows(self, scene: Scene):
        i = scene.settings.cell[0] - 1
        row = scene.result.scores[i]
        return i, row, core.softmax(row), core.softmax(row + self.SHIFT)

    def ask(self, scene: Scene) -> Asked:
        i, _, w, shifted = self.rows(scene)
        top = int(np.argmax(w))
        if np.array_equal(np.round(w, 2), np.round(shifted, 2)):
            answer = 0  # the chart cannot tell the two rows apart
        elif (shifted > w).all():
            answer = 1
        else:
            answer = 2 if shifted[top] > w[top] else 3
        facts = {"word": scene.tokens[i], "shift": f"{self.SHIFT:.0f}", "factor": scene.number(np.exp(self.SHIFT), 0)}
        return Asked(choices(self.id, "same", "grow", "sharper", "flatter"), answer, facts=facts)

    def draw_row(self, page, scene: Scene, scores, weights, shifted: bool) -> None:
        tokens = list(scene.tokens)
        word_ = scene.tokens[scene.settings.cell[0] - 1]
        left, right = st.columns(2)
        plus = f" + {self.SHIFT:.0f}" if shifted else ""
        with left:
            draw.matrix(
                page, scores[None], [word_], tokens, title=f"s{plus}", col_axis="axis.key", row_axis="axis.query"
            )
        with right:
            draw.matrix(
                page,
                weights[None],
                [word_],
                tokens,
                title=f"softmax(s{plus})",
                col_axis="axis.key",
                row_axis="axis.query",
                value_axis="axis.weight",
                domain=charts.WEIGHTS_DOMAIN,
            )

    def before(self, page, scene: Scene) -> None:
        _, row, w, _ = self.rows(scene)
        self.draw_row(page, scene, row, w, shifted=False)

    def after(self, page, scene: Scene, q) -> None:
        _, row, _, shifted = self.rows(scene)
        self.draw_row(page, scene, row + self.SHIFT, shifted, shifted=True)


class Axis(Step):
    id, model, screen, vocab = "axis", TUTORIAL, "self-attention", ARTICLE
    view = frozen()

    def ask(self, scene: Scene) -> Asked:
        w = scene.result.weights
        cols, rows = np.allclose(w.sum(axis=0), 1), np.allclose(w.sum(axis=1), 1)
        answer = 1 if cols and not rows else 0 if rows and not cols else 2 if np.isclose(w.sum(), 1) else 3
        facts = {"rows": ", ".join(scene.number(v) for v in w.sum(axis=1))}
        return Asked(choices(self.id, "rows", "cols", "all", "none"), answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        tokens = list(scene.tokens)
        left, right = st.columns(2)
        with left:
            scores_map(page, scene)
        with right:
            title = page.t("lesson.axis_article", raw=True)
            draw.token_map(page, scene.result.weights, tokens, title=title, weights=True)

    def after(self, page, scene: Scene, q) -> None:
        paper = core.softmax(scene.result.scores, axis=-1)  # the same scores, normalised over each row
        title = page.t("lesson.axis_paper", raw=True)
        draw.token_map(page, paper, list(scene.tokens), title=title, weights=True)


class Symmetric(Step):
    id, model, screen, vocab = "symmetric", TUTORIAL, "self-attention", RANDOM
    view = frozen(cell=(2, 4))

    def cells(self, scene: Scene) -> list[tuple[int, int]]:
        i, j = (c - 1 for c in scene.settings.cell)
        other = next(k for k in range(len(scene.tokens)) if k not in (i, j))
        return [(j, i), (i, i), (j, j), (other, j)]  # the transposed cell first: the answer

    def ask(self, scene: Scene) -> Asked:
        i, j = (c - 1 for c in scene.settings.cell)
        s, tokens = scene.result.scores, scene.tokens
        cells = self.cells(scene)
        values = [s[i, j], *(s[a, b] for a, b in cells)]  # the given cell, then the options
        right = frozenset(k - 1 for k in shown_ties(values, 0) if k > 0)
        options = tuple(cell(tokens[a], tokens[b]) for a, b in cells)
        facts = {"q": tokens[i], "k": tokens[j], "value": scene.number(s[i, j])}
        return Asked(options, 0, right, facts)

    def before(self, page, scene: Scene) -> None:
        scores_map(page, scene)

    def after(self, page, scene: Scene, q) -> None:
        paper = scene.variant(mode=PAPER, heads=1)  # the same words, with the paper's W_Q and W_K (random)
        draw.token_map(
            page, paper.attention.logits(0), list(scene.tokens), title=page.t("lesson.symmetric_paper", raw=True)
        )
