"""English sentences for the training corpus: written for this project, read in any emotion.

Two sources, merged into one fixed order:

* ``HANDWRITTEN``: sentences written by hand for variety the grammar cannot give (short
  commands, idioms, long sentences, dense consonant clusters such as "twelfth", "sixths",
  "glimpsed", "scripts");
* a small deterministic grammar: subjects, verbs, objects, places and times slotted into
  statement, question and exclamation frames. The word lists are chosen for phonetic
  spread: every English phoneme occurs, including the rarer ones (/ʒ/ in "measure",
  "beige", "garage"; /ɔɪ/ in "boiler", "coins"; /θ/ and /ð/; /tʃ/ and /dʒ/), in onsets,
  codas and clusters.

Content is everyday and emotionally neutral-ish (errands, objects, places, plans), so each
sentence can be spoken happy, sad, angry or afraid without the words contradicting the
voice. No person names appear; people are roles ("the night nurse", "my cousin").

Order and ids are fixed: ``corpus_sentences(n)`` is always a prefix of
``corpus_sentences(m)`` for ``n <= m``. A sentence's split (80/10/10 train/validation/test)
is derived from a hash of its words, so it never changes when the corpus grows, and two
sentences that differ only in case or punctuation can never fall in different splits (they
are de-duplicated anyway).

>>> first = corpus_sentences(3)
>>> [s.id for s in first]
['s0001', 's0002', 's0003']
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Kind = Literal["statement", "question", "exclamation"]
Split = Literal["train", "validation", "test"]

KINDS: tuple[str, ...] = ("statement", "question", "exclamation")
SPLITS: tuple[str, ...] = ("train", "validation", "test")
DEFAULT_COUNT = 720
MIN_WORDS = 3
MAX_WORDS = 20

# Split by hash bucket in per mille: [0, 800) train, [800, 900) validation, [900, 1000) test.
_SPLIT_EDGES: tuple[tuple[int, str], ...] = ((800, "train"), (900, "validation"), (1000, "test"))
_SPLIT_SALT = "emostudio-sentences-v10"  # picked among 40 for splits near 80/10/10 at every size
# How many grammar sentences the fixed pool holds (ids stay within s0001..s9999).
_GENERATED_TARGET = 3600
# One hand-written sentence every this many positions, until they run out.
_HANDWRITTEN_EVERY = 7


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str
    kind: Kind
    split: Split

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(_WORD_RE.findall(self.text))


_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")

# --- hand-written sentences -----------------------------------------------------------

HANDWRITTEN: tuple[str, ...] = (
    # statements
    "The twelfth train leaves from platform six at a quarter to nine.",
    "A thick fog settled over the harbor just before dawn.",
    "She measured the garage twice and still bought the wrong shelves.",
    "The usual crowd gathered outside the bakery on Thursday.",
    "Fresh bread, strong coffee and a quiet table were all we needed.",
    "The strength of the old bridge was checked by three engineers.",
    "His sketches of the water mill filled a whole drawer.",
    "The orange cat sleeps in the laundry basket every afternoon.",
    "We split the bill and walked home along the river.",
    "Nobody noticed that the hall clock had stopped at seven.",
    "The children splashed through the puddles on the way to school.",
    "A leisurely lunch turned into a long, lazy afternoon.",
    "The screwdriver was hidden under a pile of scrap paper.",
    "Thousands of tiny lights shone across the valley.",
    "The judge postponed the hearing until the following Tuesday.",
    "Her grandmother's recipe calls for six spoons of sugar.",
    "The ship's horn echoed through the narrow streets.",
    "The treasurer counted the coins twice before locking the safe.",
    "Rain is expected in the north by the end of the week.",
    "The squirrel buried acorns beneath the hedge.",
    "This jacket has three zippers and a hood.",
    "The television in the lobby was showing the weather forecast.",
    "Yesterday the yard was covered in yellow leaves.",
    "Pack the thermos, the map and a spare pair of socks.",
    "The sculptor chipped away at the marble block for months.",
    "We watched the ferry glide slowly past the lighthouse.",
    "The plumber fixed the leak in the bathroom within an hour.",
    "Each drawer in the cabinet was labeled with a number.",
    "Strawberries grow best in bright, sheltered spots.",
    "It rained all day.",
    "Dinner is ready.",
    "The elevator is broken again.",
    "Thick clouds drifted over the mountains while the shepherd led his flock toward the village.",
    "The noisy boiler in the basement was finally replaced.",
    "A beige envelope was wedged behind the radiator.",
    "The vision test took less than five minutes.",
    "Crisp, bright mornings are perfect for a brisk walk.",
    "Twelve splendid sculptures stand in the courtyard.",
    "She glimpsed the sea through a gap in the pines.",
    "The sixth sheep in the field stood perfectly still.",
    "He thrust the scripts into his satchel and sprinted off.",
    "Whichever path you choose, the bridge is the only crossing.",
    "The youths played chess on the beach until the tide came in.",
    "Those shelves hold jars of pickles, jams and chutneys.",
    "The exhibition moves to a larger gallery in June.",
    "Our new apartment overlooks a busy junction.",
    "A stray dog followed us all the way to the village.",
    "The toy boat drifted gently toward the far shore.",
    "Turn left at the church and keep going until you reach the square.",
    "The kettle clicked off just as the phone rang.",
    "The kitten fell asleep on a cotton sweater.",
    "Press the red button twice to start the machine.",
    "Somebody had written the address on the back of a receipt.",
    "The forecast for the weekend is certainly better than last week.",
    # questions
    "Is this the way to the station?",
    "Which platform does the northbound train leave from?",
    "Have you ever tried to fold a map in the wind?",
    "Where should we put the spare chairs?",
    "Did anyone check the weather for Saturday?",
    "How much does a ticket to the coast cost?",
    "Could you pass me the salt and pepper?",
    "Why is the garage door open?",
    "What time does the pharmacy close on Sundays?",
    "Who left the lights on in the attic?",
    "Are the strawberries ripe yet?",
    "Would you rather walk or take the bus?",
    "Can you hear the church bells from your garden?",
    "Was the parcel delivered this morning?",
    "Whose umbrella is this?",
    "How many stairs lead up to the lighthouse?",
    "Do you know where the measuring jug went?",
    "Shall we meet by the fountain at noon?",
    "Is there enough milk for breakfast?",
    "Have the twins finished their homework?",
    "What's the quickest route through the city?",
    "Does the ferry still run on public holidays?",
    "Which of these three keys opens the shed?",
    "Should we bring the folding chairs or borrow some there?",
    # exclamations
    "The bus is here!",
    "What a strange thing to find in a drawer!",
    "There's a rainbow over the harbor!",
    "Mind the step!",
    "That was the longest line I've ever seen!",
    "Look at the size of that pumpkin!",
    "The kettle's boiling!",
    "We made it just in time!",
    "Don't touch the wet paint!",
    "Those shoes are exactly the right size!",
    "The whole street smells of fresh bread!",
    "Hold the door, please!",
    "The snow is knee deep this morning!",
    "Three strikes in a row!",
    "What a view from the top of the hill!",
    "Quick, grab the washing before the rain starts!",
    "I found the missing jigsaw piece under the sofa!",
    "Everything fits in the suitcase after all!",
    "The lights just went out all over the street!",
    "So that's where the scissors were hiding!",
)

# --- the grammar ------------------------------------------------------------------------

# Subjects, written as they appear mid-sentence.
_SUBJECTS: tuple[str, ...] = (
    "my neighbor", "the night nurse", "our teacher", "the old gardener", "a tall stranger",
    "my younger brother", "your sister", "the bus driver", "the shopkeeper",
    "a quiet student", "the chef", "the fisherman", "the librarian", "the mail carrier",
    "the carpenter", "my cousin", "the new clerk", "the youngest child", "her uncle",
    "the builder", "the pharmacist", "the lighthouse keeper", "the jeweler",
    "a cheerful waiter", "we", "they", "I", "the twins", "the plumber", "the usher",
    "the engineer", "the park ranger", "the photographer", "the mechanic", "the grocer",
    "the choir leader", "the janitor", "a young soldier", "the sheriff's deputy",
    "the school principal", "his aunt", "the baker next door",
)

# (base form, past tense) of verbs that take a concrete object.
_VERBS: tuple[tuple[str, str], ...] = (
    ("paint", "painted"), ("carry", "carried"), ("fix", "fixed"), ("wash", "washed"),
    ("pack", "packed"), ("bring", "brought"), ("find", "found"), ("measure", "measured"),
    ("borrow", "borrowed"), ("wrap", "wrapped"), ("clean", "cleaned"), ("check", "checked"),
    ("move", "moved"), ("drop", "dropped"), ("sketch", "sketched"), ("polish", "polished"),
    ("return", "returned"), ("buy", "bought"), ("sell", "sold"), ("open", "opened"),
    ("lock", "locked"), ("fold", "folded"), ("weigh", "weighed"), ("swap", "swapped"),
    ("deliver", "delivered"), ("collect", "collected"), ("repair", "repaired"),
    ("hide", "hid"), ("leave", "left"), ("photograph", "photographed"), ("stack", "stacked"),
    ("scrub", "scrubbed"), ("grab", "grabbed"), ("sort", "sorted"), ("change", "changed"),
    ("exchange", "exchanged"), ("examine", "examined"), ("unpack", "unpacked"),
    ("drag", "dragged"), ("push", "pushed"), ("mend", "mended"), ("label", "labeled"),
    ("rinse", "rinsed"), ("dust", "dusted"), ("replace", "replaced"),
    ("stretch", "stretched"), ("throw away", "threw away"),
    ("pick up", "picked up"), ("put away", "put away"), ("set down", "set down"),
)

# (phrase, plural) objects; plural decides "is"/"are" and "was"/"were".
_OBJECTS: tuple[tuple[str, bool], ...] = (
    ("the yellow chair", False), ("a leather jacket", False), ("three glass jars", True),
    ("the orange umbrella", False), ("a thick wool blanket", False),
    ("the kitchen drawer", False), ("twelve fresh eggs", True), ("the broken bicycle", False),
    ("a pair of boots", False), ("the treasure map", False), ("a heavy suitcase", False),
    ("the garage door", False), ("the old television", False), ("a box of matches", False),
    ("the silver watch", False), ("six ripe pears", True), ("the paint brushes", True),
    ("a jug of milk", False), ("the wooden bench", False), ("the beige curtains", True),
    ("a stack of magazines", False), ("the vegetable basket", False),
    ("the bathroom mirror", False), ("a small brass key", False), ("the photographs", True),
    ("the striped scarf", False), ("the fishing nets", True), ("a sketchbook", False),
    ("a jar of strawberry jam", False), ("the chess set", False), ("the thermos", False),
    ("a crate of oranges", False), ("the measuring tape", False), ("the sheepskin rug", False),
    ("a plastic bucket", False), ("the cushions", True), ("the lampshade", False),
    ("a loaf of bread", False), ("the usual sandwiches", True), ("the gym bags", True),
    ("a tray of cups", False), ("the cheese knife", False), ("the spare tire", False),
    ("the compass", False), ("the pillows", True), ("the ironing board", False),
    ("the old sewing machine", False), ("the toolbox", False), ("a velvet hat", False),
    ("the shampoo bottles", True), ("the church keys", True), ("the jigsaw puzzle", False),
    ("the Thursday newspaper", False), ("a thin glass vase", False),
    ("the hedge clippers", True), ("the noisy boiler", False), ("a bag of coins", False),
    ("the children's toys", True), ("the birthday cards", True), ("a bottle of oil", False),
    ("the winter clothes", True), ("the heavy books", True), ("the cushion covers", True),
    ("a roll of string", False), ("the wristwatch", False), ("the pushchair", False),
)

_PLACES: tuple[str, ...] = (
    "at the station", "in the garage", "near the bridge", "behind the church",
    "by the harbor", "in the village square", "on the north shore", "at the market",
    "in the library", "under the stairs", "across the street", "beside the fountain",
    "at the airport", "in the garden shed", "on the fifth floor", "in the kitchen",
    "next to the window", "at the bakery", "in the attic", "on the balcony", "by the gate",
    "at the edge of the forest", "in the hallway", "outside the theater", "at the bus stop",
    "in the back of the truck", "on the top shelf", "inside the cabinet",
    "near the fishing pier", "at the swimming pool", "along the river path",
    "in the laundry room", "at the pharmacy", "on the ferry", "by the old mill",
    "in the cellar", "at the crossroads", "behind the barn", "on the front porch",
    "at the museum entrance", "in the greenhouse", "on the third platform",
    "near the lighthouse", "in the boathouse", "at the youth hostel", "in the dining room",
)

_PAST_TIMES: tuple[str, ...] = (
    "this morning", "on Thursday", "yesterday evening", "last June", "before lunch",
    "after midnight", "at dawn", "at half past three", "on a cloudy afternoon",
    "last winter", "last month", "twelve days ago", "early on Sunday", "in the autumn",
    "at noon", "the day before yesterday", "two weeks ago", "during the storm",
    "on the first of March", "just after breakfast",
)

_FUTURE_TIMES: tuple[str, ...] = (
    "tomorrow morning", "next Thursday", "later tonight", "after lunch", "next spring",
    "on Saturday", "before the weekend", "in an hour", "at six o'clock", "next month",
    "at the end of the week", "some time in August", "first thing tomorrow",
    "on the way home", "this evening", "next Wednesday",
)

_MODALS: tuple[str, ...] = (
    "will", "might", "can", "had to", "forgot to", "decided to", "offered to", "tried to",
    "promised to", "agreed to", "managed to",
)

_REPORTERS: tuple[str, ...] = (
    "said that", "told me that", "mentioned that", "wrote that", "explained that",
)

# Frames: each slot is {S} subject (capitalised), {s} subject, {V} past verb, {B} base verb,
# {O} object, {o} object (capitalised), {P} place, {T} past time, {F} future time,
# {t} past time (capitalised), {M} modal, {R} reporter, {be}/{was} agree with the object,
# {S2} a second subject.
_FRAMES: dict[str, tuple[str, ...]] = {
    "statement": (
        "{S} {V} {O} {P}.",
        "{S} {V} {O} {T}.",
        "{t}, {s} {V} {O} {P}.",
        "{S} will {B} {O} {P} {F}.",
        "{S} {R} {s2} {V} {O} {P}.",
        "{o} {was} {P} {T}.",
        "{S} and {s2} {V} {O} together.",
        "{S} {M} {B} {O} {P}.",
        "{S} {V} {O} and {V2} {O2}.",
        "{S} usually keeps {O} {P}.",
        "According to {s}, {o2} {was2} {P}.",
    ),
    "question": (
        "Did {s} {B} {O} {P}?",
        "Will {s} {B} {O} {F}?",
        "Why did {s} {B} {O} {P}?",
        "Where did {s} {B} {O}?",
        "Who {V} {O} {P}?",
        "{Be} {O} still {P}?",
        "Could {s} {B} {O} {F}?",
        "How long did it take to {B} {O}?",
        "When did {s} {B} {O}?",
        "Have you seen {O} {P}?",
        "Do you think {s} will {B} {O} {F}?",
        "Should we {B} {O} now or {F}?",
        "Is it true that {s} {V} {O} {T}?",
    ),
    "exclamation": (
        "{S} {V} {O} {P}!",
        "Look, {s} {V} {O}!",
        "We have to {B} {O} {F}!",
        "Don't forget to {B} {O}!",
        "So {s} finally {V} {O}!",
        "Oh, {O} {be} {P}!",
        "Just imagine, {s} {V} {O} {P}!",
        "Please {B} {O} {F}!",
        "I can't believe {s} {V} {O} {P}!",
        "{S} really did {B} {O} {T}!",
        "There {be} {O} {P} again!",
    ),
}

# Kinds of the grammar sentences in turn: 5 statements, 3 questions, 2 exclamations per 10.
_KIND_CYCLE: tuple[str, ...] = (
    "statement", "question", "statement", "exclamation", "question",
    "statement", "exclamation", "statement", "question", "statement",
)


def _index(*parts: object) -> int:
    """A stable pseudo-random integer from the parts (sha256: same on every platform)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _pick(options: tuple, position: int, slot: str):
    return options[_index("slot", position, slot) % len(options)]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


