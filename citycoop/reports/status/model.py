"""The programme's status page as a plain tree, read from the database in a fixed number of
queries: groups, their pairings (numbered as stored), pilots ("Issue N: ..."), actions as
bullets, next steps and contacts. The renderers (markdown, html, docx, pdf) only read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.imports.recognise.totals import GROUP_ADJECTIVES
from citycoop.portfolio.models import (
    Action,
    AgreementStatus,
    NextStep,
    NextStepStatus,
    Pairing,
    PilotProject,
)
from citycoop.registry.models import Person, Programme, Visibility
from citycoop.reports.figures import GroupFigures, headline_figures

Progress = Callable[[int, int], None]

# "EU-China" -> "Chinese", as the page writes "between European and Chinese cities".
ADJECTIVES = {country: adjective.title() for adjective, country in GROUP_ADJECTIVES.items()}


@dataclass
class ActionLine:
    text: str
    topic: str = ""
    kind: str = ""
    when: str = ""
    links: list[str] = field(default_factory=list)  # links the text does not already show
    sub_items: list[str] = field(default_factory=list)


@dataclass
class PilotSection:
    number: int | None
    title: str
    actions: list[ActionLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """"Issue 2: Port Cooperation"; an un-numbered pilot has no heading on the page."""
        if self.number is None:
            return ""
        return _("Issue %(number)s: %(title)s") % {"number": self.number, "title": self.title}


@dataclass
class NextStepLine:
    text: str
    due: str = ""

    @property
    def line(self) -> str:
        if self.due:
            return _("Next Step: %(text)s (%(due)s)") % {"text": self.text, "due": self.due}
        return _("Next Step: %(text)s") % {"text": self.text}


@dataclass
class PairingSection:
    number: int | None
    label: str
    summary: str = ""
    pilots: list[PilotSection] = field(default_factory=list)
    next_steps: list[NextStepLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.label}" if self.number is not None else self.label

    @property
    def blocks(self) -> list[tuple[str, list[ActionLine]]]:
        """Headed pilots each with their bullets. Where no pilot has a number, the bullets run
        together under the pairing, as the page writes them; where some have, an un-numbered
        pilot gets its title as a heading, so that its bullets do not read as the previous
        issue's."""
        numbered = any(pilot.number is not None for pilot in self.pilots)
        out: list[tuple[str, list[ActionLine]]] = []
        for pilot in self.pilots:
            heading = pilot.heading or (pilot.title if numbered else "")
            if not heading and out and not out[-1][0]:
                out[-1][1].extend(pilot.actions)
            else:
                out.append((heading, list(pilot.actions)))
        return out


@dataclass
class Contact:
    name: str
    email: str = ""
    phone: str = ""


@dataclass
class GroupSection:
    name: str
    intro: str
    figures: GroupFigures
    pairings: list[PairingSection] = field(default_factory=list)


@dataclass
class StatusReport:
    programme: str
    slug: str
    title: str
    intro: str
    groups: list[GroupSection]
    contacts: list[Contact]
    closing: str
    generated: str

    @property
    def pairing_count(self) -> int:
        return sum(len(group.pairings) for group in self.groups)


def group_intro(figures: GroupFigures) -> str:
    """The group's paragraph with figures counted from the records, worded so that the
    report importer reads the figures and the group back."""
    partner = figures.group.split("-", 1)[-1] if "-" in figures.group else figures.group
    adjective = ADJECTIVES.get(partner.casefold(), partner)
    parts = [ngettext(
        "Currently there is %(pilots)s pilot project between European and %(partner)s cities, "
        "in %(pairings)s pairings.",
        "Currently there are %(pilots)s pilot projects between European and %(partner)s "
        "cities, in %(pairings)s pairings.", figures.pilots,
    ) % {"pilots": figures.pilots, "partner": adjective, "pairings": figures.pairings}]
    signed = figures.agreements_signed
    if signed:
        parts.append(ngettext("As of today, %(n)s MoU has been signed.",
                              "As of today, %(n)s MoUs have been signed.", signed) % {"n": signed})
    else:
        parts.append(_("No MoU has been signed so far."))
    preparing = figures.agreements_by_status.get(AgreementStatus.UNDER_PREPARATION, 0)
    if preparing:
        parts.append(ngettext("%(n)s MoU is currently under preparation.",
                              "%(n)s MoUs are currently under preparation.", preparing)
                     % {"n": preparing})
    return " ".join(parts)


