"""The voice store (issue 30): add/list/remove in a temporary EMOSTUDIO_VOICES, consent required,
the clips' hashes recorded, a stored voice spoken nearer its clips' speaker than its base voice
(d-vector), its timbre kept across emotions, and bad clips refused by name."""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np
import pytest
import soundfile as sf

from conditioning.speaker import cosine, d_vector
from synth.cli import main
from synth.render.engines import render
from synth.voice_clips import ClipError
from synth.voice_store import VoiceStoreError, add_voice, load_voice, remove_voice, stored_voices

CONSENT = "I, the kal diphone speaker, agree to this studio speaking with my voice."
CLIP_TEXTS = ("The garden gate was painted a bright shade of green.",
              "We walked along the river until the sun went down.",
              "Her brother keeps a small boat near the old harbour.")
SAID = "Thank you for waiting, the doctor will see you in a moment."
BASE = "joe"


@pytest.fixture(scope="module")
def voices_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("voices")


@pytest.fixture(autouse=True)
def _store(voices_folder, monkeypatch):
    monkeypatch.setenv("EMOSTUDIO_VOICES", str(voices_folder))


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    paths = []
    for index, text in enumerate(CLIP_TEXTS, 1):
        rendering = render(text, "kal16")
        paths.append(folder / f"kal_{index}.wav")
        sf.write(paths[-1], rendering.audio, rendering.sample_rate)
    return paths


@pytest.fixture(scope="module")
def stored(clip_files, voices_folder):
    # One base voice keeps the fit to a few seconds; kal16 and kal_diphone (the same speaker) are not bases.
    return add_voice("kal_clone", clip_files, CONSENT, bases=(BASE,), directory=voices_folder)


@pytest.fixture(scope="module")
def clip_embedding(clip_files):
    vectors = [d_vector(*sf.read(path)) for path in clip_files]
    mean = np.mean(vectors, axis=0)
    return mean / np.linalg.norm(mean)


def test_round_trip_records_consent_hashes_and_lists(stored, clip_files, voices_folder, capsys):
    data = json.loads((voices_folder / "kal_clone.json").read_text())
    assert data["consent"]["statement"] == CONSENT and data["consent"]["recorded_at"][:4].isdigit()
    assert [c["sha256"] for c in data["clips"]] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in clip_files]
    assert len(data["embedding"]) == 256 and data["built_from"]["base_voice"] == BASE
    assert 80 < data["stats"]["f0_median_hz"] < 100      # kal16 speaks near 89 Hz
    assert not list(voices_folder.glob("*.wav")) and not (voices_folder / "kal_clone.clips").exists()
    assert [v.name for v in stored_voices()] == ["kal_clone"]

    from synth.voices import describe_voice, installed_voices
    assert describe_voice("kal_clone").origin == "user"
    assert "kal_clone" in [v.name for v in installed_voices()]

    started = time.perf_counter()
    assert main(["voice", "list", "--json"]) == 0
    assert time.perf_counter() - started < 0.5
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["kal_clone"]["origin"] == "stored" and listed["joe"]["origin"] == "built-in"
    assert CONSENT in listed["kal_clone"]["description"]


def test_remove(clip_files, voices_folder, capsys):
    add_voice("short_lived", clip_files[:2], CONSENT, bases=(BASE,), keep_clips=True, directory=voices_folder)
    kept = voices_folder / "short_lived.clips"
    assert len(list(kept.iterdir())) == 2
    assert main(["voice", "remove", "short_lived"]) == 0
    assert load_voice("short_lived") is None and not kept.exists()
    assert main(["voice", "remove", "short_lived"]) == 2
    assert "no stored voice 'short_lived'" in capsys.readouterr().err


def test_consent_is_required(clip_files, capsys):
    assert main(["voice", "add", "nobody", str(clip_files[0])]) == 2
    assert "consent" in capsys.readouterr().err
    with pytest.raises(VoiceStoreError, match="consent"):
        add_voice("nobody", clip_files, "   ")
    with pytest.raises(VoiceStoreError, match="built-in"):
        add_voice("joe", clip_files, CONSENT)
    assert load_voice("nobody") is None


