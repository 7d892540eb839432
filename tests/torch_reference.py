"""PyTorch (float64, CPU) references for the ``core`` parity tests.

Each helper copies ``core`` parameters into the matching torch module and returns NumPy arrays.
"""

from __future__ import annotations

import numpy as np
import torch

import core

torch.set_num_threads(1)


def as_tensor(x) -> torch.Tensor:
    return torch.from_numpy(np.array(x, dtype=np.float64, copy=True))


def torch_mha_from_params(params: core.MultiHeadParams) -> torch.nn.MultiheadAttention:
    """``nn.MultiheadAttention(D, H, bias=False)`` holding the weights of ``params``.

    torch computes Q = x @ W.T with in_proj_weight = [W_Q; W_K; W_V] (3D, D), head h owning
    rows h*d_k .. (h+1)*d_k - 1 of each block, and output = concat @ out_proj.weight.T.
    Needs d_k == d_v == D // H (torch's only layout).
    """
    H, D, d_k = params.w_q.shape
    if d_k * H != D or params.d_v != d_k:
        raise ValueError(f"torch needs d_k = d_v = D / H, got D={D}, H={H}, d_k={d_k}, d_v={params.d_v}")
    mha = torch.nn.MultiheadAttention(D, H, bias=False, batch_first=True, dtype=torch.float64)
    blocks = [w.transpose(0, 2, 1).reshape(H * d_k, D) for w in (params.w_q, params.w_k, params.w_v)]
    with torch.no_grad():
        mha.in_proj_weight.copy_(as_tensor(np.concatenate(blocks, axis=0)))
        mha.out_proj.weight.copy_(as_tensor(params.w_o.T))
    mha.eval()
    return mha


def torch_mha(x: np.ndarray, params: core.MultiHeadParams, mask: np.ndarray | None = None):
    """(output (T, D), weights (H, T, T)) from torch; ``mask`` is core's (True = may attend)."""
    mha = torch_mha_from_params(params)
    xt = as_tensor(x)[None]  # (1, T, D)
    attn_mask = None if mask is None else torch.from_numpy(~np.asarray(mask, dtype=bool))  # torch: True = blocked
    with torch.no_grad():
        out, weights = mha(xt, xt, xt, need_weights=True, attn_mask=attn_mask, average_attn_weights=False)
    return out[0].numpy(), weights[0].numpy()


def torch_sdpa(q, k, v, mask=None, scale=None) -> np.ndarray:
    """``F.scaled_dot_product_attention``; its bool mask means True = may attend, as core's."""
    attn_mask = None if mask is None else torch.from_numpy(np.asarray(mask, dtype=bool))
    with torch.no_grad():
        out = torch.nn.functional.scaled_dot_product_attention(
            as_tensor(q), as_tensor(k), as_tensor(v), attn_mask=attn_mask, scale=scale
        )
    return out.numpy()


def torch_attention_weights(q, k, mask=None, scale=None) -> np.ndarray:
    """softmax(q kᵀ · scale) written with torch ops, -inf where ``mask`` is False."""
    qt, kt = as_tensor(q), as_tensor(k)
    if scale is None:
        scale = 1.0 / np.sqrt(qt.shape[-1])
    scores = (qt @ kt.transpose(-1, -2)) * scale
    if mask is not None:
        scores = scores.masked_fill(~torch.from_numpy(np.asarray(mask, dtype=bool)), float("-inf"))
    return torch.softmax(scores, dim=-1).numpy()


def torch_layer_norm(x, gamma=None, beta=None, eps: float = 1e-5) -> np.ndarray:
    xt = as_tensor(x)
    weight = None if gamma is None else as_tensor(gamma)
    bias = None if beta is None else as_tensor(beta)
    return torch.nn.functional.layer_norm(xt, (xt.shape[-1],), weight, bias, eps).numpy()


def torch_feed_forward(x, params: core.FeedForwardParams) -> np.ndarray:
    """Linear(D, F) -> ReLU -> Linear(F, D); nn.Linear stores weight as (out, in), so W1ᵀ and W2ᵀ."""
    D, F = params.w1.shape
    net = torch.nn.Sequential(
        torch.nn.Linear(D, F, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(F, D, dtype=torch.float64),
    )
    with torch.no_grad():
        net[0].weight.copy_(as_tensor(params.w1.T))
        net[0].bias.copy_(as_tensor(params.b1))
        net[2].weight.copy_(as_tensor(params.w2.T))
        net[2].bias.copy_(as_tensor(params.b2))
        return net(as_tensor(x)).numpy()


def torch_softmax(x, axis: int = -1) -> np.ndarray:
    return torch.softmax(as_tensor(x), dim=axis).numpy()
