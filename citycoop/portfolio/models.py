"""Pairings, pilot projects, actions, agreements and next steps: the programme's portfolio."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citycoop.common.fields import FuzzyDateField
from citycoop.common.models import VersionedModel
from citycoop.registry.models import Organisation, Person, Place, Programme, Theme


class Side(models.TextChoices):
    EU = "eu", _("EU side")
    PARTNER = "partner", _("partner side")


def one_of(first: str, second: str) -> Q:
    """Exactly one of two foreign keys is set: a member or party is a place or an organisation."""
    return (Q(**{f"{first}__isnull": False, f"{second}__isnull": True})
            | Q(**{f"{first}__isnull": True, f"{second}__isnull": False}))


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")
    CLOSED = "closed", _("closed")


class Pairing(VersionedModel):
    slug = models.SlugField(_("key"), max_length=100, unique=True)
    programme = models.ForeignKey(Programme, verbose_name=_("programme"),
                                  on_delete=models.PROTECT, related_name="pairings")
    also_in = models.ManyToManyField(
        Programme, verbose_name=_("also in programmes"), blank=True,
        related_name="continued_pairings",
        help_text=_("Earlier or later programmes the same cooperation lived through."),
    )
    label = models.CharField(_("label"), max_length=200,
                             help_text=_("As the programme writes it, "
                                         "e.g. West-Midlands – Guangzhou / Tianjin."))
    group = models.CharField(_("group"), max_length=40, blank=True, db_index=True,
                             help_text=_("Country group, e.g. EU-China or EU-India."))
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PairingStatus.choices,
                              default=PairingStatus.ACTIVE, db_index=True)
    starts = FuzzyDateField(_("start"))
    ends = FuzzyDateField(_("end"))
    summary = models.TextField(_("summary"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["programme", "group", "number", "label"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "group", "number"],
                                    condition=Q(number__isnull=False),
                                    name="pairing_number_unique_in_group"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("web:pairing", args=[self.slug])


class MemberRole(models.TextChoices):
    LEAD = "lead", _("lead")
    MAINLY = "mainly", _("main partner")
    PARTNER = "partner", _("partner")


class PairingMember(models.Model):
    """A place or an organisation on one side of a pairing ("Copenhagen / CLEAN Cluster")."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="pairing_memberships")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="pairing_memberships")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices,
                            default=MemberRole.PARTNER)
    label = models.CharField(_("as written"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["pairing", "position"]
        constraints = [
            models.CheckConstraint(name="member_is_place_or_organisation",
                                   condition=one_of("place", "organisation")),
            models.UniqueConstraint(fields=["pairing", "place"], condition=Q(place__isnull=False),
                                    name="place_once_per_pairing"),
            models.UniqueConstraint(fields=["pairing", "organisation"],
                                    condition=Q(organisation__isnull=False),
                                    name="organisation_once_per_pairing"),
        ]

    def __str__(self) -> str:
        return self.label or str(self.place or self.organisation)

    @property
    def member(self) -> Place | Organisation:
        return self.place or self.organisation  # type: ignore[return-value]


class PilotStatus(models.TextChoices):
    IDEA = "idea", _("idea")
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    STALLED = "stalled", _("stalled")
    CANCELLED = "cancelled", _("cancelled")


class PilotProject(VersionedModel):
    """One cooperation area inside a pairing (the status page's "Issue N: ...")."""

    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), on_delete=models.CASCADE,
                                related_name="pilots")
    slug = models.SlugField(_("key"), max_length=100)
    number = models.PositiveSmallIntegerField(_("issue number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=250)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True,
                                    related_name="pilots")
    status = models.CharField(_("status"), max_length=10, choices=PilotStatus.choices,
                              default=PilotStatus.ACTIVE, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["pairing", "position"]
        verbose_name = _("pilot project")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "slug"],
                                    name="pilot_slug_unique_in_pairing"),
            models.UniqueConstraint(fields=["pairing", "number"], condition=Q(number__isnull=False),
                                    name="pilot_number_unique_in_pairing"),
        ]

    def __str__(self) -> str:
        return self.title


