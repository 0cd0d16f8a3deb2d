"""Score a report draft (what ``citycoop extract`` prints) against a hand-annotated gold draft.

Shape and conventions: ../shared/docs/report-draft.md, "How it is scored". Pure Python, no
Django. The decisions:

* ``normalise``: ``fold`` (case, accents, hyphens/dashes/apostrophes/dots), "&" read as "and",
  any other character that is not a letter or digit a space, one leading "the" dropped, spaces
  collapsed. Every name and text goes through it except URLs and e-mails.
* Organisations, places, dates, URLs, e-mails: document-level sets over every action of every
  pairing and area.
* Organisations: names linked by a variant are one organisation (union-find over every gold
  ``org_variants``, per action or top level, and the ``parties_normalised`` of an agreement
  whose single party is a gold organisation). Expected: ``all_organisations`` (document-level,
  with the intro/summary-only bodies) united with the actions' organisations (equal when the
  gold is consistent; the actions' alone without the list). Predicted: the actions'
  organisations plus a top-level ``organisations`` or ``all_organisations`` list if the draft
  has one (the shape has no other home for intro-only bodies). A predicted name equal to any
  form of a gold organisation finds it; more forms of one organisation count once and are
  never spurious; every other predicted name is one spurious item.
* Places as written: "Chendgu" stays "chendgu"; "DK" is a place.
* Dates by normalised ``text``. ``dates_iso_agreement``: of the matched texts, the share whose
  every predicted (iso, iso_end) is a reading the gold gives that text (missing iso_end: None);
  where the gold iso is null, null and ``iso_inferred`` are both accepted. No matched date:
  1.0 if the gold has no dates, else 0.0.
* URLs as written, minus surrounding quotes/brackets and trailing ".,;:!?" or unbalanced ")"
  "]"; scheme and host case-insensitive, the rest exact. E-mails: the same stripping,
  "mailto:" dropped, the domain case-insensitive.
* Pairings: the set of frozensets of normalised side names, countries ignored; a pairing with
  no sides (the ``label: null`` bucket) is not a pairing. ``pairing_countries_agreement``: of
  the sides of matched pairings, the share whose country code agrees (0.0 if none matched, 1.0 if
  the gold has no pairings).
* Actions, a list (one per bullet): equal normalised texts, or one containing the other with
  the shorter at least 90% of the longer's length.
* Agreements: equal normalised status, and text token Jaccard >= 0.5 or one normalised text
  containing the other at word boundaries (the shorter at least 3 words).
* Totals, (key, value) pairs with values compared as numbers: equal value, and a key equal
  after normalise() or of the same ``_key_reading``: plurals singularised ("mous" -> "mou"),
  synonyms mapped, filler ("eu", "total", "number"...) and bare numbers dropped, "more than"
  /"over"/"at least" a flag. The flags and the qualifier tokens ("china", "india",
  "cetregio"...) equal, the measure tokens ("mou", "pilot", "project", "signed") non-empty and
  one set inside the other.
* Actions, agreements and totals match one-to-one, greedily: equal forms first, then the
  closest (length ratio, Jaccard), ties in document order.
* Contacts are not scored: ``contacts_found`` counts gold contacts whose e-mail (casefolded) or
  normalised name the draft has.
* Precision is 1.0 when nothing was predicted and nothing expected, 0.0 when nothing was
  predicted but something was expected; recall is 1.0 when nothing was expected.
  ``failures`` compares a PRF's F1, and a plain figure as it is, with its threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from citycoop.lib.text import fold

__all__ = ["ENTITIES", "PRF", "TARGETS", "Scores", "format_report", "normalise", "score"]

TARGETS: dict[str, float] = {
    "pairings": 1.0, "actions": 0.95, "organisations": 0.95, "places": 0.95, "dates": 0.95,
    "dates_iso_agreement": 0.95, "urls": 1.0, "emails": 1.0, "agreements": 0.85, "totals": 1.0,
}
ENTITIES = ("pairings", "actions", "organisations", "places", "dates", "urls", "emails",
            "agreements", "totals")

_T = TypeVar("_T")
_NON_WORD = re.compile(r"[\W_]+")
_EPSILON = 1e-9


def normalise(text: str) -> str:
    """``"The Green-Way & Co."`` → ``"green way and co"``."""
    words = _NON_WORD.sub(" ", fold(text.replace("&", " and "))).split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    expected: int
    missed: tuple[str, ...] = ()  # gold items not found (normalised form, sorted)
    spurious: tuple[str, ...] = ()  # predicted items not in gold

    @classmethod
    def of(cls, tp: int, predicted: int, expected: int,
           missed: Iterable[str] = (), spurious: Iterable[str] = ()) -> PRF:
        precision = tp / predicted if predicted else (0.0 if expected else 1.0)
        recall = tp / expected if expected else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, tp, predicted, expected,
                   tuple(sorted(missed)), tuple(sorted(spurious)))

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "true_positives": self.true_positives, "predicted": self.predicted,
                "expected": self.expected}


@dataclass(frozen=True)
class Scores:
    pairings: PRF
    actions: PRF
    organisations: PRF
    places: PRF
    dates: PRF
    dates_iso_agreement: float  # share of matched dates whose iso (and iso_end) agrees
    urls: PRF
    emails: PRF
    agreements: PRF
    totals: PRF
    pairing_countries_agreement: float = 1.0  # share of matched pairings' sides agreeing
    contacts_found: int = 0  # contacts are not scored: for information only
    contacts_expected: int = 0
    contacts_predicted: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers for printing or JSON."""
        out: dict[str, Any] = {}
        for entity in ENTITIES:
            out[entity] = getattr(self, entity).as_dict()
            if entity == "dates":
                out["dates_iso_agreement"] = self.dates_iso_agreement
        out["pairing_countries_agreement"] = self.pairing_countries_agreement
        out["contacts"] = {"found": self.contacts_found, "expected": self.contacts_expected,
                           "predicted": self.contacts_predicted}
        return out

    def failures(self, thresholds: Mapping[str, float]) -> list[str]:
        """One line per figure below its threshold (a PRF by its F1), in the thresholds' order."""
        lines = []
        for key, target in thresholds.items():
            figure = getattr(self, key, None)
            if isinstance(figure, PRF):
                value, line = figure.f1, f"{key} F1"
            elif isinstance(figure, int | float) and not isinstance(figure, bool):
                value, line = float(figure), key
            else:
                raise KeyError(f"no score called {key!r}")
            if value + _EPSILON < target:
                line += f" {_below(value, target)}"
                if isinstance(figure, PRF) and (figure.missed or figure.spurious):
                    lists = (_trim("missed", figure.missed), _trim("spurious", figure.spurious))
                    line += f" ({'; '.join(part for part in lists if part)})"
                lines.append(line)
        return lines


