"""Bad input: every check raises AttentionInputError (a ValueError) with a message, before any arithmetic."""

import re
import warnings

import numpy as np
import pytest

import core

NAN, INF = float("nan"), float("inf")
T, D, H, F = 3, 4, 2, 8


def rng():
    return np.random.default_rng(0)


P = core.init_multi_head(D, H, rng())
FF = core.init_feed_forward(D, F, rng())
X = np.random.default_rng(1).standard_normal((T, D))
Q = np.random.default_rng(2).standard_normal((T, 2))
V = np.random.default_rng(3).standard_normal((T, 5))
VOCAB = core.seed_vocabulary()


def with_value(arr, index, value):
    out = np.array(arr, dtype=np.float64, copy=True)
    out[index] = value
    return out


def mha_weights(**changes):
    w = {"w_q": P.w_q, "w_k": P.w_k, "w_v": P.w_v, "w_o": P.w_o}
    w.update(changes)
    return w


def ffn_weights(**changes):
    w = {"w1": FF.w1, "b1": FF.b1, "w2": FF.w2, "b2": FF.b2}
    w.update(changes)
    return w


def test_attention_input_error_is_a_value_error():
    assert issubclass(core.AttentionInputError, ValueError)
    with pytest.raises(ValueError):
        core.multi_head_attention(np.zeros((T, D + 1)), P)


def case(fn, match, id):
    return pytest.param(fn, match, id=id)


NON_FINITE = [
    # x, q, k, v
    *[
        case(
            lambda bad=bad: core.multi_head_attention(with_value(X, (1, 2), bad), P),
            r"x must hold finite",
            f"mha-x-{bad}",
        )
        for bad in (NAN, INF, -INF)
    ],
    *[
        case(lambda bad=bad: core.feed_forward(with_value(X, (0, 0), bad), FF), r"x must hold finite", f"ffn-x-{bad}")
        for bad in (NAN, INF, -INF)
    ],
    *[
        case(
            lambda name=name, bad=bad: core.scaled_dot_product_attention(
                **{"q": Q, "k": Q, "v": V, name: with_value({"q": Q, "k": Q, "v": V}[name], (2, 1), bad)}
            ),
            rf"^{name} must hold finite numbers only, but has {bad} at index \(2, 1\)$",
            f"sdpa-{name}-{bad}",
        )
        for name in ("q", "k", "v")
        for bad in (NAN, INF, -INF)
    ],
    case(lambda: core.layer_norm(with_value(X, (2, 3), NAN)), r"x must hold finite", "layer_norm-x-nan"),
    case(lambda: core.layer_norm(X, gamma=with_value(np.ones(D), 1, INF)), r"gamma must hold finite", "gamma-inf"),
    case(lambda: core.layer_norm(X, beta=with_value(np.ones(D), 0, NAN)), r"beta must hold finite", "beta-nan"),
    case(
        lambda: core.tutorial_self_attention(with_value(np.eye(3), (0, 0), NAN)),
        r"embeddings must hold finite",
        "tutorial-nan",
    ),
    case(
        lambda: core.tutorial_multi_head_attention(with_value(np.eye(3), (1, 1), INF)),
        r"embeddings must hold finite",
        "tutorial-mha-inf",
    ),
    # parameters
    *[
        case(
            lambda name=name, bad=bad: core.MultiHeadParams(
                **mha_weights(**{name: with_value(getattr(P, name), (0,) * getattr(P, name).ndim, bad)})
            ),
            rf"{name} must hold finite",
            f"mha-params-{name}-{bad}",
        )
        for name in ("w_q", "w_k", "w_v", "w_o")
        for bad in (NAN, INF)
    ],
    *[
        case(
            lambda name=name, bad=bad: core.FeedForwardParams(
                **ffn_weights(**{name: with_value(getattr(FF, name), (0,) * getattr(FF, name).ndim, bad)})
            ),
            rf"{name} must hold finite",
            f"ffn-params-{name}-{bad}",
        )
        for name in ("w1", "b1", "w2", "b2")
        for bad in (NAN, -INF)
    ],
    *[
        case(
            lambda bad=bad: core.Vocabulary(words=["a", "b"], vectors=[[1.0, bad], [0.0, 1.0]]),
            r"vectors must hold finite",
            f"vocab-vectors-{bad}",
        )
        for bad in (NAN, INF)
    ],
    # softmax allows -inf but not NaN or +inf
    case(lambda: core.softmax([0.0, NAN]), r"NaN or \+inf", "softmax-nan"),
    case(lambda: core.softmax([[0.0, INF]]), r"NaN or \+inf", "softmax-inf"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, scale=NAN), r"scale must be finite", "scale-nan"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, scale=INF), r"scale must be finite", "scale-inf"),
    case(lambda: core.multi_head_attention(X, P, scale=-INF), r"scale must be finite", "mha-scale-inf"),
]


