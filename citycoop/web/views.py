"""Public pages: enough to browse a portfolio. The staff workspace builds on these."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from citycoop.accounts.permissions import (
    access_event,
    access_pairing,
    access_pilot,
    can_create_pairing,
    can_edit_city_profile,
    can_edit_pairing,
    can_manage_registry,
    manageable_programmes,
    sees_internal,
    visible_pairings,
)
from citycoop.common.freshness import cached_for_public
from citycoop.events.models import Event
from citycoop.matchmaking.city_suggestions import partner_suggestions
from citycoop.matchmaking.network import network_around_organisation, network_around_pairing
from citycoop.matchmaking.picture import network_picture
from citycoop.portfolio.models import (
    Action,
    ActionKind,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    NextStep,
    NextStepStatus,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.registry.models import (
    CityProfile,
    Organisation,
    Place,
    PlaceKind,
    Programme,
    Theme,
    Visibility,
)
from citycoop.registry.themes import below, theme_children
from citycoop.reports.charts import chart_data, localised
from citycoop.reports.figures import headline_figures
from citycoop.reports.models import KpiSnapshot


def main_programme() -> Programme | None:
    """The programme with the most pairings: the one the home page is about."""
    return (Programme.objects.annotate(n=Count("pairings")).order_by("-n", "-starts_start")
            .first())


def home(request: HttpRequest) -> HttpResponse:
    programme = main_programme()
    context: dict = {"programme": programme}
    if programme is not None:
        # Counted over the whole programme: kept for the public until the records change.
        context["figures"], charts = cached_for_public(
            request.user, ("home", programme.pk, get_language()),
            lambda: (headline_figures(programme), chart_data(programme)))
        context["charts"] = localised(charts)
        context["reported"] = (
            KpiSnapshot.objects.filter(Q(programme=programme) | Q(programme__successors=programme),
                                       computed=False)
            .select_related("source", "programme").order_by("group", "-name")
        )
        ids = list(pairing_ids(request, programme)[:PAIRINGS_PER_PAGE + 1])
        context["pairings"] = pairing_rows(ids[:PAIRINGS_PER_PAGE])
        context["more_pairings"] = len(ids) > PAIRINGS_PER_PAGE
    return render(request, "web/home.html", context)


PAIRING_ORDER = ("programme__starts_start", "group", "number", "label", "pk")


def pairing_ids(request: HttpRequest, programme: Programme | None = None) -> QuerySet[Any]:
    """The ids of the pairings this user may see, in the order of the tables."""
    pairings = Pairing.objects.all()
    if programme is not None:
        pairings = pairings.filter(programme=programme)
    return visible_pairings(request.user, pairings).order_by(*PAIRING_ORDER).values_list(
        "pk", flat=True)


def pairing_rows(ids: list[int]) -> list[Pairing]:
    """These pairings, in this order, with their public pilot and agreement counts and
    members. Only for a page of ids: the counts are subqueries, and a database sorting the
    whole portfolio by the table's order would compute them for every pairing first."""
    rows = (Pairing.objects.filter(pk__in=ids).select_related("programme")
            .annotate(pilot_count=public_count(PilotProject),
                      agreement_count=public_count(Agreement))
            .prefetch_related(Prefetch("members", queryset=PairingMember.objects.select_related(
                "place", "organisation"))))
    by_id = {pairing.pk: pairing for pairing in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


PAIRINGS_PER_PAGE = 50


def public_count(model: type[PilotProject] | type[Agreement]) -> Coalesce:
    """How many public records of this kind the pairing has, as a correlated subquery: two
    counting joins in one query would multiply every pilot by every agreement."""
    return Coalesce(Subquery(model.objects.filter(pairing=OuterRef("pk"), is_public=True)
                             .order_by().values("pairing").annotate(n=Count("pk")).values("n"),
                             output_field=IntegerField()), 0)


def pairing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(pairing_ids(request), PAIRINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/pairing_list.html", {
        "pairings": pairing_rows(list(page.object_list)), "page": page,
        "can_create": can_create_pairing(request.user)})


# A pairing page shows each pilot with its first few actions and a link to the rest: the
# largest pairings have hundreds of pilots and thousands of actions, too many for one page.
PILOTS_PER_PAGE = 20
ACTIONS_PER_PILOT = 5
AGREEMENTS_PER_PAGE = 25
NEXT_STEPS_SHOWN = 50


def action_details() -> QuerySet[Any]:  # fuzzy-date attributes are added at run time
    """Actions with what their partial shows (organisations, places, sources) prefetched."""
    return Action.objects.prefetch_related(
        "places", "provenance__document",
        Prefetch("roles", queryset=ActionOrganisation.objects.select_related("organisation")))


