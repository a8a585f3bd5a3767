"""The EmotionEncoder (the one conditioning path) and the prosody prior."""

import numpy as np
import pytest
import torch

from conditioning import (FEATURE_DIM, EmotionEncoder, EmotionEncoderConfig, parse_emotion, prosody_prior,
                          target_features)


def test_features_are_fixed_size_and_distinguish_targets():
    a, b = target_features(parse_emotion("angry")), target_features(parse_emotion("a quiet sad whisper"))
    assert a.shape == b.shape == (FEATURE_DIM,)
    assert not np.allclose(a, b)


def test_encoder_static_and_timeline_shapes():
    torch.manual_seed(0)
    encoder = EmotionEncoder(EmotionEncoderConfig(embedding_dim=32))
    assert encoder.encode(parse_emotion("happy")).shape == (32,)
    timeline = parse_emotion("0s happy; 2s sad")
    frames = encoder.encode(timeline, frame_rate=25)
    assert frames.shape == (50, 32)
    assert not torch.allclose(frames[0], frames[-1])
    constant = encoder.encode(parse_emotion("happy"), frame_rate=25, duration=2.0)
    assert torch.allclose(constant[0], encoder.encode(parse_emotion("happy")))


def test_encoder_drop_mask_uses_the_null_embedding_and_gradients_flow():
    encoder = EmotionEncoder()
    features = torch.from_numpy(np.stack([target_features(parse_emotion(w)) for w in ("happy", "sad")]))
    out = encoder(features, drop_mask=torch.tensor([False, True]))
    assert torch.equal(out[1], encoder.null_embedding)
    out.sum().backward()
    assert encoder.null_embedding.grad is not None
    assert encoder.network[0].weight.grad.abs().sum() > 0


def test_prosody_prior_follows_the_literature_directions():
    neutral, angry, sad = (prosody_prior(parse_emotion(w)) for w in ("neutral", "angry", "sad"))
    assert neutral.f0_shift_semitones == pytest.approx(0) and neutral.tempo_factor == pytest.approx(1)
    assert angry.loudness_db > neutral.loudness_db > sad.loudness_db
    assert angry.f0_range_factor > 1 > sad.f0_range_factor
    assert sad.tempo_factor < 1 < prosody_prior(parse_emotion("fearful")).tempo_factor
    assert sad.breathiness > angry.breathiness
    assert angry.spectral_tilt_db > sad.spectral_tilt_db


# Juslin & Laukka (2003), Table 7: the cue directions of vocal expression for the emotions
# it covers (+1 high/fast/much, -1 low/slow/little), tenderness standing for calm. Fear is
# left out: its column (low intensity and F0 variability except in panic) describes a quiet
# fear the prior does not model; the prior's fear is the panic kind, loud-ish and wide.
JUSLIN_LAUKKA_TABLE_7 = {   # rate, intensity, high-frequency energy, F0 level, F0 variability
    "angry": (+1, +1, +1, +1, +1),
    "happy": (+1, +1, 0, +1, +1),
    "sad": (-1, -1, -1, -1, -1),
    "calm": (-1, -1, -1, -1, -1),
}


@pytest.mark.parametrize("emotion", sorted(JUSLIN_LAUKKA_TABLE_7))
def test_prosody_prior_agrees_with_juslin_and_laukka(emotion):
    prior = prosody_prior(parse_emotion(f"{emotion}:1.0"))
    cues = (np.log(prior.tempo_factor), prior.loudness_db, prior.spectral_tilt_db, prior.f0_shift_semitones,
            np.log(prior.f0_range_factor))
    for name, direction, value in zip(("rate", "intensity", "hf energy", "f0", "f0 range"),
                                      JUSLIN_LAUKKA_TABLE_7[emotion], cues):
        if direction:
            assert np.sign(value) == direction, (emotion, name, value)


def test_prosody_prior_is_continuous_in_intensity():
    levels = [prosody_prior(parse_emotion(f"angry:{i / 10}")).loudness_db for i in range(11)]
    assert levels == sorted(levels)
    assert max(np.diff(levels)) < 2.0


@pytest.mark.parametrize("emotion", ["happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm"])
def test_the_measured_cues_grow_with_intensity_past_the_clipped_arousal(emotion):
    """F0, loudness and tempo move further from neutral at 0.5 -> 0.75 -> 1 for every category.
    Calm's arousal is clipped at -1 from intensity ~0.72 on, so its F0 and tempo stood still
    between 0.75 and 1 until calm got offsets of its own."""
    priors = [prosody_prior(parse_emotion(f"{emotion}:{level}")) for level in (0.5, 0.75, 1.0)]
    for name, cue in (("f0", lambda p: p.f0_shift_semitones), ("loudness", lambda p: p.loudness_db),
                      ("tempo", lambda p: 100 * np.log(p.tempo_factor))):
        values = [cue(p) for p in priors]
        sign = np.sign(values[-1])
        steps = np.diff([sign * v for v in values])
        assert np.all(steps > 0.05), (emotion, name, values)


def test_voice_descriptors_apply_on_top():
    plain = prosody_prior(parse_emotion("calm"))
    whisper = prosody_prior(parse_emotion("a calm whisper"))
    assert whisper.breathiness > plain.breathiness and whisper.loudness_db < plain.loudness_db
