"""The talking head end to end with the shipped models: videos with the right frames,
duration and audio; landmarks and frames for animators; batch mode; clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from common.audio_io import AudioInputError
from synth.cli import main as cli
from synth.face.cartoon import CartoonIdentity
from synth.face.errors import FaceInputError
from synth.face.video import probe_video
from synth.studio import Studio

pytestmark = pytest.mark.slow
RATE = 22050


@pytest.fixture(scope="module")
def studio() -> Studio:
    return Studio()


@pytest.fixture(scope="module")
def speech(tiny_corpus, tmp_path_factory):
    """Two seconds of a corpus sentence, written as a stereo 44.1 kHz file too."""
    from train.corpus.build import read_manifest

    record = next(r for r in read_manifest(tiny_corpus) if r["duration_s"] > 2.2)
    audio, rate = sf.read(record["audio"], dtype="float32")
    audio = audio[: 2 * rate]
    folder = tmp_path_factory.mktemp("speech")
    stereo = folder / "stereo.wav"
    from common.audio_io import resample
    upsampled = resample(audio, rate, 44100).astype(np.float32)
    sf.write(stereo, np.stack([upsampled, 0.5 * upsampled], axis=1), 44100)
    return audio, rate, stereo


def test_shipped_models_load(studio):
    pipeline = studio.talking_head
    assert pipeline.mouth.net.config.motion_channels == 3 and pipeline.recognizer is not None


def test_two_second_video_has_frames_duration_and_audio(studio, speech, tmp_path):
    audio, rate, _ = speech
    result = studio.animate(None, (audio, rate), "happy:0.8", tmp_path / "out.mp4",
                            frames_dir=tmp_path / "frames", landmarks_json=tmp_path / "landmarks.json")
    animation, source = result   # the result unpacks as the (animation, emotion) pair it replaced
    recipe = result.recipe()
    assert recipe["video"] == str(animation.video) and recipe["emotion"] == "happy:0.8" and recipe["frames"] == 50
    assert recipe["resolved"] == source.to_dict() and recipe["portrait"] == "default" and recipe["audio"] == "samples"
    assert recipe["recognized_category"] == (animation.recognized.category if animation.recognized else None)
    json.dumps(recipe)
    info = probe_video(animation.video)
    assert (info.frames, info.width, info.height) == (50, 256, 256)
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert info.has_audio and info.video_codec == "h264" and info.audio_codec == "aac"
    assert len(list((tmp_path / "frames").glob("*.png"))) == 50
    document = json.loads((tmp_path / "landmarks.json").read_text())
    assert len(document["frames"]) == 50 and len(document["frames"][0]["landmarks"]) == 70
    assert "AU12" in document["frames"][0]["motion"]
    assert source.category == "happy" and animation.recognized is not None
    check = recipe["recognized_check"]                       # a FER trained on real photos checks the reading
    assert check["checked_by_outside_fer"] and check["outside_face_share"] >= 0.5
    assert check["label"] == ("happy" if check["reliable"] else "uncertain")
    assert recipe["recognized"] == animation.recognized.target.to_dict()
    jaw = animation.motion.column("jaw_open")
    assert jaw.max() - jaw.min() > 0.2                       # the mouth moves with the speech
    from synth.provenance import verify
    assert verify(animation.video).watermarked               # the MP4's AAC audio keeps the mark


def test_same_seed_same_motion_and_a_timeline_changes_expression(studio, speech):
    audio, rate, _ = speech
    pipeline = studio.talking_head
    from conditioning import parse_emotion
    from synth.face.pipeline import AnimateOptions
    first = pipeline.motion(audio, rate, parse_emotion("sad"), AnimateOptions(seed=3))
    again = pipeline.motion(audio, rate, parse_emotion("sad"), AnimateOptions(seed=3))
    np.testing.assert_array_equal(first.values, again.values)
    timeline = parse_emotion([{"time": 0.0, "emotion": "neutral"}, {"time": 1.0, "emotion": "happy:1.0"}])
    changing = pipeline.motion(audio, rate, timeline, AnimateOptions(seed=3))
    smile = changing.column("AU12")
    assert smile[:10].max() < 0.1 and smile[-5:].min() > 0.5


def test_cartoon_and_stereo_file(studio, speech, tmp_path):
    _, _, stereo = speech
    animation, _ = studio.animate(CartoonIdentity.random(np.random.default_rng(1)), stereo, "surprised",
                                  tmp_path / "cartoon.mp4", size=512)
    info = probe_video(animation.video)
    assert (info.frames, info.width) == (50, 512) and info.has_audio


def test_bad_portraits_and_audio_get_clear_errors_and_leave_nothing(studio, speech, tmp_path):
    audio, rate, _ = speech
    noise = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    output = tmp_path / "never.mp4"
    with pytest.raises(FaceInputError, match="no face"):
        studio.animate(noise, (audio, rate), "happy", output)
    with pytest.raises(AudioInputError, match="silent"):
        studio.animate(None, (np.zeros(rate), rate), "happy", output)
    with pytest.raises(AudioInputError, match="NaN"):
        studio.animate(None, (np.full(rate, np.nan), rate), "happy", output)
    with pytest.raises(AudioInputError, match="no audio file"):
        studio.animate(None, tmp_path / "missing.wav", "happy", output)
    with pytest.raises(ValueError, match="size"):
        studio.animate(None, (audio, rate), "happy", output, size=300)
    assert list(tmp_path.iterdir()) == []


def test_cli_single_and_batch(speech, tmp_path, capsys):
    _, _, stereo = speech
    assert cli(["animate", "default", str(stereo), "--emotion", "angry:0.7", "-o", str(tmp_path / "a.mp4"),
                "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    emotion = line["resolved"]["categories"]
    assert line["frames"] == 50 and max(emotion, key=emotion.get) == "angry" and line["recognized_category"] in emotion
    assert line["emotion"] == "angry:0.7" and line["portrait"] == "default" and line["size"] == 256
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"audio": str(stereo), "emotion": "calm", "seed": 2}) + "\n"
                        + json.dumps({"audio": str(stereo), "portrait": "cartoon", "emotion": "fearful",
                                      "output": "c.mp4"}) + "\n")
    assert cli(["animate", "--batch", str(requests), "--out-dir", str(tmp_path / "batch")]) == 0
    lines = [json.loads(x) for x in (tmp_path / "batch" / "manifest.jsonl").read_text().splitlines()]
    assert [line["seed"] for line in lines] == [2, 0] and lines[1]["portrait"] == "cartoon"
    assert all(probe_video(line["video"]).frames == 50 for line in lines)
    assert {"video", "portrait", "audio", "emotion", "resolved", "seed", "recognized"} <= set(lines[0])
    assert cli(["animate", "default", str(tmp_path / "missing.wav")]) == 2
    assert "no audio file" in capsys.readouterr().err
