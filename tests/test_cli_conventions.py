"""The CLI in the field's conventions: no silent overwrite, batch files checked before any
request runs and resumable, --quiet, --version, completion, errors without tracebacks, and
every speech file at the documented loudness."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import soundfile as sf

from synth.cli import main
from synth.loudness import DEFAULT_LOUDNESS_LUFS, integrated_loudness, true_peak_dbtp

EXAMPLES = Path(__file__).resolve().parents[1] / "assets" / "examples"


def _loudness(path: Path) -> float:
    audio, rate = sf.read(path)
    return integrated_loudness(audio, rate)


def test_the_example_batch_speaks_and_a_rerun_skips_what_is_made(tmp_path, capsys):
    out = tmp_path / "speech"
    assert main(["speak", "--batch", str(EXAMPLES / "speak_batch.jsonl"), "--out-dir", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert [Path(line["audio"]).name for line in lines] == [
        "morning_happy.wav", "touch_angry.wav", "letter_sad.wav", "noise_timeline.wav", "hold_vad.flac"]
    assert lines[4]["duration_s"] == pytest.approx(2.0, abs=0.001)
    for line in lines:
        wanted = line["request"].get("loudness", DEFAULT_LOUDNESS_LUFS)
        assert _loudness(Path(line["audio"])) == pytest.approx(wanted, abs=1.0)
        assert true_peak_dbtp(sf.read(line["audio"])[0]) <= -0.9
    made = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    (out / "letter_sad.wav").unlink()
    assert main(["speak", "--batch", str(EXAMPLES / "speak_batch.jsonl"), "--out-dir", str(out)]) == 0
    again = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    assert again["morning_happy.wav"] == made["morning_happy.wav"] and "letter_sad.wav" in again


def test_a_bad_request_stops_the_batch_before_anything_is_made(tmp_path, capsys):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"text": "Fine words.", "output": "first.wav"}) + "\n" +
                        json.dumps({"text": "Bad words.", "emotion": "angyr"}) + "\n")
    assert main(["speak", "--batch", str(requests), "--out-dir", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "line 2" in error and "did you mean 'angry'" in error
    assert not (tmp_path / "out").exists()


def test_no_silent_overwrite_and_default_names_from_the_text(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["speak", "Hello there!", "--emotion", "happy:0.8", "--voice", "slt", "-q"]) == 0
    assert main(["speak", "Hello there!", "--emotion", "happy:0.8", "--voice", "slt", "-q"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["hello-there_happy-0.8-2.wav",
                                                             "hello-there_happy-0.8.wav"]
    assert (tmp_path / "hello-there_happy-0.8.wav.provenance.json").is_file()   # what made it, beside it
    taken = tmp_path / "hello-there_happy-0.8.wav"
    assert main(["speak", "Again.", "--voice", "slt", "-o", str(taken)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["speak", "Again.", "--voice", "slt", "-o", str(taken), "--force", "--loudness", "none"]) == 0
    assert sf.info(taken).duration < 1.5


def test_version_quiet_completion_and_errors_without_tracebacks(tmp_path, capsys):
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0 and capsys.readouterr().out.startswith("emostudio ")
    assert main(["completion", "bash"]) == 0 and "emostudio" in capsys.readouterr().out
    assert main(["speak", "Hi.", "--loudness", "loud"]) == 2
    assert "loudness must be a number of LUFS" in capsys.readouterr().err
    if os.geteuid() != 0:   # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["speak", "Hi.", "--voice", "slt", "-o", str(locked / "x.wav")]) == 2
        error = capsys.readouterr().err
        assert "Permission denied" in error and "Traceback" not in error
        shutil.rmtree(locked, ignore_errors=True)
    assert main(["animate", "default", str(tmp_path / "missing.wav"), "-o", str(tmp_path / "x.avi")]) == 2
    assert "no audio file" in capsys.readouterr().err
