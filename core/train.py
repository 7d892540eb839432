"""Training the encoder block on toy tasks over the learner's own words: tasks, train_block (with core.adam).

A sentence is ``length`` words drawn uniformly (with repeats) from the vocabulary; its input is
the learner's vectors plus the sinusoidal positional encoding, x = E + PE, which stays fixed.
The block and a linear readout to the vocabulary train with Adam on softmax cross-entropy
(``core.backward``); by default only the attention sublayer (MultiHead, Add & Norm) trains.
Every draw (initial weights, batches, held-out sentences) comes from the caller's generator.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._checks import AttentionInputError, check_rng, frozen_array, positive_float, positive_int
from .adam import _adam
from .backward import (
    ReadoutParams,
    _backward,
    _config,
    _cross_entropy_backward,
    _cross_entropy_forward,
    _forward,
    check_flag,
    check_magnitude,
    init_readout,
    params_from_arrays,
    trainable_arrays,
)
from .encoder import EncoderBlockParams, init_encoder_block
from .layers import sinusoidal_positional_encoding
from .multi_head import MultiHeadParams
from .vocabulary import Vocabulary, split_sentence

DEFAULT_STEPS = 1500
DEFAULT_BATCH = 64
# Why these defaults (the lesson: two heads learn "neighbours", one head cannot). Attention to both
# neighbours at once is the easy first pattern (the positional encoding's dot products are symmetric
# in the offset), and two heads that both find it sit on a saddle: they split into "look back" and
# "look ahead" only after a while, sooner with larger steps. Adam's usual lr of 1e-2 (adam_step's
# default) left some seeds there after thousands of steps; DEFAULT_LR leaves none within
# DEFAULT_STEPS. With that lr a head that starts with sharp random scores can settle on a poor
# solution (a single head on "previous" kept predicting one current word); starting W_Q and W_K
# small (QK_INIT) makes every head start near uniform, and that failure went away.
# benchmarks/bench_train.py and tests/test_core_train.py measure the result.
DEFAULT_LR = 5e-2  # train_block's
QK_INIT = 0.25  # W_Q and W_K start at this fraction of init_multi_head's draw
HELD_OUT = 512  # held-out sentences that measure accuracy after training

# ---------------------------------------------------------------- tasks


TARGET_KINDS = ("relative", "absolute", "highest")


@dataclass(frozen=True)
class Task:
    """A rule that gives each position of a sentence its target words, one per readout.

    Each entry of ``targets`` is ("relative", k): the word k places away (-1 the one before,
    +1 the one after; a position without it has no target there), ("absolute", p): the word at
    position p, the same target at every position, or ("highest", 0): of the sentence's words, the
    one furthest down the vocabulary's list (the largest index), the same target at every position,
    wherever in the sentence it stands. The first two are found by position, the last by content.
    ``min_length``: the shortest sentence on which the task means something.
    """

    name: str
    targets: tuple[tuple[str, int], ...]
    min_length: int

    def __post_init__(self):
        for target in self.targets:
            if not (isinstance(target, tuple) and len(target) == 2 and target[0] in TARGET_KINDS):
                raise AttentionInputError(
                    f"a task's target must be (kind, int) with kind one of {', '.join(TARGET_KINDS)}, but is {target!r}"
                )

    @property
    def n_targets(self) -> int:
        return len(self.targets)


TASKS: Mapping[str, Task] = MappingProxyType(
    {
        "previous": Task("previous", (("relative", -1),), min_length=2),
        "next": Task("next", (("relative", 1),), min_length=2),
        "first": Task("first", (("absolute", 0),), min_length=2),
        "neighbours": Task("neighbours", (("relative", -1), ("relative", 1)), min_length=3),
        "highest": Task("highest", (("highest", 0),), min_length=2),
    }
)


def check_task(task) -> Task:
    """``task`` as a Task: a Task, or the name of one in TASKS."""
    if isinstance(task, Task):
        return task
    if isinstance(task, str) and task in TASKS:
        return TASKS[task]
    raise AttentionInputError(f"task must be one of {', '.join(TASKS)} (or a Task), but is {task!r}")


def sample_sentences(n_words: int, n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """(n, length) word indices, uniform over 0 .. n_words - 1, drawn from ``rng``."""
    return rng.integers(0, n_words, size=(n, length))


def task_targets(task: Task, ids: np.ndarray) -> np.ndarray:
    """ids (B, T) word indices -> targets (K, B, T): the word each readout should give, -1 = none."""
    B, T = ids.shape
    out = np.full((task.n_targets, B, T), -1, dtype=np.intp)
    for k, (kind, where) in enumerate(task.targets):
        if kind == "relative":  # position t's target is the word at t + where, if there is one
            lo, hi = max(0, -where), min(T, T - where)  # the positions t with 0 <= t + where < T
            if lo < hi:
                out[k, :, lo:hi] = ids[:, lo + where : hi + where]
        elif kind == "absolute":  # the word at position p = where, at every position
            out[k] = ids[:, where : where + 1]
        else:  # ("highest", 0): the sentence's word with the largest index, at every position
            out[k] = ids.max(axis=1, keepdims=True)
    return out


# ---------------------------------------------------------------- training


@dataclass(frozen=True, eq=False)
class TrainResult:
    """A trained block: params (EncoderBlockParams), readout (ReadoutParams, one readout per target),
    losses (one float per step), accuracy (on held-out sentences, 0-1), accuracies (one per step,
    0-1), and how it was trained.

    ``accuracies[i]`` is the share of right argmax predictions on step i + 1's batch, measured
    before that step's update, from the logits its loss came from (no extra pass). Every batch is
    fresh sentences the block has not trained on yet, so it is an estimate of the held-out
    accuracy at that moment, on ``batch_size`` sentences instead of HELD_OUT (noisier);
    ``accuracy`` is measured after the last update.

    When the feed-forward layer did not train (``feed_forward=False``), ``params.feed_forward`` and
    ``params.norm2`` are their untouched initial values, and the model is the attention sublayer
    alone: out = LN1(x + MultiHead(x)) (pre-norm: x + MultiHead(LN1(x))), then the readout.
    """

    params: EncoderBlockParams
    readout: ReadoutParams
    losses: tuple[float, ...]
    accuracy: float
    accuracies: tuple[float, ...]
    task: Task
    feed_forward: bool
    norm_first: bool
    length: int


def _quiet_attention(params: EncoderBlockParams) -> EncoderBlockParams:
    """W_Q and W_K scaled by QK_INIT: the scores start QK_INIT² as large, the attention nearly uniform."""
    a = params.attention
    attention = MultiHeadParams(w_q=a.w_q * QK_INIT, w_k=a.w_k * QK_INIT, w_v=a.w_v, w_o=a.w_o)
    return dataclasses.replace(params, attention=attention)


def _count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise AttentionInputError(f"{name} must be a whole number >= {minimum}, but is {value!r}")
    if value < minimum:
        raise AttentionInputError(f"{name} must be >= {minimum}, but is {value}")
    return int(value)


def _check_vocabulary(vocab) -> Vocabulary:
    if not isinstance(vocab, Vocabulary):
        raise AttentionInputError(f"vocab must be a Vocabulary (see random_vocabulary), but is {type(vocab).__name__}")
    if len(vocab) < 3:
        raise AttentionInputError(
            f"training needs a vocabulary of at least 3 words (with fewer, guessing is enough), but it has {len(vocab)}"
        )
    if vocab.dim < 2:
        raise AttentionInputError(
            f"training needs word vectors of width >= 2 (layer norm maps width 1 to 0), but the width is {vocab.dim}"
        )
    return vocab


def _inputs(vocab: Vocabulary, ids: np.ndarray) -> np.ndarray:
    """ids (B, T) -> x (B, T, D) = E + PE: the learner's vectors plus the positional encoding."""
    return vocab.vectors[ids] + sinusoidal_positional_encoding(ids.shape[1], vocab.dim)


