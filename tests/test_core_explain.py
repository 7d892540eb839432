"""explain_cell, scaling_study, softmax_temperatures: each derivation agrees with the matrices it explains."""

import dataclasses
import math
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import core

E_ = math.e
HYPOTHESIS = settings(max_examples=50, deadline=None)
FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
SENTENCE = "the cat sat on"
ARTICLE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.float64)  # the, cat, sat, on
ARRAY_FIELDS = (
    "q_i",
    "k_j",
    "products",
    "masked",
    "group_scores",
    "exps",
    "group_weights",
    "row_weights",
    "contributions",
    "output_row",
)
D_KS = [2**p for p in range(10)]  # 1, 2, 4, ..., 512


def rand(rng, *shape):
    return rng.standard_normal(shape)


def make_mask(kind, T, S, rng):
    """bool (T, S), True = may attend, or None."""
    if kind == "none":
        return None
    if kind == "lower":
        return np.tri(T, S, dtype=bool)  # key j allowed for query i when j <= i
    mask = rng.random((T, S)) < 0.6
    mask[0] = False  # one query with no key at all
    return mask


def column_softmax_reference(q, k, v, mask, scale):
    """(scores, weights, output) of the article's softmax over queries, with core.softmax."""
    scores = (q @ k.T) * scale
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = core.softmax(scores, axis=0)
    return scores, weights, weights @ v


