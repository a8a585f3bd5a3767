"""A long recording is recognized from disk a piece at a time (issue 31: memory bounded for the
longest accepted input), and every piece-wise stage gives what one pass over the whole gives."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from common.audio_io import AudioInputError, load_audio, open_audio, resample, resampled
from common.log_mel import LogMelConfig, LogMelFrontend
from conditioning.ser import long_audio, model, recognizer
from conditioning.ser.model import SERConfig, SpeechEmotionNet


def _voice_like(rate: int, seconds: float, seed: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    rng = np.random.default_rng(seed)
    tone = np.sin(2 * np.pi * (150 + 30 * np.sin(1.3 * t)) * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.7 * t))
    return 0.1 * tone + 0.01 * rng.standard_normal(len(t))


def _reader(x: np.ndarray):
    return lambda start, stop: x[max(0, start):max(0, stop)]


def _in_pieces(read, total: int, cuts=(0, 1, 977, 5000)) -> np.ndarray:
    edges = sorted({min(total, c) for c in cuts} | {total})
    return np.concatenate([read(a, b) for a, b in zip(edges[:-1], edges[1:])])


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resampling_in_pieces_gives_the_whole(rate):
    x = _voice_like(rate, 1.5)
    length, read = resampled(_reader(x), len(x), rate, 16000)
    whole = resample(x, rate, 16000)
    assert length == len(whole)
    np.testing.assert_allclose(_in_pieces(read, length), whole, atol=1e-12)


@pytest.mark.parametrize("harmonic_bins", [0, 24])
def test_front_end_frames_in_pieces_give_the_whole(harmonic_bins):
    frontend = LogMelFrontend(LogMelConfig(harmonic_bins=harmonic_bins))
    x = _voice_like(16000, 2.0)
    frames, read = long_audio.front_end_reader(frontend, _reader(x), len(x))
    whole = frontend(torch.from_numpy(x)[None])
    assert frames == whole.shape[-1]
    pieces = [read(a, b) for a, b in [(0, 1), (1, 60), (60, frames - 1), (frames - 1, frames)]]
    torch.testing.assert_close(torch.cat(pieces, dim=-1), whole, atol=1e-4, rtol=1e-5)


def test_a_long_utterance_encoded_in_chunks_reads_as_one_pass(monkeypatch):
    monkeypatch.setattr(model, "ENCODE_CHUNK", 80)         # chunks of 1.6 s
    monkeypatch.setattr(long_audio, "MEANS_CHUNK", 150)
    torch.manual_seed(0)
    net = SpeechEmotionNet(SERConfig(utterance_normalisation=True)).eval()
    frontend = LogMelFrontend()
    x = _voice_like(16000, 9.0)
    mel = frontend(torch.from_numpy(x)[None])
    with torch.inference_mode():
        utterance, windows, centres = net.utterance_and_windows(mel, torch.tensor([mel.shape[-1]]))
        frames, features = long_audio.front_end_reader(frontend, _reader(x), len(x))
        pooled, window_stats, chunked_centres = long_audio.encode_long(net, features, frames, windows=True)
        chunked = net.read(window_stats)
    torch.testing.assert_close(pooled, utterance["pooled"], atol=2e-5, rtol=1e-4)
    torch.testing.assert_close(chunked_centres, centres)
    for name, value in windows.items():
        torch.testing.assert_close(chunked[name], value, atol=2e-5, rtol=1e-4, msg=name)


def test_a_long_file_is_recognized_in_pieces_as_a_whole_read_would_be(tmp_path, monkeypatch):
    rate = 44100
    x = _voice_like(rate, 14.0)
    path = tmp_path / "long.wav"
    sf.write(path, np.stack([x, 0.7 * x], axis=1), rate, subtype="PCM_16")
    ser = recognizer.shipped_recognizer()
    samples = load_audio(path, 0.25, 3600.0)
    read_whole = ser.recognize(*samples)
    reference_whole = ser.speaker_reference(*samples)
    monkeypatch.setattr(recognizer, "LONG_AUDIO_S", 5.0)
    monkeypatch.setattr(model, "ENCODE_CHUNK", 120)
    in_pieces = ser.recognize_file(path)
    _assert_same_reading(in_pieces, read_whole)
    # Samples in memory past the limit (the converter's source and result) stream as a file does.
    _assert_same_reading(ser.recognize(*samples), read_whole)
    torch.testing.assert_close(ser.speaker_reference(*samples).encoding, reference_whole.encoding,
                               atol=2e-5, rtol=1e-4)


def _assert_same_reading(in_pieces, read_whole):
    assert in_pieces.duration_s == pytest.approx(read_whole.duration_s)
    np.testing.assert_allclose(in_pieces.network.categories, read_whole.network.categories, atol=1e-4)
    np.testing.assert_allclose(in_pieces.target.vad, read_whole.target.vad, atol=1e-4)
    assert in_pieces.cue_reading == read_whole.cue_reading
    assert [f.time_s for f in in_pieces.frames] == [f.time_s for f in read_whole.frames]
    for mine, theirs in zip(in_pieces.frames, read_whole.frames):
        np.testing.assert_allclose(mine.target.categories, theirs.target.categories, atol=1e-4)


def test_a_file_is_checked_block_by_block_with_load_audios_messages(tmp_path):
    path = tmp_path / "nan.wav"
    x = _voice_like(16000, 1.0).astype(np.float32)
    x[[5, 70000 % len(x), 9000]] = np.nan
    sf.write(path, x, 16000, subtype="FLOAT")
    for read in (load_audio, open_audio):
        with pytest.raises(AudioInputError, match="contains 3 NaN/inf samples"):
            read(path)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16000), 16000, subtype="PCM_16")
    for read in (load_audio, open_audio):
        with pytest.raises(AudioInputError, match="silent"):
            read(silent)
    fine = tmp_path / "fine.wav"
    sf.write(fine, np.stack([x * 0 + 0.1, x * 0 + 0.3], axis=1), 16000, subtype="PCM_16")
    recording = open_audio(fine)
    assert recording.frames == 16000 and recording.sample_rate == 16000
    np.testing.assert_array_equal(recording.read(100, 200), load_audio(fine)[0][100:200])
