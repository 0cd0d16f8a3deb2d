"""Which columns of the XLSX export a re-import writes back, per record type, and how.

The export's columns (:mod:`citycoop.opendata.exporters.columns`) only read; this module
says, for each sheet, which of them are the record's own fields (``title``, ``status``,
``starts_text``...) and how each cell becomes a model value (:mod:`.sheet_kinds`). Every other
column is derived (counts, addresses, the ``_start``/``_end``/``_precision`` parts of a fuzzy
date, the parties as written) or a relation that moves the record elsewhere: a change there
is ignored, and the review says so.

The record a row hangs from (a pilot's pairing, an action's pilot, a next step's subject) is
read on new rows only: moving a record between pairings changes who may see it, which is a
decision for the workspace's pages, not for a spreadsheet cell.

Each sheet also names who may change or add its records
(:mod:`citycoop.accounts.permissions`) and the services that write them: every write is
audited and version-checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Max, Model
from django.http import Http404
from django.utils.translation import gettext as _

from citycoop.accounts import permissions as can
from citycoop.common.services import create_record, update_record
from citycoop.events.models import Event, EventKind
from citycoop.portfolio import models as portfolio
from citycoop.portfolio import services as portfolio_services
from citycoop.registry import models as registry
from citycoop.registry import services as registry_services

from .sheet_kinds import (
    FUZZY,
    LIST,
    NUMBER,
    REAL,
    TEXT,
    YES_NO,
    CellError,
    Choice,
    Keys,
    Kind,
    Relation,
    as_text,
    is_blank,
    whole_number,
)

Row = Mapping[str, Any]          # a sheet row: column name -> cell value
Many = dict[str, list[Any]]      # many-to-many sets to write, by relation name


@dataclass(frozen=True)
class Writable:
    column: str
    attribute: str       # the model attribute the parsed value is assigned to
    kind: Kind


def w(column: str, kind: Kind = TEXT, attribute: str = "") -> Writable:
    """A writable column; a fuzzy date's ``<name>_text`` column writes ``<name>``."""
    if not attribute:
        attribute = column.removesuffix("_text") if kind is FUZZY else column
    return Writable(column, attribute, kind)


def clearable(model: type[Model], writable: Writable) -> bool:
    """Whether the clear marker may empty this field: not a required one."""
    if not writable.kind.can_clear:
        return False
    try:
        model_field = model._meta.get_field(writable.attribute)
    except FieldDoesNotExist:
        return True  # a fuzzy date's attribute: every part of it is optional
    return bool(getattr(model_field, "blank", True))


# -- the record a new row hangs from ---------------------------------------------------------

def key_or_id(row: Row, column: str, model: type[Model], *, required: bool = True) -> Any:
    """The related record a new row names by key (``pairing``) or, failing that, by id
    (``pairing_id``)."""
    key, number = row.get(column), row.get(f"{column}_id")
    if not is_blank(key):
        found = model._default_manager.filter(slug=as_text(key)).first()
        if found is None:
            raise CellError(_("%(column)s: no %(type)s has the key “%(key)s”") % {
                "column": column, "type": model._meta.verbose_name, "key": as_text(key)})
        return found
    if not is_blank(number):
        found = model._default_manager.filter(pk=whole_number(number)).first()
        if found is None:
            raise CellError(_("%(column)s_id: no %(type)s has the id %(id)s") % {
                "column": column, "type": model._meta.verbose_name, "id": as_text(number)})
        return found
    if required:
        raise CellError(_("%(column)s: a new row needs the key of its %(type)s")
                        % {"column": column, "type": model._meta.verbose_name})
    return None


def no_parent(row: Row) -> dict[str, Any]:
    return {}


def pairing_parents(row: Row) -> dict[str, Any]:
    return {"programme": key_or_id(row, "programme", registry.Programme)}


def pilot_parents(row: Row) -> dict[str, Any]:
    return {"pairing": key_or_id(row, "pairing", portfolio.Pairing)}


def agreement_parents(row: Row) -> dict[str, Any]:
    return {"pairing": key_or_id(row, "pairing", portfolio.Pairing, required=False)}


