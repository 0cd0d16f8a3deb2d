"""Addresses of the Django admin's pages, for the tests that drive it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.test import Client
from django.urls import reverse


def admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    """The admin's ``view`` page ("changelist", "add", "change", "delete") for ``model``."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def delete_selected(client: Client, records: list[Any]) -> None:
    """The changelist's "delete selected" action on ``records``: the confirmation, then yes."""
    url = admin_url(type(records[0]), "changelist")
    data = {"action": "delete_selected", "_selected_action": [r.pk for r in records]}
    confirmation = client.post(url, data)
    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()
    answer = client.post(url, {**data, "post": "yes"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
