"""feed_forward, FeedForwardParams and init_feed_forward: formula, draw order, PyTorch parity."""

import dataclasses
import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import torch_feed_forward

import core

RTOL, ATOL = 1e-9, 1e-12


def make(T, D, F, seed=0):
    rng = np.random.default_rng(seed)
    params = core.init_feed_forward(D, F, rng)
    return rng.standard_normal((T, D)), params


SHAPES = [(1, 1, 1), (4, 3, 6), (5, 8, 32), (3, 6, 2), (7, 2, 9)]


@pytest.mark.parametrize(("T", "D", "F"), SHAPES)
def test_output_is_relu_of_first_layer_through_second(T, D, F):
    x, params = make(T, D, F, seed=T + D + F)
    res = core.feed_forward(x, params)
    pre = x @ params.w1 + params.b1
    assert res.pre_activation.shape == (T, F)
    assert res.hidden.shape == (T, F)
    assert res.output.shape == (T, D)
    np.testing.assert_allclose(res.pre_activation, pre, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(res.hidden, np.maximum(res.pre_activation, 0.0))
    np.testing.assert_allclose(res.output, res.hidden @ params.w2 + params.b2, rtol=1e-14, atol=1e-15)


def test_feed_forward_with_loops():
    x, params = make(3, 4, 5, seed=1)
    res = core.feed_forward(x, params)
    for t in range(3):
        hidden = [max(0.0, sum(x[t, d] * params.w1[d, f] for d in range(4)) + params.b1[f]) for f in range(5)]
        for d in range(4):
            expected = sum(hidden[f] * params.w2[f, d] for f in range(5)) + params.b2[d]
            np.testing.assert_allclose(res.output[t, d], expected, rtol=1e-12, atol=1e-14)


def test_relu_zeroes_negative_pre_activations():
    params = core.FeedForwardParams(
        w1=np.array([[1.0, -1.0]]), b1=np.array([0.0, 0.5]), w2=np.array([[2.0], [3.0]]), b2=np.array([0.25])
    )
    x = np.array([[1.0], [-1.0], [0.5]])
    res = core.feed_forward(x, params)
    np.testing.assert_array_equal(res.pre_activation, [[1.0, -0.5], [-1.0, 1.5], [0.5, 0.0]])
    np.testing.assert_array_equal(res.hidden, [[1.0, 0.0], [0.0, 1.5], [0.5, 0.0]])
    np.testing.assert_array_equal(res.output, [[2.25], [4.75], [1.25]])


def test_feed_forward_acts_on_each_position_independently():
    x, params = make(5, 4, 8, seed=2)
    res = core.feed_forward(x, params)
    for t in range(5):
        single = core.feed_forward(x[t : t + 1], params)
        np.testing.assert_allclose(single.output[0], res.output[t], rtol=1e-14, atol=1e-15)


def test_feed_forward_does_not_modify_x():
    x, params = make(3, 2, 4, seed=3)
    before = x.copy()
    core.feed_forward(x, params)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(("T", "D", "F"), SHAPES)
def test_matches_torch_linear_relu_linear(T, D, F):
    x, params = make(T, D, F, seed=10 * T + D)
    x *= 3.0
    np.testing.assert_allclose(core.feed_forward(x, params).output, torch_feed_forward(x, params), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("D", "F"), [(1, 1), (3, 6), (4, 2), (16, 64)])
def test_init_draw_order_and_bounds(D, F):
    seed = 77
    params = core.init_feed_forward(D, F, np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    b1, b2 = 1.0 / math.sqrt(D), 1.0 / math.sqrt(F)
    np.testing.assert_array_equal(params.w1, rng.uniform(-b1, b1, size=(D, F)))
    np.testing.assert_array_equal(params.b1, rng.uniform(-b1, b1, size=F))
    np.testing.assert_array_equal(params.w2, rng.uniform(-b2, b2, size=(F, D)))
    np.testing.assert_array_equal(params.b2, rng.uniform(-b2, b2, size=D))
    assert params.d_model == D
    assert params.d_ff == F
    assert np.all(np.abs(params.w1) <= b1)
    assert np.all(np.abs(params.b1) <= b1)
    assert np.all(np.abs(params.w2) <= b2)
    assert np.all(np.abs(params.b2) <= b2)


def test_init_is_reproducible_and_depends_on_the_seed():
    a = core.init_feed_forward(4, 8, np.random.default_rng(5))
    b = core.init_feed_forward(4, 8, np.random.default_rng(5))
    c = core.init_feed_forward(4, 8, np.random.default_rng(6))
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))


def test_params_arrays_are_read_only_copies():
    w1 = np.ones((2, 3))
    params = core.FeedForwardParams(w1=w1, b1=[0, 0, 0], w2=np.ones((3, 2)), b2=[1, 2])
    for name in ("w1", "b1", "w2", "b2"):
        arr = getattr(params, name)
        assert arr.dtype == np.float64
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[(0,) * arr.ndim] = 5.0
    w1[0, 0] = 9.0
    assert params.w1[0, 0] == 1.0
    np.testing.assert_array_equal(params.b2, [1.0, 2.0])


@pytest.mark.parametrize("name", ["w1", "b1", "w2", "b2", "d_model"])
def test_params_are_frozen(name):
    params = core.init_feed_forward(2, 3, np.random.default_rng(0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(params, name, np.zeros(1))


def test_result_is_frozen():
    x, params = make(2, 2, 2)
    res = core.feed_forward(x, params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.hidden = np.zeros((2, 2))


@st.composite
def ffn_inputs(draw):
    T, D, F = draw(st.integers(1, 12)), draw(st.integers(1, 10)), draw(st.integers(1, 20))
    x = draw(hnp.arrays(np.float64, (T, D), elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)))
    return x, core.init_feed_forward(D, F, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


@settings(max_examples=50, deadline=None)
@given(inputs=ffn_inputs())
def test_hypothesis_shapes_finite_and_formula(inputs):
    x, params = inputs
    T, D = x.shape
    res = core.feed_forward(x, params)
    assert res.hidden.shape == (T, params.d_ff)
    assert res.output.shape == (T, D)
    assert np.all(np.isfinite(res.output))
    assert np.all(res.hidden >= 0.0)
    expected = np.maximum(0, x @ params.w1 + params.b1) @ params.w2 + params.b2
    np.testing.assert_allclose(res.output, expected, rtol=1e-12, atol=1e-12 * (1 + np.abs(x).max()))
