"""A programme manager imports a report in Chromium: upload, review, apply."""

from __future__ import annotations

import pytest

from citycoop.portfolio.models import Pairing
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

REPORT = """Regional cooperation report

## 1. Lisbon – Kyoto

### Issue 1: Circular economy

- Mission to Kyoto in May 2022 with Lisboa E-Nova
- Cooperation between the University of Lisbon and Kyoto University

## 2. Bonn – Nagoya

- Climate adaptation: Bonn shared its heat action plan with the Nagoya City Government in June/July 2022
"""


@pytest.fixture
def signed_in(page, live_server, transactional_db):
    from citycoop.accounts.models import User

    User.objects.create_superuser("manager", "m@example.org", "a-long-test-password")
    page.goto(live_server.url + "/login/?next=/imports/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "a-long-test-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/imports/")
    return live_server.url


def test_a_manager_uploads_reviews_and_applies_a_report(page, signed_in, tmp_path):
    report = tmp_path / "regional-report.md"
    report.write_text(REPORT)
    page.set_input_files("#id_file", str(report))
    page.fill("#id_new_programme", "IURC Asia")
    screenshot(page, "import-upload")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#review-form")
    assert "Lisbon – Kyoto" in page.inner_text("table.review")
    assert page.locator("table.review mark").count() >= 5
    screenshot(page, "import-review")
    row = page.locator("tr.item").filter(
        has=page.locator("td:nth-child(2)", has_text="Cooperation between the University"))
    row.locator("input[type=checkbox]").uncheck()
    page.click("#review-form button[type=submit]")
    page.wait_for_url("**/pairings/")
    assert "records created or updated" in page.inner_text(".messages")
    assert Pairing.objects.filter(label="Bonn – Nagoya").exists()
    page.click("text=Lisbon – Kyoto")
    assert "Mission to Kyoto" in page.inner_text("#content")
    assert "Cooperation between the University" not in page.inner_text("#content")
    screenshot(page, "import-result-pairing")


def test_a_picture_uploaded_as_a_report_is_refused_on_the_form(page, signed_in, tmp_path):
    picture = tmp_path / "report.pdf"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    page.set_input_files("#id_file", str(picture))
    page.fill("#id_new_programme", "IURC Asia")
    page.click("#upload-form button[type=submit]")
    assert "PNG" in page.inner_text(".error")
    screenshot(page, "import-refused")
