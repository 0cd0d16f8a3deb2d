"""Every page and API operation, asked as every role, answers as tests/permission_matrix.py
says: allowed, sign in first, forbidden or not found; and no answer, whatever its status,
contains the name of a record that role may not see. A URL pattern or API operation without
an entry in that table fails here, by name, and so does an entry whose pattern is gone.

The records are made once for the module (the demo portfolio and what it lacks: an internal
pairing, pilot and agreement, practices at each stage, a need, threads, an event with its
registrations and B2B meetings, an indicator); each request runs in a savepoint that is
rolled back, so that one role's POST never changes what the next role is asked about.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from . import permission_matrix as matrix
from .workspace_fixtures import OTHER_PAIRING, OWN_PAIRING, pairing_persona

pytestmark = pytest.mark.django_db

SIGNED_IN_ROLES = ("admin", "manager", "coordinator", "other", "member")
# Answers that mean "past the permission checks, judged on the request itself".
JUDGED_ON_CONTENT = {400, 409, 412, 422, 428}

# The names of the records made below that some roles may not see: no answer to such a role
# may contain them, whatever its status (a list, a count, a form's choices, a download).
OF_THE_INTERNAL_PAIRING = ("Confidential pairing",)   # its label, its pilot's and MoU's
INTERNAL_TO_LYON = ("Confidential pilot", "Confidential action", "Confidential step",
                    "Confidential MoU", "Confidential thread", "Confidential post",
                    "confidential.txt")
KEPT_BY_COORDINATORS = ("Confidential need", "Confidential draft")
FOR_SIGNED_IN_PEOPLE = ("Confidential event", "Confidential person")
UNSEEN = {
    "coordinator": OF_THE_INTERNAL_PAIRING,
    "member": OF_THE_INTERNAL_PAIRING + KEPT_BY_COORDINATORS,
    "other": OF_THE_INTERNAL_PAIRING + INTERNAL_TO_LYON + KEPT_BY_COORDINATORS,
    "anonymous": (OF_THE_INTERNAL_PAIRING + INTERNAL_TO_LYON + KEPT_BY_COORDINATORS
                  + FOR_SIGNED_IN_PEOPLE),
}


def build_world() -> SimpleNamespace:
    """The demo portfolio, the seven roles, and one record of each kind the table asks about."""
    from citycoop.accounts.models import AuditEntry, Membership, Role, TokenScope, User
    from citycoop.accounts.tokens import create_token
    from citycoop.common.services import create_record
    from citycoop.discussions.models import Notification, NotificationKind
    from citycoop.discussions.notify import notify
    from citycoop.discussions.services import report_post, start_thread
    from citycoop.events.models import Event, EventKind
    from citycoop.events.registration import check_in
    from citycoop.imports import staging
    from citycoop.matchmaking import outcomes, services
    from citycoop.matchmaking.models import Meeting
    from citycoop.opendata.sheet_views import stage
    from citycoop.portfolio.demo.loader import load_portfolio
    from citycoop.portfolio.models import Agreement, AgreementParty, Pairing
    from citycoop.portfolio.services import (
        create_action,
        create_agreement,
        create_next_step,
        create_pairing,
        create_pilot,
        delete_pairing,
    )
    from citycoop.practices.need_services import post_need
    from citycoop.practices.services import add_practice_file
    from citycoop.registry.models import Organisation, Person, Place, Programme
    from citycoop.reports import results
    from citycoop.reports.results_models import ResultKind

    from .factories_practices import ENGLISH, make_practice
    from .test_b2b_services import accepted, join, make_event

    load_portfolio()
    w = SimpleNamespace()
    programme = Programme.objects.get(slug=matrix.PROGRAMME)
    w.admin = User.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    w.manager = User.objects.create_user("manager", password="a-long-test-password")
    Membership.objects.create(user=w.manager, role=Role.MANAGER, programme=programme)
    w.coordinator = pairing_persona("coordinator", Role.COORDINATOR, OWN_PAIRING)
    w.other = pairing_persona("other-coordinator", Role.COORDINATOR, OTHER_PAIRING)
    w.member = pairing_persona("member", Role.MEMBER, OWN_PAIRING)
    admin = w.admin

    lyon = Pairing.objects.get(slug=OWN_PAIRING)
    w.internal_pairing = create_pairing({"programme": programme, "slug": "matrix-internal",
                                         "label": "Confidential pairing", "is_public": False},
                                        acting_user=admin)
    w.foreign_pairing = create_pairing(
        {"programme": Programme.objects.get(slug="iuc-2016-2019"), "slug": "matrix-foreign",
         "label": "A pairing of another programme"}, acting_user=admin)
    w.foreign_entry = AuditEntry.objects.filter(object_id=str(w.foreign_pairing.pk),
                                                content_type__model="pairing").get()
    w.trashed = delete_pairing(create_pairing(
        {"programme": programme, "slug": "matrix-deleted", "label": "A deleted pairing"},
        acting_user=admin), acting_user=admin)
    w.pilot = lyon.pilots.order_by("position", "id").first()
    w.action = w.pilot.actions.order_by("id").first()
    w.internal_pilot = create_pilot({"pairing": lyon, "slug": "matrix-internal",
                                     "title": "Confidential pilot", "is_public": False},
                                    acting_user=admin)
    w.internal_action = create_action({"pilot": w.internal_pilot, "text": "Confidential action"},
                                      acting_user=admin)
    w.agreement = Agreement.objects.filter(pairing=lyon).order_by("id").first()
    w.internal_agreement = create_agreement(
        {"slug": "matrix-internal-mou", "title": "Confidential MoU", "status": "idea",
         "pairing": lyon, "is_public": False}, acting_user=admin)
    # What hangs from the internal pairing is internal too, even when flagged public.
    hidden_pilot = create_pilot({"pairing": w.internal_pairing, "slug": "hidden",
                                 "title": "Confidential pairing's pilot"}, acting_user=admin)
    hidden_agreement = create_agreement({"slug": "matrix-hidden-mou", "status": "idea",
                                         "title": "Confidential pairing's MoU",
                                         "pairing": w.internal_pairing}, acting_user=admin)
    w.step = create_next_step({"pilot": w.pilot, "text": "Invite the cluster"},
                              acting_user=admin)
    w.internal_step = create_next_step({"pilot": w.internal_pilot, "text": "Confidential step"},
                                       acting_user=admin)
    w.lyon_entry = AuditEntry.objects.filter(object_id=str(w.step.pk),
                                             content_type__model="nextstep").get()
    w.organisation = Organisation.objects.order_by("pk").first()
    AgreementParty.objects.create(agreement=hidden_agreement, organisation=w.organisation,
                                  side="eu")
    w.person = create_record(Person, {"name": "Confidential person", "visibility": "internal"},
                             acting_user=admin)
    w.audit_entry = AuditEntry.objects.order_by("pk").first()

    # An event of Lyon's with registration and B2B sessions, and an internal one.
    w.event = make_event("matrix-b2b")
    w.event.pairings.add(lyon)
    w.event.pilots.add(hidden_pilot)
    w.internal_event = create_record(Event, {"slug": "matrix-internal-event", "kind":
                                             EventKind.WORKSHOP, "title": "Confidential event",
                                             "is_public": False}, acting_user=admin,
                                     many={"pairings": [lyon]})
    w.ana, ben, w.cai = join(w.event, "Ana"), join(w.event, "Ben"), join(w.event, "Cai")
    w.registered = w.ana
    w.attended = check_in(w.event, join(w.event, "Dee").badge_code, acting_user=admin)
    w.pending_request = services.send_request(w.cai, w.ana, "Shall we meet?")
    starts = datetime.datetime(2016, 9, 26, 9, 0, tzinfo=datetime.UTC)
    w.meeting = create_record(Meeting, {
        "request": accepted(w.ana, ben), "slot": "d1-09:00", "starts_at": starts,
        "ends_at": starts + datetime.timedelta(minutes=30), "table": 1, "published": True,
        "status": "held"}, acting_user=None)
    w.follow_up = outcomes.create_follow_ups(w.event, months=(3,))[0]

    # Results: an indicator of the internal pilot, owned by the pairing's coordinator.
    result = results.create_result(programme, {"kind": ResultKind.OUTPUT, "title": "Audits"},
                                   acting_user=w.manager, pilot=w.internal_pilot)
    w.indicator = results.create_indicator(result, {"name": "Buildings", "unit": "buildings",
                                                    "owner": w.coordinator},
                                           acting_user=w.manager)
    results.create_target(w.indicator, {"period_label": "2016",
                                        "period_start": datetime.date(2016, 1, 1),
                                        "period_end": datetime.date(2016, 12, 31),
                                        "value": Decimal(40)}, acting_user=w.manager)
    w.value = results.enter_value(w.indicator, period_start=datetime.date(2016, 1, 1),
                                  period_end=datetime.date(2016, 12, 31), value=Decimal(30),
                                  acting_user=w.coordinator, submit=True)

    # Good practices of Lyon, written by an admin: Lyon's coordinator keeps them.
    w.draft = make_practice(admin, texts={"en": {**ENGLISH, "title": "Confidential draft"}})
    w.draft_file = add_practice_file(w.draft, SimpleUploadedFile("notes.txt", b"Notes"), "",
                                     False, acting_user=admin)
    w.submitted = make_practice(admin, status="submitted")
    w.reviewed = make_practice(admin, status="reviewed")
    w.published = make_practice(admin, status="published")
    place = Place.objects.get(slug="lyon")
    w.need = post_need(place, "Cold storage for food", "Help.", acting_user=w.coordinator)
    w.internal_need = post_need(place, "Confidential need", "Help.", acting_user=w.coordinator,
                                is_public=False)

    # Discussions on Lyon's public and internal pilots.
    w.thread = start_thread(w.pilot, "Clusters", "Who comes?", acting_user=w.coordinator)
    w.internal_thread = start_thread(
        w.internal_pilot, "Confidential thread", "Confidential post", acting_user=w.coordinator,
        attachments=[SimpleUploadedFile("confidential.txt", b"figures")])
    w.internal_post = w.internal_thread.posts.get()
    w.attachment = w.internal_post.attachments.get()
    w.report = report_post(w.internal_post, "Off topic.", acting_user=w.member)
    notify([w.coordinator.pk], kind=NotificationKind.REPLY, subject="Clusters", url="/",
           actor=admin)
    w.notification = Notification.objects.filter(user=w.coordinator).order_by("-pk").first()

    # Uploads waiting for review, and the tokens.
    w.import_digest = staging.stage(b"<html><body><p>Lyon and Guangzhou.</p></body></html>",
                                    "report.html")
    w.sheet_token = stage(b"not a workbook", "book.xlsx", w.manager)
    w.coordinator_token, _secret = create_token(w.coordinator, name="matrix",
                                                acting_user=w.coordinator)
    w.bearer = {"token": create_token(w.manager, name="read", scope=TokenScope.READ,
                                      acting_user=w.manager)[1]}
    w.sessions = {}
    for role in SIGNED_IN_ROLES:
        user = getattr(w, role)
        w.bearer[role] = create_token(user, name="write", scope=TokenScope.WRITE,
                                      acting_user=user)[1]
        client = Client()
        client.force_login(user)
        w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Made once; rolled back when the module is done.

    The module's transaction lives as long as the connection does. Django closes a
    connection that is not in autocommit whenever request_finished fires with
    close_old_connections connected; the test client fires it with that receiver
    disconnected, when it closes a response (a streamed one once it has been read). Nothing
    here may fire it again, e.g. by calling response.close(): on PostgreSQL that closes the
    connection and with it the transaction (SQLite's in-memory test database ignores a close).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# -- asking and judging ----------------------------------------------------------------------

def address(world: Any, case: matrix.Case) -> str:
    if case.kind == "api":
        path = case.key.split(" ", 1)[1].format(**(case.args(world) if case.args else {}))
        return f"/api/v1{path}?{case.query}" if case.query else f"/api/v1{path}"
    url = reverse(case.key, args=case.args(world) if case.args else ())
    return f"{url}?{case.query}" if case.query else url


def ask(world: Any, case: matrix.Case, role: str) -> HttpResponse:
    """The answer to this role, in a savepoint rolled back after it."""
    client = Client(raise_request_exception=False)
    headers: dict[str, str] = {}
    if case.kind == "api" and role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.bearer[role]}"
    elif role == "token":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.bearer['token']}"
    elif role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = address(world, case)
    data = case.data(world) if case.data else {}
    with transaction.atomic():
        if case.kind == "api" and case.method != "GET":
            response = client.generic(case.method, url, json.dumps(data),
                                      content_type="application/json", HTTP_IF_MATCH="*",
                                      **headers)
        elif case.method == "GET":
            response = client.get(url, **headers)
        else:
            response = client.post(url, data, **headers)
        transaction.set_rollback(True)
    return response


def judged(response: HttpResponse) -> str:
    """The answer's letter (see tests/permission_matrix.py), or its status code."""
    status = response.status_code
    if 300 <= status < 400:
        location = response.get("Location", "")
        return "L" if location.startswith(reverse(settings.LOGIN_URL)) else "A"
    if status < 300 or status in JUDGED_ON_CONTENT:
        return "A"
    return {401: "L", 403: "F", 404: "H"}.get(status, str(status))


