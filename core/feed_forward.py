"""The position-wise feed-forward network: ReLU(x W1 + b1) W2 + b2 (Vaswani et al. 2017, eq. 2)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import AttentionInputError, as_float_array, check_rng, frozen_array, non_empty_sequence, positive_int


@dataclass(frozen=True, eq=False)  # compared by identity: == on arrays has no single truth value
class FeedForwardParams:
    """w1 (D, F), b1 (F,), w2 (F, D), b2 (D,). Arrays are stored read-only."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    # (D + 1, F): w1 with b1 as its last row, so [x | 1] @ w1_b1 = x W1 + b1 in one matrix product.
    w1_b1: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        w1 = as_float_array(self.w1, "w1", ndim=2)
        b1 = as_float_array(self.b1, "b1", ndim=1)
        w2 = as_float_array(self.w2, "w2", ndim=2)
        b2 = as_float_array(self.b2, "b2", ndim=1)
        D, F = w1.shape
        if D < 1 or F < 1:
            raise AttentionInputError(f"w1 must have shape (d_model, d_ff) with both >= 1, but has {w1.shape}")
        if b1.shape != (F,):
            raise AttentionInputError(f"b1 must have shape ({F},) to match w1 {w1.shape}, but has {b1.shape}")
        if w2.shape != (F, D):
            raise AttentionInputError(f"w2 must have shape ({F}, {D}) to match w1 {w1.shape}, but has {w2.shape}")
        if b2.shape != (D,):
            raise AttentionInputError(f"b2 must have shape ({D},) to match w1 {w1.shape}, but has {b2.shape}")
        for name, arr in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
            object.__setattr__(self, name, frozen_array(arr))
        w1_b1 = np.empty((D + 1, F))
        w1_b1[:D] = w1
        w1_b1[D] = b1
        w1_b1.setflags(write=False)
        object.__setattr__(self, "w1_b1", w1_b1)

    @property
    def d_model(self) -> int:
        return self.w1.shape[0]

    @property
    def d_ff(self) -> int:
        return self.w1.shape[1]


def init_feed_forward(d_model: int, d_ff: int, rng: np.random.Generator) -> FeedForwardParams:
    """Random weights as ``torch.nn.Linear`` draws them: uniform in ±1/sqrt(fan_in).

    Drawn from ``rng`` in the order w1, b1, w2, b2.
    """
    D = positive_int(d_model, "d_model")
    F = positive_int(d_ff, "d_ff")
    rng = check_rng(rng)
    bound1, bound2 = 1.0 / np.sqrt(D), 1.0 / np.sqrt(F)
    w1 = rng.uniform(-bound1, bound1, size=(D, F))
    b1 = rng.uniform(-bound1, bound1, size=F)
    w2 = rng.uniform(-bound2, bound2, size=(F, D))
    b2 = rng.uniform(-bound2, bound2, size=D)
    return FeedForwardParams(w1=w1, b1=b1, w2=w2, b2=b2)


@dataclass(frozen=True)
class FeedForwardResult:
    """pre_activation (T, F) = x W1 + b1; hidden (T, F) = ReLU of it; output (T, D)."""

    pre_activation: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def feed_forward(x, params: FeedForwardParams) -> FeedForwardResult:
    """x (T, D) -> FeedForwardResult; output (T, D) = ReLU(x W1 + b1) W2 + b2."""
    if not isinstance(params, FeedForwardParams):
        raise AttentionInputError(
            f"params must be FeedForwardParams (see init_feed_forward), but is {type(params).__name__}"
        )
    x = as_float_array(x, "x", ndim=2)
    non_empty_sequence(x, "x")
    if x.shape[1] != params.d_model:
        raise AttentionInputError(
            f"x has width {x.shape[1]}, but the feed-forward layer was built for d_model={params.d_model}"
        )
    return _feed_forward(x, params)


def _feed_forward(x: np.ndarray, params: FeedForwardParams) -> FeedForwardResult:
    """feed_forward without its checks: x finite float64 (T, D) of the layer's width."""
    # x W1 + b1 as one product, [x | 1] @ [W1; b1]: the bias is added inside BLAS, on every core,
    # instead of in a second pass over the (T, F) result (README, "The math": the figures).
    T, D = x.shape
    x_1 = np.empty((T, D + 1))
    x_1[:, :D] = x
    x_1[:, D] = 1.0
    pre = x_1 @ params.w1_b1  # (T, D + 1) @ (D + 1, F) -> (T, F)
    # ReLU. Against a row of zeros rather than the scalar 0.0: the same bits, but NumPy's maximum
    # takes a faster loop for two arrays than for an array and a scalar (benchmarks/bench_core.py).
    hidden = np.maximum(pre, np.zeros(pre.shape[-1]))
    output = hidden @ params.w2  # (T, F) @ (F, D) -> (T, D)
    output += params.b2
    return FeedForwardResult(pre_activation=pre, hidden=hidden, output=output)
