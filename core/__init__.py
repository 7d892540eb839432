"""Multi-head attention in NumPy, for teaching: every intermediate is returned.

NumPy only, float64, pure functions; randomness comes from a caller's np.random.Generator.
Shapes: T tokens (queries), S keys, D = d_model, H = n_heads, F = d_ff.
"""

from ._checks import AttentionInputError
from .attention import AttentionResult, causal_mask, scaled_dot_product_attention, softmax
from .encoder import EncoderBlockParams, EncoderBlockResult, encoder_block, init_encoder_block
from .explain import (
    CellExplanation,
    ScalingStudy,
    explain_cell,
    row_moments,
    scaling_study,
    softmax_temperatures,
    zero_fraction,
)
from .feed_forward import FeedForwardParams, FeedForwardResult, feed_forward, init_feed_forward
from .heads import HeadRoles, head_roles, head_similarity, heads_off_output
from .layers import LayerNormParams, layer_norm, sinusoidal_positional_encoding
from .multi_head import MultiHeadParams, MultiHeadResult, default_head_width, init_multi_head, multi_head_attention
from .tutorial import (
    TutorialAttentionResult,
    init_tutorial_feed_forward,
    tutorial_attention,
    tutorial_multi_head_attention,
    tutorial_self_attention,
)
from .vocabulary import Vocabulary, random_vocabulary, seed_vocabulary, split_sentence, word_vector

__all__ = [
    "AttentionInputError",
    "AttentionResult",
    "CellExplanation",
    "EncoderBlockParams",
    "EncoderBlockResult",
    "FeedForwardParams",
    "FeedForwardResult",
    "HeadRoles",
    "LayerNormParams",
    "MultiHeadParams",
    "MultiHeadResult",
    "ScalingStudy",
    "TutorialAttentionResult",
    "Vocabulary",
    "causal_mask",
    "default_head_width",
    "encoder_block",
    "explain_cell",
    "feed_forward",
    "head_roles",
    "head_similarity",
    "heads_off_output",
    "init_encoder_block",
    "init_feed_forward",
    "init_multi_head",
    "init_tutorial_feed_forward",
    "layer_norm",
    "multi_head_attention",
    "random_vocabulary",
    "row_moments",
    "scaled_dot_product_attention",
    "scaling_study",
    "seed_vocabulary",
    "sinusoidal_positional_encoding",
    "softmax",
    "softmax_temperatures",
    "split_sentence",
    "tutorial_attention",
    "tutorial_multi_head_attention",
    "tutorial_self_attention",
    "word_vector",
    "zero_fraction",
]
