"""Speech emotion recognizer: speech -> the shared emotion space (categories, VAD, intensity)."""

from .frontend import LogMelConfig, LogMelFrontend
from .model import SERConfig, SpeechEmotionNet
from .recognizer import (CHECKPOINT_NAME, FrameEmotion, SpeechEmotion, SpeechEmotionRecognizer,
                         shipped_recognizer)

__all__ = ["CHECKPOINT_NAME", "FrameEmotion", "LogMelConfig", "LogMelFrontend", "SERConfig", "SpeechEmotion",
           "SpeechEmotionNet", "SpeechEmotionRecognizer", "shipped_recognizer"]
