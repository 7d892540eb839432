"""multi_head_attention and its parameters: a naive per-head loop, properties, PyTorch parity."""

import dataclasses
import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import torch_mha

import core

RTOL, ATOL = 1e-9, 1e-12
HYPOTHESIS = settings(max_examples=50, deadline=None)
FIELDS = ("q", "k", "v", "scores", "weights", "head_outputs", "concat", "output")


def naive_multi_head(x, params, mask=None, scale=None):
    """Every field of MultiHeadResult, one head at a time, softmax row by row with math.exp."""
    H, T = params.n_heads, x.shape[0]
    d_k = params.d_k
    scale = 1.0 / math.sqrt(d_k) if scale is None else scale
    qs, ks, vs, all_scores, all_weights, heads = [], [], [], [], [], []
    for h in range(H):
        q = x @ params.w_q[h]  # (T, d_k)
        k = x @ params.w_k[h]  # (T, d_k)
        v = x @ params.w_v[h]  # (T, d_v)
        if mask is None:
            allowed = np.ones((T, T), dtype=bool)
        elif mask.ndim == 2:
            allowed = mask
        else:
            allowed = mask[h] if mask.shape[0] == H else mask[0]
        scores = np.empty((T, T))
        weights = np.zeros((T, T))
        for i in range(T):
            for j in range(T):
                dot = sum(float(q[i, a]) * float(k[j, a]) for a in range(d_k)) * scale
                scores[i, j] = dot if allowed[i, j] else -math.inf
            kept = [j for j in range(T) if allowed[i, j]]
            if kept:
                m = max(scores[i, j] for j in kept)
                exps = {j: math.exp(scores[i, j] - m) for j in kept}
                total = sum(exps.values())
                for j in kept:
                    weights[i, j] = exps[j] / total
        head = np.array([[sum(weights[i, j] * v[j, c] for j in range(T)) for c in range(v.shape[1])] for i in range(T)])
        qs.append(q)
        ks.append(k)
        vs.append(v)
        all_scores.append(scores)
        all_weights.append(weights)
        heads.append(head)
    concat = np.concatenate(heads, axis=1)  # (T, H*d_v), head h in columns h*d_v ..
    return {
        "q": np.stack(qs),
        "k": np.stack(ks),
        "v": np.stack(vs),
        "scores": np.stack(all_scores),
        "weights": np.stack(all_weights),
        "head_outputs": np.stack(heads),
        "concat": concat,
        "output": concat @ params.w_o,
    }


def make(T, D, H, seed=0, d_k=None, d_v=None):
    rng = np.random.default_rng(seed)
    params = core.init_multi_head(D, H, rng, d_k=d_k, d_v=d_v)
    x = rng.standard_normal((T, D))
    return x, params


# (T, D, H, d_k, d_v); None = the default width max(1, D // H)
CASES = [
    (1, 1, 1, None, None),
    (4, 3, 1, None, None),
    (5, 3, 2, None, None),  # H does not divide D: d_k = 1
    (3, 3, 16, None, None),  # H > D: d_k = 1
    (6, 8, 2, None, None),
    (7, 12, 4, None, None),
    (2, 5, 5, None, None),
    (5, 7, 3, None, None),
    (5, 6, 3, 4, 2),  # explicit widths, d_k != d_v
    (4, 4, 2, 1, 3),
]
CASE_IDS = [f"T{c[0]}-D{c[1]}-H{c[2]}-dk{c[3]}-dv{c[4]}" for c in CASES]


