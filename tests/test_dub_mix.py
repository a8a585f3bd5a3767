"""The dialogue over a background (issue 31: memory bounded for the longest accepted input):
the background is read from its file and resampled a block at a time, and the mix equals
the one a whole-array reading gives."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile as sf

from common.audio_io import AudioArray, open_audio, resample
from synth.dub import track
from synth.dub.track import duck_gain, mix_over
from synth.dub.video import video_sound

TRACK_RATE = 24000
BACKGROUND_RATE = 16000


def _dialogue(path, seconds: float = 2.0):
    t = np.arange(int(seconds * TRACK_RATE)) / TRACK_RATE
    speech = 0.2 * np.sin(2 * np.pi * 220 * t) * (t > 0.5) * (t < 1.5)
    sf.write(path, speech, TRACK_RATE, subtype="PCM_16")
    return path


def _background(seconds: float, rate: int = BACKGROUND_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.1 * np.sin(2 * np.pi * 330 * t) + 0.02 * np.random.default_rng(0).standard_normal(t.size)


@pytest.mark.parametrize("background_s", [1.2, 5.0])   # shorter and longer than the dialogue
def test_the_mix_streams_the_background_as_a_whole_read_would(tmp_path, monkeypatch, background_s):
    monkeypatch.setattr(track, "_BLOCK", 4096)      # many blocks, and resampling at each join
    dialogue = _dialogue(tmp_path / "dialogue.wav")
    noise = _background(background_s).astype(np.float32).astype(np.float64)   # as the file holds it
    sf.write(tmp_path / "background.wav", noise, BACKGROUND_RATE, subtype="FLOAT")
    slots = np.array([[0.5, 1.5]])
    mixed = mix_over(dialogue, open_audio(tmp_path / "background.wav"), slots, tmp_path / "mix.wav")
    out, rate = sf.read(mixed)
    speech, _ = sf.read(dialogue)
    under = resample(noise, BACKGROUND_RATE, TRACK_RATE)
    total = max(len(speech), len(under))
    expected = np.zeros(total)
    expected[:len(speech)] += speech
    expected[:len(under)] += under * duck_gain(0, len(under), TRACK_RATE, slots)
    assert rate == TRACK_RATE and len(out) == total
    np.testing.assert_allclose(out, expected, atol=2e-4)     # 16-bit output
    in_memory = mix_over(dialogue, AudioArray(noise, BACKGROUND_RATE), slots, tmp_path / "mix2.wav")
    np.testing.assert_array_equal(sf.read(in_memory)[0], out)


def test_a_videos_own_sound_is_read_from_a_file_and_removed_after(tmp_path):
    from imageio_ffmpeg import get_ffmpeg_exe

    video = tmp_path / "clip.mp4"
    subprocess.run([get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=gray:s=64x64:d=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-shortest", "-c:v", "libx264", "-c:a", "aac", str(video)], check=True)
    with video_sound(video, TRACK_RATE) as sound:
        assert sound.sample_rate == TRACK_RATE and 0.9 < sound.duration_s < 1.2
        samples = sound.read(0, sound.frames)
        assert np.sqrt(np.mean(samples ** 2)) > 0.05
        folder = sound.path.parent
    assert not folder.exists()
    silent = tmp_path / "silent.mp4"
    subprocess.run([get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=gray:s=64x64:d=1", "-c:v", "libx264", str(silent)], check=True)
    with video_sound(silent, TRACK_RATE) as sound:
        assert sound is None
