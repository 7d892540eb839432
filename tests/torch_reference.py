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
    H, D, _ = params.w_q.shape
    mha = torch.nn.MultiheadAttention(D, H, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(as_tensor(in_proj_weight(params)))
        mha.out_proj.weight.copy_(as_tensor(params.w_o.T))
    mha.eval()
    return mha


def in_proj_weight(params: core.MultiHeadParams) -> np.ndarray:
    """(3D, D): [W_Q; W_K; W_V] as torch stores them, head h in rows h*d_k .. (h+1)*d_k - 1 of each block."""
    H, D, d_k = params.w_q.shape
    if d_k * H != D or params.d_v != d_k:
        raise ValueError(f"torch needs d_k = d_v = D / H, got D={D}, H={H}, d_k={d_k}, d_v={params.d_v}")
    blocks = [w.transpose(0, 2, 1).reshape(H * d_k, D) for w in (params.w_q, params.w_k, params.w_v)]
    return np.concatenate(blocks, axis=0)


def torch_mha(x: np.ndarray, params: core.MultiHeadParams, mask: np.ndarray | None = None):
    """(output (T, D), weights (H, T, T)) from torch; ``mask`` is core's (True = may attend)."""
    mha = torch_mha_from_params(params)
    xt = as_tensor(x)[None]  # (1, T, D)
    attn_mask = None if mask is None else torch.from_numpy(~np.asarray(mask, dtype=bool))  # torch: True = blocked
    with torch.no_grad():
        out, weights = mha(xt, xt, xt, need_weights=True, attn_mask=attn_mask, average_attn_weights=False)
    return out[0].numpy(), weights[0].numpy()


def torch_encoder_layer_from_params(
    params: core.EncoderBlockParams, norm_first: bool = False, eps: float = 1e-5
) -> torch.nn.TransformerEncoderLayer:
    """``nn.TransformerEncoderLayer`` (ReLU, no dropout) holding the weights of ``params``.

    Its attention has biases (in_proj_bias, out_proj.bias), which core's has not: they are set
    to zero. nn.Linear stores weight as (out, in), hence W1ᵀ and W2ᵀ. Returned in eval mode.
    """
    a, ff = params.attention, params.feed_forward
    layer = torch.nn.TransformerEncoderLayer(
        a.d_model,
        a.n_heads,
        ff.d_ff,
        dropout=0.0,
        activation="relu",
        layer_norm_eps=eps,
        batch_first=True,
        norm_first=norm_first,
        dtype=torch.float64,
    )
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(as_tensor(in_proj_weight(a)))
        layer.self_attn.in_proj_bias.zero_()
        layer.self_attn.out_proj.weight.copy_(as_tensor(a.w_o.T))
        layer.self_attn.out_proj.bias.zero_()
        layer.linear1.weight.copy_(as_tensor(ff.w1.T))
        layer.linear1.bias.copy_(as_tensor(ff.b1))
        layer.linear2.weight.copy_(as_tensor(ff.w2.T))
        layer.linear2.bias.copy_(as_tensor(ff.b2))
        for norm, ln in ((layer.norm1, params.norm1), (layer.norm2, params.norm2)):
            norm.weight.copy_(as_tensor(ln.gamma))
            norm.bias.copy_(as_tensor(ln.beta))
    return layer.eval()


def torch_encoder_layer(
    x,
    params: core.EncoderBlockParams,
    mask: np.ndarray | None = None,
    norm_first: bool = False,
    eps: float = 1e-5,
    float_mask: bool = False,
    fast_path: bool = True,
) -> np.ndarray:
    """output (T, D) of torch's encoder layer; ``mask`` is core's (True = may attend).

    torch's src_mask is bool with True = blocked, or float added to the scores (-inf = blocked).
    ``fast_path=False`` runs the layer in training mode, which with dropout 0 computes the same
    function through torch's Python path instead of the fused ``_transformer_encoder_layer_fwd``
    (that one is only taken in eval mode with an even head count).
    """
    layer = torch_encoder_layer_from_params(params, norm_first=norm_first, eps=eps)
    layer.train(not fast_path)
    src_mask = None
    if mask is not None:
        allowed = np.asarray(mask, dtype=bool)
        if float_mask:
            src_mask = torch.from_numpy(np.where(allowed, 0.0, -np.inf))
        else:
            src_mask = torch.from_numpy(~allowed)
    with torch.no_grad():
        return layer(as_tensor(x)[None], src_mask=src_mask)[0].numpy()


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
