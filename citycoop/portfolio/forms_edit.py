"""The forms of the workspace's create and edit pages for the portfolio: pairings (with their
members), pilot projects, actions, agreements (with their parties) and next steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from citycoop.accounts.permissions import manageable_programmes
from citycoop.web.pickers import RecordChoiceField, RecordMultipleChoiceField, picker_fields

from . import services
from .forms import (
    SLUG_HELP,
    ChildFormSet,
    FuzzyTextField,
    LinesField,
    PlaceOrOrganisationForm,
    RecordForm,
)
from .models import (
    Action,
    Agreement,
    AgreementParty,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)


def next_position(rows: models.QuerySet) -> int:
    """After the last one: a new pilot or action goes to the end of its list."""
    last = rows.aggregate(last=models.Max("position"))["last"]
    return 0 if last is None else last + 1


class MemberForm(PlaceOrOrganisationForm):
    class Meta:
        model = PairingMember
        fields = ["side", "role", "place", "organisation", "label"]
        labels = {"side": _("Side"), "role": _("Role"), "place": _("Place"),
                  "organisation": _("Organisation"), "label": _("As written")}
        field_classes = {"place": RecordChoiceField, "organisation": RecordChoiceField}


class MembersFormSet(ChildFormSet):
    legend = _("Places and organisations on each side")
    item_legend = _("Member %(n)s")


class PartyForm(PlaceOrOrganisationForm):
    class Meta:
        model = AgreementParty
        fields = ["side", "place", "organisation", "label"]
        labels = {"side": _("Side"), "place": _("Place"), "organisation": _("Organisation"),
                  "label": _("As written")}
        field_classes = {"place": RecordChoiceField, "organisation": RecordChoiceField}


class PartiesFormSet(ChildFormSet):
    legend = _("Parties")
    item_legend = _("Party %(n)s")


MemberFormSet = forms.inlineformset_factory(Pairing, PairingMember, form=MemberForm,
                                           formset=MembersFormSet, extra=2, can_delete=True)
PartyFormSet = forms.inlineformset_factory(Agreement, AgreementParty, form=PartyForm,
                                          formset=PartiesFormSet, extra=2, can_delete=True)


class PairingForm(RecordForm):
    starts = FuzzyTextField(label=_("Start"))
    ends = FuzzyTextField(label=_("End"))

    class Meta:
        model = Pairing
        fields = ["label", "slug", "programme", "group", "number", "status", "summary",
                  "is_public"]
        help_texts = {"slug": SLUG_HELP}
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    field_order = ["label", "slug", "programme", "group", "number", "status", "starts", "ends",
                   "summary", "is_public"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = manageable_programmes(self.user)
        field: Any = self.fields["programme"]
        if self.is_new or programmes.filter(pk=self.instance.programme_id).exists():
            field.queryset = programmes
        else:
            field.disabled = True
            field.help_text = _("Only the programme's managers can move a pairing to another "
                                "programme.")

    def make_formsets(self, data: Any) -> list[Any]:
        return [MemberFormSet(data, instance=self.instance, prefix="members")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number, programme = data.get("number"), data.get("programme")
        if number is not None and programme is not None:
            other = (Pairing.objects.filter(programme=programme, group=data.get("group", ""),
                                            number=number).exclude(pk=self.instance.pk).first())
            if other is not None:
                self.add_error("number", _("Number %(number)s is already “%(other)s” in this "
                                           "group: choose another or leave it empty.")
                               % {"number": number, "other": other})
        return data

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.create_pairing(values, acting_user=user)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.update_pairing(self.instance, values, acting_user=user,
                                       expected_version=self.cleaned_data["version"])


class PilotForm(RecordForm):
    class Meta:
        model = PilotProject
        fields = ["title", "slug", "number", "status", "themes", "summary", "is_public"]
        help_texts = {"slug": SLUG_HELP,
                      "number": _("The issue number the programme's reports give it, if any.")}
        widgets = {"themes": forms.CheckboxSelectMultiple,
                   "summary": forms.Textarea(attrs={"rows": 4})}

    @property
    def pairing(self) -> Pairing:
        return self.instance.pairing

    def siblings(self) -> models.QuerySet:
        return self.pairing.pilots.all()

    def clean_number(self) -> int | None:
        number = self.cleaned_data.get("number")
        other = (self.siblings().filter(number=number).exclude(pk=self.instance.pk).first()
                 if number is not None else None)
        if other is not None:
            raise forms.ValidationError(_("Issue %(number)s of this pairing is already "
                                          "“%(other)s”: choose another number or leave it "
                                          "empty.")
                                        % {"number": number, "other": other})
        return number

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        values["position"] = next_position(self.siblings())
        return services.create_pilot(values, acting_user=user, themes=many["themes"])

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.update_pilot(self.instance, values, acting_user=user,
                                     expected_version=self.cleaned_data["version"],
                                     themes=many["themes"])


def check_links(links: list[str]) -> list[str]:
    for link in links:
        if " " in link or "." not in link:
            raise forms.ValidationError(_("“%(link)s” does not look like a web address.")
                                        % {"link": link})
    return links


class ActionPageForm(RecordForm):
    """An action on its own page, with everything the inline form leaves out."""

    when = FuzzyTextField(label=_("Date"))
    sub_items = LinesField(label=_("Listed items"),
                           help_text=_("One a line, e.g. the start-ups a mission brought."))
    links = LinesField(label=_("Links"), help_text=_("One web address a line."))

    class Meta:
        model = Action
        fields = ["text", "topic", "kind", "status", "places", "sub_items", "links"]
        field_classes = {"places": RecordMultipleChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    field_order = ["text", "topic", "kind", "status", "when", "places", "sub_items", "links"]

    def clean_links(self) -> list[str]:
        return check_links(self.cleaned_data["links"])

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        values["position"] = next_position(Action.objects.filter(pilot=values["pilot"]))
        return services.create_action(values, acting_user=user, places=many["places"])


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.when_text})" if obj.when_text else str(obj.title)


class AgreementForm(RecordForm):
    signed_on = FuzzyTextField(label=_("Signing date"))

    class Meta:
        model = Agreement
        fields = ["title", "slug", "type", "status", "pilots", "signed_at_event",
                  "counts_toward_kpi", "text", "document_url", "is_public"]
        field_classes = {"signed_at_event": EventChoiceField, "pilots": RecordMultipleChoiceField}
        help_texts = {"slug": SLUG_HELP}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    field_order = ["title", "slug", "type", "status", "signed_on", "signed_at_event", "pilots",
                   "counts_toward_kpi", "text", "document_url", "is_public"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pairing_id = self.instance.pairing_id
        pilots: Any = self.fields["pilots"]
        pilots.queryset = PilotProject.objects.filter(pairing_id=pairing_id)
        if self.instance.pairing is not None:
            picker_fields(self, {"pilots": {"pairing": self.instance.pairing.slug}})
        event: Any = self.fields["signed_at_event"]
        event.queryset = event.queryset.order_by("when_start", "title")

    def make_formsets(self, data: Any) -> list[Any]:
        return [PartyFormSet(data, instance=self.instance, prefix="parties")]

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.create_agreement(values, acting_user=user, pilots=many["pilots"])


class NextStepEditForm(RecordForm):
    """A next step's text, owner, due date and status: inline on the board and on its page."""

    due = FuzzyTextField(label=_("Due"), help_text=_('A date or a period, as written: '
                                                     '"June/July 2016", "end of 2016".'))

    class Meta:
        model = NextStep
        fields = ["text", "owner_text", "status"]
        labels = {"text": _("Next step"), "owner_text": _("Owner")}
        help_texts = {"owner_text": _("A person, a team or an organisation.")}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    field_order = ["text", "owner_text", "due", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = getattr(self.instance, "owner", None)
        if owner is not None and not self.instance.owner_text:
            self.initial["owner_text"] = str(owner)

    def values(self) -> dict[str, Any]:
        values = super().values()
        owner = getattr(self.instance, "owner", None)
        if owner is not None and values["owner_text"] == self.initial.get("owner_text"):
            values.pop("owner_text")  # the linked person is still the owner: leave it be
        elif owner is not None:
            values["owner"] = None  # an owner written in its place replaces the person
        return values

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.create_next_step(values, acting_user=user)


class NextStepCreateForm(NextStepEditForm):
    """A new next step of a pairing: about the pairing itself, one of its pilots or one of its
    agreements."""

    subject = forms.ChoiceField(label=_("About"))

    field_order = ["subject", *NextStepEditForm.field_order]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pairing = self.fixed["pairing"]
        self.subjects: dict[str, dict[str, Any]] = {"pairing": {"pairing": pairing}}
        choices: list[Any] = [("pairing", _("The pairing as a whole"))]
        for group, name, records in ((_("Pilot projects"), "pilot", pairing.pilots.all()),
                                     (_("Agreements"), "agreement", pairing.agreements.all())):
            options = []
            for record in records:
                self.subjects[f"{name}-{record.pk}"] = {name: record}
                options.append((f"{name}-{record.pk}", record.title))
            if options:
                choices.append((group, options))
        subject: Any = self.fields["subject"]
        subject.choices = choices

    def values(self) -> dict[str, Any]:
        subject = {"pairing": None, "pilot": None, "agreement": None}
        subject.update(self.subjects[self.cleaned_data["subject"]])
        return {**super().values(), **subject}
