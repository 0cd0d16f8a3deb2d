"""What an action is (mission, event, agreement, ...) and its lead-in label, from its words."""

from __future__ import annotations

import re

NEXT_STEP = re.compile(r"^\s*(next\s+steps?|follow[- ]?up|upcoming|to\s+do)\s*[:\-–]", re.I)
AGREEMENT = re.compile(
    r"\b(mous?|memorand\w*|agreements?|letters?\s+of\s+intent|contracts?|twinning)\b"
    r"|\bpartnership\b.{0,60}\b(launch\w*|sign\w*|conclu\w*)|\b(launch\w*|sign\w*)\b.{0,60}"
    r"\bpartnership\b", re.I)
MISSION = re.compile(r"\b(\w+-)?missions?\b|\bdelegat\w*|\bvisit(s|ed)?\b|\btravel(l)?ed\b|"
                     r"\bstudy\s+tour\b|\btrip\b", re.I)
EVENT = re.compile(r"\b(week|fair|events?|conference|congress|forum|summit|workshop|seminar|"
                   r"webinar|exhibition|expo|festival|matchmaking)\b", re.I)
FUNDING = re.compile(r"\b(funds?|funding|funded|grants?|financ\w+|loans?|invest\w*)\b|"
                     r"\bsupport\s+by\b", re.I)
# "during the March mission": a mission named as the background of something else.
BACKGROUND = re.compile(r"\b(during|after|at|on|following|since)\s+(the\s+)?(\w+\s+)?$", re.I)
COOPERATION = re.compile(r"\bco-?operat\w*|\bcollaborat\w*", re.I)
FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(\s+[A-Z(]|\s*$)", re.S)
LABEL = re.compile(r"^\s*([^.:;!?\n]{2,90}?)\s*[:]\s+\S")
PERIOD_LABEL = re.compile(r"^\s*([^.:;!?\n]{2,60}?)\.\s+[A-Z]")


def first_sentence(text: str) -> str:
    match = FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def topic_of(text: str, *, has_place: bool, has_date: bool) -> str | None:
    """A short lead-in label: "Sewage treatment: ...", "Climate change. Stuttgart is ...".

    A label ending in a full stop is taken only when it is short and names no place or date,
    since "Mission to China in June 2015." is a sentence, not a label.
    """
    if NEXT_STEP.search(text):
        return None  # "Next Step:" says what kind of action it is, not its topic
    match = LABEL.match(text)
    if match and len(match.group(1).split()) <= 8 and "http" not in match.group(1).casefold():
        return match.group(1).strip()
    match = PERIOD_LABEL.match(text)
    if match and len(match.group(1).split()) <= 6 and not has_place and not has_date:
        return match.group(1).strip()
    return None


def kind_of(text: str, topic: str | None) -> str:
    """Rules in order of precedence; the lead sentence decides missions and events, since a
    later "after the visit" does not make a cooperation a mission."""
    if NEXT_STEP.search(text):
        return "next_step"
    if AGREEMENT.search(text) and not re.search(r"\bno\s+(mou|agreement)\b", text, re.I):
        return "agreement"
    lead = first_sentence(text)
    if topic and lead.startswith(topic):
        lead = lead[len(topic):].lstrip(" :.–-")
    if any(not BACKGROUND.search(lead[:m.start()]) for m in MISSION.finditer(lead)):
        return "mission"
    if EVENT.search(lead) and not COOPERATION.search(lead):
        return "event"
    if FUNDING.search(text):
        return "funding"
    return "cooperation"
