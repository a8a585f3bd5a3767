"""Token durations for TTS training: the text front end's tokens (espeak IPA, what the TTS
reads at inference) timed by the corpus phone times (festival/flite phones, what the voices
actually said).

The two phone sequences differ in places: espeak writes r-coloured vowels as one phone where
festival has two ("ɔːɹ" ~ "ao r"), flaps "t" as "ɾ", and festival inserts pauses where the
text has no punctuation. So the corpus phones are cut into one contiguous (possibly empty)
group per token by dynamic programming: a phone costs nothing in a token it can spell,
little in a token of its own class, more elsewhere; an empty token costs a fixed penalty.
Each token's duration is then the frames its group covers.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from synth.text.frontend import BOS, EOS, LONG_PAUSE, SHORT_PAUSE
from synth.text.phonemes import is_vowel
from synth.render.engines import PAUSE_PHONES

PAUSE_TOKENS = frozenset({BOS, EOS, SHORT_PAUSE, LONG_PAUSE})
# Which corpus (ARPAbet-style) phones each espeak phone may be spelled with.
SPELLINGS: dict[str, frozenset[str]] = {ipa: frozenset(arpabet.split()) for ipa, arpabet in {
    "ə": "ax ah ih", "ɐ": "ax ah", "ɪ": "ih iy ax", "ᵻ": "ih ax", "i": "iy ih", "iː": "iy", "ɛ": "eh",
    "æ": "ae", "ʌ": "ah ax", "ɑː": "aa", "ɔ": "ao aa", "ɔː": "ao", "ʊ": "uh", "u": "uw", "uː": "uw",
    "ɚ": "er ax r", "ɜː": "er", "eɪ": "ey", "aɪ": "ay", "aʊ": "aw", "oʊ": "ow", "ɔɪ": "oy",
    "iə": "iy ax", "aɪə": "ay ax", "aɪɚ": "ay er r", "ɑːɹ": "aa r", "ɔːɹ": "ao r ow", "oːɹ": "ao ow r",
    "ɛɹ": "eh r", "ɪɹ": "ih iy r", "ʊɹ": "uh r", "oː": "ow ao", "əl": "ax l", "ɑ̃": "aa",
    "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "ɡ": "g", "ʔ": "t", "ɾ": "t d", "f": "f", "v": "v",
    "θ": "th", "ð": "dh", "s": "s", "z": "z", "ʃ": "sh", "ʒ": "zh", "h": "hh", "x": "k hh", "ç": "hh",
    "tʃ": "ch", "dʒ": "jh", "m": "m", "n": "n", "n̩": "n ax", "ŋ": "ng", "l": "l", "ɬ": "l", "ɹ": "r",
    "r": "r", "j": "y", "w": "w",
}.items()}
CORPUS_VOWELS = frozenset("aa ae ah ao aw ax ay eh er ey ih iy ow oy uh uw".split())

SPELLED, SAME_CLASS, OTHER = 0.0, 0.4, 1.0
PAUSE_IN_PHONE, PHONE_IN_PAUSE = 0.6, 1.5
EMPTY_TOKEN = 1.2


def phone_cost(token: str, phone: str) -> float:
    """What it costs to let `token` cover the corpus phone `phone`."""
    if phone in PAUSE_PHONES:
        return SPELLED if token in PAUSE_TOKENS else PAUSE_IN_PHONE
    if token in PAUSE_TOKENS:
        return PHONE_IN_PAUSE
    if phone in SPELLINGS.get(token, ()):
        return SPELLED
    return SAME_CLASS if is_vowel(token) == (phone in CORPUS_VOWELS) else OTHER


def group_phones(tokens: Sequence[str], phones: Sequence[str]) -> list[tuple[int, int]]:
    """For each token, the [start, end) range of corpus phones it covers (contiguous, in
    order, together covering every phone once; a range may be empty). O(tokens x phones)."""
    n, m = len(tokens), len(phones)
    if n == 0:
        raise ValueError("no tokens to align")
    cost = np.array([[phone_cost(t, p) for p in phones] for t in tokens]).reshape(n, m)
    done = np.full((n + 1, m + 1), np.inf)    # tokens[:i] cover phones[:j] exactly
    open_ = np.full((n + 1, m + 1), np.inf)   # same, token i-1's group non-empty and ending at j
    extended = np.zeros((n + 1, m + 1), dtype=bool)
    done[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            extend, start = open_[i, j - 1], done[i - 1, j - 1]
            extended[i, j] = extend < start
            open_[i, j] = cost[i - 1, j - 1] + min(extend, start)
        done[i] = np.minimum(open_[i], done[i - 1] + EMPTY_TOKEN)
    if not np.isfinite(done[n, m]):
        raise ValueError("tokens and phones cannot be aligned")
    ranges, i, j = [], n, m
    while i > 0:
        if j > 0 and done[i, j] == open_[i, j]:
            end = j
            while extended[i, j]:
                j -= 1
            j -= 1
            ranges.append((j, end))
        else:
            ranges.append((j, j))
        i -= 1
    if j != 0:
        raise ValueError("alignment did not cover every phone")
    return ranges[::-1]


def phone_frames(phones: Sequence[tuple[str, float, float]], fps: float, total_frames: int) -> np.ndarray:
    """Frames per corpus phone from its end times, rounded cumulatively (no drift); the last
    phone absorbs the difference to the acoustic features' frame count."""
    ends = np.round(np.array([end for _, _, end in phones]) * fps).astype(int)
    frames = np.diff(np.concatenate([[0], ends]))
    frames[-1] += total_frames - int(frames.sum())
    if (frames < 0).any():
        raise ValueError("phone times do not fit the frame count")
    return frames


def timed_tokens(tokens: Sequence[str], phones: Sequence[tuple[str, float, float]], fps: float,
                 total_frames: int) -> list[tuple[int | None, int]]:
    """(token index, frames) in order, summing to `total_frames`. Where the voice paused
    without punctuation (festival phrases long sentences itself), the pause frames at the
    edge of a phone token's group become their own entry with index None (a short pause
    token), rather than lengthening the phone into silence."""
    frames = phone_frames(phones, fps, total_frames)
    names = [p for p, _, _ in phones]
    timed: list[tuple[int | None, int]] = []
    for index, (start, end) in enumerate(group_phones(tokens, names)):
        if tokens[index] in PAUSE_TOKENS or start == end:
            timed.append((index, int(frames[start:end].sum())))
            continue
        lead = next((k for k in range(start, end) if names[k] not in PAUSE_PHONES), end)
        tail = next((k for k in range(end, lead, -1) if names[k - 1] not in PAUSE_PHONES), lead)
        if lead > start:
            timed.append((None, int(frames[start:lead].sum())))
        timed.append((index, int(frames[lead:tail].sum())))
        if end > tail:
            timed.append((None, int(frames[tail:end].sum())))
    return timed
