"""API tokens: made, listed, revoked and checked. Writes go through the audited services.

A token's secret is ``cc_`` and 40 random URL-safe characters; only its SHA-256 is stored, so
a copy of the database gives no one the keys. Checking a presented secret is one indexed
lookup of its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from citycoop.common.services import create_record, update_record

from .models import ApiToken, TokenScope, User

PREFIX = "cc_"
# Touch last_used_at at most this often: a busy client must not write on every request.
USE_RESOLUTION_SECONDS = 60


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, name: str, scope: str = TokenScope.READ,
                 acting_user: User | None) -> tuple[ApiToken, str]:
    """The new token and its secret, which is not kept anywhere and cannot be shown again."""
    secret = PREFIX + secrets.token_urlsafe(30)
    token = create_record(ApiToken, {"user": user, "name": name, "scope": scope,
                                     "prefix": secret[:10], "key_hash": digest(secret)},
                          acting_user=acting_user)
    return token, secret


def revoke_token(token: ApiToken, *, acting_user: User | None) -> ApiToken:
    if token.revoked_at is not None:
        return token
    return update_record(token, {"revoked_at": timezone.now()}, acting_user=acting_user,
                         expected_version=None)


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret, its user loaded; None for anything else."""
    if not secret.startswith(PREFIX):
        return None
    token = (ApiToken.objects.select_related("user").filter(key_hash=digest(secret),
                                                            revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > \
            USE_RESOLUTION_SECONDS:
        # Bookkeeping, not an edit: no audit entry, no version.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
