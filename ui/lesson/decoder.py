"""The lesson's last steps, on the toy English -> Portuguese translator (the paper's decoder):
why its self-attention is masked, where the step writing an adjective looks, and what the step
writing an article needs from the English side."""

from __future__ import annotations

import dataclasses

import numpy as np

import core
from ui import charts, draw, translation
from ui.lesson.step import PAPER, Asked, Scene, Step, frozen, option, shown_ties, word

LEXICON = core.TOY_LEXICON


def translated(scene: Scene) -> core.Translation:
    """The trained translator's greedy translation of the step's English sentence."""
    key = translation.TranslatorKey.of(scene.settings, LEXICON)
    return translation.translation(key, scene.trainings["translator"], scene.settings.source.split())


def shown_input(w: str) -> str:
    return "⟨s⟩" if w == "<s>" else w  # "<s>" would read as an HTML tag in Markdown


def steps_axis(out: core.Translation) -> list[str]:
    """Rows of a decoder map: the step writing each Portuguese word."""
    return [f"→ {w}" for w in out.words]


def heads_maps(page, weights, rows, cols, col_axis: str = "tr.axis_source") -> None:
    """One map per head: the steps on rows, the English words (or the decoder's inputs) on columns."""
    axes = {"row_axis": "axis.query", "col_axis": col_axis, "value_axis": "axis.weight", "masked_value": "0"}
    draw.heads_grid(page, list(weights), rows, cols, domain=charts.WEIGHTS_DOMAIN, **axes)


def nearest_words(source, best: int, n: int = 4) -> list[int]:
    """The position of each of ``n`` different source words: ``best``'s, then the nearest others."""
    chosen, seen = [], set()
    for i in sorted(range(len(source)), key=lambda i: (abs(i - best), i)):
        if source[i] not in seen:
            chosen.append(i)
            seen.add(source[i])
        if len(chosen) == n:
            break
    return chosen


class Translating(Step):
    """A step on the trained translator: its training runs through the page like any other."""

    model, screen, translates = PAPER, "translate", True

    def cross_question(self, scene: Scene, t: int) -> Asked:
        out = translated(scene)
        avg = out.cross_weights[0].mean(axis=0)[t]  # (S,) the step's weight on each English word, heads averaged
        best = int(np.argmax(avg))
        positions = nearest_words(out.source, best)
        per_word = [max(avg[i] for i in range(len(avg)) if out.source[i] == out.source[p]) for p in positions]
        facts = {"word": out.words[t], "src": out.source[best]}
        return Asked(tuple(word(out.source[p]) for p in positions), 0, shown_ties(per_word, 0), facts)

    def before(self, page, scene: Scene) -> None:
        out = translated(scene)
        title = page.t("lesson.cross_mean", raw=True)
        draw.matrix(
            page,
            out.cross_weights[0].mean(axis=0),
            steps_axis(out),
            list(out.source),
            title=title,
            row_axis="axis.query",
            col_axis="tr.axis_source",
            value_axis="axis.weight",
            domain=charts.WEIGHTS_DOMAIN,
        )

    def after(self, page, scene: Scene, q) -> None:
        out = translated(scene)
        heads_maps(page, out.cross_weights[0], steps_axis(out), list(out.source))


class DecoderMask(Translating):
    id = "dmask"
    view = frozen(source=translation.DEFAULT_SOURCE)
    STEP = 2  # the step that writes the third Portuguese word

    def ask(self, scene: Scene) -> Asked:
        out = translated(scene)
        t = min(self.STEP, len(out.words) - 1)
        inputs = [shown_input(w) for w in out.inputs]
        seen = set(np.flatnonzero(out.self_weights[0][:, t].sum(axis=0) > 0).tolist())
        choices = [list(range(t + 1)), list(range(len(inputs))), [t], list(range(t))]
        answer = next((i for i, c in enumerate(choices) if set(c) == seen), 0)
        options = tuple(option(self.id, "words", words=" ".join(inputs[j] for j in c)) for c in choices)
        facts = {"word": out.words[t], "seen": " ".join(inputs[j] for j in sorted(seen))}
        return Asked(options, answer, facts=facts)

    def before(self, page, scene: Scene) -> None:
        out = translated(scene)
        mask = core.causal_mask(len(out.inputs))  # drawn grey: what a step may not look at
        weights = [draw.masked(w, mask) for w in out.self_weights[0]]
        heads_maps(page, weights, steps_axis(out), [shown_input(w) for w in out.inputs], "axis.key")

    def after(self, page, scene: Scene, q) -> None:
        """The map above is the answer: the why says what it shows."""


class Cross(Translating):
    id = "cross"
    view = frozen(source=translation.DEFAULT_SOURCE)

    def ask(self, scene: Scene) -> Asked:
        out = translated(scene)
        adjectives = {form for forms in LEXICON.adjectives.values() for form in forms}
        t = next((i for i, w in enumerate(out.words) if w in adjectives), 0)
        return self.cross_question(scene, t)


class Gender(Translating):
    id = "gender"
    view = frozen(source="the white table sat on a black mat")  # a feminine noun: the article is "a"

    def ask(self, scene: Scene) -> Asked:
        """The step that writes the article; the why gives this sentence's shares of the noun and the
        article, because across sentences the larger one is sometimes the English article itself."""
        asked = self.cross_question(scene, 0)
        out = translated(scene)
        avg = out.cross_weights[0].mean(axis=0)[0]  # (S,) heads averaged, as the chart above draws it
        noun = next(i for i, w in enumerate(out.source) if w in LEXICON.nouns)
        shares = {"noun": out.source[noun], "noun_share": scene.percent(avg[noun])}
        shares |= {"art": out.source[0], "art_share": scene.percent(avg[0])}
        return dataclasses.replace(asked, facts={**asked.facts, **shares})
