"""Layer normalisation and the sinusoidal positional encoding of Vaswani et al. 2017."""

from __future__ import annotations

import numpy as np

from ._checks import AttentionInputError, as_float_array, positive_int


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
    try:
        eps = float(eps)
    except (TypeError, ValueError):
        raise AttentionInputError(f"eps must be a positive number, but is {eps!r}") from None
    if not (np.isfinite(eps) and eps > 0):
        raise AttentionInputError(f"eps must be a finite number > 0, but is {eps}")
    # Rows with |x| > 1 are divided by their largest |x| first, so mean and variance cannot
    # overflow (|x| past ~1e154 would square to inf); eps is divided by the same factor squared.
    # Rows within [-1, 1] are divided by 1.0, which is exact.
    a = np.maximum(np.abs(x).max(axis=-1, keepdims=True), 1.0)
    xs = x / a
    mean = xs.mean(axis=-1, keepdims=True)
    centred = xs - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    denom = np.sqrt(var + eps / a / a)
    denom[denom == 0.0] = 1.0  # a constant row whose eps / a² underflowed: every centred value is 0
    out = centred / denom
    if gamma is not None:
        gamma = as_float_array(gamma, "gamma", ndim=1)
        if gamma.shape != (D,):
            raise AttentionInputError(f"gamma must have shape ({D},) to match x's width, but has {gamma.shape}")
        out *= gamma
    if beta is not None:
        beta = as_float_array(beta, "beta", ndim=1)
        if beta.shape != (D,):
            raise AttentionInputError(f"beta must have shape ({D},) to match x's width, but has {beta.shape}")
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
