"""A partner suggestion's reasons in the reader's language, for the pages and the API.

The engine (pure Python, no Django) words its reasons in English for the command line; here
the same reasons are worded through the translation catalogue. The words a reason carries
(shared topics, organisations, places) stay as the records write them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citycoop.common.countries import country_in_sentence

from .engine.partner_text import and_join, sentence
from .engine.partner_text import people as english_people
from .engine.partners import Reason


def joined(items: Sequence[str]) -> str:
    """A list in running text: "a, b and c"; in Chinese "a、b、c"."""
    if (get_language() or "").startswith("zh"):
        return "、".join(items)
    return and_join([str(item) for item in items])


def _level(word: str) -> str:
    return {"city": _("both are cities"), "region": _("both are regions")}.get(
        word, _("both are %(level)s") % {"level": word})


def people(population: int) -> str:
    """A population as running text says it: "1.3 million", "971,000"; in Chinese by ten
    thousands (万), as Chinese counts: "130万", "97万"."""
    if (get_language() or "").startswith("zh") and population >= 10_000:
        return f"{round(population / 10_000):,}万"
    return english_people(population)


# Reason kind -> its wording from (words, subject).
WORDINGS: dict[str, Callable[[Sequence[str], str], str]] = {
    "topics": lambda w, s: _("both work on %(topics)s") % {"topics": joined(w)},
    "similar": lambda w, s: _("close topics: your “%(yours)s” and their “%(theirs)s”")
    % {"yours": w[0], "theirs": w[1]},
    "they_offer": lambda w, s: _("they offer what you need: %(items)s") % {"items": joined(w)},
    "they_need": lambda w, s: _("they need what you offer: %(items)s") % {"items": joined(w)},
    "themes": lambda w, s: _("shared themes: %(themes)s") % {"themes": "; ".join(w)},
    "sdgs": lambda w, s: _("both work towards %(goals)s")
    % {"goals": joined([f"SDG {g}" for g in w])},
    "country_context": lambda w, s: _("cities and regions in %(country)s work on similar "
                                      "topics")
    % {"country": country_in_sentence(s)},
    "programme_context": lambda w, s: _("%(programme)s partners in %(country)s work on "
                                        "similar topics")
    % {"programme": s, "country": country_in_sentence(w[0])},
    "programme_country": lambda w, s: _("%(programme)s already works in %(country)s")
    % {"programme": s or _("the programme"), "country": country_in_sentence(w[0])},
    "paired_before": lambda w, s: (_("already worked with you (%(where)s)")
                                   % {"where": joined(w)}) if w
    else _("already worked with you"),
    "organisations": lambda w, s: _("%(organisations)s already work with %(place)s partners")
    % {"organisations": joined(w), "place": s},
    "tie_country": lambda w, s: _("you already work with partners in %(country)s")
    % {"country": country_in_sentence(s)},
    "peers": lambda w, s: _("they already work with cities in %(country)s")
    % {"country": country_in_sentence(s)},
    "size": lambda w, s: _("similar size: %(mine)s and %(theirs)s people")
    % {"mine": people(int(w[0])), "theirs": people(int(w[1]))},
    "level": lambda w, s: _level(w[0]),
    "experience": lambda w, s: _("experienced: %(n)s pairings already") % {"n": w[0]},
}


def reason_text(reason: Reason) -> str:
    """The reason in the active language (the engine's English for a kind not listed)."""
    wording = WORDINGS.get(reason.kind)
    if wording is None:
        return sentence(reason)
    return wording(list(reason.words), reason.subject)
