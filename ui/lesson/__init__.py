"""The guided lesson: steps from the article's four words to trained heads, each a question to
answer on a chart before the chart shows the answer.

A step is one object (``ui/lesson/step.py`` says what it holds); this list is the lesson's order,
one line a step: adding, removing or moving a step is one edit here (and its strings in the
catalogue). The page (``pages/7_lesson.py``) numbers the steps and draws any of them the same way.
"""

from __future__ import annotations

from ui import state
from ui.lesson import attention, decoder, heads, words
from ui.lesson.step import (
    ARTICLE,
    PAPER,
    RANDOM,
    SETUP,
    TUTORIAL,
    Asked,
    Question,
    Scene,
    Step,
    question,
    scene,
    settings_of,
    shuffled,
    trained,
    training_keys,
    vocabulary_of,
)
from ui.state import Notice

STEPS: tuple[Step, ...] = (
    words.Vectors(),
    words.Score(),
    words.Softmax(),
    words.Axis(),
    words.Symmetric(),
    attention.Width(),
    attention.Row(),
    attention.Output(),
    attention.Mask(),
    heads.Heads(),
    heads.Compare(),
    heads.Off(),
    heads.Concat(),
    heads.Content(),
    heads.Norm(),
    decoder.DecoderMask(),
    decoder.Cross(),
    decoder.Gender(),
)
COUNT = len(STEPS)
MODEL_KEYS = {TUTORIAL: "lesson.model_tutorial", PAPER: "lesson.model_paper"}  # the badge of each model


def step_number(raw) -> tuple[int, Notice | None]:
    """The 1-based step a link asks for: a number out of range is brought inside, anything else is step 1."""
    if raw is None or str(raw).strip() == "":
        return 1, None
    text = str(raw)[: state.MAX_VALUE_CHARS].strip()
    number = state.whole_number(text)  # as every number of a link: ASCII digits only
    if number is None:
        return 1, Notice("lesson.step_bad", {"value": state.excerpt(text), "n": COUNT})
    if not 1 <= number <= COUNT:
        used = min(max(number, 1), COUNT)
        return used, Notice("lesson.step_outside", {"value": state.excerpt(text), "n": COUNT, "used": used})
    return number, None


def host_view(raw) -> tuple[bool, Notice | None]:
    """Whether a link asks for the host's view (``host=1``); any other value but 0 or none is the learner's
    view, with a notice that quotes it."""
    if raw is None or str(raw).strip() in ("", "0", "1"):
        return raw is not None and str(raw).strip() == "1", None
    return False, Notice("lesson.host_bad", {"value": state.excerpt(str(raw)[: state.MAX_VALUE_CHARS])})


def title_key(step: Step) -> str:
    return f"lesson.{step.id}_title"


__all__ = [
    "ARTICLE",
    "COUNT",
    "MODEL_KEYS",
    "PAPER",
    "RANDOM",
    "SETUP",
    "STEPS",
    "TUTORIAL",
    "Asked",
    "Question",
    "Scene",
    "Step",
    "host_view",
    "question",
    "scene",
    "settings_of",
    "shuffled",
    "step_number",
    "title_key",
    "trained",
    "training_keys",
    "vocabulary_of",
]
