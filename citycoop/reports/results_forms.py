"""Forms of the results framework: a value for one period, and a manager's review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from citycoop.imports.models import SourceDocument
from citycoop.reports.results_models import Indicator, Target


def period_label(target: Target) -> str:
    return target.period_label


class ValueEntryForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Period"), queryset=Target.objects.none(),
                                    empty_label=None)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    evidence_links = forms.CharField(
        label=_("Evidence links"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address a line: minutes, photos, a report."))
    evidence_document = forms.ModelChoiceField(
        label=_("Evidence document"), queryset=SourceDocument.objects.order_by("title"),
        required=False, help_text=_("A document already imported into citycoop."))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = self.fields["target"]
        assert isinstance(targets, forms.ModelChoiceField)
        targets.queryset = indicator.targets.order_by("period_start")
        targets.label_from_instance = period_label  # type: ignore[method-assign,assignment]

    def clean_evidence_links(self) -> list[str]:
        links = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines()
                 if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                check(link)
            except ValidationError:
                raise ValidationError(_("%(link)s is not a web address.") % {"link": link},
                                      code="invalid") from None
        return links


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
