"""API tokens made, listed and revoked on the web and on the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from citycoop.accounts.models import ApiToken, TokenScope

pytestmark = pytest.mark.django_db


def test_a_user_makes_a_token_sees_its_secret_once_and_revokes_it(client, outsider):
    client.force_login(outsider)
    made = client.post("/account/tokens/", {"name": "dashboard", "scope": "write"})
    page = made.content.decode()
    token = ApiToken.objects.get(user=outsider)
    assert token.scope == TokenScope.WRITE
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("cc_") and secret.startswith(token.prefix)
    assert made["Cache-Control"] == "no-store"
    assert client.get("/api/v1/pairings", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code \
        == 200
    again = client.get("/account/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/pairings", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code \
        == 401


def test_nobody_revokes_someone_elses_token(client, outsider, admin_user):
    from citycoop.accounts.tokens import create_token

    token, _secret = create_token(admin_user, name="admin's", acting_user=admin_user)
    client.force_login(outsider)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_page_needs_a_signed_in_user(client, db):
    assert client.get("/account/tokens/").status_code == 302


def test_the_command_creates_lists_and_revokes(outsider, capsys):
    call_command("token", "create", "outsider", "--name", "etl", "--scope", "read")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("cc_")
    call_command("token", "list", "outsider")
    listed = capsys.readouterr().out
    assert "etl" in listed and "read" in listed and secret not in listed
    token = ApiToken.objects.get(name="etl")
    call_command("token", "revoke", str(token.pk))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="No token"):
        call_command("token", "revoke", "999999")
