"""Head summaries against hand-computed maps; switching a head off against the concatenation."""

from __future__ import annotations

import numpy as np
import pytest

import core


def one_hot_heads(T: int) -> np.ndarray:
    """Three heads: one looks at the previous token, one at the next, one at itself (ends clamped)."""
    eye = np.eye(T)
    prev = np.roll(eye, -1, axis=1)
    prev[0] = eye[0]
    nxt = np.roll(eye, 1, axis=1)
    nxt[-1] = eye[-1]
    return np.stack([prev, nxt, eye])


def test_roles_of_heads_with_one_clear_job():
    roles = core.head_roles(one_hot_heads(5))
    np.testing.assert_array_equal(roles.previous, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(roles.next, [0.0, 1.0, 0.0])
    np.testing.assert_allclose(roles.self, [0.2, 0.2, 1.0])  # the clamped ends look at themselves
    np.testing.assert_allclose(roles.first, [0.25, 0.0, 0.0])  # only query 1 looks at token 0
    np.testing.assert_array_equal(roles.entropy, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(roles.spread, [0.0, 0.0, 0.0])
    assert roles.uniform_entropy == pytest.approx(np.log(5))


def test_a_uniform_head_has_the_largest_entropy():
    T = 4
    roles = core.head_roles(np.full((1, T, T), 1 / T))
    np.testing.assert_allclose(roles.entropy, [np.log(T)], rtol=1e-15)
    np.testing.assert_allclose(roles.spread, [1.0], rtol=1e-15)
    np.testing.assert_allclose(roles.previous, [0.25])


def test_one_token_has_no_previous_next_or_first():
    roles = core.head_roles(np.ones((2, 1, 1)))
    assert np.isnan(roles.previous).all() and np.isnan(roles.next).all() and np.isnan(roles.first).all()
    np.testing.assert_array_equal(roles.self, [1.0, 1.0])


def test_similarity_of_heads():
    w = one_hot_heads(5)
    sim = core.head_similarity(np.concatenate([w, w[:1]]))  # head 4 is a copy of head 1
    assert sim.shape == (4, 4)
    np.testing.assert_allclose(np.diag(sim), 1.0)
    assert sim[0, 3] == pytest.approx(1.0)
    assert sim[0, 1] == 0.0  # previous and next never pick the same key
    assert sim[0, 2] == pytest.approx(1 / 5)  # previous and self share the clamped first row
    np.testing.assert_allclose(sim, sim.T)


def test_a_fully_masked_head_is_similar_to_nothing():
    w = np.stack([np.eye(3), np.zeros((3, 3))])
    sim = core.head_similarity(w)
    np.testing.assert_array_equal(sim, [[1.0, 0.0], [0.0, 0.0]])


def test_switching_heads_off_zeroes_their_share_of_the_output():
    rng = np.random.default_rng(0)
    params = core.init_multi_head(8, 4, rng)
    x = rng.standard_normal((5, 8))
    res = core.multi_head_attention(x, params)
    none = core.heads_off(res, params, [])
    np.testing.assert_allclose(none.output, res.output, rtol=1e-13)
    assert none.mean_change == pytest.approx(0.0, abs=1e-15)
    d_v = params.d_v
    off = core.heads_off(res, params, [3, 1, 1])
    assert off.off == (1, 3)
    keep = np.r_[0:d_v, 2 * d_v : 3 * d_v]
    np.testing.assert_allclose(off.output, res.concat[:, keep] @ params.w_o[keep], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(off.change, off.output - res.output, rtol=1e-15)
    assert off.mean_change == pytest.approx(np.abs(off.output - res.output).mean())
    assert off.mean_size == pytest.approx(np.abs(res.output).mean())
    np.testing.assert_allclose(core.heads_off(res, params, range(4)).output, 0.0)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones((2, 3)), "weights"),
        (np.ones((2, 3, 4)), r"\(n_heads, T, T\)"),
        (np.full((1, 2, 2), np.nan), "finite"),
        (-np.ones((1, 2, 2)), "non-negative"),
    ],
)
def test_bad_weights_are_refused(weights, match):
    with pytest.raises(core.AttentionInputError, match=match):
        core.head_roles(weights)
    with pytest.raises(core.AttentionInputError, match=match):
        core.head_similarity(weights)


def test_a_head_outside_the_model_cannot_be_switched_off():
    rng = np.random.default_rng(1)
    params = core.init_multi_head(4, 2, rng)
    res = core.multi_head_attention(rng.standard_normal((3, 4)), params)
    with pytest.raises(core.AttentionInputError, match="between 0 and 1"):
        core.heads_off(res, params, [2])
