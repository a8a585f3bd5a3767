"""Dubbing (issue 29): scripts in every form, each cue fitted to its slot, one sample-exact
track, the SRT back out, errors naming the line, resume, and a talking head following the cues.

The 20-cue script below was written for this test (four emotions, two voices); its sentences
are in no corpus or training set."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
import soundfile as sf

from synth.dub import DubOptions, DubScriptError, dub_script, parse_script, read_script
from synth.dub.emotions import dialogue_timeline, resolve_emotion
from synth.dub.timing import MAX_RATE, MIN_RATE, fill_slot, plan_timing
from synth.loudness import integrated_loudness
from synth.studio import Studio

RATE = 24000   # not the voices' 22.05 kHz: every cue is resampled onto the track

TWENTY_CUES = """1
00:00:00,400 --> 00:00:02,070
[voice=slt; emotion=happy:0.7] The parcel came early today.

2
00:00:02,370 --> 00:00:04,680
[voice=awb; emotion=sad:0.6] It rained on the old bridge.

3
00:00:05,080 --> 00:00:06,980
[voice=slt; emotion=angry:0.7] Nobody fixed the gate again.

4
00:00:07,480 --> 00:00:09,820
[voice=awb; emotion=calm:0.6] Let us sit by the window.

5
00:00:10,120 --> 00:00:11,630
[voice=slt; emotion=happy:0.8] I found my green scarf!

6
00:00:12,030 --> 00:00:14,530
[voice=awb; emotion=sad:0.5] The shop on the corner closed.

7
00:00:15,030 --> 00:00:17,310
[voice=slt; emotion=calm:0.5] Breathe slowly and count to four.

8
00:00:17,610 --> 00:00:19,850
[voice=awb; emotion=angry:0.8] Who moved my tools this time?

9
00:00:20,250 --> 00:00:22,880
[voice=slt; emotion=sad:0.7] The garden looks empty in winter.

10
00:00:23,380 --> 00:00:24,620
[voice=awb; emotion=happy:0.6] We won the quiz at the pub.

11
00:00:24,920 --> 00:00:26,330
[voice=slt; emotion=angry:0.6] You left the oven running.

12
00:00:26,730 --> 00:00:29,160
[voice=awb; emotion=calm:0.7] The tide goes out at seven.

13
00:00:29,660 --> 00:00:31,350
[voice=slt; emotion=happy:0.6] Grandma sent a jar of honey.

14
00:00:31,650 --> 00:00:35,170
[voice=awb; emotion=sad:0.7] My bicycle was stolen last night.

15
00:00:35,570 --> 00:00:37,510
[voice=slt; emotion=calm:0.6] Put the kettle on, please.

16
00:00:38,010 --> 00:00:39,890
[voice=awb; emotion=angry:0.6] That bus never comes on time.

17
00:00:40,190 --> 00:00:42,100
[voice=slt; emotion=sad:0.5] I miss the sound of the sea.

18
00:00:42,500 --> 00:00:44,140
[voice=awb; emotion=happy:0.8] The puppy learned to sit!

19
00:00:44,640 --> 00:00:46,460
[voice=slt; emotion=angry:0.8] Stop tapping on the table.

20
00:00:46,760 --> 00:00:48,700
[voice=awb; emotion=calm:0.5] We can finish this tomorrow.

