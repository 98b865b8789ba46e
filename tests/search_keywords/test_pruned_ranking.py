"""PostgreSQL ranks the rows holding a query's rarer words first and ranks the others only when that cannot
settle the top k (retrieval/keyword_backends/postgres.py): the answer must be the full ranking's, row for row.
SQLite's FTS5 ranks on its own: deselected there."""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection
from django.db.models import Q

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.retrieval.keyword_backends import postgres
from apps.ai_assistant.retrieval.keyword_search import query_words

pytestmark = [pytest.mark.integration, pytest.mark.postgresql_only]

K = 20


def _rank(collection: str, words: list[str], filters: Q) -> tuple[list[tuple[str, float]], bool]:
    """The ranking and whether the statement settled on the rarer words' rows alone."""
    sql, params = postgres.ranking_sql(collection, words, filters, K)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ranked = [(doc_id, float(score)) for doc_id, score in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Settled: the rarer words' rows were returned (the fallback's scan shows "never executed" instead).
    returned_rare = "WITH" in sql and not re.search(r"CTE Scan on rare .*never executed", plan)
    return ranked, returned_rare


def test_ranking_the_rarer_words_rows_first_gives_the_full_ranking(db, vector_index, monkeypatch):
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog
    from bench.index import make_queries

    generate_synthetic_catalog(products=600, seed=11, categories=5)
    vector_index.build_index()
    collection = get_state().active_collection
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ai_assistant_keywordrow")
    queries = make_queries(random.Random(5), 60) + ["cheap tent in stock", "red bike", "stock"]
    cases = [(query, filters) for query in queries for filters in (Q(), Q(doc_type="product", in_stock=True))]
    pruned = {}
    for query, filters in cases:
        pruned[query, str(filters)] = _rank(collection, query_words(collection, query), filters)
    monkeypatch.setattr(postgres, "PRUNE_SHARE", 0.0)  # no common words: every matching row is ranked
    for query, filters in cases:
        words = query_words(collection, query)
        assert "WITH" not in postgres.ranking_sql(collection, words, filters, K)[0]
        full, _ = _rank(collection, words, filters)
        assert pruned[query, str(filters)][0] == full, (query, filters)
    assert sum(settled for _, settled in pruned.values()) >= len(cases) // 4, "the rarer words' rows rarely settled it"


def test_when_the_rarer_words_rows_cannot_settle_it_every_row_is_ranked(db, vector_index, monkeypatch):
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

    generate_synthetic_catalog(products=300, seed=3, categories=4)
    vector_index.build_index()
    collection = get_state().active_collection
    words = query_words(collection, "red tent for weekend adventures in stock")
    monkeypatch.setattr(postgres, "PRUNE_SHARE", 0.0)
    full, _ = _rank(collection, words, Q())
    monkeypatch.setattr(postgres, "PRUNE_SHARE", 1000.0)  # every word but the rarest is "common": no bound holds
    assert "WITH" in postgres.ranking_sql(collection, words, Q(), K)[0]
    assert _rank(collection, words, Q())[0] == full


def test_only_plain_words_are_bounded(monkeypatch):
    common, bound = postgres.common_words([("bike", 0.1), ("29er", 0.2), ("stock", 0.05), ("powder", 3.0)])
    assert common == ["stock", "bike"]  # "29er" may be more than one lexeme: it and what follows are ranked
    assert bound == pytest.approx((0.05 + 0.1) * postgres.MAX_WORD_SCORE, rel=1e-5)
