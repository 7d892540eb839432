"""encoder_block and its parameters: PyTorch parity, Add & Norm identities, properties, bad input."""

import dataclasses
import math
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import torch_encoder_layer

import core

RTOL, ATOL = 1e-9, 1e-12
ORDERS = pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
ARRAY_FIELDS = ("residual1", "norm1", "residual2", "norm2", "output")


def make(T, D, H, F, seed=0, affine=False):
    """x (T, D) and block parameters; ``affine`` draws gamma and beta instead of ones and zeros."""
    rng = np.random.default_rng(seed)
    params = core.init_encoder_block(D, H, F, rng)
    if affine:
        norms = [core.LayerNormParams(gamma=rng.uniform(0.5, 2.0, D), beta=rng.normal(0.0, 0.5, D)) for _ in range(2)]
        params = dataclasses.replace(params, norm1=norms[0], norm2=norms[1])
    x = rng.standard_normal((T, D)) * 2.0
    return x, params


def with_attention(params, **weights):
    a = params.attention
    w = {"w_q": a.w_q, "w_k": a.w_k, "w_v": a.w_v, "w_o": a.w_o, **weights}
    return dataclasses.replace(params, attention=core.MultiHeadParams(**w))


def with_feed_forward(params, **weights):
    f = params.feed_forward
    w = {"w1": f.w1, "b1": f.b1, "w2": f.w2, "b2": f.b2, **weights}
    return dataclasses.replace(params, feed_forward=core.FeedForwardParams(**w))


def silent_sublayers(params):
    """W_O = 0 and W2 = b2 = 0: both sublayers output zeros, only the residuals and norms remain."""
    D = params.d_model
    params = with_attention(params, w_o=np.zeros_like(params.attention.w_o))
    return with_feed_forward(params, w2=np.zeros_like(params.feed_forward.w2), b2=np.zeros(D))


# ---------------------------------------------------------------- PyTorch parity

# (T, D, H, F); d_model divisible by n_heads, as torch needs. Odd H never takes torch's fused path.
TORCH_SHAPES = [
    (1, 2, 1, 4),
    (1, 4, 2, 8),
    (5, 8, 2, 16),
    (7, 12, 3, 24),
    (6, 16, 4, 32),
    (4, 6, 6, 10),
    (10, 8, 8, 20),
]
TORCH_IDS = [f"T{T}-D{D}-H{H}-F{F}" for T, D, H, F in TORCH_SHAPES]


@pytest.mark.parametrize(("T", "D", "H", "F"), TORCH_SHAPES, ids=TORCH_IDS)
@pytest.mark.parametrize("causal", [False, True], ids=["no-mask", "causal"])
@pytest.mark.parametrize("fast_path", [True, False], ids=["torch-fused", "torch-python"])
@ORDERS
def test_matches_torch_encoder_layer(T, D, H, F, causal, fast_path, norm_first):
    x, params = make(T, D, H, F, seed=T + 31 * D + 97 * H)
    mask = core.causal_mask(T) if causal else None
    res = core.encoder_block(x, params, mask=mask, norm_first=norm_first)
    expected = torch_encoder_layer(x, params, mask=mask, norm_first=norm_first, fast_path=fast_path)
    assert res.output.shape == (T, D)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


def test_the_fused_torch_reference_runs_torchs_fused_kernel(monkeypatch):
    calls = []
    fused = torch._transformer_encoder_layer_fwd
    monkeypatch.setattr(torch, "_transformer_encoder_layer_fwd", lambda *a, **k: calls.append(1) or fused(*a, **k))
    x, params = make(4, 8, 2, 16)
    torch_encoder_layer(x, params, fast_path=True)
    torch_encoder_layer(x, params, fast_path=False)
    assert calls == [1]


