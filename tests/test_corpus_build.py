"""Tests of train.corpus.build: the tiny corpus is rendered once (real festival/flite voices,
real WORLD) and checked for completeness, file formats, labels, what the audio measures,
resumability, determinism and the config guard; the pure planning helpers are unit-tested
without rendering."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import shutil
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conditioning.categories import CATEGORIES
from conditioning.prosody import ProsodyTargets, prosody_prior
from conditioning.space import target_from_vad
from conditioning.target import EmotionTarget
from conditioning.vocabulary import vocabulary
import synth.render.emotional as emotional_module
from synth.render.emotional import ENGINE_F0_THRESHOLD, ENGINE_TEMPO_THRESHOLD, contour_for, engine_preset, world_share
from train.corpus.build import (
    HELD_OUT_VOICE,
    SIZES,
    CorpusConfig,
    build_corpus,
    main,
    plan_corpus,
    read_manifest,
    rendering_fingerprint,
    sample_vad_point,
)
from train.corpus.sentences import KINDS, corpus_sentences
from synth.render.engines import VOICES
from synth.render.world_transform import OUTPUT_SAMPLE_RATE, PEAK_LIMIT

with warnings.catch_warnings():  # pyworld 0.3 imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import pyworld

TINY = SIZES["tiny"]
# tiny: 2 sentences per split; per sentence a neutral item from each of its voices (2 for
# train/validation, the held-out voice alone for test) + 7 categories at intensity 1 + 1 VAD point.
TINY_EMOTIONAL_ITEMS = 7 + 1
TINY_ITEMS = 2 * 2 * (2 + TINY_EMOTIONAL_ITEMS) + 2 * (1 + TINY_EMOTIONAL_ITEMS)


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def built(tiny_corpus) -> tuple[Path, dict]:
    """The session's tiny corpus (conftest) and its summary: (folder, summary)."""
    return tiny_corpus, json.loads((tiny_corpus / "corpus.json").read_text())


@pytest.fixture(scope="module")
def corpus_dir(built) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def records(corpus_dir) -> list[dict]:
    """The manifest records, each with ``audio_path`` (absolute) added for the tests that read audio."""
    records = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text().splitlines()]
    for r in records:
        r["audio_path"] = str(corpus_dir / r["audio"])
    return records


@pytest.fixture(scope="module")
def by_id(records) -> dict[str, dict]:
    return {r["id"]: r for r in records}


@pytest.fixture(scope="module")
def neutral_pairs(records, by_id) -> list[tuple[dict, dict]]:
    """(item, neutral item of the same sentence and voice) for every non-neutral item that has one."""
    neutral = {(r["sentence_id"], r["voice"]): r for r in records if r["source"].get("category") == "neutral"}
    return [(r, neutral[(r["sentence_id"], r["voice"])]) for r in records
            if r["source"].get("category") != "neutral" and (r["sentence_id"], r["voice"]) in neutral]


