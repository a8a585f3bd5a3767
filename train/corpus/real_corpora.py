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

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

from conditioning import EmotionTarget, parse_emotion

logger = logging.getLogger(__name__)

AUDIO_SUFFIXES: frozenset[str] = frozenset({".wav", ".flac"})
UNSPECIFIED_INTENSITY = 0.6


class CorpusLayoutError(ValueError):
    """A corpus folder is missing or matches none of the supported layouts."""


@dataclass(frozen=True)
class CorpusItem:
    audio_path: Path
    text: str | None
    speaker: str
    emotion: EmotionTarget
    source: str
    original_label: str
    gender: str | None = None  # "female" / "male" where the corpus documents it


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str


# --- shared helpers -----------------------------------------------------------------------


@lru_cache(maxsize=None)
def _emotion(word: str, intensity: float) -> EmotionTarget:
    """A target from an emotion word of the shared vocabulary; neutral has no intensity."""
    if word == "neutral":
        return parse_emotion("neutral")
    return parse_emotion(f"{word}:{intensity:g}")


def _skip(skipped: list[SkippedFile] | None, path: Path, reason: str) -> None:
    logger.warning("skipping %s: %s", path, reason)
    if skipped is not None:
        skipped.append(SkippedFile(Path(path), reason))


def _check_folder(root: str | os.PathLike) -> Path:
    if root is None or str(root) == "":
        raise CorpusLayoutError("no corpus folder given")
    path = Path(root).expanduser()
    if not path.exists():
        raise CorpusLayoutError(f"corpus folder {str(path)!r} does not exist")
    if not path.is_dir():
        raise CorpusLayoutError(f"corpus path {str(path)!r} is a file, not a folder")
    return path


def _is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".")


def _audio_files(folder: Path) -> list[Path]:
    """Every audio file below ``folder``, sorted, hidden folders left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / name for name in filenames if _is_audio(Path(name)))
    return sorted(found)


def _subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read_text_file(path: Path) -> str:
    """Text files of released corpora are not all UTF-8; try the likely encodings."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".?!" else text + "."


# --- RAVDESS ------------------------------------------------------------------------------

RAVDESS_EMOTIONS: dict[str, str] = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad",
    "05": "angry", "06": "fearful", "07": "disgust", "08": "surprised",
}
RAVDESS_INTENSITIES: dict[str, tuple[str, float]] = {"01": ("normal", 0.5), "02": ("strong", 0.9)}
RAVDESS_STATEMENTS: dict[str, str] = {
    "01": "Kids are talking by the door.",
    "02": "Dogs are sitting by the door.",
}
_RAVDESS_RE = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")
_RAVDESS_ACTOR_DIR_RE = re.compile(r"^Actor_\d+$", re.IGNORECASE)


def read_ravdess(root: str | os.PathLike, *, skipped: list[SkippedFile] | None = None,
                 include_song: bool = False) -> Iterator[CorpusItem]:
    """RAVDESS recordings below ``root`` (the folder holding ``Actor_XX`` folders)."""
    return _ravdess_items(_check_folder(root), skipped, include_song)


def _ravdess_items(root: Path, skipped, include_song: bool) -> Iterator[CorpusItem]:
    for path in _audio_files(root):
        match = _RAVDESS_RE.match(path.stem)
        if not match:
            _skip(skipped, path, "not a RAVDESS name (expected 7 two-digit fields like "
                                 "03-01-05-02-01-01-12)")
            continue
        modality, channel, emotion, intensity, statement, _repetition, actor = match.groups()
        problem = None
        if modality not in ("01", "02", "03"):
            problem = f"unknown modality {modality}"
        elif channel not in ("01", "02"):
            problem = f"unknown vocal channel {channel}"
        elif emotion not in RAVDESS_EMOTIONS:
            problem = f"unknown emotion code {emotion}"
        elif intensity not in RAVDESS_INTENSITIES:
            problem = f"unknown intensity code {intensity}"
        elif statement not in RAVDESS_STATEMENTS:
            problem = f"unknown statement code {statement}"
        elif int(actor) == 0:
            problem = "actor 00"
        if problem:
            _skip(skipped, path, f"RAVDESS name with {problem}")
            continue
        if channel == "02" and not include_song:
            _skip(skipped, path, "sung, not spoken (vocal channel 02); include_song=True reads it")
            continue
        word = RAVDESS_EMOTIONS[emotion]
        level, value = RAVDESS_INTENSITIES[intensity]
        yield CorpusItem(
            audio_path=path,
            text=RAVDESS_STATEMENTS[statement],
            speaker=f"ravdess_{actor}",
            emotion=_emotion(word, value),
            source="ravdess",
            original_label=f"{word}/{level}",
            gender="male" if int(actor) % 2 else "female",
        )