@pytest.mark.parametrize(("T", "D", "H", "F"), [(5, 8, 2, 16), (7, 12, 3, 24), (6, 16, 4, 12)])
@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.5])
@ORDERS
def test_matches_torch_with_trained_norms_and_eps(T, D, H, F, eps, norm_first):
    x, params = make(T, D, H, F, seed=7 * T + D, affine=True)
    res = core.encoder_block(x, params, mask=core.causal_mask(T), norm_first=norm_first, eps=eps)
    expected = torch_encoder_layer(x, params, mask=core.causal_mask(T), norm_first=norm_first, eps=eps)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


@ORDERS
def test_torch_float_mask_and_bool_mask_agree_with_core(norm_first):
    # torch's bool src_mask means True = blocked (the opposite of core's), its float mask is added to the scores
    T, D, H, F = 6, 8, 2, 16
    x, params = make(T, D, H, F, seed=3, affine=True)
    mask = np.random.default_rng(4).random((T, T)) < 0.6
    mask[np.arange(T), np.arange(T)] = True  # torch gives NaN for a query with no key
    res = core.encoder_block(x, params, mask=mask, norm_first=norm_first)
    for float_mask in (False, True):
        expected = torch_encoder_layer(x, params, mask=mask, norm_first=norm_first, float_mask=float_mask)
        np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL, err_msg=f"float_mask={float_mask}")


@ORDERS
def test_matches_torch_with_a_per_head_mask(norm_first):
    T, D, H, F = 5, 8, 2, 12
    x, params = make(T, D, H, F, seed=5)
    mask = np.random.default_rng(6).random((H, T, T)) < 0.5
    mask[:, np.arange(T), np.arange(T)] = True
    res = core.encoder_block(x, params, mask=mask, norm_first=norm_first)
    expected = torch_encoder_layer(x, params, mask=mask, norm_first=norm_first, fast_path=False)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("scale", [1.0, 0.3, 2.5])
@ORDERS
def test_explicit_scale_is_torch_with_w_q_scaled(scale, norm_first):
    # torch always scales by 1/sqrt(d_k); scale·qkᵀ = (1/sqrt(d_k))·(scale·sqrt(d_k)·q)kᵀ
    T, D, H, F = 6, 8, 2, 16
    x, params = make(T, D, H, F, seed=8)
    rescaled = with_attention(params, w_q=params.attention.w_q * (scale * math.sqrt(params.attention.d_k)))
    res = core.encoder_block(x, params, scale=scale, norm_first=norm_first)
    expected = torch_encoder_layer(x, rescaled, norm_first=norm_first)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("causal", [False, True], ids=["no-mask", "causal"])
@ORDERS
def test_matches_torch_on_a_long_sequence(causal, norm_first):
    # 8 heads of 200 x 200 scores: multi_head_attention works through them block by block
    T, D, H, F = 200, 32, 8, 64
    x, params = make(T, D, H, F, seed=9, affine=True)
    mask = core.causal_mask(T) if causal else None
    res = core.encoder_block(x, params, mask=mask, norm_first=norm_first)
    expected = torch_encoder_layer(x, params, mask=mask, norm_first=norm_first)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- every intermediate, in order


@pytest.mark.parametrize(("T", "D", "H", "F"), [(1, 3, 1, 2), (4, 6, 2, 12), (5, 7, 3, 9)])
def test_post_norm_fields_follow_the_paper(T, D, H, F):
    # h = LN1(x + MultiHead(x)); out = LN2(h + FFN(h)), each step by the public core functions
    x, params = make(T, D, H, F, seed=10, affine=True)
    mask = core.causal_mask(T)
    res = core.encoder_block(x, params, mask=mask, scale=0.7, eps=1e-4)
    attention = core.multi_head_attention(x, params.attention, mask=mask, scale=0.7)
    residual1 = x + attention.output
    norm1 = core.layer_norm(residual1, params.norm1.gamma, params.norm1.beta, eps=1e-4)
    ffn = core.feed_forward(norm1, params.feed_forward)
    residual2 = norm1 + ffn.output
    norm2 = core.layer_norm(residual2, params.norm2.gamma, params.norm2.beta, eps=1e-4)
    assert res.norm_first is False
    np.testing.assert_array_equal(res.attention.weights, attention.weights)
    np.testing.assert_array_equal(res.attention.output, attention.output)
    np.testing.assert_array_equal(res.residual1, residual1)
    np.testing.assert_array_equal(res.norm1, norm1)
    np.testing.assert_array_equal(res.feed_forward.hidden, ffn.hidden)
    np.testing.assert_array_equal(res.feed_forward.output, ffn.output)
    np.testing.assert_array_equal(res.residual2, residual2)
    np.testing.assert_array_equal(res.norm2, norm2)
    assert res.output is res.norm2