WRONG_AXES = [
    case(lambda: core.multi_head_attention(X[0], P), r"x must have 2 axes, but has 1", "mha-x-1d"),
    case(lambda: core.multi_head_attention(X[None], P), r"x must have 2 axes, but has 3", "mha-x-3d"),
    case(lambda: core.multi_head_attention(1.0, P), r"x must have 2 axes, but has 0", "mha-x-scalar"),
    case(lambda: core.feed_forward(X[0], FF), r"x must have 2 axes, but has 1", "ffn-x-1d"),
    case(lambda: core.feed_forward(X[None], FF), r"x must have 2 axes, but has 3", "ffn-x-3d"),
    case(lambda: core.scaled_dot_product_attention(Q[0], Q, V), r"q must have at least 2 axes", "sdpa-q-1d"),
    case(lambda: core.scaled_dot_product_attention(Q, Q[0], V), r"k must have at least 2 axes", "sdpa-k-1d"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V[0]), r"v must have at least 2 axes", "sdpa-v-1d"),
    case(lambda: core.layer_norm(3.0), r"x must have at least 1 axes", "layer_norm-scalar"),
    case(lambda: core.layer_norm(X, gamma=np.ones((1, D))), r"gamma must have 1 axes", "gamma-2d"),
    case(lambda: core.layer_norm(X, beta=np.ones((1, D))), r"beta must have 1 axes", "beta-2d"),
    case(lambda: core.softmax(2.0), r"x must have at least 1 axis, but is a scalar", "softmax-scalar"),
    case(lambda: core.tutorial_self_attention(np.ones(3)), r"embeddings must have 2 axes", "tutorial-1d"),
    case(lambda: core.tutorial_multi_head_attention(np.ones((1, 2, 3))), r"embeddings must have 2 axes", "tut-mha-3d"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_q=P.w_q[0])), r"w_q must have 3 axes", "params-w_q-2d"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_o=P.w_o[None])), r"w_o must have 2 axes", "params-w_o-3d"),
    case(lambda: core.FeedForwardParams(**ffn_weights(w1=FF.w1[0])), r"w1 must have 2 axes", "ffn-w1-1d"),
    case(lambda: core.FeedForwardParams(**ffn_weights(b1=FF.b1[None])), r"b1 must have 1 axes", "ffn-b1-2d"),
    case(lambda: core.Vocabulary(words=["a"], vectors=[1.0, 2.0]), r"vectors must have 2 axes", "vocab-vectors-1d"),
    case(lambda: core.softmax([[1.0, 2.0]], axis=2), r"axis must be in \[-2, 1\]", "softmax-axis-2"),
    case(lambda: core.softmax([[1.0, 2.0]], axis=-3), r"axis must be in \[-2, 1\]", "softmax-axis--3"),
    case(lambda: core.softmax([1.0, 2.0], axis=0.5), r"axis must be a whole number", "softmax-axis-float"),
    case(lambda: core.softmax([1.0, 2.0], axis=None), r"axis must be a whole number", "softmax-axis-none"),
    case(lambda: core.softmax([1.0, 2.0], axis=True), r"axis must be a whole number", "softmax-axis-bool"),
]


