"""Provenance records inside WAV and MP4 and beside them; mark() and `emostudio verify`."""

import json
import subprocess
from datetime import datetime, timezone

import numpy as np
import pytest
import soundfile as sf

from synth.cli import main
from synth.provenance import ProvenanceError, mark, read_record, write_record
from synth.provenance.record import make_record, read_mp4_record, read_wav_record, recipe_sha256, sidecar_path

RECIPE = {"text": "A test sentence.", "voice": "slt", "emotion": "happy:0.8", "seed": 3,
          "settings": {"decoder": "engine", "rate": 1.0}}
CONSENT = {"statement": "I agree that my voice may be cloned.", "speaker": "Ada", "date": "2026-12-01"}
WHEN = datetime(2026, 12, 1, 12, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def speech():
    from synth.render.engines import render

    rendering = render("The committee will meet again next Thursday to settle the budget, and nobody "
                       "expects the argument about the new library to end before midnight.", "slt")
    return rendering.audio.astype(np.float64), rendering.sample_rate


@pytest.fixture(scope="module")
def marked(speech):
    audio, rate = speech
    return mark(audio, rate, RECIPE, consent=CONSENT, generator="convert",
                checkpoints=["face_expression.pt"], created=WHEN)


def test_record_says_what_made_it(marked):
    _, record = marked
    assert record.generator == "convert" and record.created == "2026-12-01T12:30:00+00:00"
    assert record.recipe == RECIPE and record.recipe_sha256 == recipe_sha256(dict(reversed(RECIPE.items())))
    assert record.consent == CONSENT
    assert record.models[0]["name"] == "face_expression.pt" and len(record.models[0]["sha256"]) == 64
    assert record.watermark == {"generator": "convert", "created": "2026-12-01T00:00:00+00:00",
                                "recipe_hash": record.recipe_sha256[:2]}
    assert record.to_dict()["assertions"]["c2pa.actions"][0]["digitalSourceType"].endswith("trainedAlgorithmicMedia")


def test_wav_chunks_and_sidecar_round_trip_and_keep_the_audio(tmp_path, speech, marked):
    audio, rate = marked[0], speech[1]
    path = tmp_path / "out.wav"
    sf.write(path, audio, rate, subtype="PCM_16")
    before, _ = sf.read(path)
    written = write_record(path, marked[1])
    assert written == [path, sidecar_path(path)]
    after, after_rate = sf.read(path)
    assert after_rate == rate and np.array_equal(before, after)
    assert read_wav_record(path) == marked[1]
    assert json.loads(sidecar_path(path).read_text())["consent"] == CONSENT
    write_record(path, marked[1])                      # a second write replaces, never piles up
    assert path.read_bytes().count(b"iXML") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary left


def test_mp4_metadata_round_trips_with_streams_copied(tmp_path, speech, marked):
    import imageio_ffmpeg

    wav, mp4 = tmp_path / "in.wav", tmp_path / "out.mp4"
    sf.write(wav, marked[0], speech[1])
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(wav), "-c:a", "aac",
                    "-b:a", "128k", str(mp4)], check=True)
    write_record(mp4, marked[1])
    assert read_mp4_record(mp4) == marked[1]
    found = read_record(mp4)
    assert found.source == "mp4" and found.record == marked[1]


def test_a_flac_gets_a_sidecar_and_reads_it(tmp_path, speech, marked):
    path = tmp_path / "out.flac"
    sf.write(path, marked[0], speech[1])
    write_record(path, marked[1])
    found = read_record(path)
    assert found.source == "sidecar" and found.record == marked[1]


def test_bad_records_and_files_are_clear_errors(tmp_path):
    with pytest.raises(ProvenanceError, match="no output file"):
        write_record(tmp_path / "missing.wav", make_record("speak", RECIPE))
    not_wav = tmp_path / "x.wav"
    not_wav.write_bytes(b"this is not audio")
    with pytest.raises(ProvenanceError, match="RIFF"):
        write_record(not_wav, make_record("speak", RECIPE))
    with pytest.raises(ProvenanceError, match="recipe"):
        make_record("speak", ["not", "a", "dict"])
    flac = tmp_path / "y.flac"
    flac.write_bytes(b"")
    sidecar_path(flac).write_text("{broken")
    with pytest.raises(ProvenanceError, match="JSON"):
        read_record(flac)


def test_verify_exit_codes_and_json(tmp_path, speech, marked, capsys):
    audio, rate = speech
    good, plain = tmp_path / "good.wav", tmp_path / "plain.wav"
    sf.write(good, marked[0], rate)
    write_record(good, marked[1])
    sf.write(plain, audio, rate)
    assert main(["verify", str(good)]) == 0
    capsys.readouterr()
    assert main(["verify", str(good), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["watermarked"] is True and answer["record"]["consent"] == CONSENT
    assert answer["record_source"] == "wav"
    assert main(["verify", str(plain), "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["watermarked"] is False and answer["payload"] is None and answer["record"] is None
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert main(["verify", str(empty)]) == 2
    assert "empty" in capsys.readouterr().err


def test_verify_decodes_mp3(tmp_path, marked, speech):
    import imageio_ffmpeg

    wav, mp3 = tmp_path / "in.wav", tmp_path / "out.mp3"
    sf.write(wav, marked[0], speech[1])
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(wav), "-b:a", "128k",
                    str(mp3)], check=True)
    assert main(["verify", str(mp3), "-q"]) == 0