"""


@pytest.fixture(scope="module")
def studio():
    return Studio()


@pytest.fixture(scope="module")
def dubbed(studio, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dub")
    script = folder / "twenty.srt"
    script.write_text(TWENTY_CUES)
    result = dub_script(studio, script, folder / "dialogue.wav", DubOptions(sample_rate=RATE))
    return script, result


def test_the_script_has_four_emotions_and_two_voices(dubbed):
    _, result = dubbed
    assert len(result.cues) == 20
    assert {line["voice"] for line in result.cues} == {"slt", "awb"}
    assert {line["emotion"].split(":")[0] for line in result.cues} == {"happy", "sad", "angry", "calm"}


def test_every_cue_lies_within_two_percent_of_its_slot(dubbed):
    _, result = dubbed
    assert not result.flagged
    for line in result.cues:
        assert abs(line["spoken_s"] / line["slot_s"] - 1.0) <= 0.02, line
        start, end = line["slot"]
        assert line["samples"] == round(end * RATE) - round(start * RATE)


def test_the_track_is_sample_exact(dubbed):
    _, result = dubbed
    track, rate = sf.read(str(result.track), dtype="int16")
    assert rate == RATE
    previous_end = 0
    for line in result.cues:
        first = round(line["slot"][0] * RATE)
        assert line["first_sample"] == first
        cue, cue_rate = sf.read(line["audio"], dtype="int16")
        assert cue_rate == RATE and len(cue) == line["samples"]
        assert np.array_equal(track[first:first + len(cue)], cue)
        assert np.abs(cue.astype(np.float32)).max() > 1000          # speech, not silence, was placed
        assert not track[previous_end:first].any()                  # silence between cues
        previous_end = first + len(cue)


def test_the_achieved_srt_round_trips(dubbed):
    script, result = dubbed
    original, achieved = read_script(script), read_script(result.srt)
    assert len(achieved.cues) == len(original.cues)
    for asked, made, line in zip(original.cues, achieved.cues, result.cues):
        assert (made.text, made.voice, made.emotion) == (asked.text, asked.voice, asked.emotion)
        assert made.start == pytest.approx(asked.start, abs=1e-3)
        assert made.end == pytest.approx(line["end_s"], abs=1e-3)
        assert made.slot_s == pytest.approx(asked.slot_s, rel=0.021)


def test_one_gain_for_the_whole_dialogue_keeps_cues_relative_loudness(dubbed):
    _, result = dubbed
    track, rate = sf.read(str(result.track))
    assert integrated_loudness(track, rate) == pytest.approx(-18.0, abs=1.0)
    raw = np.array([line["raw_lufs"] for line in result.cues])
    final = np.array([integrated_loudness(sf.read(line["audio"])[0], rate) for line in result.cues])
    assert raw.max() - raw.min() > 2.0                              # the emotions differ in loudness...
    # ...and the track keeps those differences (within 1 LU: the limiter trims the watermarked peaks of loud cues)
    assert np.ptp(final - raw) < 1.0


def test_the_manifest_records_each_cue(dubbed):
    _, result = dubbed
    lines = [json.loads(text) for text in result.manifest.read_text().splitlines()]
    assert [line["cue"] for line in lines] == list(range(1, 21))
    for line in lines:
        assert {"text", "emotion", "resolved", "voice", "slot", "spoken_s", "recognized",
                "recognized_category"} <= set(line)
        assert line["resolved"]["categories"]
    assert sum(line["recognized"] is not None for line in lines) >= 15   # the SER judges cues of ~2 s


def test_a_rerun_keeps_every_rendered_cue(studio, dubbed):
    script, result = dubbed
    before, _ = sf.read(str(result.track))
    again = dub_script(studio, script, result.track, DubOptions(sample_rate=RATE))
    assert again.rendered == 0
    np.testing.assert_array_equal(sf.read(str(again.track))[0], before)   # the same samples; a new record's time


FOUR_CUES = """1
00:00:00,300 --> 00:00:02,100
[voice=slt; emotion=calm] The lamp by the door flickers.

2
00:00:02,400 --> 00:00:04,300
[voice=awb; emotion=happy:0.7] Our train is finally here!

3
00:00:04,600 --> 00:00:06,500
[voice=slt; emotion=sad] The cafe lost its last customer.