WIDTH_AND_SHAPE = [
    case(lambda: core.multi_head_attention(np.ones((T, D + 1)), P), rf"width {D + 1}.*d_model={D}", "mha-width+1"),
    case(lambda: core.multi_head_attention(np.ones((T, D - 1)), P), rf"width {D - 1}.*d_model={D}", "mha-width-1"),
    case(lambda: core.multi_head_attention(np.ones((T, 1)), P), rf"width 1.*d_model={D}", "mha-width-1-broadcastable"),
    case(lambda: core.feed_forward(np.ones((T, D + 1)), FF), rf"width {D + 1}.*d_model={D}", "ffn-width+1"),
    case(lambda: core.feed_forward(np.ones((T, 1)), FF), rf"width 1.*d_model={D}", "ffn-width-1-broadcastable"),
    case(lambda: core.scaled_dot_product_attention(Q, np.ones((T, 3)), V), r"k has width 3.*d_k=2", "sdpa-k-width"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, np.ones((T + 1, 5))), r"v has 4 rows.*S=3", "sdpa-v-rows"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, np.ones((1, 5))), r"v has 1 rows.*S=3", "sdpa-v-rows-1"),
    case(
        lambda: core.scaled_dot_product_attention(np.ones((2, T, 2)), np.ones((3, T, 2)), np.ones((T, 5))),
        r"leading axes .* do not broadcast",
        "sdpa-leading",
    ),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, scale="big"), r"scale must be a number", "scale-str"),
    case(lambda: core.layer_norm(X, gamma=np.ones(D + 1)), rf"gamma must have shape \({D},\)", "gamma-shape"),
    case(lambda: core.layer_norm(X, gamma=np.ones(1)), rf"gamma must have shape \({D},\)", "gamma-shape-1"),
    case(lambda: core.layer_norm(X, beta=np.ones(D - 1)), rf"beta must have shape \({D},\)", "beta-shape"),
    case(lambda: core.layer_norm(np.ones((2, 0))), r"last axis of width >= 1", "layer_norm-width-0"),
    # parameter shapes
    case(lambda: core.MultiHeadParams(**mha_weights(w_k=P.w_k[:, :, :1])), r"w_k must have the shape of w_q", "w_k"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_v=P.w_v[:1])), r"w_v must have shape \(2, 4, d_v\)", "w_v-H"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_v=P.w_v[:, :, :0])), r"d_v >= 1", "w_v-dv-0"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_o=P.w_o[:-1])), r"w_o must have shape", "w_o-rows"),
    case(lambda: core.MultiHeadParams(**mha_weights(w_o=P.w_o[:, :-1])), r"w_o must have shape", "w_o-cols"),
    case(
        lambda: core.MultiHeadParams(w_q=np.ones((0, 4, 2)), w_k=np.ones((0, 4, 2)), w_v=np.ones((0, 4, 2)), w_o=[[]]),
        r"every size >= 1",
        "params-no-heads",
    ),
    case(
        lambda: core.MultiHeadParams(**mha_weights(w_q=P.w_q[:, :, :0], w_k=P.w_k[:, :, :0])),
        r"every size >= 1",
        "params-d_k-0",
    ),
    case(lambda: core.FeedForwardParams(**ffn_weights(b1=FF.b1[:-1])), r"b1 must have shape \(8,\)", "ffn-b1"),
    case(lambda: core.FeedForwardParams(**ffn_weights(w2=FF.w2.T)), r"w2 must have shape \(8, 4\)", "ffn-w2"),
    case(lambda: core.FeedForwardParams(**ffn_weights(b2=FF.b2[:1])), r"b2 must have shape \(4,\)", "ffn-b2"),
    case(
        lambda: core.FeedForwardParams(w1=np.ones((4, 0)), b1=[], w2=np.ones((0, 4)), b2=np.ones(4)),
        r"both >= 1",
        "ffn-d_ff-0",
    ),
    # wrong parameter objects
    case(lambda: core.multi_head_attention(X, FF), r"params must be MultiHeadParams.*FeedForwardParams", "mha-params"),
    case(lambda: core.multi_head_attention(X, None), r"params must be MultiHeadParams", "mha-params-none"),
    case(lambda: core.feed_forward(X, P), r"params must be FeedForwardParams.*MultiHeadParams", "ffn-params"),
    case(lambda: core.feed_forward(X, {"w1": FF.w1}), r"params must be FeedForwardParams", "ffn-params-dict"),
    # not numbers
    case(lambda: core.multi_head_attention([["a", "b", "c", "d"]], P), r"x must be an array of numbers", "mha-x-str"),
    case(lambda: core.scaled_dot_product_attention([[1, 2], [3]], Q, V), r"q must be an array of numbers", "ragged"),
    case(lambda: core.softmax(["x"]), r"x must be an array of numbers", "softmax-str"),
    case(lambda: core.layer_norm(X, eps="small"), r"eps must be a positive number", "eps-str"),
]


