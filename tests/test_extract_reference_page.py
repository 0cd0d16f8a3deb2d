"""The extractor reads the programme's status page as the hand annotation does.

The figures are the ones the report-import issue sets; the benchmark in bench/ prints them."""

from __future__ import annotations

import json

import pytest

from citycoop.imports.extract import extract
from citycoop.imports.readers import read_bytes, read_document
from citycoop.imports.score import TARGETS, score
from tests.conftest import require_shared

PAGE = "reports/world-cities-pilot-projects-2016.txt"
GOLD = "reports/world-cities-pilot-projects-2016.gold.json"


@pytest.fixture(scope="module")
def gold():
    return json.loads(require_shared(GOLD).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page_text():
    return require_shared(PAGE).read_text(encoding="utf-8")


def test_the_text_page_meets_every_figure(gold):
    draft = extract(read_document(require_shared(PAGE))).to_json(spans=False)
    scores = score(draft, gold)
    assert scores.failures(TARGETS) == []


@pytest.mark.parametrize("variant", ["html", "docx", "pdf", "md"])
def test_the_same_page_as_html_docx_pdf_and_markdown_scores_within_two_points(
        gold, page_text, variant):
    from tests.fixtures import make_report_variants as make

    text_scores = score(extract(read_bytes(page_text.encode(), "page.txt")).to_json(spans=False),
                        gold).as_dict()
    maker = {"html": make.make_html, "docx": make.make_docx, "pdf": make.make_pdf,
             "md": lambda t: make.make_markdown(t).encode()}[variant]
    document = read_bytes(maker(page_text), f"page.{variant}")
    scores = score(extract(document).to_json(spans=False), gold).as_dict()
    for entity in ["pairings", "actions", "organisations", "places", "dates", "urls",
                   "agreements", "totals"]:
        assert scores[entity]["f1"] >= text_scores[entity]["f1"] - 0.02, (variant, entity)


def test_every_fact_points_at_its_span_in_the_document(page_text):
    document = read_bytes(page_text.encode(), "page.txt")
    draft = extract(document).to_json(spans=True)
    for pairing in draft["pairings"]:
        for area in pairing["areas"]:
            for action in area["actions"]:
                start, end = action["spans"]["text"]
                assert " ".join(document.text[start:end].split()) == action["text"]
                for name in ["organisations", "places", "urls", "emails"]:
                    for value, (start, end) in zip(action[name], action["spans"][name],
                                                   strict=True):
                        assert " ".join(document.text[start:end].split()) == value
                for date, (start, end) in zip(action["dates"], action["spans"]["dates"],
                                              strict=True):
                    assert document.text[start:end] == date["text"]