def pairing_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pairing = access_pairing(request.user, slug)
    internal = sees_internal(request.user, pairing)
    pilots = pairing.pilots.annotate(action_count=Count("actions")).order_by("position", "id")
    agreements = pairing.agreements.prefetch_related(
        Prefetch("parties",
                 queryset=AgreementParty.objects.select_related("place", "organisation")),
        "next_steps",
    ).select_related("signed_at_event")
    # The ids first, each list from its own index: an OR of subqueries (or of joins) makes
    # the database read every event and next step of the portfolio to test each one.
    pilot_ids = PilotProject.objects.filter(pairing=pairing).values("pk")
    events = Event.objects.filter(pk__in=ids_of(
        Event.pairings.through.objects.filter(pairing=pairing).values_list("event_id"),
        Event.pilots.through.objects.filter(pilotproject__in=pilot_ids).values_list("event_id")))
    if not internal:
        pilots = pilots.filter(is_public=True)
        agreements = agreements.filter(is_public=True)
        events = events.filter(is_public=True)
    page = Paginator(pilots, PILOTS_PER_PAGE).get_page(request.GET.get("page"))
    agreement_page = Paginator(agreements.order_by("title", "id"), AGREEMENTS_PER_PAGE).get_page(
        request.GET.get("agreements"))
    # A sliced Prefetch: the database picks each pilot's first actions (a window function).
    shown = list(page.object_list)
    prefetch_related_objects(
        shown, "themes",
        Prefetch("actions", queryset=action_details().order_by("position", "id")
                 [:ACTIONS_PER_PILOT], to_attr="first_actions"),
        Prefetch("events", queryset=Event.objects.select_related("place")),
    )
    # A step is as internal as the pilot or agreement it hangs from.
    step_pilots = pilot_ids if internal else pilot_ids.filter(is_public=True)
    step_agreements = Agreement.objects.filter(pairing=pairing)
    if not internal:
        step_agreements = step_agreements.filter(is_public=True)
    next_steps = NextStep.objects.filter(pk__in=ids_of(
        NextStep.objects.filter(pairing=pairing).values_list("pk"),
        NextStep.objects.filter(pilot__in=step_pilots).values_list("pk"),
        NextStep.objects.filter(agreement__in=step_agreements.values("pk")).values_list("pk"),
    )).select_related("owner", "pilot", "agreement").order_by(
        Case(When(status=NextStepStatus.OPEN, then=0), default=1), "due_start", "id")
    return render(request, "web/pairing_detail.html", {
        "pairing": pairing,
        "members": pairing.members.select_related("place", "organisation"),
        "pilots": shown,
        "page": page,
        "agreements": agreement_page.object_list,
        "agreement_page": agreement_page,
        "events": events.select_related("place").order_by("when_start", "title"),
        "next_steps": next_steps[:NEXT_STEPS_SHOWN],
        "next_steps_total": next_steps.count(),
        "internal": internal,
        "can_edit": can_edit_pairing(request.user, pairing),
        # Called by the template only for those who may edit: managers alone delete.
        "can_delete": lambda: manageable_programmes(request.user).filter(
            pk=pairing.programme_id).exists(),
        "network": cached_for_public(
            request.user, ("pairing-network", pairing.pk, get_language()),
            lambda: network_picture(network_around_pairing(pairing, request.user))),
    })


def ids_of(*queries: QuerySet[Any]) -> list[int]:
    """The ids that any of these one-column queries gives, each run on its own."""
    return sorted({row[0] for query in queries for row in query})


PILOT_ACTIONS_PER_PAGE = 50


def pilot_detail(request: HttpRequest, slug: str, pilot: str) -> HttpResponse:
    record = access_pilot(request.user, slug, pilot)
    page = Paginator(action_details().filter(pilot=record).order_by("position", "id"),
                     PILOT_ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    events = record.events.select_related("place").order_by("when_start", "title")
    if not sees_internal(request.user, record.pairing):
        events = events.filter(is_public=True)
    kinds = dict(ActionKind.choices)
    # The timeline: every dated action (not only this page's) and event together, in date
    # order; undated ones last. Plain rows: a pilot can have hundreds of actions.
    dated_actions = (record.actions.exclude(when_text="")
                     .values_list("when_start", "when_text", "kind", "text"))
    timeline = sorted(
        [(start, text, kinds.get(kind, kind), what)
         for start, text, kind, what in dated_actions] +
        [(e.when_start, e.when_text, e.get_kind_display(), e.title) for e in events
         if e.when_text],
        key=lambda row: (row[0] is None, row[0] or datetime.date.min))
    return render(request, "web/pilot_detail.html", {
        "pilot": record, "pairing": record.pairing, "actions": page.object_list, "page": page,
        "events": events,
        "agreements": record.agreements.filter(is_public=True).prefetch_related("parties"),
        "next_steps": record.next_steps.select_related("owner"),
        "timeline": timeline, "can_edit": can_edit_pairing(request.user, record.pairing),
    })


THEME_PILOTS_PER_PAGE = 100


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    family = below(theme_children(), theme.pk)  # the theme and every narrower one
    pilots = (PilotProject.objects.filter(themes__in=family, is_public=True,
                                          pairing__is_public=True)
              .select_related("pairing").distinct().order_by("pairing__label", "position", "id"))
    page = Paginator(pilots, THEME_PILOTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/theme_detail.html", {"theme": theme, "pilots": page.object_list,
                                                     "page": page,
                                                     "children": theme.children.all()})


