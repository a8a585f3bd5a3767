"""A tiny speech emotion recognizer training run: the loss falls and a seed repeats exactly."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import soundfile as sf
import torch

from conditioning.checkpoints import load_checkpoint
from common.log_mel import LogMelConfig
from conditioning.ser import SERConfig, SpeechEmotionNet, SpeechEmotionRecognizer
from train.evaluate_ser import main as evaluate_ser_main
from train.evaluate_ser_robustness import conditions, main as robustness_main
from train.ser.data import (CropConfig, EncodedItems, EpochSampler, ReferencePicker, SERDataset, collate,
                             load_corpus_audio)
from train.ser.module import SERTraining, intensity_ranking_loss, warm_start
from train.train_ser import encode_items, main, parse_arguments, reproducing_command, train

pytestmark = pytest.mark.slow


def _run(corpus, *extra):
    return train(parse_arguments(["--corpus", str(corpus), "--epochs", "10", "--batch-size", "6", "--hidden", "48",
                                  "--learning-rate", "3e-3", "--workers", "0", *extra]))


def test_loss_falls_and_a_seed_repeats(tiny_corpus):
    torch.set_num_threads(2)
    first = _run(tiny_corpus, "--no-augment")
    losses = first["module"].train_losses
    assert len(losses) == 10 and min(losses[5:]) < 0.8 * losses[0], losses  # random crops: epochs are noisy
    second = _run(tiny_corpus, "--no-augment")
    for (name, a), b in zip(first["module"].net.state_dict().items(), second["module"].net.state_dict().values()):
        torch.testing.assert_close(a, b, msg=f"{name} differs between two runs with one seed")
    assert set(first["evaluations"]["held_out_voice_test"]) >= {"uar", "ccc_arousal", "ccc_valence", "ccc_dominance",
                                                                 "confusion"}
    assert first["evaluations"]["held_out_voice_test"]["voices"] == ["kal16"]


def test_augmented_batches_repeat_for_a_seed_and_differ_by_epoch(tiny_corpus):
    corpus = load_corpus_audio(tiny_corpus)
    dataset = SERDataset(corpus, CropConfig())
    sampler = EpochSampler(corpus.indices("train"), seed=3)
    first = collate([dataset[key] for key in sampler])
    again = collate([dataset[key] for key in sampler])
    sampler.set_epoch(1)
    other = collate([dataset[key] for key in sampler])
    torch.testing.assert_close(first["audio"], again["audio"])
    assert first["audio"].shape != other["audio"].shape or not torch.equal(first["audio"], other["audio"])
    assert torch.isfinite(first["audio"]).all() and first["audio"].abs().max() <= 1.0
    np.testing.assert_allclose(first["categories"].sum(dim=1).numpy(), 1.0, atol=1e-5)


def test_audio_cache_follows_a_rebuilt_item(tiny_corpus, tmp_path):
    """The 16 kHz cache is keyed on the manifest, so an item re-rendered under the same id is reread."""
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus_dir)
    before = load_corpus_audio(corpus_dir, jobs=1)
    record = before.records[0]
    audio, rate = sf.read(record["audio"], dtype="float32")
    sf.write(record["audio"], 0.5 * audio, rate, subtype="PCM_16")
    manifest = corpus_dir / "manifest.jsonl"
    lines = manifest.read_text().splitlines()
    first = json.loads(lines[0])
    first["rendering"]["rebuilt"] = True
    manifest.write_text("\n".join([json.dumps(first, sort_keys=True), *lines[1:]]) + "\n")
    after = load_corpus_audio(corpus_dir, jobs=1)
    np.testing.assert_allclose(after.audio(0), 0.5 * before.audio(0), atol=2e-4)
    np.testing.assert_array_equal(after.audio(1), before.audio(1))


def test_script_writes_a_loadable_checkpoint_and_image(tiny_corpus, tmp_path):
    output, image = tmp_path / "ser.pt", tmp_path / "confusion.png"
    main(["--corpus", str(tiny_corpus), "--epochs", "1", "--batch-size", "8", "--hidden", "32", "--workers", "0",
          "--output", str(output), "--confusion-image", str(image), "--no-manifest", "--utterance-normalisation",
          "--pitch-shift-probability", "1.0", "--roughness-probability", "1.0", "--roughness-strength", "0.5"])
    recognizer = SpeechEmotionRecognizer.from_checkpoint(output)
    assert recognizer.net.config.hidden == 32 and recognizer.net.config.utterance_normalisation
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    audio = np.sin(np.arange(16000) * 0.05).astype(np.float32) * 0.3
    assert len(recognizer.recognize(audio, 16000).frames) >= 1
    # Measured again on the same corpus, it reads exactly as it did at the end of training.
    evaluate_ser_main(["--corpus", str(tiny_corpus), "--checkpoint", str(output), "--output", str(tmp_path / "e.json")])
    again = json.loads((tmp_path / "e.json").read_text())
    _, _, extra = load_checkpoint(output, SERConfig, "test")
    assert set(again) == {"held_out_voice_test", "validation"}
    for name, evaluation in again.items():
        assert evaluation["uar"] == extra["metrics"][name]["uar"]
        assert evaluation["ccc_arousal"] == pytest.approx(extra["metrics"][name]["ccc_arousal"])


def test_references_are_neutral_speech_of_the_same_voice_on_another_sentence(tiny_corpus):
    corpus = load_corpus_audio(tiny_corpus)
    items = corpus.indices("train")
    drawn = ReferencePicker(corpus, items, dropout=0.5)
    fixed = ReferencePicker(corpus, items, fixed=True)
    rng = np.random.default_rng(0)
    several = ReferencePicker(corpus, items, clips=3)
    picks = [(i, drawn.pick(i, rng)) for i in items for _ in range(4)]
    assert 0.3 < np.mean([not r for _, r in picks]) < 0.7
    assert all(len(r) <= 1 for _, r in picks)
    drawn_several = [(i, several.pick(i, rng)) for i in items for _ in range(4)]
    available = {i: len(ReferencePicker(corpus, items, fixed=True, clips=len(items)).pick(i)) for i in items}
    assert all(min(1, available[i]) <= len(r) <= min(3, available[i]) for i, r in drawn_several)
    assert all(len(set(r)) == len(r) for _, r in drawn_several)
    pairs = [(i, r) for i, chosen in picks + drawn_several + [(i, fixed.pick(i)) for i in items] for r in chosen]
    for item, reference in pairs:
        mine, theirs = corpus.records[item], corpus.records[reference]
        assert theirs["source"]["category"] == "neutral" and theirs["voice"] == mine["voice"]
        assert reference != item and theirs["split"] == "train"
        others = [j for j in items if corpus.records[j]["voice"] == mine["voice"] and j != item
                  and corpus.records[j]["source"].get("category") == "neutral"
                  and corpus.records[j]["sentence_id"] != mine["sentence_id"]]
        assert theirs["sentence_id"] != mine["sentence_id"] or not others
    assert [fixed.pick(i) for i in items] == [fixed.pick(i) for i in items]
    batch = collate([SERDataset(corpus, CropConfig(), references=several)[(i, 7)] for i in items[:8]])
    clip_counts = torch.bincount(batch["reference_owner"], minlength=8)
    assert batch["reference_audio"].shape[0] == int(clip_counts.sum()) > 0
    assert torch.equal(batch["has_reference"], clip_counts > 0)


def test_speaker_reference_training_lowers_the_loss_and_ships_a_recognizer_that_takes_one(tiny_corpus, tmp_path):
    torch.set_num_threads(2)
    output, image = tmp_path / "ser.pt", tmp_path / "confusion.png"
    main(["--corpus", str(tiny_corpus), "--epochs", "12", "--batch-size", "6", "--hidden", "48",
          "--learning-rate", "3e-3", "--workers", "0", "--speaker-reference", "--reference-clips", "2",
          "--output", str(output), "--confusion-image", str(image), "--no-manifest"])
    metrics = load_checkpoint(output, SERConfig, "train_ser")[2]["metrics"]
    losses = metrics["train_losses"]
    assert min(losses[6:]) < 0.8 * losses[0], losses
    assert {"held_out_voice_test", "held_out_voice_test_with_reference",
            "held_out_voice_test_with_3_references"} <= set(metrics)
    assert (tmp_path / "confusion_with_reference.png").read_bytes()[:4] == b"\x89PNG"
    recognizer = SpeechEmotionRecognizer.from_checkpoint(output)
    assert recognizer.takes_speaker_reference
    corpus = load_corpus_audio(tiny_corpus)
    neutral = [corpus.audio(i) for i in corpus.indices("test")
               if corpus.records[i]["source"].get("category") == "neutral"][:2]
    reference = recognizer.speaker_reference(neutral, corpus.sample_rate)
    assert reference.clips == 2 and reference.seconds > 1.0
    audio = corpus.audio(corpus.indices("test")[-1])
    alone = recognizer.recognize(audio, corpus.sample_rate)
    against = recognizer.recognize(audio, corpus.sample_rate, reference=reference)
    assert against.frames and not np.allclose(alone.target.vad, against.target.vad)
    batch = recognizer.recognize_batch([audio, audio], corpus.sample_rate, [reference, None])
    np.testing.assert_allclose(batch[0].vad, against.target.vad, atol=1e-5)
    np.testing.assert_allclose(batch[1].vad, alone.target.vad, atol=1e-5)


def test_training_averages_reference_clips_as_the_recognizer_does(tiny_corpus):
    """Training reads an item against the mean encoding of its clips: what the shipped
    recognizer does with several clips of a user's neutral speech."""
    torch.manual_seed(0)
    corpus = load_corpus_audio(tiny_corpus)
    module = SERTraining(SERConfig(hidden=32, speaker_reference=True), LogMelConfig(), 1e-3, 10).eval()
    items = corpus.indices("test")[:3]
    clips_of = {item: [corpus.audio(j) for j in corpus.indices("train")[k:k + 1 + k]] for k, item in enumerate(items)}
    batch = collate([(corpus.audio(i), clips_of[i], corpus.categories[i], corpus.vad[i], corpus.intensity[i])
                     for i in items])
    with torch.no_grad():
        trained = module._outputs(batch)["vad"]
    recognizer = SpeechEmotionRecognizer(module.net, module.frontend.config)
    references = [recognizer.speaker_reference(clips_of[i], corpus.sample_rate) for i in items]
    assert [reference.clips for reference in references] == [1, 2, 3]
    shipped = recognizer.recognize_batch([corpus.audio(i) for i in items], corpus.sample_rate, references)
    np.testing.assert_allclose(trained.numpy(), np.stack([target.vad for target in shipped]), atol=1e-4)


