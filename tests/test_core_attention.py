"""softmax, causal_mask and scaled_dot_product_attention: properties, a naive reference, PyTorch parity."""

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import torch_attention_weights, torch_sdpa, torch_softmax

import core

RTOL, ATOL = 1e-9, 1e-12
HYPOTHESIS = settings(max_examples=50, deadline=None)
FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def rand(rng, *shape):
    return rng.standard_normal(shape)


def naive_softmax_row(row):
    """One slice, with math.exp; -inf is excluded, an all -inf slice gives zeros."""
    finite = [s for s in row if s != -math.inf]
    if not finite:
        return [0.0] * len(row)
    m = max(finite)
    exps = [math.exp(s - m) if s != -math.inf else 0.0 for s in row]
    total = sum(exps)
    return [e / total for e in exps]


def naive_attention(q, k, v, mask=None, scale=None):
    """(scores, weights, output) for 2-D q (T, d_k), k (S, d_k), v (S, d_v), with Python loops."""
    T, d_k = q.shape
    S, d_v = v.shape
    scale = 1.0 / math.sqrt(d_k) if scale is None else scale
    scores = np.empty((T, S))
    weights = np.empty((T, S))
    output = np.empty((T, d_v))
    for i in range(T):
        for j in range(S):
            dot = sum(float(q[i, a]) * float(k[j, a]) for a in range(d_k)) * scale
            scores[i, j] = dot if mask is None or mask[i, j] else -math.inf
        weights[i] = naive_softmax_row(list(scores[i]))
        for c in range(d_v):
            output[i, c] = sum(weights[i, j] * float(v[j, c]) for j in range(S))
    return scores, weights, output


# ---------------------------------------------------------------- softmax


@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 3, 7), (4, 1)])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_sums_to_one_along_axis(shape, axis):
    x = rand(np.random.default_rng(0), *shape) * 5
    out = core.softmax(x, axis=axis)
    assert out.shape == x.shape
    assert out.dtype == np.float64
    assert np.all(out > 0)
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=0, atol=1e-12)


def test_softmax_matches_math_exp_row_by_row():
    x = rand(np.random.default_rng(1), 4, 6) * 3
    expected = np.array([naive_softmax_row(list(row)) for row in x])
    np.testing.assert_allclose(core.softmax(x), expected, rtol=1e-13, atol=0)


def test_softmax_axis_zero_normalises_columns():
    x = rand(np.random.default_rng(2), 3, 5)
    np.testing.assert_allclose(core.softmax(x, axis=0), core.softmax(x.T, axis=-1).T, rtol=1e-14, atol=0)


@pytest.mark.parametrize("shift", [-1e4, -37.5, -1.0, 0.0, 2.5, 700.0, 1e5])
def test_softmax_shift_invariance(shift):
    x = rand(np.random.default_rng(3), 3, 5) * 4
    np.testing.assert_allclose(core.softmax(x + shift), core.softmax(x), rtol=1e-9, atol=1e-15)


def test_softmax_shift_invariance_per_row():
    x = rand(np.random.default_rng(4), 4, 3)
    shifts = np.array([[-500.0], [0.0], [3.0], [800.0]])  # beyond exp's range for the naive formula
    np.testing.assert_allclose(core.softmax(x + shifts), core.softmax(x), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([1e6, -1e6, 0.0], [1.0, 0.0, 0.0]),
        ([1e6, 1e6], [0.5, 0.5]),
        ([-1e6, -1e6], [0.5, 0.5]),
        ([-1e6, -1e6 + math.log(3.0)], [0.25, 0.75]),
        ([1e6, 1e6 - math.log(3.0), -1e6], [0.75, 0.25, 0.0]),
    ],
)
def test_softmax_finite_at_large_inputs(x, expected):
    out = core.softmax(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-300)


@pytest.mark.filterwarnings("ignore:overflow encountered in subtract:RuntimeWarning")  # -1.7e308 - 1.7e308 = -inf
def test_softmax_extreme_finite_inputs_stay_finite():
    out = core.softmax([1.7e308, -1.7e308, 0.0])
    np.testing.assert_array_equal(out, [1.0, 0.0, 0.0])


