"""PyTorch (float64, CPU) autograd references for ``core.backward`` and ``core.train``.

Two independent torch models of the same block, both built from the numpy weights:

- ``torch_functional_gradients``: the block written with torch ops (einsum per head,
  F.scaled_dot_product_attention with core's mask and scale, F.layer_norm, F.relu,
  F.cross_entropy with ignore_index=-1); any head widths, a per-head mask, head switches.
- ``torch_module_gradients``: torch's own modules, nn.TransformerEncoderLayer (whole block) or
  nn.MultiheadAttention + nn.LayerNorm (attention sublayer), with the default scale; their
  fused gradients are mapped back to core's per-head layout.

Each returns (loss, {name: gradient}) with the names of ``core.BlockGradients``' fields:
w_q, w_k, w_v, w_o, w1, b1, w2, b2, gamma1, beta1, gamma2, beta2, w_r, b_r.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch_reference import as_tensor, in_proj_weight, torch_encoder_layer_from_params, torch_mha_from_params

import core

torch.set_num_threads(1)

ATTENTION = ("w_q", "w_k", "w_v", "w_o")
FEED_FORWARD = ("w1", "b1", "w2", "b2")


def leaves(params: core.EncoderBlockParams, readout: core.ReadoutParams) -> dict[str, torch.Tensor]:
    """Every parameter as a float64 leaf tensor that requires grad, in core's shapes."""
    a, ff = params.attention, params.feed_forward
    arrays = {name: getattr(a, name) for name in ATTENTION}
    arrays.update({name: getattr(ff, name) for name in FEED_FORWARD})
    arrays.update(gamma1=params.norm1.gamma, beta1=params.norm1.beta, gamma2=params.norm2.gamma)
    arrays.update(beta2=params.norm2.beta, w_r=readout.w_r, b_r=readout.b_r)
    return {name: as_tensor(arr).requires_grad_(True) for name, arr in arrays.items()}


def cross_entropy(logits: torch.Tensor, targets) -> torch.Tensor:
    """logits (K, B, T, V), targets (K, B, T) with -1 = none: the mean over the entries with a target."""
    V = logits.shape[-1]
    return F.cross_entropy(
        logits.reshape(-1, V), torch.from_numpy(np.asarray(targets, dtype=np.int64)).reshape(-1), ignore_index=-1
    )


def readouts(out: torch.Tensor, p: dict) -> torch.Tensor:
    """out (B, T, D) -> logits (K, B, T, V)."""
    return torch.einsum("btd,kdv->kbtv", out, p["w_r"]) + p["b_r"][:, None, None, :]


