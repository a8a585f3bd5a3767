"""Audio files and portraits as a careless or hostile user gives them (issue 31): each gets a
clear error naming the problem, or is handled (many channels mixed down, any supported rate,
CMYK converted), without a traceback and without loading what is refused."""

import resource

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from common.audio_io import AudioInputError, load_audio
from synth.face.errors import FaceInputError
from synth.face.portrait import default_portrait_path, detect_face, load_portrait

RATE = 16000


def _speechlike(seconds: float, rate: int = RATE, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return mono if channels == 1 else np.repeat(mono[:, None], channels, axis=1) * np.linspace(0.5, 1, channels)


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "ok.wav"
    sf.write(path, _speechlike(1.0), RATE, subtype="PCM_16")
    return path


def test_a_zero_byte_wav_is_empty(tmp_path):
    path = tmp_path / "zero.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioInputError, match=r"is empty \(0 bytes\)"):
        load_audio(path)


def test_a_wav_without_samples_is_empty(tmp_path):
    path = tmp_path / "no_samples.wav"
    sf.write(path, np.zeros(0), RATE)
    with pytest.raises(AudioInputError, match="audio is empty"):
        load_audio(path)


def test_a_truncated_wav_is_refused_not_read_in_part(tmp_path, wav):
    path = tmp_path / "cut.wav"
    path.write_bytes(wav.read_bytes()[:wav.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="is truncated: its header gives"):
        load_audio(path)


def test_a_header_cut_short_or_corrupt_is_not_readable(tmp_path, wav):
    data = wav.read_bytes()
    cut, corrupt, garbage = tmp_path / "cut.wav", tmp_path / "corrupt.wav", tmp_path / "garbage.wav"
    cut.write_bytes(data[:30])
    corrupt.write_bytes(data[:16] + b"\xff" * 8 + data[24:])
    garbage.write_bytes(np.random.default_rng(0).bytes(2000))
    for path in (cut, corrupt, garbage):
        with pytest.raises(AudioInputError, match="is not a readable audio file"):
            load_audio(path)


def test_a_truncated_flac_is_refused(tmp_path):
    path = tmp_path / "cut.flac"
    sf.write(path, _speechlike(5.0), RATE)
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="damaged or cut off|not a readable"):
        load_audio(path)


def test_nan_and_inf_samples_are_counted(tmp_path):
    samples = _speechlike(1.0).astype(np.float32)
    samples[[10, 20]] = np.nan
    samples[30] = np.inf
    path = tmp_path / "nan.wav"
    sf.write(path, samples, RATE, subtype="FLOAT")
    with pytest.raises(AudioInputError, match="contains 3 NaN/inf samples"):
        load_audio(path)


def test_eight_channels_are_mixed_down(tmp_path):
    path = tmp_path / "eight.wav"
    samples = _speechlike(1.0, channels=8)
    sf.write(path, samples, RATE, subtype="FLOAT")
    audio, rate = load_audio(path)
    assert rate == RATE and audio.shape == (RATE,)
    assert np.allclose(audio, samples.mean(axis=1), atol=1e-6)


def test_192_khz_is_read_and_the_recognizer_resamples_it(tmp_path):
    from conditioning.ser import shipped_recognizer

    path = tmp_path / "hi.wav"
    sf.write(path, _speechlike(1.0, rate=192000), 192000, subtype="PCM_24")
    audio, rate = load_audio(path)
    assert rate == 192000 and audio.shape == (192000,)
    assert shipped_recognizer().recognize_file(path, frames=False).duration_s == pytest.approx(1.0)


def test_an_odd_rate_is_refused_before_reading(tmp_path):
    path = tmp_path / "slow.wav"
    sf.write(path, _speechlike(1.0, rate=2000), 2000)
    with pytest.raises(AudioInputError, match="2000 Hz is outside the supported 4000..192000 Hz"):
        load_audio(path)


def test_an_hour_is_refused_from_the_header_without_loading_it(tmp_path):
    path = tmp_path / "hour.wav"
    with sf.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as out:  # an hour of faint noise, written in blocks
        rng = np.random.default_rng(0)
        for _ in range(60):
            out.write((rng.standard_normal(RATE * 60) * 0.003).astype(np.float32))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(AudioInputError, match=r"audio is 3600.0 s long; at most 300 s is accepted"):
        load_audio(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50  # the 460 MB of float64 samples were never read


# ---------------------------------------------------------------------------- portraits

@pytest.fixture(scope="module")
def portrait() -> Image.Image:
    return Image.open(default_portrait_path()).convert("RGB")


def test_an_empty_portrait_file_says_empty(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(FaceInputError, match=r"is empty \(0 bytes\)"):
        load_portrait(path)


def test_a_png_bomb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)  # 400 megapixels in a small file
    assert path.stat().st_size < 2_000_000
    with pytest.raises(FaceInputError, match="megapixel limit"):
        load_portrait(path)


def test_a_20000_pixel_wide_image_is_refused(tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (20000, 3000)).save(path)  # 60 MP: under Pillow's own bomb limit, over ours
    with pytest.raises(FaceInputError, match="megapixel"):
        load_portrait(path)


def test_a_truncated_png_is_corrupt(tmp_path, portrait):
    path = tmp_path / "cut.png"
    portrait.save(path)
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 3])
    with pytest.raises(FaceInputError, match="corrupt or truncated"):
        load_portrait(path)


def test_an_animated_gif_is_refused_by_format(tmp_path, portrait):
    path = tmp_path / "anim.gif"
    portrait.save(path, save_all=True, append_images=[portrait.rotate(10)])
    with pytest.raises(FaceInputError, match="GIF format; use JPEG, PNG or WebP"):
        load_portrait(path)


@pytest.mark.parametrize("suffix", ["png", "webp"])
def test_an_animated_png_or_webp_is_refused_not_cut_to_its_first_frame(tmp_path, portrait, suffix):
    path = tmp_path / f"anim.{suffix}"
    portrait.save(path, save_all=True, append_images=[portrait.rotate(10)])
    with pytest.raises(FaceInputError, match=r"is an animated (PNG|WEBP) \(2 frames\); use a still"):
        load_portrait(path)
    with Image.open(path) as opened, pytest.raises(FaceInputError, match="animated"):
        load_portrait(opened)
    portrait.save(tmp_path / f"still.{suffix}")   # one frame, saved the same way, is a portrait
    assert load_portrait(tmp_path / f"still.{suffix}").shape == (portrait.height, portrait.width, 3)


def test_a_cmyk_jpeg_is_converted_and_its_face_found(tmp_path, portrait):
    path = tmp_path / "cmyk.jpg"
    portrait.convert("CMYK").save(path, quality=95)
    image = load_portrait(path)
    assert image.dtype == np.uint8 and image.shape == (portrait.height, portrait.width, 3)
    assert detect_face(image) is not None


def test_no_face_and_many_faces_are_refused(portrait):
    gradient = np.tile(np.linspace(0, 255, 256).astype(np.uint8), (256, 1))
    with pytest.raises(FaceInputError, match="no face found"):
        detect_face(load_portrait(gradient))
    pair = Image.new("RGB", (portrait.width * 2, portrait.height))
    pair.paste(portrait, (0, 0))
    pair.paste(portrait, (portrait.width, 0))
    with pytest.raises(FaceInputError, match="2 faces found"):
        detect_face(load_portrait(pair))
