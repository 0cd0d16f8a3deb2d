"""Addresses of the Django admin's pages, for the tests that drive it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse


def admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    """The admin's ``view`` page ("changelist", "add", "change", "delete") for ``model``."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
