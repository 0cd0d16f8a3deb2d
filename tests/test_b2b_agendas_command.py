"""`citycoop agendas EVENT --out DIR`: one PDF per participant with a published meeting, a
progress bar on stderr, and a clear refusal for an unknown event."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from citycoop.matchmaking import scheduling

from .test_b2b_services import accepted, join, make_event

pytestmark = pytest.mark.django_db


def test_it_writes_every_agenda_with_a_progress_bar(tmp_path):
    event = make_event()
    ana, ben, cai = join(event, "Ana"), join(event, "Ben"), join(event, "Cai")
    join(event, "Dee")  # no meeting: no agenda
    accepted(ana, ben)
    accepted(cai, ana)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    out, err = io.StringIO(), io.StringIO()
    call_command("agendas", event.slug, out=tmp_path / "agendas", jobs=1, stdout=out,
                 stderr=err)
    files = sorted((tmp_path / "agendas").glob("*.pdf"))
    assert [f.name.split("-", 2)[2] for f in files] == ["ana.pdf", "ben.pdf", "cai.pdf"]
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert "3 agendas written" in out.getvalue()
    assert "[" + "#" * 30 + "] 3/3" in err.getvalue()


def test_it_refuses_an_unknown_event(tmp_path):
    with pytest.raises(CommandError, match="No event has the key"):
        call_command("agendas", "nope", out=tmp_path)


def test_an_event_without_published_meetings_writes_nothing(tmp_path):
    event = make_event()
    err = io.StringIO()
    call_command("agendas", event.slug, out=tmp_path, stderr=err, stdout=io.StringIO())
    assert "nothing to write" in err.getvalue() and not list(tmp_path.iterdir())
