"""Word lists of the field: how organisations, roles and generic groups are written in
city-to-city cooperation reports. Kept apart from the logic so they can grow with new reports.
"""

from __future__ import annotations

# The last word of an organisation's name ("Keele Univ", "Wolverhampton Aerospace Cluster").
ORGANISATION_HEADS = frozenset("""
university univ universities college school institute institution academy polytechnic
cluster agency council commission committee chamber chambers association federation
confederation union league fund foundation trust bank embassy consulate ministry department
dept bureau office unit authority authorities administration corporation company co ltd
limited gmbh ag sa spa srl sl inc llc plc group centre center campus hub studios studio
architects partners consultants engineering engineers network alliance society institute
government municipality board directorate secretariat observatory laboratory laboratories lab
labs port airport plant utility utilities operator services solutions technologies robotics
systems zone area district park team organisation organization initiative
""".split())

# Heads that name a zone or district: an organisation when it acts as a partner
# ("cooperation with Tianjin Airport Economic Area"), a place when it is a location.
ZONE_HEADS = frozenset({"zone", "area", "district", "park"})

# Heads that only make an organisation when plural in a list ("Sichuan and Shantou
# Universities"); other plurals ("Sewage Treatment Plants") are kinds of things.
PLURAL_HEADS = frozenset({"universities", "authorities", "chambers", "companies"})
ORGANISATION_HEADS = ORGANISATION_HEADS | PLURAL_HEADS

# Two-word endings that name a new area or district ("Zhugang New Town", "Sino-Singapore
# Knowledge City"): zones, like "... Development Zone".
ZONE_PAIRS = frozenset({"new town", "new city", "new area", "new district", "knowledge city",
                        "science city", "eco city", "eco-city", "high-tech zone", "new zone"})

# Lowercase nouns that turn the name before them into an organisation ("The Green Way cluster",
# "Chandigarh administration", "World Cities team").
TRAILING_ORGANISATION_NOUNS = frozenset({
    "cluster", "administration", "authority", "government", "municipality", "council",
    "team", "company", "association", "university", "corporation", "agency", "group",
})

# Lowercase nouns that introduce named members ("software companies Maithu and Pixel Soup",
# "the robots company EVOTION", "cluster LyonFrenchTech").
INTRODUCING_NOUNS = frozenset({
    "company", "companies", "firm", "firms", "start-up", "start-ups", "startup", "startups",
    "cluster", "clusters", "sme", "smes", "partner", "partners", "developer", "operator",
    "organisation", "organisations", "organization", "association", "institute", "university",
    "agency", "architects", "consultancy",
})

# Words joining the parts of one name ("Fira de Barcelona", "Institute of Technology ...").
NAME_CONNECTORS = frozenset({"of", "for", "and", "&", "de", "del", "della", "di", "du", "des",
                             "la", "le", "y", "e", "on", "in", "the"})

# Capitalised words that never begin a name: pronouns, determiners, prepositions, the
# nouns of actions ("Cooperation with ...", "Support to ..."), roles and generic groups, and
# month and weekday names. Ordinary words the document also writes in lowercase are caught by
# its own vocabulary (see names.Context), so domain words ("Energy", "Smart") need no entry.
GENERIC_CAPITALISED = frozenset("""
a an the this these those that there here it its they their we our he she his her all both
many most some several each every other others any no not also and or but if as at by for from
in into of on to with within without after before during between about above under over
cooperation co-operation collaboration support exchange review development elaboration
protection preparation upgradation discussion discussions talks meeting meetings visit visits
mission missions delegation delegations delegates experts expert officials companies
start-ups startups smes businesses participants representatives issue issues step steps next
contact possible further following involving bringing promising currently similar
commissioner commissioners mayor advisor secretary head heads minister president director
chairman ceo january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday
""".split())

# Nationality and region adjectives: "Chinese companies" is a group, not a place or a name.
NATIONALITIES = frozenset("""
chinese indian european british english scottish welsh irish italian danish german french
spanish catalan catalonian andalusian portuguese dutch belgian polish swedish finnish
austrian greek czech hungarian romanian bulgarian croatian slovenian slovak estonian latvian
lithuanian maltese cypriot luxembourgish american canadian mexican brazilian japanese korean
asian african latin
""".split())

# Acronyms that are kinds of things, not bodies ("SMEs", "ICT", "B2B", "STPs").
GENERIC_ACRONYMS = frozenset("""
sme smes ict it eu uk us usa un b2b b2c r&d rd ngo ngos ceo cto ppp gdp co2 etp etps stp stps
wm ut ev evs ai iot 3d phd mou mous kpi kpis faq pdf url gis bim led leds hvac ipr ip api
q1 q2 q3 q4 h1 h2 ad bc am pm tv it ps vs eg ie etc
""".split())

# Titles of people: "Dr Hans-Wolf Zirkwitz" is a person, not an organisation.
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir",
                           "madam", "mme", "m", "herr", "frau", "dott", "ing"})

# Words after a name that make it a plan, event or programme rather than a body.
NON_BODY_TAILS = frozenset({"plan", "plans", "programme", "program", "strategy", "project",
                            "projects", "week", "expo", "congress", "summit", "fair", "forum",
                            "conference", "award", "awards", "model", "database", "platform",
                            "festival", "day", "days", "year"})

# Continents and world regions that reports use as places ("routes to Europe").
WORLD_REGIONS = frozenset({"europe", "asia", "africa", "latin america", "north america",
                           "south america", "oceania", "middle east", "south east asia",
                           "southeast asia", "central asia", "scandinavia", "balkans"})

# Verbs after a sentence-initial name that show it acts ("Danfoss is keen to ...").
ACTING_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "had", "will", "would",
                          "offered", "offers", "provided", "provides", "signed", "signs",
                          "agreed", "started", "presented", "identified", "expressed",
                          "proposed", "joined", "hosted", "organised", "organized", "invited",
                          "supports", "supported", "develops", "developed", "launched"})

# Cooperation programmes: named often, never organisations in their own right.
PROGRAMME_NAMES = frozenset({"world cities", "cetregio", "iuc", "iurc", "urbact", "interreg",
                             "international urban cooperation", "horizon 2020", "horizon europe",
                             "international urban and regional cooperation", "eu-china",
                             "covenant of mayors", "global covenant of mayors"})
