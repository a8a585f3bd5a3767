"""The speech emotion recognizer: front end, network, inference path, CLI, training."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from common.audio_io import AudioInputError, check_audio, load_audio
from conditioning.categories import CATEGORIES
from conditioning.checkpoints import shipped_path
from conditioning.ser import (LogMelConfig, LogMelFrontend, SERConfig, SpeechEmotionNet,
                              SpeechEmotionRecognizer, shipped_recognizer)
from common.log_mel import mel_filterbank
from common.mel_scale import hz_to_mel, mel_to_hz
from train.judges.emotion_metrics import concordance, confusion_matrix, unweighted_average_recall

RATE = 16000
# The shipped model on these 16 items: 11 right (0.69), arousal r 0.91; two items of margin.
HELD_OUT_TINY_ACCURACY = 9 / 16
HELD_OUT_TINY_AROUSAL_R = 0.8


def _tone(hz: float, seconds: float = 1.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


# --- front end ---------------------------------------------------------------------------

def test_filterbank_shape_and_unit_area():
    filters = mel_filterbank(LogMelConfig())
    assert filters.shape == (64, 257)
    np.testing.assert_allclose(filters.sum(axis=1), 1.0, rtol=1e-5)


def test_tone_peaks_in_the_band_of_its_frequency():
    frontend = LogMelFrontend()
    config = LogMelConfig()
    for hz in (300.0, 1000.0, 4000.0):
        mel = frontend(torch.from_numpy(_tone(hz))[None])[0]
        peak_band = int(mel.mean(dim=1).argmax())
        centres = np.linspace(hz_to_mel(config.f_min), hz_to_mel(config.f_max), config.n_mels + 2)[1:-1]
        centre_hz = float(mel_to_hz(centres[peak_band]))
        assert abs(np.log2(centre_hz / hz)) < 0.15, (hz, centre_hz)


def test_frame_count_matches_stft():
    for frontend in (LogMelFrontend(), LogMelFrontend(LogMelConfig(harmonic_bins=64))):
        for samples in (1600, 16000, 16001, 33333):
            features = frontend(torch.zeros(1, samples))
            assert features.shape[-1] == int(frontend.frames_for(torch.tensor(samples)))
            assert features.shape[1] == frontend.config.bands


def test_narrow_band_bins_resolve_the_pitch():
    config = LogMelConfig(harmonic_bins=64)
    frontend = LogMelFrontend(config)
    spacing = config.sample_rate / config.harmonic_n_fft
    for f0 in (110.0, 200.0, 310.0):
        t = np.arange(RATE) / RATE
        tone = sum(0.2 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 6)).astype(np.float32)
        narrow = frontend(torch.from_numpy(tone)[None])[0, config.n_mels:].mean(dim=1)
        strongest_hz = (int(narrow.argmax()) + 1) * spacing  # bin 0 of the slice is 1 x spacing
        assert abs(strongest_hz - f0) <= spacing, (f0, strongest_hz)


# --- network -----------------------------------------------------------------------------

def test_network_is_small_and_outputs_are_in_range():
    net = SpeechEmotionNet(SERConfig()).eval()
    assert sum(p.numel() for p in net.parameters()) <= 2_000_000
    with torch.no_grad():
        out = net(torch.randn(3, 64, 250), torch.tensor([250, 180, 90]))
    assert out["category_logits"].shape == (3, len(CATEGORIES))
    assert out["vad"].abs().max() <= 1.0 and out["vad"].shape == (3, 3)
    assert ((out["intensity"] >= 0) & (out["intensity"] <= 1)).all()


@pytest.mark.parametrize("centred", [False, True])
def test_padding_in_a_batch_does_not_change_an_utterance(centred):
    torch.manual_seed(0)
    net = SpeechEmotionNet(SERConfig(utterance_normalisation=centred)).eval()
    long, short = torch.randn(1, 64, 301), torch.randn(1, 64, 157)
    batch = torch.zeros(2, 64, 301)
    batch[0], batch[1, :, :157] = long[0], short[0]
    with torch.no_grad():
        together = net(batch, torch.tensor([301, 157]))
        alone = net(short, torch.tensor([157]))
    for key in together:
        torch.testing.assert_close(together[key][1], alone[key][0], atol=1e-5, rtol=1e-4)


def test_utterance_normalisation_ignores_a_voice_spectral_balance():
    torch.manual_seed(0)
    mel = torch.randn(1, 64, 240)
    mel[..., 100:140] -= 12.0  # a pause, which must not count in the band means
    shelf = torch.linspace(-0.7, 0.7, 64)[None, :, None]  # about +-6 dB across the bands
    frames = torch.tensor([240])
    centred = SpeechEmotionNet(SERConfig(utterance_normalisation=True)).eval()
    plain = SpeechEmotionNet(SERConfig()).eval()
    plain.load_state_dict(centred.state_dict())
    with torch.no_grad():
        same = [centred(x, frames)["vad"] for x in (mel, mel + shelf)]
        moved = [plain(x, frames)["vad"] for x in (mel, mel + shelf)]
    torch.testing.assert_close(same[0], same[1], atol=1e-5, rtol=1e-4)
    assert (moved[0] - moved[1]).abs().max() > 1e-3


def test_windows_every_quarter_second_and_utterance_consistent():
    torch.manual_seed(0)
    net = SpeechEmotionNet(SERConfig()).eval()
    mel = torch.randn(1, 64, 401)  # 4 s
    with torch.no_grad():
        utterance, windows, centres = net.utterance_and_windows(mel, torch.tensor([401]))
        whole = net(mel, torch.tensor([401]))
    np.testing.assert_allclose(np.diff(centres.numpy()), 0.25, atol=0.011)
    assert centres[0] == pytest.approx(0.5) and centres[-1] <= 4.0 - 0.5 + 0.02
    assert windows["vad"].shape == (len(centres), 3)
    torch.testing.assert_close(utterance["vad"], whole["vad"])


def test_a_speaker_reference_is_read_against_the_utterance():
    torch.manual_seed(0)
    net = SpeechEmotionNet(SERConfig(speaker_reference=True)).eval()
    assert sum(p.numel() for p in net.parameters()) <= 2_000_000
    mel, frames = torch.randn(2, 64, 200), torch.tensor([200, 150])
    with torch.no_grad():
        reference = net.pooled(torch.randn(1, 64, 300), torch.tensor([300]))
        without = net(mel, frames)
        against = net(mel, frames, reference)
        stand_in = net(mel, frames, net.no_reference[None])
        utterance, windows, _ = net.utterance_and_windows(mel[:1], frames[:1], reference)
    assert (without["vad"] - against["vad"]).abs().max() > 1e-4
    torch.testing.assert_close(without["vad"], stand_in["vad"])
    torch.testing.assert_close(utterance["vad"], against["vad"][:1])
    assert windows["vad"].shape[1] == 3


def test_a_recognizer_without_the_reference_branch_says_so():
    recognizer = SpeechEmotionRecognizer(SpeechEmotionNet(SERConfig()))
    assert not recognizer.takes_speaker_reference
    with pytest.raises(ValueError, match="without a speaker reference"):
        recognizer.speaker_reference(_tone(150.0), RATE)


# --- audio input -------------------------------------------------------------------------

@pytest.mark.parametrize("audio, rate, problem", [
    (np.zeros((RATE, 2), np.float32), RATE, "mono"),
    (np.zeros(RATE, np.float32), RATE, "silent"),
    (np.full(RATE, np.nan, np.float32), RATE, "NaN"),
    (np.ones(10, np.float32), RATE, "ms long"),
    (np.ones(RATE, np.float32), 1000, "outside the supported"),
    (np.array(["a"]), RATE, "numeric"),
])
def test_bad_audio_is_refused_with_the_problem_named(audio, rate, problem):
    with pytest.raises(AudioInputError, match=problem):
        check_audio(audio, rate)


def test_bad_files_are_refused(tmp_path):
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.zeros((RATE, 2)) + 0.1, RATE)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF0000WAVEjunk" * 10)
    downmixed, _ = load_audio(stereo)   # every entry point takes stereo
    assert downmixed.shape == (RATE,)
    with pytest.raises(AudioInputError, match="not a readable audio file"):
        load_audio(corrupt)
    with pytest.raises(AudioInputError, match="no audio file"):
        load_audio(tmp_path / "missing.wav")


# --- metrics -----------------------------------------------------------------------------

def test_metrics():
    x = np.array([0.1, 0.5, -0.3, 0.9])
    assert concordance(x, x) == pytest.approx(1.0)
    assert concordance(x + 0.5, x) < 0.8  # an offset costs concordance, not correlation
    matrix = confusion_matrix(np.array([0, 0, 1, 1, 1, 1]), np.array([0, 1, 1, 1, 1, 0]), classes=3)
    assert matrix.tolist() == [[1, 1, 0], [1, 3, 0], [0, 0, 0]]
    assert unweighted_average_recall(matrix) == pytest.approx((0.5 + 0.75) / 2)


# --- the shipped recognizer --------------------------------------------------------------

def test_the_checkpoint_ships():
    assert shipped_path("ser").exists(), "make it with python -m train.train_ser --corpus data/corpus"


def test_shipped_recognizer_hears_the_held_out_voice(tiny_corpus):
    """The tiny corpus's test items are test sentences in the held-out voice, every category
    at full intensity: unseen by training. The thresholds guard against regressions at the
    shipped model's measured level (see the manifest), which is below the issue's target."""
    records = [json.loads(line) for line in (tiny_corpus / "manifest.jsonl").read_text().splitlines()]
    test = [r for r in records if r["split"] == "test" and r["source"]["kind"] == "category"]
    recognizer = shipped_recognizer()
    hits, arousal_pairs = [], []
    for record in test:
        result = recognizer.recognize_file(tiny_corpus / record["audio"], frames=False)
        reference = max(record["target"]["categories"], key=record["target"]["categories"].get)
        hits.append(result.target.category == reference)
        arousal_pairs.append((result.target.arousal, record["target"]["vad"]["arousal"]))
    assert np.mean(hits) >= HELD_OUT_TINY_ACCURACY, f"{np.mean(hits):.2f} of {len(hits)} held-out items recognized"
    predicted, reference = np.array(arousal_pairs).T
    assert np.corrcoef(predicted, reference)[0, 1] > HELD_OUT_TINY_AROUSAL_R


def test_any_rate_gives_the_same_reading(tiny_corpus):
    record = json.loads((tiny_corpus / "manifest.jsonl").read_text().splitlines()[-1])
    audio, rate = sf.read(tiny_corpus / record["audio"], dtype="float32")
    recognizer = shipped_recognizer()
    at_source = recognizer.recognize(audio, rate).target
    from common.audio_io import resample
    at_44k = recognizer.recognize(resample(audio, rate, 44100).astype(np.float32), 44100).target
    assert at_source.category == at_44k.category
    np.testing.assert_allclose(at_source.vad, at_44k.vad, atol=0.1)


def test_cli_recognize_prints_json_with_frames(tiny_corpus, tmp_path):
    record = json.loads((tiny_corpus / "manifest.jsonl").read_text().splitlines()[0])
    done = subprocess.run([sys.executable, "-m", "synth.cli", "recognize", str(tiny_corpus / record["audio"]),
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["emotion"]["categories"]) == set(CATEGORIES)
    assert len(result["frames"]) >= int(record["duration_s"] / 0.25) - 4
    text = subprocess.run([sys.executable, "-m", "synth.cli", "recognize", str(tiny_corpus / record["audio"])],
                          capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "EmotionTarget(" in text.stdout and "sounds" in text.stdout
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.zeros((RATE, 2)) + 0.1, RATE)
    downmixed = subprocess.run([sys.executable, "-m", "synth.cli", "recognize", str(stereo)],
                               capture_output=True, text=True, timeout=120)
    assert downmixed.returncode == 0 and "sounds" in downmixed.stdout, downmixed.stderr
    records = [json.loads(line) for line in (tiny_corpus / "manifest.jsonl").read_text().splitlines()]
    neutral = next(r for r in records if r["voice"] == record["voice"] and r["source"].get("category") == "neutral")
    against = subprocess.run([sys.executable, "-m", "synth.cli", "recognize", str(tiny_corpus / record["audio"]),
                              "--json", "--reference", str(tiny_corpus / neutral["audio"])],
                             capture_output=True, text=True, timeout=120)
    assert against.returncode == 0, against.stderr
    judged = json.loads(against.stdout)
    assert judged["speaker_reference"]["clips"] == 1 and "speaker_reference" not in result
    assert judged["emotion"]["vad"] != result["emotion"]["vad"]   # the shipped recognizer reads the reference


def test_missing_checkpoint_names_the_script(tmp_path):
    from conditioning.checkpoints import MissingCheckpointError
    with pytest.raises(MissingCheckpointError, match="train.train_ser"):
        SpeechEmotionRecognizer.from_checkpoint(tmp_path / "absent.pt")
