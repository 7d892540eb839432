"""The guided lesson: ten steps from the article's four words to trained heads.

Each step is a view of its own (settings and vocabulary, never the learner's session
settings), one question answered on that view's numbers, and the screen that opens it in
the explorer. The right answer is computed from the same pass the chart draws, so the
lesson cannot drift from what the screen shows. No Streamlit here: ``pages/7_lesson.py``
draws the steps and keeps the learner's answers in ``st.session_state``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

import core
from ui import compute, state
from ui.state import Notice, Settings

# The vocabularies a step can use: the article's table, or ten random words that train well.
ARTICLE, SETUP = "article", "setup"


@dataclass(frozen=True)
class Step:
    """One step of the lesson: its view, and the screen that opens it in the explorer.

    ``id`` names its strings in the catalogue (``lesson.<id>_title``, ``_text``, ``_q``,
    ``_why``). ``view`` changes the default settings; ``vocab`` is ARTICLE or SETUP.
    """

    id: str
    screen: str  # URL path of the explorer's screen for this view
    vocab: str = ARTICLE
    view: dict = field(default_factory=dict)


_TRAINED = {"weights": "trained", "task": "neighbours", "heads": 2}
STEPS = (
    Step("embeddings", "vocabulary", view={"mode": "tutorial"}),
    Step("score", "self-attention", view={"mode": "tutorial", "cell": (2, 4)}),
    Step("sqrt", "self-attention", view={"scale": "none"}),
    Step("row", "self-attention", view={"heads": 1, "cell": (3, 3)}),
    Step("axis", "self-attention", view={"mode": "tutorial"}),
    Step("mask", "self-attention", view={"mask": "causal", "heads": 1}),
    Step("heads", "multi-head", SETUP, view={"heads": 2, "sentence": "the cat sat on a mat"}),
    Step("trained", "train", SETUP, view=_TRAINED),
    Step("off", "multi-head", SETUP, view=_TRAINED),
    Step("block", "add-norm", SETUP, view={"sentence": "the cat sat on a mat"}),
)
COUNT = len(STEPS)


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


def settings_of(step: Step, lang: str) -> Settings:
    """The step's own settings in the learner's language."""
    base = {"lang": lang, "preset": "seed"}  # the article's table, in either mode
    if step.vocab == SETUP:
        base.update(preset="random", dim=16, sentence=state.SETUP_WORDS)
    return state.fit_view(replace(state.DEFAULTS, **{**base, **step.view}))


def vocabulary_of(step: Step) -> core.Vocabulary:
    if step.vocab == SETUP:
        return core.random_vocabulary(tuple(state.SETUP_WORDS.split()), 16, state.DEFAULTS.seed)
    return core.seed_vocabulary()


@dataclass(frozen=True)
class Question:
    """What the learner picks from, which option is right, and the numbers the explanation quotes.

    An option is a catalogue key and its arguments; ``lesson.word`` is a word as it is.
    """

    options: tuple[Notice, ...]
    answer: int
    facts: dict = field(default_factory=dict)
    ablation: core.HeadAblation | None = None  # step 9's accuracies, for the chart that shows the answer


def _word(w: str) -> Notice:
    return Notice("lesson.word", {"word": w})


def _choices(*keys: str) -> tuple[Notice, ...]:
    return tuple(Notice(k) for k in keys)


def _number(x: float) -> str:
    return state.format_value(float(round(x, 4)) + 0.0)


def question(step: Step, lang: str = "en", result=None, training=None) -> Question:
    """The step's question with its answer worked out on the step's own numbers.

    ``result`` is the step's pass (``compute.current_pass``); ``training`` its trained block,
    for the two steps about training (computed here when not given).
    """
    s, vocab = settings_of(step, lang), vocabulary_of(step)
    result = compute.current_pass(s, vocab) if result is None else result
    tokens = s.tokens
    return _QUESTIONS[step.id](s, vocab, tokens, result, training)


def _q_embeddings(s, vocab, tokens, result, training) -> Question:
    # The word whose vector shares least with every other word: its largest dot product with another is smallest.
    dots = vocab.vectors @ vocab.vectors.T
    np.fill_diagonal(dots, -np.inf)
    alone = int(np.argmin(dots.max(axis=1)))
    return Question(tuple(_word(w) for w in vocab.words), alone, {"word": vocab.words[alone]})


def _q_score(s, vocab, tokens, result, training) -> Question:
    i, j = (c - 1 for c in s.cell)
    score = float(result.scores[i, j])
    values = [score - 1, score, score + 1, score + 2]
    e_i, e_j = vocab.vectors[vocab.words.index(tokens[i])], vocab.vectors[vocab.words.index(tokens[j])]
    terms = " + ".join(f"{_number(a)}·{_number(b)}" for a, b in zip(e_i, e_j, strict=True))
    facts = {"q": tokens[i], "k": tokens[j], "terms": terms, "score": _number(score)}
    return Question(tuple(Notice("lesson.number", {"x": _number(v)}) for v in values), 1, facts)


def _q_sqrt(s, vocab, tokens, result, training) -> Question:
    study = compute.scaling_study()
    peaks = study.top_unscaled[-1] > study.top_unscaled[0] + 0.2
    flat = study.top_unscaled[-1] < study.top_unscaled[0] - 0.2
    answer = 1 if peaks else 0 if flat else 2
    facts = {
        "d0": int(study.d_k[0]),
        "d1": int(study.d_k[-1]),
        "top0": f"{100 * study.top_unscaled[0]:.0f}",
        "top1": f"{100 * study.top_unscaled[-1]:.0f}",
        "scaled1": f"{100 * study.top_scaled[-1]:.0f}",
    }
    return Question(_choices("lesson.sqrt_flat", "lesson.sqrt_peak", "lesson.sqrt_same"), answer, facts)


def _q_row(s, vocab, tokens, result, training) -> Question:
    i = s.cell[0] - 1
    row = result.attention.weights[0][i]
    top = int(np.argmax(row))
    facts = {"word": tokens[i], "top": tokens[top], "weight": f"{100 * row[top]:.0f}"}
    return Question(tuple(_word(w) for w in tokens), top, facts)


def _q_axis(s, vocab, tokens, result, training) -> Question:
    sums_cols = result.weights.sum(axis=0)
    sums_rows = result.weights.sum(axis=1)
    answer = 1 if np.allclose(sums_cols, 1) else 0 if np.allclose(sums_rows, 1) else 2
    facts = {"rows": ", ".join(_number(v) for v in sums_rows)}
    return Question(_choices("lesson.axis_rows", "lesson.axis_cols", "lesson.axis_all"), answer, facts)


def _q_mask(s, vocab, tokens, result, training) -> Question:
    first = result.attention.weights[0][0]
    answer = 0 if first[0] == 1.0 else 2 if np.allclose(first, first.mean()) else 1
    facts = {"word": tokens[0], "row": ", ".join(_number(v) for v in first)}
    return Question(_choices("lesson.mask_self", "lesson.mask_same", "lesson.mask_even"), answer, facts)


def _q_heads(s, vocab, tokens, result, training) -> Question:
    d_k = result.params.d_k
    values = sorted({2, 4, 8, 16, d_k})[:4] if d_k not in (2, 4, 8, 16) else [2, 4, 8, 16]
    facts = {"d": vocab.dim, "h": s.heads, "dk": d_k}
    return Question(tuple(Notice("lesson.number", {"x": v}) for v in values), values.index(d_k), facts)


def trained_block(step: Step, lang: str = "en") -> core.TrainResult:
    """The training of a step that needs one (cached in the process: a room trains once)."""
    s, vocab = settings_of(step, lang), vocabulary_of(step)
    return compute.train(compute.TrainKey.of(s, vocab), vocab)


def trained_roles(training: core.TrainResult, vocab: core.Vocabulary, seed: int):
    """The trained heads' roles on a held-out sentence."""
    words = compute.held_out_sentence(training, vocab, seed)
    view = compute.trained_view(training, vocab, words)
    return words, view, core.head_roles(view.weights)