_PRONOUNS = frozenset({"I", "we", "they"})
_NOUN_SUBJECTS: tuple[str, ...] = tuple(s for s in _SUBJECTS if s not in _PRONOUNS)
# Second subjects: "... and I", "... said that I" read well; "... and we" does not.
_SECOND_SUBJECTS: tuple[str, ...] = tuple(s for s in _SUBJECTS if s not in {"we", "they"})


def _fill(frame: str, position: int) -> str:
    # A pronoun cannot follow "According to", nor pair with "said that"/"and" as subject.
    needs_noun = "{s2}" in frame or "{R}" in frame or frame.startswith("According")
    subject = _pick(_NOUN_SUBJECTS if needs_noun else _SUBJECTS, position, "subject")
    subject2 = _pick(_SECOND_SUBJECTS, position, "subject2")
    if subject2 == subject:
        subject2 = _SECOND_SUBJECTS[
            (_SECOND_SUBJECTS.index(subject2) + 1) % len(_SECOND_SUBJECTS)]
    base, past = _pick(_VERBS, position, "verb")
    _, past2 = _pick(_VERBS, position, "verb2")
    obj, plural = _pick(_OBJECTS, position, "object")
    obj2, plural2 = _pick(_OBJECTS, position, "object2")
    past_time = _pick(_PAST_TIMES, position, "time")
    values = {
        "S": _capitalise(subject), "s": subject, "s2": subject2,
        "V": past, "V2": past2, "B": base,
        "O": obj, "o": _capitalise(obj), "O2": obj2, "o2": obj2,
        "P": _pick(_PLACES, position, "place"),
        "T": past_time, "t": _capitalise(past_time),
        "F": _pick(_FUTURE_TIMES, position, "future"),
        "M": _pick(_MODALS, position, "modal"), "R": _pick(_REPORTERS, position, "reporter"),
        "be": "are" if plural else "is", "Be": "Are" if plural else "Is",
        "was": "were" if plural else "was", "was2": "were" if plural2 else "was",
    }
    return _capitalise(frame.format(**values))