def assert_steps_are_consistent(ex, v):
    """Every field follows from the previous ones, as the page writes them one under the other."""
    kept = ~ex.masked
    np.testing.assert_allclose(ex.products, ex.q_i * ex.k_j, rtol=0, atol=0)
    np.testing.assert_allclose(ex.products.sum(), ex.dot, rtol=1e-12, atol=1e-14 * (1 + np.abs(ex.products).sum()))
    assert ex.scaled == ex.dot * ex.scale
    assert np.all(ex.group_scores[ex.masked] == -np.inf)
    assert np.all(np.isfinite(ex.group_scores[kept]))
    if ex.fully_masked:
        assert (ex.shift, ex.total, ex.weight) == (0.0, 0.0, 0.0)
        np.testing.assert_array_equal(ex.exps, 0.0)
        np.testing.assert_array_equal(ex.group_weights, 0.0)
        return
    assert ex.shift == ex.group_scores[kept].max()
    np.testing.assert_allclose(ex.exps[kept], np.exp(ex.group_scores[kept] - ex.shift), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(ex.exps[ex.masked], 0.0)
    assert ex.exps.max() == 1.0  # exp(shift - shift)
    np.testing.assert_allclose(ex.total, ex.exps.sum(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ex.group_weights, ex.exps / ex.total, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ex.group_weights.sum(), 1.0, rtol=0, atol=1e-14)
    assert ex.weight == ex.group_weights[ex.position]
    if ex.is_masked:
        assert ex.weight == 0.0
    else:
        np.testing.assert_allclose(ex.weight, math.exp(ex.scaled - ex.shift) / ex.total, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(ex.contributions, ex.row_weights[:, None] * v)
    np.testing.assert_allclose(ex.output_row, ex.contributions.sum(axis=0), rtol=0, atol=0)
    np.testing.assert_allclose(ex.row_weight_sum, ex.row_weights.sum(), rtol=1e-15, atol=0)


# ---------------------------------------------------------------- explain_cell, paper mode (axis=-1)


SHAPES = [(1, 1, 1, 1), (4, 4, 3, 2), (3, 6, 5, 7), (6, 2, 8, 1)]


@pytest.mark.parametrize(("T", "S", "d_k", "d_v"), SHAPES)
@pytest.mark.parametrize("mask_kind", ["none", "lower", "random"])
@pytest.mark.parametrize("scale", ["default", 1.0, 0.3, 2.5])
def test_every_cell_matches_scaled_dot_product_attention(T, S, d_k, d_v, mask_kind, scale):
    rng = np.random.default_rng(T * 1000 + S * 100 + d_k * 10 + d_v)
    q, k, v = rand(rng, T, d_k) * 2, rand(rng, S, d_k) * 2, rand(rng, S, d_v)
    mask = make_mask(mask_kind, T, S, rng)
    scale = 1.0 / math.sqrt(d_k) if scale == "default" else scale
    res = core.scaled_dot_product_attention(q, k, v, mask=mask, scale=scale)
    allowed = np.ones((T, S), dtype=bool) if mask is None else mask
    for i in range(T):
        for j in range(S):
            ex = core.explain_cell(q, k, v, i, j, scale=scale, mask=mask)
            assert (ex.i, ex.j, ex.axis, ex.position) == (i, j, -1, j)
            assert ex.scale == scale
            np.testing.assert_array_equal(ex.q_i, q[i])
            np.testing.assert_array_equal(ex.k_j, k[j])
            np.testing.assert_array_equal(ex.masked, ~allowed[i])
            assert ex.is_masked == (not allowed[i, j])
            assert ex.fully_masked == (not allowed[i].any())
            np.testing.assert_allclose(ex.weight, res.weights[i, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.group_weights, res.weights[i], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.row_weights, res.weights[i], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.group_scores, res.scores[i], rtol=1e-12, atol=0)  # -inf where masked
            np.testing.assert_allclose(ex.output_row, res.output[i], rtol=1e-12, atol=1e-15)
            if allowed[i, j]:
                np.testing.assert_allclose(ex.dot * scale, res.scores[i, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.dot, q[i] @ k[j], rtol=1e-12, atol=1e-15)
            assert ex.contributions.shape == (S, d_v)
            assert_steps_are_consistent(ex, v)


@pytest.mark.parametrize("T", [1, 3, 6])
def test_the_package_causal_mask_zeroes_the_future(T):
    rng = np.random.default_rng(T)
    q, k, v = rand(rng, T, 4), rand(rng, T, 4), rand(rng, T, 3)
    for i in range(T):
        for j in range(T):
            ex = core.explain_cell(q, k, v, i, j, scale=0.5, mask=core.causal_mask(T))
            assert ex.is_masked == (j > i)
            assert (ex.weight == 0.0) == (j > i)
            np.testing.assert_array_equal(ex.contributions[i + 1 :], 0.0)
    first = core.explain_cell(q, k, v, 0, 0, scale=0.5, mask=core.causal_mask(T))
    np.testing.assert_allclose(first.output_row, v[0], rtol=1e-15)  # the first query sees only itself


def test_a_masked_cell_keeps_its_score_but_gets_no_weight():
    rng = np.random.default_rng(1)
    q, k, v = rand(rng, 3, 4), rand(rng, 5, 4), rand(rng, 5, 2)
    mask = np.ones((3, 5), dtype=bool)
    mask[1, 2] = False
    ex = core.explain_cell(q, k, v, 1, 2, scale=0.5, mask=mask)
    assert ex.is_masked and not ex.fully_masked
    assert ex.weight == 0.0
    assert ex.group_scores[2] == -np.inf
    assert ex.exps[2] == 0.0
    np.testing.assert_allclose(ex.scaled, (q[1] @ k[2]) * 0.5, rtol=1e-12)  # the score the mask hid
    np.testing.assert_array_equal(ex.contributions[2], [0.0, 0.0])
    np.testing.assert_allclose(ex.group_weights.sum(), 1.0, rtol=0, atol=1e-14)
    res = core.scaled_dot_product_attention(q, k, v, mask=mask, scale=0.5)
    np.testing.assert_allclose(ex.output_row, res.output[1], rtol=1e-12, atol=1e-15)
    assert_steps_are_consistent(ex, v)


@pytest.mark.parametrize("j", [0, 3])
def test_a_fully_masked_row_gives_zeros_and_says_so(j):
    rng = np.random.default_rng(2)
    q, k, v = rand(rng, 3, 2), rand(rng, 4, 2), rand(rng, 4, 5) + 10.0
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False  # query 1 may attend nothing
    ex = core.explain_cell(q, k, v, 1, j, scale=1.0, mask=mask)
    assert ex.fully_masked and ex.is_masked
    np.testing.assert_array_equal(ex.masked, [True] * 4)
    np.testing.assert_array_equal(ex.group_scores, np.full(4, -np.inf))
    assert (ex.shift, ex.total, ex.weight, ex.row_weight_sum) == (0.0, 0.0, 0.0, 0.0)
    for name in ("exps", "group_weights", "row_weights", "contributions", "output_row"):
        assert not np.isnan(getattr(ex, name)).any()
        np.testing.assert_array_equal(getattr(ex, name), 0.0)
    assert np.isfinite(ex.scaled)
    np.testing.assert_array_equal(core.scaled_dot_product_attention(q, k, v, mask=mask, scale=1.0).output[1], 0.0)
    assert not core.explain_cell(q, k, v, 0, j, scale=1.0, mask=mask).fully_masked


def test_large_scores_do_not_overflow_thanks_to_the_shift():
    rng = np.random.default_rng(3)
    q, k, v = rand(rng, 4, 3) * 300, rand(rng, 5, 3) * 300, rand(rng, 5, 2)  # scores of order 1e5
    res = core.scaled_dot_product_attention(q, k, v, scale=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from exp
        explanations = [core.explain_cell(q, k, v, i, j, scale=1.0) for i in range(4) for j in range(5)]
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(res.scores)).any()  # exp of the scores alone overflows
    for ex in explanations:
        assert np.all(np.isfinite(ex.exps)) and 0.0 <= ex.weight <= 1.0
        np.testing.assert_allclose(ex.group_weights, res.weights[ex.i], rtol=1e-12, atol=0)
        np.testing.assert_allclose(ex.output_row, res.output[ex.i], rtol=1e-12, atol=1e-15)
        assert_steps_are_consistent(ex, v)


@pytest.mark.parametrize("axis", [-1, 0])
def test_one_token(axis):
    q, k, v = np.array([[0.5, -2.0]]), np.array([[3.0, 1.0]]), np.array([[4.0, -1.0, 2.0]])
    ex = core.explain_cell(q, k, v, 0, 0, scale=0.7, axis=axis)
    np.testing.assert_array_equal(ex.products, [1.5, -2.0])
    assert ex.dot == -0.5
    assert ex.scaled == -0.5 * 0.7
    assert ex.shift == ex.scaled
    np.testing.assert_array_equal(ex.exps, [1.0])
    assert (ex.total, ex.weight, ex.row_weight_sum) == (1.0, 1.0, 1.0)
    np.testing.assert_array_equal(ex.output_row, v[0])
    np.testing.assert_array_equal(ex.contributions, v)


def test_one_word_sentence_in_tutorial_mode():
    e = core.seed_vocabulary().embed("sat")
    ex = core.explain_cell(e, e, e, 0, 0, scale=1.0, axis=0)
    res = core.tutorial_attention(e)
    assert ex.weight == res.weights[0, 0] == 1.0
    np.testing.assert_array_equal(ex.output_row, res.output[0])


# ---------------------------------------------------------------- explain_cell, tutorial mode (axis=0)


@pytest.mark.parametrize(("T", "D"), [(1, 1), (4, 3), (6, 5), (9, 2)])
def test_every_cell_matches_tutorial_attention(T, D):
    e = rand(np.random.default_rng(T * 10 + D), T, D) * 1.5
    res = core.tutorial_attention(e)
    for i in range(T):
        for j in range(T):
            ex = core.explain_cell(e, e, e, i, j, scale=1.0, axis=0)
            assert (ex.axis, ex.position) == (0, i)
            np.testing.assert_array_equal(ex.masked, np.zeros(T, dtype=bool))
            np.testing.assert_allclose(ex.scaled, res.scores[i, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.group_scores, res.scores[:, j], rtol=1e-12, atol=0)  # column j
            np.testing.assert_allclose(ex.weight, res.weights[i, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.group_weights, res.weights[:, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.row_weights, res.weights[i], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.row_weight_sum, res.weights[i].sum(), rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.output_row, res.output[i], rtol=1e-12, atol=1e-15)
            assert_steps_are_consistent(ex, e)


@pytest.mark.parametrize("mask_kind", ["lower", "random"])
def test_tutorial_mode_with_a_mask_normalises_each_column(mask_kind):
    rng = np.random.default_rng(4)
    q, k, v = rand(rng, 5, 3), rand(rng, 4, 3), rand(rng, 4, 2)
    mask = make_mask(mask_kind, 5, 4, rng)
    mask[:, 3] = False if mask_kind == "random" else mask[:, 3]  # a key no query may see
    scores, weights, output = column_softmax_reference(q, k, v, mask, 0.8)
    for i in range(5):
        for j in range(4):
            ex = core.explain_cell(q, k, v, i, j, scale=0.8, mask=mask, axis=0)
            np.testing.assert_array_equal(ex.masked, ~mask[:, j])
            assert ex.fully_masked == (not mask[:, j].any())
            np.testing.assert_allclose(ex.group_scores, scores[:, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.group_weights, weights[:, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.weight, weights[i, j], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.row_weights, weights[i], rtol=1e-12, atol=0)
            np.testing.assert_allclose(ex.output_row, output[i], rtol=1e-12, atol=1e-15)
            assert_steps_are_consistent(ex, v)


def test_a_fully_masked_column_still_leaves_an_output_row():
    rng = np.random.default_rng(5)
    q, k, v = rand(rng, 3, 2), rand(rng, 3, 2), rand(rng, 3, 2)
    mask = np.ones((3, 3), dtype=bool)
    mask[:, 1] = False  # no query may see key 1
    ex = core.explain_cell(q, k, v, 0, 1, scale=1.0, mask=mask, axis=0)
    assert ex.fully_masked
    np.testing.assert_array_equal(ex.group_weights, 0.0)
    assert ex.weight == 0.0
    assert ex.row_weights[1] == 0.0
    assert ex.row_weights[0] > 0.0 and ex.row_weights[2] > 0.0  # the other columns still give row 0 weight
    np.testing.assert_allclose(ex.output_row, column_softmax_reference(q, k, v, mask, 1.0)[2][0], rtol=1e-12)


def test_the_articles_sat_attends_to_sat():
    e = core.seed_vocabulary().embed(SENTENCE)
    np.testing.assert_array_equal(e, ARTICLE)
    ex = core.explain_cell(e, e, e, 2, 2, scale=1.0, axis=0)
    assert round(ex.weight, 6) == 0.475367
    np.testing.assert_allclose(ex.weight, E_ / (E_ + 3), rtol=1e-15)
    np.testing.assert_array_equal(ex.products, [0.0, 0.0, 1.0])  # sat·sat = 0·0 + 0·0 + 1·1
    assert (ex.dot, ex.scaled, ex.shift) == (1.0, 1.0, 1.0)
    np.testing.assert_array_equal(ex.group_scores, [0.0, 0.0, 1.0, 0.0])  # column 'sat' of E·Eᵀ
    np.testing.assert_allclose(ex.exps, [1 / E_, 1 / E_, 1.0, 1 / E_], rtol=1e-15)  # e^(s - 1)
    np.testing.assert_allclose(ex.total, 1 + 3 / E_, rtol=1e-15)
    np.testing.assert_allclose(ex.group_weights, [1 / (E_ + 3), 1 / (E_ + 3), E_ / (E_ + 3), 1 / (E_ + 3)], rtol=1e-15)
    # row 'sat' of the column-normalised weights: it does not sum to 1
    row = [1 / (2 * E_ + 2), 1 / (2 * E_ + 2), E_ / (E_ + 3), 1 / (E_ + 1) ** 2]
    np.testing.assert_allclose(ex.row_weights, row, rtol=1e-14)
    np.testing.assert_allclose(ex.row_weight_sum, sum(row), rtol=1e-14)
    assert abs(ex.row_weight_sum - 1.0) > 0.05
    output, _ = core.tutorial_self_attention(e)
    np.testing.assert_allclose(ex.output_row, output[2], rtol=1e-14)


@pytest.mark.parametrize(
    ("i", "j", "value"),
    [(0, 0, 0.365529), (0, 3, 0.196612), (3, 3, 0.534447), (1, 2, 0.174878), (2, 0, 0.134471)],
)
def test_the_articles_weights_to_six_decimals(i, j, value):
    e = core.seed_vocabulary().embed(SENTENCE)
    assert round(core.explain_cell(e, e, e, i, j, scale=1.0, axis=0).weight, 6) == value


def test_the_article_in_paper_softmax_gives_rows_that_sum_to_one():
    e = ARTICLE
    ex = core.explain_cell(e, e, e, 2, 2, scale=1.0)  # the same scores, softmax over keys
    np.testing.assert_array_equal(ex.group_scores, [0.0, 0.0, 1.0, 0.0])  # row 'sat' (E·Eᵀ is symmetric)
    np.testing.assert_allclose(ex.weight, E_ / (E_ + 3), rtol=1e-15)
    np.testing.assert_allclose(ex.row_weight_sum, 1.0, rtol=1e-15)
    cat = core.explain_cell(e, e, e, 1, 3, scale=1.0)  # cat -> on: row 'cat' is [0, 1, 0, 1]
    np.testing.assert_allclose(cat.weight, E_ / (2 * E_ + 2), rtol=1e-15)
    assert round(core.explain_cell(e, e, e, 1, 3, scale=1.0, axis=0).weight, 6) == 0.196612  # column 'on'


def test_large_tutorial_scores_do_not_overflow():
    e = ARTICLE * 30.0  # E·Eᵀ up to 1800: exp overflows in the article's formula
    res = core.tutorial_attention(e)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = core.explain_cell(e, e, e, 3, 3, scale=1.0, axis=0)
    assert ex.shift == 1800.0
    np.testing.assert_allclose(ex.weight, res.weights[3, 3], rtol=1e-12)
    np.testing.assert_allclose(ex.output_row, res.output[3], rtol=1e-12)


# ---------------------------------------------------------------- explain_cell: the result


def test_explanation_is_frozen_read_only_and_owns_its_arrays():
    rng = np.random.default_rng(6)
    q, k, v = rand(rng, 3, 2), rand(rng, 4, 2), rand(rng, 4, 3)
    mask = np.ones((3, 4), dtype=bool)
    copies = [a.copy() for a in (q, k, v, mask)]
    ex = core.explain_cell(q, k, v, 1, 2, scale=1.0, mask=mask)
    for a, b in zip((q, k, v, mask), copies, strict=True):
        np.testing.assert_array_equal(a, b)  # inputs untouched
    assert ex.masked.dtype == np.bool_
    for name in ARRAY_FIELDS:
        arr = getattr(ex, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 0
    for name in ("weight", "i", "output_row"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(ex, name, 0)
    before = ex.q_i.copy()
    q[1] += 100.0  # the caller's arrays are not shared
    np.testing.assert_array_equal(ex.q_i, before)
    assert all(isinstance(getattr(ex, n), float) for n in ("dot", "scale", "scaled", "shift", "total", "weight"))
    assert isinstance(ex.fully_masked, bool) and isinstance(ex.i, int)


def test_explain_cell_accepts_lists_and_numpy_indices():
    ex = core.explain_cell([[1, 0]], [[1, 0], [0, 1]], [[2, 0], [0, 2]], np.int64(0), np.int32(1), scale=1)
    assert (ex.i, ex.j, ex.scale) == (0, 1, 1.0)
    np.testing.assert_allclose(ex.weight, 1 / (E_ + 1), rtol=1e-15)


@st.composite
def cell_inputs(draw):
    T = draw(st.integers(1, 8))
    S = draw(st.integers(1, 8))
    d_k = draw(st.integers(1, 6))
    d_v = draw(st.integers(1, 4))
    q = draw(hnp.arrays(np.float64, (T, d_k), elements=FINITE))
    k = draw(hnp.arrays(np.float64, (S, d_k), elements=FINITE))
    v = draw(hnp.arrays(np.float64, (S, d_v), elements=FINITE))
    mask = draw(st.none() | hnp.arrays(np.bool_, (T, S)))
    i = draw(st.integers(0, T - 1))
    j = draw(st.integers(0, S - 1))
    scale = draw(st.floats(1e-3, 10.0))
    axis = draw(st.sampled_from([-1, 0]))
    return q, k, v, mask, i, j, scale, axis


@HYPOTHESIS
@given(inputs=cell_inputs())
@example(  # scores of ~8474: a 1e-102 weight differs by one ulp of its score between the two paths
    inputs=(
        np.array([[0.0, 0.0, 0.0, 0.0], [-1.05324014, 3.92, 38.0, 0.0]]),
        np.array([[0.0, 223.0, 223.0, 223.0], [223.0, 223.0, 223.0, 223.0]]),
        np.zeros((2, 1)),
        None,
        1,
        0,
        1.0,
        -1,
    )
)
def test_hypothesis_explanation_matches_the_whole_matrix(inputs):
    q, k, v, mask, i, j, scale, axis = inputs
    if axis == -1:
        res = core.scaled_dot_product_attention(q, k, v, mask=mask, scale=scale)
        scores, weights, output = res.scores, res.weights, res.output
        group = (i, slice(None))
    else:
        scores, weights, output = column_softmax_reference(q, k, v, mask, scale)
        group = (slice(None), j)
    ex = core.explain_cell(q, k, v, i, j, scale=scale, mask=mask, axis=axis)
    np.testing.assert_allclose(ex.group_scores, scores[group], rtol=1e-12, atol=0)
    # a score off by a rounding error δ makes its weight, exp(s - max) / Σ, off by a factor e^δ:
    # relative error ≈ δ, a few ulps of the largest score (hypothesis found scores of 8474 whose
    # weights of 1e-102 differ by 1.8e-12, one ulp of 8474)
    finite = np.abs(scores[np.isfinite(scores)])
    rtol = 1e-12 + 8 * np.finfo(np.float64).eps * max(1.0, finite.max(initial=0.0))
    np.testing.assert_allclose(ex.weight, weights[i, j], rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(ex.group_weights, weights[group], rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(ex.row_weights, weights[i], rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(ex.output_row, output[i], rtol=1e-12, atol=rtol * (1 + np.abs(v).max()))
    assert_steps_are_consistent(ex, v)


# ---------------------------------------------------------------- explain_cell: bad input

Q, K, V = (rand(np.random.default_rng(7), *shape) for shape in ((3, 2), (4, 2), (4, 5)))


BAD_AXES = [
    (1, "1", "axis-1"),
    (-2, "-2", "axis--2"),
    (True, "True", "axis-bool"),
    (0.0, "0.0", "axis-float"),
    ("0", "'0'", "axis-str"),
    (None, "None", "axis-none"),
]


def case(kwargs, match, id):
    return pytest.param(kwargs, match, id=id)


BAD_CELLS = [
    case({"i": -1}, r"^i must be in \[0, 2\] for T=3 queries \(0-based\), but is -1$", "i-negative"),
    case({"i": 3}, r"^i must be in \[0, 2\] for T=3 queries \(0-based\), but is 3$", "i-past-the-end"),
    case({"j": 4}, r"^j must be in \[0, 3\] for S=4 keys \(0-based\), but is 4$", "j-past-the-end"),
    case({"j": -1}, r"^j must be in \[0, 3\] for S=4 keys", "j-negative"),
    case({"i": True}, r"^i must be a whole number \(a 0-based index\), but is True$", "i-bool"),
    case({"i": 1.0}, r"^i must be a whole number \(a 0-based index\), but is 1.0$", "i-float"),
    case({"j": "0"}, r"^j must be a whole number \(a 0-based index\), but is '0'$", "j-str"),
    case({"j": None}, r"^j must be a whole number", "j-none"),
    case({"q": Q[0]}, r"^q must have 2 axes, but has 1", "q-1d"),
    case({"k": K[None]}, r"^k must have 2 axes, but has 3", "k-3d"),
    case({"v": V[0]}, r"^v must have 2 axes, but has 1", "v-1d"),
    case({"k": np.ones((4, 3))}, r"^k has width 3, but q has width d_k=2; they must match$", "k-width"),
    case({"v": np.ones((3, 5))}, r"^v has 3 rows, but k has S=4; every key needs one value$", "v-rows"),
    case({"q": Q[:0]}, r"^q must hold at least one token", "q-empty"),
    case({"k": K[:0], "v": V[:0]}, r"^k must hold at least one token", "k-empty"),
    case({"q": np.ones((3, 0)), "k": np.ones((4, 0))}, r"^q must have a width d_k >= 1", "d_k-0"),
    case({"k": np.where(np.eye(4, 2) > 0, np.nan, K)}, r"^k must hold finite numbers only, but has nan", "k-nan"),
    case({"q": [["a", "b"]] * 3}, r"^q must be an array of numbers", "q-text"),
    case({"scale": 0}, r"^scale must be a finite number > 0, but is 0.0$", "scale-0"),
    case({"scale": -1.0}, r"^scale must be a finite number > 0, but is -1.0$", "scale-negative"),
    case({"scale": float("nan")}, r"^scale must be a finite number > 0, but is nan$", "scale-nan"),
    case({"scale": float("inf")}, r"^scale must be a finite number > 0, but is inf$", "scale-inf"),
    case({"scale": "big"}, r"^scale must be a positive number, but is 'big'$", "scale-str"),
    case({"scale": None}, r"^scale must be a positive number, but is None$", "scale-none"),
    *[
        case({"axis": axis}, rf"^axis must be -1 \(softmax over keys, the paper\) or 0 .*, but is {text}$", id)
        for axis, text, id in BAD_AXES
    ],
    case({"mask": np.ones((3, 4))}, r"^mask must be a bool array \(True = may attend\), but has dtype float64$", "m"),
    case({"mask": np.ones((3, 3), dtype=bool)}, r"^mask must have shape \(\.\.\., 3, 4\)", "mask-shape"),
    case({"mask": np.ones(4, dtype=bool)}, r"^mask must have shape \(\.\.\., 3, 4\)", "mask-1d"),
    case({"mask": np.ones((1, 3, 4), dtype=bool)}, r"^mask must have shape \(3, 4\) for one cell's matrix", "mask-3d"),
    case({"q": np.full((3, 2), 1e200), "k": np.full((4, 2), 1e200)}, r"^q·kᵀ·scale overflowed float64", "overflow"),
    case(
        {"q": np.full((3, 2), 1e150), "k": np.full((4, 2), 1e150), "scale": 1e10},
        r"^q·kᵀ·scale overflowed float64",
        "overflow-by-scale",
    ),
]


@pytest.mark.parametrize(("changes", "match"), BAD_CELLS)
def test_explain_cell_bad_input(changes, match):
    kwargs = {"q": Q, "k": K, "v": V, "i": 1, "j": 2, "scale": 0.5, **changes}
    with pytest.raises(core.AttentionInputError, match=match):
        core.explain_cell(**kwargs)


@pytest.mark.parametrize("axis", [-1, 0])
def test_the_bad_input_cases_are_fine_without_their_change(axis):
    ex = core.explain_cell(Q, K, V, 1, 2, scale=0.5, axis=axis)  # the baseline every case above changes
    assert (ex.i, ex.j) == (1, 2)


# ---------------------------------------------------------------- scaling_study


def naive_scaling_study(d_ks, rng, n_keys, n_samples):
    """The same draws, with a Python loop over rows and keys: row s meets keys s .. s + n_keys - 1."""
    out = {"spread_unscaled": [], "spread_scaled": [], "top_unscaled": [], "top_scaled": []}
    for d_k in d_ks:
        q = rng.standard_normal((n_samples, d_k))
        k = rng.standard_normal((n_samples + n_keys - 1, d_k))
        scores = np.array([[float(q[s] @ k[s + j]) for j in range(n_keys)] for s in range(n_samples)])
        for name, logits in (("unscaled", scores), ("scaled", scores / math.sqrt(d_k))):
            out[f"spread_{name}"].append(logits.std())
            out[f"top_{name}"].append(np.mean([max(core.softmax(row)) for row in logits]))
    return out


@pytest.mark.parametrize(("d_ks", "n_keys", "n_samples"), [([3], 4, 5), ([1, 7, 2], 2, 9), ([16, 16], 5, 1)])
def test_scaling_study_matches_a_naive_loop_on_the_same_draws(d_ks, n_keys, n_samples):
    study = core.scaling_study(d_ks, np.random.default_rng(7), n_keys=n_keys, n_samples=n_samples)
    expected = naive_scaling_study(d_ks, np.random.default_rng(7), n_keys, n_samples)
    np.testing.assert_array_equal(study.d_k, d_ks)
    for name, values in expected.items():
        np.testing.assert_allclose(getattr(study, name), values, rtol=1e-12, atol=0, err_msg=name)


def test_scaling_study_fields():
    study = core.scaling_study(D_KS, np.random.default_rng(0))
    assert (study.n_keys, study.n_samples) == (16, 256)
    assert study.uniform_weight == 1 / 16
    assert study.d_k.dtype == np.int64
    np.testing.assert_array_equal(study.d_k, D_KS)
    for name in ("d_k", "spread_unscaled", "spread_scaled", "top_unscaled", "top_scaled"):
        arr = getattr(study, name)
        assert arr.shape == (10,)
        assert not arr.flags.writeable
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(study, name, arr)
    np.testing.assert_allclose(study.spread_scaled, study.spread_unscaled / np.sqrt(D_KS), rtol=1e-15)
    assert study.top_scaled[0] == study.top_unscaled[0]  # at d_k = 1 the scale is 1
    assert np.all((study.top_scaled >= 1 / 16) & (study.top_unscaled <= 1.0))


def test_scaling_study_is_deterministic_given_the_generator():
    a = core.scaling_study(D_KS, np.random.default_rng(42))
    b = core.scaling_study(D_KS, np.random.default_rng(42))
    c = core.scaling_study(D_KS, np.random.default_rng(43))
    for name in ("spread_unscaled", "spread_scaled", "top_unscaled", "top_scaled"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    rng = np.random.default_rng(42)
    core.scaling_study(D_KS, rng)
    core.scaling_study(D_KS, rng)  # the generator moves on: a second call draws new numbers
    d = core.scaling_study(D_KS, rng)
    assert not np.array_equal(d.spread_unscaled, a.spread_unscaled)


def spread_tolerance(d_k, n_samples):
    """4 standard errors of a spread estimated from at least n_samples independent rows.

    One score² has relative variance 2 + 6/d_k (a sum of d_k products of two normals); the
    spread is the square root of the mean, so half that relative error.
    """
    return 4 * 0.5 * np.sqrt((2 + 6 / np.asarray(d_k)) / n_samples)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_unscaled_spread_grows_like_sqrt_dk_and_scaled_stays_near_one(seed):
    study = core.scaling_study(D_KS, np.random.default_rng(seed))
    assert np.all(np.diff(study.spread_unscaled) > 0)  # monotone growth
    tol = spread_tolerance(D_KS, study.n_samples)
    np.testing.assert_array_less(np.abs(study.spread_unscaled / np.sqrt(D_KS) - 1.0), tol)
    np.testing.assert_array_less(np.abs(study.spread_scaled - 1.0), tol)
    assert study.spread_unscaled[-1] > 15.0  # sqrt(512) = 22.6


def test_scaled_spread_averaged_over_seeds_is_one():
    spreads = np.array([core.scaling_study(D_KS, np.random.default_rng(s)).spread_scaled for s in range(20)])
    np.testing.assert_allclose(spreads.mean(axis=0), 1.0, rtol=0, atol=0.03)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unscaled_softmax_tends_to_one_hot_and_scaled_does_not(seed):
    study = core.scaling_study(D_KS, np.random.default_rng(seed))
    assert study.top_unscaled[-1] > 0.85  # at d_k = 512 one key takes nearly everything
    assert study.top_unscaled[-1] - study.top_unscaled[0] > 0.5
    assert study.top_scaled.max() < 0.35  # scaled: moderate at every d_k
    assert np.all(study.top_scaled[1:] < study.top_unscaled[1:])
    assert study.top_unscaled[-1] - study.top_scaled[-1] > 0.5


def test_scaling_study_with_two_keys():
    study = core.scaling_study([1, 64], np.random.default_rng(0), n_keys=2, n_samples=64)
    assert np.all((study.top_unscaled >= 0.5) & (study.top_unscaled <= 1.0))
    assert study.top_unscaled[1] > study.top_scaled[1]


class NotAGenerator:
    pass


BAD_STUDIES = [
    case({"d_ks": []}, r"^d_ks must be a non-empty list of whole numbers >= 1, but has shape \(0,\)$", "empty"),
    case({"d_ks": 4}, r"^d_ks must be a non-empty list.*shape \(\)$", "scalar"),
    case({"d_ks": [[1, 2]]}, r"^d_ks must be a non-empty list.*shape \(1, 2\)$", "2d"),
    case({"d_ks": [1, 0]}, r"^d_ks\[1\] must be >= 1, but is 0$", "zero"),
    case({"d_ks": [-4]}, r"^d_ks\[0\] must be >= 1, but is -4$", "negative"),
    case({"d_ks": [1, 2.5]}, r"^d_ks\[1\] must be a whole number >= 1, but is 2.5$", "fraction"),
    case({"d_ks": [True]}, r"^d_ks\[0\] must be a whole number >= 1, but is True$", "bool"),
    case({"d_ks": ["a"]}, r"^d_ks\[0\] must be a whole number >= 1, but is 'a'$", "text"),
    case({"d_ks": [200_000]}, r"^scaling_study would draw 105400000 random numbers .* at most 16777216", "too-big"),
    case({"rng": None}, r"^rng must be an np.random.Generator .*, but is NoneType$", "rng-none"),
    case({"rng": 0}, r"^rng must be an np.random.Generator .*, but is int$", "rng-int"),
    case({"rng": np.random.RandomState(0)}, r"^rng must be an np.random.Generator .*, but is RandomState$", "rs"),
    case({"rng": NotAGenerator()}, r"^rng must be an np.random.Generator", "rng-object"),
    case({"n_keys": 1}, r"^n_keys must be >= 2 \(with one key its weight is always 1\), but is 1$", "one-key"),
    case({"n_keys": 0}, r"^n_keys must be >= 1, but is 0$", "no-keys"),
    case({"n_keys": 4.0}, r"^n_keys must be a whole number >= 1, but is 4.0$", "keys-float"),
    case({"n_samples": 0}, r"^n_samples must be >= 1, but is 0$", "no-samples"),
    case({"n_samples": "many"}, r"^n_samples must be a whole number >= 1, but is 'many'$", "samples-str"),
]


@pytest.mark.parametrize(("changes", "match"), BAD_STUDIES)
def test_scaling_study_bad_input(changes, match):
    kwargs = {"d_ks": [1, 2], "rng": np.random.default_rng(0), **changes}
    with pytest.raises(core.AttentionInputError, match=match):
        core.scaling_study(**kwargs)


# ---------------------------------------------------------------- softmax_temperatures


TAUS = [0.05, 0.5, 1.0, 2.0, 20.0]


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_softmax_temperatures_matches_core_softmax(n):
    row = rand(np.random.default_rng(n), n) * 3
    out = core.softmax_temperatures(row, TAUS)
    assert out.shape == (len(TAUS), n)
    assert out.dtype == np.float64
    for t, tau in enumerate(TAUS):
        np.testing.assert_allclose(out[t], core.softmax(row / tau), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(out[TAUS.index(1.0)], core.softmax(row), rtol=1e-15, atol=0)


def test_low_temperature_sharpens_and_high_flattens():
    row = np.array([2.0, 1.0, 0.5, -1.0])
    out = core.softmax_temperatures(row, [0.01, 0.1, 1.0, 10.0, 1000.0])
    np.testing.assert_allclose(out[0], [1.0, 0.0, 0.0, 0.0], rtol=0, atol=1e-40)  # one-hot at the largest score
    np.testing.assert_allclose(out[-1], 0.25, rtol=0, atol=1e-3)  # near uniform
    assert np.all(np.diff(out[:, 0]) < 0)  # the top weight falls as τ rises
    entropy = -(out * np.log(np.where(out > 0, out, 1.0))).sum(axis=-1)
    assert np.all(np.diff(entropy) > 0)


def test_softmax_temperatures_keeps_excluded_entries_at_zero():
    out = core.softmax_temperatures([1.0, -np.inf, 0.0], [0.5, 3.0])
    np.testing.assert_array_equal(out[:, 1], [0.0, 0.0])
    np.testing.assert_allclose(out[0], core.softmax([2.0, -np.inf, 0.0]), rtol=1e-15)
    np.testing.assert_array_equal(core.softmax_temperatures([-np.inf, -np.inf], [1.0]), [[0.0, 0.0]])


def test_softmax_temperatures_large_scores_and_small_temperatures_stay_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = core.softmax_temperatures([1e3, 0.0, 999.0], [0.05, 1.0])
    tail = math.exp(-20.0)  # (999 - 1000) / 0.05; the key at 0 sits at e^(-20000), which is 0 in float64
    np.testing.assert_allclose(out[0], [1 / (1 + tail), 0.0, tail / (1 + tail)], rtol=1e-12, atol=0)
    np.testing.assert_allclose(out[1], core.softmax([1e3, 0.0, 999.0]), rtol=1e-15)


def test_softmax_temperatures_accepts_lists_and_does_not_modify_inputs():
    row, taus = np.array([0.0, 1.0]), np.array([1.0, 2.0])
    out = core.softmax_temperatures(row.tolist(), taus.tolist())
    np.testing.assert_array_equal(out, core.softmax_temperatures(row, taus))
    np.testing.assert_array_equal(row, [0.0, 1.0])
    np.testing.assert_array_equal(taus, [1.0, 2.0])
    np.testing.assert_allclose(core.softmax_temperatures([3.0], [0.1]), [[1.0]], rtol=0)


def test_softmax_temperatures_takes_a_row_scaled_at_another_temperature_back_to_one():
    logits = np.array([1.5, -0.5, 0.25, -np.inf])
    at_two = logits / 2.0  # as an attention at τ = 2 scored them
    out = core.softmax_temperatures(at_two, [0.5, 1.0, 2.0], current=2.0)
    for t, tau in enumerate([0.5, 1.0, 2.0]):
        np.testing.assert_allclose(out[t], core.softmax(logits / tau), rtol=1e-15, atol=0)
    np.testing.assert_allclose(out[2], core.softmax(at_two), rtol=1e-15)  # the current τ: the weights shown
    with pytest.raises(core.AttentionInputError, match=r"^current must be a finite number > 0, but is 0.0$"):
        core.softmax_temperatures(logits, [1.0], current=0.0)


BAD_TEMPERATURES = [
    case(
        {"scores_row": [[1.0, 2.0]]}, r"^scores_row must be one non-empty row of scores, but has shape \(1, 2\)$", "2d"
    ),
    case({"scores_row": 1.0}, r"^scores_row must be one non-empty row.*shape \(\)$", "scalar"),
    case({"scores_row": []}, r"^scores_row must be one non-empty row.*shape \(0,\)$", "empty"),
    case(
        {"scores_row": [0.0, np.nan]}, r"^scores_row must hold finite numbers or -inf \(excluded\), but has NaN", "nan"
    ),
    case({"scores_row": [np.inf, 0.0]}, r"^scores_row must hold finite numbers or -inf", "inf"),
    case({"scores_row": ["a"]}, r"^scores_row must be an array of numbers", "text"),
    case({"temperatures": []}, r"^temperatures must be a non-empty list of numbers > 0, but has shape \(0,\)$", "none"),
    case({"temperatures": [[1.0]]}, r"^temperatures must be a non-empty list.*shape \(1, 1\)$", "taus-2d"),
    case({"temperatures": [1.0, 0.0]}, r"^temperatures\[1\] must be a finite number > 0, but is 0.0$", "zero"),
    case({"temperatures": [-1.0]}, r"^temperatures\[0\] must be a finite number > 0, but is -1.0$", "negative"),
    case({"temperatures": [np.nan]}, r"^temperatures\[0\] must be a finite number > 0, but is nan$", "tau-nan"),
    case({"temperatures": [np.inf]}, r"^temperatures\[0\] must be a finite number > 0, but is inf$", "tau-inf"),
    case({"temperatures": ["hot"]}, r"^temperatures must be an array of numbers", "tau-text"),
    case({"scores_row": [1e307, 0.0], "temperatures": [0.01]}, r"^scores_row / temperature overflowed", "overflow"),
    case({"scores_row": [-1e307, 0.0], "temperatures": [0.01]}, r"^scores_row / temperature overflowed", "overflow-"),
]


@pytest.mark.parametrize(("changes", "match"), BAD_TEMPERATURES)
def test_softmax_temperatures_bad_input(changes, match):
    kwargs = {"scores_row": [1.0, 2.0], "temperatures": [1.0], **changes}
    with pytest.raises(core.AttentionInputError, match=match):
        core.softmax_temperatures(**kwargs)


def test_row_moments_are_the_mean_and_the_biased_spread_of_each_row():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]])
    means, spreads = core.row_moments(x)
    np.testing.assert_allclose(means, [2.0, 4.0 / 3.0], rtol=1e-15)
    np.testing.assert_allclose(spreads, [np.sqrt(2.0 / 3.0), np.sqrt(32.0 / 9.0)], rtol=1e-15)
    with pytest.raises(core.AttentionInputError, match="x"):
        core.row_moments(np.ones(3))


def test_zero_fraction_counts_exact_zeros():
    assert core.zero_fraction(np.array([[0.0, 1.0], [0.0, -0.0]])) == 0.75
    with pytest.raises(core.AttentionInputError, match="empty"):
        core.zero_fraction(np.zeros((0, 3)))


def test_value_shares_weigh_each_value_row_by_its_length():
    w = np.array([0.5, 0.25, 0.25])
    v = np.array([[3.0, 4.0], [0.0, 2.0], [1.0, 0.0]])  # lengths 5, 2, 1
    np.testing.assert_allclose(core.value_shares(w, v), [2.5, 0.5, 0.25])
    with pytest.raises(core.AttentionInputError):
        core.value_shares(w, v[:2])


def test_a_translations_alignment_is_its_cross_attention_averaged_over_heads():
    rng = np.random.default_rng(0)
    weights = rng.random((2, 4, 3, 5))
    t = core.Translation(("a",), ("b",), ("<s>",), True, weights, weights, weights, weights, ("b",), True)
    np.testing.assert_allclose(t.alignment, weights.mean(axis=1))
    assert t.alignment.shape == (2, 3, 5)