def mask_for(kind, T, H, rng):
    if kind is None:
        return None
    if kind == "causal":
        return core.causal_mask(T)
    if kind == "per_head":
        m = rng.random((H, T, T)) < 0.5
        m[:, np.arange(T), np.arange(T)] = True
        return m
    if kind == "broadcast_head":
        return core.causal_mask(T)[None]
    if kind == "empty_row":
        m = np.ones((T, T), dtype=bool)
        m[T // 2] = False
        return m
    raise AssertionError(kind)


@pytest.mark.parametrize(("T", "D", "H", "d_k", "d_v"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("mask_kind", [None, "causal", "per_head", "broadcast_head", "empty_row"])
def test_matches_naive_per_head_loop(T, D, H, d_k, d_v, mask_kind):
    x, params = make(T, D, H, seed=T * 7 + D * 3 + H, d_k=d_k, d_v=d_v)
    mask = mask_for(mask_kind, T, H, np.random.default_rng(1))
    res = core.multi_head_attention(x, params, mask=mask)
    expected = naive_multi_head(x, params, mask=mask)
    for name in FIELDS:
        got = getattr(res, name)
        assert got.shape == expected[name].shape, name
        np.testing.assert_allclose(got, expected[name], rtol=1e-12, atol=1e-13, err_msg=name)


@pytest.mark.parametrize("scale", [1.0, 0.5, 1e-12, 3.0])
@pytest.mark.parametrize(("T", "D", "H"), [(4, 6, 2), (3, 3, 16), (5, 3, 2)])
def test_matches_naive_loop_with_explicit_scale(T, D, H, scale):
    x, params = make(T, D, H, seed=5)
    res = core.multi_head_attention(x, params, scale=scale)
    expected = naive_multi_head(x, params, scale=scale)
    for name in FIELDS:
        np.testing.assert_allclose(getattr(res, name), expected[name], rtol=1e-12, atol=1e-13, err_msg=name)


@pytest.mark.parametrize(("T", "D", "H", "d_k", "d_v"), CASES, ids=CASE_IDS)
def test_shapes_and_row_sums(T, D, H, d_k, d_v):
    x, params = make(T, D, H, d_k=d_k, d_v=d_v)
    d_k, d_v = params.d_k, params.d_v
    res = core.multi_head_attention(x, params)
    assert res.q.shape == (H, T, d_k)
    assert res.k.shape == (H, T, d_k)
    assert res.v.shape == (H, T, d_v)
    assert res.scores.shape == (H, T, T)
    assert res.weights.shape == (H, T, T)
    assert res.head_outputs.shape == (H, T, d_v)
    assert res.concat.shape == (T, H * d_v)
    assert res.output.shape == (T, D)
    assert np.all(res.weights > 0)
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("T", "D", "H"), [(4, 6, 2), (6, 5, 3), (3, 3, 16)])
def test_intermediates_are_consistent(T, D, H):
    x, params = make(T, D, H, seed=2)
    res = core.multi_head_attention(x, params)
    d_v = params.d_v
    for h in range(H):
        np.testing.assert_allclose(res.q[h], x @ params.w_q[h], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(res.k[h], x @ params.w_k[h], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(res.v[h], x @ params.w_v[h], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(res.scores[h], res.q[h] @ res.k[h].T / math.sqrt(params.d_k), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(res.weights[h], core.softmax(res.scores[h]), rtol=1e-13, atol=0)
        np.testing.assert_allclose(res.head_outputs[h], res.weights[h] @ res.v[h], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(res.concat[:, h * d_v : (h + 1) * d_v], res.head_outputs[h], rtol=1e-15, atol=0)
    np.testing.assert_allclose(res.output, res.concat @ params.w_o, rtol=1e-13, atol=1e-15)


def test_single_head_with_identity_output_is_scaled_dot_product_attention():
    rng = np.random.default_rng(3)
    D = 4
    w = rng.standard_normal((3, 1, D, D))
    params = core.MultiHeadParams(w_q=w[0], w_k=w[1], w_v=w[2], w_o=np.eye(D))
    x = rng.standard_normal((5, D))
    res = core.multi_head_attention(x, params, mask=core.causal_mask(5))
    ref = core.scaled_dot_product_attention(x @ w[0, 0], x @ w[1, 0], x @ w[2, 0], mask=core.causal_mask(5))
    np.testing.assert_allclose(res.output, ref.output, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.weights[0], ref.weights, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("T", "D", "H"), [(1, 2, 1), (5, 4, 2), (8, 6, 3), (6, 3, 16)])
def test_causal_mask_zeroes_the_future_in_every_head(T, D, H):
    x, params = make(T, D, H, seed=4)
    res = core.multi_head_attention(x, params, mask=core.causal_mask(T))
    for h in range(H):
        for i in range(T):
            for j in range(T):
                if j > i:
                    assert res.weights[h, i, j] == 0.0
                    assert res.scores[h, i, j] == -np.inf
                else:
                    assert res.weights[h, i, j] > 0.0
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    # token 0 sees only itself
    np.testing.assert_allclose(res.head_outputs[:, 0], res.v[:, 0], rtol=1e-14, atol=0)


def test_causal_mask_keeps_the_past_independent_of_the_future():
    x, params = make(6, 4, 2, seed=5)
    mask = core.causal_mask(6)
    base = core.multi_head_attention(x, params, mask=mask).output
    x2 = x.copy()
    x2[4:] = 100.0
    changed = core.multi_head_attention(x2, params, mask=mask).output
    np.testing.assert_allclose(changed[:4], base[:4], rtol=1e-12, atol=1e-14)
    assert not np.allclose(changed[4:], base[4:])


def test_per_head_mask_applies_to_its_own_head():
    T, D, H = 4, 6, 3
    x, params = make(T, D, H, seed=6)
    masks = np.stack([core.causal_mask(T), np.ones((T, T), dtype=bool), np.eye(T, dtype=bool)])
    res = core.multi_head_attention(x, params, mask=masks)
    assert np.all(np.triu(res.weights[0], 1) == 0.0)
    assert np.all(res.weights[1] > 0.0)
    np.testing.assert_array_equal(res.weights[2], np.eye(T))
    np.testing.assert_allclose(res.head_outputs[2], res.v[2], rtol=1e-14, atol=0)


def test_query_with_no_allowed_key_gets_zero_weights_and_output():
    T, D, H = 4, 4, 2
    x, params = make(T, D, H, seed=7)
    mask = np.ones((H, T, T), dtype=bool)
    mask[1, 2] = False  # head 1, query 2: nothing allowed
    res = core.multi_head_attention(x, params, mask=mask)
    assert not np.isnan(res.weights).any()
    assert not np.isnan(res.output).any()
    np.testing.assert_array_equal(res.weights[1, 2], np.zeros(T))
    np.testing.assert_array_equal(res.head_outputs[1, 2], np.zeros(params.d_v))
    np.testing.assert_allclose(res.weights[0].sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.weights[1, [0, 1, 3]].sum(axis=-1), 1.0, rtol=0, atol=1e-12)


def test_everything_masked_gives_zero_output():
    x, params = make(3, 4, 2, seed=8)
    res = core.multi_head_attention(x, params, mask=np.zeros((3, 3), dtype=bool))
    np.testing.assert_array_equal(res.weights, 0.0)
    np.testing.assert_array_equal(res.output, 0.0)


def test_token_permutation_permutes_the_output_without_a_mask():
    x, params = make(6, 5, 2, seed=9)
    perm = np.array([3, 0, 5, 1, 4, 2])
    res = core.multi_head_attention(x, params)
    permuted = core.multi_head_attention(x[perm], params)
    np.testing.assert_allclose(permuted.output, res.output[perm], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(permuted.weights, res.weights[:, perm][:, :, perm], rtol=1e-11, atol=1e-15)


def test_does_not_modify_x_and_accepts_lists():
    x, params = make(3, 4, 2, seed=10)
    before = x.copy()
    res = core.multi_head_attention(x, params)
    np.testing.assert_array_equal(x, before)
    from_list = core.multi_head_attention(x.tolist(), params)
    np.testing.assert_array_equal(from_list.output, res.output)


def test_result_is_frozen():
    x, params = make(2, 2, 1)
    res = core.multi_head_attention(x, params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.output = np.zeros((2, 2))


# ---------------------------------------------------------------- PyTorch parity


TORCH_SHAPES = [(1, 1, 1), (4, 4, 1), (5, 8, 2), (7, 12, 3), (6, 16, 4), (3, 6, 6), (10, 8, 8)]


@pytest.mark.parametrize(("T", "D", "H"), TORCH_SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_matches_torch_multihead_attention(T, D, H, causal):
    x, params = make(T, D, H, seed=T + 31 * D + 97 * H)
    x *= 2.0
    mask = core.causal_mask(T) if causal else None
    res = core.multi_head_attention(x, params, mask=mask)
    out, weights = torch_mha(x, params, mask=mask)
    assert weights.shape == (H, T, T)
    np.testing.assert_allclose(res.output, out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, weights, rtol=RTOL, atol=ATOL)


def test_matches_torch_with_a_random_mask():
    T, D, H = 6, 8, 2
    x, params = make(T, D, H, seed=11)
    mask = np.random.default_rng(12).random((T, T)) < 0.5
    mask[np.arange(T), np.arange(T)] = True  # torch gives NaN for a query with no key
    res = core.multi_head_attention(x, params, mask=mask)
    out, weights = torch_mha(x, params, mask=mask)
    np.testing.assert_allclose(res.output, out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, weights, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- long inputs: the heads in blocks

# H*T*T past multi_head._BLOCK_ELEMENTS (2**18): 6 heads a block, 2 heads a block, 1 head a block
LONG_SHAPES = [(200, 16, 8), (300, 8, 4), (600, 4, 1)]


@pytest.mark.parametrize(("T", "D", "H"), LONG_SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_long_inputs_match_torch(T, D, H, causal):
    x, params = make(T, D, H, seed=T + H)
    mask = core.causal_mask(T) if causal else None
    res = core.multi_head_attention(x, params, mask=mask)
    out, weights = torch_mha(x, params, mask=mask)
    np.testing.assert_allclose(res.output, out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, weights, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("block", [1, 30, 64, 100])  # scores per block: less than a head, 1-2 heads, ...
@pytest.mark.parametrize("mask_kind", [None, "causal", "per_head", "empty_row"])
@pytest.mark.parametrize("magnitude", [1.0, 40.0])  # both softmax forms, see test_both_softmax_forms_are_used
def test_blocks_give_the_same_bits_as_one_block(block, mask_kind, magnitude, monkeypatch):
    T, D, H = 5, 6, 3
    x, params = make(T, D, H, seed=23)
    x *= magnitude
    mask = mask_for(mask_kind, T, H, np.random.default_rng(2))
    whole = core.multi_head_attention(x, params, mask=mask)
    monkeypatch.setattr(core.multi_head, "_BLOCK_ELEMENTS", block)
    blocked = core.multi_head_attention(x, params, mask=mask)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name), err_msg=name)


# ---------------------------------------------------------------- the two forms of the softmax


def softmax_spy(monkeypatch):
    """Counts the calls of multi_head's two softmax forms: (shifted by the row max, unshifted)."""
    calls = {"shifted": 0, "bounded": 0}
    shifted, bounded = core.multi_head._softmax, core.multi_head._softmax_bounded

    def count(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(core.multi_head, "_softmax", count("shifted", shifted))
    monkeypatch.setattr(core.multi_head, "_softmax_bounded", count("bounded", bounded))
    return calls


@pytest.mark.parametrize(("magnitude", "form"), [(1.0, "bounded"), (3.0, "bounded"), (40.0, "shifted")])
@pytest.mark.parametrize("mask_kind", [None, "causal", "per_head", "empty_row"])
def test_both_softmax_forms_are_used_and_match_the_naive_loop(magnitude, form, mask_kind, monkeypatch):
    # The shift by the row max is skipped when every |score| <= attention.EXP_SAFE is guaranteed
    # by the projections' peak; large x (scores of thousands) takes the shifted form.
    T, D, H = 6, 8, 2
    x, params = make(T, D, H, seed=24)
    x *= magnitude
    mask = mask_for(mask_kind, T, H, np.random.default_rng(3))
    calls = softmax_spy(monkeypatch)
    res = core.multi_head_attention(x, params, mask=mask)
    assert calls == {"shifted": int(form == "shifted"), "bounded": int(form == "bounded")}
    expected = naive_multi_head(x, params, mask=mask)
    big = 1.0 + np.abs(expected["scores"][np.isfinite(expected["scores"])]).max()
    for name in FIELDS:
        np.testing.assert_allclose(getattr(res, name), expected[name], rtol=1e-12, atol=1e-13 * big, err_msg=name)
    if mask_kind == "empty_row":
        np.testing.assert_array_equal(res.weights[:, T // 2], 0.0)


@pytest.mark.parametrize("scale", [1.0, 2.0, 1e-3])
def test_the_softmax_bound_holds_for_the_scores_it_admits(scale, monkeypatch):
    # Inputs right at the bound: the unshifted form is taken and every exp() stays finite and > 0.
    T, D, H = 8, 4, 1
    x, params = make(T, D, H, seed=25)
    qkv = x @ params.w_qkv
    peak = np.abs(qkv).max()
    d_k = params.d_k
    x *= math.sqrt(core.attention.EXP_SAFE / (d_k * abs(scale))) / peak * (1 - 1e-9)  # peak² d_k |scale| just below
    calls = softmax_spy(monkeypatch)
    res = core.multi_head_attention(x, params, scale=scale)
    assert calls["bounded"] == 1
    assert np.abs(res.scores).max() <= core.attention.EXP_SAFE
    assert np.all(res.weights > 0.0)
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.weights, core.softmax(res.scores), rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("D", "H", "width"), [(8, 2, 4), (8, 3, 2), (3, 2, 1), (3, 16, 1), (1, 1, 1), (5, 5, 1), (12, 5, 2), (7, 1, 7)]
)
def test_default_head_width(D, H, width):
    assert core.default_head_width(D, H) == width
    params = core.init_multi_head(D, H, np.random.default_rng(0))
    assert params.d_k == params.d_v == width == max(1, D // H)
    assert params.n_heads == H
    assert params.d_model == D
    assert params.w_q.shape == params.w_k.shape == (H, D, width)
    assert params.w_v.shape == (H, D, width)
    assert params.w_o.shape == (H * width, D)


@pytest.mark.parametrize(("D", "H", "d_k", "d_v"), [(4, 2, 3, 5), (3, 16, 2, 1), (6, 3, 1, 1)])
def test_init_with_explicit_widths(D, H, d_k, d_v):
    params = core.init_multi_head(D, H, np.random.default_rng(0), d_k=d_k, d_v=d_v)
    assert (params.d_k, params.d_v) == (d_k, d_v)
    assert params.w_q.shape == params.w_k.shape == (H, D, d_k)
    assert params.w_v.shape == (H, D, d_v)
    assert params.w_o.shape == (H * d_v, D)


@pytest.mark.parametrize(("D", "H", "d_k", "d_v"), [(4, 2, None, None), (3, 16, None, None), (5, 2, 3, 4)])
def test_init_draw_order_is_wq_wk_wv_wo(D, H, d_k, d_v):
    seed = 1234
    params = core.init_multi_head(D, H, np.random.default_rng(seed), d_k=d_k, d_v=d_v)
    dk = max(1, D // H) if d_k is None else d_k
    dv = max(1, D // H) if d_v is None else d_v
    rng = np.random.default_rng(seed)
    w_q = rng.normal(0.0, 1.0 / math.sqrt(D), size=(H, D, dk))
    w_k = rng.normal(0.0, 1.0 / math.sqrt(D), size=(H, D, dk))
    w_v = rng.normal(0.0, 1.0 / math.sqrt(D), size=(H, D, dv))
    w_o = rng.normal(0.0, 1.0 / math.sqrt(H * dv), size=(H * dv, D))
    np.testing.assert_array_equal(params.w_q, w_q)
    np.testing.assert_array_equal(params.w_k, w_k)
    np.testing.assert_array_equal(params.w_v, w_v)
    np.testing.assert_array_equal(params.w_o, w_o)


def test_init_is_reproducible_and_depends_on_the_seed():
    a = core.init_multi_head(6, 2, np.random.default_rng(42))
    b = core.init_multi_head(6, 2, np.random.default_rng(42))
    c = core.init_multi_head(6, 2, np.random.default_rng(43))
    for name in ("w_q", "w_k", "w_v", "w_o"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    # the four matrices are distinct draws, not one draw reused
    assert not np.array_equal(a.w_q, a.w_k)
    assert not np.array_equal(a.w_k, a.w_v)


def test_init_standard_deviation_is_one_over_sqrt_fan_in():
    D, H = 64, 4
    params = core.init_multi_head(D, H, np.random.default_rng(0))
    for w in (params.w_q, params.w_k, params.w_v):
        np.testing.assert_allclose(w.std(), 1.0 / math.sqrt(D), rtol=0.05)
    np.testing.assert_allclose(params.w_o.std(), 1.0 / math.sqrt(H * params.d_v), rtol=0.05)


def test_params_arrays_are_read_only_copies():
    rng = np.random.default_rng(0)
    w_q, w_k, w_v = rng.standard_normal((3, 2, 4, 2))
    w_o = rng.standard_normal((4, 4))
    params = core.MultiHeadParams(w_q=w_q, w_k=w_k, w_v=w_v, w_o=w_o)
    for name in ("w_q", "w_k", "w_v", "w_o"):
        arr = getattr(params, name)
        assert arr.dtype == np.float64
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[(0,) * arr.ndim] = 1.0
    original = params.w_q.copy()
    w_q[0, 0, 0] += 1.0  # the caller's array is not shared
    np.testing.assert_array_equal(params.w_q, original)


def test_params_accept_lists_and_ints():
    params = core.MultiHeadParams(w_q=[[[1], [0]]], w_k=[[[0], [1]]], w_v=[[[1], [1]]], w_o=[[2, 3]])
    assert params.w_q.dtype == np.float64
    assert (params.n_heads, params.d_model, params.d_k, params.d_v) == (1, 2, 1, 1)
    res = core.multi_head_attention([[1.0, 0.0]], params)
    np.testing.assert_allclose(res.output, [[2.0, 3.0]], rtol=1e-15)


@pytest.mark.parametrize("name", ["w_q", "w_k", "w_v", "w_o", "n_heads"])
def test_params_are_frozen(name):
    params = core.init_multi_head(4, 2, np.random.default_rng(0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(params, name, np.zeros(1))


# ---------------------------------------------------------------- hypothesis


@st.composite
def mha_inputs(draw):
    T = draw(st.integers(1, 12))
    D = draw(st.integers(1, 10))
    H = draw(st.integers(1, 6))
    x = draw(hnp.arrays(np.float64, (T, D), elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)))
    seed = draw(st.integers(0, 2**32 - 1))
    causal = draw(st.booleans())
    return x, core.init_multi_head(D, H, np.random.default_rng(seed)), causal


@HYPOTHESIS
@given(inputs=mha_inputs())
def test_hypothesis_properties(inputs):
    x, params, causal = inputs
    (T, D), H, d_v = x.shape, params.n_heads, params.d_v
    res = core.multi_head_attention(x, params, mask=core.causal_mask(T) if causal else None)
    assert res.weights.shape == (H, T, T)
    assert res.head_outputs.shape == (H, T, d_v)
    assert res.concat.shape == (T, H * d_v)
    assert res.output.shape == (T, D)
    for name in FIELDS:
        if name != "scores":
            assert np.all(np.isfinite(getattr(res, name))), name
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    if causal:
        assert np.all(np.triu(res.weights, 1) == 0.0)
        rows, cols = np.triu_indices(T, 1)
        assert np.all(np.isneginf(res.scores[:, rows, cols]))
    else:
        assert np.all(np.isfinite(res.scores))


@HYPOTHESIS
@given(inputs=mha_inputs())
def test_hypothesis_matches_naive_loop(inputs):
    x, params, causal = inputs
    mask = core.causal_mask(x.shape[0]) if causal else None
    res = core.multi_head_attention(x, params, mask=mask)
    expected = naive_multi_head(x, params, mask=mask)
    finite = np.isfinite(expected["scores"])
    big = 1.0 + np.abs(expected["scores"][finite]).max()
    vbig = 1.0 + np.abs(expected["v"]).max()
    w_tol = 1e-15 * big + 1e-12  # a rounding of ~1e-16 * |score| moves a weight by that much, relatively
    for name in ("q", "k", "v", "scores"):
        np.testing.assert_allclose(getattr(res, name), expected[name], rtol=1e-12, atol=1e-12 * big, err_msg=name)
    np.testing.assert_allclose(res.weights, expected["weights"], rtol=w_tol, atol=1e-300)
    np.testing.assert_allclose(res.head_outputs, expected["head_outputs"], rtol=1e-9, atol=10 * w_tol * vbig)
    np.testing.assert_allclose(res.concat, expected["concat"], rtol=1e-9, atol=10 * w_tol * vbig)
    obig = vbig * (1.0 + np.abs(params.w_o).sum(axis=0).max())
    np.testing.assert_allclose(res.output, expected["output"], rtol=1e-9, atol=10 * w_tol * obig)


def test_the_result_carries_its_scale_and_each_heads_unscaled_logits():
    rng = np.random.default_rng(3)
    params = core.init_multi_head(8, 2, rng)
    x = rng.standard_normal((5, 8))
    mask = core.causal_mask(5)
    res = core.multi_head_attention(x, params, mask=mask, scale=0.3)
    assert res.scale == 0.3
    for h in range(2):
        logits = res.logits(h)
        np.testing.assert_allclose(logits, res.q[h] @ res.k[h].T, rtol=1e-15)
        np.testing.assert_allclose(np.where(mask, logits * 0.3, -np.inf), res.scores[h], rtol=1e-13)
    assert core.multi_head_attention(x, params).scale == 1 / np.sqrt(params.d_k)
    with pytest.raises(core.AttentionInputError, match="head must be a whole number from 0 to 1"):
        res.logits(2)


@pytest.mark.parametrize(
    ("d_k", "scaled", "temperature", "expected"), [(64, True, 1.0, 0.125), (4, True, 2.0, 0.25), (9, False, 0.5, 2.0)]
)
def test_attention_scale_is_one_over_tau_sqrt_d_k(d_k, scaled, temperature, expected):
    assert core.attention_scale(d_k, scaled=scaled, temperature=temperature) == expected


@pytest.mark.parametrize("bad", [{"d_k": 0}, {"d_k": 4, "temperature": 0.0}, {"d_k": 4, "temperature": float("nan")}])
def test_attention_scale_refuses_what_is_no_width_or_temperature(bad):
    with pytest.raises(core.AttentionInputError):
        core.attention_scale(**bad)
