"""Tests for citycoop.imports.score: how a report draft is measured against a gold draft.

Most tests use the small gold below; the ones on the reference page read ../shared.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citycoop.imports.score import ENTITIES, PRF, TARGETS, Scores, format_report, normalise, score

SHARED_GOLD = (Path(__file__).resolve().parents[1].parent / "shared" / "reports"
               / "world-cities-pilot-projects-2016.gold.json")


def _action(text: str = "Something happened", **fields: Any) -> dict[str, Any]:
    return {"text": text, "organisations": [], "places": [], "dates": [], "urls": [],
            "emails": [], **fields}


GOLD: dict[str, Any] = {
    "source": "synthetic",
    "pairings": [
        {"label": "Barcelona – Wuhan / Chengdu", "group": "EU-China",
         "sides": [["Barcelona", "ES"], ["Wuhan", "CN"], ["Chengdu", "CN"]],
         "areas": [{"title": "Smart City Cooperation", "issue": 1, "actions": [
             _action("Support to SMEs and Innovation: Cooperation between the Catalonian "
                     "Regional Agency ACCIO and the DRC Wuhan on green city and industry 4.0.",
                     organisations=["ACCIO", "DRC Wuhan"],
                     org_variants={"ACCIO": ["Catalonian Regional Agency ACCIO"]}),
             _action("The Green Way cluster with clusters in Wuhan and Chendgu",
                     organisations=["The Green Way"], places=["Wuhan", "Chendgu"],
                     org_variants={"The Green Way": ["The Green Way cluster"]}),
             _action("Automotive cooperation – mission to China (April 2016)",
                     places=["China"], dates=[{"text": "April 2016", "iso": "2016-04"}]),
         ]}]},
        {"label": "Lyon – Guangzhou", "group": "EU-China",
         "sides": [["Lyon", "FR"], ["Guangzhou", "CN"]],
         "areas": [{"title": None, "actions": [
             _action("Visit of Shantou representatives to Málaga in June 2015\n"
                     "Promising exchange of ideas and experiences on cruise and cargo",
                     places=["Shantou", "Málaga"],
                     dates=[{"text": "June 2015", "iso": "2015-06"}]),
             _action("The robots company EVOTION (http://www.evotion.com/fr/) started a "
                     "cooperation with ARTIGENT ROBOTICS during the March mission to China.",
                     organisations=["EVOTION", "ARTIGENT ROBOTICS"], places=["China"],
                     dates=[{"text": "March", "iso": None, "iso_inferred": "2016-03"}],
                     urls=["http://www.evotion.com/fr/"]),
             _action("Next Step: Visit of Shantou delegation to Málaga in June/July 2016 "
                     "(write to info@example.org)", places=["Shantou", "Málaga"],
                     dates=[{"text": "June/July 2016", "iso": "2016-06", "iso_end": "2016-07"}],
                     emails=["info@example.org"]),
         ]}]},
    ],
    "agreements": [
        {"text": "As of today, 14 MoUs have been signed.", "parties": [],
         "status": "signed", "count": 14},
        {"text": "a MoU between Chandigarh and Copenhagen (CLEAN Cluster) is currently under "
                 "preparation", "parties": ["Chandigarh", "Copenhagen (CLEAN Cluster)"],
         "status": "under_preparation", "count": 1},
        {"text": "MoUs were signed between the Chambers of Commerce of Lyon and Guangzhou.",
         "parties": ["Chambers of Commerce of Lyon and Guangzhou"],
         "parties_normalised": ["Chamber of Commerce of Lyon", "Chamber of Commerce of Guangzhou"],
         "status": "signed", "count": None},
    ],
    "totals": {"pilot_projects_eu_china": 24, "mous_signed_eu_china": 14,
               "mous_cetregio_more_than": 20},
    "contacts": [{"name": "Mr Pablo Gándara", "email": "pgandara@world-cities.eu"}],
    "all_organisations": ["World Cities team", "ACCIO", "DRC Wuhan", "The Green Way", "EVOTION",
                          "Evotion", "ARTIGENT ROBOTICS",
                          "Chambers of Commerce of Lyon and Guangzhou"],
}
GOLD_ORGANISATIONS = 7  # "EVOTION" and "Evotion" are one organisation


def _actions(draft: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for pairing in draft["pairings"]:
        for area in pairing["areas"]:
            yield from area["actions"]


def _draft(*actions: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A predicted draft holding ``actions`` in one pairing-less bucket."""
    return {"pairings": [{"label": None, "sides": [], "areas": [{"title": None,
                                                                "actions": list(actions)}]}],
            **top}


def _gold_dates() -> list[dict[str, Any]]:
    return [dict(date) for action in _actions(GOLD) for date in action["dates"]]


