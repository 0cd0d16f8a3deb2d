"""Staff pages of the registry: create and edit organisations, places and people; duplicate
organisations, merge and undo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.accounts.audit_views import confirm_delete
from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.accounts.permissions import (
    access_city_profile_for_edit,
    access_organisation_for_edit,
    access_person_for_edit,
    access_place_for_edit,
    require_registry_editor,
    require_registry_manager,
)
from citycoop.portfolio.views_edit import record_page

from .forms import CityProfileForm, OrganisationForm, PersonForm, PlaceForm
from .merge import MergeRefused, duplicate_candidates, merge_organisations, undo_merge
from .models import CityProfile, Organisation, Person
from .services import delete_organisation


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    require_registry_manager(request.user)
    merges = AuditEntry.objects.filter(action=AuditAction.MERGE).order_by("-created_at")[:20]
    undone = set(AuditEntry.objects.filter(action=AuditAction.UNDO)
                 .values_list("changes__undoes", flat=True))
    return render(request, "registry/duplicates.html", {
        "candidates": duplicate_candidates(),
        "merges": [(entry, entry.pk in undone) for entry in merges],
    })


@login_required
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    require_registry_manager(request.user)
    keep = get_object_or_404(Organisation, pk=request.POST.get("keep"))
    drop = get_object_or_404(Organisation, pk=request.POST.get("drop"))
    try:
        merge_organisations(keep, drop, acting_user=request.user)  # type: ignore[arg-type]
    except MergeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Merged “%(drop)s” into “%(keep)s”. You can undo this below.")
                         % {"drop": drop.name, "keep": keep.name})
    return redirect("registry:duplicates")


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    require_registry_manager(request.user)
    entry = get_object_or_404(AuditEntry, pk=pk)
    try:
        restored = undo_merge(entry, acting_user=request.user)  # type: ignore[arg-type]
    except MergeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Undone: “%(name)s” is back, with its references.")
                         % {"name": restored.name})
    return redirect("registry:duplicates")


def public_page(record: Any) -> str:
    return record.get_absolute_url()


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    require_registry_editor(request.user)
    form = OrganisationForm(request.POST or None, user=request.user)
    return record_page(request, form, heading=_("New organisation"),
                       cancel_url=reverse("web:home"), done=public_page)


@login_required
def organisation_change(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation_for_edit(request.user, slug)
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    return record_page(request, form,
                       heading=_("Edit the organisation “%(name)s”") % {"name": organisation},
                       cancel_url=organisation.get_absolute_url(), done=public_page)


@login_required
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation_for_edit(request.user, slug)
    return confirm_delete(request, organisation, delete=delete_organisation,
                          heading=_("Delete the organisation “%(name)s”")
                          % {"name": organisation},
                          cancel_url=organisation.get_absolute_url(),
                          done_url=reverse("web:home"))


@login_required
def place_new(request: HttpRequest) -> HttpResponse:
    require_registry_editor(request.user)
    form = PlaceForm(request.POST or None, user=request.user)
    return record_page(request, form, heading=_("New place"), cancel_url=reverse("web:home"),
                       done=public_page)


@login_required
def place_change(request: HttpRequest, slug: str) -> HttpResponse:
    place = access_place_for_edit(request.user, slug)
    form = PlaceForm(request.POST or None, instance=place, user=request.user)
    return record_page(request, form, heading=_("Edit the place “%(name)s”") % {"name": place},
                       cancel_url=place.get_absolute_url(), done=public_page)


@login_required
def city_profile(request: HttpRequest, slug: str) -> HttpResponse:
    """The city's own statement of its challenges, priorities and offers, made on first
    save; kept by its coordinators and the programme's managers."""
    place = access_city_profile_for_edit(request.user, slug)
    profile = CityProfile.objects.filter(place=place).first()
    form = CityProfileForm(request.POST or None, instance=profile, user=request.user,
                           fixed={"place": place})
    return record_page(request, form,
                       heading=_("Profile of %(place)s") % {"place": place},
                       cancel_url=place.get_absolute_url(),
                       done=lambda saved: saved.place.get_absolute_url())


def person_page(person: Person) -> str:
    """People have no public page of their own: their organisation's lists them."""
    if person.organisation is not None:
        return person.organisation.get_absolute_url()
    return reverse("registry:person-change", args=[person.pk])


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    require_registry_editor(request.user)
    # "Add a person" on an organisation's page starts the form at that organisation.
    organisation = Organisation.objects.filter(slug=request.GET.get("organisation", "")).first()
    form = PersonForm(request.POST or None, user=request.user,
                      initial={"organisation": organisation} if organisation else None)
    return record_page(request, form, heading=_("New person"),
                       cancel_url=(organisation.get_absolute_url() if organisation
                                   else reverse("web:home")), done=person_page)


@login_required
def person_change(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person_for_edit(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    return record_page(request, form, heading=_("Edit “%(name)s”") % {"name": person},
                       cancel_url=person_page(person), done=person_page)
