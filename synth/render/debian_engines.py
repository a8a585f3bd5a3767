"""The Debian festival/flite voices: English text to audio, with phone timings.

The training corpus is built from synthetic speech (DESIGN.md, "Voices to build training
speech from"). This module is the only place that talks to the two engines:

    text --(ASCII clean-up)--> festival script / flite call --> wav + phone end times
         --> float32 audio + PhoneSegment list whose times match the audio

Seven voices (:data:`VOICES`): festival ``slt_hts`` (HTS, 32 kHz), ``kal_diphone`` and
``ked_diphone`` (16 kHz diphone), and flite ``awb``, ``rms``, ``slt``, ``kal16`` (16 kHz).

Prosody controls (:class:`EngineControls`) use the engines' own knobs, relative to each
voice's natural setting (``duration_stretch=1.0`` and ``f0_*=None`` render the voice
exactly as shipped). What each voice honours was measured on this platform (median and
inter-quartile range of harvest F0, audio length) and is listed in ``VoiceSpec.controls``;
asking a voice for a control it ignores raises :class:`VoiceRenderError`, so a caller
never labels speech with a prosody it does not have (move F0 after synthesis instead,
e.g. with WORLD, as ``synth/render/world_transform.py`` does).

=============  =========  ======  ================  ========================================
voice          engine     rate    duration_stretch  F0 (mean, std)
=============  =========  ======  ================  ========================================
slt_hts        festival   32000   yes (``-r``)      no (HTS ignores int_lr_params, ``-fm``)
kal_diphone    festival   16000   yes               yes (``int_lr_params``)
ked_diphone    festival   16000   yes               yes (``int_lr_params``)
awb            flite      16000   yes               yes (``int_f0_target_mean/stddev``)
rms            flite      16000   yes               no (output unchanged)
slt            flite      16000   yes               yes (``int_f0_target_mean/stddev``)
kal16          flite      16000   yes               yes (``int_f0_target_mean/stddev``)
=============  =========  ======  ================  ========================================

(DESIGN.md says only awb moves F0 under flite; measured here, flite slt and kal16 do too.)
festival diphone voices abort on low, flat F0 targets, so they refuse ``f0_mean_hz`` below
85 Hz (their own mean is 105 Hz).

Phone timings. festival: the utterance's ``Segment`` relation, each item's ``end``; a
phone starts where the previous one ends, the first at 0. flite: ``-psdur`` prints
``name:end`` per phone, one line per utterance, with times restarting at 0 on every line.
The engines' waves do not always stop exactly at the last phone end: festival diphone
voices add ~25 ms of overlap-add tail, flite's diphone ``kal16`` stops ~115 ms into the
final pause (a diphone ends mid-phone). Both excesses lie inside the final pause (measured:
speech starts where the first pause ends and stops where the last speech phone ends), so
the final pause segment is stretched (by at most :data:`MAX_TAIL_S`) or cut (keeping some
of it) to the audio end; anything else that does not fit is an error.

Both engines get the whole text as ONE utterance (festival ``SynthText``, flite ``-t``), so
phone times run continuously over multi-sentence text. (flite's ``-f FILE`` would split the
text into utterances, print times restarting at 0 per utterance and join waves whose
lengths differ from those times: avoided.)
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .engine_spec import (ALL_CONTROLS, PAUSE_PHONES, STRETCH_ONLY, EngineControls, PhoneSegment, VoiceRenderError,
                          VoiceSpec)

ENGINE_TIMEOUT_S = 60.0
"""One engine call; a 1000-character text renders in ~2 s, so this only catches hangs."""

MAX_TAIL_S = 0.1
"""Longest wave tail past the last phone end that the final pause absorbs (measured:
festival diphone voices ~25 ms of overlap-add tail)."""

END_TOLERANCE_S = 0.01
"""Mismatch accepted without a final pause to absorb it (flite prints times in ms and
its clustergen waves end 1-4 ms before the last phone end)."""


VOICES: dict[str, VoiceSpec] = {
    spec.name: spec
    for spec in (
        VoiceSpec("slt_hts", "festival", "cmu_us_slt_arctic_hts", 32000, "female", STRETCH_ONLY),
        VoiceSpec("kal_diphone", "festival", "kal_diphone", 16000, "male", ALL_CONTROLS),
        VoiceSpec("ked_diphone", "festival", "ked_diphone", 16000, "male", ALL_CONTROLS),
        VoiceSpec("awb", "flite", "awb", 16000, "male", ALL_CONTROLS),
        VoiceSpec("rms", "flite", "rms", 16000, "male", STRETCH_ONLY),
        VoiceSpec("slt", "flite", "slt", 16000, "female", ALL_CONTROLS),
        VoiceSpec("kal16", "flite", "kal16", 16000, "male", ALL_CONTROLS),
    )
}


# flite's --setf duration_stretch replaces the voice's own value instead of scaling it;
# kal16 ships with 1.1 (measured: no flag == 1.1, bit for bit), the others with 1.0.
_FLITE_NATIVE_STRETCH = {"kal16": 1.1}


# festival's diphone (LPC residual) synthesis corrupts its heap and aborts when the
# intonation target is low and flat (measured: crashes at mean 75 Hz with std 0-1 Hz and at
# 60 Hz with std <= 3 Hz, every text; none from 78 Hz up). Refuse lower means with a margin
# rather than risk a crash or, worse, silently damaged audio; lower F0 goes through WORLD.
MIN_F0_MEAN_HZ = {"kal_diphone": 85.0, "ked_diphone": 85.0}


def _scheme_string(text: str) -> str:
    """A Scheme string literal for ``text``: SIOD reads \\\\ and \\" escapes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _festival_script(text: str, spec: VoiceSpec, controls: EngineControls) -> str:
    lines = [f"(voice_{spec.engine_voice})"]
    if controls.duration_stretch != 1.0:
        if spec.name == "slt_hts":
            # HTS regenerates durations from its own model and ignores Duration_Stretch;
            # hts_engine's -r is a speed factor (measured: -r 1/1.5 -> 1.50x longer).
            lines.append(
                f'(set! hts_engine_params (append hts_engine_params '
                f'(list (list "-r" {1.0 / controls.duration_stretch!r}))))'
            )
        else:
            # Scale the voice's own Duration_Stretch (kal/ked ship 1.1) rather than replace it.
            lines.append(
                f"(Parameter.set 'Duration_Stretch "
                f"(* {float(controls.duration_stretch)!r} (Parameter.get 'Duration_Stretch)))"
            )
    if controls.f0_mean_hz is not None or controls.f0_std_hz is not None:
        # int_lr_params maps the model's F0 (model_f0_mean/std) onto target_f0_mean/std;
        # keep the voice's own values for whatever is not asked.
        mean = (repr(float(controls.f0_mean_hz)) if controls.f0_mean_hz is not None
                else "(cadr (assoc 'target_f0_mean int_lr_params))")
        std = (repr(float(controls.f0_std_hz)) if controls.f0_std_hz is not None
               else "(cadr (assoc 'target_f0_std int_lr_params))")
        lines.append(
            f"(set! int_lr_params (list (list 'target_f0_mean {mean}) (list 'target_f0_std {std}) "
            "(assoc 'model_f0_mean int_lr_params) (assoc 'model_f0_std int_lr_params)))"
        )
    lines += [
        f"(set! utt (SynthText {_scheme_string(text)}))",
        "(utt.save.wave utt \"out.wav\" 'riff)",
        # Phone end times go to their own file: festival's stdout also carries messages.
        '(set! segfd (fopen "segments.txt" "w"))',
        "(mapcar (lambda (s) (format segfd \"%s %f\\n\" (item.name s) (item.feat s \"end\")))"
        " (utt.relation.items utt 'Segment))",
        "(fclose segfd)",
    ]
    return "\n".join(lines) + "\n"


