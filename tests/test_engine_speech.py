"""The engine decoder (the studio's default speech): Piper's joe voice, seeded and timed, with
the emotion and the voice descriptors rendered; judged by the outside measures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conditioning import parse_emotion, prosody_prior
from synth.render.piper_engine import SeededPiperVoice, joe_model_path
from synth.render.synthesizer import EngineSynthesizer, engine_synthesizer
from synth.speech import TTSInputError
from train.judges.speech import (fidelity, normalise_words, read_prosody, speech_span_s, transcribe,
                                 word_error_rate)

TEXT = "Please write your name and the date at the top of each page."


@pytest.fixture(scope="module")
def joe() -> SeededPiperVoice:
    return SeededPiperVoice(joe_model_path())


@pytest.fixture(scope="module")
def engine() -> EngineSynthesizer:
    return engine_synthesizer()


@pytest.fixture(scope="module")
def neutral(engine):
    return engine.speak(TEXT, parse_emotion("neutral"), "joe")


def _reading(speech, text=TEXT):
    return read_prosody(speech.audio, speech.sample_rate, text)


def test_piper_is_deterministic_for_a_seed_and_its_phones_tile_the_audio(joe):
    first, again, other = (joe.synthesize("It is a fine morning. Shall we go?", seed=s) for s in (3, 3, 4))
    assert np.array_equal(first.audio, again.audio)
    assert not (len(first.audio) == len(other.audio) and np.array_equal(first.audio, other.audio))
    assert first.phones[0][1] == 0.0
    assert first.phones[-1][2] == pytest.approx(len(first.audio) / first.sample_rate)
    assert all(a[2] == pytest.approx(b[1]) for a, b in zip(first.phones, first.phones[1:]))
    names = [p[0] for p in first.phones]
    assert names.count("pau") >= 2 and "_" in names and not {"ˈ", "ˌ", "ː"} & set(names)


def test_piper_length_scale_slows_it_down(joe):
    plain, slow = joe.synthesize(TEXT), joe.synthesize(TEXT, length_scale=1.4)
    assert 1.15 < len(slow.audio) / len(plain.audio) < 1.6   # VITS durations are stochastic


def test_emotional_speech_keeps_the_words_an_outside_asr_hears(engine):
    from synth.render.engines import render
    from synth.render.world_transform import analyze, synthesize
    texts = [TEXT, "The train leaves from the second platform just after noon."]
    ceiling = []
    for text in texts:   # the voice itself through WORLD: what the representation allows
        plain = render(text, "joe")
        ceiling.append(transcribe(synthesize(analyze(plain.audio, plain.sample_rate)), 22050))
    bound = word_error_rate(texts, ceiling)
    for emotion in ("happy:1.0", "angry:1.0", "sad:1.0"):
        heard = [transcribe(s.audio, s.sample_rate) for s in (engine.speak(t, parse_emotion(emotion), "joe")
                                                              for t in texts)]
        # pocketsphinx is a weak judge (0.2-0.6 per sentence on the raw Piper voice), so the
        # bound is relative: 1.3 x the voice's own ceiling, plus two words of 22 for noise.
        assert word_error_rate(texts, heard) <= 1.3 * bound + 2 / 22, emotion


@pytest.mark.parametrize("emotion, f0_at_least, f0_at_most", [
    ("happy:1.0", 2.0, None), ("angry:1.0", 2.0, None), ("surprised:1.0", 2.0, None), ("sad:1.0", None, -1.5)])
def test_full_intensity_moves_f0_as_acted_speech_does(engine, neutral, emotion, f0_at_least, f0_at_most):
    change = _reading(engine.speak(TEXT, parse_emotion(emotion), "joe")).f0_median_semitones \
        - _reading(neutral).f0_median_semitones
    if f0_at_least is not None:
        assert change >= f0_at_least
    if f0_at_most is not None:
        assert change <= f0_at_most


def test_intensity_is_monotonic_in_loudness_and_pitch(engine, neutral):
    base = _reading(neutral)
    readings = [_reading(engine.speak(TEXT, parse_emotion(f"angry:{level}"), "joe")) for level in (0.3, 0.6, 1.0)]
    loudness = [r.loudness_lufs - base.loudness_lufs for r in readings]
    assert loudness[0] < loudness[1] < loudness[2]


@pytest.mark.parametrize("caption, check", [
    ("speaker has a high pitch", lambda d, base: d.f0_median_semitones - base.f0_median_semitones >= 2.0),
    ("speaker has a low pitch", lambda d, base: d.f0_median_semitones - base.f0_median_semitones <= -2.0),
    ("speaker is loud", lambda d, base: d.loudness_lufs - base.loudness_lufs >= 3.0),
    ("speaker is quiet", lambda d, base: d.loudness_lufs - base.loudness_lufs <= -3.0),
    ("speaker talks fast", lambda d, base: base.speech_s / d.speech_s >= 1.15),
    ("speaker talks slowly", lambda d, base: base.speech_s / d.speech_s <= 0.87),
    ("a monotone voice", lambda d, base: d.f0_span_semitones < base.f0_span_semitones),
])
def test_voice_descriptors_reach_the_voice(engine, neutral, caption, check):
    assert check(_reading(engine.speak(TEXT, parse_emotion(caption), "joe")), _reading(neutral))


def _rendered_span_st(speech) -> float:
    """20-80 % span (st) of the F0 the renderer synthesised (its own features, not a tracker's)."""
    f0 = np.exp(speech.log_f0[speech.log_f0 != 0])
    return float(np.subtract(*np.percentile(12.0 * np.log2(f0), [80, 20])))


def test_surprise_widens_joes_range_past_the_lively_voice_cap(engine, neutral):
    """Surprise's signature is its range: under the 1.2 st cap on widening a lively voice's
    spread, joe's surprise came out +0.6 st wider than neutral (test sentences, outside F0
    judge), its final rise filling in the low end of his falling contour."""
    from synth.render.emotional import MAX_RANGE_WIDENING_SEMITONES, range_widening_semitones
    assert range_widening_semitones("surprised") > range_widening_semitones("happy") == MAX_RANGE_WIDENING_SEMITONES
    surprised = engine.speak(TEXT, parse_emotion("surprised:1.0"), "joe")
    happy = engine.speak(TEXT, parse_emotion("happy:1.0"), "joe")
    base = _rendered_span_st(neutral)
    assert _rendered_span_st(surprised) - base >= 3.0     # 3.9 st; 2.0 under the 1.2 st cap
    assert _rendered_span_st(surprised) > _rendered_span_st(happy)
    # a timeline gets each phone's own allowance: surprise all through renders as surprise alone does
    timeline = engine.speak(TEXT, parse_emotion("0s surprised; 5s surprised"), "joe")
    assert _rendered_span_st(timeline) - base >= 3.0      # 3.6 st; 2.2 under the cap


def test_the_shipped_joe_report_meets_the_issue_bounds():
    """docs/tts_outside_joe.json (python -m train.evaluate_tts --voices joe --sentences 24
    --detail-sentences 12): the bounds it records are the ones its figures give, and they hold."""
    from pathlib import Path
    from train.evaluate_tts_outside import _bounds
    report = json.loads((Path(__file__).resolve().parents[1] / "docs" / "tts_outside_joe.json").read_text())
    assert report["decoder"] == "engine" and report["sentences"] >= 24 and report["detail_sentences"] >= 12
    assert _bounds(report) == report["bounds_met"]
    joe = report["voices"]["joe"]
    assert all(report["bounds_met"]["joe"].values()), report["bounds_met"]["joe"]
    assert all(w <= 1.3 * joe["wer_ceiling"] + 1e-9 for w in joe["wer"].values())
    assert joe["categories"]["surprised"]["f0_span_change_st"] >= 1.0
    assert joe["categories"]["sad"]["f0_span_change_st"] < 0


def test_a_whisper_is_unvoiced(engine, neutral):
    from train.judges.speech import voiced_fraction
    whispered = engine.speak(TEXT, parse_emotion("a whispered voice"), "joe")
    assert voiced_fraction(whispered.audio, whispered.sample_rate) < 0.5 * voiced_fraction(neutral.audio,
                                                                                            neutral.sample_rate)


def test_guidance_exaggerates_and_zero_intensity_is_neutral():
    from synth.render.synthesizer import engine_prosody
    angry = parse_emotion("angry:0.8")
    plain, strong = engine_prosody(angry), engine_prosody(angry, guidance=1.5)
    assert strong.f0_shift_semitones == pytest.approx(1.5 * plain.f0_shift_semitones)
    assert strong.tempo_factor == pytest.approx(plain.tempo_factor ** 1.5, rel=1e-6)
    assert engine_prosody(parse_emotion("neutral")) == prosody_prior(parse_emotion("neutral"))


def test_a_duration_target_is_met(engine, neutral):
    for ratio in (0.75, 1.4):
        fitted = engine.speak(TEXT, parse_emotion("happy:0.6"), "joe", duration_s=neutral.duration_s * ratio)
        assert fitted.duration_s == pytest.approx(neutral.duration_s * ratio, abs=1 / fitted.sample_rate)
        assert fitted.phones[-1][2] == pytest.approx(fitted.duration_s)


def _lead_and_trail_s(speech) -> tuple[float, float]:
    """Silence before the first and after the last phone that is not a pause."""
    spoken = [(start, end) for symbol, start, end in speech.phones if symbol not in ("pau", "sil")]
    return spoken[0][0], speech.duration_s - spoken[-1][1]


def test_a_long_slot_is_filled_by_pauses_between_phrases_then_after_the_words(engine):
    text = "First we wait, then we go."
    natural = engine.speak(text, parse_emotion("neutral"), "joe")
    for ratio in (1.3, 3.0):
        fitted = engine.speak(text, parse_emotion("neutral"), "joe", duration_s=natural.duration_s * ratio)
        lead, trail = _lead_and_trail_s(fitted)
        assert fitted.duration_s == pytest.approx(natural.duration_s * ratio, abs=1 / fitted.sample_rate)
        assert lead <= 0.2 < 0.3 * fitted.duration_s   # never dead air before the first word
        comma = next(end - start for symbol, start, end in fitted.phones[1:-1] if symbol == "pau")
        natural_comma = next(end - start for symbol, start, end in natural.phones[1:-1] if symbol == "pau")
        assert comma > natural_comma + 0.1             # the pause between phrases grew first
    assert trail > 0.3 * natural.duration_s            # three times as long: the rest comes after the words


def test_a_slot_too_short_for_the_words_is_refused(engine, neutral):
    with pytest.raises(TTSInputError, match="even at the fastest rate"):
        engine.speak(TEXT, parse_emotion("neutral"), "joe", duration_s=neutral.duration_s * 0.3)


def test_a_timeline_changes_the_voice_within_the_utterance(engine, neutral):
    from train.judges.speech import f0_contour
    speech = engine.speak(TEXT, parse_emotion("0s sad:1.0; 1.1s sad:1.0; 1.8s happy:1.0"), "joe")
    f0 = f0_contour(speech.audio, speech.sample_rate)
    base = f0_contour(neutral.audio, neutral.sample_rate)

    def semitones(track, start, end):
        part = track[int(start * 200):int(end * 200)]
        return float(np.median(12 * np.log2(part[part > 0] / 100)))

    early = semitones(f0, 0.0, 1.0) - semitones(base, 0.0, 1.0)
    late = semitones(f0, speech.duration_s - 1.0, speech.duration_s) - semitones(base, neutral.duration_s - 1.0,
                                                                                neutral.duration_s)
    # The windows are not aligned word for word (sad is slower), so the early bound is a half semitone.
    assert early < -0.5 and late > 1.5 and late - early > 4.0
    fitted = engine.speak(TEXT, parse_emotion("0s calm; 1s angry"), "joe", duration_s=1.2 * neutral.duration_s)
    assert fitted.duration_s == pytest.approx(1.2 * neutral.duration_s, rel=0.03)


def test_bad_requests_are_refused_by_name(engine):
    with pytest.raises(TTSInputError, match="unknown"):
        engine.speak(TEXT, parse_emotion("happy"), "hal9000")
    with pytest.raises(TTSInputError, match="rate"):
        engine.speak(TEXT, parse_emotion("happy"), "joe", rate=9.0)
    with pytest.raises(TTSInputError, match=r"\.onnx"):
        engine.speak(TEXT, parse_emotion("happy"), "/nonexistent/voice.onnx")


def test_any_piper_voice_file_speaks(tmp_path, engine):
    model = joe_model_path()
    copy = tmp_path / "my-voice.onnx"
    copy.symlink_to(model)
    (tmp_path / "my-voice.onnx.json").write_text(model.with_name(model.name + ".json").read_text())
    speech = engine.speak("Good evening.", parse_emotion("calm"), str(copy))
    assert speech.duration_s > 0.4 and "my-voice" in engine.voices


def test_the_outside_measures():
    assert normalise_words("Twenty-one cats, 21 dogs!") == ["twenty", "one", "cats", "twenty", "one", "dogs"]
    assert word_error_rate(["the cat sat"], ["the cat sat"]) == 0.0
    assert word_error_rate(["the cat sat"], ["a cat"]) == pytest.approx(2 / 3)
    rate = 16000
    t = np.arange(rate) / rate
    tone = (0.3 * np.sin(2 * np.pi * 150 * t) * (1 + 0.2 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    padded = np.concatenate([np.zeros(rate // 2, np.float32), tone, np.zeros(rate // 2, np.float32)])
    assert speech_span_s(padded, rate) == pytest.approx(1.0, abs=0.03)
    same = fidelity(tone, rate, tone, rate)
    assert same.mcd_db == pytest.approx(0.0, abs=1e-6) and same.voicing_error == 0.0


def test_studio_and_cli_speak_with_joe_by_default(tmp_path, capsys):
    from synth.cli import main
    out = tmp_path / "out.wav"
    assert main(["speak", "It is a fine morning.", "--emotion", "happy", "-o", str(out), "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["voice"] == "joe" and line["decoder"] == "engine" and out.stat().st_size > 10000


def test_the_outside_evaluation_reports_every_measure(tmp_path, capsys):
    from train.evaluate_tts import main as evaluate_tts
    report_path = tmp_path / "report.json"
    assert evaluate_tts(["--voices", "joe", "--sentences", "1", "--detail-sentences", "1",
                         "--output", str(report_path)]) == 0          # no --corpus: the outside judges
    report = json.loads(report_path.read_text())
    joe = report["voices"]["joe"]
    assert set(joe["wer"]) == {"neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm"}
    assert 0.0 <= joe["wer_ceiling"] <= 0.6 and joe["categories"]["happy"]["f0_change_st"] > 2.0
    assert joe["categories"]["sad"]["f0_change_st"] < -1.5
    assert set(joe["descriptors"]) >= {"high pitch", "loud", "whispered"} and "joe" in report["bounds_met"]
    capsys.readouterr()
    assert evaluate_tts(["--tables", str(report_path)]) == 0
    assert "| joe |" in capsys.readouterr().out


def _pyin_f0(audio, sample_rate) -> np.ndarray:
    """Voiced F0 (Hz) by pyin: an estimator the decoder does not use, robust to a weak fundamental."""
    import librosa
    f0, voiced, _ = librosa.pyin(np.asarray(audio, dtype=np.float64), fmin=60, fmax=400, sr=sample_rate,
                                 frame_length=2048)
    return f0[voiced]


def test_neutral_keeps_joes_own_pitch_register(engine, neutral):
    """Piper renders joe almost without his fundamental, and WORLD's DIO once followed the second
    harmonic: neutral came out an octave up (pyin median 189 Hz against joe's 89) and sad above
    joe's own pitch. The octave check (synth/vocoder/octave.py) keeps joe's register."""
    from synth.render.engines import render

    raw = render(TEXT, "joe")
    raw_f0, out_f0 = _pyin_f0(raw.audio, raw.sample_rate), _pyin_f0(neutral.audio, neutral.sample_rate)
    assert raw_f0.size >= 20 and out_f0.size >= 20
    raw_median = float(np.median(raw_f0))
    assert abs(12.0 * np.log2(np.median(out_f0) / raw_median)) <= 1.5
    # no octave-up mode: about as few frames far above joe's median as joe's own rendering has
    assert np.mean(out_f0 > 1.5 * raw_median) <= np.mean(raw_f0 > 1.5 * raw_median) + 0.1
    sad = engine.speak(TEXT, parse_emotion("sad"), "joe")
    assert np.median(_pyin_f0(sad.audio, sad.sample_rate)) < min(np.median(out_f0), raw_median)
