"""Imprecise dates as written in cooperation programme reports.

A :class:`FuzzyDate` keeps the text as written, the first and last day of the
period it covers, and how precise it is, so "Sept 2016" stays a month and is
never turned into a false exact day. Standard library only: no Django here.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["FuzzyDate", "FuzzyDateError", "Precision", "find_dates", "from_parts", "parse",
           "parse_or_unknown"]


class Precision(enum.StrEnum):
    """How precise a date is. The values are stored in a database column."""

    DAY = "day"
    MONTH = "month"
    MONTHS = "months"
    QUARTER = "quarter"
    YEAR = "year"
    UNKNOWN = "unknown"


class FuzzyDateError(ValueError):
    """A text is not a date this module understands, or names an impossible one."""


_MONTHLY = (Precision.MONTH, Precision.MONTHS, Precision.QUARTER)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _month_iso(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class FuzzyDate:
    """A date as written, with the period it covers and its precision.

    ``start`` and ``end`` (inclusive) are None when the year is unknown or the
    text is vague; a bare month with no year keeps its number in ``month``.
    """

    text: str
    start: date | None
    end: date | None
    precision: Precision
    month: int | None = None

    def __post_init__(self) -> None:
        # Accept the stored string too ("month"), so equality with parsed dates holds.
        object.__setattr__(self, "precision", Precision(self.precision))
        if (self.start is None) != (self.end is None):
            raise FuzzyDateError(f"{self.text!r} needs both a start and an end, or neither")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise FuzzyDateError(f"{self.text!r} ends before it starts")
        if self.month is not None and not 1 <= self.month <= 12:
            raise FuzzyDateError(f"there is no month {self.month} in {self.text!r}")

    @classmethod
    def unknown(cls, text: str) -> FuzzyDate:
        """A vague time ("within the next few weeks"): the text is all we keep."""
        clean = _normalise(text)
        if not clean:
            raise FuzzyDateError("an empty text is not a date")
        return cls(clean, None, None, Precision.UNKNOWN)

    @property
    def iso(self) -> str | None:
        """``2016-09-24`` for a day, ``2016-09`` for a month or the first month of a range."""
        if self.start is None:
            return None
        if self.precision is Precision.DAY:
            return self.start.isoformat()
        if self.precision in _MONTHLY:
            return _month_iso(self.start)
        if self.precision is Precision.YEAR:
            return f"{self.start.year:04d}"
        return None

    @property
    def iso_end(self) -> str | None:
        """The last month of a month range or quarter, or the last day of a day range."""
        if self.start is None or self.end is None:
            return None
        if self.precision in (Precision.MONTHS, Precision.QUARTER):
            return _month_iso(self.end)
        if self.precision is Precision.DAY and self.end != self.start:
            return self.end.isoformat()
        return None

    @property
    def is_exact(self) -> bool:
        return self.precision is Precision.DAY and self.start is not None and self.start == self.end

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Known periods by start then end; those without a year after them, by month."""
        if self.start is None or self.end is None:
            return (1, self.month or 13, 0, self.text)
        return (0, self.start.toordinal(), self.end.toordinal(), self.text)

    def overlaps(self, other: FuzzyDate) -> bool:
        """True when both periods are known and share at least one day."""
        if self.start is None or self.end is None or other.start is None or other.end is None:
            return False
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return self.text


# --- Vocabulary -------------------------------------------------------------