def torch_functional_gradients(
    x,
    params,
    readout,
    targets,
    mask=None,
    scale=None,
    norm_first=False,
    feed_forward=False,
    eps=1e-5,
    head_mask=None,
):
    p = leaves(params, readout)
    xt = as_tensor(x)
    B, T, D = xt.shape
    H, d_v = params.n_heads, params.attention.d_v
    attn_mask = None if mask is None else torch.from_numpy(np.asarray(mask, dtype=bool))  # True = may attend

    def multi_head(a):
        q = torch.einsum("btd,hdk->bhtk", a, p["w_q"])
        k = torch.einsum("btd,hdk->bhtk", a, p["w_k"])
        v = torch.einsum("btd,hdk->bhtk", a, p["w_v"])
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)  # (B, H, T, d_v)
        if head_mask is not None:
            heads = heads * torch.tensor(np.asarray(head_mask, dtype=np.float64))[:, None, None]
        return heads.transpose(1, 2).reshape(B, T, H * d_v) @ p["w_o"]

    def norm(z, i):
        return F.layer_norm(z, (D,), p[f"gamma{i}"], p[f"beta{i}"], eps)

    def ffn(z):
        return F.relu(z @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    if norm_first:
        h = xt + multi_head(norm(xt, 1))
        out = h + ffn(norm(h, 2)) if feed_forward else h
    else:
        h = norm(xt + multi_head(xt), 1)
        out = norm(h + ffn(h), 2) if feed_forward else h
    loss = cross_entropy(readouts(out, p), targets)
    loss.backward()
    return loss.item(), {name: t.grad.numpy() if t.grad is not None else np.zeros(t.shape) for name, t in p.items()}


def _per_head(in_proj_grad: np.ndarray, H: int, D: int) -> dict[str, np.ndarray]:
    """torch's in_proj_weight gradient (3D, D) -> core's w_q, w_k, w_v gradients (H, D, d_k)."""
    d_k = D // H
    blocks = np.split(in_proj_grad, 3, axis=0)  # [W_Q; W_K; W_V], each (H*d_k, D), head h in rows h*d_k ..
    return {
        name: b.reshape(H, d_k, D).transpose(0, 2, 1) for name, b in zip(("w_q", "w_k", "w_v"), blocks, strict=True)
    }


def torch_module_gradients(x, params, readout, targets, mask=None, norm_first=False, feed_forward=False, eps=1e-5):
    """The same loss through torch's modules (default scale 1/sqrt(d_k); needs d_k = d_v = D / H)."""
    in_proj_weight(params.attention)  # refuses layouts torch cannot hold
    xt = as_tensor(x)
    D = xt.shape[-1]
    H = params.n_heads
    src_mask = None if mask is None else torch.from_numpy(~np.asarray(mask, dtype=bool))  # torch: True = blocked
    r = {"w_r": as_tensor(readout.w_r).requires_grad_(True), "b_r": as_tensor(readout.b_r).requires_grad_(True)}
    grads = {}
    if feed_forward:
        layer = torch_encoder_layer_from_params(params, norm_first=norm_first, eps=eps).train()  # dropout 0
        out = layer(xt, src_mask=src_mask)
        loss = cross_entropy(readouts(out, r), targets)
        loss.backward()
        grads.update(_per_head(layer.self_attn.in_proj_weight.grad.numpy(), H, D))
        grads["w_o"] = layer.self_attn.out_proj.weight.grad.numpy().T
        grads.update(w1=layer.linear1.weight.grad.numpy().T, b1=layer.linear1.bias.grad.numpy())
        grads.update(w2=layer.linear2.weight.grad.numpy().T, b2=layer.linear2.bias.grad.numpy())
        norms = (layer.norm1, layer.norm2)
    else:
        mha = torch_mha_from_params(params.attention).train()
        norm1 = torch.nn.LayerNorm(D, eps=eps, dtype=torch.float64)
        with torch.no_grad():
            norm1.weight.copy_(as_tensor(params.norm1.gamma))
            norm1.bias.copy_(as_tensor(params.norm1.beta))
        a = norm1(xt) if norm_first else xt
        attn = mha(a, a, a, attn_mask=src_mask, need_weights=False)[0]
        out = xt + attn if norm_first else norm1(xt + attn)
        loss = cross_entropy(readouts(out, r), targets)
        loss.backward()
        grads.update(_per_head(mha.in_proj_weight.grad.numpy(), H, D))
        grads["w_o"] = mha.out_proj.weight.grad.numpy().T
        ff = params.feed_forward
        grads.update({name: np.zeros_like(getattr(ff, name)) for name in FEED_FORWARD})
        grads.update(gamma2=np.zeros(D), beta2=np.zeros(D))
        norms = (norm1,)
    for i, norm in enumerate(norms, start=1):
        grads[f"gamma{i}"] = norm.weight.grad.numpy()
        grads[f"beta{i}"] = norm.bias.grad.numpy()
    grads.update(w_r=r["w_r"].grad.numpy(), b_r=r["b_r"].grad.numpy())
    return loss.item(), grads


def core_gradients(g: core.BlockGradients) -> dict[str, np.ndarray]:
    """A BlockGradients as {name: array}, the names of the references above."""
    a, ff = g.block.attention, g.block.feed_forward
    out = {name: getattr(a, name) for name in ATTENTION}
    out.update({name: getattr(ff, name) for name in FEED_FORWARD})
    out.update(gamma1=g.block.norm1.gamma, beta1=g.block.norm1.beta, gamma2=g.block.norm2.gamma)
    out.update(beta2=g.block.norm2.beta, w_r=g.readout.w_r, b_r=g.readout.b_r)
    return out
