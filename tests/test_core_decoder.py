"""Cross-attention, decoder_block and the stacks: PyTorch parity, Add & Norm identities, properties, bad input."""

import dataclasses

import numpy as np
import pytest
from torch_decoder_reference import (
    torch_cross_attention,
    torch_decoder_layer,
    torch_decoder_stack,
    torch_encoder_stack,
)

import core

RTOL, ATOL = 1e-9, 1e-12
ORDERS = pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
ARRAY_FIELDS = ("residual1", "norm1", "residual2", "norm2", "residual3", "norm3", "output")


def affine_norm(rng, D):
    return core.LayerNormParams(gamma=rng.uniform(0.5, 2.0, D), beta=rng.normal(0.0, 0.5, D))


def make_decoder(T, S, D, H, F, seed=0, affine=True):
    """y (T, D), memory (S, D) and decoder block parameters (trained-looking norms unless ``affine=False``)."""
    rng = np.random.default_rng(seed)
    params = core.init_decoder_block(D, H, F, rng)
    if affine:
        params = dataclasses.replace(
            params, norm1=affine_norm(rng, D), norm2=affine_norm(rng, D), norm3=affine_norm(rng, D)
        )
    return rng.standard_normal((T, D)) * 2.0, rng.standard_normal((S, D)) * 1.5, params


def random_mask(rng, shape):
    """A bool mask with at least one allowed key per query (torch gives NaN for a query without keys)."""
    mask = rng.random(shape) < 0.5
    mask[..., 0] = True
    return mask


def memory_mask_for(kind, T, S, H, seed=1):
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    return random_mask(rng, (T, S) if kind == "shared" else (H, T, S))


# ---------------------------------------------------------------- cross-attention

# (T, S, D, H): queries and keys of different lengths
CROSS_SHAPES = [(1, 1, 2, 1), (3, 5, 4, 2), (6, 2, 8, 4), (7, 9, 12, 3), (5, 5, 16, 8)]


