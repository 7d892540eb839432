"""block_gradients and block_forward: torch autograd (two models), finite differences, the forward pass, bad input."""

import dataclasses
import math
import warnings

import numpy as np
import pytest
from torch_train_reference import core_gradients, torch_functional_gradients, torch_module_gradients

import core

RTOL = 1e-9
ORDERS = pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
VARIANTS = pytest.mark.parametrize("feed_forward", [False, True], ids=["attention-sublayer", "whole-block"])
NAMES = ("w_q", "w_k", "w_v", "w_o", "w1", "b1", "w2", "b2", "gamma1", "beta1", "gamma2", "beta2", "w_r", "b_r")


def make(B, T, D, H, F, V, K, seed=0):
    """x (B, T, D), block parameters with drawn gamma and beta, readouts, targets (K, B, T) with some -1."""
    rng = np.random.default_rng(seed)
    params = core.init_encoder_block(D, H, F, rng)
    norms = [core.LayerNormParams(gamma=rng.uniform(0.5, 2.0, D), beta=rng.normal(0.0, 0.5, D)) for _ in range(2)]
    params = dataclasses.replace(params, norm1=norms[0], norm2=norms[1])
    readout = core.init_readout(D, V, rng, n_targets=K)
    x = rng.standard_normal((B, T, D)) * 1.5
    targets = rng.integers(-1, V, size=(K, B, T))
    targets[:, 0, 0] = 0  # at least one target
    return x, params, readout, targets


def assert_gradients_close(actual: dict, expected: dict, rtol=RTOL):
    """Every parameter's gradient to ``rtol``; entries far below the largest one are compared absolutely."""
    for name in NAMES:
        assert actual[name].shape == expected[name].shape, name
        atol = 1e-13 * max(1.0, float(np.abs(expected[name]).max()))
        np.testing.assert_allclose(actual[name], expected[name], rtol=rtol, atol=atol, err_msg=name)


def mask_for(kind, T, H, seed=1):
    if kind is None:
        return None
    if kind == "causal":
        return core.causal_mask(T)
    mask = np.random.default_rng(seed).random((H, T, T)) < 0.5  # per head
    mask[:, np.arange(T), np.arange(T)] = True  # torch gives NaN for a query without a key
    return mask


# ---------------------------------------------------------------- torch autograd, the block written with torch ops

# (B, T, D, H, F, V, K); H need not divide D here (d_k = max(1, D // H))
SHAPES = [(1, 1, 2, 1, 3, 3, 1), (3, 5, 8, 2, 12, 7, 2), (2, 7, 12, 3, 10, 5, 1), (4, 6, 6, 4, 8, 10, 2)]
SHAPE_IDS = [f"B{B}-T{T}-D{D}-H{H}-F{F}-V{V}-K{K}" for B, T, D, H, F, V, K in SHAPES]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("mask_kind", [None, "causal", "per-head"])
@pytest.mark.parametrize("scale", [None, 0.37, 1.0])
@VARIANTS
@ORDERS
def test_gradients_match_torch_autograd(shape, mask_kind, scale, feed_forward, norm_first):
    x, params, readout, targets = make(*shape, seed=sum(shape))
    mask = mask_for(mask_kind, shape[1], shape[3])
    kw = {"mask": mask, "scale": scale, "norm_first": norm_first, "feed_forward": feed_forward}
    g = core.block_gradients(x, params, readout, targets, **kw)
    loss, expected = torch_functional_gradients(x, params, readout, targets, **kw)
    np.testing.assert_allclose(g.loss, loss, rtol=1e-12)
    assert_gradients_close(core_gradients(g), expected)


@pytest.mark.parametrize("eps", [1e-5, 0.1])
@VARIANTS
@ORDERS
def test_gradients_match_torch_with_heads_switched_off_and_another_eps(eps, feed_forward, norm_first):
    x, params, readout, targets = make(3, 5, 9, 3, 11, 6, 2, seed=4)
    kw = {"norm_first": norm_first, "feed_forward": feed_forward, "eps": eps, "head_mask": [True, False, True]}
    g = core.block_gradients(x, params, readout, targets, **kw)
    loss, expected = torch_functional_gradients(x, params, readout, targets, **kw)
    np.testing.assert_allclose(g.loss, loss, rtol=1e-12)
    assert_gradients_close(core_gradients(g), expected)
    np.testing.assert_array_equal(g.block.attention.w_q[1], 0.0)  # a head switched off gets no gradient
    np.testing.assert_array_equal(g.block.attention.w_o[3:6], 0.0)  # nor its rows of W_O


