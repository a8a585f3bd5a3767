"""Errors the talking head raises for bad input; each message names the problem.

FaceInputError is defined in ``common/errors.py``, below the face recognizer that raises it too."""

from common.errors import FaceInputError

__all__ = ["FaceInputError"]