def render_festival(
    text: str, spec: VoiceSpec, controls: EngineControls
) -> tuple[np.ndarray, int, list[PhoneSegment]]:
    with tempfile.TemporaryDirectory(prefix="emostudio-festival-") as tmp:
        workdir = Path(tmp)
        (workdir / "synth.scm").write_text(_festival_script(text, spec, controls), encoding="ascii")
        _run_engine(["festival", "-b", "synth.scm"], workdir, spec, expect=("out.wav", "segments.txt"))
        audio, rate = _read_wav(workdir / "out.wav", spec)
        ends = _parse_festival_segments((workdir / "segments.txt").read_text(encoding="latin-1"), spec)
    return audio, rate, _fit_to_audio(_segments_from_ends(ends, spec), len(audio) / rate, spec)


def _parse_festival_segments(dump: str, spec: VoiceSpec) -> list[tuple[str, float]]:
    ends = []
    for line in dump.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise VoiceRenderError(f"voice {spec.name!r}: unreadable festival segment line {line!r}")
        try:
            ends.append((parts[0], float(parts[1])))
        except ValueError:
            raise VoiceRenderError(f"voice {spec.name!r}: unreadable festival segment line {line!r}") from None
    return ends


def festival_voices() -> set[str]:
    if shutil.which("festival") is None:
        return set()
    try:
        done = subprocess.run(["festival", "-b", "(print (voice.list))"], capture_output=True,
                              text=True, timeout=ENGINE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if done.returncode != 0:
        return set()
    return set(re.findall(r"[\w.-]+", done.stdout))


_PSDUR_ITEM = re.compile(r"^(\S+):(\d+(?:\.\d*)?)$")


def _flite_args(spec: VoiceSpec, controls: EngineControls) -> list[str]:
    args = ["flite", "-voice", spec.engine_voice]
    if controls.duration_stretch != 1.0:
        # --setf replaces the voice's own value; scale that, so 1.0 means "as shipped".
        stretch = controls.duration_stretch * _FLITE_NATIVE_STRETCH.get(spec.engine_voice, 1.0)
        args += ["--setf", f"duration_stretch={stretch!r}"]
    if controls.f0_mean_hz is not None:
        args += ["--setf", f"int_f0_target_mean={float(controls.f0_mean_hz)!r}"]
    if controls.f0_std_hz is not None:
        args += ["--setf", f"int_f0_target_stddev={float(controls.f0_std_hz)!r}"]
    return args


def render_flite(
    text: str, spec: VoiceSpec, controls: EngineControls
) -> tuple[np.ndarray, int, list[PhoneSegment]]:
    with tempfile.TemporaryDirectory(prefix="emostudio-flite-") as tmp:
        workdir = Path(tmp)
        # -t (not -f): one utterance, so -psdur prints one line of continuous times. The
        # text is a single argv item (no shell), and -t takes the next item verbatim, even
        # one starting with '-'.
        done = _run_engine(
            _flite_args(spec, controls) + ["-psdur", "-o", "out.wav", "-t", text],
            workdir, spec, expect=("out.wav",),
        )
        utterances = _parse_psdur(done.stdout)
        if len(utterances) != 1:
            raise VoiceRenderError(
                f"voice {spec.name!r}: expected one line of flite -psdur phones, got {len(utterances)}"
            )
        audio, rate = _read_wav(workdir / "out.wav", spec)
    return audio, rate, _fit_to_audio(_segments_from_ends(utterances[0], spec), len(audio) / rate, spec)


def _parse_psdur(stdout: str) -> list[list[tuple[str, float]]]:
    """One list of (phone, end) per utterance line; other lines (messages) are skipped."""
    utterances = []
    for line in stdout.splitlines():
        items = [_PSDUR_ITEM.match(word) for word in line.split()]
        if items and all(items):
            utterances.append([(m.group(1), float(m.group(2))) for m in items])
    return utterances


def flite_voices() -> set[str]:
    if shutil.which("flite") is None:
        return set()
    try:
        done = subprocess.run(["flite", "-lv"], capture_output=True, text=True,
                              timeout=ENGINE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    listing = done.stdout.split(":", 1)[-1]  # "Voices available: kal awb_time kal16 awb rms slt"
    return set(listing.split())


def _run_engine(
    args: list[str], workdir: Path, spec: VoiceSpec, expect: tuple[str, ...]
) -> subprocess.CompletedProcess:
    """Run one engine call in ``workdir``; any failure names the voice and the engine's words."""
    try:
        done = subprocess.run(args, cwd=workdir, capture_output=True, text=True,
                              errors="replace", timeout=ENGINE_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise VoiceRenderError(f"voice {spec.name!r}: {args[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise VoiceRenderError(f"voice {spec.name!r}: {args[0]} took over {ENGINE_TIMEOUT_S:.0f} s") from None
    missing = [name for name in expect if not (workdir / name).is_file()]
    # festival -b exits 255 on a Scheme error and prints it (SIOD ERROR) on either stream.
    if done.returncode != 0 or missing or "SIOD ERROR" in done.stdout + done.stderr:
        said = (done.stderr.strip() + "\n" + done.stdout.strip()).strip()[-2000:]
        raise VoiceRenderError(
            f"voice {spec.name!r}: {args[0]} failed (exit {done.returncode}"
            f"{', no ' + ', '.join(missing) if missing else ''}): {said or '(no message)'}"
        )
    return done


def _read_wav(path: Path, spec: VoiceSpec) -> tuple[np.ndarray, int]:
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)  # int16 -> [-1, 1)
    except (RuntimeError, sf.LibsndfileError) as err:
        raise VoiceRenderError(f"voice {spec.name!r}: unreadable engine wav: {err}") from None
    if audio.shape[1] != 1:
        raise VoiceRenderError(f"voice {spec.name!r}: engine wrote {audio.shape[1]} channels, expected 1")
    if len(audio) == 0:
        raise VoiceRenderError(f"voice {spec.name!r}: engine wrote an empty wav")
    return np.clip(audio[:, 0], -1.0, 1.0), int(rate)


def _segments_from_ends(ends: list[tuple[str, float]], spec: VoiceSpec) -> list[PhoneSegment]:
    """Phones from (name, end) pairs: each starts where the previous ends, the first at 0."""
    segments = []
    start = 0.0
    for phone, end in ends:
        if not math.isfinite(end) or end < start:
            raise VoiceRenderError(
                f"voice {spec.name!r}: phone end times go backwards at {phone!r} ({end} < {start})"
            )
        segments.append(PhoneSegment(phone, start, end))
        start = end
    return segments


def _fit_to_audio(segments: list[PhoneSegment], duration: float, spec: VoiceSpec) -> list[PhoneSegment]:
    """Make the last phone end at ``duration``: the final pause absorbs the engines'
    wave-tail mismatch (module docstring); any other mismatch is an error."""
    if not segments:
        raise VoiceRenderError(f"voice {spec.name!r}: the engine reported no phones")
    last = segments[-1]
    if last.phone in PAUSE_PHONES:
        # Audio may stop anywhere inside the final pause (kal16 stops at its middle, at
        # any duration_stretch) or run a short tail past it (festival diphones).
        fits = last.start < duration <= last.end + MAX_TAIL_S
    else:
        fits = last.start < duration and abs(duration - last.end) <= END_TOLERANCE_S
    if not fits:
        raise VoiceRenderError(
            f"voice {spec.name!r}: phones end at {last.end:.3f} s (last {last.phone!r} from "
            f"{last.start:.3f} s) but the audio lasts {duration:.3f} s"
        )
    return segments[:-1] + [PhoneSegment(last.phone, last.start, duration)]
