"""Errors for bad input that more than one layer raises; each message names the problem."""


class FaceInputError(ValueError):
    """A portrait that cannot be used: unreadable, no face, several faces, too small, too turned."""