# ---------------------------------------------------------------- torch's own modules

MODULE_SHAPES = [(2, 4, 4, 2, 8, 5, 1), (3, 6, 8, 2, 16, 9, 2), (2, 5, 12, 3, 24, 4, 2), (1, 8, 16, 4, 32, 10, 1)]


@pytest.mark.parametrize("shape", MODULE_SHAPES, ids=[f"B{s[0]}-T{s[1]}-D{s[2]}-H{s[3]}" for s in MODULE_SHAPES])
@pytest.mark.parametrize("causal", [False, True], ids=["no-mask", "causal"])
@VARIANTS
@ORDERS
def test_gradients_match_torch_modules(shape, causal, feed_forward, norm_first):
    # nn.TransformerEncoderLayer (whole block) or nn.MultiheadAttention + nn.LayerNorm, then nn.Linear-like readouts
    x, params, readout, targets = make(*shape, seed=7 * sum(shape))
    mask = core.causal_mask(shape[1]) if causal else None
    g = core.block_gradients(x, params, readout, targets, mask=mask, norm_first=norm_first, feed_forward=feed_forward)
    loss, expected = torch_module_gradients(
        x, params, readout, targets, mask=mask, norm_first=norm_first, feed_forward=feed_forward
    )
    np.testing.assert_allclose(g.loss, loss, rtol=1e-12)
    assert_gradients_close(core_gradients(g), expected)


# ---------------------------------------------------------------- central finite differences


def naive_loss(x, params, readout, targets, **kw):
    """The loss from block_forward's logits, cross-entropy written out with math.log and math.exp."""
    logits = core.block_forward(x, params, readout, **kw).logits
    total, n = 0.0, 0
    for idx in np.ndindex(*targets.shape):
        if targets[idx] >= 0:
            row = logits[idx]
            top = float(row.max())
            total += top + math.log(sum(math.exp(float(v) - top) for v in row)) - float(row[targets[idx]])
            n += 1
    return total / n


def replaced(params, readout, name, value):
    """params and readout with the array ``name`` replaced by ``value``."""
    if name in ("w_r", "b_r"):
        return params, dataclasses.replace(readout, **{name: value})
    if name in ("w_q", "w_k", "w_v", "w_o"):
        a = params.attention
        w = {n: getattr(a, n) for n in ("w_q", "w_k", "w_v", "w_o")} | {name: value}
        return dataclasses.replace(params, attention=core.MultiHeadParams(**w)), readout
    if name in ("w1", "b1", "w2", "b2"):
        return dataclasses.replace(
            params, feed_forward=dataclasses.replace(params.feed_forward, **{name: value})
        ), readout
    norm = "norm1" if name.endswith("1") else "norm2"
    field = name[:-1]  # gamma or beta
    ln = dataclasses.replace(getattr(params, norm), **{field: value})
    return dataclasses.replace(params, **{norm: ln}), readout


def current(params, readout, name):
    return core_gradients(core.BlockGradients(loss=0.0, block=params, readout=readout))[name]


@pytest.mark.parametrize("mask_kind", [None, "causal", "query-without-keys"])
@VARIANTS
@ORDERS
def test_gradients_match_central_finite_differences(mask_kind, feed_forward, norm_first):
    B, T, D, H, F, V, K = 2, 4, 4, 2, 6, 5, 2
    x, params, readout, targets = make(B, T, D, H, F, V, K, seed=11)
    if mask_kind == "query-without-keys":  # query 2 may attend nothing: zero weights, a zero head output
        mask = core.causal_mask(T)
        mask[2] = False
    else:
        mask = mask_for(mask_kind, T, H)
    kw = {"mask": mask, "scale": 0.8, "norm_first": norm_first, "feed_forward": feed_forward}
    grads = core_gradients(core.block_gradients(x, params, readout, targets, **kw))
    h = 1e-6
    for name in NAMES:
        base = current(params, readout, name)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(*base.shape):
            up, down = base.copy(), base.copy()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (
                naive_loss(x, *replaced(params, readout, name, up), targets, **kw)
                - naive_loss(x, *replaced(params, readout, name, down), targets, **kw)
            ) / (2 * h)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


