"""PyTorch (float64, CPU) references for the decoder: cross-attention, the decoder layer, both stacks.

Each helper copies ``core`` parameters into the matching torch module (attention biases at zero,
as core's attention has none) and returns NumPy arrays. Masks come in core's convention
(True = may attend) and are flipped for torch (True = blocked).
"""

from __future__ import annotations

import numpy as np
import torch
from torch_reference import as_tensor, in_proj_weight, torch_encoder_layer_from_params, torch_mha_from_params

import core

torch.set_num_threads(1)


def torch_mask(mask) -> torch.Tensor | None:
    """core's bool mask (True = may attend) -> torch's (True = blocked); None stays None."""
    return None if mask is None else torch.from_numpy(~np.asarray(mask, dtype=bool))


def torch_cross_attention(x, memory, params: core.MultiHeadParams, mask=None):
    """(output (T, D), weights (H, T, S)): nn.MultiheadAttention with query x and key = value = memory."""
    mha = torch_mha_from_params(params)
    q, m = as_tensor(x)[None], as_tensor(memory)[None]
    with torch.no_grad():
        out, weights = mha(q, m, m, need_weights=True, attn_mask=torch_mask(mask), average_attn_weights=False)
    return out[0].numpy(), weights[0].numpy()


def _copy_attention(module: torch.nn.MultiheadAttention, params: core.MultiHeadParams) -> None:
    module.in_proj_weight.copy_(as_tensor(in_proj_weight(params)))
    module.in_proj_bias.zero_()
    module.out_proj.weight.copy_(as_tensor(params.w_o.T))
    module.out_proj.bias.zero_()


def _new_decoder_layer(params: core.DecoderBlockParams, norm_first: bool, eps: float):
    return torch.nn.TransformerDecoderLayer(
        params.d_model,
        params.n_heads,
        params.d_ff,
        dropout=0.0,
        activation="relu",
        layer_norm_eps=eps,
        batch_first=True,
        norm_first=norm_first,
        dtype=torch.float64,
    )


def copy_decoder_layer(layer: torch.nn.TransformerDecoderLayer, params: core.DecoderBlockParams) -> None:
    """Write the weights of ``params`` into torch's decoder layer (nn.Linear stores weight as (out, in))."""
    ff = params.feed_forward
    with torch.no_grad():
        _copy_attention(layer.self_attn, params.self_attention)
        _copy_attention(layer.multihead_attn, params.cross_attention)
        layer.linear1.weight.copy_(as_tensor(ff.w1.T))
        layer.linear1.bias.copy_(as_tensor(ff.b1))
        layer.linear2.weight.copy_(as_tensor(ff.w2.T))
        layer.linear2.bias.copy_(as_tensor(ff.b2))
        for norm, ln in ((layer.norm1, params.norm1), (layer.norm2, params.norm2), (layer.norm3, params.norm3)):
            norm.weight.copy_(as_tensor(ln.gamma))
            norm.bias.copy_(as_tensor(ln.beta))


def torch_decoder_layer_from_params(params: core.DecoderBlockParams, norm_first: bool = False, eps: float = 1e-5):
    """``nn.TransformerDecoderLayer`` (ReLU, no dropout) holding the weights of ``params``, in eval mode."""
    layer = _new_decoder_layer(params, norm_first, eps)
    copy_decoder_layer(layer, params)
    return layer.eval()


def torch_decoder_layer(y, memory, params, self_mask=None, memory_mask=None, norm_first=False, eps=1e-5):
    """output (T, D) of torch's decoder layer; masks in core's convention."""
    layer = torch_decoder_layer_from_params(params, norm_first=norm_first, eps=eps)
    with torch.no_grad():
        out = layer(
            as_tensor(y)[None],
            as_tensor(memory)[None],
            tgt_mask=torch_mask(self_mask),
            memory_mask=torch_mask(memory_mask),
        )
    return out[0].numpy()


def torch_encoder_stack(x, layers, mask=None, norm_first=False, eps=1e-5) -> np.ndarray:
    """output (S, D) of ``nn.TransformerEncoder(layer, num_layers=N, norm=None)`` holding every block's weights."""
    first = torch_encoder_layer_from_params(layers[0], norm_first=norm_first, eps=eps)
    stack = torch.nn.TransformerEncoder(first, num_layers=len(layers), norm=None, enable_nested_tensor=False)
    for module, params in zip(stack.layers, layers, strict=True):  # nn.TransformerEncoder deep-copies the layer
        module.load_state_dict(torch_encoder_layer_from_params(params, norm_first=norm_first, eps=eps).state_dict())
    stack.eval()
    with torch.no_grad():
        return stack(as_tensor(x)[None], mask=torch_mask(mask))[0].numpy()