def action_line(action: Action) -> ActionLine:
    text = action.text.strip()
    if action.topic and not text.casefold().startswith(action.topic.casefold()):
        text = f"{action.topic}: {text}"
    sub_items = [str(item) for item in action.sub_items or []]
    shown = " ".join([text, *sub_items])
    links = [str(link) for link in action.links or [] if str(link) not in shown]
    return ActionLine(text=text, topic=action.topic, kind=action.kind,
                      when=getattr(action, "when_text", "") or "", links=links, sub_items=sub_items)


def pending_steps(steps: list[NextStep], written: str) -> list[NextStepLine]:
    """Open next steps the bullets do not already say (the page often writes them as a
    "Next Step: ..." bullet, which is then an action of its own)."""
    folded = written.casefold()
    return [NextStepLine(step.text, getattr(step, "due_text", "") or "") for step in steps
            if step.status == NextStepStatus.OPEN and step.text.casefold() not in folded]


def pairing_section(pairing: Pairing) -> PairingSection:
    section = PairingSection(number=pairing.number, label=pairing.label,
                             summary=pairing.summary.strip())
    steps = list(pairing.next_steps.all())
    for pilot in pairing.pilots.all():
        section.pilots.append(PilotSection(pilot.number, pilot.title,
                                           [action_line(a) for a in pilot.actions.all()]))
        steps.extend(pilot.next_steps.all())
    written = " ".join(a.text for p in section.pilots for a in p.actions)
    section.next_steps = pending_steps(steps, written)
    return section


def pairings_of(programme: Programme, include_internal: bool) -> list[Pairing]:
    pilots = PilotProject.objects.order_by("position", "number", "id")
    pairings = Pairing.objects.filter(programme=programme)
    if not include_internal:
        pilots = pilots.filter(is_public=True)
        pairings = pairings.filter(is_public=True)
    steps = NextStep.objects.order_by("due_start", "id")
    return list(pairings.order_by("group", "number", "label").prefetch_related(
        Prefetch("pilots", queryset=pilots),
        Prefetch("pilots__actions", queryset=Action.objects.order_by("position")),
        Prefetch("pilots__next_steps", queryset=steps),
        Prefetch("next_steps", queryset=steps),
    ))


def public_contacts(programme: Programme) -> list[Contact]:
    """People of the programme's pairings, their actions' organisations or their next steps,
    and only those whose details are public: a non-public person's email never shows."""
    involved = (Q(organisation__action_roles__action__pilot__pairing__programme=programme)
                | Q(organisation__pairing_memberships__pairing__programme=programme)
                | Q(next_steps__pairing__programme=programme)
                | Q(next_steps__pilot__pairing__programme=programme))
    people = Person.objects.filter(involved, visibility=Visibility.PUBLIC).exclude(
        email="", phone="").distinct().order_by("name")
    return [Contact(str(person), person.email, person.phone) for person in people]


def closing_line(contacts: list[Contact], programme: Programme) -> str:
    if contacts:
        who = ", ".join(_("%(name)s at %(email)s") % {"name": c.name, "email": c.email}
                        if c.email else _("%(name)s (%(phone)s)") % {"name": c.name,
                                                                     "phone": c.phone}
                        for c in contacts)
        return _("For further details, please contact %(who)s.") % {"who": who}
    if programme.website:
        return _("For further details, see %(url)s.") % {"url": programme.website}
    return ""


def default_programme() -> Programme | None:
    """The programme with the most pairings."""
    return (Programme.objects.annotate(n=Count("pairings")).filter(n__gt=0)
            .order_by("-n", "slug").first())


def build_status_report(programme: Programme, *, include_internal: bool = False,
                        progress: Progress | None = None) -> StatusReport:
    """The status page of one programme; public records only unless ``include_internal``."""
    figures = {g.group: g for g in
               headline_figures(programme, public_only=not include_internal).groups}
    pairings = pairings_of(programme, include_internal)
    groups: dict[str, GroupSection] = {}
    for done, pairing in enumerate(pairings, start=1):
        group = groups.get(pairing.group)
        if group is None:
            numbers = figures.get(pairing.group) or GroupFigures(pairing.group)
            group = groups[pairing.group] = GroupSection(pairing.group, group_intro(numbers),
                                                         numbers)
        group.pairings.append(pairing_section(pairing))
        if progress is not None:
            progress(done, len(pairings))
    contacts = public_contacts(programme)
    intro = programme.description.strip() or _(
        "An overview of the state of cooperation between the cities and regions of the "
        "programme, pairing by pairing, with the pilot projects they identified.")
    return StatusReport(
        programme=programme.name, slug=programme.slug,
        title=_("%(programme)s: Pilot Projects") % {"programme": programme.name},
        intro=intro, groups=list(groups.values()), contacts=contacts,
        closing=closing_line(contacts, programme),
        generated=timezone.localdate().isoformat(),
    )
