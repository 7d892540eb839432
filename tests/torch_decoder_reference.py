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