def _assert_perfect(scores: Scores) -> None:
    for entity in ENTITIES:
        prf: PRF = getattr(scores, entity)
        assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0), (entity, prf)
        assert prf.missed == prf.spurious == (), entity
    assert scores.dates_iso_agreement == 1.0
    assert scores.pairing_countries_agreement == 1.0
    assert scores.failures(TARGETS) == []


@pytest.fixture
def shared_gold() -> dict[str, Any]:
    if not SHARED_GOLD.exists():
        if os.environ.get("CITYCOOP_REQUIRE_SHARED") == "1":
            pytest.fail(f"{SHARED_GOLD} is missing and CITYCOOP_REQUIRE_SHARED=1")
        pytest.skip(f"{SHARED_GOLD} is missing: ../shared is not here")
    gold: dict[str, Any] = json.loads(SHARED_GOLD.read_text(encoding="utf-8"))
    return gold


def test_the_shared_gold_scored_against_itself_gives_one_everywhere(shared_gold) -> None:
    scores = score(shared_gold, shared_gold)
    _assert_perfect(scores)
    assert scores.organisations.expected > 60
    assert (scores.contacts_found, scores.contacts_expected) == (1, 1)


def test_on_the_shared_gold_a_draft_without_a_top_level_organisation_list_misses_only_intro_bodies(
        shared_gold) -> None:
    predicted = {key: value for key, value in shared_gold.items() if key != "all_organisations"}
    organisations = score(predicted, shared_gold).organisations
    assert organisations.missed == ("giz team", "tianfu new district")
    assert organisations.spurious == ()
    assert organisations.precision == 1.0


def test_the_synthetic_gold_scored_against_itself_gives_one_everywhere() -> None:
    _assert_perfect(score(GOLD, GOLD))


def test_an_empty_draft_gives_recall_zero_and_no_crash() -> None:
    empties: list[dict[str, Any]] = [
        {}, {"pairings": [], "agreements": [], "totals": {}, "contacts": []},
        {"pairings": None, "totals": [], "agreements": "none"}]
    for empty in empties:
        scores = score(empty, GOLD)
        for entity in ENTITIES:
            prf = getattr(scores, entity)
            assert prf.recall == 0.0 or prf.expected == 0, entity
            assert prf.predicted == 0
        assert scores.organisations.expected == GOLD_ORGANISATIONS
        assert scores.dates_iso_agreement == 0.0
        assert scores.contacts_found == 0


def test_a_malformed_draft_is_scored_not_crashed_on() -> None:
    junk = {"pairings": [None, 3, {"sides": ["Lyon", ["Guangzhou"], {"name": "X"}, 7],
                                   "areas": [{"actions": [None, {"text": 5, "dates": ["March",
                                                                                      None]}]}]}],
            "totals": {"x": None, "y": "12"}, "agreements": [None, {"status": 3}],
            "contacts": [None, {"name": None}]}
    scores = score(junk, GOLD)
    assert scores.dates.true_positives == 1
    assert scores.totals.predicted == 2


def test_a_listed_variant_counts_as_the_organisation_found() -> None:
    organisations = score(_draft(_action(organisations=["Catalonian Regional Agency ACCIO"])),
                          GOLD).organisations
    assert organisations.true_positives == 1
    assert "accio" not in organisations.missed
    assert organisations.spurious == ()
    assert organisations.recall == pytest.approx(1 / GOLD_ORGANISATIONS)


def test_two_variants_of_one_organisation_are_not_double_counted_or_spurious() -> None:
    predicted = _draft(_action(organisations=["ACCIO"]),
                       _action(organisations=["Catalonian Regional Agency ACCIO", "accio"]))
    organisations = score(predicted, GOLD).organisations
    assert (organisations.true_positives, organisations.predicted) == (1, 1)
    assert organisations.precision == 1.0
    assert organisations.spurious == ()


def test_an_organisation_is_found_through_the_parties_normalised_of_its_agreement() -> None:
    organisations = score(_draft(_action(organisations=["Chamber of Commerce of Lyon"])),
                          GOLD).organisations
    assert organisations.true_positives == 1
    assert "chambers of commerce of lyon and guangzhou" not in organisations.missed


def test_an_extra_spurious_organisation_lowers_precision_but_not_recall() -> None:
    predicted = _draft(_action(organisations=[*GOLD["all_organisations"], "Chinese companies"]))
    organisations = score(predicted, GOLD).organisations
    assert organisations.recall == 1.0
    assert organisations.precision == pytest.approx(GOLD_ORGANISATIONS / (GOLD_ORGANISATIONS + 1))
    assert organisations.spurious == ("chinese companies",)


