"""Registration for an event: places up to its capacity, a waitlist that moves up by itself,
check-in at the door by the badge's code, and the attendees' quality survey.

Every write goes through the audited services. The event's row is locked while a place is
given or freed, so two people can never take the last place at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record
from citycoop.registry.models import Organisation, Person

from .models import Attendance, Event, FeedbackAnswer, ParticipantRole, Participation

HOLDS_A_PLACE = (Attendance.REGISTERED, Attendance.ATTENDED, Attendance.NO_SHOW)


class RegistrationError(Exception):
    """A registration, cancellation, check-in or answer that cannot be made; says why."""


@dataclass(frozen=True)
class Registrant:
    name: str
    email: str
    organisation: str = ""
    role: str = ParticipantRole.DELEGATE


def places_taken(event: Event) -> int:
    return event.participations.filter(attendance__in=HOLDS_A_PLACE).count()


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _person_for(registrant: Registrant, acting_user: User | None) -> Person:
    """The person with this email, or a new one (internal: registrants are not published)."""
    email = registrant.email.strip()
    person = Person.objects.filter(email__iexact=email).first()
    if person is not None:
        return person
    organisation = (Organisation.objects.filter(name__iexact=registrant.organisation.strip())
                    .first() if registrant.organisation.strip() else None)
    return create_record(Person, {"name": registrant.name.strip(), "email": email,
                                  "organisation": organisation}, acting_user=acting_user)


@transaction.atomic
def register(event: Event, registrant: Registrant, *,
             acting_user: User | None = None) -> Participation:
    """A place if one is free, else a place on the waitlist. Someone who cancelled may come
    back (at the end of the queue); someone already registered is refused."""
    event = _locked(event)
    if not event.registration_open:
        raise RegistrationError(_("Registration for this event is closed."))
    person = _person_for(registrant, acting_user)
    full = event.capacity is not None and places_taken(event) >= event.capacity
    values: dict[str, Any] = {
        "attendance": Attendance.WAITLISTED if full else Attendance.REGISTERED,
        "role": registrant.role, "registered_at": timezone.now(),
    }
    existing = event.participations.filter(person=person).first()
    if existing is not None:
        if existing.attendance != Attendance.CANCELLED:
            raise RegistrationError(_("%(email)s is already registered for this event.")
                                    % {"email": registrant.email})
        return update_record(existing, values, acting_user=acting_user,
                             expected_version=existing.version)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return create_record(Participation, {
                    **values, "event": event, "person": person,
                    "organisation": person.organisation,
                    "token": Participation.new_token(),
                    "badge_code": Participation.new_badge_code()}, acting_user=acting_user)
        except IntegrityError:
            continue  # a badge code already used at this event: draw another
    raise RegistrationError(_("Could not issue a badge code; please try again."))


@transaction.atomic
def cancel(participation: Participation, *,
           acting_user: User | None = None) -> Participation | None:
    """Cancel a registration; if it held a place, the first on the waitlist gets it.
    Returns the participation promoted, if any."""
    event = _locked(participation.event)
    current = Participation.objects.get(pk=participation.pk)
    if current.attendance == Attendance.CANCELLED:
        return None
    held_a_place = current.attendance in HOLDS_A_PLACE
    update_record(current, {"attendance": Attendance.CANCELLED}, acting_user=acting_user,
                  expected_version=current.version)
    if not held_a_place:
        return None
    return promote_from_waitlist(event, acting_user=acting_user)


def promote_from_waitlist(event: Event, *, acting_user: User | None) -> Participation | None:
    """Give a free place to whoever has waited longest (called with the event locked)."""
    if event.capacity is not None and places_taken(event) >= event.capacity:
        return None
    first = (event.participations.filter(attendance=Attendance.WAITLISTED)
             .order_by("registered_at", "pk").first())
    if first is None:
        return None
    return update_record(first, {"attendance": Attendance.REGISTERED}, acting_user=acting_user,
                         expected_version=first.version)


@transaction.atomic
def raise_capacity(event: Event, capacity: int | None, *,
                   acting_user: User | None) -> list[Participation]:
    """Change the capacity; places that open go to the waitlist in order."""
    event = update_record(_locked(event), {"capacity": capacity}, acting_user=acting_user,
                          expected_version=None)
    promoted = []
    while (person := promote_from_waitlist(event, acting_user=acting_user)) is not None:
        promoted.append(person)
    return promoted


@transaction.atomic
def check_in(event: Event, code: str, *, acting_user: User | None) -> Participation:
    """Mark the holder of this badge code (or personal link's token) as attended."""
    code = code.strip()
    participation = (event.participations.filter(badge_code__iexact=code).first()
                     or event.participations.filter(token=code).first())
    if participation is None:
        raise RegistrationError(_("No registration at this event has the code %(code)s.")
                                % {"code": code})
    if participation.attendance == Attendance.ATTENDED:
        return participation
    if participation.attendance not in (Attendance.REGISTERED, Attendance.NO_SHOW):
        raise RegistrationError(_("%(name)s is %(status)s, not registered.") % {
            "name": participation.person or participation.organisation,
            "status": participation.get_attendance_display()})
    return update_record(participation, {"attendance": Attendance.ATTENDED,
                                         "checked_in_at": timezone.now()},
                         acting_user=acting_user, expected_version=participation.version)


@transaction.atomic
def submit_feedback(participation: Participation, answers: Mapping[str, Any], *,
                    acting_user: User | None = None) -> FeedbackAnswer:
    """One answer per attendee; only those who attended are asked."""
    if participation.attendance != Attendance.ATTENDED:
        raise RegistrationError(_("Only people who attended can rate the event."))
    if FeedbackAnswer.objects.filter(participation=participation).exists():
        raise RegistrationError(_("You have already answered; thank you."))
    return create_record(FeedbackAnswer, {"participation": participation, **answers},
                         acting_user=acting_user)


@dataclass(frozen=True)
class Quality:
    score: float | None  # the mean of every answer to every question, 1 to 5
    answers: int
    by_question: dict[str, float | None]


def quality(event: Event) -> Quality:
    answers = FeedbackAnswer.objects.filter(participation__event=event)
    means = answers.aggregate(n=Count("pk"), **{q: Avg(q) for q in FeedbackAnswer.QUESTIONS})
    n = means.pop("n")
    values = [v for v in means.values() if v is not None]
    score = round(sum(values) / len(values), 2) if values else None
    return Quality(score, n, {q: (round(v, 2) if v is not None else None)
                              for q, v in means.items()})


def waitlist_position(participation: Participation) -> int | None:
    """Where this person stands in the queue (1 is next), or None when not waiting."""
    if participation.attendance != Attendance.WAITLISTED:
        return None
    ahead = Participation.objects.filter(
        event_id=participation.event_id, attendance=Attendance.WAITLISTED,
    ).filter(
        Q(registered_at__lt=participation.registered_at)
        | Q(registered_at=participation.registered_at, pk__lt=participation.pk)
    ).count()
    return ahead + 1


def attendance_counts(event: Event) -> dict[str, int]:
    """How many participations are in each state, every state present (zero when none)."""
    found = dict(event.participations.values_list("attendance").annotate(n=Count("pk"))
                 .order_by())
    return {str(state): found.get(state, 0) for state in Attendance.values}


@transaction.atomic
def set_registration_open(event: Event, is_open: bool, *, expected_version: int | None,
                          acting_user: User | None) -> Event:
    """Open or close the registration form; refused as stale if the event moved on."""
    return update_record(event, {"registration_open": is_open}, acting_user=acting_user,
                         expected_version=expected_version)


@transaction.atomic
def mark_no_shows(event: Event, *, acting_user: User | None) -> int:
    """After the event: everyone still registered did not come. Returns how many.
    Check-in still accepts them afterwards, so a mistake at the door can be put right."""
    event = _locked(event)
    marked = 0
    for participation in event.participations.filter(attendance=Attendance.REGISTERED):
        update_record(participation, {"attendance": Attendance.NO_SHOW},
                      acting_user=acting_user, expected_version=None)
        marked += 1
    return marked