def test_a_warm_started_reference_recognizer_first_reads_as_the_one_it_started_from():
    torch.manual_seed(0)
    trained = SpeechEmotionNet(SERConfig(hidden=48)).eval()
    with torch.no_grad():
        for parameter in trained.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))
    started = SpeechEmotionNet(SERConfig(hidden=48, speaker_reference=True)).eval()
    warm_start(started, trained)
    mel, frames = torch.randn(2, 64, 120), torch.tensor([120, 90])
    with torch.no_grad():
        expected = trained(mel, frames)
        reference = started.pooled(torch.randn(1, 64, 100), torch.tensor([100]))
        for read in (started(mel, frames), started(mel, frames, reference)):
            torch.testing.assert_close(read["vad"], expected["vad"])
            torch.testing.assert_close(read["category_logits"], expected["category_logits"])
    with pytest.raises(ValueError, match="another shape"):
        warm_start(SpeechEmotionNet(SERConfig(hidden=64)), trained)


def test_intensity_ranking_loss_rewards_the_asked_order_across_items():
    asked = torch.tensor([0.5, 0.75, 1.0, 0.5])
    in_order, reversed_order = torch.tensor([0.2, 0.5, 0.9, 0.3]), torch.tensor([0.9, 0.5, 0.2, 0.8])
    assert intensity_ranking_loss(in_order, asked) < 0.1 < 5.0 < intensity_ranking_loss(reversed_order, asked)
    # Equal intensities are no pair: nothing to order, no gradient.
    same = torch.tensor([0.3, 0.7], requires_grad=True)
    loss = intensity_ranking_loss(same, torch.tensor([0.75, 0.75]))
    loss.backward()
    assert loss == 0 and torch.equal(same.grad, torch.zeros(2))


