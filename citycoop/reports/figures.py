"""Headline figures counted from the records, kept apart from the figures sources reported.

The status page says "24 pilot projects"; the records may hold another number. Both are shown,
each labelled as what it is, and this module only ever counts records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from citycoop.events.models import Event
from citycoop.portfolio.models import Agreement, AgreementStatus, Pairing, PilotProject
from citycoop.registry.models import Programme


@dataclass
class GroupFigures:
    group: str
    pairings: int = 0
    pilots: int = 0
    agreements_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def agreements_signed(self) -> int:
        return self.agreements_by_status.get(AgreementStatus.SIGNED, 0)


@dataclass
class HeadlineFigures:
    programme: Programme
    groups: list[GroupFigures]
    pairings: int
    pilots: int
    agreements_by_status: list[tuple[str, str, int]]   # (status, label, count), in status order
    events_by_kind: list[tuple[str, int]]             # (label, count)
    events: int


def headline_figures(programme: Programme, *, public_only: bool = True) -> HeadlineFigures:
    """Counts for one programme, in four aggregate queries whatever the portfolio's size."""
    pairings = Pairing.objects.filter(programme=programme)
    pilots = PilotProject.objects.filter(pairing__programme=programme)
    agreements = Agreement.objects.filter(pairing__programme=programme, counts_toward_kpi=True)
    events = Event.objects.filter(pairings__programme=programme).distinct()
    if public_only:
        pairings = pairings.filter(is_public=True)
        pilots = pilots.filter(is_public=True, pairing__is_public=True)
        agreements = agreements.filter(is_public=True)
        events = events.filter(is_public=True)

    groups: dict[str, GroupFigures] = {}
    for name, n in pairings.values_list("group").annotate(n=Count("id")).order_by("group"):
        groups[name] = GroupFigures(name, pairings=n)
    for name, n in pilots.values_list("pairing__group").annotate(n=Count("id")):
        groups.setdefault(name, GroupFigures(name)).pilots = n
    status_totals: Counter[str] = Counter()
    for name, status, n in agreements.values_list("pairing__group", "status").annotate(
            n=Count("id")):
        groups.setdefault(name, GroupFigures(name)).agreements_by_status[status] = n
        status_totals[status] += n
    kind_labels = dict(Event._meta.get_field("kind").choices or [])
    # Labels as plain text: the figures are cached, and a lazy label costs a class on unpickling.
    kinds = Counter({str(kind_labels.get(row["kind"], row["kind"])): row["n"]
                     for row in Event.objects.filter(pk__in=events.values("pk"))
                     .values("kind").annotate(n=Count("id"))})
    return HeadlineFigures(
        programme=programme,
        groups=list(groups.values()),
        pairings=sum(g.pairings for g in groups.values()),
        pilots=sum(g.pilots for g in groups.values()),
        agreements_by_status=[(value, str(label), status_totals[value])
                              for value, label in AgreementStatus.choices if status_totals[value]],
        events_by_kind=sorted(kinds.items(), key=lambda item: (-item[1], str(item[0]))),
        events=sum(kinds.values()),
    )
