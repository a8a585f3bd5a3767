"""Waveform augmentation for the speech emotion recognizer that judges EmoStudio's output.

The recognizer must score generated and real speech on equal terms, so it is trained on
speech pushed through what separates the two in practice: recording level, background
noise, rooms, telephone-like bands and sample rates, telephone lines and low-bit-rate
codecs, clipping, and a little speaking-rate change. Each transform is a pure public
function; :func:`augment` draws which ones to apply, and with what parameters, from the
caller's rng, so an epoch can be replayed exactly.
"""


from .chain import REVERB_WET, augment, replay
from .channel import (NOISE_COLOURS, add_noise, apply_gain, band_limit, hard_clip, resample_roundtrip, reverberate,
                      room_impulse_response, tilt_spectrum)
from .config import TRANSFORM_ORDER, AugmentConfig, roughness_ranges
from .transmission import CODECS, codec_roundtrip, telephone
from .voice import change_tempo, roughen_voice, shift_pitch, shift_voice

__all__ = [
    "CODECS", "NOISE_COLOURS", "REVERB_WET", "TRANSFORM_ORDER", "AugmentConfig", "add_noise", "apply_gain", "augment",
    "band_limit", "change_tempo", "codec_roundtrip", "hard_clip", "replay", "resample_roundtrip", "reverberate",
    "room_impulse_response", "roughen_voice", "roughness_ranges", "shift_pitch", "shift_voice", "telephone",
    "tilt_spectrum",
]
