"""PostgreSQL: the document frequencies of query words, remembered per collection and generation.

`keyword_generation` holds a counter per collection that every statement writing the collection's keyword rows
(insert, update, delete) raises in its own transaction (statement-level triggers over the transition tables);
`keyword_frequency` remembers, per collection and query word, how many rows held the word at a generation.
A search reads a word's frequency only when it was counted at the current generation
(retrieval/keyword_backends/postgres_frequencies.py). SQLite's FTS5 keeps its own statistics: nothing there.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION keyword_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO keyword_generation (collection, generation)
    SELECT DISTINCT collection, 1 FROM changed_rows
    ON CONFLICT (collection) DO UPDATE SET generation = keyword_generation.generation + 1;
    RETURN NULL;
END $$
"""

POSTGRES = [
    (
        "CREATE TABLE keyword_generation (collection varchar(128) PRIMARY KEY, generation bigint NOT NULL)",
        "DROP TABLE keyword_generation",
    ),
    (
        "CREATE TABLE keyword_frequency (collection varchar(128) NOT NULL, word varchar(64) NOT NULL, "
        "generation bigint NOT NULL, rows integer NOT NULL, total integer NOT NULL, PRIMARY KEY (collection, word))",
        "DROP TABLE keyword_frequency",
    ),
    (FUNCTION, "DROP FUNCTION keyword_rows_changed()"),
    *(
        (
            f"CREATE TRIGGER keyword_rows_{event.lower()} AFTER {event} ON ai_assistant_keywordrow "
            f"REFERENCING {table} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION keyword_rows_changed()",
            f"DROP TRIGGER keyword_rows_{event.lower()} ON ai_assistant_keywordrow",
        )
        for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for create, _drop in POSTGRES:
            schema_editor.execute(create)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _create, drop in reversed(POSTGRES):
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [
        ("ai_assistant", "0009_rebuild_chunk"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