def test_heads_only_training_leaves_the_encoder_as_it_was_and_reads_items_as_the_recognizer_does(tiny_corpus, tmp_path):
    torch.set_num_threads(2)
    start, output = tmp_path / "start.pt", tmp_path / "heads.pt"
    common = ["--corpus", str(tiny_corpus), "--batch-size", "6", "--hidden", "32", "--workers", "0",
              "--speaker-reference", "--confusion-image", str(tmp_path / "c.png"), "--no-manifest"]
    main([*common, "--epochs", "1", "--output", str(start)])
    main([*common, "--epochs", "6", "--learning-rate", "3e-3", "--output", str(output), "--initialise-from", str(start),
          "--heads-only", "--intensity-weight", "2", "--intensity-ranking-weight", "1"])
    before, after = (load_checkpoint(path, SERConfig, "train_ser") for path in (start, output))
    changed = {name for name, value in after[1].items() if not torch.equal(value, before[1][name])}
    assert changed and all(name.startswith("heads.") for name in changed), changed
    losses = after[2]["metrics"]["train_losses"]
    assert min(losses[3:]) < losses[0], losses
    assert "intensity_spearman" in after[2]["metrics"]["history"][-1]
    recognizer, corpus = SpeechEmotionRecognizer.from_checkpoint(output), load_corpus_audio(tiny_corpus)
    items = corpus.indices("validation")[:3]
    picker = ReferencePicker(corpus, items, fixed=True)
    encoded = EncodedItems(corpus, encode_items(recognizer, corpus, items), picker,
                           recognizer.net.no_reference.detach())
    with torch.no_grad():
        trained = recognizer.net.heads(torch.stack([encoded[(i, 0)]["heads_input"] for i in items]))["vad"]
    references = [recognizer.speaker_reference([corpus.audio(j) for j in picker.pick(i)], corpus.sample_rate)
                  if picker.pick(i) else None for i in items]
    shipped = recognizer.recognize_batch([corpus.audio(i) for i in items], corpus.sample_rate, references)
    np.testing.assert_allclose(trained.numpy(), np.stack([target.vad for target in shipped]), atol=1e-4)


