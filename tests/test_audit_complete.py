"""The audit log is complete: every service that writes, called once, leaves an audit entry
naming who acted, and every kind of record whose rows it added or removed appears in its
entries. A new service function that writes (one that takes ``acting_user``, or is named
like a write in a services module) fails here until it is added to CALLS below."""

from __future__ import annotations

import ast
import datetime
import importlib
import io
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from citycoop.accounts.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1] / "citycoop"
OWN_PAIRING = "lyon-guangzhou"
PROGRAMME = "world-cities-2015-2016"

# Modules that are ways in (pages, API, forms, admin, commands): they call the services.
ENTRY_POINTS = re.compile(r"^(.*views.*|api.*|.*_api|forms.*|.*_forms|admin|apikit)\.py$")
# Names that say a function writes, for functions of the services modules.
WRITE_VERBS = re.compile(
    r"^(create|update|delete|add|remove|set|post|publish|submit|save|send|mark|merge|undo|"
    r"restore|revert|register|cancel|withdraw|answer|report|hide|keep|follow|unfollow|close|"
    r"complete|enter|take|apply|schedule|announce|raise|promote|check|return|review|start|"
    r"approve|load|generate|upsert|sync|record|soft|purge|tell|import|move|rename|reject)"
    r"(_|$)")

# Functions that write but leave no audit entry of their own, and why.
EXEMPT = {
    "discussions.services.mark_read": "the reader's own inbox, not a shared record",
    "practices.need_services.tell_practice_authors": "sends notifications only",
    "common.trash.purge": "forgets expired trash; the deletions were audited when made",
    "portfolio.demo.loader.load_portfolio":
        "a second load writes nothing; see test_the_demo_loader_audits_every_record_it_makes",
}
# Functions named like writes that only read or compute.
READ_ONLY = {
    "common.revert.revert_kind", "discussions.services.post_url",
    "matchmaking.outcomes.add_months", "opendata.sheet_import.review_workbook",
    "practices.services.check_upload", "reports.results.review_queue",
}
# Rows of these are derived from audited ones, or are the log and the trash themselves.
BOOKKEEPING = {"accounts.auditentry", "common.trashedrecord", "search.searchentry",
               "discussions.notification", "sessions.session"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def writing_functions() -> set[str]:
    """Every public function of the code that takes ``acting_user``, and in the services
    modules every one named like a write, as "module.function" (below citycoop)."""
    found = set()
    for path in sorted(ROOT.rglob("*.py")):
        if {"migrations", "management"} & set(path.parts) or ENTRY_POINTS.match(path.name):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)
                     and not node.name.startswith("_")]
        names = {node.name for node in functions
                 if "acting_user" in [a.arg for a in node.args.args + node.args.kwonlyargs]}
        if names or "services" in path.stem:
            names |= {node.name for node in functions if WRITE_VERBS.match(node.name)}
        found |= {f"{module_name(path)}.{name}" for name in names}
    return found


def service(name: str) -> Callable[..., Any]:
    module, function = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"citycoop.{module}"), function)


