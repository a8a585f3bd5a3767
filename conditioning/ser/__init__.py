"""Speech emotion recognizer: speech -> the shared emotion space (categories, VAD, intensity)."""

from .frontend import LogMelConfig, LogMelFrontend
from .model import SERConfig, SpeechEmotionNet
from .recognizer import (CHECKPOINT_NAME, FrameEmotion, SpeakerReference, SpeechEmotion, SpeechEmotionRecognizer,
                         shipped_recognizer)

__all__ = ["CHECKPOINT_NAME", "FrameEmotion", "LogMelConfig", "LogMelFrontend", "SERConfig", "SpeakerReference", "SpeechEmotion",
           "SpeechEmotionNet", "SpeechEmotionRecognizer", "shipped_recognizer"]
