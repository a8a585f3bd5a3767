"""The frame-wise zero-shot timbre (synth/render/knn_timbre.py): each base frame moves toward
the clips' frames nearest it, c0..c4 stay the prior's, a sound the clips lack keeps the prior,
the clips' frames survive the voice file, a voice file written before frames were stored
still loads and speaks with the statistical timbre, one naming the knn mapping speaks frame by
frame, and add_voice stores what that needs (an unknown mapping refused before any clip is read)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synth.render.knn_timbre import ClipFrames, KnnTimbre, clip_frames
from synth.render.timbre import CEPSTRUM_ORDER, Timbre, apply_timbre, cepstrum
from synth.vocoder.world import OUTPUT_SAMPLE_RATE, analyze
from synth.voice_store import FORMAT, VoiceStoreError, add_voice, load_voice

ORDER = CEPSTRUM_ORDER


def _identity_timbre(mean: np.ndarray, std: np.ndarray) -> Timbre:
    """Base and speaker share statistics and F0, no warp: the prior is the base's own cepstrum."""
    vector = tuple(float(v) for v in mean)
    spread = tuple(float(v) for v in std)
    return Timbre("joe", 100.0, 100.0, 1.0, 1.0, vector, spread, vector, spread, (0.0,) * 24)


@pytest.fixture(scope="module")
def clips():
    """Three 'phones' (clusters of frames), each held for 60 frames in one clip."""
    rng = np.random.default_rng(1)
    centres = rng.normal(0.0, 1.0, size=(3, ORDER))
    frames = np.concatenate([np.repeat(c[None, :], 60, axis=0) + rng.normal(0, 0.05, (60, ORDER)) for c in centres])
    return centres, ClipFrames(frames, np.ones(len(frames), dtype=bool), (len(frames),))


def test_each_frame_moves_toward_the_clip_frames_nearest_it(clips):
    centres, frames = clips
    rng = np.random.default_rng(2)
    stats = frames.cepstra.mean(axis=0), frames.cepstra.std(axis=0)
    # The base says the same three phones in another order, each off its clip counterpart.
    order = [2, 0, 1]
    base = np.concatenate([np.repeat(centres[i][None, :], 60, axis=0) + 0.4 * rng.normal(size=(1, ORDER))
                           for i in order])
    truth = np.concatenate([np.repeat(centres[i][None, :], 60, axis=0) for i in order])
    voiced = np.ones(len(base), dtype=bool)
    knn = KnnTimbre(_identity_timbre(*stats), frames, smooth=1, fallback=0.0)
    mapped = knn.map_cepstrum(base, voiced)
    inner = np.r_[5:55, 65:115, 125:175]                 # away from the phone boundaries
    before = np.linalg.norm(base[inner, 5:] - truth[inner, 5:], axis=1).mean()
    after = np.linalg.norm(mapped[inner, 5:] - truth[inner, 5:], axis=1).mean()
    assert after < 0.2 * before, (before, after)
    np.testing.assert_allclose(mapped[:, :5], base[:, :5])   # c0 (level) and c1..c4: the prior's
    # No blend: the statistical mapping itself.
    np.testing.assert_allclose(KnnTimbre(knn.timbre, frames, blend=0.0).map_cepstrum(base, voiced), base)


def test_a_sound_the_clips_lack_keeps_the_prior(clips):
    centres, frames = clips
    stats = frames.cepstra.mean(axis=0), frames.cepstra.std(axis=0)
    knn = KnnTimbre(_identity_timbre(*stats), frames, smooth=1, fallback=0.3)
    rng = np.random.default_rng(3)
    near = np.repeat(centres[0][None, :], 80, axis=0) + 0.2 * rng.normal(size=(80, ORDER))
    far = np.repeat((centres[0] + 8.0)[None, :], 20, axis=0)    # nothing like it in the clips
    base = np.concatenate([near, far])
    mapped = knn.map_cepstrum(base, np.ones(len(base), dtype=bool))
    np.testing.assert_allclose(mapped[83:], base[83:])    # beyond the +-2 frames that also see the near ones
    assert np.linalg.norm(mapped[:60, 5:] - centres[0][5:], axis=1).mean() < \
        0.5 * np.linalg.norm(near[:60, 5:] - centres[0][5:], axis=1).mean()


def _speech_like(f0_hz: float, seconds: float = 0.6) -> np.ndarray:
    rate = OUTPUT_SAMPLE_RATE
    t = np.arange(int(seconds * rate)) / rate
    vowel = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 30))
    gate = (np.sin(2 * np.pi * 3 * t) > -0.3).astype(float)     # voiced stretches with pauses
    return 0.2 * vowel * gate + 0.003 * np.random.default_rng(0).normal(size=t.size)


def test_the_clip_frames_survive_the_voice_file_compactly():
    analyses = [analyze(_speech_like(f0), OUTPUT_SAMPLE_RATE) for f0 in (110.0, 130.0)]
    frames = clip_frames(analyses)
    stored = json.loads(json.dumps(frames.to_dict()))
    back = ClipFrames.from_dict(stored)
    assert back.lengths == tuple(a.n_frames for a in analyses)
    np.testing.assert_array_equal(back.voiced, np.concatenate([a.voiced for a in analyses]))
    np.testing.assert_allclose(back.cepstra, np.concatenate([cepstrum(a) for a in analyses]), atol=2e-2, rtol=2e-3)
    frames_total = sum(back.lengths)
    assert len(stored["cepstra"]) < frames_total * ORDER * 2 * 1.4     # float16, base64


