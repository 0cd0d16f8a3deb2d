"""What a KPI counts over: a programme, narrowed to a pairing, a country group or a period.

Each record kind gets one base queryset here, and every KPI starts from it, so the rules of
"which records belong to this scope" live in one place (docs/kpis.md explains them):

- pairings, pilots and agreements belong to the programme of their pairing; an event belongs
  to every programme, group and pairing it is linked to; media items, dissemination outputs
  and next steps belong through the event, pilot (or pairing, agreement) they hang from;
- with ``public_only``, only public pairings, pilots, agreements and events count, and what
  hangs from a private record is left out with it;
- a good practice belongs through the pairings and pilots it is linked to, or as the
  practice of a place or organisation that is a member of a pairing in scope;
- a period keeps the records whose date starts inside it (both ends included); a record
  with no date is counted in "all time" only, never in a period.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from citycoop.events.models import (
    DisseminationOutput,
    Event,
    FeedbackAnswer,
    MediaItem,
    Participation,
)
from citycoop.portfolio.models import Agreement, NextStep, Pairing, PilotProject
from citycoop.practices.models import Practice, PracticeStatus
from citycoop.registry.models import Programme

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    programme: Programme
    pairing: Pairing | None = None
    group: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    public_only: bool = True
    # Aggregates several KPIs share (one query for a breakdown and its overdue or reach
    # figure), kept for the life of this scope object only: never across requests.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, run at most once for this scope."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[no-any-return]

    @property
    def has_period(self) -> bool:
        return self.start is not None or self.end is not None

    def cache_key(self) -> tuple[Any, ...]:
        return (self.programme.pk, self.pairing.pk if self.pairing else None, self.group,
                self.start, self.end, self.public_only)

    # -- the period ---------------------------------------------------------------------

    def in_period(self, column: str) -> Q:
        """Records whose ``column`` falls in the period; no filter for "all time"."""
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{column}__gte": self.start})
        if self.end is not None:
            condition &= Q(**{f"{column}__lte": self.end})
        return condition

    # -- base querysets, one per record kind ----------------------------------------------

    def _pairing_filter(self, prefix: str) -> Q:
        """The pairing (reached through ``prefix``) is in the programme, group and pairing."""
        condition = Q(**{f"{prefix}programme": self.programme})
        if self.group:
            condition &= Q(**{f"{prefix}group": self.group})
        if self.pairing is not None:
            condition &= Q(**{f"{prefix}pk": self.pairing.pk})
        if self.public_only:
            condition &= Q(**{f"{prefix}is_public": True})
        return condition

    def pairings(self) -> QuerySet[Pairing]:
        return Pairing.objects.filter(self._pairing_filter(""))

    def pilots(self) -> QuerySet[PilotProject]:
        """Pilots carry no date of their own: the period does not narrow them."""
        pilots = PilotProject.objects.filter(self._pairing_filter("pairing__"))
        if self.public_only:
            pilots = pilots.filter(is_public=True)
        return pilots

    def agreements(self, *, dated: bool = True) -> QuerySet[Agreement]:
        """Agreements the funder counts (``counts_toward_kpi``), dated by their signing."""
        agreements = Agreement.objects.filter(self._pairing_filter("pairing__"),
                                              counts_toward_kpi=True)
        if self.public_only:
            agreements = agreements.filter(is_public=True)
        if dated:
            agreements = agreements.filter(self.in_period("signed_on_start"))
        return agreements

    def events(self, *, dated: bool = True) -> QuerySet[Event]:
        """Events linked to a pairing in scope; a subquery, so an event linked to several
        pairings is still counted once."""
        links = Event.pairings.through.objects.filter(self._pairing_filter("pairing__"))
        events = Event.objects.filter(pk__in=links.values("event_id"))
        if self.public_only:
            events = events.filter(is_public=True)
        if dated:
            events = events.filter(self.in_period("when_start"))
        return events

    def participations(self) -> QuerySet[Participation]:
        """Participations in the scope's events (dated by the event)."""
        return Participation.objects.filter(event__in=self.events().values("pk"))

    def feedback(self) -> QuerySet[FeedbackAnswer]:
        return FeedbackAnswer.objects.filter(participation__event__in=self.events().values("pk"))

    def _pilot_via(self, prefix: str) -> Q:
        """The pilot reached through ``prefix`` is in scope: a join, which SQLite runs faster
        than a large IN (subquery) inside an OR."""
        condition = self._pairing_filter(f"{prefix}pilot__pairing__")
        if self.public_only:
            condition &= Q(**{f"{prefix}pilot__is_public": True})
        return condition

    def _tied(self) -> Q:
        """Tied to an event or a pilot in scope (the event's own date does not matter: the
        item is dated by its publication)."""
        return Q(event__in=self.events(dated=False).values("pk")) | self._pilot_via("")

    def media_items(self) -> QuerySet[MediaItem]:
        return MediaItem.objects.filter(self._tied()).filter(self.in_period("published_on"))

    def dissemination_outputs(self) -> QuerySet[DisseminationOutput]:
        return (DisseminationOutput.objects.filter(self._tied())
                .filter(self.in_period("published_on")))

    def practices(self) -> QuerySet[Practice]:
        """Published good practices of the scope: linked to a pairing in scope or one of its
        pilots, or coming from a place or organisation that is a member of one. A practice
        is public once published, so ``public_only`` changes nothing here."""
        pairings = self.pairings().values("pk")
        tied = (Q(pairings__in=pairings) | Q(pilots__pairing__in=pairings)
                | Q(place__pairing_memberships__pairing__in=pairings)
                | Q(organisation__pairing_memberships__pairing__in=pairings))
        return Practice.objects.filter(
            pk__in=Practice.objects.filter(tied).values("pk"),
            status=PracticeStatus.PUBLISHED)

    def next_steps(self) -> QuerySet[NextStep]:
        """Steps of a pairing, pilot, agreement or event in scope, dated by when they are due.
        A step of an agreement the funder does not count still counts: it is work to do."""
        on_agreement = self._pairing_filter("agreement__pairing__")
        if self.public_only:
            on_agreement &= Q(agreement__is_public=True)
        tied = (self._pairing_filter("pairing__") | self._pilot_via("") | on_agreement
                | Q(event__in=self.events(dated=False).values("pk")))
        return NextStep.objects.filter(tied).filter(self.in_period("due_start"))