def _copy(corpus_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(corpus_dir, copy)
    return copy


def _snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _semitones(a_hz: float, b_hz: float) -> float:
    return 12.0 * math.log2(a_hz / b_hz)


@functools.lru_cache(maxsize=None)
def _measured_f0_median(path: str) -> float:
    """Median voiced F0 re-analysed from the written audio (DIO + StoneMask)."""
    audio, rate = sf.read(path, dtype="float64")
    # Down to 50 Hz: a falling terminal on a low voice (kal16 disgusted ends near 60 Hz) must be heard.
    f0, times = pyworld.dio(audio, rate, f0_floor=50.0, f0_ceil=800.0, frame_period=5.0)
    f0 = pyworld.stonemask(audio, f0, times, rate)
    return float(np.median(f0[f0 > 0]))


def _rms_db(path: str) -> float:
    audio, _ = sf.read(path, dtype="float64")
    return 10.0 * math.log10(np.mean(audio ** 2))


def _category(record: dict) -> str | None:
    return record["source"].get("category")


# ------------------------------------------------------------------ completeness, layout

def test_every_planned_item_once_in_plan_order(corpus_dir, records, built):
    planned = [item.id for group in plan_corpus(TINY) for item in group.items]
    assert [r["id"] for r in records] == planned
    assert len(planned) == len(set(planned)) == TINY_ITEMS == 58
    assert built[1]["items"] == len(planned)
    assert sorted(p.name for p in (corpus_dir / "groups").iterdir()) == sorted(
        f"{g.id}.json" for g in plan_corpus(TINY))
    # no leftover temporary files, no stray audio
    assert sorted(p.name for p in (corpus_dir / "audio").iterdir()) == sorted(f"{i}.wav" for i in planned)
    assert not [p for p in corpus_dir.rglob("*") if p.name.endswith(".tmp")]


def test_audio_files_match_their_records(corpus_dir, records):
    for r in records:
        path = corpus_dir / r["audio"]
        assert r["audio"] == f"audio/{r['id']}.wav"
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.format, info.subtype) == (22050, 1, "WAV", "PCM_16"), r["id"]
        assert r["sample_rate"] == OUTPUT_SAMPLE_RATE == 22050
        assert abs(info.frames / info.samplerate - r["duration_s"]) < 1e-5, r["id"]
        assert r["rendering"]["world"]["duration_out_s"] == pytest.approx(r["duration_s"], abs=1e-5)
        audio, _ = sf.read(path, dtype="float32")
        peak = float(np.max(np.abs(audio)))
        assert 0.02 < peak <= PEAK_LIMIT + 1e-4, f"{r['id']}: peak {peak}"


def test_phones_tile_the_audio(records):
    for r in records:
        phones = r["phones"]
        assert phones and all(isinstance(p, str) and p for p, _, _ in phones), r["id"]
        assert phones[0][1] == 0.0, r["id"]
        for (_, _, end), (name, start, _) in zip(phones, phones[1:]):
            assert start == end, f"{r['id']}: gap or overlap before {name!r}"
        assert all(end > start for _, start, end in phones), r["id"]
        assert abs(phones[-1][2] - r["duration_s"]) <= 0.01, r["id"]


def test_record_fields_describe_the_sentence_and_voice(records):
    sentences = {s.id: s for s in corpus_sentences(TINY.sentence_count)}
    for r in records:
        sentence = sentences[r["sentence_id"]]
        assert (r["text"], r["sentence_kind"], r["split"]) == (sentence.text, sentence.kind, sentence.split)
        assert r["sentence_kind"] in KINDS
        assert r["speaker_sex"] == VOICES[r["voice"]].sex
        assert r["id"].startswith(f"{r['sentence_id']}-{r['voice']}-")
        assert set(r["rendering"]) == {"prosody_targets", "engine_controls", "engine_measured", "world"}


def test_read_manifest_gives_absolute_audio_paths(corpus_dir, records):
    read = read_manifest(corpus_dir)
    assert [r["id"] for r in read] == [r["id"] for r in records]
    assert all(Path(r["audio"]).is_absolute() and Path(r["audio"]).is_file() for r in read)


def test_read_manifest_without_a_corpus_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="train.corpus.build"):
        read_manifest(tmp_path)


def test_corpus_json_summarises_the_build(corpus_dir, records, built):
    summary = json.loads((corpus_dir / "corpus.json").read_text())
    assert summary == json.loads(json.dumps(built[1]))
    config = json.loads((corpus_dir / "config.json").read_text())
    assert {k: summary[k] for k in config} == config
    # Fields added later (extra voices, per-split counts, real anchors) are saved only when set,
    # so corpora built before them still resume.
    later = {"extra_voices", "split_sentence_counts", "real_anchors"}
    assert config == {"manifest_version": 1, "rendering": rendering_fingerprint(),
                      **{k: v for k, v in json.loads(json.dumps(dataclasses.asdict(TINY))).items() if k not in later}}
    assert summary["items"] == len(records)
    total_h = sum(r["duration_s"] for r in records) / 3600
    assert summary["hours"] == pytest.approx(total_h, abs=1e-3)
    assert set(summary["hours_by_split"]) == set(TINY.splits)
    for split in TINY.splits:
        hours = sum(r["duration_s"] for r in records if r["split"] == split) / 3600
        assert summary["hours_by_split"][split] == pytest.approx(hours, abs=1e-3)
    assert set(summary["hours_by_voice"]) == {r["voice"] for r in records}
    assert sum(summary["hours_by_voice"].values()) == pytest.approx(total_h, abs=5e-3)
    assert len(summary["build_runs"]) == 1
    run = summary["build_runs"][0]
    assert run["groups_built"] == len(plan_corpus(TINY))
    assert run["run_seconds"] > 0 and run["worker_seconds"] > 0
    assert summary["build_seconds_total"] == run["run_seconds"]


