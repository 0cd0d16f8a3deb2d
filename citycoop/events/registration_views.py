"""The public's side of registration: the form, the personal page with its badge, cancelling,
the quality survey, and the event's closing report. No account is needed: the personal
page's address holds a secret token, as a registrant's key to their registration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from citycoop.accounts.permissions import access_event, can_manage_registry
from citycoop.registry.models import Organisation

from . import mail
from .badges import qr_svg
from .models import Attendance, Event, FeedbackAnswer, Participation
from .registration import (
    HOLDS_A_PLACE,
    RegistrationError,
    cancel,
    places_taken,
    quality,
    register,
    submit_feedback,
    waitlist_position,
)
from .registration_forms import FeedbackForm, RegistrationForm

TEMPLATES = "events/registration/"


def participation_for(token: str) -> Participation:
    """The registration a personal link opens; a wrong token is a plain 404."""
    participation = (Participation.objects.select_related("event", "person", "organisation")
                     .filter(token=token).first())
    if participation is None:
        raise Http404("No such registration.")
    return participation


def personal_url(request: HttpRequest, participation: Participation) -> str:
    return request.build_absolute_uri(reverse("registration:personal",
                                              args=[participation.token]))


def places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - places_taken(event), 0)


def register_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    form = RegistrationForm(request.POST or None)
    error = None
    if request.method == "POST" and not event.registration_open:
        error = _("Registration for this event is closed.")
    elif request.method == "POST" and form.is_valid():
        try:
            participation = register(event, form.registrant(), acting_user=None)
        except RegistrationError as refused:
            error = str(refused)
        else:
            sent = mail.send_personal_link(participation, personal_url(request, participation))
            welcome(request, participation, sent=sent)
            return redirect("registration:personal", token=participation.token)
    return render(request, TEMPLATES + "register.html", {
        "event": event, "form": form, "error": error, "places_left": places_left(event),
    }, status=409 if error else 200)


def welcome(request: HttpRequest, participation: Participation, *, sent: bool) -> None:
    """The answer to a registration, shown once on the personal page it leads to."""
    position = waitlist_position(participation)
    if position is None:
        messages.success(request, _("You are registered for “%(event)s”.")
                         % {"event": participation.event.title})
    else:
        messages.warning(request, _("The event is full: you are number %(position)s on the "
                                    "waitlist for “%(event)s”. If a place frees up, it is "
                                    "yours in turn and we will write to you.")
                         % {"position": position, "event": participation.event.title})
    if sent:
        messages.info(request, _("We have sent the link to this page to %(email)s. Keep it: "
                                 "it shows your badge and lets you cancel.")
                      % {"email": participation.person.email if participation.person else ""})
    else:
        messages.error(request, _("We could not send you an email. Keep the link to this "
                                  "page: it shows your badge and lets you cancel."))


@never_cache
def personal_page(request: HttpRequest, token: str) -> HttpResponse:
    participation = participation_for(token)
    event = participation.event
    holds_a_place = participation.attendance in HOLDS_A_PLACE
    answered = FeedbackAnswer.objects.filter(participation=participation).exists()
    return render(request, TEMPLATES + "personal.html", {
        "participation": participation, "event": event,
        "link": personal_url(request, participation),
        "position": waitlist_position(participation),
        "holds_a_place": holds_a_place,
        "qr": qr_svg(participation.badge_code or "",
                     title=_("QR code of the badge code %(code)s")
                     % {"code": participation.badge_code}) if holds_a_place else "",
        "can_cancel": participation.attendance in (Attendance.REGISTERED,
                                                   Attendance.WAITLISTED),
        "attended": participation.attendance == Attendance.ATTENDED,
        "answered": answered,
    })


@never_cache
def cancel_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST cancels, and the first on the waitlist gets the place."""
    participation = participation_for(token)
    if participation.attendance not in (Attendance.REGISTERED, Attendance.WAITLISTED):
        messages.error(request, _("This registration can no longer be cancelled."))
        return redirect("registration:personal", token=token)
    if request.method == "POST":
        promoted = cancel(participation, acting_user=None)
        if promoted is not None:
            mail.send_promotion(promoted, personal_url(request, promoted))
        messages.success(request, _("Your registration for “%(event)s” is cancelled.")
                         % {"event": participation.event.title})
        return redirect("registration:personal", token=token)
    return render(request, TEMPLATES + "cancel.html", {
        "participation": participation, "event": participation.event,
    })


@never_cache
def feedback_page(request: HttpRequest, token: str) -> HttpResponse:
    participation = participation_for(token)
    context: dict[str, Any] = {"participation": participation, "event": participation.event}
    if participation.attendance != Attendance.ATTENDED:
        context["refusal"] = _("Only people who attended can rate the event.")
        return render(request, TEMPLATES + "feedback.html", context, status=403)
    if FeedbackAnswer.objects.filter(participation=participation).exists():
        context["answered"] = True
        return render(request, TEMPLATES + "feedback.html", context)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_feedback(participation, form.answers(), acting_user=None)
        except RegistrationError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Thank you: your answers were saved."))
            return redirect("registration:personal", token=token)
    context["form"] = form
    return render(request, TEMPLATES + "feedback.html", context)


def coverage(event: Event) -> dict[str, Any]:
    """The event's media items and dissemination outputs, with the reach and audience they
    add up to (over the items that give one)."""
    media = list(event.media_items.all())
    outputs = list(event.dissemination_outputs.all())
    reached = [item.reach for item in media if item.reach is not None]
    return {"media": media, "reach": sum(reached), "reach_counted": len(reached),
            "outputs": outputs, "audience": sum(o.audience or 0 for o in outputs)}


def question_label(name: str) -> Any:
    return getattr(FeedbackAnswer._meta.get_field(name), "verbose_name", name)


def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The closing report: who came, how they rated it, what it produced and who covered it."""
    event = access_event(request.user, slug)
    attended = event.participations.filter(attendance=Attendance.ATTENDED)
    # An attendee counts for the organisation named on the registration, or else for the
    # one their person record belongs to; each organisation is listed once.
    organisations = Organisation.objects.filter(pk__in=attended.annotate(
        org=Coalesce("organisation_id", "person__organisation_id")).values("org")
    ).order_by("name")
    score = quality(event)
    return render(request, TEMPLATES + "report.html", {
        "event": event,
        "attendees": attended.count(),
        # No registration at all means attendance was not recorded here, not that nobody
        # came: the figures then say so instead of showing zeros.
        "attendance_recorded": event.participations.exists(),
        "organisations": organisations,
        "quality": score,
        "by_question": [(question_label(name), mean)
                        for name, mean in score.by_question.items()],
        **coverage(event),
        "can_edit": can_manage_registry(request.user),
    })
