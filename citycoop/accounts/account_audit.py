"""The audit log's entries for user accounts, which the admin changes through Django's own
forms (they hash passwords) rather than through the record services.

Who was given staff or superuser rights, deactivated or given a new password is written to
the log like any other change; a password's hash never is: the entry only notes that the
password changed, as a note that a revert leaves alone.
"""

from __future__ import annotations

from typing import Any

from citycoop.common.services import diff, field_values, record_audit

from .models import AuditAction, User

PASSWORD = "password"
PASSWORD_NOTE = "password changed"


def account_values(user: User) -> dict[str, Any]:
    """The account's columns as the log compares them, and its groups and permissions."""
    values = field_values(user)
    if user.pk:
        values["groups"] = sorted(user.groups.values_list("name", flat=True))
        values["user_permissions"] = sorted(
            user.user_permissions.values_list("codename", flat=True))
    return values


def account_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = diff(before, after)
    if changes.pop(PASSWORD, None) is not None:
        changes[PASSWORD_NOTE] = "yes"
    return changes


def audit_account(acting_user: User | None, user: User, before: dict[str, Any],
                  action: str) -> None:
    """Log what changed in ``user`` since ``before`` (its :func:`account_values` then; empty
    for a new account), if anything did."""
    changes = account_changes(before, account_values(user))
    if changes or action != AuditAction.UPDATE:
        record_audit(acting_user, action, user, changes)


def delete_account(user: User, *, acting_user: User | None) -> None:
    record_audit(acting_user, AuditAction.DELETE, user,
                 account_changes(account_values(user), {}))
    user.delete()
