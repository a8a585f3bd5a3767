"""The TTS networks: shapes, masking, duration scaling, trainability, sampling controls."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
import torch

from conditioning.encoder import EmotionEncoderConfig
from conditioning.features import FEATURE_DIM
from synth.text.frontend import LONG_PAUSE, PHONE_SYMBOLS, SHORT_PAUSE
from conditioning.checkpoints import config_from_dict
from synth.tts.config import ACOUSTIC_DIMS, TTSConfig
from synth.tts.decoder_net import guided_prediction
from synth.tts.model import LOG_SEMITONE, EmotionalTTS
from synth.tts.variance import log_duration_target, pause_mask_of, scale_durations, utterance_statistics_loss

DECODERS = ("flow", "diffusion")
SHORT_PAUSE_ID, LONG_PAUSE_ID = PHONE_SYMBOLS.index(SHORT_PAUSE), PHONE_SYMBOLS.index(LONG_PAUSE)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The tiny models here run faster on one thread; on a loaded machine, several threads
    contending for the cores make each training step up to 50x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_config(decoder: str) -> TTSConfig:
    return TTSConfig(decoder=decoder, voice_dim=8, hidden=32, encoder_layers=1, heads=2, ffn_channels=64,
                     dropout=0.0, duration_layers=1, frame_predictor_dilations=(1, 2), decoder_channels=32,
                     decoder_dilations=(1, 2, 4), emotion=EmotionEncoderConfig(hidden_dim=32, embedding_dim=16),
                     log_f0_mean=5.0, log_f0_std=0.2)


def tiny_model(decoder: str, seed: int = 0, sensitive: bool = True) -> EmotionalTTS:
    """Sensitive: the layers initialised to zero (output, FiLM, null embedding) get random
    weights, so that, untrained, every input already reaches the output."""
    torch.manual_seed(seed)
    model = EmotionalTTS(tiny_config(decoder)).eval()
    if sensitive:
        with torch.no_grad():
            for parameter in model.parameters():
                if not parameter.any():
                    parameter.normal_(0.0, 0.1)
    return model


def random_batch(lengths: list[int], seed: int = 0) -> dict[str, torch.Tensor]:
    """A batch shaped like the corpus loader's: tokens padded with 0, frames padded."""
    generator = torch.Generator().manual_seed(seed)
    batch, tokens_max = len(lengths), max(lengths)
    token_mask = torch.arange(tokens_max)[None] < torch.tensor(lengths)[:, None]
    tokens = torch.randint(5, len(PHONE_SYMBOLS), (batch, tokens_max), generator=generator) * token_mask
    tokens[0, 2] = SHORT_PAUSE_ID
    durations = torch.randint(1, 5, (batch, tokens_max), generator=generator) * token_mask
    frames = durations.sum(1)
    frames_max = int(frames.max())
    frame_mask = torch.arange(frames_max)[None] < frames[:, None]
    return {
        "tokens": tokens, "stress": torch.randint(0, 3, (batch, tokens_max), generator=generator) * token_mask,
        "token_mask": token_mask, "token_emotion": torch.rand(batch, tokens_max, FEATURE_DIM, generator=generator),
        "voice": torch.randint(0, 7, (batch,), generator=generator), "durations": durations,
        "log_f0": (5.0 + 0.2 * torch.randn(batch, frames_max, generator=generator)) * frame_mask,
        "voiced": (torch.rand(batch, frames_max, generator=generator) > 0.3) & frame_mask,
        "energy": torch.randn(batch, frames_max, generator=generator) * frame_mask,
        "acoustic": torch.randn(batch, ACOUSTIC_DIMS, frames_max, generator=generator) * frame_mask[:, None],
        "frame_mask": frame_mask,
    }


def infer(model: EmotionalTTS, batch: dict, seed: int = 0, **options) -> dict[str, torch.Tensor]:
    options.setdefault("steps", 3)
    return model.infer(batch["tokens"], batch["stress"], batch["token_emotion"], batch["voice"],
                       generator=torch.Generator().manual_seed(seed), **options)


# --- config -------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [TTSConfig(), tiny_config("diffusion")])
def test_config_round_trips_through_a_checkpoint_dict(config):
    stored = json.loads(json.dumps(asdict(config)))  # checkpoints hold plain lists and dicts
    assert config_from_dict(TTSConfig, stored) == config


def test_config_rejects_nonsense():
    with pytest.raises(ValueError, match="decoder"):
        TTSConfig(decoder="gan")
    with pytest.raises(ValueError, match="acoustic_mean"):
        TTSConfig(acoustic_mean=(0.0,) * 3)