# ------------------------------------------------------------------------- splits, labels

def test_categories_and_voices_by_split(records):
    train = [r for r in records if r["split"] == "train"]
    assert {_category(r) for r in train} >= set(CATEGORIES)
    assert Counter(r["source"]["kind"] for r in train) == {"category": 2 * (2 + 7), "vad": 2}
    test = [r for r in records if r["split"] == "test"]
    assert test and {r["voice"] for r in test} == {HELD_OUT_VOICE}
    assert all(r["voice"] != HELD_OUT_VOICE for r in records if r["split"] != "test")
    # train and validation sentences: two training voices each, alternating item by item
    labels = ["neutral", *(f"{c}-100" for c in CATEGORIES if c != "neutral"), "vad1"]
    for sid in {r["sentence_id"] for r in records if r["split"] != "test"}:
        voice_of = {r["id"].split("-", 2)[2]: r["voice"] for r in records if r["sentence_id"] == sid}
        assert sorted(voice_of) == sorted(labels)
        voices = [voice_of[label] for label in labels]
        assert len(set(voices)) == TINY.voices_per_sentence
        assert all(a != b for a, b in zip(voices, voices[1:]))


def test_no_sentence_is_shared_between_splits(records):
    by_split = {split: {(r["sentence_id"], r["text"]) for r in records if r["split"] == split}
                for split in TINY.splits}
    assert all(len(by_split[s]) == TINY.sentences_per_split for s in TINY.splits)
    texts = {split: {text for _, text in pairs} for split, pairs in by_split.items()}
    assert not texts["train"] & texts["test"]
    assert not texts["train"] & texts["validation"]
    assert not texts["validation"] & texts["test"]


def test_targets_match_their_sources(records):
    words = vocabulary()
    for r in records:
        target, source = r["target"], r["source"]
        assert set(target["categories"]) == set(CATEGORIES)
        assert sum(target["categories"].values()) == pytest.approx(1.0)
        if source["kind"] == "category":
            one_hot = {c: float(c == source["category"]) for c in CATEGORIES}
            assert target["categories"] == pytest.approx(one_hot, abs=1e-9), r["id"]
            assert target["intensity"] == source["intensity"]
            expected = words.lookup(source["category"]).target(source["intensity"])
            assert [target["vad"][k] for k in ("valence", "arousal", "dominance")] == pytest.approx(expected.vad)
            if source["category"] == "neutral":
                assert r["id"].endswith("-neutral") and source["intensity"] == 0.0
            else:
                assert r["id"].endswith(f"-{source['category']}-{round(source['intensity'] * 100):03d}")
        else:
            assert source["kind"] == "vad" and len(source["vad"]) == 3
            vad = [target["vad"][k] for k in ("valence", "arousal", "dominance")]
            assert vad == pytest.approx(source["vad"], abs=1e-6), r["id"]
            again = target_from_vad(source["vad"])
            assert target["intensity"] == pytest.approx(again.intensity, abs=1e-4)
            assert max(target["categories"], key=target["categories"].get) == again.category
        assert target["voice"] == {}


