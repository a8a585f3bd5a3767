"""Frames (+ audio) -> MP4 (H.264 + AAC), through the ffmpeg that imageio-ffmpeg bundles.

Frames stream to ffmpeg's stdin as raw RGB, so a long video never sits in memory. The audio
is padded or trimmed to exactly frames / fps seconds (the video's length is what the frames
say, not whichever stream ends first), written to a temporary WAV and muxed as AAC.

Everything is written to a temporary file beside the target and renamed into place at the
end: a failure (bad frame, ffmpeg error, interrupted generator) leaves nothing at `path`.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import soundfile

VIDEO_CODEC = "libx264"
AUDIO_CODEC = "aac"
AUDIO_BITRATE = "160k"
CRF = 18                       # visually lossless for talking heads, still small
PRESET = "veryfast"            # rendering, not encoding, should be the bottleneck
MAX_FPS = 120.0


class VideoWriteError(RuntimeError):
    """ffmpeg could not write the video; the message carries the end of its log."""


@dataclass(frozen=True)
class VideoInfo:
    frames: int
    fps: float
    duration_s: float
    width: int
    height: int
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None


def _even(frame: np.ndarray) -> np.ndarray:
    """yuv420p halves the chroma resolution: both sides must be even. Repeat the last row or
    column rather than cut the picture."""
    height, width = frame.shape[:2]
    if height % 2 or width % 2:
        frame = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    return frame


def _checked_frame(frame: np.ndarray, index: int, shape: tuple[int, ...] | None) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame {index} must be (H, W, 3) uint8 RGB; got {frame.shape} {frame.dtype}")
    if shape is not None and frame.shape != shape:
        raise ValueError(f"frame {index} is {frame.shape}, but the video's frames are {shape}")
    return frame


def _fitted_audio(audio: np.ndarray, sample_rate: int, seconds: float) -> np.ndarray:
    """Mono (n,) or (n, channels) float audio cut or zero-padded to `seconds`."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim not in (1, 2) or audio.size == 0:
        raise ValueError(f"audio must be a non-empty (samples,) or (samples, channels) array; "
                         f"got {audio.shape}")
    if not np.all(np.isfinite(audio)):
        raise ValueError("audio has NaN or infinite samples")
    wanted = int(round(seconds * sample_rate))
    if len(audio) >= wanted:
        return audio[:wanted]
    padding = [(0, wanted - len(audio))] + [(0, 0)] * (audio.ndim - 1)
    return np.pad(audio, padding)


