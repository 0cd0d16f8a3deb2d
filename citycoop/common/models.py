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
