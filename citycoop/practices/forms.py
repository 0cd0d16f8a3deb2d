"""The forms of the good-practice pages: a practice's facts and its text in one language
(versioned, written through the services, shown as a conflict when someone saved first), its
files, a review, an adoption, and the list's facets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from citycoop.accounts.models import Role
from citycoop.accounts.permissions import can_manage_registry, visible_pairings
from citycoop.common.widgets import QuickSelect
from citycoop.events.models import Event
from citycoop.portfolio.forms import RecordForm
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.registry.forms import SdgsField
from citycoop.registry.models import Organisation, Person, Place, Theme
from citycoop.web.pickers import RecordChoiceField, RecordMultipleChoiceField

from . import services
from .access import _kept_places, can_write_for
from .models import (
    REVIEW_CRITERIA,
    Practice,
    PracticeText,
    Review,
    ReviewDecision,
    Transferability,
)


def writable_places(user: Any) -> QuerySet:
    """The cities and regions this user may publish practices for (see access.can_write_for)."""
    if can_manage_registry(user):
        return Place.objects.all()
    return Place.objects.filter(pk__in=_kept_places(user))


def writable_organisations(user: Any) -> QuerySet:
    if can_manage_registry(user):
        return Organisation.objects.all()
    pairings = user.memberships.filter(role=Role.COORDINATOR).values("pairing_id")
    return Organisation.objects.filter(pk__in=Organisation.objects.filter(
        Q(pairing_memberships__pairing_id__in=pairings)
        | Q(action_roles__action__pilot__pairing_id__in=pairings)).values("pk"))


class EventsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.when_text})" if obj.when_text else str(obj.title)


class PracticeForm(RecordForm):
    """A practice's language-neutral facts; on a new practice also its owner and, through
    ``text_form``, its text in the original language."""

    sdgs = SdgsField(label=_("SDG goals"), required=False,
                     help_text=_("Goal numbers, e.g. “7, 11, 13”."))
    events = EventsField(Event.objects.order_by("when_start", "title"), required=False,
                         label=_("Shared at events"),
                         widget=forms.SelectMultiple(attrs={"size": 6}))

    class Meta:
        model = Practice
        fields = ["place", "organisation", "original_language", "themes", "sdgs",
                  "transferability", "cost_amount", "cost_currency", "contacts", "pilots",
                  "pairings", "events"]
        field_classes = {"place": RecordChoiceField, "organisation": RecordChoiceField,
                         "contacts": RecordMultipleChoiceField,
                         "pilots": RecordMultipleChoiceField,
                         "pairings": RecordMultipleChoiceField}
        widgets = {"themes": forms.CheckboxSelectMultiple}
        help_texts = {
            "place": _("The city or region the practice is from; or choose an organisation."),
            "pilots": _("The pilot projects, pairings and events where it was shared.")}

    def __init__(self, data: Any = None, *, text_form: PracticeTextForm | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.text_form = text_form
        if self.is_new:
            place: Any = self.fields["place"]
            place.queryset = writable_places(self.user)
            organisation: Any = self.fields["organisation"]
            organisation.queryset = writable_organisations(self.user)
            if not can_manage_registry(self.user):
                # A coordinator writes for a handful of cities: name them.
                names = list(place.queryset.order_by("name").values_list("name", flat=True)[:12])
                if names:
                    place.help_text = _("You can write for: %(places)s; or choose an "
                                        "organisation of your pairings.") % {
                        "places": ", ".join(names)}
        else:
            # The owner stays: a practice moving to another city is a new practice.
            del self.fields["place"], self.fields["organisation"]
        visible = visible_pairings(self.user, Pairing.objects.all())
        pairings: Any = self.fields["pairings"]
        pairings.queryset = visible
        pilots: Any = self.fields["pilots"]
        pilots.queryset = PilotProject.objects.filter(pairing__in=visible.values("pk"))
        contacts: Any = self.fields["contacts"]
        contacts.queryset = Person.objects.all()
        transferability: Any = self.fields["transferability"]
        transferability.choices = [("", "—"), *Transferability.choices]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, self.text_form is None or self.text_form.is_valid()])

    def clean_cost_currency(self) -> str:
        currency = (self.cleaned_data.get("cost_currency") or "").strip().upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            raise forms.ValidationError(_("Write the currency as its three-letter code, "
                                          "e.g. EUR or CNY."))
        return currency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_new:
            place, organisation = data.get("place"), data.get("organisation")
            if place is not None and organisation is not None:
                self.add_error("organisation", _("Choose either a city or region or an "
                                                 "organisation, not both."))
            elif (place is not None or organisation is not None) and not can_write_for(
                    self.user, place=place, organisation=organisation):
                self.add_error("place", _("You cannot publish practices in the name of "
                                          "%(owner)s.") % {"owner": place or organisation})
        return data

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        assert self.text_form is not None
        language = values.get("original_language") or settings.LANGUAGE_CODE
        return services.create_practice(values, {language: self.text_form.values()},
                                        acting_user=user, **many)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.update_practice(self.instance, values, acting_user=user,
                                        expected_version=self.cleaned_data["version"], **many)


class PracticeTextForm(RecordForm):
    """The practice's text in one language. A new text carries no version: the services
    then refuse it if someone wrote that language's text meanwhile."""

    class Meta:
        model = PracticeText
        fields = list(services.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4})
                   for name in services.TEXT_FIELDS if name != "title"}
        help_texts = {"results": _("With figures: what changed, by how much, by when."),
                      "what_was_done": _("Needed before the practice is submitted.")}

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.save_practice_text(self.fixed["practice"], self.fixed["language"],
                                           self.text_values(values), acting_user=user,
                                           expected_version=0)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return services.save_practice_text(self.fixed["practice"], self.fixed["language"],
                                           self.text_values(values), acting_user=user,
                                           expected_version=self.cleaned_data["version"])

    @staticmethod
    def text_values(values: dict[str, Any]) -> dict[str, Any]:
        return {name: values.get(name, "") for name in services.TEXT_FIELDS}


class PracticeFileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
    is_photo = forms.BooleanField(label=_("It is a photo, to show in the page"),
                                  required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("file") is not None:
            try:
                services.check_upload(data["file"], is_photo=bool(data.get("is_photo")))
            except ValidationError as error:
                self.add_error(None, error)
        return data


SCORES = [(n, str(n)) for n in range(1, 6)]


def score_field(name: str) -> forms.TypedChoiceField:
    label = getattr(Review._meta.get_field(name), "verbose_name", name)  # lazy: per request
    return forms.TypedChoiceField(label=capfirst(label),
                                  choices=SCORES, coerce=int, widget=forms.RadioSelect)


class ReviewForm(forms.Form):
    relevance = score_field("relevance")
    evidence = score_field("evidence")
    transferability = score_field("transferability")
    participation = score_field("participation")
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices,
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comments"), required=False,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Needed when returning it: say what to change."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == ReviewDecision.RETURN and not data.get("comment",
                                                                          "").strip():
            self.add_error("comment", _("Say what to change when returning a practice."))
        return data

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in REVIEW_CRITERIA}


class AdoptionForm(forms.Form):
    place = RecordChoiceField(Place.objects.all(), label=_("City or region that adopted it"))
    adopted_on = forms.DateField(label=_("Adopted on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("How it was adopted"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place: Any = self.fields["place"]
        place.queryset = writable_places(user)


class PracticeFilterForm(forms.Form):
    """The list's facets; an invalid choice is ignored rather than shown as an error."""

    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    theme = forms.ModelChoiceField(Theme.objects.all(), to_field_name="slug", required=False,
                                   label=_("Theme"), empty_label=_("any theme"),
                                   widget=QuickSelect)
    sdg = forms.TypedChoiceField(label=_("SDG"), required=False, coerce=int, empty_value=None,
                                 choices=[("", _("any goal")),
                                          *[(n, str(n)) for n in range(1, 18)]],
                                 widget=QuickSelect)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=QuickSelect)
    transferability = forms.ChoiceField(label=_("Transferability"), required=False,
                                        choices=[("", _("any")), *Transferability.choices],
                                        widget=QuickSelect)
    labelled = forms.BooleanField(label=_("Labelled only"), required=False)
    # The city a link chose (from the map or the city's page): kept as a hidden field.
    place = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, countries: list[tuple[str, str]]) -> None:
        super().__init__(data)
        country: Any = self.fields["country"]
        country.choices = [("", _("any country")), *countries]

    def apply(self, practices: QuerySet) -> QuerySet:
        if not self.is_valid():
            return practices
        data = self.cleaned_data
        if data["q"]:
            practices = practices.filter(
                Q(title__icontains=data["q"])
                | Q(pk__in=PracticeText.objects.filter(title__icontains=data["q"])
                    .values("practice_id")))
        if data["theme"] is not None:
            # A theme stands for its sub-themes too ("energy" finds "district heating").
            tagged = Practice.themes.through.objects.filter(
                Q(theme=data["theme"]) | Q(theme__parent=data["theme"]))
            practices = practices.filter(pk__in=tagged.values("practice_id"))
        if data["sdg"] is not None:
            # The goals are a JSON list; matched as whole numbers in its text, which works on
            # SQLite (no JSON "contains" there) as on PostgreSQL.
            practices = practices.alias(sdg_text=Cast("sdgs", TextField())).filter(
                sdg_text__regex=rf"(^|[^0-9]){data['sdg']}([^0-9]|$)")
        if data["country"]:
            practices = practices.filter(
                Q(place__country=data["country"])
                | Q(place__isnull=True, organisation__country=data["country"]))
        if data["transferability"]:
            practices = practices.filter(transferability=data["transferability"])
        if data["place"]:
            practices = practices.filter(
                Q(place__slug=data["place"]) | Q(organisation__place__slug=data["place"]))
        if data["labelled"]:
            practices = practices.filter(labelled_at__isnull=False, status="published")
        return practices

    def query_string(self) -> str:
        """The chosen facets, for the pagination links."""
        if not self.is_bound:
            return ""
        data: Any = self.data
        kept = data.copy()
        kept.pop("page", None)
        return str(kept.urlencode())