ORGANISATION_ACTIONS_PER_PAGE = 50


def public_agreement() -> Q:
    """Public, and of a public pairing (or of none: the programme team's own)."""
    return Q(is_public=True) & (Q(pairing__isnull=True) | Q(pairing__is_public=True))


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("place", "parent"), slug=slug
    )
    roles = (ActionOrganisation.objects.filter(organisation=organisation,
                                               action__pilot__is_public=True,
                                               action__pilot__pairing__is_public=True)
             .select_related("action__pilot__pairing").order_by("action__pilot__pairing__label",
                                                                "action__pilot__position",
                                                                "action__position",
                                                                "action_id"))
    sources = {p.document for p in organisation.provenance.select_related("document")}
    people = organisation.people.all()
    if not request.user.is_authenticated:
        people = people.filter(visibility=Visibility.PUBLIC)
    page = Paginator(roles, ORGANISATION_ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/organisation_detail.html", {
        "organisation": organisation,
        "can_manage": can_manage_registry(request.user),
        "roles": page.object_list,
        "page": page,
        # Three separate subqueries: one OR over three many-row joins makes the database
        # multiply rows across every pairing (seconds on a large portfolio).
        "pairings": Pairing.objects.filter(
            Q(pk__in=PairingMember.objects.filter(organisation=organisation)
              .values("pairing_id"))
            | Q(pk__in=ActionOrganisation.objects.filter(organisation=organisation)
                .values("action__pilot__pairing_id"))
            | Q(pk__in=AgreementParty.objects.filter(organisation=organisation)
                .values("agreement__pairing_id")), is_public=True).order_by("label"),
        "agreements": Agreement.objects.filter(public_agreement(),
                                               parties__organisation=organisation).distinct(),
        "events": Event.objects.filter(organisers=organisation, is_public=True),
        "people": people,
        "units": organisation.units.all(),
        "sources": sorted(sources, key=lambda d: d.title),
        "network": cached_for_public(
            request.user, ("organisation-network", organisation.pk, get_language()),
            lambda: network_picture(network_around_organisation(organisation, request.user))),
    })


def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("parent"), slug=slug)
    return render(request, "web/place_detail.html", {
        "place": place,
        "can_manage": can_manage_registry(request.user),
        "pairings": Pairing.objects.filter(
            Q(members__place=place) | Q(members__place__parent=place), is_public=True
        ).distinct(),
        "organisations": place.organisations.all(),
        "events": place.events.filter(is_public=True),
        "children": place.children.all(),
        "suggestions": partner_suggestions(place.slug)
        if place.kind != PlaceKind.COUNTRY else None,
        "profile": CityProfile.objects.filter(place=place).prefetch_related("themes").first(),
        "can_edit_profile": place.kind != PlaceKind.COUNTRY
        and can_edit_city_profile(request.user, place),
    })


EVENTS_PER_PAGE = 50


def event_list(request: HttpRequest) -> HttpResponse:
    """Events and missions, the coming ones first (soonest first), then the past ones (latest
    first), then those whose date is not known; internal ones for signed-in people only."""
    events = Event.objects.all() if request.user.is_authenticated else Event.objects.filter(
        is_public=True)
    today = datetime.date.today()
    when = Case(When(when_start__gte=today, then=0), When(when_start__lt=today, then=1),
                default=2)
    coming_first = Case(When(when_start__gte=today, then="when_start"))
    events = (events.select_related("place").annotate(when_group=when)
              .order_by("when_group", coming_first.asc(), F("when_start").desc(nulls_last=True),
                        "title", "pk"))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/event_list.html", {"events": page.object_list, "page": page})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    return render(request, "web/event_detail.html", {
        "event": event,
        "can_manage": can_manage_registry(request.user),
        "pairings": event.pairings.filter(is_public=True),
        "pilots": event.pilots.filter(is_public=True, pairing__is_public=True)
        .select_related("pairing"),
        "organisers": event.organisers.all(),
        "agreements": event.agreements_signed.filter(public_agreement()),
    })

