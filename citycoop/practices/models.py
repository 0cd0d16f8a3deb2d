"""Good practices, their reviews and label, their adoption elsewhere, and cities' needs.

A practice is written by a city, region or organisation in one or more languages: the
language-neutral facts sit on :class:`Practice`, each language's text on one
:class:`PracticeText`. It moves draft -> submitted -> reviewed -> published, or back to
"returned" with the reviewer's comments; every review is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citycoop.common.models import VersionedModel
from citycoop.registry.models import check_sdgs

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    RETURNED = "returned", _("returned with comments")
    REVIEWED = "reviewed", _("reviewed")
    PUBLISHED = "published", _("published")


class Transferability(models.TextChoices):
    LOW = "low", _("needs much adapting")
    MEDIUM = "medium", _("transferable with some adapting")
    HIGH = "high", _("readily transferable")


class Practice(VersionedModel):
    slug = models.SlugField(_("key"), max_length=80, unique=True)
    # The title in the original language, kept by the services, for lists and sorting.
    title = models.CharField(_("title"), max_length=200)
    original_language = models.CharField(_("original language"), max_length=10,
                                         choices=LANGUAGE_CHOICES, default="en")
    place = models.ForeignKey("registry.Place", verbose_name=_("city or region"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="practices")
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="practices")
    themes = models.ManyToManyField("registry.Theme", verbose_name=_("themes"), blank=True,
                                    related_name="practices")
    sdgs = models.JSONField(_("SDG goals"), default=list, blank=True,
                            help_text=_("UN Sustainable Development Goal numbers, 1 to 17."))
    transferability = models.CharField(_("transferability"), max_length=10,
                                       choices=Transferability.choices, blank=True)
    cost_amount = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True,
                                      blank=True)
    cost_currency = models.CharField(_("currency"), max_length=3, blank=True,
                                     help_text=_("ISO 4217 code, e.g. EUR or CNY."))
    contacts = models.ManyToManyField(
        "registry.Person", verbose_name=_("contacts"), blank=True, related_name="practices",
        help_text=_("Each contact is shown as their own visibility allows."))
    pilots = models.ManyToManyField("portfolio.PilotProject", verbose_name=_("pilot projects"),
                                    blank=True, related_name="practices")
    pairings = models.ManyToManyField("portfolio.Pairing", verbose_name=_("pairings"),
                                      blank=True, related_name="practices")
    events = models.ManyToManyField("events.Event", verbose_name=_("shared at events"),
                                    blank=True, related_name="practices")
    status = models.CharField(_("status"), max_length=10, choices=PracticeStatus.choices,
                              default=PracticeStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="practices_written")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    labelled_at = models.DateTimeField(_("label awarded"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                name="practice_has_an_owner",
                condition=Q(place__isnull=False) | Q(organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", args=[self.slug])

    def clean(self) -> None:
        check_sdgs(self.sdgs)
        if self.place_id is None and self.organisation_id is None:
            raise ValidationError(_("Say which city, region or organisation the practice is "
                                    "from."))

    @property
    def is_public(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    @property
    def is_labelled(self) -> bool:
        return self.labelled_at is not None


class PracticeText(VersionedModel):
    """A practice's text in one language. The reader sees their language where it exists."""

    # Every field of the text, in reading order: forms, the API, search and exports use it.
    FIELDS = ("title", "summary", "problem", "what_was_done", "results", "cost_and_funding",
              "what_it_took", "transferability_notes")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("the problem"), blank=True)
    what_was_done = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results, with figures"), blank=True)
    cost_and_funding = models.TextField(_("cost and funding"), blank=True)
    what_it_took = models.TextField(_("what it took"), blank=True)
    transferability_notes = models.TextField(_("how it could be transferred"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "language"],
                                    name="one_practice_text_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class PracticeFile(models.Model):
    """A document or photo attached to a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="practices/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    is_photo = models.BooleanField(_("photo"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.file.name or ""


class ReviewDecision(models.TextChoices):
    RETURN = "return", _("return with comments")
    APPROVE = "approve", _("approve")


def score_field(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (poor) to 5 (excellent)."))


class Review(models.Model):
    """One reviewer's scores on the stated criteria and their decision. Kept for good: who
    reviewed what and when is part of the label's record."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 null=True, on_delete=models.SET_NULL, related_name="reviews")
    relevance = score_field(_("relevance"))
    evidence = score_field(_("evidence of impact"))
    transferability = score_field(_("transferability"))
    participation = score_field(_("participation"))
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.practice} – {self.get_decision_display()}"

    @property
    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in REVIEW_CRITERIA}


REVIEW_CRITERIA = ("relevance", "evidence", "transferability", "participation")


class Adoption(models.Model):
    """Another city reports having adopted the practice: the "transferred" KPI counts these."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    place = models.ForeignKey("registry.Place", verbose_name=_("adopted by"),
                              on_delete=models.PROTECT, related_name="adopted_practices")
    note = models.TextField(_("how it was adopted"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "place"],
                                    name="one_adoption_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.practice} → {self.place}"


class NeedStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    CLOSED = "closed", _("closed")


class Need(VersionedModel):
    """What a city says it needs help with ("reduce landfill by half in five years")."""

    slug = models.SlugField(_("key"), max_length=80, unique=True)
    place = models.ForeignKey("registry.Place", verbose_name=_("city or region"),
                              on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("what the city needs"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField("registry.Theme", verbose_name=_("themes"), blank=True,
                                    related_name="needs")
    sdgs = models.JSONField(_("SDG goals"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices,
                              default=NeedStatus.OPEN, db_index=True)
    is_public = models.BooleanField(_("public"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="needs_posted")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:need", args=[self.slug])

    def clean(self) -> None:
        check_sdgs(self.sdgs)
