"""Non-verbal behaviour of a speaking face: blinks, gaze and head motion, seeded.

- Blinks are a renewal process: a refractory minimum gap plus an exponential wait, with a
  rate that rises with arousal. Spontaneous blinking is about 17/min at rest
  (Bentivoglio et al. 1997) and rises with arousal, stress and anxiety, falling with calm
  attention (Stern, Walrath & Goldstein 1984). Lids close faster than they reopen
  (Evinger, Manning & Sibony 1991).
- Gaze holds fixations near the listener with small saccades and occasional aversions
  (Kendon 1967; Argyle & Cook 1976); gaze shifts often ride on blinks
  (Evinger et al. 1994), so some blinks carry one.
- Head motion is slow low-pass noise (most head-motion power in speech is below 1 Hz) that
  is larger while speaking (Hadar, Steiner, Grant & Rose 1983), plus nods on the energy
  peaks of speech, where stressed syllables fall (Hadar et al. 1983; Graf, Cosatto,
  Strom & Huang 2002; Yehia, Kuratate & Vatikiotis-Bateson 2002), all scaled by arousal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .motion import ACTION_UNITS, BEHAVIOUR_CHANNELS, FPS, MOUTH_CHANNELS, MotionTrack

BLINK, GAZE_X, GAZE_Y, YAW, PITCH, ROLL = range(6)


@dataclass(frozen=True)
class BehaviourConfig:
    # Blinks per minute at arousal -1, 0 and +1 (piecewise linear in between).
    blink_rate_calm: float = 10.0
    blink_rate_neutral: float = 17.0
    blink_rate_aroused: float = 28.0
    blink_min_gap_s: float = 1.0
    blink_close_s: float = 0.1
    blink_closed_s: float = 0.03
    blink_open_s: float = 0.15
    # Gaze: mean fixation between shifts at arousal 0; arousal shortens it by this fraction.
    fixation_mean_s: float = 1.8
    fixation_arousal_shortening: float = 0.35
    fixation_min_s: float = 0.25
    gaze_spread: tuple[float, float] = (0.12, 0.08)      # std of fixations near the listener
    aversion_probability: float = 0.2
    aversion_offset: tuple[float, float] = (0.5, 0.25)   # typical look-away (x, y)
    saccade_s: float = 0.05
    blink_saccade_probability: float = 0.3
    gaze_drift: float = 0.01                             # fixational drift std
    # Head pose (radians): std of yaw, pitch, roll at arousal 0, scaled by
    # (1 + head_arousal_gain * arousal): about 0.02 rad when calm to 0.05 when aroused.
    head_std: tuple[float, float, float] = (0.035, 0.025, 0.02)
    head_arousal_gain: float = 0.45
    head_cutoff_hz: float = 0.4
    silent_motion: float = 0.6      # head-noise scale in silence; speech at full energy: 1.4
    nod_amplitude: float = 0.04     # pitch (rad) of a nod on an energy peak of 1
    nod_s: float = 0.4
    nod_min_gap_s: float = 0.7      # about one nod a second in fluent speech
    nod_prominence: float = 0.15


def _check_frames(frames: int, fps: float) -> int:
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 0:
        raise ValueError(f"frames must be a non-negative integer; got {frames!r}")
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number; got {fps!r}")
    return int(frames)


def _per_frame(name: str, value: float | np.ndarray | None, frames: int, low: float, high: float,
               default: float) -> np.ndarray:
    """A scalar or (frames,) array -> (frames,) floats, checked to lie in [low, high]."""
    array = np.full(frames, default) if value is None else np.asarray(value, dtype=float)
    if array.ndim == 0:
        array = np.full(frames, float(array))
    if array.shape != (frames,):
        raise ValueError(f"{name} must be a number or have one value per frame ({frames}); "
                         f"got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite")
    if array.size and (array.min() < low - 1e-6 or array.max() > high + 1e-6):
        raise ValueError(f"{name} must lie in [{low}, {high}]; got {array.min():.3g}..{array.max():.3g}")
    return np.clip(array, low, high)


def blink_rate(arousal: np.ndarray | float, config: BehaviourConfig = BehaviourConfig()) -> np.ndarray:
    """Blinks per minute at the given arousal."""
    return np.interp(arousal, (-1.0, 0.0, 1.0),
                     (config.blink_rate_calm, config.blink_rate_neutral, config.blink_rate_aroused))


def _at(values: np.ndarray, time_s: float, fps: float) -> float:
    return float(values[min(int(time_s * fps), len(values) - 1)])


def blink_onsets(duration_s: float, arousal: np.ndarray, fps: float, rng: np.random.Generator,
                 config: BehaviourConfig) -> np.ndarray:
    """Blink start times: refractory gap + exponential wait, at the rate of the moment."""
    def wait(time_s: float) -> float:
        mean_gap = 60.0 / float(blink_rate(_at(arousal, time_s, fps), config))
        return float(rng.exponential(max(mean_gap - config.blink_min_gap_s, 1e-3)))

    onsets = []
    # The first blink comes some way in, not on the first frame.
    time_s = 0.2 + rng.uniform(0.0, 60.0 / float(blink_rate(_at(arousal, 0.0, fps), config)))
    while time_s < duration_s:
        onsets.append(time_s)
        time_s += config.blink_min_gap_s + wait(time_s)
    return np.array(onsets)


def blink_profile(since_onset_s: np.ndarray, config: BehaviourConfig) -> np.ndarray:
    """Lid closure 0..1 over time since a blink began: quick close, brief hold, slower open."""
    close, hold, reopen = config.blink_close_s, config.blink_closed_s, config.blink_open_s
    closing = 0.5 - 0.5 * np.cos(np.pi * np.clip(since_onset_s / close, 0.0, 1.0))
    opening = 0.5 + 0.5 * np.cos(np.pi * np.clip((since_onset_s - close - hold) / reopen, 0.0, 1.0))
    inside = (since_onset_s >= 0) & (since_onset_s <= close + hold + reopen)
    return np.where(since_onset_s < close, closing, opening) * inside


def _blinks(t: np.ndarray, onsets: np.ndarray, config: BehaviourConfig) -> np.ndarray:
    if onsets.size == 0:
        return np.zeros_like(t)
    # Blinks never overlap (the refractory gap is longer than a blink): only the latest counts.
    latest = np.searchsorted(onsets, t, side="right") - 1
    since = np.where(latest >= 0, t - onsets[np.maximum(latest, 0)], -1.0)
    return blink_profile(since, config)


def _gaze(t: np.ndarray, arousal: np.ndarray, blinks: np.ndarray, fps: float,
          rng: np.random.Generator, config: BehaviourConfig) -> np.ndarray:
    """(frames, 2) gaze: fixations, saccades between them (some during blinks), drift."""
    duration = len(t) / fps
    shifts: list[float] = []
    time_s = float(rng.uniform(0.3, config.fixation_mean_s))
    while time_s < duration:
        shifts.append(time_s)
        mean = config.fixation_mean_s * (1 - config.fixation_arousal_shortening * _at(arousal, time_s, fps))
        # Gamma with shape 2: fixation durations are right-skewed but rarely very short.
        time_s += config.fixation_min_s + float(rng.gamma(2.0, max(mean - config.fixation_min_s, 0.05) / 2))
    riding = blinks[rng.random(len(blinks)) < config.blink_saccade_probability] + config.blink_close_s
    times = np.sort(np.concatenate([np.array(shifts), riding]))
    if times.size:
        keep = np.concatenate([[True], np.diff(times) >= config.fixation_min_s])
        times = times[keep]
    averted = rng.random(len(times)) < config.aversion_probability
    targets = rng.normal(0.0, 1.0, (len(times), 2)) * np.asarray(config.gaze_spread)
    side = rng.choice((-1.0, 1.0), len(times))
    away = np.column_stack([side * rng.uniform(0.6, 1.2, len(times)), rng.normal(0.0, 1.0, len(times))])
    targets = np.where(averted[:, None], away * np.asarray(config.aversion_offset), targets)
    targets = np.vstack([np.zeros((1, 2)), targets])          # look at the listener first
    current = np.searchsorted(times, t, side="right")          # index into targets
    started = np.concatenate([[-np.inf], times])[current]
    progress = np.clip((t - started) / config.saccade_s, 0.0, 1.0)
    ease = (0.5 - 0.5 * np.cos(np.pi * progress))[:, None]
    gaze = targets[np.maximum(current - 1, 0)] * (1 - ease) + targets[current] * ease
    gaze += config.gaze_drift * _smooth_noise(len(t), fps, 1.0, rng, 2)
    return np.clip(gaze, -1.0, 1.0)


def _smooth_noise(frames: int, fps: float, cutoff_hz: float, rng: np.random.Generator,
                  channels: int) -> np.ndarray:
    """(frames, channels) stationary low-pass Gaussian noise with unit standard deviation."""
    sos = signal.butter(2, min(cutoff_hz, 0.45 * fps), fs=fps, output="sos")
    burn_in = int(np.ceil(3 * fps / cutoff_hz))              # reach the stationary state
    impulse = np.zeros(burn_in * 4)
    impulse[0] = 1.0
    gain = np.sqrt(np.sum(signal.sosfilt(sos, impulse) ** 2))
    white = rng.standard_normal((frames + burn_in, channels))
    return signal.sosfilt(sos, white, axis=0)[burn_in:] / gain


def _nods(t: np.ndarray, energy: np.ndarray, arousal_scale: np.ndarray, fps: float,
          rng: np.random.Generator, config: BehaviourConfig) -> np.ndarray:
    """(frames, 3) head rotation from nods on the energy peaks (stressed syllables)."""
    out = np.zeros((len(t), 3))
    peaks, _ = signal.find_peaks(energy, prominence=config.nod_prominence,
                                 distance=max(1, int(round(config.nod_min_gap_s * fps))))
    if peaks.size == 0:
        return out
    # A nod: head goes down and comes back, peaking with the syllable (sin^2 bump).
    phase = (t[:, None] - t[peaks][None, :]) / config.nod_s + 0.5
    bump = np.where((phase > 0) & (phase < 1), np.sin(np.pi * phase) ** 2, 0.0)
    size = config.nod_amplitude * energy[peaks] * arousal_scale[peaks]
    # Nods carry a little turn and tilt, in a random direction each.
    companions = np.column_stack([0.3 * rng.uniform(-1, 1, len(peaks)), np.ones(len(peaks)),
                                  0.2 * rng.uniform(-1, 1, len(peaks))])
    return bump @ (size[:, None] * companions)


def behaviour_track(frames: int, fps: float = FPS, arousal: float | np.ndarray = 0.0,
                    speech_energy: np.ndarray | None = None, seed: int = 0,
                    config: BehaviourConfig = BehaviourConfig()) -> np.ndarray:
    """(frames, 6) blink, gaze_x, gaze_y, head_yaw, head_pitch, head_roll.

    `arousal` in [-1, 1] (a number or one per frame); `speech_energy` in [0, 1] per frame
    (see `speech_energy`), None for a silent face. The same seed gives the same track;
    blinks, gaze and head motion draw from separate streams, so speech changes the head but
    not the blinks.
    """
    frames = _check_frames(frames, fps)
    arousal = _per_frame("arousal", arousal, frames, -1.0, 1.0, 0.0)
    energy = _per_frame("speech_energy", speech_energy, frames, 0.0, 1.0, 0.0)
    blink_rng, gaze_rng, head_rng = (np.random.default_rng(s)
                                     for s in np.random.SeedSequence(int(seed)).spawn(3))
    t = (np.arange(frames) + 0.5) / fps
    out = np.zeros((frames, len(BEHAVIOUR_CHANNELS)))
    if frames == 0:
        return out.astype(np.float32)
    onsets = blink_onsets(frames / fps, arousal, fps, blink_rng, config)
    out[:, BLINK] = _blinks(t, onsets, config)
    out[:, [GAZE_X, GAZE_Y]] = _gaze(t, arousal, onsets, fps, gaze_rng, config)
    arousal_scale = np.maximum(1.0 + config.head_arousal_gain * arousal, 0.2)
    speaking = (np.ones(frames) if speech_energy is None
                else config.silent_motion + 2 * (1 - config.silent_motion) * energy)
    noise = _smooth_noise(frames, fps, config.head_cutoff_hz, head_rng, 3)
    out[:, [YAW, PITCH, ROLL]] = noise * np.asarray(config.head_std) * (arousal_scale * speaking)[:, None]
    if speech_energy is not None:
        out[:, [YAW, PITCH, ROLL]] += _nods(t, energy, arousal_scale, fps, head_rng, config)
    return out.astype(np.float32)


def speech_energy(audio: np.ndarray, sample_rate: int, frames: int, fps: float = FPS,
                  dynamic_range_db: float = 40.0, smoothing_s: float = 0.1) -> np.ndarray:
    """(frames,) loudness envelope in [0, 1]: RMS in dB over two-frame windows at frame
    centres, 1 at the utterance's loud parts (95th percentile) and 0 from
    `dynamic_range_db` below, smoothed over `smoothing_s`. Silence gives zeros.
    """
    frames = _check_frames(frames, fps)
    samples = np.asarray(audio, dtype=float)
    if samples.ndim != 1:
        raise ValueError(f"audio must be mono (one dimension); got shape {samples.shape}")
    if not np.isfinite(samples).all():
        raise ValueError("audio contains NaN or infinite samples")
    if not np.isfinite(sample_rate) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive; got {sample_rate!r}")
    if frames == 0 or samples.size == 0:
        return np.zeros(frames, dtype=np.float32)
    hop = sample_rate / fps
    centres = (np.arange(frames) + 0.5) * hop
    lo = np.clip(np.round(centres - hop).astype(int), 0, samples.size)
    hi = np.clip(np.round(centres + hop).astype(int), 0, samples.size)
    cumulative = np.concatenate([[0.0], np.cumsum(samples ** 2)])
    power = (cumulative[hi] - cumulative[lo]) / np.maximum(hi - lo, 1)
    if power.max() <= 1e-12:
        return np.zeros(frames, dtype=np.float32)
    level = 10 * np.log10(power + 1e-12)
    loud = np.percentile(level, 95)
    envelope = np.clip((level - (loud - dynamic_range_db)) / dynamic_range_db, 0.0, 1.0)
    width = max(1, int(round(smoothing_s * fps)))
    if width > 1:
        kernel = np.hanning(width + 2)[1:-1]
        envelope = np.convolve(envelope, kernel / kernel.sum(), mode="same")
    return np.clip(envelope, 0.0, 1.0).astype(np.float32)


def compose_track(mouth: np.ndarray, action_units: np.ndarray, behaviour: np.ndarray,
                  fps: float = FPS) -> MotionTrack:
    """Mouth (frames, 3), action units (frames, 14), behaviour (frames, 6) -> MotionTrack
    with its columns in CHANNELS order."""
    parts = {"mouth": (mouth, MOUTH_CHANNELS), "action_units": (action_units, ACTION_UNITS),
             "behaviour": (behaviour, BEHAVIOUR_CHANNELS)}
    arrays = []
    for name, (values, channels) in parts.items():
        array = np.asarray(values, dtype=np.float32)
        if array.ndim != 2 or array.shape[1] != len(channels):
            raise ValueError(f"{name} must be (frames, {len(channels)}); got {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        arrays.append(array)
    lengths = {name: len(array) for name, array in zip(parts, arrays)}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"the parts have different frame counts: {lengths}")
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number; got {fps!r}")
    return MotionTrack(np.concatenate(arrays, axis=1), fps)