def action_parents(row: Row) -> dict[str, Any]:
    """A pilot's key is unique within its pairing only: ``pairing`` and ``pilot`` together,
    or ``pilot_id``."""
    key = row.get("pilot")
    if is_blank(key):
        if is_blank(row.get("pilot_id")):
            raise CellError(_("pilot: a new action needs its pilot project (the pairing and "
                              "pilot keys, or pilot_id)"))
        return {"pilot": key_or_id(row, "pilot", portfolio.PilotProject)}
    pairing = key_or_id(row, "pairing", portfolio.Pairing)
    pilot = pairing.pilots.filter(slug=as_text(key)).first()
    if pilot is None:
        raise CellError(_("pilot: the pairing %(pairing)s has no pilot project with the key "
                          "“%(key)s”") % {"pairing": pairing.slug, "key": as_text(key)})
    return {"pilot": pilot}


SUBJECT_MODELS: dict[str, type[Model]] = {
    "pairing": portfolio.Pairing, "pilot": portfolio.PilotProject,
    "agreement": portfolio.Agreement, "event": Event}


def next_step_parents(row: Row) -> dict[str, Any]:
    """``subject_type`` and the subject's key (a pilot as pairing-key/pilot-key) or id."""
    kind = as_text(row.get("subject_type") or "")
    if kind not in SUBJECT_MODELS:
        raise CellError(_("subject_type: a new next step needs one of %(kinds)s")
                        % {"kinds": ", ".join(SUBJECT_MODELS)})
    model = SUBJECT_MODELS[kind]
    key, number = row.get("subject"), row.get("subject_id")
    found: Model | None = None
    if not is_blank(key) and kind == "pilot":
        pairing_key, _slash, pilot_key = as_text(key).partition("/")
        found = portfolio.PilotProject.objects.filter(pairing__slug=pairing_key,
                                                      slug=pilot_key).first()
    elif not is_blank(key):
        found = model._default_manager.filter(slug=as_text(key)).first()
    elif not is_blank(number):
        found = model._default_manager.filter(pk=whole_number(number)).first()
    else:
        raise CellError(_("subject: a new next step needs the key or id of what it hangs "
                          "from"))
    if found is None:
        raise CellError(_("subject: no %(type)s “%(key)s”") % {
            "type": model._meta.verbose_name, "key": as_text(key if key else number)})
    return {kind: found}


# -- who may change what -----------------------------------------------------------------

def allowed(check: Callable[[], Any]) -> bool:
    """A permissions helper's verdict: it raises 403, or 404 for what the user may not even
    see (both refuse the row, with the same words so that nothing internal is named)."""
    try:
        check()
    except (PermissionDenied, Http404):
        return False
    return True


def edits_pairing(user: Any, pairing: Any) -> bool:
    """A record under a pairing: that pairing's editors; outside any pairing: the
    programme team (managers and admins)."""
    if pairing is None:
        return can.can_manage_registry(user)
    return can.can_edit_pairing(user, pairing)


CHANGE_RIGHTS: dict[str, Callable[[Any, Any], bool]] = {
    "pairings": lambda u, r: allowed(lambda: can.access_pairing_for_edit(u, r.slug)),
    "pilots": lambda u, r: allowed(lambda: can.access_pilot_for_edit(u, r.pairing.slug,
                                                                      r.slug)),
    "actions": lambda u, r: allowed(lambda: can.access_action_for_edit(u, r.pk)),
    "agreements": lambda u, r: allowed(lambda: can.access_agreement_for_edit(u, r.slug)),
    "next_steps": lambda u, r: allowed(lambda: can.access_next_step_for_edit(u, r.pk)),
    "events": lambda u, r: allowed(lambda: can.access_event_for_edit(u, r.slug)),
    "organisations": lambda u, r: allowed(lambda: can.access_organisation_for_edit(u, r.slug)),
    "places": lambda u, r: allowed(lambda: can.access_place_for_edit(u, r.slug)),
    "people": lambda u, r: allowed(lambda: can.access_person_for_edit(u, r.pk)),
}

