"""Admin edits go through the same audited, version-checked write path as everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from citycoop.common.services import (
    StaleEditError,
    create_record,
    delete_record,
    update_record,
)


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the editor loaded, so a stale save is shown as a conflict."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            stored = type(self.instance).objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            ).first()
            if stored is not None and stored != loaded:
                raise forms.ValidationError(str(StaleEditError(self.instance, loaded, stored)))
        return cleaned


class AuditedAdmin(admin.ModelAdmin):
    """Saves through the services' write helpers: audited, validated, refused when stale."""

    form = VersionedAdminForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        concrete = {f.name for f in obj._meta.concrete_fields if f.editable}
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in concrete}
        if not change:
            saved = create_record(type(obj), {name: form.cleaned_data[name] for name in concrete
                                              if name in form.cleaned_data},
                                  acting_user=request.user)  # type: ignore[arg-type]
            obj.pk, obj.version = saved.pk, saved.version
            return
        saved = update_record(obj, values, acting_user=request.user,  # type: ignore[arg-type]
                              expected_version=form.cleaned_data.get("loaded_version"))
        obj.version = saved.version

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_record(obj, acting_user=request.user)  # type: ignore[arg-type]