class ActionKind(models.TextChoices):
    MISSION = "mission", _("mission")
    EVENT = "event", _("event")
    AGREEMENT = "agreement", _("agreement")
    COOPERATION = "cooperation", _("cooperation")
    FUNDING = "funding", _("funding lead")
    NEXT_STEP = "next_step", _("next step")
    OTHER = "other", _("other")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class Action(VersionedModel):
    """One concrete step inside a pilot: a mission, an event, a cooperation, a funding lead."""

    pilot = models.ForeignKey(PilotProject, verbose_name=_("pilot project"),
                              on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    topic = models.CharField(_("topic"), max_length=200, blank=True,
                             help_text=_('A lead-in label such as "Sewage treatment".'))
    text = models.TextField(_("text"))
    sub_items = models.JSONField(_("listed items"), default=list, blank=True,
                                 help_text=_("Sub-bullets that list members, e.g. start-ups."))
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices,
                            default=ActionKind.COOPERATION, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.ONGOING)
    when = FuzzyDateField(_("date"))
    links = models.JSONField(_("links"), default=list, blank=True)
    places = models.ManyToManyField(Place, verbose_name=_("places"), blank=True,
                                    related_name="actions")
    organisations = models.ManyToManyField(Organisation, through="ActionOrganisation",
                                           blank=True, related_name="actions")
    provenance = GenericRelation("imports.Provenance")

    class Meta:
        ordering = ["pilot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "position"], name="action_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


class ActionRole(models.TextChoices):
    LEAD = "lead", _("lead")
    PARTNER = "partner", _("partner")
    FUNDER = "funder", _("funder")
    HOST = "host", _("host")
    SUPPORTER = "supporter", _("supporter")
    PARTICIPANT = "participant", _("participant")


class ActionOrganisation(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="action_roles")
    role = models.CharField(_("role"), max_length=12, choices=ActionRole.choices,
                            default=ActionRole.PARTNER)
    as_written = models.CharField(_("as written"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "organisation"],
                                    name="organisation_once_per_action"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class AgreementType(models.TextChoices):
    MOU = "mou", _("memorandum of understanding")
    LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
    CONTRACT = "contract", _("contract")


class AgreementStatus(models.TextChoices):
    IDEA = "idea", _("idea")
    DRAFTING = "drafting", _("drafting")
    UNDER_PREPARATION = "under_preparation", _("under preparation")
    SIGNED = "signed", _("signed")
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")


class Agreement(VersionedModel):
    slug = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=250)
    type = models.CharField(_("type"), max_length=20, choices=AgreementType.choices,
                            default=AgreementType.MOU)
    status = models.CharField(_("status"), max_length=20, choices=AgreementStatus.choices,
                              db_index=True)
    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="agreements")
    pilots = models.ManyToManyField(PilotProject, verbose_name=_("pilot projects served"),
                                    blank=True, related_name="agreements")
    signed_on = FuzzyDateField(_("signing date"))
    signed_at_event = models.ForeignKey(
        "events.Event", verbose_name=_("signed at"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="agreements_signed",
    )
    counts_toward_kpi = models.BooleanField(
        _("counts toward the MoU figure"), default=True,
        help_text=_("Off for agreements the funder does not count, e.g. a private contract."),
    )
    text = models.TextField(_("as written"), blank=True)
    document = models.FileField(_("document"), upload_to="agreements/", blank=True)
    document_url = models.URLField(_("document link"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="agreement_parties")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="agreement_parties")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    label = models.CharField(_("as written"), max_length=150, blank=True)

    class Meta:
        verbose_name_plural = _("agreement parties")
        constraints = [
            models.CheckConstraint(name="party_is_place_or_organisation",
                                   condition=one_of("place", "organisation")),
        ]

    def __str__(self) -> str:
        return self.label or str(self.place or self.organisation)


def exactly_one(names: tuple[str, ...]) -> Q:
    """Exactly one of several foreign keys is set."""
    condition = Q()
    for chosen in names:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in names})
    return condition


class NextStepStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


SUBJECTS = ("pairing", "pilot", "agreement", "event")


class NextStep(VersionedModel):
    """A dated follow-up with an owner, on exactly one pairing, pilot, agreement or event."""

    pairing = models.ForeignKey(Pairing, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="next_steps")
    pilot = models.ForeignKey(PilotProject, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="next_steps")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="next_steps")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="next_steps")
    text = models.TextField(_("text"))
    owner = models.ForeignKey(Person, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="next_steps")
    owner_text = models.CharField(_("owner (as written)"), max_length=200, blank=True)
    due = FuzzyDateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=NextStepStatus.choices,
                              default=NextStepStatus.OPEN, db_index=True)

    class Meta:
        ordering = ["due_start", "id"]
        constraints = [
            models.CheckConstraint(name="next_step_has_one_subject",
                                   condition=exactly_one(SUBJECTS)),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def owning_pairing(self) -> Pairing | None:
        """The pairing the step belongs to, through whatever it is attached to."""
        if self.pairing is not None:
            return self.pairing
        if self.pilot is not None:
            return self.pilot.pairing
        if self.agreement is not None:
            return self.agreement.pairing
        return None

    @property
    def subject(self) -> models.Model:
        return self.pairing or self.pilot or self.agreement or self.event  # type: ignore[return-value]
