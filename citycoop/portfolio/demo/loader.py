"""Loads a portfolio fixture (see FORMAT.md) through the services, idempotently.

Every record is found again by its key, so a second load compares values and writes nothing
when nothing differs. The whole load is one transaction: a fixture with a bad reference or an
invalid value leaves the database as it was.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.text import capfirst

from citycoop.accounts.models import User
from citycoop.common.services import sync_children, upsert_record
from citycoop.events.models import Event
from citycoop.imports.models import Provenance, SourceDocument
from citycoop.lib.fuzzydate import parse_or_unknown
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.registry.models import Organisation, Person, Place, Programme, Theme
from citycoop.registry.services import gazetteer_values
from citycoop.reports.models import KpiSnapshot

from . import DEMO_FIXTURE


class FixtureError(ValueError):
    """The fixture names something it does not define, or holds an invalid value."""


@dataclass
class LoadReport:
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, model: type[models.Model], outcome: str) -> None:
        self.outcomes[(capfirst(str(model._meta.verbose_name_plural)), outcome)] += 1

    @property
    def changed(self) -> int:
        return sum(n for (_, outcome), n in self.outcomes.items() if outcome != "same")

    def lines(self) -> list[str]:
        by_model: dict[str, Counter[str]] = defaultdict(Counter)
        for (model, outcome), n in self.outcomes.items():
            by_model[model][outcome] += n
        return [
            f"{model}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            for model, counts in sorted(by_model.items())
        ]


def fuzzy(text: str | None) -> Any:
    return parse_or_unknown(text) if text and str(text).strip() else None


class PortfolioLoader:
    def __init__(self, data: Mapping[str, Any], *, acting_user: User | None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.data = data
        self.acting_user = acting_user
        self.progress = progress or (lambda step: None)
        self.report = LoadReport()
        self.keys: dict[type[models.Model], dict[str, Any]] = defaultdict(dict)
        self.source: SourceDocument | None = None
        self.event_pilots: dict[str, list[PilotProject]] = defaultdict(list)

    # -- helpers -----------------------------------------------------------------------------

    def upsert(self, model: type[models.Model], lookup: Mapping[str, Any],
               values: Mapping[str, Any], many: Mapping[str, Iterable[Any]] | None = None) -> Any:
        record, outcome = upsert_record(model, lookup, values, acting_user=self.acting_user,
                                        many=many)
        self.report.add(model, outcome)
        return record

    def ref(self, model: type[models.Model], key: str | None) -> Any:
        if key is None or key == "":
            return None
        try:
            return self.keys[model][key]
        except KeyError:
            raise FixtureError(
                f"{model._meta.verbose_name} {key!r} is referred to but not defined in the fixture"
            ) from None

    def refs(self, model: type[models.Model], keys: Iterable[str] | None) -> list[Any]:
        return [self.ref(model, key) for key in keys or []]

    def cite(self, record: models.Model, field_name: str, excerpt: str) -> None:
        """Provenance: this field of this record came from the fixture's source document."""
        if self.source is None or not excerpt:
            return
        self.upsert(Provenance, {
            "document": self.source,
            "content_type": ContentType.objects.get_for_model(type(record)),
            "object_id": record.pk,
            "field": field_name,
        }, {"excerpt": excerpt})

    # -- sections, in dependency order ---------------------------------------------------------

    def run(self) -> LoadReport:
        steps = [
            ("source", self.load_source), ("programmes", self.load_programmes),
            ("themes", self.load_themes), ("places", self.load_places),
            ("organisations", self.load_organisations), ("people", self.load_people),
            ("pairings", self.load_pairings), ("events", self.load_events),
            ("agreements", self.load_agreements), ("kpi_snapshots", self.load_snapshots),
        ]
        for name, step in steps:
            self.progress(name)
            step()
        return self.report

    def load_source(self) -> None:
        item = self.data.get("source")
        if not item:
            return
        self.source = self.upsert(SourceDocument, {"slug": item["key"]}, {
            "title": item["title"], "format": item.get("format", "html"),
            "url": item.get("url", ""), "published": str(item.get("published", "")),
        })

    def load_programmes(self) -> None:
        for item in self.data.get("programmes", []):
            self.keys[Programme][item["key"]] = self.upsert(Programme, {"slug": item["key"]}, {
                "name": item["name"], "short_name": item.get("short_name", ""),
                "description": item.get("description", ""), "funder": item.get("funder", ""),
                "website": item.get("website", ""), "starts": fuzzy(item.get("starts")),
                "ends": fuzzy(item.get("ends")),
                "predecessor": self.ref(Programme, item.get("predecessor")),
            })

    def load_themes(self) -> None:
        for item in self.data.get("themes", []):
            self.keys[Theme][item["key"]] = self.upsert(Theme, {"slug": item["key"]}, {
                "name": item["name"], "parent": self.ref(Theme, item.get("parent")),
                "description": item.get("description", ""), "sdgs": list(item.get("sdgs", [])),
                "dac_codes": [str(code) for code in item.get("dac", [])],
            })

    def load_places(self) -> None:
        for item in self.data.get("places", []):
            country = item["country"]
            values = gazetteer_values(item["name"], country=country, kind=item["kind"])
            values.update({
                "name": item["name"], "kind": item["kind"], "country": country,
                "parent": self.ref(Place, item.get("parent")),
                "aliases": list(item.get("aliases", [])),
            })
            values["other_names"] = {**values.get("other_names", {}), **item.get("names", {})}
            for given in ("latitude", "longitude", "population"):
                if item.get(given) is not None:
                    values[given] = item[given]
            self.keys[Place][item["key"]] = self.upsert(Place, {"slug": item["key"]}, values)

    def load_organisations(self) -> None:
        items = self.data.get("organisations", [])
        # A parent listed after its unit is set in a second pass, once it exists.
        later = []
        for item in items:
            parent_key = item.get("parent")
            known = not parent_key or parent_key in self.keys[Organisation]
            self.keys[Organisation][item["key"]] = self.upsert(
                Organisation, {"slug": item["key"]}, {
                    "name": item["name"], "acronym": item.get("acronym", "") or "",
                    "aliases": list(item.get("aliases", [])), "type": item["type"],
                    "country": item.get("country", "") or "",
                    "place": self.ref(Place, item.get("place")),
                    "website": item.get("website", "") or "",
                    "description": item.get("description", "") or "",
                    **({"parent": self.ref(Organisation, parent_key)} if known else {}),
                })
            if not known:
                later.append(item)
        for item in later:
            self.keys[Organisation][item["key"]] = self.upsert(
                Organisation, {"slug": item["key"]},
                {"parent": self.ref(Organisation, item["parent"])})

    def load_people(self) -> None:
        for item in self.data.get("people", []):
            lookup = ({"email": item["email"]} if item.get("email")
                      else {"name": item["name"], "organisation": self.ref(
                          Organisation, item.get("organisation"))})
            self.keys[Person][item["key"]] = self.upsert(Person, lookup, {
                "name": item["name"], "title": item.get("title", ""),
                "position": item.get("position", ""),
                "organisation": self.ref(Organisation, item.get("organisation")),
                "phone": item.get("phone", ""), "visibility": item.get("visibility", "internal"),
            })

    def load_pairings(self) -> None:
        for item in self.data.get("pairings", []):
            pairing = self.upsert(Pairing, {"slug": item["key"]}, {
                "programme": self.ref(Programme, item["programme"]), "label": item["label"],
                "group": item.get("group", ""), "number": item.get("number"),
                "status": item.get("status", "active"), "summary": item.get("summary", ""),
                "starts": fuzzy(item.get("starts")), "ends": fuzzy(item.get("ends")),
            }, many={"also_in": self.refs(Programme, item.get("also_in"))})
            self.keys[Pairing][item["key"]] = pairing
            self.load_members(pairing, item.get("members", []))
            pilots = [self.load_pilot(pairing, position, pilot)
                      for position, pilot in enumerate(item.get("pilots", []), start=1)]
            sync_children(pairing.pilots.all(), pilots, acting_user=self.acting_user)
            self.load_next_steps({"pairing": pairing}, item.get("next_steps", []))

    def load_members(self, pairing: Pairing, items: list[dict[str, Any]]) -> None:
        kept = []
        for position, item in enumerate(items, start=1):
            place = self.ref(Place, item.get("place"))
            organisation = self.ref(Organisation, item.get("organisation"))
            lookup = {"pairing": pairing, "place": place} if place else {
                "pairing": pairing, "organisation": organisation}
            kept.append(self.upsert(PairingMember, lookup, {
                "place": place, "organisation": organisation, "side": item["side"],
                "role": item.get("role", "partner"), "label": item.get("label", ""),
                "position": position,
            }))
        sync_children(pairing.members.all(), kept, acting_user=self.acting_user)

    def load_pilot(self, pairing: Pairing, position: int, item: Mapping[str, Any]) -> PilotProject:
        pilot = self.upsert(PilotProject, {"pairing": pairing, "slug": item["key"]}, {
            "number": item.get("number"), "title": item["title"],
            "status": item.get("status", "active"), "summary": item.get("summary", ""),
            "position": position,
        }, many={"themes": self.refs(Theme, item.get("themes"))})
        self.keys[PilotProject][f"{pairing.slug}/{item['key']}"] = pilot
        self.cite(pilot, "title", item["title"])
        for event_key in item.get("events", []):
            self.event_pilots[event_key].append(pilot)
        actions = [self.load_action(pilot, n, action)
                   for n, action in enumerate(item.get("actions", []), start=1)]
        sync_children(pilot.actions.all(), actions, acting_user=self.acting_user)
        self.load_next_steps({"pilot": pilot}, item.get("next_steps", []))
        return pilot

    def load_action(self, pilot: PilotProject, position: int, item: Mapping[str, Any]) -> Action:
        action = self.upsert(Action, {"pilot": pilot, "position": position}, {
            "text": item["text"], "topic": item.get("topic", "") or "",
            "kind": item.get("kind", "cooperation"), "status": item.get("status", "ongoing"),
            "when": fuzzy(item.get("when")), "links": list(item.get("links", [])),
            "sub_items": list(item.get("sub_items", [])),
        }, many={"places": self.refs(Place, item.get("places"))})
        self.cite(action, "text", item["text"])
        roles = [
            self.upsert(ActionOrganisation, {
                "action": action, "organisation": self.ref(Organisation, org["key"])}, {
                "role": org.get("role", "partner"), "as_written": org.get("as_written", ""),
            })
            for org in item.get("organisations", [])
        ]
        sync_children(action.roles.all(), roles, acting_user=self.acting_user)
        return action

    def load_next_steps(self, subject: Mapping[str, Any], items: list[dict[str, Any]]) -> None:
        kept = [
            self.upsert(NextStep, {**subject, "text": item["text"]}, {
                "due": fuzzy(item.get("due")), "owner": self.ref(Person, item.get("owner")),
                "owner_text": item.get("owner_text", "") or "",
                "status": item.get("status", "open"),
            })
            for item in items
        ]
        sync_children(NextStep.objects.filter(**subject), kept, acting_user=self.acting_user)

    def load_events(self) -> None:
        for item in self.data.get("events", []):
            pilots = self.event_pilots.get(item["key"], [])
            pairings = sorted({pilot.pairing_id for pilot in pilots})
            self.keys[Event][item["key"]] = self.upsert(Event, {"slug": item["key"]}, {
                "title": item["title"], "kind": item["kind"], "when": fuzzy(item.get("when")),
                "place": self.ref(Place, item.get("place")), "link": item.get("link", "") or "",
                "description": item.get("description", "") or "",
                "capacity": item.get("capacity"),
            }, many={
                "organisers": self.refs(Organisation, item.get("organisers")),
                "pairings": pairings + [self.ref(Pairing, key).pk
                                        for key in item.get("pairings", [])],
                "pilots": [pilot.pk for pilot in pilots],
            })
        missing = set(self.event_pilots) - set(self.keys[Event])
        if missing:
            raise FixtureError(f"pilots refer to events not defined: {sorted(missing)}")

    def load_agreements(self) -> None:
        for item in self.data.get("agreements", []):
            agreement = self.upsert(Agreement, {"slug": item["key"]}, {
                "title": item["title"], "type": item.get("type", "mou"), "status": item["status"],
                "pairing": self.ref(Pairing, item.get("pairing")),
                "signed_on": fuzzy(item.get("signed_on")),
                "signed_at_event": self.ref(Event, item.get("signed_at_event")),
                "counts_toward_kpi": item.get("counts_toward_kpi", True),
                "text": item.get("text", "") or "",
            }, many={"pilots": self.refs(PilotProject, item.get("pilots"))})
            self.keys[Agreement][item["key"]] = agreement
            self.cite(agreement, "text", item.get("text", ""))
            parties = []
            for party in item.get("parties", []):
                place = self.ref(Place, party.get("place"))
                organisation = self.ref(Organisation, party.get("organisation"))
                lookup = ({"agreement": agreement, "place": place} if place
                          else {"agreement": agreement, "organisation": organisation})
                parties.append(self.upsert(AgreementParty, lookup, {
                    "place": place, "organisation": organisation, "side": party["side"],
                    "label": party.get("label", ""),
                }))
            sync_children(agreement.parties.all(), parties, acting_user=self.acting_user)
            self.load_next_steps({"agreement": agreement}, item.get("next_steps", []))

    def load_snapshots(self) -> None:
        for item in self.data.get("kpi_snapshots", []):
            as_of = fuzzy(str(item["as_of"]))
            snapshot = self.upsert(KpiSnapshot, {
                "programme": self.ref(Programme, item["programme"]), "name": item["name"],
                "as_of_text": as_of.text if as_of else "", "source": self.source,
            }, {
                "label": item["label"], "group": item.get("group", ""),
                "value": Decimal(str(item["value"])).quantize(Decimal("0.01")),
                "more_than": bool(item.get("more_than", False)), "as_of": as_of,
                "source_text": item.get("source_text", ""),
            })
            self.cite(snapshot, "value", item.get("source_text", ""))


def load_portfolio(path: Path = DEMO_FIXTURE, *, acting_user: User | None = None,
                   progress: Callable[[str], None] | None = None) -> LoadReport:
    """Load a portfolio fixture in one transaction and report what was created or changed."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FixtureError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise FixtureError(f"{path} does not hold a portfolio (expected a mapping of sections)")
    with transaction.atomic():
        return PortfolioLoader(data, acting_user=acting_user, progress=progress).run()
