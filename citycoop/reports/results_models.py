"""The results framework: results, their indicators, targets per period and reported values.

A value is entered by the indicator's owner and then approved or returned by a manager of
the programme; the reviewer, the time and the comment stay on the value.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from citycoop.common.models import VersionedModel

__all__ = ["ActualValue", "Indicator", "Result", "ResultKind", "Target", "ValueStatus"]


class ResultKind(models.TextChoices):
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")
    IMPACT = "impact", _("impact")


class Result(VersionedModel):
    """What a programme, or one pilot of it, means to achieve."""

    programme = models.ForeignKey("registry.Programme", verbose_name=_("programme"),
                                  on_delete=models.CASCADE, related_name="results")
    pilot = models.ForeignKey("portfolio.PilotProject", verbose_name=_("pilot project"),
                              null=True, blank=True, on_delete=models.CASCADE,
                              related_name="results")
    kind = models.CharField(_("kind"), max_length=10, choices=ResultKind.choices)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["programme", "pilot", "kind", "id"]
        verbose_name = _("result")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        pilot = self.pilot if self.pilot_id is not None else None
        if (pilot is not None and self.programme_id is not None
                and pilot.pairing.programme_id != self.programme_id):
            raise ValidationError({"pilot": _("This pilot belongs to another programme.")})


class Indicator(VersionedModel):
    """How progress towards a result is measured, and who reports it."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="indicators")
    name = models.CharField(_("name"), max_length=250)
    unit = models.CharField(_("unit"), max_length=60, blank=True,
                            help_text=_("e.g. people trained, MWh, %"))
    baseline_value = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2,
                                         null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL,
                              related_name="owned_indicators",
                              help_text=_("Enters the values; gets the reminders."))
    due_days = models.PositiveSmallIntegerField(
        _("due (days after the period)"), default=30,
        help_text=_("A period's value is due this many days after the period ends."))

    class Meta:
        ordering = ["result", "id"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return self.name

    def due_date(self, period_end: datetime.date) -> datetime.date:
        return period_end + datetime.timedelta(days=self.due_days)


class Target(VersionedModel):
    """The value an indicator should reach in one reporting period."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"),
                                  on_delete=models.CASCADE, related_name="targets")
    period_label = models.CharField(_("period"), max_length=20,
                                    help_text=_('e.g. "2016" or "2016-Q3"'))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator", "period_start"]
        verbose_name = _("target")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_start", "period_end"],
                                    name="target_once_per_indicator_and_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.period_label}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class ActualValue(VersionedModel):
    """A value reported for one period, with its evidence and its review."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"),
                                  on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=ValueStatus.choices,
                              default=ValueStatus.DRAFT, db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="entered_values")
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="reviewed_values")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)
    evidence_document = models.ForeignKey("imports.SourceDocument",
                                          verbose_name=_("evidence document"), null=True,
                                          blank=True, on_delete=models.SET_NULL,
                                          related_name="indicator_values")

    class Meta:
        ordering = ["indicator", "period_start", "id"]
        verbose_name = _("indicator value")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_start", "period_end"],
                                    name="value_once_per_indicator_and_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period_start}–{self.period_end})"
