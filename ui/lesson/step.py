"""What a lesson step is: one object that holds its view, its question and what it draws.

A step subclasses ``Step`` and sets, in one place: its ``id`` (its strings are
``lesson.<id>_title``, ``_text``, ``_q``, ``_why`` and ``lesson.<id>_<option>``), the ``model``
its numbers come from (the article's code or the paper's math: the page shows it as a badge),
the explorer ``screen`` that opens its view, the view itself (``vocab`` and ``view``: settings
that differ from the lesson's base), the trainings it needs besides its view's own
(``trainings``), ``ask`` (the options and which are right, worked out from the numbers the
step draws), and ``before`` / ``after`` (the charts shown while the learner decides, and once
the answer is revealed). ``ui/lesson/__init__.py`` lists the steps in order; the page numbers
them and draws any step the same way.

Options are shuffled by a seed taken from the step's id, so the right one is not always in the
same place and a room sees the same order. An option is right when the chart cannot tell it apart
from the right one (``shown_ties``): two numbers the chart writes the same are the same answer.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

import core
from ui import compute, state, translation
from ui.i18n import Translator
from ui.state import Notice, Settings

TUTORIAL, PAPER = "tutorial", "paper"  # the model a step's numbers come from (its badge)
# The vocabularies a step can use: the article's table; random vectors of width 8 for the default
# sentence (the paper mode's first view); ten random words of width 16 that train well.
ARTICLE, RANDOM, SETUP = "article", "random", "setup"
_VOCABS = MappingProxyType(
    {
        ARTICLE: {"preset": "seed"},
        RANDOM: {"preset": "random", "dim": 8},
        SETUP: {"preset": "random", "dim": 16, "sentence": state.SETUP_WORDS},
    }
)
SHOWN_DECIMALS = 2  # the fewest decimals a chart writes in its cells (ui/charts/sizing.cell_decimals)


@dataclass(frozen=True)
class Asked:
    """What a step's ``ask`` works out: options in its own order, the right ones, and the numbers
    its texts quote. ``answer`` is the one the numbers give; ``right`` holds it and every option
    the chart cannot tell apart from it."""

    options: tuple[Notice, ...]
    answer: int
    right: frozenset[int] = frozenset()
    facts: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """The options as the learner sees them (shuffled), the right ones among them, the numbers."""

    options: tuple[Notice, ...]
    answer: int  # the option the numbers give
    right: frozenset[int]  # every option counted right (``answer`` and its ties)
    facts: Mapping

    def is_right(self, option: int | None) -> bool:
        return option is not None and option in self.right


@dataclass(frozen=True)
class Scene:
    """A step's numbers: its settings, vocabulary, pass, and trainings by name ("view": its own)."""

    step: Step
    settings: Settings
    vocab: core.Vocabulary
    result: compute.PaperPass | compute.TutorialPass
    trainings: Mapping[str, core.TrainResult] = field(default_factory=dict)

    @property
    def t(self) -> Translator:
        return Translator(self.settings.lang)

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.settings.tokens

    def number(self, x: float, decimals: int = SHOWN_DECIMALS) -> str:
        """A number as this language writes it (0,37 in Portuguese), without "-0"."""
        return self.t.number(round(float(x), decimals) + 0.0, decimals)

    def percent(self, x: float) -> str:
        return f"{round(100 * float(x)):.0f}"

    def variant(self, **changes) -> compute.PaperPass | compute.TutorialPass:
        """The pass of this step's view with ``changes`` (the mask off, the paper's projections...)."""
        return compute.current_pass(replace(self.settings, **changes), self.vocab)


class Step:
    """One step of the lesson; subclasses override what they need (see the module's docstring)."""

    id: str = ""
    model: str = PAPER
    screen: str = "self-attention"  # URL path of the explorer's screen for this view
    vocab: str = ARTICLE
    view: Mapping = MappingProxyType({})
    # Trainings this step shows besides its view's own: a name and the view's settings changed.
    trainings: Mapping[str, Mapping] = MappingProxyType({})
    translates: bool = False  # it shows the toy translator, trained for its view ("translator")

    def ask(self, scene: Scene) -> Asked:
        raise NotImplementedError

    def before(self, page, scene: Scene) -> None:
        """What the learner looks at while deciding."""

    def after(self, page, scene: Scene, q: Question) -> None:
        """The chart that shows the answer."""

    def __repr__(self) -> str:
        return f"Step({self.id!r})"


def frozen(**values) -> Mapping:
    """A step's view or trainings: a read-only mapping (one object serves every session)."""
    return MappingProxyType(values)


# --- the step's view ---------------------------------------------------------------------------


