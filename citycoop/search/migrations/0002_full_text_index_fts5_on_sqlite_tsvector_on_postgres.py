"""The engine-side index over the search entries, one per database.

SQLite: an FTS5 table over title, body and context that keeps no copy of the text (its
content is the entries table, rowid = entry id). citycoop.search.index tells it about every
inserted and deleted entry, and rebuilds it after reindex_all().

PostgreSQL: a generated, GIN-indexed ``search_vector`` in the ``citycoop_search`` text search
configuration: 'simple' (no stemming, the portfolio mixes languages and names) with accents
folded by the unaccent dictionary when the server lets us create the extension.

Later changes to the entries table must keep these in mind: on SQLite, Django rebuilds a
table it alters, which keeps rowids; on PostgreSQL, the columns of the generated vector
cannot change type while it exists.
"""

from django.db import migrations

FTS_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_searchentry_fts USING fts5(
        title, body, context,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3'
    )
    """,
    "INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('rebuild')",
]
FTS_BACKWARD = ["DROP TABLE IF EXISTS search_searchentry_fts"]

TSVECTOR_FORWARD = [
    # A trusted extension since PostgreSQL 13; a server without it (or a user who may not
    # create it) still gets search, only without accent folding.
    """
    DO $$
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent is not available: search will not fold accents';
    END
    $$
    """,
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'citycoop_search') THEN
            CREATE TEXT SEARCH CONFIGURATION citycoop_search (COPY = simple);
            IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
                ALTER TEXT SEARCH CONFIGURATION citycoop_search
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
            END IF;
        END IF;
    END
    $$
    """,
    # translate(): the parser would take "<b>" for an HTML tag and drop it, where SQLite and
    # the reader see the word "b".
    """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('citycoop_search'::regconfig, translate(title, '<>', '  ')), 'A')
        || setweight(to_tsvector('citycoop_search'::regconfig, translate(body, '<>', '  ')), 'B')
        || setweight(to_tsvector('citycoop_search'::regconfig,
                                 translate(context, '<>', '  ')), 'C')
    ) STORED
    """,
    "CREATE INDEX search_entry_vector_idx ON search_searchentry USING gin (search_vector)",
]
TSVECTOR_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_vector_idx",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS citycoop_search",
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database vendor only, and nothing on the others."""

    def __init__(self, vendor, sql, reverse_sql, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor}"


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_search_entries"),
    ]

    operations = [
        RunSQLOn("sqlite", FTS_FORWARD, FTS_BACKWARD),
        RunSQLOn("postgresql", TSVECTOR_FORWARD, TSVECTOR_BACKWARD),
    ]
