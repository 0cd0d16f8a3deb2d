"""Exports: CSV and XLSX of each record type with the documented columns, the nested JSON,
GeoJSON, iCalendar, who gets which records, bounded queries, and 'citycoop export'."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from citycoop.opendata.exporters import EXPORTERS, RECORD_TYPES
from citycoop.opendata.exporters.columns import COLUMNS
from citycoop.opendata.selection import Selection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("csv", "xlsx", "json", "geojson", "ics")
INTERNAL_EMAIL = "pgandara@world-cities.eu"  # the demo's one person kept internal


def export(fmt: str, selection: Selection, record: str = "") -> bytes:
    out = io.BytesIO()
    EXPORTERS[fmt].export(selection, out, record=record)
    assert not out.closed, "the exporter must leave the caller's stream open"
    return out.getvalue()


def csv_rows(selection: Selection, record: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(export("csv", selection, record).decode("utf-8"))))


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data), read_only=True)


def sheet_values(data: bytes) -> dict[str, list[tuple]]:
    book = workbook(data)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def everything_as_text(fmt: str, selection: Selection) -> str:
    """Every byte an export of this format holds, as text (a workbook's cells, every CSV)."""
    if fmt == "csv":
        return "\n".join(export("csv", selection, record).decode() for record in RECORD_TYPES)
    if fmt == "xlsx":
        return "\n".join(repr(row) for rows in sheet_values(export("xlsx", selection)).values()
                         for row in rows)
    return export(fmt, selection).decode()


def unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def make_internal(pairing, manager):
    from citycoop.portfolio.services import update_pairing

    return update_pairing(pairing, {"is_public": False}, acting_user=manager,
                          expected_version=pairing.version)


# -- CSV ------------------------------------------------------------------------------------

def test_the_csv_of_pilots_has_the_documented_header_and_a_row_per_demo_pilot(demo):
    rows = csv_rows(Selection(), "pilots")
    assert rows[0] == [column.name for column in COLUMNS["pilots"]]
    assert len(rows) - 1 == 36


def test_every_record_type_exports_as_csv_with_its_id_version_and_every_record(demo):
    selection = Selection(everything=True)
    for record in RECORD_TYPES:
        header, *rows = csv_rows(selection, record)
        assert header[:2] == ["id", "version"], record
        assert header == [column.name for column in COLUMNS[record]], record
        expected = set(getattr(selection, record)().values_list("pk", flat=True))
        assert {int(row[0]) for row in rows} == expected, record
        assert len(rows) == len(expected), record


def test_csv_rows_name_related_records_by_key_and_by_id(demo):
    from citycoop.portfolio.models import Action

    header, *rows = csv_rows(Selection(), "actions")
    first = dict(zip(header, rows[0], strict=True))
    action = Action.objects.select_related("pilot__pairing").get(pk=first["id"])
    assert first["pilot"] == action.pilot.slug and first["pilot_id"] == str(action.pilot_id)
    assert first["pairing"] == action.pilot.pairing.slug
    assert first["version"] == str(action.version)


def test_fuzzy_dates_keep_their_text_and_give_the_period_in_iso(demo):
    header, *rows = csv_rows(Selection(everything=True), "next_steps")
    steps = [dict(zip(header, row, strict=True)) for row in rows]
    sept = next(step for step in steps if step["due_text"] == "Sept 2016")
    assert (sept["due_start"], sept["due_end"], sept["due_precision"]) == (
        "2016-09-01", "2016-09-30", "month")


# -- XLSX -----------------------------------------------------------------------------------

def test_the_workbook_has_a_sheet_per_record_type_with_the_same_rows_as_the_csv(demo):
    selection = Selection(everything=True)
    data = export("xlsx", selection)
    sheets = sheet_values(data)
    assert [name for name in sheets if name != "columns"] == list(RECORD_TYPES)
    for record in RECORD_TYPES:
        header, *rows = csv_rows(selection, record)
        assert list(sheets[record][0]) == header
        assert [str(row[0]) for row in sheets[record][1:]] == [row[0] for row in rows]
    assert len(sheets["pilots"]) - 1 == 36


def test_the_workbook_header_is_bold_and_the_columns_sheet_explains_every_column(demo):
    data = export("xlsx", Selection())
    book = load_workbook(io.BytesIO(data))
    assert all(cell.font.bold for cell in book["pilots"][1])
    explained = {(row[0], row[1]) for row in book["columns"].iter_rows(min_row=2,
                                                                         values_only=True)}
    assert explained == {(record, column.name) for record in RECORD_TYPES
                         for column in COLUMNS[record]}


def test_a_text_that_looks_like_a_formula_stays_text_in_the_workbook(demo):
    from citycoop.portfolio.models import Action

    Action.objects.filter(pk=Action.objects.order_by("pk")[0].pk).update(text="=HYPERLINK(\"http://x\")")
    book = load_workbook(io.BytesIO(export("xlsx", Selection(), "actions")))
    text_column = [column.name for column in COLUMNS["actions"]].index("text") + 1
    cells = [row[text_column - 1] for row in book["actions"].iter_rows(min_row=2)]
    cell = next(cell for cell in cells if str(cell.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


# -- JSON -----------------------------------------------------------------------------------

def test_the_json_nests_pilots_and_actions_under_their_pairings_with_the_demo_counts(demo):
    document = json.loads(export("json", Selection()))
    assert document["format"] == "citycoop-portfolio"
    [programme] = document["programmes"]
    assert programme["slug"] == "world-cities-2015-2016"
    pairings = programme["pairings"]
    pilots = [pilot for pairing in pairings for pilot in pairing["pilots"]]
    assert (len(pairings), len(pilots)) == (10, 36)
    assert sum(len(pilot["actions"]) for pilot in pilots) == 50
    for pairing in pairings:
        assert pairing["pilot_count"] == len(pairing["pilots"])
        assert all(pilot["pairing"] == pairing["slug"] for pilot in pairing["pilots"])
    assert all(pilot["action_count"] == len(pilot["actions"]) for pilot in pilots)
    assert {"events", "organisations", "places", "people"} <= document.keys()


def next_steps_in(document: dict) -> list[dict]:
    """Every next step of the JSON, wherever it hangs."""
    holders = [*document["events"], *document["agreements"]]
    for programme in document["programmes"]:
        for pairing in programme["pairings"]:
            holders += [pairing, *pairing["pilots"], *pairing["agreements"]]
    return [step for holder in holders for step in holder["next_steps"]]


def test_the_json_carries_every_next_step_and_agreement_once_under_what_it_hangs_from(demo):
    from citycoop.portfolio.models import Agreement, NextStep

    document = json.loads(export("json", Selection(everything=True)))
    steps = next_steps_in(document)
    assert sorted(step["id"] for step in steps) == sorted(
        NextStep.objects.values_list("pk", flat=True))
    agreements = [a for programme in document["programmes"] for p in programme["pairings"]
                  for a in p["agreements"]] + document["agreements"]
    assert sorted(a["id"] for a in agreements) == sorted(
        Agreement.objects.values_list("pk", flat=True))


# -- GeoJSON --------------------------------------------------------------------------------

def test_geojson_places_are_points_at_longitude_then_latitude(demo):
    from citycoop.registry.models import Place

    collection = json.loads(export("geojson", Selection()))
    assert collection["type"] == "FeatureCollection"
    points = [f for f in collection["features"] if f["properties"]["record"] == "place"]
    assert points
    for point in points:
        lng, lat = point["geometry"]["coordinates"]
        assert -180 <= lng <= 180 and -90 <= lat <= 90
    guangzhou = Place.objects.get(slug="guangzhou")
    [found] = [p for p in points if p["properties"]["slug"] == "guangzhou"]
    assert found["geometry"]["coordinates"] == pytest.approx([guangzhou.longitude,
                                                              guangzhou.latitude])


def test_geojson_pairings_are_lines_from_the_eu_side_to_the_partner_side(demo):
    collection = json.loads(export("geojson", Selection()))
    lines = {f["properties"]["slug"]: f for f in collection["features"]
             if f["properties"]["record"] == "pairing"}
    assert lines
    west_midlands = lines["west-midlands-guangzhou-tianjin"]
    assert west_midlands["geometry"]["type"] == "MultiLineString"
    assert len(west_midlands["geometry"]["coordinates"]) == 2  # to Guangzhou and to Tianjin
    properties = west_midlands["properties"]
    assert properties["pilot_count"] == 4 and properties["programme"] == "world-cities-2015-2016"
    assert {"label", "group", "status", "url"} <= properties.keys()
    lyon = lines["lyon-guangzhou"]["geometry"]
    assert lyon["type"] == "LineString" and len(lyon["coordinates"]) == 2


# -- iCalendar ------------------------------------------------------------------------------

def test_the_calendar_is_valid_icalendar_with_events_and_due_next_steps(demo):
    from citycoop.portfolio.models import NextStep

    raw = export("ics", Selection(everything=True))
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = unfolded(raw.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    assert blocks
    for block in blocks:
        names = {line.split(":")[0].split(";")[0] for line in block}
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= names
    uids = [line[4:] for block in blocks for line in block if line.startswith("UID:")]
    assert len(uids) == len(set(uids))
    due = NextStep.objects.filter(due_end__isnull=False)
    assert {f"next-step-{step.pk}@citycoop" for step in due} <= set(uids)
    assert any(uid.startswith("event-") for uid in uids)
    assert "SUMMARY:Next step: West Midlands Mission to China" in lines
    assert "DTSTART;VALUE=DATE:20160930" in lines  # "Sept 2016" is due by its last day


# -- who gets what --------------------------------------------------------------------------

def test_an_internal_pairing_is_left_out_of_public_exports_and_kept_for_the_operator(
        demo, manager):
    from citycoop.portfolio.models import Pairing

    pairing = make_internal(Pairing.objects.get(slug="lyon-guangzhou"), manager)
    address = f"/pairings/{pairing.slug}/"
    for fmt in FORMATS:
        public = everything_as_text(fmt, Selection())
        everything = everything_as_text(fmt, Selection(everything=True))
        if fmt != "ics":  # the calendar links pages only with CITYCOOP_SITE_URL set
            assert address in everything, fmt
        assert address not in public, fmt
    header, *rows = csv_rows(Selection(), "pilots")
    assert pairing.slug not in {row[header.index("pairing")] for row in rows}
    assert len(rows) == 36 - pairing.pilots.count()
    document = json.loads(export("json", Selection(everything=True)))
    assert pairing.slug in {p["slug"] for p in document["programmes"][0]["pairings"]}


def test_a_manager_sees_the_internal_pairing_of_their_programme(demo, manager):
    from citycoop.portfolio.models import Pairing

    pairing = make_internal(Pairing.objects.get(slug="lyon-guangzhou"), manager)
    header, *rows = csv_rows(Selection(user=manager), "pairings")
    assert pairing.slug in {row[header.index("slug")] for row in rows}


def test_an_internal_persons_email_and_name_never_appear_in_a_public_export(demo):
    from citycoop.portfolio.models import NextStep
    from citycoop.registry.models import Person

    person = Person.objects.get(email=INTERNAL_EMAIL)
    NextStep.objects.filter(due_end__isnull=False).update(owner=person)
    for fmt in FORMATS:
        public = everything_as_text(fmt, Selection())
        assert INTERNAL_EMAIL not in public and person.name not in public, fmt
        if fmt in ("csv", "xlsx", "json"):  # the formats that list people
            assert INTERNAL_EMAIL in everything_as_text(fmt, Selection(everything=True)), fmt


def test_a_public_owner_is_named_in_a_public_export(demo):
    from citycoop.portfolio.models import NextStep
    from citycoop.registry.models import Person, Visibility

    person = Person.objects.create(name="Open Owner", visibility=Visibility.PUBLIC)
    NextStep.objects.update(owner=person)
    header, *rows = csv_rows(Selection(), "next_steps")
    assert {row[header.index("owner")] for row in rows} == {"Open Owner"}


# -- queries --------------------------------------------------------------------------------

def queries_of(fmt: str, selection: Selection, record: str = "") -> int:
    with CaptureQueriesContext(connection) as captured:
        export(fmt, selection, record)
    return len(captured)


# The most queries each export may make of the demo: the rows, then one per relation read.
MOST_QUERIES = {
    ("csv", "pairings"): 3, ("csv", "pilots"): 2, ("csv", "actions"): 3,
    ("csv", "agreements"): 3, ("csv", "next_steps"): 1, ("csv", "events"): 4,
    ("csv", "organisations"): 1, ("csv", "places"): 1, ("csv", "people"): 1,
    # XLSX and JSON also carry the practices and the needs.
    ("xlsx", ""): 21, ("json", ""): 26, ("geojson", ""): 4, ("ics", ""): 2,
}


def test_each_export_of_the_demo_needs_a_few_queries_whoever_asks(demo, manager):
    for selection in (Selection(everything=True), Selection(), Selection(user=manager)):
        made = {key: queries_of(key[0], selection, key[1]) for key in MOST_QUERIES}
        expected = dict(MOST_QUERIES)
        if selection.user is not None:
            # Whether the user reviews practices, and whether they manage the registry: the
            # drafts and internal needs they see depend on it.
            for whole_portfolio in (("xlsx", ""), ("json", "")):
                expected[whole_portfolio] += 2
        if not selection.unrestricted:
            # Narrower than everything: the places the records name, then the regions and
            # countries those lie in (their parents, and every place's parent).
            for with_places in (("csv", "places"), ("xlsx", ""), ("json", ""), ("geojson", "")):
                expected[with_places] += 2
        assert made == expected, selection


def test_related_rows_are_read_once_per_chunk_and_the_rows_come_out_the_same(
        demo, monkeypatch):
    from citycoop.opendata.exporters import csv as csv_exporter

    whole = export("csv", Selection(), "pilots")
    monkeypatch.setattr(csv_exporter, "CHUNK_SIZE", 5)
    assert queries_of("csv", Selection(), "pilots") == 1 + 36 // 5 + 1  # rows, themes per chunk
    assert export("csv", Selection(), "pilots") == whole


def test_the_number_of_queries_does_not_grow_with_the_portfolio(db):
    from citycoop.portfolio.generate import GenerationSpec, generate_portfolio

    def spec(pairings: int, seed: int) -> GenerationSpec:
        return GenerationSpec(pairings, pilots_per_pairing=3, actions_per_pilot=2, seed=seed,
                              programme="Generated for exports")

    generate_portfolio(spec(10, 1), acting_user=None)
    small = {(fmt, record): queries_of(fmt, Selection(everything=True), record)
             for fmt in FORMATS for record in (RECORD_TYPES if fmt == "csv" else ("",))}
    generate_portfolio(spec(20, 2), acting_user=None, append=True)
    large = {key: queries_of(key[0], Selection(everything=True), key[1]) for key in small}
    assert large == small


def test_every_export_reports_its_progress_up_to_the_end(demo):
    for fmt in FORMATS:
        calls: list[tuple[int, int]] = []

        def heard(done: int, total: int, calls: list[tuple[int, int]] = calls) -> None:
            calls.append((done, total))

        EXPORTERS[fmt].export(Selection(), io.BytesIO(), record="pilots" if fmt == "csv" else "",
                              progress=heard)
        assert calls, fmt
        done, total = calls[-1]
        assert done == total > 0, fmt


# -- the command ----------------------------------------------------------------------------

def test_the_command_writes_a_csv_file_of_one_record_type(demo, tmp_path):
    target = tmp_path / "pilots.csv"
    call_command("export", "--format", "csv", "--record", "pilots", "--output", str(target))
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[0][:2] == ["id", "version"] and len(rows) == 37
    assert [p.name for p in tmp_path.iterdir()] == ["pilots.csv"]  # no temporary left


def test_the_command_writes_a_workbook_and_json_to_files(demo, tmp_path):
    call_command("export", "--format", "xlsx", "--output", str(tmp_path / "all.xlsx"))
    assert set(RECORD_TYPES) <= set(workbook((tmp_path / "all.xlsx").read_bytes()).sheetnames)
    call_command("export", "--format", "json", "--programme", "world-cities-2015-2016",
                 "--pairing", "lyon-guangzhou", "dublin-wuhan-chengdu",
                 "--output", str(tmp_path / "two.json"))
    document = json.loads((tmp_path / "two.json").read_text(encoding="utf-8"))
    assert {p["slug"] for p in document["programmes"][0]["pairings"]} == {
        "lyon-guangzhou", "dublin-wuhan-chengdu"}


def test_the_command_writes_text_formats_to_standard_output(demo):
    out = io.StringIO()
    call_command("export", "--format", "geojson", stdout=out)
    assert json.loads(out.getvalue())["type"] == "FeatureCollection"


def test_the_command_sees_internal_records_unless_asked_for_the_public_view(demo, manager):
    from citycoop.portfolio.models import Pairing

    make_internal(Pairing.objects.get(slug="lyon-guangzhou"), manager)
    everything, public = io.StringIO(), io.StringIO()
    call_command("export", "--format", "csv", "--record", "pairings", stdout=everything)
    call_command("export", "--format", "csv", "--record", "pairings", "--public", stdout=public)
    assert "lyon-guangzhou" in everything.getvalue()
    assert "lyon-guangzhou" not in public.getvalue()
    people = io.StringIO()
    call_command("export", "--format", "csv", "--record", "people", "--public", stdout=people)
    assert INTERNAL_EMAIL not in people.getvalue()


@pytest.mark.parametrize(("arguments", "message"), [
    (["--format", "pdf"], "Unknown format 'pdf'"),
    (["--format", "csv"], "give --record"),
    (["--format", "csv", "--record", "cities"], "Unknown record type 'cities'"),
    (["--format", "json", "--record", "pilots"], "--record applies to csv and xlsx"),
    (["--format", "xlsx"], "give --output FILE"),
    (["--format", "json", "--programme", "nope"], "No programme has the key 'nope'"),
    (["--format", "json", "--pairing", "nowhere", "elsewhere"],
     "No pairing has the keys elsewhere, nowhere."),
])
def test_the_command_refuses_bad_input_with_a_clear_message(db, arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export", *arguments)


def test_the_command_refuses_a_pairing_of_another_programme(demo):
    from citycoop.registry.models import Programme

    Programme.objects.create(slug="other", name="Other")
    with pytest.raises(CommandError, match="in the programme 'other'"):
        call_command("export", "--format", "json", "--programme", "other",
                     "--pairing", "lyon-guangzhou")


# -- the documentation ----------------------------------------------------------------------

def test_docs_opendata_md_describes_every_column_of_every_record_type():
    text = (ROOT / "docs" / "opendata.md").read_text(encoding="utf-8")
    for record, columns in COLUMNS.items():
        section = text.split(f"### {record}\n", 1)
        assert len(section) == 2, f"docs/opendata.md has no section for {record}"
        table = section[1].split("\n### ", 1)[0]
        for column in columns:
            assert f"| `{column.name}` | {column.description} |" in table, (record, column.name)


def test_docs_opendata_md_names_every_format():
    text = (ROOT / "docs" / "opendata.md").read_text(encoding="utf-8")
    for name in FORMATS:
        assert f"`{name}`" in text


def test_an_export_of_everything_holds_every_place_and_organisation(demo):
    from citycoop.registry.models import Organisation, Place

    everything = Selection(everything=True)
    assert len(csv_rows(everything, "places")) - 1 == Place.objects.count()
    assert len(csv_rows(everything, "organisations")) - 1 == Organisation.objects.count()


@pytest.mark.parametrize("selection", [
    Selection(everything=True, pairing_slugs=("lyon-guangzhou",)),
    Selection(),  # the public view
], ids=["one pairing", "public"])
def test_a_place_in_an_export_brings_the_places_it_lies_in(demo, selection):
    header, *rows = csv_rows(selection, "places")
    slug, parent = header.index("slug"), header.index("parent")
    exported = {row[slug] for row in rows}
    assert {row[parent] for row in rows if row[parent]} <= exported
    if selection.pairing_slugs:
        assert {"lyon", "guangzhou", "france", "china"} <= exported
        assert "chandigarh" not in exported