def test_rendering_metadata_is_consistent(records):
    """The prior is what prosody_prior says; engine + WORLD shares add up to it (unless clipped)."""
    for r in records:
        rendering = r["rendering"]
        prior = prosody_prior(EmotionTarget.from_dict(r["target"]))
        assert rendering["prosody_targets"] == prior.to_dict(), r["id"]
        measured, world = rendering["engine_measured"], rendering["world"]
        wanted = rendering["prosody_targets"]
        if abs(wanted["f0_shift_semitones"] - measured["f0_shift_semitones"]) < 12:
            assert measured["f0_shift_semitones"] + world["f0_shift_semitones"] == pytest.approx(
                wanted["f0_shift_semitones"], abs=2e-3), r["id"]
        if 0.2 < wanted["f0_range_factor"] / measured["f0_range_factor"] < 3.0:
            assert measured["f0_range_factor"] * world["f0_range_factor"] == pytest.approx(
                wanted["f0_range_factor"], rel=2e-3), r["id"]
        assert world["tempo_factor"] / measured["duration_ratio"] == pytest.approx(
            wanted["tempo_factor"], rel=2e-3), r["id"]
        for field in ("loudness_db", "spectral_tilt_db", "breathiness", "jitter", "shimmer", "pause_factor"):
            assert world[field] == wanted[field], (r["id"], field)
        assert world["contour"] == contour_for(EmotionTarget.from_dict(r["target"]))
        if not rendering["engine_controls"]["f0_mean_hz"]:
            assert rendering["engine_controls"]["f0_std_hz"] is None


# --------------------------------------------------------------- what the audio measures

HIGHER_F0 = ("angry", "happy", "fearful", "surprised")     # prior: +2.9 .. +5.6 st at intensity 1
LOWER_F0 = ("sad", "calm", "disgusted")                   # prior: -3.0 .. -4.4 st
SLOWER = ("sad", "calm", "disgusted")                     # tempo 0.74 .. 0.80, pauses longer
FASTER = ("angry", "fearful", "happy")                    # tempo 1.14 .. 1.23, pauses not longer


def test_pairs_exist_for_every_direction_checked(neutral_pairs):
    """The direction tests below compare against the neutral item of the same sentence and voice;
    the held-out voice speaks every item of a test sentence, so every category has such a pair."""
    paired = {_category(r) for r, _ in neutral_pairs}
    assert paired >= set(HIGHER_F0 + LOWER_F0 + SLOWER + FASTER)


def test_f0_moves_the_way_the_prior_says(neutral_pairs):
    for item, neutral in neutral_pairs:
        category = _category(item)
        if category not in HIGHER_F0 + LOWER_F0:
            continue
        said = _semitones(item["rendering"]["world"]["f0_median_out_hz"],
                          neutral["rendering"]["world"]["f0_median_out_hz"])
        heard = _semitones(_measured_f0_median(item["audio_path"]), _measured_f0_median(neutral["audio_path"]))
        for value in (said, heard):
            if category in HIGHER_F0:
                assert value > 1.5, f"{item['id']}: F0 median {value:+.2f} st against neutral"
            else:
                assert value < -1.5, f"{item['id']}: F0 median {value:+.2f} st against neutral"
        # The renderer's and the re-analysis's medians are taken over differently timed voiced
        # frames: they differ by up to about a semitone (1.01 st on kal16 fearful, measured).
        assert abs(said - heard) < 1.25, f"{item['id']}: recorded {said:+.2f} st, re-analysed {heard:+.2f} st"


def test_f0_shift_reaches_the_prior_without_a_contour(neutral_pairs):
    """Engine preset + WORLD remainder land on the prior's F0 shift (the contour moves the
    median too, so only contour-free items)."""
    checked = 0
    for item, neutral in neutral_pairs:
        if item["rendering"]["world"]["contour"] != "neutral":
            continue
        said = _semitones(item["rendering"]["world"]["f0_median_out_hz"],
                          neutral["rendering"]["world"]["f0_median_out_hz"])
        wanted = item["rendering"]["prosody_targets"]["f0_shift_semitones"]
        assert said == pytest.approx(wanted, abs=0.5), item["id"]
        checked += 1
    assert checked >= 6


@functools.lru_cache(maxsize=None)
def _voiced_share(path: str) -> float:
    """Share of frames DIO finds voiced, with a floor (40 Hz) under any F0 the corpus renders."""
    audio, rate = sf.read(path, dtype="float64")
    f0, _ = pyworld.dio(audio, rate, f0_floor=40.0, f0_ceil=800.0, frame_period=5.0)
    return float(np.mean(f0 > 0))


