"""Record pickers: a foreign key or many-to-many to a place, organisation, person, pairing or
pilot project, typed as text instead of chosen from a <select> holding every row.

Each chosen record reads "Name — key" (the key is the slug, the pk for people, and
"pairing/pilot" for pilot projects). The field accepts that, the key alone, or a name alone
when exactly one record in the field's queryset carries it; otherwise it says what it found.
A <datalist> next to each input is filled by pickers.js from the lookup endpoints
(citycoop.web.lookup_views), but the page works without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pycountry
from django import forms
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from rapidfuzz import fuzz, process

from citycoop.lib.text import fold
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.registry.models import Organisation, Person, Place

SEPARATOR = " — "
MAX_RESULTS = 15
MAX_CANDIDATES = 300


@functools.cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return str(country.name) if country is not None else code


@dataclass(frozen=True)
class Kind:
    """How one model is picked: its lookup address, name field, key and label."""

    name: str  # the lookup address's <kind>
    model: type[models.Model]
    name_field: str
    key: Callable[[Any], str]
    key_filter: Callable[[str], Q | None]
    describe: Callable[[Any], str]  # what the suggestion shows next to the name
    related: tuple[str, ...] = ()
    other_names: tuple[str, ...] = field(default=())  # also matched by a name typed alone

    def name_of(self, record: Any) -> str:
        return str(getattr(record, self.name_field))

    def value(self, record: Any) -> str:
        return f"{self.name_of(record)}{SEPARATOR}{self.key(record)}"

    def label(self, record: Any) -> str:
        extra = self.describe(record)
        return f"{self.name_of(record)} ({extra})" if extra else self.name_of(record)

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def nouns(self) -> str:
        return str(self.model._meta.verbose_name_plural)


def _slug_filter(key: str) -> Q | None:
    return Q(slug=key) if key else None


def _pk_filter(key: str) -> Q | None:
    return Q(pk=int(key)) if key.isdigit() else None


def _pilot_filter(key: str) -> Q | None:
    pairing, slash, pilot = key.partition("/")
    if slash:
        return Q(pairing__slug=pairing, slug=pilot) if pairing and pilot else None
    return Q(slug=key) if key else None


def _place_describe(place: Any) -> str:
    return country_name(place.country)


def _organisation_describe(organisation: Any) -> str:
    parts = [organisation.acronym] if organisation.acronym else []
    if organisation.place_id is not None:
        parts.append(organisation.place.name)
    elif organisation.country:
        parts.append(country_name(organisation.country))
    return ", ".join(parts)


def _person_describe(person: Any) -> str:
    return person.organisation.name if person.organisation_id is not None else ""


def _pairing_describe(pairing: Any) -> str:
    return pairing.programme.short_name or pairing.programme.name


KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (
        Kind("places", Place, "name", lambda r: r.slug, _slug_filter, _place_describe),
        Kind("organisations", Organisation, "name", lambda r: r.slug, _slug_filter,
             _organisation_describe, related=("place",), other_names=("acronym",)),
        Kind("people", Person, "name", lambda r: str(r.pk), _pk_filter, _person_describe,
             related=("organisation",)),
        Kind("pairings", Pairing, "label", lambda r: r.slug, _slug_filter, _pairing_describe,
             related=("programme",)),
        Kind("pilots", PilotProject, "title", lambda r: f"{r.pairing.slug}/{r.slug}",
             _pilot_filter, lambda r: r.pairing.label, related=("pairing",)),
    )
}


def kind_for(model: type[models.Model]) -> Kind:
    for kind in KINDS.values():
        if issubclass(model, kind.model):
            return kind
    raise LookupError(f"No record picker for {model.__name__}.")


def search(kind: Kind, queryset: models.QuerySet, text: str,
           limit: int = MAX_RESULTS) -> list[Any]:
    """The records whose name starts with, then contains, ``text``; keys that start with it
    come with the first. Indexed name prefix first, so a common prefix answers quickly."""
    text = " ".join(text.split())
    queryset = queryset.select_related(*kind.related)
    name = kind.name_field
    if not text:
        return list(queryset.order_by(name)[:limit])
    found: dict[Any, Any] = {}

    def add(rows: Iterable[Any]) -> None:
        for row in rows:
            if len(found) >= limit:
                return
            found.setdefault(row.pk, row)

    exact = Q(**{f"{name}__iexact": text})
    add(queryset.filter(exact).order_by(name)[:limit])
    key = kind.key_filter(text)
    if key is not None:
        add(queryset.filter(key)[:limit])
    if len(found) < limit:
        add(queryset.filter(**{f"{name}__istartswith": text}).exclude(exact)
            .order_by(Length(name), name)[:limit])
    if len(found) < limit:
        add(queryset.filter(**{f"{name}__icontains": text})
            .exclude(**{f"{name}__istartswith": text})
            .order_by(Length(name), name)[:limit])
    return list(found.values())


class Resolver:
    """Turns what the user typed into one record of the queryset, or a message saying why
    it could not."""

    def __init__(self, kind: Kind, queryset: models.QuerySet) -> None:
        self.kind = kind
        self.queryset = queryset

    def by_key(self, key: str, queryset: models.QuerySet) -> list[Any]:
        condition = self.kind.key_filter(key)
        rows = list(queryset.filter(condition)[:10]) if condition is not None else []
        if not rows and key.isdigit():
            rows = list(queryset.filter(pk=int(key)))  # the form posted as a <select> would
        return rows

    def by_name(self, name: str, queryset: models.QuerySet) -> list[Any]:
        """Records whose name (or other name) is ``name``, ignoring case and accents."""
        wanted = fold(name)
        if not wanted:
            return []
        fields = (self.kind.name_field, *self.kind.other_names)
        condition = Q()
        for field_name in fields:
            condition |= Q(**{f"{field_name}__iexact": name})
        rows = list(queryset.filter(condition)[:50])
        if rows:
            return rows
        # Accents and punctuation: compare folded names among those with the same start.
        return [row for row in self.candidates(name, queryset)
                if any(fold(str(getattr(row, f) or "")) == wanted for f in fields)]

    def candidates(self, text: str, queryset: models.QuerySet) -> list[Any]:
        """A few hundred records with a name like ``text``: the same first letters, or the
        longest word inside, or at least the same initial."""
        name = self.kind.name_field
        text = text.strip()
        if not text:
            return []
        longest = max(text.split(), key=len)
        conditions = [Q(**{f"{name}__istartswith": text[:3]})]
        if len(longest) >= 3:
            conditions.append(Q(**{f"{name}__icontains": longest[:5]}))
        conditions.append(Q(**{f"{name}__istartswith": text[:1]}))
        found: dict[Any, Any] = {}
        for condition in conditions:
            room = MAX_CANDIDATES - len(found)
            if room <= 0:
                break
            for row in queryset.filter(condition).exclude(pk__in=list(found))[:room]:
                found[row.pk] = row
        return list(found.values())

    def suggestion(self, text: str) -> Any | None:
        rows = self.candidates(text, self.queryset)
        if not rows:
            return None
        names = {index: fold(self.kind.name_of(row)) for index, row in enumerate(rows)}
        best = process.extractOne(fold(text), names, scorer=fuzz.WRatio, score_cutoff=70)
        return rows[best[2]] if best is not None else None

    def resolve(self, text: str) -> Any:
        text = " ".join(text.split())
        name, separator, key = text.rpartition("—")
        name, key = name.strip(), key.strip()
        attempts: list[tuple[str, str]] = []
        if separator and key:
            attempts.append(("key", key))
        else:
            name = text
            attempts.append(("key", text))
        if name:
            attempts.append(("name", name))
        if separator and name:
            attempts.append(("name", text))  # a name that holds a dash itself
        for how, value in attempts:
            rows = (self.by_key if how == "key" else self.by_name)(value, self.queryset)
            if len(rows) == 1:
                return rows[0]
            if len(rows) > 1:
                raise forms.ValidationError(self.ambiguous(value, rows), code="ambiguous")
        # Nothing in the queryset: say so plainly when the record exists but may not go here.
        everything = self.kind.model._default_manager.all()
        for how, value in attempts:
            if (self.by_key if how == "key" else self.by_name)(value, everything):
                raise forms.ValidationError(
                    gettext("“%(text)s” cannot be chosen here: pick one of the %(nouns)s "
                            "the list offers.") % {"text": text, "nouns": self.kind.nouns},
                    code="invalid_choice")
        typed = name or text
        message = gettext("No %(noun)s is called “%(text)s”.") % {
            "noun": self.kind.noun, "text": typed}
        suggestion = self.suggestion(typed)
        if suggestion is not None:
            message += " " + gettext("Did you mean %(value)s?") % {
                "value": self.kind.value(suggestion)}
        raise forms.ValidationError(message, code="invalid_choice")

    def ambiguous(self, text: str, rows: Sequence[Any]) -> str:
        shown = rows[:8]
        listed = ", ".join(self.kind.value(row) for row in shown)
        if len(rows) > len(shown):
            listed += ", …"
        return gettext("Several %(nouns)s are called “%(text)s”: %(listed)s. Pick one from "
                       "the list.") % {"nouns": self.kind.nouns, "text": text,
                                       "listed": listed}


class PickerMixin:
    """What both pickers share: the kind, the lookup address and the conversions."""

    widget: Any

    # A new queryset (a form narrowing a field's choices) must reach the widget's lookup.
    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        self.sync_widget()

    def _get_queryset(self) -> Any:
        return vars(self)["_queryset"]

    queryset = property(_get_queryset, _set_queryset)  # type: ignore[assignment]

    def setup_picker(self, lookup_params: dict[str, str] | None) -> None:
        self.lookup_params = dict(lookup_params or {})
        self.widget.lookup_params = self.lookup_params

    @property
    def kind(self) -> Kind:
        return kind_for(self.queryset.model)

    def sync_widget(self) -> None:
        if getattr(self, "widget", None) is not None and hasattr(self, "_queryset"):
            self.widget.kind = self.kind.name

    def show(self, value: Any) -> str:
        """One record as the input shows it: "Name — key"."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, models.Model):
            return self.kind.value(value)
        record = (self.queryset.model._default_manager.select_related(*self.kind.related)
                  .filter(pk=value).first())
        return self.kind.value(record) if record is not None else str(value)

    def resolve(self, text: str) -> Any:
        return Resolver(self.kind, self.queryset.select_related(*self.kind.related)) \
            .resolve(text)


