"""The search page: one box, facets to narrow by, highlighted results. No JavaScript needed."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from citycoop.common.countries import country_name
from citycoop.common.freshness import cached_for_public
from citycoop.portfolio.models import ActionStatus, AgreementStatus, PairingStatus, PilotStatus
from citycoop.practices.models import NeedStatus, PracticeStatus
from citycoop.registry.models import Programme, Theme

from .backends import FACETS, FacetCount, SearchResults, clean_facets, get_backend, query_terms
from .entries_practices import LABELLED
from .models import Kind

PAGE_SIZE = 20
MAX_QUERY = 200
MAX_OPTIONS = 12  # per facet; the ones chosen are always shown

FACET_TITLES = {
    "kind": _("Type"),
    "programme": _("Programme"),
    "country": _("Country"),
    "theme": _("Theme"),
    "sdg": _("SDG"),
    "status": _("Status"),
    "year": _("Year"),
}
KIND_NAMES = {
    Kind.PAIRING: _("Pairings"),
    Kind.PILOT: _("Pilot projects"),
    Kind.ACTION: _("Actions"),
    Kind.ORGANISATION: _("Organisations"),
    Kind.PLACE: _("Places"),
    Kind.AGREEMENT: _("Agreements"),
    Kind.EVENT: _("Events"),
    Kind.PRACTICE: _("Good practices"),
    Kind.NEED: _("Needs"),
}
# Statuses of different kinds share values ("active"): one label each is enough.
STATUS_NAMES = {value: label for choices in (AgreementStatus, ActionStatus, PilotStatus,
                                             PairingStatus, PracticeStatus, NeedStatus)
                for value, label in choices.choices}
STATUS_NAMES[LABELLED] = _("published with the programme's label")


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    chosen: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    options: list[FacetOption]


def option_labels(name: str, values: list[str]) -> dict[str, str]:
    """What to call each facet value on the page (one query for programmes and themes)."""
    if name == "kind":
        return {v: str(KIND_NAMES.get(v, v)) for v in values}  # type: ignore[call-overload]
    if name == "programme":
        return {slug: short or full for slug, short, full in Programme.objects.filter(
            slug__in=values).values_list("slug", "short_name", "name")}
    if name == "theme":
        return dict(Theme.objects.filter(slug__in=values).values_list("slug", "name"))
    if name == "country":
        return {v: country_name(v) for v in values}
    if name == "sdg":
        return {v: str(_("SDG %(number)s") % {"number": v}) for v in values}
    if name == "status":
        return {v: capfirst(str(STATUS_NAMES.get(v, v))) for v in values}
    return {v: v for v in values}


def toggled(params: QueryDict, name: str, value: str) -> str:
    """This page's address with one facet value switched on or off, back on page one."""
    changed = params.copy()
    changed.pop("page", None)
    values = changed.getlist(name)
    changed.setlist(name, [v for v in values if v != value] if value in values
                    else [*values, value])
    return "?" + changed.urlencode()


def facet_groups(params: QueryDict, results: SearchResults,
                 chosen: dict[str, list[str]]) -> list[FacetGroup]:
    groups = []
    for name in FACETS:
        counts = results.facets.get(name, [])
        shown = counts[:MAX_OPTIONS]
        picked = chosen.get(name, [])
        shown += [c for c in counts[MAX_OPTIONS:] if c.value in picked]
        shown += [FacetCount(v, 0) for v in picked if v not in {c.value for c in counts}]
        if name == "year":
            shown.sort(key=lambda c: c.value, reverse=True)
        elif name == "sdg":
            shown.sort(key=lambda c: int(c.value))
        if not shown:
            continue
        labels = option_labels(name, [c.value for c in shown])
        groups.append(FacetGroup(name, str(FACET_TITLES[name]), [
            FacetOption(c.value, labels.get(c.value, c.value), c.count, c.value in picked,
                        toggled(params, name, c.value))
            for c in shown
        ]))
    return groups


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    chosen = clean_facets({name: request.GET.getlist(name) for name in FACETS})
    page = page_number(request.GET.get("page"))
    context: dict = {"query": query, "chosen": chosen, "results": None}
    if query_terms(query) or chosen:
        # The public's results depend on the address alone: a common word ranked among
        # hundreds of thousands of entries is worked out once, not for every visitor.
        results = cached_for_public(
            request.user, ("search", query, repr(sorted(chosen.items())), page),
            lambda: get_backend().search(query, facets=chosen, visible_to=request.user,
                                         limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE))
        pages = max(1, -(-results.total // PAGE_SIZE))
        context.update({
            "results": results,
            "rows": [(hit, capfirst(Kind(hit.kind).label)) for hit in results.hits],
            "facet_groups": facet_groups(request.GET, results, chosen),
            "page": page,
            "pages": pages,
            "first": (page - 1) * PAGE_SIZE + 1,
            "last": min(page * PAGE_SIZE, results.total),
            "previous_url": page_url(request.GET, page - 1) if page > 1 else "",
            "next_url": page_url(request.GET, page + 1) if page < pages else "",
            "clear_url": "?" + urlencode_query(query) if query else "?",
        })
    return render(request, "search/search.html", context)


def page_url(params: QueryDict, page: int) -> str:
    changed = params.copy()
    changed["page"] = str(page)
    return "?" + changed.urlencode()


def urlencode_query(query: str) -> str:
    params = QueryDict(mutable=True)
    params["q"] = query
    return params.urlencode()
