"""The open-data dump: everything public in one ZIP with a README of every field, the
licence and the date; nothing internal and no private person's details, ever."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from citycoop.opendata.dump import dump_bytes
from citycoop.opendata.exporters import RECORD_TYPES
from citycoop.opendata.exporters.columns import COLUMNS
from citycoop.portfolio.models import NextStep, Pairing
from citycoop.portfolio.services import update_pairing
from citycoop.registry.models import Person, Visibility

pytestmark = pytest.mark.django_db

INTERNAL_EMAIL = "pgandara@world-cities.eu"  # the demo's one person kept internal


def opened(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_zip_holds_every_record_type_the_json_the_geojson_and_a_readme(demo):
    archive = opened(dump_bytes())
    names = set(archive.namelist())
    assert {f"csv/{record}.csv" for record in RECORD_TYPES} <= names
    assert {"README.md", "LICENCE.txt", "portfolio.json", "places-and-pairings.geojson"} \
        <= names
    pilots = list(csv.DictReader(io.StringIO(archive.read("csv/pilots.csv").decode())))
    assert len(pilots) == 36
    portfolio = json.loads(archive.read("portfolio.json"))
    assert portfolio  # parses
    geo = json.loads(archive.read("places-and-pairings.geojson"))
    assert geo["type"] == "FeatureCollection" and geo["features"]


def test_the_readme_explains_every_column_and_states_the_licence_and_date(demo, settings):
    settings.CITYCOOP_OPENDATA_LICENCE = "Open Government Licence v3.0"
    archive = opened(dump_bytes())
    readme = archive.read("README.md").decode()
    for record in RECORD_TYPES:
        header = next(csv.reader(io.StringIO(archive.read(f"csv/{record}.csv").decode())))
        assert [column.name for column in COLUMNS[record]] == header
        for column in COLUMNS[record]:
            assert f"| `{column.name}` |" in readme, (record, column.name)
    assert "Licence: Open Government Licence v3.0" in readme
    assert archive.read("LICENCE.txt").decode().startswith("Open Government Licence v3.0")
    assert "Made 20" in readme


def test_nothing_internal_and_no_private_person_is_ever_in_it(demo, manager):
    hidden = Pairing.objects.get(slug="tianjin-lazio")
    update_pairing(hidden, {"is_public": False}, acting_user=manager,
                   expected_version=hidden.version)
    private = Person.objects.get(email=INTERNAL_EMAIL)
    assert private.visibility != Visibility.PUBLIC
    # Owner of next steps, so that a leak would have somewhere to show.
    NextStep.objects.filter(pairing__isnull=False).update(owner=private)
    archive = opened(dump_bytes())
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert INTERNAL_EMAIL not in everything and private.name not in everything
    assert "tianjin-lazio" not in everything


def test_the_public_url_serves_the_kept_copy_until_the_records_change(client, demo, manager,
                                                                       settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = client.get("/opendata.zip")
    assert first.status_code == 200 and first["Content-Type"] == "application/zip"
    assert "attachment" in first["Content-Disposition"]
    kept = list((tmp_path / "opendata").glob("opendata-*.zip"))
    assert len(kept) == 1
    stamp = kept[0].stat().st_mtime_ns
    b"".join(first.streaming_content)
    client.get("/opendata.zip")
    assert kept[0].stat().st_mtime_ns == stamp  # served again, not made again
    pairing = Pairing.objects.get(slug="tianjin-lazio")
    update_pairing(pairing, {"summary": "Changed."}, acting_user=manager,
                   expected_version=pairing.version)
    client.get("/opendata.zip")
    now = list((tmp_path / "opendata").glob("opendata-*.zip"))
    assert len(now) == 1 and now[0] != kept[0]


def test_the_command_writes_the_zip(demo, tmp_path):
    out = tmp_path / "open.zip"
    call_command("opendata", "--output", str(out))
    assert "README.md" in opened(out.read_bytes()).namelist()
    assert not list(tmp_path.glob("*.part"))
