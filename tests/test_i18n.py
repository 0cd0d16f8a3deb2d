"""The Simplified Chinese interface: a complete, compiled catalogue, and pages that use it."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parents[1] / "citycoop/locale/zh_Hans/LC_MESSAGES"
PO, MO = LC_MESSAGES / "django.po", LC_MESSAGES / "django.mo"
# What must survive translation unchanged: %(name)s and %s-style placeholders, and HTML tags.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdfir]|</?[a-z][^>]*>")


def read_po(path: Path) -> list[dict]:
    """The catalogue's entries as {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr": [...]}.

    A small reader rather than a dependency: the format's subset that makemessages writes is
    keywords, quoted strings and "#," flag lines. Obsolete "#~" entries are skipped.
    """
    entries: list[dict] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$',
                                   line):
                key = int(match[2] or 0) if match[1].startswith("msgstr") else match[1]
                target = entry["msgstr"] if isinstance(key, int) else entry
                target[key] = ast.literal_eval(match[3])
            elif line.startswith('"') and key is not None:
                target = entry["msgstr"] if isinstance(key, int) else entry
                target[key] += ast.literal_eval(line)
        if "msgid" in entry:
            entry["msgstr"] = [entry["msgstr"][n] for n in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


ENTRIES = read_po(PO)
MESSAGES = [e for e in ENTRIES if e["msgid"]]  # without the header


def test_the_catalogue_declares_chinese_with_one_plural_form():
    header = ENTRIES[0]
    assert header["msgid"] == ""
    assert "Language: zh_Hans\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    assert len(MESSAGES) > 300


def test_every_message_is_translated_and_none_is_fuzzy():
    # makemessages marks near-matches "fuzzy" with a guessed msgstr that Django never shows:
    # such an entry is as untranslated as an empty one.
    fuzzy = [e["msgid"] for e in ENTRIES if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in MESSAGES if not all(s.strip() for s in e["msgstr"])]
    assert fuzzy == [], f"fuzzy entries: {fuzzy}"
    assert empty == [], f"untranslated, run scripts/messages.sh and translate: {empty}"


def test_plural_messages_have_the_single_chinese_form():
    plurals = [e for e in MESSAGES if "msgid_plural" in e]
    assert plurals
    assert all(len(e["msgstr"]) == 1 for e in plurals)


def test_translations_keep_placeholders_and_markup():
    # Word order differs in Chinese, so the same placeholders may come in another order.
    wrong = []
    for entry in MESSAGES:
        # The one Chinese plural form stands for every count, so it follows msgid_plural.
        wanted = sorted(PLACEHOLDER.findall(entry.get("msgid_plural", entry["msgid"])))
        wrong += [(entry["msgid"], msgstr) for msgstr in entry["msgstr"]
                  if sorted(PLACEHOLDER.findall(msgstr)) != wanted]
    assert wrong == []


def test_the_checked_in_mo_is_compiled_from_the_po():
    # Compared by content, not by date: git does not keep file times, so after a checkout the
    # .mo may look older than the .po whatever their contents.
    compiled = dict(gettext.GNUTranslations(MO.open("rb"))._catalog)  # type: ignore[attr-defined]
    # msgfmt drops POT-Creation-Date from the header, so the header is checked for what
    # Django reads from it: the plural rule.
    assert "Plural-Forms: nplurals=1; plural=0;" in compiled.pop("")
    expected = {}
    for e in MESSAGES:
        if "fuzzy" in e["flags"] or not all(e["msgstr"]):
            continue
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected.update({(msgid, n): s for n, s in enumerate(e["msgstr"])})
        else:
            expected[msgid] = e["msgstr"][0]
    assert compiled == expected, "django.mo is stale: run scripts/messages.sh"


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no Chinese translation"
    return translated


def test_the_home_page_speaks_chinese_when_the_browser_asks(demo, client: Client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "结对合作" in html  # the glossary's word for pairing
    for label in ("Pairings", "Counted from the records", "pilot projects", "Overview"):
        assert chinese(label) in html


def test_the_language_cookie_turns_the_home_page_chinese(demo, client: Client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert chinese("Counted from the records") in html
    assert "Counted from the records" not in html


def test_english_stays_the_default(demo, client: Client):
    html = client.get("/").content.decode()
    assert "Counted from the records" in html
    assert chinese("Counted from the records") not in html


def test_the_pairing_page_in_chinese_and_its_places_by_their_chinese_names(demo, client):
    response = client.get("/pairings/west-midlands-guangzhou-tianjin/",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Pilot projects", "Next steps", "EU side", "Partner side"):
        assert chinese(label) in html

    members = response.context["members"]
    template = Template("{% load citycoop_names %}"
                        "{% for m in members %}[{{ m.member|local_name }}|{{ m.member|bilingual }}]"
                        "{% endfor %}")
    with translation.override("zh-hans"):
        in_chinese = template.render(Context({"members": members}))
    with translation.override("en"):
        in_english = template.render(Context({"members": members}))
    assert "[天津|天津 (Tianjin)]" in in_chinese
    assert "[广州|广州 (Guangzhou)]" in in_chinese
    assert "[Tianjin|Tianjin]" in in_english
    assert "天津" not in in_english


def test_a_place_without_a_chinese_name_keeps_its_english_one():
    from citycoop.registry.models import Place

    template = Template("{% load citycoop_names %}{{ p|local_name }}/{{ p|bilingual }}")
    with translation.override("zh-hans"):
        rendered = template.render(Context({"p": Place(name="Keele", other_names={})}))
    assert rendered == "Keele/Keele"  # no doubled "Keele (Keele)"


def test_organisations_keep_their_recorded_name(demo):
    from citycoop.registry.models import Organisation

    organisation = Organisation.objects.exclude(aliases=[]).first()
    template = Template("{% load citycoop_names %}{{ o|local_name }}/{{ o|bilingual }}")
    with translation.override("zh-hans"):
        rendered = template.render(Context({"o": organisation}, autoescape=False))
    assert rendered == f"{organisation.name}/{organisation.name}"


def test_name_filters_escape_like_any_value():
    from citycoop.registry.models import Place

    place = Place(name="Bath & Wells", other_names={"zh": "<b>巴斯</b>"})
    template = Template("{% load citycoop_names %}{{ p|bilingual }}")
    with translation.override("zh-hans"):
        rendered = template.render(Context({"p": place}))
    assert rendered == "&lt;b&gt;巴斯&lt;/b&gt; (Bath &amp; Wells)"


def test_the_language_switch_is_a_plain_labelled_form(rf: RequestFactory):
    request = rf.get("/pairings/?group=EU-China")
    with translation.override("zh-hans"):
        # A RequestContext, as render() gives pages: it brings the request and the CSRF token.
        html = Template('{% include "web/_language_switch.html" %}').render(
            RequestContext(request))
    assert 'action="/i18n/setlang/"' in html and 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/pairings/?group=EU-China">' in html
    assert '<label for="language-switch">语言</label>' in html
    assert '<select id="language-switch" name="language">' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in html
    assert '<button type="submit">切换</button>' in html


def test_posting_the_switch_sets_the_language_and_returns_to_the_page(demo, client: Client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/pairings/"})
    assert response.status_code == 302
    assert response["Location"] == "/pairings/"
    assert response.cookies["django_language"].value == "zh-hans"
    html = client.get("/pairings/").content.decode()
    assert f"<h1>{chinese('Pairings')}</h1>" in html

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<h1>Pairings</h1>" in client.get("/pairings/").content.decode()
