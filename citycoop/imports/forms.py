from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from citycoop.registry.models import Programme

from .readers import read_bytes
from .readers.base import Document, UnreadableFile


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Report"),
                           help_text=_("A web page (.html), Word (.docx), PDF, Markdown or text "
                                       "file."))
    programme = forms.ModelChoiceField(Programme.objects.all(), required=False,
                                       label=_("Programme"), empty_label=_("— a new one —"))
    new_programme = forms.CharField(required=False, max_length=200,
                                    label=_("or a new programme named"))

    document: Document | None = None
    content: bytes = b""

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        limit = settings.CITYCOOP_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 2**20, 1), "limit": limit // 2**20})
        self.content = upload.read()
        try:
            # The type is decided by the content, whatever the file name says.
            self.document = read_bytes(self.content, upload.name, max_bytes=limit)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from error
        return upload

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean() or {}
        if not cleaned.get("programme") and not (cleaned.get("new_programme") or "").strip():
            raise forms.ValidationError(_("Choose the programme, or name a new one."))
        return cleaned

    def programme_name(self) -> str:
        programme = self.cleaned_data.get("programme")
        return programme.slug if programme else self.cleaned_data["new_programme"].strip()
