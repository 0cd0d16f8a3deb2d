"""Management KPIs, counted from the records: one definition each, in one registry.

Each KPI has a machine name (its slug, also the name of its snapshots), a label, a short
definition (docs/kpis.md says the same at length), and a function that computes it for a
:class:`~citycoop.reports.scope.Scope` with one aggregate query. ``compute_all`` therefore
costs as many queries as there are KPIs, whatever the size of the portfolio.

What a source reported ("as of 2016: 14 MoUs signed") stays in KpiSnapshot rows with
``computed=False``; this module never mixes the two, it only says which reported names a KPI
answers (``reported``), so that a page can show them side by side.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citycoop.common.services import upsert_record
from citycoop.events.models import (
    Attendance,
    DisseminationKind,
    EventKind,
    FeedbackAnswer,
    MediaType,
)
from citycoop.portfolio.models import (
    AgreementStatus,
    AgreementType,
    NextStepStatus,
    Pairing,
    PilotStatus,
)
from citycoop.practices.models import Adoption
from citycoop.registry.models import Programme
from citycoop.reports.models import KpiSnapshot
from citycoop.reports.scope import Scope

Number = int | float


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: ``key`` is the stored choice value, ``label`` its name."""

    key: str
    label: str
    value: Number


@dataclass
class KpiValue:
    slug: str
    label: str
    definition: str
    value: Number | None          # None: nothing to measure (a mean of no answers)
    parts: list[Part] = field(default_factory=list)
    count: int | None = None      # how many answers or items a mean or a sum rests on
    dated: bool = True            # False: the period does not narrow this KPI

    @property
    def display_value(self) -> str:
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.2f}"
        return str(self.value)


@dataclass(frozen=True)
class KpiDefinition:
    slug: str
    label: Promise
    definition: Promise
    compute: Callable[[Scope], tuple[Number | None, list[Part], int | None]]
    dated: bool = True
    reported: tuple[str, ...] = ()   # prefixes of the names of reported snapshots it answers

    def value(self, scope: Scope) -> KpiValue:
        value, parts, count = self.compute(scope)
        return KpiValue(self.slug, str(self.label), str(self.definition), value, parts, count,
                        self.dated)


# -- the computations -------------------------------------------------------------------------
#
# KPIs that read the same rows share one aggregate query (memoised on the scope): agreements
# by status and by type, media items and their reach, next steps and the overdue ones.


def tally(rows: dict[str, int], choices: Iterable[tuple[Any, Any]]) -> tuple[int, list[Part], None]:
    """Every choice listed, in its own order, zero when absent."""
    parts = [Part(str(key), str(label), rows.get(key, 0)) for key, label in choices]
    return sum(rows.values()), parts, None


def breakdown(queryset: QuerySet[Any], column: str,
              choices: Iterable[tuple[Any, Any]]) -> tuple[int, list[Part], None]:
    """One GROUP BY query."""
    return tally(dict(queryset.order_by().values_list(column).annotate(n=Count("pk"))), choices)


def pilots_by_status(scope: Scope) -> tuple[int, list[Part], None]:
    return breakdown(scope.pilots(), "status", PilotStatus.choices)


def agreement_rows(scope: Scope) -> list[tuple[str, str, int]]:
    """(status, type, count): one query for the three agreement KPIs."""
    return scope.once("agreements", lambda: list(
        scope.agreements().order_by().values_list("status", "type").annotate(n=Count("pk"))))


def sum_by(rows: Iterable[tuple[Any, ...]], index: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        found[row[index]] = found.get(row[index], 0) + row[-1]
    return found


def agreements_by_status(scope: Scope) -> tuple[int, list[Part], None]:
    return tally(sum_by(agreement_rows(scope), 0), AgreementStatus.choices)


def agreements_by_type(scope: Scope) -> tuple[int, list[Part], None]:
    return tally(sum_by(agreement_rows(scope), 1), AgreementType.choices)


# An MoU that is active or has expired was signed once: the programme's "MoUs signed" counts it.
SIGNED = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRED)


