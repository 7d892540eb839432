"""The article's numpy code: tutorial_self_attention, tutorial_multi_head_attention, the tutorial feed-forward.

For "the cat sat on" the embeddings E are one-hot-like, and E·Eᵀ is

          the cat sat on
    the [  1   0   0   1 ]
    cat [  0   1   0   1 ]
    sat [  0   0   1   0 ]
    on  [  1   1   0   2 ]

The article's softmax runs over axis 0, so each column is normalised on its own:
column 'the' -> [e, 1, 1, e] / (2e + 2), 'cat' -> [1, e, 1, e] / (2e + 2),
'sat' -> [1, 1, e, 1] / (e + 3), 'on' -> [e, e, 1, e²] / (e + 1)².
"""

import math

import numpy as np
import pytest

import core

E_ = math.e
SENTENCE = "the cat sat on"
EMBEDDINGS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.float64)

# weights[i, j]: query row i, key column j; each column from the closed forms above
CLOSED_FORM_WEIGHTS = np.array(
    [
        [E_ / (2 * E_ + 2), 1 / (2 * E_ + 2), 1 / (E_ + 3), E_ / (E_ + 1) ** 2],
        [1 / (2 * E_ + 2), E_ / (2 * E_ + 2), 1 / (E_ + 3), E_ / (E_ + 1) ** 2],
        [1 / (2 * E_ + 2), 1 / (2 * E_ + 2), E_ / (E_ + 3), 1 / (E_ + 1) ** 2],
        [E_ / (2 * E_ + 2), E_ / (2 * E_ + 2), 1 / (E_ + 3), E_**2 / (E_ + 1) ** 2],
    ]
)


# The article's code, verbatim apart from names (it uses the global np.random.rand; here a Generator).
def article_softmax(x):
    return np.exp(x) / np.sum(np.exp(x), axis=0)


def article_self_attention(embeddings):
    scores = np.dot(embeddings, embeddings.T)
    attention_weights = article_softmax(scores)
    output = np.dot(attention_weights, embeddings)
    return output, attention_weights


def article_multi_head_attention(embeddings, num_heads=2):
    head_outputs = []
    for _ in range(num_heads):
        output, _ = article_self_attention(embeddings)
        head_outputs.append(output)
    return np.concatenate(head_outputs)


def article_feedforward_network(x, rng):
    W1 = rng.random((x.shape[1], x.shape[1] * 2))
    b1 = rng.random(x.shape[1] * 2)
    W2 = rng.random((x.shape[1] * 2, x.shape[1]))
    b2 = rng.random(x.shape[1])
    hidden_layer = np.maximum(0, np.dot(x, W1) + b1)
    return np.dot(hidden_layer, W2) + b2


def embeddings():
    return core.seed_vocabulary().embed(SENTENCE)


def test_sentence_embeddings_are_the_article_table():
    np.testing.assert_array_equal(embeddings(), EMBEDDINGS)


def test_weights_columns_sum_to_one():
    _, weights = core.tutorial_self_attention(embeddings())
    assert weights.shape == (4, 4)
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, rtol=0, atol=1e-15)


def test_weights_rows_do_not_sum_to_one():
    # the article's softmax is over axis 0; rows are not distributions (the dashboard says so)
    _, weights = core.tutorial_self_attention(embeddings())
    row_sums = weights.sum(axis=1)
    assert not np.allclose(row_sums, 1.0)
    np.testing.assert_allclose(row_sums, CLOSED_FORM_WEIGHTS.sum(axis=1), rtol=1e-14)


def test_sat_attends_to_sat_with_the_articles_weight():
    _, weights = core.tutorial_self_attention(embeddings())
    assert round(weights[2, 2], 6) == 0.475367
    np.testing.assert_allclose(weights[2, 2], E_ / (E_ + 3), rtol=1e-15)


def test_the_attends_to_the_with_e_over_2e_plus_2():
    _, weights = core.tutorial_self_attention(embeddings())
    np.testing.assert_allclose(weights[0, 0], E_ / (2 * E_ + 2), rtol=1e-15)
    assert round(weights[0, 0], 6) == 0.365529


def test_all_weights_match_the_closed_forms():
    _, weights = core.tutorial_self_attention(embeddings())
    np.testing.assert_allclose(weights, CLOSED_FORM_WEIGHTS, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    ("i", "j", "value"),
    [
        (0, 3, 0.196612),  # the -> on: e / (e + 1)²
        (3, 3, 0.534447),  # on -> on: e² / (e + 1)²
        (1, 2, 0.174878),  # cat -> sat: 1 / (e + 3)
        (2, 0, 0.134471),  # sat -> the: 1 / (2e + 2)
    ],
)
def test_weights_to_six_decimals(i, j, value):
    _, weights = core.tutorial_self_attention(embeddings())
    assert round(weights[i, j], 6) == value


