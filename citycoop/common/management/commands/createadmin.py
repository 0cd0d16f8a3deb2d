from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email


class Command(BaseCommand):
    help = (
        "Create the admin account with a generated password, printed once. If the account "
        "exists, nothing changes unless --reset-password is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="account name (default: admin)")
        parser.add_argument("--email", default="", help="email address of the account")
        parser.add_argument("--reset-password", action="store_true",
                            help="give an existing account a new generated password")

    def handle(self, *args: Any, username: str, email: str, reset_password: bool,
               **options: Any) -> None:
        users = get_user_model()
        check_account(users, username, email)
        user = users.objects.filter(username=username).first()
        if user is not None and not reset_password:
            self.stdout.write(f"The account {username!r} exists already; its password is unchanged "
                              "(use --reset-password for a new one).")
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            users.objects.create_superuser(username=username, email=email, password=password)
            done = "Created"
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
            done = "Reset"
        self.stdout.write(self.style.SUCCESS(f"{done} the admin account."))
        self.stdout.write(f"  user name: {username}\n  password:  {password}")
        self.stdout.write("  Keep this password now: it is not stored anywhere in clear text.")


def check_account(users: Any, username: str, email: str) -> None:
    """Refuse, before anything is written, what the sign-in form and the admin would refuse:
    an account nobody can sign in to, or an address no mail reaches."""
    if not username.strip():
        raise CommandError("--username must not be empty.")
    field = users._meta.get_field(users.USERNAME_FIELD)
    try:
        # The model's own validators: Django's username characters and the length limit.
        field.run_validators(username)
    except ValidationError as error:
        raise CommandError(f"--username {username!r}: {' '.join(error.messages)}") from error
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"--email {email!r} is not a valid e-mail address.") from error
