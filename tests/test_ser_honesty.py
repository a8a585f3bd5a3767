"""The speech emotion recognizer says how far to trust it (issue 34): calibrated categories,
an out-of-distribution distance, a prosodic cue reading beside the network, and real
speech (the alsa-utils channel test, where installed) read with the doubt it deserves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conditioning.categories import CATEGORIES
from conditioning.ser.calibration import (Calibration, expected_calibration_error, fit_embedding_distribution,
                                          fit_temperature, softmax)
from conditioning.ser.cues import VoiceCues, measure_cues, read_cues
from conditioning.ser.judgement import RELIABLE_CONFIDENCE, blend, judge
from conditioning.space import target_from_vad
from conditioning.target import EmotionTarget

RATE = 16000
ALSA = Path("/usr/share/sounds/alsa")
ALSA_SPEECH = sorted(p for p in ALSA.glob("*.wav") if p.name != "Noise.wav") if ALSA.is_dir() else []


def voiced_utterance(f0_hz: float = 120.0, spread_st: float = 2.0, syllables_per_s: float = 4.0,
                     seconds: float = 3.0, level: float = 0.1) -> np.ndarray:
    """A harmonic voice whose F0 wanders by ``spread_st`` and whose level rises and falls once a syllable."""
    t = np.arange(int(seconds * RATE)) / RATE
    semitones = spread_st * np.sqrt(2) * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0_hz * 2 ** (semitones / 12)) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 30))
    syllables = 0.55 - 0.45 * np.cos(2 * np.pi * syllables_per_s * t)
    return (level * voice * syllables / np.abs(voice).max()).astype(np.float32)


def test_the_temperature_that_made_the_labels_is_found_and_lowers_the_calibration_error():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, size=(4000, len(CATEGORIES)))
    truth = softmax(logits, 2.0)  # an overconfident head: its logits are twice what they should be
    labels = np.array([rng.choice(len(CATEGORIES), p=p) for p in truth])
    temperature = fit_temperature(logits, labels)
    assert temperature == pytest.approx(2.0, rel=0.15)
    before = expected_calibration_error(softmax(logits), labels)
    after = expected_calibration_error(softmax(logits, temperature), labels)
    assert before > 0.1 and after < 0.04


def test_the_ood_distance_is_about_one_inside_the_training_distribution_and_large_outside():
    rng = np.random.default_rng(1)
    scales = np.linspace(3, 0.2, 64)
    training = rng.normal(size=(600, 64)) * scales
    calibration = fit_embedding_distribution(training, components=8)
    inside = calibration.distance(rng.normal(size=(200, 64)) * scales)
    outside = calibration.distance(rng.normal(size=(200, 64)) * scales + 4.0)
    assert 0.8 < np.median(inside) < 1.2 and np.min(outside) > 1.8
    threshold = float(np.quantile(inside, 0.99))
    stored = Calibration.from_dict(json.loads(json.dumps(
        Calibration(1.5, calibration.embedding_mean, calibration.components, calibration.component_variances,
                    calibration.residual_variance, threshold).to_dict())))
    np.testing.assert_allclose(stored.distance(training[:5]), calibration.distance(training[:5]), rtol=1e-4)
    assert stored.familiarity(np.array([0.5 * threshold]))[0] == 1.0
    assert stored.familiarity(np.array([2.5 * threshold]))[0] == 0.0
    with pytest.raises(ValueError, match="temperature"):
        Calibration.from_dict({"temperature": -1})


def test_the_cues_measure_pitch_spread_and_rate():
    cues = measure_cues(voiced_utterance(f0_hz=120.0, spread_st=2.0, syllables_per_s=4.0), RATE)
    assert cues.f0_median_hz == pytest.approx(120.0, rel=0.04)
    assert cues.f0_spread_st == pytest.approx(2.0, abs=0.5)
    assert cues.syllable_rate == pytest.approx(4.0, abs=1.0)
    assert cues.voiced_fraction > 0.8


def test_known_prosodic_changes_move_the_cue_reading_the_literature_s_way():
    plain = measure_cues(voiced_utterance(), RATE)
    aroused = measure_cues(voiced_utterance(f0_hz=120.0 * 2 ** (3 / 12), spread_st=2.6, syllables_per_s=4.6,
                                            level=0.2), RATE)
    subdued = measure_cues(voiced_utterance(f0_hz=120.0 * 2 ** (-3 / 12), spread_st=1.5, syllables_per_s=3.5,
                                            level=0.05), RATE)
    up, down = read_cues(aroused, plain), read_cues(subdued, plain)
    assert up.vad[1] > 0.3 and down.vad[1] < -0.3
    assert up.against == "speaker reference"
    # Alone, loudness and spectral balance are not read (they are the microphone's as much as
    # the voice's), so the reading is less certain than against the speaker.
    alone = read_cues(aroused)
    assert "loudness_db" not in alone.changes and alone.vad_sd[1] > up.vad_sd[1]


def test_an_unvoiced_recording_gives_a_neutral_uncertain_cue_reading():
    noise = (0.05 * np.random.default_rng(2).normal(size=RATE * 2)).astype(np.float32)
    reading = read_cues(measure_cues(noise, RATE))
    assert np.allclose(reading.vad, 0.0, atol=0.05) and reading.vad_sd[1] == pytest.approx(0.5)


def _cue_reading(arousal: float):
    cues = VoiceCues(120.0, 2.5, -20.0, 15.0, 20.0, 4.0, 0.8, 2.0)
    reading = read_cues(cues)
    return type(reading)((0.0, arousal, 0.0), (0.4, 0.15, 0.4), {}, "speaker reference", cues)


def test_an_unfamiliar_recording_is_read_by_its_cues_and_disagreement_is_said():
    furious = EmotionTarget((-0.6, 0.9, 0.5), tuple(float(c == "angry") for c in CATEGORIES), 0.95)
    calm_cues = _cue_reading(0.0)
    target, doubt = judge(furious, calm_cues, familiarity=0.0, ood_distance=4.0)
    assert target.category not in ("angry", "fearful") and not doubt.reliable
    assert doubt.confidence < RELIABLE_CONFIDENCE
    assert any("unlike the speech" in r for r in doubt.reasons) and any("arousal" in r for r in doubt.reasons)
    same, trusted = judge(furious, _cue_reading(furious.arousal), familiarity=1.0, ood_distance=1.0)
    assert same == furious and trusted.reliable and not trusted.reasons
    halfway = blend(furious, calm_cues, 0.5)
    assert calm_cues.vad[1] < halfway.arousal < furious.arousal
    assert target_from_vad((0.0, 0.0, 0.0)).category == "neutral"


def test_the_shipped_recognizer_carries_its_calibration():
    from conditioning.ser import shipped_recognizer

    calibration = shipped_recognizer().calibration
    assert 0.5 < calibration.temperature < 5.0 and calibration.detects_ood
    ece = calibration.fitted_on["expected_calibration_error"]["held_out_voice"]
    assert ece["ece_after"] < ece["ece_before"]


@pytest.mark.skipif(len(ALSA_SPEECH) < 4, reason="alsa-utils' channel-test recordings are not installed")
def test_plain_real_speech_is_not_read_as_angry_or_fearful_and_says_it_is_unsure():
    from common.audio_io import load_audio
    from conditioning.ser import shipped_recognizer

    recognizer = shipped_recognizer()
    clips = [load_audio(p) for p in ALSA_SPEECH]
    reference = recognizer.speaker_reference([x for x, _ in clips[:2]], clips[0][1])
    for x, rate in clips[2:]:
        for result in (recognizer.recognize(x, rate, frames=False),
                       recognizer.recognize(x, rate, frames=False, reference=reference)):
            assert result.target.category not in ("angry", "fearful")
            assert result.label not in ("angry", "fearful")
            assert result.confidence < 0.5 and not result.reliable and result.label == "uncertain"
            assert result.target.arousal < 0.5  # calm may read as calmer still, never as aroused


@pytest.mark.skipif(not ALSA_SPEECH, reason="alsa-utils' channel-test recordings are not installed")
def test_known_prosodic_changes_to_real_speech_move_the_reading_the_right_way():
    from common.audio_io import load_audio
    from conditioning.ser import shipped_recognizer
    from train.evaluate_ser_real import world_change

    recognizer = shipped_recognizer()
    x, rate = load_audio(ALSA_SPEECH[0])
    plain, up, down = (world_change(x, rate, st, tempo, db) for st, tempo, db in
                       ((0, 1, 0), (3, 1.15, 6), (-3, 1 / 1.15, -6)))
    reference = recognizer.speaker_reference([plain], rate)
    base, louder, softer = (recognizer.recognize(a, rate, frames=False, reference=reference) for a in (plain, up, down))
    assert louder.cue_reading.vad[1] > base.cue_reading.vad[1] + 0.2 > softer.cue_reading.vad[1] + 0.4
    assert louder.target.arousal > base.target.arousal > softer.target.arousal


@pytest.mark.skipif(not ALSA_SPEECH, reason="alsa-utils' channel-test recordings are not installed")
def test_recognize_prints_the_doubt_in_text_and_json(capsys):
    from synth.cli import main

    assert main(["recognize", str(ALSA_SPEECH[0]), "--json"]) in (0, None)
    reading = json.loads(capsys.readouterr().out)
    assert {"confidence", "reliable", "label", "cue_reading", "network", "ood_distance"} <= set(reading)
    assert reading["reliable"] is False and reading["label"] == "uncertain"
    assert main(["recognize", str(ALSA_SPEECH[0])]) in (0, None)
    assert "uncertain (confidence" in capsys.readouterr().out


def test_the_studio_caption_shows_a_doubted_reading_as_uncertain():
    from ui.results import caption

    happy = {"vad": {"valence": 0.8, "arousal": 0.5, "dominance": 0.3},
             "categories": {c: float(c == "happy") for c in CATEGORIES}, "intensity": 0.8}
    assert "#1: hello → heard as happy (0.82)" in caption(1, "hello", happy, "heard as", 0.82, True)
    assert "→ heard as uncertain (happy?) (0.12)" in caption(2, "hello", happy, "heard as", 0.12, False)
    assert "heard as" not in caption(3, "hello", None, "heard as")
