"""More of the organiser's pages: the table plan per slot (a page and a PDF), a participant's
availability set by the organiser, and the funnel over all of a programme's events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.accounts.permissions import access_event_for_edit, manageable_programmes
from citycoop.common.services import StaleEditError
from citycoop.events.models import Event, Participation
from citycoop.lib.text import slugify
from citycoop.registry.models import Programme

from . import outcomes, services, tableplan
from .forms import AvailabilityForm
from .models import MatchmakingSetup, Profile


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# -- the table plan ------------------------------------------------------------------------------


@login_required
def table_plan(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    return HttpResponse(tableplan.table_plan_html(event))


@login_required
def table_plan_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    response = HttpResponse(tableplan.table_plan_pdf(event), content_type="application/pdf")
    name = slugify(event.slug, max_length=80) or "event"
    response["Content-Disposition"] = f'inline; filename="table-plan-{name}.pdf"'
    return response


# -- a participant's availability ----------------------------------------------------------------


@login_required
def availability(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The slots when the participant is present, ticked by the organiser (for those who
    tell the desk rather than their profile). A participant without a profile gets an
    unpublished one holding just this."""
    event = access_event_for_edit(request.user, slug)
    participation = get_object_or_404(
        Participation.objects.select_related("person", "organisation"), pk=pk, event=event)
    setup = MatchmakingSetup.objects.filter(event=event).first()
    slots = services.slots(setup) if setup else []
    profile = Profile.objects.filter(participation=participation).first()
    form = AvailabilityForm.for_profile(profile, slots, request.POST or None)
    name = services.display_name(participation)
    if request.method == "POST" and slots and form.is_valid():
        try:
            services.save_profile(participation, {"unavailable": form.unavailable()},
                                  acting_user=_user(request),
                                  expected_version=form.cleaned_data["version"])
        except StaleEditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The availability of %(name)s was saved.")
                             % {"name": name})
            return redirect(reverse("b2b:overview", args=[slug]) + "#people-heading")
    with timezone.override(services.event_timezone(event)):
        return render(request, "matchmaking/availability_form.html", {
            "event": event, "participation": participation, "name": name,
            "profile": profile, "form": form, "setup": setup})


# -- the funnel of a programme -------------------------------------------------------------------


def access_programme_funnel(user: object, slug: str) -> Programme:
    """The programme if this user manages it (or is an admin); 404 when there is no such
    programme, 403 when they do not manage it."""
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme.")
    if not manageable_programmes(user).filter(pk=programme.pk).exists():
        raise PermissionDenied("Only the programme's managers see its funnel.")
    return programme


@login_required
def programme_funnel(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme_funnel(request.user, slug)
    # The programme's events with B2B sessions: those serving any of its pairings.
    events = list(Event.objects.filter(pairings__programme=programme,
                                       matchmaking__isnull=False)
                  .distinct().order_by("when_start", "title"))
    by_event = outcomes.funnel_by_event(Event.objects.filter(pk__in=[e.pk for e in events]))
    zeros = outcomes.total([])
    rows = [{"event": e, "stages": by_event.get(e.pk, zeros)} for e in events]
    totals = outcomes.total(by_event.values())
    return render(request, "matchmaking/programme_funnel.html", {
        "programme": programme, "rows": rows, "totals": totals,
        "bars": outcomes.funnel_rows(totals)})