# -- the world the calls need ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo loaded once for the module, rolled back at the end; each test runs in its
    own savepoint."""
    from citycoop.portfolio.demo.loader import load_portfolio

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_portfolio()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_the_module: Any, db: Any) -> Any:
    return demo_for_the_module


class World:
    """The records a call needs, made on first use (before the call is measured)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def get(self, label: str, **lookup: Any) -> Any:
        return apps.get_model(label)._default_manager.get(**lookup)

    @cached_property
    def programme(self) -> Any:
        return self.get("registry.programme", slug=PROGRAMME)

    @cached_property
    def pairing(self) -> Any:
        return self.get("portfolio.pairing", slug=OWN_PAIRING)

    @cached_property
    def pilot(self) -> Any:
        return self.pairing.pilots.order_by("pk").first()

    @cached_property
    def action(self) -> Any:
        return self.pilot.actions.order_by("pk").first()

    @cached_property
    def agreement(self) -> Any:
        return apps.get_model("portfolio.agreement").objects.order_by("pk").first()

    @cached_property
    def organisation(self) -> Any:
        return self.get("registry.organisation", slug="evotion")

    def place(self, slug: str = "lyon") -> Any:
        return self.get("registry.place", slug=slug)

    def theme(self, slug: str = "waste-management") -> Any:
        return self.get("registry.theme", slug=slug)

    def new_organisation(self, slug: str = "audit-test-body") -> Any:
        from citycoop.registry.services import create_organisation

        return create_organisation({"slug": slug, "name": slug.replace("-", " ").title(),
                                    "type": "other"}, acting_user=self.user)

    def step(self) -> Any:
        from citycoop.portfolio.services import create_next_step

        return create_next_step({"pilot": self.pilot, "text": "Write the minutes"},
                                acting_user=self.user)

    # events, registration and B2B
    @cached_property
    def event(self) -> Any:
        from citycoop.common.services import create_record
        from citycoop.matchmaking.services import save_setup

        event = create_record(apps.get_model("events.event"), {
            "slug": "audit-b2b", "title": "Audit B2B", "kind": "b2b_session",
            "registration_open": True, "capacity": 10}, acting_user=self.user)
        save_setup(event, {"days": ["2016-09-26"], "starts": datetime.time(9),
                           "ends": datetime.time(12), "slot_minutes": 30, "tables": 3},
                   acting_user=self.user)
        return event

    def join(self, name: str, *, profile: bool = True) -> Any:
        from citycoop.events.registration import Registrant, register
        from citycoop.matchmaking.services import save_profile

        participation = register(self.event, Registrant(
            name=name, email=f"{name.lower()}@audit.example.org"), acting_user=self.user)
        if profile:
            save_profile(participation, {"organisation_name": f"{name} Ltd",
                                         "published": True}, acting_user=self.user)
        return participation

    def request(self, *, accepted: bool = True) -> Any:
        from citycoop.matchmaking.services import answer_request, send_request

        ana, ben = self.join("Ana"), self.join("Ben")
        request = send_request(ana, ben, "Shall we meet?", acting_user=self.user)
        if accepted:
            request = answer_request(request, True, by=ben, acting_user=self.user)
        return request

    def meeting(self, *, held: bool = False) -> Any:
        from citycoop.matchmaking import scheduling

        request = self.request()
        scheduling.schedule_event(self.event, self.user, time_limit=2)
        scheduling.publish_schedule(self.event, acting_user=self.user)
        meeting = apps.get_model("matchmaking.meeting").objects.get(request=request)
        if held:
            meeting = scheduling.mark_meeting(meeting, "held", acting_user=self.user)
        return meeting

    def follow_up(self, *, answered: bool = False) -> Any:
        from citycoop.common.services import update_record
        from citycoop.matchmaking import outcomes

        update_record(self.event, {}, acting_user=self.user, expected_version=None,
                      many={"pairings": [self.pairing]})
        self.meeting(held=True)
        follow_up = outcomes.create_follow_ups(self.event, months=(3,), acting_user=self.user)[0]
        if answered:
            follow_up = outcomes.answer_follow_up(follow_up.token, "agreement",
                                                  acting_user=self.user)
        return follow_up

    def attended(self) -> Any:
        from citycoop.events.registration import check_in

        participation = self.join("Cai", profile=False)
        return check_in(self.event, participation.badge_code, acting_user=self.user)

    # practices, needs, discussions
    def practice(self, status: str = "draft") -> Any:
        from tests.factories_practices import make_practice

        return make_practice(self.user, status=status, reviewer=self.user)

    def need(self) -> Any:
        from citycoop.practices.need_services import post_need

        return post_need(self.place("guangzhou"), "Less landfill", "Most is buried.",
                         acting_user=self.user)

    def thread(self) -> Any:
        from citycoop.discussions.services import start_thread

        return start_thread(self.pairing, "Next visit", "When do we go?",
                            acting_user=self.user)

    def report(self) -> Any:
        from citycoop.discussions.services import report_post

        return report_post(self.thread().posts.get(), "Off topic", acting_user=self.user)

    # results
    @cached_property
    def indicator(self) -> Any:
        from citycoop.reports import results

        result = results.create_result(self.programme, {"kind": "outcome",
                                                        "title": "Plans adopted"},
                                       acting_user=self.user)
        return results.create_indicator(result, {"name": "Plans", "unit": "plans",
                                                 "baseline_value": Decimal(0)},
                                        acting_user=self.user)

    def value(self, *, submitted: bool = False) -> Any:
        from citycoop.reports import results

        return results.enter_value(self.indicator, period_start=datetime.date(2016, 1, 1),
                                   period_end=datetime.date(2016, 12, 31), value=Decimal(3),
                                   acting_user=self.user, submit=submitted)

    def entry_of(self, write: Callable[[], Any]) -> AuditEntry:
        write()
        return AuditEntry.objects.order_by("-pk").first()


