"""The regenerated status page, read back by the report importer, is the same records.

What the importer reads back from the demo's page, in Markdown, Word and HTML alike:

- the 10 pairings, the 35 stored pilots and all 50 stored actions come back as "same"
  (nothing changed in any of them);
- three paragraphs come back as new one-action pilots, because the importer reads a
  paragraph under a pairing as an action: the two pairing summaries (Chandigarh's
  "Business cooperation is especially promising ..." and Pune's "Delegates from Andalucía
  Smart City Cluster ...") and Chandigarh's open next step, which the page's bullets do not
  already say ("Next Step: Municipal Commissioner travels to Copenhagen ... (February)");
- the figures are new snapshots (they are filed under the new source document) and the
  regenerated file is a new source document;
- outside the page's records: agreement mentions inside action texts and one place the
  gazetteer guesses from "Low Carbon Development" ("Carbonia") are the extractor's own
  readings, not facts of the report, and are not asserted here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from citycoop.imports.extract import extract
from citycoop.imports.readers import read_bytes
from citycoop.imports.review import Review, review_report
from citycoop.portfolio.models import Action, Pairing, PilotProject
from citycoop.registry.models import Programme
from citycoop.reports.status.formats import render
from citycoop.reports.status.model import build_status_report

pytestmark = pytest.mark.django_db

PORTFOLIO = {"pairing", "pilot", "action"}
# The paragraphs the importer reads as new pilots of one action each (see the docstring).
READ_AS_NEW_ACTIONS = {
    "Business cooperation is especially promising",
    "Next Step: Municipal Commissioner travels to Copenhagen",
    "Delegates from Andalucía Smart City Cluster",
}


def review_of(data: bytes, name: str) -> Review:
    document = read_bytes(data, name)
    return review_report(document, extract(document), data,
                         programme="world-cities-2015-2016")


@pytest.mark.parametrize("fmt", ["md", "docx", "html"])
def test_the_regenerated_page_comes_back_as_the_same_records(demo, fmt):
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    review = review_of(render(build_status_report(programme), fmt), f"status.{fmt}")
    items = [item for item in review.items.values() if item.kind in PORTFOLIO]
    statuses = Counter((item.kind, item.status) for item in items)

    assert statuses[("pairing", "same")] == Pairing.objects.count() == 10
    assert statuses[("pilot", "same")] == PilotProject.objects.count()
    assert statuses[("action", "same")] == Action.objects.count()
    assert not any(item.status == "changed" for item in items)
    assert not [item for item in items if item.changes]

    new_actions = [item.values["text"] for item in items
                   if item.kind == "action" and item.status == "new"]
    assert len(new_actions) == len(READ_AS_NEW_ACTIONS)
    assert all(any(text.startswith(start) for start in READ_AS_NEW_ACTIONS)
               for text in new_actions)
    assert statuses[("pilot", "new")] == len(READ_AS_NEW_ACTIONS)
    assert statuses[("pairing", "new")] == 0


def test_the_figures_read_back_are_the_counted_ones(demo):
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    report = build_status_report(programme)
    review = review_of(render(report, "md"), "status.md")
    china = next(group for group in report.groups if group.name == "EU-China")
    assert review.draft.totals["pilot_projects_eu_china"] == china.figures.pilots
    assert review.draft.totals["mous_signed_eu_china"] == china.figures.agreements_signed