def _below(value: float, target: float) -> str:
    """``"0.91 < 0.95"``, with more digits when two would print the same number."""
    for digits in (2, 3, 4):
        shown, wanted = f"{value:.{digits}f}", f"{target:.{digits}f}"
        if shown != wanted:
            break
    return f"{shown} < {wanted}"


def _trim(label: str, items: Sequence[str], limit: int = 5, width: int = 60) -> str:
    if not items:
        return ""
    shown = [item if len(item) <= width else item[: width - 1] + "…" for item in items[:limit]]
    more = f", … +{len(items) - limit} more" if len(items) > limit else ""
    return f"{label}: {', '.join(shown)}{more}"


# A predicted draft may be malformed: the readers below trust none of its types.

def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _names(value: Any) -> list[str]:
    items = [item.get("name") if isinstance(item, Mapping) else item
             for item in ([value] if isinstance(value, str) else _list(value))]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def _text(item: Mapping[str, Any], key: str) -> str:
    return normalise(str(item.get(key) or ""))


def _actions(draft: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for pairing in _list(draft.get("pairings")):
        for area in _list(pairing.get("areas")) if isinstance(pairing, Mapping) else []:
            actions = _list(area.get("actions")) if isinstance(area, Mapping) else []
            yield from (action for action in actions if isinstance(action, Mapping))


def _collect(draft: Mapping[str, Any], field: str, clean: Callable[[str], str]) -> set[str]:
    return {c for action in _actions(draft) for n in _names(action.get(field)) if (c := clean(n))}


def _set_prf(predicted: set[str], expected: set[str]) -> PRF:
    return PRF.of(len(predicted & expected), len(predicted), len(expected),
                  expected - predicted, predicted - expected)


def _matched_prf(gold: Sequence[_T], predicted: Sequence[_T],
                 closeness: Callable[[_T, _T], float | None], show: Callable[[_T], str]) -> PRF:
    """One-to-one greedy matching, the closest pairs first (``closeness`` None: no match)."""
    candidates = sorted((-c, gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)
                        if (c := closeness(g, p)) is not None)
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_predicted:
            used_gold.add(gi)
            used_predicted.add(pi)
    return PRF.of(len(used_gold), len(predicted), len(gold),
                  [show(g) for i, g in enumerate(gold) if i not in used_gold],
                  [show(p) for i, p in enumerate(predicted) if i not in used_predicted])


def _organisations(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> PRF:
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def join(a: str, b: str) -> None:
        if a and b:
            parent[find(b)] = find(a)

    listed = [n for n in map(normalise, _names(gold.get("all_organisations"))) if n]
    order = listed + sorted(_collect(gold, "organisations", normalise) - set(listed))
    for name in order:
        find(name)
    for variants in [gold.get("org_variants")] + [a.get("org_variants") for a in _actions(gold)]:
        for name, forms in variants.items() if isinstance(variants, Mapping) else ():
            for form in _names(forms):
                join(normalise(str(name)), normalise(form))
    for agreement in _list(gold.get("agreements")):
        parties = _names(agreement.get("parties")) if isinstance(agreement, Mapping) else []
        if len(parties) == 1 and normalise(parties[0]) in order:
            for form in map(normalise, _names(agreement.get("parties_normalised"))):
                if form not in order:
                    join(normalise(parties[0]), form)
    label: dict[str, str] = {}
    for name in order:
        label.setdefault(find(name), name)

    names = _collect(predicted, "organisations", normalise)
    for key in ("organisations", "all_organisations"):
        names |= {n for n in map(normalise, _names(predicted.get(key))) if n}
    found = {find(n) for n in names if n in parent and find(n) in label}
    spurious = {n for n in names if n not in parent or find(n) not in label}
    return PRF.of(len(found), len(found) + len(spurious), len(label),
                  [name for root, name in label.items() if root not in found], spurious)


def _iso(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _readings(draft: Mapping[str, Any], *, inferred: bool) -> dict[str, set[tuple[Any, Any]]]:
    """Normalised date text → the (iso, iso_end) readings the draft gives it."""
    out: dict[str, set[tuple[Any, Any]]] = {}
    for action in _actions(draft):
        for date in _list(action.get("dates")):
            date = {"text": date} if isinstance(date, str) else date
            if isinstance(date, Mapping) and (text := _text(date, "text")):
                iso, end = _iso(date.get("iso")), _iso(date.get("iso_end"))
                out.setdefault(text, set()).add((iso, end))
                if inferred and iso is None and _iso(date.get("iso_inferred")):
                    out[text].add((_iso(date.get("iso_inferred")), end))
    return out


_URL_HEAD = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[^/?#]*", re.IGNORECASE)
_QUOTES = "<>\"'“”‘’«» \t\n"
_BRACKETS = {"(": ")", "[": "]"}


def _strip(text: str) -> str:
    """Surrounding quotes and brackets, and trailing sentence punctuation, off a URL or e-mail."""
    previous = None
    while text != previous:
        previous, text = text, text.strip(_QUOTES).rstrip(".,;:!?")
        if text[:1] in _BRACKETS and text.endswith(_BRACKETS[text[0]]):
            text = text[1:-1]
        for open_, close in _BRACKETS.items():
            if text.endswith(close) and text.count(open_) < text.count(close):
                text = text[:-1]
            if text.startswith(open_) and text.count(open_) > text.count(close):
                text = text[1:]
    return text


def _url(text: str) -> str:
    text = _strip(text)
    head = _URL_HEAD.match(text)
    return head.group(0).lower() + text[head.end():] if head else text


def _email(text: str) -> str:
    text = _strip(text)
    local, at, domain = (text[7:] if text.lower().startswith("mailto:") else text).rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


_MORE_THAN = re.compile(r"\b(?:more than|over|above|at least|min|minimum|plus)\b")
_SYNONYMS = {"memoranda": "mou", "memorandum": "mou", "memorandums": "mou", "agreement": "mou",
             "agreements": "mou", "pilots": "pilot", "chinese": "china", "indian": "india",
             "sign": "signed", "signatures": "signed"}
_FILLER = {"eu", "european", "europe", "total", "totals", "number", "num", "nb", "no", "n",
           "count", "of", "the", "so", "far", "as", "today", "to", "date", "between", "and",
           "with", "in", "city", "cities", "current", "currently"}
_MEASURES = {"mou", "pilot", "project", "signed"}


def _key_reading(key: str) -> tuple[bool, frozenset[str], frozenset[str]]:
    """(more-than flag, measure tokens, qualifier tokens) of a total's key."""
    text = normalise(key)
    tokens = set()
    for word in _MORE_THAN.sub(" ", text).split():
        plural = len(word) > 3 and word.endswith("s") and not word.endswith("ss")
        token = _SYNONYMS.get(word) or (word[:-1] if plural else word)
        if word not in _FILLER and token not in _FILLER and not word.isdigit():
            tokens.add(_SYNONYMS.get(token, token))
    more = bool(_MORE_THAN.search(text))
    return more, frozenset(tokens & _MEASURES), frozenset(tokens - _MEASURES)


def _value(value: Any) -> float | str:
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return value.strip()
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if numeric else repr(value)


def _totals(draft: Mapping[str, Any]) -> list[tuple[str, Any, float | str, str]]:
    """(normalised key, key reading, value, shown as "key=value") of each total."""
    totals = draft.get("totals")
    out = []
    for key, value in totals.items() if isinstance(totals, Mapping) else ():
        number = _value(value)
        shown = f"{number:g}" if isinstance(number, float) else number
        out.append((normalise(str(key)), _key_reading(str(key)), number, f"{key}={shown}"))
    return out


def _totals_closeness(g: tuple[str, Any, Any, str], p: tuple[str, Any, Any, str]) -> float | None:
    if g[2] != p[2]:
        return None
    if g[0] == p[0]:
        return 2.0
    (g_more, g_measures, g_qualifiers), (p_more, p_measures, p_qualifiers) = g[1], p[1]
    nested = g_measures <= p_measures or p_measures <= g_measures
    same = g_more == p_more and g_qualifiers == p_qualifiers
    return 1.0 if same and g_measures and p_measures and nested else None


def _action_closeness(g: str, p: str) -> float | None:
    if g == p:
        return 2.0
    short, long = sorted((g, p), key=len)
    close = bool(short) and short in long and len(short) >= 0.9 * len(long)
    return len(short) / len(long) if close else None


def _agreements(draft: Mapping[str, Any]) -> list[tuple[str, frozenset[str], str]]:
    agreements = [a for a in _list(draft.get("agreements")) if isinstance(a, Mapping)]
    return [(_text(a, "text"), frozenset(_text(a, "text").split()), _text(a, "status"))
            for a in agreements]


def _agreement_closeness(g: tuple[str, frozenset[str], str],
                         p: tuple[str, frozenset[str], str]) -> float | None:
    if g[2] != p[2]:
        return None
    if g[0] == p[0]:
        return 2.0
    jaccard = len(g[1] & p[1]) / len(g[1] | p[1]) if g[1] | p[1] else 0.0
    short, long = sorted((g[0], p[0]), key=len)
    contains = len(short.split()) >= 3 and f" {short} " in f" {long} "
    return jaccard if jaccard >= 0.5 or contains else None


def _pairings(draft: Mapping[str, Any]) -> dict[frozenset[str], dict[str, str]]:
    """Side names of each pairing → {side name: country code}."""
    out: dict[frozenset[str], dict[str, str]] = {}
    for pairing in _list(draft.get("pairings")):
        countries: dict[str, str] = {}
        for side in _list(pairing.get("sides")) if isinstance(pairing, Mapping) else []:
            if isinstance(side, Mapping):
                side = [side.get("name"), side.get("country")]
            side = [side, None] if isinstance(side, str) else [*_list(side), None, None]
            if isinstance(side[0], str) and (name := normalise(side[0])):
                countries.setdefault(name, str(side[1] or "").strip().upper())
        if countries:
            out.setdefault(frozenset(countries), countries)
    return out


def score(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> Scores:
    """Score the ``predicted`` report draft against the ``gold`` one."""
    predicted = predicted if isinstance(predicted, Mapping) else {}
    gold_pairings, predicted_pairings = _pairings(gold), _pairings(predicted)
    matched = gold_pairings.keys() & predicted_pairings.keys()
    sides = [(c, predicted_pairings[k].get(n))
             for k in matched for n, c in gold_pairings[k].items()]
    gold_dates = _readings(gold, inferred=True)
    predicted_dates = _readings(predicted, inferred=False)
    dated = gold_dates.keys() & predicted_dates.keys()

    gold_contacts = [c for c in _list(gold.get("contacts")) if isinstance(c, Mapping)]
    drafted = [c for c in _list(predicted.get("contacts")) if isinstance(c, Mapping)]
    emails = {_email(str(c.get("email") or "")).casefold() for c in drafted} - {""}
    names = {_text(c, "name") for c in drafted} - {""}
    found = sum(_email(str(c.get("email") or "")).casefold() in emails
                or _text(c, "name") in names for c in gold_contacts)

    def texts(draft: Mapping[str, Any]) -> list[str]:
        return [t for t in (_text(action, "text") for action in _actions(draft)) if t]

    return Scores(
        pairings=PRF.of(len(matched), len(predicted_pairings), len(gold_pairings),
                        [" / ".join(sorted(k)) for k in gold_pairings.keys() - matched],
                        [" / ".join(sorted(k)) for k in predicted_pairings.keys() - matched]),
        actions=_matched_prf(texts(gold), texts(predicted), _action_closeness, str),
        organisations=_organisations(predicted, gold),
        places=_set_prf(*(_collect(d, "places", normalise) for d in (predicted, gold))),
        dates=_set_prf(set(predicted_dates), set(gold_dates)),
        dates_iso_agreement=(sum(predicted_dates[t] <= gold_dates[t] for t in dated) / len(dated)
                             if dated else (0.0 if gold_dates else 1.0)),
        urls=_set_prf(*(_collect(d, "urls", _url) for d in (predicted, gold))),
        emails=_set_prf(*(_collect(d, "emails", _email) for d in (predicted, gold))),
        agreements=_matched_prf(_agreements(gold), _agreements(predicted), _agreement_closeness,
                                lambda a: f"{a[2] or '?'}: {a[0]}"),
        totals=_matched_prf(_totals(gold), _totals(predicted), _totals_closeness, lambda t: t[3]),
        pairing_countries_agreement=(sum(g == p for g, p in sides) / len(sides) if sides
                                     else (0.0 if gold_pairings else 1.0)),
        contacts_found=found, contacts_expected=len(gold_contacts), contacts_predicted=len(drafted),
    )


def format_report(scores: Scores, *, name: str = "") -> str:
    """A table (entity, P, R, F1, counts, target), the plain figures, and the missed and
    spurious items (trimmed)."""
    head = f"{'entity':<14} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'pred':>5} {'gold':>5}  target"
    lines = [f"Report-draft scores{': ' + name if name else ''}", head, "-" * len(head)]
    for entity in ENTITIES:
        prf: PRF = getattr(scores, entity)
        flag = "  BELOW" if prf.f1 + _EPSILON < TARGETS[entity] else ""
        lines.append(f"{entity:<14} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f} "
                     f"{prf.true_positives:5d} {prf.predicted:5d} {prf.expected:5d}  "
                     f"{TARGETS[entity]:.2f}{flag}")
    for key in ("dates_iso_agreement", "pairing_countries_agreement"):
        value: float = getattr(scores, key)
        target = f"  target {TARGETS[key]:.2f}" if key in TARGETS else ""
        flag = "  BELOW" if key in TARGETS and value + _EPSILON < TARGETS[key] else ""
        lines.append(f"{key:<28} {value:6.3f}{target}{flag}")
    lines.append(f"contacts (not scored): {scores.contacts_found}/{scores.contacts_expected} "
                 f"found, {scores.contacts_predicted} in the draft")
    for entity in ENTITIES:
        prf = getattr(scores, entity)
        lines += [f"  {entity} {part}" for part in
                  (_trim("missed", prf.missed, 8), _trim("spurious", prf.spurious, 8)) if part]
    return "\n".join(lines)
