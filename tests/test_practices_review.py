"""The review workflow: submit, return with comments, resubmit, approve, publish with or
without the label; who may review; notifications; adoptions by other cities."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citycoop.accounts.models import AuditEntry
from citycoop.discussions.models import Follow, Notification, NotificationKind
from citycoop.practices import services
from citycoop.practices.models import Adoption, Practice, Review
from citycoop.registry.models import Place, Theme
from tests.factories_practices import FAILING, PASSING, make_practice, make_reviewer

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]


@pytest.fixture
def reviewer(demo):
    return make_reviewer()


def review_form(scores, decision, comment=""):
    return {**scores, "decision": decision, "comment": comment}


def status_changes(practice):
    return [entry.changes["status"] for entry in AuditEntry.objects.filter(
        content_type__model="practice", object_id=str(practice.pk)).order_by("id")
        if "status" in entry.changes]


def test_submitting_needs_what_was_done_in_the_original_language(client, coordinator):
    practice = make_practice(coordinator, texts={"en": {"title": "Only a title"}})
    client.force_login(coordinator)
    answer = client.post(f"/practices/{practice.slug}/submit/", follow=True)
    assert "Before submitting, fill in its original text: what was done" in \
        answer.content.decode()
    practice.refresh_from_db()
    assert practice.status == "draft"


def test_returning_a_practice_needs_a_comment(client, coordinator, reviewer):
    practice = make_practice(coordinator, status="submitted")
    client.force_login(reviewer)
    answer = client.post(f"/practices/{practice.slug}/review/", review_form(PASSING, "return"))
    assert answer.status_code == 200
    assert "Say what to change" in answer.content.decode()
    assert not Review.objects.exists()
    with pytest.raises(ValidationError):
        services.review_practice(practice, PASSING, "return", "  ", acting_user=reviewer)
    practice.refresh_from_db()
    assert practice.status == "submitted"


def test_return_edit_resubmit_approve_and_publish_awards_the_label(client, coordinator,
                                                                   reviewer):
    practice = make_practice(coordinator, status="submitted")
    client.force_login(reviewer)
    queue = client.get("/practices/review/").content.decode()
    assert practice.title in queue
    answer = client.post(f"/practices/{practice.slug}/review/",
                         review_form(PASSING, "return", "Where do the figures come from?"))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    practice.refresh_from_db()
    assert practice.status == "returned"
    notice = Notification.objects.get(user=coordinator)
    assert notice.kind == NotificationKind.REVIEWED and notice.actor == reviewer

    client.force_login(coordinator)
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Where do the figures come from?" in page  # the writer sees the comments
    text = practice.texts.get()
    answer = client.post(f"/practices/{practice.slug}/text/en/", {
        "title": text.title, "what_was_done": text.what_was_done,
        "results": "Landfill down 34% (city waste office, 2017).", "version": text.version})
    assert answer.status_code == 302
    assert client.post(f"/practices/{practice.slug}/submit/").status_code == 302
    practice.refresh_from_db()
    assert practice.status == "submitted"

    client.force_login(reviewer)
    client.post(f"/practices/{practice.slug}/review/", review_form(PASSING, "approve"))
    practice.refresh_from_db()
    assert practice.status == "reviewed" and not practice.is_public
    assert client.post(f"/practices/{practice.slug}/publish/").status_code == 302
    practice.refresh_from_db()
    assert practice.status == "published" and practice.is_labelled
    assert [r.decision for r in practice.reviews.all()] == ["approve", "return"]
    assert status_changes(practice) == [
        [None, "draft"], ["draft", "submitted"], ["submitted", "returned"], ["returned", "submitted"],
        ["submitted", "reviewed"], ["reviewed", "published"]]
    client.logout()
    public = client.get(practice.get_absolute_url()).content.decode()
    assert "practice-label" in public
    assert "Where do the figures come from?" not in public  # reviews are not public


def test_publication_withholds_the_label_when_a_criterion_scores_below_three(coordinator,
                                                                            reviewer):
    practice = make_practice(coordinator, status="published", reviewer=reviewer,
                             scores=FAILING)
    assert practice.is_public and not practice.is_labelled


@pytest.mark.parametrize(("scores", "passes"), [
    ((3, 3, 4, 4), True),    # mean 3.5, none below 3
    ((3, 3, 3, 4), False),   # mean 3.25
    ((2, 5, 5, 5), False),   # one criterion below 3
    ((5, 5, 5, 5), True),
])
def test_the_label_rule(scores, passes):
    review = Review(decision="approve", **dict(zip(
        ("relevance", "evidence", "transferability", "participation"), scores, strict=True)))
    assert services.passes_label(review) is passes
    review.decision = "return"
    assert services.passes_label(review) is False


def test_only_reviewers_review_and_publish(client, coordinator, other_coordinator, outsider,
                                           reviewer, manager):
    practice = make_practice(coordinator, status="submitted")
    for user in (coordinator, other_coordinator, outsider):
        client.force_login(user)
        answer = client.post(f"/practices/{practice.slug}/review/",
                             review_form(PASSING, "approve"))
        assert answer.status_code in (403, 404)
        assert client.get("/practices/review/").status_code == 403
    client.force_login(coordinator)
    assert client.get(f"/practices/{practice.slug}/review/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.review_practice(practice, PASSING, "approve", "", acting_user=coordinator)
    assert not Review.objects.exists()
    # A programme manager reviews too.
    services.review_practice(practice, PASSING, "approve", "", acting_user=manager)
    practice.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.publish_practice(practice, acting_user=coordinator)
    client.force_login(coordinator)
    assert client.post(f"/practices/{practice.slug}/publish/").status_code == 403
    assert Practice.objects.get(pk=practice.pk).status == "reviewed"


def test_a_draft_cannot_be_reviewed_nor_published(coordinator, reviewer):
    practice = make_practice(coordinator)
    with pytest.raises(ValidationError):
        services.review_practice(practice, PASSING, "approve", "", acting_user=reviewer)
    with pytest.raises(ValidationError):
        services.publish_practice(practice, acting_user=reviewer)
    with pytest.raises(ValidationError):
        services.review_practice(practice, {**PASSING, "evidence": 6}, "approve", "",
                                 acting_user=reviewer)


def test_a_follower_of_the_theme_is_notified_when_it_is_published(coordinator,
                                                                  other_coordinator, reviewer):
    Follow.objects.create(user=other_coordinator,
                          theme=Theme.objects.get(slug="waste-management"))
    practice = make_practice(coordinator, status="reviewed", reviewer=reviewer)
    assert not Notification.objects.filter(user=other_coordinator).exists()
    services.publish_practice(practice, acting_user=reviewer)
    notice = Notification.objects.get(user=other_coordinator)
    assert notice.kind == NotificationKind.PUBLISHED
    assert notice.url == practice.get_absolute_url() and notice.subject == practice.title


def test_another_city_reports_adopting_a_published_practice(client, coordinator,
                                                            other_coordinator, reviewer):
    practice = make_practice(coordinator, status="published", reviewer=reviewer)
    client.force_login(other_coordinator)
    assert client.get(f"/practices/{practice.slug}/adopted/").status_code == 200
    answer = client.post(f"/practices/{practice.slug}/adopted/", {
        "place": "barcelona", "adopted_on": "2017-03-01", "note": "Two districts first."})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    adoption = Adoption.objects.get()
    assert (adoption.place.slug, adoption.adopted_on, adoption.reported_by) == (
        "barcelona", datetime.date(2017, 3, 1), other_coordinator)
    assert AuditEntry.objects.filter(content_type__model="adoption", action="create").exists()
    assert practice.adoptions.count() == 1
    assert "Adopted by 1 other city" in client.get(practice.get_absolute_url()).content.decode()
    again = client.post(f"/practices/{practice.slug}/adopted/", {"place": "barcelona"})
    assert again.status_code == 200 and Adoption.objects.count() == 1


def test_adoptions_are_refused_for_the_wrong_city_or_an_unpublished_practice(
        coordinator, other_coordinator, reviewer):
    practice = make_practice(coordinator, status="published", reviewer=reviewer)
    with pytest.raises(PermissionDenied):  # Lyon's coordinator does not speak for Barcelona
        services.report_adoption(practice, Place.objects.get(slug="barcelona"), "", None,
                                 acting_user=coordinator)
    with pytest.raises(ValidationError):  # a city does not adopt its own practice
        services.report_adoption(practice, Place.objects.get(slug="lyon"), "", None,
                                 acting_user=coordinator)
    draft = make_practice(coordinator, texts={"en": {"title": "Another"}})
    with pytest.raises(ValidationError):
        services.report_adoption(draft, Place.objects.get(slug="barcelona"), "", None,
                                 acting_user=other_coordinator)
    assert not Adoption.objects.exists()


def test_every_step_is_audited_with_its_actor(coordinator, reviewer):
    practice = make_practice(coordinator, status="published", reviewer=reviewer)
    audited = AuditEntry.objects.filter(content_type__model__in=["practice", "practicetext",
                                                                 "review"])
    assert audited.filter(actor=coordinator, content_type__model="practice",
                          action="create").exists()
    assert audited.filter(actor=reviewer, content_type__model="review").exists()
    assert audited.filter(actor=reviewer, content_type__model="practice",
                          changes__has_key="labelled_at").exists()
    assert status_changes(practice)[-1] == ["reviewed", "published"]