def _q_trained(s, vocab, tokens, result, training) -> Question:
    training = training or compute.train(compute.TrainKey.of(s, vocab), vocab)
    _, _, roles = trained_roles(training, vocab, s.seed)
    prev, nxt = np.nan_to_num(roles.previous), np.nan_to_num(roles.next)
    H = len(prev)
    split = max((prev[a] + nxt[b]) / 2 for a in range(H) for b in range(H) if a != b)
    scores = [split, float(np.nan_to_num(roles.self).mean()), float(np.nan_to_num(roles.first).mean())]
    answer = int(np.argmax(scores))
    facts = {
        "prev": f"{100 * prev.max():.0f}",
        "next": f"{100 * nxt.max():.0f}",
        "acc": f"{100 * training.accuracy:.0f}",
    }
    return Question(_choices("lesson.trained_split", "lesson.trained_self", "lesson.trained_first"), answer, facts)


def _q_off(s, vocab, tokens, result, training) -> Question:
    key = compute.TrainKey.of(s, vocab)
    training = training or compute.train(key, vocab)
    ablation = compute.ablation(key, training, vocab)
    drops = ablation.accuracy - np.asarray(ablation.head_off)
    H = len(drops)
    answer = H if drops.max() < 0.05 else int(np.argmax(drops))
    options = (*(Notice("lesson.head", {"n": h + 1}) for h in range(H)), Notice("lesson.off_neither"))
    lines = [f"{h + 1}: {100 * ablation.accuracy:.0f}% → {100 * a:.0f}%" for h, a in enumerate(ablation.head_off)]
    facts = {"full": f"{100 * ablation.accuracy:.0f}", "lines": "; ".join(lines)}
    return Question(options, answer, facts, ablation)


def _q_block(s, vocab, tokens, result, training) -> Question:
    means = result.block.norm1.mean(axis=1)
    spread = result.block.norm1.std(axis=1)
    answer = 0 if np.allclose(means, 0, atol=1e-9) else 1 if np.allclose(means, 1) else 2
    # six decimals: the spreads fall short of 1 by the ε under the square root (var / (var + ε))
    facts = {"m": f"{np.abs(means).max():.1e}", "s0": f"{spread.min():.6f}", "s1": f"{spread.max():.6f}"}
    return Question(_choices("lesson.block_zero", "lesson.block_one", "lesson.block_any"), answer, facts)


def row_softmax(scores: np.ndarray) -> np.ndarray:
    """The paper's softmax of the article's scores: over each row, where the article goes down the columns."""
    return core.softmax(scores, axis=-1)


_QUESTIONS = {
    "embeddings": _q_embeddings,
    "score": _q_score,
    "sqrt": _q_sqrt,
    "row": _q_row,
    "axis": _q_axis,
    "mask": _q_mask,
    "heads": _q_heads,
    "trained": _q_trained,
    "off": _q_off,
    "block": _q_block,
}
