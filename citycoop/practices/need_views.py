"""Cities' needs: the list, a need's page with the practices and cities that fit it and its
discussion, and the pages to post, change and close one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.portfolio.views_edit import record_page

from .access import access_need, access_need_for_edit, can_edit_need, visible_needs
from .models import NeedStatus
from .need_forms import NeedForm, need_places
from .need_matching import matches_for
from .need_services import close_need

NEEDS_PER_PAGE = 25


def need_crumbs() -> list[tuple[str, str]]:
    return [(reverse("practices:list"), _("Good practices")),
            (reverse("practices:needs"), _("Needs"))]


def need_list(request: HttpRequest) -> HttpResponse:
    """The needs this reader may see, newest first, narrowed by status; a fixed handful of
    queries however many needs there are."""
    status = request.GET.get("status", "")
    needs = visible_needs(request.user).select_related("place").prefetch_related("themes")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    if place := request.GET.get("place", ""):
        needs = needs.filter(place__slug=place)
    page = Paginator(needs.order_by("-created_at", "-id"), NEEDS_PER_PAGE).get_page(
        request.GET.get("page"))
    user = request.user
    return render(request, "practices/need_list.html", {
        "needs": page.object_list, "page": page, "status": status,
        "statuses": NeedStatus.choices,
        "page_anchor": f"&status={status}" if status in NeedStatus.values else "",
        "can_post": user.is_authenticated and need_places(user).exists(),
    })


def need_detail(request: HttpRequest, slug: str) -> HttpResponse:
    need = access_need(request.user, slug)
    return render(request, "practices/need_detail.html", {
        "need": need, "themes": list(need.themes.all()), "matches": matches_for(need),
        "can_edit": can_edit_need(request.user, need), "statuses": NeedStatus.choices,
        "crumbs": need_crumbs(),
    })


@login_required
def need_new(request: HttpRequest) -> HttpResponse:
    if not need_places(request.user).exists():
        raise PermissionDenied(_("Only the coordinators of a city's pairings and the "
                                 "programme's managers can post its needs."))
    # "Post a need" on a city's page starts the form at that city.
    place = need_places(request.user).filter(slug=request.GET.get("place", "")).first()
    form = NeedForm(request.POST or None, user=request.user,
                    initial={"place": place, "is_public": True})
    return record_page(request, form, heading=_("Post a need"),
                       cancel_url=reverse("practices:needs"),
                       done=lambda need: need.get_absolute_url(), crumbs=need_crumbs())


@login_required
def need_edit(request: HttpRequest, slug: str) -> HttpResponse:
    need = access_need_for_edit(request.user, slug)
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    return record_page(request, form, heading=_("Edit “%(need)s”") % {"need": need},
                       cancel_url=need.get_absolute_url(),
                       done=lambda saved: saved.get_absolute_url(),
                       crumbs=[*need_crumbs(), (need.get_absolute_url(), need.title)])


@login_required
@require_POST
def need_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark the need as met or closed, or open it again."""
    user: Any = request.user  # signed in: login_required
    need = access_need_for_edit(user, slug)
    try:
        need = close_need(need, request.POST.get("status", ""), acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The need is now %(status)s.")
                         % {"status": need.get_status_display()})
    return redirect(need.get_absolute_url())