# --- CREMA-D ------------------------------------------------------------------------------

CREMA_D_SENTENCES: dict[str, str] = {
    "IEO": "It's eleven o'clock.",
    "TIE": "That is exactly what happened.",
    "IOM": "I'm on my way to the meeting.",
    "IWW": "I wonder what this is about.",
    "TAI": "The airplane is almost full.",
    "MTI": "Maybe tomorrow it will be cold.",
    "IWL": "I would like a new alarm clock.",
    "ITH": "I think I have a doctor's appointment.",
    "DFA": "Don't forget a jacket.",
    "ITS": "I think I've seen this before.",
    "TSI": "The surface is slick.",
    "WSI": "We'll stop in a couple of minutes.",
}
CREMA_D_EMOTIONS: dict[str, str] = {
    "ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad",
}
CREMA_D_LEVELS: dict[str, float] = {"LO": 0.3, "MD": 0.6, "HI": 0.9, "XX": UNSPECIFIED_INTENSITY}
_CREMA_RE = re.compile(r"^(\d{4})_([A-Za-z]{3})_([A-Za-z]{3})_([A-Za-z]{2})$")


def read_crema_d(root: str | os.PathLike, *,
                 skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """CREMA-D recordings: ``root`` holds ``AudioWAV/`` (or is that folder itself)."""
    return _crema_items(_check_folder(root), skipped)


def _crema_demographics(root: Path) -> dict[str, str]:
    for folder in (root, root.parent):
        table = folder / "VideoDemographics.csv"
        if table.is_file():
            try:
                rows = csv.DictReader(_read_text_file(table).splitlines())
                return {row["ActorID"].strip(): row["Sex"].strip().lower()
                        for row in rows if row.get("ActorID") and row.get("Sex")}
            except (KeyError, csv.Error, OSError) as error:
                logger.warning("ignoring %s: %s", table, error)
    return {}


def _crema_items(root: Path, skipped) -> Iterator[CorpusItem]:
    audio_root = root / "AudioWAV" if (root / "AudioWAV").is_dir() else root
    sexes = _crema_demographics(root)
    for path in _audio_files(audio_root):
        match = _CREMA_RE.match(path.stem)
        if not match:
            _skip(skipped, path, "not a CREMA-D name (expected ACTOR_SENTENCE_EMOTION_LEVEL "
                                 "like 1001_DFA_ANG_XX)")
            continue
        actor, sentence, emotion, level = (g.upper() for g in match.groups())
        if sentence not in CREMA_D_SENTENCES:
            _skip(skipped, path, f"unknown CREMA-D sentence code {sentence}")
            continue
        if emotion not in CREMA_D_EMOTIONS:
            _skip(skipped, path, f"unknown CREMA-D emotion code {emotion}")
            continue
        if level not in CREMA_D_LEVELS:
            _skip(skipped, path, f"unknown CREMA-D level {level}")
            continue
        yield CorpusItem(
            audio_path=path,
            text=CREMA_D_SENTENCES[sentence],
            speaker=f"cremad_{actor}",
            emotion=_emotion(CREMA_D_EMOTIONS[emotion], CREMA_D_LEVELS[level]),
            source="crema-d",
            original_label=f"{emotion}_{level}",
            gender=sexes.get(actor),
        )


# --- ESD ----------------------------------------------------------------------------------

ESD_EMOTIONS: dict[str, str] = {
    "neutral": "neutral", "angry": "angry", "happy": "happy", "sad": "sad", "surprise": "surprise",
}
# From the corpus README: 0001-0010 Mandarin, 0011-0020 English.
ESD_GENDERS: dict[str, str] = {
    **{s: "female" for s in ("0001", "0002", "0003", "0007", "0009",
                             "0015", "0016", "0017", "0018", "0019")},
    **{s: "male" for s in ("0004", "0005", "0006", "0008", "0010",
                           "0011", "0012", "0013", "0014", "0020")},
}
_ESD_SPEAKER_RE = re.compile(r"^\d{4}$")


def read_esd(root: str | os.PathLike, *,
             skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """ESD recordings: ``root`` holds the speaker folders ``0011`` ... ``0020``."""
    return _esd_items(_check_folder(root), skipped)


def _esd_transcript(speaker_dir: Path) -> dict[str, str]:
    table = speaker_dir / f"{speaker_dir.name}.txt"
    if not table.is_file():
        return {}
    texts = {}
    for line in _read_text_file(table).splitlines():
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            continue
        texts[fields[0]] = fields[1]
    return texts


def _esd_items(root: Path, skipped) -> Iterator[CorpusItem]:
    for speaker_dir in _subdirs(root):
        if not _ESD_SPEAKER_RE.match(speaker_dir.name):
            continue
        speaker = speaker_dir.name
        texts = _esd_transcript(speaker_dir)
        file_re = re.compile(rf"^{speaker}_\d{{6}}$")
        for path in _audio_files(speaker_dir):
            parts = path.relative_to(speaker_dir).parts
            if len(parts) < 2:
                _skip(skipped, path, "ESD audio must sit in an emotion folder (Angry, Happy, "
                                     "Neutral, Sad, Surprise)")
                continue
            emotion_folder = parts[0]
            word = ESD_EMOTIONS.get(emotion_folder.lower())
            if word is None:
                _skip(skipped, path, f"unknown ESD emotion folder {emotion_folder!r}")
                continue
            if not file_re.match(path.stem):
                _skip(skipped, path, f"not an ESD name (expected {speaker}_NNNNNN)")
                continue
            text = texts.get(path.stem)
            yield CorpusItem(
                audio_path=path,
                text=_sentence(text) if text else None,
                speaker=f"esd_{speaker}",
                emotion=_emotion(word, UNSPECIFIED_INTENSITY),
                source="esd",
                original_label=emotion_folder,
                gender=ESD_GENDERS.get(speaker),
            )


# --- EmoV-DB ------------------------------------------------------------------------------

EMOV_DB_EMOTIONS: dict[str, str] = {
    "neutral": "neutral", "amused": "amused", "amusement": "amused", "angry": "angry",
    "anger": "angry", "sleepy": "sleepy", "sleepiness": "sleepy", "disgust": "disgust",
    "disgusted": "disgust",
}
EMOV_DB_GENDERS: dict[str, str] = {"bea": "female", "jenie": "female", "josh": "male", "sam": "male"}
_EMOV_RE = re.compile(
    r"^(?:(?P<speaker>[A-Za-z]+)_)?(?P<emotion>[A-Za-z]+)_(?P<range>\d+-\d+)_(?P<number>\d{4})$"
)
_ARCTIC_LINE_RE = re.compile(r'^\(\s*(\S+)\s+"(.*)"\s*\)\s*$')


def read_emov_db(root: str | os.PathLike, *,
                 skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """EmoV-DB recordings below ``root`` (speaker folders, or flat speaker-prefixed files)."""
    return _emov_items(_check_folder(root), skipped)


def _arctic_prompts(root: Path) -> dict[int, str]:
    """Prompt number (1-based position in cmuarctic.data, arctic_a0001 = 1) -> text."""
    table = root / "cmuarctic.data"
    if not table.is_file():
        return {}
    prompts: dict[int, str] = {}
    for line in _read_text_file(table).splitlines():
        match = _ARCTIC_LINE_RE.match(line.strip())
        if match:
            prompts[len(prompts) + 1] = match.group(2).strip()
    return prompts


def _emov_speaker(path: Path, root: Path) -> str | None:
    """The speaker from the folders between root and the file (``bea``, ``bea_Amused``)."""
    for part in path.relative_to(root).parts[:-1]:
        name = part.split("_", 1)[0].lower()
        if name and name not in EMOV_DB_EMOTIONS:
            return name
    # Pointed at one speaker's folder: only a known speaker's name is trusted.
    return root.name.lower() if root.name.lower() in EMOV_DB_GENDERS else None


def _emov_items(root: Path, skipped) -> Iterator[CorpusItem]:
    prompts = _arctic_prompts(root)
    for path in _audio_files(root):
        match = _EMOV_RE.match(path.stem)
        if not match:
            _skip(skipped, path, "not an EmoV-DB name (expected EMOTION_RANGE_NNNN like "
                                 "amused_1-15_0001, optionally SPEAKER_ first)")
            continue
        label = match["emotion"]
        word = EMOV_DB_EMOTIONS.get(label.lower())
        if word is None:
            _skip(skipped, path, f"unknown EmoV-DB emotion {label!r}")
            continue
        speaker = (match["speaker"] or "").lower() or _emov_speaker(path, root)
        if not speaker:
            _skip(skipped, path, "no speaker: put the file in a speaker folder (bea/, jenie/, "
                                 "josh/, sam/) or name it SPEAKER_EMOTION_RANGE_NNNN")
            continue
        text = prompts.get(int(match["number"]))
        yield CorpusItem(
            audio_path=path,
            text=_sentence(text) if text else None,
            speaker=f"emovdb_{speaker}",
            emotion=_emotion(word, UNSPECIFIED_INTENSITY),
            source="emov-db",
            original_label=label,
            gender=EMOV_DB_GENDERS.get(speaker),
        )


# --- LJSpeech-style -----------------------------------------------------------------------


def read_ljspeech(root: str | os.PathLike, *, speaker: str = "ljspeech",
                  emotion: object = "neutral",
                  skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """``metadata.csv`` (``id|text|normalized_text``) + ``wavs/<id>.wav``, one speaker.

    The normalised text is used where the line has one; ``emotion`` is anything
    ``parse_emotion`` reads (a timeline is refused: a corpus label is one emotion).
    """
    folder = _check_folder(root)
    if not (folder / "metadata.csv").is_file():
        raise CorpusLayoutError(f"{str(folder)!r} has no metadata.csv (LJSpeech layout: "
                                "metadata.csv with id|text|normalized_text lines and wavs/ID.wav)")
    if not isinstance(speaker, str) or not speaker.strip():
        raise ValueError("speaker must be a non-empty name")
    target = parse_emotion(emotion)
    if not isinstance(target, EmotionTarget):
        raise ValueError("a corpus emotion must be one emotion, not a timeline")
    label = emotion if isinstance(emotion, str) else str(target)
    return _ljspeech_items(folder, speaker.strip(), target, label, skipped)


def _ljspeech_items(root: Path, speaker: str, target: EmotionTarget, label: str,
                    skipped) -> Iterator[CorpusItem]:
    metadata = root / "metadata.csv"
    wavs = root / "wavs"
    listed: set[str] = set()
    for number, line in enumerate(_read_text_file(metadata).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        utterance = fields[0].strip()
        texts = [field.strip() for field in fields[1:3] if field.strip()]
        if not utterance or not texts:
            _skip(skipped, metadata, f"line {number}: expected id|text|normalized_text")
            continue
        listed.add(utterance)
        audio = wavs / f"{utterance}.wav"
        if not audio.is_file():
            _skip(skipped, audio, f"listed on line {number} of metadata.csv but missing")
            continue
        yield CorpusItem(
            audio_path=audio,
            text=texts[-1],
            speaker=speaker,
            emotion=target,
            source="ljspeech",
            original_label=label,
        )
    if wavs.is_dir():
        for path in _audio_files(wavs):
            if path.stem not in listed:
                _skip(skipped, path, "not listed in metadata.csv")


# --- detection ----------------------------------------------------------------------------

LAYOUT_EXAMPLES: dict[str, str] = {
    "ravdess": "RAVDESS: Actor_01/03-01-05-02-01-01-01.wav",
    "crema-d": "CREMA-D: AudioWAV/1001_DFA_ANG_XX.wav",
    "esd": "ESD: 0011/Angry/0011_000351.wav with 0011/0011.txt",
    "emov-db": "EmoV-DB: bea/amused/amused_1-15_0001.wav or bea_amused_1-15_0001.wav",
    "ljspeech": "LJSpeech-style: metadata.csv (id|text|normalized_text) with wavs/ID.wav",
}
_PEEK = 64  # directory entries looked at per folder while detecting


def _peek(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in islice(
                (e for e in entries if not e.name.startswith(".")), _PEEK)]
    except OSError:
        return []


def _any_audio_named(folder: Path, pattern: re.Pattern) -> bool:
    return any(_is_audio(p) and p.is_file() and pattern.match(p.stem) for p in _peek(folder))


def _looks_ravdess(root: Path) -> bool:
    return (any(p.is_dir() and _RAVDESS_ACTOR_DIR_RE.match(p.name) for p in _peek(root))
            or _any_audio_named(root, _RAVDESS_RE))


def _looks_crema_d(root: Path) -> bool:
    return (root / "AudioWAV").is_dir() or _any_audio_named(root, _CREMA_RE)


def _looks_esd(root: Path) -> bool:
    for speaker in _peek(root):
        if speaker.is_dir() and _ESD_SPEAKER_RE.match(speaker.name):
            if any(p.is_dir() and p.name.lower() in ESD_EMOTIONS for p in _peek(speaker)):
                return True
    return False


def _looks_emov_db(root: Path) -> bool:
    if _any_audio_named(root, _EMOV_RE):
        return True
    for child in _peek(root):
        if not child.is_dir():
            continue
        if _any_audio_named(child, _EMOV_RE):
            return True
        if any(g.is_dir() and _any_audio_named(g, _EMOV_RE) for g in _peek(child)):
            return True
    return False


def _looks_ljspeech(root: Path) -> bool:
    return (root / "metadata.csv").is_file()


_DETECTORS: tuple[tuple[str, Callable[[Path], bool]], ...] = (
    ("ljspeech", _looks_ljspeech),
    ("ravdess", _looks_ravdess),
    ("crema-d", _looks_crema_d),
    ("esd", _looks_esd),
    ("emov-db", _looks_emov_db),
)


def _expected() -> str:
    return "; ".join(LAYOUT_EXAMPLES.values())


def _resolve(root: str | os.PathLike) -> tuple[str, Path]:
    """(layout, folder to read): descends through up to two lone wrapper folders."""
    folder = _check_folder(root)
    candidate = folder
    for _ in range(3):
        matches = [name for name, looks in _DETECTORS if looks(candidate)]
        if len(matches) > 1:
            raise CorpusLayoutError(
                f"{str(candidate)!r} matches several corpus layouts ({', '.join(matches)}); "
                "point at the folder of one corpus")
        if matches:
            return matches[0], candidate
        children = _subdirs(candidate)
        files = [p for p in _peek(candidate) if p.is_file()]
        if len(children) != 1 or any(_is_audio(p) for p in files):
            break
        candidate = children[0]
    raise CorpusLayoutError(
        f"{str(folder)!r} is not a corpus folder this reader knows; expected one of: "
        f"{_expected()}")


def detect_corpus(root: str | os.PathLike) -> str:
    """The layout of the corpus at ``root``: one of ``LAYOUT_EXAMPLES``' keys."""
    return _resolve(root)[0]


def read_corpus(root: str | os.PathLike, *, speaker: str | None = None,
                skipped: list[SkippedFile] | None = None,
                include_song: bool = False) -> Iterator[CorpusItem]:
    """Detect the layout of ``root`` and read it (errors at call time, not first use).

    ``speaker`` names the speaker of an LJSpeech-style corpus (default: the folder name);
    ``include_song`` reads RAVDESS song files too.
    """
    layout, folder = _resolve(root)
    if layout == "ljspeech":
        return read_ljspeech(folder, speaker=speaker or folder.name or "ljspeech",
                             skipped=skipped)
    if layout == "ravdess":
        return read_ravdess(folder, skipped=skipped, include_song=include_song)
    return READERS[layout](folder, skipped=skipped)


READERS: dict[str, Callable[..., Iterator[CorpusItem]]] = {
    "ravdess": read_ravdess,
    "crema-d": read_crema_d,
    "esd": read_esd,
    "emov-db": read_emov_db,
    "ljspeech": read_ljspeech,
}

__all__ = [
    "AUDIO_SUFFIXES", "CorpusItem", "CorpusLayoutError", "LAYOUT_EXAMPLES", "READERS",
    "SkippedFile", "UNSPECIFIED_INTENSITY", "detect_corpus", "read_corpus", "read_crema_d",
    "read_emov_db", "read_esd", "read_ljspeech", "read_ravdess",
]
