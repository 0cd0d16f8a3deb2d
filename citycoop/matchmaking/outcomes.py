"""What came of the meetings: follow-up ratings months later, the agreement a rating of
"agreement reached" creates, and the funnel from request to agreement."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record
from citycoop.events.models import Event
from citycoop.portfolio.models import Agreement, AgreementStatus, AgreementType, Pairing
from citycoop.portfolio.services import create_agreement

from .models import (
    FollowUp,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Rating,
    RequestStatus,
)
from .services import (
    B2BError,
    PairingNeeded,
    display_name,
    event_timezone,
)

# -- follow-up and agreements ------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def create_follow_ups(event: Event, months: Sequence[int] = (3, 6), *,
                      acting_user: User | None = None) -> list[FollowUp]:
    """For each held meeting, a follow-up per side and round, due that many months after
    the meeting's day; rounds already there are left alone (safe to run again)."""
    zone = event_timezone(event)
    existing = set(FollowUp.objects.filter(meeting__request__event=event)
                   .values_list("meeting_id", "rater_id", "months"))
    created = []
    for meeting in (Meeting.objects.filter(request__event=event, status=MeetingStatus.HELD)
                    .select_related("request")):
        day = meeting.starts_at.astimezone(zone).date()
        for rater_id in (meeting.request.requester_id, meeting.request.recipient_id):
            for n in months:
                if (meeting.pk, rater_id, n) not in existing:
                    created.append(create_record(FollowUp, {
                        "meeting": meeting, "rater_id": rater_id, "months": n,
                        "due_on": add_months(day, n), "token": FollowUp.new_token()},
                        acting_user=acting_user))
    return created


def answer_follow_up(token: str, rating: str, comment: str = "", *,
                     acting_user: User | None = None) -> FollowUp:
    """Record what came of a meeting (may be changed later by the same link)."""
    follow_up = FollowUp.objects.get(token=token)
    if rating not in Rating.values:
        raise B2BError(_("Choose one of the answers."))
    return update_record(follow_up, {"rating": rating, "comment": comment.strip(),
                                     "answered_at": timezone.now()},
                         acting_user=acting_user, expected_version=None)


def _unique_slug(text: str) -> str:
    from citycoop.lib.text import slugify

    base = slugify(text, max_length=90) or "agreement"
    slug, n = base, 2
    while Agreement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_agreement_from_follow_up(follow_up: FollowUp, title: str,
                                    acting_user: User | None, *,
                                    pairing: Pairing | None = None,
                                    kind: str = AgreementType.MOU) -> Agreement:
    """Record the agreement a follow-up reports, under preparation and not public until the
    programme team reviews it. The pairing is the event's if it serves exactly one. When
    the other side already recorded it, the follow-up is linked to that same agreement."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.rating != Rating.AGREEMENT:
        raise B2BError(_("Only a follow-up that reports an agreement can record one."))
    if follow_up.agreement_id is not None:
        raise B2BError(_("This agreement is already recorded."))
    meeting = Meeting.objects.select_related("request__event").get(pk=follow_up.meeting_id)
    sibling = (FollowUp.objects.filter(meeting=meeting, agreement__isnull=False)
               .select_related("agreement").first())
    if sibling is not None and sibling.agreement is not None:
        agreement = sibling.agreement
    else:
        event = meeting.request.event
        served = list(event.pairings.all())
        if pairing is None and len(served) > 1:
            raise PairingNeeded(served)
        if pairing is None and served:
            pairing = served[0]
        if pairing is not None and pairing not in served:
            raise B2BError(_("The agreement must belong to a pairing this event serves."))
        if not title.strip():
            raise B2BError(_("Give the agreement a title."))
        agreement = create_agreement({
            "slug": _unique_slug(title), "title": title.strip(), "type": kind,
            "status": AgreementStatus.UNDER_PREPARATION, "pairing": pairing,
            "is_public": False,
            "text": _("Reported in the follow-up of the B2B meeting of %(a)s and %(b)s at "
                      "%(event)s on %(day)s.") % {
                "a": display_name(meeting.request.requester),
                "b": display_name(meeting.request.recipient), "event": event.title,
                "day": meeting.starts_at.astimezone(event_timezone(event)).date().isoformat()},
        }, acting_user=acting_user)
    update_record(follow_up, {"agreement": agreement}, acting_user=acting_user,
                  expected_version=follow_up.version)
    return agreement


# -- the funnel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int


def funnel(events: QuerySet[Event]) -> list[Stage]:
    """From meetings requested to agreements, over the given events (one, or a programme's).

    Requests are counted as sent (withdrawn ones left out); from "scheduled" on, meetings;
    a meeting counts under a follow-up stage when either side's answer reached it."""
    requests = MeetingRequest.objects.filter(event__in=events)
    meetings = Meeting.objects.filter(request__event__in=events)
    reached = (Rating.NEGOTIATION, Rating.AGREEMENT)
    return [
        Stage("requested", _("meetings requested"),
              requests.exclude(status=RequestStatus.WITHDRAWN).count()),
        Stage("accepted", _("accepted"), requests.filter(status=RequestStatus.ACCEPTED).count()),
        Stage("scheduled", _("scheduled"),
              meetings.exclude(status=MeetingStatus.CANCELLED).count()),
        Stage("held", _("held"), meetings.filter(status=MeetingStatus.HELD).count()),
        Stage("answered", _("follow-ups answered"),
              meetings.filter(follow_ups__answered_at__isnull=False).distinct().count()),
        Stage("negotiation", _("negotiation started"),
              meetings.filter(follow_ups__rating__in=reached).distinct().count()),
        Stage("agreement", _("agreement reached"),
              meetings.filter(follow_ups__rating=Rating.AGREEMENT).distinct().count()),
    ]
