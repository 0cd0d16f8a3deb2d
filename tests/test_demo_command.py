"""`citycoop demo` (what `make demo` runs): set up once, then keep what people changed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citycoop.accounts.models import User
from citycoop.portfolio.models import Pairing


def demo_output() -> str:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_running_the_demo_again_keeps_what_was_changed_since():
    first = demo_output()
    assert "Loading the World Cities 2015-2016 portfolio" in first
    assert Pairing.objects.filter(slug="lyon-guangzhou").exists()
    assert User.objects.filter(username="admin").exists()

    Pairing.objects.filter(slug="lyon-guangzhou").update(summary="Port cooperation, edited")
    again = demo_output()
    assert "already loaded: changes made since are kept" in again
    assert Pairing.objects.get(slug="lyon-guangzhou").summary == "Port cooperation, edited"

    # Putting the demo back is its own, explicit command.
    call_command("loaddemo", verbosity=0)
    assert Pairing.objects.get(slug="lyon-guangzhou").summary != "Port cooperation, edited"
