"""How one spreadsheet cell becomes a model value, for each kind of column the re-import
writes back (text, number, choice, yes/no, fuzzy date, list, related record, set of related
records).

A spreadsheet hands back whatever its user typed, and spreadsheets retype what they are given:
"2016" becomes a number, "true" a boolean, "1 March 2016" a date. Each kind accepts those
forms and says clearly what it expected when a cell cannot be read. Nothing here writes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Model, TextChoices
from django.utils.translation import gettext as _

from citycoop.lib.fuzzydate import FuzzyDate as Fuzzy
from citycoop.lib.fuzzydate import FuzzyDateError, parse_entry

# A cell holding exactly this (any case, surrounding spaces allowed) empties the field: a
# blank cell means "leave the value as it is", so clearing has to be said explicitly.
CLEAR_MARKER = "[clear]"

# Lists (aliases, links, keys) are written joined with "; " (columns.LIST_SEPARATOR); a
# person may type "a;b", so any semicolon splits.
LIST_SPLIT = ";"

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})


BIGGEST = 2**63 - 1  # the largest whole number a database column holds


class CellError(ValueError):
    """A cell that cannot become the field's value; the message says what it should hold."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_clear(value: Any) -> bool:
    return isinstance(value, str) and value.strip().casefold() == CLEAR_MARKER


def as_text(value: Any) -> str:
    """A cell as text, whatever type the spreadsheet gave it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("a whole number is expected, not %(value)s") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = as_text(value)
        try:
            number = int(text)
        except ValueError:
            raise CellError(_("a whole number is expected, not “%(value)s”")
                            % {"value": text}) from None
    # A database integer has 64 bits: a larger id or version cannot even be looked up.
    if not -BIGGEST - 1 <= number <= BIGGEST:
        raise CellError(_("%(value)s is too large a number") % {"value": number})
    return number


class Kind:
    """Plain text: the base every kind refines.

    ``parse`` reads a non-blank cell, ``empty`` is the value the clear marker writes,
    ``current`` reads the record's value in the form ``parse`` returns, ``same`` compares
    the two and ``shown`` writes a value for the review.
    """

    many = False        # a set of related records, written through the services' ``many``
    can_clear = True    # False where the field has no empty value (yes/no)

    def parse(self, value: Any) -> Any:
        return as_text(value)

    def empty(self) -> Any:
        return ""

    def current(self, record: Model, attribute: str) -> Any:
        return getattr(record, attribute) or ""

    def same(self, new: Any, old: Any) -> bool:
        return bool(new == old)

    def shown(self, value: Any) -> str:
        return "" if value is None else str(value)


class Choice(Kind):
    """One of a field's choices: its stored value, or (any case) its value or label."""

    def __init__(self, choices: type[TextChoices]) -> None:
        self.choices = choices

    def parse(self, value: Any) -> str:
        text = as_text(value)
        if text in self.choices.values:
            return text
        folded = text.casefold()
        for stored, label in self.choices.choices:
            if folded in (str(stored).casefold(), str(label).casefold()):
                return str(stored)
        raise CellError(_("“%(value)s” is not one of %(choices)s")
                        % {"value": text, "choices": ", ".join(self.choices.values)})


class WholeNumber(Kind):
    def parse(self, value: Any) -> int:
        return whole_number(value)

    def empty(self) -> None:
        return None

    def current(self, record: Model, attribute: str) -> Any:
        return getattr(record, attribute)


class Real(WholeNumber):
    def parse(self, value: Any) -> float:  # type: ignore[override]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = as_text(value)
        try:
            return float(text)
        except ValueError:
            raise CellError(_("a number is expected, not “%(value)s”")
                            % {"value": text}) from None


class YesNo(Kind):
    can_clear = False

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = as_text(value).casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(_("true or false is expected, not “%(value)s”") % {"value": word})

    def current(self, record: Model, attribute: str) -> Any:
        return getattr(record, attribute)

    def shown(self, value: Any) -> str:
        return "true" if value else "false"


