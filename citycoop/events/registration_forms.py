"""Forms of registration: the public's (register, the quality survey) and the organisers'
(capacity, opening and closing, check-in at the door, the media log, the closing report)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from citycoop.portfolio.forms import LinesField, RecordForm

from .models import DisseminationOutput, Event, FeedbackAnswer, MediaItem, ParticipantRole
from .registration import Registrant


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254,
                             help_text=_("Your personal link is sent here."),
                             error_messages={"invalid": _("Enter a valid email address, "
                                                          "such as name@example.org.")})
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("You come as"), choices=ParticipantRole.choices,
                             initial=ParticipantRole.DELEGATE)
    consent = forms.BooleanField(
        label=_("I agree that these details are used to run this event: my registration, "
                "badge and check-in, and the quality survey afterwards."),
        error_messages={"required": _("We can only register you if you agree to this use "
                                      "of your details.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Your name is required.")
        self.fields["email"].error_messages["required"] = _("Your email is required.")
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"

    def registrant(self) -> Registrant:
        data = self.cleaned_data
        return Registrant(name=data["name"], email=data["email"],
                          organisation=data["organisation"], role=data["role"])


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=0,
        help_text=_("Empty means no limit. Places that open go to the waitlist in order; "
                    "a lower capacity moves nobody back to the waitlist."))


class RegistrationStatusForm(forms.Form):
    """Open or close the registration form; carries the version the organiser saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    open = forms.TypedChoiceField(choices=[("1", _("open")), ("0", _("closed"))],
                                  coerce=lambda value: value == "1", widget=forms.HiddenInput)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Badge code"), max_length=64,
        error_messages={"required": _("Type or scan the code on the badge.")},
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "characters",
            "spellcheck": "false", "class": "door-code"}))


class NoShowForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The event is over: everyone not checked in did not come."),
        error_messages={"required": _("Tick the box to confirm that the event is over.")})


SCALE = [(1, _("1 – poor")), (2, _("2 – fair")), (3, _("3 – good")), (4, _("4 – very good")),
         (5, _("5 – excellent"))]


def score_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=SCALE, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")})


class FeedbackForm(forms.Form):
    overall = score_field(_("How was the event overall?"))
    relevance = score_field(_("How relevant was it to your work?"))
    organisation = score_field(_("How well was it organised?"))
    networking = score_field(_("Did you make useful contacts?"))
    comment = forms.CharField(label=_("Anything else you want to tell the organisers?"),
                              required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def answers(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*FeedbackAnswer.QUESTIONS, "comment")}


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MediaItemForm(RecordForm):
    """A press article, broadcast or web page about the event (the page fixes the event)."""

    class Meta:
        model = MediaItem
        fields = ["outlet", "title", "type", "language", "published_on", "link", "reach"]
        widgets = {"published_on": DATE_INPUT}
        help_texts = {"language": _("A language code: en, zh, es, fr...")}


class DisseminationForm(RecordForm):
    """A report, talk or publication made from the event (the page fixes the event)."""

    class Meta:
        model = DisseminationOutput
        fields = ["kind", "title", "published_on", "link", "audience"]
        widgets = {"published_on": DATE_INPUT}


class ReportLinksField(LinesField):
    def clean(self, value: Any) -> list[str]:
        links: list[str] = super().clean(value)
        check = URLValidator()
        for link in links:
            try:
                check(link)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("“%(link)s” is not a web address: write one link a line, starting with "
                      "https://.") % {"link": link}) from error
        return links


class ReportForm(RecordForm):
    """What the closing report says beyond the figures: the minutes, outcomes and links."""

    report_links = ReportLinksField(label=_("Report links"),
                                    help_text=_("One web address a line: the minutes, slides, "
                                                "photos or the published report."))

    class Meta:
        model = Event
        fields = ["minutes", "outcomes", "report_links"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 10}),
                   "outcomes": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"minutes": _("What was discussed and decided."),
                      "outcomes": _("What came of the event: agreements, projects, next "
                                    "steps.")}
