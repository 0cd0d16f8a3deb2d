"""Forms of B2B matchmaking: the organiser's sessions, a participant's profile and requests,
the browse filters, and the follow-up with the agreement it may record."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citycoop.portfolio.models import AgreementType, Pairing, PilotProject
from citycoop.registry.models import Theme

from .models import MatchmakingSetup, Profile, Rating, Side
from .recommend import LANGUAGES
from .services import Slot

_SEPARATORS = re.compile(r"[\s,;]+")
_BREAK = re.compile(r"^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")


class SetupForm(forms.Form):
    days = forms.CharField(
        label=_("Days"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The dates of the sessions, e.g. 2016-09-26, 2016-09-27."))
    starts = forms.TimeField(label=_("First meeting starts"),
                             widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Last meeting ends"),
                           widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("Meeting length (minutes)"), min_value=5,
                                      max_value=240)
    breaks = forms.CharField(
        label=_("Breaks"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas, e.g. 10:30-10:45, 12:30-13:30."))
    tables = forms.IntegerField(label=_("Tables"), min_value=1, max_value=5000)
    max_meetings = forms.IntegerField(label=_("Most meetings per participant"), min_value=1,
                                      required=False)
    same_side_meetings = forms.BooleanField(
        label=_("Buyers may meet buyers and sellers sellers"), required=False)
    requests_open = forms.BooleanField(label=_("Meeting requests open"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_setup(cls, setup: MatchmakingSetup | None, data: Any = None) -> SetupForm:
        setup = setup or MatchmakingSetup()
        return cls(data, initial={
            "days": ", ".join(setup.days), "starts": setup.starts, "ends": setup.ends,
            "slot_minutes": setup.slot_minutes,
            "breaks": ", ".join(f"{a}-{b}" for a, b in setup.breaks),
            "tables": setup.tables, "max_meetings": setup.max_meetings,
            "same_side_meetings": setup.same_side_meetings,
            "requests_open": setup.requests_open,
            "version": setup.version if setup.pk else None})

    def clean_days(self) -> list[str]:
        days = []
        for text in _SEPARATORS.split(self.cleaned_data["days"].strip()):
            try:
                days.append(datetime.date.fromisoformat(text).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date like 2016-09-26.") % {"text": text}) from None
        return sorted(set(days))

    def clean_breaks(self) -> list[list[str]]:
        breaks = []
        for text in re.split(r"[\n,;]+", self.cleaned_data["breaks"]):
            if not text.strip():
                continue
            match = _BREAK.match(text.strip())
            if not match:
                raise forms.ValidationError(
                    _("“%(text)s” is not a break like 12:30-13:30.") % {"text": text.strip()})
            breaks.append([match.group(1).zfill(5), match.group(2).zfill(5)])
        return breaks

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The last meeting must end after the first one starts."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ProfileForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    description = forms.CharField(label=_("About us"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    offers = forms.CharField(label=_("What we offer"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Products, services, know-how: plain words work best."))
    requests = forms.CharField(label=_("What we look for"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), required=False,
                                            queryset=Theme.objects.order_by("name"),
                                            widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False,
                                          choices=LANGUAGES, widget=forms.CheckboxSelectMultiple)
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, widget=forms.RadioSelect)
    available = forms.MultipleChoiceField(label=_("When I am available"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    max_meetings = forms.IntegerField(label=_("Most meetings I want"), min_value=1,
                                      required=False)
    published = forms.BooleanField(
        label=_("Publish my profile: other participants can see it and ask to meet me"),
        required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        field = self.fields["available"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s.id, f"{s.starts_at:%H:%M}") for s in slots]

    @classmethod
    def for_profile(cls, profile: Profile | None, default_name: str, slots: list[Slot],
                    data: Any = None) -> ProfileForm:
        if profile is None:
            initial: dict[str, Any] = {"organisation_name": default_name, "side": Side.EITHER,
                                       "available": [s.id for s in slots]}
        else:
            initial = {
                "organisation_name": profile.organisation_name,
                "description": profile.description, "offers": profile.offers,
                "requests": profile.requests, "themes": list(profile.themes.all()),
                "languages": profile.languages, "side": profile.side,
                "available": [s.id for s in slots if s.id not in set(profile.unavailable)],
                "max_meetings": profile.max_meetings, "published": profile.published,
                "version": profile.version}
        return cls(data, initial=initial, slots=slots)

    def days(self) -> list[tuple[str, list[tuple[Slot, bool]]]]:
        return slot_days(self, self.slots)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        available = set(data["available"])
        return {
            "organisation_name": data["organisation_name"], "description": data["description"],
            "offers": data["offers"], "requests": data["requests"],
            "languages": data["languages"], "side": data["side"],
            "unavailable": [s.id for s in self.slots if s.id not in available],
            "max_meetings": data["max_meetings"], "published": data["published"]}


def slot_days(form: forms.Form, slots: list[Slot]) -> list[tuple[str, list[tuple[Slot, bool]]]]:
    """A form's availability boxes by day: (the day, [(slot, ticked)])."""
    ticked = set(form["available"].value() or [])
    out: dict[str, list[tuple[Slot, bool]]] = {}
    for slot in slots:
        out.setdefault(f"{slot.starts_at:%Y-%m-%d}", []).append((slot, slot.id in ticked))
    return list(out.items())


