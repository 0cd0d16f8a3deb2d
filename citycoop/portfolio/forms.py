"""Staff forms for the portfolio: each carries the version it was loaded at, so a save made
on top of someone else's change is shown as a conflict instead of overwriting it."""

from __future__ import annotations

import hashlib
import json
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from citycoop.common.services import (
    StaleEditError,
    create_record,
    delete_record,
    field_values,
    update_record,
)
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


# The workspace's create and edit pages share one form base: it carries the version the
# editor loaded, validates fuzzy dates and keys with messages that say what to do, writes
# through the services, and when the save comes too late it lays out the other person's
# values next to the editor's own, which stay in the form.

REQUIRED = _("%(field)s is required.")
SLUG_HELP = _("Used in the page address: lower-case letters, digits and hyphens.")
FUZZY_HELP = _('As precise as you know it: "2016-09-24", "Sept 2016", "June/July 2016", '
               '"spring 2016", "end of 2015".')


class FuzzyTextField(forms.CharField):
    """A fuzzy date as the user writes it; it is stored as its text, period and precision."""

    def __init__(self, *, label: Any, help_text: Any = FUZZY_HELP, **kwargs: Any) -> None:
        super().__init__(label=label, help_text=help_text, required=False, max_length=120,
                         **kwargs)

    def clean(self, value: Any) -> str:
        return check_fuzzy(super().clean(value))


class LinesField(forms.CharField):
    """A list of short texts, one a line: other names, links, listed items."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(str(item) for item in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class StalePartsError(StaleEditError):
    """The rows listed inside a record (parties, members) changed since the editor loaded it."""

    def __init__(self, instance: Any, expected: int, current: int) -> None:
        super().__init__(instance, expected, current)
        self.args = (_("The rows listed in “%(record)s” (its parties or members) changed since "
                       "you opened it.") % {"record": instance},)


def shown(field: forms.Field, value: Any) -> str:
    """A value as a person reads it, to compare two versions of a record side by side."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple | models.QuerySet):
        return ", ".join(shown(field, item) for item in value) or "—"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    return str(value)


def children_digest(formset: Any, parent: models.Model) -> str:
    rows = formset.model._default_manager.filter(**{formset.fk.name: parent}).order_by("pk")
    values = [[row.pk, field_values(row)] for row in rows]
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def name_required_fields(form: forms.BaseForm) -> None:
    """"Title is required." rather than "This field is required.": the message says which."""
    for field in form.fields.values():
        if field.required and field.label:
            field.error_messages["required"] = REQUIRED % {"field": field.label}


