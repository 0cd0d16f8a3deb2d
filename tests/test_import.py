"""`citycoop import`: review against the registry, apply atomically, idempotently, keeping
what people edited by hand, with the provenance of every field."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from citycoop.accounts.models import AuditEntry
from citycoop.imports.extract import extract
from citycoop.imports.load import apply_review
from citycoop.imports.models import Provenance, SourceDocument
from citycoop.imports.readers import read_bytes
from citycoop.imports.review import review_report
from citycoop.portfolio.models import Action, Agreement, Pairing, PilotProject
from citycoop.portfolio.services import update_action
from citycoop.registry.models import Organisation, Place
from citycoop.reports.models import KpiSnapshot
from tests.conftest import require_shared

pytestmark = pytest.mark.django_db

REPORT_V1 = """Kyoto report

## 1. Lisbon – Kyoto

### Issue 1: Circular economy

- Mission to Kyoto in May 2022 with Lisboa E-Nova
- Cooperation between the University of Lisbon and Kyoto University
"""
REPORT_V2 = REPORT_V1.replace("Mission to Kyoto in May 2022", "Mission to Kyoto in June 2022")


def import_text(text: str, name: str = "kyoto-report.md", programme: str = "IURC Asia"):
    data = text.encode()
    document = read_bytes(data, name)
    review = review_report(document, extract(document), data, programme=programme)
    return review, apply_review(review)


def counts():
    return {model.__name__: model.objects.count() for model in
            [Pairing, PilotProject, Action, Organisation, Place, Agreement, KpiSnapshot,
             Provenance, SourceDocument, AuditEntry]}


def test_importing_a_report_creates_its_records_with_provenance():
    _, report = import_text(REPORT_V1)
    assert report.written > 0
    pairing = Pairing.objects.get(label="Lisbon – Kyoto")
    assert {str(m.member) for m in pairing.members.all()} == {"Lisbon", "Kyoto"}
    assert pairing.members.get(place__name="Lisbon").side == "eu"
    mission = Action.objects.get(text__startswith="Mission to Kyoto")
    assert mission.kind == "mission" and mission.when.iso == "2022-05"
    assert {"Lisboa E-Nova"} <= set(mission.organisations.values_list("name", flat=True))
    cited = Provenance.objects.get(object_id=mission.pk, field="text",
                                   content_type__model="action")
    assert cited.excerpt.startswith("Mission to Kyoto in May 2022")
    assert cited.document.file.read().decode() == REPORT_V1


def test_importing_the_same_report_twice_changes_nothing():
    import_text(REPORT_V1)
    before = counts()
    review, report = import_text(REPORT_V1)
    assert report.written == 0
    assert not any(item.writes for item in review.items.values())
    assert counts() == before


def test_a_newer_version_updates_what_changed_and_keeps_what_was_edited_by_hand(admin_user):
    import_text(REPORT_V1)
    cooperation = Action.objects.get(text__startswith="Cooperation between the University")
    update_action(cooperation, {"kind": "agreement"}, acting_user=admin_user,
                  expected_version=cooperation.version)
    review, _ = import_text(REPORT_V2.replace("Cooperation between the University",
                                              "Cooperation between the University"))
    mission = Action.objects.get(text__startswith="Mission to Kyoto")
    assert mission.text == "Mission to Kyoto in June 2022 with Lisboa E-Nova"
    assert mission.when.iso == "2022-06"
    cooperation.refresh_from_db()
    assert cooperation.kind == "agreement"  # the hand edit survives the re-import
    kept = next(item for item in review.items.values() if item.record == cooperation)
    assert "kind" in kept.kept or kept.status == "same"


def test_a_hand_edited_text_is_kept_when_the_report_changes(admin_user):
    import_text(REPORT_V1)
    mission = Action.objects.get(text__startswith="Mission to Kyoto")
    update_action(mission, {"text": "Mayor's mission to Kyoto in May 2022"},
                  acting_user=admin_user, expected_version=mission.version)
    review, _ = import_text(REPORT_V2)
    mission.refresh_from_db()
    assert mission.text == "Mayor's mission to Kyoto in May 2022"
    assert mission.when.iso == "2022-06"  # the date was the importer's, so it follows
    item = next(i for i in review.items.values() if i.record == mission)
    assert item.kept["text"] == "Mayor's mission to Kyoto in May 2022"


def test_an_existing_organisation_is_proposed_as_the_same_with_how_it_matched():
    Organisation.objects.create(slug="ulisboa", name="University of Lisbon", acronym="ULisboa",
                                type="university", aliases=["Universidade de Lisboa"])
    document = read_bytes(REPORT_V1.encode(), "r.md")
    review = review_report(document, extract(document), REPORT_V1.encode(), programme="X")
    item = next(i for i in review.items.values() if i.label == "University of Lisbon")
    assert item.status == "same" and item.record.slug == "ulisboa"


def test_the_programme_must_be_named_when_the_registry_holds_none():
    document = read_bytes(REPORT_V1.encode(), "r.md")
    with pytest.raises(Exception, match="--programme"):
        review_report(document, extract(document), REPORT_V1.encode())


def test_import_command_dry_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "kyoto.md"
    path.write_text(REPORT_V1)
    before = counts()
    call_command("import", str(path), "--programme", "IURC Asia", "--dry-run")
    out = capsys.readouterr().out
    assert "+ new" in out and "Lisbon – Kyoto" in out and "Dry run" in out
    assert counts() == before


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    (b"%PDF-1.4\n%broken", "PDF"),
    (b"<html><body><nav>Home</nav><script>x()</script></body></html>", "no readable text"),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(tmp_path, content, reason):
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    before = counts()
    with pytest.raises(CommandError, match=reason):
        call_command("import", str(path), "--programme", "P", "--yes")
    assert counts() == before


def test_a_failure_while_applying_leaves_nothing_half_written(monkeypatch):
    from citycoop.imports import load

    data = REPORT_V1.encode()
    document = read_bytes(data, "r.md")
    review = review_report(document, extract(document), data, programme="P")
    before = counts()

    def broken(self, item):
        raise RuntimeError("the disk is full")
    monkeypatch.setattr(load.Applier, "write_agreement", broken)
    monkeypatch.setattr(load.Applier, "write_action", broken)
    with pytest.raises(RuntimeError):
        apply_review(review)
    assert counts() == before


def test_the_reference_page_into_the_demo_proposes_the_demo_records_as_the_same(demo):
    page = require_shared("reports/world-cities-pilot-projects-2016.txt")
    data = page.read_bytes()
    document = read_bytes(data, page.name)
    review = review_report(document, extract(document), data,
                           programme="world-cities-2015-2016")
    by_kind = {}
    for item in review.items.values():
        by_kind.setdefault(item.kind, []).append(item.status)
    assert set(by_kind["pairing"]) == {"same"} and len(by_kind["pairing"]) == 10
    assert by_kind["action"].count("same") >= 48
    assert by_kind["organisation"].count("new") <= 2
    assert by_kind["place"].count("new") == 0
    assert review.items["source"].status in {"same", "changed"}


def test_the_reference_page_imported_twice_into_an_empty_database_changes_nothing(tmp_path):
    page = require_shared("reports/world-cities-pilot-projects-2016.txt")
    call_command("import", str(page), "--programme", "World Cities 2015-2016", "--yes")
    assert Pairing.objects.count() == 10
    assert Action.objects.count() == 51
    assert KpiSnapshot.objects.get(name="pilot_projects_eu_china").value == 24
    before = counts()
    call_command("import", str(page), "--programme", "World Cities 2015-2016", "--yes")
    assert counts() == before