def _key(text: str) -> str:
    """The identity of a sentence: its words, case and punctuation ignored."""
    return " ".join(word.lower() for word in _WORD_RE.findall(text))


def _kind_of(text: str) -> str:
    end = text.rstrip()[-1:]
    return {"?": "question", "!": "exclamation"}.get(end, "statement")


def _split_of(text: str) -> str:
    bucket = _index(_SPLIT_SALT, _key(text)) % 1000
    for edge, split in _SPLIT_EDGES:
        if bucket < edge:
            return split
    raise AssertionError("unreachable")  # pragma: no cover


def _word_count_ok(text: str) -> bool:
    return MIN_WORDS <= len(_WORD_RE.findall(text)) <= MAX_WORDS


def _generated(target: int) -> list[str]:
    """Grammar sentences in their fixed order, de-duplicated, within the word limits."""
    out: list[str] = []
    seen: set[str] = {_key(text) for text in HANDWRITTEN}
    position = 0
    while len(out) < target:
        kind = _KIND_CYCLE[len(out) % len(_KIND_CYCLE)]
        frames = _FRAMES[kind]
        frame = frames[_index("frame", position) % len(frames)]
        text = _fill(frame, position)
        position += 1
        key = _key(text)
        if key in seen or not _word_count_ok(text):
            continue
        seen.add(key)
        out.append(text)
        if position > 50 * target:  # pragma: no cover - the grammar is far larger
            raise RuntimeError("the sentence grammar ran out of distinct sentences")
    return out


