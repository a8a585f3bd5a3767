"""Voice descriptors: how a voice sounds, apart from (and on top of) the emotion."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .errors import EmotionInputError

DESCRIPTOR_VALUES: dict[str, tuple[str, ...]] = {
    "pitch_level": ("low", "normal", "high"),
    "pitch_variation": ("monotone", "normal", "expressive"),
    "loudness": ("quiet", "normal", "loud"),
    "rate": ("slow", "normal", "fast"),
    "voice_quality": ("modal", "breathy", "tense", "whispered", "creaky"),
}


@dataclass(frozen=True)
class VoiceDescriptors:
    """Each field is one of DESCRIPTOR_VALUES[field] or None (unspecified)."""

    pitch_level: str | None = None
    pitch_variation: str | None = None
    loudness: str | None = None
    rate: str | None = None
    voice_quality: str | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            allowed = DESCRIPTOR_VALUES[field.name]
            if value is not None and value not in allowed:
                raise EmotionInputError(
                    f"{field.name} must be one of {', '.join(allowed)}; got {value!r}")

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def merged_over(self, base: "VoiceDescriptors") -> "VoiceDescriptors":
        """These descriptors, falling back to `base` where unspecified."""
        return VoiceDescriptors(**{**base.as_dict(), **self.as_dict()})

    def is_empty(self) -> bool:
        return not self.as_dict()