def test_heads_only_needs_a_recognizer_to_start_from(tiny_corpus):
    with pytest.raises(SystemExit):
        parse_arguments(["--corpus", str(tiny_corpus), "--heads-only"])


def test_robustness_report_covers_every_condition(tiny_corpus, tmp_path):
    output = tmp_path / "robustness.json"
    assert robustness_main(["--corpus", str(tiny_corpus), "--items", "5", "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert list(report) == list(conditions(0))
    readings = [r for condition in report.values() for r in (condition, condition["with_reference"])]
    assert all(r["items"] == 5 and 0.0 <= r["uar"] <= 1.0 and -1.0 <= r["ccc_arousal"] <= 1.0 for r in readings)


def test_the_recorded_command_parses_back_to_the_same_run(tiny_corpus):
    for extra in ([], ["--no-augment"], ["--speaker-reference", "--initialise-from", "x.pt", "--heads-only",
                                         "--intensity-ranking-weight", "1"]):
        args = parse_arguments(["--corpus", str(tiny_corpus), "--roughness-probability", "0.5", *extra])
        again = parse_arguments(reproducing_command(args).split()[3:])
        ignored = {"voice_shift_probability", "pitch_shift_probability", "roughness_probability",
                   "roughness_strength", "tilt_probability"} if args.no_augment else set()
        for name, value in vars(args).items():
            if name not in ignored | {"workers", "accelerator", "devices", "output", "confusion_image", "no_manifest",
                                      "limit_train"}:
                assert getattr(again, name) == value, name


def test_a_rehearsal_corpus_adds_training_items_only(tiny_corpus, tmp_path):
    from train.ser.data import REHEARSAL_SPLIT, with_rehearsal

    primary = load_corpus_audio(tiny_corpus, LogMelConfig().sample_rate)
    merged = with_rehearsal(primary, primary, items=3, seed=0)
    rehearsed = merged.indices(REHEARSAL_SPLIT)
    assert len(rehearsed) == 3 and merged.indices("test") == primary.indices("test")
    assert merged.indices("validation") == primary.indices("validation")
    source = [r["id"] for r in primary.records if r["split"] == "train"]
    for index in rehearsed:               # the same audio and labels as in the corpus it came from
        record = merged.records[index]
        original = next(i for i, r in enumerate(primary.records) if r["id"] == record["id"] and r["split"] == "train")
        np.testing.assert_array_equal(merged.audio(index), primary.audio(original))
        np.testing.assert_array_equal(merged.categories[index], primary.categories[original])
        assert record["id"] in source and record["sentence_id"].startswith("rehearsal-")
    assert with_rehearsal(primary, primary, 3, 0).records == merged.records       # a seeded draw
    result = train(parse_arguments(["--corpus", str(tiny_corpus), "--rehearse", str(tiny_corpus),
                                    "--rehearse-items", "4", "--epochs", "1", "--batch-size", "8", "--hidden", "32",
                                    "--workers", "0", "--no-augment"]))
    assert len(result["train_items"]) == len(primary.indices("train")) + 4
    assert "--rehearse" in reproducing_command(parse_arguments(["--corpus", str(tiny_corpus),
                                                                "--rehearse", str(tiny_corpus)]))
