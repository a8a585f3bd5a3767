"""Text-front-end tokens timed by corpus phone times."""

from __future__ import annotations

import pytest

from train.tts.alignment import group_phones, phone_frames, timed_tokens


def test_r_coloured_vowels_flaps_and_edges_group_as_spoken():
    tokens = ["<bos>", "f", "ɔːɹ", "ɾ", "ɚ", "<eos>"]
    phones = ["pau", "f", "ao", "r", "t", "er", "pau"]
    assert group_phones(tokens, phones) == [(0, 1), (1, 2), (2, 4), (4, 5), (5, 6), (6, 7)]


def test_a_token_the_voice_skipped_gets_no_phones():
    tokens = ["<bos>", "k", "æ", "t", "s", "<eos>"]
    phones = ["pau", "k", "ae", "t", "pau"]
    groups = group_phones(tokens, phones)
    assert [end - start for start, end in groups] == [1, 1, 1, 1, 0, 1]


def test_frames_sum_exactly_and_unpunctuated_pauses_become_their_own_tokens():
    tokens = ["<bos>", "n", "oʊ", "w", "ʌ", "n", "<eos>"]
    phones = [("pau", 0.0, 0.2), ("n", 0.2, 0.27), ("ow", 0.27, 0.4), ("pau", 0.4, 0.6), ("w", 0.6, 0.65),
              ("ah", 0.65, 0.8), ("n", 0.8, 0.9), ("pau", 0.9, 1.1)]
    timed = timed_tokens(tokens, phones, 100.0, 111)
    assert sum(frames for _, frames in timed) == 111
    assert (None, 20) in timed
    assert [index for index, _ in timed if index is not None] == list(range(len(tokens)))
    assert timed[0] == (0, 20) and timed[-1] == (6, 21)


def test_phone_frames_do_not_drift_and_refuse_misfits():
    phones = [("a", 0.0, 0.013), ("b", 0.013, 0.026), ("c", 0.026, 0.039)] * 1
    assert phone_frames(phones, 100.0, 5).tolist() == [1, 2, 2]
    with pytest.raises(ValueError):
        phone_frames([("a", 0.0, 1.0)], 100.0, -5)
    with pytest.raises(ValueError):
        group_phones([], ["pau"])


@pytest.mark.slow
def test_corpus_sentences_align_with_few_mismatches(tiny_corpus):
    from synth.text import text_to_sequence
    from train.corpus.build import read_manifest
    from train.tts.alignment import phone_cost

    costs, empty, tokens_seen = 0.0, 0, 0
    for record in read_manifest(tiny_corpus):
        tokens = text_to_sequence(record["text"]).symbols
        names = [p for p, _, _ in record["phones"]]
        for token, (start, end) in zip(tokens, group_phones(tokens, names)):
            tokens_seen += 1
            empty += start == end
            costs += sum(phone_cost(token, names[k]) for k in range(start, end))
    assert empty / tokens_seen < 0.02 and costs / tokens_seen < 0.1