def png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return SimpleUploadedFile("bins.png", buffer.getvalue(), "image/png")


def imported_review(w: World) -> Any:
    from citycoop.imports.extract import extract
    from citycoop.imports.readers import read_bytes
    from citycoop.imports.review import review_report

    data = b"Kyoto report\n\n## 1. Lisbon - Kyoto\n\n### Issue 1: Circular economy\n\n" \
           b"- Mission to Kyoto in May 2022 with Lisboa E-Nova\n"
    document = read_bytes(data, "kyoto-report.md")
    return review_report(document, extract(document), data, programme="IURC Asia")


def sheet_review(w: World) -> Any:
    from openpyxl import load_workbook

    from citycoop.opendata.exporters import EXPORTERS
    from citycoop.opendata.selection import Selection
    from citycoop.opendata.sheet_import import review_workbook

    out = io.BytesIO()
    EXPORTERS["xlsx"].export(Selection(everything=True), out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["actions"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("id")].value
               == w.action.pk)
    row[header.index("text")].value = "Changed in the spreadsheet"
    edited = io.BytesIO()
    book.save(edited)
    return review_workbook(edited.getvalue(), name="edited.xlsx", user=w.user)


def call(target: str, /, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    return lambda: service(target)(*args, **kwargs)


# For each writing function: given the world, make what it needs and return the call itself.
CALLS: dict[str, Callable[[World], Callable[[], Any]]] = {
    # the write path itself
    "common.services.record_audit": lambda w: call(
        "common.services.record_audit", w.user, AuditAction.UPDATE, w.pairing, {}),
    "common.services.create_record": lambda w: call(
        "common.services.create_record", apps.get_model("registry.theme"),
        {"slug": "audit-theme", "name": "Audit"}, acting_user=w.user),
    "common.services.update_record": lambda w: call(
        "common.services.update_record", w.pairing, {"summary": "Changed"}, acting_user=w.user,
        expected_version=None),
    "common.services.delete_record": lambda w: call(
        "common.services.delete_record", w.step(), acting_user=w.user),
    "common.services.upsert_record": lambda w: call(
        "common.services.upsert_record", apps.get_model("registry.theme"),
        {"slug": "audit-theme"}, {"name": "Audit"}, acting_user=w.user),
    "common.services.sync_children": lambda w: call(
        "common.services.sync_children", w.pilot.actions.all(), [], acting_user=w.user),
    "common.trash.soft_delete": lambda w: call(
        "common.trash.soft_delete", w.pairing, acting_user=w.user),
    "common.trash.restore": lambda w: call(
        "common.trash.restore", service("common.trash.soft_delete")(
            w.pairing, acting_user=w.user), acting_user=w.user),
    "common.revert.revert_entry": lambda w: call(
        "common.revert.revert_entry", w.entry_of(call(
            "portfolio.services.update_pairing", w.pairing, {"summary": "To revert"},
            acting_user=w.user, expected_version=None)), acting_user=w.user),
    "accounts.tokens.create_token": lambda w: call(
        "accounts.tokens.create_token", w.user, name="dashboard", acting_user=w.user),
    "accounts.tokens.revoke_token": lambda w: call(
        "accounts.tokens.revoke_token", service("accounts.tokens.create_token")(
            w.user, name="dashboard", acting_user=w.user)[0], acting_user=w.user),
    "accounts.account_audit.audit_account": lambda w: call(
        "accounts.account_audit.audit_account", w.user,
        w.user, {}, AuditAction.CREATE),
    "accounts.account_audit.delete_account": lambda w: call(
        "accounts.account_audit.delete_account",
        apps.get_model("accounts.user").objects.create_user("leaving"), acting_user=w.user),
    # portfolio
    "portfolio.services.create_pairing": lambda w: call(
        "portfolio.services.create_pairing", {"slug": "audit-pairing", "label": "Audit",
                                              "programme": w.programme}, acting_user=w.user),
    "portfolio.services.update_pairing": lambda w: call(
        "portfolio.services.update_pairing", w.pairing, {"summary": "Changed"},
        acting_user=w.user, expected_version=w.pairing.version),
    "portfolio.services.delete_pairing": lambda w: call(
        "portfolio.services.delete_pairing", w.pairing, acting_user=w.user),
    "portfolio.services.create_pilot": lambda w: call(
        "portfolio.services.create_pilot", {"pairing": w.pairing, "slug": "audit-pilot",
                                            "title": "Audit pilot", "number": 99},
        acting_user=w.user, themes=[w.theme()]),
    "portfolio.services.update_pilot": lambda w: call(
        "portfolio.services.update_pilot", w.pilot, {"title": "Changed"}, acting_user=w.user,
        expected_version=None),
    "portfolio.services.create_action": lambda w: call(
        "portfolio.services.create_action", {"pilot": w.pilot, "text": "Audit action",
                                             "position": 99}, acting_user=w.user),
    "portfolio.services.update_action": lambda w: call(
        "portfolio.services.update_action", w.action, {"text": "Changed"}, acting_user=w.user,
        expected_version=None),
    "portfolio.services.create_agreement": lambda w: call(
        "portfolio.services.create_agreement", {"slug": "audit-mou", "title": "Audit MoU",
                                                "status": "idea", "pairing": w.pairing}, acting_user=w.user),
    "portfolio.services.update_agreement": lambda w: call(
        "portfolio.services.update_agreement", w.agreement, {"title": "Changed"},
        acting_user=w.user, expected_version=None),
    "portfolio.services.create_next_step": lambda w: call(
        "portfolio.services.create_next_step", {"pilot": w.pilot, "text": "Call Lyon"},
        acting_user=w.user),
    "portfolio.services.complete_next_step": lambda w: call(
        "portfolio.services.complete_next_step", w.step(), acting_user=w.user,
        expected_version=None),
    "portfolio.generate.generate_portfolio": lambda w: call(
        "portfolio.generate.generate_portfolio", __import__(
            "citycoop.portfolio.generate", fromlist=["GenerationSpec"]).GenerationSpec(
            1, pilots_per_pairing=1, actions_per_pilot=1), acting_user=w.user),
    # registry
    "registry.services.create_place": lambda w: call(
        "registry.services.create_place", {"slug": "audit-town", "name": "Audit Town",
                                           "kind": "city", "country": "FR"}, acting_user=w.user),
    "registry.services.update_place": lambda w: call(
        "registry.services.update_place", w.place(), {"population": 1}, acting_user=w.user,
        expected_version=None),
    "registry.services.create_organisation": lambda w: call(
        "registry.services.create_organisation", {"slug": "audit-body", "name": "Audit body",
                                                  "type": "other"}, acting_user=w.user),
    "registry.services.update_organisation": lambda w: call(
        "registry.services.update_organisation", w.organisation, {"description": "Robots"},
        acting_user=w.user, expected_version=None),
    "registry.services.delete_organisation": lambda w: call(
        "registry.services.delete_organisation", w.new_organisation(), acting_user=w.user),
    "registry.services.create_person": lambda w: call(
        "registry.services.create_person", {"name": "Ada Audit"}, acting_user=w.user),
    "registry.services.create_programme": lambda w: call(
        "registry.services.create_programme", {"slug": "audit-programme", "name": "Audit"},
        acting_user=w.user),
    "registry.services.create_theme": lambda w: call(
        "registry.services.create_theme", {"slug": "audit-theme", "name": "Audit"},
        acting_user=w.user),
    "registry.merge.merge_organisations": lambda w: call(
        "registry.merge.merge_organisations", w.organisation, w.new_organisation(),
        acting_user=w.user),
    "registry.merge.undo_merge": lambda w: call(
        "registry.merge.undo_merge", service("registry.merge.merge_organisations")(
            w.organisation, w.new_organisation(), acting_user=w.user), acting_user=w.user),
    # events and registration
    "events.registration.register": lambda w: (w.event, lambda: w.join("Dee", profile=False))[1],
    "events.registration.cancel": lambda w: call(
        "events.registration.cancel", w.join("Dee", profile=False), acting_user=w.user),
    "events.registration.promote_from_waitlist": lambda w: (
        service("events.registration.raise_capacity")(w.event, 0, acting_user=w.user),
        w.join("Eve", profile=False),
        service("common.services.update_record")(w.event, {"capacity": 5},
                                                 acting_user=w.user, expected_version=None),
        call("events.registration.promote_from_waitlist", w.event, acting_user=w.user))[-1],
    "events.registration.raise_capacity": lambda w: call(
        "events.registration.raise_capacity", w.event, 20, acting_user=w.user),
    "events.registration.check_in": lambda w: call(
        "events.registration.check_in", w.event, w.join("Dee", profile=False).badge_code,
        acting_user=w.user),
    "events.registration.submit_feedback": lambda w: call(
        "events.registration.submit_feedback", w.attended(),
        {"overall": 4, "relevance": 4, "organisation": 4, "networking": 4},
        acting_user=w.user),
    "events.registration.set_registration_open": lambda w: call(
        "events.registration.set_registration_open", w.event, False, expected_version=None,
        acting_user=w.user),
    "events.registration.mark_no_shows": lambda w: (w.join("Dee", profile=False), call(
        "events.registration.mark_no_shows", w.event, acting_user=w.user))[1],
    # B2B matchmaking
    "matchmaking.services.save_setup": lambda w: call(
        "matchmaking.services.save_setup", w.event, {
            "days": ["2016-09-27"], "starts": datetime.time(9), "ends": datetime.time(11),
            "slot_minutes": 20, "tables": 2}, acting_user=w.user),
    "matchmaking.services.save_profile": lambda w: call(
        "matchmaking.services.save_profile", w.join("Dee", profile=False),
        {"organisation_name": "Dee Ltd"}, acting_user=w.user),
    "matchmaking.services.send_request": lambda w: call(
        "matchmaking.services.send_request", w.join("Ana"), w.join("Ben"), "Hello",
        acting_user=w.user),
    "matchmaking.services.answer_request": lambda w: (
        request := w.request(accepted=False),
        call("matchmaking.services.answer_request", request, True,
             by=request.recipient, acting_user=w.user))[1],
    "matchmaking.services.withdraw": lambda w: (
        request := w.request(accepted=False),
        call("matchmaking.services.withdraw", request, by=request.requester,
             acting_user=w.user))[1],
    "matchmaking.scheduling.schedule_event": lambda w: (w.request(), call(
        "matchmaking.scheduling.schedule_event", w.event, w.user, time_limit=2))[1],
    "matchmaking.scheduling.publish_schedule": lambda w: (
        w.request(), service("matchmaking.scheduling.schedule_event")(w.event, w.user,
                                                                      time_limit=2),
        call("matchmaking.scheduling.publish_schedule", w.event, acting_user=w.user))[-1],
    "matchmaking.scheduling.mark_meeting": lambda w: call(
        "matchmaking.scheduling.mark_meeting", w.meeting(), "held", acting_user=w.user),
    "matchmaking.notify.announce_changes": lambda w: (
        meeting := w.meeting(),
        service("common.services.update_record")(meeting, {"table": 3}, acting_user=w.user,
                                                 expected_version=None),
        call("matchmaking.notify.announce_changes", w.event, acting_user=w.user))[-1],
    "matchmaking.outcomes.create_follow_ups": lambda w: (w.meeting(held=True), call(
        "matchmaking.outcomes.create_follow_ups", w.event, acting_user=w.user))[1],
    "matchmaking.outcomes.answer_follow_up": lambda w: call(
        "matchmaking.outcomes.answer_follow_up", w.follow_up().token, "knowledge",
        acting_user=w.user),
    "matchmaking.outcomes.send_follow_up": lambda w: call(
        "matchmaking.outcomes.send_follow_up", w.follow_up(), "https://example.org/f",
        acting_user=w.user),
    "matchmaking.outcomes.create_agreement_from_follow_up": lambda w: call(
        "matchmaking.outcomes.create_agreement_from_follow_up", w.follow_up(answered=True),
        "MoU on heating", w.user),
    # practices, needs and discussions
    "practices.services.create_practice": lambda w: call(
        "practices.services.create_practice", {"place": w.place()},
        {"en": {"title": "Sorting waste"}}, acting_user=w.user),
    "practices.services.update_practice": lambda w: call(
        "practices.services.update_practice", w.practice(), {"sdgs": [11]},
        acting_user=w.user, expected_version=None),
    "practices.services.save_practice_text": lambda w: call(
        "practices.services.save_practice_text", w.practice(), "zh-hans",
        {"title": "垃圾分类"}, acting_user=w.user),
    "practices.services.add_practice_file": lambda w: call(
        "practices.services.add_practice_file", w.practice(), png(), "Bins", True,
        acting_user=w.user),
    "practices.services.remove_practice_file": lambda w: call(
        "practices.services.remove_practice_file", service(
            "practices.services.add_practice_file")(w.practice(), png(), "", True,
                                                    acting_user=w.user),
        acting_user=w.user),
    "practices.services.submit_practice": lambda w: call(
        "practices.services.submit_practice", w.practice(), acting_user=w.user),
    "practices.services.review_practice": lambda w: call(
        "practices.services.review_practice", w.practice("submitted"),
        {"relevance": 4, "evidence": 4, "transferability": 4, "participation": 3},
        "approve", "", acting_user=w.user),
    "practices.services.publish_practice": lambda w: call(
        "practices.services.publish_practice", w.practice("reviewed"), acting_user=w.user),
    "practices.services.report_adoption": lambda w: call(
        "practices.services.report_adoption", w.practice("published"), w.place("barcelona"),
        "Adopted", None, acting_user=w.user),
    "practices.need_services.post_need": lambda w: call(
        "practices.need_services.post_need", w.place("guangzhou"), "Less landfill", "",
        acting_user=w.user),
    "practices.need_services.update_need": lambda w: call(
        "practices.need_services.update_need", w.need(), {"title": "Much less landfill"},
        acting_user=w.user, expected_version=None),
    "practices.need_services.close_need": lambda w: call(
        "practices.need_services.close_need", w.need(), "met", acting_user=w.user),
    "discussions.services.start_thread": lambda w: call(
        "discussions.services.start_thread", w.pairing, "Next visit", "When?",
        acting_user=w.user),
    "discussions.services.post_reply": lambda w: call(
        "discussions.services.post_reply", w.thread(), "In May.", acting_user=w.user),
    "discussions.services.report_post": lambda w: call(
        "discussions.services.report_post", w.thread().posts.get(), "Off topic",
        acting_user=w.user),
    "discussions.services.hide_post": lambda w: call(
        "discussions.services.hide_post", w.thread().posts.get(), "Off topic",
        acting_user=w.user),
    "discussions.services.keep_post": lambda w: call(
        "discussions.services.keep_post", w.report(), acting_user=w.user),
    "discussions.services.follow": lambda w: call(
        "discussions.services.follow", w.user, theme=w.theme()),
    "discussions.services.unfollow": lambda w: (
        service("discussions.services.follow")(w.user, theme=w.theme()),
        call("discussions.services.unfollow", w.user, theme=w.theme()))[1],
    # reports
    "reports.kpis.take_snapshot": lambda w: call(
        "reports.kpis.take_snapshot", w.programme, datetime.date(2030, 1, 1),
        acting_user=w.user),
    "reports.results.create_result": lambda w: call(
        "reports.results.create_result", w.programme, {"kind": "output", "title": "Visits"},
        acting_user=w.user),
    "reports.results.create_indicator": lambda w: call(
        "reports.results.create_indicator", w.indicator.result, {"name": "Visits"},
        acting_user=w.user),
    "reports.results.create_target": lambda w: call(
        "reports.results.create_target", w.indicator, {
            "period_label": "2016", "period_start": datetime.date(2016, 1, 1),
            "period_end": datetime.date(2016, 12, 31), "value": Decimal(10)},
        acting_user=w.user),
    "reports.results.enter_value": lambda w: (w.indicator, lambda: w.value())[1],
    "reports.results.submit": lambda w: call(
        "reports.results.submit", w.value(), acting_user=w.user),
    "reports.results.approve": lambda w: call(
        "reports.results.approve", w.value(submitted=True), acting_user=w.user),
    "reports.results.return_value": lambda w: call(
        "reports.results.return_value", w.value(submitted=True), acting_user=w.user,
        comment="Which year?"),
    # imports
    "imports.load.apply_review": lambda w: call(
        "imports.load.apply_review", imported_review(w), acting_user=w.user),
    "opendata.sheet_import.apply_review": lambda w: call(
        "opendata.sheet_import.apply_review", sheet_review(w), acting_user=w.user),
}

# Writers that add or remove rows of other kinds under one entry of their own record, by
# design: the kinds their entry stands for.
STANDS_FOR = {
    "common.trash.soft_delete": "*", "common.trash.restore": "*",
    "portfolio.services.delete_pairing": "*", "common.revert.revert_entry": "*",
    "registry.merge.merge_organisations": "*", "registry.merge.undo_merge": "*",
    "portfolio.generate.generate_portfolio": "*",
}


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.label_lower not in BOOKKEEPING and not model._meta.proxy}


