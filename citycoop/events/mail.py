"""The emails a registrant receives: their personal link, the news that a place freed up for
them, and the quality survey. Django's mail API sends them (the console by default)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import Attendance, Participation

log = logging.getLogger(__name__)


def send_to_participant(participation: Participation, subject: str, body: str) -> bool:
    """Send one email to the participant; False when they have no address or sending failed.
    A failed email never undoes the registration: the pages show the same link."""
    email = participation.person.email if participation.person else ""
    if not email:
        return False
    try:
        send_mail(subject, body, None, [email])
    except OSError:  # smtplib's errors are OSErrors too
        log.exception("Could not email %s about %s", email, participation.event)
        return False
    return True


def greeting(participation: Participation) -> str:
    name = participation.person.name if participation.person else ""
    return _("Hello %(name)s,") % {"name": name} if name else _("Hello,")


def send_personal_link(participation: Participation, link: str) -> bool:
    event = participation.event
    if participation.attendance == Attendance.WAITLISTED:
        status = _("The event is full, so you are on its waitlist. If a place frees up, it "
                   "goes to you in turn and we will write to you.")
    else:
        status = _("You are registered. Your badge, with the code to show at the door, is on "
                   "your personal page.")
    body = "\n\n".join([
        greeting(participation),
        _("Thank you for registering for “%(event)s”.") % {"event": event.title},
        status,
        _("Your personal page, to see your registration and badge or to cancel:\n%(link)s")
        % {"link": link},
        _("Keep this link to yourself: anyone who has it can cancel your registration."),
    ])
    return send_to_participant(participation, _("Your registration for “%(event)s”")
                               % {"event": event.title}, body)


def send_promotion(participation: Participation, link: str) -> bool:
    event = participation.event
    body = "\n\n".join([
        greeting(participation),
        _("A place has freed up at “%(event)s” and it is yours: you are now registered.")
        % {"event": event.title},
        _("Your badge, with the code to show at the door, is on your personal page:\n"
          "%(link)s") % {"link": link},
        _("If you can no longer come, please cancel there so that the next person on the "
          "waitlist gets the place."),
    ])
    return send_to_participant(participation, _("You have a place at “%(event)s”")
                               % {"event": event.title}, body)


def send_survey_link(participation: Participation, link: str) -> bool:
    event = participation.event
    body = "\n\n".join([
        greeting(participation),
        _("Thank you for coming to “%(event)s”. Four short questions tell the organisers how "
          "it went and what to do better next time:\n%(link)s")
        % {"event": event.title, "link": link},
    ])
    return send_to_participant(participation, _("How was “%(event)s”?")
                               % {"event": event.title}, body)