def mous_signed(scope: Scope) -> tuple[int, list[Part], None]:
    return (sum(n for status, kind, n in agreement_rows(scope)
                if kind == AgreementType.MOU and status in SIGNED), [], None)


def events_by_kind(scope: Scope) -> tuple[int, list[Part], None]:
    return breakdown(scope.events(), "kind", EventKind.choices)


ATTENDED = Q(attendance=Attendance.ATTENDED)


def participation_figures(scope: Scope) -> dict[str, int]:
    """Participations by attendance, and the distinct people and organisations among those
    who attended: one pass over the participations in scope, shared by four KPIs."""
    return scope.once("participations", lambda: scope.participations().aggregate(
        **{f"n_{value}": Count("pk", filter=Q(attendance=value))
           for value, _label in Attendance.choices},
        people=Count("person", distinct=True, filter=ATTENDED),
        organisations=Count("organisation", distinct=True, filter=ATTENDED)))


def registrations(scope: Scope) -> tuple[int, list[Part], None]:
    figures = participation_figures(scope)
    return tally({value: figures[f"n_{value}"] for value, _label in Attendance.choices},
                 Attendance.choices)


def attendances(scope: Scope) -> tuple[int, list[Part], None]:
    return participation_figures(scope)[f"n_{Attendance.ATTENDED}"], [], None


def people_attended(scope: Scope) -> tuple[int, list[Part], None]:
    return participation_figures(scope)["people"], [], None


def organisations_attended(scope: Scope) -> tuple[int, list[Part], None]:
    return participation_figures(scope)["organisations"], [], None


def summed(scope: Scope, key: str, queryset: QuerySet[Any], column: str,
           amount: str) -> list[tuple[str, int, int | None, int]]:
    """(choice, count, sum of ``amount``, how many have an amount) per choice: one query."""
    return scope.once(key, lambda: list(
        queryset.order_by().values_list(column)
        .annotate(n=Count("pk"), total=Sum(amount), known=Count(amount))
        .values_list(column, "n", "total", "known")))


def media(scope: Scope) -> list[tuple[str, int, int | None, int]]:
    return summed(scope, "media", scope.media_items(), "type", "reach")


def outputs(scope: Scope) -> list[tuple[str, int, int | None, int]]:
    return summed(scope, "outputs", scope.dissemination_outputs(), "kind", "audience")


def media_items(scope: Scope) -> tuple[int, list[Part], None]:
    return tally({kind: n for kind, n, _total, _known in media(scope)}, MediaType.choices)


def media_reach(scope: Scope) -> tuple[int, list[Part], int]:
    rows = media(scope)
    return sum(total or 0 for *_r, total, _k in rows), [], sum(k for *_r, k in rows)


def dissemination_outputs(scope: Scope) -> tuple[int, list[Part], None]:
    return tally({kind: n for kind, n, _total, _known in outputs(scope)},
                 DisseminationKind.choices)


def dissemination_audience(scope: Scope) -> tuple[int, list[Part], int]:
    rows = outputs(scope)
    return sum(total or 0 for *_r, total, _k in rows), [], sum(k for *_r, k in rows)


def event_quality(scope: Scope) -> tuple[float | None, list[Part], int]:
    """As registration.quality does for one event: the mean of the questions' means, here
    over every answer to every event in scope (an event with more answers weighs more)."""
    means = scope.feedback().aggregate(n=Count("pk"),
                                       **{q: Avg(q) for q in FeedbackAnswer.QUESTIONS})
    n = means.pop("n")
    values = [v for v in means.values() if v is not None]
    score = round(sum(values) / len(values), 2) if values else None
    labels = {q: getattr(FeedbackAnswer._meta.get_field(q), "verbose_name", q)
              for q in FeedbackAnswer.QUESTIONS}
    parts = [Part(q, str(labels[q]), round(v, 2)) for q, v in means.items() if v is not None]
    return score, parts, n


