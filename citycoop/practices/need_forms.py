"""The form for posting and changing a city's need, written through need_services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from citycoop.accounts.permissions import can_manage_registry
from citycoop.portfolio.forms import RecordForm
from citycoop.registry.forms import SdgsField
from citycoop.registry.models import Place, PlaceKind
from citycoop.web.pickers import RecordChoiceField

from . import need_services
from .forms import writable_places
from .models import Need, NeedStatus


def need_places(user: Any) -> QuerySet[Place]:
    """The cities and regions this user may post needs for (countries have no needs)."""
    return writable_places(user).exclude(kind=PlaceKind.COUNTRY)


class NeedForm(RecordForm):
    place = forms.ModelChoiceField(label=_("City or region"), queryset=Place.objects.none(),
                                   help_text=_("The city or region that has the need."))
    sdgs = SdgsField(label=_("SDG goals"), required=False,
                     help_text=_("Goal numbers, e.g. “11, 12”."))
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices, required=False)

    class Meta:
        model = Need
        fields = ["place", "title", "description", "themes", "sdgs", "is_public", "status"]
        widgets = {"themes": forms.CheckboxSelectMultiple,
                   "description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "title": _("In one line, what the city wants to achieve: “reduce landfill by half "
                       "in five years”."),
            "description": _("Where things stand, what was tried, what help would be "
                             "welcome. The more concrete, the better the practices proposed."),
            "is_public": _("A public need is listed for everyone; an internal one only for "
                           "the city's coordinators and the programme's managers."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = need_places(self.user)
        if can_manage_registry(self.user):
            # Every place of the registry: typed with the picker rather than one long list.
            self.fields["place"] = RecordChoiceField(
                places, label=_("City or region"), help_text=self.fields["place"].help_text)
        else:
            place_field: Any = self.fields["place"]
            place_field.queryset = places.order_by("name")
        if self.is_new:
            del self.fields["status"]
        else:
            # The address of the need stays; a need changes city rarely and deliberately.
            del self.fields["place"]
            self.fields["status"].required = True
            self.initial.setdefault("status", self.instance.status)

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return need_services.post_need(
            values["place"], values["title"], values.get("description", ""),
            acting_user=user, themes=many.get("themes", ()), sdgs=values.get("sdgs") or (),
            is_public=bool(values.get("is_public")))

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return need_services.update_need(
            self.instance, values, acting_user=user,
            expected_version=self.cleaned_data["version"], themes=many.get("themes"))
