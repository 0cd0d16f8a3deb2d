"""What came of the meetings: follow-up ratings months later and the emails that ask for
them, the agreement a rating of "agreement reached" creates, and the funnel from request to
agreement."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record
from citycoop.events.mail import greeting, send_to_participant
from citycoop.events.models import Event
from citycoop.portfolio.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    Pairing,
    PilotProject,
)
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


def due_follow_ups(today: datetime.date, event: Event | None = None) -> QuerySet[FollowUp]:
    """The follow-ups to email: due by ``today``, never sent and not answered yet."""
    due = (FollowUp.objects.filter(due_on__lte=today, sent_at__isnull=True,
                                   answered_at__isnull=True)
           .select_related("rater__person", "rater__organisation", "meeting__request__event",
                           "meeting__request__requester__person",
                           "meeting__request__recipient__person")
           .order_by("meeting__request__event__slug", "due_on", "pk"))
    return due.filter(meeting__request__event=event) if event is not None else due


def send_follow_up(follow_up: FollowUp, link: str, *,
                   acting_user: User | None = None) -> bool:
    """Email the follow-up's question to its rater with the link to answer, and record when;
    False (and nothing recorded, so the next run tries again) when they have no address or
    the mail could not be sent."""
    request = follow_up.meeting.request
    event = request.event
    other = request.recipient if follow_up.rater_id == request.requester_id \
        else request.requester
    day = follow_up.meeting.starts_at.astimezone(event_timezone(event)).date()
    rater = follow_up.rater
    rater.event = event
    body = "\n\n".join([
        greeting(rater),
        ngettext("%(months)s month ago, on %(day)s, you met %(name)s at “%(event)s”.",
                 "%(months)s months ago, on %(day)s, you met %(name)s at “%(event)s”.",
                 follow_up.months) % {
            "months": follow_up.months, "day": formats.date_format(day, "j F Y"),
            "name": display_name(other), "event": event.title},
        _("What came of the meeting? One click answers, no account needed:\n%(link)s")
        % {"link": link},
        _("Your answer helps the programme show what its meetings lead to. If you reached an "
          "agreement, the same page records it."),
    ])
    subject = _("What came of your meeting with %(name)s?") % {"name": display_name(other)}
    if not send_to_participant(rater, subject, body):
        return False
    update_record(follow_up, {"sent_at": timezone.now()}, acting_user=acting_user,
                  expected_version=None)
    return True


def _unique_slug(text: str) -> str:
    from citycoop.lib.text import slugify

    base = slugify(text, max_length=90) or "agreement"
    slug, n = base, 2
    while Agreement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def pilots_to_choose(event: Event, pairing: Pairing | None) -> list[PilotProject]:
    """The event's pilots of the pairing; one alone is taken without asking."""
    if pairing is None:
        return []
    return list(event.pilots.filter(pairing=pairing).order_by("position", "pk"))


@transaction.atomic
def create_agreement_from_follow_up(follow_up: FollowUp, title: str,
                                    acting_user: User | None, *,
                                    pairing: Pairing | None = None,
                                    pilot: PilotProject | None = None,
                                    kind: str = AgreementType.MOU) -> Agreement:
    """Record the agreement a follow-up reports, under preparation and not public until the
    programme team reviews it. The pairing is the event's if it serves exactly one; the
    pilot served is the event's of that pairing if it serves exactly one, else the one
    chosen, if any. When the other side already recorded it, the follow-up is linked to
    that same agreement."""
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
        pilots = pilots_to_choose(event, pairing)
        if pilot is not None and pilot not in pilots:
            raise B2BError(_("The pilot project must be one of this event's, of the "
                             "agreement's pairing."))
        if pilot is None and len(pilots) == 1:
            pilot = pilots[0]
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
        }, acting_user=acting_user, pilots=[pilot] if pilot else [])
    update_record(follow_up, {"agreement": agreement}, acting_user=acting_user,
                  expected_version=follow_up.version)
    return agreement


# -- the funnel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int


def _labels() -> dict[str, str]:
    return {"requested": _("meetings requested"), "accepted": _("accepted"),
            "scheduled": _("scheduled"), "held": _("held"),
            "answered": _("follow-ups answered"), "negotiation": _("negotiation started"),
            "agreement": _("agreement reached")}


def funnel_by_event(events: QuerySet[Event]) -> dict[int, list[Stage]]:
    """The funnel of each of the given events that has any request, in seven queries
    however many events there are (see :func:`funnel` for what each step counts)."""
    requests = MeetingRequest.objects.filter(event__in=events).order_by()
    meetings = Meeting.objects.filter(request__event__in=events).order_by()
    reached = (Rating.NEGOTIATION, Rating.AGREEMENT)
    steps: dict[str, tuple[QuerySet[Any], str]] = {
        "requested": (requests.exclude(status=RequestStatus.WITHDRAWN), "event_id"),
        "accepted": (requests.filter(status=RequestStatus.ACCEPTED), "event_id"),
        "scheduled": (meetings.exclude(status=MeetingStatus.CANCELLED), "request__event_id"),
        "held": (meetings.filter(status=MeetingStatus.HELD), "request__event_id"),
        "answered": (meetings.filter(follow_ups__answered_at__isnull=False),
                     "request__event_id"),
        "negotiation": (meetings.filter(follow_ups__rating__in=reached), "request__event_id"),
        "agreement": (meetings.filter(follow_ups__rating=Rating.AGREEMENT),
                      "request__event_id"),
    }
    counts: dict[str, dict[int, int]] = {}
    for key, (queryset, event_field) in steps.items():
        # A meeting counts once however many of its follow-ups reached the step.
        counts[key] = dict(queryset.values(event_field)
                           .annotate(n=Count("pk", distinct=True)).values_list(event_field, "n"))
    labels = _labels()
    return {event_id: [Stage(key, labels[key], counts[key].get(event_id, 0)) for key in steps]
            for event_id in sorted(set().union(*counts.values()))}


def total(funnels: Iterable[list[Stage]]) -> list[Stage]:
    """The funnels added up step by step (each request and meeting is one event's)."""
    sums: dict[str, int] = dict.fromkeys(_labels(), 0)
    for stages in funnels:
        for stage in stages:
            sums[stage.key] += stage.count
    labels = _labels()
    return [Stage(key, labels[key], n) for key, n in sums.items()]


def funnel(events: QuerySet[Event]) -> list[Stage]:
    """From meetings requested to agreements, over the given events (one, or a programme's).

    Requests are counted as sent (withdrawn ones left out); from "scheduled" on, meetings;
    a meeting counts under a follow-up stage when either side's answer reached it."""
    return total(funnel_by_event(events).values())


def funnel_rows(stages: list[Stage]) -> list[dict[str, Any]]:
    """The funnel's rows for a page: each step with its bar's width (of the widest) and its
    share of the step before."""
    top = max([s.count for s in stages] + [1])
    rows = []
    for i, stage in enumerate(stages):
        before = stages[i - 1].count if i else None
        rows.append({"stage": stage, "width": round(100 * stage.count / top, 1),
                     "rate": round(100 * stage.count / before) if before else None})
    return rows