class FuzzyDate(Kind):
    """A fuzzy date, written back through its ``<name>_text`` column: the text is read the
    way the workspace's forms read a typed date, so "31/02/2016" is refused rather than kept
    as a vague phrase."""

    def parse(self, value: Any) -> Fuzzy:
        text = as_text(value)
        try:
            return parse_entry(text)
        except FuzzyDateError:
            raise CellError(_("“%(value)s” is not a date (write it as in “March 2016”, "
                              "“12-14 May 2016” or “2016-03-01”)") % {"value": text}) from None

    def empty(self) -> None:
        return None

    def current(self, record: Model, attribute: str) -> Any:
        return getattr(record, f"{attribute}_text") or ""

    def same(self, new: Any, old: Any) -> bool:
        return (new.text if new is not None else "") == " ".join(str(old).split())

    def shown(self, value: Any) -> str:
        return value.text if isinstance(value, Fuzzy) else str(value or "")


class TextList(Kind):
    """A JSON list of texts (aliases, links, listed items), one per "; "-separated part."""

    def parse(self, value: Any) -> list[str]:
        return [part.strip() for part in as_text(value).split(LIST_SPLIT) if part.strip()]

    def empty(self) -> list[str]:
        return []

    def current(self, record: Model, attribute: str) -> list[str]:
        return [str(item) for item in getattr(record, attribute) or []]

    def shown(self, value: Any) -> str:
        return "; ".join(value or [])


class Relation(Kind):
    """A single related record, by its key (or its id for people, who have no key)."""

    def __init__(self, model: type[Model], lookup: str = "slug") -> None:
        self.model, self.lookup = model, lookup

    def parse(self, value: Any) -> Model:
        key: Any = whole_number(value) if self.lookup == "pk" else as_text(value)
        found = self.model._default_manager.filter(**{self.lookup: key}).first()
        if found is None:
            raise CellError(_("no %(type)s has the %(what)s “%(key)s”") % {
                "type": self.model._meta.verbose_name, "key": key,
                "what": _("id") if self.lookup == "pk" else _("key")})
        return found

    def empty(self) -> None:
        return None

    def current(self, record: Model, attribute: str) -> Any:
        return getattr(record, attribute)

    def same(self, new: Any, old: Any) -> bool:
        return getattr(new, "pk", None) == getattr(old, "pk", None)

    def shown(self, value: Any) -> str:
        return "" if value is None else str(getattr(value, self.lookup))


class Keys(Kind):
    """A set of related records by key (a pilot's themes): the whole set is replaced."""

    many = True

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    def parse(self, value: Any) -> list[Model]:
        keys = list(dict.fromkeys(TextList().parse(value)))
        found = {item.slug: item  # type: ignore[attr-defined]
                 for item in self.model._default_manager.filter(slug__in=keys)}
        missing = [key for key in keys if key not in found]
        if missing:
            raise CellError(_("no %(type)s has the key %(keys)s") % {
                "type": self.model._meta.verbose_name,
                "keys": ", ".join(f"“{key}”" for key in missing)})
        return [found[key] for key in keys]

    def empty(self) -> list[Model]:
        return []

    def current(self, record: Model, attribute: str) -> list[Model]:
        # The export's query prefetched the set into ``<attribute>_list``.
        prefetched = getattr(record, f"{attribute}_list", None)
        return list(prefetched if prefetched is not None else getattr(record, attribute).all())

    def same(self, new: Any, old: Any) -> bool:
        return {item.pk for item in new} == {item.pk for item in old}

    def shown(self, value: Any) -> str:
        return "; ".join(sorted(item.slug for item in value or []))


TEXT = Kind()
NUMBER = WholeNumber()
REAL = Real()
YES_NO = YesNo()
FUZZY = FuzzyDate()
LIST = TextList()
