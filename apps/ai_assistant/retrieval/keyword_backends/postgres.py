"""PostgreSQL full-text search: a weighted tsvector per row (GIN index), websearch_to_tsquery, ts_rank
weighted by each word's rarity, and pg_trgm similarity over the vocabulary for misspellings.

The tsvector is `setweight(name, A) || setweight(labels, B) || setweight(body, C)` in the `english`
configuration (Snowball stemmer, stop words), accents removed by `unaccent`; it is computed by one UPDATE
after each batch of rows is written (`refresh`). A row matching any query word is found (the words joined
by " or "), and scored as in BM25 by the sum over the words of

    idf(word) * r / (r + 1),   r = ts_rank(weights, row, word)    idf = ln(1 + (N - n + 0.5) / (n + 0.5))

where n counts the collection's rows holding the word and N its rows; both are remembered in the database per
generation of the collection's keyword rows (postgres_frequencies.py), so a search counts only words no
search asked since the last write (counting every word each time cost 1-2x the ranking at 10k products).
ts_rank alone has no notion of rarity, so "bike" in every product would weigh as much as "powder"; r / (r + 1)
(ts_rank's normalisation 32) saturates a word's weight as it repeats, like BM25's term frequency. The field weights
are ts_rank's defaults (A 1.0, B 0.4, C 0.2). On the demo set (bench.relevance) this scores keyword nDCG@10
0.911 where plain ts_rank (normalisation 1, no idf) scored 0.829.
"""

from __future__ import annotations

import math

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F, Func, Q

from apps.ai_assistant.models import IN_LIST_CHUNK, KeywordRow
from apps.ai_assistant.retrieval.keyword_backends.base import FACTS_BATCH, FIELD_WEIGHTS, Facts, KeywordBackend
from apps.ai_assistant.retrieval.keyword_backends.postgres_frequencies import document_frequencies

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


def ranking_sql(collection: str, words: list[str], filters: Q, k: int) -> tuple[str, list] | None:
    """The statement that ranks `collection`'s rows for `words` under `filters` (see the module docstring), or
    None when no word can match (stop words of the configuration only)."""
    total, counts = document_frequencies(collection, words)
    # A word no row holds adds nothing but would cost its ts_rank: it is left out (so is a stop word of the
    # configuration, whose tsquery is empty and matches nothing).
    present = [(word, idf(total, counts[word])) for word in words if counts.get(word)]
    if not present:
        return None
    table = KeywordRow._meta.db_table
    weights = "'{" + ",".join(str(weight) for weight in RANK_WEIGHTS) + "}'::float4[]"
    terms = " + ".join(
        f"ts_rank({weights}, r.search, plainto_tsquery('{CONFIG}', %s), {SATURATE}) * %s" for _ in present
    )
    match = " || ".join(f"plainto_tsquery('{CONFIG}', %s)" for _ in present)
    params: list = [value for pair in present for value in pair] + [collection] + [word for word, _ in present]
    filtered = ""
    if filters:
        rows = KeywordRow.objects.filter(filters, collection=collection).values("pk")
        subquery, filter_params = rows.query.sql_with_params()
        filtered = f"AND r.document_id IN ({subquery})"
        params.extend(filter_params)
    sql = (
        f"SELECT r.doc_id, {terms} AS score FROM {table} r WHERE r.collection = %s AND r.search @@ ({match}) "
        f"{filtered} ORDER BY score DESC, r.doc_id LIMIT %s"
    )
    return sql, [*params, k]


def idf(total: int, rows: int) -> float:
    """BM25's inverse document frequency of a word `rows` of `total` rows hold."""
    return math.log(1 + (total - rows + 0.5) / (rows + 0.5))


class PostgresKeywordBackend(KeywordBackend):
    vendor = "postgresql"

    def rank(self, collection: str, words: list[str], filters: Q, k: int) -> list[tuple[str, float]]:
        if not words:
            return []
        statement = ranking_sql(collection, words, filters, k)
        if statement is None:
            return []
        sql, params = statement
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(doc_id, float(score)) for doc_id, score in cursor.fetchall()]

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
