"""The spreadsheet round trip: export XLSX, edit in a spreadsheet, re-import; the review of
added / updated / unchanged / refused rows, the all-or-nothing apply, who may change what,
the web upload → review → confirm pages and 'citycoop import-sheet'."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.opendata.exporters import EXPORTERS
from citycoop.opendata.selection import Selection
from citycoop.opendata.sheet_fields import SHEETS
from citycoop.opendata.sheet_import import (
    ImportRefused,
    SheetFileError,
    apply_review,
    review_workbook,
)
from citycoop.opendata.sheet_kinds import CLEAR_MARKER
from citycoop.portfolio.models import Action, NextStep, PilotProject
from citycoop.portfolio.services import update_pilot
from citycoop.registry.models import Organisation
from citycoop.registry.services import update_organisation

from . import workspace_fixtures
from .workspace_fixtures import OTHER_PAIRING, OWN_PAIRING

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator

Edits = dict[tuple[str, int, str], Any]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "spreadsheets.md"


def export() -> bytes:
    out = io.BytesIO()
    EXPORTERS["xlsx"].export(Selection(everything=True), out)
    return out.getvalue()


def edited(data: bytes, edits: Edits, new_rows: dict[str, list[dict[str, Any]]] | None = None,
           ) -> bytes:
    """The workbook with cells changed, by (sheet, record id, column), as a person would in a
    spreadsheet, and rows added at the end of their sheets."""
    book = load_workbook(io.BytesIO(data))
    for (sheet_name, record_id, column), value in edits.items():
        sheet = book[sheet_name]
        header = [cell.value for cell in sheet[1]]
        row = next(row for row in sheet.iter_rows(min_row=2)
                   if row[header.index("id")].value == record_id)
        row[header.index(column)].value = value
    for sheet_name, rows in (new_rows or {}).items():
        sheet = book[sheet_name]
        header = [cell.value for cell in sheet[1]]
        for values in rows:
            sheet.append([values.get(name) for name in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot() -> dict[tuple[str, int, str], Any]:
    """Every value of a fresh export, by (sheet, record id, column)."""
    book = load_workbook(io.BytesIO(export()), read_only=True)
    values = {}
    for sheet in book.worksheets:
        if sheet.title == "columns":
            continue
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
        for row in rows:
            record = dict(zip(header, row, strict=True))
            for column, value in record.items():
                values[(sheet.title, record["id"], column)] = value
    return values


def updates() -> int:
    return AuditEntry.objects.filter(action=AuditAction.UPDATE).count()


def rows_by_status(review, status: str) -> list:
    return [row for row in review.rows() if row.status == status]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads wait for confirmation under MEDIA_ROOT: keep this module's out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lyon_pilot(demo) -> PilotProject:
    return PilotProject.objects.filter(pairing__slug=OWN_PAIRING).order_by("id").first()


@pytest.fixture
def other_pilot(demo) -> PilotProject:
    return PilotProject.objects.filter(pairing__slug=OTHER_PAIRING).order_by("id").first()


@pytest.fixture
def action(demo) -> Action:
    return Action.objects.order_by("id").first()


@pytest.fixture
def organisation(demo) -> Organisation:
    """An organisation with no website but a description and an acronym."""
    return Organisation.objects.filter(website="").exclude(description="").exclude(
        acronym="").order_by("id").first()


# -- the round trip ------------------------------------------------------------------------

def test_editing_three_cells_changes_exactly_those_three_fields(lyon_pilot, action,
                                                                organisation):
    before, audited = snapshot(), updates()
    data = edited(export(), {
        ("pilots", lyon_pilot.pk, "title"): "Urban regeneration, second phase",
        ("actions", action.pk, "text"): "Joint mission of both cities' SMEs",
        ("organisations", organisation.pk, "website"): "https://example.org/",
    })

    review = review_workbook(data, name="edited.xlsx")
    assert review.counts()["updated"] == 3
    assert review.counts()["added"] == review.counts()["refused"] == 0
    assert apply_review(review, acting_user=None) == 3

    after = snapshot()
    changed = {key: (before.get(key), after.get(key)) for key in before.keys() | after.keys()
               if before.get(key) != after.get(key)}
    assert changed == {
        ("pilots", lyon_pilot.pk, "title"): (lyon_pilot.title,
                                             "Urban regeneration, second phase"),
        ("pilots", lyon_pilot.pk, "version"): (1, 2),
        ("actions", action.pk, "text"): (action.text, "Joint mission of both cities' SMEs"),
        ("actions", action.pk, "version"): (1, 2),
        ("organisations", organisation.pk, "website"): (None, "https://example.org/"),
        ("organisations", organisation.pk, "version"): (1, 2),
    }
    assert updates() == audited + 3
    entries = AuditEntry.objects.filter(action=AuditAction.UPDATE).order_by("-id")[:3]
    assert sorted(tuple(entry.changes) for entry in entries) == [
        ("text",), ("title",), ("website",)]


def test_a_fresh_export_reimported_is_all_unchanged(demo):
    review = review_workbook(export())
    counts = review.counts()
    assert counts["added"] == counts["updated"] == counts["refused"] == 0
    assert counts["unchanged"] == len({(sheet, record) for sheet, record, _column in snapshot()})
    assert not review.notes and not any(sheet.notes for sheet in review.sheets)
    assert apply_review(review, acting_user=None) == 0


def test_text_the_spreadsheet_cannot_hold_exactly_is_still_unchanged(organisation):
    """A bell character XLSX drops, Windows line ends, a trailing space: the row is compared
    in the form the export wrote, so re-importing it changes nothing."""
    update_organisation(organisation, {"description": "Line one\r\nline two\x07 "},
                        acting_user=None, expected_version=1)
    counts = review_workbook(export()).counts()
    assert counts["updated"] == counts["refused"] == 0


def test_a_blank_cell_leaves_the_value_and_the_marker_clears_it(organisation):
    data = edited(export(), {
        ("organisations", organisation.pk, "description"): None,
        ("organisations", organisation.pk, "acronym"): CLEAR_MARKER,
    })
    review = review_workbook(data)
    [row] = rows_by_status(review, "updated")
    assert [(change.column, change.after) for change in row.changes] == [("acronym", "")]
    apply_review(review, acting_user=None)
    organisation.refresh_from_db()
    assert organisation.acronym == ""
    assert organisation.description  # the blank cell left it alone


def test_the_marker_on_a_required_field_is_refused(lyon_pilot):
    review = review_workbook(edited(export(), {("pilots", lyon_pilot.pk, "title"): "[clear]"}))
    [row] = rows_by_status(review, "refused")
    assert "title is required" in row.reason
    assert row.label == lyon_pilot.title  # the operator may change it: it is named
    with pytest.raises(ImportRefused):
        apply_review(review, acting_user=None)


def test_rows_without_an_id_add_records(lyon_pilot):
    pairing = lyon_pilot.pairing
    last_position = max(pairing.pilots.values_list("position", flat=True))
    data = edited(export(), {}, new_rows={
        "pilots": [{"pairing": pairing.slug, "slug": "river-restoration",
                    "title": "River restoration", "status": "planned",
                    "themes": "smart-city"}],
        "next_steps": [{"subject_type": "pilot", "subject": f"{pairing.slug}/{lyon_pilot.slug}",
                        "text": "Send the river study to Guangzhou", "due_text": "Sept 2016",
                        "status": "open"}],
    })
    review = review_workbook(data)
    assert review.counts()["added"] == 2 and review.counts()["refused"] == 0
    apply_review(review, acting_user=None)

    pilot = pairing.pilots.get(slug="river-restoration")
    assert pilot.title == "River restoration" and pilot.status == "planned"
    assert pilot.position == last_position + 1
    assert list(pilot.themes.values_list("slug", flat=True)) == ["smart-city"]
    step = NextStep.objects.get(text="Send the river study to Guangzhou")
    assert step.pilot == lyon_pilot and step.due_text == "Sept 2016"
    assert step.due_start.isoformat() == "2016-09-01"


def test_a_new_row_needs_what_it_hangs_from(demo):
    data = edited(export(), {}, new_rows={"pilots": [{"slug": "orphan", "title": "Orphan"}]})
    [row] = rows_by_status(review_workbook(data), "refused")
    assert "pairing" in row.reason and row.record_id is None


# -- stale rows ------------------------------------------------------------------------------

def test_a_row_edited_from_an_older_export_is_refused_and_nothing_is_written(
        lyon_pilot, organisation):
    data = edited(export(), {("pilots", lyon_pilot.pk, "summary"): "Edited offline",
                             ("organisations", organisation.pk, "website"): "https://x.org/"})
    update_pilot(lyon_pilot, {"title": "Renamed in the app"}, acting_user=None,
                 expected_version=1)
    audited = updates()

    review = review_workbook(data)
    [stale] = rows_by_status(review, "refused")
    assert stale.record_id == lyon_pilot.pk
    assert "changed by someone else" in stale.reason
    with pytest.raises(ImportRefused, match="nothing was written"):
        apply_review(review, acting_user=None)
    organisation.refresh_from_db()
    assert organisation.website == "" and updates() == audited

    assert apply_review(review, acting_user=None, skip_refused=True) == 1
    organisation.refresh_from_db()
    lyon_pilot.refresh_from_db()
    assert organisation.website == "https://x.org/"
    assert lyon_pilot.title == "Renamed in the app" and lyon_pilot.summary == ""


def test_a_record_changed_between_review_and_apply_rolls_everything_back(lyon_pilot,
                                                                         organisation):
    data = edited(export(), {("pilots", lyon_pilot.pk, "summary"): "Edited offline",
                             ("organisations", organisation.pk, "website"): "https://x.org/"})
    review = review_workbook(data)
    assert review.counts()["updated"] == 2
    # The pilot's row is written first, then the organisation's fails its version check.
    update_organisation(organisation, {"acronym": "NEW"}, acting_user=None,
                        expected_version=1)
    audited = updates()
    with pytest.raises(ImportRefused, match="changed by someone else meanwhile"):
        apply_review(review, acting_user=None)
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.summary == "" and lyon_pilot.version == 1
    assert updates() == audited


# -- who may change what ---------------------------------------------------------------------

def test_a_coordinator_changes_their_own_pairing_only(coordinator, lyon_pilot, other_pilot):
    data = edited(export(), {("pilots", lyon_pilot.pk, "title"): "Ours, renamed",
                             ("pilots", other_pilot.pk, "title"): "Theirs, renamed"},
                  new_rows={"pilots": [{"pairing": OTHER_PAIRING, "slug": "intruder",
                                        "title": "Not ours to add"}]})
    review = review_workbook(data, user=coordinator)
    assert [row.record_id for row in rows_by_status(review, "updated")] == [lyon_pilot.pk]
    refused = rows_by_status(review, "refused")
    assert [row.record_id for row in refused] == [other_pilot.pk, None]
    assert "may not change" in refused[0].reason and "may not add" in refused[1].reason
    assert refused[0].label == ""  # a record one may not change is not named
    # Untouched rows of every other pairing stay unchanged, not refused.
    assert review.counts()["refused"] == 2

    with pytest.raises(ImportRefused):
        apply_review(review, acting_user=coordinator)
    assert apply_review(review, acting_user=coordinator, skip_refused=True) == 1
    lyon_pilot.refresh_from_db()
    other_pilot.refresh_from_db()
    assert lyon_pilot.title == "Ours, renamed" and other_pilot.title != "Theirs, renamed"
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert entry.actor == coordinator


# -- what the review refuses or ignores ------------------------------------------------------

def test_unreadable_cells_unknown_ids_and_read_only_columns(lyon_pilot, action):
    data = edited(export(), {("pilots", lyon_pilot.pk, "status"): "dreaming",
                             ("pilots", lyon_pilot.pk, "action_count"): 99,
                             ("actions", action.pk, "when_text"): "31/02/2016"},
                  new_rows={"actions": [{"id": 99999, "text": "Ghost"}]})
    review = review_workbook(data)
    reasons = {row.record_id: row.reason for row in rows_by_status(review, "refused")}
    assert "“dreaming” is not one of" in reasons[lyon_pilot.pk]
    assert "not a date" in reasons[action.pk]
    assert reasons[99999] == "no action with id 99999"
    # A changed derived column alone is ignored, and said so.
    data = edited(export(), {("pilots", lyon_pilot.pk, "action_count"): 99})
    [row] = [row for row in review_workbook(data).rows() if row.notes]
    assert row.status == "unchanged" and "action_count is not imported" in row.notes[0]


def test_unknown_sheets_and_columns_are_ignored_and_a_sheet_without_ids_is_refused(demo):
    book = load_workbook(io.BytesIO(export()))
    book.create_sheet("my notes").append(["whatever"])
    book["pilots"].cell(row=1, column=book["pilots"].max_column + 1, value="my column")
    book["people"].delete_cols(1)  # the id column
    out = io.BytesIO()
    book.save(out)
    review = review_workbook(out.getvalue())
    assert any("my notes" in note for note in review.notes)
    sheets = {sheet.name: sheet for sheet in review.sheets}
    assert any("my column" in note for note in sheets["pilots"].notes)
    assert "no id column" in sheets["people"].refused
    with pytest.raises(ImportRefused):
        apply_review(review, acting_user=None)


@pytest.mark.parametrize("content, message", [
    (b"name,title\nLyon,Pilot\n", "not an XLSX workbook"),
    (b"PK\x03\x04 truncated zip", "cannot be read"),
])
def test_a_wrong_file_is_refused_with_a_clear_message(demo, content, message):
    with pytest.raises(SheetFileError, match=message):
        review_workbook(content)


def test_a_zip_that_is_not_a_workbook_is_refused(demo):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SheetFileError, match="cannot be read"):
        review_workbook(out.getvalue())


# -- the web pages ---------------------------------------------------------------------------

def upload(client, data: bytes, name: str = "edited.xlsx"):
    return client.post(reverse("sheets:upload"), {"file": SimpleUploadedFile(name, data)})


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    response = client.get(reverse("sheets:upload"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_upload_review_and_confirm(client, manager, lyon_pilot):
    client.force_login(manager)
    assert client.get(reverse("sheets:upload")).status_code == 200
    data = edited(export(), {("pilots", lyon_pilot.pk, "title"): "Renamed on the web"})
    response = upload(client, data)
    assert response.status_code == 302
    review_url = response["Location"]

    page = client.get(review_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 updated" in html and "0 refused" in html
    assert "Renamed on the web" in html
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title != "Renamed on the web"  # reviewing writes nothing

    confirmed = client.post(review_url)
    assert confirmed.status_code == 302
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title == "Renamed on the web"
    assert client.get(review_url).status_code == 404  # the upload is gone once applied


def test_refused_rows_on_the_web_write_nothing_unless_left_out(client, manager, lyon_pilot,
                                                               action):
    client.force_login(manager)
    data = edited(export(), {("pilots", lyon_pilot.pk, "title"): "Renamed on the web",
                             ("actions", action.pk, "text"): CLEAR_MARKER})
    review_url = upload(client, data)["Location"]
    assert "1 refused" in client.get(review_url).content.decode()

    client.post(review_url)
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title != "Renamed on the web"
    client.post(review_url, {"skip_refused": "on"})
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title == "Renamed on the web"


def test_the_review_belongs_to_the_user_who_uploaded(client, manager, outsider):
    client.force_login(manager)
    review_url = upload(client, export())["Location"]
    client.force_login(outsider)
    assert client.get(review_url).status_code == 404
    assert client.post(review_url).status_code == 404


def test_a_wrong_file_on_the_web_is_refused(client, manager):
    client.force_login(manager)
    response = upload(client, b"id,title\n1,Lyon\n", name="pilots.xlsx")
    assert response.status_code == 200
    assert "not an XLSX workbook" in response.content.decode()


def test_confirming_needs_the_csrf_token(manager, lyon_pilot):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert upload(client, export()).status_code == 403


# -- the command -----------------------------------------------------------------------------

@pytest.fixture
def edited_file(tmp_path, lyon_pilot):
    path = tmp_path / "edited.xlsx"
    path.write_bytes(edited(export(), {("pilots", lyon_pilot.pk, "title"): "From the shell"}))
    return path


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("import_sheet", *[str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_dry_run_writes_nothing(edited_file, lyon_pilot):
    output = run(edited_file, "--dry-run")
    assert "total: 0 added, 1 updated" in output
    assert "title: " in output and "From the shell" in output
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title != "From the shell"


def test_the_command_applies_with_yes(edited_file, lyon_pilot):
    assert "Applied: 1 records" in run(edited_file, "--yes")
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title == "From the shell" and lyon_pilot.version == 2


def test_the_command_asks_before_writing(edited_file, lyon_pilot, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert "Nothing was written" in run(edited_file)
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title != "From the shell"


def test_the_command_stops_on_refused_rows(tmp_path, lyon_pilot, action):
    path = tmp_path / "refused.xlsx"
    path.write_bytes(edited(export(), {("pilots", lyon_pilot.pk, "title"): "From the shell",
                                       ("actions", action.pk, "text"): CLEAR_MARKER}))
    with pytest.raises(CommandError, match="1 refused"):
        run(path, "--yes")
    lyon_pilot.refresh_from_db()
    assert lyon_pilot.title != "From the shell"
    assert "Applied: 1 records" in run(path, "--yes", "--skip-refused")


def test_the_command_imports_with_a_users_rights(tmp_path, coordinator, other_pilot):
    path = tmp_path / "other.xlsx"
    path.write_bytes(edited(export(), {("pilots", other_pilot.pk, "title"): "Not mine"}))
    with pytest.raises(CommandError, match="refused"):
        run(path, "--yes", "--user", "coordinator")
    with pytest.raises(CommandError, match="No user"):
        run(path, "--yes", "--user", "nobody")


def test_the_command_refuses_a_wrong_file(tmp_path, demo):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"just text")
    with pytest.raises(CommandError, match="not an XLSX workbook"):
        run(path, "--yes")


# -- the documentation -----------------------------------------------------------------------

def test_the_docs_list_the_imported_columns_of_every_sheet_and_the_marker():
    text = DOCS.read_text()
    for name, sheet in SHEETS.items():
        imported = ", ".join(f"`{writable.column}`" for writable in sheet.writable)
        parents = ", ".join(f"`{column}`" for column in sheet.parent_columns)
        row = f"| `{name}` | {imported} | {parents} |".replace("|  |", "| |")
        assert row in text, f"docs/spreadsheets.md does not list {name}'s columns as {row}"
    assert f"`{CLEAR_MARKER}`" in text
