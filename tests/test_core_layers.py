"""layer_norm, sinusoidal_positional_encoding and add_positions: properties, known values, PyTorch parity."""

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import torch_layer_norm

import core

RTOL, ATOL = 1e-9, 1e-12

# ---------------------------------------------------------------- layer_norm


@pytest.mark.parametrize("shape", [(2,), (5, 4), (3, 7), (2, 3, 8), (1, 64)])
def test_layer_norm_mean_zero_population_variance_one(shape):
    x = np.random.default_rng(0).standard_normal(shape) * 7.0 + 3.0
    out = core.layer_norm(x, eps=1e-12)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-9)  # np.var is the population variance (ddof=0)


def test_layer_norm_variance_is_shrunk_by_eps():
    x = np.random.default_rng(1).standard_normal((4, 6))
    eps = 0.5
    out = core.layer_norm(x, eps=eps)
    v = x.var(axis=-1)
    np.testing.assert_allclose(out.var(axis=-1), v / (v + eps), rtol=1e-12)
    np.testing.assert_allclose(out, (x - x.mean(-1, keepdims=True)) / np.sqrt(v[:, None] + eps), rtol=1e-12, atol=1e-15)


def test_layer_norm_uses_population_not_sample_variance():
    out = core.layer_norm([1.0, 3.0], eps=1e-12)  # mean 2, population variance 1 -> [-1, 1]
    np.testing.assert_allclose(out, [-1.0, 1.0], rtol=1e-10)


def test_layer_norm_hand_computed_values():
    # x = [2, 4, 6, 8]: mean 5, population variance (9 + 1 + 1 + 9) / 4 = 5
    out = core.layer_norm([[2.0, 4.0, 6.0, 8.0]], eps=1e-5)
    np.testing.assert_allclose(out, [[-3.0, -1.0, 1.0, 3.0]] / np.sqrt(5.0 + 1e-5), rtol=1e-14)


def test_layer_norm_gamma_and_beta():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5))
    gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
    plain = core.layer_norm(x)
    np.testing.assert_allclose(core.layer_norm(x, gamma=gamma), plain * gamma, rtol=1e-14, atol=0)
    np.testing.assert_allclose(core.layer_norm(x, beta=beta), plain + beta, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(core.layer_norm(x, gamma, beta), plain * gamma + beta, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(core.layer_norm(x, np.ones(5), np.zeros(5)), plain, rtol=0, atol=0)


@pytest.mark.parametrize("D", [1, 3])
def test_layer_norm_of_a_constant_row_is_zero_not_nan(D):
    out = core.layer_norm(np.full((2, D), 4.25))
    np.testing.assert_array_equal(out, np.zeros((2, D)))
    np.testing.assert_array_equal(
        core.layer_norm(np.full((2, D), 4.25), beta=np.arange(D)), np.tile(np.arange(D), (2, 1))
    )


def test_layer_norm_is_shift_and_scale_invariant():
    x = np.random.default_rng(3).standard_normal((4, 6))
    base = core.layer_norm(x, eps=1e-12)
    np.testing.assert_allclose(core.layer_norm(x * 50.0 - 7.0, eps=1e-12), base, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("magnitude", [1e154, 1e200, 1e300, 1.5e308])
def test_layer_norm_of_huge_values_does_not_overflow(magnitude):
    x = np.array([[magnitude, -magnitude, 0.0, magnitude]])
    out = core.layer_norm(x)
    expected = core.layer_norm(np.array([[1.0, -1.0, 0.0, 1.0]]), eps=1e-300)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(core.layer_norm(np.full((1, 3), magnitude)), np.zeros((1, 3)))


@pytest.mark.parametrize("peak", [1e99, 1e100, 1e150, 1e153, 1e154, 1e155, 1e160, 1e200, 1e300])
def test_layer_norm_is_the_same_either_side_of_the_rescaling_bound(peak):
    # once the squares overflow (|x| past ~1e153 for 8 values), the rows are divided by their
    # largest |x| and normalised again; the normalised rows do not change
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 8))
    x /= np.abs(x).max()
    gamma, beta = rng.standard_normal(8), rng.standard_normal(8)
    expected = torch_layer_norm(x, gamma, beta, eps=1e-300)
    np.testing.assert_allclose(core.layer_norm(x * peak, gamma, beta, eps=1e-300), expected, rtol=1e-12, atol=1e-14)


def test_layer_norm_does_not_modify_its_input():
    x = np.random.default_rng(4).standard_normal((3, 4))
    before = x.copy()
    core.layer_norm(x, np.ones(4), np.zeros(4))
    np.testing.assert_array_equal(x, before)


LN_SHAPES = [(6,), (4, 5), (2, 3, 8), (7, 1), (3, 64)]


@pytest.mark.parametrize("shape", LN_SHAPES)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("eps", [1e-5, 1e-12, 0.1])
def test_layer_norm_matches_torch(shape, affine, eps):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) * 4.0 + 1.5
    D = shape[-1]
    gamma = rng.standard_normal(D) if affine else None
    beta = rng.standard_normal(D) if affine else None
    np.testing.assert_allclose(
        core.layer_norm(x, gamma, beta, eps=eps), torch_layer_norm(x, gamma, beta, eps=eps), rtol=RTOL, atol=ATOL
    )


