from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest

from citycoop.common.admin import (
    AuditedAdmin,
    AuditedInlinesAndDeletes,
    AuditedTabularInline,
    acting_user,
)
from citycoop.common.services import record_audit

from .account_audit import PASSWORD_NOTE, account_values, audit_account, delete_account
from .models import ApiToken, AuditAction, AuditEntry, Membership, User


class MembershipInline(AuditedTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["programme", "pairing"]


@admin.register(User)
class UserAdmin(AuditedInlinesAndDeletes, BaseUserAdmin):  # type: ignore[misc]
    """Django's user admin, every change written to the audit log: the account's fields,
    groups and permissions, its roles (the memberships below it), a new password (noted,
    never its hash) and its deletion."""

    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("citycoop", {"fields": ["person"]}))  # type: ignore[misc]
    autocomplete_fields = ["person"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The account's values before, kept for save_related, which saves the groups and
        # permissions after the account and then writes one entry for all of it.
        request._account_before = (  # type: ignore[attr-defined]
            account_values(User.objects.get(pk=obj.pk)) if change else {})
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        # In the admin's transaction, with the account itself: all of it or nothing.
        super().save_related(request, form, formsets, change)
        audit_account(acting_user(request), form.instance,
                      getattr(request, "_account_before", {}),
                      AuditAction.UPDATE if change else AuditAction.CREATE)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> Any:
        # The new password and its entry in one transaction: a redirect means it was saved.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record_audit(acting_user(request), AuditAction.UPDATE, User.objects.get(pk=id),
                             {PASSWORD_NOTE: "yes"})
        return response

    def delete_one(self, obj: Any, *, acting_user: User) -> None:
        delete_account(obj, acting_user=acting_user)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    """A user's roles: each one given, changed or taken away is in the audit log."""

    list_display = ["user", "role", "programme", "pairing"]
    list_filter = ["role", "programme"]
    search_fields = ["user__username", "pairing__label", "programme__name"]
    autocomplete_fields = ["user", "programme", "pairing"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the services and never edited by hand."""

    list_display = ["created_at", "actor_label", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_label", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are made by their users (or `citycoop token`), which shows the secret once;
    here an admin sees them and can revoke one by setting its revoked date (audited)."""

    list_display = ["name", "user", "scope", "prefix", "created_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
