"""Writes to the registry. Every one is atomic, audited and version-checked (common.services)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from citycoop.accounts.models import User
from citycoop.common.models import TrashedRecord
from citycoop.common.services import create_record, update_record
from citycoop.common.trash import soft_delete
from citycoop.lib.geo import PlaceMatch, get_gazetteer

from .models import Organisation, Person, Place, PlaceKind, Programme, Theme


def locate_place(name: str, *, country: str | None = None,
                 kind: str | None = None) -> PlaceMatch | None:
    """The gazetteer's best match for a place name, exact or fuzzy (the score says which)."""
    kinds = None
    if kind in {PlaceKind.COUNTRY}:
        kinds = {"country"}
    return get_gazetteer().resolve(name, country=country, kinds=kinds)


def gazetteer_values(name: str, *, country: str | None, kind: str | None) -> dict[str, Any]:
    """Coordinates, population and ids for a place, from the gazetteer when it knows it.

    A fuzzy match is kept visibly (``gazetteer_match`` and ``gazetteer_score``), never silently
    taken as the same name.
    """
    match = locate_place(name, country=country, kind=kind)
    if match is None or (country and match.entry.country != country):
        return {}
    entry = match.entry
    values: dict[str, Any] = {
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "population": entry.population,
        "geonames_id": entry.geonames_id,
        "gazetteer_score": round(match.score, 1),
        "gazetteer_match": "" if match.exact else entry.name,
    }
    if entry.other_names:
        values["other_names"] = dict(entry.other_names)
    return {key: value for key, value in values.items() if value is not None}


def create_place(values: Mapping[str, Any], *, acting_user: User | None) -> Place:
    found = gazetteer_values(values["name"], country=values.get("country"), kind=values.get("kind"))
    return create_record(Place, {**found, **values}, acting_user=acting_user)


def update_place(place: Place, changes: Mapping[str, Any], *, acting_user: User | None,
                 expected_version: int | None) -> Place:
    return update_record(place, changes, acting_user=acting_user, expected_version=expected_version)


def create_organisation(values: Mapping[str, Any], *, acting_user: User | None) -> Organisation:
    return create_record(Organisation, values, acting_user=acting_user)


def update_organisation(organisation: Organisation, changes: Mapping[str, Any], *,
                        acting_user: User | None, expected_version: int | None) -> Organisation:
    return update_record(organisation, changes, acting_user=acting_user,
                         expected_version=expected_version)


def delete_organisation(organisation: Organisation, *,
                        acting_user: User | None) -> TrashedRecord:
    """Delete the organisation into the trash, restorable for 30 days. Refused
    (``TrashRefused``) while pairings, actions or agreements name it: merge it instead."""
    return soft_delete(organisation, acting_user=acting_user)


def create_person(values: Mapping[str, Any], *, acting_user: User | None) -> Person:
    return create_record(Person, values, acting_user=acting_user)


def create_programme(values: Mapping[str, Any], *, acting_user: User | None) -> Programme:
    return create_record(Programme, values, acting_user=acting_user)


def create_theme(values: Mapping[str, Any], *, acting_user: User | None) -> Theme:
    return create_record(Theme, values, acting_user=acting_user)