@pytest.mark.parametrize(
    ("T", "S", "D", "H"), CROSS_SHAPES, ids=[f"T{T}-S{S}-D{D}-H{H}" for T, S, D, H in CROSS_SHAPES]
)
@pytest.mark.parametrize("mask_kind", [None, "shared", "per-head"])
def test_cross_attention_matches_torch_multihead_attention(T, S, D, H, mask_kind):
    rng = np.random.default_rng(T + 10 * S + 100 * D + H)
    params = core.init_multi_head(D, H, rng)
    x, memory = rng.standard_normal((T, D)), rng.standard_normal((S, D)) * 2.0
    mask = memory_mask_for(mask_kind, T, S, H)
    res = core.multi_head_attention(x, params, mask=mask, memory=memory)
    out, weights = torch_cross_attention(x, memory, params, mask=mask)
    assert res.weights.shape == (H, T, S)
    assert res.q.shape == (H, T, params.d_k) and res.k.shape == (H, S, params.d_k) and res.v.shape == (H, S, params.d_v)
    np.testing.assert_allclose(res.output, out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, weights, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(res.logits(H - 1), res.q[H - 1] @ res.k[H - 1].T, rtol=1e-12)


@pytest.mark.parametrize("masked", [False, True])
def test_cross_attention_on_its_own_input_is_self_attention(masked):
    rng = np.random.default_rng(3)
    params = core.init_multi_head(8, 2, rng)
    x = rng.standard_normal((6, 8))
    mask = core.causal_mask(6) if masked else None
    cross = core.multi_head_attention(x, params, mask=mask, memory=x)
    self_ = core.multi_head_attention(x, params, mask=mask)
    for name in ("q", "k", "v", "scores", "weights", "head_outputs", "concat", "output"):
        np.testing.assert_allclose(getattr(cross, name), getattr(self_, name), rtol=1e-13, atol=1e-15, err_msg=name)


def test_cross_attention_weights_do_not_depend_on_the_values_and_a_masked_source_word_gets_no_weight():
    rng = np.random.default_rng(4)
    params = core.init_multi_head(8, 2, rng)
    x, memory = rng.standard_normal((3, 8)), rng.standard_normal((5, 8))
    mask = np.ones((3, 5), dtype=bool)
    mask[:, 2] = False
    res = core.multi_head_attention(x, params, mask=mask, memory=memory)
    np.testing.assert_array_equal(res.weights[:, :, 2], 0.0)
    # a masked source word changes nothing
    moved = memory.copy()
    moved[2] += 10.0
    np.testing.assert_allclose(
        core.multi_head_attention(x, params, mask=mask, memory=moved).output, res.output, rtol=1e-12
    )


def test_cross_attention_query_without_keys_gets_zero_weights():
    rng = np.random.default_rng(5)
    params = core.init_multi_head(4, 2, rng)
    mask = np.ones((2, 3), dtype=bool)
    mask[1] = False
    res = core.multi_head_attention(rng.standard_normal((2, 4)), params, mask=mask, memory=rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(res.weights[:, 1], 0.0)
    np.testing.assert_array_equal(res.head_outputs[:, 1], 0.0)


@pytest.mark.parametrize(
    ("memory", "mask", "message"),
    [
        (np.zeros((3, 5)), None, "memory has width 5, but the heads were built for d_model=4"),
        (np.zeros((0, 4)), None, "memory must hold at least one token"),
        (np.zeros(4), None, "memory must have 2 axes"),
        (np.full((3, 4), np.nan), None, "memory must hold finite numbers only"),
        (np.zeros((3, 4)), np.ones((2, 2), dtype=bool), r"mask must have shape \(..., 2, 3\)"),
        (np.zeros((3, 4)), np.ones((3, 2, 3), dtype=bool), r"mask must have shape \(2, 3\) or \(2, 2, 3\)"),
    ],
)
def test_cross_attention_refuses_bad_memory_and_masks(memory, mask, message):
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    with pytest.raises(core.AttentionInputError, match=message):
        core.multi_head_attention(np.zeros((2, 4)), params, mask=mask, memory=memory)


def test_cross_attention_refuses_memory_whose_scores_would_overflow():
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    with pytest.raises(core.AttentionInputError, match="would overflow float64"):
        core.multi_head_attention(np.full((2, 4), 1e160), params, memory=np.full((3, 4), 1e160))


# ---------------------------------------------------------------- the decoder block against torch

# (T, S, D, H, F); d_model divisible by n_heads, as torch needs
DECODER_SHAPES = [(1, 1, 2, 1, 4), (4, 6, 8, 2, 16), (7, 3, 12, 3, 24), (6, 8, 16, 4, 32), (5, 5, 8, 8, 10)]
DECODER_IDS = [f"T{T}-S{S}-D{D}-H{H}-F{F}" for T, S, D, H, F in DECODER_SHAPES]


@pytest.mark.parametrize(("T", "S", "D", "H", "F"), DECODER_SHAPES, ids=DECODER_IDS)
@pytest.mark.parametrize("causal", [False, True], ids=["no-self-mask", "causal"])
@pytest.mark.parametrize("memory_kind", [None, "shared", "per-head"], ids=["no-memory-mask", "memory-mask", "per-head"])
@ORDERS
def test_decoder_block_matches_torch_decoder_layer(T, S, D, H, F, causal, memory_kind, norm_first):
    y, memory, params = make_decoder(T, S, D, H, F, seed=T + 7 * S + 31 * D + 97 * H)
    self_mask = core.causal_mask(T) if causal else None
    memory_mask = memory_mask_for(memory_kind, T, S, H)
    res = core.decoder_block(y, memory, params, self_mask=self_mask, memory_mask=memory_mask, norm_first=norm_first)
    expected = torch_decoder_layer(y, memory, params, self_mask, memory_mask, norm_first=norm_first)
    assert res.output.shape == (T, D)
    assert res.cross_attention.weights.shape == (H, T, S)
    assert res.self_attention.weights.shape == (H, T, T)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.5])
@ORDERS
def test_decoder_block_matches_torch_with_another_eps_and_default_norms(eps, norm_first):
    y, memory, params = make_decoder(5, 4, 8, 2, 12, seed=9, affine=False)
    res = core.decoder_block(y, memory, params, self_mask=core.causal_mask(5), norm_first=norm_first, eps=eps)
    expected = torch_decoder_layer(y, memory, params, core.causal_mask(5), norm_first=norm_first, eps=eps)
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


