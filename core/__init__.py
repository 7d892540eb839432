"""Multi-head attention in NumPy, for teaching: every intermediate is returned.

NumPy only, float64, pure functions; randomness comes from a caller's np.random.Generator.
Shapes: T tokens (queries), S keys, D = d_model, H = n_heads, F = d_ff.
"""

from ._checks import AttentionInputError
from .attention import AttentionResult, causal_mask, scaled_dot_product_attention, softmax
from .backward import BlockGradients, BlockPass, ReadoutParams, block_forward, block_gradients, init_readout
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
from .heads import HeadRoles, HeadsOff, head_roles, head_similarity, heads_off
from .layers import LayerNormParams, init_layer_norm, layer_norm, sinusoidal_positional_encoding
from .multi_head import (
    MultiHeadParams,
    MultiHeadResult,
    attention_scale,
    default_head_width,
    init_multi_head,
    multi_head_attention,
)
from .train import (
    TASKS,
    AdamState,
    AttentionProfile,
    HeadAblation,
    Task,
    TrainedPass,
    TrainResult,
    ablate_heads,
    adam_step,
    attention_profile,
    evaluate,
    run_trained,
    task_targets,
    train_block,
    training_cost,
)
from .tutorial import (
    TutorialAttentionResult,
    init_tutorial_feed_forward,
    tutorial_attention,
    tutorial_multi_head_attention,
    tutorial_self_attention,
)
from .vocabulary import Vocabulary, random_vocabulary, seed_vocabulary, split_sentence, word_vector

__all__ = [
    "TASKS",
    "AdamState",
    "AttentionInputError",
    "AttentionProfile",
    "AttentionResult",
    "BlockGradients",
    "BlockPass",
    "CellExplanation",
    "EncoderBlockParams",
    "EncoderBlockResult",
    "FeedForwardParams",
    "FeedForwardResult",
    "HeadAblation",
    "HeadRoles",
    "HeadsOff",
    "LayerNormParams",
    "MultiHeadParams",
    "MultiHeadResult",
    "ReadoutParams",
    "ScalingStudy",
    "Task",
    "TrainResult",
    "TrainedPass",
    "TutorialAttentionResult",
    "Vocabulary",
    "ablate_heads",
    "adam_step",
    "attention_profile",
    "attention_scale",
    "block_forward",
    "block_gradients",
    "causal_mask",
    "default_head_width",
    "encoder_block",
    "evaluate",
    "explain_cell",
    "feed_forward",
    "head_roles",
    "head_similarity",
    "heads_off",
    "init_encoder_block",
    "init_feed_forward",
    "init_layer_norm",
    "init_multi_head",
    "init_readout",
    "init_tutorial_feed_forward",
    "layer_norm",
    "multi_head_attention",
    "random_vocabulary",
    "row_moments",
    "run_trained",
    "scaled_dot_product_attention",
    "scaling_study",
    "seed_vocabulary",
    "sinusoidal_positional_encoding",
    "softmax",
    "softmax_temperatures",
    "split_sentence",
    "task_targets",
    "train_block",
    "training_cost",
    "tutorial_attention",
    "tutorial_multi_head_attention",
    "tutorial_self_attention",
    "word_vector",
    "zero_fraction",
]