def settings_of(step: Step, lang: str = "en") -> Settings:
    """The step's own settings in the learner's language: never the learner's session settings.

    No positional encoding unless a step asks for it: the lesson never adds what it has not taught.
    """
    base = {"lang": lang, "mode": step.model, "pe": "none", **_VOCABS[step.vocab]}
    return state.fit_view(replace(state.DEFAULTS, **{**base, **step.view}))


def vocabulary_of(step: Step) -> core.Vocabulary:
    """The step's words and vectors: what the explorer builds from the same settings."""
    return state.preset_vocabulary(settings_of(step))


def training_keys(step: Step, settings: Settings, vocab: core.Vocabulary) -> dict:
    """Every training the step shows, by name: its view's own ("view", with trained weights), its others,
    and the translator ("translator": a ``translation.TranslatorKey``)."""
    keys = {name: compute.TrainKey.of(replace(settings, **changes), vocab) for name, changes in step.trainings.items()}
    if settings.paper and settings.weights == "trained":
        keys["view"] = compute.TrainKey.of(settings, vocab)
    if step.translates:
        keys["translator"] = translation.TranslatorKey.of(settings, core.TOY_LEXICON)
    return keys


def trained(key):
    """The process's finished training for ``key`` (an encoder block's or the translator's), or None."""
    return translation.trained(key) if isinstance(key, translation.TranslatorKey) else compute.trained(key)


def train(key, vocab: core.Vocabulary):
    """Train ``key`` here, without a page (tests, tools): the page trains through ui/training.py."""
    if isinstance(key, translation.TranslatorKey):
        return translation.train(key, core.TOY_LEXICON)
    return compute.train(key, vocab)


def scene(step: Step, lang: str = "en", trainings: Mapping[str, core.TrainResult] | None = None) -> Scene:
    """The step's numbers. The page passes the trainings it ran through ``ui/training.py`` (budget,
    queue, progress, Stop); without them (tests, tools) they are trained here, once per process."""
    s, vocab = settings_of(step, lang), vocabulary_of(step)
    found = dict(trainings or {})
    for name, key in training_keys(step, s, vocab).items():
        if name not in found:
            found[name] = train(key, vocab)
    return Scene(step, s, vocab, compute.current_pass(s, vocab), MappingProxyType(found))


# --- the question --------------------------------------------------------------------------------


def order(step_id: str, n: int) -> tuple[int, ...]:
    """The shown order of ``n`` options: a permutation seeded by the step's id (the same for everyone)."""
    return tuple(int(i) for i in np.random.default_rng(zlib.crc32(step_id.encode())).permutation(n))


def shuffled(step_id: str, asked: Asked) -> Question:
    perm = order(step_id, len(asked.options))
    right = set(asked.right) | {asked.answer}
    return Question(
        options=tuple(asked.options[p] for p in perm),
        answer=perm.index(asked.answer),
        right=frozenset(i for i, p in enumerate(perm) if p in right),
        facts=MappingProxyType(dict(asked.facts)),
    )


def question(step: Step, lang: str = "en", trainings=None, the_scene: Scene | None = None) -> Question:
    """The step's question, its answer worked out on the numbers its charts draw."""
    return shuffled(step.id, step.ask(the_scene or scene(step, lang, trainings)))


def shown_ties(values, best: int, decimals: int = SHOWN_DECIMALS) -> frozenset[int]:
    """The positions whose value a chart writes as it writes ``values[best]``: the chart cannot tell them apart."""
    shown = np.round(np.asarray(values, dtype=float), decimals)
    return frozenset(int(i) for i in np.flatnonzero(shown == shown[best]))


def word(w: str) -> Notice:
    """An option that is a word of the sentence (set in italics, as the lesson's texts set words)."""
    return Notice("lesson.option_word", {"word": w})


def cell(q: str, k: str) -> Notice:
    """An option that is a cell of a token map: (query, key)."""
    return Notice("lesson.option_cell", {"q": q, "k": k})


def head_option(n: int) -> Notice:
    return Notice("lesson.option_head", {"n": n})


def number(x: str) -> Notice:
    return Notice("lesson.option_number", {"x": x})


def option(step_id: str, name: str, **args) -> Notice:
    """An option with a text of its own: ``lesson.<step>_<name>``, with ``args``."""
    return Notice(f"lesson.{step_id}_{name}", args)


def choices(step_id: str, *names: str) -> tuple[Notice, ...]:
    """Options with a text of their own: ``lesson.<step>_<name>``."""
    return tuple(Notice(f"lesson.{step_id}_{name}") for name in names)


def terms(a, b, scene: Scene) -> str:
    """``a·b`` written out: "0·1 + 1·1 + 0·0"."""
    return " + ".join(f"{scene.number(x, 0)}·{scene.number(y, 0)}" for x, y in zip(a, b, strict=True))
