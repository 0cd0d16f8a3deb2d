"""Events and missions, who took part, and the media coverage they earned."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citycoop.common.fields import FuzzyDateField
from citycoop.common.models import VersionedModel
from citycoop.registry.models import Organisation, Person, Place


class EventKind(models.TextChoices):
    MISSION = "mission", _("delegation mission")
    WORKING_MEETING = "working_meeting", _("working meeting")
    STUDY_VISIT = "study_visit", _("study visit")
    CONFERENCE = "conference", _("conference")
    FAIR_OR_WEEK = "fair_or_week", _("fair or week")
    WORKSHOP = "workshop", _("workshop")
    WEBINAR = "webinar", _("webinar")
    B2B_SESSION = "b2b_session", _("B2B matchmaking session")


class Event(VersionedModel):
    slug = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, db_index=True)
    when = FuzzyDateField(_("dates"))
    place = models.ForeignKey(Place, verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="events")
    organisers = models.ManyToManyField(Organisation, verbose_name=_("organisers"), blank=True,
                                        related_name="organised_events")
    pairings = models.ManyToManyField("portfolio.Pairing", verbose_name=_("pairings"),
                                      blank=True, related_name="events")
    pilots = models.ManyToManyField("portfolio.PilotProject", verbose_name=_("pilot projects"),
                                    blank=True, related_name="events")
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Places for registrants; empty means "
                                                       "no limit. Others join the waitlist."))
    description = models.TextField(_("description"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    registration_open = models.BooleanField(_("registration open"), default=False)
    # The closing report: what the funder reads after the event.
    minutes = models.TextField(_("minutes"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    report_links = models.JSONField(_("report links"), default=list, blank=True)

    class Meta:
        ordering = ["when_start", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:event", args=[self.slug])


class ParticipantRole(models.TextChoices):
    DELEGATE = "delegate", _("delegate")
    SPEAKER = "speaker", _("speaker")
    HOST = "host", _("host")
    ORGANISER = "organiser", _("organiser")
    PRESS = "press", _("press")


class Attendance(models.TextChoices):
    WAITLISTED = "waitlisted", _("on the waitlist")
    REGISTERED = "registered", _("registered")
    ATTENDED = "attended", _("attended")
    NO_SHOW = "no_show", _("no-show")
    CANCELLED = "cancelled", _("cancelled")


class Participation(VersionedModel):
    """A person, or an organisation whose people are not named ("4 companies from Andalucía")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="participations")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices,
                            default=ParticipantRole.DELEGATE)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices,
                                  default=Attendance.REGISTERED, db_index=True)
    # Registration through the event's form: the personal link's secret, the code on the
    # badge that check-in scans, and the time that orders the waitlist.
    token = models.CharField(max_length=43, unique=True, null=True, blank=True, editable=False)
    badge_code = models.CharField(_("badge code"), max_length=12, null=True, blank=True,
                                  editable=False)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="participation_names_someone",
                condition=Q(person__isnull=False) | Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(fields=["event", "person"], condition=Q(person__isnull=False),
                                    name="person_once_per_event"),
            models.UniqueConstraint(fields=["event", "organisation"],
                                    condition=Q(person__isnull=True),
                                    name="organisation_once_per_event"),
            models.UniqueConstraint(fields=["event", "badge_code"],
                                    condition=Q(badge_code__isnull=False),
                                    name="badge_code_once_per_event"),
        ]
        indexes = [
            # Covers the KPIs' one pass over a programme's participations (attendance, and
            # who attended): read from the index alone, a third faster than from the table.
            models.Index(fields=["event", "attendance", "person", "organisation"],
                         name="participation_kpi_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.organisation} @ {self.event}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def new_badge_code() -> str:
        # No 0/O or 1/I: the code is read aloud and typed at the door.
        return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


class MediaType(models.TextChoices):
    PRESS = "press", _("press")
    TV = "tv", _("TV")
    WEB = "web", _("web")
    OFFICIAL = "official_publication", _("official publication")


class MediaItem(VersionedModel):
    outlet = models.CharField(_("outlet"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=25, choices=MediaType.choices)
    language = models.CharField(_("language"), max_length=10, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True, db_index=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True,
                                           help_text=_("Readers, viewers or visits, as reported."))
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="media_items")
    pilot = models.ForeignKey("portfolio.PilotProject", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="media_items")

    class Meta:
        ordering = ["-published_on", "outlet"]
        constraints = [
            models.CheckConstraint(name="media_item_is_tied",
                                   condition=Q(event__isnull=False) | Q(pilot__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title or self.outlet


class DisseminationKind(models.TextChoices):
    REPORT = "report", _("report")
    PRESENTATION = "presentation", _("presentation")
    PUBLICATION = "publication", _("publication")
    NEWSLETTER = "newsletter", _("newsletter")
    VIDEO = "video", _("video")


class DisseminationOutput(VersionedModel):
    """Something the programme made to spread its results: a report, a talk, a publication."""

    kind = models.CharField(_("kind"), max_length=15, choices=DisseminationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    published_on = models.DateField(_("date"), null=True, blank=True, db_index=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    audience = models.PositiveIntegerField(_("audience"), null=True, blank=True,
                                           help_text=_("People reached, as reported."))
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="dissemination_outputs")
    pilot = models.ForeignKey("portfolio.PilotProject", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="dissemination_outputs")

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(name="dissemination_output_is_tied",
                                   condition=Q(event__isnull=False) | Q(pilot__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class FeedbackAnswer(models.Model):
    """One attendee's answer to the event's quality survey (one per attendee)."""

    participation = models.OneToOneField(Participation, on_delete=models.CASCADE,
                                         related_name="feedback")
    overall = models.PositiveSmallIntegerField(_("overall"), validators=SCORE)
    relevance = models.PositiveSmallIntegerField(_("relevance to your work"), validators=SCORE)
    organisation = models.PositiveSmallIntegerField(_("how it was organised"), validators=SCORE)
    networking = models.PositiveSmallIntegerField(_("useful contacts made"), validators=SCORE)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    QUESTIONS = ("overall", "relevance", "organisation", "networking")

    def __str__(self) -> str:
        return f"{self.participation}: {self.overall}/5"
