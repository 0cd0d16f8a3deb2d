"""The forms of the discussion pages: a new thread, a reply, and the reason for a report or
for hiding a post."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from citycoop.discussions.services import attachment_error


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files, each within the upload limit (a list, possibly empty)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(AttachmentsField, self).clean(item, initial) for item in items if item]
        errors = [error for error in map(attachment_error, files) if error]
        if errors:
            raise forms.ValidationError(errors)
        return files


def message_field() -> forms.CharField:
    return forms.CharField(
        label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Write @username to let someone know."))


class PostForm(forms.Form):
    body = message_field()
    attachments = AttachmentsField(label=_("Attach files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Said when the form is made: the limit is a setting, and the words are translated.
        self.fields["attachments"].help_text = _(
            "Documents or photos, each up to %(limit)s.") % {
            "limit": filesizeformat(settings.CITYCOOP_UPLOAD_MAX_BYTES)}


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Subject"), max_length=200)
    field_order = ["title", "body", "attachments"]


class ReplyForm(PostForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Your reply")


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this post?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it hidden?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the post; moderators see it, others see only that a moderator "
                    "hid it."))
