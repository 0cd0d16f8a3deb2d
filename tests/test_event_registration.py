"""Registration for an event: places up to the capacity, a waitlist that moves up in order,
check-in by badge code, and one quality answer per attendee, all through the audited
services."""

from __future__ import annotations

import pytest

from citycoop.accounts.models import AuditEntry
from citycoop.common.services import StaleEditError, create_record
from citycoop.events.models import Attendance, Event, Participation
from citycoop.events.registration import (
    Registrant,
    RegistrationError,
    attendance_counts,
    cancel,
    check_in,
    mark_no_shows,
    quality,
    raise_capacity,
    register,
    set_registration_open,
    submit_feedback,
    waitlist_position,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin_user) -> Event:
    return create_record(Event, {"slug": "smart-city-week", "title": "Smart City Week",
                                 "kind": "conference", "when": "24-26 September 2016",
                                 "capacity": 2, "registration_open": True},
                         acting_user=admin_user)


def person(n: int) -> Registrant:
    return Registrant(name=f"Person {n}", email=f"person{n}@example.org")


def sign_up(event: Event, *numbers: int) -> list[Participation]:
    return [register(event, person(n)) for n in numbers]


def states(*participations: Participation) -> list[str]:
    return [Participation.objects.get(pk=p.pk).attendance for p in participations]


def answers(score: int) -> dict[str, int]:
    return {"overall": score, "relevance": score, "organisation": score, "networking": score}


def test_it_gives_places_up_to_the_capacity_then_waitlists_in_order(event):
    one, two, three, four = sign_up(event, 1, 2, 3, 4)
    assert states(one, two, three, four) == ["registered", "registered", "waitlisted",
                                             "waitlisted"]
    assert [waitlist_position(p) for p in (one, three, four)] == [None, 1, 2]
    assert one.badge_code and one.badge_code != two.badge_code
    assert len(one.token or "") == 43


def test_an_event_without_a_capacity_never_waitlists(event, admin_user):
    raise_capacity(event, None, acting_user=admin_user)
    assert {p.attendance for p in sign_up(event, 1, 2, 3, 4, 5)} == {"registered"}


def test_cancelling_a_place_gives_it_to_the_first_on_the_waitlist(event):
    one, _two, three, four = sign_up(event, 1, 2, 3, 4)
    promoted = cancel(one)
    assert promoted is not None and promoted.pk == three.pk
    assert states(one, three, four) == ["cancelled", "registered", "waitlisted"]
    assert waitlist_position(Participation.objects.get(pk=four.pk)) == 1


def test_leaving_the_waitlist_frees_no_place_and_promotes_nobody(event):
    _one, _two, three, four = sign_up(event, 1, 2, 3, 4)
    assert cancel(three) is None
    assert states(three, four) == ["cancelled", "waitlisted"]
    assert cancel(three) is None  # cancelling twice changes nothing


def test_raising_the_capacity_promotes_the_waitlist_in_order(event, admin_user):
    _one, _two, three, four, five = sign_up(event, 1, 2, 3, 4, 5)
    promoted = raise_capacity(event, 4, acting_user=admin_user)
    assert [p.pk for p in promoted] == [three.pk, four.pk]
    assert states(five) == ["waitlisted"]
    assert Event.objects.get(pk=event.pk).capacity == 4


def test_someone_who_cancelled_can_register_again_at_the_end_of_the_queue(event):
    one, _two, three = sign_up(event, 1, 2, 3)
    cancel(one)  # three takes the place
    again = register(event, person(1))
    assert again.pk == one.pk and again.token == one.token
    assert again.attendance == Attendance.WAITLISTED
    assert states(three) == ["registered"]


def test_a_second_registration_with_the_same_email_is_refused(event):
    sign_up(event, 1)
    with pytest.raises(RegistrationError, match="already registered"):
        register(event, Registrant(name="Someone", email="PERSON1@example.org"))
    assert event.participations.count() == 1


def test_registration_is_refused_while_closed(event, admin_user):
    set_registration_open(event, False, expected_version=event.version, acting_user=admin_user)
    with pytest.raises(RegistrationError, match="closed"):
        register(event, person(1))
    assert not event.participations.exists()


