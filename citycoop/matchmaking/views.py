"""The participant's pages, reached through the personal link of their registration (no
account needed): the dashboard, the profile, browsing the others, requests, the agenda as
a page, a PDF and a calendar file; and the follow-up form a few months after the meeting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.common.services import StaleEditError
from citycoop.events.models import Participation
from citycoop.lib.text import slugify

from . import agenda, notify, outcomes, services
from .forms import AgreementForm, BrowseForm, FollowUpForm, ProfileForm, RequestForm
from .models import FollowUp, MatchmakingSetup, MeetingRequest, Profile, Rating, RequestStatus
from .recommend import language_names, recommendations

PAGE_SIZE = 20


def participant(token: str) -> Participation:
    """The participation whose personal link this is; 404 for any other text."""
    return get_object_or_404(
        Participation.objects.select_related("event__place", "person", "organisation"),
        token=token)


def _setup(participation: Participation) -> MatchmakingSetup | None:
    return MatchmakingSetup.objects.filter(event_id=participation.event_id).first()


def _profile(participation: Participation) -> Profile | None:
    return Profile.objects.filter(participation=participation).prefetch_related("themes").first()


def _page(request: HttpRequest, template: str, me: Participation, tab: str,
          **context: Any) -> HttpResponse:
    with timezone.override(services.event_timezone(me.event)):  # times as on the spot
        return render(request, template, {"me": me, "event": me.event, "token": me.token,
                                          "tab": tab, "my_name": services.display_name(me),
                                          **context})


def _back(request: HttpRequest, token: str) -> HttpResponse:
    """To the page the form was on (ours only), else the dashboard."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return redirect(target)
    return redirect("b2b:me", token=token)


def _requests(me: Participation) -> tuple[list[MeetingRequest], list[MeetingRequest]]:
    both = (MeetingRequest.objects.filter(Q(requester=me) | Q(recipient=me))
            .select_related("requester__person", "requester__organisation",
                            "requester__b2b_profile", "recipient__person",
                            "recipient__organisation", "recipient__b2b_profile")
            .order_by("-created_at"))
    received = sorted((r for r in both if r.recipient_id == me.pk),
                      key=lambda r: r.status != RequestStatus.PENDING)
    return received, [r for r in both if r.requester_id == me.pk]