@pytest.mark.parametrize(("T", "D", "H", "F"), [(1, 3, 1, 2), (4, 6, 2, 12), (5, 7, 3, 9)])
def test_pre_norm_fields_follow_the_formula(T, D, H, F):
    # h = x + MultiHead(LN1(x)); out = h + FFN(LN2(h))
    x, params = make(T, D, H, F, seed=11, affine=True)
    mask = core.causal_mask(T)
    res = core.encoder_block(x, params, mask=mask, scale=1.3, norm_first=True, eps=1e-3)
    norm1 = core.layer_norm(x, params.norm1.gamma, params.norm1.beta, eps=1e-3)
    attention = core.multi_head_attention(norm1, params.attention, mask=mask, scale=1.3)
    residual1 = x + attention.output
    norm2 = core.layer_norm(residual1, params.norm2.gamma, params.norm2.beta, eps=1e-3)
    ffn = core.feed_forward(norm2, params.feed_forward)
    residual2 = residual1 + ffn.output
    assert res.norm_first is True
    np.testing.assert_array_equal(res.norm1, norm1)
    np.testing.assert_array_equal(res.attention.q, attention.q)
    np.testing.assert_array_equal(res.attention.output, attention.output)
    np.testing.assert_array_equal(res.residual1, residual1)
    np.testing.assert_array_equal(res.norm2, norm2)
    np.testing.assert_array_equal(res.feed_forward.pre_activation, ffn.pre_activation)
    np.testing.assert_array_equal(res.residual2, residual2)
    assert res.output is res.residual2


@ORDERS
def test_result_shapes_and_sub_results(norm_first):
    T, D, H, F = 5, 6, 3, 10
    x, params = make(T, D, H, F)
    res = core.encoder_block(x, params, norm_first=norm_first)
    assert isinstance(res.attention, core.MultiHeadResult)
    assert isinstance(res.feed_forward, core.FeedForwardResult)
    assert res.attention.weights.shape == (H, T, T)
    assert res.feed_forward.hidden.shape == (T, F)
    for name in ARRAY_FIELDS:
        arr = getattr(res, name)
        assert arr.shape == (T, D), name
        assert arr.dtype == np.float64, name
        assert np.all(np.isfinite(arr)), name


# ---------------------------------------------------------------- Add & Norm identities


@pytest.mark.parametrize(("T", "D", "H", "F"), [(1, 4, 2, 8), (5, 6, 3, 10), (8, 16, 4, 32)])
def test_post_norm_with_silent_sublayers_is_two_layer_norms(T, D, H, F):
    x, params = make(T, D, H, F, seed=12, affine=True)
    res = core.encoder_block(x, silent_sublayers(params))
    n1, n2 = params.norm1, params.norm2
    expected = core.layer_norm(core.layer_norm(x, n1.gamma, n1.beta), n2.gamma, n2.beta)
    np.testing.assert_array_equal(res.attention.output, np.zeros((T, D)))
    np.testing.assert_array_equal(res.feed_forward.output, np.zeros((T, D)))
    np.testing.assert_allclose(res.output, expected, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("T", "D", "H", "F"), [(1, 4, 2, 8), (5, 6, 3, 10), (8, 16, 4, 32)])