4
00:00:06,800 --> 00:00:08,600
[voice=awb; emotion=0s calm; 0.8s angry:0.8] Fine, then. I will do it myself.
"""


def test_an_interrupted_dub_resumes_with_the_cues_it_made(studio, tmp_path):
    script = tmp_path / "four.srt"
    script.write_text(FOUR_CUES)

    def interrupt_after_two(done, total, message):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dub_script(studio, script, tmp_path / "four.wav", DubOptions(sample_rate=16000), progress=interrupt_after_two)
    assert not (tmp_path / "four.wav").exists()                       # nothing half-written
    assert len((tmp_path / "four_cues" / "manifest.jsonl").read_text().splitlines()) == 2
    resumed = dub_script(studio, script, tmp_path / "four.wav", DubOptions(sample_rate=16000))
    assert resumed.rendered == 2 and len(resumed.cues) == 4
    changed = script.read_text().replace("Our train is finally here!", "Our bus is finally here!")
    script.write_text(changed)
    edited = dub_script(studio, script, tmp_path / "four.wav", DubOptions(sample_rate=16000))
    assert edited.rendered == 1                                        # only the edited cue is spoken again


def test_natural_length_when_it_fits_before_the_next_cue(studio, tmp_path):
    script = parse_script("1\n00:00:00,000 --> 00:00:00,900\n[voice=slt] Good evening to you all.\n\n"
                          "2\n00:00:06,000 --> 00:00:07,000\n[voice=slt] Hello.\n", "srt")
    result = dub_script(studio, script, tmp_path / "natural.wav", DubOptions(sample_rate=16000, natural=True))
    first = result.cues[0]
    assert first["timing"]["mode"] == "natural" and first["flag"] is None
    assert first["spoken_s"] == pytest.approx(first["natural_s"], abs=0.01)
    assert first["spoken_s"] > 1.2 * first["slot_s"]                   # longer than its slot, before cue 2


def test_the_dialogue_is_mixed_over_a_background_at_another_rate(studio, tmp_path):
    script = parse_script("1\n00:00:00,500 --> 00:00:01,500\n[voice=slt] Good evening.\n", "srt")
    rate = 44100
    hum = 0.05 * np.sin(2 * np.pi * 120 * np.arange(4 * rate) / rate)
    sf.write(tmp_path / "hum.wav", np.stack([hum, hum], axis=1), rate)      # stereo, 44.1 kHz, 4 s
    result = dub_script(studio, script, tmp_path / "evening.wav",
                        DubOptions(sample_rate=16000, background=str(tmp_path / "hum.wav")))
    mix, mix_rate = sf.read(result.mix)
    assert mix_rate == 16000 and len(mix) == 4 * 16000                # as long as the background
    def level(a, b):
        return float(np.sqrt(np.mean(mix[int(a * 16000):int(b * 16000)] ** 2)))
    assert level(3.0, 4.0) == pytest.approx(0.05 / np.sqrt(2), rel=0.05)   # the hum, unducked, after the cue


def test_a_line_too_long_for_its_slot_is_flagged_not_garbled(studio, tmp_path):
    script = parse_script("1\n00:00:00,000 --> 00:00:00,600\n[voice=slt] We will need a much longer slot "
                          "for this sentence.\n\n2\n00:00:01,000 --> 00:00:02,500\n[voice=slt] Indeed we will.\n",
                          "srt")
    result = dub_script(studio, script, tmp_path / "fast.wav", DubOptions(sample_rate=16000))
    line = result.cues[0]
    assert line["flag"] == "too_fast" and line["timing"]["rate"] == MAX_RATE
    assert line["cut_s"] > 0                                          # what did not fit before cue 2
    assert result.cues[1]["flag"] is None


# Reading scripts: every form, and errors that name the line.

def test_rate_limits_and_slot_filling():
    assert plan_timing(3.0, 1.0, math.inf).flag == "too_fast"
    assert plan_timing(1.0, 3.0, math.inf).flag == "too_slow"
    assert plan_timing(1.0, 3.0, math.inf).target_s == pytest.approx(1.0 / MIN_RATE)
    assert plan_timing(1.0, 1.2, math.inf).flag is None
    assert plan_timing(1.0, 0.5, 2.0, natural=True).mode == "natural"
    assert plan_timing(1.0, 0.8, 0.9, natural=True).mode == "slot"    # natural would run into the next cue
    speech = np.concatenate([np.zeros(100), np.ones(800) * 0.5, np.zeros(100)]).astype(np.float32)
    assert len(fill_slot(speech, 1000, 950, None).audio) == 950       # trailing silence trimmed
    assert len(fill_slot(speech, 1000, 1200, None).audio) == 1200     # silence appended
    placed = fill_slot(speech, 1000, 700, 800)
    assert len(placed.audio) == 800 and placed.cut_samples == 0       # ran on into the room
    assert fill_slot(speech, 1000, 600, 700).cut_samples == 100


def test_webvtt_voice_spans_map_to_voices(tmp_path):
    vtt = tmp_path / "scene.vtt"
    vtt.write_text("WEBVTT\n\nNOTE the speakers\n\n00:00:01.000 --> 00:00:02.500 align:start\n"
                   "<v Anna>[happy:0.6] Hello there.</v>\n\nintro\n00:00:03.000 --> 00:00:04.000\n"
                   "<v.loud Ben>Fine, thanks.\n")
    voices = tmp_path / "voices.toml"
    voices.write_text('[voices]\nAnna = "slt"\nBen = "awb"\n')
    script = read_script(vtt, voices)
    assert [(c.text, c.voice, c.emotion, c.speaker) for c in script.cues] == [
        ("Hello there.", "slt", "happy:0.6", "Anna"), ("Fine, thanks.", "awb", None, "Ben")]
    assert script.cues[1].line == 9


def test_csv_and_jsonl_scripts(tmp_path):
    csv_script = parse_script('start,end,text,emotion,voice\n0.5,2.0,"Well, hello.",sad:0.4,slt\n'
                              '00:00:02.500,00:00:04,Goodbye.,,\n', "csv")
    assert [(c.start, c.end, c.text, c.emotion, c.voice) for c in csv_script.cues] == [
        (0.5, 2.0, "Well, hello.", "sad:0.4", "slt"), (2.5, 4.0, "Goodbye.", None, None)]
    jsonl = parse_script('{"start": 0, "end": 1.5, "text": "One.", "emotion": {"happy": 0.7, "surprised": 0.3}}\n'
                         '{"start": 2, "end": 3, "text": "[voice=awb] Two."}\n', "jsonl")
    assert jsonl.cues[1].voice == "awb" and jsonl.cues[1].text == "Two."
    assert resolve_emotion(jsonl.cues[0], jsonl).category == "happy"


def test_tags_with_descriptions_timelines_and_emotionml_files(tmp_path):
    (tmp_path / "tired.emotionml").write_text(
        '<emotionml xmlns="http://www.w3.org/2009/10/emotionml" category-set='
        '"http://www.w3.org/TR/emotion-voc/xml#everyday-categories"><emotion><category name="bored"/>'
        '</emotion></emotionml>')
    srt = tmp_path / "tags.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\n[voice=joe; emotion=0s calm; 1.5s angry:0.8] No.\n\n"
                   "2\n00:00:03,000 --> 00:00:04,000\n[emotion=tired.emotionml] Yes.\n\n"
                   "3\n00:00:05,000 --> 00:00:06,000\n[voice=slt; emotion=a tired sigh] Maybe.\n")
    script = read_script(srt)
    assert script.cues[0].voice == "joe" and script.cues[0].emotion == "0s calm; 1.5s angry:0.8"
    timeline = resolve_emotion(script.cues[0], script)
    assert [k.target.category for k in timeline.keyframes] == ["calm", "angry"]
    assert resolve_emotion(script.cues[1], script).category in ("bored", "neutral", "calm", "sad")
    whole = dialogue_timeline([(0.0, 2.0, timeline), (3.0, 4.0, resolve_emotion(script.cues[2], script))])
    assert whole.at(0.2).category == "calm" and whole.at(1.9).category == "angry"


@pytest.mark.parametrize("text, format, problem", [
    ("1\n00:00:01,000 --> 00:00:03,000\nOne.\n\n2\n00:00:02,000 --> 00:00:04,000\nTwo.\n", "srt",
     "line 6: .*overlaps .*line 2"),
    ("1\n00:00:01,000 --> 00:00:03,000\nOne.\n\n2\n00:00:04,000 --> 00:00:0x,000\nTwo.\n", "srt",
     "line 6: bad cue times"),
    ("1\n00:00:05,000 --> 00:00:03,000\nOne.\n", "srt", "line 2: the cue ends"),
    ("1\n00:00:01,000 --> 00:00:03,000\n[mood=sad] One.\n", "srt", "line 2: unknown tag setting 'mood'"),
    ("1\n00:00:01,000 --> 00:00:03,000\n[sad]\n", "srt", "line 2: the cue has no text"),
    ("start,end,text\n1,2,One.\n3,abc,Two.\n", "csv", "line 3: the end time 'abc'"),
    ('{"start": 1, "end": 2, "text": "One."}\n{"start": 3, "end": 4, "text": "Two."\n', "jsonl", "line 2 is not JSON"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>One <v B>two\n", "vtt", "line 3: one cue has several voices"),
])
def test_malformed_scripts_name_the_line(text, format, problem):
    with pytest.raises(DubScriptError, match=problem):
        parse_script(text, format, "script")


@pytest.mark.parametrize("cue, problem", [
    ("[voice=Anna] Hello there.", "script line 2: unknown voice 'Anna'"),
    ("[emotion=furiuos:0.8] Hello there.", "script line 2: emotion 'furiuos:0.8'.*furious"),
])
def test_unknown_voices_and_emotions_name_the_line(studio, tmp_path, cue, problem):
    script = parse_script(f"1\n00:00:01,000 --> 00:00:03,000\n{cue}\n", "srt", "script")
    with pytest.raises(DubScriptError, match=problem):
        dub_script(studio, script, tmp_path / "never.wav")
    assert not list(tmp_path.iterdir())                              # refused before anything was made


def test_the_cli_dubs_and_refuses_a_broken_script(tmp_path, capsys):
    from synth.cli import main

    script = tmp_path / "two.srt"
    script.write_text("1\n00:00:00,200 --> 00:00:01,800\n[voice=slt; emotion=happy] See you soon.\n\n"
                      "2\n00:00:02,000 --> 00:00:03,500\n[voice=awb; emotion=sad] I doubt it.\n")
    assert main(["--quiet", "dub", str(script), "-o", str(tmp_path / "two.flac"), "--sample-rate", "16000"]) == 0
    assert sf.info(str(tmp_path / "two.flac")).samplerate == 16000
    assert (tmp_path / "two.achieved.srt").is_file() and (tmp_path / "two_cues" / "0002.flac").is_file()
    broken = tmp_path / "broken.srt"
    broken.write_text("1\n00:00:00,200 --> 00:00:01,800\nOne.\n\n2\n00:00:01,000 --> 00:00:02,000\nTwo.\n")
    capsys.readouterr()
    assert main(["dub", str(broken), "-o", str(tmp_path / "broken.wav")]) == 2
    assert "broken.srt line 6" in capsys.readouterr().err
    assert main(["dub", "--batch", str(tmp_path / "none.txt")]) == 2


def test_a_batch_runs_each_script_through_the_same_dub(tmp_path, monkeypatch):
    from synth.dub.batch import dub_batch

    for name, text in (("a", "See you soon."), ("b", "I doubt it.")):
        (tmp_path / f"{name}.csv").write_text(f"start,end,text,voice\n0.2,1.6,{text},slt\n")
    (tmp_path / "scripts.txt").write_text("# two scenes\na.csv\nb.csv\n")
    manifest = dub_batch(tmp_path / "scripts.txt", tmp_path / "out", DubOptions(sample_rate=16000))
    lines = [json.loads(text) for text in manifest.read_text().splitlines()]
    assert [line["script"].split("/")[-1] for line in lines] == ["a.csv", "b.csv"]
    assert all(sf.info(line["track"]).frames == round(1.6 * 16000) for line in lines)
    monkeypatch.setitem(sys.modules, "ray", None)   # as on a machine without Ray, whether or not it is here
    with pytest.raises(DubScriptError, match="pip install"):
        dub_batch(tmp_path / "scripts.txt", tmp_path / "ray", DubOptions(sample_rate=16000), ray_address="auto")


def test_the_talking_head_follows_the_cues_emotions(studio, tmp_path):
    script = parse_script("1\n00:00:00,000 --> 00:00:02,000\n[voice=slt; emotion=happy:0.9] What a lovely surprise.\n\n"
                          "2\n00:00:02,400 --> 00:00:04,400\n[voice=slt; emotion=sad:0.9] It is over, then.\n", "srt")
    result = dub_script(studio, script, tmp_path / "scene.wav", DubOptions(sample_rate=16000, video="default"))
    assert result.video.suffix == ".mp4" and result.video.stat().st_size > 10_000
    motion = result.animation.motion

    def frames(start, end):
        return slice(int((start + 0.5) * motion.fps), int((end - 0.2) * motion.fps))

    happy, sad = frames(0.0, 2.0), frames(2.4, 4.4)
    smile = motion.column("AU12")
    brows = motion.column("AU1") + motion.column("AU15")
    assert smile[happy].mean() > smile[sad].mean() + 0.2
    assert brows[sad].mean() > brows[happy].mean() + 0.2


def test_the_dubbed_track_carries_the_watermark(dubbed):
    from synth.provenance import verify
    _, result = dubbed
    found = verify(result.track)
    assert found.watermarked and found.detection.score > found.detection.threshold
