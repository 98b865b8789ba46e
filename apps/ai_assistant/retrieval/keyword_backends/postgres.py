"""PostgreSQL full-text search: a weighted tsvector per row (GIN index), websearch_to_tsquery, ts_rank
weighted by each word's rarity, and pg_trgm similarity over the vocabulary for misspellings.

The tsvector is `setweight(name, A) || setweight(labels, B) || setweight(body, C)` in the `english`
configuration (Snowball stemmer, stop words), accents removed by `unaccent`; it is computed by one UPDATE
after each batch of rows is written (`refresh`). A row matching any query word is found (the words joined
by " or "), and scored as in BM25 by the sum over the words of

    idf(word) * r / (r + 1),   r = ts_rank(weights, row, word)    idf = ln(1 + (N - n + 0.5) / (n + 0.5))

where n counts the collection's rows holding the word (GIN index) and N its rows. ts_rank alone has no
notion of rarity, so "bike" in every product would weigh as much as "powder"; r / (r + 1) (ts_rank's
normalisation 32) saturates a word's weight as it repeats, like BM25's term frequency. The field weights
are ts_rank's defaults (A 1.0, B 0.4, C 0.2). On the demo set (bench.relevance) this scores keyword nDCG@10
0.911 where plain ts_rank (normalisation 1, no idf) scored 0.829.
"""

from __future__ import annotations

import math

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, Func, Q, Value

from apps.ai_assistant.models import IN_LIST_CHUNK, KeywordRow
from apps.ai_assistant.retrieval.keyword_backends.base import FACTS_BATCH, FIELD_WEIGHTS, Facts, KeywordBackend

CONFIG = "english"
RANK_WEIGHTS = [0.1, FIELD_WEIGHTS[2], FIELD_WEIGHTS[1], FIELD_WEIGHTS[0]]  # ts_rank's order: D, C, B, A
SATURATE = 32  # ts_rank's normalisation flag for rank / (rank + 1)


def _unaccent(field: str) -> Func:
    return Func(F(field), function="unaccent")


def weighted_vector() -> SearchVector:
    return (
        SearchVector(_unaccent("name"), weight="A", config=CONFIG)
        + SearchVector(_unaccent("labels"), weight="B", config=CONFIG)
        + SearchVector(_unaccent("body"), weight="C", config=CONFIG)
    )


class PostgresKeywordBackend(KeywordBackend):
    vendor = "postgresql"

    def rank(self, collection: str, words: list[str], filters: Q, k: int) -> list[tuple[str, float]]:
        if not words:
            return []
        query = SearchQuery(" or ".join(words), config=CONFIG, search_type="websearch")
        score = None
        for word, idf in zip(words, self._idf(collection, words), strict=True):
            if idf <= 0:
                continue  # a stop word of the english configuration: it matches nothing
            term = SearchRank(
                F("search"), SearchQuery(word, config=CONFIG, search_type="plain"), weights=RANK_WEIGHTS,
                normalization=SATURATE,
            ) * Value(idf, output_field=FloatField())
            score = term if score is None else score + term
        if score is None:
            return []
        rows = (
            KeywordRow.objects.filter(filters, collection=collection, search=query)
            .annotate(score=score)
            .order_by("-score", "doc_id")
            .values_list("doc_id", "score")[:k]
        )
        return list(rows)

    @staticmethod
    def _idf(collection: str, words: list[str]) -> list[float]:
        """Each word's inverse document frequency in `collection` (0 for a word the configuration drops)."""
        table = KeywordRow._meta.db_table
        counts = [f"(SELECT count(*) FROM {table} WHERE collection = %s)"] + [
            f"(SELECT count(*) FROM {table} WHERE collection = %s AND "
            f"search @@ plainto_tsquery('{CONFIG}', %s)), numnode(plainto_tsquery('{CONFIG}', %s))"
            for _ in words
        ]
        params = [collection] + [value for word in words for value in (collection, word, word)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(counts), params)
            total, *pairs = cursor.fetchone()
        idfs = []
        for found, nodes in zip(pairs[::2], pairs[1::2], strict=True):
            idfs.append(math.log(1 + (total - found + 0.5) / (found + 0.5)) if nodes else 0.0)
        return idfs

    def refresh(self, pks: list[int]) -> None:
        for start in range(0, len(pks), IN_LIST_CHUNK):
            KeywordRow.objects.filter(pk__in=pks[start : start + IN_LIST_CHUNK]).update(search=weighted_vector())

    def update_facts(self, collection: str, facts: list[Facts]) -> int:
        table = KeywordRow._meta.db_table
        changed: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(facts), FACTS_BATCH):
                batch = facts[start : start + FACTS_BATCH]
                values = ", ".join(["(%s, %s::bigint, %s::double precision, %s::boolean, %s)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} AS k SET category_id = v.category_id, price = v.price, in_stock = v.in_stock, "
                    f"body = v.body FROM (VALUES {values}) AS v (doc_id, category_id, price, in_stock, body) "
                    "WHERE k.collection = %s AND k.doc_id = v.doc_id AND (k.body IS DISTINCT FROM v.body OR "
                    "k.category_id IS DISTINCT FROM v.category_id OR k.price IS DISTINCT FROM v.price OR "
                    "k.in_stock IS DISTINCT FROM v.in_stock) RETURNING k.document_id",
                    [value for row in batch for value in row] + [collection],
                )
                changed.extend(row[0] for row in cursor.fetchall())
        # The tsvector of the rows whose facts sentence changed (name and labels are as they were).
        self.refresh(changed)
        return len(changed)

    def close_terms(self, collection: str, word: str, limit: int) -> list[str]:
        # `%` is pg_trgm's similarity operator (threshold pg_trgm.similarity_threshold, 0.3): it uses the
        # trigram GIN index of migration 0007.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM ai_assistant_keywordterm WHERE collection = %s AND term %% %s "
                "ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [collection, word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]
