"""attention_gradients (cross-attention too) and decoder_block_gradients: torch autograd, finite differences, bad input."""

import dataclasses

import numpy as np
import pytest
from torch_decoder_reference import torch_attention_gradients, torch_decoder_layer_gradients

import core

RTOL = 1e-9
ORDERS = pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
ATTENTION = ("w_q", "w_k", "w_v", "w_o")
FEED_FORWARD = ("w1", "b1", "w2", "b2")


def affine_norm(rng, D):
    return core.LayerNormParams(gamma=rng.uniform(0.5, 2.0, D), beta=rng.normal(0.0, 0.5, D))


def make(B, T, S, D, H, F, seed=0):
    """y (B, T, D), memory (B, S, D), decoder parameters with drawn norms, d_output (B, T, D)."""
    rng = np.random.default_rng(seed)
    params = core.init_decoder_block(D, H, F, rng)
    params = dataclasses.replace(
        params, norm1=affine_norm(rng, D), norm2=affine_norm(rng, D), norm3=affine_norm(rng, D)
    )
    y, memory = rng.standard_normal((B, T, D)) * 1.5, rng.standard_normal((B, S, D))
    return y, memory, params, rng.standard_normal((B, T, D))


def by_name(params: core.DecoderBlockParams) -> dict:
    """A DecoderBlockParams (of values or of gradients) as {name: array}, the reference's names."""
    out = {f"sa_{n}": getattr(params.self_attention, n) for n in ATTENTION}
    out.update({f"ca_{n}": getattr(params.cross_attention, n) for n in ATTENTION})
    out.update({n: getattr(params.feed_forward, n) for n in FEED_FORWARD})
    for i, norm in enumerate((params.norm1, params.norm2, params.norm3), start=1):
        out[f"gamma{i}"], out[f"beta{i}"] = norm.gamma, norm.beta
    return out


def with_array(params: core.DecoderBlockParams, name: str, value) -> core.DecoderBlockParams:
    """params with the array ``name`` (by_name's names) replaced by ``value``."""
    if name[:3] in ("sa_", "ca_"):
        part = "self_attention" if name.startswith("sa_") else "cross_attention"
        a = getattr(params, part)
        w = {n: getattr(a, n) for n in ATTENTION} | {name[3:]: value}
        return dataclasses.replace(params, **{part: core.MultiHeadParams(**w)})
    if name in FEED_FORWARD:
        return dataclasses.replace(params, feed_forward=dataclasses.replace(params.feed_forward, **{name: value}))
    norm = f"norm{name[-1]}"
    return dataclasses.replace(params, **{norm: dataclasses.replace(getattr(params, norm), **{name[:-1]: value})})


def assert_close(actual, expected, name, rtol=RTOL):
    assert actual.shape == expected.shape, name
    atol = 1e-13 * max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=name)


def mask_for(kind, T, S, H, seed=1):
    if kind is None:
        return None
    if kind == "causal":
        return core.causal_mask(T)
    mask = np.random.default_rng(seed).random((T, S) if kind == "shared" else (H, T, S)) < 0.5
    mask[..., 0] = True  # torch gives NaN for a query without a key
    return mask


# ---------------------------------------------------------------- torch autograd

ATTENTION_SHAPES = [(1, 1, 1, 2, 1), (2, 4, 6, 8, 2), (3, 5, 3, 12, 3), (2, 6, 7, 16, 4)]


