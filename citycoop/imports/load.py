"""Apply a reviewed report: write the accepted items through the services, in one transaction,
with the provenance of every field. Running it again on the same report writes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record, upsert_record
from citycoop.portfolio import services as portfolio
from citycoop.portfolio.models import ActionOrganisation, PairingMember
from citycoop.registry import services as registry
from citycoop.registry.models import Programme
from citycoop.reports.models import KpiSnapshot

from .models import Provenance, SourceDocument
from .review import CHANGED, NEW, SKIPPED, Item, Review


@dataclass
class ApplyReport:
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, item: Item, outcome: str) -> None:
        self.outcomes[(item.kind, outcome)] += 1

    @property
    def written(self) -> int:
        return sum(n for (_, outcome), n in self.outcomes.items()
                   if outcome in {"created", "updated"})


class Applier:
    def __init__(self, review: Review, acting_user: User | None,
                 accepted: Iterable[str] | None) -> None:
        self.review = review
        self.user = acting_user
        self.accepted = set(accepted) if accepted is not None else None
        self.records: dict[str, Any] = {}
        self.report = ApplyReport()
        self.document: SourceDocument | None = None
        self.current: Item | None = None  # the item being written, named if it fails

    def run(self) -> ApplyReport:
        for item in self.review.ordered():
            self.current = item
            self.apply(item)
        return self.report

    def is_accepted(self, item: Item) -> bool:
        return self.accepted is None or item.key in self.accepted

    def apply(self, item: Item) -> None:
        if item.status == SKIPPED:
            return
        missing = [need for need in item.needs if need not in self.records]
        if missing or (not self.is_accepted(item) and item.status == NEW):
            self.report.add(item, "skipped")
            return
        if item.writes and self.is_accepted(item):
            record = getattr(self, f"write_{item.kind}")(item)
            self.report.add(item, "created" if item.status == NEW else "updated")
        else:
            record = item.record
            self.report.add(item, "unchanged")
        self.records[item.key] = record
        if item.kind == "source":
            self.document = record
        self.cite(item, record)

    # -- one writer per kind ------------------------------------------------------------------

    def write_programme(self, item: Item) -> Programme:
        return registry.create_programme(item.values, acting_user=self.user)

    def write_source(self, item: Item) -> SourceDocument:
        values = dict(item.values)
        record: Any
        if item.record is None:
            record = create_record(SourceDocument, values, acting_user=self.user)
        else:
            record = update_record(item.record, {"sha256": values["sha256"],
                                                 "format": values["format"]},
                                   acting_user=self.user, expected_version=None)
        record.file.save(self.review.document.source or "report", ContentFile(self.review.data),
                         save=True)
        return record

    def write_place(self, item: Item) -> Any:
        return registry.create_place(item.values, acting_user=self.user)

    def write_organisation(self, item: Item) -> Any:
        if item.record is None:
            return registry.create_organisation(item.values, acting_user=self.user)
        return self.update(item)

    def write_person(self, item: Item) -> Any:
        return registry.create_person(item.values, acting_user=self.user)

    def write_pairing(self, item: Item) -> Any:
        pairing = portfolio.create_pairing(
            {**item.values, "programme": self.records["programme"]}, acting_user=self.user)
        for position, member in enumerate(item.many.get("members", []), start=1):
            key, side = member.rsplit("|", 1)
            record = self.records[key]
            kind = "place" if key.startswith("place:") else "organisation"
            create_record(PairingMember, {"pairing": pairing, kind: record, "side": side,
                                          "role": "lead" if position == 1 else "partner",
                                          "label": record.name, "position": position},
                          acting_user=self.user)
        return pairing

    def write_pilot(self, item: Item) -> Any:
        pairing = self.records[item.many["pairing"][0]]
        position = (pairing.pilots.aggregate(n=Max("position"))["n"] or 0) + 1
        return portfolio.create_pilot({**item.values, "pairing": pairing, "position": position},
                                      acting_user=self.user)

    def write_action(self, item: Item) -> Any:
        if item.record is not None:
            return self.update(item)
        pilot = self.records[item.many["pilot"][0]]
        position = (pilot.actions.aggregate(n=Max("position"))["n"] or 0) + 1
        action = portfolio.create_action(
            {**item.values, "pilot": pilot, "position": position},
            places=[self.records[k] for k in item.many.get("places", [])],
            acting_user=self.user)
        for key in dict.fromkeys(item.many.get("organisations", [])):
            create_record(ActionOrganisation, {"action": action,
                                               "organisation": self.records[key]},
                          acting_user=self.user)
        return action

    def write_agreement(self, item: Item) -> Any:
        if item.record is not None:
            return self.update(item)
        pairing_keys = item.many.get("pairing") or []
        pairing = self.records.get(pairing_keys[0]) if pairing_keys else None
        return portfolio.create_agreement({**item.values, "pairing": pairing},
                                          acting_user=self.user)

    def write_figure(self, item: Item) -> Any:
        if item.record is not None:
            return self.update(item)
        values = {**item.values, "value": Decimal(item.values["value"]),
                  "programme": self.records["programme"], "source": self.document}
        return create_record(KpiSnapshot, values, acting_user=self.user)

    def update(self, item: Item) -> Any:
        assert item.record is not None, "only an existing record is updated"
        changes = {name: new for name, (_, new) in item.changes.items()}
        if "when_text" in changes:
            changes["when"] = changes.pop("when_text")
        return update_record(item.record, changes, acting_user=self.user, expected_version=None)

    # -- provenance ----------------------------------------------------------------------------

    def cite(self, item: Item, record: models.Model | None) -> None:
        if record is None or self.document is None or item.kind in {"programme", "source"}:
            return
        written = item.values if item.status == NEW else {n: new for n, (_, new) in
                                                         item.changes.items()}
        content_type = ContentType.objects.get_for_model(type(record))
        text = self.review.document.text
        for name, (start, end) in item.spans.items():
            field_name = name if not name.startswith("mention") else "name"
            value = written.get(field_name)
            lookup = {"document": self.document, "content_type": content_type,
                      "object_id": record.pk, "field": field_name}
            existing = Provenance.objects.filter(**lookup).first()
            if existing is not None and value is None:
                continue  # keep what an earlier import recorded
            upsert_record(Provenance, lookup, {
                "start": start, "end": end, "excerpt": text[start:end][:2000],
                "value": plain(value) if value is not None else None,
            }, acting_user=self.user)


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, str | int | float | bool | list | dict) else str(value)


def apply_review(review: Review, *, acting_user: User | None = None,
                 accepted: Iterable[str] | None = None) -> ApplyReport:
    """Write the review's new and changed items (all of them, or those ``accepted``).

    All or nothing: an item the records refuse (a name longer than its field, say) rolls the
    whole import back and raises ValidationError naming the item and the reason."""
    applier = Applier(review, acting_user, accepted)
    try:
        with transaction.atomic():
            return applier.run()
    except ValidationError as error:
        raise refused(applier.current, error) from error


def refused(item: Item | None, error: ValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        reason = "; ".join(" ".join(messages) if name == NON_FIELD_ERRORS else
                           f"{name}: {' '.join(messages)}"
                           for name, messages in error.message_dict.items())
    else:
        reason = " ".join(error.messages)
    label = item.label if item is not None else ""
    return ValidationError(_("Nothing was written: the %(kind)s “%(label)s” cannot be saved "
                             "(%(reason)s).") % {
        "kind": item.kind if item is not None else _("record"),
        "label": label if len(label) <= 80 else label[:79] + "…", "reason": reason})


__all__ = ["CHANGED", "NEW", "ApplyReport", "apply_review"]
