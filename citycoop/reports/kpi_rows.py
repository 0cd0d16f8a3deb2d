"""The KPIs as the dashboard and the KPI report show them: each computed value with what
sources reported for it and the trend of its snapshots."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from citycoop.reports.kpis import KPIS, KpiValue, compute_all
from citycoop.reports.models import KpiSnapshot
from citycoop.reports.scope import Scope


@dataclass
class KpiRow:
    """One KPI on the page: the computed value, the reported ones, and its trend."""

    value: KpiValue
    reported: list[KpiSnapshot] = field(default_factory=list)
    trend: list[tuple[str, float]] = field(default_factory=list)   # (as of, value)


def reported_snapshots(scope: Scope) -> list[KpiSnapshot]:
    """What sources reported for the programme or its predecessors (in the group chosen).
    A reported figure is never about one pairing: none is shown when a pairing is chosen."""
    if scope.pairing is not None:
        return []
    programme = scope.programme
    snapshots = KpiSnapshot.objects.filter(
        Q(programme=programme) | Q(programme__successors=programme), computed=False)
    if scope.group:
        snapshots = snapshots.filter(group=scope.group)
    return list(snapshots.select_related("source", "programme").order_by("as_of_start", "name"))


def trends(scope: Scope) -> dict[str, list[tuple[str, float]]]:
    """Each KPI's computed snapshots (its total), oldest first. Snapshots count the whole
    programme or a whole group over all time: none fits a pairing or a period."""
    if scope.pairing is not None or scope.has_period:
        return {}
    rows = (KpiSnapshot.objects.filter(programme=scope.programme, computed=True,
                                       group=scope.group, name__in=list(KPIS))
            .order_by("as_of_start").values_list("name", "as_of_text", "value"))
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for name, as_of, value in rows:
        found[name].append((as_of, float(value)))
    return dict(found)


def kpi_rows(scope: Scope) -> list[KpiRow]:
    reported = reported_snapshots(scope)
    trend = trends(scope)
    rows = []
    for value in compute_all(scope):
        prefixes = KPIS[value.slug].reported
        rows.append(KpiRow(value, [s for s in reported if s.name.startswith(prefixes)]
                           if prefixes else [], trend.get(value.slug, [])))
    return rows
