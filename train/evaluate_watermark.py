"""python -m train.evaluate_watermark: the watermark's robustness, false positives and quality.

Detection rate and payload bit accuracy after each attack the issue names (MP3 128 kbit/s by
imageio-ffmpeg's libmp3lame, 16 kHz resampling and back, white noise at 20 dB SNR, gain -6/+6
dB, each on a random 3 s crop, and all combined), false positives on 3 s windows of unmarked
speech the project made and speech it did not make (WAV/MP3 files shipped by Debian and pip
packages), and the mark's SNR, wide-band PESQ (if `pesq` is installed) and pocketsphinx's WER
before and after. Writes docs/watermark_evaluation.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import soundfile as sf

from synth.provenance.verify import load_any_audio
from synth.provenance.payload import Payload, encode
from synth.provenance.watermark import DEFAULT_CONFIG, _to_rate, detect, detect_bits, embed

# Sentences no model here was tuned on (written for this evaluation).
SENTENCES = (
    "The ferry to the northern islands leaves twice a day when the weather allows it.",
    "Her grandmother kept every letter in a tin box under the kitchen stairs for sixty years.",
    "A sudden gust of wind carried the umbrella across the square and into the fountain.",
    "Most of the orchestra had already gone home when the conductor finally found his glasses.",
    "We painted the fence a pale shade of green, but the neighbours still call it yellow.",
    "The museum will close its western wing for repairs until the end of next spring.",
)
VOICES = ("slt", "awb", "kal16", "rms", "joe")
# Held-out text for the false-positive windows (also written here, used for nothing else).
FALSE_POSITIVE_SENTENCES = (
    "The baker opened his shop an hour early because the snow had closed the main road.",
    "Nobody remembered who had planted the apple tree at the far end of the churchyard.",
    "The train was delayed by a flock of sheep that refused to leave the tracks.",
    "She measured the room twice before she ordered the new carpet from the catalogue.",
    "A small boat drifted past the harbour wall with nobody on board.",
    "The students argued for an hour about whether the bridge could carry a lorry.",
    "His uncle repaired old clocks in a workshop that smelled of oil and sawdust.",
    "The storm knocked out the power, so we played cards by candlelight until midnight.",
    "Every spring the river floods the lower fields and the farmers move their cattle uphill.",
    "The library lends out telescopes as well as books, but the waiting list is long.",
    "Two hikers were found safe after spending the night in a shepherd's hut.",
    "The recipe calls for three eggs, a cup of flour and a pinch of nutmeg.",
    "On clear nights you can see the lights of the next town across the bay.",
    "The mayor promised to fix the potholes before the cycling race in June.",
    "My sister keeps bees on the roof of her apartment building in the city.",
    "The old cinema is showing silent films with a live pianist every Thursday.",
    "A fox had dug a tunnel under the fence and stolen two of the chickens.",
    "The committee will announce the winners of the poetry prize next Friday morning.",
    "He forgot his umbrella on the bus and walked home through the pouring rain.",
    "The lighthouse keeper wrote down the weather every six hours for forty years.",
    "We found a box of old photographs in the attic when we sold the house.",
    "The school choir practised the same song until every child knew it by heart.",
    "Fresh paint on the park benches kept the pigeons away for almost a week.",
    "The pilot announced that we would land twenty minutes ahead of schedule.",
    "Her first novel was rejected eleven times before a small publisher took it.",
    "The market sells cheese from the mountain villages on the first Saturday of each month.",
    "A broken water pipe flooded the basement and ruined the winter supply of potatoes.",
    "The dog waited by the door every afternoon for the children to come home.",
    "They built the new hospital on the site of the old railway station.",
    "The guide warned us that the path along the cliff is slippery after rain.",
    "Most of the town turned out to watch the fireworks over the lake.",
    "The carpenter said the oak table would outlast everyone in the room.",
    "A thick fog rolled in from the sea and the ferry stayed in port.",
    "The orchestra tuned their instruments while the audience found their seats.",
    "He learned to swim at the age of sixty and now crosses the lake every summer.",
    "The price of coffee has risen again because of the drought in the south.",
    "Our neighbours painted a mural of the valley on the side of their garage.",
    "The museum guard noticed that one of the paintings was hanging upside down.",
    "The village holds a race every autumn in which people carry their wives uphill.",
    "After the long winter the first green shoots appeared along the garden path.",
)
OUTSIDE_SPEECH_GLOBS = ("/usr/share/sounds/alsa/*.wav", "/usr/share/asterisk/sounds/en/*.wav")
# Raw Debian voices that are not among the project's (its awb, rms, slt and kal16 are flite's
# own, so their raw renderings would repeat the project's windows).
FLITE_VOICES = ("kal",)
FESTIVAL_VOICES = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")
PAYLOAD = Payload("speak", datetime(2026, 12, 1, tzinfo=timezone.utc), "5e")


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def mp3_128k(x: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as folder:
        wav, mp3 = Path(folder) / "a.wav", Path(folder) / "a.mp3"
        sf.write(wav, x, rate)
        subprocess.run([_ffmpeg(), "-loglevel", "error", "-i", str(wav), "-c:a", "libmp3lame", "-b:a", "128k",
                        str(mp3)], check=True)
        return load_any_audio(mp3)


def attacks(rng: np.random.Generator) -> dict:
    def noise(x, r):
        return x + rng.normal(0, np.sqrt(np.mean(x ** 2) / 100), x.shape), r

    def resample(x, r):
        return _to_rate(_to_rate(x, r, 16000), 16000, r), r

    def combined(x, r):
        x, r = mp3_128k(x, r)
        x, r = resample(x, r)
        x, r = noise(x, r)
        return x * 0.5, r

    return {"none (whole file)": None, "crop 3 s": lambda x, r: (x, r), "mp3 128k": mp3_128k,
            "resample 16 kHz": resample, "noise 20 dB": noise, "gain -6 dB": lambda x, r: (x * 0.5, r),
            "gain +6 dB": lambda x, r: (np.clip(x * 2.0, -1, 1), r), "all combined": combined}


def crop(x: np.ndarray, rate: int, rng: np.random.Generator, seconds: float = 3.0) -> np.ndarray:
    n = int(seconds * rate)
    start = int(rng.integers(0, max(len(x) - n, 0) + 1))
    return x[start:start + n]


def windows(x: np.ndarray, rate: int, seconds: float = 3.0, hop: float = 0.5) -> list[np.ndarray]:
    n = int(seconds * rate)
    if len(x) <= n:
        return [x]
    return [x[s:s + n] for s in range(0, len(x) - n + 1, int(hop * rate))]


def render_speech() -> list[tuple[str, np.ndarray, int]]:
    from synth.render.engines import available_voices, render

    voices = [v for v in VOICES if v in available_voices()]
    out = []
    for index, text in enumerate(SENTENCES):
        for voice in voices:
            rendering = render(text, voice, seed=index)
            out.append((f"{voice}:{index}", rendering.audio.astype(np.float64), rendering.sample_rate))
    return out


def outside_speech() -> list[tuple[str, np.ndarray, int]]:
    """Speech the project did not make: recordings shipped by Debian and pip packages, and the
    Debian flite/festival voices rendered raw (their own programs, nothing of the studio)."""
    import glob

    import gradio

    assets = Path(gradio.__file__).parent / "media_assets" / "audio"
    paths = [Path(p) for pattern in OUTSIDE_SPEECH_GLOBS for p in sorted(glob.glob(pattern))]
    paths += sorted(assets.glob("*.mp3")) + sorted(assets.glob("*.wav"))
    out = []
    for path in paths:
        try:
            audio, rate = load_any_audio(path)
        except ValueError:
            continue
        if rate >= 8000 and np.max(np.abs(audio)) > 0:
            out.append((path.name, audio, rate))
    return out + raw_debian_speech(" ".join(FALSE_POSITIVE_SENTENCES + SENTENCES))


def raw_debian_speech(text: str) -> list[tuple[str, np.ndarray, int]]:
    """`text` read by every installed flite and festival voice, straight from their programs."""
    import shutil

    out = []
    with tempfile.TemporaryDirectory() as folder:
        text_file, wav = Path(folder) / "text.txt", Path(folder) / "out.wav"
        text_file.write_text(text)
        calls = []
        if shutil.which("flite"):
            calls += [(f"flite:{v}", ["flite", "-voice", v, "-f", str(text_file), "-o", str(wav)])
                      for v in FLITE_VOICES]
        if shutil.which("text2wave"):
            calls += [(f"festival:{v}", ["text2wave", "-eval", f"(voice_{v})", str(text_file), "-o", str(wav)])
                      for v in FESTIVAL_VOICES]
        for name, command in calls:
            wav.unlink(missing_ok=True)
            if subprocess.run(command, capture_output=True).returncode == 0 and wav.is_file():
                audio, rate = sf.read(str(wav), dtype="float64")
                if rate >= 8000 and audio.size and np.max(np.abs(audio)) > 0:
                    out.append((name, audio, rate))
    return out


def project_speech_for_false_positives() -> list[tuple[str, np.ndarray, int]]:
    """Unmarked speech by the project's own voices (its render engines) of held-out text, one
    long recording per voice."""
    from synth.render.engines import available_voices, render

    out = []
    for voice in [v for v in VOICES if v in available_voices()]:
        parts = [render(text, voice, seed=index) for index, text in enumerate(FALSE_POSITIVE_SENTENCES)]
        out.append((voice, np.concatenate([p.audio.astype(np.float64) for p in parts]), parts[0].sample_rate))
    return out


def quality(clean: np.ndarray, marked: np.ndarray, rate: int) -> dict:
    snr = 10 * np.log10(np.sum(clean ** 2) / max(np.sum((marked - clean) ** 2), 1e-20))
    result = {"snr_db": float(snr)}
    try:
        from pesq import pesq
        a, b = _to_rate(clean, rate, 16000), _to_rate(marked, rate, 16000)
        result["pesq_wb"] = float(pesq(16000, a, b, "wb"))
    except ImportError:
        pass
    return result


def evaluate(crops_per_file: int, seed: int) -> dict:
    from train.judges.speech import transcribe, word_error_rate

    rng = np.random.default_rng(seed)
    speech = render_speech()
    table = {name: {"detected": 0, "bit_errors": 0, "bits": 0, "payload_ok": 0, "payload_wrong": 0,
                    "n": 0} for name in attacks(rng)}
    qualities, refs, before, after, seconds, spent = [], [], [], [], 0.0, 0.0
    for name, audio, rate in speech:
        started = time.perf_counter()
        marked = embed(audio, rate, PAYLOAD)
        detect(marked, rate)
        spent += time.perf_counter() - started
        seconds += len(audio) / rate
        qualities.append(quality(audio, marked, rate))
        if name.endswith(":0") or name.endswith(":1"):
            refs.append(SENTENCES[int(name.split(":")[1])])
            before.append(transcribe(audio, rate))
            after.append(transcribe(marked, rate))
        for attack, transform in attacks(rng).items():
            trials = [marked] if transform is None else [crop(marked, rate, rng) for _ in range(crops_per_file)]
            for trial in trials:
                x, r = (trial, rate) if transform is None else transform(trial, rate)
                found = detect(x, r)
                row = table[attack]
                row["n"] += 1
                row["detected"] += found.watermarked
                row["payload_ok"] += found.payload == PAYLOAD
                row["payload_wrong"] += found.payload is not None and found.payload != PAYLOAD
                bits = detect_bits(x, r)
                row["bit_errors"] += int(np.sum(bits != encode(PAYLOAD.bits())))
                row["bits"] += len(bits)
    robustness = {k: {"files": v["n"], "detection_rate": v["detected"] / v["n"],
                      "bit_accuracy": 1 - v["bit_errors"] / v["bits"], "payload_decoded": v["payload_ok"] / v["n"],
                      "payload_wrong": v["payload_wrong"] / v["n"]}
                  for k, v in table.items()}
    held_out_speech = project_speech_for_false_positives()
    held_out = held_out_robustness(held_out_speech, rng)
    # False positives on non-overlapping 3 s windows (overlapping ones would not be independent).
    made = [(w, r) for _, a, r in held_out_speech + speech for w in windows(a, r, hop=3.0)]
    made_scores = [detect(w, r).score for w, r in made]
    outside = outside_speech()
    out_w = [(w, r) for _, a, r in outside for w in windows(a, r, hop=3.0)]
    out_scores = [detect(w, r).score for w, r in out_w]
    threshold = DEFAULT_CONFIG.threshold
    return {
        "command": f"python -m train.evaluate_watermark --crops {crops_per_file} --seed {seed}",
        "threshold": threshold,
        "material": {"rendered_files": len(speech), "voices": sorted({n.split(':')[0] for n, _, _ in speech}),
                     "outside_files": [n for n, _, _ in outside]},
        "robustness": robustness,
        "robustness_held_out": held_out,
        "false_positives": {
            "project_speech_windows": len(made),
            "project_speech_rate": float(np.mean([s >= threshold for s in made_scores])),
            "project_speech_max_score": float(np.max(made_scores)),
            "outside_speech_windows": len(out_w),
            "outside_speech_rate": float(np.mean([s >= threshold for s in out_scores])),
            "outside_speech_max_score": float(np.max(out_scores)),
            "upper_bound_95": {"project": _upper_bound(made_scores, threshold),
                               "outside": _upper_bound(out_scores, threshold)}},
        "quality": {"snr_db_mean": float(np.mean([q["snr_db"] for q in qualities])),
                    "snr_db_min": float(np.min([q["snr_db"] for q in qualities])),
                    **({"pesq_wb_mean": float(np.mean([q["pesq_wb"] for q in qualities]))}
                       if "pesq_wb" in qualities[0] else {}),
                    "wer_before": word_error_rate(refs, before), "wer_after": word_error_rate(refs, after),
                    "wer_files": len(refs), "embed_detect_rtf": spent / seconds},
    }


HELD_OUT_ATTACKS = ("noise 20 dB", "all combined")
HELD_OUT_CROPS = 20


def held_out_robustness(recordings: list[tuple[str, np.ndarray, int]], rng: np.random.Generator) -> dict:
    """The two hardest attacks on 3 s crops of speech no setting was tuned on (the held-out
    sentences, one recording per voice, marked whole)."""
    table, marked = {}, [(embed(audio, rate, PAYLOAD), rate) for _, audio, rate in recordings]
    for attack in HELD_OUT_ATTACKS:
        transform = attacks(rng)[attack]
        found = [detect(*transform(crop(audio, rate, rng), rate))
                 for audio, rate in marked for _ in range(HELD_OUT_CROPS)]
        table[attack] = {"files": len(found), "detection_rate": float(np.mean([f.watermarked for f in found])),
                         "payload_decoded": float(np.mean([f.payload == PAYLOAD for f in found])),
                         "payload_wrong": float(np.mean([f.payload not in (None, PAYLOAD) for f in found]))}
    return table


def _upper_bound(scores: list[float], threshold: float) -> float:
    """Clopper-Pearson 95 % upper bound on the false-positive rate (0 of n gives 1 - 0.05^(1/n))."""
    from scipy.stats import beta

    hits, n = sum(s >= threshold for s in scores), len(scores)
    return 1.0 if hits == n else float(beta.ppf(0.95, hits + 1, n - hits))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m train.evaluate_watermark", description=__doc__)
    parser.add_argument("--crops", type=int, default=3, help="random 3 s crops per file and attack")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output",
                        default=str(Path(__file__).resolve().parents[1] / "docs" / "watermark_evaluation.json"))
    args = parser.parse_args(argv)
    report = evaluate(args.crops, args.seed)
    from common.atomic import atomic_write_bytes
    atomic_write_bytes(Path(args.output), (json.dumps(report, indent=2) + "\n").encode())
    print(f"{'attack':20s} {'n':>4s} {'detected':>9s} {'bit acc':>8s} {'payload':>8s} {'wrong':>6s}")
    for name, row in report["robustness"].items():
        print(f"{name:20s} {row['files']:4d} {row['detection_rate']:9.3f} {row['bit_accuracy']:8.3f} "
              f"{row['payload_decoded']:8.3f} {row['payload_wrong']:6.3f}")
    for name, row in report["robustness_held_out"].items():
        print(f"held out: {name:10s} {row['files']:4d} {row['detection_rate']:9.3f} {'':8s} "
              f"{row['payload_decoded']:8.3f} {row['payload_wrong']:6.3f}")
    fp, q = report["false_positives"], report["quality"]
    print(f"false positives: project speech {fp['project_speech_rate']:.4f} of {fp['project_speech_windows']} "
          f"windows (max score {fp['project_speech_max_score']:.2f}); outside speech "
          f"{fp['outside_speech_rate']:.4f} of {fp['outside_speech_windows']} (max score "
          f"{fp['outside_speech_max_score']:.2f}); threshold {report['threshold']:.2f}; 95 % upper bounds "
          f"{json.dumps(fp['upper_bound_95'])}")
    print("quality:", json.dumps(q))


if __name__ == "__main__":
    main()
