"""Readers for real emotional speech corpora, so voices can be trained on recordings.

Each reader walks one corpus layout and yields a ``CorpusItem`` per recording, with the
emotion in the shared emotion space (``conditioning.parse_emotion``). Supported layouts,
as the corpora are distributed:

``ravdess``
    ``Actor_01/03-01-05-02-01-01-01.wav``: seven two-digit fields, modality (01 full AV,
    02 video only, 03 audio only), vocal channel (01 speech, 02 song), emotion (01 neutral,
    02 calm, 03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised), intensity
    (01 normal -> 0.5, 02 strong -> 0.9), statement (01 "Kids are talking by the door",
    02 "Dogs are sitting by the door"), repetition, actor (odd male, even female). Song
    files are skipped unless ``include_song=True``: sung audio does not teach a speaking voice.
``crema-d``
    ``AudioWAV/1001_DFA_ANG_XX.wav``: actor, sentence code (one of 12 fixed sentences),
    emotion (ANG, DIS, FEA, HAP, NEU, SAD), level (LO 0.3, MD 0.6, HI 0.9, XX unspecified
    0.6). ``VideoDemographics.csv`` next to ``AudioWAV``, when present, gives the actors' sex.
``esd``
    ``0011/Angry/0011_000351.wav`` (or with ``train/``, ``evaluation/``, ``test/`` folders
    under each emotion, as released) plus per-speaker transcripts ``0011/0011.txt`` with
    tab-separated lines ``0011_000351<TAB>text<TAB>Emotion``. Emotions Neutral, Angry,
    Happy, Sad, Surprise, intensity unspecified (0.6).
``emov-db``
    ``bea/amused/amused_1-15_0001.wav``, ``bea/amused_1-15_0001.wav`` or flat
    ``bea_amused_1-15_0001.wav``; emotions neutral, amused, angry/anger, sleepy/sleepiness,
    disgust, intensity unspecified (0.6). The last four digits number the CMU ARCTIC prompt;
    the text comes from ``cmuarctic.data`` in the corpus folder when present (N-th prompt),
    else ``None``.
``ljspeech``
    ``metadata.csv`` with ``id|text|normalized_text`` lines and ``wavs/<id>.wav``; one
    speaker (named by the caller) and one emotion (neutral unless the caller says otherwise).

Neutral recordings get ``parse_emotion("neutral")`` (intensity 0) whatever level the file
name states: the emotion space has no degrees of neutrality.

Speakers are prefixed with the corpus (``ravdess_01``, ``cremad_1001``, ``esd_0011``,
``emovdb_bea``) so corpora can be pooled without speaker ids colliding.

Files that look like audio but do not fit the layout are skipped, never fatal: each one is
logged as a warning and, when the caller passes a list as ``skipped``, appended to it as a
``SkippedFile`` with the reason. A folder that fits no layout, or does not exist, raises
``CorpusLayoutError`` saying what was expected.

>>> items = read_corpus("/data/RAVDESS", skipped=(skipped := []))  # doctest: +SKIP
"""


from .common import AUDIO_SUFFIXES, UNSPECIFIED_INTENSITY, CorpusItem, CorpusLayoutError, SkippedFile
from .crema_d import read_crema_d
from .detect import LAYOUT_EXAMPLES, READERS, detect_corpus, read_corpus
from .emov_db import read_emov_db
from .esd import read_esd
from .ljspeech import read_ljspeech
from .ravdess import read_ravdess

__all__ = [
    "AUDIO_SUFFIXES", "CorpusItem", "CorpusLayoutError", "LAYOUT_EXAMPLES", "READERS",
    "SkippedFile", "UNSPECIFIED_INTENSITY", "detect_corpus", "read_corpus", "read_crema_d",
    "read_emov_db", "read_esd", "read_ljspeech", "read_ravdess",
]
