"""How long each cue is spoken, and how its audio fills its slot on the track.

Rules (docs/dubbing.md):
- a cue is spoken to fill its slot, start to end; the engine's duration fit meets it within
  ±2 % and lengthens or shortens pauses twice as much as phones (synth/render/synthesizer.py);
- with `natural`, a cue keeps its natural length when that ends before the next cue starts;
- the rate limit: a text that would need more than MAX_RATE times its natural speaking rate
  (or less than MIN_RATE) is spoken at the limit and flagged, not garbled: too fast runs on
  into the silence before the next cue (cut with a fade at the next cue's start, if it must
  be); too slow is followed by silence;
- the audio is then made to fill its slot sample-exactly: silence trimmed from its edges when
  it is long, silence added after it when it is short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Faster than 1.6x, listeners lose words (engine speech at 1.6x its natural rate is already at
# the 6-7 syllables/s of fast read speech); slower than 0.6x, the stretched phones drawl.
MAX_RATE = 1.6
MIN_RATE = 0.6
SILENCE_BELOW_DB = 45.0     # frames this far below the loudest frame count as silence
FRAME_S = 0.01


@dataclass(frozen=True)
class TimingPlan:
    """What a cue is spoken as: `target_s` (None: its natural length), the speaking rate that
    takes relative to natural, and why it departs from the slot (None, "too_fast", "too_slow")."""
    target_s: float | None
    rate: float
    flag: str | None = None
    mode: str = "slot"          # "slot": fitted to its slot; "natural": its natural length

    def to_dict(self) -> dict:
        return {"target_s": None if self.target_s is None else round(self.target_s, 4),
                "rate": round(self.rate, 4), "flag": self.flag, "mode": self.mode}


def plan_timing(natural_s: float, slot_s: float, room_s: float, natural: bool = False) -> TimingPlan:
    """The length to speak a cue at. `room_s`: from the cue's start to the next cue's start
    (infinity for the last cue)."""
    if natural and natural_s <= room_s:
        return TimingPlan(None, 1.0, None, "natural")
    rate = natural_s / slot_s
    if rate > MAX_RATE:
        return TimingPlan(natural_s / MAX_RATE, MAX_RATE, "too_fast")
    if rate < MIN_RATE:
        return TimingPlan(natural_s / MIN_RATE, MIN_RATE, "too_slow")
    return TimingPlan(slot_s, rate)


def sounding_span(audio: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """First and one-past-last sample of the frames that are not silence."""
    frame = max(1, int(FRAME_S * sample_rate))
    frames = len(audio) // frame
    if frames == 0:
        return 0, len(audio)
    energy = np.sqrt(np.mean(np.square(audio[: frames * frame].reshape(frames, frame), dtype=np.float64), axis=1))
    loud = energy > energy.max() * 10 ** (-SILENCE_BELOW_DB / 20)
    if not loud.any():
        return 0, 0
    first, last = int(np.argmax(loud)), int(frames - np.argmax(loud[::-1]))
    return first * frame, min(len(audio), last * frame)


@dataclass(frozen=True)
class Placement:
    audio: np.ndarray        # exactly what goes on the track from the cue's first sample
    cut_samples: int         # speech lost at the next cue's start (0 unless flagged too fast)
    trimmed_start: int       # leading silence removed


def fill_slot(audio: np.ndarray, sample_rate: int, slot_samples: int, room_samples: int | None) -> Placement:
    """`audio` made `slot_samples` long: edge silence trimmed (the end first) when it is
    longer, silence appended when shorter. Speech that does not fit runs on into the room
    before the next cue (`room_samples`, None: unlimited), and is cut there with a fade."""
    audio = np.asarray(audio, dtype=np.float32)
    trimmed_start = 0
    if len(audio) > slot_samples:
        first, last = sounding_span(audio, sample_rate)
        excess = len(audio) - slot_samples
        tail = min(excess, len(audio) - last)
        audio = audio[: len(audio) - tail]
        trimmed_start = min(excess - tail, first)
        audio = audio[trimmed_start:]
    if len(audio) < slot_samples:
        audio = np.concatenate([audio, np.zeros(slot_samples - len(audio), np.float32)])
    cut = 0
    if room_samples is not None and len(audio) > room_samples:
        cut = len(audio) - room_samples
        audio = audio[:room_samples]
    return Placement(audio, cut, trimmed_start)
