import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".cache", "numba"))

import pytest


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    """The `tiny` corpus, built once per test session (about 15 s on 2 cores)."""
    from train.corpus.build import SIZES, build_corpus

    out = tmp_path_factory.mktemp("corpus") / "tiny"
    build_corpus(SIZES["tiny"], out, jobs=2, progress=False)
    return out
