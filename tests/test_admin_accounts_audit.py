"""Who may do what is decided by accounts and their roles, and the admin is where they are
given: every role given, changed or taken away there, every grant of staff or superuser
rights, every new password and every revoked API token leaves an entry in the audit log, and
no entry ever holds a password's hash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse

from citycoop.accounts.models import ApiToken, AuditAction, AuditEntry, Membership, Role, User
from citycoop.accounts.tokens import create_token
from citycoop.common.services import create_record
from citycoop.registry.models import Programme

from .admin_helpers import admin_url

pytestmark = pytest.mark.django_db

@pytest.fixture
def programme() -> Programme:
    return create_record(Programme, {"slug": "world-cities", "name": "World Cities"},
                         acting_user=None)


@pytest.fixture
def alice() -> User:
    return User.objects.create_user("alice", "alice@example.org", "an-old-long-password")


def entries(record: models.Model, action: str | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk)).order_by("pk")
    return list(found.filter(action=action) if action else found)



def no_password_hash_in_the_log() -> None:
    logged = json.dumps([entry.changes for entry in AuditEntry.objects.all()])
    assert "pbkdf2" not in logged and "argon2" not in logged and "md5$" not in logged


def test_a_role_given_changed_and_taken_away_in_the_admin_is_logged(
        staff: Client, admin_user: User, alice: User, programme: Programme) -> None:
    answer = staff.post(admin_url(Membership, "add"), {
        "user": alice.pk, "role": Role.MANAGER, "programme": programme.pk, "pairing": ""})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    membership = Membership.objects.get(user=alice)
    (created,) = entries(membership, AuditAction.CREATE)
    assert created.actor == admin_user and created.changes["role"] == [None, Role.MANAGER]

    answer = staff.post(admin_url(Membership, "change", membership.pk), {
        "user": alice.pk, "role": Role.REVIEWER, "programme": programme.pk, "pairing": ""})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    (changed,) = entries(membership, AuditAction.UPDATE)
    assert changed.changes["role"] == [Role.MANAGER, Role.REVIEWER]

    answer = staff.post(admin_url(Membership, "delete", membership.pk), {"post": "yes"})
    assert answer.status_code == 302
    assert not Membership.objects.filter(user=alice).exists()
    (deleted,) = entries(membership, AuditAction.DELETE)
    assert deleted.actor == admin_user and deleted.changes["role"] == [Role.REVIEWER, None]


NO_ROLES = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}


def user_form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin's change form for ``user`` as it shows it, with ``changes``; no roles."""
    joined = user.date_joined
    data: dict[str, Any] = {
        "username": user.username, "first_name": user.first_name,
        "last_name": user.last_name, "email": user.email, "person": "",
        "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
        **NO_ROLES,
    }
    flags = {"is_active": user.is_active, "is_staff": user.is_staff,
             "is_superuser": user.is_superuser, **changes}
    data.update({name: "on" for name, value in flags.items() if value})
    return data


def test_staff_rights_and_a_role_given_on_the_user_page_are_logged(
        staff: Client, admin_user: User, alice: User, programme: Programme) -> None:
    data = user_form(alice, is_staff=True)
    data.update({"memberships-TOTAL_FORMS": "1", "memberships-0-role": Role.MANAGER,
                 "memberships-0-programme": programme.pk, "memberships-0-pairing": "",
                 "memberships-0-user": alice.pk})
    answer = staff.post(admin_url(User, "change", alice.pk), data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.is_staff
    (account,) = entries(alice, AuditAction.UPDATE)
    assert account.actor == admin_user and account.changes["is_staff"] == [False, True]
    (role,) = entries(Membership.objects.get(user=alice), AuditAction.CREATE)
    assert role.actor == admin_user and role.changes["role"] == [None, Role.MANAGER]

    # Saving the page again without a change writes nothing.
    answer = staff.post(admin_url(User, "change", alice.pk), user_form(alice))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert len(entries(alice, AuditAction.UPDATE)) == 1


def test_a_new_password_is_noted_in_the_log_but_never_its_hash(
        staff: Client, admin_user: User, alice: User) -> None:
    answer = staff.post(reverse("admin:auth_user_password_change", args=[alice.pk]), {
        "password1": "a-brand-new-long-password", "password2": "a-brand-new-long-password",
        "usable_password": "true"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.check_password("a-brand-new-long-password")
    (changed,) = entries(alice, AuditAction.UPDATE)
    assert changed.actor == admin_user and changed.changes == {"password changed": "yes"}
    no_password_hash_in_the_log()


def test_an_account_added_or_deleted_in_the_admin_is_logged_without_its_password(
        staff: Client, admin_user: User) -> None:
    answer = staff.post(admin_url(User, "add"), {
        "username": "bob", "password1": "bobs-long-password", "password2": "bobs-long-password",
        "usable_password": "true", **NO_ROLES})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    bob = User.objects.get(username="bob")
    (created,) = entries(bob, AuditAction.CREATE)
    assert created.changes["username"] == [None, "bob"]
    assert created.changes["password changed"] == "yes"

    answer = staff.post(admin_url(User, "delete", bob.pk), {"post": "yes"})
    assert answer.status_code == 302
    assert not User.objects.filter(username="bob").exists()
    (deleted,) = entries(bob, AuditAction.DELETE)
    assert deleted.actor == admin_user and deleted.changes["username"] == ["bob", None]
    no_password_hash_in_the_log()


def test_a_token_revoked_in_the_admin_is_logged(staff: Client, admin_user: User,
                                                alice: User) -> None:
    token, _secret = create_token(alice, name="reporting", acting_user=alice)
    answer = staff.post(admin_url(ApiToken, "change", token.pk), {
        "name": "reporting", "scope": token.scope,
        "revoked_at_0": "2026-11-30", "revoked_at_1": "12:00:00"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    token.refresh_from_db()
    assert token.revoked_at is not None
    (revoked,) = entries(token, AuditAction.UPDATE)
    assert revoked.actor == admin_user and revoked.changes["revoked_at"][0] is None
