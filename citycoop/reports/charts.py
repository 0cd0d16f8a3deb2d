"""The figures behind the home page's charts, counted from the records in a few aggregate
queries (the cost does not grow with the portfolio's size beyond the grouping itself)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count

from citycoop.events.models import Event, Participation
from citycoop.portfolio.models import Agreement, AgreementStatus, Pairing, PilotProject
from citycoop.registry.models import Programme


def series(counter: Counter[str] | dict[str, int], limit: int = 12) -> dict[str, Any]:
    items = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return {"labels": [label for label, _ in items], "values": [value for _, value in items]}


def quarter(day: Any) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def chart_data(programme: Programme) -> dict[str, Any]:
    pilots = PilotProject.objects.filter(pairing__programme=programme, is_public=True,
                                         pairing__is_public=True)
    by_pairing = dict(pilots.values_list("pairing__label").annotate(n=Count("id")))
    by_theme = Counter(dict(pilots.values_list("themes__parent__name")
                            .annotate(n=Count("id", distinct=True))
                            .exclude(themes__parent__name=None)))
    for name, n in pilots.filter(themes__parent=None).values_list("themes__name").annotate(
            n=Count("id", distinct=True)):
        if name:
            by_theme[name] += n
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


def agreements_over_time(programme: Programme) -> dict[str, Any]:
    """Agreements by status, by the year they were signed (or are dated); undated ones apart."""
    rows = (Agreement.objects.filter(pairing__programme=programme, is_public=True)
            .values_list("signed_on_start__year", "status").annotate(n=Count("id")))
    years: list[Any] = [*sorted({year for year, _, _ in rows if year}), "undated"]
    statuses = [value for value, _ in AgreementStatus.choices]
    counts = {(year or "undated", status): n for year, status, n in rows}
    return {"labels": [str(y) for y in years],
            "datasets": [{"label": str(label), "values": [counts.get((y, value), 0)
                                                          for y in years]}
                         for value, label in AgreementStatus.choices
                         if any(counts.get((y, value)) for y in years)],
            "statuses": statuses}


def events_per_quarter(programme: Programme) -> dict[str, Any]:
    events = Event.objects.filter(pairings__programme=programme, is_public=True,
                                  when_start__isnull=False).distinct()
    per_quarter: Counter[str] = Counter(quarter(day) for day in
                                        events.values_list("when_start", flat=True))
    people: Counter[str] = Counter()
    for day, n in (Participation.objects.filter(event__in=events.values("pk"))
                   .values_list("event__when_start").annotate(n=Count("id"))):
        people[quarter(day)] += n
    labels = sorted(per_quarter)
    return {"labels": labels, "events": [per_quarter[q] for q in labels],
            "participants": [people[q] for q in labels]}