def test_lower_f0_stays_voiced(neutral_pairs):
    """Lowering F0 must not whisper: an engine asked below WORLD's analysis floor left half the
    held-out voice's sad and calm unvoiced (0.62 -> 0.36 of frames)."""
    checked = 0
    for item, neutral in neutral_pairs:
        if _category(item) in LOWER_F0:
            ratio = _voiced_share(item["audio_path"]) / _voiced_share(neutral["audio_path"])
            assert ratio > 0.8, f"{item['id']}: {ratio:.2f} x the neutral item's voiced frames"
            checked += 1
    assert checked >= 3


def test_engine_never_renders_f0_under_the_analysis_margin():
    for voice in VOICES:
        for f0_level in (-1, 1):
            controls = emotional_module._controls_for((0, f0_level), 70.0, voice)
            assert controls.f0_mean_hz >= emotional_module.ENGINE_F0_MEAN_FLOOR_HZ


def test_duration_moves_the_way_the_prior_says(neutral_pairs):
    for item, neutral in neutral_pairs:
        ratio = item["duration_s"] / neutral["duration_s"]
        if _category(item) in SLOWER:
            assert ratio > 1.1, f"{item['id']}: {ratio:.3f} x the neutral duration"
        elif _category(item) in FASTER:
            assert ratio < 0.95, f"{item['id']}: {ratio:.3f} x the neutral duration"


def test_angry_is_louder_than_neutral_when_not_peak_limited(neutral_pairs):
    checked = 0
    for item, neutral in neutral_pairs:
        if _category(item) not in ("angry", "happy") or item["rendering"]["world"]["peak_normalisation_db"] < 0:
            continue
        assert _rms_db(item["audio_path"]) > _rms_db(neutral["audio_path"]) + 2.0, item["id"]
        checked += 1
    assert checked >= 2


def test_angry_is_louder_than_neutral_for_every_voice(neutral_pairs):
    for item, neutral in neutral_pairs:
        if _category(item) == "angry":
            assert _rms_db(item["audio_path"]) > _rms_db(neutral["audio_path"]), item["id"]


# ------------------------------------------------------------- resume, determinism, guard

def test_resume_rebuilds_only_the_missing_group_bit_identically(corpus_dir, tmp_path):
    out = _copy(corpus_dir, tmp_path)
    manifest = (out / "manifest.jsonl").read_bytes()
    again = build_corpus(TINY, out, jobs=1, progress=False)
    assert again["build_runs"][-1]["groups_built"] == 0
    assert (out / "manifest.jsonl").read_bytes() == manifest

    groups = sorted((out / "groups").glob("*.json"), key=lambda p: len(json.loads(p.read_text())["items"]))
    victim = groups[0]  # the smallest group: quickest to render again
    items = [r["id"] for r in json.loads(victim.read_text())["items"]]
    original_audio = {i: (out / "audio" / f"{i}.wav").read_bytes() for i in items}
    victim.unlink()
    for i in items:
        (out / "audio" / f"{i}.wav").unlink()
    untouched = {k: v for k, v in _snapshot(out).items() if k.startswith(("audio/", "groups/"))}

    # jobs=1 renders in this process, the first build used worker processes: same bytes anyway
    summary = build_corpus(TINY, out, jobs=1, progress=False)
    assert [run["groups_built"] for run in summary["build_runs"]] == [len(plan_corpus(TINY)), 0, 1]
    assert summary["build_seconds_total"] == pytest.approx(sum(r["run_seconds"] for r in summary["build_runs"]),
                                                           abs=0.2)
    assert (out / "manifest.jsonl").read_bytes() == manifest
    assert victim.is_file()
    for i, data in original_audio.items():
        assert (out / "audio" / f"{i}.wav").read_bytes() == data, f"{i} is not bit-identical"
    after = _snapshot(out)
    assert all(after[k] == v for k, v in untouched.items()), "a finished group was rendered again"


