"""W3C EmotionML 1.0 in both directions: documents to targets/timelines and back.

Reading uses defusedxml, so entity expansion ("billion laughs"), external entities and
DTDs are refused. Understood vocabularies: big6 and everyday-categories, pad- and
fsre-dimensions, and any category name the studio's own vocabulary knows (so the
documents written by `to_emotionml` read back).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .categories import CATEGORIES
from .errors import EmotionInputError
from .space import target_from_vad
from .target import EmotionTarget, VAD_NAMES, check_unit_interval, mix_targets
from .timeline import EmotionTimeline, Keyframe
from .vocabulary import vocabulary
from .voice import DESCRIPTOR_VALUES, VoiceDescriptors

NAMESPACE = "http://www.w3.org/2009/10/emotionml"
STUDIO_NAMESPACE = "urn:emostudio:voice"
MAX_DOCUMENT_BYTES = 1_000_000
PAD_DIMENSIONS = "http://www.w3.org/TR/emotion-voc/xml#pad-dimensions"
STUDIO_CATEGORY_SET = "#emostudio-categories"

# Dimension names of the W3C vocabularies, onto valence/arousal/dominance.
_DIMENSION_AXIS = {
    "pleasure": "valence", "valence": "valence", "arousal": "arousal",
    "dominance": "dominance", "potency": "dominance", "power": "dominance",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(element: ET.Element, what: str) -> float | None:
    raw = element.get("value")
    if raw is None:
        return None
    try:
        return check_unit_interval(what, float(raw))
    except ValueError as error:
        raise EmotionInputError(f"EmotionML {what}: {error}") from None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _read_voice(emotion: ET.Element) -> VoiceDescriptors:
    for info in _children(emotion, "info"):
        for child in info:
            if _local(child.tag) == "voice":
                settings = {_local(name): value for name, value in child.attrib.items()}
                unknown = sorted(set(settings) - set(DESCRIPTOR_VALUES))
                if unknown:
                    raise EmotionInputError(f"EmotionML <voice> attribute {unknown[0]!r} is not one of "
                                            f"{', '.join(DESCRIPTOR_VALUES)}")
                return VoiceDescriptors(**settings)
    return VoiceDescriptors()


def _emotion_target(emotion: ET.Element) -> EmotionTarget:
    categories = _children(emotion, "category")
    dimensions = _children(emotion, "dimension")
    intensities = _children(emotion, "intensity")
    if not (categories or dimensions):
        raise EmotionInputError("an EmotionML <emotion> needs a <category> or <dimension>")
    intensity = _value(intensities[0], "intensity") if intensities else None
    voice = _read_voice(emotion)

    vad = None
    if dimensions:
        axes: dict[str, float] = {}
        for dimension in dimensions:
            name = dimension.get("name", "")
            if name not in _DIMENSION_AXIS:
                raise EmotionInputError(f"EmotionML dimension {name!r} is not one of "
                                        f"{', '.join(sorted(_DIMENSION_AXIS))}")
            value = _value(dimension, f"dimension {name}")
            axes[_DIMENSION_AXIS[name]] = 0.5 if value is None else value
        # EmotionML dimensions run 0..1 with 0.5 neutral; the studio's run -1..1.
        vad = [2 * axes.get(axis, 0.5) - 1 for axis in VAD_NAMES]

    if not categories:
        target = target_from_vad(vad, voice)
        return target if intensity is None else EmotionTarget(target.vad, target.categories, intensity, voice)

    parts, weights = [], []
    for category in categories:
        entry = vocabulary().lookup(category.get("name", ""))
        value = _value(category, f"category {entry.word}")
        level = intensity if intensity is not None else value
        parts.append(entry.target(level))
        weights.append(1.0 if value is None else max(value, 1e-6))
    target = mix_targets(parts, weights)
    if vad is not None:
        target = EmotionTarget(tuple(vad), target.categories, target.intensity)
    return target.with_voice(voice)


def _start_seconds(emotion: ET.Element) -> float | None:
    for attribute in ("offset-to-start", "start"):
        raw = emotion.get(attribute)
        if raw is not None:
            try:
                return float(raw) / 1000.0
            except ValueError:
                raise EmotionInputError(f"EmotionML {attribute}={raw!r} is not a number of ms") from None
    return None


def parse_emotionml(document: str) -> EmotionTarget | EmotionTimeline:
    """An <emotionml> document (or a bare <emotion>) to a target.

    Several <emotion>s with `start`/`offset-to-start` times become a timeline;
    several without times are mixed with equal weight.
    """
    if len(document.encode("utf-8", "replace")) > MAX_DOCUMENT_BYTES:
        raise EmotionInputError(f"EmotionML document is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        root = SafeET.fromstring(document, forbid_dtd=True)
    except DefusedXmlException as error:
        raise EmotionInputError(f"EmotionML refused: {type(error).__name__} "
                                "(DTDs and entities are not allowed)") from None
    except ET.ParseError as error:
        raise EmotionInputError(f"malformed EmotionML: {error}") from None
    if _local(root.tag) == "emotion":
        emotions = [root]
    elif _local(root.tag) == "emotionml":
        emotions = _children(root, "emotion")
    else:
        raise EmotionInputError(f"EmotionML root must be <emotionml> or <emotion>; got <{_local(root.tag)}>")
    if not emotions:
        raise EmotionInputError("the EmotionML document has no <emotion>")
    targets = [_emotion_target(emotion) for emotion in emotions]
    starts = [_start_seconds(emotion) for emotion in emotions]
    if len(targets) == 1:
        return targets[0]
    if all(start is not None for start in starts):
        origin = min(starts)
        return EmotionTimeline([Keyframe(s - origin, t) for s, t in zip(starts, targets)])
    return mix_targets(targets)


def _emotion_element(target: EmotionTarget, start_ms: float | None = None) -> ET.Element:
    emotion = ET.Element("emotion", {"category-set": STUDIO_CATEGORY_SET, "dimension-set": PAD_DIMENSIONS})
    if start_ms is not None:
        emotion.set("offset-to-start", f"{start_ms:.0f}")
    for name, weight in target.top_categories(len(CATEGORIES)):
        if weight >= 0.05:
            ET.SubElement(emotion, "category", {"name": name, "value": f"{weight:.3f}"})
    for name, value in zip(("pleasure", "arousal", "dominance"), target.vad):
        ET.SubElement(emotion, "dimension", {"name": name, "value": f"{(value + 1) / 2:.3f}"})
    ET.SubElement(emotion, "intensity", {"value": f"{target.intensity:.3f}"})
    if not target.voice.is_empty():
        info = ET.SubElement(emotion, "info")
        ET.SubElement(info, f"{{{STUDIO_NAMESPACE}}}voice", target.voice.as_dict())
    return emotion


def to_emotionml(source: EmotionTarget | EmotionTimeline) -> str:
    """An EmotionML 1.0 document; the studio's 8 categories are declared inline."""
    ET.register_namespace("emostudio", STUDIO_NAMESPACE)
    root = ET.Element("emotionml", {"version": "1.0", "xmlns": NAMESPACE})
    vocabulary_element = ET.SubElement(root, "vocabulary", {"type": "category", "id": STUDIO_CATEGORY_SET[1:]})
    for name in CATEGORIES:
        ET.SubElement(vocabulary_element, "item", {"name": name})
    if isinstance(source, EmotionTimeline):
        for keyframe in source.keyframes:
            root.append(_emotion_element(keyframe.target, keyframe.time * 1000))
    else:
        root.append(_emotion_element(source))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")
