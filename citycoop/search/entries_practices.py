"""Index entries for good practices and cities' needs.

A practice is found by its text in every language it is written in (a Chinese query finds
the Chinese text of a practice first written in English); its status facet says whether it
carries the programme's label, so that "labelled" is one click in the facets.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from django.urls import reverse

from citycoop.practices.models import Need, Practice, PracticeStatus, PracticeText

from .entries import Facts, clean, entry, grouped, joined, rows_of, year_of
from .models import Kind

LABELLED = "labelled"

TEXT_FIELDS = PracticeText.FIELDS


def practice_status(status: str, labelled_at: object) -> str:
    if status == PracticeStatus.PUBLISHED and labelled_at is not None:
        return LABELLED
    return status


def build_practices(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Practice, ids, ("slug", "title", "place_id", "organisation_id",
                                        "status", "labelled_at", "published_at", "sdgs")):
        chunk = [row["id"] for row in rows]
        texts = grouped((row[0], row[1:]) for row in PracticeText.objects.filter(
            practice_id__in=chunk).values_list("practice_id", *TEXT_FIELDS))
        themes_of = grouped(Practice.themes.through.objects.filter(practice_id__in=chunk)
                            .values_list("practice_id", "theme_id"))
        places = facts.places(row["place_id"] for row in rows)
        organisations = facts.organisations(row["organisation_id"] for row in rows)
        themes = facts.themes()
        for row in rows:
            owner = places.get(row["place_id"]) or organisations.get(row["organisation_id"])
            theme_ids = themes_of.get(row["id"], [])
            other_titles = [text[0] for text in texts.get(row["id"], ())]
            body_parts = [part for text in texts.get(row["id"], ()) for part in text[1:]]
            values = entry(
                facts, Kind.PRACTICE, row["id"], title=row["title"],
                body=joined(*other_titles, *body_parts,
                            *(themes[t].name for t in theme_ids if t in themes)),
                context=clean(owner.name if owner else ""),
                url=reverse("practices:detail", args=[row["slug"]]),
                is_public=row["status"] == PracticeStatus.PUBLISHED,
                countries={owner.country} if owner else (), theme_ids=theme_ids,
                status=practice_status(row["status"], row["labelled_at"]),
                year=year_of(row["published_at"]))
            values["sdgs"] = " ".join(sorted({*values["sdgs"].split(), *map(
                str, (g for g in row["sdgs"] or [] if isinstance(g, int)))}, key=int))
            yield values


def build_needs(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Need, ids, ("slug", "title", "description", "place_id", "status",
                                    "is_public", "created_at")):
        chunk = [row["id"] for row in rows]
        themes_of = grouped(Need.themes.through.objects.filter(need_id__in=chunk)
                            .values_list("need_id", "theme_id"))
        places = facts.places(row["place_id"] for row in rows)
        for row in rows:
            place = places.get(row["place_id"])
            yield entry(facts, Kind.NEED, row["id"], title=row["title"],
                        body=clean(row["description"]), context=clean(place.name if place else ""),
                        url=reverse("practices:need", args=[row["slug"]]),
                        is_public=row["is_public"], countries={place.country} if place else (),
                        theme_ids=themes_of.get(row["id"], []), status=row["status"],
                        year=year_of(row["created_at"]))
