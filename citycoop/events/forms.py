"""Staff forms for events and missions, built on the workspace's record form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citycoop.accounts.permissions import visible_pairings
from citycoop.portfolio.forms import SLUG_HELP, FuzzyTextField, RecordForm
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.web.pickers import RecordChoiceField, RecordMultipleChoiceField

from .models import Event


class EventForm(RecordForm):
    when = FuzzyTextField(label=_("Dates"), help_text=_('As precise as you know them: '
                                                        '"24-26 September 2016", "Sept 2016".'))

    class Meta:
        model = Event
        fields = ["title", "slug", "kind", "place", "organisers", "pairings", "pilots",
                  "capacity", "description", "link", "is_public"]
        # Pilot titles repeat across pairings ("Smart city"): their key names the pairing.
        field_classes = {"place": RecordChoiceField, "organisers": RecordMultipleChoiceField,
                         "pairings": RecordMultipleChoiceField,
                         "pilots": RecordMultipleChoiceField}
        help_texts = {"slug": SLUG_HELP,
                      "pairings": _("The pairings the event served."),
                      "pilots": _("The pilot projects the event served.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    field_order = ["title", "slug", "kind", "when", "place", "organisers", "pairings", "pilots",
                   "capacity", "description", "link", "is_public"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The pairings this editor may see, and those the event already serves (an internal
        # pairing of another programme stays linked when someone else edits the event).
        visible = visible_pairings(self.user, Pairing.objects.all()).values("pk")
        linked = self.instance.pk is not None
        pairings = Pairing.objects.filter(
            Q(pk__in=visible) | (Q(events=self.instance) if linked else Q(pk__in=[])))
        pairing_field: Any = self.fields["pairings"]
        pairing_field.queryset = pairings.distinct().order_by("label")
        pilots = PilotProject.objects.filter(
            Q(pairing__in=visible) | (Q(events=self.instance) if linked else Q(pk__in=[])))
        pilot_field: Any = self.fields["pilots"]
        pilot_field.queryset = (pilots.distinct().select_related("pairing")
                                .order_by("pairing__label", "position"))
