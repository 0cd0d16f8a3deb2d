"""A next step is edited in place with htmx, on the board (a table row) and in lists of steps:
text, owner, due date as written and status; saved through the services, audited, refused
for the wrong people, and shown as a conflict when someone else saved first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditAction
from citycoop.portfolio.services import complete_next_step

from . import workspace_fixtures
from .workspace_fixtures import audit_entries

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator
member = workspace_fixtures.member
other_coordinator = workspace_fixtures.other_coordinator
lyon_step = workspace_fixtures.lyon_step

HTMX = {"HTTP_HX_REQUEST": "true"}


def inline(step, **changes) -> dict:
    prefix = f"step-{step.pk}"
    data = {"text": step.text, "owner_text": step.owner_text, "due": step.due_text,
            "status": step.status, "version": step.version, **changes}
    return {"layout": "row", **{f"{prefix}-{key}": value for key, value in data.items()}}


def test_the_board_offers_an_inline_edit_with_a_page_to_fall_back_on(client, coordinator,
                                                                     lyon_step):
    client.force_login(coordinator)
    html = client.get(reverse("portfolio:next-steps")).content.decode()
    assert "htmx.min.js" in html
    edit = reverse("portfolio:next-step-edit", args=[lyon_step.pk])
    assert f'hx-get="{edit}?layout=row"' in html
    assert f'href="{reverse("portfolio:next-step-change", args=[lyon_step.pk])}"' in html


def test_editing_a_step_turns_its_row_into_a_labelled_form(client, coordinator, lyon_step):
    client.force_login(coordinator)
    response = client.get(reverse("portfolio:next-step-edit", args=[lyon_step.pk]) +
                          "?layout=row", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and 'class="editing"' in html
    for field in ("text", "owner_text", "due", "status"):
        assert f'for="id_step-{lyon_step.pk}-{field}"' in html
    assert 'value="Sept 2016"' in html and 'hx-include="closest tr"' in html


def test_a_coordinator_saves_a_step_in_place(client, coordinator, lyon_step):
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:next-step-edit", args=[lyon_step.pk]),
                           inline(lyon_step, text="Invite the cluster and two start-ups",
                                  owner_text="Lyon Chamber", due="June/July 2016"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and 'class="editing"' not in html
    assert "Invite the cluster and two start-ups" in html and "June/July 2016" in html
    lyon_step.refresh_from_db()
    assert lyon_step.owner_text == "Lyon Chamber"
    assert (lyon_step.due.iso, lyon_step.due.iso_end) == ("2016-06", "2016-07")
    entry = audit_entries(lyon_step, AuditAction.UPDATE, coordinator).get()
    assert entry.changes["owner_text"] == ["Lyon team", "Lyon Chamber"]


def test_a_step_marked_done_in_place_says_so(client, coordinator, lyon_step):
    client.force_login(coordinator)
    html = client.post(reverse("portfolio:next-step-edit", args=[lyon_step.pk]),
                       inline(lyon_step, status="done"), **HTMX).content.decode()
    assert "Mark done" not in html and ">done<" in html
    lyon_step.refresh_from_db()
    assert lyon_step.status == "done"


def test_a_bad_due_date_keeps_the_form_with_its_reason(client, coordinator, lyon_step):
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:next-step-edit", args=[lyon_step.pk]),
                           inline(lyon_step, due="31/02/2016", text="Changed text"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="editing"' in html and "31/02/2016" in html and 'class="error"' in html
    lyon_step.refresh_from_db()
    assert (lyon_step.due_text, lyon_step.text) == ("Sept 2016", "Invite the Guangzhou cluster to Lyon")


def test_a_stale_inline_edit_is_shown_as_a_conflict_with_the_input_kept(
        client, coordinator, admin_user, lyon_step):
    stale = inline(lyon_step, text="My wording of the step")
    complete_next_step(lyon_step, acting_user=admin_user, expected_version=lyon_step.version)
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:next-step-edit", args=[lyon_step.pk]), stale,
                           **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved" in html and "My wording of the step" in html
    assert "hx-on::before-swap" in html  # htmx swaps the 409 in instead of dropping it
    lyon_step.refresh_from_db()
    assert (lyon_step.status, lyon_step.text) == ("done", "Invite the Guangzhou cluster to Lyon")
    assert f'name="step-{lyon_step.pk}-version" value="{lyon_step.version}"' in html


def test_the_item_layout_edits_a_step_in_a_list(client, coordinator, lyon_step):
    client.force_login(coordinator)
    url = reverse("portfolio:next-step-edit", args=[lyon_step.pk])
    html = client.get(url + "?layout=item", **HTMX).content.decode()
    assert html.lstrip().startswith("<form") and 'name="layout" value="item"' in html
    data = {**inline(lyon_step, text="Listed and edited"), "layout": "item"}
    html = client.post(url, data, **HTMX).content.decode()
    assert html.lstrip().startswith('<div class="next-step') and "Listed and edited" in html


def test_cancel_shows_the_step_again(client, coordinator, lyon_step):
    client.force_login(coordinator)
    html = client.get(reverse("portfolio:next-step", args=[lyon_step.pk]) + "?layout=row",
                      **HTMX).content.decode()
    assert html.lstrip().startswith("<tr") and lyon_step.text in html


@pytest.mark.parametrize("who, expected", [("member", 403), ("other_coordinator", 403),
                                           (None, 302)])
def test_the_wrong_people_cannot_edit_a_step_in_place(client, request, lyon_step, who,
                                                      expected):
    if who:
        client.force_login(request.getfixturevalue(who))
    url = reverse("portfolio:next-step-edit", args=[lyon_step.pk])
    assert client.get(url, **HTMX).status_code == expected
    assert client.post(url, inline(lyon_step, text="Not theirs"), **HTMX).status_code == expected
    lyon_step.refresh_from_db()
    assert lyon_step.text != "Not theirs"
