"""The spreadsheet upload: one XLSX file, within the upload limit, that opens as a workbook."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .sheet_import import SheetFileError, open_workbook


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet"),
                           help_text=_("An XLSX export of citycoop, edited in a spreadsheet "
                                       "and saved as .xlsx."))

    content: bytes = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.CITYCOOP_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 2**20, 1), "limit": limit // 2**20})
        self.content = upload.read()
        # The type is decided by the content, whatever the file's name says.
        try:
            open_workbook(self.content).close()
        except SheetFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
