"""What the recognisers consult: the gazetteer for places and countries, and the document's
own vocabulary (a word written in lowercase somewhere is an ordinary word, not a name)."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from citycoop.lib.geo import Gazetteer, get_gazetteer

from .recognise.lexicon import GENERIC_ACRONYMS
from .recognise.names import Context

# Member states in 2016, when the reference programme ran (the United Kingdom among them).
EU_COUNTRIES = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO "
                         "SK SI ES SE GB".split())
LOWER_WORD = re.compile(r"(?<![\w.])([a-zà-ÿ][a-zà-ÿ'’-]{2,})\b")


def vocabulary_of(text: str) -> frozenset[str]:
    return frozenset(match.group(1) for match in LOWER_WORD.finditer(text))


class PlaceLookup:
    """Cached gazetteer questions for one extraction run."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or get_gazetteer()
        self.is_place = lru_cache(maxsize=None)(self._is_place)
        self.country_of = lru_cache(maxsize=None)(self._country_of)

    def _is_place(self, name: str, allow_fuzzy: bool) -> bool:
        if len(name) < 3 or name.casefold() in GENERIC_ACRONYMS:
            return False
        match = self.gazetteer.resolve(name, min_score=85.0 if allow_fuzzy else 100.0)
        return match is not None and (match.exact or allow_fuzzy)

    def _country_of(self, name: str) -> str | None:
        match = self.gazetteer.resolve(name, min_score=88.0)
        return match.entry.country if match else None

    @staticmethod
    def is_country_code(code: str) -> bool:
        return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) \
            is not None

    def context(self, text: str, vocabulary: frozenset[str] | None = None) -> Context:
        return Context(is_place=self.is_place, is_country_code=self.is_country_code,
                       vocabulary=vocabulary if vocabulary is not None else
                       vocabulary_of(text))


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
