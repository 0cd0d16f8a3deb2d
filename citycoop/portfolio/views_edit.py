"""The workspace's create and edit pages. One page serves every record type (here and in the
registry and events apps): the record's form, saved through the services, refused as a
conflict when someone else saved first, then back to the record's public page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from citycoop.accounts.audit_views import confirm_delete
from citycoop.accounts.permissions import (
    access_action_for_edit,
    access_agreement_for_edit,
    access_next_step_for_edit,
    access_pairing_for_edit,
    access_pilot_for_edit,
    manageable_programmes,
    require_pairing_creator,
)
from citycoop.common.services import StaleEditError

from .forms import RecordForm
from .forms_edit import (
    ActionPageForm,
    AgreementForm,
    NextStepCreateForm,
    NextStepEditForm,
    PairingForm,
    PilotForm,
)
from .models import Action, Agreement, NextStep, Pairing, PilotProject
from .services import delete_pairing


def save_form(form: RecordForm, user: Any) -> tuple[Any, dict[str, Any] | None]:
    """Write a valid form. Returns the saved record, or None and the conflict to show (None
    too when the services refused a value, which the form then shows on its field)."""
    try:
        return form.write(user), None
    except StaleEditError as error:
        return None, form.conflict(error)
    except ValidationError as error:
        form.add_write_errors(error)
        return None, None


def record_page(request: HttpRequest, form: RecordForm, *, heading: str, cancel_url: str,
                done: Callable[[Any], str],
                crumbs: Iterable[tuple[str, str]] = ()) -> HttpResponse:
    """GET: the form; POST: save and go to ``done(record)``, or show the errors or the
    conflict with the user's input kept."""
    conflict = None
    if request.method == "POST" and form.is_valid():
        created = form.is_new
        record, conflict = save_form(form, request.user)
        if record is not None:
            message = (_("“%(record)s” was created.") if created
                       else _("Your changes to “%(record)s” were saved."))
            messages.success(request, message % {"record": record})
            return redirect(done(record))
    return render(request, "web/record_form.html", {
        "form": form, "heading": heading, "cancel_url": cancel_url, "conflict": conflict,
        "crumbs": list(crumbs),
    }, status=409 if conflict else 200)


def pilot_url(pilot: PilotProject) -> str:
    return reverse("web:pilot", args=[pilot.pairing.slug, pilot.slug])


def action_url(action: Action) -> str:
    return f"{pilot_url(action.pilot)}#action-{action.pk}"


def agreement_url(agreement: Agreement) -> str:
    if agreement.pairing is not None:
        return f"{agreement.pairing.get_absolute_url()}#agreements"
    return reverse("web:home")


def next_step_url(step: NextStep) -> str:
    if step.pilot is not None:
        return f"{pilot_url(step.pilot)}#next-heading"
    pairing = step.owning_pairing
    if pairing is not None:
        return f"{pairing.get_absolute_url()}#next-heading"
    if step.event is not None:
        return step.event.get_absolute_url()
    return reverse("portfolio:next-steps")


def pairing_crumbs(pairing: Pairing) -> list[tuple[str, str]]:
    return [(reverse("web:pairings"), _("Pairings")), (pairing.get_absolute_url(), pairing.label)]


@login_required
def pairing_new(request: HttpRequest) -> HttpResponse:
    require_pairing_creator(request.user)
    form = PairingForm(request.POST or None, user=request.user)
    return record_page(request, form, heading=_("New pairing"),
                       cancel_url=reverse("web:pairings"),
                       done=lambda pairing: pairing.get_absolute_url(),
                       crumbs=[(reverse("web:pairings"), _("Pairings"))])


@login_required
def pairing_change(request: HttpRequest, slug: str) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    form = PairingForm(request.POST or None, instance=pairing, user=request.user)
    return record_page(request, form,
                       heading=_("Edit the pairing “%(name)s”") % {"name": pairing.label},
                       cancel_url=pairing.get_absolute_url(),
                       done=lambda saved: saved.get_absolute_url(),
                       crumbs=pairing_crumbs(pairing))


def access_pairing_for_delete(user: Any, slug: str) -> Pairing:
    """A pairing is started by its programme's managers, and only they delete it."""
    pairing = access_pairing_for_edit(user, slug)
    if not manageable_programmes(user).filter(pk=pairing.programme_id).exists():
        raise PermissionDenied("Only the programme's managers can delete a pairing.")
    return pairing