class AvailabilityForm(forms.Form):
    """The organiser ticks the slots when a participant is present."""

    available = forms.MultipleChoiceField(label=_("Present"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        field = self.fields["available"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s.id, f"{s.starts_at:%H:%M}") for s in slots]

    @classmethod
    def for_profile(cls, profile: Profile | None, slots: list[Slot],
                    data: Any = None) -> AvailabilityForm:
        away = set(profile.unavailable) if profile else set()
        return cls(data, slots=slots, initial={
            "available": [s.id for s in slots if s.id not in away],
            "version": profile.version if profile else None})

    def days(self) -> list[tuple[str, list[tuple[Slot, bool]]]]:
        return slot_days(self, self.slots)

    def unavailable(self) -> list[str]:
        available = set(self.cleaned_data["available"])
        return [s.id for s in self.slots if s.id not in available]


class RequestForm(forms.Form):
    recipient = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class BrowseForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    theme = forms.ModelChoiceField(label=_("Theme"), required=False,
                                   queryset=Theme.objects.order_by("name"), to_field_name="slug",
                                   empty_label=_("any theme"))
    side = forms.ChoiceField(label=_("Side"), required=False,
                             choices=[("", _("any side")), *Side.choices])
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("any language")), *LANGUAGES])


class FollowUpForm(forms.Form):
    rating = forms.ChoiceField(label=_("What came of the meeting?"), choices=Rating.choices,
                               widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class PilotChoiceField(forms.ModelChoiceField):
    show_pairing = False  # when the pilots are of several pairings: say whose each is

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pairing.label} · {obj.title}" if self.show_pairing else str(obj.title)


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title of the agreement"), max_length=250)
    kind = forms.ChoiceField(label=_("Type"), choices=AgreementType.choices)
    pairing = forms.ModelChoiceField(label=_("Pairing"), queryset=Pairing.objects.none(),
                                     required=False)
    pilot = PilotChoiceField(
        label=_("Pilot project it serves"), queryset=PilotProject.objects.none(),
        required=False, empty_label=_("none, or not sure"),
        help_text=_("The event's pilot projects of the pairing; leave it for the programme "
                    "team to decide if unsure."))

    def __init__(self, *args: Any, pairings: list[Pairing],
                 pilots: list[PilotProject] | None = None, **kwargs: Any) -> None:
        """``pilots``: those to offer, of pairings where the event serves more than one (a
        pairing's only pilot is taken without asking)."""
        super().__init__(*args, **kwargs)
        if len(pairings) > 1:
            field = self.fields["pairing"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Pairing.objects.filter(pk__in=[p.pk for p in pairings])
            field.required = True
        else:
            del self.fields["pairing"]
        if pilots:
            pilot = self.fields["pilot"]
            assert isinstance(pilot, PilotChoiceField)
            pilot.queryset = (PilotProject.objects.filter(pk__in=[p.pk for p in pilots])
                              .select_related("pairing").order_by("pairing", "position"))
            pilot.show_pairing = len(pairings) > 1
        else:
            del self.fields["pilot"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pilot, pairing = data.get("pilot"), data.get("pairing")
        if pilot is not None and pairing is not None and pilot.pairing_id != pairing.pk:
            self.add_error("pilot", _("This pilot project belongs to another pairing."))
        return data
