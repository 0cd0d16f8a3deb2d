"""A fuzzy date stored as four plain columns that sort and filter.

``when = FuzzyDateField()`` on a model adds ``when_text``, ``when_start``, ``when_end`` and
``when_precision`` columns, and a ``when`` attribute that reads and writes a
:class:`citycoop.lib.fuzzydate.FuzzyDate`. Keeping real columns (rather than one JSON value)
lets the database order by ``when_start`` and filter periods with plain date comparisons.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from citycoop.lib import fuzzydate
from citycoop.lib.fuzzydate import FuzzyDate, Precision

PRECISION_CHOICES = [(p.value, p.value) for p in Precision]
SUFFIXES = ("text", "start", "end", "precision", "month")


class FuzzyDateDescriptor:
    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        text = getattr(instance, f"{self.name}_text")
        if not text:
            return None
        return fuzzydate.from_parts(
            text,
            getattr(instance, f"{self.name}_start"),
            getattr(instance, f"{self.name}_end"),
            Precision(getattr(instance, f"{self.name}_precision") or Precision.UNKNOWN.value),
            getattr(instance, f"{self.name}_month"),
        )

    def __set__(self, instance: Any, value: FuzzyDate | str | None) -> None:
        if isinstance(value, str):
            value = fuzzydate.parse_or_unknown(value) if value.strip() else None
        setattr(instance, f"{self.name}_text", value.text if value else "")
        setattr(instance, f"{self.name}_start", value.start if value else None)
        setattr(instance, f"{self.name}_end", value.end if value else None)
        setattr(instance, f"{self.name}_precision", value.precision.value if value else "")
        setattr(instance, f"{self.name}_month", value.month if value else None)


class FuzzyDateField:
    """Not a database field itself: it contributes the concrete columns and a descriptor."""

    def __init__(self, verbose_name: str | Any = "", *, index: bool = True) -> None:
        self.verbose_name = verbose_name
        self.index = index

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        label = self.verbose_name or name.replace("_", " ")
        models.CharField(
            _("%(label)s (as written)") % {"label": label}, max_length=120, blank=True
        ).contribute_to_class(cls, f"{name}_text")
        models.DateField(
            _("%(label)s from") % {"label": label}, null=True, blank=True, db_index=self.index
        ).contribute_to_class(cls, f"{name}_start")
        models.DateField(
            _("%(label)s to") % {"label": label}, null=True, blank=True
        ).contribute_to_class(cls, f"{name}_end")
        models.CharField(
            _("%(label)s precision") % {"label": label},
            max_length=10, blank=True, choices=PRECISION_CHOICES,
        ).contribute_to_class(cls, f"{name}_precision")
        models.PositiveSmallIntegerField(
            _("%(label)s month without year") % {"label": label}, null=True, blank=True
        ).contribute_to_class(cls, f"{name}_month")
        setattr(cls, name, FuzzyDateDescriptor(name))
        fuzzy = list(getattr(cls, "_fuzzy_date_fields", ()))
        cls._fuzzy_date_fields = (*fuzzy, name)  # type: ignore[attr-defined]


def fuzzy_columns(name: str) -> list[str]:
    return [f"{name}_{suffix}" for suffix in SUFFIXES]
