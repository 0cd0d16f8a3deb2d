"""Names of places in the reader's language: 天津 rather than Tianjin on a Chinese page.

Load with ``{% load citycoop_names %}``, then ``{{ place|local_name }}`` or
``{{ place|bilingual }}``. Both accept a Place, an Organisation or anything with a ``name``.
``{{ code|country }}`` names a country by its ISO code.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from citycoop.common.countries import country_name

register = template.Library()

# Place.other_names is keyed by bare ISO 639-1 codes ("zh"), while the interface's codes carry
# a script ("zh-hans"). The "zh" names are written in simplified characters, so only the
# simplified interface may read them; a traditional one would need its own "zh-hant" entries.
NAME_KEYS = {"zh-hans": ("zh-hans", "zh")}


def _names(record: Any) -> tuple[str, str]:
    """(name in the active language, English name); the two are equal when none is recorded."""
    if record is None:
        return "", ""
    name = getattr(record, "name", None) or str(record)
    # Organisations have no other_names, only aliases (spelling variants of unknown language):
    # they keep the name they were recorded under.
    other_names = getattr(record, "other_names", None) or {}
    language = (get_language() or "").lower()
    for key in NAME_KEYS.get(language, (language,)):
        if other_names.get(key):
            return other_names[key], name
    return name, name


@register.filter
def local_name(record: Any) -> str:
    """The name in the active language where one is recorded, else the English name."""
    return _names(record)[0]


@register.filter
def bilingual(record: Any) -> str:
    """The local name with the English one after it, "天津 (Tianjin)", so readers can match
    the English documents; just the name when there is no local one."""
    local, name = _names(record)
    return f"{local} ({name})" if local != name else name


@register.filter
def country(code: str) -> str:
    """A country's name for its ISO code, in the active language ("China", "中国")."""
    return country_name(code) if code else ""
