"""The permission matrix: what each role gets from every page and every API operation.

tests/test_permission_matrix.py asks every entry as every role and compares the answers, and
fails when a URL pattern or an API operation has no entry here (or an entry names one that
is gone). docs/permissions.md is made from this table: after changing it, run
``.venv/bin/python -m tests.permission_matrix`` to write the page again.

An entry's answers are seven letters in three groups, for the roles in ``ROLES`` order:
admin and programme manager | coordinator of the pairing, coordinator of another pairing,
member of the pairing | anonymous and read-scope API token. Each letter is one of:

- ``A`` allowed: 2xx, a redirect other than to sign in, or 400/409/412/422/428 (the request
  got past the permission checks and was judged on its content);
- ``L`` sign-in required: a redirect to /login/ (pages), 401 (API);
- ``F`` forbidden: 403;
- ``H`` hidden: 404, as if the record did not exist.

"The pairing" is Lyon – Guangzhou; its coordinator and member have those roles there, the
other coordinator coordinates Barcelona – Wuhan / Chengdu. On the API the signed-in roles
send a write-scope token of their own, and the token role is a read-scope token of the
programme manager: what it reads is the manager's, and it writes nothing. A page ignores a
token, so there the token column is the anonymous one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

ROLES = ("admin", "manager", "coordinator", "other", "member", "anonymous", "token")
ROLE_TITLES = ("Admin", "Manager", "Coordinator", "Other coordinator", "Member", "Anonymous",
               "Read token")
ANSWERS = {"A": "allowed", "L": "sign in first", "F": "forbidden (403)", "H": "not found (404)"}
OWN = "lyon-guangzhou"
PROGRAMME = "world-cities-2015-2016"

# The usual rows, named.
EVERYONE = "AA AAA AA"
SIGNED_IN = "AA AAA LL"
MANAGERS = "AA FFF LL"          # admins and programme managers only
KEEPERS = "AA AFF LL"           # also the pairing's (or the city's) coordinators
INTERNAL = "AA AHA HH"          # an internal record: its pairing's people and the managers
# The API: writes refuse the anonymous with 401 and a read token with 403.
API_MANAGERS = "AA FFF LF"
API_KEEPERS = "AA AFF LF"
API_INTERNAL = "AA AHA HA"      # the read token is the manager's: it sees internal records

Args = Callable[[Any], Any]


@dataclass(frozen=True)
class Case:
    """One request to make as every role: a page by its URL pattern name or an API operation
    ("GET /pairings/{slug}"), with the record it is about and the expected answers."""

    kind: str                   # "page" or "api"
    key: str
    expect: str
    method: str = "GET"
    args: Args | None = None    # world -> reverse() args (page) or path parameters (api)
    data: Args | None = None    # world -> form data (page) or JSON body (api)
    query: str = ""
    note: str = ""

    @property
    def answers(self) -> str:
        return self.expect.replace(" ", "")

    @property
    def id(self) -> str:
        label = self.key if self.kind == "api" else f"{self.method} {self.key}"
        return f"{label} [{self.note}]" if self.note else label


def page(name: str, expect: str, args: Args | None = None, *, method: str = "GET",
         data: Args | None = None, query: str = "", note: str = "") -> Case:
    return Case("page", name, expect, method, args, data, query, note)


def post(name: str, expect: str, args: Args | None = None, *, data: Args | None = None,
         note: str = "") -> Case:
    return page(name, expect, args, method="POST", data=data, note=note)


def api(operation: str, expect: str, args: Args | None = None, *, body: Args | None = None,
        query: str = "", note: str = "") -> Case:
    return Case("api", operation, expect, operation.split()[0], args, body, query, note)


def api_list(operation: str) -> Case:
    """A list for everyone, newest first: the records made for the test are on its page."""
    return api(operation, EVERYONE, query="ordering=-id")


def own(w: Any) -> list[str]:
    return [OWN]


def programme(w: Any) -> list[str]:
    return [PROGRAMME]


def pilot(w: Any) -> list[str]:
    return [OWN, w.pilot.slug]


def internal_pilot(w: Any) -> list[str]:
    return [OWN, w.internal_pilot.slug]


def internal_pilot_key(w: Any) -> list[str]:
    return ["pilot", f"{OWN}/{w.internal_pilot.slug}"]


PAGES = [
    # -- public pages ---------------------------------------------------------------------
    page("web:home", EVERYONE),
    page("web:pairings", EVERYONE),
    page("web:pairing", EVERYONE, own),
    page("web:pairing", "AA HHH HH", lambda w: [w.internal_pairing.slug],
         note="internal pairing"),
    page("web:pilot", EVERYONE, pilot),
    page("web:pilot", INTERNAL, internal_pilot, note="internal pilot"),
    page("web:theme", EVERYONE, lambda w: ["urban-development"]),
    page("web:organisation", EVERYONE, lambda w: [w.organisation.slug]),
    page("web:place", EVERYONE, lambda w: ["lyon"]),
    page("web:events", EVERYONE),
    page("web:event", EVERYONE, lambda w: [w.event.slug]),
    page("web:event", "AA AAA HH", lambda w: [w.internal_event.slug], note="internal event"),
    page("map", EVERYONE),
    page("map-data", EVERYONE),
    page("search:search", EVERYONE, query="q=lyon"),
    page("search:search", EVERYONE, query="q=Confidential", note="internal records' words"),
    page("network:page", EVERYONE),
    page("network:graphml", EVERYONE),
    page("opendata", EVERYONE),
    page("exports:page", EVERYONE),
    page("exports:page", EVERYONE, query="format=json", note="a download"),
    page("exports:page", EVERYONE, query="format=xlsx&record=next_steps", note="a spreadsheet"),
    page("reports:dashboard", EVERYONE, programme),
    page("reports:report", EVERYONE, lambda w: [PROGRAMME, "html"]),
    post("reports:snapshot", "AA FFF LL", programme),
    page("status:report", EVERYONE, lambda w: [PROGRAMME, "html"]),
    page("results:programme", EVERYONE, programme),
    page("results:pilot", INTERNAL, internal_pilot, note="internal pilot"),
    page("api:openapi-json", EVERYONE),
    page("api:openapi-view", EVERYONE),
    page("api:api-root", "HH HHH HH", note="ninja's placeholder, 404 for all"),
    # -- signing in, language, the user's own pages ----------------------------------------
    page("login", EVERYONE),
    post("logout", EVERYONE),
    post("set_language", EVERYONE, data=lambda w: {"language": "en"}),
    page("tokens:list", SIGNED_IN),
    post("tokens:revoke", "HH AHH LL", lambda w: [w.coordinator_token.pk],
         note="the coordinator's token"),
    page("results:mine", SIGNED_IN),
    page("portfolio:next-steps", SIGNED_IN),
    page("lookup:records", SIGNED_IN, lambda w: ["pairings"]),
    page("lookup:records", SIGNED_IN, lambda w: ["pilots"], query="q=Confidential",
         note="pilots"),
    page("accounts:history", "AA AHA LL",
         lambda w: ["portfolio", "pilotproject", w.internal_pilot.pk], note="internal pilot"),
    page("accounts:history", SIGNED_IN,
         lambda w: ["registry", "organisation", w.organisation.pk], note="organisation"),
    # -- the pairing's workspace -----------------------------------------------------------
    page("portfolio:pairing-new", MANAGERS),
    page("portfolio:pairing-change", KEEPERS, own),
    page("portfolio:pairing-change", "AA HHH LL", lambda w: [w.internal_pairing.slug],
         note="internal pairing"),
    page("portfolio:pairing-change", "AF FFF LL", lambda w: [w.foreign_pairing.slug],
         note="another programme's pairing"),
    page("portfolio:pairing-delete", MANAGERS, own),
    page("portfolio:pilot-new", KEEPERS, own),
    page("portfolio:pilot-change", KEEPERS, internal_pilot, note="internal pilot"),
    page("portfolio:action-new", KEEPERS, pilot),
    page("portfolio:action-change", KEEPERS, lambda w: [w.action.pk]),
    page("portfolio:action-edit", KEEPERS, lambda w: [w.action.pk]),
    page("portfolio:action", KEEPERS, lambda w: [w.action.pk]),
    page("portfolio:agreement-new", KEEPERS, own),
    page("portfolio:agreement-change", KEEPERS, lambda w: [w.agreement.slug]),
    page("portfolio:next-step-new", KEEPERS, own),
    post("portfolio:next-step-add", KEEPERS, pilot),
    page("portfolio:next-step-change", KEEPERS, lambda w: [w.step.pk]),
    page("portfolio:next-step-edit", KEEPERS, lambda w: [w.step.pk]),
    page("portfolio:next-step", KEEPERS, lambda w: [w.step.pk]),
    post("portfolio:next-step-done", KEEPERS, lambda w: [w.step.pk]),
    # -- the registry and events (the programme team's) ------------------------------------
    page("registry:duplicates", MANAGERS),
    post("registry:merge", MANAGERS,
         data=lambda w: {"keep": w.organisation.pk, "drop": w.organisation.pk}),
    post("registry:undo-merge", MANAGERS, lambda w: [w.audit_entry.pk]),
    page("registry:organisation-new", MANAGERS),
    page("registry:organisation-change", MANAGERS, lambda w: [w.organisation.slug]),
    page("registry:organisation-delete", MANAGERS, lambda w: [w.organisation.slug]),
    page("registry:place-new", MANAGERS),
    page("registry:place-change", MANAGERS, lambda w: ["lyon"]),
    page("registry:city-profile", KEEPERS, lambda w: ["lyon"]),
    page("registry:person-new", MANAGERS),
    page("registry:person-change", MANAGERS, lambda w: [w.person.pk]),
    page("events:event-new", MANAGERS),
    page("events:event-change", MANAGERS, lambda w: [w.event.slug]),
    page("imports:upload", MANAGERS),
    page("imports:review", MANAGERS, lambda w: [w.import_digest]),
    page("sheets:upload", SIGNED_IN),
    page("sheets:review", "HA HHH LL", lambda w: [w.sheet_token], note="the manager's upload"),
    # -- the audit log and the trash ---------------------------------------------------------
    page("audit:log", MANAGERS),
    page("audit:revert", MANAGERS, lambda w: [w.lyon_entry.pk], note="a change in the pairing"),
    page("audit:revert", "AF FFF LL", lambda w: [w.foreign_entry.pk],
         note="another programme's pairing"),
    page("audit:trash", MANAGERS),
    post("audit:restore", MANAGERS, lambda w: [w.trashed.pk],
         note="a deleted pairing of the programme"),
    # -- results framework -----------------------------------------------------------------
    page("results:enter", KEEPERS, lambda w: [w.indicator.pk],
         note="indicator owned by the coordinator"),
    page("results:review", MANAGERS, programme),
    post("results:review-value", MANAGERS, lambda w: [PROGRAMME, w.value.pk]),
    page("results:status", MANAGERS, programme),
    # -- registration: public pages, personal links, the organisers' pages -----------------
    page("registration:register", EVERYONE, lambda w: [w.event.slug]),
    page("registration:register", "AA AAA HH", lambda w: [w.internal_event.slug],
         note="internal event"),
    page("registration:report", EVERYONE, lambda w: [w.event.slug]),
    page("registration:personal", EVERYONE, lambda w: [w.registered.token],
         note="personal link"),
    page("registration:cancel", EVERYONE, lambda w: [w.registered.token],
         note="personal link"),
    page("registration:feedback", EVERYONE, lambda w: [w.attended.token],
         note="personal link"),
    page("registration:participants", MANAGERS, lambda w: [w.event.slug]),
    page("registration:participants-csv", MANAGERS, lambda w: [w.event.slug]),
    post("registration:capacity", MANAGERS, lambda w: [w.event.slug]),
    post("registration:registration-status", MANAGERS, lambda w: [w.event.slug]),
    post("registration:send-survey", MANAGERS, lambda w: [w.event.slug]),
    page("registration:check-in", MANAGERS, lambda w: [w.event.slug]),
    post("registration:no-shows", MANAGERS, lambda w: [w.event.slug]),
    page("registration:media", MANAGERS, lambda w: [w.event.slug]),
    page("registration:report-edit", MANAGERS, lambda w: [w.event.slug]),
    # -- B2B matchmaking: participants by personal link, organisers signed in --------------
    page("b2b:me", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    page("b2b:profile", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    page("b2b:browse", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    post("b2b:send", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    post("b2b:answer", EVERYONE, lambda w: [w.ana.token, w.pending_request.pk],
         note="personal link"),
    post("b2b:withdraw", EVERYONE, lambda w: [w.cai.token, w.pending_request.pk],
         note="personal link"),
    page("b2b:agenda", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    page("b2b:agenda-pdf", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    page("b2b:agenda-ics", EVERYONE, lambda w: [w.ana.token], note="personal link"),
    page("b2b:follow-up", EVERYONE, lambda w: [w.follow_up.token], note="personal link"),
    post("b2b:follow-up-agreement", EVERYONE, lambda w: [w.follow_up.token],
         note="personal link"),
    page("b2b:programme-funnel", MANAGERS, programme),
    page("b2b:overview", MANAGERS, lambda w: [w.event.slug]),
    page("b2b:setup", MANAGERS, lambda w: [w.event.slug]),
    post("b2b:schedule", MANAGERS, lambda w: [w.event.slug]),
    post("b2b:publish", MANAGERS, lambda w: [w.event.slug]),
    post("b2b:meeting-status", MANAGERS, lambda w: [w.event.slug, w.meeting.pk]),
    post("b2b:follow-ups", MANAGERS, lambda w: [w.event.slug]),
    page("b2b:funnel", MANAGERS, lambda w: [w.event.slug]),
    page("b2b:table-plan", MANAGERS, lambda w: [w.event.slug]),
    page("b2b:table-plan-pdf", MANAGERS, lambda w: [w.event.slug]),
    page("b2b:availability", MANAGERS, lambda w: [w.event.slug, w.ana.pk]),
    # -- good practices and needs (a draft and a submitted practice are Lyon's) ------------
    page("practices:list", EVERYONE),
    page("practices:detail", EVERYONE, lambda w: [w.published.slug], note="published"),
    page("practices:detail", "AA AHH HH", lambda w: [w.draft.slug], note="draft"),
    page("practices:new", "AA AAF LL"),
    page("practices:edit", "AA AHH LL", lambda w: [w.draft.slug], note="draft"),
    page("practices:text", "AA AHH LL", lambda w: [w.draft.slug, "zh-hans"], note="draft"),
    page("practices:files", "AA AHH LL", lambda w: [w.draft.slug], note="draft"),
    page("practices:file", "AA AHH HH", lambda w: [w.draft.slug, w.draft_file.pk],
         note="draft"),
    post("practices:submit", "AA AHH LL", lambda w: [w.draft.slug], note="draft"),
    page("practices:review-queue", MANAGERS),
    page("practices:review", "AA FHH LL", lambda w: [w.submitted.slug], note="submitted"),
    post("practices:publish", "AA FHH LL", lambda w: [w.reviewed.slug], note="reviewed"),
    page("practices:adopted", "AA AAF LL", lambda w: [w.published.slug], note="published"),
    page("practices:needs", EVERYONE),
    page("practices:need-new", "AA AAF LL"),
    page("practices:need", EVERYONE, lambda w: [w.need.slug]),
    page("practices:need", "AA AHH HH", lambda w: [w.internal_need.slug],
         note="internal need"),
    page("practices:need-edit", KEEPERS, lambda w: [w.need.slug]),
    post("practices:need-close", KEEPERS, lambda w: [w.need.slug],
         data=lambda w: {"status": "met"}),
    # -- discussions (the threads are on Lyon's pilots) ------------------------------------
    page("discussions:thread", EVERYONE, lambda w: [w.thread.pk], note="public pilot"),
    post("discussions:thread", SIGNED_IN, lambda w: [w.thread.pk], note="public pilot"),
    page("discussions:thread", INTERNAL, lambda w: [w.internal_thread.pk],
         note="internal pilot"),
    page("discussions:new", "AA AHA LL", internal_pilot_key, note="internal pilot"),
    page("discussions:subject", INTERNAL, internal_pilot_key, note="internal pilot"),
    page("discussions:report", "AA AHA LL", lambda w: [w.internal_post.pk],
         note="internal pilot"),
    page("discussions:hide", MANAGERS, lambda w: [w.internal_post.pk], note="internal pilot"),
    page("discussions:attachment", INTERNAL, lambda w: [w.attachment.pk],
         note="internal pilot"),
    page("discussions:moderation", MANAGERS),
    post("discussions:keep", MANAGERS, lambda w: [w.report.pk]),
    post("discussions:follow", SIGNED_IN, lambda w: ["theme", "urban-development"]),
    post("discussions:unfollow", SIGNED_IN, lambda w: ["theme", "urban-development"]),
    page("discussions:following", SIGNED_IN),
    page("discussions:notifications", SIGNED_IN),
    post("discussions:notifications-read", SIGNED_IN),
    page("discussions:notification", "HH AHH LL", lambda w: [w.notification.pk],
         note="the coordinator's"),
]


def step_id(w: Any) -> dict[str, Any]:
    return {"step_id": w.internal_step.pk}


APIS = [
    api_list("GET /pairings"),
    api("POST /pairings", API_MANAGERS,
        body=lambda w: {"programme": PROGRAMME, "slug": "matrix-new", "label": "New"}),
    api("GET /pairings/{slug}", EVERYONE, lambda w: {"slug": OWN}),
    api("GET /pairings/{slug}", "AA HHH HA", lambda w: {"slug": w.internal_pairing.slug},
        note="internal pairing"),
    api("PATCH /pairings/{slug}", API_KEEPERS, lambda w: {"slug": OWN}),
    api("PATCH /pairings/{slug}", "AF FFF LF", lambda w: {"slug": w.foreign_pairing.slug},
        note="another programme's pairing"),
    api_list("GET /pilots"),
    api("POST /pairings/{slug}/pilots", API_KEEPERS, lambda w: {"slug": OWN},
        body=lambda w: {"slug": "matrix-new", "title": "New"}),
    api("GET /pairings/{slug}/pilots/{pilot}", API_INTERNAL,
        lambda w: {"slug": OWN, "pilot": w.internal_pilot.slug}, note="internal pilot"),
    api("PATCH /pairings/{slug}/pilots/{pilot}", API_KEEPERS,
        lambda w: {"slug": OWN, "pilot": w.internal_pilot.slug}, note="internal pilot"),
    api_list("GET /actions"),
    api("POST /actions", API_KEEPERS, body=lambda w: {"pilot": w.pilot.pk, "text": "New"}),
    api("GET /actions/{action_id}", API_INTERNAL,
        lambda w: {"action_id": w.internal_action.pk}, note="internal pilot"),
    api("PATCH /actions/{action_id}", API_KEEPERS, lambda w: {"action_id": w.action.pk}),
    api_list("GET /agreements"),
    api("GET /agreements/{slug}", API_INTERNAL, lambda w: {"slug": w.internal_agreement.slug},
        note="internal agreement"),
    api("PATCH /agreements/{slug}", API_KEEPERS, lambda w: {"slug": w.agreement.slug}),
    api_list("GET /next-steps"),
    api("POST /next-steps", API_KEEPERS, body=lambda w: {"pairing": OWN, "text": "New"}),
    api("GET /next-steps/{step_id}", API_INTERNAL, step_id, note="internal pilot"),
    api("PATCH /next-steps/{step_id}", API_KEEPERS, step_id, note="internal pilot"),
    api_list("GET /organisations"),
    api("POST /organisations", API_MANAGERS,
        body=lambda w: {"slug": "matrix-new", "name": "New", "type": "other"}),
    api("GET /organisations/{slug}", EVERYONE, lambda w: {"slug": w.organisation.slug}),
    api("PATCH /organisations/{slug}", API_MANAGERS, lambda w: {"slug": w.organisation.slug}),
    api_list("GET /places"),
    api("POST /places", API_MANAGERS,
        body=lambda w: {"slug": "matrix-new", "name": "New", "kind": "city", "country": "FR"}),
    api("GET /places/{slug}", EVERYONE, lambda w: {"slug": "lyon"}),
    api("PATCH /places/{slug}", API_MANAGERS, lambda w: {"slug": "lyon"}),
    api("GET /places/{slug}/partners", EVERYONE, lambda w: {"slug": "lyon"}),
    api_list("GET /people"),
    api("POST /people", API_MANAGERS, body=lambda w: {"name": "New"}),
    api("GET /people/{person_id}", "AA AAA HA", lambda w: {"person_id": w.person.pk},
        note="internal person"),
    api("PATCH /people/{person_id}", API_MANAGERS, lambda w: {"person_id": w.person.pk}),
    api_list("GET /events"),
    api("POST /events", API_MANAGERS,
        body=lambda w: {"slug": "matrix-new", "title": "New", "kind": "workshop"}),
    api("GET /events/{slug}", "AA AAA HA", lambda w: {"slug": w.internal_event.slug},
        note="internal event"),
    api("PATCH /events/{slug}", API_MANAGERS, lambda w: {"slug": w.event.slug}),
    api_list("GET /indicators"),
    api("GET /indicators/{indicator_id}", API_INTERNAL,
        lambda w: {"indicator_id": w.indicator.pk}, note="internal pilot"),
    api("POST /indicators/{indicator_id}/values", "AA AHF LF",
        lambda w: {"indicator_id": w.indicator.pk},
        body=lambda w: {"period_start": "2016-01-01", "period_end": "2016-12-31", "value": 3},
        note="owned by the coordinator"),
    api_list("GET /practices"),
    api("GET /practices/{slug}", "AA AHH HA", lambda w: {"slug": w.draft.slug}, note="draft"),
    api_list("GET /needs"),
    api("GET /needs/{slug}", "AA AHH HA", lambda w: {"slug": w.internal_need.slug},
        note="internal need"),
    api("GET /needs/{slug}/matches", "AA AHH HA", lambda w: {"slug": w.internal_need.slug},
        note="internal need"),
    api("GET /exports/{fmt}", EVERYONE, lambda w: {"fmt": "json"}),
]

CASES = PAGES + APIS


# -- what exists: the URL map and the API's operations ---------------------------------------

def url_patterns() -> dict[str, str]:
    """Every named URL pattern outside the Django admin, with its route, except the API's
    operations (listed by :func:`api_operations`)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                if entry.callback.__module__.startswith("ninja.operation"):
                    continue
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                found[name] = "/" + prefix + str(entry.pattern)

    walk(get_resolver(), "", "")
    return found