def test_decoder_block_with_a_per_head_self_mask_matches_torch():
    T, S, D, H, F = 5, 3, 8, 2, 12
    y, memory, params = make_decoder(T, S, D, H, F, seed=12)
    self_mask = random_mask(np.random.default_rng(13), (H, T, T))
    for norm_first in (False, True):
        res = core.decoder_block(y, memory, params, self_mask=self_mask, norm_first=norm_first)
        expected = torch_decoder_layer(y, memory, params, self_mask, norm_first=norm_first)
        np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- the decoder block's intermediates


@ORDERS
def test_decoder_block_intermediates_follow_the_formulas(norm_first):
    T, S, D, H, F = 6, 4, 8, 2, 16
    y, memory, params = make_decoder(T, S, D, H, F, seed=21)
    scale = 0.6
    self_mask, memory_mask = core.causal_mask(T), random_mask(np.random.default_rng(22), (T, S))
    res = core.decoder_block(y, memory, params, self_mask, memory_mask, scale=scale, norm_first=norm_first)

    def ln(z, norm):
        return core.layer_norm(z, norm.gamma, norm.beta)

    def mha(z, p, mask, mem=None):
        return core.multi_head_attention(z, p, mask=mask, scale=scale, memory=mem)

    sa_in = ln(y, params.norm1) if norm_first else y
    sa = mha(sa_in, params.self_attention, self_mask)
    np.testing.assert_allclose(res.self_attention.weights, sa.weights, rtol=1e-13)
    np.testing.assert_allclose(res.residual1, y + sa.output, rtol=1e-13)
    h = res.residual1 if norm_first else ln(res.residual1, params.norm1)
    ca_in = ln(h, params.norm2) if norm_first else h
    ca = mha(ca_in, params.cross_attention, memory_mask, memory)
    np.testing.assert_allclose(res.cross_attention.weights, ca.weights, rtol=1e-13)
    np.testing.assert_allclose(res.residual2, h + ca.output, rtol=1e-13)
    h2 = res.residual2 if norm_first else ln(res.residual2, params.norm2)
    ff_in = ln(h2, params.norm3) if norm_first else h2
    ff = core.feed_forward(ff_in, params.feed_forward)
    np.testing.assert_allclose(res.feed_forward.output, ff.output, rtol=1e-13)
    np.testing.assert_allclose(res.residual3, h2 + ff.output, rtol=1e-13)
    for i in (1, 2, 3):
        expected = [sa_in, ca_in, ff_in][i - 1] if norm_first else [h, h2, None][i - 1]
        if expected is not None:
            np.testing.assert_allclose(getattr(res, f"norm{i}"), expected, rtol=1e-13, err_msg=f"norm{i}")
    assert res.output is (res.residual3 if norm_first else res.norm3)
    assert res.norm_first is norm_first
    for name in ARRAY_FIELDS:
        assert getattr(res, name).shape == (T, D), name


@ORDERS
def test_with_a_causal_mask_a_target_word_never_changes_an_earlier_output(norm_first):
    T, S, D, H, F = 6, 4, 8, 2, 16
    y, memory, params = make_decoder(T, S, D, H, F, seed=31)
    base = core.decoder_block(y, memory, params, self_mask=core.causal_mask(T), norm_first=norm_first)
    changed = y.copy()
    changed[4:] += 5.0
    res = core.decoder_block(changed, memory, params, self_mask=core.causal_mask(T), norm_first=norm_first)
    np.testing.assert_allclose(res.output[:4], base.output[:4], rtol=1e-12)
    assert not np.allclose(res.output[4:], base.output[4:])
    # and every output depends on the memory
    moved = core.decoder_block(y, memory + 1.0, params, self_mask=core.causal_mask(T), norm_first=norm_first)
    assert not np.allclose(moved.output, base.output, rtol=1e-6, atol=0)


