"""PostgreSQL: the query words' document frequencies remembered in the database, per generation of the keyword rows
(retrieval/keyword_backends/postgres_frequencies.py). SQLite's FTS5 keeps its own statistics: deselected there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval.keyword_backends.postgres import PostgresKeywordBackend, idf
from apps.ai_assistant.retrieval.keyword_backends.postgres_frequencies import document_frequencies

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql_only,
]

WORDS = ["explorer", "powder", "bike", "zzzunknown"]


def counted(collection: str, word: str) -> int:
    """A word's rows counted directly, as the full-text index finds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM ai_assistant_keywordrow WHERE collection = %s "
            "AND search @@ plainto_tsquery('english', %s)",
            [collection, word],
        )
        return cursor.fetchone()[0]


def generation(collection: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(generation), 0) FROM keyword_generation WHERE collection = %s", [collection]
        )
        return cursor.fetchone()[0]


def remembered(collection: str) -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, rows, generation FROM keyword_frequency WHERE collection = %s", [collection])
        return {word: (rows, gen) for word, rows, gen in cursor.fetchall()}


def test_frequencies_equal_direct_counts_and_are_remembered_at_the_current_generation(indexed):
    collection = get_state().active_collection
    total, counts = document_frequencies(collection, WORDS)
    assert total == KeywordRow.objects.filter(collection=collection).count()
    assert counts == {word: counted(collection, word) for word in WORDS}
    assert counts["explorer"] > 0 and counts["zzzunknown"] == 0
    current = generation(collection)
    assert current > 0, "the index write raised the collection's generation"
    # Words some row holds are remembered at the current generation; an unknown word is not (bounded table).
    assert remembered(collection) == {word: (counts[word], current) for word in WORDS if counts[word]}
    assert document_frequencies(collection, WORDS) == (total, counts)


def test_a_keyword_write_makes_the_remembered_counts_old(indexed):
    collection = get_state().active_collection
    _, before = document_frequencies(collection, ["powder"])
    old = generation(collection)
    row = KeywordRow.objects.filter(collection=collection, doc_type="product").exclude(body__icontains="powder")[0]
    KeywordRow.objects.filter(pk=row.pk).update(body=row.body + " powder")
    PostgresKeywordBackend().refresh([row.pk])
    assert generation(collection) > old
    _, after = document_frequencies(collection, ["powder"])
    assert after["powder"] == before["powder"] + 1 == counted(collection, "powder")
    KeywordRow.objects.filter(pk=row.pk).delete()
    _, deleted = document_frequencies(collection, ["powder"])
    assert deleted["powder"] == before["powder"]


def test_a_count_of_an_older_generation_is_never_read(indexed):
    collection = get_state().active_collection
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO keyword_frequency (collection, word, generation, rows, total) VALUES (%s, 'explorer', %s, "
            "999, 999)",
            [collection, generation(collection) - 1],
        )
    total, counts = document_frequencies(collection, ["explorer"])
    assert counts["explorer"] == counted(collection, "explorer") != 999
    assert remembered(collection)["explorer"] == (counts["explorer"], generation(collection))


def test_counts_of_a_dropped_collection_are_deleted_when_new_counts_are_written(indexed):
    collection = get_state().active_collection
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO keyword_generation (collection, generation) VALUES ('gone', 3)")
        cursor.execute(
            "INSERT INTO keyword_frequency (collection, word, generation, rows, total) VALUES ('gone', 'bike', 3, 1, 1)"
        )
    document_frequencies(collection, ["bike"])
    assert remembered("gone") == {}


def test_the_ranking_weighs_each_word_by_its_idf(indexed):
    collection = get_state().active_collection
    total, counts = document_frequencies(collection, ["explorer"])
    [(doc_id, score), *_] = PostgresKeywordBackend().rank(collection, ["explorer"], Q(), 5)
    assert doc_id.startswith("product:")
    assert 0 < score <= idf(total, counts["explorer"])  # ts_rank saturated below 1, times the idf