def test_other_config_in_the_same_folder_is_refused(corpus_dir, tmp_path):
    out = _copy(corpus_dir, tmp_path)
    before = _snapshot(out)
    with pytest.raises(ValueError, match=r"another config or prosody prior \('tiny', seed 0,") as error:
        build_corpus(dataclasses.replace(TINY, seed=1), out, jobs=1, progress=False)
    assert str(out) in str(error.value)
    with pytest.raises(ValueError, match="another config"):
        build_corpus(dataclasses.replace(TINY, intensities=(0.5, 1.0)), out, jobs=1, progress=False)
    assert main(["--size", "tiny", "--out", str(out), "--seed", "1"]) == 2
    assert _snapshot(out) == before


def test_a_corpus_rendered_under_another_prior_is_not_resumed(corpus_dir, tmp_path, monkeypatch):
    out = _copy(corpus_dir, tmp_path)
    before = _snapshot(out)
    monkeypatch.setattr("train.corpus.build.rendering_fingerprint", lambda: "another-prior")
    with pytest.raises(ValueError, match=f"prosody prior .*rendering {rendering_fingerprint()}"):
        build_corpus(TINY, out, jobs=1, progress=False)
    assert _snapshot(out) == before


def test_rendering_fingerprint_follows_the_prior(monkeypatch):
    before = rendering_fingerprint()
    assert rendering_fingerprint() == before
    monkeypatch.setitem(emotional_module._CONTOURS, "calm", "falling")
    assert rendering_fingerprint() != before


# -------------------------------------------------------------------- pure helpers

def test_plan_is_deterministic_and_sized():
    first, second = plan_corpus(TINY), plan_corpus(TINY)
    assert first == second
    items = [item for group in first for item in group.items]
    assert len(items) == TINY_ITEMS
    # train/validation sentences: one group per voice; test sentences: one (held-out) group
    assert len(first) == 2 * 2 * TINY.voices_per_sentence + 2 == 10
    assert len({i.id for i in items}) == len(items)
    assert len({i.seed for i in items}) == len(items)
    for group in first:
        assert len({(i.sentence.id, i.voice) for i in group.items}) == 1
        assert group.id == f"{group.items[0].sentence.id}-{group.items[0].voice}"
    assert Counter(i.source["kind"] for i in items) == {"category": 4 * (2 + 7) + 2 * (1 + 7), "vad": 6}
    # another seed: same sentences and emotions, other item seeds (and VAD points)
    other = [item for group in plan_corpus(dataclasses.replace(TINY, seed=1)) for item in group.items]
    assert [i.sentence.id for i in other] != [] and {i.sentence.id for i in other} == {i.sentence.id for i in items}
    assert {i.seed for i in other}.isdisjoint({i.seed for i in items})
    assert [i.source for i in other if i.source["kind"] == "vad"] != [i.source for i in items
                                                                      if i.source["kind"] == "vad"]


def test_full_plan_counts():
    full = SIZES["full"]
    groups = plan_corpus(full)
    items = [item for group in groups for item in group.items]
    sentences = corpus_sentences(full.sentence_count)
    emotional = 7 * len(full.intensities) + full.vad_points_per_sentence
    assert emotional == 23
    n_test = sum(s.split == "test" for s in sentences)
    # a neutral item per voice of the sentence, then the emotional items
    assert len(items) == (len(sentences) - n_test) * (full.voices_per_sentence + emotional) + n_test * (1 + emotional)
    assert len(groups) == (len(sentences) - n_test) * full.voices_per_sentence + n_test
    assert {i.voice for i in items if i.sentence.split == "test"} == {HELD_OUT_VOICE}
    # every training voice gets work, and every category reaches every training voice
    training = Counter(i.voice for i in items if i.sentence.split == "train")
    assert set(training) == set(full.training_voices)
    assert max(training.values()) < 1.5 * min(training.values())
    for voice in full.training_voices:
        spoken = {i.source.get("category") for i in items if i.voice == voice and i.sentence.split == "train"}
        assert spoken >= set(CATEGORIES), voice


def test_config_validation():
    with pytest.raises(ValueError, match="held-out voice"):
        CorpusConfig(name="x", held_out_voice="nobody")
    with pytest.raises(ValueError, match="intensities"):
        CorpusConfig(name="x", intensities=(0.0,))
    with pytest.raises(ValueError, match="voices_per_sentence"):
        CorpusConfig(name="x", voices_per_sentence=len(VOICES))
    assert HELD_OUT_VOICE not in TINY.training_voices and len(TINY.training_voices) == len(VOICES) - 1