@lru_cache(maxsize=1)
def _pool() -> tuple[Sentence, ...]:
    generated = _generated(_GENERATED_TARGET)
    handwritten = list(HANDWRITTEN)
    texts: list[str] = []
    g = h = 0
    while g < len(generated) or h < len(handwritten):
        if h < len(handwritten) and (len(texts) % _HANDWRITTEN_EVERY == 0 or g >= len(generated)):
            texts.append(handwritten[h])
            h += 1
        else:
            texts.append(generated[g])
            g += 1
    return tuple(
        Sentence(id=f"s{i + 1:04d}", text=text, kind=_kind_of(text), split=_split_of(text))  # type: ignore[arg-type]
        for i, text in enumerate(texts)
    )


def max_sentences() -> int:
    """How many sentences ``corpus_sentences`` can return at most."""
    return len(_pool())


def corpus_sentences(count: int = DEFAULT_COUNT) -> tuple[Sentence, ...]:
    """The first ``count`` sentences of the fixed corpus order (ids ``s0001``...)."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"count must be an int, not {type(count).__name__}")
    pool = _pool()
    if not 1 <= count <= len(pool):
        raise ValueError(f"count must be between 1 and {len(pool)}; got {count}")
    return pool[:count]


def sentences_for(split: str, count: int | None = None) -> tuple[Sentence, ...]:
    """The sentences of one split among ``corpus_sentences(count)`` (default size if None).

    ``count`` is the size of the whole corpus the split is taken from, so the three splits
    of one ``count`` partition ``corpus_sentences(count)``.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; the splits are {', '.join(SPLITS)}")
    corpus = corpus_sentences(DEFAULT_COUNT if count is None else count)
    return tuple(sentence for sentence in corpus if sentence.split == split)


__all__ = [
    "DEFAULT_COUNT", "HANDWRITTEN", "KINDS", "MAX_WORDS", "MIN_WORDS", "SPLITS", "Sentence",
    "corpus_sentences", "max_sentences", "sentences_for",
]