# One line per month: English full name first, then abbreviations and the
# French, Spanish, German and Italian names (with and without accents).
_MONTH_LINES = (
    "january jan janvier enero januar jänner gennaio",
    "february feb février fevrier febrero februar febbraio",
    "march mar mars marzo märz maerz",
    "april apr avril abril aprile",
    "may mai mayo maggio",
    "june jun juin junio juni giugno",
    "july jul juillet julio juli luglio",
    "august aug août aout agosto",
    "september sep sept septembre septiembre setiembre settembre",
    "october oct octobre octubre oktober ottobre",
    "november nov novembre noviembre",
    "december dec décembre decembre diciembre dezember dicembre",
)
_MONTHS: dict[str, int] = {
    word: number for number, line in enumerate(_MONTH_LINES, start=1) for word in line.split()
}
_ENGLISH = tuple(line.split()[0] for line in _MONTH_LINES)
_ABBREVIATIONS = frozenset(("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                            "nov", "dec"))
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4}


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so "sept" is tried before "sep".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Only abbreviations take a dot, so "June." at the end of a sentence stays "June".
_MONTH = (
    rf"(?:{_alternation([w for w in _MONTHS if w not in _ABBREVIATIONS])}"
    rf"|(?:{_alternation(_ABBREVIATIONS)})\.?)(?![^\W\d_])"
)
_SEP = r"(?:\s*[-\u2013\u2014/]\s*|\s+(?:to|until|till|through)\s+)"
_PART = r"early|mid|late|end\s+of|end|beginning\s+of|start\s+of|middle\s+of"
_QUALIFIER = rf"(?P<qual>{_PART})(?:\s+|\s*-\s*)"


def _m(name: str) -> str:
    return f"(?P<{name}>{_MONTH})"


def _d(name: str) -> str:
    return rf"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"


def _y(name: str) -> str:
    return rf"(?P<{name}>[12]\d{{3}})"


# --- Building periods -------------------------------------------------------


def _month_of(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")]


def _day(text: str, year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise FuzzyDateError(f"there is no month {month} in {text!r}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        name = _ENGLISH[month - 1].title()
        raise FuzzyDateError(f"{text!r} names day {day} of {name} {year}, which does not exist")
    return date(year, month, day)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(text: str, y1: int, m1: int, y2: int, m2: int) -> FuzzyDate:
    start, end = date(y1, m1, 1), _last_day(y2, m2)
    if start > end:
        raise FuzzyDateError(f"{text!r} ends before it starts")
    precision = Precision.MONTH if (y1, m1) == (y2, m2) else Precision.MONTHS
    return FuzzyDate(text, start, end, precision)


Builder = Callable[[re.Match[str], str, date | None], FuzzyDate]


def _month_in(m: re.Match[str]) -> int:
    """The month of a match, written in digits (group ``mo``) or as a word (group ``m``)."""
    digits = m.groupdict().get("mo")
    return int(digits) if digits else _month_of(m["m"])


def _exact_day(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    day = _day(text, int(m["y"]), _month_in(m), int(m["d"]))
    return FuzzyDate(text, day, day, Precision.DAY)


def _one_month(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    first = _day(text, int(m["y"]), _month_in(m), 1)  # refuses month 13
    return _months(text, first.year, first.month, first.year, first.month)


def _yearless_day(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    month, day = _month_of(m["m"]), int(m["d"])
    if ref is not None:
        resolved = _day(text, ref.year, month, day)
        return FuzzyDate(text, resolved, resolved, Precision.DAY)
    _day(text, 2000, month, day)  # a leap year, so "29 February" passes but "31 February" does not
    return FuzzyDate(text, None, None, Precision.DAY, month=month)


def _day_range(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    m1, m2 = _month_of(m["m1"] or m["m2"]), _month_of(m["m2"] or m["m1"])
    d1, d2, y2 = int(m["d1"]), int(m["d2"]), int(m["y2"])
    # "30 Dec - 2 Jan 2017": the written year belongs to the end.
    y1 = int(m["y1"]) if m["y1"] else y2 - ((m1, d1) > (m2, d2))
    start, end = _day(text, y1, m1, d1), _day(text, y2, m2, d2)
    if start > end:
        raise FuzzyDateError(f"{text!r} ends before it starts")
    return FuzzyDate(text, start, end, Precision.DAY)


def _month_range(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    m1, m2 = _month_of(m["m1"]), _month_of(m["m2"])
    wraps = m2 < m1  # "Nov/Jan 2017" runs over the new year
    if m["y1"] or m["y2"]:
        y2 = int(m["y2"]) if m["y2"] else int(m["y1"]) + wraps
        y1 = int(m["y1"]) if m["y1"] else y2 - wraps
    elif ref is not None:
        y1, y2 = ref.year, ref.year + wraps
    else:
        return FuzzyDate(text, None, None, Precision.MONTHS, month=m1)
    return _months(text, y1, m1, y2, m2)


def _bare_month(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    month = _month_of(m["m"])
    if ref is None:
        return FuzzyDate(text, None, None, Precision.MONTH, month=month)
    return _months(text, ref.year, month, ref.year, month)


def _quarter(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    quarter = _ORDINALS.get(m["q"].lower()) or int(m["q"])
    if not 1 <= quarter <= 4:
        raise FuzzyDateError(f"there is no quarter {quarter} in {text!r}")
    year = int(m["y"])
    return FuzzyDate(text, date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter),
                     Precision.QUARTER)


def _half(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    first = (_ORDINALS.get(m["h"].lower()) or int(m["h"])) == 1
    year = int(m["y"])
    return _months(text, year, 1 if first else 7, year, 6 if first else 12)


# Early, mid and late split the year in thirds. Seasons are northern-hemisphere and
# meteorological; winter starts in December of its year ("winter 2016/17").
_SPANS = {"early": (1, 4), "beginning": (1, 4), "start": (1, 4), "mid": (5, 8), "middle": (5, 8),
          "late": (9, 12), "end": (9, 12), "spring": (3, 5), "summer": (6, 8), "autumn": (9, 11),
          "fall": (9, 11), "winter": (12, 2)}


def _part_of_year(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    first, last = _SPANS[m["part"].split()[0].lower()]
    year, wraps = int(m["y"]), last < first
    second_year = m.groupdict().get("y2")
    if second_year and (not wraps or int(second_year) not in (year + 1, (year + 1) % 100)):
        raise FuzzyDateError(f"the years in {text!r} do not make one season")
    return _months(text, year, first, year + wraps, last)


def _year(m: re.Match[str], text: str, ref: date | None) -> FuzzyDate:
    year = int(m["y"])
    return FuzzyDate(text, date(year, 1, 1), date(year, 12, 31), Precision.YEAR)


@dataclass(frozen=True)
class _Form:
    full: re.Pattern[str]
    finder: re.Pattern[str]
    build: Builder
    findable: bool
    needs_month: bool


def _form(pattern: str, build: Builder, findable: bool = True) -> _Form:
    # In running text a date must not be glued to a word, a path or a slug.
    finder = rf"(?<![\w/@-])(?:{pattern})(?![\w@]|[/-]\w)"
    return _Form(re.compile(pattern, re.I), re.compile(finder, re.I), build, findable,
                 bool(re.search(r"\(\?P<m\d?>", pattern)))


_YEAR_SEP = r"(?:\s*[-/]\s*|\s+)"
# Tried in order by parse(); find_dates() keeps the longest match at each place.
_FORMS = (
    _form(rf"{_y('y')}-(?P<mo>\d{{2}})-(?P<d>\d{{2}})", _exact_day),
    _form(rf"(?P<d>\d{{1,2}})(?P<sep>[/.])(?P<mo>\d{{1,2}})(?P=sep){_y('y')}", _exact_day),
    # "2011-12" is as often a financial year as a month, so only parse() takes it.
    _form(rf"{_y('y')}-(?P<mo>\d{{2}})", _one_month, findable=False),
    _form(rf"{_d('d1')}(?:\s+(?:of\s+)?{_m('m1')})?(?:,?\s+{_y('y1')})?{_SEP}"
          rf"{_d('d2')}\s+(?:of\s+)?{_m('m2')},?\s+{_y('y2')}", _day_range),
    _form(rf"{_m('m1')}\s+{_d('d1')}(?:,?\s+{_y('y1')})?{_SEP}"
          rf"(?:{_m('m2')}\s+)?{_d('d2')},?\s+{_y('y2')}", _day_range),
    _form(rf"{_d('d')}(?:\s+of)?\s+{_m('m')},?\s+{_y('y')}", _exact_day),
    _form(rf"(?P<d>\d{{1,2}})-{_m('m')}-{_y('y')}", _exact_day),
    _form(rf"{_m('m')}\s+{_d('d')},?\s+{_y('y')}", _exact_day),
    _form(rf"{_m('m1')}(?:,?\s+{_y('y1')})?{_SEP}{_m('m2')}(?:,?\s+{_y('y2')})?", _month_range),
    _form(rf"(?:{_QUALIFIER})?{_m('m')},?(?:\s+of)?\s+{_y('y')}", _one_month),
    _form(rf"Q(?P<q>\d{{1,2}}){_YEAR_SEP}{_y('y')}", _quarter),
    _form(rf"{_y('y')}{_YEAR_SEP}Q(?P<q>\d{{1,2}})", _quarter),
    _form(rf"(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?\s+{_y('y')}",
          _quarter),
    _form(rf"H(?P<h>[12]){_YEAR_SEP}{_y('y')}", _half),
    _form(rf"(?P<h>first|second|1st|2nd)\s+half(?:\s+of)?\s+{_y('y')}", _half),
    _form(rf"(?P<part>{_PART})(?:\s+|\s*-\s*)(?:the\s+year\s+)?{_y('y')}", _part_of_year),
    _form(rf"(?P<part>spring|summer|autumn|fall|winter)(?:\s+of)?\s+{_y('y')}"
          r"(?:\s*[-/]\s*(?P<y2>\d{4}|\d{2}))?", _part_of_year),
    # Bare years are too common in prose ("in 2019") to count as dates there.
    _form(_y("y"), _year, findable=False),
    _form(rf"{_d('d')}(?:\s+of)?\s+{_m('m')}", _yearless_day),
    # "In April 20 cities joined": in prose, month-first needs an ordinal ("April 20th").
    _form(rf"{_m('m')}\s+{_d('d')}", _yearless_day, findable=False),
    _form(rf"{_m('m')}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)", _yearless_day),
    _form(rf"(?:{_QUALIFIER})?{_m('m')}", _bare_month),
)

# Words that may stand before a date without changing what it means.
_FILLER = re.compile(r"^(?:(?:in|on|during|around|about|circa|ca\.|c\.|the)\s+)+", re.I)
# "the March mission": a month word followed by a word or two saying what happened then.
_PHRASE = re.compile(rf"{_m('m')}(?:\s+[^\W\d_]+){{1,2}}", re.I)


def parse(text: str, *, reference: date | None = None) -> FuzzyDate:
    """Read one date: a day ("24/09/2016", "24th September 2016", "2016-09-24"), a day
    range, a month ("Sept 2016"), a month range ("June/July 2016"), a quarter ("Q3 2016"),
    a year, a part of a year ("mid-2016", "spring 2016") or a month with no year.

    A bare month ("February", "in February", "the March mission") resolves to
    that month in ``reference``'s year, or keeps only its number without one.
    A whole text of "May" (any case) is the month: in a date field it cannot be
    the verb. Raises FuzzyDateError for anything else, quoting the text.
    """
    clean = _normalise(text)
    if not clean:
        raise FuzzyDateError("an empty text is not a date")
    core = clean.strip("()[]\"'\u201c\u201d\u2018\u2019 ").rstrip(".,;:!? ")
    without_filler = _FILLER.sub("", core)
    for form in _FORMS:
        match = form.full.fullmatch(without_filler)
        if match:
            return form.build(match, clean, reference)
    match = _PHRASE.fullmatch(without_filler)
    # A lower-case month word leading a phrase ("may visit") is likely not a month.
    if match and (without_filler != core or match["m"][0].isupper()):
        return _bare_month(match, clean, reference)
    raise FuzzyDateError(f"could not understand {clean!r} as a date")


def parse_or_unknown(text: str, *, reference: date | None = None) -> FuzzyDate:
    """Like parse(), but any non-empty text that is not a date becomes an UNKNOWN date."""
    if not text.strip():
        raise FuzzyDateError("an empty text is not a date")
    try:
        return parse(text, reference=reference)
    except FuzzyDateError:
        return FuzzyDate.unknown(text)


def parse_entry(text: str, *, reference: date | None = None) -> FuzzyDate:
    """A date a person typed: a real date, or a vague phrase kept as text ("within the next
    few weeks"); but text with figures that is not a real date ("31/02/2016") is refused,
    since it is more likely a typing mistake than a vague phrase."""
    try:
        return parse(text, reference=reference)
    except FuzzyDateError:
        if any(c.isdigit() for c in text):
            raise
        return FuzzyDate.unknown(text)


def from_parts(
    text: str,
    start: date | None,
    end: date | None,
    precision: Precision | str,
    month: int | None = None,
) -> FuzzyDate:
    """Rebuild a date from its stored columns; a DAY stored without an end ends on its start."""
    try:
        kind = Precision(precision)
    except ValueError:
        raise FuzzyDateError(f"unknown precision {precision!r} for {text!r}") from None
    if end is None and kind is Precision.DAY:
        end = start
    return FuzzyDate(_normalise(text), start, end, kind, month)


_MONTH_WORDS = frozenset(_MONTHS)
_LETTERS = re.compile(r"[^\W\d_]+")
# An address starts only where a run of its characters starts: without the lookbehind, a long
# word with no "@" is scanned again from each of its characters (minutes for 200,000).
_URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+", re.I)
# Before a capitalised "May" one of these shows it is the month and not the verb.
_MAY_CONTEXT = re.compile(
    r"\b(?:in|of|during|since|until|till|by|from|before|after|early|mid|late|the|next|last"
    r"|this|end|beginning|start)\s+$",
    re.I,
)


def _plausible_in_prose(form: _Form, match: re.Match[str], text: str) -> bool:
    """Dates with a year always count; without one, only capitalised English month names do."""
    groups = match.groupdict()
    if any(value for name, value in groups.items() if name.startswith("y")):
        return True
    words = [groups[name] for name in ("m", "m1", "m2") if groups.get(name)]
    if not all(w.lower() in _ENGLISH and w[0].isupper() for w in words):
        return False
    if form.build is _bare_month and groups["m"].lower() == "may" and not groups["qual"]:
        return bool(_MAY_CONTEXT.search(text, 0, match.start()))
    return True


def find_dates(text: str, *, reference: date | None = None) -> list[tuple[int, int, FuzzyDate]]:
    """Every date expression in running text, as (start, end, date) with offsets into text.

    Skips URLs and e-mail addresses, bare years, and month words that are more
    likely ordinary words ("we may", "the march"). A preposition before a date
    ("in February") is left out of its span.
    """
    # Forms built on a month name only run where a month word stands; the others need digits.
    # Two quick looks cost far less than scanning long prose with every form.
    has_month = not _MONTH_WORDS.isdisjoint(_LETTERS.findall(text.casefold()))
    has_digit = any(c.isdigit() for c in text)
    if not has_month and not has_digit:
        return []
    blocked = [m.span() for m in _URL.finditer(text)]
    candidates: list[tuple[int, int, FuzzyDate | None]] = []
    for form in _FORMS:
        if not form.findable or not (has_month if form.needs_month else has_digit):
            continue
        for match in form.finder.finditer(text):
            start, end = match.span()
            if any(start < b_end and b_start < end for b_start, b_end in blocked):
                continue
            if not _plausible_in_prose(form, match, text):
                continue
            found: FuzzyDate | None
            try:
                found = form.build(match, _normalise(match.group()), reference)
            except FuzzyDateError:
                # Keep the span, so "31 February 2016" does not yield "February 2016".
                found = None
            candidates.append((start, end, found))
    candidates.sort(key=lambda c: (c[0], c[0] - c[1]))
    chosen: list[tuple[int, int, FuzzyDate | None]] = []
    for candidate in candidates:
        if not chosen or candidate[0] >= chosen[-1][1]:
            chosen.append(candidate)
    return [(start, end, found) for start, end, found in chosen if found is not None]