@pytest.mark.parametrize("decoder", DECODERS)
def test_default_models_fit_the_checkpoint_budget(decoder):
    config = TTSConfig(decoder=decoder)
    parameters = sum(p.numel() for p in EmotionalTTS(config).parameters())
    assert parameters <= 8_000_000  # <= 32 MB of float32 weights
    assert config.decoder_receptive_field_frames >= 50  # >= 0.5 s at 10 ms frames


# --- shapes and masks --------------------------------------------------------------------

@pytest.mark.parametrize("decoder", DECODERS)
def test_shapes_through_the_whole_model(decoder):
    model = tiny_model(decoder)
    batch = random_batch([6, 9])
    losses = model.training_losses(batch, torch.Generator().manual_seed(0))
    assert set(losses) == {"duration", "f0", "voicing", "energy", "decoder", "total"}
    assert all(torch.isfinite(value) and value.dim() == 0 for value in losses.values())

    out = infer(model, batch, durations=batch["durations"])
    frames = batch["frame_mask"].shape[1]
    assert out["acoustic"].shape == (2, ACOUSTIC_DIMS, frames)
    for key in ("log_f0", "voiced", "energy", "frame_mask"):
        assert out[key].shape == (2, frames)
    assert torch.equal(out["frame_mask"], batch["frame_mask"])
    padded = ~out["frame_mask"]
    assert (out["acoustic"].abs().sum(1)[padded] == 0).all() and (out["log_f0"][padded] == 0).all()
    assert torch.isfinite(out["acoustic"]).all()

    static = dict(batch, token_emotion=batch["token_emotion"][:, 0])  # one emotion for the whole utterance
    repeated = dict(batch, token_emotion=batch["token_emotion"][:, :1].expand(-1, 9, -1))
    assert torch.equal(infer(model, static)["acoustic"], infer(model, repeated)["acoustic"])


def test_padding_never_changes_an_unpadded_item():
    model = tiny_model("flow")
    batch = random_batch([5, 9], seed=3)
    alone = {key: value[:1] for key, value in batch.items()}
    frames_alone = int(alone["durations"].sum())
    alone["frame_mask"] = alone["frame_mask"][:, :frames_alone]

    def condition_path(items: dict) -> dict[str, torch.Tensor]:
        emotion = model.emotion(items["token_emotion"])
        voice = model.voices(items["voice"])
        encoded, log_durations = model._encode(items["tokens"], items["stress"], items["token_mask"], emotion, voice)
        alignment = model.length_regulator.align(items["durations"])
        prosody = model._frame_prosody(encoded, emotion, voice, alignment)
        condition = model._condition(encoded, emotion, voice, alignment, prosody.log_f0,
                                     prosody.voiced_logit > 0, prosody.energy)
        noisy = torch.randn(len(condition), ACOUSTIC_DIMS, condition.shape[-1],
                            generator=torch.Generator().manual_seed(1))
        noisy[:, :, :frames_alone] = torch.randn(ACOUSTIC_DIMS, frames_alone,
                                                 generator=torch.Generator().manual_seed(2))
        denoised = model.decoder.net(noisy, torch.full((len(condition),), 0.5), condition, alignment.frame_mask)
        return {"encoded": encoded, "log_durations": log_durations, "log_f0": prosody.log_f0,
                "energy": prosody.energy, "condition": condition.transpose(1, 2), "denoised": denoised.transpose(1, 2)}

    with torch.no_grad():
        single, batched = condition_path(alone), condition_path(batch)
    for name in single:
        length = single[name].shape[1]
        torch.testing.assert_close(batched[name][:1, :length], single[name], atol=1e-5, rtol=1e-4, msg=name)


# --- duration control --------------------------------------------------------------------

@pytest.mark.parametrize("factor", [0.6, 0.8, 1.0, 1.3, 1.6])
def test_scale_durations_hits_exact_targets_and_stretches_pauses_more(factor):
    tokens = torch.tensor([1, 10, 11, 12, SHORT_PAUSE_ID, 13, 14, LONG_PAUSE_ID, 15, 16, 2, 0, 0])
    durations = torch.tensor([3, 6, 8, 5, 15, 7, 9, 30, 6, 10, 4, 0, 0])
    token_mask = tokens != 0
    target = round(float(durations.sum()) * factor)
    scaled = scale_durations(durations, target, pause_mask_of(tokens), token_mask)

    assert int(scaled.sum()) == target
    assert (scaled[token_mask] >= 1).all() and (scaled[~token_mask] == 0).all()
    pauses = pause_mask_of(tokens)
    phones = token_mask & ~pauses
    pause_ratio = scaled[pauses].sum() / durations[pauses].sum()
    phone_ratio = scaled[phones].sum() / durations[phones].sum()
    if factor > 1:
        assert pause_ratio > phone_ratio > 1
    elif factor < 1:
        assert pause_ratio < phone_ratio < 1
    else:
        assert torch.equal(scaled, durations)


