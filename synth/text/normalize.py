"""Text normalisation: written English in, words a phonemiser can read out.

espeak-ng reads digits and symbols on its own, but badly for speech synthesis ("$5.50",
"3:30 pm", "2026-11-22" and "1st" all come out wrong or as symbol names), and whatever it
guesses is invisible to the rest of the pipeline. So every number and symbol is spelled out
here, where the rules are explicit and testable, and the phonemiser only sees words.

The output keeps the punctuation that drives pauses and intonation: ``. , ; : ? !``, the
ellipsis ``...`` and the dash, written as a hyphen with a space on at least one side
(``" - "``). A hyphen between two letters ("twenty-two") joins words and is not a pause.

Conventions (American English, the voice the front end targets):

* cardinals drop "and" and commas: 123 -> "one hundred twenty-three";
* a number with a leading zero ("007") or more than 15 digits is an identifier and is read
  digit by digit;
* a four-digit number is read as a year only in context: after a word such as "in",
  "since", "by" ("in 1999" -> "in nineteen ninety-nine"), in a range "1990-1999", as a
  decade "1990s", or inside a date; otherwise it is a cardinal;
* "St." is "street" after a capitalised, name-like word ("Baker St.", "on Main St. Then")
  and "saint" anywhere else ("St. Louis", "to St. Paul"); the first word of a sentence
  counts as name-like only when no capitalised word follows ("Visit St. Paul" is a saint,
  "Baker St. is closed" a street). "Dr." is always "doctor" (a title, never "drive");
* times: "3:30 pm" -> "three thirty p m", "10:05" -> "ten oh five", "10:00" -> "ten
  o'clock", "15:00" -> "fifteen hundred";
* "/" outside a date is read "slash"; brackets become commas (a parenthesis is a pause).

Each rule is a small pure ``str -> str`` function; ``RULES`` lists them in the order they
run, which matters: dates and times before currency, currency and percentages before bare
numbers, ordinals and decimals before cardinals, symbols last.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from num2words import num2words

Rule = Callable[[str], str]

# Longer digit strings are identifiers (card, order, phone numbers): read digit by digit,
# which is also how people say them, and keeps num2words inside its range.
_MAX_CARDINAL_DIGITS = 15

_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MONTH_ABBREVIATIONS = {name[:3]: name for name in _MONTHS} | {"Sept": "September"}

# A number as written: optional thousands separators ("1,234") or plain digits.
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
# A minus sign counts only where it cannot be a hyphen ("A-5", "3-4" keep theirs).
_MINUS = r"(?:(?<![\w-])(?P<minus>-))?"


# --- number words ---------------------------------------------------------------------


def _us_style(words: str) -> str:
    """num2words writes British cardinals ("one thousand, two hundred and five")."""
    return words.replace(",", "").replace(" and ", " ")


def _digit_by_digit(digits: str) -> str:
    return " ".join(_DIGIT_WORDS[int(digit)] for digit in digits)


def _is_identifier(digits: str) -> bool:
    return len(digits) > _MAX_CARDINAL_DIGITS or (len(digits) > 1 and digits[0] == "0")


def _cardinal(written: str) -> str:
    """'1,234' -> 'one thousand two hundred thirty-four'."""
    digits = written.replace(",", "")
    if _is_identifier(digits):
        return _digit_by_digit(digits)
    return _us_style(num2words(int(digits)))


def _ordinal(written: str) -> str:
    digits = written.replace(",", "")
    if _is_identifier(digits):
        return _digit_by_digit(digits)
    return _us_style(num2words(int(digits), to="ordinal"))


def _year(value: int) -> str:
    """1999 -> 'nineteen ninety-nine', 2005 -> 'two thousand five'."""
    return _us_style(num2words(value, to="year"))


def _decimal(whole: str | None, fraction: str) -> str:
    """Digits after the point are read one by one: 3.14 -> 'three point one four'."""
    spoken_whole = f"{_cardinal(whole)} " if whole else ""
    return f"{spoken_whole}point {_digit_by_digit(fraction)}"


def _plural_of_number_word(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties', 'eighteen hundred' -> '... hundreds'."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _with_minus(match: re.Match[str], words: str) -> str:
    return f"minus {words}" if match.group("minus") else words


def _ends_sentence(match: re.Match[str]) -> bool:
    """True when the period that ``match`` swallowed also closed the sentence."""
    return re.match(r"\s*$|\s+[\"']?[A-Z]", match.string[match.end():]) is not None


def _at_text_end(match: re.Match[str]) -> bool:
    return not match.string[match.end():].strip()


def _separated(match: re.Match[str], words: str) -> str:
    """Pad spelled-out numbers glued to letters ("mp3", "3D") so they stay separate words."""
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return f"{before}{words}{after}"


# --- rules ----------------------------------------------------------------------------

_QUOTES_AND_DASHES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2043": "-",
    "\u2044": "/",
})


def ascii_punctuation(text: str) -> str:
    """Unicode compatibility forms, quotes and dashes to their ASCII equivalents.

    NFKC first: it turns full-width and superscript digits, ligatures and "…" into plain
    characters, so the later rules only need ASCII patterns.
    """
    text = unicodedata.normalize("NFKC", text)
    # Invisible format characters (zero-width spaces, soft hyphens, BOM) split or glue
    # words unpredictably; control characters other than whitespace are noise.
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    text = text.translate(_QUOTES_AND_DASHES)
    # An en or em dash between numbers is a range ("1990–1999", "pages 10–20").
    text = re.sub(r"(?<=\d)\s*[\u2012\u2013\u2014]\s*(?=\d)", " to ", text)
    text = re.sub(r"\s*(?:[\u2012-\u2015]|-{2,})\s*", " - ", text)
    return re.sub(r"\.(?:\s*\.){2,}", "...", text)


_TITLES = {"Mr": "mister", "Mrs": "missus", "Ms": "miz", "Dr": "doctor", "Prof": "professor"}
_TITLE_RE = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof)\b\.?(?=\s+[A-Z])")
_SAINT_OR_STREET_RE = re.compile(r"(?P<before>\b[A-Z][a-z]+\s+)?\bSt\.")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?]\s*)$")
_LATIN_ABBREVIATIONS = (
    (re.compile(r"\be\.\s?g\.", re.IGNORECASE), "for example", False),
    (re.compile(r"\bi\.\s?e\.", re.IGNORECASE), "that is", False),
    (re.compile(r"\bvs\b\.?", re.IGNORECASE), "versus", False),
    (re.compile(r"\betc\b\.?", re.IGNORECASE), "et cetera", True),
    (re.compile(r"\bapprox\b\.?", re.IGNORECASE), "approximately", False),
)


def expand_abbreviations(text: str) -> str:
    """Titles, "St." and Latin abbreviations to words.

    A title is expanded only before a capitalised name ("Dr. Smith"), so "dr" elsewhere is
    left alone. "etc." and "street" may end a sentence, so their period is kept when the
    text ends or a capitalised word follows; the others keep it only at the very end.
    """
    text = _TITLE_RE.sub(lambda m: _TITLES[m.group(1)], text)

    def saint_or_street(match: re.Match[str]) -> str:
        before = match.group("before") or ""
        sentence_initial = _SENTENCE_START_RE.search(match.string[: match.start()]) is not None
        name_follows = re.match(r"\s+[A-Z]", match.string[match.end():]) is not None
        # "Visit St. Paul": a capitalised first word of a sentence is not name-like.
        if not before or (sentence_initial and name_follows):
            return f"{before}saint"
        return f"{before}street{'.' if _ends_sentence(match) else ''}"

    text = _SAINT_OR_STREET_RE.sub(saint_or_street, text)
    for pattern, words, may_end_sentence in _LATIN_ABBREVIATIONS:
        expand = functools.partial(_latin_words, words=words, may_end_sentence=may_end_sentence)
        text = pattern.sub(expand, text)
    return text


def _latin_words(match: re.Match[str], *, words: str, may_end_sentence: bool) -> str:
    if not match.group().endswith("."):
        return words
    keep_period = _at_text_end(match) or (may_end_sentence and _ends_sentence(match))
    return words + "." if keep_period else words


_DOTTED_ACRONYM_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_WEB_DOT_RE = re.compile(r"(?<=\w)\.(?=[a-z]{2,}\b)")


def expand_acronyms(text: str) -> str:
    """"U.S.A." -> "USA", which espeak spells out; the periods are not sentence ends.

    The last period is kept only at the very end of the text: "the U.S. Army" is far more
    common in scripts than an acronym closing a sentence mid-text.
    """
    return _DOTTED_ACRONYM_RE.sub(
        lambda m: m.group().replace(".", "").upper() + ("." if _at_text_end(m) else ""), text
    )


def expand_web_dots(text: str) -> str:
    """"example.com" -> "example dot com": a period glued to a lowercase word is no sentence end."""
    return _WEB_DOT_RE.sub(" dot ", text)


def _spoken_date(year: int, month: int, day: int) -> str | None:
    try:
        date(year, month, day)
    except ValueError:
        return None
    return f"{_MONTHS[month - 1]} {_ordinal(str(day))}, {_year(year)}"


_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_US_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTH_NAME_RE = re.compile(
    r"\b(?P<month>" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
    r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!:)"
    r"(?:,?\s+(?P<year>\d{4})\b)?"
)


def expand_dates(text: str) -> str:
    """ISO "2026-11-22", US "11/22/2026" and "Nov. 22, 2026" to spoken dates.

    Impossible dates (month 13, February 30) are not dates and are left to later rules.
    """

    def iso(match: re.Match[str]) -> str:
        spoken = _spoken_date(int(match[1]), int(match[2]), int(match[3]))
        return spoken or match.group()

    def us(match: re.Match[str]) -> str:
        spoken = _spoken_date(int(match[3]), int(match[1]), int(match[2]))
        return spoken or match.group()

    def month_name(match: re.Match[str]) -> str:
        month = match["month"].rstrip(".")
        month = _MONTH_ABBREVIATIONS.get(month, month)
        day = int(match["day"])
        if not 1 <= day <= 31:
            return match.group()
        year = f", {_year(int(match['year']))}" if match["year"] else ""
        return f"{month} {_ordinal(str(day))}{year}"

    text = _ISO_DATE_RE.sub(iso, text)
    text = _US_DATE_RE.sub(us, text)
    return _MONTH_NAME_RE.sub(month_name, text)


_MERIDIEM = r"(?:\s*(?P<meridiem>[AaPp])\.?\s?[Mm](?![A-Za-z])(?P<period>\.)?)"
_CLOCK_RE = re.compile(
    r"(?<![\d:.])\b(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?![\d:])" + _MERIDIEM + "?"
)
_HOUR_MERIDIEM_RE = re.compile(r"(?<![\d:.])\b(?P<hour>\d{1,2})" + _MERIDIEM)


def _spoken_meridiem(match: re.Match[str]) -> str:
    letter = match["meridiem"].lower()
    # "p.m." swallowed the period; give it back when it also ended the sentence.
    period = "." if match["period"] and _ends_sentence(match) else ""
    return f" {letter} m{period}"


def expand_times(text: str) -> str:
    """Clock times: "3:30 pm" -> "three thirty p m", "10:05" -> "ten oh five", "3pm"."""

    def clock(match: re.Match[str]) -> str:
        hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
        limit = 12 if match["meridiem"] else 23
        if hour > limit or minute > 59 or second > 59:
            return match.group()
        spoken = _cardinal(str(hour))
        if minute == 0:
            if not match["meridiem"]:
                spoken += " o'clock" if 1 <= hour <= 12 else " hundred"
        elif minute < 10:
            spoken += f" oh {_cardinal(str(minute))}"
        else:
            spoken += f" {_cardinal(str(minute))}"
        if second:
            spoken += f" and {_cardinal(str(second))} second{'s' if second > 1 else ''}"
        return spoken + (_spoken_meridiem(match) if match["meridiem"] else "")

    def hour_only(match: re.Match[str]) -> str:
        hour = int(match["hour"])
        if not 1 <= hour <= 12:
            return match.group()
        return _cardinal(str(hour)) + _spoken_meridiem(match)

    text = _CLOCK_RE.sub(clock, text)
    return _HOUR_MERIDIEM_RE.sub(hour_only, text)


# symbol -> (unit, units, subunit, subunits)
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
}
_SCALE = r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b)?"
_AMOUNT = rf"(?P<whole>{_NUMBER})(?:\.(?P<fraction>\d+))?"
_PREFIX_CURRENCY_RE = re.compile(rf"{_MINUS}(?P<symbol>[$€£])\s?{_AMOUNT}{_SCALE}")
_SUFFIX_CURRENCY_RE = re.compile(rf"{_MINUS}\b{_AMOUNT}\s?(?P<symbol>[€£$])")


def _spoken_amount(match: re.Match[str]) -> str:
    unit, units, subunit, subunits = _CURRENCIES[match["symbol"]]
    whole, fraction = match["whole"], match["fraction"]
    scale = match.groupdict().get("scale")
    if scale:  # "$2.5 million" -> "two point five million dollars"
        number = _decimal(whole, fraction) if fraction else _cardinal(whole)
        return _with_minus(match, f"{number} {scale} {units}")
    if fraction is not None and len(fraction) != 2:  # not cents: "$1.5" -> "one point five dollars"
        return _with_minus(match, f"{_decimal(whole, fraction)} {units}")
    main_value = int(whole.replace(",", ""))
    cents = int(fraction) if fraction else 0
    main = f"{_cardinal(whole)} {unit if main_value == 1 else units}"
    sub = f"{_cardinal(str(cents))} {subunit if cents == 1 else subunits}"
    if cents == 0:
        spoken = main
    elif main_value == 0:
        spoken = sub
    else:
        spoken = f"{main} and {sub}"
    return _with_minus(match, spoken)


def expand_currency(text: str) -> str:
    """"$5.50" -> "five dollars and fifty cents"; also € and £, "5 €", "$2 million"."""
    text = _PREFIX_CURRENCY_RE.sub(_spoken_amount, text)
    return _SUFFIX_CURRENCY_RE.sub(_spoken_amount, text)


_PERCENT_RE = re.compile(rf"{_MINUS}\b{_AMOUNT}\s?%")


def expand_percentages(text: str) -> str:
    """"50%" -> "fifty percent", "-2.5%" -> "minus two point five percent"."""

    def percent(match: re.Match[str]) -> str:
        whole, fraction = match["whole"], match["fraction"]
        number = _decimal(whole, fraction) if fraction else _cardinal(whole)
        return _with_minus(match, f"{number} percent")

    return _PERCENT_RE.sub(percent, text)


_YEAR = r"(?:1\d{3}|20\d{2})"
_YEAR_CONTEXT_RE = re.compile(
    r"\b(?P<context>in|since|from|until|till|by|during|before|after|around|circa|year|to|through|"
    + "|".join(_MONTHS)
    + r")"
    rf"\s+(?P<year>{_YEAR})\b(?![.,]\d|\s?%)",
    re.IGNORECASE,
)
_YEAR_RANGE_RE = re.compile(rf"\b(?P<start>{_YEAR})-(?P<end>{_YEAR})\b")
_DECADE_RE = re.compile(r"\b(?P<year>\d{3}0)s\b")
_SHORT_DECADE_RE = re.compile(r"(?:'|\b)(?P<decade>[1-9]0)s\b")


def expand_years(text: str) -> str:
    """Years where the context says so: "in 1999", "1990-1999", "the 1990s", "'90s"."""
    text = _YEAR_RANGE_RE.sub(lambda m: f"{_year(int(m['start']))} to {_year(int(m['end']))}", text)
    text = _DECADE_RE.sub(lambda m: _plural_of_number_word(_year(int(m["year"]))), text)
    text = _SHORT_DECADE_RE.sub(lambda m: _plural_of_number_word(_cardinal(m["decade"])), text)
    return _YEAR_CONTEXT_RE.sub(lambda m: f"{m['context']} {_year(int(m['year']))}", text)


_ORDINAL_RE = re.compile(rf"\b(?P<number>{_NUMBER})(?:st|nd|rd|th)\b", re.IGNORECASE)


def expand_ordinals(text: str) -> str:
    """"1st" -> "first", "22nd" -> "twenty-second"."""
    return _ORDINAL_RE.sub(lambda m: _ordinal(m["number"]), text)


_DOTTED_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+){2,}(?![\w])")
_DECIMAL_RE = re.compile(rf"{_MINUS}(?<![\w.])(?P<whole>{_NUMBER})?\.(?P<fraction>\d+)")


def expand_decimals(text: str) -> str:
    """"3.14" -> "three point one four"; dotted versions "1.2.3" -> "one point two point three"."""
    text = _DOTTED_RE.sub(lambda m: " point ".join(_cardinal(p) for p in m.group().split(".")), text)
    return _DECIMAL_RE.sub(
        lambda m: _separated(m, _with_minus(m, _decimal(m["whole"], m["fraction"]))), text
    )


_CARDINAL_RE = re.compile(rf"{_MINUS}(?P<number>{_NUMBER})")


def expand_cardinals(text: str) -> str:
    """"-1,234" -> "minus one thousand two hundred thirty-four"."""
    return _CARDINAL_RE.sub(lambda m: _separated(m, _with_minus(m, _cardinal(m["number"]))), text)


_SYMBOL_WORDS = {
    "&": "and", "+": "plus", "@": "at", "%": "percent", "=": "equals", "#": "number",
    "$": "dollars", "€": "euros", "£": "pounds", "/": "slash", "°": "degrees",
}
_SYMBOL_RE = re.compile("|".join(re.escape(symbol) for symbol in _SYMBOL_WORDS))


def expand_symbols(text: str) -> str:
    """Symbols people read aloud become words; brackets become commas (pauses)."""
    text = _SYMBOL_RE.sub(lambda m: f" {_SYMBOL_WORDS[m.group()]} ", text)
    return re.sub(r"\s*[()\[\]{}]\s*", ", ", text)


def spell_stray_digits(text: str) -> str:
    """Safety net: any digit no rule consumed (other scripts' numerals) is spelled out."""
    return "".join(
        f" {_DIGIT_WORDS[unicodedata.digit(ch, 0)]} " if ch.isdigit() else ch for ch in text
    )


def tidy_punctuation(text: str) -> str:
    """Undo the spacing and doubled commas that the expansions above leave behind."""
    text = re.sub(r"\s+([,;:?!]|\.(?!\.))", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*(?=[.;:?!])", "", text)
    return re.sub(r"^\s*,", "", text)


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


RULES: tuple[Rule, ...] = (
    ascii_punctuation,
    expand_abbreviations,
    expand_dates,
    expand_times,
    expand_currency,
    expand_percentages,
    expand_acronyms,
    expand_web_dots,
    expand_years,
    expand_ordinals,
    expand_decimals,
    expand_cardinals,
    expand_symbols,
    spell_stray_digits,
    tidy_punctuation,
    collapse_whitespace,
)


def normalize_text(text: str) -> str:
    """Written English to speakable words, keeping the punctuation that marks pauses.

    >>> normalize_text("Dr. Smith paid $5.50 on 2026-11-22 at 3:30 pm.")
    'doctor Smith paid five dollars and fifty cents on November twenty-second, twenty twenty-six at three thirty p m.'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    for rule in RULES:
        text = rule(text)
    return text