def next_step_rows(scope: Scope) -> list[tuple[str, int, int]]:
    """(status, count, overdue): one query for both next-step KPIs. Overdue: open, and the
    due date's end (the last day it may mean) is before today."""
    overdue = Q(status=NextStepStatus.OPEN, due_end__lt=timezone.localdate())
    return scope.once("next_steps", lambda: list(
        scope.next_steps().order_by().values_list("status")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue))
        .values_list("status", "n", "late")))


def next_steps_by_status(scope: Scope) -> tuple[int, list[Part], None]:
    return tally({status: n for status, n, _late in next_step_rows(scope)},
                 NextStepStatus.choices)


def next_steps_overdue(scope: Scope) -> tuple[int, list[Part], None]:
    return sum(late for _status, _n, late in next_step_rows(scope)), [], None


def practice_figures(scope: Scope) -> dict[str, int]:
    """Published, labelled and transferred practices of the scope in one query; each dated
    by its own event (publication, label, the first adoption reported)."""
    def compute() -> dict[str, int]:
        adopted = Adoption.objects.filter(scope.in_period("created_at__date"))
        return scope.practices().aggregate(
            published=Count("pk", filter=scope.in_period("published_at__date"),
                            distinct=True),
            labelled=Count("pk", filter=Q(labelled_at__isnull=False)
                           & scope.in_period("labelled_at__date"), distinct=True),
            transferred=Count("pk", filter=Q(adoptions__in=adopted.values("pk")),
                              distinct=True))
    return scope.once("practices", compute)


def practice_figure(key: str) -> Callable[[Scope], tuple[int, list[Part], None]]:
    """One of :func:`practice_figures`' counts, as a KPI computation."""
    def compute(scope: Scope) -> tuple[int, list[Part], None]:
        return practice_figures(scope)[key], [], None
    return compute


# -- the registry -------------------------------------------------------------------------------


def _define(*definitions: KpiDefinition) -> dict[str, KpiDefinition]:
    return {d.slug: d for d in definitions}


KPIS: dict[str, KpiDefinition] = _define(
    KpiDefinition("pilots_by_status", _("Pilot projects"), _(
        "Pilot projects of the pairings in scope, by status. Pilots carry no date: every "
        "period shows them all, as they stand today."), pilots_by_status, dated=False,
        reported=("pilot_projects",)),
    KpiDefinition("agreements_by_status", _("Agreements by status"), _(
        "Agreements of the pairings in scope that count toward the programme's figures, by "
        "status; dated by their signing date."), agreements_by_status,
        reported=("mous_under_preparation",)),
    KpiDefinition("agreements_by_type", _("Agreements by type"), _(
        "The same agreements, by type (MoU, letter of intent, contract)."), agreements_by_type),
    KpiDefinition("mous_signed", _("MoUs signed"), _(
        "Memoranda of understanding that have been signed: status signed, active or "
        "expired."), mous_signed, reported=("mous_signed",)),
    KpiDefinition("events_by_kind", _("Events"), _(
        "Events linked to a pairing in scope, by kind, each counted once; dated by their "
        "start."), events_by_kind),
    KpiDefinition("registrations", _("Registrations"), _(
        "Participations recorded for the events in scope, by attendance: registered, on "
        "the waitlist, attended, no-show, cancelled."), registrations),
    KpiDefinition("attendances", _("Attendances"), _(
        "Participations marked as attended: a person at two events counts twice."),
        attendances),
    KpiDefinition("people_attended", _("People who attended"), _(
        "Distinct people with at least one attendance at an event in scope."),
        people_attended),
    KpiDefinition("organisations_attended", _("Organisations that attended"), _(
        "Distinct organisations named on attended participations (the organisation a "
        "registrant came for, or one taking part as a whole)."), organisations_attended),
    KpiDefinition("media_items", _("Media coverage"), _(
        "Media items about an event or a pilot in scope, by type; dated by publication."),
        media_items),
    KpiDefinition("media_reach", _("Media reach"), _(
        "The sum of the reach reported for those media items; items without a reach add "
        "nothing."), media_reach),
    KpiDefinition("dissemination_outputs", _("Dissemination outputs"), _(
        "Reports, presentations, publications, newsletters and videos about an event or a "
        "pilot in scope, by kind; dated by publication."), dissemination_outputs),
    KpiDefinition("dissemination_audience", _("Dissemination audience"), _(
        "The sum of the audience reported for those outputs."), dissemination_audience),
    KpiDefinition("event_quality", _("Quality of events"), _(
        "Mean score (1 to 5) of the feedback answers to the events in scope: the mean of "
        "the four questions' means, over all answers."), event_quality),
    KpiDefinition("next_steps_by_status", _("Next steps"), _(
        "Next steps of the pairings, pilots, agreements and events in scope, by status; "
        "dated by when they are due."), next_steps_by_status),
    KpiDefinition("next_steps_overdue", _("Next steps overdue"), _(
        "Open next steps whose due date ended before today."), next_steps_overdue),
    KpiDefinition("practices_published", _("Good practices published"), _(
        "Good practices of the pairings in scope (linked to them, or from their cities and "
        "organisations) that are published; dated by publication."),
        practice_figure("published")),
    KpiDefinition("practices_labelled", _("Good practices labelled"), _(
        "Those of them awarded the programme's label; dated by the award."),
        practice_figure("labelled")),
    KpiDefinition("practices_transferred", _("Good practices transferred"), _(
        "Published practices that another city reports having adopted; dated by the "
        "report."), practice_figure("transferred")),
)