def test_pre_norm_with_silent_sublayers_is_the_identity(T, D, H, F):
    x, params = make(T, D, H, F, seed=13, affine=True)
    res = core.encoder_block(x, silent_sublayers(params), norm_first=True)
    np.testing.assert_array_equal(res.residual1, x)
    np.testing.assert_array_equal(res.output, x)


@pytest.mark.parametrize(("T", "D", "H", "F"), [(1, 4, 2, 8), (6, 8, 2, 16), (9, 12, 4, 20)])
def test_pre_norm_output_is_x_plus_both_sublayers(T, D, H, F):
    x, params = make(T, D, H, F, seed=14, affine=True)
    res = core.encoder_block(x, params, norm_first=True)
    np.testing.assert_allclose(res.output - x, res.attention.output + res.feed_forward.output, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(("T", "D", "H", "F"), [(2, 4, 2, 8), (6, 8, 2, 16), (9, 12, 4, 20), (4, 64, 8, 128)])
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_post_norm_rows_have_mean_zero_and_variance_near_one(T, D, H, F, eps):
    x, params = make(T, D, H, F, seed=15)
    res = core.encoder_block(x, params, eps=eps)
    for name, before in (("norm1", res.residual1), ("output", res.residual2)):
        out = getattr(res, name)
        v = before.var(axis=-1)  # population variance, as layer_norm uses
        np.testing.assert_allclose(out.mean(axis=-1), 0.0, rtol=0, atol=1e-13, err_msg=name)
        np.testing.assert_allclose(out.var(axis=-1), v / (v + eps), rtol=1e-10, err_msg=name)
    if eps == 1e-5:
        np.testing.assert_allclose(res.output.var(axis=-1), 1.0, rtol=1e-3)


@ORDERS
def test_gamma_and_beta_scale_and_shift_the_normalised_rows(norm_first):
    T, D, H, F = 5, 6, 2, 12
    x, params = make(T, D, H, F, seed=16)
    gamma, beta = np.linspace(0.5, 2.0, D), np.linspace(-1.0, 1.0, D)
    plain = core.encoder_block(x, params, norm_first=norm_first)
    # only the last norm changes: the output (post-norm) or the FFN input (pre-norm)
    params2 = dataclasses.replace(params, norm2=core.LayerNormParams(gamma=gamma, beta=beta))
    res = core.encoder_block(x, params2, norm_first=norm_first)
    np.testing.assert_allclose(res.norm2, plain.norm2 * gamma + beta, rtol=1e-13, atol=1e-14)
    if norm_first:
        np.testing.assert_array_equal(res.residual1, plain.residual1)
        assert not np.allclose(res.output, plain.output)
    else:
        np.testing.assert_array_equal(res.residual2, plain.residual2)


@ORDERS
def test_causal_mask_keeps_the_past_independent_of_the_future(norm_first):
    # LN and the FFN work row by row, so the causal mask of attention carries through the block
    T, D, H, F = 7, 8, 2, 16
    x, params = make(T, D, H, F, seed=17)
    y = x.copy()
    y[4:] = np.random.default_rng(18).standard_normal((T - 4, D))
    a = core.encoder_block(x, params, mask=core.causal_mask(T), norm_first=norm_first)
    b = core.encoder_block(y, params, mask=core.causal_mask(T), norm_first=norm_first)
    np.testing.assert_allclose(a.output[:4], b.output[:4], rtol=1e-13, atol=1e-14)
    assert not np.allclose(a.output[4:], b.output[4:])


@ORDERS
def test_without_a_mask_permuting_tokens_permutes_the_output(norm_first):
    T, D, H, F = 6, 8, 4, 16
    x, params = make(T, D, H, F, seed=19)
    perm = np.random.default_rng(20).permutation(T)
    a = core.encoder_block(x, params, norm_first=norm_first)
    b = core.encoder_block(x[perm], params, norm_first=norm_first)
    np.testing.assert_allclose(b.output, a.output[perm], rtol=1e-12, atol=1e-13)


@ORDERS
def test_is_deterministic_and_does_not_modify_x(norm_first):
    x, params = make(40, 16, 4, 32, seed=21)
    before = x.copy()
    a = core.encoder_block(x, params, mask=core.causal_mask(40), norm_first=norm_first)
    b = core.encoder_block(x.tolist(), params, mask=core.causal_mask(40), norm_first=norm_first)
    np.testing.assert_array_equal(x, before)
    for name in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.attention.weights, b.attention.weights)
    np.testing.assert_array_equal(a.feed_forward.hidden, b.feed_forward.hidden)


