"""pg_trgm and the trigram indexes of did-you-mean and suggestions, on PostgreSQL only.

TrigramExtension does nothing on other databases; the GIN indexes are created by SQL guarded by the vendor,
since a GinIndex in Meta.indexes would be created (and fail) on SQLite too.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "search_vocabularyword_trgm": ("search_vocabularyword", "word"),
    "search_suggestentry_trgm": ("search_suggestentry", "norm"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
