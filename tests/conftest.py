import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".cache", "numba"))

import pytest


@pytest.fixture(scope="session", autouse=True)
def _training_resume_folder(tmp_path_factory):
    """Training runs keep their resume checkpoints in the session's temporary folder: not in
    the checkout's .cache, where a test run at the same time could find them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMOSTUDIO_TRAIN_RESUME", str(tmp_path_factory.mktemp("train-resume")))
        yield


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    """The `tiny` corpus, built once per test session (about 15 s on 2 cores)."""
    from train.corpus.build import SIZES, build_corpus

    out = tmp_path_factory.mktemp("corpus") / "tiny"
    build_corpus(SIZES["tiny"], out, jobs=2, progress=False)
    return out


@pytest.fixture(scope="session")
def tiny_tts_checkpoints(tiny_corpus, tmp_path_factory):
    """A checkpoints folder for $EMOSTUDIO_CHECKPOINTS: a tiny flow TTS (one epoch on the tiny
    corpus, so it makes noise-like speech, quickly) beside links to every other shipped
    checkpoint. Code under test then runs as if the TTS had shipped."""
    from conditioning.checkpoints import checkpoints_dir
    from train.train_tts import main
    from train.tts.features import build_features

    folder = tmp_path_factory.mktemp("checkpoints")
    # The speech emotion recognizer's calibration lives beside its checkpoint.
    for shipped in [*checkpoints_dir().glob("*.pt"), *checkpoints_dir().glob("*.calibration.json")]:
        if not shipped.name.startswith("tts_"):
            (folder / shipped.name).symlink_to(shipped.resolve())
    build_features(tiny_corpus, jobs=2, progress=False)
    main(["--corpus", str(tiny_corpus), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(folder / "tts_flow.pt"), "--no-manifest"])
    return folder


@pytest.fixture(scope="module")
def tiny_tts(tiny_tts_checkpoints):
    """For one test module: $EMOSTUDIO_CHECKPOINTS at `tiny_tts_checkpoints`; the shipped-model
    loaders (cached) forget what they loaded before, and again after the module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMOSTUDIO_CHECKPOINTS", str(tiny_tts_checkpoints))
        forget_shipped_speech_models()
        yield tiny_tts_checkpoints
    forget_shipped_speech_models()


def forget_shipped_speech_models() -> None:
    from conditioning.ser import shipped_recognizer
    from synth.tts.synthesizer import shipped_synthesizer

    shipped_synthesizer.cache_clear()
    shipped_recognizer.cache_clear()
