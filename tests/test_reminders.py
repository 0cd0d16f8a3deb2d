"""Reminders: owners of next steps and indicator values get one email listing what is due
soon or overdue."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from citycoop.accounts.models import User
from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import complete_next_step, create_next_step
from citycoop.registry.models import Programme
from citycoop.registry.services import create_person
from citycoop.reports import results
from citycoop.reports.reminders import by_owner, send_reminders
from citycoop.reports.results_models import ResultKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def pairing(demo):
    return Pairing.objects.filter(programme__slug="world-cities-2015-2016").first()


@pytest.fixture
def ana(db):
    return create_person({"name": "Ana Reminded", "email": "ana@example.org"}, acting_user=None)


def step(pairing, owner, due: str, text: str = "Send the draft MoU"):
    return create_next_step({"pairing": pairing, "owner": owner, "text": text, "due": due},
                            acting_user=None)


def mail_to(outbox, address):
    return [m for m in outbox if address in m.to]


def test_the_owner_of_an_overdue_next_step_gets_an_email(pairing, ana, mailoutbox):
    step(pairing, ana, days(-3))
    call_command("reminders")
    [mail] = mail_to(mailoutbox, "ana@example.org")
    assert "Send the draft MoU" in mail.body and "overdue" in mail.body
    assert pairing.label in mail.body


def test_a_step_due_within_the_days_before_is_reminded_and_a_later_one_is_not(
        pairing, ana, mailoutbox):
    step(pairing, ana, days(5), "Book the study visit")
    step(pairing, ana, days(30), "Write the final report")
    call_command("reminders", "--days-before", "7")
    [mail] = mail_to(mailoutbox, "ana@example.org")
    assert "Book the study visit" in mail.body and "due on" in mail.body
    assert "Write the final report" not in mail.body


def test_one_email_per_owner_lists_all_their_items(pairing, ana, mailoutbox):
    step(pairing, ana, days(-3), "First")
    step(pairing, ana, days(2), "Second")
    call_command("reminders")
    [mail] = mail_to(mailoutbox, "ana@example.org")
    assert "First" in mail.body and "Second" in mail.body and "2 items" in mail.subject


def test_nothing_is_sent_for_done_steps(pairing, ana, mailoutbox):
    done = step(pairing, ana, days(-3))
    complete_next_step(done, acting_user=None, expected_version=done.version)
    call_command("reminders")
    assert not mail_to(mailoutbox, "ana@example.org")


def test_owners_without_an_email_address_are_skipped_and_named(pairing, db):
    nobody = create_person({"name": "No Address"}, acting_user=None)
    step(pairing, nobody, days(-1))
    summary = send_reminders(TODAY, 7)
    assert "No Address" in summary.without_email


def test_a_dry_run_sends_nothing(pairing, ana, mailoutbox, capsys):
    step(pairing, ana, days(-3))
    call_command("reminders", "--dry-run")
    assert mailoutbox == []
    out = capsys.readouterr().out
    assert "would send" in out and "ana@example.org" in out


def test_the_reminder_shows_in_the_console_mail_backend(pairing, ana, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    step(pairing, ana, days(-3))
    call_command("reminders")
    out = capsys.readouterr().out
    assert "To: ana@example.org" in out and "Send the draft MoU" in out


@pytest.fixture
def owned_indicator(manager):
    owner = User.objects.create_user("owner", email="owner@example.org")
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    result = results.create_result(programme, {"kind": ResultKind.OUTPUT, "title": "Audits"},
                                   acting_user=manager)
    indicator = results.create_indicator(result, {"name": "Buildings audited", "owner": owner,
                                                  "due_days": 10}, acting_user=manager)
    end = TODAY - datetime.timedelta(days=15)       # due 5 days ago
    results.create_target(indicator, {"period_label": "last", "period_start": end
                                      - datetime.timedelta(days=90), "period_end": end,
                                      "value": Decimal(5)}, acting_user=manager)
    return indicator


def test_the_owner_of_an_overdue_indicator_value_gets_an_email(owned_indicator, mailoutbox):
    call_command("reminders")
    [mail] = mail_to(mailoutbox, "owner@example.org")
    assert "Buildings audited" in mail.body and "overdue" in mail.body


def test_a_submitted_value_is_no_longer_reminded(owned_indicator, mailoutbox):
    target = owned_indicator.targets.get()
    results.enter_value(owned_indicator, period_start=target.period_start,
                        period_end=target.period_end, value=Decimal(3),
                        acting_user=owned_indicator.owner, submit=True)
    call_command("reminders")
    assert not mail_to(mailoutbox, "owner@example.org")
    assert all(item.text != "Buildings audited"
               for row in by_owner(TODAY, 7) for item in row.items)