def test_scale_durations_per_item_targets_and_limits():
    durations = torch.tensor([[2, 0, 3, 5], [4, 4, 0, 0]])
    token_mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    scaled = scale_durations(durations, [5, 20], token_mask=token_mask)
    assert scaled.sum(1).tolist() == [5, 20]
    assert (scaled[token_mask] >= 1).all()  # the zero-length token gets its one frame
    assert scaled[1].tolist() == [10, 10, 0, 0]
    with pytest.raises(ValueError, match="at least one"):
        scale_durations(durations[0], 3)


def test_infer_timing_controls():
    model = tiny_model("flow")
    batch = random_batch([6, 8], seed=1)
    given = infer(model, batch, durations=batch["durations"])
    assert torch.equal(given["durations"], batch["durations"])

    timed = infer(model, batch, target_frames=[40, 55])
    assert timed["durations"].sum(1).tolist() == [40, 55]
    assert timed["frame_mask"].sum(1).tolist() == [40, 55]

    fast = infer(model, batch, durations=batch["durations"], rate=2.0)
    halved = (batch["durations"] / 2).clamp(min=1) * batch["token_mask"]
    assert (fast["durations"].sum(1) - halved.sum(1)).abs().max() <= 0.5
    assert (fast["durations"][batch["token_mask"]] >= 1).all()


def test_pitch_shift_moves_log_f0_by_semitones_and_reaches_the_decoder():
    model = tiny_model("flow")
    batch = random_batch([6], seed=2)
    plain = infer(model, batch)
    shifted = infer(model, batch, pitch_shift=12.0)
    mask = plain["frame_mask"]
    torch.testing.assert_close(shifted["log_f0"][mask] - plain["log_f0"][mask],
                               torch.full((int(mask.sum()),), 12 * LOG_SEMITONE))
    assert torch.equal(shifted["durations"], plain["durations"])
    assert not torch.allclose(shifted["acoustic"], plain["acoustic"])


# --- training -----------------------------------------------------------------------------

@pytest.mark.parametrize("decoder", DECODERS)
def test_a_few_steps_overfit_one_batch(decoder):
    model = tiny_model(decoder, sensitive=False).train()
    batch = random_batch([5, 7], seed=4)

    def evaluated_losses() -> dict[str, float]:
        with torch.no_grad():  # same noise and times every time, so the numbers compare
            losses = model.training_losses(batch, torch.Generator().manual_seed(0), condition_dropout=0.0)
        return {name: float(value) for name, value in losses.items()}

    before = evaluated_losses()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(1)
    for _ in range(60):
        optimizer.zero_grad()
        model.training_losses(batch, generator)["total"].backward()
        optimizer.step()
    after = evaluated_losses()
    assert after["total"] < 0.6 * before["total"]
    assert after["decoder"] < 0.95 * before["decoder"]


# --- sampling -----------------------------------------------------------------------------

@pytest.mark.parametrize("decoder", DECODERS)
def test_same_seed_same_speech_other_seed_other_speech(decoder):
    model = tiny_model(decoder)
    batch = random_batch([6, 8], seed=5)
    first, again, other = infer(model, batch, seed=7), infer(model, batch, seed=7), infer(model, batch, seed=8)
    for key in first:
        assert torch.equal(first[key], again[key]), key
    assert not torch.allclose(first["acoustic"], other["acoustic"])


@pytest.mark.parametrize("decoder", DECODERS)
def test_guidance_one_is_plain_conditional_sampling(decoder):
    model = tiny_model(decoder)
    batch = random_batch([6, 8], seed=6)
    plain = infer(model, batch)
    guided_once = infer(model, batch, guidance=1.0)
    stronger = infer(model, batch, guidance=3.0, durations=plain["durations"])
    assert torch.equal(plain["acoustic"], guided_once["acoustic"])
    assert not torch.allclose(plain["acoustic"], stronger["acoustic"])

    net = model.decoder.net
    generator = torch.Generator().manual_seed(0)
    sample, condition, null = (torch.randn(2, *shape, generator=generator)
                               for shape in ((ACOUSTIC_DIMS, 12), (32, 12), (32, 12)))
    mask, time = torch.ones(2, 12, dtype=torch.bool), torch.tensor([0.3, 0.7])
    with torch.no_grad():
        assert torch.equal(guided_prediction(net, sample, time, condition, null, mask, 1.0),
                           net(sample, time, condition, mask))
        unconditional = net(sample, time, null, mask)
        expected = unconditional + 2.5 * (net(sample, time, condition, mask) - unconditional)
        torch.testing.assert_close(guided_prediction(net, sample, time, condition, null, mask, 2.5), expected)