# ---------------------------------------------------------------- the forward pass is the block


@pytest.mark.parametrize("causal", [False, True], ids=["no-mask", "causal"])
@ORDERS
def test_whole_block_forward_is_encoder_block_sentence_by_sentence(causal, norm_first):
    x, params, readout, _ = make(4, 6, 8, 2, 16, 7, 2, seed=21)
    mask = core.causal_mask(6) if causal else None
    res = core.block_forward(x, params, readout, mask=mask, scale=0.9, norm_first=norm_first, feed_forward=True)
    assert res.output.shape == (4, 6, 8)
    assert res.weights.shape == (4, 2, 6, 6)
    assert res.logits.shape == (2, 4, 6, 7)
    for b in range(4):
        block = core.encoder_block(x[b], params, mask=mask, scale=0.9, norm_first=norm_first)
        np.testing.assert_allclose(res.output[b], block.output, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(res.weights[b], block.attention.weights, rtol=1e-12, atol=1e-14)
        for k in range(2):
            expected = block.output @ readout.w_r[k] + readout.b_r[k]
            np.testing.assert_allclose(res.logits[k, b], expected, rtol=1e-12, atol=1e-13)


@ORDERS
def test_attention_sublayer_forward_is_multi_head_attention_and_the_first_norm(norm_first):
    x, params, readout, _ = make(3, 5, 6, 3, 12, 4, 1, seed=22)
    res = core.block_forward(x, params, readout, norm_first=norm_first)
    n1 = params.norm1
    for b in range(3):
        if norm_first:  # h = x + MultiHead(LN1(x))
            attention = core.multi_head_attention(core.layer_norm(x[b], n1.gamma, n1.beta), params.attention)
            expected = x[b] + attention.output
        else:  # h = LN1(x + MultiHead(x))
            attention = core.multi_head_attention(x[b], params.attention)
            expected = core.layer_norm(x[b] + attention.output, n1.gamma, n1.beta)
        np.testing.assert_allclose(res.output[b], expected, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(res.weights[b], attention.weights, rtol=1e-12, atol=1e-14)


def test_a_head_switched_off_is_its_rows_of_w_o_set_to_zero():
    x, params, readout, _ = make(2, 5, 8, 2, 16, 6, 1, seed=23)
    a = params.attention
    w_o = a.w_o.copy()
    w_o[a.d_v : 2 * a.d_v] = 0.0  # head 1's rows
    silenced = dataclasses.replace(params, attention=core.MultiHeadParams(w_q=a.w_q, w_k=a.w_k, w_v=a.w_v, w_o=w_o))
    for head_mask in ([True, False], [1, 0], np.array([1.0, 0.0])):
        off = core.block_forward(x, params, readout, feed_forward=True, head_mask=head_mask)
        np.testing.assert_array_equal(off.output, core.block_forward(x, silenced, readout, feed_forward=True).output)
    on = core.block_forward(x, params, readout, head_mask=[True, True])
    np.testing.assert_array_equal(on.output, core.block_forward(x, params, readout).output)


@VARIANTS
@ORDERS
def test_gradients_have_the_shapes_of_the_parameters(feed_forward, norm_first):
    x, params, readout, targets = make(2, 4, 6, 4, 5, 3, 2, seed=24)  # H does not divide D: d_k = 1
    g = core.block_gradients(x, params, readout, targets, norm_first=norm_first, feed_forward=feed_forward)
    assert isinstance(g.block, core.EncoderBlockParams)
    assert isinstance(g.readout, core.ReadoutParams)
    assert isinstance(g.loss, float)
    mine = core_gradients(g)
    theirs = core_gradients(core.BlockGradients(loss=0.0, block=params, readout=readout))
    for name in NAMES:
        assert mine[name].shape == theirs[name].shape, name
        assert np.isfinite(mine[name]).all(), name
    skipped = ("w1", "b1", "w2", "b2", "gamma2", "beta2")
    for name in skipped:
        assert (np.abs(mine[name]).max() == 0.0) == (not feed_forward), name


def test_targets_of_minus_one_are_left_out_of_the_loss():
    x, params, readout, targets = make(2, 5, 4, 2, 8, 6, 1, seed=25)
    base = core.block_gradients(x, params, readout, targets)
    # a readout bias that only moves the word that no remaining target names: loss unchanged where -1 sits
    only = np.full_like(targets, -1)
    only[0, 1, 3] = targets[0, 1, 3] if targets[0, 1, 3] >= 0 else 2
    one = core.block_gradients(x, params, readout, only)
    logits = core.block_forward(x, params, readout).logits[0, 1, 3]
    expected = -(logits[only[0, 1, 3]] - logits.max() - np.log(np.exp(logits - logits.max()).sum()))
    np.testing.assert_allclose(one.loss, expected, rtol=1e-13)
    assert one.loss != base.loss


def test_is_deterministic_and_does_not_modify_its_inputs():
    x, params, readout, targets = make(3, 6, 8, 2, 16, 5, 2, seed=26)
    before = (x.copy(), targets.copy())
    a = core.block_gradients(x, params, readout, targets, mask=core.causal_mask(6), feed_forward=True)
    b = core.block_gradients(x.tolist(), params, readout, targets.tolist(), mask=core.causal_mask(6), feed_forward=True)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(targets, before[1])
    assert a.loss == b.loss
    for name in NAMES:
        np.testing.assert_array_equal(core_gradients(a)[name], core_gradients(b)[name], err_msg=name)
        assert not core_gradients(a)[name].flags.writeable, name


def test_results_are_frozen():
    x, params, readout, targets = make(1, 3, 4, 2, 4, 3, 1)
    g = core.block_gradients(x, params, readout, targets)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.loss = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        readout.w_r = np.zeros((1, 4, 3))


# ---------------------------------------------------------------- the readout


def test_init_readout_draws_like_torch_linear_from_the_callers_generator():
    r = core.init_readout(16, 10, np.random.default_rng(3), n_targets=2)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(r.w_r, rng.uniform(-0.25, 0.25, size=(2, 16, 10)))
    np.testing.assert_array_equal(r.b_r, rng.uniform(-0.25, 0.25, size=(2, 10)))
    assert (r.n_targets, r.d_model, r.n_words) == (2, 16, 10)
    assert not r.w_r.flags.writeable


# ---------------------------------------------------------------- bad input

B, T, D, H, F, V, K = 2, 3, 4, 2, 8, 5, 1
X, P, R, TG = make(B, T, D, H, F, V, K, seed=30)


def bad(fn, match, id):
    return pytest.param(fn, match, id=id)


BAD_INPUT = [
    bad(lambda: core.block_gradients(X[0], P, R, TG), r"x must have 3 axes, but has 2", "x-2d"),
    bad(lambda: core.block_gradients(np.zeros((0, T, D)), P, R, TG), r"at least one sentence", "x-empty"),
    bad(lambda: core.block_gradients(np.ones((B, T, D + 1)), P, R, TG), rf"x has width {D + 1}, but .*{D}", "x-wide"),
    bad(lambda: core.block_gradients(np.full((B, T, D), np.nan), P, R, TG), r"x must hold finite", "x-nan"),
    bad(lambda: core.block_gradients(X, P.attention, R, TG), r"params must be EncoderBlockParams", "params"),
    bad(lambda: core.block_gradients(X, P, (R.w_r, R.b_r), TG), r"readout must be ReadoutParams .*tuple", "readout"),
    bad(
        lambda: core.block_gradients(X, P, core.init_readout(D + 1, V, np.random.default_rng(0)), TG),
        rf"readout was built for d_model={D + 1}, but x has width {D}",
        "readout-width",
    ),
    bad(lambda: core.block_gradients(X, P, R, TG[0]), r"targets must have shape .*\(1, 2, 3\).*\(2, 3\)", "tg-2d"),
    bad(lambda: core.block_gradients(X, P, R, TG * 1.0), r"targets must be whole-number word indices", "tg-float"),
    bad(lambda: core.block_gradients(X, P, R, TG > 0), r"targets must be whole-number .*bool", "tg-bool"),
    bad(lambda: core.block_gradients(X, P, R, np.full_like(TG, V)), rf"in 0..{V - 1} or -1 .*{V}..{V}", "tg-big"),
    bad(lambda: core.block_gradients(X, P, R, np.full_like(TG, -2)), r"or -1 \(none\), but range over -2", "tg-neg"),
    bad(lambda: core.block_gradients(X, P, R, np.full_like(TG, -1)), r"at least one entry >= 0", "tg-none"),
    bad(lambda: core.block_gradients(X, P, R, TG, mask=np.ones((T, T))), r"mask must be a bool array", "mask-f64"),
    bad(lambda: core.block_gradients(X, P, R, TG, mask=core.causal_mask(T + 1)), r"mask must have shape", "mask-T"),
    bad(lambda: core.block_gradients(X, P, R, TG, scale="big"), r"scale must be a number", "scale-str"),
    bad(lambda: core.block_gradients(X, P, R, TG, scale=np.inf), r"scale must be finite", "scale-inf"),
    bad(lambda: core.block_gradients(X, P, R, TG, eps=0.0), r"eps must be a finite number > 0", "eps-0"),
    bad(lambda: core.block_gradients(X, P, R, TG, norm_first=1), r"norm_first must be True or False", "flag-nf"),
    bad(lambda: core.block_gradients(X, P, R, TG, feed_forward="yes"), r"feed_forward must be True or", "flag-ff"),
    bad(lambda: core.block_forward(X, P, R, head_mask=[True]), rf"one on/off value per head, shape \({H},\)", "hm-len"),
    bad(lambda: core.block_forward(X, P, R, head_mask=[0.5, 1.0]), r"True/1 \(head on\) or False/0", "hm-half"),
    bad(lambda: core.block_forward(X, P, R, head_mask=["on", "off"]), r"True/1 \(head on\)", "hm-str"),
    bad(lambda: core.ReadoutParams(w_r=np.ones((D, V)), b_r=np.ones((1, V))), r"w_r must have 3 axes", "r-2d"),
    bad(lambda: core.ReadoutParams(w_r=np.ones((1, D, V)), b_r=np.ones(V)), r"b_r must have 2 axes", "b-1d"),
    bad(
        lambda: core.ReadoutParams(w_r=np.ones((2, D, V)), b_r=np.ones((1, V))),
        rf"b_r must have shape \(2, {V}\) to match w_r",
        "b-shape",
    ),
    bad(lambda: core.ReadoutParams(w_r=np.ones((1, 0, V)), b_r=np.ones((1, V))), r"every size >= 1", "r-empty"),
    bad(lambda: core.ReadoutParams(w_r=np.full((1, D, V), np.inf), b_r=np.ones((1, V))), r"w_r must hold", "r-inf"),
    bad(lambda: core.init_readout(0, V, np.random.default_rng(0)), r"d_model must be >= 1", "init-D"),
    bad(lambda: core.init_readout(D, V, np.random.default_rng(0), n_targets=0), r"n_targets must be", "init-K"),
    bad(lambda: core.init_readout(D, V, 0), r"rng must be an np\.random\.Generator", "init-rng"),
]


@pytest.mark.parametrize(("fn", "match"), BAD_INPUT)
def test_bad_input_raises_attention_input_error(fn, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(core.AttentionInputError, match=match):
            fn()


def test_values_past_the_layer_norm_range_are_refused():
    with pytest.raises(core.AttentionInputError, match=r"values of x must lie within ±1e\+100 .*, but one is 4e\+150"):
        core.block_gradients(np.full((B, T, D), 1e150) * np.arange(1, D + 1), P, R, TG, norm_first=True)


def test_an_overflowing_loss_is_refused_with_a_message():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(core.AttentionInputError, match=r"the loss overflowed float64"):
            core.block_gradients(X * 1e50, P, R, TG, scale=1e300)
        with pytest.raises(core.AttentionInputError, match=r"the block's output overflowed float64"):
            core.block_forward(X * 1e50, P, R, scale=1e300)
