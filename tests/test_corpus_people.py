"""The fine-tuning corpus closer to people (issue 34 item 1): a Piper voice in every item of
its sentences beside the drawn Debian voices, per-split sentence counts, and real neutral
anchors whose evaluated clips stay out of training."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest

from train.corpus.build import SIZES, CorpusConfig, _config_dict, build_corpus, plan_corpus, read_manifest
from train.corpus.real_anchors import ANCHOR_SETS, EVALUATED_CLIPS, anchor_clips
from synth.render.engines import available_voices

ALLISON = ANCHOR_SETS["asterisk_allison"].folder


def _items(config: CorpusConfig) -> list:
    return [item for group in plan_corpus(config) for item in group.items]


def test_people_plan_gives_joe_every_item_of_its_sentences_and_keeps_the_test_split_held_out():
    config = SIZES["people"]
    items = _items(config)
    splits = Counter((i.sentence.split, i.sentence.id) for i in items)
    assert len({s for (split, s) in splits if split == "train"}) == 80
    assert len({s for (split, s) in splits if split == "validation"}) == 4
    assert {i.voice for i in items if i.sentence.split == "test"} == {config.held_out_voice}
    joe = [i for i in items if i.voice == "joe"]
    per_sentence = Counter(i.sentence.id for i in joe)
    # neutral once, 7 categories x 3 intensities, 2 VAD points
    assert set(per_sentence.values()) == {1 + 7 * 3 + 2}
    assert all(i.sentence.split != "test" for i in joe)
    for sentence_id in per_sentence:
        others = {i.voice for i in items if i.sentence.id == sentence_id and i.voice != "joe"}
        assert len(others) == 1 and others <= set(config.training_voices)
        drawn = [i for i in items if i.sentence.id == sentence_id and i.voice in others]
        assert len(drawn) == 1 + 7 * 3 + 2   # the drawn voice keeps the whole sentence too


def test_configs_without_the_new_fields_keep_their_saved_form():
    saved = _config_dict(SIZES["full"])
    assert not {"extra_voices", "split_sentence_counts", "real_anchors"} & set(saved)
    assert tuple(_config_dict(SIZES["people"])["extra_voices"]) == ("joe",)


def test_bad_people_configs_are_refused():
    with pytest.raises(ValueError, match="Piper"):
        CorpusConfig(name="x", extra_voices=("kal16",))
    with pytest.raises(ValueError, match="one count per split"):
        CorpusConfig(name="x", split_sentence_counts=(1, 2))
    with pytest.raises(ValueError, match="anchor"):
        CorpusConfig(name="x", real_anchors=("nobody",))


@pytest.mark.skipif(not ALLISON.is_dir(), reason="apt-get install asterisk-core-sounds-en-wav")
def test_anchor_clips_leave_out_what_the_real_evaluation_reads():
    import soundfile as sf
    chosen = anchor_clips("asterisk_allison")
    evaluated = [p for p in sorted(ALLISON.glob("*.wav")) if 2.5 <= sf.info(p).duration <= 8.0][:EVALUATED_CLIPS]
    assert chosen and not set(chosen) & set(evaluated)


@pytest.mark.skipif("joe" not in available_voices(), reason="the Piper joe voice is not installed")
def test_people_tiny_builds_with_joe_and_anchors(tmp_path):
    config = SIZES["people-tiny"]
    if not ALLISON.is_dir():
        config = dataclasses.replace(config, real_anchors=())
    summary = build_corpus(config, tmp_path, jobs=1, progress=False)
    records = read_manifest(tmp_path)
    voices = Counter((r["split"], r["voice"]) for r in records)
    assert voices[("train", "joe")] == voices[("validation", "joe")] == 8
    assert {v for (split, v) in voices if split == "test"} == {config.held_out_voice}
    anchors = [r for r in records if r["source"].get("real")]
    assert len(anchors) == (ANCHOR_SETS["asterisk_allison"].most if config.real_anchors else 0)
    assert all(r["split"] == "train" and r["source"]["category"] == "neutral" and r["target"]["intensity"] == 0
               for r in anchors)
    assert summary["items"] == len(records)
    # resumed: nothing rebuilt, the same manifest
    before = (tmp_path / "manifest.jsonl").read_text()
    again = build_corpus(config, tmp_path, jobs=1, progress=False)
    assert again["build_runs"][-1]["groups_built"] == 0 and (tmp_path / "manifest.jsonl").read_text() == before
    assert json.loads((tmp_path / "corpus.json").read_text())["name"] == "people-tiny"