def _model_pass(params, readout, feed_forward, norm_first, vocab, ids, head_mask):
    """ids (B, T) -> logits (K, B, T, V), weights (B, H, T, T) of the model as train_block builds it."""
    cfg = _config(params, ids.shape[1], None, None, norm_first, feed_forward, 1e-5, head_mask)
    logits, weights, _ = _forward(_inputs(vocab, ids), trainable_arrays(params, readout, feed_forward), cfg)
    return logits, weights


def _pass(result: TrainResult, vocab: Vocabulary, ids: np.ndarray, head_mask):
    return _model_pass(result.params, result.readout, result.feed_forward, result.norm_first, vocab, ids, head_mask)


def _accuracy(logits: np.ndarray, targets: np.ndarray) -> float:
    """logits (K, B, T, V), targets (K, B, T) -> the share of entries with a target whose argmax is right."""
    has = targets >= 0
    return float(np.count_nonzero((logits.argmax(axis=-1) == targets) & has)) / float(np.count_nonzero(has))


def _train_step(x, w, targets, cfg, state, lr):
    """One step of train_block: x (B, T, D), targets (K, B, T) -> loss, accuracy, w, state.

    The forward pass, the loss and the batch's accuracy (argmax of the same logits, before the
    update); then, if the loss is finite, the backward pass and one Adam update (else w and state
    come back unchanged). No checks; the caller reports a non-finite loss.
    """
    logits, _, tape = _forward(x, w, cfg)  # (K, B, T, V)
    loss, ce = _cross_entropy_forward(logits, targets)
    if not math.isfinite(loss):
        return loss, 0.0, w, state
    accuracy = _accuracy(logits, targets)
    grads = _backward(_cross_entropy_backward(ce), tape, w, cfg)
    w, state = _adam(w, grads, state, lr, 0.9, 0.999, 1e-8)
    return loss, accuracy, w, state


