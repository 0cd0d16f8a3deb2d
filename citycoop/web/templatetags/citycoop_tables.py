"""Template filters for tables drawn from chart data."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def columns(data: dict[str, Any], names: str) -> list[tuple[Any, ...]]:
    """The rows of the lists ``data`` holds under the comma-separated ``names``, side by side:
    ``{"labels": [a, b], "values": [1, 2]}|columns:"labels,values"`` gives (a, 1), (b, 2).
    A template matching each label to its value by position would loop over every pair."""
    return list(zip(*(data[name.strip()] for name in names.split(",")), strict=True))