def api_operations() -> list[str]:
    """Every operation of the REST API, as "METHOD /path" under /api/v1."""
    from citycoop.api import api as ninja_api

    prefix = "/api/v1"
    return [f"{method.upper()} {path.removeprefix(prefix)}"
            for path, operations in ninja_api.get_openapi_schema()["paths"].items()
            for method in operations]


# -- docs/permissions.md -----------------------------------------------------------------------

CELL = {"A": "yes", "L": "sign in", "F": "403", "H": "404"}


def _rows(cases: list[Case], where: Callable[[Case], str]) -> Iterator[str]:
    yield "| Address | Method | About | " + " | ".join(ROLE_TITLES) + " |"
    yield "|---|---|---|" + "---|" * len(ROLES)
    for case in cases:
        cells = " | ".join(CELL[letter] for letter in case.answers)
        yield f"| `{where(case)}` | {case.method} | {case.note} | {cells} |"


def markdown(routes: dict[str, str]) -> str:
    """docs/permissions.md, from the table and the routes of the URL patterns."""
    legend = "; ".join(f"**{CELL[letter]}**: {meaning}" for letter, meaning in
                       [("A", "allowed (the page, or an answer judged on the request's "
                              "content)"), ("L", "a sign-in is required first (401 on the "
                                               "API)"),
                        ("F", "forbidden"), ("H", "not found: the record stays unnamed")])
    lines = [
        "# Who may do what",
        "",
        "Every page and API operation, and what each kind of user gets. This page is made "
        "from the table the permission tests check (tests/permission_matrix.py); do not edit "
        "it by hand: run `.venv/bin/python -m tests.permission_matrix` after changing the "
        "table. The same tests check that no answer, whatever its status, names a record its "
        "reader may not see (in a list, a count, a form's choices or a download).",
        "",
        "The roles: a site **admin**; a **manager** of the World Cities 2015-2016 programme; "
        "the **coordinator** and a **member** of the pairing the record belongs to (Lyon – "
        "Guangzhou); the **other coordinator**, who coordinates another pairing of the "
        "programme; the **anonymous** visitor; and a **read token**, an API token with the "
        "read scope (the manager's). On the API the signed-in roles use a write-scope token "
        "of their own. Pages ignore tokens: a read token gets what the anonymous visitor "
        "gets there.",
        "",
        f"In the cells: {legend}. Personal links (registration, B2B) are a capability: whoever "
        "holds the link may use it, signed in or not. The Django admin (/admin/) is for "
        "staff accounts only.",
        "",
        "## Pages",
        "",
        *_rows(PAGES, lambda case: routes.get(case.key, case.key)
               + (f"?{case.query}" if case.query else "")),
        "",
        "## API (under /api/v1)",
        "",
        *_rows(APIS, lambda case: case.key.split(" ", 1)[1]),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import os
    from pathlib import Path

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    django.setup()
    target = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
    target.write_text(markdown(url_patterns()), encoding="utf-8")
    print(f"wrote {target}")
