"""The import flow in the web app: upload, review with the source beside each fact, apply."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citycoop.portfolio.models import Action, Pairing

pytestmark = pytest.mark.django_db

REPORT = b"""Report

## 1. Lisbon \xe2\x80\x93 Kyoto

### Issue 1: Circular economy

- Mission to Kyoto in May 2022 with Lisboa E-Nova
- Cooperation between the University of Lisbon and Kyoto University
"""


def upload(client, content=REPORT, name="kyoto.md", programme="IURC Asia"):
    return client.post(reverse("imports:upload"), {
        "file": SimpleUploadedFile(name, content), "new_programme": programme})


def test_only_managers_and_admins_may_import(client, outsider):
    assert client.get(reverse("imports:upload")).status_code == 302  # to sign in
    client.force_login(outsider)
    assert client.get(reverse("imports:upload")).status_code == 403


def test_upload_review_and_apply_only_the_accepted_items(client, admin_user):
    client.force_login(admin_user)
    response = upload(client)
    assert response.status_code == 302
    review_url = response["Location"]
    page = client.get(review_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lisbon – Kyoto" in html
    assert "<mark>Mission to Kyoto in May 2022 with Lisboa E-Nova</mark>" in html
    assert Pairing.objects.count() == 0  # reviewing writes nothing
    keys = [key for key, item in page.context["review"].items.items() if item.writes]
    cooperation = next(key for key, item in page.context["review"].items.items()
                       if item.kind == "action" and item.label.startswith("Cooperation"))
    accepted = [key for key in keys if key != cooperation]
    applied = client.post(review_url, {"accept": accepted, "programme": "IURC Asia"})
    assert applied.status_code == 302
    assert Pairing.objects.filter(label="Lisbon – Kyoto").exists()
    assert list(Action.objects.values_list("text", flat=True)) == [
        "Mission to Kyoto in May 2022 with Lisboa E-Nova"]


@pytest.mark.parametrize("content, name, message", [
    (b"", "empty.txt", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "report.docx", "PNG"),
    (b"PK\x03\x04not really a zip", "report.docx", ""),
])
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_is_stored(
        client, admin_user, content, name, message):
    client.force_login(admin_user)
    response = upload(client, content, name)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and message in " ".join(errors)
    assert Pairing.objects.count() == 0


def test_an_oversized_upload_is_refused(client, admin_user, settings):
    settings.CITYCOOP_UPLOAD_MAX_BYTES = 100
    client.force_login(admin_user)
    response = upload(client, b"x" * 500, "big.txt")
    assert "the limit is" in " ".join(response.context["form"].errors["file"])


def test_an_imported_action_shows_its_source_on_the_pairing_page(client, admin_user):
    client.force_login(admin_user)
    review_url = upload(client)["Location"]
    client.post(review_url, {"accept": [k for k, i in client.get(review_url).context["review"]
                                        .items.items() if i.writes], "programme": "IURC Asia"})
    pairing = Pairing.objects.get(label="Lisbon – Kyoto")
    html = client.get(pairing.get_absolute_url()).content.decode()
    assert "Source:" in html and "characters" in html
