"""Personas and helpers for the workspace's create and edit pages.

Test modules load these with ``pytest_plugins = ["tests.workspace_fixtures"]``. The personas
sit on the demo portfolio: a coordinator and a member of Lyon – Guangzhou, a coordinator of
another pairing; conftest.py gives the admin, the programme manager and the outsider.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

OWN_PAIRING = "lyon-guangzhou"
OTHER_PAIRING = "barcelona-wuhan-chengdu"


def pairing_persona(username: str, role: str, slug: str) -> Any:
    from citycoop.accounts.models import Membership, User
    from citycoop.portfolio.models import Pairing

    user = User.objects.create_user(username, password="a-long-test-password")
    Membership.objects.create(user=user, role=role, pairing=Pairing.objects.get(slug=slug))
    return user


@pytest.fixture
def coordinator(demo: Any) -> Any:
    """Coordinates Lyon – Guangzhou only."""
    return pairing_persona("coordinator", "coordinator", OWN_PAIRING)


@pytest.fixture
def member(demo: Any) -> Any:
    """Reads Lyon – Guangzhou, changes nothing."""
    return pairing_persona("member", "member", OWN_PAIRING)


@pytest.fixture
def other_coordinator(demo: Any) -> Any:
    """Coordinates Barcelona – Wuhan / Chengdu, not Lyon – Guangzhou."""
    return pairing_persona("other-coordinator", "coordinator", OTHER_PAIRING)


@pytest.fixture
def lyon_step(demo: Any, admin_user: Any) -> Any:
    """An open next step of a Lyon – Guangzhou pilot (the demo gives that pairing none)."""
    from citycoop.portfolio.models import Pairing
    from citycoop.portfolio.services import create_next_step

    pilot = Pairing.objects.get(slug=OWN_PAIRING).pilots.get(number=1)
    return create_next_step({"pilot": pilot, "text": "Invite the Guangzhou cluster to Lyon",
                             "owner_text": "Lyon team", "due": "Sept 2016"},
                            acting_user=admin_user)


def posted(form: Any) -> dict[str, Any]:
    """What a browser would send back for a page's form untouched: every field as shown,
    with the rows of its formsets and their management data."""
    parts = [form]
    for formset in getattr(form, "formsets", []):
        parts.append(formset.management_form)
        parts.extend(formset.forms)
    data: dict[str, Any] = {}
    for part in parts:
        for bound in part:
            value = bound.value()
            if isinstance(bound.field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value
    return data


def page_form(client: Any, url: str) -> dict[str, Any]:
    """Open a create or edit page and return its form's data, ready to change and post."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return posted(response.context["form"])


def audit_entries(record: Any, action: str, user: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from citycoop.accounts.models import AuditEntry

    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                     object_id=str(record.pk), action=action, actor=user)