def _temporary_beside(path: Path, suffix: str) -> Path:
    """A fresh hidden name in the target's folder, so the final rename stays on one file
    system. Not created here: the writer creates it with the usual permissions (mkstemp's
    would leave the finished video readable by its owner only)."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.partial{suffix}")


def _ffmpeg_command(output: Path, width: int, height: int, fps: float) -> list[str]:
    return [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:.6g}",
            "-i", "pipe:0", "-c:v", VIDEO_CODEC, "-preset", PRESET, "-crf", str(CRF),
            "-pix_fmt", "yuv420p",
            # moov atom first: the file starts playing in a browser before it has fully downloaded.
            "-movflags", "+faststart", "-f", "mp4", str(output)]


def write_video(path: str | os.PathLike, frames: Iterable[np.ndarray], fps: float,
                audio: np.ndarray | None = None, sample_rate: int | None = None) -> Path:
    """Write frames (H, W, 3 uint8 RGB) and optional audio as an MP4; returns the path.

    The audio is padded or trimmed to frames / fps seconds."""
    path = Path(path)
    if not np.isfinite(fps) or not 0 < fps <= MAX_FPS:
        raise ValueError(f"fps must be in (0, {MAX_FPS:.0f}]; got {fps}")
    if audio is not None and (sample_rate is None or int(sample_rate) <= 0):
        raise ValueError(f"audio needs a positive sample_rate; got {sample_rate}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise ValueError("no frames to write")
    first = _checked_frame(first, 0, None)

    video_tmp = _temporary_beside(path, ".mp4")
    audio_tmp = None
    try:
        count = _encode(video_tmp, first, iterator, fps, path)
        if audio is not None:
            # Frames may come from a generator, so the video's length is known only now: the
            # audio is fitted to it and muxed in a second, cheap pass (video stream copied).
            audio_tmp = _temporary_beside(path, ".wav")
            soundfile.write(audio_tmp, _fitted_audio(audio, int(sample_rate), count / fps), int(sample_rate),
                            subtype="PCM_16")
            _mux_audio(video_tmp, audio_tmp, path)
        os.replace(video_tmp, path)
        return path
    except BaseException:
        video_tmp.unlink(missing_ok=True)
        raise
    finally:
        if audio_tmp is not None:
            audio_tmp.unlink(missing_ok=True)


def _encode(output: Path, first: np.ndarray, rest: Iterator[np.ndarray], fps: float, target: Path) -> int:
    """Pipe every frame through libx264 into `output`; returns the frame count."""
    shape = first.shape
    even = _even(first)
    command = _ffmpeg_command(output, even.shape[1], even.shape[0], fps)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    count = 0
    try:
        for index, frame in enumerate(_chain(first, rest)):
            frame = _checked_frame(frame, index, shape)
            process.stdin.write(np.ascontiguousarray(_even(frame)).tobytes())
            count += 1
        process.stdin.close()
        log = process.stderr.read().decode(errors="replace")
        if process.wait() != 0:
            raise VideoWriteError(f"ffmpeg could not write {target}: {log.strip()[-2000:]}")
    except BrokenPipeError:
        log = process.stderr.read().decode(errors="replace")
        process.wait()
        raise VideoWriteError(f"ffmpeg stopped while writing {target}: {log.strip()[-2000:]}") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return count


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest


def _mux_audio(video: Path, audio_wav: Path, target: Path) -> None:
    """Add the audio to the encoded video (video stream copied, not re-encoded)."""
    muxed = _temporary_beside(target, ".mp4")
    try:
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error",
                   "-i", str(video), "-i", str(audio_wav), "-map", "0:v:0", "-map", "1:a:0",
                   "-c:v", "copy", "-c:a", AUDIO_CODEC, "-b:a", AUDIO_BITRATE,
                   "-movflags", "+faststart", "-f", "mp4", str(muxed)]
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode != 0:
            raise VideoWriteError(f"ffmpeg could not add the audio to {target}: "
                                  f"{result.stderr.decode(errors='replace').strip()[-2000:]}")
        os.replace(muxed, video)
    finally:
        muxed.unlink(missing_ok=True)


# ---------------------------------------------------------------------------- reading back


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO_STREAM = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO_STREAM = re.compile(r"Stream #\S+.*?: Audio: (\w+)")


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """What a video file holds, from ffmpeg's own report and a decode that counts frames."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video at {path}")
    # `ffmpeg -i` with no output prints the streams and exits non-zero: that is expected.
    report = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).stderr.decode(errors="replace")
    duration = _DURATION.search(report)
    video = _VIDEO_STREAM.search(report)
    audio = _AUDIO_STREAM.search(report)
    if video is None:
        raise ValueError(f"{path} has no video stream: {report.strip()[-500:]}")
    fps = _FPS.search(report[video.start():].splitlines()[0])
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    return VideoInfo(
        frames=int(frames),
        fps=float(fps.group(1)) if fps else 0.0,
        duration_s=(int(duration.group(1)) * 3600 + int(duration.group(2)) * 60 + float(duration.group(3)))
        if duration else 0.0,
        width=int(video.group(2)),
        height=int(video.group(3)),
        has_audio=audio is not None,
        video_codec=video.group(1),
        audio_codec=audio.group(1) if audio else None,
    )


def write_frame_png(folder: str | os.PathLike, index: int, frame: np.ndarray, prefix: str = "frame") -> Path:
    """One frame as `{prefix}_{index:05d}.png` in `folder` (created if needed), whole or not at all."""
    import cv2

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = _checked_frame(frame, index, None)
    target = folder / f"{prefix}_{index:05d}.png"
    temporary = _temporary_beside(target, ".png")
    try:
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError(f"frame {index} could not be encoded as PNG")
        temporary.write_bytes(encoded.tobytes())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def write_frames_png(folder: str | os.PathLike, frames: Iterable[np.ndarray],
                     prefix: str = "frame") -> list[Path]:
    """Each frame as `{prefix}_00000.png` in `folder` (created if needed); each file appears
    whole or not at all."""
    return [write_frame_png(folder, index, frame, prefix) for index, frame in enumerate(frames)]
