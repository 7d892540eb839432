"""The translator of ``core.translator`` built from torch's modules (float64, CPU), for parity tests and benchmarks.

nn.Embedding on both sides plus the sinusoidal positions, nn.TransformerEncoder and
nn.TransformerDecoder (num_layers=N, norm=None, post-norm, dropout 0), nn.Linear readout,
F.cross_entropy(ignore_index=-1). torch's attention has biases, core's has not: they are set to
zero and frozen, so both models compute the same function and train the same parameters.
Source padding is torch's key padding mask (True = padding) on the encoder and on the memory.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch_decoder_reference import copy_decoder_layer
from torch_reference import as_tensor, torch_encoder_layer_from_params

import core


class TorchTranslator(torch.nn.Module):
    def __init__(self, source_embedding, target_embedding, encoder, decoder, readout, pe):
        super().__init__()
        D, H, Fd = encoder[0].d_model, encoder[0].n_heads, encoder[0].d_ff
        L = len(encoder)
        self.source_embedding = torch.nn.Embedding(*source_embedding.shape, dtype=torch.float64)
        self.target_embedding = torch.nn.Embedding(*target_embedding.shape, dtype=torch.float64)
        enc_layer = torch.nn.TransformerEncoderLayer(D, H, Fd, dropout=0.0, batch_first=True, dtype=torch.float64)
        dec_layer = torch.nn.TransformerDecoderLayer(D, H, Fd, dropout=0.0, batch_first=True, dtype=torch.float64)
        self.encoder = torch.nn.TransformerEncoder(enc_layer, L, norm=None, enable_nested_tensor=False)
        self.decoder = torch.nn.TransformerDecoder(dec_layer, L, norm=None)
        self.readout = torch.nn.Linear(D, target_embedding.shape[0], dtype=torch.float64)
        self.register_buffer("pe", as_tensor(pe))
        with torch.no_grad():
            self.source_embedding.weight.copy_(as_tensor(source_embedding))
            self.target_embedding.weight.copy_(as_tensor(target_embedding))
            for module, params in zip(self.encoder.layers, encoder, strict=True):
                module.load_state_dict(torch_encoder_layer_from_params(params).state_dict())
            for module, params in zip(self.decoder.layers, decoder, strict=True):
                copy_decoder_layer(module, params)
            self.readout.weight.copy_(as_tensor(readout.w_r[0].T))
            self.readout.bias.copy_(as_tensor(readout.b_r[0]))
        for attention in [m.self_attn for m in self.encoder.layers] + [
            a for m in self.decoder.layers for a in (m.self_attn, m.multihead_attn)
        ]:
            attention.in_proj_bias.requires_grad_(False)
            attention.out_proj.bias.requires_grad_(False)
        self.train()  # dropout is 0: the same function, through torch's Python path

    def forward(self, source: torch.Tensor, decoder_input: torch.Tensor) -> torch.Tensor:
        """source (B, S), decoder_input (B, T) ids -> logits (B, T, V)."""
        S, T = source.shape[1], decoder_input.shape[1]
        pad = source == 0  # True = padding
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # True = blocked
        memory = self.encoder(self.source_embedding(source) + self.pe[:S], src_key_padding_mask=pad)
        out = self.decoder(
            self.target_embedding(decoder_input) + self.pe[:T],
            memory,
            tgt_mask=causal,
            memory_key_padding_mask=pad,
        )
        return self.readout(out)

    def loss(self, source, decoder_input, targets) -> torch.Tensor:
        logits = self(source, decoder_input)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


def torch_batch(batch):
    """core's (source, decoder_input, targets) int arrays -> int64 tensors."""
    return tuple(torch.from_numpy(np.asarray(a, dtype=np.int64)) for a in batch)


def core_gradient_names(model: TorchTranslator, D: int, H: int) -> dict[str, np.ndarray]:
    """torch's gradients under core.translator's flat names (encoder{i}.w_qkv, decoder{i}.sa_w_o, w_r, ...)."""
    g = {
        "source_embedding": model.source_embedding.weight.grad.numpy(),
        "target_embedding": model.target_embedding.weight.grad.numpy(),
        "w_r": model.readout.weight.grad.numpy().T[None],
        "b_r": model.readout.bias.grad.numpy()[None],
    }

    def ffn(prefix, m):
        g.update(
            {
                f"{prefix}w1": m.linear1.weight.grad.numpy().T,
                f"{prefix}b1": m.linear1.bias.grad.numpy(),
                f"{prefix}w2": m.linear2.weight.grad.numpy().T,
                f"{prefix}b2": m.linear2.bias.grad.numpy(),
            }
        )

    for i, m in enumerate(model.encoder.layers):
        g[f"encoder{i}.w_qkv"] = m.self_attn.in_proj_weight.grad.numpy().T  # core's fused layout is torch's, transposed
        g[f"encoder{i}.w_o"] = m.self_attn.out_proj.weight.grad.numpy().T
        ffn(f"encoder{i}.", m)
        for j, norm in enumerate((m.norm1, m.norm2), start=1):
            g[f"encoder{i}.gamma{j}"], g[f"encoder{i}.beta{j}"] = norm.weight.grad.numpy(), norm.bias.grad.numpy()
    for i, m in enumerate(model.decoder.layers):
        for short, attention in (("sa", m.self_attn), ("ca", m.multihead_attn)):
            g[f"decoder{i}.{short}_w_qkv"] = attention.in_proj_weight.grad.numpy().T
            g[f"decoder{i}.{short}_w_o"] = attention.out_proj.weight.grad.numpy().T
        ffn(f"decoder{i}.", m)
        for j, norm in enumerate((m.norm1, m.norm2, m.norm3), start=1):
            g[f"decoder{i}.gamma{j}"], g[f"decoder{i}.beta{j}"] = norm.weight.grad.numpy(), norm.bias.grad.numpy()
    return g


def torch_translator(result: core.TranslatorResult | None = None, *, rng=None, **sizes):
    """(core's internal model, its arrays by name, the same model in torch). From a trained result,
    or freshly drawn from ``rng`` as train_translator draws it (sizes: n_heads, d_model, d_ff, n_layers)."""
    from core.translator import _arrays, _model, vocabularies

    if result is None:
        H, D, Fd, L = (sizes.get(k, v) for k, v in (("n_heads", 4), ("d_model", 32), ("d_ff", 64), ("n_layers", 1)))
        source_words, target_words = vocabularies(core.TOY_LEXICON)
        parts = (
            rng.standard_normal((len(source_words), D)),
            rng.standard_normal((len(target_words), D)),
            [core.init_encoder_block(D, H, Fd, rng) for _ in range(L)],
            [core.init_decoder_block(D, H, Fd, rng) for _ in range(L)],
        )
        parts = (*parts, core.init_readout(D, len(target_words), rng))
    else:
        parts = (result.source_embedding, result.target_embedding, result.encoder, result.decoder, result.readout)
    arrays = _arrays(*parts)
    a = parts[2][0].attention
    model = _model(arrays, a.d_model, (a.n_heads, a.d_k, a.d_v), len(parts[2]))
    return model, arrays, TorchTranslator(*parts, pe=model.pe)
