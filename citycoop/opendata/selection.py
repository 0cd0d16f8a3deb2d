"""What an export covers, and for whom: one place that decides which records go out.

Every exporter reads its records through a :class:`Selection`, never through the models
directly, so that the rule "internal records only for those who may see them" holds for the
web download, the API, the command line and the open-data dump alike:

- with no user (the open-data dump, an anonymous visitor), public records only: public
  pairings, their public pilots, agreements and events, and people whose details are public;
- a signed-in user also gets the internal records of the pairings they belong to and the
  programmes they manage (:func:`~citycoop.accounts.permissions.internal_reach`), an admin
  everything; the command line runs as "everything" unless asked for the public view.

Querysets are plain (no slicing, no ordering beyond the model's): exporters add the
``select_related``/``prefetch_related`` they need and iterate with ``.iterator()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from citycoop.accounts.permissions import internal_reach
from citycoop.events.models import Event
from citycoop.portfolio.models import (
    Action,
    Agreement,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.practices.models import Need, Practice
from citycoop.registry.models import Organisation, Person, Place, Programme, Visibility


def ancestors_of(places: QuerySet[Place]) -> list[int]:
    """The ids of the places ``places`` lie in (a city's region and country), at any depth.
    Few: regions and countries. Found from one read of the parents of ``places`` and one of
    every place's parent, rather than one subquery a level that repeats ``places`` each time."""
    parent_of = dict(Place.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    found: set[int] = set()
    pending = set(places.filter(parent__isnull=False).values_list("parent_id", flat=True))
    while pending:
        found |= pending
        pending = {parent_of[i] for i in pending if i in parent_of} - found
    return sorted(found)


@dataclass(frozen=True)
class Selection:
    programme: Programme | None = None          # None: every programme
    pairing_slugs: tuple[str, ...] = ()         # empty: every pairing of the programme(s)
    user: Any = None                            # None with everything=False: the public view
    everything: bool = False                    # the command line's operator: all records
    reach: tuple[bool, frozenset[int], frozenset[int]] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        reach = (True, frozenset(), frozenset()) if self.everything else internal_reach(
            self.user)
        object.__setattr__(self, "reach", reach)

    @property
    def unrestricted(self) -> bool:
        """Every record of every programme: nothing to filter."""
        return self.reach[0] and self.programme is None and not self.pairing_slugs

    @property
    def public_only(self) -> bool:
        sees_all, programmes, pairings = self.reach
        return not sees_all and not programmes and not pairings

    def _internal_ok(self, prefix: str) -> Q:
        """Records under a pairing (reached through ``prefix``) this user may see when
        internal: those of the pairings they belong to or the programmes they manage."""
        sees_all, programmes, pairings = self.reach
        if sees_all:
            return Q()
        return (Q(**{f"{prefix}programme_id__in": programmes})
                | Q(**{f"{prefix}id__in": pairings}))

    def _visible(self, prefix: str, own_flag: str | None) -> Q:
        """Public (the pairing and the record's own flag), or internal but within reach."""
        public = Q(**{f"{prefix}is_public": True})
        if own_flag:
            public &= Q(**{own_flag: True})
        if self.reach[0]:
            return Q()
        if self.public_only:
            return public
        return public | self._internal_ok(prefix)

    def _scoped(self, prefix: str) -> Q:
        q = Q()
        if self.programme is not None:
            q &= Q(**{f"{prefix}programme": self.programme})
        if self.pairing_slugs:
            q &= Q(**{f"{prefix}slug__in": self.pairing_slugs})
        return q

    # -- the records ------------------------------------------------------------------------

    def pairings(self) -> QuerySet[Pairing]:
        return Pairing.objects.filter(self._scoped(""), self._visible("", None))

    def pilots(self) -> QuerySet[PilotProject]:
        return PilotProject.objects.filter(self._scoped("pairing__"),
                                           self._visible("pairing__", "is_public"))

    def actions(self) -> QuerySet[Action]:
        return Action.objects.filter(self._scoped("pilot__pairing__"),
                                     self._visible("pilot__pairing__", "pilot__is_public"))

    def agreements(self) -> QuerySet[Agreement]:
        return Agreement.objects.filter(self._scoped("pairing__"),
                                        self._visible("pairing__", "is_public"))

    def next_steps(self) -> QuerySet[NextStep]:
        """Next steps hang from a pairing, a pilot, an agreement or an event; each is shown
        when what it hangs from is."""
        # Correlated EXISTS checks, so that a page ordered by id reads next steps in that
        # order and stops when it is full, instead of sorting every visible one first.
        return NextStep.objects.filter(
            Exists(self.pairings().filter(pk=OuterRef("pairing_id")))
            | Exists(self.pilots().filter(pk=OuterRef("pilot_id")))
            | Exists(self.agreements().filter(pk=OuterRef("agreement_id")))
            | Exists(self.events().filter(pk=OuterRef("event_id"))))

    def events(self) -> QuerySet[Event]:
        """Events tied to a pairing in the selection (public ones only for the public)."""
        # A subquery of event ids, not a join: a join repeats an event once per pairing
        # and needs DISTINCT, which reads every matching row before the first page.
        tied = Event.pairings.through.objects.filter(pairing__in=self.pairings())
        events = Event.objects.filter(pk__in=tied.values("event_id"))
        if not self.reach[0] and self.public_only:
            events = events.filter(is_public=True)
        return events

    def places(self) -> QuerySet[Place]:
        """Every place, for an export of everything. Otherwise the places the selected
        pairings, actions, events and organisations name, with the regions and countries
        they lie in: a place's parent is always in the export with it."""
        if self.unrestricted:
            return Place.objects.all()
        # Each source of places is its own subquery, so that the database reads each once;
        # one query joining them all would multiply their rows into each other.
        named = Place.objects.filter(
            Q(pk__in=PairingMember.objects.filter(pairing__in=self.pairings())
              .values("place_id"))
            | Q(pk__in=Action.places.through.objects.filter(action__in=self.actions())
                .values("place_id"))
            | Q(pk__in=self.events().values("place_id"))
            | Q(pk__in=self.organisations().values("place_id")))
        return Place.objects.filter(Q(pk__in=named.values("pk"))
                                    | Q(pk__in=ancestors_of(named)))

    def organisations(self) -> QuerySet[Organisation]:
        """Every organisation, for an export of everything; otherwise those the selected
        pairings, actions and agreements name."""
        if self.unrestricted:
            return Organisation.objects.all()
        return Organisation.objects.filter(
            Q(pairing_memberships__pairing__in=self.pairings()) | Q(actions__in=self.actions())
            | Q(agreement_parties__agreement__in=self.agreements())).distinct()

    def people(self) -> QuerySet[Person]:
        """People whose details are public; everyone for those who see internal records."""
        if self.public_only:
            return Person.objects.filter(visibility=Visibility.PUBLIC)
        return Person.objects.all()

    def practices(self) -> QuerySet[Practice]:
        """Published practices for the public; a user's reach as the practice pages give it.
        Scoped to a programme or pairings, the practices linked to those pairings or their
        pilots."""
        from citycoop.practices.access import visible_practices

        practices = (Practice.objects.all() if self.reach[0]
                     else visible_practices(None if self.public_only else self.user))
        if self.programme is not None or self.pairing_slugs:
            practices = practices.filter(
                Q(pairings__in=self.pairings()) | Q(pilots__in=self.pilots())).distinct()
        return practices

    def needs(self) -> QuerySet[Need]:
        """Public needs (and those within the user's reach); scoped, those of the places of
        the selected pairings."""
        from citycoop.practices.access import visible_needs

        needs = (Need.objects.all() if self.reach[0]
                 else visible_needs(None if self.public_only else self.user))
        if self.programme is not None or self.pairing_slugs:
            needs = needs.filter(place__pairing_memberships__pairing__in=self.pairings()
                                 ).distinct()
        return needs

    def programmes(self) -> QuerySet[Programme]:
        if self.programme is not None:
            return Programme.objects.filter(pk=self.programme.pk)
        return Programme.objects.filter(pairings__in=self.pairings()).distinct()
