"""Multi-head attention in NumPy, for teaching: every intermediate is returned.

NumPy only, float64, pure functions; randomness comes from a caller's np.random.Generator.
Shapes: T tokens (queries), S keys, D = d_model, H = n_heads, F = d_ff.
"""

from ._checks import AttentionInputError
from .adam import AdamState, adam_step
from .attention import AttentionResult, causal_mask, scaled_dot_product_attention, softmax
from .backward import BlockGradients, BlockPass, ReadoutParams, block_forward, block_gradients, init_readout
from .decoder import (
    DecoderBlockParams,
    DecoderBlockResult,
    DecoderStackResult,
    EncoderStackResult,
    decoder_block,
    decoder_stack,
    encoder_stack,
    init_decoder_block,
)
from .decoder_backward import AttentionGradients, DecoderBlockGradients, attention_gradients, decoder_block_gradients
from .encoder import EncoderBlockParams, EncoderBlockResult, encoder_block, init_encoder_block
from .explain import (
    CellExplanation,
    ScalingStudy,
    explain_cell,
    row_moments,
    scaling_study,
    softmax_temperatures,
    value_shares,
    zero_fraction,
)
from .feed_forward import FeedForwardParams, FeedForwardResult, feed_forward, init_feed_forward
from .heads import HeadRoles, HeadsOff, head_roles, head_similarity, heads_off
from .layers import LayerNormParams, add_positions, init_layer_norm, layer_norm, sinusoidal_positional_encoding
from .multi_head import (
    MultiHeadParams,
    MultiHeadResult,
    attention_scale,
    default_head_width,
    init_multi_head,
    multi_head_attention,
)
from .toy_language import TOY_LEXICON, Lexicon, sample_sentence_pairs, sentence_pairs, toy_translation
from .train import (
    TASKS,
    HeadAblation,
    Task,
    TrainedPass,
    TrainResult,
    ablate_heads,
    evaluate,
    run_trained,
    task_targets,
    train_block,
    training_cost,
)
from .translator import Translation, TranslatorResult, train_translator, translate, translator_cost
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
    "TOY_LEXICON",
    "AdamState",
    "AttentionGradients",
    "AttentionInputError",
    "AttentionResult",
    "BlockGradients",
    "BlockPass",
    "CellExplanation",
    "DecoderBlockGradients",
    "DecoderBlockParams",
    "DecoderBlockResult",
    "DecoderStackResult",
    "EncoderBlockParams",
    "EncoderBlockResult",
    "EncoderStackResult",
    "FeedForwardParams",
    "FeedForwardResult",
    "HeadAblation",
    "HeadRoles",
    "HeadsOff",
    "LayerNormParams",
    "Lexicon",
    "MultiHeadParams",
    "MultiHeadResult",
    "ReadoutParams",
    "ScalingStudy",
    "Task",
    "TrainResult",
    "TrainedPass",
    "Translation",
    "TranslatorResult",
    "TutorialAttentionResult",
    "Vocabulary",
    "ablate_heads",
    "adam_step",
    "add_positions",
    "attention_gradients",
    "attention_scale",
    "block_forward",
    "block_gradients",
    "causal_mask",
    "decoder_block",
    "decoder_block_gradients",
    "decoder_stack",
    "default_head_width",
    "encoder_block",
    "encoder_stack",
    "evaluate",
    "explain_cell",
    "feed_forward",
    "head_roles",
    "head_similarity",
    "heads_off",
    "init_decoder_block",
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
    "sample_sentence_pairs",
    "scaled_dot_product_attention",
    "scaling_study",
    "seed_vocabulary",
    "sentence_pairs",
    "sinusoidal_positional_encoding",
    "softmax",
    "softmax_temperatures",
    "split_sentence",
    "task_targets",
    "toy_translation",
    "train_block",
    "train_translator",
    "training_cost",
    "translate",
    "translator_cost",
    "tutorial_attention",
    "tutorial_multi_head_attention",
    "tutorial_self_attention",
    "value_shares",
    "word_vector",
    "zero_fraction",
]
