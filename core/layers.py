"""Layer normalisation and the sinusoidal positional encoding of Vaswani et al. 2017."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array, frozen_array, positive_float, positive_int


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class LayerNormParams:
    """gamma (D,) scales and beta (D,) shifts each normalised vector. Arrays are stored read-only."""

    gamma: np.ndarray
    beta: np.ndarray

    def __post_init__(self):
        gamma = as_float_array(self.gamma, "gamma", ndim=1)
        beta = as_float_array(self.beta, "beta", ndim=1)
        if gamma.shape[0] < 1:
            raise AttentionInputError(f"gamma must have shape (d_model,) with d_model >= 1, but has {gamma.shape}")
        if beta.shape != gamma.shape:
            raise AttentionInputError(f"beta must have the shape of gamma {gamma.shape}, but has {beta.shape}")
        object.__setattr__(self, "gamma", frozen_array(gamma))
        object.__setattr__(self, "beta", frozen_array(beta))

    @property
    def d_model(self) -> int:
        return self.gamma.shape[0]


def init_layer_norm(d_model: int) -> LayerNormParams:
    """A layer norm as torch.nn.LayerNorm starts: gamma = 1 and beta = 0 (the identity affine map)."""
    D = positive_int(d_model, "d_model")
    return LayerNormParams(gamma=np.ones(D), beta=np.zeros(D))


def _scaled_rows(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x divided row by row by max(|x|, 1), and eps by the same factor squared (same normalised rows).

    For rows with values past ~1e154, whose squares would overflow.
    """
    a = np.maximum(np.abs(x).max(axis=-1, keepdims=True), 1.0)
    return x / a, eps / a / a


def _check_affine(value, name: str, d: int) -> np.ndarray:
    arr = as_float_array(value, name, ndim=1)
    if arr.shape != (d,):
        raise AttentionInputError(f"{name} must have shape ({d},) to match x's width, but has {arr.shape}")
    return arr


def layer_norm(x, gamma=None, beta=None, eps: float = 1e-5) -> np.ndarray:
    """x (..., D) -> (..., D): (x - mean) / sqrt(var + eps) * gamma + beta over the last axis.

    Population variance, as ``torch.nn.functional.layer_norm``. gamma, beta (D,) default
    to ones and zeros.
    """
    x = as_float_array(x, "x", min_ndim=1)
    D = x.shape[-1]
    if D < 1:
        raise AttentionInputError(f"x must have a last axis of width >= 1, but has shape {x.shape}")
    if x.size == 0:
        raise AttentionInputError(f"x must hold at least one vector, but its shape is {x.shape}")
    eps = positive_float(eps, "eps")
    gamma = None if gamma is None else _check_affine(gamma, "gamma", D)
    beta = None if beta is None else _check_affine(beta, "beta", D)
    return _layer_norm(x, gamma, beta, eps)


def _layer_norm(x: np.ndarray, gamma, beta, eps: float) -> np.ndarray:
    """layer_norm without its checks, for callers that have made them (the encoder block).

    x: finite float64 (..., D); gamma, beta: (D,) or None.
    A gamma of ones and a beta of zeros (how a block starts) are skipped: x·1 and x + 0 are x.
    """
    D = x.shape[-1]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow shows in var, checked below
        mean = x.mean(axis=-1, keepdims=True)
        out = x - mean  # (..., D), centred
        var = np.einsum("...i,...i->...", out, out)[..., None] / D  # one pass, no (..., D) temporary
    if not np.isfinite(var).all():
        # Rows past ~1e150 (rare): their squares, or their sum, overflowed. Rescaled rows have
        # the same normalised values; rather than look for the largest |x| first on every call
        # (two more passes), the overflow is noticed after the fact, on the (..., 1) variances.
        xs, eps_s = _scaled_rows(x, eps)
        mean = xs.mean(axis=-1, keepdims=True)
        out = xs - mean
        var = np.einsum("...i,...i->...", out, out)[..., None] / D
        eps = eps_s
    denom = np.sqrt(var + eps)
    denom[denom == 0.0] = 1.0  # a constant rescaled row whose eps / a² underflowed: every centred value is 0
    np.divide(out, denom, out=out)
    if gamma is not None and not (gamma == 1.0).all():
        out *= gamma
    if beta is not None and beta.any():
        out += beta
    return out


def sinusoidal_positional_encoding(n_positions: int, d_model: int) -> np.ndarray:
    """(n_positions, d_model): PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(same angle).

    An odd width ends on a sine column.
    """
    n = positive_int(n_positions, "n_positions")
    D = positive_int(d_model, "d_model")
    pos = np.arange(n, dtype=np.float64)[:, None]  # (n, 1)
    two_i = (np.arange(D) // 2 * 2).astype(np.float64)  # 0, 0, 2, 2, 4, ...
    angle = pos / np.power(10000.0, two_i / D)  # (n, D)
    pe = np.empty((n, D))
    pe[:, 0::2] = np.sin(angle[:, 0::2])
    pe[:, 1::2] = np.cos(angle[:, 1::2])
    return pe


def add_positions(x) -> np.ndarray:
    """x (..., T, D) -> x + PE (..., T, D): each row told where it stands (PE of positions 0..T-1).

    A block's input: the embeddings of a sentence plus the sinusoidal encoding of their places.
    """
    arr = as_float_array(x, "x", min_ndim=2)
    if arr.shape[-2] == 0 or arr.shape[-1] == 0:
        raise AttentionInputError(f"x must have rows of width >= 1 on its last two axes, but has shape {arr.shape}")
    return arr + sinusoidal_positional_encoding(arr.shape[-2], arr.shape[-1])  # (..., T, D) + (T, D)