class PlaceOrOrganisationForm(forms.ModelForm):
    """One row of a child list: exactly one of a place or an organisation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_required_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("place") and data.get("organisation"):
            self.add_error("place", _("Choose either a place or an organisation, not both."))
        elif not data.get("place") and not data.get("organisation") and not data.get("DELETE"):
            self.add_error("place", _("Choose a place or an organisation."))
        return data

    def summary(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return str(data.get("label") or data.get("place") or data.get("organisation") or "")


class ChildFormSet(forms.BaseInlineFormSet):
    """Rows listed inside a record: a pairing's members, an agreement's parties. Each row is
    a place or an organisation, and none is listed twice."""

    legend: Any = ""
    item_legend: Any = ""  # with %(n)s for the row's number

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        form.legend = self.item_legend % {"n": (index or 0) + 1}

    def clean(self) -> None:
        super().clean()
        seen: set[Any] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            who = data.get("place") or data.get("organisation")
            if who is not None and who in seen:
                raise forms.ValidationError(_("%(name)s is listed twice: keep one row.")
                                            % {"name": who})
            seen.add(who)

    def kept(self) -> list[Any]:
        """The rows shown with something in them: the existing ones and the filled-in blanks."""
        return [form for form in self.forms if form.has_changed() or form.instance.pk]

    def write(self, parent: models.Model, acting_user: Any) -> None:
        """Create, change and delete the rows through the audited write path."""
        model: Any = self.model
        positioned = any(f.name == "position" for f in model._meta.concrete_fields)
        for index, form in enumerate(self.kept()):
            if form.cleaned_data.get("DELETE"):
                if form.instance.pk:
                    delete_record(form.instance, acting_user=acting_user)
                continue
            values = {name: form.cleaned_data.get(name) for name in form._meta.fields or ()
                      if name != self.fk.name}
            if positioned:
                values["position"] = index
            if form.instance.pk:
                update_record(form.instance, values, acting_user=acting_user,
                              expected_version=None)
            else:
                create_record(model, {self.fk.name: parent, **values},
                              acting_user=acting_user)


class RecordForm(VersionedForm, forms.ModelForm):
    """A workspace page's form for one record.

    ``fixed`` holds what the page decides rather than the user (the pairing a new pilot goes
    into). Subclasses name their service functions in ``create`` and ``update``; the default
    is the audited write path every domain service is built on.
    """

    children_seen = forms.CharField(widget=forms.HiddenInput, required=False)
    reserved_slugs: frozenset[str] = frozenset({"new"})

    def __init__(self, data: Any = None, *, instance: models.Model | None = None,
                 user: Any = None, fixed: dict[str, Any] | None = None,
                 prefix: str | None = None, initial: dict[str, Any] | None = None) -> None:
        self.user = user
        self.fixed = dict(fixed or {})
        if instance is None and self._meta.model is not None:
            # A new record knows its parents from the start: its keys are checked among them.
            instance = self._meta.model(**self.fixed)
        super().__init__(data, instance=instance, prefix=prefix, initial=initial)
        for name, field in self.fields.items():
            if isinstance(field, FuzzyTextField):
                self.initial.setdefault(name, getattr(self.instance, f"{name}_text", ""))
        name_required_fields(self)
        self.formsets = self.make_formsets(data)
        self.fields["version"].required = not self.is_new
        if not self.is_new:
            self.initial["version"] = getattr(self.instance, "version", None)
            self.initial["children_seen"] = self.digest(self.instance)

    @property
    def is_new(self) -> bool:
        return self.instance._state.adding

    def make_formsets(self, data: Any) -> list[Any]:
        """The lists of rows edited with the record (a formset of ChildFormSet each)."""
        return []

    def digest(self, record: models.Model) -> str:
        return "".join(children_digest(formset, record) for formset in self.formsets)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, *(formset.is_valid() for formset in self.formsets)])

    def siblings(self) -> models.QuerySet:
        """The records whose keys this one's must differ from."""
        return self._meta.model._default_manager.all()

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in self.reserved_slugs:
            raise forms.ValidationError(_("“%(slug)s” is kept for the workspace's own pages: "
                                          "choose another key.") % {"slug": slug})
        other = self.siblings().filter(slug=slug).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(_("The key “%(slug)s” is already used by “%(other)s”: "
                                          "choose another key.") % {"slug": slug, "other": other})
        return slug

    def model_names(self, *, many: bool) -> list[str]:
        model = self._meta.model
        assert model is not None
        names = {f.name for f in (model._meta.many_to_many if many
                                  else model._meta.concrete_fields)}
        return [name for name in self._meta.fields or () if name in names]

    def values(self) -> dict[str, Any]:
        """The changes for the service: model fields as cleaned, fuzzy dates as their text."""
        values = {name: self.cleaned_data[name] for name in self.model_names(many=False)
                  if name in self.cleaned_data}
        for name, field in self.fields.items():
            if isinstance(field, FuzzyTextField):
                values[name] = self.cleaned_data.get(name) or None
        return values

    def many(self) -> dict[str, list[Any]]:
        return {name: list(self.cleaned_data[name]) for name in self.model_names(many=True)}

    def create(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return create_record(self._meta.model, values, acting_user=user,
                             many=many)

    def update(self, values: dict[str, Any], many: dict[str, list[Any]], user: Any) -> Any:
        return update_record(self.instance, values, acting_user=user,
                             expected_version=self.cleaned_data["version"], many=many)

    @transaction.atomic
    def write(self, user: Any) -> Any:
        """Save the record and its rows as one change; StaleEditError if it came too late."""
        if self.is_new:
            record = self.create({**self.fixed, **self.values()}, self.many(), user)
        else:
            if self.formsets:
                # Rows carry no version of their own: compare them as they were loaded.
                model = type(self.instance)
                current = model._default_manager.select_for_update().get(pk=self.instance.pk)
                if self.digest(current) != self.cleaned_data.get("children_seen"):
                    version = getattr(current, "version", 0)
                    raise StalePartsError(current, self.cleaned_data["version"], version)
            record = self.update(self.values(), self.many(), user)
        for formset in self.formsets:
            formset.write(record, user)
        return record

    def stored(self, record: models.Model, name: str) -> Any:
        field = self.fields[name]
        if isinstance(field, FuzzyTextField):
            return getattr(record, f"{name}_text")
        if name in self.model_names(many=True):
            return list(getattr(record, name).all())
        return getattr(record, name, None)

    def conflict(self, error: StaleEditError) -> dict[str, Any]:
        """What to show when the save came too late: the fields where the stored record and
        this editor's input differ. The form then starts from the stored version, keeping
        the input, so saving again is a deliberate choice."""
        theirs = type(self.instance)._default_manager.get(pk=self.instance.pk)
        rows = []
        for bound in self.visible_fields():
            if bound.name not in self.cleaned_data:
                continue
            now = shown(bound.field, self.stored(theirs, bound.name))
            mine = shown(bound.field, self.cleaned_data[bound.name])
            if now != mine:
                rows.append((bound.label, now, mine))
        for formset in self.formsets:
            stored_rows = formset.model._default_manager.filter(**{formset.fk.name: theirs})
            now = ", ".join(str(row) for row in stored_rows) or "—"
            mine = ", ".join(form.summary() for form in formset.kept()
                             if not form.cleaned_data.get("DELETE")) or "—"
            if now != mine:
                rows.append((formset.legend, now, mine))
        data = cast(Any, self.data).copy()
        data[self.add_prefix("version")] = getattr(theirs, "version", "")
        data[self.add_prefix("children_seen")] = self.digest(theirs)
        self.data = data
        message = str(error) if isinstance(error, StalePartsError) else _(
            "You started from version %(expected)s; it is now at version %(current)s.") % {
            "expected": error.expected, "current": error.current}
        return {"message": message, "rows": rows, "theirs": theirs}

    def add_write_errors(self, error: ValidationError) -> None:
        """Errors the services found that the form could not: shown on their field when the
        form has it, above the form otherwise."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = name.removesuffix("_text")
            self.add_error(target if target in self.fields else None, errors)

