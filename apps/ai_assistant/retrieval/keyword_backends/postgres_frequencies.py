"""PostgreSQL: how many of a collection's keyword rows hold each query word, remembered in the database.

BM25's idf needs each query word's document frequency n and the collection's size N. Counting them for every
search cost one count(*) per word, 1-2x the ranking itself at 10k products. So they are remembered in the
database (tables of migration 0010), where every process and every host reads the same numbers:

- `keyword_generation` holds a counter per collection that every statement writing the collection's keyword
  rows raises inside its own transaction (statement-level triggers);
- `keyword_frequency` holds (collection, word) -> n, N and the generation they were counted at.

A search reads its words' rows of the current generation (one indexed query). Words without one are counted
in a single statement that also reads the generation: one statement sees one snapshot, so the counts belong to
that generation exactly, and a write committing meanwhile makes them old at once (its generation is higher).
They are then remembered (an upsert that never replaces a newer count). Only words some row holds are
remembered, so the table is bounded by the collections' vocabularies, not by what customers type; the rows of
collections that no longer have keyword rows (dropped after a rebuild) are deleted when new counts are written.
"""

from __future__ import annotations

from django.db import connection

from apps.ai_assistant.models import KeywordRow

CONFIG = "english"


def document_frequencies(collection: str, words: list[str]) -> tuple[int, dict[str, int]]:
    """(N, {word: n}) of `collection` for `words`, as of one generation of its keyword rows."""
    words = list(dict.fromkeys(words))
    generation, total, known = _remembered(collection, words)
    missing = [word for word in words if word not in known]
    if not missing:
        return total, known
    counted_at, counted_total, counted = _count(collection, missing)
    if known and counted_at != generation:
        # A write came between the two reads: count every word at the new generation, so all agree.
        counted_at, counted_total, counted = _count(collection, words)
        known = {}
    _remember(collection, counted_at, counted_total, counted)
    return counted_total, {**known, **counted}


def _remembered(collection: str, words: list[str]) -> tuple[int, int, dict[str, int]]:
    """(current generation, N, {word: n}) of the words remembered at the current generation."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.generation, f.word, f.rows, f.total FROM "
            "(SELECT coalesce(max(generation), 0) AS generation FROM keyword_generation WHERE collection = %s) g "
            "LEFT JOIN keyword_frequency f ON f.collection = %s AND f.generation = g.generation "
            "AND f.word = ANY(%s)",
            [collection, collection, words],
        )
        rows = cursor.fetchall()
    generation = rows[0][0]
    known = {word: count for _, word, count, _ in rows if word is not None}
    total = next((total for _, word, _, total in rows if word is not None), 0)
    return generation, total, known


def _count(collection: str, words: list[str]) -> tuple[int, int, dict[str, int]]:
    """(generation, N, {word: n}) counted in one statement (one snapshot)."""
    table = KeywordRow._meta.db_table
    columns = [
        "(SELECT coalesce(max(generation), 0) FROM keyword_generation WHERE collection = %s)",
        f"(SELECT count(*) FROM {table} WHERE collection = %s)",
    ] + [
        f"(SELECT count(*) FROM {table} WHERE collection = %s AND search @@ plainto_tsquery('{CONFIG}', %s))"
        for _ in words
    ]
    params = [collection, collection] + [value for word in words for value in (collection, word)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        generation, total, *counts = cursor.fetchone()
    return generation, total, dict(zip(words, counts, strict=True))


def _remember(collection: str, generation: int, total: int, counts: dict[str, int]) -> None:
    # Sorted: two searches remembering the same words lock their rows in the same order.
    held = sorted((word, count) for word, count in counts.items() if count and len(word) <= 64)
    if not held:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(held))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO keyword_frequency (collection, word, generation, rows, total) VALUES {values} "
            "ON CONFLICT (collection, word) DO UPDATE SET generation = EXCLUDED.generation, rows = EXCLUDED.rows, "
            "total = EXCLUDED.total WHERE keyword_frequency.generation < EXCLUDED.generation",
            [value for word, count in held for value in (collection, word, generation, count, total)],
        )
        cursor.execute(
            "DELETE FROM keyword_frequency WHERE collection IN (SELECT g.collection FROM keyword_generation g "
            f"WHERE g.collection <> %s AND NOT EXISTS (SELECT 1 FROM {KeywordRow._meta.db_table} r "
            "WHERE r.collection = g.collection))",
            [collection],
        )