def _takes_accuracy(callback) -> bool:
    """Whether ``callback`` accepts the keyword ``accuracy`` (a parameter of that name, or **kwargs)."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: call them the old way
        return False
    return any(
        p.kind is p.VAR_KEYWORD or (p.name == "accuracy" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        for p in parameters
    )


def training_cost(
    n_words: int,
    d_model: int,
    *,
    steps: int | None = None,
    feed_forward: bool = False,
    d_ff: int | None = None,
    n_targets: int = 2,
    length: int = 8,
    batch_size: int = DEFAULT_BATCH,
    evaluations: int = 1,
) -> int:
    """The multiply-adds of the matrix products of ``train_block`` with these sizes, and of
    ``evaluations`` passes over the HELD_OUT sentences (1: the accuracy it reports; an ablation
    of H heads adds H + 1): a measure of the work, known before it starts.

    Per sentence of T = ``length`` tokens, the forward pass multiplies x (T, D) by the fused
    W_Q|W_K|W_V (D, 3D) and by W_O (D, D), forms the scores q·kᵀ and the weighted sum of the
    values (T·T·D each, over all heads), the readouts (T, D) x (D, V) per target, and with
    ``feed_forward`` the two layers (T·D·d_ff each); a training step's backward pass costs about
    twice its forward. The head count does not change the total (the heads split D).
    Elementwise work (softmax, layer norms, Adam) is left out: it grows with the same sizes.
    """
    D, V, T = positive_int(d_model, "d_model"), positive_int(n_words, "n_words"), positive_int(length, "length")
    steps = DEFAULT_STEPS if steps is None else positive_int(steps, "steps")
    forward = T * D * 3 * D + T * D * D + 2 * T * T * D + T * D * V * positive_int(n_targets, "n_targets")
    if check_flag(feed_forward, "feed_forward"):
        forward += 2 * T * D * (4 * D if d_ff is None else positive_int(d_ff, "d_ff"))
    evaluations = _count(evaluations, "evaluations", 0)
    return forward * (3 * positive_int(batch_size, "batch_size") * steps + evaluations * HELD_OUT)


def _descend(vocab: Vocabulary, task: Task, w: dict, cfg, rng, sizes: tuple[int, int, int], lr: float, callback):
    """``steps`` Adam updates of the arrays ``w``, each on a fresh batch of ``batch_size`` sentences of
    ``length`` words drawn from ``rng`` (sizes = (steps, batch_size, length)) -> (w, losses, accuracies).

    ``callback`` sees each step (with the batch's accuracy if it takes it); a loss or an array that
    is not finite stops the descent with AttentionInputError.
    """
    steps, batch_size, length = sizes
    pe = sinusoidal_positional_encoding(length, vocab.dim)  # (T, D)
    state = None
    losses, accuracies = [], []
    with_accuracy = callback is not None and _takes_accuracy(callback)
    for step in range(1, steps + 1):
        ids = sample_sentences(len(vocab), batch_size, length, rng)  # (B, T)
        x = vocab.vectors[ids] + pe  # (B, T, D) = E + PE
        with np.errstate(all="ignore"):  # a non-finite loss is reported just below
            loss, accuracy, w, state = _train_step(x, w, task_targets(task, ids), cfg, state, lr)
        if not math.isfinite(loss):
            raise AttentionInputError(
                f"training produced a non-finite loss ({loss}) at step {step} of {steps} and stopped; "
                "the word vectors may be too large or the learning rate too high"
            )
        losses.append(loss)
        accuracies.append(accuracy)
        if with_accuracy:
            callback(step, loss, accuracy=accuracy)
        elif callback is not None:
            callback(step, loss)
    for name, arr in w.items():
        if not np.isfinite(arr).all():
            raise AttentionInputError(
                f"training produced non-finite values in {name} at step {steps} of {steps} and stopped; "
                "the word vectors may be too large or the learning rate too high"
            )
    return w, losses, accuracies


def train_block(
    vocab: Vocabulary,
    task,
    *,
    n_heads: int,
    rng: np.random.Generator,
    steps: int | None = None,
    feed_forward: bool = False,
    d_ff: int | None = None,
    length: int = 8,
    norm_first: bool = False,
    callback: Callable[..., object] | None = None,
    batch_size: int = DEFAULT_BATCH,
    lr: float = DEFAULT_LR,
) -> TrainResult:
    """Train an encoder block and its readout on ``task`` (a name in TASKS or a Task) -> TrainResult.

    From ``rng``, in this order: the block (init_encoder_block, d_model = the vocabulary's width,
    d_k = max(1, d_model // n_heads), d_ff = 4·d_model unless given; then W_Q and W_K scaled by
    QK_INIT), the readouts (init_readout), HELD_OUT held-out sentences, then one batch of
    ``batch_size`` fresh sentences of ``length`` words per step (``steps``, DEFAULT_STEPS unless
    given), each step one Adam update (lr, betas 0.9 and 0.999). ``feed_forward=False`` trains the
    attention sublayer alone (MultiHead, Add & Norm, readout); True the whole block.
    ``callback(step, loss)`` runs after each step, step = 1 .. steps; a callback that takes a
    keyword ``accuracy`` (or **kwargs) is called ``callback(step, loss, accuracy=...)`` with the
    step's batch accuracy (TrainResult.accuracies). A step whose loss is not finite stops the
    training with AttentionInputError; nothing the caller holds has changed. The defaults: see
    DEFAULT_LR. Long because it checks every argument before its first draw from ``rng``.
    """
    vocab = _check_vocabulary(vocab)
    task = check_task(task)
    H = positive_int(n_heads, "n_heads")
    rng = check_rng(rng)
    steps = DEFAULT_STEPS if steps is None else positive_int(steps, "steps")
    feed_forward = check_flag(feed_forward, "feed_forward")
    norm_first = check_flag(norm_first, "norm_first")
    D, V = vocab.dim, len(vocab)
    d_ff = 4 * D if d_ff is None else positive_int(d_ff, "d_ff")
    length = _count(length, "length", 1)
    if length < task.min_length:
        raise AttentionInputError(
            f"the task {task.name!r} needs sentences of at least {task.min_length} words, but length is {length}"
        )
    if callback is not None and not callable(callback):
        raise AttentionInputError(f"callback must be a function (step, loss) or None, but is {callback!r}")
    batch_size = positive_int(batch_size, "batch_size")
    lr = positive_float(lr, "lr")
    check_magnitude(vocab.vectors, "the word vectors")

    params = _quiet_attention(init_encoder_block(D, H, d_ff, rng))
    readout = init_readout(D, V, rng, n_targets=task.n_targets)
    held_out = sample_sentences(V, HELD_OUT, length, rng)  # (HELD_OUT, T)
    cfg = _config(params, length, None, None, norm_first, feed_forward, 1e-5, None)
    w = trainable_arrays(params, readout, feed_forward)
    w, losses, accuracies = _descend(vocab, task, w, cfg, rng, (steps, batch_size, length), lr, callback)
    params, readout = params_from_arrays(w, params)
    logits, _ = _model_pass(params, readout, feed_forward, norm_first, vocab, held_out, None)
    return TrainResult(
        params=params,
        readout=readout,
        losses=tuple(losses),
        accuracy=_accuracy(logits, task_targets(task, held_out)),
        accuracies=tuple(accuracies),
        task=task,
        feed_forward=feed_forward,
        norm_first=norm_first,
        length=length,
    )


# ---------------------------------------------------------------- after training


def _check_result(result, vocab) -> tuple[TrainResult, Vocabulary]:
    if not isinstance(result, TrainResult):
        raise AttentionInputError(f"result must be a TrainResult (see train_block), but is {type(result).__name__}")
    if not isinstance(vocab, Vocabulary):
        raise AttentionInputError(f"vocab must be a Vocabulary, but is {type(vocab).__name__}")
    if vocab.dim != result.params.d_model or len(vocab) != result.readout.n_words:
        raise AttentionInputError(
            f"the block was trained on {result.readout.n_words} words of width {result.params.d_model}, "
            f"but the vocabulary has {len(vocab)} words of width {vocab.dim}"
        )
    return result, vocab


def _held_out_accuracy(result: TrainResult, vocab: Vocabulary, task: Task, ids: np.ndarray, head_mask) -> float:
    logits, _ = _pass(result, vocab, ids, head_mask)
    return _accuracy(logits, task_targets(task, ids))


def _check_eval_task(result: TrainResult, task, length) -> tuple[Task, int]:
    task = check_task(task)
    if task.n_targets != result.readout.n_targets:
        raise AttentionInputError(
            f"the task {task.name!r} has {task.n_targets} target(s) per position, but the block was trained "
            f"with {result.readout.n_targets} readout(s)"
        )
    length = result.length if length is None else _count(length, "length", 1)
    if length < task.min_length:
        raise AttentionInputError(
            f"the task {task.name!r} needs sentences of at least {task.min_length} words, but length is {length}"
        )
    return task, length


def evaluate(
    result: TrainResult,
    vocab: Vocabulary,
    task,
    rng: np.random.Generator,
    *,
    n_sentences: int = HELD_OUT,
    length: int | None = None,
    head_mask=None,
) -> float:
    """Accuracy (0-1) of the trained model on ``n_sentences`` fresh sentences drawn from ``rng``.

    ``head_mask`` (H,): True/1 = head on, False/0 = head off (its output zeroed before W_O), to see
    what each head contributes. ``length`` defaults to the training length.
    """
    result, vocab = _check_result(result, vocab)
    task, length = _check_eval_task(result, task, length)
    rng = check_rng(rng)
    n = positive_int(n_sentences, "n_sentences")
    ids = sample_sentences(len(vocab), n, length, rng)
    return _held_out_accuracy(result, vocab, task, ids, head_mask)


@dataclass(frozen=True)
class HeadAblation:
    """accuracy with every head on; head_off[h] with head h alone switched off (the same sentences)."""

    accuracy: float
    head_off: tuple[float, ...]


def ablate_heads(
    result: TrainResult,
    vocab: Vocabulary,
    task,
    rng: np.random.Generator,
    *,
    n_sentences: int = HELD_OUT,
    length: int | None = None,
) -> HeadAblation:
    """Held-out accuracy with all heads, then with each head switched off in turn ("head 2 off: 99% -> 51%")."""
    result, vocab = _check_result(result, vocab)
    task, length = _check_eval_task(result, task, length)
    rng = check_rng(rng)
    ids = sample_sentences(len(vocab), positive_int(n_sentences, "n_sentences"), length, rng)
    H = result.params.n_heads
    full = _held_out_accuracy(result, vocab, task, ids, None)
    off = tuple(_held_out_accuracy(result, vocab, task, ids, np.arange(H) != h) for h in range(H))
    return HeadAblation(accuracy=full, head_off=off)


@dataclass(frozen=True)
class TrainedPass:
    """The trained model on one sentence: words (T,), weights (H, T, T) per head (rows sum to 1),
    logits (K, T, V), predicted (K, T) word indices, targets (K, T) (-1 = none), correct (K, T) bool
    (False where there is no target).
    """

    words: tuple[str, ...]
    weights: np.ndarray
    logits: np.ndarray
    predicted: np.ndarray
    targets: np.ndarray
    correct: np.ndarray


def run_trained(result: TrainResult, vocab: Vocabulary, sentence, *, head_mask=None) -> TrainedPass:
    """The trained block on ``sentence`` (words or a string of them, from the vocabulary) -> TrainedPass."""
    result, vocab = _check_result(result, vocab)
    words = tuple(split_sentence(sentence) if isinstance(sentence, str) else sentence)
    vocab.embed(words)  # the same checks as every page: not empty, every word known
    ids = np.array([[vocab.words.index(word) for word in words]])  # (1, T)
    logits, weights = _pass(result, vocab, ids, head_mask)
    targets = task_targets(result.task, ids)[:, 0]  # (K, T)
    predicted = logits[:, 0].argmax(axis=-1)  # (K, T)
    return TrainedPass(
        words=words,
        weights=frozen_array(weights[0]),
        logits=frozen_array(logits[:, 0]),
        predicted=predicted,
        targets=targets,
        correct=(predicted == targets) & (targets >= 0),
    )
