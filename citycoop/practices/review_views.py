"""The reviewers' pages (their queue, a review, publication) and the report of a practice
adopted by another city."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import access_practice, access_practice_for_review, can_review
from .forms import AdoptionForm, ReviewForm, writable_places
from .models import Practice, PracticeStatus, PracticeText
from .text import site_language, text_for, title_for
from .views import list_crumbs

QUEUE_PER_PAGE = 50


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted practices, oldest first, then those approved and waiting to be published."""
    if not can_review(request.user):
        raise PermissionDenied("Only the programme's reviewers and managers review practices.")
    rows = (Practice.objects.filter(status__in=[PracticeStatus.SUBMITTED,
                                                PracticeStatus.REVIEWED])
            .select_related("place", "organisation", "created_by")
            # "submitted" sorts after "reviewed": descending puts the ones to review first.
            .order_by("-status", F("submitted_at").asc(nulls_last=True), "pk"))
    page = Paginator(rows, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    practices: list[Any] = list(page.object_list)
    prefetch_related_objects(practices, Prefetch(
        "texts", to_attr="reader_texts",
        queryset=PracticeText.objects.filter(language=site_language()).only(
            "id", "practice_id", "language", "title")))
    for practice in practices:
        practice.shown_title = title_for(practice)
    return render(request, "practices/review_queue.html", {
        "practices": practices, "page": page, "crumbs": list_crumbs()})


@login_required
def practice_review(request: HttpRequest, slug: str) -> HttpResponse:
    user: Any = request.user
    practice = access_practice_for_review(user, slug)
    if practice.status != PracticeStatus.SUBMITTED:
        messages.error(request, _("Only a submitted practice can be reviewed; this one is "
                                  "%(status)s.") % {"status": practice.get_status_display()})
        return redirect(practice.get_absolute_url())
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_practice(practice, form.scores(), data["decision"],
                                     data["comment"], acting_user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your review was saved and the practice's writers "
                                        "were notified."))
            return redirect(practice.get_absolute_url())
    prefetch_related_objects([practice], "texts")
    shown = text_for(practice)
    return render(request, "practices/review.html", {
        "practice": practice, "form": form, "shown": shown,
        "fields": [(services.field_label(PracticeText, name), getattr(shown.text, name))
                   for name in services.TEXT_FIELDS[1:]
                   if shown.text and getattr(shown.text, name)],
        "reviews": practice.reviews.select_related("reviewer"),
        "crumbs": list_crumbs(practice),
        "label_rule": _("The label is awarded on publication when every criterion scores at "
                        "least %(min)s and their mean is at least %(mean)s.") % {
            "min": services.LABEL_MIN_SCORE, "mean": services.LABEL_MIN_MEAN},
    })


@login_required
@require_POST
def practice_publish(request: HttpRequest, slug: str) -> HttpResponse:
    user: Any = request.user
    practice = access_practice_for_review(user, slug)
    try:
        practice = services.publish_practice(practice, acting_user=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Published, with the programme's label.")
                         if practice.is_labelled
                         else _("Published. Its review did not earn the programme's label."))
    return redirect(practice.get_absolute_url())


@login_required
def practice_adopted(request: HttpRequest, slug: str) -> HttpResponse:
    """A coordinator of another city reports that their city adopted the practice."""
    user: Any = request.user
    practice = access_practice(user, slug)
    if not practice.is_public:
        raise Http404("Only published practices are adopted.")
    if not writable_places(request.user).exists():
        raise PermissionDenied("Only a city's coordinators report what it adopted.")
    form = AdoptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_adoption(practice, data["place"], data["note"], data["adopted_on"],
                                     acting_user=user)
        except ValidationError as error:
            form.add_error("place" if hasattr(error, "error_dict") and "place"
                           in error.error_dict else None, error.messages)
        else:
            messages.success(request, _("Thank you: the adoption by %(place)s is recorded.")
                             % {"place": data["place"]})
            return redirect(practice.get_absolute_url())
    return render(request, "practices/form.html", {
        "form": form, "parts": [], "crumbs": list_crumbs(practice),
        "heading": _("Report that your city adopted “%(title)s”") % {
            "title": title_for(practice)},
        "cancel_url": practice.get_absolute_url(), "submit_label": _("Report the adoption"),
    })
