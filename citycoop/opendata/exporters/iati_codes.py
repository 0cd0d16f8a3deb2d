"""IATI 2.03 as the IATI exporter writes it: the codes, how citycoop's values map to them,
IATI's rules on percentages and dates, and the XML of an activity. :mod:`.iati` decides
what of the portfolio goes into which activity; this module how IATI spells it.

Every code here comes from the official 2.03 codelists (``../shared/iati-2.03/codelists``);
``tests/test_export_iati.py`` checks each table against those files, so a typo or a code
the standard withdrew fails a test. The exporter does not read the codelists at run time:
a user's clone has no ``../shared``, and the lists change only with the standard.

Only elements whose codelist is among the official files are written at all: location
reach, exactness and class, activity scope, aid and finance types have none there, so the
export leaves them out rather than guess their codes.

The XML is written by hand (escaped text joined into one string per batch of activities):
lxml is not a run-time dependency, and joining strings is much faster than building trees.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from xml.sax.saxutils import escape, quoteattr

import pycountry

if TYPE_CHECKING:
    from citycoop.registry.models import Place
    from citycoop.reports.results_models import Indicator, Result

# ActivityStatus.xml: 1 pipeline, 2 implementation, 3 completion, 5 cancelled, 6 suspended.
# A stalled pilot or a dormant pairing is paused, not ended: IATI calls that "suspended".
PILOT_STATUS = {"idea": "1", "planned": "1", "active": "2", "completed": "3",
                "stalled": "6", "cancelled": "5"}
PAIRING_STATUS = {"proposed": "1", "active": "2", "dormant": "6", "closed": "3"}
STARTED_PILOT = frozenset({"active", "completed", "stalled"})
FINISHED_PILOT = frozenset({"completed"})
STARTED_PAIRING = frozenset({"active", "dormant", "closed"})
FINISHED_PAIRING = frozenset({"closed"})

# ActivityDateType.xml
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"

# OrganisationRole.xml
FUNDING, ACCOUNTABLE, IMPLEMENTING = "1", "2", "4"
# An action's organisations: a funder funds; every other role carries part of the work.
ACTION_ROLE = {"funder": FUNDING, "lead": IMPLEMENTING, "partner": IMPLEMENTING,
               "host": IMPLEMENTING, "supporter": IMPLEMENTING, "participant": IMPLEMENTING}

# OrganisationType.xml, from Organisation.type. Sub-national public bodies (a city, a
# municipal corporation, a region: "regional or national government" holds mostly regions
# and provinces) are local government; an embassy speaks for its national government.
# Agencies, development-zone administrations and funds (public programmes such as the
# Newton Fund, not private foundations) are other public sector; a cluster is a network of
# companies, so private sector; chambers and associations are membership bodies, NGOs.
ORGANISATION_TYPE = {
    "sme": "70", "company": "70", "cluster": "70",
    "university": "80", "school": "80", "research_institute": "80",
    "chamber_of_commerce": "22", "association": "22",
    "agency": "15", "development_zone": "15", "fund": "15",
    "municipal_corporation": "11", "city_government": "11", "regional_government": "11",
    "embassy": "10", "other": "90",
}
# A place that is a pairing member acts through its government: national for a country,
# local (sub-national) for a region, province, city or district.
NATIONAL_GOVERNMENT, LOCAL_GOVERNMENT = "10", "11"

# LocationType.xml (GeoNames feature codes), from Place.kind.
FEATURE_DESIGNATION = {"country": "PCLI", "region": "ADM1", "state": "ADM1",
                       "province": "ADM1", "district": "ADM2", "new_area": "ADMD",
                       "city": "PPL"}
# GeographicVocabulary.xml: GeoNames ids, ISO 3166-1 countries.
GEONAMES, ISO_COUNTRY = "G1", "A4"
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"

# DocumentCategory.xml, from Agreement.type: a letter of intent is, like an MoU, a
# non-binding text agreed by all parties.
DOCUMENT_CATEGORY = {"mou": "A09", "letter_of_intent": "A09", "contract": "A11"}

# RelatedActivityType.xml
PARENT, CHILD, SIBLING = "1", "2", "3"

# ResultType.xml and IndicatorMeasure.xml
RESULT_TYPE = {"output": "1", "outcome": "2", "impact": "3"}
MEASURE_UNIT, MEASURE_PERCENTAGE = "1", "2"

# SectorVocabulary.xml: 1 DAC 5-digit purpose codes, 7 SDG goals. The official
# TagVocabulary.xml here lists only 1 (Agrovoc) and 99 (reporting organisation), not the
# SDG vocabularies later lists added, so SDG goals go out as sectors of vocabulary 7.
DAC_VOCABULARY, SDG_GOAL_VOCABULARY = "1", "7"
# TagVocabulary.xml: 99, the reporting organisation's own keywords (the programme's key).
OWN_TAG_VOCABULARY = "99"

# Language.xml: the portfolio's texts are written in English.
LANGUAGE = "en"

# Sector.xml: the DAC 5-digit codes that are not withdrawn. A theme's dac_codes are typed by
# people; a code outside this set is not written.
DAC_SECTORS = frozenset("""
    11110 11120 11130 11182 11220 11230 11231 11232 11240 11320 11321 11322 11330
    11420 11430 12110 12181 12182 12191 12220 12230 12240 12250 12261 12262 12263
    12281 13010 13020 13030 13040 13081 14010 14015 14020 14021 14022 14030 14031
    14032 14040 14050 14081 15110 15111 15112 15113 15114 15116 15117 15118 15119
    15121 15122 15123 15124 15125 15126 15127 15128 15129 15130 15131 15132 15133
    15134 15135 15136 15137 15142 15143 15144 15150 15151 15152 15153 15154 15155
    15156 15160 15170 15180 15185 15210 15220 15230 15240 15250 15261 16010 16011
    16012 16013 16014 16015 16020 16030 16040 16050 16061 16062 16063 16064 16065
    16066 21010 21011 21012 21013 21020 21021 21022 21023 21024 21030 21040 21050
    21061 21081 22010 22011 22012 22013 22020 22030 22040 23110 23111 23112 23181
    23182 23183 23210 23220 23230 23240 23250 23260 23270 23310 23320 23330 23340
    23350 23360 23410 23510 23610 23620 23630 23640 24010 24020 24030 24040 24081
    25010 25020 31110 31120 31130 31140 31150 31161 31162 31163 31164 31165 31166
    31181 31182 31191 31192 31193 31194 31195 31210 31220 31261 31281 31282 31291
    31310 31320 31381 31382 31391 32110 32120 32130 32140 32161 32162 32163 32164
    32165 32166 32167 32168 32169 32170 32171 32172 32182 32210 32220 32261 32262
    32263 32264 32265 32266 32267 32268 32310 33110 33120 33130 33140 33150 33181
    33210 41010 41020 41030 41040 41050 41081 41082 43010 43030 43031 43032 43040
    43041 43042 43050 43081 43082 51010 52010 53030 53040 60010 60020 60030 60040
    60061 60062 60063 72010 72040 72050 73010 74010 91010 93010 99810 99820
