"""Staff forms for the registry: organisations, places and people. Built on the workspace's
record form (portfolio.forms.RecordForm): versioned, validated, written through the services."""

from __future__ import annotations

import functools
import re
from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _

from citycoop.portfolio.forms import SLUG_HELP, LinesField, RecordForm
from citycoop.web.pickers import RecordChoiceField

from . import services
from .models import CityProfile, Organisation, Person, Place

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@functools.cache
def country_choices() -> list[tuple[str, str]]:
    countries = [(c.alpha_2, f"{c.name} ({c.alpha_2})") for c in pycountry.countries]
    return sorted(countries, key=lambda choice: choice[1])


def country_field(*, required: bool) -> forms.ChoiceField:
    blank = [("", "—")] if not required else [("", _("Choose a country"))]
    return forms.ChoiceField(label=_("Country"), required=required,
                             choices=[*blank, *country_choices()])


class NamesField(forms.CharField):
    """Names in other scripts, one a line, language code first: "zh: 天津"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=forms.Textarea(attrs={"rows": 2}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{code}: {name}" for code, name in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        names = {}
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            code, colon, name = line.partition(":")
            if not colon or not LANGUAGE_CODE.match(code.strip()) or not name.strip():
                raise forms.ValidationError(
                    _("“%(line)s”: write the language code, a colon and the name, "
                      "e.g. “zh: 天津”.") % {"line": line.strip()})
            names[code.strip()] = name.strip()
        return names


class OrganisationForm(RecordForm):
    # Keys that would hide the registry's own pages under /organisations/.
    reserved_slugs = frozenset({"new", "places", "people", "duplicates", "merge", "merges"})

    country = country_field(required=False)
    aliases = LinesField(label=_("Other names"),
                         help_text=_("Variants as reports write them, one a line."))

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "slug", "type", "country", "place", "website", "parent",
                  "aliases", "description"]
        field_classes = {"place": RecordChoiceField, "parent": RecordChoiceField}
        help_texts = {"slug": SLUG_HELP}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_new:
            parent: Any = self.fields["parent"]
            parent.queryset = parent.queryset.exclude(pk=self.instance.pk)

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.create_organisation(values, acting_user=user)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.update_organisation(self.instance, values, acting_user=user,
                                            expected_version=self.cleaned_data["version"])


class PlaceForm(RecordForm):
    country = country_field(required=True)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90,
                                max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180,
                                 max_value=180)
    other_names = NamesField(label=_("Names in other scripts"),
                             help_text=_("One a line, the language code first: “zh: 天津”."))
    aliases = LinesField(label=_("Other spellings"), help_text=_("One a line."))

    class Meta:
        model = Place
        fields = ["name", "slug", "kind", "country", "parent", "latitude", "longitude",
                  "population", "other_names", "aliases"]
        field_classes = {"parent": RecordChoiceField}
        help_texts = {"slug": SLUG_HELP}
        labels = {"parent": _("Within")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_new:
            for name in ("latitude", "longitude", "population"):
                self.fields[name].help_text = _("Leave empty to take it from the gazetteer.")
        else:
            parent: Any = self.fields["parent"]
            parent.queryset = parent.queryset.exclude(pk=self.instance.pk)

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        # What the user left empty, the gazetteer fills in (coordinates, population, names).
        typed = {key: value for key, value in values.items() if value not in (None, {}, [])}
        return services.create_place(typed, acting_user=user)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.update_place(self.instance, values, acting_user=user,
                                     expected_version=self.cleaned_data["version"])


class PersonForm(RecordForm):
    class Meta:
        model = Person
        fields = ["name", "title", "position", "organisation", "email", "phone", "visibility"]
        field_classes = {"organisation": RecordChoiceField}
        help_texts = {"title": _("E.g. Dr, Prof., Ms."),
                      "visibility": _("Who may see this person's name on the public pages.")}

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "")
        other = (Person.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).first()
                 if email else None)
        if other is not None:
            raise forms.ValidationError(_("“%(other)s” already has this email address: one "
                                          "person, one address.") % {"other": other})
        return email

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.create_person(values, acting_user=user)


class SdgsField(forms.CharField):
    """SDG goal numbers, written as "7, 11, 13"."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(goal) for goal in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        goals = []
        for part in re.split(r"[,\s]+", text.strip()):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 17:
                raise forms.ValidationError(_("“%(part)s” is not an SDG goal (1 to 17).")
                                            % {"part": part})
            goals.append(int(part))
        return sorted(set(goals))


class CityProfileForm(RecordForm):
    sdgs = SdgsField(label=_("SDG goals"), required=False,
                     help_text=_("Goal numbers, e.g. “7, 11, 13”."))

    class Meta:
        model = CityProfile
        fields = ["challenges", "priorities", "offers", "themes", "sdgs"]
        widgets = {"themes": forms.CheckboxSelectMultiple,
                   "challenges": forms.Textarea(attrs={"rows": 4}),
                   "priorities": forms.Textarea(attrs={"rows": 3}),
                   "offers": forms.Textarea(attrs={"rows": 4})}