def test_output_is_weights_times_embeddings():
    output, weights = core.tutorial_self_attention(embeddings())
    np.testing.assert_allclose(output, weights @ EMBEDDINGS, rtol=1e-15, atol=0)
    # E's columns: 'the' + 'on', 'cat' + 'on', 'sat'
    W = CLOSED_FORM_WEIGHTS
    expected = np.stack([W[:, 0] + W[:, 3], W[:, 1] + W[:, 3], W[:, 2]], axis=1)
    np.testing.assert_allclose(output, expected, rtol=1e-14, atol=0)


def test_matches_the_articles_code():
    output, weights = core.tutorial_self_attention(EMBEDDINGS)
    ref_output, ref_weights = article_self_attention(EMBEDDINGS)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-14, atol=0)
    np.testing.assert_allclose(output, ref_output, rtol=1e-14, atol=0)


def test_weights_are_the_axis_zero_softmax_of_the_unscaled_gram_matrix():
    e = np.random.default_rng(0).standard_normal((5, 4))
    output, weights = core.tutorial_self_attention(e)
    np.testing.assert_allclose(weights, core.softmax(e @ e.T, axis=0), rtol=1e-14, atol=0)
    np.testing.assert_allclose(weights, article_self_attention(e)[1], rtol=1e-12, atol=0)
    np.testing.assert_allclose(output, weights @ e, rtol=1e-14, atol=1e-15)


def test_large_embeddings_do_not_overflow_where_the_article_would():
    e = EMBEDDINGS * 30.0  # scores up to 1800: exp overflows in the article's formula
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(article_self_attention(e)[1]).any()
    output, weights = core.tutorial_self_attention(e)
    assert np.all(np.isfinite(weights))
    assert np.all(np.isfinite(output))
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, rtol=0, atol=1e-15)


def test_does_not_modify_its_input():
    e = EMBEDDINGS.copy()
    core.tutorial_self_attention(e)
    np.testing.assert_array_equal(e, EMBEDDINGS)


# ---------------------------------------------------------------- tutorial_multi_head_attention


@pytest.mark.parametrize("n_heads", [1, 2, 3, 8])
def test_multi_head_stacks_identical_copies(n_heads):
    single, _ = core.tutorial_self_attention(embeddings())
    stacked = core.tutorial_multi_head_attention(embeddings(), n_heads=n_heads)
    T, D = single.shape
    assert stacked.shape == (n_heads * T, D)
    for h in range(n_heads):
        np.testing.assert_array_equal(stacked[h * T : (h + 1) * T], single)
    np.testing.assert_allclose(stacked, article_multi_head_attention(EMBEDDINGS, n_heads), rtol=1e-14, atol=0)


def test_multi_head_defaults_to_two_heads_as_in_the_article():
    stacked = core.tutorial_multi_head_attention(embeddings())
    assert stacked.shape == (8, 3)
    np.testing.assert_allclose(stacked, article_multi_head_attention(EMBEDDINGS), rtol=1e-14, atol=0)


# ---------------------------------------------------------------- init_tutorial_feed_forward


@pytest.mark.parametrize(("D", "F"), [(3, 6), (1, 2), (4, 3), (5, 10)])
@pytest.mark.parametrize("seed", [0, 123])
def test_init_tutorial_feed_forward_draw_order(D, F, seed):
    params = core.init_tutorial_feed_forward(D, F, np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    w1 = rng.random((D, F))
    b1 = rng.random(F)
    w2 = rng.random((F, D))
    b2 = rng.random(D)
    np.testing.assert_array_equal(params.w1, w1)
    np.testing.assert_array_equal(params.b1, b1)
    np.testing.assert_array_equal(params.w2, w2)
    np.testing.assert_array_equal(params.b2, b2)
    assert (params.d_model, params.d_ff) == (D, F)
    for arr in (params.w1, params.b1, params.w2, params.b2):
        assert np.all((arr >= 0.0) & (arr < 1.0))


def test_init_tutorial_feed_forward_is_reproducible_and_seed_dependent():
    a = core.init_tutorial_feed_forward(3, 6, np.random.default_rng(1))
    b = core.init_tutorial_feed_forward(3, 6, np.random.default_rng(1))
    c = core.init_tutorial_feed_forward(3, 6, np.random.default_rng(2))
    np.testing.assert_array_equal(a.w1, b.w1)
    np.testing.assert_array_equal(a.b2, b.b2)
    assert not np.array_equal(a.w1, c.w1)


def test_feed_forward_with_tutorial_params_is_the_articles_formula():
    x = core.tutorial_multi_head_attention(embeddings())  # (8, 3), as the article feeds it
    params = core.init_tutorial_feed_forward(3, 6, np.random.default_rng(7))
    res = core.feed_forward(x, params)
    W1, b1, W2, b2 = params.w1, params.b1, params.w2, params.b2
    np.testing.assert_allclose(res.output, np.maximum(0, x @ W1 + b1) @ W2 + b2, rtol=1e-14, atol=0)
    assert res.output.shape == (8, 3)


def test_whole_article_pipeline():
    seed = 2024
    x = core.tutorial_multi_head_attention(core.seed_vocabulary().embed(SENTENCE))
    params = core.init_tutorial_feed_forward(x.shape[1], 2 * x.shape[1], np.random.default_rng(seed))
    final = core.feed_forward(x, params).output
    expected = article_feedforward_network(article_multi_head_attention(EMBEDDINGS), np.random.default_rng(seed))
    np.testing.assert_allclose(final, expected, rtol=1e-13, atol=0)


# ---------------------------------------------------------------- tutorial_attention

ARTICLE_SCORES = np.array([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 0], [1, 1, 0, 2]], dtype=np.float64)