""".split())

# Country.xml: ISO 3166-1 alpha-2 (pycountry, a run-time dependency already) plus Kosovo,
# which IATI lists under the user-assigned code XK.
COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}

SDG_GOALS = range(1, 18)

Key = TypeVar("Key", bound=Hashable)


def percentages(weights: Mapping[Key, Fraction]) -> list[tuple[Key, str]]:
    """Shares of 100 with two decimals that add up to exactly 100, as IATI asks of the
    sectors of one vocabulary and of the recipient countries.

    Each share is rounded down to a hundredth, then the hundredths still missing go to the
    largest remainders, so rounding never leaves the total at 99.99. Heaviest first.
    """
    total = sum(weights.values(), Fraction(0))
    if not total:
        return []
    exact = {key: weight * 10_000 / total for key, weight in weights.items()}
    hundredths = {key: math.floor(share) for key, share in exact.items()}
    missing = 10_000 - sum(hundredths.values())
    by_remainder = sorted(exact, key=lambda key: (hundredths[key] - exact[key], str(key)))
    for key in by_remainder[:missing]:
        hundredths[key] += 1
    ordered = sorted(hundredths, key=lambda key: (-hundredths[key], str(key)))
    return [(key, as_percentage(hundredths[key])) for key in ordered]


def as_percentage(hundredths: int) -> str:
    whole, cents = divmod(hundredths, 100)
    return str(whole) if not cents else f"{whole}.{cents:02d}".rstrip("0")


def activity_dates(start: datetime.date, end: datetime.date | None, started: bool,
                   finished: bool, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """A start and maybe an end, each "actual" once it happened (the activity has started,
    or finished, and the day is past) and "planned" otherwise: IATI refuses actual dates in
    the future."""
    dates = [(ACTUAL_START if started and start <= today else PLANNED_START, start)]
    if end is not None:
        dates.append((ACTUAL_END if finished and end <= today else PLANNED_END, end))
    return dates


# -- an activity in IATI's terms -------------------------------------------------------------

class Participant(NamedTuple):
    """A participating organisation. The publisher's is also the reporting-org, whose
    role is not written."""

    role: str
    type: str           # "" when not known
    name: str
    ref: str = ""       # an IATI organisation identifier, when there is one


class Document(NamedTuple):
    url: str
    title: str
    category: str
    signed: datetime.date | None    # only when known to the day


@dataclass
class Activity:
    identifier: str
    hierarchy: str
    updated: datetime.datetime
    title: str
    description: str
    participants: list[Participant]
    status: str
    dates: list[tuple[str, datetime.date]]
    countries: list[str]
    places: list[Place]
    dac: dict[str, Fraction]        # sector weights; written as percentages
    sdgs: dict[int, Fraction]
    tag: tuple[str, str]            # (code, name) in the publisher's own vocabulary
    documents: list[Document]
    related: list[tuple[str, str]]  # (type, identifier)
    results: list[Result]


# -- the XML ----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry, even escaped (control characters, lone surrogates).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def attributes(values: dict[str, str]) -> str:
    """Attributes in the given order; an empty value means "not given" and is left out."""
    return "".join(f" {name}={quoteattr(NOT_XML.sub('', value))}"
                   for name, value in values.items() if value)


class Xml:
    """Indented XML text, gathered until :meth:`take` hands it over as UTF-8."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.depth = 1

    def leaf(self, tag: str, attrs: dict[str, str] | None = None,
             text: str | None = None) -> None:
        start = f"{'  ' * self.depth}<{tag}{attributes(attrs or {})}"
        self.parts.append(f"{start}/>\n" if text is None
                          else f"{start}>{escape(NOT_XML.sub('', text))}</{tag}>\n")

    @contextmanager
    def element(self, tag: str, attrs: dict[str, str] | None = None) -> Iterator[None]:
        self.parts.append(f"{'  ' * self.depth}<{tag}{attributes(attrs or {})}>\n")
        self.depth += 1
        yield
        self.depth -= 1
        self.parts.append(f"{'  ' * self.depth}</{tag}>\n")

    def narrated(self, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
        """An element whose content is one narrative: a title, a name, a description."""
        with self.element(tag, attrs):
            self.leaf("narrative", text=text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode("utf-8")


def write_activity(xml: Xml, activity: Activity, reporting: Participant) -> None:
    """One iati-activity, its children in the order of the schema's sequence."""
    with xml.element("iati-activity", {
            "last-updated-datetime": activity.updated.isoformat(timespec="seconds"),
            "xml:lang": LANGUAGE, "hierarchy": activity.hierarchy}):
        xml.leaf("iati-identifier", text=activity.identifier)
        xml.narrated("reporting-org", reporting.name,
                     {"ref": reporting.ref, "type": reporting.type})
        xml.narrated("title", activity.title)
        xml.narrated("description", activity.description)
        for who in activity.participants:
            xml.narrated("participating-org", who.name,
                         {"ref": who.ref, "type": who.type, "role": who.role})
        xml.leaf("activity-status", {"code": activity.status})
        for kind, day in activity.dates:
            xml.leaf("activity-date", {"type": kind, "iso-date": day.isoformat()})
        countries: dict[str, Fraction] = dict.fromkeys(activity.countries, Fraction(1))
        for country, share in percentages(countries):
            xml.leaf("recipient-country", {"code": country, "percentage": share})
        for place in activity.places:
            write_location(xml, place)
        sectors: tuple[tuple[str, dict[Any, Fraction]], ...] = (
            (DAC_VOCABULARY, activity.dac), (SDG_GOAL_VOCABULARY, activity.sdgs))
        for vocabulary, weights in sectors:
            for code, share in percentages(weights):
                xml.leaf("sector", {"vocabulary": vocabulary, "code": str(code),
                                    "percentage": share})
        code, name = activity.tag
        xml.narrated("tag", name, {"vocabulary": OWN_TAG_VOCABULARY, "code": code})
        for document in activity.documents:
            write_document(xml, document)
        for kind, ref in activity.related:
            xml.leaf("related-activity", {"ref": ref, "type": kind})
        for result in activity.results:
            write_result(xml, result)


def write_location(xml: Xml, place: Place) -> None:
    with xml.element("location", {"ref": place.slug}):
        if place.geonames_id:
            xml.leaf("location-id", {"vocabulary": GEONAMES, "code": str(place.geonames_id)})
        xml.narrated("name", place.name)
        if place.country in COUNTRIES:
            xml.leaf("administrative", {"vocabulary": ISO_COUNTRY, "code": place.country})
        if place.latitude is not None and place.longitude is not None:
            with xml.element("point", {"srsName": WGS84}):
                xml.leaf("pos", text=f"{coordinate(place.latitude)} "
                                     f"{coordinate(place.longitude)}")
        if place.kind in FEATURE_DESIGNATION:
            xml.leaf("feature-designation", {"code": FEATURE_DESIGNATION[place.kind]})


def coordinate(degrees: float) -> str:
    """Six decimals (about 10 cm), trailing zeros dropped; never an exponent."""
    return f"{degrees:.6f}".rstrip("0").rstrip(".")


def write_document(xml: Xml, document: Document) -> None:
    path = document.url.split("#")[0].split("?")[0]
    media_type = "application/pdf" if path.lower().endswith(".pdf") else "text/html"
    with xml.element("document-link", {"url": document.url, "format": media_type}):
        xml.narrated("title", document.title)
        xml.leaf("category", {"code": document.category})
        if document.signed:
            xml.leaf("document-date", {"iso-date": document.signed.isoformat()})


def write_result(xml: Xml, result: Result) -> None:
    indicators: list[Indicator] = list(result.indicators.all())
    if not indicators:  # the schema wants at least one indicator per result
        return
    with xml.element("result", {"type": RESULT_TYPE.get(result.kind, "9")}):
        xml.narrated("title", result.title)
        if result.description:
            xml.narrated("description", result.description)
        for indicator in indicators:
            write_indicator(xml, indicator)


def write_indicator(xml: Xml, indicator: Indicator) -> None:
    """Baseline, then one period per target or approved value (the loader reads only
    approved values, as ``approved_values``)."""
    unit = indicator.unit.strip()
    with xml.element("indicator",
                     {"measure": MEASURE_PERCENTAGE if unit == "%" else MEASURE_UNIT}):
        xml.narrated("title", indicator.name)
        if unit:
            xml.narrated("description", f"Unit: {unit}")
        # A baseline must give its year: a value without a date cannot be placed in time.
        if indicator.baseline_value is not None and indicator.baseline_date:
            xml.leaf("baseline", {"year": str(indicator.baseline_date.year),
                                  "iso-date": indicator.baseline_date.isoformat(),
                                  "value": number(indicator.baseline_value)})
        targets = {(t.period_start, t.period_end): t.value for t in indicator.targets.all()}
        actuals = {(v.period_start, v.period_end): v.value
                   for v in getattr(indicator, "approved_values", [])}
        for start, end in sorted(targets.keys() | actuals.keys()):
            with xml.element("period"):
                xml.leaf("period-start", {"iso-date": start.isoformat()})
                xml.leaf("period-end", {"iso-date": end.isoformat()})
                if (start, end) in targets:
                    xml.leaf("target", {"value": number(targets[start, end])})
                if (start, end) in actuals:
                    xml.leaf("actual", {"value": number(actuals[start, end])})


def number(value: Decimal) -> str:
    """12.50 as 12.5, 100.00 as 100: never an exponent."""
    return format(value.normalize(), "f")
