"""A toy English -> Portuguese translator, trained in NumPy: encoder stack, decoder stack, Adam.

The model (post-norm, the paper's order; n_layers blocks on each side, no final norms):

    memory = EncoderStack(E_src[source] + PE)                      (B, S, D)
    out = DecoderStack(E_tgt[decoder input] + PE, memory)           (B, T, D)
    logits = out W_r + b_r                                          (B, T, V), V target words

E_src and E_tgt are learned embeddings, PE the sinusoidal positional encoding (fixed).

Tokens. The source vocabulary is "<pad>", the articles, the prepositions, then the lexicon's
nouns, adjectives and verbs; the target vocabulary "<pad>", "<s>" (start), "</s>" (end), then
every Portuguese word of the grammar and the lexicon, once each. A contraction of two words
("em um", "debaixo do") is two target words.

Teacher forcing. The decoder input is "<s>" then the Portuguese words; input position t is the
step that writes output word t (the last step writes "</s>"): its self-attention is causal, so
it sees the start and the words written before, never the word it must write.

Padding. A batch holds sentences of different lengths: source sentences are padded with
"<pad>", which no query may attend to (in the encoder's self-attention and in cross-attention),
so a real word's numbers are the same with or without the padding. Target positions after
"</s>" hold "<pad>" inputs and no target (left out of the loss); the causal mask keeps them out
of every earlier position.

Held-out sentences. Every grammatical sentence has an index (core.toy_language); HELD_OUT of
them (at most a tenth) are drawn from the caller's generator before training, and training
batches are drawn from the others: held-out accuracy is measured on sentences never seen.

Greedy decoding writes, at each step, the target word with the largest logit ("<pad>" and "<s>"
are never written), until "</s>" or MAX_TARGET words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, check_rng, frozen_array, positive_int
from .adam import _adam
from .backward import (
    ReadoutParams,
    _Config,
    _cross_entropy_backward,
    _cross_entropy_forward,
    _readout_backward,
    _readout_forward,
    init_readout,
)
from .decoder import DecoderBlockParams, init_decoder_block
from .decoder_backward import (
    _decoder_stack_backward,
    _decoder_stack_forward,
    _DecoderConfig,
    _encoder_stack_backward,
    _encoder_stack_forward,
    decoder_arrays,
    decoder_from_arrays,
    encoder_arrays,
    encoder_from_arrays,
)
from .encoder import EncoderBlockParams, init_encoder_block
from .layers import sinusoidal_positional_encoding
from .multi_head import default_head_width
from .toy_language import (
    ARTICLES,
    CONTRACTIONS,
    GENDERS,
    PREPOSITIONS,
    Lexicon,
    check_lexicon,
    choices_of,
    english_of,
    parse,
    portuguese_of,
)
from .train import _takes_accuracy

SOURCE_SPECIALS = ("<pad>",)
TARGET_SPECIALS = ("<pad>", "<s>", "</s>")
PAD, START, END = 0, 1, 2  # target token ids; the source's "<pad>" is 0 too
MAX_SOURCE = 8  # ART ADJ NOUN VERB PREP ART ADJ NOUN
MAX_TARGET = 8  # ART NOUN ADJ VERB PP PP NOUN ADJ: the longest translation, in words
DEFAULT_TRANSLATOR_STEPS = 300
TRANSLATOR_BATCH = 32
TRANSLATOR_LR = 3e-3
HELD_OUT = 512  # held-out sentences (at most a tenth of the lexicon's)
EPS = 1e-5  # the layer norms' eps, torch's default

# ---------------------------------------------------------------- tokens


def _unique(words) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def vocabularies(lexicon: Lexicon) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(source words, target words) of the translator for ``lexicon``, specials first (see the module docstring)."""
    source = SOURCE_SPECIALS + tuple(ARTICLES) + PREPOSITIONS
    source += tuple(lexicon.nouns) + tuple(lexicon.adjectives) + tuple(lexicon.verbs)
    target = [w for forms in ARTICLES.values() for w in forms]
    target += [w for forms in CONTRACTIONS.values() for form in forms for w in form.split()]
    target += [pt for pt, _ in lexicon.nouns.values()]
    target += [form for forms in lexicon.adjectives.values() for form in forms]
    target += list(lexicon.verbs.values())
    return source, TARGET_SPECIALS + _unique(target)


