"""Writing a good practice: its facts and its text in English and Chinese, each reader seeing
their language; its files; and who may not write it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from citycoop.accounts.models import AuditEntry
from citycoop.common.services import StaleEditError
from citycoop.practices import services
from citycoop.practices.models import Practice, PracticeFile, PracticeText
from tests.factories_practices import ENGLISH, make_practice

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

CHINESE = {"title": "在200个住宅小区实行垃圾源头分类",
           "what_was_done": "每栋楼设厨余垃圾桶，并有督导员讲解。",
           "results": "两年内填埋量下降34%。"}


def new_practice_form(**changes):
    data = {"place": "lyon", "original_language": "en", "sdgs": "11, 12",
            "transferability": "high", "cost_amount": "120000", "cost_currency": "eur",
            "text-title": ENGLISH["title"], "text-summary": ENGLISH["summary"],
            "text-problem": ENGLISH["problem"], "text-what_was_done": ENGLISH["what_was_done"],
            "text-results": ENGLISH["results"], "version": "", "text-version": ""}
    data.update(changes)
    return data


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_coordinator_writes_a_practice_in_english_and_it_is_audited(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/practices/new/").status_code == 200
    answer = client.post("/practices/new/", new_practice_form())
    assert answer.status_code == 302, answer.content.decode()[:3000]
    practice = Practice.objects.get()
    assert answer["Location"] == practice.get_absolute_url()
    assert (practice.status, practice.title, practice.cost_currency) == (
        "draft", ENGLISH["title"], "EUR")
    assert practice.slug == "sorting-waste-at-the-source-in-200-housing-estates"
    assert practice.sdgs == [11, 12] and practice.created_by == coordinator
    assert practice.texts.get().language == "en"
    for model in ("practice", "practicetext"):
        assert AuditEntry.objects.filter(actor=coordinator, action="create",
                                         content_type__model=model).exists()


def test_a_coordinator_cannot_write_in_the_name_of_another_city(client, coordinator):
    client.force_login(coordinator)
    answer = client.post("/practices/new/", new_practice_form(place="barcelona"))
    assert answer.status_code == 200
    assert not Practice.objects.exists()


def test_a_practice_needs_an_owner_and_a_title(client, coordinator):
    client.force_login(coordinator)
    answer = client.post("/practices/new/", new_practice_form(place="", **{"text-title": ""}))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Say which city, region or organisation" in page and "Title is required" in page
    assert not Practice.objects.exists()


def test_people_without_a_city_to_write_for_cannot_open_the_new_page(client, outsider, member):
    for user in (outsider, member):
        client.force_login(user)
        assert client.get("/practices/new/").status_code == 403


def test_the_chinese_text_is_written_beside_the_english_and_chinese_readers_see_it(
        client, coordinator):
    practice = make_practice(coordinator, status="published")
    client.force_login(coordinator)
    url = f"/practices/{practice.slug}/text/zh-hans/"
    page = client.get(url).content.decode()
    assert ENGLISH["what_was_done"] in page  # the original, shown beside for translating
    data = {**CHINESE, "version": ""}
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert practice.texts.count() == 2
    client.logout()
    chinese = client.get(practice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = chinese.content.decode()
    assert CHINESE["title"] in html and CHINESE["what_was_done"] in html
    assert ENGLISH["what_was_done"] not in html
    assert "fallback-note" not in html
    english = client.get(practice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ENGLISH["what_was_done"] in english and CHINESE["title"] not in english
    # The list shows each reader the title in their language too.
    client.cookies["django_language"] = "zh-hans"
    listed = client.get("/practices/").content.decode()
    assert CHINESE["title"] in listed and ENGLISH["title"] not in listed


def test_a_reader_of_a_language_not_written_yet_sees_the_original_with_a_note(
        client, coordinator):
    practice = make_practice(coordinator, status="published")
    html = client.get(practice.get_absolute_url(),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ENGLISH["what_was_done"] in html
    assert "fallback-note" in html
    assert 'lang="en"' in html  # the English text is marked as such inside the Chinese page


def test_the_practice_title_follows_its_original_language(coordinator):
    practice = make_practice(coordinator, texts={"zh-hans": CHINESE},
                             original_language="zh-hans")
    assert practice.title == CHINESE["title"] and practice.slug == "practice-200"
    services.save_practice_text(practice, "en", {"title": "Sorting at source"},
                                acting_user=coordinator, expected_version=0)
    practice.refresh_from_db()
    assert practice.title == CHINESE["title"]
    services.save_practice_text(practice, "zh-hans", {**CHINESE, "title": "垃圾分类"},
                                acting_user=coordinator)
    practice.refresh_from_db()
    assert practice.title == "垃圾分类"
    practice = services.update_practice(practice, {"original_language": "en"},
                                        acting_user=coordinator,
                                        expected_version=practice.version)
    assert practice.title == "Sorting at source"


def test_a_stale_text_edit_is_shown_as_a_conflict_and_nothing_is_overwritten(
        client, coordinator):
    practice = make_practice(coordinator)
    text = practice.texts.get()
    services.save_practice_text(practice, "en", {"title": "Changed meanwhile"},
                                acting_user=coordinator, expected_version=text.version)
    client.force_login(coordinator)
    answer = client.post(f"/practices/{practice.slug}/text/en/",
                         {**ENGLISH, "title": "Mine", "version": text.version})
    assert answer.status_code == 409
    assert "Changed meanwhile" in answer.content.decode()
    assert PracticeText.objects.get(pk=text.pk).title == "Changed meanwhile"


def test_a_new_text_written_meanwhile_by_someone_else_is_not_overwritten(coordinator):
    practice = make_practice(coordinator)
    services.save_practice_text(practice, "zh-hans", CHINESE, acting_user=coordinator,
                                expected_version=0)
    with pytest.raises(StaleEditError):
        services.save_practice_text(practice, "zh-hans", {"title": "另一个"},
                                    acting_user=coordinator, expected_version=0)


def test_the_facts_are_edited_with_the_version_they_were_loaded_at(client, coordinator):
    practice = make_practice(coordinator)
    client.force_login(coordinator)
    url = f"/practices/{practice.slug}/edit/"
    assert client.get(url).status_code == 200
    data = {"original_language": "en", "sdgs": "6", "transferability": "medium",
            "version": practice.version}
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    practice.refresh_from_db()
    assert practice.sdgs == [6] and practice.transferability == "medium"
    stale = client.post(url, {**data, "sdgs": "7"})
    assert stale.status_code == 409
    assert Practice.objects.get(pk=practice.pk).sdgs == [6]


def test_outsiders_and_other_coordinators_cannot_edit(client, coordinator, other_coordinator,
                                                      outsider):
    practice = make_practice(coordinator, status="published")
    for user in (other_coordinator, outsider):
        client.force_login(user)
        for page in ("edit", "text/zh-hans", "files"):
            assert client.get(f"/practices/{practice.slug}/{page}/").status_code == 403
        assert client.post(f"/practices/{practice.slug}/submit/").status_code == 403


def test_a_draft_stays_hidden_from_the_public_and_outsiders(client, coordinator, outsider):
    practice = make_practice(coordinator)
    assert client.get(practice.get_absolute_url()).status_code == 404
    client.force_login(outsider)
    assert client.get(practice.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    assert client.get(practice.get_absolute_url()).status_code == 200


def test_a_photo_is_added_and_served_to_those_who_may_read_the_practice(client, coordinator):
    practice = make_practice(coordinator)
    client.force_login(coordinator)
    answer = client.post(f"/practices/{practice.slug}/files/", {
        "file": SimpleUploadedFile("bins.png", png_bytes(), "image/png"),
        "caption": "New bins", "is_photo": "on"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    attachment = PracticeFile.objects.get()
    assert attachment.is_photo and attachment.uploaded_by == coordinator
    assert AuditEntry.objects.filter(content_type__model="practicefile",
                                     action="create").exists()
    url = f"/practices/{practice.slug}/files/{attachment.pk}/"
    assert client.get(url).status_code == 200
    assert url in client.get(practice.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(url).status_code == 404  # the practice is a draft


def test_a_photo_named_as_a_web_page_is_only_ever_downloaded(client, coordinator):
    practice = make_practice(coordinator)
    services.add_practice_file(practice, SimpleUploadedFile("bins.html", png_bytes()), "",
                               True, acting_user=coordinator)
    client.force_login(coordinator)
    served = client.get(f"/practices/{practice.slug}/files/{PracticeFile.objects.get().pk}/")
    assert served["Content-Disposition"].startswith("attachment")


def test_an_upload_too_big_is_refused_and_nothing_is_written(client, coordinator, settings):
    settings.CITYCOOP_UPLOAD_MAX_BYTES = 1000
    practice = make_practice(coordinator)
    client.force_login(coordinator)
    before = AuditEntry.objects.count()
    answer = client.post(f"/practices/{practice.slug}/files/", {
        "file": SimpleUploadedFile("report.pdf", b"%PDF-" + b"x" * 2000, "application/pdf"),
        "caption": "Report"})
    assert answer.status_code == 200
    assert "files may be at most" in answer.content.decode()
    assert not PracticeFile.objects.exists() and AuditEntry.objects.count() == before
    with pytest.raises(ValidationError):
        services.add_practice_file(practice, SimpleUploadedFile("r.pdf", b"x" * 2000), "",
                                   False, acting_user=coordinator)
    assert not PracticeFile.objects.exists()


def test_a_photo_that_is_no_image_is_refused(client, coordinator):
    practice = make_practice(coordinator)
    client.force_login(coordinator)
    answer = client.post(f"/practices/{practice.slug}/files/", {
        "file": SimpleUploadedFile("bins.png", b"<svg onload=alert(1)>", "image/png"),
        "is_photo": "on"})
    assert answer.status_code == 200 and "A photo must be" in answer.content.decode()
    assert not PracticeFile.objects.exists()


def test_without_pillow_a_photo_is_checked_by_its_first_bytes():
    assert services.signature_format(png_bytes()[:16], "bins.png") == "PNG"
    assert services.signature_format(b"\xff\xd8\xff\xe0" + b"0" * 12, "x.JPG") == "JPEG"
    assert services.signature_format(png_bytes()[:16], "bins.jpg") is None
    assert services.signature_format(b"<svg>", "bins.svg") is None
