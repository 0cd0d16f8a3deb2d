"""Agreements mentioned in a report: MoUs, letters of intent, partnerships being launched.

One agreement per distinct mention, with the clause it stands in, its status (signed,
under_preparation, planned), how many agreements the mention covers, and the parties named.
A negated mention ("no MoU has been signed so far") is not an agreement; it is a figure
(see totals.py). A later mention of the same parties is the same agreement, not a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sentences import clause_around, sentences

WORD = re.compile(
    r"\b(mous?|memorand(a|um)(\s+of\s+understanding)?|agreements?|letters?\s+of\s+intent|"
    r"twinning|sister[- ]city)\b|\bpartnership\b(?=.{0,60}\b(launch|sign|conclu))|"
    r"(?<=\blaunch of a )[\w\s-]{0,40}?\bpartnership\b|"
    r"\b(launch\w*|sign\w*)\b[\w\s-]{0,40}?\bpartnership\b", re.I)
NEGATED = re.compile(r"\b(no|not|never|without)\b[\w\s]{0,12}\b(mous?|agreements?|memorand)", re.I)
UNDER_PREPARATION = re.compile(
    r"\b(under\s+preparation|in\s+preparation|being\s+(prepared|drafted|negotiated)|preparing|"
    r"drafting|negotiat\w+|in\s+the\s+pipeline)\b", re.I)
SIGNED = re.compile(r"\b(signed|concluded|inked|were\s+agreed|has\s+been\s+agreed)\b", re.I)
PLANNED = re.compile(r"\b(plann\w*|envisag\w*|intend\w*|will\s+sign|to\s+sign|signing|"
                     r"should\s+be\s+signed|foreseen|expected|proposed|aim\w*\s+to)\b", re.I)
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}
COUNT = re.compile(r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+"
                   r"(?:new\s+|bilateral\s+|further\s+)?(mous?|memorand\w*|agreements?|"
                   r"letters?\s+of\s+intent)\b", re.I)
# Reports wrapped at a fixed width (PDFs) break lines anywhere: spaces are \s+ throughout.
MORE_THAN = re.compile(r"(the\s+)?more\s+than\s+\d+\s+(from|under|of|in)\s+(the\s+)?[\w-]+"
                       r"(\s+(cooperation|programme|program|project))?", re.I)
ALSO = re.compile(r"\s+as\s+well\s+as\s+|;\s+", re.I)
EXAMPLE = re.compile(r"\((e\.g\.|for\s+example|such\s+as)\s+([^()]+?)\s+[–-]\s+([^()]+?)"
                     r"(\s+for\s+[^()]*)?\)", re.I)
BETWEEN = re.compile(r"\bbetween\s+(.+?)(?=\s+(is|are|was|were|has|have|for|on)\b|[,.;]|$)",
                     re.I)


WITH = re.compile(r"\bwith\s+(?:the\s+)?([A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|of|de|and))*)")


ANAPHORA = re.compile(r"^\s*(the|this|that|such\s+an?)\s+(mou|memorand\w*|agreement|letter\s+"
                     r"of\s+intent|partnership)\b", re.I)


@dataclass
class AgreementMention:
    text: str
    start: int
    end: int
    status: str
    count: int | None
    parties: list[str] = field(default_factory=list)


SIGNED_STATEMENT = re.compile(r"\b(have|has|had)\s+been\s+(signed|concluded)\b|\b(was|were)\s+"
                              r"(signed|concluded)\b", re.I)


def status_of(clause: str, sentence: str) -> str:
    """The clause decides; failing that, the sentence, where only a statement that something
    was signed counts ("there should be a document signed" is not one)."""
    if UNDER_PREPARATION.search(clause):
        return "under_preparation"
    if PLANNED.search(clause) and not SIGNED_STATEMENT.search(clause):
        return "planned"
    if SIGNED.search(clause):
        return "signed"
    if UNDER_PREPARATION.search(sentence):
        return "under_preparation"
    if SIGNED_STATEMENT.search(sentence):
        return "signed"
    return "planned"


def count_of(clause: str) -> int | None:
    if MORE_THAN.search(clause):
        return None
    match = COUNT.search(clause)
    if not match:
        return None
    word = match.group(1).casefold()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def parties_of(clause: str) -> list[str]:
    match = BETWEEN.search(clause)
    if match:
        inside = match.group(1)
        if "(" in inside and ")" not in inside:
            inside = clause[match.start(1):clause.find(")", match.start(1)) + 1]
        parts = re.split(r"\s+and\s+(?![^()]*\))", inside)
        parties = [re.sub(r"^the\s+", "", p.strip(), flags=re.I) for p in parts]
        # "between the two cities" names no party.
        return [p for p in parties if p and p[0].isupper()]
    return [match.group(1).strip() for match in WITH.finditer(clause)]


def find_agreements(text: str) -> list[AgreementMention]:
    found: list[AgreementMention] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        covered: list[tuple[int, int]] = []
        for match in WORD.finditer(sentence):
            position = start + match.start()
            if any(a <= position < b for a, b in covered):
                continue
            left, right = clause_around(text, start, end, position)
            covered.append((left, right))
            clause = text[left:right]
            if NEGATED.search(clause) or (ANAPHORA.match(clause) and found):
                continue  # "no MoU was signed"; "The agreement was signed by ..." (said before)
            found.extend(split_clause(text, left, right, status_of(clause, sentence)))
            for more in MORE_THAN.finditer(clause):
                found.append(AgreementMention(more.group(), left + more.start(),
                                              left + more.end(), "signed", None))
        if not covered and found:
            found.extend(examples(text, start, end, found[-1].status))
    return found


def split_clause(text: str, left: int, right: int, status: str) -> list[AgreementMention]:
    """ "MoUs were signed on tourism cooperation as well as between the Chambers of Commerce
    of Lyon and Guangzhou" is two mentions with the same status."""
    pieces: list[tuple[int, int]] = []
    cursor = left
    for match in ALSO.finditer(text, left, right):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, right))
    return [AgreementMention(text[a:b], a, b, status, count_of(text[a:b]),
                             parties_of(text[a:b])) for a, b in pieces if text[a:b].strip()]


def examples(text: str, start: int, end: int, status: str) -> list[AgreementMention]:
    """ "Many of them are B2B (e.g. Fira de Barcelona – Tianfu New District for ...)": an
    example that names the parties of one of the agreements the sentence before counted."""
    sentence = text[start:end]
    return [AgreementMention(sentence, start, end, status, 1,
                             [match.group(2).strip(), match.group(3).strip()])
            for match in EXAMPLE.finditer(sentence)]


def party_words(mention: AgreementMention) -> set[str]:
    """The proper-name words of the parties ("Copenhagen", "CLEAN", "Cluster")."""
    return {w.casefold() for p in mention.parties for w in re.findall(r"\w+", p)
            if len(w) > 3 and w[0].isupper()}


def same_agreement(first: AgreementMention, second: AgreementMention) -> bool:
    """Two mentions of one agreement: they share a party, and neither was signed apart."""
    shared = party_words(first) & party_words(second)
    return bool(shared) and "signed" not in {first.status, second.status}
