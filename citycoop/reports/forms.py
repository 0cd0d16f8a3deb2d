"""The KPI dashboard's filters: a country group, a pairing and a period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class KpiFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Country group"), required=False)
    pairing = forms.CharField(
        label=_("Pairing"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"list": "kpi-pairings", "autocomplete": "off"}),
        help_text=_("The pairing's key; start typing its name."))
    start = forms.DateField(label=pgettext_lazy("start of a period", "From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("end of a period", "To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, groups: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["group"].choices = [("", _("All groups"))] + [(g, g) for g in groups]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:  # type: ignore[operator]
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned
