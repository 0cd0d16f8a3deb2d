"""Recommendations of whom to meet: ranked by what one side offers and the other looks for
(both ways), shared themes, complementary sides and a shared language, each with its reason
in plain words."""

from __future__ import annotations

import pytest

from citycoop.matchmaking import services
from citycoop.matchmaking.engine.recommend import Card, build_index, rank, reasons_for, terms
from citycoop.matchmaking.models import Side
from citycoop.matchmaking.recommend import reason_text, recommendations
from citycoop.registry.models import Theme

from .test_b2b_services import join, make_event

HEAT = Card("heat", "Aalborg Heat", side="seller", languages=frozenset({"en", "da"}),
            offers="District heating networks, heat pumps and waste heat recovery",
            requests="Partners in biotech and smart grids",
            themes=frozenset({"Smart city", "Energy efficiency"}))
CITY = Card("city", "Tianjin Energy", side="buyer", languages=frozenset({"en", "zh"}),
            offers="Biotech laboratories; smart grid pilots in new districts",
            requests="District heating for new districts, heat pumps",
            themes=frozenset({"Smart city"}))
PORT = Card("port", "Porto Logistics", side="seller", offers="Port logistics software",
            requests="Container terminals", themes=frozenset({"Ports"}))
FILM = Card("film", "Film Studio", offers="Film production and post-production",
            requests="Co-producers for documentaries")
CHENGDU = Card("chengdu", "Chengdu Smart", languages=frozenset({"zh"}),
               offers="智慧城市 平台", requests="区域供热技术")
COPENHAGEN = Card("copenhagen", "Copenhagen Heat", languages=frozenset({"zh", "da"}),
                  offers="区域供热系统", requests="智慧城市")
CARDS = [HEAT, CITY, PORT, FILM, CHENGDU, COPENHAGEN]


def test_words_are_counted_with_their_phrases_and_plurals_folded():
    counted = terms("District heating networks, heat pumps and the sensors")
    assert counted["district heating"] == 1 and counted["heat pump"] == 1
    assert counted["sensor"] == 1 and counted["network"] == 1
    assert "and" not in counted and "the" not in counted
    assert "heating network" in counted and "network heat" not in counted  # no phrase over ","


def test_the_best_match_comes_first_with_every_reason():
    found = rank(CARDS, "heat")
    assert found[0].id == "city"
    kinds = [r.kind for r in found[0].reasons]
    assert set(kinds) == {"they_offer", "they_seek", "sides", "themes", "language"}
    texts = {r.kind: r.items for r in found[0].reasons}
    assert texts["they_offer"] == ("smart grids", "biotech")  # a phrase carries its words
    assert set(texts["they_seek"]) == {"heat pumps", "district heating"}
    assert texts["themes"] == ("Smart city",)
    assert texts["sides"] == ("buyer", "seller")
    assert texts["language"] == ("en",)


def test_nobody_without_a_reason_is_suggested_and_a_language_alone_is_no_reason():
    found = rank(CARDS, "film")
    assert found == []
    assert [s.id for s in rank(CARDS, "port")] == ["city"]  # they buy, it sells: sides only


def test_a_common_phrase_outweighs_common_words():
    # "smart" and "city" are everywhere; "district heating" only where it matters.
    cards = [
        Card("me", "Me", requests="smart city district heating"),
        Card("words", "Words", offers="smart city platform, smart city apps, city data"),
        Card("phrase", "Phrase", offers="district heating"),
        Card("filler1", "F1", offers="smart city lighting"),
        Card("filler2", "F2", offers="smart city parking"),
    ]
    assert rank(cards, "me")[0].id == "phrase"


def test_chinese_text_is_matched_and_named_whole():
    found = rank(CARDS, "chengdu")
    assert found[0].id == "copenhagen"
    items = {r.kind: r.items for r in found[0].reasons}
    assert items["they_seek"] == ("智慧城市",)
    assert items["they_offer"] == ("区域供热",)
    assert items["language"] == ("zh",)


def test_no_common_language_ranks_lower_but_keeps_the_match():
    index = build_index([Card("me", "Me", requests="heat pumps", languages=frozenset({"fr"})),
                         Card("a", "A", offers="heat pumps", languages=frozenset({"de"})),
                         Card("b", "B", offers="heat pumps", languages=frozenset({"fr"}))])
    score_a, _ = reasons_for(index, "me", "a")
    score_b, _ = reasons_for(index, "me", "b")
    assert 0 < score_a < score_b


def test_those_excluded_and_oneself_are_left_out_and_ties_go_by_name():
    cards = [Card("me", "Me", requests="ports"), Card("z", "Zeta", offers="ports"),
             Card("a", "Alpha", offers="ports"), Card("x", "Xi", offers="ports")]
    assert [s.id for s in rank(cards, "me")] == ["a", "x", "z"]
    assert [s.id for s in rank(cards, "me", exclude={"x"}, top=1)] == ["a"]


@pytest.mark.django_db
def test_a_participant_gets_suggestions_in_plain_words_without_those_already_asked():
    smart = Theme.objects.create(slug="smart-city", name="Smart city")
    event = make_event(same_side_meetings=False)
    me = join(event, "Mia", side=Side.BUYER, requests="district heating, biotech",
              offers="a test market of 15 million people", languages=["en"])
    services.save_profile(me, {}, themes=[smart])
    heat = join(event, "Hal", side=Side.SELLER, offers="district heating and biotech",
                languages=["en"])
    services.save_profile(heat, {}, themes=[smart])
    market = join(event, "Max", side=Side.SELLER, requests="a test market")
    join(event, "Bob", side=Side.BUYER, offers="district heating")  # a buyer, like me
    join(event, "Dot", side=Side.SELLER, offers="district heating", published=False)
    found = recommendations(me)
    assert [r.profile.participation_id for r in found] == [heat.pk, market.pk]
    assert found[0].reasons == ["they offer what you look for: district heating, biotech",
                                "they sell, you buy", "both work on Smart city",
                                "you both speak English"]
    assert found[1].reasons[0] == "they look for what you offer: test market"
    services.send_request(me, heat)
    assert [r.profile.participation_id for r in recommendations(me)] == [market.pk]


def test_each_reason_reads_as_a_sentence():
    from citycoop.matchmaking.engine.recommend import Reason

    assert reason_text(Reason("they_seek", ("biotech",), 1)) == \
        "they look for what you offer: biotech"
    assert reason_text(Reason("sides", ("buyer", "seller"), 1)) == "they buy, you sell"
    assert reason_text(Reason("language", ("zh", "en"), 1)) == "you both speak Chinese, English"
