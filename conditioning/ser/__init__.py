"""Speech emotion recognizer: speech -> the shared emotion space (categories, VAD, intensity)."""

from .calibration import Calibration, load_calibration
from .cues import CueReading, VoiceCues, measure_cues, read_cues
from common.log_mel import LogMelConfig, LogMelFrontend
from .judgement import Doubt
from .model import SERConfig, SpeechEmotionNet
from .recognizer import (FrameEmotion, SpeakerReference, SpeechEmotion, SpeechEmotionRecognizer,
                         shipped_recognizer)

__all__ = ["Calibration", "CueReading", "Doubt", "VoiceCues", "load_calibration", "measure_cues",
           "read_cues",
           "FrameEmotion", "LogMelConfig", "LogMelFrontend", "SERConfig", "SpeakerReference", "SpeechEmotion",
           "SpeechEmotionNet", "SpeechEmotionRecognizer", "shipped_recognizer"]
