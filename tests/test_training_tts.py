"""A tiny TTS training run on the tiny corpus: both decoders lower their loss, a seed
repeats, and the script writes a checkpoint with the corpus's normalisation statistics."""

from __future__ import annotations

import pytest
import torch

from conditioning.checkpoints import config_from_dict, load_checkpoint
from train.train_tts import main, parse_arguments, train
from train.tts.features import build_features

pytestmark = pytest.mark.slow


def _run(corpus, decoder, *extra):
    return train(parse_arguments(["--corpus", str(corpus), "--decoder", decoder, "--epochs", "6", "--batch-size", "8",
                                  "--hidden", "32", "--decoder-channels", "32", "--learning-rate", "3e-3", *extra]))


@pytest.fixture(scope="module")
def corpus_with_features(tiny_corpus):
    build_features(tiny_corpus, jobs=2, progress=False)
    return tiny_corpus


@pytest.mark.parametrize("decoder", ["flow", "diffusion"])
def test_loss_falls_and_a_seed_repeats(corpus_with_features, decoder):
    torch.set_num_threads(1)
    first = _run(corpus_with_features, decoder)
    losses = [epoch["total"] for epoch in first["module"].train_losses]
    assert len(losses) == 6 and min(losses[3:]) < 0.8 * losses[0], losses
    second = _run(corpus_with_features, decoder)
    for (name, a), b in zip(first["module"].model.state_dict().items(),
                            second["module"].model.state_dict().values()):
        torch.testing.assert_close(a, b, msg=f"{name} differs between two runs with one seed")


def test_script_writes_a_checkpoint_with_statistics(corpus_with_features, tmp_path):
    from synth.tts.config import TTSConfig

    output = tmp_path / "tts.pt"
    main(["--corpus", str(corpus_with_features), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(output), "--no-manifest"])
    config, state, extra = load_checkpoint(output, TTSConfig, "train_tts")
    assert config.log_f0_std != 1.0 and config.acoustic_std != (1.0,) * config.acoustic_dims
    assert extra["metrics"]["train_losses"]


def test_diffusion_warm_starts_from_a_flow_checkpoint(corpus_with_features, tmp_path):
    from synth.tts.config import TTSConfig

    flow = tmp_path / "tts_flow.pt"
    main(["--corpus", str(corpus_with_features), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(flow), "--no-manifest"])
    flow_values, flow_state, _ = load_checkpoint(flow, dict, "train_tts")
    started = _run(corpus_with_features, "diffusion", "--init-from", str(flow), "--epochs", "1",
                   "--hidden", "64", "--limit-train", "1")   # one step: weights barely move
    config = started["config"]
    assert config.decoder == "diffusion" and config.hidden == 32   # sizes and statistics come from the flow model
    assert config.acoustic_mean == config_from_dict(TTSConfig, flow_values).acoustic_mean
    text_side = "text_encoder.blocks.0.feed_forward"
    for name, value in started["module"].model.state_dict().items():
        if name.startswith(text_side) and value.dtype.is_floating_point:
            assert torch.allclose(value, flow_state[name], atol=0.05), name


def test_a_finer_envelope_trains_and_speaks(corpus_with_features, tmp_path):
    from conditioning import parse_emotion
    from synth.tts.acoustic import AcousticConfig
    from synth.tts.synthesizer import Synthesizer
    with pytest.raises(FileNotFoundError, match="--envelope-dims 24"):
        _run(corpus_with_features, "flow", "--envelope-dims", "24")
    build_features(corpus_with_features, AcousticConfig(envelope_dims=24), jobs=2, progress=False)
    output = tmp_path / "tts24.pt"
    main(["--corpus", str(corpus_with_features), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--envelope-dims", "24", "--output", str(output), "--no-manifest"])
    synthesizer = Synthesizer.from_checkpoint("flow", output)
    assert synthesizer.acoustic.envelope_dims == 24 and synthesizer.model.config.acoustic_dims == 24 + 2
    speech = synthesizer.speak("A short test.", parse_emotion("sad"), "awb", steps=2)
    assert speech.audio.size > 0 and abs(speech.duration_s - speech.phones[-1][2]) < 0.011
    with pytest.raises(SystemExit, match="acoustic dimensions"):
        _run(corpus_with_features, "diffusion", "--envelope-dims", str(AcousticConfig().envelope_dims),
             "--init-from", str(output))


def test_variance_only_trains_the_predictors_alone(corpus_with_features, tmp_path):
    flow = tmp_path / "tts_flow.pt"
    main(["--corpus", str(corpus_with_features), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(flow), "--no-manifest"])
    _, before, _ = load_checkpoint(flow, dict, "train_tts")
    tuned = _run(corpus_with_features, "flow", "--init-from", str(flow), "--variance-only", "--epochs", "4")
    epochs = tuned["module"].train_losses
    assert "decoder" not in epochs[0] and epochs[-1]["total"] < epochs[0]["total"], epochs
    predictors = ("duration_predictor.", "frame_predictor.")
    for name, value in tuned["module"].model.state_dict().items():
        if name.startswith(predictors) and value.dtype.is_floating_point and value.dim() > 1:
            assert not torch.equal(value, before[name]), f"{name} did not train"
        elif not name.startswith(predictors):
            assert torch.equal(value, before[name]), f"{name} changed, but only the predictors train"
    with pytest.raises(SystemExit, match="keeps the decoder"):
        _run(corpus_with_features, "diffusion", "--init-from", str(flow), "--variance-only")
    with pytest.raises(SystemExit):
        parse_arguments(["--corpus", str(corpus_with_features), "--variance-only"])


def test_prosody_comparison_reports_each_category_and_level(corpus_with_features, tmp_path):
    import json

    from train.evaluate_tts_prosody import main as compare_prosody
    model = tmp_path / "tts_flow.pt"
    main(["--corpus", str(corpus_with_features), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(model), "--no-manifest"])
    report_path = tmp_path / "prosody.json"
    compare_prosody(["--corpus", str(corpus_with_features), "--checkpoint", str(model), "--split", "train",
                     "--output", str(report_path)])
    report = json.loads(report_path.read_text())
    rows = report["by_category_and_intensity"]
    assert rows and sum(row["items"] for row in rows) == report["items"]
    assert len({(row["category"], row["intensity"]) for row in rows}) == len(rows)
    for row in rows:
        assert row["length_ratio"] > 0 and row["corpus_f0_range"] > 0, row
    with pytest.raises(SystemExit, match="no category items"):
        compare_prosody(["--corpus", str(corpus_with_features), "--checkpoint", str(model), "--split", "nowhere",
                         "--output", str(report_path)])
