"""What each command takes, in one field table per command: the CLI's options and batch files
(synth/cli/), the studio's sliders (ui/) and the generators' own checks all read these, so a
setting's type and range are written once and `check_range` is the one range check.

Names are Studio's keywords (`pitch_shift`; the CLI's option is `--pitch`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One setting: the type a batch file must give (None: any form, read by its own parser,
    e.g. an emotion or a loudness) and, for numbers, the closed range it must lie in."""

    kind: type | None = None
    low: float | None = None
    high: float | None = None
    label: str = ""     # how messages name it, where that differs from the field's name
    unit: str = ""

    @property
    def limits(self) -> tuple[float, float]:
        if self.low is None or self.high is None:
            raise ValueError("this field has no range")
        return self.low, self.high

    def span(self) -> str:
        """`0.25..4`, or `±24 semitones` for a range symmetric about 0."""
        unit = f" {self.unit}" if self.unit else ""
        if self.low == -self.high:
            return f"±{self.high:g}{unit}"
        return f"{self.low:g}..{self.high:g}{unit}"


def check_range(name: str, value, field: Field, error: type[Exception] = ValueError):
    """`value` if it lies in the field's range; else `error` naming the setting and its range."""
    label = field.label or name
    low, high = field.limits
    if not low <= value <= high:   # NaN fails this too
        preposition = "within" if low == -high else "in"
        raise error(f"{label} must be {preposition} {field.span()}; got {value}")
    return value


SCORING_FIELDS = {"best_of": Field(int, 1, 16), "calibrate": Field(bool)}

# Studio.speak's keywords, and where to write.
SPEAK_FIELDS = {
    "text": Field(str), "emotion": Field(), "voice": Field(str), "duration": Field(float),
    "decoder": Field(str), "steps": Field(int, 1, 1000), "seed": Field(int),
    "guidance": Field(float, 0.0, 10.0), "rate": Field(float, 0.25, 4.0),
    "pitch_shift": Field(float, -24.0, 24.0, label="pitch shift", unit="semitones"),
    "scheduler": Field(str), "loudness": Field(), "output": Field(str),
    "delivery_variation": Field(), **SCORING_FIELDS,
}

# Studio.convert's keywords (intensity: 0 leaves the recording as it is), and where to write.
CONVERT_FIELDS = {
    "input": Field(str), "emotion": Field(), "intensity": Field(float, 0.0, 2.0), "source_emotion": Field(),
    "seed": Field(int), "loudness": Field(), "decoder": Field(str), "steps": Field(int, 1, 100), "output": Field(str),
    **SCORING_FIELDS,
}

# Studio.animate's keywords (steps: the mouth model's flow-matching steps), and where to write.
ANIMATE_FIELDS = {
    "portrait": Field(str), "audio": Field(str), "emotion": Field(), "size": Field(), "seed": Field(int),
    "steps": Field(int, 1, 100), "largest_face": Field(bool), "frames_dir": Field(str),
    "landmarks_json": Field(str), "output": Field(str), **SCORING_FIELDS,
}