def test_layer_norm_matches_torch_with_only_gamma_or_only_beta():
    rng = np.random.default_rng(5)
    x, gamma, beta = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(core.layer_norm(x, gamma=gamma), torch_layer_norm(x, gamma=gamma), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(core.layer_norm(x, beta=beta), torch_layer_norm(x, beta=beta), rtol=RTOL, atol=ATOL)


@settings(max_examples=50, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=10),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    )
)
def test_layer_norm_hypothesis(x):
    out = core.layer_norm(x)
    assert out.shape == x.shape
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, rtol=0, atol=1e-9)
    v = x.var(axis=-1)
    np.testing.assert_allclose(out.var(axis=-1), v / (v + 1e-5), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(out, torch_layer_norm(x), rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- sinusoidal_positional_encoding


@pytest.mark.parametrize("D", [1, 2, 3, 4, 5, 8, 9])
def test_pe_position_zero_is_zero_one_alternating(D):
    pe = core.sinusoidal_positional_encoding(3, D)
    assert pe.shape == (3, D)
    np.testing.assert_array_equal(pe[0], [0.0 if i % 2 == 0 else 1.0 for i in range(D)])


@pytest.mark.parametrize("D", [2, 5, 16])
def test_pe_first_pair_is_sin_and_cos_of_the_position(D):
    pe = core.sinusoidal_positional_encoding(50, D)
    p = np.arange(50)
    np.testing.assert_allclose(pe[:, 0], np.sin(p), rtol=0, atol=1e-15)
    np.testing.assert_allclose(pe[:, 1], np.cos(p), rtol=0, atol=1e-15)


def test_pe_hand_computed_values_at_odd_width():
    # d_model = 5: angles p, p, p / 10000^(2/5), p / 10000^(2/5), p / 10000^(4/5); 10000^(2/5) = 39.8107..., 10000^(4/5) = 1584.89...
    pe = core.sinusoidal_positional_encoding(4, 5)
    expected_p3 = [0.141120008060, -0.989992496600, 0.0752852929989, 0.997162035307, 0.00189287090309]
    np.testing.assert_allclose(pe[3], expected_p3, rtol=1e-10)
    expected_p1 = [0.841470984808, 0.540302305868, 0.0251162229098, 0.999684537915, 0.000630957302615]
    np.testing.assert_allclose(pe[1], expected_p1, rtol=1e-10)


def test_pe_formula_at_even_width():
    n, D = 7, 6
    pe = core.sinusoidal_positional_encoding(n, D)
    for p in range(n):
        for i in range(D // 2):
            angle = p / 10000 ** (2 * i / D)
            assert pe[p, 2 * i] == pytest.approx(math.sin(angle), rel=1e-12, abs=1e-15)
            assert pe[p, 2 * i + 1] == pytest.approx(math.cos(angle), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("D", [1, 3, 5, 7, 11])
def test_pe_last_column_of_an_odd_width_is_a_sine(D):
    pe = core.sinusoidal_positional_encoding(20, D)
    p = np.arange(20)
    np.testing.assert_allclose(pe[:, -1], np.sin(p / 10000 ** ((D - 1) / D)), rtol=1e-13, atol=1e-15)
    assert pe[0, -1] == 0.0


@pytest.mark.parametrize(("n", "D"), [(1, 1), (10, 4), (30, 7), (100, 16)])
def test_pe_is_bounded_and_pairs_are_on_the_unit_circle(n, D):
    pe = core.sinusoidal_positional_encoding(n, D)
    assert pe.shape == (n, D)
    assert pe.dtype == np.float64
    assert np.all(np.abs(pe) <= 1.0)
    pairs = D // 2
    np.testing.assert_allclose(pe[:, 0 : 2 * pairs : 2] ** 2 + pe[:, 1 : 2 * pairs : 2] ** 2, 1.0, rtol=1e-14)


def test_pe_prefix_does_not_depend_on_the_number_of_positions():
    np.testing.assert_array_equal(
        core.sinusoidal_positional_encoding(5, 6), core.sinusoidal_positional_encoding(12, 6)[:5]
    )


@pytest.mark.parametrize("shape", [(1, 1), (4, 5), (3, 6, 8)])
def test_add_positions_adds_the_encoding_of_each_row_place(shape):
    x = np.random.default_rng(len(shape)).normal(size=shape)
    out = core.add_positions(x)
    T, D = shape[-2:]
    np.testing.assert_array_equal(out, x + core.sinusoidal_positional_encoding(T, D))  # every batch row alike
    np.testing.assert_array_equal(out[..., 0, 1::2], x[..., 0, 1::2] + 1.0)  # position 0: cos 0 on odd columns
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("x", [np.ones(3), np.ones((0, 4)), np.ones((2, 0)), [[1.0, np.nan]], [["a"]]])
def test_add_positions_refuses_what_has_no_rows_of_numbers(x):
    with pytest.raises(core.AttentionInputError, match=r"^x must"):
        core.add_positions(x)


def test_init_layer_norm_is_torchs_starting_point():
    ln = torch.nn.LayerNorm(5, dtype=torch.float64)
    params = core.init_layer_norm(5)
    np.testing.assert_array_equal(params.gamma, ln.weight.detach().numpy())
    np.testing.assert_array_equal(params.beta, ln.bias.detach().numpy())
    with pytest.raises(core.AttentionInputError):
        core.init_layer_norm(0)