class PickerInput(forms.TextInput):
    """A text input with a datalist the script fills from the lookup address."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = ""
        self.lookup_params: dict[str, str] = {}

    def lookup_url(self) -> str:
        url = reverse("lookup:records", args=[self.kind])
        return f"{url}?{urlencode(self.lookup_params)}" if self.lookup_params else url

    def input_attrs(self, name: str, attrs: dict[str, Any]) -> dict[str, Any]:
        list_id = f"{attrs.get('id') or name}_list"
        return {**attrs, "list": list_id, "autocomplete": "off", "class": "picker",
                "data-lookup": self.lookup_url(), "spellcheck": "false"}

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        attrs = self.input_attrs(name, self.build_attrs(self.attrs, attrs))
        html = super().render(name, value, attrs, renderer)
        return format_html("{}<datalist id=\"{}\"></datalist>", html, attrs["list"])


class PickerListInput(PickerInput):
    """Several records: one input each, plus an empty one (the script adds more)."""

    use_fieldset = True
    extra = 1

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if isinstance(values, str):
            values = [values]
        return [str(value) for value in values or ()]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def format_value(self, value: Any) -> Any:
        return value

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        attrs = self.input_attrs(name, self.build_attrs(self.attrs, attrs))
        values = [str(v) for v in (value or ()) if str(v).strip()]
        values += [""] * self.extra
        first_id = attrs.get("id") or name
        inputs = []
        for index, item in enumerate(values):
            item_attrs = dict(attrs)
            if index:
                item_attrs["id"] = f"{first_id}_{index}"
                item_attrs.pop("required", None)
            inputs.append(forms.TextInput.render(self, name, item or None, item_attrs,
                                                 renderer))
        rows = format_html_join("", "<li>{}</li>", ((row,) for row in inputs))
        return format_html(
            '<ul class="picker-list" data-picker-list data-add-label="{}">{}</ul>'
            '<datalist id="{}"></datalist>', gettext("Add another"), rows, attrs["list"])

    def id_for_label(self, id_: str) -> str:
        return id_


class RecordChoiceField(PickerMixin, forms.ModelChoiceField):
    """One record typed as "Name — key", the key, or a name only one record carries."""

    widget = PickerInput

    def __init__(self, queryset: models.QuerySet, *,
                 lookup_params: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.pop("empty_label", None)
        kwargs.pop("to_field_name", None)
        super().__init__(queryset, empty_label=None, **kwargs)
        self.setup_picker(lookup_params)
        self.sync_widget()

    def prepare_value(self, value: Any) -> Any:
        return self.show(value)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values or not str(value).strip():
            return None
        if isinstance(value, models.Model):
            return value
        return self.resolve(str(value))

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        if str(data or "").strip() == self.show(initial):
            return False
        try:
            chosen = self.to_python(data)
        except forms.ValidationError:
            return True
        initial_pk = getattr(initial, "pk", initial)
        return str(getattr(chosen, "pk", "") if chosen else "") != str(initial_pk or "")


class RecordMultipleChoiceField(PickerMixin, forms.ModelMultipleChoiceField):
    """Several records, one an input; each typed as RecordChoiceField takes it."""

    widget = PickerListInput

    def __init__(self, queryset: models.QuerySet, *,
                 lookup_params: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)
        super().__init__(queryset, **kwargs)
        self.setup_picker(lookup_params)
        self.sync_widget()

    def items(self, value: Any) -> list[Any]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [line for line in value.splitlines() if line.strip()]
        if isinstance(value, models.QuerySet | list | tuple):
            return [item for item in value if not (isinstance(item, str) and not item.strip())]
        return [value]

    def prepare_value(self, value: Any) -> Any:
        return [self.show(item) for item in self.items(value)]

    def clean(self, value: Any) -> Any:
        items = self.items(value)
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return self.queryset.none()
        chosen: dict[Any, Any] = {}
        errors = []
        for item in items:
            try:
                record = item if isinstance(item, models.Model) else self.resolve(str(item))
            except forms.ValidationError as error:
                errors.extend(error.messages)
                continue
            chosen.setdefault(record.pk, record)
        if errors:
            raise forms.ValidationError(errors)
        self.run_validators(list(chosen.values()))
        return self.queryset.filter(pk__in=list(chosen))

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        shown = [self.show(item) for item in self.items(initial)]
        typed = [str(item).strip() for item in self.items(data)]
        return sorted(shown) != sorted(typed)


def picker_fields(form: forms.BaseForm, params: dict[str, dict[str, str]] | None = None) -> None:
    """Set the lookup address's extra parameters of some pickers in a form, by field name."""
    for name, extra in (params or {}).items():
        picker: Any = form.fields.get(name)
        if isinstance(picker, PickerMixin):
            picker.setup_picker(extra)


__all__ = ["KINDS", "Kind", "RecordChoiceField", "RecordMultipleChoiceField", "Resolver",
           "kind_for", "picker_fields", "search"]
