"""The staff workspace for the portfolio: inline editing of actions and next steps, the board
of next steps (the create and edit pages are in views_edit). Every write goes through the
services; every record through the access helpers, so a coordinator of another pairing is
refused."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from citycoop.accounts.models import Role
from citycoop.accounts.permissions import (
    access_action_for_edit,
    access_next_step_for_edit,
    access_pairing_for_edit,
    can_edit_pairing,
)
from citycoop.common.services import StaleEditError

from . import services
from .forms import ActionForm, NextStepForm
from .forms_edit import NextStepEditForm
from .models import Action, NextStep, NextStepStatus
from .views_edit import save_form


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the action as a form in place; POST: save it, or show the conflict."""
    action = access_action_for_edit(request.user, pk)
    form = ActionForm.for_action(action, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(action, form.changes(), acting_user=request.user,  # type: ignore[arg-type]
                                   expected_version=form.cleaned_data["version"])
        except StaleEditError as error:
            conflict = {"message": str(error), "theirs": Action.objects.get(pk=pk)}
        except ValidationError as error:
            form.add_error(None, error)
        else:
            action = Action.objects.prefetch_related("places", "roles__organisation").get(pk=pk)
            return render(request, "portfolio/_action.html", {"action": action,
                                                                "can_edit": True})
    return render(request, "portfolio/_action_form.html",
                  {"action": action, "form": form, "conflict": conflict},
                  status=409 if conflict else 200)


@login_required
def action_show(request: HttpRequest, pk: int) -> HttpResponse:
    action = access_action_for_edit(request.user, pk)
    return render(request, "portfolio/_action.html", {"action": action, "can_edit": True})


@login_required
@require_POST
def next_step_add(request: HttpRequest, slug: str, pilot: str) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    pilot_record = pairing.pilots.filter(slug=pilot).first()
    form = NextStepForm(request.POST)
    if pilot_record is not None and form.is_valid():
        services.create_next_step({"pilot": pilot_record, "text": form.cleaned_data["text"],
                                   "owner_text": form.cleaned_data["owner_text"],
                                   "due": form.cleaned_data["due"] or None},
                                  acting_user=request.user)  # type: ignore[arg-type]
        return redirect(f"{pairing.get_absolute_url()}#pilot-{pilot}")
    return render(request, "portfolio/next_step_refused.html",
                  {"pairing": pairing, "form": form}, status=400)


@login_required
@require_POST
def next_step_done(request: HttpRequest, pk: int) -> HttpResponse:
    step = NextStep.objects.select_related("pilot__pairing", "pairing",
                                           "agreement__pairing").filter(pk=pk).first()
    pairing = step.owning_pairing if step is not None else None
    if step is None or pairing is None:
        return HttpResponse(status=404)
    access_pairing_for_edit(request.user, pairing.slug)
    # If someone else changed it meanwhile, the board shows its current state instead.
    with contextlib.suppress(StaleEditError):
        services.complete_next_step(step, acting_user=request.user,  # type: ignore[arg-type]
                                    expected_version=int(request.POST.get("version", 0)))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""  # never to another site, whatever the form was made to say
    return redirect(target or "portfolio:next-steps")


@login_required
def next_steps_board(request: HttpRequest) -> HttpResponse:
    """Open next steps the user may act on, by due date; overdue ones stand out. Fuzzy due
    dates are shown as written and a step is overdue only once its whole period has passed."""
    user: Any = request.user
    steps = NextStep.objects.select_related("pilot__pairing", "pairing", "agreement__pairing",
                                            "owner").filter(status=NextStepStatus.OPEN)
    if not user.is_superuser:
        programmes = user.memberships.filter(role=Role.MANAGER).values("programme_id")
        pairings = user.memberships.filter(pairing__isnull=False).values("pairing_id")
        steps = steps.filter(
            Q(pilot__pairing__programme__in=programmes) | Q(pairing__programme__in=programmes)
            | Q(agreement__pairing__programme__in=programmes)
            | Q(pilot__pairing__in=pairings) | Q(pairing__in=pairings)
            | Q(agreement__pairing__in=pairings))
    today = timezone.localdate()
    rows = [(step, step.owning_pairing, is_overdue(step, today)) for step in
            steps.order_by("due_start", "id")[:500]]
    return render(request, "portfolio/next_steps_board.html", {
        "rows": rows, "today": today,
        "overdue": sum(1 for _, _, late in rows if late),
        "can_edit": {p.pk: can_edit_pairing(user, p) for _, p, _ in rows if p},
    })


def is_overdue(step: Any, today: datetime.date) -> bool:
    return step.due_end is not None and step.due_end < today


# A next step edits in place on the board (a table row) and in lists of steps (an item like
# an action's): the same form and view, two pairs of templates.
STEP_TEMPLATES = {
    "row": ("portfolio/_next_step_row.html", "portfolio/_next_step_row_form.html"),
    "item": ("portfolio/_next_step.html", "portfolio/_next_step_form.html"),
}


def step_layout(request: HttpRequest) -> str:
    layout = request.GET.get("layout") or request.POST.get("layout", "")
    return layout if layout in STEP_TEMPLATES else "row"


def render_step(request: HttpRequest, pk: int, layout: str) -> HttpResponse:
    step = NextStep.objects.select_related("pilot__pairing", "pairing", "agreement__pairing",
                                           "owner").get(pk=pk)
    return render(request, STEP_TEMPLATES[layout][0], {
        "step": step, "pairing": step.owning_pairing, "editable": True, "layout": layout,
        "late": step.status == NextStepStatus.OPEN and is_overdue(step, timezone.localdate()),
    })


@login_required
def next_step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the step as a form in place; POST: save it, or show the conflict."""
    step = access_next_step_for_edit(request.user, pk)
    layout = step_layout(request)
    form = NextStepEditForm(request.POST or None, instance=step, user=request.user,
                            prefix=f"step-{pk}")
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_form(form, request.user)
        if saved is not None:
            return render_step(request, pk, layout)
    return render(request, STEP_TEMPLATES[layout][1], {
        "step": step, "form": form, "conflict": conflict, "layout": layout,
        "pairing": step.owning_pairing,
    }, status=409 if conflict else 200)


@login_required
def next_step_show(request: HttpRequest, pk: int) -> HttpResponse:
    access_next_step_for_edit(request.user, pk)
    return render_step(request, pk, step_layout(request))
