"""``citycoop token``: make, list and revoke API tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.accounts.models import ApiToken, TokenScope, User
from citycoop.accounts.tokens import create_token, revoke_token
from citycoop.common.progress import notice


class Command(BaseCommand):
    help = (
        "Make, list and revoke tokens for the REST API (/api/v1/). 'create USERNAME --name "
        "TEXT [--scope read|write]' prints the new token's secret once: store it, it cannot "
        "be shown again. A token acts as its user (seeing and changing what that user may) "
        "within its scope: a read token never writes. 'list [USERNAME]' shows tokens without "
        "their secrets; 'revoke ID' stops one at once. Users can also manage their own tokens "
        "on the web at /account/tokens/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print its secret once")
        create.add_argument("username", help="the user the token acts as")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--scope", choices=[s.value for s in TokenScope],
                            default=TokenScope.READ.value,
                            help="read (default) or write (read and write)")
        listing = actions.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("username", nargs="?", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int, help="the id shown by 'list'")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            user = self.user(options["username"])
            token, secret = create_token(user, name=options["name"], scope=options["scope"],
                                         acting_user=None)
            notice(self.stderr, f"Token {token.pk} ({token.scope}) for {user.username}. Its "
                              f"secret, shown this once:")
            self.stdout.write(secret)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("pk")
            if options["username"]:
                tokens = tokens.filter(user=self.user(options["username"]))
            for token in tokens:
                state = (f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else
                         f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at
                         else "never used")
                self.stdout.write(f"{token.pk}\t{token.user.username}\t{token.scope}\t"
                                  f"{token.prefix}…\t{token.name}\t{state}")
        else:
            found = ApiToken.objects.filter(pk=options["token_id"]).first()
            if found is None:
                raise CommandError(f"No token has the id {options['token_id']}.")
            revoke_token(found, acting_user=None)
            notice(self.stderr, f"Token {found.pk} ({found.name}) revoked.")

    @staticmethod
    def user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        return user