def test_tutorial_attention_keeps_every_step_of_the_article():
    res = core.tutorial_attention(embeddings())
    assert res.scores.shape == res.weights.shape == (4, 4)
    assert res.output.shape == (4, 3)
    np.testing.assert_array_equal(res.scores, ARTICLE_SCORES)  # the table in this file's docstring
    np.testing.assert_allclose(res.weights, CLOSED_FORM_WEIGHTS, rtol=1e-14, atol=0)
    np.testing.assert_allclose(res.output, CLOSED_FORM_WEIGHTS @ EMBEDDINGS, rtol=1e-14, atol=0)
    assert round(res.weights[2, 2], 6) == 0.475367


@pytest.mark.parametrize(("T", "D"), [(1, 1), (1, 4), (4, 3), (7, 5)])
def test_tutorial_attention_is_the_unscaled_axis_zero_softmax(T, D):
    e = np.random.default_rng(T * 10 + D).standard_normal((T, D)) * 2
    res = core.tutorial_attention(e)
    np.testing.assert_array_equal(res.scores, e @ e.T)  # no 1/sqrt(D)
    np.testing.assert_allclose(res.weights, core.softmax(e @ e.T, axis=0), rtol=1e-14, atol=0)
    np.testing.assert_allclose(res.weights.sum(axis=0), 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(res.output, res.weights @ e, rtol=1e-14, atol=1e-15)
    ref_output, ref_weights = article_self_attention(e)
    np.testing.assert_allclose(res.weights, ref_weights, rtol=1e-12, atol=0)
    np.testing.assert_allclose(res.output, ref_output, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("e", [EMBEDDINGS, np.random.default_rng(3).standard_normal((6, 4))], ids=["article", "random"])
def test_tutorial_self_attention_returns_the_arrays_of_tutorial_attention(e):
    output, weights = core.tutorial_self_attention(e)
    res = core.tutorial_attention(e)
    np.testing.assert_array_equal(output, res.output)
    np.testing.assert_array_equal(weights, res.weights)


def test_tutorial_attention_large_embeddings_do_not_overflow():
    res = core.tutorial_attention(EMBEDDINGS * 30.0)  # scores up to 1800
    np.testing.assert_array_equal(res.scores, ARTICLE_SCORES * 900.0)
    assert np.all(np.isfinite(res.weights))
    np.testing.assert_allclose(res.weights.sum(axis=0), 1.0, rtol=0, atol=1e-15)


def test_tutorial_attention_result_is_frozen_and_read_only():
    import dataclasses

    e = EMBEDDINGS.copy()
    res = core.tutorial_attention(e)
    for name in ("scores", "weights", "output"):
        arr = getattr(res, name)
        assert arr.dtype == np.float64
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr[0, 0] = 1.0
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, name, np.zeros((4, 4)))
    output, weights = core.tutorial_self_attention(e)
    assert not output.flags.writeable
    assert not weights.flags.writeable
    np.testing.assert_array_equal(e, EMBEDDINGS)  # the input is untouched


@pytest.mark.parametrize(
    ("embeddings_", "match"),
    [
        (np.ones(3), r"^embeddings must have 2 axes, but has 1 \(shape \(3,\)\)$"),
        (np.ones((1, 2, 3)), r"^embeddings must have 2 axes, but has 3"),
        (np.zeros((0, 3)), r"^embeddings must hold at least one token, but its shape is \(0, 3\)$"),
        ([[1.0, float("nan")]], r"^embeddings must hold finite numbers only, but has nan at index \(0, 1\)$"),
        ([["a", "b"]], r"^embeddings must be an array of numbers"),
        (np.full((2, 3), 1e160), r"E·Eᵀ overflowed float64"),
    ],
    ids=["1d", "3d", "empty", "nan", "text", "overflow"],
)
def test_tutorial_attention_bad_input(embeddings_, match):
    with pytest.raises(core.AttentionInputError, match=match):
        core.tutorial_attention(embeddings_)