@login_required
def pairing_delete(request: HttpRequest, slug: str) -> HttpResponse:
    pairing = access_pairing_for_delete(request.user, slug)
    return confirm_delete(request, pairing, delete=delete_pairing,
                          heading=_("Delete the pairing “%(name)s”") % {"name": pairing.label},
                          cancel_url=pairing.get_absolute_url(),
                          done_url=reverse("web:pairings"))


@login_required
def pilot_new(request: HttpRequest, slug: str) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    form = PilotForm(request.POST or None, user=request.user, fixed={"pairing": pairing})
    return record_page(request, form,
                       heading=_("New pilot project in “%(pairing)s”") % {"pairing": pairing},
                       cancel_url=pairing.get_absolute_url(), done=pilot_url,
                       crumbs=pairing_crumbs(pairing))


@login_required
def pilot_change(request: HttpRequest, slug: str, pilot: str) -> HttpResponse:
    record = access_pilot_for_edit(request.user, slug, pilot)
    form = PilotForm(request.POST or None, instance=record, user=request.user)
    return record_page(request, form,
                       heading=_("Edit the pilot project “%(title)s”") % {"title": record.title},
                       cancel_url=pilot_url(record), done=pilot_url,
                       crumbs=pairing_crumbs(record.pairing))


@login_required
def action_new(request: HttpRequest, slug: str, pilot: str) -> HttpResponse:
    record = access_pilot_for_edit(request.user, slug, pilot)
    form = ActionPageForm(request.POST or None, user=request.user, fixed={"pilot": record})
    return record_page(request, form,
                       heading=_("New action in “%(pilot)s”") % {"pilot": record.title},
                       cancel_url=pilot_url(record), done=action_url,
                       crumbs=[*pairing_crumbs(record.pairing), (pilot_url(record), record.title)])


@login_required
def action_change(request: HttpRequest, pk: int) -> HttpResponse:
    action = access_action_for_edit(request.user, pk)
    form = ActionPageForm(request.POST or None, instance=action, user=request.user)
    pilot = action.pilot
    return record_page(request, form, heading=_("Edit an action of “%(pilot)s”")
                       % {"pilot": pilot.title},
                       cancel_url=action_url(action), done=action_url,
                       crumbs=[*pairing_crumbs(pilot.pairing), (pilot_url(pilot), pilot.title)])


@login_required
def agreement_new(request: HttpRequest, slug: str) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    form = AgreementForm(request.POST or None, user=request.user, fixed={"pairing": pairing})
    return record_page(request, form,
                       heading=_("New agreement of “%(pairing)s”") % {"pairing": pairing},
                       cancel_url=pairing.get_absolute_url(), done=agreement_url,
                       crumbs=pairing_crumbs(pairing))


@login_required
def agreement_change(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = access_agreement_for_edit(request.user, slug)
    form = AgreementForm(request.POST or None, instance=agreement, user=request.user)
    pairing = agreement.pairing
    return record_page(request, form,
                       heading=_("Edit the agreement “%(title)s”") % {"title": agreement.title},
                       cancel_url=agreement_url(agreement), done=agreement_url,
                       crumbs=pairing_crumbs(pairing) if pairing else ())


@login_required
def next_step_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A next step of the pairing; ``?pilot=<key>`` starts it on one of its pilots."""
    pairing = access_pairing_for_edit(request.user, slug)
    pilot = pairing.pilots.filter(slug=request.GET.get("pilot", "")).first()
    form = NextStepCreateForm(request.POST or None, user=request.user,
                              fixed={"pairing": pairing},
                              initial={"subject": f"pilot-{pilot.pk}" if pilot else "pairing"})
    return record_page(request, form,
                       heading=_("New next step of “%(pairing)s”") % {"pairing": pairing},
                       cancel_url=pairing.get_absolute_url(), done=next_step_url,
                       crumbs=pairing_crumbs(pairing))


@login_required
def next_step_change(request: HttpRequest, pk: int) -> HttpResponse:
    step = access_next_step_for_edit(request.user, pk)
    form = NextStepEditForm(request.POST or None, instance=step, user=request.user)
    pairing = step.owning_pairing
    return record_page(request, form, heading=_("Edit a next step"),
                       cancel_url=next_step_url(step), done=next_step_url,
                       crumbs=pairing_crumbs(pairing) if pairing else ())
