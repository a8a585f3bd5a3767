"""The fine-tuned voice (train/train_voice.py): a tiny config on a few rendered clips trains,
is reproducible, stores a voice that speaks; the data checks refuse bad recordings by name."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from train.voice_data import VoiceDataError, find_items, load_recordings

TEXTS = ("The boat is red.", "We met at noon today.", "Please close the door.")
CONSENT = "Test recordings of the kal16 corpus voice, a Debian diphone voice."


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    from synth.render.engines import render

    folder = tmp_path_factory.mktemp("recordings")
    for index, text in enumerate(TEXTS):
        rendering = render(text, "kal16")
        sf.write(folder / f"r{index}.wav", rendering.audio, rendering.sample_rate)
        (folder / f"r{index}.txt").write_text(text + "\n")
    return folder


def _train(recordings, voices, name, checkpoints, *options):
    from train.train_voice import build_parser, train_voice

    parser = build_parser()
    args = parser.parse_args(["--data", str(recordings), "--name", name, "--consent", CONSENT, "--epochs", "4",
                              "--hidden", "32", "--layers", "2", "--context", "1", "--threads", "1",
                              "--output", str(voices), "--checkpoint-dir", str(checkpoints), *options])
    return train_voice(args, parser, progress=False)


@pytest.fixture(scope="module")
def trained(recordings, tmp_path_factory):
    voices = tmp_path_factory.mktemp("voices")
    first = _train(recordings, voices, "tuned", tmp_path_factory.mktemp("ckpt"), "--realign-passes", "0")
    second = _train(recordings, voices, "again", tmp_path_factory.mktemp("ckpt"), "--realign-passes", "0")
    return voices, first, second


def test_the_loss_falls_and_the_same_seed_gives_the_same_weights(trained):
    _, first, second = trained
    losses = first.built_from["losses"]
    assert len(losses) == 4 and losses[-1] < losses[0]
    a, b = (torch.load(v.model_path, weights_only=True)["state"] for v in (first, second))
    assert all(torch.equal(a[key], b[key]) for key in a)


def test_realignment_trains_on_pairs_found_through_the_mapping(recordings, tmp_path):
    # Pairs aligned through the trained mapping follow it: the loss starts the next pass lower.
    voice = _train(recordings, tmp_path / "voices", "realigned", tmp_path / "ckpt", "--realign-passes", "1",
                   "--no-resume")
    losses = voice.built_from["losses"]
    assert len(losses) == 8 and losses[4] < losses[3] and losses[-1] < losses[0]
    assert "1 pass" in voice.built_from["alignment"]
    from train.train_voice import REALIGN_PASSES, build_parser
    assert build_parser().parse_args(["--data", "d", "--name", "n"]).realign_passes == REALIGN_PASSES > 0


def test_the_voice_file_records_consent_hashes_base_and_model(trained, recordings):
    voices, voice, _ = trained
    assert voice.model_path.parent == voices and voice.model_path.is_file()
    assert voice.consent["statement"] == CONSENT and voice.base_voice == "joe"
    assert len(voice.clips) == len(TEXTS) and all(len(c["sha256"]) == 64 for c in voice.clips)
    assert voice.built_from["config"]["hidden"] == 32 and voice.built_from["training_seconds"] > 0
    assert -1.0 <= voice.built_from["fit_cosine"] <= 1.0
    assert "fine-tuned" in voice.as_voice().description


def test_the_stored_voice_speaks_and_carries_its_consent(trained, monkeypatch):
    from conditioning import parse_emotion
    from synth.render.synthesizer import EngineSynthesizer
    from synth.render.timbre_net import LearnedTimbre
    from synth.studio import _stored_voice_consent
    from synth.voice_store import remove_voice

    voices, voice, _ = trained
    monkeypatch.setenv("EMOSTUDIO_VOICES", str(voices))
    synthesizer = EngineSynthesizer()
    assert isinstance(synthesizer._resolve("tuned")[1], LearnedTimbre)
    speech = synthesizer.speak("Good morning.", parse_emotion("sad"), "tuned")
    assert speech.audio.size > 0 and np.all(np.isfinite(speech.audio)) and np.abs(speech.audio).max() > 0.01
    assert _stored_voice_consent("tuned")["consent"]["statement"] == CONSENT
    model = voice.model_path
    remove_voice("again", voices)
    assert not (voices / "again.timbre.pt").exists() and model.exists()


def _wav(folder, name, audio, rate=22050, text="Hello there."):
    sf.write(folder / f"{name}.wav", audio, rate)
    if text is not None:
        (folder / f"{name}.txt").write_text(text)


def _speechlike(seconds=1.5, rate=22050, level=0.3):
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 140 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)


@pytest.mark.parametrize("case, message", [
    ("no_transcript", "has no transcript"), ("empty_transcript", "is empty"), ("low_rate", "8000 Hz"),
    ("clipped", "clipped"), ("short", "after trimming"), ("silent", "silent")])
def test_bad_recordings_are_refused_by_name(tmp_path, case, message):
    audio = {"clipped": np.clip(_speechlike(level=3.0), -1, 1), "short": _speechlike(0.2),
             "silent": np.zeros(22050, dtype=np.float32)}.get(case, _speechlike())
    rate = 8000 if case == "low_rate" else 22050
    text = {"no_transcript": None, "empty_transcript": "  "}.get(case, "Hello there.")
    _wav(tmp_path, "take_7", audio[: int(audio.size * rate / 22050)], rate, text)
    with pytest.raises(VoiceDataError, match=message) as error:
        load_recordings(tmp_path)
    assert "take_7" in str(error.value)


def test_ljspeech_metadata_and_its_missing_audio(tmp_path):
    (tmp_path / "wavs").mkdir()
    sf.write(tmp_path / "wavs" / "a1.wav", _speechlike(), 22050)
    (tmp_path / "metadata.csv").write_text("a1|Hello there.|Hello there.\n")
    assert [(p.name, t) for p, t in find_items(tmp_path)] == [("a1.wav", "Hello there.")]
    (tmp_path / "metadata.csv").write_text("a1|Hello there.\na2|Missing one.\n")
    with pytest.raises(VoiceDataError, match="a2"):
        find_items(tmp_path)


def test_training_without_consent_is_refused_before_reading(tmp_path):
    from synth.voice_store import VoiceStoreError
    from train.train_voice import build_parser, train_voice

    parser = build_parser()
    args = parser.parse_args(["--data", str(tmp_path / "none"), "--name", "x1", "--output", str(tmp_path)])
    with pytest.raises(VoiceStoreError, match="consent"):
        train_voice(args, parser, progress=False)
