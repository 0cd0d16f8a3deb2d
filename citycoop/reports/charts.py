"""The figures behind the home page's charts, counted from the records in a few aggregate
queries (the cost does not grow with the portfolio's size beyond the grouping itself)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext

from citycoop.common.countries import country_name
from citycoop.events.models import Event, Participation
from citycoop.portfolio.models import Agreement, AgreementStatus, Pairing, PilotProject
from citycoop.registry.models import Programme, Theme
from citycoop.registry.themes import below, theme_children

# The label of undated records. The figures are kept for all visitors of a language but may
# be recomputed where no language is active, so words are put in by localised().
UNDATED = ""


def series(counter: Counter[str] | dict[str, int], limit: int = 12) -> dict[str, Any]:
    items = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return {"labels": [label for label, _ in items], "values": [value for _, value in items]}


def quarter(day: Any) -> str:
    """"2016 Q3"; UNDATED for no date."""
    return f"{day.year} Q{(day.month - 1) // 3 + 1}" if day else UNDATED


def chart_data(programme: Programme) -> dict[str, Any]:
    pilots = PilotProject.objects.filter(pairing__programme=programme, is_public=True,
                                         pairing__is_public=True)
    by_pairing = dict(pilots.values_list("pairing__label").annotate(n=Count("id")))
    by_theme = pilots_by_top_theme(pilots)
    by_country: Counter[str] = Counter()
    partner_members = Pairing.objects.filter(programme=programme, is_public=True,
                                             members__side="partner").values_list(
        "pk", "members__place__country").distinct()
    countries_of: dict[int, set[str]] = defaultdict(set)
    for pairing_id, country in partner_members:
        if country:
            countries_of[pairing_id].add(country)
    for pairing_id, n in pilots.values_list("pairing_id").annotate(n=Count("id")):
        for country in countries_of.get(pairing_id, ()):
            by_country[country] += n
    return {
        "pilots_by_pairing": series(by_pairing),
        "pilots_by_theme": series(by_theme),
        "pilots_by_country": series(by_country),
        "agreements_over_time": agreements_over_time(programme),
        "events_per_quarter": events_per_quarter(programme),
    }


def pilots_by_top_theme(pilots: QuerySet[PilotProject]) -> Counter[str]:
    """Pilots per top-level theme: a pilot counts once under the top of each of its themes,
    however deep (Smart city and District heating count under Urban development and Energy),
    as the theme pages count them. One aggregate query: each theme is mapped to its top."""
    rows = list(Theme.objects.values_list("id", "parent_id", "name"))
    children = theme_children([(theme_id, parent) for theme_id, parent, _ in rows])
    names = {theme_id: name for theme_id, parent, name in rows if parent is None}
    family = {top: below(children, top) for top in names}
    if not family:
        return Counter()
    top_of = Case(*(When(themes__in=ids, then=Value(top)) for top, ids in family.items()),
                  output_field=IntegerField())
    counted = (pilots.filter(themes__isnull=False).annotate(top=top_of).values_list("top")
               .annotate(n=Count("id", distinct=True)).order_by())
    return Counter({names[top]: n for top, n in counted if top in names})


def agreements_over_time(programme: Programme) -> dict[str, Any]:
    """Agreements by status, by the year they were signed (or are dated); undated ones apart."""
    rows = (Agreement.objects.filter(pairing__programme=programme, is_public=True)
            .values_list("signed_on_start__year", "status").annotate(n=Count("id")))
    years: list[Any] = [*sorted({year for year, _, _ in rows if year}), UNDATED]
    statuses = [value for value, _ in AgreementStatus.choices]
    counts = {(year or UNDATED, status): n for year, status, n in rows}
    return {"labels": [str(y) for y in years],
            "datasets": [{"label": str(label), "values": [counts.get((y, value), 0)
                                                          for y in years]}
                         for value, label in AgreementStatus.choices
                         if any(counts.get((y, value)) for y in years)],
            "statuses": statuses}


def events_per_quarter(programme: Programme) -> dict[str, Any]:
    """Events and their participants by the quarter they began in; undated events (or dated
    without a year) apart, last, so that the chart adds up to the programme's events."""
    events = Event.objects.filter(pairings__programme=programme, is_public=True).distinct()
    per_quarter: Counter[str] = Counter(quarter(day) for day in
                                        events.values_list("when_start", flat=True))
    people: Counter[str] = Counter()
    for day, n in (Participation.objects.filter(event__in=events.values("pk"))
                   .values_list("event__when_start").annotate(n=Count("id"))):
        people[quarter(day)] += n
    labels = sorted(per_quarter, key=lambda q: (q == UNDATED, q))  # undated last
    return {"labels": labels, "events": [per_quarter[q] for q in labels],
            "participants": [people[q] for q in labels]}


def localised(charts: dict[str, Any]) -> dict[str, Any]:
    """The charts with the words of the reader's language: country names for codes, and the
    undated records' label."""
    undated = gettext("undated")
    out = dict(charts)
    countries = charts["pilots_by_country"]
    out["pilots_by_country"] = {**countries,
                                "labels": [country_name(c) for c in countries["labels"]]}
    for name in ("agreements_over_time", "events_per_quarter"):
        out[name] = {**charts[name], "labels": [label if label != UNDATED else undated
                                                for label in charts[name]["labels"]]}
    return out