def test_post_norm_outputs_are_normalised_rows_and_memory_is_used_as_it_comes():
    y, memory, params = make_decoder(4, 3, 8, 2, 16, seed=41, affine=False)
    res = core.decoder_block(y, memory, params)
    np.testing.assert_allclose(res.output.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(res.output.var(axis=-1), 1.0, rtol=1e-4)
    # the decoder does not normalise the memory: a layer norm would undo a scale, the keys do not
    scaled = core.decoder_block(y, memory * 3.0, params)
    assert not np.allclose(scaled.cross_attention.weights, res.cross_attention.weights)


def test_init_decoder_block_draws_self_attention_cross_attention_then_feed_forward():
    D, H, F = 8, 2, 12
    params = core.init_decoder_block(D, H, F, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    sa, ca, ff = core.init_multi_head(D, H, rng), core.init_multi_head(D, H, rng), core.init_feed_forward(D, F, rng)
    for got, want in ((params.self_attention, sa), (params.cross_attention, ca)):
        for name in ("w_q", "w_k", "w_v", "w_o"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
    np.testing.assert_array_equal(params.feed_forward.w2, ff.w2)
    for norm in (params.norm1, params.norm2, params.norm3):
        np.testing.assert_array_equal(norm.gamma, 1.0)
        np.testing.assert_array_equal(norm.beta, 0.0)
    assert (params.d_model, params.n_heads, params.d_ff) == (D, H, F)
    assert not params.self_attention.w_q.flags.writeable


# ---------------------------------------------------------------- stacks against torch


@pytest.mark.parametrize("n_layers", [1, 2, 3])
@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "masked"])
@ORDERS
def test_encoder_stack_matches_torch_transformer_encoder(n_layers, masked, norm_first):
    S, D, H, F = 6, 8, 2, 16
    rng = np.random.default_rng(50 + n_layers)
    layers = [core.init_encoder_block(D, H, F, rng) for _ in range(n_layers)]
    layers = [dataclasses.replace(p, norm1=affine_norm(rng, D), norm2=affine_norm(rng, D)) for p in layers]
    x = rng.standard_normal((S, D)) * 2.0
    mask = random_mask(rng, (S, S)) if masked else None
    res = core.encoder_stack(x, layers, mask=mask, norm_first=norm_first)
    expected = torch_encoder_stack(x, layers, mask=mask, norm_first=norm_first)
    assert len(res.layers) == n_layers
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)
    # each block runs on the previous block's output
    inp = x
    for layer, block in zip(layers, res.layers, strict=True):
        np.testing.assert_allclose(block.output, core.encoder_block(inp, layer, mask, norm_first=norm_first).output)
        inp = block.output
    assert res.output is res.layers[-1].output


@pytest.mark.parametrize("n_layers", [1, 2, 3])
@pytest.mark.parametrize("masked", [False, True], ids=["no-masks", "masked"])
@ORDERS
def test_decoder_stack_matches_torch_transformer_decoder(n_layers, masked, norm_first):
    T, S, D, H, F = 5, 7, 8, 4, 12
    rng = np.random.default_rng(60 + n_layers)
    layers = [core.init_decoder_block(D, H, F, rng) for _ in range(n_layers)]
    layers = [
        dataclasses.replace(p, norm1=affine_norm(rng, D), norm2=affine_norm(rng, D), norm3=affine_norm(rng, D))
        for p in layers
    ]
    y, memory = rng.standard_normal((T, D)) * 2.0, rng.standard_normal((S, D))
    self_mask = core.causal_mask(T) if masked else None
    memory_mask = random_mask(rng, (T, S)) if masked else None
    res = core.decoder_stack(y, memory, layers, self_mask, memory_mask, norm_first=norm_first)
    expected = torch_decoder_stack(y, memory, layers, self_mask, memory_mask, norm_first=norm_first)
    assert len(res.layers) == n_layers
    np.testing.assert_allclose(res.output, expected, rtol=RTOL, atol=ATOL)
    inp = y
    for layer, block in zip(layers, res.layers, strict=True):
        one = core.decoder_block(inp, memory, layer, self_mask, memory_mask, norm_first=norm_first)
        np.testing.assert_allclose(block.output, one.output)
        np.testing.assert_allclose(block.cross_attention.weights, one.cross_attention.weights)
        inp = block.output
    assert res.output is res.layers[-1].output


