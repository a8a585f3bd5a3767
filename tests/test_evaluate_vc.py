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