def test_speaking_moves_toward_the_clips_and_keeps_across_emotions(stored, clip_embedding):
    from conditioning import parse_emotion
    from synth.render.synthesizer import EngineSynthesizer

    synthesizer = EngineSynthesizer()
    base = synthesizer.speak(SAID, parse_emotion("neutral"), BASE)
    cloned = {e: synthesizer.speak(SAID, parse_emotion(e), "kal_clone") for e in ("neutral", "angry", "sad")}
    base_cos = cosine(d_vector(base.audio, base.sample_rate), clip_embedding)
    cos = {e: cosine(d_vector(s.audio, s.sample_rate), clip_embedding) for e, s in cloned.items()}
    assert cos["neutral"] > base_cos + 0.08, (base_cos, cos)
    for emotion in ("angry", "sad"):
        assert cos[emotion] > base_cos + 0.04 and cos[emotion] > cos["neutral"] - 0.1, (base_cos, cos)
    f0 = {e: np.median(np.exp(s.log_f0[s.log_f0 != 0])) for e, s in cloned.items()}
    assert f0["neutral"] < 115 and f0["angry"] > f0["neutral"] > f0["sad"]   # the clips' register, emotions on top


def test_studio_recipe_carries_consent(stored):
    from synth.studio import Studio

    result = Studio().speak("Good morning.", emotion="calm", voice="kal_clone")
    assert result.recipe()["consent"]["statement"] == CONSENT
    assert result.recipe()["consent"]["clips_sha256"] == [c["sha256"] for c in stored.clips]


def _write(folder, name, audio, rate=16000):
    path = folder / name
    sf.write(path, audio, rate)
    return path


def test_bad_clips_are_refused_by_name(tmp_path, clip_files):
    rng = np.random.default_rng(0)
    t = np.arange(4 * 16000) / 16000
    melody_hz = np.repeat([220, 247, 262, 294, 330, 294, 262, 247], t.size // 8 + 1)[:t.size]
    phase = 2 * np.pi * np.cumsum(melody_hz) / 16000
    music = 0.2 * sum(np.sin(k * phase) / k for k in range(1, 8))
    cases = {"silence.wav": (rng.normal(size=32000) * 1e-4, "silent"),
             "short.wav": (sf.read(clip_files[0])[0][:4000], "too short"),
             "music.wav": (music, "does not sound like speech"),
             "noise.wav": (rng.normal(size=32000) * 0.1, "no voiced sound")}
    for name, (audio, reason) in cases.items():
        with pytest.raises(ClipError, match=f"{name}.*{reason}"):
            add_voice("bad", [clip_files[1], _write(tmp_path, name, audio)], CONSENT, bases=(BASE,))
    assert main(["voice", "add", "bad", str(_write(tmp_path, "silence.wav", cases["silence.wav"][0])),
                 "--consent", CONSENT]) == 2
    assert load_voice("bad") is None


def test_remove_unknown_name_is_refused():
    with pytest.raises(VoiceStoreError, match="no stored voice"):
        remove_voice("never_added")


def test_only_voices_in_the_speakers_register_are_fitted_while_there_are_any():
    from synth.voice_clips import BASE_CANDIDATES, base_candidates

    nearest = [(True, -0.9, "low_but_similar"), (False, -0.5, "same_register"), (False, -0.6, "closer"),
               (True, -0.8, "also_low")]
    assert [v for *_, v in base_candidates(nearest)] == ["closer", "same_register"]
    everyone_out = [(True, -0.2, "a"), (True, -0.7, "b"), (True, -0.5, "c"), (True, -0.1, "d")]
    assert [v for *_, v in base_candidates(everyone_out)] == ["b", "c", "a"][:BASE_CANDIDATES]