def test_diffusion_runs_with_dpm_solver_and_ddpm():
    model = tiny_model("diffusion")
    batch = random_batch([6], seed=8)
    durations = batch["durations"]
    dpm = infer(model, batch, durations=durations, scheduler="dpm", steps=5)
    ddpm = infer(model, batch, durations=durations, scheduler="ddpm", steps=5)
    assert dpm["acoustic"].shape == ddpm["acoustic"].shape
    assert torch.isfinite(dpm["acoustic"]).all() and torch.isfinite(ddpm["acoustic"]).all()
    assert not torch.allclose(dpm["acoustic"], ddpm["acoustic"])
    ddpm_again = infer(model, batch, durations=durations, scheduler="ddpm", steps=5)
    assert torch.equal(ddpm["acoustic"], ddpm_again["acoustic"])
    with pytest.raises(ValueError, match="scheduler"):
        infer(model, batch, scheduler="euler")
    with pytest.raises(ValueError, match="steps"):
        infer(model, batch, steps=0)
    with pytest.raises(ValueError, match="diffusion decoder only"):
        infer(tiny_model("flow"), batch, scheduler="dpm")


class OracleNet(torch.nn.Module):
    """Knows the clean frames, so it predicts exactly what each objective asks for: any
    mismatch between how a decoder trains and how it samples shows up as a wrong result."""

    def __init__(self, clean: torch.Tensor, objective: str, alphas_cumprod: torch.Tensor | None = None):
        super().__init__()
        self.clean, self.objective, self.alphas_cumprod = clean, objective, alphas_cumprod

    def forward(self, noisy, time, condition, mask):
        if self.objective == "flow":  # x = s * noise + (1 - s) * clean  ->  noise - clean
            return (noisy - self.clean) / time[:, None, None]
        alpha = self.alphas_cumprod[(time * 1000).round().long()][:, None, None]
        return (noisy - alpha.sqrt() * self.clean) / (1 - alpha).sqrt()


@pytest.mark.parametrize("decoder, scheduler", [("flow", None), ("diffusion", "dpm"), ("diffusion", "ddpm")])
def test_sampling_follows_the_training_convention(decoder, scheduler):
    model = tiny_model(decoder)
    clean = torch.randn(2, ACOUSTIC_DIMS, 15, generator=torch.Generator().manual_seed(0))
    mask = torch.ones(2, 15, dtype=torch.bool)
    alphas = model.decoder.training_scheduler.alphas_cumprod if decoder == "diffusion" else None
    model.decoder.net = OracleNet(clean, decoder, alphas)
    options = {"scheduler": scheduler} if scheduler else {}
    sample = model.decoder.sample(torch.zeros(2, 32, 15), mask, steps=4, generator=torch.Generator(), **options)
    torch.testing.assert_close(sample, clean, atol=1e-3, rtol=1e-3)


def test_utterance_statistics_loss_is_zero_when_exact_and_pushes_a_flat_contour_wider():
    generator = torch.Generator().manual_seed(0)
    durations = torch.randint(1, 10, (2, 6), generator=generator)
    token_mask = torch.ones(2, 6, dtype=torch.bool)
    log_f0 = torch.randn(2, 40, generator=generator)
    voiced, frame_mask = torch.rand(2, 40, generator=generator) > 0.3, torch.ones(2, 40, dtype=torch.bool)
    exact = utterance_statistics_loss(log_duration_target(durations), durations, token_mask, log_f0, log_f0,
                                      voiced, frame_mask)
    assert float(exact) < 1e-6
    flat = (0.5 * log_f0).requires_grad_()
    short = (log_duration_target(durations) - 0.2).requires_grad_()
    utterance_statistics_loss(short, durations, token_mask, flat, log_f0, voiced, frame_mask).backward()
    assert float(short.grad.sum()) < 0   # lengthen
    widened = (flat + 0.1 * -flat.grad).detach()
    assert float(widened[voiced].std()) > float(flat.detach()[voiced].std())
