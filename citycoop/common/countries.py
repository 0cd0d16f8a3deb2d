"""Country names in the reader's language: ISO 3166 names and their translations, both from
pycountry (installed with the package, nothing is fetched)."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language, to_locale

from citycoop.matchmaking.engine.partner_text import country_name as english_in_sentence


@lru_cache(maxsize=8)
def _translation(language: str) -> gettext.NullTranslations:
    locale = to_locale(language)
    candidates = [locale, "zh_CN" if locale.startswith("zh") else locale.split("_")[0]]
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=candidates,
                               fallback=True)


def country_name(code: str) -> str:
    """"China" for "CN", "中国" in Chinese; the code itself for one ISO 3166 does not know."""
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _translation(get_language() or "en").gettext(name)


def country_in_sentence(code: str) -> str:
    """The name as it reads inside a sentence: "South Korea" and "the United States" in
    English, where the list name is "Korea, Republic of"; otherwise :func:`country_name`."""
    if (get_language() or "en").startswith("en"):
        return english_in_sentence(code)
    return country_name(code)