def dashboard(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    profile = _profile(me)
    received, sent = _requests(me)
    return _page(request, "matchmaking/dashboard.html", me, "dashboard",
                 setup=_setup(me), profile=profile,
                 suggestions=recommendations(me) if profile and profile.published else [],
                 received=received, sent=sent,
                 pending=sum(r.status == RequestStatus.PENDING for r in received),
                 items=[i for i in agenda.agenda_items(me) if not i.cancelled],
                 request_form=RequestForm())


def profile_edit(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    setup = _setup(me)
    slots = services.slots(setup) if setup else []
    profile = _profile(me)
    form = ProfileForm.for_profile(profile, str(me.organisation or services.display_name(me)),
                                   slots, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(me, form.values(), themes=form.cleaned_data["themes"],
                                  expected_version=form.cleaned_data["version"])
        except StaleEditError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your profile was saved.") if not
                             form.cleaned_data["published"] else
                             _("Your profile was saved and is published."))
            return redirect("b2b:me", token=token)
    return _page(request, "matchmaking/profile_form.html", me, "profile", form=form,
                 profile=profile, setup=setup)


def _filtered(me: Participation, form: BrowseForm) -> Any:
    profiles = (Profile.objects.filter(participation__event_id=me.event_id, published=True)
                .exclude(participation=me)
                .select_related("participation__person").prefetch_related("themes")
                .order_by("organisation_name", "pk"))
    if not form.is_valid():
        return profiles
    data = form.cleaned_data
    for word in data["q"].split():
        profiles = profiles.filter(Q(organisation_name__icontains=word)
                                   | Q(description__icontains=word)
                                   | Q(offers__icontains=word) | Q(requests__icontains=word))
    if data["theme"]:
        profiles = profiles.filter(themes=data["theme"])
    if data["side"]:
        profiles = profiles.filter(side=data["side"])
    if data["language"]:
        # A JSON list: match the quoted code, which works on SQLite and PostgreSQL alike.
        profiles = profiles.filter(languages__icontains=f'"{data["language"]}"')
    return profiles


def browse(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    form = BrowseForm(request.GET or None)
    page = Paginator(_filtered(me, form), PAGE_SIZE).get_page(request.GET.get("page"))
    received, sent = _requests(me)
    asked = {r.recipient_id: r for r in sent if r.status != RequestStatus.WITHDRAWN}
    asked_me = {r.requester_id: r for r in received if r.status != RequestStatus.WITHDRAWN}
    cards = [{"profile": p, "languages": language_names(p.languages),
              "sent": asked.get(p.participation_id),
              "received": asked_me.get(p.participation_id)} for p in page]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "matchmaking/browse.html", me, "browse", form=form, page=page,
                 cards=cards, query=query.urlencode(), setup=_setup(me),
                 my_profile=Profile.objects.filter(participation=me, published=True).exists())


@require_POST
def send(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be read; please try again."))
        return _back(request, token)
    recipient = get_object_or_404(Participation, pk=form.cleaned_data["recipient"],
                                  event_id=me.event_id)
    try:
        services.send_request(me, recipient, form.cleaned_data["message"])
    except services.B2BError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your request was sent to %(name)s.") % {
            "name": services.display_name(recipient)})
    return _back(request, token)


def _my_request(me: Participation, pk: int) -> MeetingRequest:
    found = (MeetingRequest.objects.filter(Q(requester=me) | Q(recipient=me), pk=pk)
             .select_related("requester__person", "recipient__person").first())
    if found is None:
        raise Http404("No such request.")
    return found


@require_POST
def answer(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    me = participant(token)
    meeting_request = _my_request(me, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        services.answer_request(meeting_request, accept, by=me)
    except services.B2BError as error:
        messages.error(request, str(error))
    else:
        name = services.display_name(meeting_request.requester)
        messages.success(request, (_("You accepted to meet %(name)s.") if accept
                                   else _("You declined to meet %(name)s.")) % {"name": name})
    return _back(request, token)


@require_POST
def withdraw(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    me = participant(token)
    meeting_request = _my_request(me, pk)
    try:
        services.withdraw(meeting_request, by=me, site_url=notify.site_of(request))
    except services.B2BError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your request to %(name)s was withdrawn.") % {
            "name": services.display_name(meeting_request.recipient)})
    return _back(request, token)


def _filename(me: Participation, extension: str) -> str:
    return f"agenda-{slugify(services.display_name(me), max_length=60) or me.pk}.{extension}"


def agenda_page(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(agenda.agenda_html(participant(token)))


def agenda_pdf(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    response = HttpResponse(agenda.agenda_pdf(me), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(me, "pdf")}"'
    return response


def agenda_ics(request: HttpRequest, token: str) -> HttpResponse:
    me = participant(token)
    response = HttpResponse(agenda.agenda_ics(me, host=request.get_host().split(":")[0]),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(me, "ics")}"'
    return response


def _follow_up(token: str) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.select_related("meeting__request__event", "rater__person",
                                        "meeting__request__requester__person",
                                        "meeting__request__recipient__person", "agreement"),
        token=token)


def _agreement_form(follow_up: FollowUp, data: Any = None) -> AgreementForm:
    request = follow_up.meeting.request
    names = [services.display_name(p) for p in (request.requester, request.recipient)]
    pairings = list(request.event.pairings.all())
    offered = [pilot for pairing in pairings
               if len(pilots := outcomes.pilots_to_choose(request.event, pairing)) > 1
               for pilot in pilots]
    return AgreementForm(data, pairings=pairings, pilots=offered, initial={
        "title": _("Cooperation agreement of %(a)s and %(b)s") % {"a": names[0],
                                                                 "b": names[1]}})


def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    item = _follow_up(token)
    form = FollowUpForm(request.POST or None,
                        initial={"rating": item.rating, "comment": item.comment})
    if request.method == "POST" and form.is_valid():
        outcomes.answer_follow_up(token, form.cleaned_data["rating"],
                                  form.cleaned_data["comment"])
        messages.success(request, _("Thank you: your answer was saved."))
        return redirect("b2b:follow-up", token=token)
    return _follow_up_page(request, item, form, _agreement_form(item))


def _follow_up_page(request: HttpRequest, item: FollowUp, form: FollowUpForm,
                    agreement_form: AgreementForm, status: int = 200) -> HttpResponse:
    meeting_request = item.meeting.request
    other = meeting_request.recipient if item.rater_id == meeting_request.requester_id \
        else meeting_request.requester
    with timezone.override(services.event_timezone(meeting_request.event)):
        return render(request, "matchmaking/follow_up.html", {
            "item": item, "event": meeting_request.event, "form": form, "other": other,
            "other_name": services.display_name(other), "agreement_form": agreement_form,
            "offer_agreement": item.rating == Rating.AGREEMENT and item.agreement_id is None,
        }, status=status)


@require_POST
def follow_up_agreement(request: HttpRequest, token: str) -> HttpResponse:
    item = _follow_up(token)
    agreement_form = _agreement_form(item, request.POST)
    if agreement_form.is_valid():
        data = agreement_form.cleaned_data
        try:
            outcomes.create_agreement_from_follow_up(
                item, data["title"], request.user if request.user.is_authenticated else None,
                pairing=data.get("pairing"), pilot=data.get("pilot"), kind=data["kind"])
        except services.B2BError as error:
            agreement_form.add_error(None, str(error))
        else:
            messages.success(request, _("The agreement was recorded. The programme team "
                                        "will review it before it is shown publicly."))
            return redirect("b2b:follow-up", token=token)
    form = FollowUpForm(initial={"rating": item.rating, "comment": item.comment})
    return _follow_up_page(request, item, form, agreement_form, status=400)
