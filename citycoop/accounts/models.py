from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Site admins are Django superusers; other powers come from
    memberships of a programme or a pairing."""

    person = models.OneToOneField(
        "registry.Person", verbose_name=_("person record"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="user",
    )


class Role(models.TextChoices):
    MANAGER = "manager", _("programme manager")
    COORDINATOR = "coordinator", _("pairing coordinator")
    MEMBER = "member", _("member")
    # Programme-wide: scores submitted good practices and awards the label.
    REVIEWER = "reviewer", _("practice reviewer")


class Membership(models.Model):
    """A user's role in one programme (managers) or one pairing (coordinators, members)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    programme = models.ForeignKey(
        "registry.Programme", null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )
    pairing = models.ForeignKey(
        "portfolio.Pairing", null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_has_one_scope",
                condition=(Q(programme__isnull=False, pairing__isnull=True)
                           | Q(programme__isnull=True, pairing__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["user", "programme"], condition=Q(programme__isnull=False),
                name="one_membership_per_programme",
            ),
            models.UniqueConstraint(
                fields=["user", "pairing"], condition=Q(pairing__isnull=False),
                name="one_membership_per_pairing",
            ),
        ]

    def __str__(self) -> str:
        scope = self.programme or self.pairing
        return f"{self.user} – {self.get_role_display()} – {scope}"

    @property
    def can_edit(self) -> bool:
        return self.role in {Role.MANAGER, Role.COORDINATOR}

    @property
    def can_manage(self) -> bool:
        return self.role == Role.MANAGER


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    MERGE = "merge", _("merged")
    UNDO = "undo", _("undone")


class AuditEntry(models.Model):
    """One write: who, when, which record, and the diff of its fields ({field: [old, new]})."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_record_idx")]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.object_repr}"


def audit_actor_label(user: object | None) -> str:
    if user is None:
        return "system"
    return getattr(user, "username", str(user))


__all__ = ["AuditAction", "AuditEntry", "Membership", "Role", "User", "audit_actor_label"]


class TokenScope(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("read and write")


class ApiToken(models.Model):
    """A key for the REST API, acting as its user within a scope. Only a hash of the secret
    is kept: the secret is shown once, when the token is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What it is for, e.g. the funder's dashboard."))
    scope = models.CharField(_("scope"), max_length=5, choices=TokenScope.choices,
                             default=TokenScope.READ)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE and self.revoked_at is None
