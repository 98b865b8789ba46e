"""The database's own full-text search over KeywordRow, and the delete cascade from the ledger.

PostgreSQL: the pg_trgm and unaccent extensions, ON DELETE CASCADE from the ledger row, a GIN index on the
weighted tsvector and a trigram GIN index on the vocabulary.
SQLite: a trigger that deletes a ledger row's keyword row, an FTS5 table over the keyword rows (porter stemmer,
diacritics removed) and a trigram FTS5 table over the vocabulary, both kept in step by triggers.
Each statement runs only on its own database vendor.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

POSTGRES = [
    (
        "ALTER TABLE ai_assistant_keywordrow ADD CONSTRAINT keyword_row_document_cascade FOREIGN KEY (document_id) "
        "REFERENCES ai_assistant_indexeddocument (id) ON DELETE CASCADE",
        "ALTER TABLE ai_assistant_keywordrow DROP CONSTRAINT keyword_row_document_cascade",
    ),
    (
        "CREATE INDEX keyword_row_search ON ai_assistant_keywordrow USING gin (search)",
        "DROP INDEX keyword_row_search",
    ),
    (
        "CREATE INDEX keyword_term_trigram ON ai_assistant_keywordterm USING gin (term gin_trgm_ops)",
        "DROP INDEX keyword_term_trigram",
    ),
]

SQLITE = [
    (
        "CREATE TRIGGER keyword_row_cascade AFTER DELETE ON ai_assistant_indexeddocument BEGIN "
        "DELETE FROM ai_assistant_keywordrow WHERE document_id = old.id; END",
        "DROP TRIGGER keyword_row_cascade",
    ),
    (
        "CREATE VIRTUAL TABLE keyword_row_fts USING fts5(name, labels, body, content='ai_assistant_keywordrow', "
        "content_rowid='document_id', tokenize='porter unicode61 remove_diacritics 2')",
        "DROP TABLE keyword_row_fts",
    ),
    (
        "CREATE TRIGGER keyword_row_fts_insert AFTER INSERT ON ai_assistant_keywordrow BEGIN "
        "INSERT INTO keyword_row_fts (rowid, name, labels, body) VALUES (new.document_id, new.name, new.labels, "
        "new.body); END",
        "DROP TRIGGER keyword_row_fts_insert",
    ),
    (
        "CREATE TRIGGER keyword_row_fts_delete AFTER DELETE ON ai_assistant_keywordrow BEGIN "
        "INSERT INTO keyword_row_fts (keyword_row_fts, rowid, name, labels, body) "
        "VALUES ('delete', old.document_id, old.name, old.labels, old.body); END",
        "DROP TRIGGER keyword_row_fts_delete",
    ),
    (
        "CREATE TRIGGER keyword_row_fts_update AFTER UPDATE ON ai_assistant_keywordrow BEGIN "
        "INSERT INTO keyword_row_fts (keyword_row_fts, rowid, name, labels, body) "
        "VALUES ('delete', old.document_id, old.name, old.labels, old.body); "
        "INSERT INTO keyword_row_fts (rowid, name, labels, body) VALUES (new.document_id, new.name, new.labels, "
        "new.body); END",
        "DROP TRIGGER keyword_row_fts_update",
    ),
    (
        "CREATE VIRTUAL TABLE keyword_term_fts USING fts5(term, content='ai_assistant_keywordterm', "
        "content_rowid='id', tokenize='trigram')",
        "DROP TABLE keyword_term_fts",
    ),
    (
        "CREATE TRIGGER keyword_term_fts_insert AFTER INSERT ON ai_assistant_keywordterm BEGIN "
        "INSERT INTO keyword_term_fts (rowid, term) VALUES (new.id, new.term); END",
        "DROP TRIGGER keyword_term_fts_insert",
    ),
    (
        "CREATE TRIGGER keyword_term_fts_delete AFTER DELETE ON ai_assistant_keywordterm BEGIN "
        "INSERT INTO keyword_term_fts (keyword_term_fts, rowid, term) VALUES ('delete', old.id, old.term); END",
        "DROP TRIGGER keyword_term_fts_delete",
    ),
]

STATEMENTS = {"postgresql": POSTGRES, "sqlite": SQLITE}


def forwards(apps, schema_editor):
    for create, _drop in STATEMENTS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(create)


def backwards(apps, schema_editor):
    for _create, drop in reversed(STATEMENTS.get(schema_editor.connection.vendor, [])):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [
        ("ai_assistant", "0006_keyword_rows"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(forwards, backwards),
    ]
