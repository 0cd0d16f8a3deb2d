"""Good practices for tests, made through the services (so audited, as in real use).

Functions, not fixtures, so any test module can use them::

    from tests.factories_practices import make_practice, make_reviewer
    practice = make_practice(coordinator, status="published")

They sit on the demo portfolio (the ``demo`` fixture): places and themes by their keys.
"""

from __future__ import annotations

from typing import Any

from citycoop.practices import services
from citycoop.practices.models import Practice, ReviewDecision

# Scores that earn the label (all at least 3, mean 3.75) and scores that do not (one 2).
PASSING = {"relevance": 4, "evidence": 4, "transferability": 4, "participation": 3}
FAILING = {"relevance": 5, "evidence": 2, "transferability": 5, "participation": 5}

ENGLISH = {
    "title": "Sorting waste at the source in 200 housing estates",
    "summary": "Households sort food waste; landfill fell by a third in two years.",
    "problem": "Landfill was full and methane escaped.",
    "what_was_done": "Bins for food waste in every building, and wardens who explain them.",
    "results": "Landfill down 34% in two years; 61% of households sort.",
}


def make_reviewer(username: str = "reviewer") -> Any:
    """A practice reviewer of the demo programme."""
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.registry.models import Programme

    user = User.objects.create_user(username, password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.REVIEWER,
                              programme=Programme.objects.get(slug="world-cities-2015-2016"))
    return user


def make_practice(author: Any, *, place: str | None = "lyon", organisation: str | None = None,
                  texts: dict[str, dict[str, str]] | None = None,
                  themes: tuple[str, ...] = ("waste-management",), status: str = "draft",
                  reviewer: Any = None, scores: dict[str, int] | None = None,
                  **values: Any) -> Practice:
    """A practice of the place (or organisation) by its key, taken through the workflow up
    to ``status`` ("draft", "submitted", "returned", "reviewed" or "published"). Reviewing
    needs a reviewer: one is made when none is given. ``scores`` decide the label."""
    from citycoop.registry.models import Organisation, Place, Theme

    owner: dict[str, Any] = {}
    if place is not None:
        owner["place"] = Place.objects.get(slug=place)
    if organisation is not None:
        owner["organisation"] = Organisation.objects.get(slug=organisation)
    practice = services.create_practice(
        {**owner, **values}, texts or {"en": dict(ENGLISH)}, acting_user=author,
        themes=list(Theme.objects.filter(slug__in=themes)))
    if status == "draft":
        return practice
    practice = services.submit_practice(practice, acting_user=author)
    if status == "submitted":
        return practice
    if reviewer is None:
        from citycoop.accounts.models import User

        reviewer = User.objects.filter(username="reviewer").first() or make_reviewer()
    decision = ReviewDecision.RETURN if status == "returned" else ReviewDecision.APPROVE
    services.review_practice(practice, scores or PASSING, decision,
                             "Give the figures' sources." if status == "returned" else "",
                             acting_user=reviewer)
    practice.refresh_from_db()
    if status in ("returned", "reviewed"):
        return practice
    return services.publish_practice(practice, acting_user=reviewer)
