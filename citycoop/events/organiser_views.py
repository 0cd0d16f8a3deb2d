"""The organisers' side of registration: the participants and their counts, capacity and
opening, the CSV list, check-in at the door, the media and dissemination log, the survey's
emails and the closing report's text. Programme managers and admins only."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from citycoop.accounts.permissions import access_event_for_edit
from citycoop.common.admin import acting_user
from citycoop.common.services import StaleEditError
from citycoop.portfolio.views_edit import record_page, save_form

from . import mail
from .models import Attendance, Event, FeedbackAnswer
from .registration import (
    RegistrationError,
    attendance_counts,
    check_in,
    mark_no_shows,
    places_taken,
    raise_capacity,
    set_registration_open,
)
from .registration_forms import (
    CapacityForm,
    CheckInForm,
    DisseminationForm,
    MediaItemForm,
    NoShowForm,
    RegistrationStatusForm,
    ReportForm,
)
from .registration_views import TEMPLATES, coverage, personal_url

# The counts shown on the participants page, in the order people think of them.
COUNTED = [Attendance.REGISTERED, Attendance.WAITLISTED, Attendance.ATTENDED,
           Attendance.NO_SHOW, Attendance.CANCELLED]


def participants_page(request: HttpRequest, event: Event, *,
                      capacity_form: CapacityForm | None = None,
                      status_form: RegistrationStatusForm | None = None,
                      status: int = 200) -> HttpResponse:
    counts = attendance_counts(event)
    shown = request.GET.get("status", "")
    participations = (event.participations.select_related("person", "organisation",
                                                          "person__organisation")
                      .order_by("registered_at", "pk"))
    if shown in Attendance.values:
        participations = participations.filter(attendance=shown)
    else:
        shown = ""
    return render(request, TEMPLATES + "participants.html", {
        "event": event,
        "counts": [(state, Attendance(state).label, counts[state]) for state in COUNTED],
        "total": sum(counts.values()),
        "shown": shown, "shown_label": Attendance(shown).label if shown else "",
        "places_taken": places_taken(event),
        "participations": participations,
        "capacity_form": capacity_form or CapacityForm(initial={"capacity": event.capacity}),
        "status_form": status_form or RegistrationStatusForm(initial={
            "version": event.version, "open": "0" if event.registration_open else "1"}),
    }, status=status)


@login_required
def participants(request: HttpRequest, slug: str) -> HttpResponse:
    return participants_page(request, access_event_for_edit(request.user, slug))


@login_required
@require_POST
def change_capacity(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return participants_page(request, event, capacity_form=form, status=400)
    promoted = raise_capacity(event, form.cleaned_data["capacity"],
                              acting_user=acting_user(request))
    for participation in promoted:
        mail.send_promotion(participation, personal_url(request, participation))
    messages.success(request, ngettext(
        "The capacity was saved; %(n)s person moved up from the waitlist.",
        "The capacity was saved; %(n)s people moved up from the waitlist.",
        len(promoted)) % {"n": len(promoted)})
    return redirect("registration:participants", slug=event.slug)


@login_required
@require_POST
def change_registration_status(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    form = RegistrationStatusForm(request.POST)
    if not form.is_valid():
        return participants_page(request, event, status_form=form, status=400)
    try:
        event = set_registration_open(event, form.cleaned_data["open"],
                                      expected_version=form.cleaned_data["version"],
                                      acting_user=acting_user(request))
    except StaleEditError as error:
        messages.error(request, str(error))
        return participants_page(request, event, status=409)
    messages.success(request, _("Registration is now open.") if event.registration_open
                     else _("Registration is now closed."))
    return redirect("registration:participants", slug=event.slug)


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula: names come from a public form."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def participants_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-participants.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("name"), _("email"), _("organisation"), _("role"), _("attendance"),
                     _("registered at"), _("checked in at"), _("badge code")])
    rows = (event.participations.select_related("person", "organisation")
            .order_by("registered_at", "pk"))
    for p in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in [
            p.person.name if p.person else "", p.person.email if p.person else "",
            p.organisation.name if p.organisation else "",
            p.get_role_display(), p.get_attendance_display(),
            timezone.localtime(p.registered_at).isoformat() if p.registered_at else "",
            timezone.localtime(p.checked_in_at).isoformat() if p.checked_in_at else "",
            p.badge_code or ""]])
    return response


def door_page(request: HttpRequest, event: Event, *, form: CheckInForm | None = None,
              no_show_form: NoShowForm | None = None, status: int = 200,
              **context: Any) -> HttpResponse:
    counts = attendance_counts(event)
    return render(request, TEMPLATES + "check_in.html", {
        "event": event, "form": form or CheckInForm(),
        "no_show_form": no_show_form or NoShowForm(),
        "checked_in": counts[Attendance.ATTENDED],
        "expected": counts[Attendance.ATTENDED] + counts[Attendance.REGISTERED]
        + counts[Attendance.NO_SHOW],
        "no_shows": counts[Attendance.NO_SHOW],
        **context,
    }, status=status)


@login_required
def door(request: HttpRequest, slug: str) -> HttpResponse:
    """Check-in: the door staff type or scan a badge code; the page answers who it is and
    is ready for the next one at once (the field keeps the focus)."""
    event = access_event_for_edit(request.user, slug)
    if request.method != "POST":
        return door_page(request, event)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return door_page(request, event, form=form, status=400)
    started = timezone.now()
    try:
        participation = check_in(event, form.cleaned_data["code"],
                                 acting_user=acting_user(request))
    except RegistrationError as refused:
        return door_page(request, event, refusal=str(refused), status=409)
    # Checked in before this request began: the badge was already used.
    already = (participation.checked_in_at is not None
               and participation.checked_in_at < started)
    return door_page(request, event, welcomed=participation, already=already)


@login_required
@require_POST
def no_shows(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    form = NoShowForm(request.POST)
    if not form.is_valid():
        return door_page(request, event, no_show_form=form, status=400)
    marked = mark_no_shows(event, acting_user=acting_user(request))
    messages.success(request, ngettext("%(n)s registrant was marked as a no-show.",
                                       "%(n)s registrants were marked as no-shows.",
                                       marked) % {"n": marked})
    return redirect("registration:check-in", slug=event.slug)


@login_required
def media(request: HttpRequest, slug: str) -> HttpResponse:
    """The event's media coverage and dissemination log; each list has its form to add to."""
    event = access_event_for_edit(request.user, slug)
    adding = request.POST.get("add") if request.method == "POST" else None
    fixed = {"event": event}
    media_form = MediaItemForm(request.POST if adding == "media" else None, user=request.user,
                               fixed=fixed, prefix="media")
    output_form = DisseminationForm(request.POST if adding == "output" else None,
                                    user=request.user, fixed=fixed, prefix="output")
    form = {"media": media_form, "output": output_form}.get(adding or "")
    status = 200
    if form is not None:
        if form.is_valid():
            record, _conflict = save_form(form, request.user)
            if record is not None:
                messages.success(request, _("“%(record)s” was added.") % {"record": record})
                return redirect("registration:media", slug=event.slug)
        status = 400
    return render(request, TEMPLATES + "media.html", {
        "event": event, "media_form": media_form, "output_form": output_form,
        **coverage(event),
    }, status=status)


@login_required
@require_POST
def send_survey(request: HttpRequest, slug: str) -> HttpResponse:
    """Email every attendee who has not answered yet the link to the quality survey."""
    event = access_event_for_edit(request.user, slug)
    answered = FeedbackAnswer.objects.filter(participation__event=event).values("participation")
    attendees = (event.participations.filter(attendance=Attendance.ATTENDED)
                 .exclude(pk__in=answered).exclude(token=None)
                 .select_related("person", "event"))
    sent = 0
    for participation in attendees:
        link = request.build_absolute_uri(reverse("registration:feedback",
                                                  args=[participation.token]))
        sent += mail.send_survey_link(participation, link)
    messages.success(request, ngettext("The survey link was sent to %(n)s attendee.",
                                       "The survey link was sent to %(n)s attendees.",
                                       sent) % {"n": sent})
    return redirect("registration:participants", slug=event.slug)


@login_required
def report_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    form = ReportForm(request.POST or None, instance=event, user=request.user)
    report = reverse("registration:report", args=[event.slug])
    return record_page(request, form,
                       heading=_("Closing report of “%(event)s”") % {"event": event.title},
                       cancel_url=report, done=lambda saved: report,
                       crumbs=[(event.get_absolute_url(), event.title)])
