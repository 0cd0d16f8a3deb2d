"""The extractor on reports other than the reference page: a mission report in Markdown and a
press release in prose, written for these tests in the programmes' usual style."""

from __future__ import annotations

from pathlib import Path

import pytest

from citycoop.imports.extract import extract
from citycoop.imports.readers import read_document

REPORTS = Path(__file__).resolve().parent / "fixtures" / "reports"


@pytest.fixture(scope="module")
def mission():
    return extract(read_document(REPORTS / "mission-report-iurc-2022.md")).to_json(spans=False)


@pytest.fixture(scope="module")
def press():
    return extract(read_document(REPORTS / "press-release-valencia-curitiba.txt")).to_json(
        spans=False)


def organisations(draft):
    return {o for p in draft["pairings"] for a in p["areas"] for x in a["actions"]
            for o in x["organisations"]}


def test_a_mission_report_gives_its_pairings_with_countries_and_groups(mission):
    pairings = {p["label"]: (p["sides"], p["group"]) for p in mission["pairings"]}
    assert pairings["Lisbon – Kyoto"] == ([["Lisbon", "PT"], ["Kyoto", "JP"]], "EU-Japan")
    assert pairings["Bonn – Nagoya"] == ([["Bonn", "DE"], ["Nagoya", "JP"]], "EU-Japan")


def test_pilot_headings_of_another_style_become_areas(mission):
    lisbon = next(p for p in mission["pairings"] if p["label"] == "Lisbon – Kyoto")
    assert [(a["issue"], a["title"]) for a in lisbon["areas"]] == [
        (1, "Circular economy and waste"), (2, "Cultural heritage and tourism")]


def test_organisations_are_found_by_their_shape(mission, press):
    assert {"Lisboa E-Nova", "Kyoto City Environmental Policy Bureau", "University of Lisbon",
            "Kyoto University", "Nagoya City Government", "Japan Foundation"} <= \
        organisations(mission)
    found = organisations(press)
    assert {"Valencia Port Authority", "Polytechnic University of Valencia", "AVI",
            "Etra Group", "Kapsch", "European Commission"} <= found
    assert "IUC" not in found  # a programme, not an organisation


def test_dates_of_every_precision_are_read(mission):
    dates = {d["text"]: (d["iso"], d["iso_end"]) for p in mission["pairings"]
             for a in p["areas"] for x in a["actions"] for d in x["dates"]}
    assert dates["May 2022"] == ("2022-05", None)
    assert dates["June/July 2022"] == ("2022-06", "2022-07")
    assert dates["Q3 2022"][0] == "2022-07"


def test_an_ordinary_capitalised_word_is_not_taken_for_a_misspelt_place(mission):
    places = {p for pairing in mission["pairings"] for a in pairing["areas"]
              for x in a["actions"] for p in x["places"]}
    assert "Funding" not in places


def test_kinds_say_what_each_action_is(mission):
    kinds = {x["text"][:20]: x["kind"] for p in mission["pairings"] for a in p["areas"]
             for x in a["actions"]}
    assert kinds["Study visit of Kyoto"] == "mission"
    assert kinds["Next step: joint web"] == "next_step"
    assert kinds["A letter of intent i"] == "agreement"
    assert kinds["Funding lead: possib"] == "funding"


def test_a_press_release_pairs_the_cities_of_its_title(press):
    assert press["pairings"][0]["sides"] == [["Valencia", "ES"], ["Curitiba", "BR"]]
    assert press["pairings"][0]["label"] is None


def test_a_signed_agreement_is_told_apart_from_a_planned_one(press):
    statuses = [a["status"] for a in press["agreements"]]
    assert statuses == ["signed", "planned"]  # "The agreement was signed by ..." is the first


def test_headline_figures_and_contacts(mission, press):
    assert mission["totals"] == {"pilot_projects_eu_japan": 8, "mous_signed_eu_japan": 3}
    assert press["contacts"] == [{"name": "Ms Ana Lopes", "email": "ana.lopes@iuc-la.eu"}]
