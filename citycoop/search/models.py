"""The search index: one row per searchable record, with the facets it is counted under.

The rows are derived data. ``citycoop.search.index`` writes them (and only it: on SQLite the
FTS5 table mirrors this one through explicit writes there) and can rebuild them all at any
time with ``reindex_all()``.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PAIRING = "pairing", _("pairing")
    PILOT = "pilot", _("pilot project")
    ACTION = "action", _("action")
    ORGANISATION = "organisation", _("organisation")
    PLACE = "place", _("place")
    AGREEMENT = "agreement", _("agreement")
    EVENT = "event", _("event")
    PRACTICE = "practice", _("good practice")
    NEED = "need", _("need")


class SearchEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    # Searched with three weights: the title most, the record's own text next, and last the
    # names around it (its pairing, places, organisations), so that a pilot that merely sits
    # in the Tianjin pairing ranks below one about Tianjin.
    body = models.TextField(_("text"), blank=True)
    context = models.TextField(_("context"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Not indexed on purpose: most entries are public, and an index on it tempts SQLite's
    # planner away from the selective ones.
    is_public = models.BooleanField(_("public"), default=True)
    # The pairing the record belongs to, so that its members find its internal records. A plain
    # number, not a foreign key: entries are swept by index.py, never cascaded by the database.
    pairing_pk = models.PositiveBigIntegerField(_("pairing"), null=True, blank=True)
    programme = models.SlugField(_("programme"), max_length=80, null=True, blank=True)
    # Multi-valued facets as space-separated tokens ("CN GB"): filters match a whole token.
    countries = models.CharField(_("countries"), max_length=200, blank=True)
    themes = models.TextField(_("themes"), blank=True)
    sdgs = models.CharField(_("SDG goals"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"],
                                    name="search_entry_once_per_record"),
        ]
        indexes = [
            models.Index(fields=["kind"], name="search_entry_kind_idx"),
            models.Index(fields=["programme"], name="search_entry_programme_idx"),
            models.Index(fields=["status"], name="search_entry_status_idx"),
            models.Index(fields=["year"], name="search_entry_year_idx"),
            models.Index(fields=["pairing_pk"], name="search_entry_pairing_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
