"""Names in running text: organisations, places and people, by their shape in this field.

Organisations are recognised by how reports write them: a head word ("Keele Univ",
"Wolverhampton Aerospace Cluster", "Chamber of Commerce of Lyon"), an acronym ("ACCIO",
"DRC Sichuan"), a company introduced by a noun ("software companies Maithu and Pixel Soup"),
a name with a country code ("Rambøll (DK)"), a zone acting as a partner ("cooperation with
Tianjin Airport Economic Area"). Places come from the gazetteer, misspellings included.
A place inside an organisation's name ("Tianjin DRC") is not a place mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .lexicon import (
    ACTING_VERBS,
    GENERIC_ACRONYMS,
    GENERIC_CAPITALISED,
    INTRODUCING_NOUNS,
    NATIONALITIES,
    NON_BODY_TAILS,
    ORGANISATION_HEADS,
    PERSON_TITLES,
    PLURAL_HEADS,
    PROGRAMME_NAMES,
    TRAILING_ORGANISATION_NOUNS,
    WORLD_REGIONS,
    ZONE_HEADS,
    ZONE_PAIRS,
)
from .tokens import Token, chunks, mask_links, only_space_between, tokenise

ORGANISATION, PLACE, PERSON = "organisation", "place", "person"
COMPANY_SUFFIXES = frozenset({"co", "co.", "company", "sons", "partners", "associates"})
PARTNER_CONTEXT = frozenset({"with", "by", "between", "and", "&"})
COUNTRY_CODE_IN_BRACKETS = re.compile(r"\(([A-Z]{2})\)")
MAX_PLACE_WORDS = 16  # the gazetteer's longest real place name has 14 words


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    kind: str
    variants: tuple[str, ...] = ()


@dataclass
class Context:
    """What the recognisers need to know beyond the text itself."""

    is_place: Callable[[str, bool], bool]  # (name, allow_fuzzy) -> known place?
    is_country_code: Callable[[str], bool]
    vocabulary: frozenset[str] = field(default_factory=frozenset)  # words seen in lowercase

    def generic(self, token: Token) -> bool:
        folded = token.folded
        return folded in GENERIC_CAPITALISED or (token.sentence_start and folded in self.vocabulary)


def find_names(text: str, context: Context) -> list[Mention]:
    masked = mask_links(text)
    tokens = tokenise(masked)
    mentions: list[Mention] = []
    position = {id(token): index for index, token in enumerate(tokens)}
    for run in chunks(masked, tokens):
        index = position[id(run[0])]
        before = tokens[index - 1] if index > 0 else None
        after_index = position[id(run[-1])] + 1
        after = tokens[after_index] if after_index < len(tokens) else None
        mentions.extend(read_run(masked, run, before, after, context))
    mentions.extend(country_codes(masked, context))
    return sorted(dedupe(mentions), key=lambda m: (m.start, -m.end))


def read_run(text: str, run: list[Token], before: Token | None, after: Token | None,
             context: Context) -> list[Mention]:
    run = strip_generic_start(run, context)
    if not run:
        return []
    if run[0].folded.rstrip(".") in PERSON_TITLES and len(run) > 1:
        return [mention(text, run[1:], PERSON)]
    if join(run).casefold() in PROGRAMME_NAMES:
        return []  # programmes are not organisations ("IUC", "World Cities")
    found: list[Mention] = []
    introduced = introduced_by_noun(text, run[0], before)
    parts = split_run(text, run, context, introduced)
    for position, (joiner, part) in enumerate(parts):
        last = position == len(parts) - 1
        found.extend(read_part(text, part, joiner or before, after if last else None,
                               introduced, context))
    return found


def introduced_by_noun(text: str, first: Token, before: Token | None) -> bool:
    """ "software companies Maithu and Pixel Soup", "companies such as Etra Group and Kapsch"."""
    if before is None or not only_space_between(text, before, first):
        return False
    if before.folded in INTRODUCING_NOUNS:
        return True
    lead = text[max(0, before.start - 40):before.end].casefold().split()
    return (lead[-2:] == ["such", "as"] or lead[-1:] in (["including"], ["like"])) and \
        len(lead) >= 3 and lead[-3 if lead[-1] != "including" and lead[-1] != "like" else -2] \
        in INTRODUCING_NOUNS


def strip_generic_start(run: list[Token], context: Context) -> list[Token]:
    """Words that are capitalised only by their position ("Cooperation", "Possible", "The")."""
    while run and context.generic(run[0]) and not run[0].is_acronym:
        if run[0].folded == "the" and len(run) > 1 and not context.generic(run[1]) and \
                not context.is_place(join(run[1:]), False):
            break
        run = run[1:]
        while run and run[0].is_connector:
            run = run[1:]
    return run


def split_run(text: str, run: list[Token], context: Context,
              introduced: bool = False) -> list[tuple[Token | None, list[Token]]]:
    """Split "Barcelona Design Center and Wuhan" or "DRC Sichuan and DRC Wuhan" into parts,
    each with the "and"/"&" before it; keep "Chambers of Commerce of Lyon and Guangzhou" and
    "Sichuan and Shantou Universities" whole."""
    parts: list[tuple[Token | None, list[Token]]] = [(None, [])]
    for index, token in enumerate(run):
        if token.folded in {"and", "&"} and parts[-1][1]:
            left, right = parts[-1][1], run[index + 1:]
            if (splits_here(left, right, context) or (introduced and right[0].folded not in
                    COMPANY_SUFFIXES)):
                parts.append((token, []))
                continue
        parts[-1][1].append(token)
    return [(joiner, part) for joiner, part in parts if part]


def splits_here(left: list[Token], right: list[Token], context: Context) -> bool:
    right_part = right[:next((i for i, t in enumerate(right) if t.folded in {"and", "&"}),
                             len(right))]
    if not right_part:
        return False
    left_complete = has_head(left) or is_body_acronym(left[-1]) or (
        len(left) > 1 and is_body_acronym(left[0]))
    if not left_complete:
        # "Sichuan and Shantou Universities": places sharing one plural head word; but
        # "UK-China Research and Innovation Partnership Fund" is one name.
        if not context.is_place(join(left), False):
            # ... unless a complete name follows that starts with a place ("Lisboa E-Nova and
            # Kyoto City Environmental Policy Bureau").
            return has_head(right_part) and context.is_place(right_part[0].text, False)
        return not (has_head(right_part) and right_part[-1].folded in PLURAL_HEADS)
    governed_by_of = len(left) >= 2 and left[-2].folded in {"of", "de", "di"}
    right_is_place = context.is_place(join(right_part), False)
    if governed_by_of and right_is_place and not has_head(right_part):
        return False  # "... of Lyon and Guangzhou": the list continues the "of" phrase
    # "Association of Small and Middle Size Companies": "Middle" starts no name of its own.
    return (right_is_place or is_body_acronym(right_part[0]) or right_part[0].folded == "the"
            or right_part[0].folded in ORGANISATION_HEADS
            or context.is_place(right_part[0].text, False))


def join(tokens: list[Token]) -> str:
    return " ".join(token.text for token in tokens)


def head_index(tokens: list[Token]) -> int | None:
    """Where the organisation head word is: the last word, or a word followed by "of ..."."""
    for index in range(len(tokens) - 1, -1, -1):
        folded = tokens[index].folded
        is_head = folded in ORGANISATION_HEADS or is_zone_pair(tokens, index) or (
            folded == "city" and index + 1 < len(tokens) and tokens[index + 1].folded == "of")
        if not is_head:
            continue
        if index == len(tokens) - 1:
            return index
        following = tokens[index + 1].folded
        if following in {"of", "for", "de", "in"} or is_body_acronym(tokens[index + 1]):
            return index
    return None


def is_zone_pair(tokens: list[Token], index: int) -> bool:
    return index > 0 and f"{tokens[index - 1].folded} {tokens[index].folded}" in ZONE_PAIRS


def is_zone(tokens: list[Token], index: int) -> bool:
    return tokens[index].folded in ZONE_HEADS or is_zone_pair(tokens, index)


def has_head(tokens: list[Token]) -> bool:
    return head_index(tokens) is not None


def is_body_acronym(token: Token) -> bool:
    folded = token.folded
    return ((token.is_acronym or token.is_camel) and folded not in GENERIC_ACRONYMS
            and not (token.is_acronym and folded.endswith("s") and token.text[-1] == "s"))


def read_part(text: str, part: list[Token], before: Token | None, after: Token | None,
              introduced: bool, context: Context) -> list[Mention]:
    if not part:
        return []  # "in" first or last: located_in cut off nothing on that side
    name = join(part)
    folded_last = part[-1].folded
    after_text = text[part[-1].end:part[-1].end + 6]
    if folded_last in NON_BODY_TAILS or (after is not None and after.folded in NON_BODY_TAILS
                                         and only_space_between(text, part[-1], after)):
        return []  # a plan or an event: "NAINA Regional Development Plan", "Trade fair"
    tail = next((i for i, t in enumerate(part[1:-1], start=1) if t.folded in NON_BODY_TAILS
                 and part[i + 1].folded == "in"), None)
    if tail is not None:  # "Italian Week in Tianjin": the event's place counts, not its name
        return places_within(text, part[tail + 2:], context)
    partner = before is not None and before.folded in PARTNER_CONTEXT
    head = head_index(part)
    if head is not None and len(part) == 1:
        return []  # a head word alone ("Port cooperation") names nothing
    if head is not None:
        cut = located_in(part, head)
        if cut is not None:  # "Port of Málaga in Shantou": the body, then where it was
            return read_part(text, part[:cut], before, None, introduced, context) + \
                read_part(text, part[cut + 1:], part[cut], after, False, context)
    if head is not None and is_zone(part, head) and not partner and \
            not (after is not None and after.folded.startswith("cooperat")):
        # A zone as a location; "a Technology Park" is a kind of thing, not a named place.
        named = part[0].folded not in context.vocabulary and not context.generic(part[0])
        return [mention(text, part, PLACE)] if named else []
    if head is not None and (part[head].folded not in PLURAL_HEADS or len(part) > 1):
        return [mention(text, part, ORGANISATION)]
    if len(part) >= 2 and all(t.is_acronym or t.is_connector for t in part) and \
            any(is_body_acronym(t) for t in part):
        return [mention(text, part, ORGANISATION)]  # "ARTIGENT ROBOTICS"
    if any(is_body_acronym(t) for t in part):
        return acronym_mentions(text, part, context)
    if introduced or COUNTRY_CODE_IN_BRACKETS.match(after_text.lstrip()) or (
            explained_by_body(text, part[-1].end)
            and not any(t.folded in context.vocabulary for t in part)):
        return [mention(text, part, ORGANISATION)]
    if after is not None and after.folded in TRAILING_ORGANISATION_NOUNS and \
            only_space_between(text, part[-1], after) and not is_nationality(part):
        # "World Cities team", "Chandigarh administration": the noun is part of the name.
        return [mention(text, [*part, after], ORGANISATION)]
    guess = not (len(part) == 1 and (part[0].sentence_start or
                                     part[0].folded in context.vocabulary))
    if context.is_place(name, guess) or name.casefold() in WORLD_REGIONS:
        return [mention(text, part, PLACE)]
    if foreign_body(part, context):
        return [mention(text, part, ORGANISATION)]
    if len(part) >= 2 and partner and not context.is_place(name, False) and \
            not is_nationality(part) and not context.generic(part[0]):
        return [mention(text, part, ORGANISATION)]  # "with Smart Electric Lyon"
    word = part[0].text
    if len(part) == 1 and part[0].sentence_start and after is not None and \
            after.folded in ACTING_VERBS and word[1:].islower() and len(word) > 3 and \
            not context.generic(part[0]) and part[0].folded not in context.vocabulary:
        return [mention(text, part, ORGANISATION)]  # "Danfoss is keen to ..."
    return places_within(text, part, context)


def explained_by_body(text: str, position: int) -> bool:
    """ "Medilink (UK Medical Association)": a name glossed by an organisation in brackets."""
    rest = text[position:position + 120].lstrip()
    if not rest.startswith("("):
        return False
    inside = rest[1:rest.find(")")] if ")" in rest else ""
    words = inside.split()
    return (bool(words) and words[-1].casefold() in ORGANISATION_HEADS and words[-1][0].isupper()
            and words[0][0].isupper() and words[-1].casefold() not in ZONE_HEADS)


def located_in(part: list[Token], head: int) -> int | None:
    """Where "in <place>" starts after an "of" phrase or a zone; "UK Embassy in China" keeps
    its "in"."""
    first = head + 1 if is_zone(part, head) else head + 2
    for index in range(first, len(part)):
        if part[index].folded == "in":
            return index
    return None


def is_nationality(part: list[Token]) -> bool:
    return part[0].folded in NATIONALITIES


def foreign_body(part: list[Token], context: Context) -> bool:
    """ "Fira de Barcelona": a word that is not a place, joined by de/di/del to a place."""
    for index, token in enumerate(part[1:-1], start=1):
        if token.folded in {"de", "di", "del", "della", "du"}:
            head, tail = part[:index], part[index + 1:]
            return (not context.is_place(join(head), False) and not context.generic(head[0])
                    and context.is_place(join(tail), False))
    return False


def acronym_mentions(text: str, part: list[Token], context: Context) -> list[Mention]:
    """ "Tianjin DRC", "DRC Sichuan", "MMRDA", "CMP": an acronym with an adjacent place is one
    body; other acronyms stand alone, and the remaining words may name places."""
    if len(part) == 2 and any(is_body_acronym(t) for t in part):
        other = part[0] if is_body_acronym(part[1]) else part[1]
        if context.is_place(other.text, False):
            return [mention(text, part, ORGANISATION)]
    found: list[Mention] = []
    rest: list[Token] = []
    for token in part:
        if is_body_acronym(token) and not context.is_country_code(token.text):
            found.extend(places_within(text, rest, context))
            rest = []
            found.append(mention(text, [token], ORGANISATION))
        else:
            rest.append(token)
    found.extend(places_within(text, rest, context))
    return found


def places_within(text: str, part: list[Token], context: Context) -> list[Mention]:
    """The longest runs of words inside ``part`` that the gazetteer knows as places."""
    found: list[Mention] = []
    index = 0
    while index < len(part):
        # No window longer than a place name can be: a run of thousands of capitalised
        # words would otherwise be joined and looked up thousands of times over.
        for end in range(min(len(part), index + MAX_PLACE_WORDS), index, -1):
            window = part[index:end]
            if window[0].is_connector or window[-1].is_connector:
                continue
            name = join(window)
            single = len(window) == 1
            # A misspelt place is guessed at only mid-sentence: a capitalised first word is
            # more often an ordinary word ("Funding lead: ...") than a misspelt city.
            allow_fuzzy = single and not context.generic(window[0]) and \
                window[0].folded not in context.vocabulary and not window[0].sentence_start
            if single and (window[0].is_acronym or context.generic(window[0])
                           or window[0].folded in NON_BODY_TAILS):
                continue
            if context.is_place(name, allow_fuzzy) or name.casefold() in WORLD_REGIONS:
                found.append(mention(text, window, PLACE))
                index = end
                break
        else:
            index += 1
    return found


def country_codes(text: str, context: Context) -> list[Mention]:
    """ "Rambøll (DK)": a country code in brackets is a place mention."""
    return [Mention(m.group(1), m.start(1), m.end(1), PLACE)
            for m in COUNTRY_CODE_IN_BRACKETS.finditer(text) if context.is_country_code(m.group(1))]


def mention(text: str, tokens: list[Token], kind: str) -> Mention:
    start, end = tokens[0].start, tokens[-1].end
    return Mention(text[start:end], start, end, kind)


def dedupe(mentions: list[Mention]) -> list[Mention]:
    """Drop mentions inside an organisation's name, and repeats of the same span."""
    organisations = [m for m in mentions if m.kind in {ORGANISATION, PERSON}]
    kept: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    for item in mentions:
        if (item.start, item.end) in seen:
            continue
        inside = any(o is not item and o.start <= item.start and item.end <= o.end
                     and (o.end - o.start) > (item.end - item.start) for o in organisations)
        if inside:
            continue
        seen.add((item.start, item.end))
        kept.append(item)
    return kept
