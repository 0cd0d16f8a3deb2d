"""B2B matchmaking at an event: who offers and seeks what, who asked to meet whom, the
sessions' slots and tables, the meetings placed in them, and what came of them."""

from __future__ import annotations

import datetime
import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from citycoop.common.models import VersionedModel
from citycoop.events.models import Event, Participation
from citycoop.registry.models import Theme


class MatchmakingSetup(VersionedModel):
    """The organiser's frame for the meetings: days, hours, slot length, breaks, tables, caps."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="matchmaking")
    days = models.JSONField(_("days"), default=list,
                            help_text=_("The dates of the matchmaking sessions (YYYY-MM-DD)."))
    starts = models.TimeField(_("first meeting starts"), default=datetime.time(9, 0))
    ends = models.TimeField(_("last meeting ends"), default=datetime.time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=30)
    breaks = models.JSONField(_("breaks"), default=list, blank=True,
                              help_text=_('Pairs of times with no meetings, e.g. '
                                          '[["12:30", "13:30"]].'))
    tables = models.PositiveIntegerField(_("tables"), default=10)
    max_meetings = models.PositiveSmallIntegerField(
        _("most meetings per participant"), null=True, blank=True)
    same_side_meetings = models.BooleanField(
        _("buyers may meet buyers and sellers sellers"), default=True)
    requests_open = models.BooleanField(_("meeting requests open"), default=True)

    def __str__(self) -> str:
        return f"Matchmaking at {self.event}"


class Side(models.TextChoices):
    EITHER = "either", _("either")
    BUYER = "buyer", _("buyer (looks for)")
    SELLER = "seller", _("seller (offers)")


class Profile(VersionedModel):
    """What a participant brings to the matchmaking: shown to the others once published."""

    participation = models.OneToOneField(Participation, on_delete=models.CASCADE,
                                         related_name="b2b_profile")
    organisation_name = models.CharField(_("organisation"), max_length=200)
    description = models.TextField(_("about us"), blank=True)
    offers = models.TextField(_("what we offer"), blank=True)
    requests = models.TextField(_("what we look for"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True,
                                    related_name="b2b_profiles")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices,
                            default=Side.EITHER)
    unavailable = models.JSONField(_("slots when away"), default=list, blank=True)
    max_meetings = models.PositiveSmallIntegerField(_("most meetings I want"), null=True,
                                                    blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["organisation_name"]

    def __str__(self) -> str:
        return self.organisation_name


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class MeetingRequest(VersionedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    requester = models.ForeignKey(Participation, on_delete=models.CASCADE,
                                  related_name="requests_sent")
    recipient = models.ForeignKey(Participation, on_delete=models.CASCADE,
                                  related_name="requests_received")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["requester", "recipient"],
                                    name="one_request_per_pair_and_direction"),
            models.CheckConstraint(name="no_request_to_oneself",
                                   condition=~Q(requester=F("recipient"))),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    NO_SHOW = "no_show", _("no-show")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(VersionedModel):
    """An accepted request placed in a slot at a table; published once the organiser says so."""

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE,
                                   related_name="meeting")
    slot = models.CharField(_("slot"), max_length=20)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    table = models.PositiveIntegerField(_("table"))
    published = models.BooleanField(_("published"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    # Where its two participants were last told the meeting is ({"slot", "starts_at",
    # "ends_at", "table"}), or null when they were never told of it or were told it is off.
    # A new schedule moves a published meeting back to draft at its new place; this keeps
    # the place they know, so that the next publication can tell them it moved.
    announced = models.JSONField(_("as last announced"), null=True, blank=True,
                                 editable=False)

    class Meta:
        ordering = ["starts_at", "table"]

    def __str__(self) -> str:
        return f"{self.request} at {self.slot}, table {self.table}"


class Rating(models.TextChoices):
    NO_CONTACT = "no_contact", _("no further contact")
    KNOWLEDGE = "knowledge", _("knowledge gained")
    VALUABLE_CONTACT = "valuable_contact", _("valuable contact")
    NEGOTIATION = "negotiation", _("negotiation started")
    AGREEMENT = "agreement", _("cooperation agreement reached")


class FollowUp(VersionedModel):
    """What came of a meeting, asked of one side some months later through a personal link."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    rater = models.ForeignKey(Participation, on_delete=models.CASCADE,
                              related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after the meeting"))
    due_on = models.DateField(_("due on"))
    token = models.CharField(max_length=43, unique=True, editable=False)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True,
                                   help_text=_("When the question was emailed to the rater."))
    agreement = models.ForeignKey("portfolio.Agreement", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="follow_ups")

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "rater", "months"],
                                    name="one_follow_up_per_side_and_round"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.months} months, {self.rater}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