MASKS = [
    case(lambda: core.multi_head_attention(X, P, mask=np.ones((T, T))), r"mask must be a bool array.*float64", "f64"),
    case(lambda: core.multi_head_attention(X, P, mask=np.tri(T, dtype=int)), r"mask must be a bool array", "mha-int"),
    case(lambda: core.multi_head_attention(X, P, mask=np.ones((T, T + 1), bool)), r"mask must have shape", "mha-cols"),
    case(
        lambda: core.multi_head_attention(X, P, mask=np.ones((1, T), bool)), r"mask must have shape", "mha-bcast-rows"
    ),
    case(
        lambda: core.multi_head_attention(X, P, mask=np.ones((T, 1), bool)), r"mask must have shape", "mha-bcast-cols"
    ),
    case(lambda: core.multi_head_attention(X, P, mask=np.ones(T, bool)), r"mask must have shape", "mha-1d"),
    case(
        lambda: core.multi_head_attention(X, P, mask=np.ones((H + 1, T, T), bool)), r"mask must have shape", "mha-H+1"
    ),
    case(lambda: core.multi_head_attention(X, P, mask=np.ones((1, H, T, T), bool)), r"mask must have shape", "mha-4d"),
    case(lambda: core.multi_head_attention(X, P, mask=core.causal_mask(T + 1)), r"mask must have shape", "mha-T+1"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, mask=np.ones((T, T))), r"mask must be a bool", "sdpa-f64"),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, mask=[[1, 0, 0]] * T), r"mask must be a bool", "list-int"),
    case(
        lambda: core.scaled_dot_product_attention(Q, Q, V, mask=np.ones((1, T), bool)),
        r"mask must have shape \(\.\.\., 3, 3\)",
        "sdpa-bcast-rows",
    ),
    case(lambda: core.scaled_dot_product_attention(Q, Q, V, mask=np.ones(T, bool)), r"mask must have shape", "sdpa-1d"),
    case(
        lambda: core.scaled_dot_product_attention(Q, Q[:2], V[:2], mask=core.causal_mask(T)),
        r"mask must have shape \(\.\.\., 3, 2\)",
        "sdpa-cross-shape",
    ),
    case(
        lambda: core.scaled_dot_product_attention(
            np.ones((2, T, 2)), np.ones((2, T, 2)), np.ones((2, T, 5)), mask=np.ones((3, T, T), bool)
        ),
        r"mask has leading axes \(3,\), which do not broadcast",
        "sdpa-mask-leading",
    ),
]