def leaked(case: matrix.Case, role: str, response: HttpResponse) -> list[str]:
    """The names of records this role may not see that the answer contains."""
    if role == "token":
        # A page ignores the token; on the API it reads as the manager, who sees all.
        role = "anonymous" if case.kind == "page" else "manager"
    # The client has closed the response already (a streamed one as its last chunk is read);
    # closing it again would fire request_finished, see world().
    body = (b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming else response.content)
    if body.startswith(b"PK"):  # a zip (the open-data dump, a spreadsheet): read each file
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    text = body.decode("utf-8", "replace")
    return [name for name in UNSEEN.get(role, ()) if name in text]


@pytest.mark.parametrize("case", matrix.CASES, ids=[case.id for case in matrix.CASES])
def test_each_role_gets_the_answer_the_matrix_gives(world: Any, case: matrix.Case) -> None:
    answers = {role: ask(world, case, role) for role in matrix.ROLES}
    got = {role: judged(response) for role, response in answers.items()}
    leaks = {role: found for role, response in answers.items()
             if (found := leaked(case, role, response))}
    assert not leaks, f"{case.id} at {address(world, case)} names what they may not see: {leaks}"
    wrong = [f"{role}: expected {expected}, got {got[role]} "
             f"({answers[role].status_code} {answers[role].get('Location', '')})".rstrip()
             + (f" raised {answers[role].exc_info[1]!r}"  # type: ignore[attr-defined]
                if getattr(answers[role], "exc_info", None) else "")
             for role, expected in zip(matrix.ROLES, case.answers, strict=True)
             if got[role] != expected]
    assert not wrong, f"{case.id} at {address(world, case)}:\n" + "\n".join(wrong)