def test_engine_preset_levels():
    just = math.exp(ENGINE_TEMPO_THRESHOLD)
    assert engine_preset(ProsodyTargets(), "awb") == (0, 0)
    assert engine_preset(ProsodyTargets(tempo_factor=just * 0.999), "awb") == (0, 0)
    assert engine_preset(ProsodyTargets(tempo_factor=just * 1.01), "awb") == (1, 0)
    assert engine_preset(ProsodyTargets(tempo_factor=0.8), "awb") == (-1, 0)
    assert engine_preset(ProsodyTargets(f0_shift_semitones=ENGINE_F0_THRESHOLD), "kal16") == (0, 0)
    assert engine_preset(ProsodyTargets(f0_shift_semitones=2.0, tempo_factor=1.2), "kal_diphone") == (1, 1)
    assert engine_preset(ProsodyTargets(f0_shift_semitones=-4.0, tempo_factor=0.8), "slt") == (-1, -1)
    # voices whose engine ignores F0 controls leave all of the F0 to WORLD
    for voice in ("slt_hts", "rms"):
        assert engine_preset(ProsodyTargets(f0_shift_semitones=5.0, tempo_factor=1.2), voice) == (1, 0)


def test_world_share_is_the_remainder():
    wanted = ProsodyTargets(f0_shift_semitones=4.0, f0_range_factor=1.5, tempo_factor=1.2, loudness_db=3.0,
                            breathiness=0.2, pause_factor=0.8)
    nothing = {"f0_shift_semitones": 0.0, "f0_range_factor": 1.0, "duration_ratio": 1.0}
    assert world_share(wanted, nothing) == wanted
    share = world_share(wanted, {"f0_shift_semitones": 3.0, "f0_range_factor": 1.2, "duration_ratio": 0.88})
    assert share.f0_shift_semitones == pytest.approx(1.0)
    assert share.f0_range_factor == pytest.approx(1.25)
    assert share.tempo_factor == pytest.approx(1.2 * 0.88)  # engine already 1/0.88 faster
    assert dataclasses.replace(share, f0_shift_semitones=4.0, f0_range_factor=1.5, tempo_factor=1.2) == wanted
    clipped = world_share(ProsodyTargets(f0_shift_semitones=10.0, f0_range_factor=3.0, tempo_factor=2.0),
                          {"f0_shift_semitones": -5.0, "f0_range_factor": 0.5, "duration_ratio": 1.5})
    assert (clipped.f0_shift_semitones, clipped.f0_range_factor, clipped.tempo_factor) == (12.0, 3.0, 2.0)


def test_contour_by_category_and_intensity():
    words = vocabulary()
    expected = {"surprised": "rising", "happy": "arched", "sad": "falling", "disgusted": "falling", "calm": "neutral",
                "angry": "neutral", "fearful": "neutral"}
    for category, contour in expected.items():
        assert contour_for(words.lookup(category).target(1.0)) == contour
        assert contour_for(words.lookup(category).target(0.5)) == contour
        assert contour_for(words.lookup(category).target(0.49)) == "neutral"
    assert contour_for(words.lookup("neutral").target(0.0)) == "neutral"


def test_vad_points_fill_the_cube():
    rng = np.random.default_rng(0)
    points = np.array([sample_vad_point(rng) for _ in range(2000)])
    assert points.shape == (2000, 3)
    assert np.all(np.abs(points) <= 1.0)
    radius = np.linalg.norm(points, axis=1)
    assert radius.min() >= 0.15 - 1e-9 and radius.max() <= 1.0 + 1e-9
    assert np.all(points.min(axis=0) < -0.8) and np.all(points.max(axis=0) > 0.8)
    octants = Counter(tuple(p > 0) for p in points)
    assert len(octants) == 8 and min(octants.values()) > 2000 / 8 * 0.7
    again = np.array([sample_vad_point(np.random.default_rng(0)) for _ in range(1)])
    assert np.array_equal(again[0], points[0])