def test_result_is_frozen():
    x, params = make(2, 4, 2, 8)
    res = core.encoder_block(x, params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.output = np.zeros((2, 4))


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize(("D", "H", "F"), [(1, 1, 1), (4, 2, 8), (6, 4, 5), (16, 4, 64)])
def test_init_shapes_and_layer_norm_defaults(D, H, F):
    params = core.init_encoder_block(D, H, F, np.random.default_rng(0))
    assert (params.d_model, params.n_heads, params.d_ff) == (D, H, F)
    assert params.attention.w_q.shape == (H, D, core.default_head_width(D, H))
    assert params.feed_forward.w1.shape == (D, F)
    for norm in (params.norm1, params.norm2):
        assert norm.d_model == D
        np.testing.assert_array_equal(norm.gamma, np.ones(D))
        np.testing.assert_array_equal(norm.beta, np.zeros(D))


@pytest.mark.parametrize(("D", "H", "F"), [(4, 2, 8), (5, 3, 7)])
def test_init_draws_attention_then_feed_forward_from_the_callers_generator(D, H, F):
    params = core.init_encoder_block(D, H, F, np.random.default_rng(99))
    rng = np.random.default_rng(99)
    attention = core.init_multi_head(D, H, rng)
    ffn = core.init_feed_forward(D, F, rng)
    for name in ("w_q", "w_k", "w_v", "w_o"):
        np.testing.assert_array_equal(getattr(params.attention, name), getattr(attention, name), err_msg=name)
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_array_equal(getattr(params.feed_forward, name), getattr(ffn, name), err_msg=name)


def test_init_is_reproducible_and_depends_on_the_seed():
    a = core.init_encoder_block(6, 2, 12, np.random.default_rng(42))
    b = core.init_encoder_block(6, 2, 12, np.random.default_rng(42))
    c = core.init_encoder_block(6, 2, 12, np.random.default_rng(43))
    for part, names in (("attention", ("w_q", "w_k", "w_v", "w_o")), ("feed_forward", ("w1", "b1", "w2", "b2"))):
        for name in names:
            np.testing.assert_array_equal(getattr(getattr(a, part), name), getattr(getattr(b, part), name))
            assert not np.array_equal(getattr(getattr(a, part), name), getattr(getattr(c, part), name))


def test_init_advances_the_generator_and_touches_no_global_state():
    rng = np.random.default_rng(5)
    first = core.init_encoder_block(4, 2, 8, rng)
    second = core.init_encoder_block(4, 2, 8, rng)
    assert not np.array_equal(first.attention.w_q, second.attention.w_q)
    # read only, to show that the legacy global RNG is left alone
    legacy = np.random.get_state()[1].copy()  # noqa: NPY002
    core.init_encoder_block(4, 2, 8, np.random.default_rng(5))
    np.testing.assert_array_equal(np.random.get_state()[1], legacy)  # noqa: NPY002


def test_layer_norm_params_are_read_only_float_copies():
    gamma, beta = np.array([1, 2, 3]), [0.5, 0.0, -0.5]
    params = core.LayerNormParams(gamma=gamma, beta=beta)
    assert params.d_model == 3
    for name in ("gamma", "beta"):
        arr = getattr(params, name)
        assert arr.dtype == np.float64
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 9.0
    gamma[0] = 7  # the caller's array is not shared
    np.testing.assert_array_equal(params.gamma, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("name", ["gamma", "beta"])
def test_layer_norm_params_are_frozen(name):
    params = core.LayerNormParams(gamma=np.ones(2), beta=np.zeros(2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(params, name, np.zeros(2))


@pytest.mark.parametrize("name", ["attention", "feed_forward", "norm1", "norm2"])
def test_encoder_params_are_frozen(name):
    params = core.init_encoder_block(4, 2, 8, np.random.default_rng(0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(params, name, None)


# ---------------------------------------------------------------- bad input

T, D, H, F = 3, 4, 2, 8
X, P = make(T, D, H, F, seed=30)
LN = core.LayerNormParams(gamma=np.ones(D), beta=np.zeros(D))


def parts(**changes):
    p = {"attention": P.attention, "feed_forward": P.feed_forward, "norm1": P.norm1, "norm2": P.norm2}
    p.update(changes)
    return p


def bad(fn, match, id):
    return pytest.param(fn, match, id=id)


BAD_INPUT = [
    # x
    bad(lambda: core.encoder_block(X[0], P), r"x must have 2 axes, but has 1", "x-1d"),
    bad(lambda: core.encoder_block(X[None], P), r"x must have 2 axes, but has 3", "x-3d"),
    bad(lambda: core.encoder_block(np.zeros((0, D)), P), r"x must hold at least one token", "x-empty"),
    bad(lambda: core.encoder_block(np.ones((T, D + 1)), P), rf"x has width {D + 1}, but .* d_model={D}", "x-wide"),
    bad(lambda: core.encoder_block(np.ones((T, 1)), P), rf"x has width 1, but .* d_model={D}", "x-width-1"),
    bad(lambda: core.encoder_block([["a"] * D], P), r"x must be an array of numbers", "x-str"),
    *[
        bad(
            lambda v=v: core.encoder_block(np.where(np.eye(T, D) > 0, v, X), P),
            rf"x must hold finite numbers only, but has {v}",
            f"x-{v}",
        )
        for v in (np.nan, np.inf, -np.inf)
    ],
    # params
    bad(lambda: core.encoder_block(X, P.attention), r"params must be EncoderBlockParams.*MultiHeadParams", "p-mha"),
    bad(lambda: core.encoder_block(X, None), r"params must be EncoderBlockParams .*NoneType", "p-none"),
    # mask
    bad(lambda: core.encoder_block(X, P, mask=np.ones((T, T))), r"mask must be a bool array.*float64", "mask-f64"),
    bad(lambda: core.encoder_block(X, P, mask=np.tri(T, dtype=int)), r"mask must be a bool array", "mask-int"),
    bad(lambda: core.encoder_block(X, P, mask=core.causal_mask(T + 1)), r"mask must have shape", "mask-T+1"),
    bad(lambda: core.encoder_block(X, P, mask=np.ones(T, bool)), r"mask must have shape", "mask-1d"),
    bad(
        lambda: core.encoder_block(X, P, mask=np.ones((H + 1, T, T), bool)),
        rf"mask must have shape \({T}, {T}\) or \({H}, {T}, {T}\)",
        "mask-heads",
    ),
    bad(lambda: core.encoder_block(X, P, mask=np.ones((1, H, T, T), bool)), r"mask must have shape", "mask-4d"),
    # scale, norm_first, eps
    bad(lambda: core.encoder_block(X, P, scale="big"), r"scale must be a number", "scale-str"),
    bad(lambda: core.encoder_block(X, P, scale=np.nan), r"scale must be finite", "scale-nan"),
    bad(lambda: core.encoder_block(X, P, scale=np.inf), r"scale must be finite", "scale-inf"),
    *[
        bad(lambda v=v: core.encoder_block(X, P, norm_first=v), r"norm_first must be True or False", f"flag-{v!r}")
        for v in (1, 0, "yes", None, 1.0)
    ],
    *[
        bad(lambda v=v: core.encoder_block(X, P, eps=v), r"eps must be a finite number > 0", f"eps-{v!r}")
        for v in (0, 0.0, -1e-5, np.nan, np.inf)
    ],
    bad(lambda: core.encoder_block(X, P, eps="small"), r"eps must be a positive number", "eps-str"),
    # EncoderBlockParams
    bad(
        lambda: core.EncoderBlockParams(**parts(attention=core.init_multi_head(D + 1, H, np.random.default_rng(0)))),
        rf"feed_forward was built for d_model={D}, but attention for d_model={D + 1}",
        "params-attention-width",
    ),
    bad(
        lambda: core.EncoderBlockParams(
            **parts(feed_forward=core.init_feed_forward(D - 1, F, np.random.default_rng(0)))
        ),
        rf"feed_forward was built for d_model={D - 1}, but attention for d_model={D}",
        "params-ffn-width",
    ),
    bad(
        lambda: core.EncoderBlockParams(
            **parts(norm1=core.LayerNormParams(gamma=np.ones(D + 2), beta=np.zeros(D + 2)))
        ),
        rf"norm1 was built for d_model={D + 2}, but attention for d_model={D}",
        "params-norm1-width",
    ),
    bad(
        lambda: core.EncoderBlockParams(**parts(norm2=core.LayerNormParams(gamma=np.ones(1), beta=np.zeros(1)))),
        rf"norm2 was built for d_model=1, but attention for d_model={D}",
        "params-norm2-width",
    ),
    bad(
        lambda: core.EncoderBlockParams(**parts(attention=P.feed_forward)),
        r"attention must be MultiHeadParams .*, but is FeedForwardParams",
        "params-attention-type",
    ),
    bad(
        lambda: core.EncoderBlockParams(**parts(feed_forward={"w1": 1})),
        r"feed_forward must be FeedForwardParams .*, but is dict",
        "params-ffn-type",
    ),
    bad(lambda: core.EncoderBlockParams(**parts(norm1=np.ones(D))), r"norm1 must be LayerNormParams", "norm1-type"),
    bad(
        lambda: core.EncoderBlockParams(**parts(norm2=None)), r"norm2 must be LayerNormParams .*NoneType", "norm2-none"
    ),
    # LayerNormParams
    bad(lambda: core.LayerNormParams(gamma=np.ones((1, D)), beta=np.zeros(D)), r"gamma must have 1 axes", "gamma-2d"),
    bad(lambda: core.LayerNormParams(gamma=np.ones(D), beta=1.0), r"beta must have 1 axes, but has 0", "beta-scalar"),
    bad(
        lambda: core.LayerNormParams(gamma=[], beta=[]),
        r"gamma must have shape \(d_model,\) with d_model >= 1",
        "empty",
    ),
    bad(
        lambda: core.LayerNormParams(gamma=np.ones(D), beta=np.zeros(D + 1)),
        rf"beta must have the shape of gamma \({D},\), but has \({D + 1},\)",
        "beta-shape",
    ),
    bad(lambda: core.LayerNormParams(gamma=[1.0, np.nan], beta=[0, 0]), r"gamma must hold finite", "gamma-nan"),
    bad(lambda: core.LayerNormParams(gamma=[1.0, 1.0], beta=[0, -np.inf]), r"beta must hold finite", "beta-inf"),
    bad(lambda: core.LayerNormParams(gamma=["a"], beta=[0.0]), r"gamma must be an array of numbers", "gamma-str"),
    # init_encoder_block
    *[
        bad(lambda v=v: core.init_encoder_block(v, H, F, np.random.default_rng(0)), r"d_model must be", f"D-{v!r}")
        for v in (0, -1, 2.5, True, "4")
    ],
    *[
        bad(lambda v=v: core.init_encoder_block(D, v, F, np.random.default_rng(0)), r"n_heads must be", f"H-{v!r}")
        for v in (0, 1.5, False)
    ],
    *[
        bad(lambda v=v: core.init_encoder_block(D, H, v, np.random.default_rng(0)), r"d_ff must be", f"F-{v!r}")
        for v in (0, -8, 8.0, True)
    ],
    *[
        bad(lambda r=r: core.init_encoder_block(D, H, F, r), r"rng must be an np\.random\.Generator", f"rng-{r!r}")
        for r in (None, 0, np.random.RandomState(0))
    ],
]


@pytest.mark.parametrize(("fn", "match"), BAD_INPUT)
def test_bad_input_raises_attention_input_error(fn, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checks run before any arithmetic: no RuntimeWarning on the way
        with pytest.raises(core.AttentionInputError, match=match):
            fn()


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_bad_mask_is_refused_before_any_layer_norm(norm_first, monkeypatch):
    import core.encoder

    def no_arithmetic(*args, **kwargs):
        raise AssertionError("layer_norm ran before the arguments were checked")

    monkeypatch.setattr(core.encoder, "_layer_norm", no_arithmetic)
    with pytest.raises(core.AttentionInputError, match=r"mask must have shape"):
        core.encoder_block(X, P, mask=np.ones((T, T + 1), bool), norm_first=norm_first)
    with pytest.raises(core.AttentionInputError, match=r"eps must be"):
        core.encoder_block(X, P, eps=-1.0, norm_first=norm_first)


def test_bad_init_draws_nothing_from_the_generator():
    rng = np.random.default_rng(3)
    with pytest.raises(core.AttentionInputError, match=r"d_ff must be"):
        core.init_encoder_block(D, H, 0, rng)
    np.testing.assert_array_equal(rng.random(3), np.random.default_rng(3).random(3))


def test_a_residual_sum_that_overflows_is_refused():
    # pre-norm on rows of one value: LN1 gives zeros, attention adds 0, LN2 gives zeros, the FFN adds b2
    params = with_feed_forward(P, b2=np.full(D, 1e308))
    x = np.full((T, D), 1.5e308)
    with pytest.raises(core.AttentionInputError, match=r"residual1 \+ FFN\(norm2\) overflowed float64"):
        core.encoder_block(x, params, norm_first=True)


def test_numpy_bools_and_integer_sizes_are_accepted():
    params = core.init_encoder_block(np.int64(4), np.int32(2), np.int16(8), np.random.default_rng(0))
    res = core.encoder_block(np.ones((2, 4)) * np.arange(4), params, norm_first=np.bool_(True), eps=np.float32(1e-3))
    assert res.norm_first is True
    assert res.output.shape == (2, 4)


# ---------------------------------------------------------------- hypothesis


@st.composite
def block_inputs(draw):
    T = draw(st.integers(1, 10))
    H = draw(st.integers(1, 4))
    D = H * draw(st.integers(1, 4))  # torch's layout: d_k = D / H
    F = draw(st.integers(1, 12))
    x = draw(hnp.arrays(np.float64, (T, D), elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False)))
    seed = draw(st.integers(0, 2**32 - 1))
    return x, core.init_encoder_block(D, H, F, np.random.default_rng(seed)), draw(st.booleans()), draw(st.booleans())


@settings(max_examples=60, deadline=None)
@given(inputs=block_inputs())
def test_hypothesis_matches_torch(inputs):
    x, params, causal, norm_first = inputs
    T = x.shape[0]
    mask = core.causal_mask(T) if causal else None
    res = core.encoder_block(x, params, mask=mask, norm_first=norm_first)
    for name in ARRAY_FIELDS:
        assert np.all(np.isfinite(getattr(res, name))), name
    expected = torch_encoder_layer(x, params, mask=mask, norm_first=norm_first)
    big = 1.0 + np.abs(x).max()  # pre-norm carries x through; |x| up to 100 costs digits in absolute terms
    np.testing.assert_allclose(res.output, expected, rtol=1e-9, atol=1e-12 * big)
