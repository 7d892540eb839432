"""What each head does: summaries of attention maps, and heads switched off.

weights (H, T, S) as ``multi_head_attention`` returns them (rows sum to 1, or to 0 for a
fully masked query). Every summary is a plain average over the queries that have the
relation in question, so a learner can check it against the maps by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import AttentionInputError, as_float_array
from .multi_head import MultiHeadParams, MultiHeadResult


@dataclass(frozen=True)
class HeadRoles:
    """Per head (H,): the mean row entropy (nats) and the mean weight on four positions.

    previous: w[i, i-1] over queries i >= 1; next: w[i, i+1] over i <= T-2; self: w[i, i];
    first: w[i, 0] over i >= 1 (the first token itself excluded). ``uniform_entropy`` is
    log(T), a row that spreads evenly; NaN where a relation has no query (one token).
    """

    entropy: np.ndarray
    previous: np.ndarray
    next: np.ndarray
    self: np.ndarray
    first: np.ndarray
    uniform_entropy: float

    @property
    def spread(self) -> np.ndarray:
        """(H,) entropy / log(T): 1 for rows spread evenly, 0 for rows on one key (0 with one token)."""
        return self.entropy / self.uniform_entropy if self.uniform_entropy > 0 else np.zeros_like(self.entropy)


def _weights(weights) -> np.ndarray:
    w = as_float_array(weights, "weights", ndim=3)
    H, T, S = w.shape
    if H < 1 or T < 1 or T != S:
        raise AttentionInputError(f"weights must have shape (n_heads, T, T) for self-attention, but has {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise AttentionInputError("weights must be finite and non-negative, as a softmax gives them")
    return w


def _diagonal_mean(w: np.ndarray, offset: int) -> np.ndarray:
    """(H, T, T) -> (H,): the mean of each head's diagonal ``offset`` (NaN if it is empty)."""
    d = np.diagonal(w, offset=offset, axis1=1, axis2=2)  # (H, T - |offset|)
    return d.mean(axis=1) if d.shape[1] else np.full(w.shape[0], np.nan)


def head_roles(weights) -> HeadRoles:
    """weights (H, T, T) -> HeadRoles: how much each head looks back, ahead, at itself, at the start."""
    w = _weights(weights)
    H, T, _ = w.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(w > 0, w * np.log(w), 0.0)  # 0 log 0 = 0
    entropy = -plogp.sum(axis=2).mean(axis=1)  # (H,)
    first = w[:, 1:, 0].mean(axis=1) if T > 1 else np.full(H, np.nan)
    return HeadRoles(
        entropy=entropy,
        previous=_diagonal_mean(w, -1),
        next=_diagonal_mean(w, 1),
        self=_diagonal_mean(w, 0),
        first=first,
        uniform_entropy=float(np.log(T)),
    )


def head_similarity(weights) -> np.ndarray:
    """weights (H, T, T) -> (H, H): cosine similarity of the heads' maps, 1 on the diagonal.

    A head whose map is all zeros (every query masked) is similar to nothing: 0.
    """
    w = _weights(weights)
    flat = w.reshape(w.shape[0], -1)  # (H, T*T)
    norms = np.linalg.norm(flat, axis=1)  # (H,)
    safe = np.where(norms > 0, norms, 1.0)
    unit = flat / safe[:, None]
    sim = unit @ unit.T  # (H, T*T) @ (T*T, H) -> (H, H)
    sim[norms == 0, :] = 0.0
    sim[:, norms == 0] = 0.0
    np.fill_diagonal(sim, np.where(norms > 0, 1.0, 0.0))
    return np.clip(sim, -1.0, 1.0)


@dataclass(frozen=True)
class HeadsOff:
    """The attention output with some heads switched off: output (T, D), change = output - the full
    output (T, D), and the mean absolute change and the full output's mean absolute value."""

    off: tuple[int, ...]
    output: np.ndarray
    change: np.ndarray
    mean_change: float
    mean_size: float


def heads_off(result: MultiHeadResult, params: MultiHeadParams, off) -> HeadsOff:
    """The heads in ``off`` (0-based) zeroed before W_O: what the other heads carry alone."""
    H, d_v = params.n_heads, params.d_v
    off = tuple(sorted({int(h) for h in off}))
    if any(h < 0 or h >= H for h in off):
        raise AttentionInputError(f"heads to switch off must be between 0 and {H - 1}, but got {list(off)}")
    concat = np.array(result.concat, copy=True)  # (T, H*d_v)
    for h in off:
        concat[:, h * d_v : (h + 1) * d_v] = 0.0
    output = concat @ params.w_o  # (T, H*d_v) @ (H*d_v, D) -> (T, D)
    change = output - result.output
    return HeadsOff(
        off=off,
        output=output,
        change=change,
        mean_change=float(np.abs(change).mean()),
        mean_size=float(np.abs(result.output).mean()),
    )
