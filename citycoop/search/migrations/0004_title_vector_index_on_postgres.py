"""PostgreSQL only: a GIN index over the titles' words alone.

A word that matches half the index ("cooperation") is answered by ranking the entries whose
title has it first (see SearchBackend.broad_search); this index finds those entries without
reading every match. SQLite's FTS5 table does the same with a column filter, no index needed.
"""

from django.db import migrations

TITLE_VECTOR = ("to_tsvector('citycoop_search'::regconfig, translate(title, '<>', '  '))")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS search_entry_title_vector_idx"
                              f" ON search_searchentry USING gin ({TITLE_VECTOR})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_title_vector_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_no_index_on_visibility"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