def test_without_all_organisations_the_gold_expects_the_actions_organisations() -> None:
    gold = {key: value for key, value in GOLD.items() if key != "all_organisations"}
    organisations = score(gold, gold).organisations
    assert organisations.expected == 5  # ACCIO, DRC Wuhan, Green Way, EVOTION, ARTIGENT
    assert organisations.f1 == 1.0


def test_a_misspelt_place_counts_only_as_written() -> None:
    as_written = score(_draft(_action(places=["Chendgu"])), GOLD).places
    corrected = score(_draft(_action(places=["Chengdu"])), GOLD).places
    assert as_written.true_positives == 1
    assert corrected.true_positives == 0
    assert "chendgu" in corrected.missed
    assert corrected.spurious == ("chengdu",)


def test_places_compare_without_case_or_accents() -> None:
    places = score(_draft(_action(places=["MALAGA", "shantou"])), GOLD).places
    assert places.true_positives == 2


def test_a_date_with_a_wrong_iso_lowers_iso_agreement_but_not_date_f1() -> None:
    dates = _gold_dates()
    assert score(_draft(_action(dates=dates)), GOLD).dates_iso_agreement == 1.0
    dates[0]["iso"] = "2016-05"  # April 2016
    scores = score(_draft(_action(dates=dates)), GOLD)
    assert scores.dates.f1 == 1.0
    assert scores.dates_iso_agreement == pytest.approx(3 / 4)


def test_a_range_without_its_iso_end_does_not_agree() -> None:
    dates = [{"text": "June/July 2016", "iso": "2016-06"}]
    assert score(_draft(_action(dates=dates)), GOLD).dates_iso_agreement == 0.0


def test_a_yearless_gold_date_agrees_with_null_or_its_inferred_iso_only() -> None:
    def agreement(iso: str | None) -> float:
        predicted = _draft(_action(dates=[{"text": "March", "iso": iso}]))
        return score(predicted, GOLD).dates_iso_agreement

    assert agreement(None) == 1.0
    assert agreement("2016-03") == 1.0
    assert agreement("2017-03") == 0.0


def test_an_action_with_a_trailing_period_difference_still_matches() -> None:
    texts = [action["text"] for action in _actions(GOLD)]
    predicted = _draft(*(_action(text.rstrip(".") if i == 0 else text + ".")
                         for i, text in enumerate(texts)))
    assert score(predicted, GOLD).actions.f1 == 1.0


def test_an_action_whose_continuation_line_was_merged_still_matches() -> None:
    predicted = _draft(_action("Visit of Shantou representatives to Málaga in June 2015 "
                               "Promising exchange of ideas and experiences on cruise and cargo"))
    assert score(predicted, GOLD).actions.true_positives == 1


def test_half_of_an_action_does_not_match_it() -> None:
    predicted = _draft(_action("Visit of Shantou representatives to Málaga in June 2015"))
    actions = score(predicted, GOLD).actions
    assert actions.true_positives == 0
    assert actions.spurious == ("visit of shantou representatives to malaga in june 2015",)


def test_one_predicted_action_matches_at_most_one_gold_action() -> None:
    text = "Automotive cooperation – mission to China (April 2016)"
    actions = score(_draft(_action(text), _action(text)), GOLD).actions
    assert (actions.true_positives, len(actions.spurious)) == (1, 1)


def test_an_agreement_with_the_right_text_but_the_wrong_status_does_not_match() -> None:
    wrong = {"text": "As of today, 14 MoUs have been signed.", "status": "planned"}
    agreements = score(_draft(agreements=[wrong]), GOLD).agreements
    assert agreements.true_positives == 0
    assert agreements.spurious == ("planned: as of today 14 mous have been signed",)


def test_an_agreement_overlapping_in_text_with_the_same_status_matches() -> None:
    predicted = _draft(agreements=[
        {"text": "14 MoUs have been signed as of today", "status": "signed"},
        {"text": "a MoU between Chandigarh and Copenhagen is currently under preparation",
         "status": "under preparation"},
        {"text": "MoUs were signed on tourism cooperation as well as between the Chambers of "
                 "Commerce of Lyon and Guangzhou", "status": "signed"},
    ])
    agreements = score(predicted, GOLD).agreements
    assert agreements.f1 == 1.0


def test_totals_under_differently_named_but_equivalent_keys_match() -> None:
    predicted = {"totals": {"pilot_projects_china": 24, "mous_signed_china": 14,
                            "more_than_20_mous_cetregio": 20}}
    assert score(predicted, GOLD).totals.f1 == 1.0
    assert score({"totals": {"mous_signed_eu_china": 14}}, GOLD).totals.true_positives == 1
    assert score({"totals": {"eu_china_mous": "14"}}, GOLD).totals.true_positives == 1