def compute_all(scope: Scope) -> list[KpiValue]:
    """Every KPI for the scope, in registry order: at most one query per KPI (fewer, as some
    share one), whatever the size of the portfolio."""
    return [definition.value(scope) for definition in KPIS.values()]


def groups_of(programme: Programme, *, public_only: bool) -> list[str]:
    """The programme's country groups (EU-China, EU-India, ...), in name order."""
    pairings = Pairing.objects.filter(programme=programme).exclude(group="")
    if public_only:
        pairings = pairings.filter(is_public=True)
    return list(pairings.order_by("group").values_list("group", flat=True).distinct())


# -- snapshots ----------------------------------------------------------------------------------


CENTS = Decimal("0.01")  # the snapshot's column keeps two decimals: compare like with like


def snapshot_rows(value: KpiValue) -> list[tuple[str, str, Number]]:
    """(name, label, value) for the KPI's total and each part of its breakdown."""
    if value.value is None:
        return []
    rows = [(value.slug, value.label, value.value)]
    rows += [(f"{value.slug}-{part.key}",
              str(_("%(kpi)s: %(part)s") % {"kpi": value.label, "part": part.label}), part.value)
             for part in value.parts]
    return rows


@transaction.atomic
def take_snapshot(programme: Programme, as_of: datetime.date, *,
                  acting_user: Any) -> dict[str, int]:
    """Store today's KPIs (whole programme and each group, public records) as computed
    snapshots dated ``as_of``. Running it again for the same date updates those rows.
    Returns how many rows were created, changed or found the same."""
    outcome = {"created": 0, "changed": 0, "same": 0}
    for group in ["", *groups_of(programme, public_only=True)]:
        scope = Scope(programme, group=group, public_only=True)
        for kpi in compute_all(scope):
            for name, label, number in snapshot_rows(kpi):
                _row, what = upsert_record(
                    KpiSnapshot,
                    {"programme": programme, "name": name, "group": group, "computed": True,
                     "source": None, "as_of_text": as_of.isoformat()},
                    {"label": label[:200], "value": Decimal(str(number)).quantize(CENTS),
                     "as_of": as_of.isoformat()},
                    acting_user=acting_user)
                outcome[what] += 1
    return outcome
