"""The dub's picture: a talking head saying the whole track (a portrait, 'default' or
'cartoon'), or an existing video whose audio track is replaced by the dialogue, or mixed
with it (the video's own sound ducked under each cue), its picture copied untouched."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common.atomic import atomic_path
from common.audio_io import AudioFile, open_audio

from .script import DubScriptError

BUILT_IN_FACES = ("default", "cartoon")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v")
MAX_VIDEO_AUDIO_S = 4 * 3600.0


def video_kind(video: str) -> str:
    """'portrait' for a face to animate, 'video' for a film to re-voice."""
    suffix = Path(video).suffix.lower()
    if video in BUILT_IN_FACES or suffix in IMAGE_SUFFIXES:
        if video not in BUILT_IN_FACES and not Path(video).is_file():
            raise DubScriptError(f"--video: no portrait image at {video}")
        return "portrait"
    if suffix in VIDEO_SUFFIXES:
        if not Path(video).is_file():
            raise DubScriptError(f"--video: no video file at {video}")
        return "video"
    raise DubScriptError(f"--video takes default, cartoon, a portrait image ({', '.join(IMAGE_SUFFIXES)}) or a "
                         f"video ({', '.join(VIDEO_SUFFIXES)}); got {video!r}")


def face_source(video: str):
    if video == "cartoon":
        from synth.face.cartoon import DEFAULT
        return DEFAULT
    return None if video == "default" else video


def _ffmpeg(*arguments: str) -> None:
    from imageio_ffmpeg import get_ffmpeg_exe

    done = subprocess.run([get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *arguments],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise DubScriptError(f"ffmpeg failed: {done.stderr.strip()[-400:]}")


@contextmanager
def video_sound(video: Path, sample_rate: int) -> Iterator[AudioFile | None]:
    """The video's sound, mono at `sample_rate`, as a file read a block at a time (None when
    the video has no audio stream); the file is removed when the block ends."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "sound.wav"
        try:
            _ffmpeg("-i", str(video), "-vn", "-ac", "1", "-ar", str(sample_rate), str(wav))
        except DubScriptError:
            wav = None
        if wav is None or not wav.is_file() or wav.stat().st_size <= 44:
            yield None
        else:
            yield open_audio(wav, min_duration_s=0.0, max_duration_s=MAX_VIDEO_AUDIO_S)


def replace_audio(video: Path, audio: Path, output: Path) -> Path:
    """`video`'s picture (copied, not re-encoded) with `audio` as its sound (AAC), as long as
    the picture; written beside `output` and renamed into place."""
    with atomic_path(output, suffix=output.suffix) as temporary:   # ffmpeg reads the format from the suffix
        _ffmpeg("-i", str(video), "-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
                "-c:a", "aac", "-b:a", "192k", "-t", str(_video_seconds(video)), str(temporary))
    return output


def _video_seconds(video: Path) -> float:
    import imageio_ffmpeg

    try:
        frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(video))
    except (RuntimeError, OSError) as error:
        raise DubScriptError(f"--video {video} is not a readable video ({error})") from None
    if frames == 0:
        raise DubScriptError(f"--video {video} has no picture")
    return float(seconds)
