"""Admin edits go through the same audited, version-checked write path as everything else.

Forms show a fuzzy date as its text only ("June/July 2016"); the start, end and precision
columns are derived from it on save, so they can never disagree with what was written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from citycoop.accounts.models import User
from citycoop.common.fields import fuzzy_columns
from citycoop.common.models import TrashedRecord
from citycoop.common.services import (
    StaleEditError,
    create_record,
    delete_record,
    update_record,
)
from citycoop.common.trash import TrashRefused
from citycoop.lib.fuzzydate import FuzzyDateError, parse_entry, parse_or_unknown


def fuzzy_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(getattr(model, "_fuzzy_date_fields", ()))


def derived_columns(model: type[models.Model]) -> list[str]:
    """Columns computed from a fuzzy date's text, which forms must not offer for editing."""
    return [column for name in fuzzy_names(model) for column in fuzzy_columns(name)
            if not column.endswith("_text")]


def form_values(form: forms.ModelForm, *, only_changed: bool) -> dict[str, Any]:
    """The form's values for the service layer: concrete fields, fuzzy dates parsed."""
    model = form._meta.model
    editable = {f.name for f in model._meta.concrete_fields if f.editable}
    names = form.changed_data if only_changed else list(form.cleaned_data)
    values = {name: form.cleaned_data[name] for name in names
              if name in editable and name in form.cleaned_data}
    for fuzzy in fuzzy_names(model):
        text_column = f"{fuzzy}_text"
        if text_column in values:
            text = values.pop(text_column)
            values[fuzzy] = parse_or_unknown(text) if text.strip() else None
    return values


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the editor loaded, so a stale save is shown as a conflict."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "loaded_version" in self.fields:
            self.fields["loaded_version"].initial = getattr(self.instance, "version", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for fuzzy in fuzzy_names(self._meta.model):
            text = cleaned.get(f"{fuzzy}_text")
            if text and text.strip():
                try:
                    parse_entry(text)
                except FuzzyDateError as error:
                    self.add_error(f"{fuzzy}_text", str(error))
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list(
                "version", flat=True).first()
            if stored is not None and stored != loaded:
                raise forms.ValidationError(str(StaleEditError(self.instance, loaded, stored)))
        return cleaned


def save_through_services(form: forms.ModelForm, user: Any) -> models.Model:
    """Create or update the form's record with the audited services; return the saved record."""
    instance = form.instance
    if instance.pk is None or instance._state.adding:
        return create_record(type(instance), form_values(form, only_changed=False),
                             acting_user=user)
    return update_record(instance, form_values(form, only_changed=True), acting_user=user,
                         expected_version=form.cleaned_data.get("loaded_version"))


class AuditedInlineMixin:
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["exclude"] = [*(kwargs.get("exclude") or []), *derived_columns(self.model)]  # type: ignore[attr-defined]
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


class AuditedTabularInline(AuditedInlineMixin, admin.TabularInline):
    form = VersionedAdminForm


class AuditedStackedInline(AuditedInlineMixin, admin.StackedInline):
    form = VersionedAdminForm


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member: the admin lets no one else reach a save."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class AuditedInlinesAndDeletes:
    """A model admin's inlines and deletions through the audited services (for admins whose
    own form saves differently, as the user admin's does)."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The admin's change message reads these three lists, as BaseModelFormSet.save fills them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            adding = inline_form.instance.pk is None
            if formset.can_delete and formset._should_delete_form(inline_form):
                if not adding:
                    delete_record(inline_form.instance, acting_user=acting_user(request))
                    formset.deleted_objects.append(inline_form.instance)
                continue
            if not inline_form.has_changed():
                continue
            setattr(inline_form.instance, formset.fk.name, form.instance)
            inline_form.cleaned_data[formset.fk.name] = form.instance
            inline_form.instance = save_through_services(inline_form, acting_user(request))
            if adding:
                formset.new_objects.append(inline_form.instance)
            else:
                formset.changed_objects.append((inline_form.instance, inline_form.changed_data))

    def delete_one(self, obj: Any, *, acting_user: User) -> None:
        """The audited delete of one record: a subclass whose records have their own service
        (accounts, the trash) says which."""
        delete_record(obj, acting_user=acting_user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_one(obj, acting_user=acting_user(request))

    def still_to_delete(self, obj: Any) -> bool:
        """Whether a selected record is still to be deleted when its turn comes."""
        return True

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        """The "delete selected" action: each record through the audited delete, so each
        has its entry in the log, all or none. Each is deleted as it was loaded before the
        action: its entry keeps a link that deleting another selected record emptied (a
        place's parent)."""
        user = acting_user(request)
        with transaction.atomic():
            for obj in list(queryset):
                if self.still_to_delete(obj):
                    self.delete_one(obj, acting_user=user)


class AuditedAdmin(AuditedInlinesAndDeletes, admin.ModelAdmin):
    """Saves records and their inlines through the services: audited, validated, refused
    when stale. Many-to-many fields are saved by Django after the record, as usual."""

    form = VersionedAdminForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        # Given here, "exclude" replaces the one Django builds, so it says all of it: the
        # admin's own, the read-only fields and the derived columns.
        kwargs["exclude"] = [*(self.exclude or []), *(kwargs.get("exclude") or []),
                             *self.get_readonly_fields(request, obj),
                             *derived_columns(self.model)]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = save_through_services(form, acting_user(request))
        obj.pk = saved.pk
        form.instance = saved
        if hasattr(saved, "version"):
            obj.version = saved.version


class TrashingAdmin(AuditedAdmin):
    """For the records the workspace deletes into the trash (pairings, organisations): the
    admin's delete page and its "delete selected" action go through the same service, so
    what is deleted here can be restored from /audit/trash/ too.

    A subclass says which service with :meth:`trash`."""

    def trash(self, obj: Any, *, acting_user: User) -> TrashedRecord:
        raise NotImplementedError(f"{type(self).__name__} must say how to trash a record")

    def delete_one(self, obj: Any, *, acting_user: User) -> None:
        self.trash(obj, acting_user=acting_user)

    def still_to_delete(self, obj: Any) -> bool:
        """Not when an earlier selected record took it along: it is in that one's trash
        already. Each record is trashed as it was before the action, so a reference that
        deleting one empties in another (a unit's parent) stays in the second one's trash,
        and whichever is restored first, the link comes back."""
        return self.model._default_manager.filter(pk=obj.pk).exists()

    # The admin refuses beforehand what the trash refuses (records that others still
    # protect); should one slip through between the confirmation and the deletion, say why
    # instead of failing. Nothing was deleted: the delete page runs in a transaction, and
    # so does delete_queryset.
    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except TrashRefused as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except TrashRefused as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(TrashedRecord)
class TrashedRecordAdmin(admin.ModelAdmin):
    """Read-only: a deleted record is restored from /audit/trash/, which checks the 30 days
    and refills the search index; editing the kept rows here would corrupt the restore, and
    deleting one would lose a record for good without a word in the log. Kept copies are
    forgotten only after the 30 days, by ``citycoop purge-trash``."""

    list_display = ("object_repr", "content_type", "deleted_by_label", "deleted_at",
                    "restored_at")
    list_filter = ("content_type",)
    search_fields = ("object_repr",)
    exclude = ("payload",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
