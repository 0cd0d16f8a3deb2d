"""Whom a participant should meet, with the reasons in plain words.

The scoring is the pure engine's (:mod:`citycoop.matchmaking.engine.recommend`); this module
turns the event's published profiles into its cards and its reasons into translated
sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citycoop.events.models import Participation

from .engine.recommend import Card, CardIndex, Reason, build_index, recommend
from .models import MatchmakingSetup, MeetingRequest, Profile, RequestStatus, Side

# The languages a profile can name, by ISO 639-1 code.
LANGUAGES = [
    ("en", gettext_lazy("English")),
    ("zh", gettext_lazy("Chinese")),
    ("hi", gettext_lazy("Hindi")),
    ("fr", gettext_lazy("French")),
    ("de", gettext_lazy("German")),
    ("es", gettext_lazy("Spanish")),
    ("it", gettext_lazy("Italian")),
    ("pt", gettext_lazy("Portuguese")),
    ("nl", gettext_lazy("Dutch")),
    ("pl", gettext_lazy("Polish")),
    ("da", gettext_lazy("Danish")),
    ("sv", gettext_lazy("Swedish")),
    ("fi", gettext_lazy("Finnish")),
    ("el", gettext_lazy("Greek")),
    ("ja", gettext_lazy("Japanese")),
    ("ko", gettext_lazy("Korean")),
    ("ar", gettext_lazy("Arabic")),
    ("ru", gettext_lazy("Russian")),
]
LANGUAGE_NAMES = dict(LANGUAGES)


def language_names(codes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in codes)


def card(profile: Profile) -> Card:
    return Card(id=str(profile.participation_id), name=profile.organisation_name,
                offers=profile.offers, requests=profile.requests,
                themes=frozenset(t.name for t in profile.themes.all()),
                languages=frozenset(profile.languages or ()), side=profile.side)


def reason_text(reason: Reason) -> str:
    """One reason as a sentence: "they offer what you look for: district heating, biotech"."""
    items = ", ".join(reason.items)
    if reason.kind == "they_offer":
        return _("they offer what you look for: %(terms)s") % {"terms": items}
    if reason.kind == "they_seek":
        return _("they look for what you offer: %(terms)s") % {"terms": items}
    if reason.kind == "themes":
        return _("both work on %(themes)s") % {"themes": items}
    if reason.kind == "sides":
        return _("they sell, you buy") if reason.items[0] == Side.SELLER else \
            _("they buy, you sell")
    if reason.kind == "language":
        return _("you both speak %(languages)s") % {"languages": language_names(reason.items)}
    return items


@dataclass
class Recommendation:
    profile: Profile
    score: float
    reasons: list[str]


def event_index(event_id: int, me: Profile | None = None) -> tuple[CardIndex, dict[str, Profile]]:
    """The event's published profiles (and ``me``, published or not) as the engine's index."""
    profiles = list(Profile.objects.filter(participation__event_id=event_id, published=True)
                    .select_related("participation__person", "participation__organisation")
                    .prefetch_related("themes"))
    if me is not None and all(p.pk != me.pk for p in profiles):
        profiles.append(me)
    by_id = {str(p.participation_id): p for p in profiles}
    return build_index(card(p) for p in profiles), by_id


def recommendations(participation: Participation, top: int = 5) -> list[Recommendation]:
    """The ``top`` published profiles most worth meeting, leaving out whoever the participant
    already asked or was asked by, and the same side where the event keeps sides apart."""
    me = Profile.objects.filter(participation=participation).first()
    if me is None:
        return []
    index, by_id = event_index(participation.event_id, me)
    asked = MeetingRequest.objects.filter(
        Q(requester=participation) | Q(recipient=participation)
    ).exclude(status=RequestStatus.WITHDRAWN).values_list("requester_id", "recipient_id")
    exclude = {str(x) for pair in asked for x in pair}
    setup = MatchmakingSetup.objects.filter(event_id=participation.event_id).first()
    if setup is not None and not setup.same_side_meetings and me.side != Side.EITHER:
        exclude |= {cid for cid, p in by_id.items() if p.side == me.side}
    found = recommend(index, str(participation.pk), top=top, exclude=exclude)
    return [Recommendation(by_id[s.id], s.score, [reason_text(r) for r in s.reasons])
            for s in found]
