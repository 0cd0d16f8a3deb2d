"""Writes to the portfolio: pairings, pilots, actions, agreements, next steps.

Each function is atomic, audited and version-checked through :mod:`citycoop.common.services`;
views, the API, the command line, the importer and the tests all write through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from citycoop.accounts.models import User
from citycoop.common.models import TrashedRecord
from citycoop.common.services import create_record, update_record
from citycoop.common.trash import soft_delete

from .models import Action, Agreement, NextStep, NextStepStatus, Pairing, PilotProject


def create_pairing(values: Mapping[str, Any], *, acting_user: User | None) -> Pairing:
    return create_record(Pairing, values, acting_user=acting_user)


def update_pairing(pairing: Pairing, changes: Mapping[str, Any], *, acting_user: User | None,
                   expected_version: int | None) -> Pairing:
    return update_record(pairing, changes, acting_user=acting_user,
                         expected_version=expected_version)


def delete_pairing(pairing: Pairing, *, acting_user: User | None) -> TrashedRecord:
    """Delete the pairing with its pilots, actions, members and links, keeping them all in
    the trash to be restored (``citycoop.common.trash.restore``) for 30 days."""
    return soft_delete(pairing, acting_user=acting_user)


def create_pilot(values: Mapping[str, Any], *, acting_user: User | None,
                 themes: Iterable[Any] = ()) -> PilotProject:
    return create_record(PilotProject, values, acting_user=acting_user,
                         many={"themes": list(themes)})


def update_pilot(pilot: PilotProject, changes: Mapping[str, Any], *, acting_user: User | None,
                 expected_version: int | None, themes: Iterable[Any] | None = None) -> PilotProject:
    many = {"themes": list(themes)} if themes is not None else None
    return update_record(pilot, changes, acting_user=acting_user,
                         expected_version=expected_version, many=many)


def create_action(values: Mapping[str, Any], *, acting_user: User | None,
                  places: Iterable[Any] = ()) -> Action:
    return create_record(Action, values, acting_user=acting_user, many={"places": list(places)})


def update_action(action: Action, changes: Mapping[str, Any], *, acting_user: User | None,
                  expected_version: int | None) -> Action:
    return update_record(action, changes, acting_user=acting_user,
                         expected_version=expected_version)


def create_agreement(values: Mapping[str, Any], *, acting_user: User | None,
                     pilots: Iterable[Any] = ()) -> Agreement:
    return create_record(Agreement, values, acting_user=acting_user, many={"pilots": list(pilots)})


def update_agreement(agreement: Agreement, changes: Mapping[str, Any], *,
                     acting_user: User | None, expected_version: int | None) -> Agreement:
    return update_record(agreement, changes, acting_user=acting_user,
                         expected_version=expected_version)


def create_next_step(values: Mapping[str, Any], *, acting_user: User | None) -> NextStep:
    return create_record(NextStep, values, acting_user=acting_user)


def complete_next_step(step: NextStep, *, acting_user: User | None,
                       expected_version: int | None) -> NextStep:
    return update_record(step, {"status": NextStepStatus.DONE}, acting_user=acting_user,
                         expected_version=expected_version)