SIZES = [
    *[
        case(lambda v=v: core.init_multi_head(v, H, rng()), r"d_model must be", f"init_mha-d_model-{v!r}")
        for v in (0, -1, 2.5, True, "4", None)
    ],
    *[
        case(lambda v=v: core.init_multi_head(D, v, rng()), r"n_heads must be", f"init_mha-n_heads-{v!r}")
        for v in (0, -2, 2.5, True, False)
    ],
    *[
        case(lambda v=v: core.init_multi_head(D, H, rng(), d_k=v), r"d_k must be", f"init_mha-d_k-{v!r}")
        for v in (0, -1, 1.5, True)
    ],
    *[
        case(lambda v=v: core.init_multi_head(D, H, rng(), d_v=v), r"d_v must be", f"init_mha-d_v-{v!r}")
        for v in (0, 2.0, True)
    ],
    *[
        case(lambda v=v: core.init_feed_forward(v, F, rng()), r"d_model must be", f"init_ffn-d_model-{v!r}")
        for v in (0, 2.5, True)
    ],
    *[
        case(lambda v=v: core.init_feed_forward(D, v, rng()), r"d_ff must be", f"init_ffn-d_ff-{v!r}")
        for v in (0, -3, 2.5, True)
    ],
    *[
        case(lambda v=v: core.init_tutorial_feed_forward(v, 6, rng()), r"d_model must be", f"tut_ffn-d_model-{v!r}")
        for v in (0, 2.5, True)
    ],
    *[
        case(lambda v=v: core.init_tutorial_feed_forward(3, v, rng()), r"d_ff must be", f"tut_ffn-d_ff-{v!r}")
        for v in (0, 6.0, True)
    ],
    *[
        case(lambda v=v: core.tutorial_multi_head_attention(np.eye(3), n_heads=v), r"n_heads must be", f"tut-H-{v!r}")
        for v in (0, -1, 2.5, True)
    ],
    *[case(lambda v=v: core.causal_mask(v), r"n must be", f"causal_mask-{v!r}") for v in (0, -1, 2.5, True)],
    *[
        case(lambda v=v: core.sinusoidal_positional_encoding(v, 4), r"n_positions must be", f"pe-n-{v!r}")
        for v in (0, 2.5, True)
    ],
    *[
        case(lambda v=v: core.sinusoidal_positional_encoding(4, v), r"d_model must be", f"pe-d_model-{v!r}")
        for v in (0, -4, 4.0, True)
    ],
    *[
        case(lambda v=v: core.word_vector("cat", v, 0), r"dim must be", f"word_vector-dim-{v!r}")
        for v in (0, 2.5, True)
    ],
    *[
        case(lambda v=v: core.word_vector("cat", 3, v), r"seed must be", f"word_vector-seed-{v!r}")
        for v in (-1, 0.5, True)
    ],
    *[
        case(lambda v=v: core.random_vocabulary(["a"], v, 0), r"dim must be", f"random_vocab-dim-{v!r}")
        for v in (0, 1.5)
    ],
    *[
        case(lambda eps=eps: core.layer_norm(X, eps=eps), r"eps must be", f"eps-{eps!r}")
        for eps in (0, 0.0, -1e-5, NAN, INF)
    ],
]


class NotAGenerator:
    pass


RNGS = [np.random.RandomState(0), None, 0, np.random, NotAGenerator()]


EMPTY = [
    case(lambda: core.multi_head_attention(np.zeros((0, D)), P), r"x must hold at least one token", "mha"),
    case(lambda: core.feed_forward(np.zeros((0, D)), FF), r"x must hold at least one token", "ffn"),
    case(lambda: core.scaled_dot_product_attention(Q[:0], Q, V), r"q must hold at least one token", "sdpa-q"),
    case(lambda: core.scaled_dot_product_attention(Q, Q[:0], V[:0]), r"k must hold at least one token", "sdpa-k"),
    case(lambda: core.tutorial_self_attention(np.zeros((0, 3))), r"embeddings must hold at least one", "tutorial"),
    case(lambda: core.tutorial_multi_head_attention(np.zeros((0, 3))), r"embeddings must hold at least one", "tut-mha"),
    case(lambda: core.layer_norm(np.zeros((0, D))), r"x must hold at least one vector", "layer_norm"),
    case(lambda: core.softmax([]), r"x must not be empty along axis", "softmax"),
    case(lambda: core.softmax(np.zeros((3, 0))), r"x must not be empty along axis", "softmax-2d"),
    case(lambda: VOCAB.embed([]), r"the sentence is empty", "embed-list"),
    case(lambda: VOCAB.embed(""), r"the sentence is empty", "embed-str"),
    case(lambda: VOCAB.embed(" \t\n "), r"the sentence is empty", "embed-whitespace"),
    case(lambda: core.random_vocabulary([], 3, 0), r"needs at least one word", "random_vocabulary-list"),
    case(lambda: core.random_vocabulary("   ", 3, 0), r"needs at least one word", "random_vocabulary-str"),
    case(lambda: core.Vocabulary(words=[], vectors=np.zeros((0, 3))), r"at least one word", "vocabulary"),
]