@pytest.mark.parametrize(
    "shape", ATTENTION_SHAPES, ids=[f"B{B}-T{T}-S{S}-D{D}-H{H}" for B, T, S, D, H in ATTENTION_SHAPES]
)
@pytest.mark.parametrize("mask_kind", [None, "shared", "per-head"])
@pytest.mark.parametrize("cross", [True, False], ids=["cross", "self"])
def test_attention_gradients_match_torch_autograd(shape, mask_kind, cross):
    B, T, S, D, H = shape
    S = S if cross else T
    rng = np.random.default_rng(sum(shape))
    params = core.init_multi_head(D, H, rng)
    x, memory, d_out = rng.standard_normal((B, T, D)), rng.standard_normal((B, S, D)), rng.standard_normal((B, T, D))
    mask = mask_for(mask_kind, T, S, H)
    g = core.attention_gradients(x, params, d_out, mask=mask, memory=memory if cross else None)
    expected, d_x, d_m = torch_attention_gradients(x, memory if cross else None, params, d_out, mask=mask)
    for name in ATTENTION:
        assert_close(getattr(g.params, name), expected[name], name)
    assert_close(g.x, d_x, "x")
    if cross:
        assert_close(g.memory, d_m, "memory")
    else:
        assert g.memory is None


DECODER_SHAPES = [(1, 1, 1, 2, 1, 3), (2, 4, 6, 8, 2, 16), (3, 5, 3, 12, 3, 10), (2, 6, 7, 16, 4, 32)]


@pytest.mark.parametrize(
    "shape", DECODER_SHAPES, ids=[f"B{s[0]}-T{s[1]}-S{s[2]}-D{s[3]}-H{s[4]}" for s in DECODER_SHAPES]
)
@pytest.mark.parametrize("masks", [(None, None), ("causal", None), ("causal", "shared"), ("causal", "per-head")])
@ORDERS
def test_decoder_block_gradients_match_torch_autograd(shape, masks, norm_first):
    _, T, S, _, H, _ = shape
    y, memory, params, d_out = make(*shape, seed=3 * sum(shape))
    self_mask, memory_mask = mask_for(masks[0], T, T, H), mask_for(masks[1], T, S, H, seed=2)
    g = core.decoder_block_gradients(y, memory, params, d_out, self_mask, memory_mask, norm_first=norm_first)
    expected, d_y, d_m = torch_decoder_layer_gradients(y, memory, params, d_out, self_mask, memory_mask, norm_first)
    got = by_name(g.params)
    assert set(got) == set(expected)
    for name in expected:
        assert_close(got[name], expected[name], name)
    assert_close(g.y, d_y, "y")
    assert_close(g.memory, d_m, "memory")


@ORDERS
def test_one_sentence_without_a_batch_axis_is_the_batch_of_one(norm_first):
    y, memory, params, d_out = make(1, 4, 3, 8, 2, 12, seed=5)
    batched = core.decoder_block_gradients(y, memory, params, d_out, core.causal_mask(4), norm_first=norm_first)
    single = core.decoder_block_gradients(y[0], memory[0], params, d_out[0], core.causal_mask(4), norm_first=norm_first)
    assert single.y.shape == (4, 8) and single.memory.shape == (3, 8)
    np.testing.assert_array_equal(single.y, batched.y[0])
    np.testing.assert_array_equal(single.memory, batched.memory[0])
    for name, value in by_name(single.params).items():
        np.testing.assert_array_equal(value, by_name(batched.params)[name], err_msg=name)


# ---------------------------------------------------------------- central finite differences


