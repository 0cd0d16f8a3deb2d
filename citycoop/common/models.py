from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Columns that change on every save and say nothing about the record's content: they are left
# out of audit diffs and of "has anything changed" checks.
BOOKKEEPING_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})


class VersionedModel(models.Model):
    """A record edited by people: it carries a version for optimistic locking.

    Writes go through :mod:`citycoop.common.services`, which compares the version the editor
    started from with the stored one and refuses a stale write instead of overwriting it.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class TrashedRecord(models.Model):
    """A pairing or organisation that was deleted, with everything its deletion took along,
    kept so that it can be put back within ``CITYCOOP_TRASH_DAYS`` days.

    The rows are deleted for real (every list, count and search stays right without a
    "deleted" flag to remember in each query); ``payload`` holds them as Django's JSON
    serialization, in the order they must be inserted again, many-to-many links included as
    the rows of their link tables. ``cleared`` keeps the references that the deletion set to
    empty (an agreement's pairing, say), to be set back on restore.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    payload = models.TextField(_("deleted rows (JSON)"))
    cleared = models.JSONField(_("references cleared"), default=list, blank=True)
    counts = models.JSONField(_("what was deleted"), default=dict, blank=True)
    deleted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("deleted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    deleted_by_label = models.CharField(_("deleted by"), max_length=150, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True, db_index=True)
    entry = models.OneToOneField(
        "accounts.AuditEntry", verbose_name=_("audit entry"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="trashed",
    )
    restored_at = models.DateTimeField(_("restored"), null=True, blank=True)
    restored_by = models.ForeignKey(
        "accounts.User", verbose_name=_("restored by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")

    def __str__(self) -> str:
        return self.object_repr