VOCABULARY = [
    case(lambda: core.Vocabulary(words="the cat", vectors=np.eye(2)), r"a single string", "words-str"),
    case(lambda: core.Vocabulary(words=["a", "b", "a"], vectors=np.eye(3)), r"must be unique.*: a$", "dupe"),
    case(
        lambda: core.Vocabulary(words=["a", "b", "a", "c", "b", "a"], vectors=np.eye(6)),
        r"must be unique, but these repeat: a, b$",
        "dupes-named-once",
    ),
    case(lambda: core.Vocabulary(words=["a", ""], vectors=np.eye(2)), r"word 2 is empty", "empty-word"),
    case(lambda: core.Vocabulary(words=["a b"], vectors=np.eye(1)), r"word 1 'a b' contains whitespace", "space"),
    case(lambda: core.Vocabulary(words=["a", "b\t"], vectors=np.eye(2)), r"contains whitespace", "tab"),
    case(lambda: core.Vocabulary(words=["a", "\u00a0"], vectors=np.eye(2)), r"contains whitespace", "nbsp"),
    case(lambda: core.Vocabulary(words=["a", 3], vectors=np.eye(2)), r"word 2 must be text", "non-str"),
    case(lambda: core.Vocabulary(words=["a", "b"], vectors=np.eye(3)), r"one row per word \(2\), but have 3", "rows"),
    case(lambda: core.Vocabulary(words=["a"], vectors=np.zeros((1, 0))), r"at least one column", "no-columns"),
    case(lambda: VOCAB.embed(["the", 3]), r"token 2 must be text", "embed-non-str"),
    case(lambda: VOCAB.embed([None]), r"token 1 must be text", "embed-none"),
    case(lambda: core.split_sentence(["the", "cat"]), r"sentence must be text", "split-list"),
    case(lambda: core.word_vector("", 3, 0), r"word is empty", "word_vector-empty"),
    case(lambda: core.word_vector("a b", 3, 0), r"contains whitespace", "word_vector-space"),
    case(lambda: core.word_vector(7, 3, 0), r"word must be text", "word_vector-int"),
    case(lambda: core.random_vocabulary(["ok", ""], 3, 0), r"is empty", "random_vocabulary-empty-word"),
    case(lambda: core.random_vocabulary(["ok", "a b"], 3, 0), r"contains whitespace", "random_vocabulary-space"),
]


OVERFLOW = [
    case(
        lambda: core.scaled_dot_product_attention(np.full((2, 2), 1e200), np.full((2, 2), 1e200), np.ones((2, 2))),
        r"overflowed float64",
        "sdpa-overflow",
    ),
    case(
        lambda: core.scaled_dot_product_attention(np.full((2, 2), 1e200), np.full((2, 2), -1e200), np.ones((2, 2))),
        r"overflowed float64",
        "sdpa-overflow-negative",
    ),
    case(
        lambda: core.scaled_dot_product_attention(
            np.full((2, 2), 1e200), np.full((2, 2), 1e200), np.ones((2, 2)), scale=1e-300
        ),
        r"overflowed float64",
        "sdpa-overflow-times-tiny",
    ),
    case(lambda: core.multi_head_attention(X, P, scale=0), r"scale must be positive", "mha-scale-zero"),
    case(lambda: core.multi_head_attention(X, P, scale=-0.5), r"scale must be positive", "mha-scale-negative"),
    case(lambda: core.tutorial_self_attention(np.full((2, 3), 1e160)), r"overflowed float64", "tutorial-overflow"),
    case(
        lambda: core.scaled_dot_product_attention(np.ones((2, 0)), np.ones((3, 0)), np.ones((3, 2))),
        r"q must have a width d_k >= 1",
        "sdpa-d_k-0",
    ),
]


ALL_CASES = NON_FINITE + WRONG_AXES + WIDTH_AND_SHAPE + MASKS + SIZES + EMPTY + VOCABULARY + OVERFLOW


