"""The programme's status page, regenerated from the records in four formats."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from citycoop.portfolio.models import Action, Pairing, PilotProject
from citycoop.portfolio.services import (
    create_action,
    create_pairing,
    create_pilot,
    update_action,
    update_pilot,
)
from citycoop.registry.models import Organisation, Programme
from citycoop.registry.services import create_person
from citycoop.reports.status.formats import render
from citycoop.reports.status.model import build_status_report

pytestmark = pytest.mark.django_db

PABLO = "pgandara@world-cities.eu"  # an internal person in the demo


def world_cities() -> Programme:
    return Programme.objects.get(slug="world-cities-2015-2016")


def status_text(fmt: str = "md", **options) -> str:
    return render(build_status_report(world_cities(), **options), fmt).decode()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_page_numbers_the_pairings_and_heads_the_pilots_as_issues(demo, fmt):
    text = status_text(fmt)
    assert "1. West-Midlands – Guangzhou / Tianjin" in text
    assert "6. Tianjin – Lazio" in text
    assert "4. Pune (cooperation mainly with Andalucía)" in text
    assert "Issue 1: Green (Environmental) Technology Cooperation" in text
    assert "Issue 4: British Week in Tianjin" in text
    bullet = "SMEs missions to Tianjin. Cooperation with the UK-China Biotech Fund"
    assert (f"- {bullet}" if fmt == "md" else f"<li>{bullet}</li>") in text


def test_the_markdown_reads_like_the_reference_page(demo):
    text = status_text("md")
    assert "## EU-China" in text and "## EU-India" in text
    assert "#### Issue 2: Port Cooperation" in text
    # un-numbered pilots run together as bullets under their pairing, as on the page
    assert "### 6. Tianjin – Lazio\n\n- Italian Week in Tianjin (see also here)\n- Fiuggi" in text
    # sub-bullets listing members stay under their action
    assert "  - Navya (autonomous, driverless electric vehicles)," in text
    # the group intro's figures are counted from the records
    china = PilotProject.objects.filter(pairing__group="EU-China").count()
    assert f"Currently there are {china} pilot projects between European and Chinese" in text
    # an open next step the bullets do not already say
    assert "- Next Step: Municipal Commissioner travels to Copenhagen" in text
    assert text.count("West Midlands Mission to China") == 1


def test_every_format_is_made_for_the_demo(demo):
    assert status_text("md").startswith("# World Cities 2015-2016: Pilot Projects")
    assert status_text("html").startswith("<!doctype html>")
    docx = render(build_status_report(world_cities()), "docx")
    assert docx[:2] == b"PK"
    pdf = render(build_status_report(world_cities()), "pdf")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000


def test_the_word_file_has_headings_and_bullets(demo):
    import docx

    data = render(build_status_report(world_cities()), "docx")
    document = docx.Document(io.BytesIO(data))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 3", "1. West-Midlands – Guangzhou / Tianjin") in styled
    assert ("Heading 4", "Issue 1: Smart City Cooperation") in styled
    assert ("List Bullet", "Tourism cooperation") in styled


def test_non_public_people_never_show_and_public_ones_do(demo):
    for fmt in ("md", "html"):
        assert PABLO not in status_text(fmt)
        assert PABLO not in status_text(fmt, include_internal=True)
    team = Organisation.objects.get(slug="world-cities-team")
    create_person({"name": "Ana Public", "title": "Ms", "email": "ana@example.org",
                   "phone": "+49 30 1234", "visibility": "public", "organisation": team},
                  acting_user=None)
    create_person({"name": "Hidden Partner", "email": "hidden@example.org",
                   "phone": "+49 30 9999", "visibility": "partners", "organisation": team},
                  acting_user=None)
    text = status_text("md", include_internal=True)
    assert "please contact Ms Ana Public at ana@example.org" in text
    assert "hidden@example.org" not in text and "9999" not in text


def test_internal_pilots_are_for_the_programme_team_only(demo):
    pilot = PilotProject.objects.get(pairing__slug="lyon-guangzhou", number=2)
    update_pilot(pilot, {"is_public": False}, acting_user=None, expected_version=None)
    assert "Smart City Technologies" not in status_text("md")
    assert "Smart City Technologies" in status_text("md", include_internal=True)


def test_the_page_costs_the_same_queries_with_more_pairings(demo, django_assert_max_num_queries):
    programme = world_cities()
    with django_assert_max_num_queries(12):
        build_status_report(programme)
    for n in range(20):
        pairing = create_pairing({"slug": f"extra-{n}", "programme": programme,
                                  "label": f"Extra {n} – Somewhere", "group": "EU-China",
                                  "number": 100 + n}, acting_user=None)
        pilot = create_pilot({"pairing": pairing, "slug": "p", "number": 1, "title": "Pilot"},
                             acting_user=None)
        create_action({"pilot": pilot, "position": 1, "text": "An action"}, acting_user=None)
    with django_assert_max_num_queries(12):
        report = build_status_report(programme)
    assert report.pairing_count == Pairing.objects.count()


def test_the_command_writes_each_format(demo, tmp_path, capsys):
    call_command("report", "status", "--format", "md")
    assert "### 1. West-Midlands – Guangzhou / Tianjin" in capsys.readouterr().out
    for fmt in ("docx", "pdf", "html"):
        out = tmp_path / f"status.{fmt}"
        call_command("report", "status", "--programme", "world-cities-2015-2016",
                     "--format", fmt, "--output", str(out))
        assert out.stat().st_size > 1000


def test_the_command_refuses_what_it_cannot_do(demo):
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "status", "--format", "pdf")
    with pytest.raises(CommandError, match="nope"):
        call_command("report", "status", "--programme", "nope")


def test_the_download_serves_public_records_and_managers_get_internal_ones(
        client, demo, manager, outsider):
    pilot = PilotProject.objects.get(pairing__slug="lyon-guangzhou", number=2)
    update_pilot(pilot, {"is_public": False}, acting_user=None, expected_version=None)
    url = reverse("status:report", args=["world-cities-2015-2016", "md"])
    assert url == "/reports/world-cities-2015-2016/status.md"
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert "Smart City Technologies" not in response.content.decode()
    client.force_login(manager)
    response = client.get(url)
    assert "Smart City Technologies" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    docx = client.get(reverse("status:report", args=["world-cities-2015-2016", "docx"]))
    assert docx["Content-Disposition"].startswith("attachment;")


def test_an_unknown_programme_or_format_is_not_found(client, demo):
    assert client.get("/reports/nope/status.md").status_code == 404
    assert client.get("/reports/world-cities-2015-2016/status.xls").status_code == 404


def test_chinese_names_get_the_cjk_font_in_the_pdf(demo):
    action = Action.objects.get(pilot__pairing__slug="tianjin-lazio", pilot__slug="tourism")
    update_action(action, {"text": "Tourism cooperation (天津)"}, acting_user=None,
                  expected_version=None)
    report = build_status_report(world_cities())
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(report, "pdf")))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Tourism cooperation (天津)" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts)


def test_the_pdf_reports_its_progress_in_pairings_up_to_the_total(demo):
    from pypdf import PdfReader

    seen: list[tuple[int, int]] = []
    data = render(build_status_report(world_cities()), "pdf",
                  lambda done, total: seen.append((done, total)))
    assert seen[-1] == (10, 10)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    assert "1. West-Midlands" in pages[0]
    # Every page carries the title and "page n / N" in its footer.
    for number, text in enumerate(pages, 1):
        assert f"{number} / {len(pages)}" in text
        assert "World Cities 2015-2016: Pilot Projects" in text
