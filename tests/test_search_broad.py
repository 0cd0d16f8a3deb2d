"""Words that match a large part of the index: estimated counts, title matches first, and
paging that still shows every match once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from citycoop.search.backends import get_backend
from citycoop.search.index import reindex_all

pytestmark = pytest.mark.django_db
Backend = type(get_backend())

WORD = "Tianjin"


@pytest.fixture
def indexed(demo):
    reindex_all()
    return demo


@pytest.fixture
def broad(monkeypatch):
    """Every search with more than three matches counts as broad."""
    monkeypatch.setattr(Backend, "BROAD_MATCHES", 3)


def search(query, *, limit=100, offset=0, **facets):
    return get_backend().search(query, facets=facets, visible_to=AnonymousUser(),
                                limit=limit, offset=offset)


def test_a_broad_search_is_marked_as_estimated_and_a_narrow_one_is_not(indexed, monkeypatch):
    narrow = search("Shantou")
    assert 0 < narrow.total < search(WORD).total
    monkeypatch.setattr(Backend, "BROAD_MATCHES", narrow.total)
    assert search(WORD).approximate
    assert not search("Shantou").approximate


def test_with_a_sample_as_large_as_the_matches_the_estimate_is_the_exact_count(
        indexed, monkeypatch):
    exact = search(WORD)
    monkeypatch.setattr(Backend, "BROAD_MATCHES", 3)
    monkeypatch.setattr(Backend, "SAMPLE_SIZE", 100_000)
    estimated = search(WORD)
    assert estimated.approximate and not exact.approximate
    assert estimated.total == exact.total
    assert estimated.facets == exact.facets


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL samples whole table "
                    "pages, which says little about a table of a few pages")
def test_a_small_sample_still_estimates_the_total_roughly(indexed, monkeypatch):
    exact = search(WORD).total
    monkeypatch.setattr(Backend, "BROAD_MATCHES", 3)
    monkeypatch.setattr(Backend, "SAMPLE_SIZE", max(2, exact // 3))
    assert 0.4 * exact <= search(WORD).total <= 1.6 * exact


def test_titles_with_the_word_come_first(indexed, broad):
    hits = search(WORD, limit=100).hits
    in_title = [WORD.lower() in hit.title.lower() for hit in hits]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)


def test_paging_through_a_broad_search_shows_every_match_exactly_once(indexed, broad):
    everything = {(hit.kind, hit.object_id) for hit in search(WORD, limit=100).hits}
    exact_total = len(everything)
    paged = []
    for offset in range(0, exact_total + 7, 7):
        paged += [(hit.kind, hit.object_id) for hit in search(WORD, limit=7,
                                                                offset=offset).hits]
    assert len(paged) == len(set(paged)) == exact_total
    assert set(paged) == everything


def test_facet_filters_apply_to_a_broad_search(indexed, broad):
    results = search(WORD, kind=["action"])
    assert results.hits and {hit.kind for hit in results.hits} == {"action"}


def test_the_page_says_the_count_is_an_estimate(indexed, broad, client,
                                                django_assert_max_num_queries):
    # Captured, as a debugging tool would: the logged SQL must format too.
    with django_assert_max_num_queries(8):
        page = client.get("/search/", {"q": WORD}).content.decode()
    assert "About" in page and "≈" in page
