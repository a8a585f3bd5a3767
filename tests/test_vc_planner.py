"""The learned conversion planner: its measures, its pairs, a tiny training run, and the
converter driven by it."""

import math

import numpy as np
import pytest
import torch

from conditioning import parse_emotion
from conditioning.target import NEUTRAL
from synth.vc import VoiceConverter
from synth.vc.learned_planner import (LearnedPlanner, change_as_targets, load_plan_model, planner_for,
                                     within_prior_f0)
from synth.vc.measures import change_between, measure_utterance
from synth.vc.plan_model import CHANGE_DIMS, ConversionPlanModel, PlanModelConfig
from synth.vc.planner import NO_CHANGE, PriorPlanner, is_no_change

RATE = 16000


def _voice(f0: float, seconds: float = 2.0, gap: tuple[float, float] | None = (0.8, 1.2), gain: float = 0.3):
    """A harmonic 'voice' at f0 with an inner pause, in 0.3 s of silence either side."""
    t = np.arange(int(seconds * RATE)) / RATE
    vibrato = f0 * (1 + 0.03 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(vibrato) / RATE
    x = gain * sum(np.sin(k * phase) / k for k in range(1, 8))
    if gap:
        x[int(gap[0] * RATE):int(gap[1] * RATE)] = 0.0
    silence = np.zeros(int(0.3 * RATE))
    noise = 1e-4 * np.random.default_rng(0).normal(size=x.size + 2 * silence.size)
    return np.concatenate([silence, x, silence]) + noise


def test_measures_read_f0_level_pauses_and_level():
    low, high = measure_utterance(_voice(120.0), RATE), measure_utterance(_voice(240.0, gain=0.6), RATE)
    assert high.f0_median_semitones - low.f0_median_semitones == pytest.approx(12.0, abs=0.5)
    assert low.pause_s == pytest.approx(0.4, abs=0.05)        # the inner gap, not the edges
    assert high.level_db - low.level_db == pytest.approx(6.0, abs=1.0)
    change = change_between(low, high)
    assert change["f0_shift_semitones"] == pytest.approx(12.0, abs=0.5)
    assert change["pause_factor"] == pytest.approx(1.0, abs=0.1)
    unchanged = change_between(low, low)
    assert unchanged["f0_shift_semitones"] == 0.0 and unchanged["tempo_factor"] == 1.0


def test_both_decoders_sample_the_change_shape_deterministically():
    model = ConversionPlanModel(PlanModelConfig(channels=32))
    features = torch.zeros(3, model.config.emotion.feature_dim)
    voice = torch.zeros(3, 4)
    for decoder in ("flow", "diffusion"):
        first = model.sample(voice, features, features, decoder, generator=torch.Generator().manual_seed(1))
        again = model.sample(voice, features, features, decoder, generator=torch.Generator().manual_seed(1))
        assert first.shape == (3, CHANGE_DIMS) and torch.equal(first, again)
    with pytest.raises(ValueError, match="decoder must be one of"):
        model.sample(voice, features, features, "gan")


def test_a_change_vector_reads_as_prosody_targets():
    targets = change_as_targets(np.array([2.0, 3.0, 1.0, 0.1, 0.0, 0.0, math.log(1.5), math.log(1.1), 0.0]))
    assert targets.f0_shift_semitones == 2.0 and targets.loudness_db == 3.0
    assert targets.f0_range_factor == pytest.approx(1.5) and targets.pause_factor == pytest.approx(1.0)


def test_planner_choice_names_the_options():
    assert isinstance(planner_for("prior"), PriorPlanner)
    assert planner_for("diffusion", steps=4).name == "learned-diffusion"
    with pytest.raises(ValueError, match="prior, flow, diffusion"):
        planner_for("world")
    with pytest.raises(ValueError, match="steps apply to the learned planner"):
        planner_for("prior", steps=3)
    with pytest.raises(ValueError, match="steps must be an integer"):
        LearnedPlanner("flow", steps=0)
    with pytest.raises(RuntimeError, match="for_recording"):
        LearnedPlanner().plan(NEUTRAL, parse_emotion("angry"), 1.0)


@pytest.fixture(scope="module")
def tiny_planner(tiny_corpus, tmp_path_factory):
    from train.train_vc import main

    output = tmp_path_factory.mktemp("vc") / "vc_planner.pt"
    assert main(["--corpus", str(tiny_corpus), "--epochs", "12", "--batch-size", "16", "--channels", "32",
                 "--jobs", "2", "--output", str(output), "--no-manifest", "--seed", "0"]) == 0
    return output


def test_training_lowers_the_loss_and_reports_against_the_prior(tiny_planner):
    payload = torch.load(tiny_planner, map_location="cpu", weights_only=True)
    losses = payload["extra"]["metrics"]["train_losses"]
    assert len(losses) == 12 and losses[-1] < losses[0]
    report = payload["extra"]["metrics"]["validation_sentences"]
    assert report["pairs"] > 0 and set(report) >= {"prior", "flow", "diffusion"}
    assert "f0_shift_semitones" in report["flow"]


def test_the_emotion_encoder_is_the_tts_one_and_frozen(tiny_planner):
    from conditioning.checkpoints import load_shipped
    from synth.tts.config import TTSConfig

    _, tts, _ = load_shipped("tts_flow", TTSConfig)
    model = load_plan_model(tiny_planner)
    assert torch.equal(model.state_dict()["condition.emotion.network.0.weight"], tts["emotion.network.0.weight"])


def test_the_converter_runs_with_the_learned_planner(tiny_planner):
    from synth.render.engines import render

    rendering = render("The mechanic usually keeps the garage door open in the morning.", "kal16")
    audio, rate = rendering.audio.astype(np.float64), rendering.sample_rate
    planner = LearnedPlanner("flow", steps=4, checkpoint=tiny_planner)
    bound = planner.for_recording(audio, rate, seed=3)
    angry = parse_emotion("angry")
    plan = bound.plan(NEUTRAL, angry, 1.0)
    assert plan == bound.plan(NEUTRAL, angry, 1.0) == planner.for_recording(audio, rate, 3).plan(NEUTRAL, angry, 1.0)
    assert bound.plan(NEUTRAL, angry, 0.0) == NO_CHANGE and is_no_change(bound.plan(angry, angry, 1.0))
    result = VoiceConverter(planner=planner).convert(audio, rate, angry, source_emotion="neutral", recognize=False)
    assert result.settings["planner"] == "learned-flow" and not result.applied["bypassed"]
    assert result.audio.shape[0] > 0.5 * audio.size and np.isfinite(result.audio).all()
    same = VoiceConverter(planner=planner).convert(audio, rate, angry, intensity=0.0, recognize=False)
    assert np.array_equal(same.audio, audio.astype(np.float32))


def test_the_learned_plan_moves_f0_no_further_than_the_prior():
    """The shipped planner's F0 shift and range go no further than the prior's own change for
    the pair (the speaker is kept); the other cues are the model's."""
    from conditioning import CATEGORIES
    from conditioning.prosody import prosody_prior
    from synth.vc.planner import relative_targets

    audio = _voice(150.0)
    bounded = LearnedPlanner("diffusion").for_recording(audio, RATE, seed=0)
    free = LearnedPlanner("diffusion", within_prior_f0=False).for_recording(audio, RATE, seed=0)
    sad = parse_emotion("sad")
    for source in (NEUTRAL, sad):
        for target in (parse_emotion(c) for c in CATEGORIES if c != source.category):
            prior = relative_targets(prosody_prior(target), prosody_prior(source))
            plan, free_plan = bounded.plan(source, target, 1.0), free.plan(source, target, 1.0)
            for asked, planned in ((prior.f0_shift_semitones, plan.f0_shift_semitones),
                                   (math.log(prior.f0_range_factor), math.log(plan.f0_range_factor))):
                assert min(0.0, asked) - 1e-6 <= planned <= max(0.0, asked) + 1e-6
            assert plan.loudness_db == free_plan.loudness_db and plan.tempo_factor == free_plan.tempo_factor
    happy = parse_emotion("happy")
    assert free.plan(NEUTRAL, happy, 1.0).f0_shift_semitones > bounded.plan(NEUTRAL, happy, 1.0).f0_shift_semitones
    prior_happy = relative_targets(prosody_prior(happy), prosody_prior(NEUTRAL)).f0_shift_semitones
    change = np.zeros(CHANGE_DIMS)
    change[0] = 9.0                     # a change vector starts with the F0 shift
    assert prior_happy > 2.0 and within_prior_f0(change, NEUTRAL, happy)[0] == pytest.approx(prior_happy)


def test_the_command_line_checks_the_decoder_and_steps(tmp_path):
    import soundfile as sf

    from synth.cli.convert import convert_settings

    wav = tmp_path / "line.wav"
    sf.write(wav, _voice(150.0), RATE)
    assert convert_settings({"input": str(wav), "decoder": "diffusion", "steps": 6})["decoder"] == "diffusion"
    with pytest.raises(ValueError, match="prior, flow, diffusion"):
        convert_settings({"input": str(wav), "decoder": "gan"})
    with pytest.raises(ValueError, match="steps"):
        convert_settings({"input": str(wav), "decoder": "flow", "steps": 0})
