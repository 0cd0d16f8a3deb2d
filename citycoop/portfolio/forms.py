"""Staff forms for the portfolio: each carries the version it was loaded at, so a save made
on top of someone else's change is shown as a conflict instead of overwriting it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citycoop.lib.fuzzydate import FuzzyDateError, parse_entry

from .models import Action, ActionKind, ActionStatus


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def check_fuzzy(text: str) -> str:
    if text.strip():
        try:
            parse_entry(text)
        except FuzzyDateError as error:
            raise forms.ValidationError(str(error)) from error
    return text.strip()


class ActionForm(VersionedForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    when = forms.CharField(label=_("Date"), required=False, max_length=120,
                           help_text=_('As precise as you know it: "Sept 2016", '
                                       '"June/July 2016", "2016-09-24".'))

    def clean_when(self) -> str:
        return check_fuzzy(self.cleaned_data["when"])

    @classmethod
    def for_action(cls, action: Action, data: Any = None) -> ActionForm:
        initial = {"text": action.text, "kind": action.kind, "status": action.status,
                   "when": getattr(action, "when_text", ""), "version": action.version}
        return cls(data, initial=initial, prefix=f"action-{action.pk}")

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"text": data["text"], "kind": data["kind"], "status": data["status"],
                "when": data["when"] or None}


class NextStepForm(forms.Form):
    text = forms.CharField(label=_("Next step"), max_length=1000)
    owner_text = forms.CharField(label=_("Owner"), required=False, max_length=200)
    due = forms.CharField(label=_("Due"), required=False, max_length=120,
                          help_text=_('A date or a period, as written: "June/July 2016".'))

    def clean_due(self) -> str:
        return check_fuzzy(self.cleaned_data["due"])
