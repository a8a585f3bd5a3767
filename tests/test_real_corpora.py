"""Readers of real emotional corpora on tiny fixture trees of each layout."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conditioning import EmotionTarget
from train.corpus.real_corpora import (
    CorpusItem,
    CorpusLayoutError,
    SkippedFile,
    detect_corpus,
    read_corpus,
    read_crema_d,
    read_emov_db,
    read_esd,
    read_ljspeech,
    read_ravdess,
)

_SILENCE = np.zeros(1600, dtype=np.float32)  # 0.1 s at 16 kHz


def wav(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, _SILENCE, 16000)
    return path


def by_name(items: list[CorpusItem]) -> dict[str, CorpusItem]:
    return {item.audio_path.name: item for item in items}


# --- fixture trees --------------------------------------------------------------------------


@pytest.fixture
def ravdess(tmp_path: Path) -> Path:
    root = tmp_path / "RAVDESS"
    wav(root / "Actor_01" / "03-01-05-02-01-01-01.wav")  # angry strong, kids, male
    wav(root / "Actor_01" / "03-01-01-01-02-02-01.wav")  # neutral, dogs
    wav(root / "Actor_02" / "03-01-03-01-02-01-02.wav")  # happy normal, female
    wav(root / "Actor_02" / "03-01-08-02-01-02-02.wav")  # surprised strong
    wav(root / "Actor_02" / "03-02-04-01-01-01-02.wav")  # song: skipped by default
    wav(root / "Actor_02" / "03-01-09-01-01-01-02.wav")  # emotion 09 does not exist
    wav(root / "Actor_02" / "take2.wav")  # not a RAVDESS name
    (root / "Actor_02" / "notes.txt").write_text("not audio, ignored")
    return root


@pytest.fixture
def crema_d(tmp_path: Path) -> Path:
    root = tmp_path / "CREMA-D"
    for name in ("1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_TSI_SAD_LO", "1002_WSI_NEU_XX",
                 "1091_MTI_FEA_MD", "1001_XYZ_ANG_HI", "1001_DFA_ANG"):
        wav(root / "AudioWAV" / f"{name}.wav")
    (root / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n"
        "1002,21,Female,Caucasian,Not Hispanic\n")
    return root


@pytest.fixture
def esd(tmp_path: Path) -> Path:
    root = tmp_path / "ESD"
    wav(root / "0011" / "Neutral" / "0011_000001.wav")
    wav(root / "0011" / "Angry" / "0011_000351.wav")
    wav(root / "0011" / "Surprise" / "test" / "0011_001401.wav")  # released split folders
    wav(root / "0011" / "Angry" / "0011_351.wav")  # malformed id
    wav(root / "0011" / "Bored" / "0011_000999.wav")  # unknown emotion folder
    (root / "0011" / "0011.txt").write_text(
        "0011_000001\tThe flat is on the second floor.\tNeutral\n"
        "0011_000351\tThe flat is on the second floor\tAngry\n"
        "0011_001401\tA short walk to the shop.\tSurprise\n", encoding="utf-8")
    wav(root / "0016" / "Happy" / "0016_000701.wav")  # no transcript file -> text None
    return root


@pytest.fixture
def emov_db(tmp_path: Path) -> Path:
    root = tmp_path / "EmoV-DB"
    wav(root / "bea" / "amused" / "amused_1-15_0001.wav")
    wav(root / "bea" / "sleepiness_1-28_0002.wav")
    wav(root / "sam" / "Anger" / "anger_29-56_0003.wav")
    wav(root / "sam" / "disgust" / "disgust_1-28_0009.wav")  # prompt 9 not in the file
    wav(root / "josh" / "neutral" / "neutral-take.wav")  # malformed
    wav(root / "josh" / "neutral" / "bored_1-28_0001.wav")  # unknown emotion
    (root / "cmuarctic.data").write_text(
        '( arctic_a0001 "A small tin box stood on the shelf." )\n'
        '( arctic_a0002 "The morning train was late again." )\n'
        '( arctic_a0003 "Fold the map before the wind takes it." )\n')
    return root


@pytest.fixture
def emov_flat(tmp_path: Path) -> Path:
    root = tmp_path / "emov_flat"
    wav(root / "bea_amused_1-15_0001.wav")
    wav(root / "jenie_neutral_1-28_0002.wav")
    wav(root / "josh_sleepy_1-28_0003.wav")
    return root


@pytest.fixture
def ljspeech(tmp_path: Path) -> Path:
    root = tmp_path / "my_voice"
    wav(root / "wavs" / "LJ001-0001.wav")
    wav(root / "wavs" / "LJ001-0002.wav")
    wav(root / "wavs" / "stray.wav")  # not listed
    (root / "metadata.csv").write_text(
        "LJ001-0001|Printing, in 1 sense|Printing, in one sense\n"
        "LJ001-0002|in being comparatively modern.|\n"
        "LJ001-0003|listed but never recorded|listed but never recorded\n"
        "broken line without text\n", encoding="utf-8")
    return root


# --- readers --------------------------------------------------------------------------------


def test_ravdess(ravdess):
    skipped: list[SkippedFile] = []
    items = list(read_ravdess(ravdess, skipped=skipped))
    assert len(items) == 4
    got = by_name(items)
    angry = got["03-01-05-02-01-01-01.wav"]
    assert isinstance(angry.emotion, EmotionTarget)
    assert angry.emotion.category == "angry" and angry.emotion.intensity == pytest.approx(0.9)
    assert angry.text == "Kids are talking by the door."
    assert angry.speaker == "ravdess_01" and angry.gender == "male"
    assert angry.source == "ravdess" and angry.original_label == "angry/strong"
    neutral = got["03-01-01-01-02-02-01.wav"]
    assert neutral.emotion.category == "neutral" and neutral.emotion.intensity == 0.0
    assert neutral.text == "Dogs are sitting by the door."
    happy = got["03-01-03-01-02-01-02.wav"]
    assert happy.emotion.category == "happy" and happy.emotion.intensity == pytest.approx(0.5)
    assert happy.speaker == "ravdess_02" and happy.gender == "female"
    assert got["03-01-08-02-01-02-02.wav"].emotion.category == "surprised"
    reasons = {s.path.name: s.reason for s in skipped}
    assert set(reasons) == {"03-02-04-01-01-01-02.wav", "03-01-09-01-01-01-02.wav", "take2.wav"}
    assert "sung" in reasons["03-02-04-01-01-01-02.wav"]
    assert "emotion code 09" in reasons["03-01-09-01-01-01-02.wav"]


def test_ravdess_song_on_request(ravdess):
    items = list(read_ravdess(ravdess, include_song=True))
    sung = by_name(items)["03-02-04-01-01-01-02.wav"]
    assert sung.emotion.category == "sad"


def test_crema_d(crema_d):
    skipped: list[SkippedFile] = []
    items = list(read_crema_d(crema_d, skipped=skipped))
    assert len(items) == 5
    got = by_name(items)
    angry = got["1001_DFA_ANG_XX.wav"]
    assert angry.text == "Don't forget a jacket."
    assert angry.emotion.category == "angry" and angry.emotion.intensity == pytest.approx(0.6)
    assert angry.speaker == "cremad_1001" and angry.gender == "male"
    assert angry.original_label == "ANG_XX" and angry.source == "crema-d"
    happy = got["1001_IEO_HAP_HI.wav"]
    assert happy.text == "It's eleven o'clock." and happy.emotion.intensity == pytest.approx(0.9)
    sad = got["1002_TSI_SAD_LO.wav"]
    assert sad.emotion.category == "sad" and sad.emotion.intensity == pytest.approx(0.3)
    assert sad.text == "The surface is slick." and sad.gender == "female"
    assert got["1002_WSI_NEU_XX.wav"].emotion.category == "neutral"
    fear = got["1091_MTI_FEA_MD.wav"]
    assert fear.emotion.category == "fearful" and fear.emotion.intensity == pytest.approx(0.6)
    assert fear.text == "Maybe tomorrow it will be cold." and fear.gender is None
    assert {s.path.name for s in skipped} == {"1001_XYZ_ANG_HI.wav", "1001_DFA_ANG.wav"}


def test_crema_d_pointed_at_audio_folder(crema_d):
    assert len(list(read_crema_d(crema_d / "AudioWAV"))) == 5


def test_esd(esd):
    skipped: list[SkippedFile] = []
    items = list(read_esd(esd, skipped=skipped))
    assert len(items) == 4
    got = by_name(items)
    neutral = got["0011_000001.wav"]
    assert neutral.text == "The flat is on the second floor."
    assert neutral.emotion.category == "neutral" and neutral.speaker == "esd_0011"
    angry = got["0011_000351.wav"]
    assert angry.text == "The flat is on the second floor."  # final stop added
    assert angry.emotion.category == "angry" and angry.emotion.intensity == pytest.approx(0.6)
    assert angry.original_label == "Angry" and angry.gender == "male"
    surprise = got["0011_001401.wav"]
    assert surprise.emotion.category == "surprised" and surprise.text == "A short walk to the shop."
    happy = got["0016_000701.wav"]
    assert happy.text is None and happy.speaker == "esd_0016" and happy.gender == "female"
    assert {s.path.name for s in skipped} == {"0011_351.wav", "0011_000999.wav"}


def test_emov_db_nested(emov_db):
    skipped: list[SkippedFile] = []
    items = list(read_emov_db(emov_db, skipped=skipped))
    assert len(items) == 4
    got = by_name(items)
    amused = got["amused_1-15_0001.wav"]
    assert amused.speaker == "emovdb_bea" and amused.gender == "female"
    assert amused.emotion.category == "happy" and amused.original_label == "amused"
    assert amused.text == "A small tin box stood on the shelf."
    sleepy = got["sleepiness_1-28_0002.wav"]
    assert sleepy.speaker == "emovdb_bea" and sleepy.emotion.category == "calm"
    assert sleepy.text == "The morning train was late again."
    anger = got["anger_29-56_0003.wav"]
    assert anger.speaker == "emovdb_sam" and anger.emotion.category == "angry"
    assert anger.emotion.intensity == pytest.approx(0.6)
    assert got["disgust_1-28_0009.wav"].text is None
    assert got["disgust_1-28_0009.wav"].emotion.category == "disgusted"
    assert {s.path.name for s in skipped} == {"neutral-take.wav", "bored_1-28_0001.wav"}


def test_emov_db_flat_without_transcripts(emov_flat):
    items = list(read_emov_db(emov_flat))
    assert [(i.speaker, i.emotion.category, i.text) for i in items] == [
        ("emovdb_bea", "happy", None),
        ("emovdb_jenie", "neutral", None),
        ("emovdb_josh", "calm", None),
    ]


def test_ljspeech(ljspeech):
    skipped: list[SkippedFile] = []
    items = list(read_ljspeech(ljspeech, speaker="narrator", skipped=skipped))
    assert [i.audio_path.name for i in items] == ["LJ001-0001.wav", "LJ001-0002.wav"]
    assert items[0].text == "Printing, in one sense"  # the normalised column
    assert items[1].text == "in being comparatively modern."  # falls back to the text column
    assert all(i.speaker == "narrator" and i.emotion.category == "neutral" for i in items)
    assert all(i.source == "ljspeech" for i in items)
    reasons = [s.reason for s in skipped]
    assert any("line 3" in r and "missing" in r for r in reasons)
    assert any("line 4" in r for r in reasons)
    assert any(s.path.name == "stray.wav" for s in skipped)


def test_ljspeech_with_an_emotion(ljspeech):
    items = list(read_ljspeech(ljspeech, emotion="sad:0.4"))
    assert items[0].emotion.category == "sad" and items[0].emotion.intensity == pytest.approx(0.4)
    assert items[0].speaker == "ljspeech"
    with pytest.raises(ValueError):
        read_ljspeech(ljspeech, emotion="0s happy; 2s sad")


# --- detection and read_corpus ----------------------------------------------------------------


def test_detection(ravdess, crema_d, esd, emov_db, emov_flat, ljspeech):
    assert detect_corpus(ravdess) == "ravdess"
    assert detect_corpus(ravdess / "Actor_01") == "ravdess"
    assert detect_corpus(crema_d) == "crema-d"
    assert detect_corpus(crema_d / "AudioWAV") == "crema-d"
    assert detect_corpus(esd) == "esd"
    assert detect_corpus(emov_db) == "emov-db"
    assert detect_corpus(emov_flat) == "emov-db"
    assert detect_corpus(str(ljspeech)) == "ljspeech"


def test_detection_through_a_wrapper_folder(tmp_path):
    wav(tmp_path / "download" / "Emotion Speech Dataset" / "0012" / "Sad" / "0012_001051.wav")
    (tmp_path / "download" / "README.txt").write_text("readme")
    assert detect_corpus(tmp_path / "download") == "esd"
    items = list(read_corpus(tmp_path / "download"))
    assert [(i.speaker, i.emotion.category) for i in items] == [("esd_0012", "sad")]


def test_read_corpus_dispatches(ravdess, crema_d, esd, emov_db, ljspeech):
    assert len(list(read_corpus(ravdess))) == 4
    assert len(list(read_corpus(crema_d))) == 5
    assert len(list(read_corpus(esd))) == 4
    assert len(list(read_corpus(emov_db))) == 4
    lj = list(read_corpus(ljspeech))
    assert len(lj) == 2 and lj[0].speaker == "my_voice"
    assert list(read_corpus(ljspeech, speaker="anna"))[0].speaker == "anna"


def test_read_corpus_reports_skipped_files_with_a_warning(ravdess, caplog):
    skipped: list[SkippedFile] = []
    with caplog.at_level(logging.WARNING, logger="train.corpus.real_corpora"):
        items = list(read_corpus(ravdess, skipped=skipped))
    assert len(items) == 4 and len(skipped) == 3
    assert "take2.wav" in caplog.text


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(CorpusLayoutError, match="expected one of") as error:
        detect_corpus(tmp_path)
    for name in ("RAVDESS", "CREMA-D", "ESD", "EmoV-DB", "LJSpeech"):
        assert name in str(error.value)
    with pytest.raises(CorpusLayoutError):
        read_corpus(tmp_path)  # raised at call time, before iteration


def test_folder_of_unrelated_audio_is_an_error(tmp_path):
    wav(tmp_path / "holiday.wav")
    wav(tmp_path / "other" / "song.wav")
    with pytest.raises(CorpusLayoutError, match="not a corpus folder"):
        read_corpus(tmp_path)


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(CorpusLayoutError, match="does not exist"):
        read_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusLayoutError, match="does not exist"):
        read_ravdess(tmp_path / "nowhere")
    (tmp_path / "file.wav").write_bytes(b"")
    with pytest.raises(CorpusLayoutError, match="not a folder"):
        detect_corpus(tmp_path / "file.wav")


def test_ambiguous_folder_is_an_error(tmp_path):
    wav(tmp_path / "Actor_01" / "03-01-05-02-01-01-01.wav")
    wav(tmp_path / "AudioWAV" / "1001_DFA_ANG_XX.wav")
    with pytest.raises(CorpusLayoutError, match="several"):
        detect_corpus(tmp_path)
