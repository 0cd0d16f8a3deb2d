"""Figures as a source reported them, kept beside the figures computed from the records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from citycoop.common.fields import FuzzyDateField
from citycoop.common.models import VersionedModel


class KpiSnapshot(VersionedModel):
    """A value at a date, by a source: "as of 2016: 14 MoUs signed, more than 20 from CETREGIO"."""

    programme = models.ForeignKey("registry.Programme", on_delete=models.CASCADE,
                                  related_name="kpi_snapshots")
    name = models.SlugField(_("indicator"), max_length=80,
                            help_text=_("Machine name, e.g. mous_signed_eu_china."))
    label = models.CharField(_("label"), max_length=200)
    group = models.CharField(_("group"), max_length=40, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    more_than = models.BooleanField(_('"more than"'), default=False,
                                    help_text=_("The source gives a lower bound, not a count."))
    as_of = FuzzyDateField(_("as of"))
    source = models.ForeignKey("imports.SourceDocument", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="kpi_snapshots")
    source_text = models.TextField(_("as written"), blank=True)
    computed = models.BooleanField(
        _("computed"), default=False,
        help_text=_("True when citycoop counted it from the records; "
                    "false when a source reported it."),
    )

    class Meta:
        ordering = ["programme", "name", "as_of_start"]
        verbose_name = _("KPI snapshot")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name", "as_of_text", "source"],
                                    name="snapshot_unique_per_source_and_date"),
        ]

    def __str__(self) -> str:
        prefix = _("more than") + " " if self.more_than else ""
        return f"{self.label}: {prefix}{self.display_value} ({self.as_of})"

    @property
    def display_value(self) -> str:
        return str(int(self.value)) if self.value == int(self.value) else str(self.value)


# The results framework's models live in a module of their own, to keep each file small;
# Django finds an app's models through this module.
from .results_models import *  # noqa: E402,F403