def test_softmax_all_minus_inf_slice_gives_zeros_not_nan():
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, -np.inf, 0.0], [2.0, 1.0, -np.inf]])
    out = core.softmax(x)
    assert not np.isnan(out).any()
    np.testing.assert_array_equal(out[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(out[1], [0.5, 0.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(out[2], [math.e / (math.e + 1), 1 / (math.e + 1), 0.0], rtol=1e-14)


def test_softmax_all_minus_inf_column_gives_zeros():
    x = np.array([[-np.inf, 1.0], [-np.inf, 1.0]])
    np.testing.assert_array_equal(core.softmax(x, axis=0), [[0.0, 0.5], [0.0, 0.5]])


def test_softmax_does_not_modify_its_input():
    x = rand(np.random.default_rng(5), 3, 4)
    before = x.copy()
    core.softmax(x)
    np.testing.assert_array_equal(x, before)


def test_softmax_accepts_integers_and_lists():
    np.testing.assert_allclose(core.softmax([0, 0, 0, 0]), [0.25] * 4, rtol=1e-15)
    np.testing.assert_allclose(core.softmax(np.array([[1, 2]])), core.softmax(np.array([[1.0, 2.0]])), rtol=0)


@pytest.mark.parametrize(("shape", "axis"), [((7,), -1), ((4, 5), -1), ((4, 5), 0), ((2, 3, 6), 1), ((2, 3, 6), -1)])
def test_softmax_matches_torch(shape, axis):
    x = rand(np.random.default_rng(6), *shape) * 10
    np.testing.assert_allclose(core.softmax(x, axis=axis), torch_softmax(x, axis=axis), rtol=RTOL, atol=ATOL)


@HYPOTHESIS
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=8), elements=FINITE),
    shift=FINITE,
)
def test_softmax_hypothesis_normalised_and_shift_invariant(x, shift):
    out = core.softmax(x)
    assert out.shape == x.shape
    assert np.all(np.isfinite(out))
    assert np.all((out >= 0) & (out <= 1))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(core.softmax(x + shift), out, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- causal_mask


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_causal_mask_is_lower_triangular_bool(n):
    mask = core.causal_mask(n)
    assert mask.dtype == np.bool_
    assert mask.shape == (n, n)
    for i in range(n):
        for j in range(n):
            assert mask[i, j] == (j <= i)


# ---------------------------------------------------------------- scaled_dot_product_attention


@pytest.mark.parametrize(("T", "S", "d_k", "d_v"), [(1, 1, 1, 1), (4, 4, 3, 2), (3, 6, 5, 7), (6, 2, 8, 1)])
def test_sdpa_matches_naive_loop(T, S, d_k, d_v):
    rng = np.random.default_rng(T * 100 + S * 10 + d_k)
    q, k, v = rand(rng, T, d_k), rand(rng, S, d_k), rand(rng, S, d_v)
    res = core.scaled_dot_product_attention(q, k, v)
    scores, weights, output = naive_attention(q, k, v)
    assert res.scores.shape == (T, S)
    assert res.weights.shape == (T, S)
    assert res.output.shape == (T, d_v)
    np.testing.assert_allclose(res.scores, scores, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.weights, weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.output, output, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("T", "S", "d_k"), [(1, 1, 1), (5, 5, 4), (3, 8, 2), (7, 2, 6)])
def test_sdpa_weight_rows_sum_to_one(T, S, d_k):
    rng = np.random.default_rng(7)
    v = rand(rng, S, 2)
    res = core.scaled_dot_product_attention(rand(rng, T, d_k) * 3, rand(rng, S, d_k) * 3, v)
    assert np.all(res.weights >= 0)
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.output, res.weights @ v, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("d_k", [1, 2, 4, 9, 64])
def test_sdpa_default_scale_is_one_over_sqrt_dk(d_k):
    rng = np.random.default_rng(d_k)
    q, k, v = rand(rng, 3, d_k), rand(rng, 4, d_k), rand(rng, 4, 2)
    res = core.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(res.scores, (q @ k.T) / math.sqrt(d_k), rtol=1e-13, atol=1e-15)
    explicit = core.scaled_dot_product_attention(q, k, v, scale=1.0 / math.sqrt(d_k))
    np.testing.assert_allclose(res.weights, explicit.weights, rtol=1e-14, atol=0)
    np.testing.assert_allclose(res.output, explicit.output, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("d_k", [1, 3, 16])
def test_sdpa_scale_one_is_the_unscaled_form(d_k):
    rng = np.random.default_rng(10 + d_k)
    q, k, v = rand(rng, 4, d_k), rand(rng, 5, d_k), rand(rng, 5, 3)
    res = core.scaled_dot_product_attention(q, k, v, scale=1.0)
    np.testing.assert_allclose(res.scores, q @ k.T, rtol=1e-13, atol=1e-15)
    expected = core.softmax(q @ k.T)
    np.testing.assert_allclose(res.weights, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.output, expected @ v, rtol=1e-12, atol=1e-14)
    if d_k > 1:
        scaled = core.scaled_dot_product_attention(q, k, v)
        assert not np.allclose(res.scores, scaled.scores)


@pytest.mark.parametrize("scale", [1e-300, 0.25, 2.0, 7])
def test_sdpa_custom_scale(scale):
    rng = np.random.default_rng(11)
    q, k, v = rand(rng, 3, 4), rand(rng, 6, 4), rand(rng, 6, 2)
    res = core.scaled_dot_product_attention(q, k, v, scale=scale)
    np.testing.assert_allclose(res.scores, (q @ k.T) * scale, rtol=1e-13, atol=1e-15)
    if scale == 1e-300:  # towards 0 every key weighs the same
        np.testing.assert_allclose(res.weights, np.full((3, 6), 1 / 6), rtol=1e-14)
        np.testing.assert_allclose(res.output, np.broadcast_to(v.mean(axis=0), (3, 2)), rtol=1e-12, atol=1e-15)


def test_sdpa_output_is_weights_times_values():
    rng = np.random.default_rng(12)
    q, k, v = rand(rng, 5, 3), rand(rng, 7, 3), rand(rng, 7, 4)
    res = core.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(res.output, res.weights @ v, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(res.weights, core.softmax(res.scores), rtol=1e-14, atol=0)


@pytest.mark.parametrize("T", [1, 2, 5, 8])
def test_sdpa_causal_mask_zeroes_the_future(T):
    rng = np.random.default_rng(T)
    q, k, v = rand(rng, T, 4) * 3, rand(rng, T, 4) * 3, rand(rng, T, 3)
    res = core.scaled_dot_product_attention(q, k, v, mask=core.causal_mask(T))
    for i in range(T):
        for j in range(T):
            if j > i:
                assert res.weights[i, j] == 0.0
                assert res.scores[i, j] == -np.inf
            else:
                assert res.weights[i, j] > 0.0
                assert np.isfinite(res.scores[i, j])
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    # the first query sees only itself
    np.testing.assert_allclose(res.output[0], v[0], rtol=1e-14)
    _, weights, output = naive_attention(q, k, v, mask=core.causal_mask(T))
    np.testing.assert_allclose(res.weights, weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.output, output, rtol=1e-12, atol=1e-12)


def test_sdpa_future_values_do_not_leak_through_a_causal_mask():
    rng = np.random.default_rng(13)
    q, k, v = rand(rng, 5, 3), rand(rng, 5, 3), rand(rng, 5, 2)
    mask = core.causal_mask(5)
    base = core.scaled_dot_product_attention(q, k, v, mask=mask).output
    k2, v2 = k.copy(), v.copy()
    k2[3:] += 100.0
    v2[3:] -= 50.0
    changed = core.scaled_dot_product_attention(q, k2, v2, mask=mask).output
    np.testing.assert_array_equal(changed[:3], base[:3])
    assert not np.allclose(changed[3:], base[3:])


def test_sdpa_query_with_no_allowed_key_gets_zero_weights_and_output():
    rng = np.random.default_rng(14)
    q, k, v = rand(rng, 3, 2), rand(rng, 4, 2), rand(rng, 4, 5) + 10.0
    mask = np.array(
        [
            [True, False, True, False],
            [False, False, False, False],  # query 1 may attend nothing
            [True, True, True, True],
        ]
    )
    res = core.scaled_dot_product_attention(q, k, v, mask=mask)
    assert not np.isnan(res.weights).any()
    assert not np.isnan(res.output).any()
    np.testing.assert_array_equal(res.weights[1], np.zeros(4))
    np.testing.assert_array_equal(res.output[1], np.zeros(5))
    np.testing.assert_array_equal(res.scores[1], np.full(4, -np.inf))
    np.testing.assert_allclose(res.weights[[0, 2]].sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert res.weights[0, 1] == 0.0
    assert res.weights[0, 3] == 0.0


def test_sdpa_fully_masked_everything_gives_zeros():
    rng = np.random.default_rng(15)
    res = core.scaled_dot_product_attention(
        rand(rng, 2, 3), rand(rng, 3, 3), rand(rng, 3, 4), mask=np.zeros((2, 3), dtype=bool)
    )
    np.testing.assert_array_equal(res.weights, np.zeros((2, 3)))
    np.testing.assert_array_equal(res.output, np.zeros((2, 4)))


def test_sdpa_leading_axes_broadcast():
    rng = np.random.default_rng(16)
    T, S, d_k, d_v = 3, 5, 4, 2
    q = rand(rng, 2, 3, T, d_k)
    k = rand(rng, 3, S, d_k)  # broadcasts over the first axis of q
    v = rand(rng, 1, 1, S, d_v)
    res = core.scaled_dot_product_attention(q, k, v)
    assert res.scores.shape == (2, 3, T, S)
    assert res.weights.shape == (2, 3, T, S)
    assert res.output.shape == (2, 3, T, d_v)
    for a in range(2):
        for b in range(3):
            single = core.scaled_dot_product_attention(q[a, b], k[b], v[0, 0])
            np.testing.assert_allclose(res.scores[a, b], single.scores, rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(res.weights[a, b], single.weights, rtol=1e-14, atol=1e-16)
            np.testing.assert_allclose(res.output[a, b], single.output, rtol=1e-14, atol=1e-15)


def test_sdpa_mask_broadcasts_over_leading_axes():
    rng = np.random.default_rng(17)
    T = 4
    q, k, v = rand(rng, 3, T, 2), rand(rng, 3, T, 2), rand(rng, 3, T, 2)
    res = core.scaled_dot_product_attention(q, k, v, mask=core.causal_mask(T))
    for b in range(3):
        single = core.scaled_dot_product_attention(q[b], k[b], v[b], mask=core.causal_mask(T))
        np.testing.assert_allclose(res.weights[b], single.weights, rtol=1e-14, atol=0)
        np.testing.assert_allclose(res.output[b], single.output, rtol=1e-14, atol=1e-15)
        assert np.all(np.triu(res.weights[b], 1) == 0.0)


def test_sdpa_mask_with_more_leading_axes_than_the_inputs():
    rng = np.random.default_rng(18)
    q, k, v = rand(rng, 3, 2), rand(rng, 3, 2), rand(rng, 3, 2)
    masks = np.stack([core.causal_mask(3), np.ones((3, 3), dtype=bool)])  # (2, 3, 3)
    res = core.scaled_dot_product_attention(q, k, v, mask=masks)
    assert res.output.shape == (2, 3, 2)
    for b in range(2):
        single = core.scaled_dot_product_attention(q, k, v, mask=masks[b])
        np.testing.assert_allclose(res.weights[b], single.weights, rtol=1e-14, atol=0)
        np.testing.assert_allclose(res.output[b], single.output, rtol=1e-14, atol=1e-15)


def test_sdpa_does_not_modify_inputs():
    rng = np.random.default_rng(19)
    q, k, v = rand(rng, 3, 2), rand(rng, 3, 2), rand(rng, 3, 2)
    mask = core.causal_mask(3)
    copies = [a.copy() for a in (q, k, v, mask)]
    core.scaled_dot_product_attention(q, k, v, mask=mask)
    for a, b in zip((q, k, v, mask), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_sdpa_result_is_frozen():
    import dataclasses

    rng = np.random.default_rng(20)
    res = core.scaled_dot_product_attention(rand(rng, 2, 2), rand(rng, 2, 2), rand(rng, 2, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.output = np.zeros((2, 2))


# ---------------------------------------------------------------- PyTorch parity


SDPA_SHAPES = [(1, 1, 1, 1), (4, 4, 8, 8), (5, 7, 3, 2), (6, 3, 16, 5)]


@pytest.mark.parametrize(("T", "S", "d_k", "d_v"), SDPA_SHAPES)
@pytest.mark.parametrize("scale", [None, 1.0, 0.3])
def test_sdpa_matches_torch(T, S, d_k, d_v, scale):
    rng = np.random.default_rng(T + 10 * S + 100 * d_k)
    q, k, v = rand(rng, T, d_k) * 2, rand(rng, S, d_k) * 2, rand(rng, S, d_v)
    res = core.scaled_dot_product_attention(q, k, v, scale=scale)
    np.testing.assert_allclose(res.output, torch_sdpa(q, k, v, scale=scale), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, torch_attention_weights(q, k, scale=scale), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("T", [1, 3, 6])
def test_sdpa_matches_torch_with_causal_mask(T):
    rng = np.random.default_rng(30 + T)
    q, k, v = rand(rng, T, 4), rand(rng, T, 4), rand(rng, T, 3)
    mask = core.causal_mask(T)
    res = core.scaled_dot_product_attention(q, k, v, mask=mask)
    np.testing.assert_allclose(res.output, torch_sdpa(q, k, v, mask=mask), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, torch_attention_weights(q, k, mask=mask), rtol=RTOL, atol=ATOL)


def test_sdpa_matches_torch_batched():
    rng = np.random.default_rng(40)
    q, k, v = rand(rng, 2, 3, 5, 4), rand(rng, 2, 3, 6, 4), rand(rng, 2, 3, 6, 2)
    mask = rng.random((5, 6)) < 0.7
    mask[:, 0] = True  # every query keeps one key (torch gives NaN for a fully masked row)
    res = core.scaled_dot_product_attention(q, k, v, mask=mask)
    np.testing.assert_allclose(res.output, torch_sdpa(q, k, v, mask=mask), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.weights, torch_attention_weights(q, k, mask=mask), rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- hypothesis


@st.composite
def attention_inputs(draw):
    T = draw(st.integers(1, 12))
    S = draw(st.integers(1, 12))
    d_k = draw(st.integers(1, 10))
    d_v = draw(st.integers(1, 10))
    q = draw(hnp.arrays(np.float64, (T, d_k), elements=FINITE))
    k = draw(hnp.arrays(np.float64, (S, d_k), elements=FINITE))
    v = draw(hnp.arrays(np.float64, (S, d_v), elements=FINITE))
    mask = draw(st.none() | hnp.arrays(np.bool_, (T, S)))
    return q, k, v, mask


@HYPOTHESIS
@given(inputs=attention_inputs())
def test_sdpa_hypothesis_properties(inputs):
    q, k, v, mask = inputs
    (T, _), (S, d_v) = q.shape, v.shape
    res = core.scaled_dot_product_attention(q, k, v, mask=mask)
    assert res.scores.shape == (T, S)
    assert res.weights.shape == (T, S)
    assert res.output.shape == (T, d_v)
    assert np.all(np.isfinite(res.weights))
    assert np.all(np.isfinite(res.output))
    assert np.all(res.weights >= 0)
    allowed = np.ones((T, S), dtype=bool) if mask is None else mask
    assert np.all(res.weights[~allowed] == 0.0)
    has_key = allowed.any(axis=-1)
    np.testing.assert_allclose(res.weights.sum(axis=-1)[has_key], 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.weights[~has_key], 0.0)
    np.testing.assert_array_equal(res.output[~has_key], 0.0)
    # each output row is a convex combination of the value rows
    lo, hi = v.min(axis=0), v.max(axis=0)
    slack = 1e-9 * (1.0 + np.abs(v).max())
    assert np.all(res.output[has_key] >= lo - slack)
    assert np.all(res.output[has_key] <= hi + slack)


@HYPOTHESIS
@given(inputs=attention_inputs())
def test_sdpa_hypothesis_matches_naive_loop(inputs):
    q, k, v, mask = inputs
    res = core.scaled_dot_product_attention(q, k, v, mask=mask)
    scores, weights, output = naive_attention(q, k, v, mask=mask)
    big = 1.0 + np.abs(q).max() * np.abs(k).max() * q.shape[1]
    np.testing.assert_allclose(res.scores, scores, rtol=1e-12, atol=1e-14 * big)
    # a score error of ~1e-16 * |score| moves a weight by that much, relatively
    np.testing.assert_allclose(res.weights, weights, rtol=1e-15 * big + 1e-12, atol=1e-300)
    np.testing.assert_allclose(res.output, output, rtol=1e-9, atol=(1e-15 * big + 1e-12) * (1 + np.abs(v).max()))