def test_a_stack_takes_a_scale_for_every_block():
    rng = np.random.default_rng(70)
    layers = [core.init_decoder_block(8, 2, 8, rng) for _ in range(2)]
    y, memory = rng.standard_normal((3, 8)), rng.standard_normal((4, 8))
    res = core.decoder_stack(y, memory, layers, scale=0.3)
    assert all(b.self_attention.scale == 0.3 and b.cross_attention.scale == 0.3 for b in res.layers)
    enc = core.encoder_stack(memory, [core.init_encoder_block(8, 2, 8, rng)], scale=0.3)
    assert enc.layers[0].attention.scale == 0.3


# ---------------------------------------------------------------- bad input


def test_decoder_block_params_refuse_parts_of_other_widths_and_kinds():
    rng = np.random.default_rng(0)
    p = core.init_decoder_block(8, 2, 12, rng)
    with pytest.raises(core.AttentionInputError, match="cross_attention was built for d_model=4, but self_attention"):
        dataclasses.replace(p, cross_attention=core.init_multi_head(4, 2, rng))
    with pytest.raises(core.AttentionInputError, match="norm3 must be LayerNormParams"):
        dataclasses.replace(p, norm3=np.ones(8))
    with pytest.raises(core.AttentionInputError, match="self_attention must be MultiHeadParams"):
        dataclasses.replace(p, self_attention=p.feed_forward)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": np.zeros((3, 5))}, "y has width 5, but the decoder block was built for d_model=8"),
        ({"memory": np.zeros((4, 6))}, "memory has width 6, but the heads were built for d_model=8"),
        ({"y": np.zeros((0, 8))}, "y must hold at least one token"),
        ({"self_mask": np.ones((3, 4), dtype=bool)}, r"mask must have shape \(..., 3, 3\)"),
        ({"memory_mask": np.ones((3, 3), dtype=bool)}, r"mask must have shape \(..., 3, 4\)"),
        ({"memory_mask": np.ones((3, 4))}, "mask must be a bool array"),
        ({"scale": -1.0}, "scale must be positive"),
        ({"norm_first": "yes"}, "norm_first must be True or False"),
        ({"eps": 0.0}, "eps must be a finite number > 0"),
        ({"params": core.init_encoder_block(8, 2, 12, np.random.default_rng(0))}, "params must be DecoderBlockParams"),
    ],
)
def test_decoder_block_refuses_bad_input(kwargs, message):
    args = {
        "y": np.zeros((3, 8)),
        "memory": np.zeros((4, 8)),
        "params": core.init_decoder_block(8, 2, 12, np.random.default_rng(0)),
    }
    args.update(kwargs)
    with pytest.raises(core.AttentionInputError, match=message):
        core.decoder_block(**args)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([], "layers must hold at least one block"),
        ("abc", "layers must be a list of"),
        (None, "layers must be a list of"),
        ("encoder-block", "layers must be a list of"),
        ("mixed-widths", r"layers\[1\] was built for d_model=4, but layers\[0\] for d_model=8"),
        ("wrong-kind", r"layers\[0\] must be"),
    ],
)
def test_stacks_refuse_bad_layers(layers, message):
    rng = np.random.default_rng(0)
    enc = [core.init_encoder_block(8, 2, 12, rng), core.init_encoder_block(4, 2, 12, rng)]
    dec = [core.init_decoder_block(8, 2, 12, rng), core.init_decoder_block(4, 2, 12, rng)]
    cases = {"encoder-block": (enc[0], dec[0]), "mixed-widths": (enc, dec), "wrong-kind": (dec, enc)}
    enc_layers, dec_layers = cases.get(layers, (layers, layers)) if isinstance(layers, str) else (layers, layers)
    with pytest.raises(core.AttentionInputError, match=message):
        core.encoder_stack(np.zeros((3, 8)), enc_layers)
    with pytest.raises(core.AttentionInputError, match=message):
        core.decoder_stack(np.zeros((3, 8)), np.zeros((2, 8)), dec_layers)


def test_a_per_head_mask_must_fit_every_layer_of_a_stack():
    rng = np.random.default_rng(0)
    layers = [core.init_encoder_block(8, 2, 12, rng), core.init_encoder_block(8, 4, 12, rng)]
    with pytest.raises(core.AttentionInputError, match=r"mask must have shape \(3, 3\) or \(4, 3, 3\)"):
        core.encoder_stack(np.zeros((3, 8)), layers, mask=np.ones((2, 3, 3), dtype=bool))