@pytest.mark.parametrize(("fn", "match"), ALL_CASES)
def test_bad_input_raises_attention_input_error(fn, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # checks run before any arithmetic: no RuntimeWarning on the way
        with pytest.raises(core.AttentionInputError, match=match):
            fn()


@pytest.mark.parametrize("bad_rng", RNGS, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize(
    "init",
    [
        lambda r: core.init_multi_head(D, H, r),
        lambda r: core.init_feed_forward(D, F, r),
        lambda r: core.init_tutorial_feed_forward(3, 6, r),
    ],
    ids=["init_multi_head", "init_feed_forward", "init_tutorial_feed_forward"],
)
def test_non_generator_rng_is_refused(init, bad_rng):
    with pytest.raises(core.AttentionInputError, match=r"rng must be an np\.random\.Generator"):
        init(bad_rng)


def test_unknown_words_are_all_named():
    with pytest.raises(core.AttentionInputError, match=r"unknown words") as info:
        VOCAB.embed("the dog sat on a mat with the dog")
    message = str(info.value)
    assert message.endswith("dog, a, mat, with")
    for word in ("dog", "a", "mat", "with"):
        assert re.search(rf"\b{word}\b", message)
    for known in ("the", "sat", "on"):
        assert not re.search(rf"\b{known}\b", message.split(":", 1)[1])


def test_unknown_word_in_a_list():
    with pytest.raises(core.AttentionInputError, match=r"unknown words \(not in the vocabulary\): Cat$"):
        VOCAB.embed(["the", "Cat"])


def test_non_finite_message_names_the_value_and_index():
    with pytest.raises(
        core.AttentionInputError, match=re.escape("x must hold finite numbers only, but has nan at index (1, 2)")
    ):
        core.multi_head_attention(with_value(X, (1, 2), NAN), P)


def test_wrong_width_is_refused_not_broadcast():
    # an extra column would silently broadcast or be dropped in a less careful implementation
    for width in (1, D - 1, D + 1, 2 * D):
        with pytest.raises(core.AttentionInputError):
            core.multi_head_attention(np.ones((T, width)), P)
        with pytest.raises(core.AttentionInputError):
            core.feed_forward(np.ones((T, width)), FF)


def test_bad_input_never_leaks_other_exceptions():
    calls = [
        lambda: core.multi_head_attention(np.ones((T,)), P),
        lambda: core.multi_head_attention(np.ones((0, D)), P),
        lambda: core.feed_forward(np.ones((T, D, 1)), FF),
        lambda: core.scaled_dot_product_attention(np.ones((T, 2)), np.ones((T, 3)), np.ones((T, 2))),
        lambda: core.softmax([1.0], axis=1.5),
        lambda: VOCAB.embed([1, 2]),
        lambda: core.layer_norm(np.ones((2, 3)), gamma=np.ones(2)),
    ]
    for call in calls:
        with pytest.raises(core.AttentionInputError):
            call()


def test_valid_integer_types_are_accepted():
    params = core.init_multi_head(np.int64(4), np.int32(2), rng(), d_k=np.int16(3))
    assert (params.d_model, params.n_heads, params.d_k, params.d_v) == (4, 2, 3, 2)
    assert core.causal_mask(np.int64(2)).shape == (2, 2)
    assert core.sinusoidal_positional_encoding(np.int8(3), np.uint8(4)).shape == (3, 4)


def test_minus_inf_is_allowed_in_softmax_but_not_in_attention_inputs():
    np.testing.assert_array_equal(core.softmax([0.0, -INF]), [1.0, 0.0])
    with pytest.raises(core.AttentionInputError, match=r"q must hold finite"):
        core.scaled_dot_product_attention(with_value(Q, (0, 0), -INF), Q, V)


@pytest.mark.parametrize("value", [1e200, -1e200, 1e155])
def test_multi_head_attention_refuses_inputs_whose_scores_would_overflow(value):
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    x = np.full((3, 4), value)
    with pytest.raises(core.AttentionInputError, match="overflow"):
        core.multi_head_attention(x, params)


def test_multi_head_attention_accepts_large_but_safe_inputs():
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    result = core.multi_head_attention(np.full((3, 4), 1e6), params)
    assert np.isfinite(result.weights).all() and np.isfinite(result.output).all()