def test_opening_registration_from_a_stale_page_is_refused(event, admin_user):
    set_registration_open(event, False, expected_version=event.version, acting_user=admin_user)
    with pytest.raises(StaleEditError):
        set_registration_open(event, True, expected_version=event.version,
                              acting_user=admin_user)
    assert not Event.objects.get(pk=event.pk).registration_open


def test_check_in_finds_the_badge_code_whatever_its_case(event, admin_user):
    one, = sign_up(event, 1)
    checked = check_in(event, f"  {one.badge_code.lower()} ", acting_user=admin_user)
    assert checked.pk == one.pk and checked.attendance == Attendance.ATTENDED
    assert checked.checked_in_at is not None
    # A second scan of the same badge is harmless.
    assert check_in(event, one.badge_code, acting_user=admin_user).attendance == "attended"


def test_an_unknown_code_is_refused_with_the_code(event, admin_user):
    with pytest.raises(RegistrationError, match="ZZZZ9999"):
        check_in(event, "ZZZZ9999", acting_user=admin_user)


def test_someone_on_the_waitlist_cannot_check_in(event, admin_user):
    *_, waiting = sign_up(event, 1, 2, 3)
    with pytest.raises(RegistrationError, match="waitlist"):
        check_in(event, waiting.badge_code, acting_user=admin_user)
    assert states(waiting) == ["waitlisted"]


def test_marking_no_shows_touches_only_those_still_registered(event, admin_user):
    one, two, three = sign_up(event, 1, 2, 3)
    check_in(event, one.badge_code, acting_user=admin_user)
    assert mark_no_shows(event, acting_user=admin_user) == 1
    assert states(one, two, three) == ["attended", "no_show", "waitlisted"]
    # A late arrival is still let in.
    assert check_in(event, two.badge_code, acting_user=admin_user).attendance == "attended"


def test_the_counts_name_every_state(event, admin_user):
    one, _two, three = sign_up(event, 1, 2, 3)
    check_in(event, one.badge_code, acting_user=admin_user)
    cancel(three)
    assert attendance_counts(event) == {"waitlisted": 0, "registered": 1, "attended": 1,
                                        "no_show": 0, "cancelled": 1}


def test_only_attendees_answer_the_survey_and_only_once(event, admin_user):
    one, two = sign_up(event, 1, 2)
    with pytest.raises(RegistrationError, match="attended"):
        submit_feedback(two, answers(4))
    check_in(event, one.badge_code, acting_user=admin_user)
    one.refresh_from_db()
    submit_feedback(one, answers(4))
    with pytest.raises(RegistrationError, match="already answered"):
        submit_feedback(one, answers(2))


def test_quality_is_the_mean_of_every_answer_with_their_count(event, admin_user):
    assert quality(event).score is None and quality(event).answers == 0
    raise_capacity(event, None, acting_user=admin_user)
    attendees = sign_up(event, 1, 2, 3)
    for participation in attendees:
        check_in(event, participation.badge_code, acting_user=admin_user)
    submit_feedback(Participation.objects.get(pk=attendees[0].pk), answers(5))
    submit_feedback(Participation.objects.get(pk=attendees[1].pk), answers(4))
    submit_feedback(Participation.objects.get(pk=attendees[2].pk),
                    {"overall": 4, "relevance": 4, "organisation": 3, "networking": 5})
    result = quality(event)
    assert result.answers == 3
    assert result.score == pytest.approx(4.33, abs=0.01)
    assert result.by_question == {"overall": pytest.approx(4.33, abs=0.01),
                                  "relevance": pytest.approx(4.33, abs=0.01),
                                  "organisation": 4.0, "networking": pytest.approx(4.67,
                                                                                   abs=0.01)}


def test_every_registration_write_is_audited(event, admin_user):
    before = AuditEntry.objects.count()
    one, = sign_up(event, 1)  # a person and a participation
    check_in(event, one.badge_code, acting_user=admin_user)
    assert AuditEntry.objects.count() == before + 3
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None and entry.actor == admin_user
    assert entry.changes["attendance"] == ["registered", "attended"]
