#!/bin/sh
# Refresh the Simplified Chinese catalogue from the code and templates, then compile it.
#
# New or changed strings arrive with an empty (or "fuzzy") msgstr: translate them in
# citycoop/locale/zh_Hans/LC_MESSAGES/django.po and run this again. tests/test_i18n.py fails
# until every string is translated and the compiled django.mo matches the .po. The .mo is
# checked in, so users who install citycoop need no gettext.
set -eu

cd "$(dirname "$0")/.."
CITYCOOP="${CITYCOOP:-.venv/bin/citycoop}"
# Settings create a data folder on start; keep it out of the user's var/.
export CITYCOOP_DATA_DIR="${CITYCOOP_DATA_DIR:-${TMPDIR:-/tmp}/citycoop-messages}"

# LOCALE_PATHS (citycoop/locale) is where the catalogue lands, for every file scanned. var/ is
# the default data folder: uploaded reports (.html, .txt) there are not templates.
"$CITYCOOP" makemessages -l zh_Hans --ignore='.venv/*' --ignore='tests/*' --ignore='var/*' \
    --ignore='build/*'
# compilemessages walks the whole tree for locale folders: keep it out of the venv, whose
# installed packages carry their own, already compiled, catalogues.
"$CITYCOOP" compilemessages -l zh_Hans --ignore='.venv'
