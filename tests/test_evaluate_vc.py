"""The VC evaluation's sentence choice: figures on the test split, tuning on validation."""

from __future__ import annotations

import pytest

from train import evaluate_vc
from train.corpus.sentences import sentences_for


def test_validation_sentences_are_not_the_test_ones():
    test, validation = evaluate_vc.held_out_texts("test", 12), evaluate_vc.held_out_texts("validation", 18)
    assert test == [s.text for s in sentences_for("test")][:12]
    assert len(validation) == 18 and not set(validation) & set(test)
    with pytest.raises(ValueError):
        evaluate_vc.held_out_texts("tset", 3)


def test_a_validation_run_does_not_overwrite_the_published_figures(capsys):
    with pytest.raises(SystemExit):
        evaluate_vc.main(["--split", "validation"])
    assert "--out" in capsys.readouterr().err


def test_the_wer_ratio_interval_is_paired_over_sentences():
    texts = [f"the cat number {i} sat on the mat" for i in range(10)]
    heard = [t.replace("cat", "cap") if i % 2 else t for i, t in enumerate(texts)]   # 5 errors in 80 words
    same = [{"text": t, "words": h} for t, h in zip(texts, heard)]
    assert evaluate_vc.wer_ratio_interval(texts, heard, same, draws=200) == [1.0, 1.0]
    worse = [{"text": t, "words": h.replace("mat", "hat")} for t, h in zip(texts, heard)]
    low, high = evaluate_vc.wer_ratio_interval(texts, heard, worse, draws=200)
    assert 1.0 < low <= 3.0 <= high
