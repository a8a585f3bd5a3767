"""Is this speech? The converter refuses what it cannot convert, and says why.

Three signs of speech that silence, noise, percussion, held tones and melodies lack, measured
on any recording with DSP alone (nothing learned):

* **active speech**: at least MIN_ACTIVE_S of frames above the noise floor and near the loud
  frames (segments.activity); a steady sound (a drone, a chord, noise) has no such frames,
  since speech always dips between syllables;
* **voiced share**: of the active frames, the share DIO finds voiced; speech is 0.2-0.85
  voiced (vowels, nasals), noise and percussion nearly 0;
* **syllable-rate modulation**: the share of the energy envelope's modulation spectrum at
  2-10 Hz (syllables come 3-8 a second) among 0.25-25 Hz;
* **held pitches**: the share of 100 ms voiced windows whose F0 stays within 0.1 semitone
  (std): notes hold a pitch, speech glides (0-0.14 on the corpus voices and the ALSA
  recordings, 0.95 on a plucked melody).

Thresholds sit well outside what the speech measured here gives (recorded speakers, the
diphone, HTS and neural voices, 2026-12): a whispered recording is refused too (it has no
F0 for the transform to move), and said so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from common.audio_io import resample

from .errors import ConversionInputError
from .segments import FRAME_S, activity

ANALYSIS_RATE = 16000
MIN_ACTIVE_S = 0.3
MIN_VOICED_SHARE = 0.12
MIN_SYLLABIC_SHARE = 0.15
MAX_HELD_PITCH_SHARE = 0.5
HELD_WINDOW_S = 0.1
HELD_STD_SEMITONES = 0.1
F0_BLOCK_S = 60.0
F0_CONTEXT_S = 1.0


@dataclass(frozen=True)
class SpeechEvidence:
    active_s: float
    voiced_share: float
    syllabic_share: float
    held_pitch_share: float

    def to_dict(self) -> dict:
        return {name: round(float(value), 3) for name, value in asdict(self).items()}


def _f0_of_block(x: np.ndarray) -> np.ndarray:
    import pyworld

    x = np.ascontiguousarray(x, dtype=np.float64)
    f0, t = pyworld.dio(x, ANALYSIS_RATE, f0_floor=60.0, f0_ceil=800.0, frame_period=FRAME_S * 1000)
    return pyworld.stonemask(x, f0, t, ANALYSIS_RATE)


def _f0(audio: np.ndarray) -> np.ndarray:
    """DIO's F0 per frame, a block at a time with F0_CONTEXT_S of the neighbours' sound either
    side: DIO's working memory on ten minutes is over a gigabyte, and on a block it is that of
    the block. Frame k stays the frame at k * FRAME_S of the whole."""
    hop = int(round(FRAME_S * ANALYSIS_RATE))
    block, context = int(F0_BLOCK_S / FRAME_S), int(F0_CONTEXT_S / FRAME_S)
    frames = len(audio) // hop + 1          # DIO's frame count: one per hop, and one at the end
    if frames <= block + 2 * context:
        return _f0_of_block(audio)
    pieces = []
    for first in range(0, frames, block):
        lo = max(0, first - context)
        f0 = _f0_of_block(audio[lo * hop:(first + block + context) * hop])
        pieces.append(f0[first - lo:first - lo + block])
    return np.concatenate(pieces)[:frames]


def syllabic_share(level_db: np.ndarray) -> float:
    envelope = 10.0 ** (level_db / 20.0)
    envelope = envelope / (envelope.max() + 1e-12)
    envelope = (envelope - envelope.mean()) * np.hanning(envelope.size)
    size = max(1024, envelope.size)
    power = np.abs(np.fft.rfft(envelope, n=size)) ** 2
    freqs = np.fft.rfftfreq(size, FRAME_S)
    total = power[(freqs >= 0.25) & (freqs <= 25.0)].sum()
    return float(power[(freqs >= 2.0) & (freqs <= 10.0)].sum() / total) if total > 0 else 0.0


def held_pitch_share(f0: np.ndarray) -> float:
    width = int(round(HELD_WINDOW_S / FRAME_S))
    if f0.size < width:
        return 0.0
    windows = np.lib.stride_tricks.sliding_window_view(f0, width)[::width // 2]
    voiced = windows[np.all(windows > 0, axis=1)]
    if not len(voiced):
        return 0.0
    return float(np.mean(np.std(12.0 * np.log2(voiced), axis=1) < HELD_STD_SEMITONES))


def speech_evidence(audio: np.ndarray, sample_rate: int) -> SpeechEvidence:
    x = resample(np.asarray(audio, dtype=np.float64), sample_rate, ANALYSIS_RATE)
    act = activity(x, ANALYSIS_RATE)
    f0 = _f0(x)[:act.active.size]
    active = act.active[:f0.size]
    voiced_share = float(np.sum((f0 > 0) & active) / max(int(active.sum()), 1))
    return SpeechEvidence(act.active_s, voiced_share, syllabic_share(act.level_db), held_pitch_share(f0))


def check_speech(audio: np.ndarray, sample_rate: int) -> SpeechEvidence:
    """The evidence, or ConversionInputError naming what the audio lacks."""
    evidence = speech_evidence(audio, sample_rate)
    measured = ", ".join(f"{k} {v:g}" for k, v in evidence.to_dict().items())
    if evidence.active_s < MIN_ACTIVE_S:
        raise ConversionInputError(f"no speech found: the audio is silence or a steady sound without the dips "
                                   f"between syllables ({evidence.active_s:.2f} s active; {MIN_ACTIVE_S} s needed)")
    if evidence.voiced_share < MIN_VOICED_SHARE:
        raise ConversionInputError(f"no voiced speech found: {evidence.voiced_share:.0%} of the active sound is voiced "
                                   f"(speech is 20-85 %); noise, percussion and whispers cannot be converted "
                                   f"({measured})")
    if evidence.held_pitch_share > MAX_HELD_PITCH_SHARE:
        raise ConversionInputError(f"this sounds like music or singing, not speech: {evidence.held_pitch_share:.0%} of "
                                   f"its voiced sound holds a steady pitch ({measured})")
    if evidence.syllabic_share < MIN_SYLLABIC_SHARE:
        raise ConversionInputError(f"this does not sound like speech: its loudness barely moves at the syllable rate "
                                   f"(2-10 Hz share {evidence.syllabic_share:.2f}; {MIN_SYLLABIC_SHARE} needed; "
                                   f"{measured})")
    return evidence
