"""The practice library's pages: the list with its facets and a bounded query count, and a
practice's page showing each reader only what they may see."""

from __future__ import annotations

import pytest

from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import create_pilot
from citycoop.practices import services
from citycoop.registry.models import Theme, Visibility
from citycoop.registry.services import create_person
from tests.factories_practices import FAILING, make_practice, make_reviewer

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]


@pytest.fixture
def reviewer(demo):
    return make_reviewer()


def practice(author, title, *, status="published", **kwargs):
    return make_practice(author, texts={"en": {"title": title, "what_was_done": "Done."}},
                         status=status, **kwargs)


def listed(client, query=""):
    return client.get(f"/practices/{query}").content.decode()


def test_the_list_shows_published_practices_and_only_the_readers_own_drafts(
        client, coordinator, other_coordinator, reviewer):
    practice(coordinator, "Published bins")
    practice(coordinator, "Draft bins", status="draft")
    practice(coordinator, "Submitted bins", status="submitted")
    public = listed(client)
    assert "Published bins" in public and "Draft bins" not in public
    assert "Submitted bins" not in public
    client.force_login(other_coordinator)
    assert "Draft bins" not in listed(client)
    client.force_login(coordinator)
    own = listed(client)
    assert "Draft bins" in own and "Submitted bins" in own
    client.force_login(reviewer)
    assert "Submitted bins" in listed(client)


def test_the_list_costs_the_same_few_queries_however_many_practices(
        client, coordinator, reviewer, django_assert_max_num_queries):
    for n in range(25):
        practice(coordinator, f"Practice number {n}", place="guangzhou" if n % 2 else "lyon",
                 themes=("waste-management", "energy"), sdgs=[11, 12])
    client.force_login(coordinator)
    with django_assert_max_num_queries(15):
        page = client.get("/practices/")
    assert page.status_code == 200 and "Page 1 of 2" in page.content.decode()
    with django_assert_max_num_queries(15):
        client.get("/practices/?theme=energy&sdg=11&country=CN&labelled=on&page=2")
    client.logout()
    with django_assert_max_num_queries(8):
        client.get("/practices/?q=number")


def test_the_facets_narrow_the_list(client, coordinator, reviewer):
    practice(coordinator, "Lyon waste", place="lyon", sdgs=[12], transferability="high")
    practice(coordinator, "Guangzhou heating", place="guangzhou", themes=("district-heating",),
             sdgs=[7, 13], transferability="low")
    practice(coordinator, "Lyon unlabelled", place="lyon", scores=FAILING, sdgs=[1])
    assert "Lyon waste" in listed(client, "?country=FR")
    assert "Guangzhou heating" not in listed(client, "?country=FR")
    by_theme = listed(client, "?theme=district-heating")
    assert "Guangzhou heating" in by_theme and "Lyon waste" not in by_theme
    by_sdg = listed(client, "?sdg=1")  # 1 is not 12 nor 13
    assert "Lyon unlabelled" in by_sdg and "Lyon waste" not in by_sdg
    assert "Guangzhou heating" not in by_sdg
    labelled = listed(client, "?labelled=on")
    assert "Lyon waste" in labelled and "Lyon unlabelled" not in labelled
    assert "Guangzhou heating" in listed(client, "?transferability=low")
    assert "Lyon waste" not in listed(client, "?transferability=low")
    searched = listed(client, "?q=heating")
    assert "Guangzhou heating" in searched and "Lyon waste" not in searched
    assert "practice-label" in labelled


def test_a_search_finds_a_title_in_any_language(client, coordinator, reviewer):
    found = practice(coordinator, "Sorting at source")
    services.save_practice_text(found, "zh-hans", {"title": "垃圾源头分类"},
                                acting_user=coordinator)
    assert "Sorting at source" in listed(client, "?q=垃圾")


def test_the_pages_keep_the_facets(client, coordinator, reviewer):
    for n in range(21):
        practice(coordinator, f"Waste {n}")
    page = listed(client, "?theme=waste-management")
    assert "page=2&amp;theme=waste-management" in page


def test_contacts_are_shown_as_their_visibility_allows(client, coordinator, member, reviewer):
    shown = create_person({"name": "Public Contact", "visibility": Visibility.PUBLIC},
                          acting_user=None)
    kept = create_person({"name": "Internal Contact", "visibility": Visibility.INTERNAL},
                         acting_user=None)
    found = practice(coordinator, "With contacts")
    services.update_practice(found, {}, acting_user=coordinator,
                             expected_version=found.version, contacts=[shown, kept])
    public = client.get(found.get_absolute_url()).content.decode()
    assert "Public Contact" in public and "Internal Contact" not in public
    client.force_login(member)
    assert "Internal Contact" in client.get(found.get_absolute_url()).content.decode()


def test_linked_records_are_shown_only_when_the_reader_may_see_them(client, coordinator,
                                                                    other_coordinator,
                                                                    reviewer):
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    secret = create_pilot({"pairing": pairing, "slug": "secret-pilot",
                           "title": "Secret pilot", "is_public": False}, acting_user=None)
    found = practice(coordinator, "Linked")
    services.update_practice(found, {}, acting_user=coordinator,
                             expected_version=found.version, pilots=[secret],
                             pairings=[pairing])
    public = client.get(found.get_absolute_url()).content.decode()
    assert "Secret pilot" not in public and pairing.label in public
    client.force_login(other_coordinator)
    assert "Secret pilot" not in client.get(found.get_absolute_url()).content.decode()
    client.force_login(coordinator)
    assert "Secret pilot" in client.get(found.get_absolute_url()).content.decode()


def test_the_reviews_are_shown_to_writers_and_reviewers_only(client, coordinator,
                                                             other_coordinator, reviewer):
    found = practice(coordinator, "Reviewed", status="returned")
    comment = "Give the figures"
    for user, sees in ((coordinator, True), (reviewer, True)):
        client.force_login(user)
        assert (comment in client.get(found.get_absolute_url()).content.decode()) is sees
    client.force_login(other_coordinator)
    assert client.get(found.get_absolute_url()).status_code == 404


def test_the_page_offers_each_user_the_actions_they_may_take(client, coordinator, reviewer,
                                                             other_coordinator):
    draft = practice(coordinator, "A draft", status="draft")
    client.force_login(coordinator)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f"/practices/{draft.slug}/submit/" in page
    assert f"/practices/{draft.slug}/text/zh-hans/" in page
    assert f"/practices/{draft.slug}/publish/" not in page
    reviewed = practice(coordinator, "Approved", status="reviewed")
    client.force_login(reviewer)
    page = client.get(reviewed.get_absolute_url()).content.decode()
    assert f"/practices/{reviewed.slug}/publish/" in page
    assert f"/practices/{reviewed.slug}/edit/" not in page
    published = practice(coordinator, "Published")
    client.force_login(other_coordinator)
    page = client.get(published.get_absolute_url()).content.decode()
    assert f"/practices/{published.slug}/adopted/" in page
    assert f"/practices/{published.slug}/edit/" not in page


def test_the_theme_facet_includes_sub_themes(client, coordinator, reviewer):
    parent = Theme.objects.filter(children__isnull=False).first()
    if parent is None:
        pytest.skip("the demo taxonomy has no sub-themes")
    child = parent.children.first()
    practice(coordinator, "Sub-theme practice", themes=(child.slug,))
    assert "Sub-theme practice" in listed(client, f"?theme={parent.slug}")