# -- the tests -------------------------------------------------------------------------------

def test_every_function_that_writes_is_called_here_or_exempted_with_a_reason():
    missing = writing_functions() - set(CALLS) - set(EXEMPT) - READ_ONLY
    assert not missing, f"add these to CALLS in {__file__}: {sorted(missing)}"
    gone = (set(CALLS) | set(EXEMPT) | READ_ONLY) - writing_functions()
    assert not gone, f"no longer in the code, remove them: {sorted(gone)}"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_writing_service_leaves_an_audit_entry_naming_who_acted(name, demo, admin_user):
    world = World(admin_user)
    act = CALLS[name](world)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = row_counts()
    act()
    entries = list(AuditEntry.objects.filter(pk__gt=last).select_related("content_type"))
    assert entries, f"{name} wrote without an audit entry"
    assert {e.actor_id for e in entries} == {admin_user.pk}, f"{name} did not name its actor"
    after = row_counts()
    if STANDS_FOR.get(name) == "*":
        return
    audited = {e.content_type.app_label + "." + e.content_type.model for e in entries}
    # Link rows (many-to-many) are audited on their owner, as a field of it.
    own = {label for label in after if not apps.get_model(label)._meta.auto_created}
    added = {label for label in own if after[label] > before[label]}
    assert added <= audited, f"{name} added rows of {sorted(added - audited)} without an " \
                             "audit entry for them"
    # A deletion's entry stands for the rows it cascaded to.
    removed = {label for label in own if after[label] < before[label]}
    if not any(e.action == AuditAction.DELETE for e in entries):
        assert removed <= audited, f"{name} removed rows of {sorted(removed - audited)} " \
                                   "without an audit entry for them"


def test_the_demo_loader_audits_every_record_it_makes(demo):
    for label in ("portfolio.pairing", "portfolio.pilotproject", "portfolio.action",
                  "registry.organisation", "registry.place"):
        model = apps.get_model(label)
        created = set(AuditEntry.objects.filter(
            action=AuditAction.CREATE, content_type=ContentType.objects.get_for_model(model))
            .values_list("object_id", flat=True))
        assert {str(pk) for pk in model._default_manager.values_list("pk", flat=True)} \
            <= created, label


def test_the_writers_found_include_the_known_ones():
    found = writing_functions()
    assert {"portfolio.services.create_pairing", "discussions.services.follow",
            "common.trash.restore", "reports.results.approve"} <= found
    assert all(callable(service(name)) for name in CALLS)