def torch_decoder_stack(y, memory, layers, self_mask=None, memory_mask=None, norm_first=False, eps=1e-5):
    """output (T, D) of ``nn.TransformerDecoder(layer, num_layers=N, norm=None)`` holding every block's weights."""
    stack = torch.nn.TransformerDecoder(_new_decoder_layer(layers[0], norm_first, eps), num_layers=len(layers))
    for module, params in zip(stack.layers, layers, strict=True):
        copy_decoder_layer(module, params)
    stack.eval()
    with torch.no_grad():
        out = stack(
            as_tensor(y)[None],
            as_tensor(memory)[None],
            tgt_mask=torch_mask(self_mask),
            memory_mask=torch_mask(memory_mask),
        )
    return out[0].numpy()


# ---------------------------------------------------------------- autograd


def _per_head(in_proj_grad: np.ndarray, H: int) -> dict[str, np.ndarray]:
    """torch's in_proj_weight gradient (3D, D) -> core's w_q, w_k, w_v gradients (H, D, d_k)."""
    D = in_proj_grad.shape[1]
    blocks = np.split(in_proj_grad, 3, axis=0)  # [W_Q; W_K; W_V], each (H*d_k, D), head h in rows h*d_k ..
    return {
        name: b.reshape(H, D // H, D).transpose(0, 2, 1) for name, b in zip(("w_q", "w_k", "w_v"), blocks, strict=True)
    }


def _attention_grads(module: torch.nn.MultiheadAttention, H: int) -> dict[str, np.ndarray]:
    grads = _per_head(module.in_proj_weight.grad.numpy(), H)
    grads["w_o"] = module.out_proj.weight.grad.numpy().T
    return grads


def batch_mask(mask, B: int) -> torch.Tensor | None:
    """core's mask (T, S) or (H, T, S) -> torch's for a batch of B: (T, S) or (B*H, T, S), True = blocked."""
    if mask is None:
        return None
    m = np.asarray(mask, dtype=bool)
    return torch_mask(np.tile(m, (B, 1, 1)) if m.ndim == 3 else m)


def torch_attention_gradients(x, memory, params: core.MultiHeadParams, d_output, mask=None):
    """Autograd of nn.MultiheadAttention: (d w_q.., w_o by name, d x, d memory or None); x (B, T, D).

    ``memory`` None: self-attention (query = key = value = x)."""
    mha = torch_mha_from_params(params).train()
    xt = as_tensor(x).requires_grad_(True)
    mt = None if memory is None else as_tensor(memory).requires_grad_(True)
    kv = xt if mt is None else mt
    out = mha(xt, kv, kv, attn_mask=batch_mask(mask, xt.shape[0]), need_weights=False)[0]
    out.backward(as_tensor(d_output))
    return _attention_grads(mha, params.n_heads), xt.grad.numpy(), None if mt is None else mt.grad.numpy()


def torch_decoder_layer_gradients(y, memory, params, d_output, self_mask=None, memory_mask=None, norm_first=False):
    """Autograd of nn.TransformerDecoderLayer (train mode, dropout 0): ({name: gradient}, d y, d memory).

    The names are core.decoder_backward's: sa_*/ca_* per-head attention weights (w_q, w_k, w_v, w_o),
    w1, b1, w2, b2, gamma1..3, beta1..3; y, memory (B, T, D) and (B, S, D)."""
    layer = _new_decoder_layer(params, norm_first, 1e-5)
    copy_decoder_layer(layer, params)
    layer.train()
    yt, mt = as_tensor(y).requires_grad_(True), as_tensor(memory).requires_grad_(True)
    B = yt.shape[0]
    out = layer(yt, mt, tgt_mask=batch_mask(self_mask, B), memory_mask=batch_mask(memory_mask, B))
    out.backward(as_tensor(d_output))
    H = params.n_heads
    grads = {f"sa_{k}": v for k, v in _attention_grads(layer.self_attn, H).items()}
    grads.update({f"ca_{k}": v for k, v in _attention_grads(layer.multihead_attn, H).items()})
    grads.update(w1=layer.linear1.weight.grad.numpy().T, b1=layer.linear1.bias.grad.numpy())
    grads.update(w2=layer.linear2.weight.grad.numpy().T, b2=layer.linear2.bias.grad.numpy())
    for i, norm in enumerate((layer.norm1, layer.norm2, layer.norm3), start=1):
        grads[f"gamma{i}"], grads[f"beta{i}"] = norm.weight.grad.numpy(), norm.bias.grad.numpy()
    return grads, yt.grad.numpy(), mt.grad.numpy()
