"""Which of a practice's texts the reader sees: their language where it exists, the
original language otherwise, with a flag saying so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, get_language_info

from .models import Practice, PracticeText


def site_language(language: str | None = None) -> str:
    """One of settings.LANGUAGES for a language code: the same code, or the one of the same
    base language ("zh-cn" reads "zh-hans"), or the site's default."""
    wanted = (language or get_language() or settings.LANGUAGE_CODE).lower()
    codes = [code for code, _name in settings.LANGUAGES]
    if wanted in codes:
        return wanted
    base = wanted.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == base), settings.LANGUAGE_CODE)


def language_name(code: str) -> str:
    """The language's name in the reader's language ("Simplified Chinese", "英语")."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@dataclass(frozen=True)
class ShownText:
    text: PracticeText | None  # None only for a practice with no text at all
    language: str  # the language of the text shown
    wanted: str  # the reader's language
    languages: tuple[str, ...]  # every language the practice is written in

    @property
    def is_fallback(self) -> bool:
        return self.text is not None and self.language != self.wanted

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def wanted_name(self) -> str:
        return language_name(self.wanted)

    @property
    def missing(self) -> list[tuple[str, str]]:
        """The site's languages the practice is not written in yet, as (code, name)."""
        return [(code, language_name(code)) for code, _name in settings.LANGUAGES
                if code not in self.languages]


def text_for(practice: Practice, language: str | None = None) -> ShownText:
    """The text to show the reader of ``language`` (the active one by default). Reads
    ``practice.texts.all()``: prefetch it for lists."""
    wanted = site_language(language)
    texts = {text.language: text for text in practice.texts.all()}
    for code in (wanted, practice.original_language, *sorted(texts)):
        if code in texts:
            return ShownText(texts[code], code, wanted, tuple(sorted(texts)))
    return ShownText(None, practice.original_language, wanted, ())


def title_for(practice: Any, language: str | None = None) -> str:
    """The practice's title in the reader's language, from ``reader_texts`` when a list
    prefetched only that language's text, else from its texts, else its original title."""
    reader_texts = getattr(practice, "reader_texts", None)
    if reader_texts is not None:
        return reader_texts[0].title if reader_texts else practice.title
    shown = text_for(practice, language)
    return shown.text.title if shown.text is not None else practice.title
