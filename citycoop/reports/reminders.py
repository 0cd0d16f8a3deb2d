"""Who owes what and when: next steps and indicator values due soon or overdue.

The data-entry status page and the daily ``citycoop reminders`` command read the same lists,
so a manager sees exactly what the reminders are about.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.portfolio.models import NextStep, NextStepStatus
from citycoop.registry.models import Programme
from citycoop.reports.results_models import ActualValue, Target, ValueStatus


@dataclass
class DueItem:
    """One thing an owner has to do: a next step, or a value to report."""

    kind: str                 # "next_step" or "indicator"
    text: str
    due: datetime.date
    overdue: bool
    where: str = ""           # the pairing, or the programme and period, for context

    def line(self) -> str:
        if self.kind == "next_step":
            if self.overdue:
                return _("Next step, overdue since %(due)s: %(text)s (%(where)s)") % {
                    "due": self.due.isoformat(), "text": self.text, "where": self.where}
            return _("Next step, due on %(due)s: %(text)s (%(where)s)") % {
                "due": self.due.isoformat(), "text": self.text, "where": self.where}
        if self.overdue:
            return _("Indicator value, overdue since %(due)s: %(text)s (%(where)s)") % {
                "due": self.due.isoformat(), "text": self.text, "where": self.where}
        return _("Indicator value, due on %(due)s: %(text)s (%(where)s)") % {
            "due": self.due.isoformat(), "text": self.text, "where": self.where}


@dataclass
class OwnerItems:
    name: str
    email: str
    items: list[DueItem] = field(default_factory=list)


def due_next_steps(today: datetime.date, days_before: int,
                   programme: Programme | None = None) -> list[NextStep]:
    """Open next steps whose due period ends within ``days_before`` days, or has ended.
    A fuzzy due date ("June 2016") counts by the end of its period."""
    steps = (NextStep.objects.filter(status=NextStepStatus.OPEN, due_end__isnull=False,
                                     due_end__lte=today + datetime.timedelta(days=days_before))
             .select_related("owner", "pairing", "pilot__pairing", "agreement__pairing")
             .order_by("due_end", "id"))
    if programme is not None:
        steps = steps.filter(Q(pairing__programme=programme)
                             | Q(pilot__pairing__programme=programme)
                             | Q(agreement__pairing__programme=programme))
    return list(steps)


def due_indicator_targets(today: datetime.date, days_before: int,
                          programme: Programme | None = None) -> list[tuple[Target,
                                                                            datetime.date]]:
    """Targets whose value is due within ``days_before`` days, or overdue, and not yet
    submitted (a draft or a returned value is still owed), with the date it is due."""
    targets = Target.objects.select_related("indicator__owner", "indicator__result__programme",
                                            "indicator__result__pilot")
    if programme is not None:
        targets = targets.filter(indicator__result__programme=programme)
    # Cheap first cut in the database: a period that ended after the horizon is never due.
    horizon = today + datetime.timedelta(days=days_before)
    targets = targets.filter(period_end__lte=horizon).order_by("period_end", "id")
    handed_in = set(ActualValue.objects.filter(
        status__in=[ValueStatus.SUBMITTED, ValueStatus.APPROVED],
        indicator__in={t.indicator_id for t in targets},
    ).values_list("indicator_id", "period_start", "period_end"))
    found = []
    for target in targets:
        due = target.indicator.due_date(target.period_end)
        if due <= horizon and (target.indicator_id, target.period_start,
                               target.period_end) not in handed_in:
            found.append((target, due))
    return found


def step_item(step: NextStep, today: datetime.date) -> DueItem:
    due: datetime.date = step.due_end  # type: ignore[attr-defined]  # a FuzzyDateField column
    pairing = step.owning_pairing
    where = pairing.label if pairing is not None else str(step.subject)
    return DueItem("next_step", step.text, due, due < today, where)


def target_item(target: Target, due: datetime.date, today: datetime.date) -> DueItem:
    where = _("%(programme)s, period %(period)s") % {
        "programme": target.indicator.result.programme.name, "period": target.period_label}
    return DueItem("indicator", target.indicator.name, due, due < today, where)


def by_owner(today: datetime.date, days_before: int,
             programme: Programme | None = None) -> list[OwnerItems]:
    """Everything due within ``days_before`` days or overdue, grouped by owner (by name;
    steps whose owner is only written down are grouped under that text)."""
    owners: dict[tuple[str, str, str], OwnerItems] = {}

    def owner_row(kind: str, key: str, name: str, email: str) -> OwnerItems:
        return owners.setdefault((kind, key, name), OwnerItems(name, email))

    for step in due_next_steps(today, days_before, programme):
        if step.owner is not None:
            row = owner_row("person", str(step.owner.pk), step.owner.name, step.owner.email)
        else:
            row = owner_row("text", "", step.owner_text or _("(no owner)"), "")
        row.items.append(step_item(step, today))
    for target, due in due_indicator_targets(today, days_before, programme):
        owner = target.indicator.owner
        if owner is not None:
            row = owner_row("user", str(owner.pk), owner.get_full_name() or owner.username,
                            owner.email)
        else:
            row = owner_row("text", "", _("(no owner)"), "")
        row.items.append(target_item(target, due, today))
    return sorted(owners.values(), key=lambda row: row.name.casefold())


@dataclass
class ReminderSummary:
    emails: int = 0
    items: int = 0
    without_email: list[str] = field(default_factory=list)


def reminder_text(owner: OwnerItems) -> str:
    lines = [_("Hello %(name)s,") % {"name": owner.name}, "",
             _("These are yours in citycoop and are due soon or overdue:"), ""]
    lines += [f"- {item.line()}" for item in owner.items]
    lines += ["", _("Please update them in citycoop, or tell the programme's managers.")]
    return "\n".join(lines)


def send_reminders(today: datetime.date, days_before: int = 7, *, dry_run: bool = False,
                   owners: Iterable[OwnerItems] | None = None) -> ReminderSummary:
    """One email per owner with an address, listing all their items."""
    summary = ReminderSummary()
    for owner in (owners if owners is not None else by_owner(today, days_before)):
        if not owner.email:
            summary.without_email.append(owner.name)
            continue
        summary.emails += 1
        summary.items += len(owner.items)
        if dry_run:
            continue
        count = len(owner.items)
        subject = ngettext("citycoop: %(count)d item due or overdue",
                           "citycoop: %(count)d items due or overdue", count) % {"count": count}
        send_mail(subject, reminder_text(owner), settings.DEFAULT_FROM_EMAIL, [owner.email])
    return summary
