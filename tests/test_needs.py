"""A city's needs: posted by its keepers, matched with the published practices and the cities
that could help (with the reasons), discussed, changed and closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from citycoop.accounts.models import AuditEntry, User
from citycoop.common.services import StaleEditError, create_record, update_record
from citycoop.discussions.models import Notification, NotificationKind
from citycoop.practices.models import Need, NeedStatus, Practice, PracticeText
from citycoop.practices.need_matching import matches_for, matching_practices
from citycoop.practices.need_services import close_need, post_need, update_need
from citycoop.registry.models import Place, Theme

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

LANDFILL = "Reduce landfill by half in five years"


def author(username: str = "author") -> User:
    return User.objects.create_user(username, password="a-long-test-password")


def practice(writer: User, place: str, title: str, summary: str, *, themes: tuple[str, ...] = (),
             status: str = "published", labelled: bool = False, chinese: str = "") -> Practice:
    """A practice written straight through the audited write path, so that these tests do
    not depend on the practice workflow's services."""
    now = timezone.now()
    made = create_record(Practice, {
        "slug": title.lower().replace(" ", "-")[:60], "title": title,
        "place": Place.objects.get(slug=place), "status": status, "created_by": writer,
        "published_at": now if status == "published" else None,
        "labelled_at": now if labelled else None,
    }, acting_user=writer, many={"themes": list(Theme.objects.filter(slug__in=themes))})
    create_record(PracticeText, {"practice": made, "language": "en", "title": title,
                                 "summary": summary}, acting_user=writer)
    if chinese:
        create_record(PracticeText, {"practice": made, "language": "zh-hans",
                                     "title": chinese, "summary": summary},
                      acting_user=writer)
    return made


@pytest.fixture
def waste(demo: Any) -> Practice:
    """A labelled practice of Barcelona on sorting waste, with a Chinese title."""
    return practice(author(), "barcelona", "Sorting household waste at the source",
                    "Households sort food waste and recyclables; waste sent to landfill fell "
                    "by a third in two years.", themes=("waste-management",), labelled=True,
                    chinese="垃圾源头分类")


@pytest.fixture
def festival(demo: Any) -> Practice:
    return practice(author("musician"), "fiuggi", "A street music festival",
                    "Musicians play in the old town every summer.", themes=("culture-film",))


def landfill_need(coordinator: User, **values: Any) -> Need:
    return post_need(Place.objects.get(slug="guangzhou"), LANDFILL,
                     "Most of the city's rubbish is buried.", acting_user=coordinator,
                     themes=Theme.objects.filter(slug="waste-management"), sdgs=[12], **values)


def test_a_coordinator_posts_a_need_for_their_city_through_the_form(client, coordinator):
    client.force_login(coordinator)
    page = client.get("/practices/needs/new/")
    assert page.status_code == 200
    # The city is chosen among those the coordinator keeps: Lyon and Guangzhou.
    choices = {str(place) for place in page.context["form"].fields["place"].queryset}
    assert {"Lyon", "Guangzhou"} <= choices and "Barcelona" not in choices
    theme = Theme.objects.get(slug="waste-management")
    answer = client.post("/practices/needs/new/", {
        "place": Place.objects.get(slug="guangzhou").pk, "title": LANDFILL,
        "description": "Most of it is buried.", "themes": [theme.pk], "sdgs": "12",
        "is_public": "on", "version": ""})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    need = Need.objects.get()
    assert answer["Location"] == need.get_absolute_url() == f"/practices/needs/{need.slug}/"
    assert need.created_by == coordinator and need.sdgs == [12] and need.is_public
    assert list(need.themes.all()) == [theme]
    assert AuditEntry.objects.filter(actor=coordinator, content_type__model="need",
                                     action="create").exists()


def test_an_outsider_cannot_post_a_need_for_a_city(client, outsider, other_coordinator):
    client.force_login(outsider)
    assert client.get("/practices/needs/new/").status_code == 403
    assert client.post("/practices/needs/new/", {"title": "x"}).status_code == 403
    guangzhou = Place.objects.get(slug="guangzhou")
    with pytest.raises(PermissionDenied):
        post_need(guangzhou, LANDFILL, "", acting_user=outsider)
    # A coordinator of another pairing may post for their own cities, not for Guangzhou.
    with pytest.raises(PermissionDenied):
        post_need(guangzhou, LANDFILL, "", acting_user=other_coordinator)
    client.force_login(other_coordinator)
    answer = client.post("/practices/needs/new/", {"place": guangzhou.pk, "title": LANDFILL,
                                                  "version": ""})
    assert answer.status_code == 200 and answer.context["form"].errors["place"]
    client.logout()
    assert client.get("/practices/needs/new/").status_code == 302  # to sign in
    assert not Need.objects.exists()


def test_posting_a_need_tells_the_author_of_the_practice_that_fits(coordinator, waste,
                                                                   festival):
    need = landfill_need(coordinator)
    told = Notification.objects.get(kind=NotificationKind.NEED)
    assert told.user == waste.created_by and told.actor == coordinator
    assert told.url == need.get_absolute_url() and told.subject == LANDFILL
    # The festival fits nothing of the need: its author hears nothing.
    assert not Notification.objects.filter(user=festival.created_by).exists()
    # An internal need is not announced to authors who could not open it.
    landfill_need(coordinator, is_public=False)
    assert Notification.objects.filter(kind=NotificationKind.NEED).count() == 1