# -- the table covers what exists, and only that -----------------------------------------------

def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern() -> None:
    patterns = matrix.url_patterns()
    listed = {case.key for case in matrix.PAGES}
    missing = sorted(f"{name} ({route})" for name, route in patterns.items()
                     if name not in listed)
    assert not missing, ("URL patterns without an entry in tests/permission_matrix.py "
                         "(say who may use them): " + ", ".join(missing))
    gone = sorted(listed - set(patterns))
    assert not gone, "Entries naming URL patterns that no longer exist: " + ", ".join(gone)


def test_every_api_operation_has_an_entry_and_every_entry_an_operation() -> None:
    operations = set(matrix.api_operations())
    listed = {case.key for case in matrix.APIS}
    missing = sorted(operations - listed)
    assert not missing, ("API operations without an entry in tests/permission_matrix.py: "
                         + ", ".join(missing))
    gone = sorted(listed - operations)
    assert not gone, "Entries naming API operations that no longer exist: " + ", ".join(gone)


def test_each_entry_gives_one_known_answer_per_role() -> None:
    for case in matrix.CASES:
        assert len(case.answers) == len(matrix.ROLES), case.id
        assert set(case.answers) <= set(matrix.ANSWERS), case.id
        if case.kind == "page":
            # A page ignores tokens: the token holder is the anonymous visitor there.
            assert case.answers[-1] == case.answers[-2], case.id


def test_the_permissions_page_is_made_from_the_table() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
    assert page.read_text(encoding="utf-8") == matrix.markdown(matrix.url_patterns()), (
        "docs/permissions.md is out of date: run .venv/bin/python -m tests.permission_matrix")


def test_the_django_admin_is_for_staff_only(world: Any) -> None:
    def status(role: str) -> tuple[int, str]:
        client = Client()
        if role in world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        response = client.get("/admin/")
        return response.status_code, response.get("Location", "")

    assert status("admin")[0] == 200
    for role in ("manager", "coordinator", "member", "anonymous"):
        code, location = status(role)
        assert code == 403 or (code == 302 and location.startswith("/admin/login/")), role
