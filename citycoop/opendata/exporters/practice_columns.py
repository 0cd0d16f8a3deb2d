"""The documented columns of good practices and needs, joined to the other record types'
in ``exporters/__init__.py``. A practice's text comes in every language it is written in,
one column per field and language (``title_en``, ``title_zh-hans``); contacts are listed
only when their details are public, or for a reader who sees internal records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse

from citycoop.opendata.selection import Selection
from citycoop.practices import models as practices
from citycoop.registry import models as registry

from .columns import Cell, Column, View, attribute, by_key, choices, identity, keys, listed, related
from .columns import rows_of as prefetched

TEXT_FIELDS = {
    "title": "title",
    "summary": "summary",
    "problem": "the problem it answers",
    "what_was_done": "what was done",
    "results": "its results, with figures",
    "cost_and_funding": "what it cost and how it was funded",
    "what_it_took": "what it took (people, skills, time)",
    "transferability_notes": "how it could be transferred",
}


def text_in(field: str, language: str) -> Callable[[Any, View], Cell]:
    def get(practice: Any, view: View) -> Cell:
        found = next((t for t in listed(practice, "texts") if t.language == language), None)
        return getattr(found, field) if found is not None else ""
    return get


def contacts_shown(practice: Any, view: View) -> Cell:
    return [person.name for person in listed(practice, "contacts")
            if not view.public_only or person.visibility == registry.Visibility.PUBLIC]


PRACTICE_COLUMNS = [
    *identity(),
    attribute("slug", "the practice's key, as in its web address"),
    attribute("original_language", "the language it was first written in: "
                                   + choices(code for code, _ in settings.LANGUAGES)),
    *related("place", "the city or region it comes from"),
    *related("organisation", "the organisation it comes from"),
    attribute("status", choices(practices.PracticeStatus.values)),
    Column("labelled", "true when it carries the programme's label",
           lambda p, view: p.labelled_at is not None),
    attribute("published_at", "when it was published (ISO 8601)"),
    attribute("labelled_at", "when the label was awarded (ISO 8601)"),
    keys("themes", "keys of its themes"),
    Column("sdgs", "UN Sustainable Development Goals, by number",
           lambda p, view: [str(goal) for goal in p.sdgs or []]),
    attribute("transferability", choices(practices.Transferability.values)),
    attribute("cost_amount", "what it cost, in cost_currency"),
    attribute("cost_currency", "ISO 4217 currency code"),
    *[Column(f"{field}_{code}", f"{meaning}, in {name}", text_in(field, code))
      for code, name in settings.LANGUAGES for field, meaning in TEXT_FIELDS.items()],
    Column("contacts", "names of its contacts whose details are public", contacts_shown),
    Column("pilots", "the pilot projects it came from, each as pairing-key/pilot-key",
           lambda p, view: [f"{pilot.pairing.slug}/{pilot.slug}"
                            for pilot in listed(p, "pilots")]),
    keys("pairings", "keys of the pairings it is linked to"),
    keys("events", "keys of the events where it was shared"),
    attribute("adoption_count", "how many other cities report having adopted it"),
    Column("url", "the practice's page",
           lambda p, view: view.link(reverse("practices:detail", args=[p.slug]))),
]

NEED_COLUMNS = [
    *identity(),
    attribute("slug", "the need's key, as in its web address"),
    *related("place", "the city or region that needs help"),
    attribute("title", "what the city needs"),
    attribute("description", "description"),
    keys("themes", "keys of its themes"),
    Column("sdgs", "UN Sustainable Development Goals, by number",
           lambda n, view: [str(goal) for goal in n.sdgs or []]),
    attribute("status", choices(practices.NeedStatus.values)),
    attribute("is_public", "true when the need is public"),
    Column("url", "the need's page",
           lambda n, view: view.link(reverse("practices:need", args=[n.slug]))),
]


def practice_records(selection: Selection) -> QuerySet[Any]:
    return selection.practices().select_related("place", "organisation").prefetch_related(
        prefetched("texts"), prefetched("themes", by_key(registry.Theme)),
        prefetched("contacts", registry.Person.objects.order_by("name")),
        prefetched("pilots", selection.pilots().select_related("pairing")),
        prefetched("pairings", selection.pairings().only("slug").order_by("slug")),
        prefetched("events", selection.events().only("slug").order_by("slug")),
    ).annotate(adoption_count=Count("adoptions", distinct=True)).order_by("pk")


def need_records(selection: Selection) -> QuerySet[Any]:
    return selection.needs().select_related("place").prefetch_related(
        prefetched("themes", by_key(registry.Theme))).order_by("pk")


COLUMNS = {"practices": PRACTICE_COLUMNS, "needs": NEED_COLUMNS}
QUERIES = {"practices": practice_records, "needs": need_records}
