"""The KPI dashboard's filters: a country group, a pairing and a period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Programme
from citycoop.reports.scope import Scope


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


def scope_from(form: KpiFilterForm, programme: Programme, public_only: bool) -> Scope:
    """The scope the valid filters ask for; the whole programme when they are not valid."""
    if not form.is_bound or not form.is_valid():
        return Scope(programme, public_only=public_only)
    data = form.cleaned_data
    pairing = None
    if data["pairing"]:
        pairings = Pairing.objects.filter(programme=programme, slug=data["pairing"])
        if public_only:
            pairings = pairings.filter(is_public=True)
        pairing = pairings.first()
        if pairing is None:
            form.add_error("pairing", gettext("No pairing of this programme has that key."))
            return Scope(programme, public_only=public_only)
    return Scope(programme, pairing=pairing, group=data["group"], start=data["start"],
                 end=data["end"], public_only=public_only)