@dataclass(frozen=True, eq=False)
class _Tables:
    """Token ids of every choice of a sentence (core.toy_language's radices), for encoding batches at once.

    -1 = no word (no adjective; the second word of a one-word contraction)."""

    src_article: np.ndarray  # (2,)
    src_adjective: np.ndarray  # (A + 1,), [-1, ids]
    src_noun: np.ndarray  # (N,)
    src_verb: np.ndarray  # (Vb,)
    src_preposition: np.ndarray  # (4,), per preposition-article pair
    src_article2: np.ndarray  # (4,)
    tgt_article: np.ndarray  # (2, 2): article, gender
    tgt_noun: np.ndarray  # (N,)
    gender: np.ndarray  # (N,) 0 = m, 1 = f
    tgt_adjective: np.ndarray  # (A + 1, 2)
    tgt_verb: np.ndarray  # (Vb,)
    tgt_pair1: np.ndarray  # (4, 2): pair, gender
    tgt_pair2: np.ndarray  # (4, 2)


def _tables(lexicon: Lexicon, source: tuple[str, ...], target: tuple[str, ...]) -> _Tables:
    s = {w: i for i, w in enumerate(source)}
    t = {w: i for i, w in enumerate(target) if i >= len(TARGET_SPECIALS)}

    def ids(table, words):
        return np.array([table[w] for w in words], dtype=np.intp)

    pairs = list(CONTRACTIONS)
    contractions = [[form.split() for form in forms] for forms in CONTRACTIONS.values()]  # (4, 2, 1 or 2 words)
    return _Tables(
        src_article=ids(s, ARTICLES),
        src_adjective=np.concatenate([[-1], ids(s, lexicon.adjectives)]).astype(np.intp),
        src_noun=ids(s, lexicon.nouns),
        src_verb=ids(s, lexicon.verbs),
        src_preposition=ids(s, [p for p, _ in pairs]),
        src_article2=ids(s, [a for _, a in pairs]),
        tgt_article=np.array([ids(t, forms) for forms in ARTICLES.values()]),
        tgt_noun=ids(t, [pt for pt, _ in lexicon.nouns.values()]),
        gender=np.array([GENDERS.index(g) for _, g in lexicon.nouns.values()], dtype=np.intp),
        tgt_adjective=np.concatenate(
            [[[-1, -1]], np.array([ids(t, forms) for forms in lexicon.adjectives.values()]).reshape(-1, 2)]
        ).astype(np.intp),
        tgt_verb=ids(t, lexicon.verbs.values()),
        tgt_pair1=np.array([[t[form[0]] for form in forms] for forms in contractions], dtype=np.intp),
        tgt_pair2=np.array([[t[form[1]] if len(form) > 1 else -1 for form in forms] for forms in contractions]),
    )


def _compact(slots: np.ndarray, fill: int) -> tuple[np.ndarray, np.ndarray]:
    """slots (B, K) token ids with -1 gaps -> (B, L) the ids moved left in order, ``fill`` after them; lengths (B,)."""
    keep = slots >= 0  # (B, K)
    order = np.argsort(~keep, axis=1, kind="stable")  # kept slots first, in their order
    lengths = keep.sum(axis=1)  # (B,)
    out = np.take_along_axis(slots, order, axis=1)[:, : lengths.max()]  # (B, L)
    out[out < 0] = fill
    return out, lengths


def _encode(choices: np.ndarray, tab: _Tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """choices (B, 7) -> source (B, S) ids padded with "<pad>"; decoder input (B, T) = "<s>" + words, padded;
    targets (B, T) = words + "</s>", -1 after it. S and T are the batch's longest."""
    art, adj1, n1, verb, pair, adj2, n2 = choices.T
    g1, g2 = tab.gender[n1], tab.gender[n2]
    src_slots = np.stack(
        [
            tab.src_article[art],
            tab.src_adjective[adj1],
            tab.src_noun[n1],
            tab.src_verb[verb],
            tab.src_preposition[pair],
            tab.src_article2[pair],
            tab.src_adjective[adj2],
            tab.src_noun[n2],
        ],
        axis=1,
    )  # (B, 8), ART [ADJ] NOUN VERB PREP ART [ADJ] NOUN
    tgt_slots = np.stack(
        [
            tab.tgt_article[art, g1],
            tab.tgt_noun[n1],
            tab.tgt_adjective[adj1, g1],
            tab.tgt_verb[verb],
            tab.tgt_pair1[pair, g2],
            tab.tgt_pair2[pair, g2],
            tab.tgt_noun[n2],
            tab.tgt_adjective[adj2, g2],
        ],
        axis=1,
    )  # (B, 8), ART NOUN [ADJ] VERB PP [PP] NOUN [ADJ]
    source, _ = _compact(src_slots, PAD)
    words, lengths = _compact(tgt_slots, PAD)  # (B, L)
    B, L = words.shape
    targets = np.full((B, L + 1), -1, dtype=np.intp)
    targets[:, :L] = np.where(np.arange(L) < lengths[:, None], words, -1)
    targets[np.arange(B), lengths] = END
    decoder_input = np.full((B, L + 1), PAD, dtype=np.intp)
    decoder_input[:, 0] = START
    decoder_input[:, 1:] = words
    return source, decoder_input, targets


# ---------------------------------------------------------------- the model's arrays


@dataclass(frozen=True, eq=False)
class _Model:
    """Sizes and the layout of every trainable array in one flat vector (so Adam is one update)."""

    d_model: int
    heads: tuple[int, int, int]  # (H, d_k, d_v)
    n_layers: int
    layout: tuple[tuple[str, tuple[int, ...], int], ...]  # (name, shape, offset)
    size: int
    encoder_names: tuple[tuple[tuple[str, str], ...], ...]  # per block: (short name, full name)
    decoder_names: tuple[tuple[tuple[str, str], ...], ...]
    pe: np.ndarray  # (MAX_TARGET + 1, D), sinusoidal

    def views(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """theta (size,) -> every array by name, views of theta."""
        return {name: theta[o : o + math.prod(shape)].reshape(shape) for name, shape, o in self.layout}

    def flatten(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Arrays by name (the layout's names and shapes) -> one flat vector."""
        out = np.empty(self.size)
        for name, shape, o in self.layout:
            out[o : o + math.prod(shape)] = arrays[name].reshape(-1)
        return out

    def blocks(self, w: dict, names) -> list[dict]:
        return [{short: w[full] for short, full in block} for block in names]


def _model(arrays: dict[str, np.ndarray], d_model: int, heads, n_layers: int) -> _Model:
    layout, offset = [], 0
    for name, arr in arrays.items():
        layout.append((name, arr.shape, offset))
        offset += arr.size
    enc = tuple(tuple((n.split(".", 1)[1], n) for n in arrays if n.startswith(f"encoder{i}.")) for i in range(n_layers))
    dec = tuple(tuple((n.split(".", 1)[1], n) for n in arrays if n.startswith(f"decoder{i}.")) for i in range(n_layers))
    pe = sinusoidal_positional_encoding(max(MAX_SOURCE, MAX_TARGET + 1), d_model)
    return _Model(d_model, heads, n_layers, tuple(layout), offset, enc, dec, pe)


def _arrays(source_embedding, target_embedding, encoder, decoder, readout) -> dict[str, np.ndarray]:
    w = {"source_embedding": np.array(source_embedding), "target_embedding": np.array(target_embedding)}
    for i, block in enumerate(encoder):
        w.update({f"encoder{i}.{n}": a for n, a in encoder_arrays(block).items()})
    for i, block in enumerate(decoder):
        w.update({f"decoder{i}.{n}": a for n, a in decoder_arrays(block).items()})
    w.update(w_r=readout.w_r.copy(), b_r=readout.b_r.copy())
    return w


def _attention_cfg(model: _Model, excluded) -> _Config:
    d_k = model.heads[1]
    return _Config(model.heads, excluded, 1.0 / math.sqrt(d_k), False, True, EPS, None)


# ---------------------------------------------------------------- forward and backward


def _forward(w, model: _Model, source, decoder_input):
    """source (B, S), decoder_input (B, T) ids -> logits (1, B, T, V), tape."""
    S, T = source.shape[1], decoder_input.shape[1]
    pad = (source == PAD)[:, None, None, :]  # (B, 1, 1, S): no query attends to a padded source word
    enc_cfg = _attention_cfg(model, pad)
    dec_cfg = _DecoderConfig(_attention_cfg(model, ~np.tri(T, dtype=bool)), _attention_cfg(model, pad), False, EPS)
    x = w["source_embedding"][source] + model.pe[:S]  # (B, S, D) = E_src + PE
    enc_ws, dec_ws = model.blocks(w, model.encoder_names), model.blocks(w, model.decoder_names)
    memory, enc_tapes = _encoder_stack_forward(x, enc_ws, enc_cfg)  # (B, S, D)
    y = w["target_embedding"][decoder_input] + model.pe[:T]  # (B, T, D) = E_tgt + PE
    out, dec_tapes = _decoder_stack_forward(y, memory, dec_ws, dec_cfg)  # (B, T, D)
    logits = _readout_forward(out, w["w_r"], w["b_r"])  # (1, B, T, V)
    tape = {"enc": (enc_ws, enc_tapes, enc_cfg), "dec": (dec_ws, dec_tapes, dec_cfg), "out": out}
    return logits, tape


def _embedding_backward(ids: np.ndarray, d_x: np.ndarray, n_words: int) -> np.ndarray:
    """ids (B, L), d_x (B, L, D) -> d E (n_words, D): each row the sum of the gradients of its word's positions."""
    one_hot = (ids.reshape(-1, 1) == np.arange(n_words)).astype(np.float64)  # (B·L, V)
    return one_hot.T @ d_x.reshape(-1, d_x.shape[-1])  # (V, B·L) @ (B·L, D) -> (V, D)


def _backward(d_logits, tape, w, model: _Model, source, decoder_input) -> dict[str, np.ndarray]:
    """d_logits (1, B, T, V) -> the gradient of every array, by name; _forward undone in reverse."""
    g = {}
    d_out, g["w_r"], g["b_r"] = _readout_backward(d_logits, tape["out"], w["w_r"])  # (B, T, D), (1, D, V), (1, V)
    dec_ws, dec_tapes, dec_cfg = tape["dec"]
    d_y, d_memory, dec_grads = _decoder_stack_backward(d_out, dec_tapes, dec_ws, dec_cfg)  # (B, T, D), (B, S, D)
    g["target_embedding"] = _embedding_backward(decoder_input, d_y, w["target_embedding"].shape[0])  # (V_t, D)
    enc_ws, enc_tapes, enc_cfg = tape["enc"]
    d_x, enc_grads = _encoder_stack_backward(d_memory, enc_tapes, enc_ws, enc_cfg)  # (B, S, D)
    g["source_embedding"] = _embedding_backward(source, d_x, w["source_embedding"].shape[0])  # (V_s, D)
    for names, grads in ((model.encoder_names, enc_grads), (model.decoder_names, dec_grads)):
        for block, block_grads in zip(names, grads, strict=True):
            g.update({full: block_grads[short] for short, full in block})
    return g


def _exact(predicted: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """predicted (B, T) ids, targets (B, T) with -1 after "</s>" -> (B,) bool: every target position right."""
    return np.all((predicted == targets) | (targets < 0), axis=1)


def _step(theta, model: _Model, batch, state, lr):
    """One training step: loss, the batch's teacher-forced exact match, theta and Adam's state after the update."""
    source, decoder_input, targets = batch
    w = model.views(theta)
    logits, tape = _forward(w, model, source, decoder_input)  # (1, B, T, V)
    loss, ce = _cross_entropy_forward(logits, targets[None])
    if not math.isfinite(loss):
        return loss, 0.0, theta, state
    accuracy = float(np.mean(_exact(logits[0].argmax(axis=-1), targets)))
    g = _backward(_cross_entropy_backward(ce), tape, w, model, source, decoder_input)
    new, state = _adam({"theta": theta}, {"theta": model.flatten(g)}, state, lr, 0.9, 0.999, 1e-8)
    return loss, accuracy, new["theta"], state


def _greedy(w, model: _Model, source: np.ndarray):
    """source (B, S) -> written (B, n) ids (the words, "</s>", then "<pad>"), n <= MAX_TARGET + 1 steps."""
    B = source.shape[0]
    written = np.empty((B, 0), dtype=np.intp)
    done = np.zeros(B, dtype=bool)
    for _ in range(MAX_TARGET + 1):
        decoder_input = np.concatenate([np.full((B, 1), START), written], axis=1)  # (B, t + 1)
        logits, _ = _forward(w, model, source, decoder_input)  # (1, B, t + 1, V); the encoder reruns: it is cheap
        last = logits[0, :, -1]  # (B, V), the step writing the next word
        last[:, [PAD, START]] = -np.inf  # never written
        word = np.where(done, PAD, last.argmax(axis=-1))  # (B,)
        written = np.concatenate([written, word[:, None]], axis=1)
        done |= word == END
        if done.all():
            break
    return written


def _held_out_accuracy(w, model: _Model, source, targets) -> float:
    """Exact match of greedy decoding: every word and "</s>" where the reference has them."""
    written = _greedy(w, model, source)  # (B, n)
    B, T = targets.shape
    padded = np.full((B, max(T, written.shape[1])), PAD, dtype=np.intp)
    padded[:, : written.shape[1]] = written
    return float(np.mean(_exact(padded[:, :T], targets)))


# ---------------------------------------------------------------- training


@dataclass(frozen=True, eq=False)
class TranslatorResult:
    """A trained translator, and how its training went.

    source_words (V_s,), target_words (V_t,): the vocabularies (specials first); source_embedding
    (V_s, D), target_embedding (V_t, D): the learned embeddings (the positional encoding is
    sinusoidal, added to them); encoder, decoder: one block's parameters per layer; readout:
    w_r (1, D, V_t), b_r (1, V_t). losses, accuracies: one per step, accuracies[i] the share of
    step i + 1's batch whose every word and "</s>" the teacher-forced argmax gets right (before
    that step's update; sentences not trained on yet). accuracy: held-out exact match of greedy
    translations (0-1), after the last step; held_out: those English sentences.
    """

    lexicon: Lexicon
    source_words: tuple[str, ...]
    target_words: tuple[str, ...]
    source_embedding: np.ndarray
    target_embedding: np.ndarray
    encoder: tuple[EncoderBlockParams, ...]
    decoder: tuple[DecoderBlockParams, ...]
    readout: ReadoutParams
    losses: tuple[float, ...]
    accuracies: tuple[float, ...]
    accuracy: float
    held_out: tuple[tuple[str, ...], ...]

    @property
    def n_layers(self) -> int:
        return len(self.encoder)

    @property
    def n_heads(self) -> int:
        return self.encoder[0].n_heads

    @property
    def d_model(self) -> int:
        return self.encoder[0].d_model


def _check_sizes(n_heads, d_model, d_ff, n_layers, steps):
    H = positive_int(n_heads, "n_heads")
    D = positive_int(d_model, "d_model")
    if D < 2:
        raise AttentionInputError(f"d_model must be >= 2 (layer norm maps width 1 to 0), but is {D}")
    F = positive_int(d_ff, "d_ff")
    L = positive_int(n_layers, "n_layers")
    steps = DEFAULT_TRANSLATOR_STEPS if steps is None else positive_int(steps, "steps")
    return H, D, F, L, steps


def _held_out_count(lexicon: Lexicon) -> int:
    n = min(HELD_OUT, lexicon.n_sentences // 10)
    if n < 1:
        raise AttentionInputError(
            f"the lexicon allows only {lexicon.n_sentences} sentences; training needs at least 10 "
            "(a tenth of them is held out): add nouns, adjectives or verbs"
        )
    return n


def _draw_batch(rng, total: int, held: np.ndarray, size: int) -> np.ndarray:
    """``size`` sentence indices drawn uniformly from ``rng`` among those not in ``held`` (sorted)."""
    out = rng.integers(0, total, size=size)
    while True:
        at = np.searchsorted(held, out).clip(max=held.size - 1)
        bad = held[at] == out  # (size,) a held-out sentence: draw again
        if not bad.any():
            return out
        out[bad] = rng.integers(0, total, size=int(bad.sum()))


def translator_cost(
    *,
    n_heads: int = 4,
    d_model: int = 32,
    d_ff: int = 64,
    n_layers: int = 1,
    steps: int | None = None,
    lexicon: Lexicon | None = None,
) -> int:
    """The multiply-adds of the matrix products of ``train_translator`` with these sizes (an upper
    bound: every sentence at its longest, S = MAX_SOURCE, T = MAX_TARGET + 1): known before it starts.

    Per sentence, an encoder block multiplies x (S, D) by W_Q|W_K|W_V and W_O, forms the scores
    and the weighted values (S·S·D each) and runs the feed-forward layer (2·S·D·d_ff); a decoder
    block does the same on T positions (causal: T·T·D each), plus cross-attention (T·D·D for Q
    and W_O, S·D·2D for K and V, 2·T·S·D for the scores and values), then the readout (T·D·V).
    A training step costs about three forward passes of TRANSLATOR_BATCH sentences; greedy
    decoding of the held-out sentences reruns the model on 1, 2, .. T positions. The head count
    does not change the total. Elementwise work (softmax, norms, Adam) is left out.
    """
    _, D, F, L, steps = _check_sizes(n_heads, d_model, d_ff, n_layers, steps)
    lexicon = check_lexicon(lexicon)
    V = len(vocabularies(lexicon)[1])
    S = MAX_SOURCE

    def encoder(s):
        return L * (4 * s * D * D + 2 * s * s * D + 2 * s * D * F)

    def decoder(t):
        self_attention = 4 * t * D * D + 2 * t * t * D
        cross = 2 * t * D * D + 2 * S * D * D + 2 * t * S * D
        return L * (self_attention + cross + 2 * t * D * F) + t * D * V

    T = MAX_TARGET + 1
    train = 3 * TRANSLATOR_BATCH * steps * (encoder(S) + decoder(T))
    held_out = min(HELD_OUT, lexicon.n_sentences // 10)
    evaluation = held_out * sum(encoder(S) + decoder(t) for t in range(1, T + 1))
    return train + evaluation


def _descend(theta: np.ndarray, model: _Model, batch: Callable[[], tuple], steps: int, callback):
    """``steps`` Adam updates of ``theta``, each on a fresh ``batch()`` -> (theta, losses, accuracies).

    ``callback`` sees each step (with the batch's exact match if it takes it); a loss that is not
    finite stops the descent with AttentionInputError.
    """
    state = None
    losses, accuracies = [], []
    with_accuracy = callback is not None and _takes_accuracy(callback)
    for step in range(1, steps + 1):
        with np.errstate(all="ignore"):  # a non-finite loss is reported just below
            loss, accuracy, theta, state = _step(theta, model, batch(), state, TRANSLATOR_LR)
        if not math.isfinite(loss):
            raise AttentionInputError(f"training produced a non-finite loss ({loss}) at step {step} of {steps}")
        losses.append(loss)
        accuracies.append(accuracy)
        if with_accuracy:
            callback(step, loss, accuracy=accuracy)
        elif callback is not None:
            callback(step, loss)
    return theta, losses, accuracies


def train_translator(
    *,
    rng: np.random.Generator,
    n_heads: int = 4,
    d_model: int = 32,
    d_ff: int = 64,
    n_layers: int = 1,
    steps: int | None = None,
    lexicon: Lexicon | None = None,
    callback: Callable[..., object] | None = None,
) -> TranslatorResult:
    """Train the translator on the lexicon's sentence pairs -> TranslatorResult.

    From ``rng``, in this order: the source and target embeddings (normal, std 1, as
    torch.nn.Embedding), the encoder blocks, the decoder blocks (init_encoder_block,
    init_decoder_block; d_k = d_model // n_heads), the readout (init_readout), the held-out
    sentences (HELD_OUT, at most a tenth of the lexicon's), then one batch of TRANSLATOR_BATCH
    other sentences per step (``steps``, DEFAULT_TRANSLATOR_STEPS unless given), each step one
    Adam update (lr TRANSLATOR_LR, betas 0.9 and 0.999) of softmax cross-entropy with teacher
    forcing, post-norm. ``lexicon`` None = TOY_LEXICON. ``callback(step, loss)`` runs after each
    step; one that takes a keyword ``accuracy`` (or **kwargs) gets the step's batch exact match
    too. A callback may stop the training by raising. A step whose loss is not finite stops it
    with AttentionInputError. Long because it checks every argument before its first draw from
    ``rng``, and builds every part of the result.
    """
    rng = check_rng(rng)
    H, D, F, L, steps = _check_sizes(n_heads, d_model, d_ff, n_layers, steps)
    lexicon = check_lexicon(lexicon)
    if callback is not None and not callable(callback):
        raise AttentionInputError(f"callback must be a function (step, loss) or None, but is {callback!r}")
    source_words, target_words = vocabularies(lexicon)
    total = lexicon.n_sentences
    n_held = _held_out_count(lexicon)
    if default_head_width(D, H) * H != D:
        raise AttentionInputError(f"d_model ({D}) must be a multiple of n_heads ({H}): the heads split it")

    source_embedding = rng.standard_normal((len(source_words), D))
    target_embedding = rng.standard_normal((len(target_words), D))
    encoder = [init_encoder_block(D, H, F, rng) for _ in range(L)]
    decoder = [init_decoder_block(D, H, F, rng) for _ in range(L)]
    readout = init_readout(D, len(target_words), rng)
    held = np.sort(rng.choice(total, size=n_held, replace=False))  # (n_held,) sentence indices

    arrays = _arrays(source_embedding, target_embedding, encoder, decoder, readout)
    a = encoder[0].attention
    model = _model(arrays, D, (H, a.d_k, a.d_v), L)
    theta = model.flatten(arrays)
    tables = _tables(lexicon, source_words, target_words)

    def batch():
        return _encode(choices_of(_draw_batch(rng, total, held, TRANSLATOR_BATCH), lexicon), tables)

    theta, losses, accuracies = _descend(theta, model, batch, steps, callback)
    w = model.views(theta)
    held_choices = choices_of(held, lexicon)
    source, _, targets = _encode(held_choices, tables)
    accuracy = _held_out_accuracy(w, model, source, targets)
    return TranslatorResult(
        lexicon=lexicon,
        source_words=source_words,
        target_words=target_words,
        source_embedding=frozen_array(w["source_embedding"]),
        target_embedding=frozen_array(w["target_embedding"]),
        encoder=tuple(
            encoder_from_arrays({s: w[f] for s, f in names}, like)
            for names, like in zip(model.encoder_names, encoder, strict=True)
        ),
        decoder=tuple(
            decoder_from_arrays({s: w[f] for s, f in names}, like)
            for names, like in zip(model.decoder_names, decoder, strict=True)
        ),
        readout=ReadoutParams(w_r=w["w_r"], b_r=w["b_r"]),
        losses=tuple(losses),
        accuracies=tuple(accuracies),
        accuracy=accuracy,
        held_out=tuple(english_of(c, lexicon) for c in held_choices),
    )


# ---------------------------------------------------------------- translating


@dataclass(frozen=True)
class Translation:
    """A greedy translation and the attention of every step.

    source (S,) the English words; words (n,) the Portuguese written, "</s>" excluded; ended:
    whether decoding stopped at "</s>" (else at MAX_TARGET words). Step t writes words[t]; its
    decoder input is inputs[t] ("<s>", then the words written before), and it sees inputs[:t + 1].
    cross_weights (n_layers, H, n, S): the weight step t puts on source word s in each layer's
    cross-attention; self_weights (n_layers, H, n, n): its masked self-attention over the inputs
    (zero above the diagonal); encoder_weights (n_layers, H, S, S); probabilities (n, V_t): the
    softmax of each step's logits (target_words' order). reference: toy_translation's answer;
    correct: words == reference.
    """

    source: tuple[str, ...]
    words: tuple[str, ...]
    inputs: tuple[str, ...]
    ended: bool
    cross_weights: np.ndarray
    self_weights: np.ndarray
    encoder_weights: np.ndarray
    probabilities: np.ndarray
    reference: tuple[str, ...]
    correct: bool

    @property
    def alignment(self) -> np.ndarray:
        """(n_layers, n, S): each layer's cross-attention averaged over its heads, the alignment of the
        words written (rows) with the English words (columns)."""
        return self.cross_weights.mean(axis=1)

    def top(self, t: int, k: int = 3) -> tuple[tuple[int, float], ...]:
        """Step t's k likeliest words, likeliest first: (index into target_words, probability)."""
        order = np.argsort(self.probabilities[t])[::-1][:k]  # (k,)
        return tuple((int(j), float(self.probabilities[t, j])) for j in order)


def _result_model(result: TranslatorResult) -> tuple[_Model, dict[str, np.ndarray]]:
    arrays = _arrays(result.source_embedding, result.target_embedding, result.encoder, result.decoder, result.readout)
    a = result.encoder[0].attention
    model = _model(arrays, result.d_model, (a.n_heads, a.d_k, a.d_v), result.n_layers)
    return model, arrays


def translate(result: TranslatorResult, english_words) -> Translation:
    """Greedy translation of an English sentence of the lexicon (words, or a string of them) -> Translation.

    A word outside the lexicon, or a sentence outside the grammar, raises AttentionInputError naming it.
    """
    if not isinstance(result, TranslatorResult):
        raise AttentionInputError(
            f"result must be a TranslatorResult (see train_translator), but is {type(result).__name__}"
        )
    lexicon = result.lexicon
    choices = parse(english_words, lexicon)
    source_sentence = english_of(choices, lexicon)
    model, w = _result_model(result)
    s_index = {word: i for i, word in enumerate(result.source_words)}
    source = np.array([[s_index[word] for word in source_sentence]])  # (1, S)
    written = _greedy(w, model, source)[0]  # (n,)
    ended = bool((written == END).any())
    n = int(np.argmax(written == END)) if ended else written.size
    words = tuple(result.target_words[i] for i in written[:n])
    # One pass over "<s>" + words[:-1] gives every step's attention at once: with the causal mask,
    # row t is what step t computed while decoding. (No word written: the pass of the first step.)
    decoder_input = np.concatenate([[START], written[: max(n - 1, 0)]])[None]  # (1, max(n, 1))
    logits, tape = _forward(w, model, source, decoder_input)  # (1, 1, max(n, 1), V)
    enc = np.stack([t["attention"][4][0] for t in tape["enc"][1]])  # (L, H, S, S)
    self_ = np.stack([t["self_attention"][4][0, :, :n, :n] for t in tape["dec"][1]])  # (L, H, n, n)
    cross = np.stack([t["cross_attention"][5][0, :, :n] for t in tape["dec"][1]])  # (L, H, n, S)
    z = logits[0, 0, :n]  # (n, V)
    probabilities = np.exp(z - z.max(axis=-1, keepdims=True))
    probabilities /= probabilities.sum(axis=-1, keepdims=True)  # (n, V)
    reference = portuguese_of(choices, lexicon)
    return Translation(
        source=source_sentence,
        words=words,
        inputs=(TARGET_SPECIALS[START], *words[:-1]) if n else (),
        ended=ended,
        cross_weights=frozen_array(cross),
        self_weights=frozen_array(self_),
        encoder_weights=frozen_array(enc),
        probabilities=frozen_array(probabilities),
        reference=reference,
        correct=words == reference,
    )