ADD_RIGHTS: dict[str, Callable[[Any, Any], bool]] = {
    "pairings": lambda u, r: can.manageable_programmes(u).filter(pk=r.programme_id).exists(),
    "pilots": lambda u, r: edits_pairing(u, r.pairing),
    "actions": lambda u, r: edits_pairing(u, r.pilot.pairing),
    "agreements": lambda u, r: edits_pairing(u, r.pairing),
    "next_steps": lambda u, r: edits_pairing(u, r.owning_pairing),
}


def may_change(record_type: str, user: Any, record: Model) -> bool:
    """``user=None`` is the command line's operator, who may change everything."""
    return user is None or CHANGE_RIGHTS[record_type](user, record)


def may_add(record_type: str, user: Any, record: Model) -> bool:
    if user is None:
        return True
    check = ADD_RIGHTS.get(record_type)
    # Events and the registry (organisations, places, people) touch every pairing.
    return check(user, record) if check else can.can_manage_registry(user)


# -- the writes --------------------------------------------------------------------------

Create = Callable[[dict[str, Any], Many, Any], Model]
Update = Callable[[Model, dict[str, Any], Many, Any, int], Model]


def generic_create(model: type[Model]) -> Create:
    return lambda values, many, user: create_record(model, values, acting_user=user,
                                                    many=many or None)


def generic_update(record: Model, values: dict[str, Any], many: Many, user: Any,
                   version: int) -> Model:
    return update_record(record, values, acting_user=user, expected_version=version,
                         many=many or None)


def update_action(record: Any, values: dict[str, Any], many: Many, user: Any,
                  version: int) -> Model:
    # The portfolio service changes an action's own fields; its places go through the
    # common write path, which takes many-to-many sets.
    if many:
        return generic_update(record, values, many, user, version)
    return portfolio_services.update_action(record, values, acting_user=user,
                                            expected_version=version)


@dataclass(frozen=True)
class RecordSheet:
    name: str                                   # the sheet, one of RECORD_TYPES
    model: type[Model]
    writable: tuple[Writable, ...]
    create: Create
    update: Update
    parents: Callable[[Row], dict[str, Any]] = no_parent
    ordered_within: str = ""    # new rows go last in this parent's list (``position``)
    parent_columns: tuple[str, ...] = ()    # what ``parents`` reads on new rows
    by_column: dict[str, Writable] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_column", {item.column: item for item in self.writable})

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def next_position(self, instance: Model, taken: dict[Any, int]) -> int:
        """The position after the last of the parent's list, counting rows added by the
        same file (``taken``), so that two new actions of a pilot do not share one."""
        parent = getattr(instance, self.ordered_within)
        key = (self.name, parent.pk)
        if key not in taken:
            last = (self.model._default_manager.filter(**{self.ordered_within: parent})
                    .aggregate(last=Max("position"))["last"])
            taken[key] = last if last is not None else 0
        taken[key] += 1
        return taken[key]


def status(choices: type[Any]) -> Writable:
    return w("status", Choice(choices))