def _old_voice_file(folder, timbre: Timbre) -> None:
    """A voice file as the store wrote it before the clips' frames were kept (no "frames", no mapping)."""
    data = {"format": FORMAT, "name": "old_voice", "created": "2026-11-20T10:00:00+00:00",
            "consent": {"statement": "I, an old speaker, agreed to this.", "recorded_at": "2026-11-20T10:00:00+00:00"},
            "clips": [{"file": "a.wav", "sha256": "0" * 64, "duration_s": 2.0, "sample_rate": 16000}],
            "built_from": {"method": "zero-shot: base engine voice + WORLD timbre (synth/render/timbre.py)",
                           "base_voice": "joe", "candidates": {}},
            "stats": {"f0_median_hz": 120.0}, "timbre": timbre.to_dict(), "embedding": [0.0625] * 256}
    (folder / "old_voice.json").write_text(json.dumps(data))


def _speech_and_timbre() -> tuple:
    """A speech-like analysis and a statistical timbre from it (F0 120 -> 150 Hz, envelope mean +0.1)."""
    features = analyze(_speech_like(120.0), OUTPUT_SAMPLE_RATE)
    coded = cepstrum(features)[features.voiced]
    mean, std = coded.mean(axis=0), coded.std(axis=0)
    return features, Timbre("joe", 120.0, 150.0, 1.0, 1.0, tuple(mean), tuple(std), tuple(mean + 0.1), tuple(std),
                            (0.0,) * 24)


def test_an_old_voice_file_still_loads_and_applies_the_statistical_timbre(tmp_path):
    features, timbre = _speech_and_timbre()
    _old_voice_file(tmp_path, timbre)
    voice = load_voice("old_voice", tmp_path)
    assert voice.frames is None and voice.base_voice == "joe"
    step = voice.timbre_step()
    assert isinstance(step, Timbre)
    moved = step.apply(features)
    expected = apply_timbre(features, timbre)
    np.testing.assert_allclose(moved.spectral_envelope, expected.spectral_envelope)
    assert np.median(moved.f0[moved.voiced]) == pytest.approx(150.0, rel=0.02)
    # Written back, it stays an old-style file: no frames invented.
    assert "frames" not in voice.to_dict()


def test_a_voice_file_naming_the_knn_mapping_speaks_frame_by_frame(tmp_path):
    features, timbre = _speech_and_timbre()
    _old_voice_file(tmp_path, timbre)
    path = tmp_path / "old_voice.json"
    data = json.loads(path.read_text())
    data["timbre"]["mapping"] = {**KnnTimbre.default_settings(), "k": 4, "unknown_setting": 1}
    data["frames"] = clip_frames([analyze(_speech_like(f0), OUTPUT_SAMPLE_RATE) for f0 in (140.0, 160.0)]).to_dict()
    path.write_text(json.dumps(data))
    voice = load_voice("old_voice", tmp_path)
    step = voice.timbre_step()
    assert isinstance(step, KnnTimbre) and step.k == 4 and step.smooth == KnnTimbre.default_settings()["smooth"]
    assert step.base_voice == "joe" and step.f0_range_factor == 1.0
    moved = step.apply(features)
    statistical = apply_timbre(features, timbre)
    assert moved.spectral_envelope.shape == statistical.spectral_envelope.shape
    assert not np.allclose(moved.spectral_envelope, statistical.spectral_envelope)   # the frames moved it
    np.testing.assert_allclose(moved.f0, statistical.f0)      # F0 as the statistical timbre
    assert voice.to_dict()["frames"] == data["frames"]


def test_an_unknown_mapping_is_refused_before_any_clip_is_read(tmp_path):
    with pytest.raises(VoiceStoreError, match="mapping must be one of"):
        add_voice("any_voice", ["/no/such/clip.wav"], "I, a speaker, agreed to this.", directory=tmp_path,
                  mapping="nearest")
    assert not list(tmp_path.iterdir())


def test_add_voice_with_the_knn_mapping_stores_the_frames_and_speaks_frame_by_frame(tmp_path):
    from synth.render.engines import render

    clips = [(render(text, "kal16").audio, 16000) for text in ("The garden gate was painted a bright shade of green.",
                                                                "We walked along the river until the sun went down.")]
    voice = add_voice("knn_clone", clips, "I, the kal diphone speaker, agree to this.", bases=("joe",),
                      directory=tmp_path, mapping="knn")
    assert voice.built_from["mapping"] == "knn" and voice.base_voice == "joe"
    assert voice.timbre["mapping"] == KnnTimbre.default_settings()
    back = load_voice("knn_clone", tmp_path)
    frames = ClipFrames.from_dict(back.frames)
    assert len(frames.lengths) == 2 and frames.voiced.any() and frames.cepstra.shape[1] == ORDER
    step = back.timbre_step()
    assert isinstance(step, KnnTimbre) and step.timbre == Timbre.from_dict(voice.timbre)
