"""The shared emotion space: every input form -> one EmotionTarget -> one embedding.

    >>> from conditioning import parse_emotion
    >>> parse_emotion("angry:0.4").category
    'angry'
"""

from .categories import CATEGORIES
from .describe import describe, nearest_words
from .emotionml import parse_emotionml, to_emotionml
from .encoder import EmotionEncoder, EmotionEncoderConfig
from .errors import EmotionInputError, UnknownEmotionError
from .features import FEATURE_DIM, source_features, target_features
from .parse import parse_emotion, parse_static_emotion
from .prosody import ProsodyTargets, prosody_prior
from .space import target_from_vad
from .target import NEUTRAL, EmotionTarget, mix_targets
from .timeline import EmotionSource, EmotionTimeline, Keyframe
from .vocabulary import vocabulary
from .voice import VoiceDescriptors

__all__ = [
    "CATEGORIES", "describe", "nearest_words", "parse_emotionml", "to_emotionml", "EmotionEncoder",
    "EmotionEncoderConfig", "EmotionInputError", "UnknownEmotionError", "FEATURE_DIM",
    "source_features", "target_features", "parse_emotion", "parse_static_emotion",
    "ProsodyTargets", "prosody_prior", "target_from_vad", "NEUTRAL", "EmotionTarget",
    "mix_targets", "EmotionSource", "EmotionTimeline", "Keyframe", "vocabulary", "VoiceDescriptors",
]