SHEETS: dict[str, RecordSheet] = {sheet.name: sheet for sheet in (
    RecordSheet(
        "pairings", portfolio.Pairing,
        (w("slug"), w("label"), w("group"), w("number", NUMBER),
         status(portfolio.PairingStatus), w("starts_text", FUZZY), w("ends_text", FUZZY),
         w("summary"), w("is_public", YES_NO)),
        create=lambda v, m, u: portfolio_services.create_pairing(v, acting_user=u),
        update=lambda r, v, m, u, n: portfolio_services.update_pairing(
            r, v, acting_user=u, expected_version=n),  # type: ignore[arg-type]
        parents=pairing_parents, parent_columns=("programme", "programme_id")),
    RecordSheet(
        "pilots", portfolio.PilotProject,
        (w("slug"), w("number", NUMBER), w("title"), status(portfolio.PilotStatus),
         w("themes", Keys(registry.Theme)), w("summary"), w("position", NUMBER),
         w("is_public", YES_NO)),
        create=lambda v, m, u: portfolio_services.create_pilot(
            v, acting_user=u, themes=m.get("themes", ())),
        update=lambda r, v, m, u, n: portfolio_services.update_pilot(
            r, v, acting_user=u, expected_version=n,  # type: ignore[arg-type]
            themes=m.get("themes")),
        parents=pilot_parents, ordered_within="pairing",
        parent_columns=("pairing", "pairing_id")),
    RecordSheet(
        "actions", portfolio.Action,
        (w("position", NUMBER), w("topic"), w("text"), w("sub_items", LIST),
         w("kind", Choice(portfolio.ActionKind)), status(portfolio.ActionStatus),
         w("when_text", FUZZY), w("links", LIST), w("places", Keys(registry.Place))),
        create=lambda v, m, u: portfolio_services.create_action(
            v, acting_user=u, places=m.get("places", ())),
        update=update_action, parents=action_parents, ordered_within="pilot",
        parent_columns=("pairing", "pairing_id", "pilot", "pilot_id")),
    RecordSheet(
        "agreements", portfolio.Agreement,
        (w("slug"), w("title"), w("type", Choice(portfolio.AgreementType)),
         status(portfolio.AgreementStatus), w("signed_on_text", FUZZY),
         w("signed_at_event", Relation(Event)), w("counts_toward_kpi", YES_NO), w("text"),
         w("document_url"), w("is_public", YES_NO)),
        create=lambda v, m, u: portfolio_services.create_agreement(v, acting_user=u),
        update=lambda r, v, m, u, n: portfolio_services.update_agreement(
            r, v, acting_user=u, expected_version=n),  # type: ignore[arg-type]
        parents=agreement_parents, parent_columns=("pairing", "pairing_id")),
    RecordSheet(
        "next_steps", portfolio.NextStep,
        (w("text"), w("owner_id", Relation(registry.Person, "pk"), "owner"),
         w("owner_text"), w("due_text", FUZZY), status(portfolio.NextStepStatus)),
        create=lambda v, m, u: portfolio_services.create_next_step(v, acting_user=u),
        update=generic_update, parents=next_step_parents,
        parent_columns=("subject_type", "subject", "subject_id")),
    RecordSheet(
        "events", Event,
        (w("slug"), w("title"), w("kind", Choice(EventKind)), w("when_text", FUZZY),
         w("place", Relation(registry.Place)), w("organisers", Keys(registry.Organisation)),
         w("capacity", NUMBER), w("description"), w("link"), w("registration_open", YES_NO),
         w("is_public", YES_NO)),
        create=generic_create(Event), update=generic_update),
    RecordSheet(
        "organisations", registry.Organisation,
        (w("slug"), w("name"), w("acronym"), w("aliases", LIST),
         w("type", Choice(registry.OrganisationType)), w("country"),
         w("place", Relation(registry.Place)), w("website"),
         w("parent", Relation(registry.Organisation)), w("description")),
        create=lambda v, m, u: registry_services.create_organisation(v, acting_user=u),
        update=lambda r, v, m, u, n: registry_services.update_organisation(
            r, v, acting_user=u, expected_version=n)),  # type: ignore[arg-type]
    RecordSheet(
        "places", registry.Place,
        (w("slug"), w("name"), w("kind", Choice(registry.PlaceKind)), w("country"),
         w("parent", Relation(registry.Place)), w("latitude", REAL), w("longitude", REAL),
         w("population", NUMBER), w("geonames_id", NUMBER), w("aliases", LIST)),
        create=lambda v, m, u: registry_services.create_place(v, acting_user=u),
        update=lambda r, v, m, u, n: registry_services.update_place(
            r, v, acting_user=u, expected_version=n)),  # type: ignore[arg-type]
    RecordSheet(
        "people", registry.Person,
        (w("name"), w("title"), w("position"), w("organisation",
                                                 Relation(registry.Organisation)),
         w("email"), w("phone"), w("visibility", Choice(registry.Visibility))),
        create=lambda v, m, u: registry_services.create_person(v, acting_user=u),
        update=generic_update),
)}