def numeric_gradient(loss, base, h=1e-6):
    out = np.zeros_like(base)
    for idx in np.ndindex(*base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (loss(up) - loss(down)) / (2 * h)
    return out


@pytest.mark.parametrize("memory_kind", [None, "query-without-keys"])
@ORDERS
def test_decoder_block_gradients_match_central_finite_differences(memory_kind, norm_first):
    T, S, D, H, F = 4, 3, 4, 2, 6
    y, memory, params, d_out = make(1, T, S, D, H, F, seed=11)
    y, memory, d_out = y[0], memory[0], d_out[0]
    self_mask = core.causal_mask(T)
    memory_mask = None
    if memory_kind:  # query 2 may look at no source word: zero cross-attention weights there
        memory_mask = np.ones((T, S), dtype=bool)
        memory_mask[2] = False
        memory_mask[0, 1] = False
    kw = {"self_mask": self_mask, "memory_mask": memory_mask, "scale": 0.8, "norm_first": norm_first}
    g = core.decoder_block_gradients(y, memory, params, d_out, **kw)

    def loss(yy, mm, pp):  # the loss whose gradient d_output is: Σ output · d_output
        return float(np.sum(core.decoder_block(yy, mm, pp, **kw).output * d_out))

    for name, value in by_name(params).items():
        numeric = numeric_gradient(lambda v, name=name: loss(y, memory, with_array(params, name, v)), value)
        np.testing.assert_allclose(by_name(g.params)[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
    np.testing.assert_allclose(g.y, numeric_gradient(lambda v: loss(v, memory, params), y), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g.memory, numeric_gradient(lambda v: loss(y, v, params), memory), rtol=1e-5, atol=1e-8)


def test_cross_attention_gradients_match_central_finite_differences():
    T, S, D, H = 3, 5, 4, 2
    rng = np.random.default_rng(12)
    params = core.init_multi_head(D, H, rng, d_k=3, d_v=1)  # widths torch cannot hold
    x, memory, d_out = rng.standard_normal((T, D)), rng.standard_normal((S, D)), rng.standard_normal((T, D))
    mask = np.random.default_rng(13).random((H, T, S)) < 0.6
    g = core.attention_gradients(x, params, d_out, mask=mask, scale=1.3, memory=memory)

    def loss(xx, mm, pp):
        return float(np.sum(core.multi_head_attention(xx, pp, mask=mask, scale=1.3, memory=mm).output * d_out))

    weights = {n: getattr(params, n) for n in ATTENTION}
    for name in ATTENTION:
        numeric = numeric_gradient(
            lambda v, name=name: loss(x, memory, core.MultiHeadParams(**(weights | {name: v}))), weights[name]
        )
        np.testing.assert_allclose(getattr(g.params, name), numeric, rtol=1e-5, atol=1e-8, err_msg=name)
    np.testing.assert_allclose(g.x, numeric_gradient(lambda v: loss(v, memory, params), x), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g.memory, numeric_gradient(lambda v: loss(x, v, params), memory), rtol=1e-5, atol=1e-8)
    # a source word no query of any head may see gets no gradient
    hidden = ~mask.any(axis=(0, 1))
    np.testing.assert_array_equal(g.memory[hidden], 0.0)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": np.zeros((2, 3, 5))}, "y has width 5, but the decoder block was built for d_model=8"),
        ({"y": np.zeros(8)}, r"y must have shape \(T, D\) or \(B, T, D\)"),
        ({"memory": np.zeros((3, 4, 8))}, "memory holds 3 sentences, but there are 2"),
        ({"memory": np.zeros((4, 8))}, r"memory must have shape \(2, S, 8\), one per sentence"),
        ({"d_output": np.zeros((2, 3, 7))}, r"d_output must have the shape of the output \(2, 3, 8\)"),
        ({"memory_mask": np.ones((3, 3), dtype=bool)}, r"mask must have shape \(..., 3, 4\)"),
        ({"y": np.full((2, 3, 8), 1e120)}, "the values of y must lie within"),
        ({"norm_first": 1}, "norm_first must be True or False"),
    ],
)
def test_decoder_block_gradients_refuse_bad_input(kwargs, message):
    args = {
        "y": np.zeros((2, 3, 8)),
        "memory": np.zeros((2, 4, 8)),
        "params": core.init_decoder_block(8, 2, 12, np.random.default_rng(0)),
        "d_output": np.zeros((2, 3, 8)),
    }
    args.update(kwargs)
    with pytest.raises(core.AttentionInputError, match=message):
        core.decoder_block_gradients(**args)


def test_attention_gradients_refuse_bad_input():
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    with pytest.raises(core.AttentionInputError, match="params must be MultiHeadParams"):
        core.attention_gradients(np.zeros((3, 4)), None, np.zeros((3, 4)))
    with pytest.raises(core.AttentionInputError, match="memory has width 3"):
        core.attention_gradients(np.zeros((3, 4)), params, np.zeros((3, 4)), memory=np.zeros((2, 3)))
