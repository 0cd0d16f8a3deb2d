"""Staff pages for events and missions: create and edit. The public event page is web's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from citycoop.accounts.permissions import access_event_for_edit, require_registry_editor
from citycoop.portfolio.views_edit import record_page

from .forms import EventForm
from .models import Event


def event_page(event: Event) -> str:
    return event.get_absolute_url()


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    require_registry_editor(request.user)
    form = EventForm(request.POST or None, user=request.user)
    return record_page(request, form, heading=_("New event or mission"),
                       cancel_url=reverse("web:home"), done=event_page)


@login_required
def event_change(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    return record_page(request, form, heading=_("Edit the event “%(title)s”") % {"title": event},
                       cancel_url=event.get_absolute_url(), done=event_page)