def test_a_manager_types_any_city(client, manager, demo):
    client.force_login(manager)
    answer = client.post("/practices/needs/new/", {
        "place": "Chengdu — chengdu", "title": "Clean air in winter", "is_public": "on",
        "version": ""})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Need.objects.get().place.slug == "chengdu"


def test_a_draft_practice_is_never_proposed(client, coordinator, demo):
    draft = practice(author("drafter"), "barcelona", "Sorting household waste to cut landfill",
                     "Landfill fell by a third.", themes=("waste-management",), status="draft")
    need = landfill_need(coordinator)
    assert matching_practices(need) == []
    assert not Notification.objects.filter(user=draft.created_by).exists()
    page = client.get(need.get_absolute_url()).content.decode()
    assert draft.title not in page and draft.get_absolute_url() not in page


def test_an_internal_need_is_404_for_outsiders(client, coordinator, outsider,
                                               other_coordinator, manager):
    need = landfill_need(coordinator, is_public=False)
    url = need.get_absolute_url()
    assert client.get(url).status_code == 404
    for user in (outsider, other_coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(f"{url}edit/").status_code == 404
        assert LANDFILL not in client.get("/practices/needs/").content.decode()
    for user in (coordinator, manager):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert LANDFILL in client.get("/practices/needs/").content.decode()


def test_the_need_page_lists_the_practice_with_its_reasons(client, coordinator, waste,
                                                           festival):
    need = landfill_need(coordinator)
    page = client.get(need.get_absolute_url())
    assert page.status_code == 200
    fits = page.context["matches"].practices
    assert [fit.key for fit in fits] == [waste.slug]
    reasons = {reason.kind: reason.text for reason in fits[0].reasons}
    assert "landfill" in reasons["terms"]
    assert reasons["themes"] == "shared themes: Waste management"
    assert reasons["labelled"] == "it carries the programme’s good-practice label"
    html = page.content.decode()
    assert waste.title in html and waste.get_absolute_url() in html
    assert 'class="reason reason-terms"' in html and reasons["terms"] in html
    assert 'class="discussions"' in html  # the need's thread widget
    # Barcelona is proposed for its practice, and Guangzhou never to itself.
    cities = page.context["matches"].cities
    barcelona = next(c for c in cities if c.key == "barcelona")
    assert barcelona.reasons[0].kind == "practice"
    assert "“Sorting household waste at the source”" in barcelona.reasons[0].text
    assert "guangzhou" not in {c.key for c in cities}
    assert festival.title not in html


def test_in_chinese_the_page_shows_the_practices_chinese_title(client, coordinator, waste):
    need = landfill_need(coordinator)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(need.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "垃圾源头分类" in html and waste.get_absolute_url() in html
    assert 'class="reason reason-themes"' in html and 'class="reason reason-labelled"' in html


def test_a_practice_published_after_the_index_was_built_is_found(coordinator, demo):
    need = landfill_need(coordinator)
    assert matching_practices(need) == []  # builds the index on an empty library
    later = practice(author(), "barcelona", "Sorting household waste", "Less landfill.",
                     themes=("waste-management",), status="draft")
    assert matching_practices(need) == []
    update_record(later, {"status": "published", "published_at": timezone.now()},
                  acting_user=later.created_by, expected_version=later.version)
    assert [m.key for m in matching_practices(need)] == [later.slug]


def test_the_list_costs_the_same_few_queries_however_many_needs(
        client, coordinator, django_assert_max_num_queries):
    for i in range(30):
        landfill_need(coordinator) if i == 0 else post_need(
            Place.objects.get(slug="lyon"), f"Need number {i}", "", acting_user=coordinator,
            themes=Theme.objects.filter(slug__in=["waste-management", "energy"]))
    client.force_login(coordinator)
    with django_assert_max_num_queries(10):
        page = client.get("/practices/needs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Need number 29" in html and "Lyon" in html and "Waste management" in html
    assert client.get("/practices/needs/?status=met").context["page"].paginator.count == 0


def test_a_need_is_changed_with_its_version_and_closed(client, coordinator, other_coordinator):
    need = landfill_need(coordinator)
    with pytest.raises(PermissionDenied):
        update_need(need, {"title": "Mine now"}, acting_user=other_coordinator,
                    expected_version=need.version)
    changed = update_need(need, {"title": "Halve landfill by 2030"}, acting_user=coordinator,
                          expected_version=need.version)
    assert changed.title == "Halve landfill by 2030" and changed.slug == need.slug
    with pytest.raises(StaleEditError):
        update_need(need, {"title": "Too late"}, acting_user=coordinator,
                    expected_version=need.version)
    client.force_login(coordinator)
    edit = client.get(f"{need.get_absolute_url()}edit/")
    assert edit.status_code == 200 and "place" not in edit.context["form"].fields
    answer = client.post(f"{need.get_absolute_url()}status/", {"status": NeedStatus.MET})
    assert answer.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.MET
    client.force_login(other_coordinator)
    assert client.post(f"{need.get_absolute_url()}status/",
                       {"status": NeedStatus.OPEN}).status_code == 403
    closed = close_need(need, NeedStatus.CLOSED, acting_user=coordinator)
    assert closed.status == NeedStatus.CLOSED


def test_the_matches_are_words_of_whole_sentences(coordinator, waste):
    need = landfill_need(coordinator)
    found = matches_for(need)
    assert found.practices[0].labelled and found.practices[0].url == waste.get_absolute_url()
    assert all(reason.text and not reason.text.startswith(" ")
               for fit in found.practices for reason in fit.reasons)