def test_totals_with_another_value_measure_region_or_a_lost_more_than_do_not_match() -> None:
    for wrong in ({"mous_signed_eu_china": 15}, {"pilot_projects_eu_china": 14},
                  {"mous_signed_eu_india": 14}, {"mous_cetregio": 20}, {"eu_china": 24}):
        totals = score({"totals": wrong}, GOLD).totals
        assert totals.true_positives == 0, wrong
        assert totals.precision == 0.0


def test_pairings_match_by_side_names_whatever_the_order_or_the_country() -> None:
    predicted = {"pairings": [
        {"label": "x", "sides": [["guangzhou", "CN"], ["Lyon", "DE"]], "areas": []},
        {"label": "y", "sides": [["Chengdu", "CN"], ["Wuhan", "CN"], ["Barcelona", "ES"]]},
        {"label": None, "sides": [], "areas": []},
    ]}
    scores = score(predicted, GOLD)
    assert scores.pairings.f1 == 1.0
    assert scores.pairing_countries_agreement == pytest.approx(4 / 5)
    assert scores.as_dict()["pairing_countries_agreement"] == pytest.approx(4 / 5)


def test_a_pairing_missing_one_side_does_not_match() -> None:
    predicted = {"pairings": [{"sides": [["Barcelona", "ES"], ["Wuhan", "CN"]]}]}
    pairings = score(predicted, GOLD).pairings
    assert pairings.true_positives == 0
    assert pairings.spurious == ("barcelona / wuhan",)


def test_urls_and_emails_ignore_trailing_punctuation_and_host_case_but_not_paths() -> None:
    predicted = _draft(_action(urls=["(HTTP://WWW.Evotion.com/fr/)."],
                               emails=["mailto:info@EXAMPLE.org,"]))
    scores = score(predicted, GOLD)
    assert (scores.urls.f1, scores.emails.f1) == (1.0, 1.0)
    other_path = score(_draft(_action(urls=["http://www.evotion.com/FR/"])), GOLD).urls
    assert other_path.true_positives == 0


def test_contacts_are_counted_for_information_only() -> None:
    predicted = {"contacts": [{"name": "Pablo Gándara", "email": "PGandara@world-cities.eu"}]}
    scores = score(predicted, GOLD)
    assert scores.as_dict()["contacts"] == {"found": 1, "expected": 1, "predicted": 1}
    assert "contacts" not in TARGETS


def test_failures_lists_exactly_the_figures_below_their_targets() -> None:
    predicted = copy.deepcopy(GOLD)
    first = next(_actions(predicted))
    first["organisations"].append("Chinese companies")
    predicted["pairings"][0]["areas"][0]["actions"][2]["dates"][0]["iso"] = "2016-05"
    scores = score(predicted, GOLD)
    lines = scores.failures(TARGETS)
    assert [line.split()[0] for line in lines] == ["organisations", "dates_iso_agreement"]
    assert lines[0] == "organisations F1 0.93 < 0.95 (spurious: chinese companies)"
    assert lines[1] == "dates_iso_agreement 0.75 < 0.95"
    assert scores.failures({"organisations": 0.9, "dates_iso_agreement": 0.7}) == []
    with pytest.raises(KeyError):
        scores.failures({"nonsense": 1.0})


def test_failures_prints_more_digits_when_two_would_hide_the_gap() -> None:
    scores = score(GOLD, GOLD)
    assert scores.failures({"dates_iso_agreement": 1.001}) == ["dates_iso_agreement 1.000 < 1.001"]


def test_format_report_mentions_every_entity_and_what_was_missed() -> None:
    report = format_report(score(_draft(_action(places=["Chengdu"])), GOLD), name="synthetic")
    for entity in [*ENTITIES, "dates_iso_agreement", "pairing_countries_agreement", "contacts"]:
        assert entity in report, entity
    assert "synthetic" in report
    assert "places spurious: chengdu" in report
    assert "BELOW" in report


def test_as_dict_holds_plain_numbers_that_serialise_to_json() -> None:
    as_dict = score(_draft(), GOLD).as_dict()
    assert set(as_dict) == {*ENTITIES, "dates_iso_agreement", "pairing_countries_agreement",
                            "contacts"}
    assert as_dict["organisations"]["expected"] == GOLD_ORGANISATIONS
    json.dumps(as_dict)


def test_normalise_folds_case_accents_punctuation_and_a_leading_the() -> None:
    assert normalise("The Green-Way") == normalise("green way") == "green way"
    assert normalise("Andalucía Smart City Cluster") == "andalucia smart city cluster"
    assert normalise("Chengdu Economic & Technology Development Zone (CETDZ).") == (
        "chengdu economic and technology development zone cetdz")
    assert normalise("  Rambøll  (DK) ") == "ramboll dk"
    assert normalise("The") == "the"
    assert normalise("") == ""


def test_the_scorer_imports_nothing_from_django() -> None:
    code = ("import sys, citycoop.imports.score; "
            "sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
