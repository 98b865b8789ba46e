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

Ranking every row that holds any query word is the cost of a search (at 10k products a query of common words
matches 6,000 rows). Most of them hold only the query's common words, and a common word weighs little. ts_rank
of one word (one lexeme) is sum_j w_j / j^2 over its positions, divided by pi^2/6, with the position of the
heaviest weight counted first; in a row's vector the positions run name (A), labels (B), body (C), so the
weights never rise along them and ts_rank <= the heaviest weight W: r / (r + 1) <= W / (1 + W) = 1/2. A row
holding only the words of a set L therefore scores at most bound(L) = sum over L of idf / 2. So the statement
first ranks only the rows holding one of the other, rarer words (the GIN index finds them; their scores are the
full ones, over every word): when that gives k rows and the k-th scores above bound(L), no row holding only
L's words can enter the top k, and those k are the answer - the same rows in the same order as ranking every
row. Else (too few rows, or a k-th score not above the bound) the same statement ranks every matching row, as
before; PostgreSQL runs only the branch the check chose (a one-time filter). L is the commonest plain words
(ASCII letters: one lexeme each) whose bound stays below the rarest word's (PRUNE_SHARE): on bench.search_speed's
100 queries at 10k products the check passed for 68 of the 93 that had such words, the answers were the same
for all 100, and the server's ranking time fell from 4.4 to 2.8 ms (median; mean 8.4 -> 6.7).
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
WEIGHTS_SQL = "'{" + ",".join(str(weight) for weight in RANK_WEIGHTS) + "}'::float4[]"
SATURATE = 32  # ts_rank's normalisation flag for rank / (rank + 1)
# The most one word adds to a row's score, per unit of idf: ts_rank of one word <= the heaviest weight W.
MAX_WORD_SCORE = max(RANK_WEIGHTS) / (1 + max(RANK_WEIGHTS))
PRUNE_SHARE = 1.0  # the common words' bound stays below this share of the rarest word's (module docstring)


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
    common, bound = common_words(present)
    score = " + ".join(
        f"ts_rank({WEIGHTS_SQL}, r.search, plainto_tsquery('{CONFIG}', %s), {SATURATE}) * %s" for _ in present
    )
    score_params: list = [value for pair in present for value in pair]
    filtered, filter_params = "", []
    if filters:
        rows = KeywordRow.objects.filter(filters, collection=collection).values("pk")
        subquery, filter_params = rows.query.sql_with_params()
        filtered = f"AND r.document_id IN ({subquery})"

    def ranked(matched: list[str], only_if: str = "") -> tuple[str, list]:
        match = " || ".join(f"plainto_tsquery('{CONFIG}', %s)" for _ in matched)
        sql = (
            f"SELECT r.doc_id, {score} AS score FROM {KeywordRow._meta.db_table} r WHERE r.collection = %s "
            f"AND r.search @@ ({match}) {filtered} {only_if} ORDER BY score DESC, r.doc_id LIMIT %s"
        )
        return sql, [*score_params, collection, *matched, *filter_params, k]

    every_word = [word for word, _ in present]
    if not common:
        return ranked(every_word)
    rare_sql, rare_params = ranked([word for word in every_word if word not in common])
    all_sql, all_params = ranked(every_word, "AND NOT (SELECT settled FROM checked)")
    sql = (
        f"WITH rare AS ({rare_sql}), checked AS (SELECT count(*) = %s AND min(score) > %s AS settled FROM rare) "
        f"SELECT doc_id, score FROM rare WHERE (SELECT settled FROM checked) "
        f"UNION ALL ({all_sql}) ORDER BY score DESC, doc_id"
    )
    return sql, [*rare_params, k, bound, *all_params]


def common_words(present: list[tuple[str, float]]) -> tuple[list[str], float]:
    """The commonest of the (word, idf) whose rows alone need not be ranked (see the module docstring), and the
    most a row holding only them can score."""
    cap = MAX_WORD_SCORE * (1 + 1e-6)  # float4 arithmetic in ts_rank: a margin above the exact bound
    commonest_first = sorted(present, key=lambda pair: (pair[1], pair[0]))
    limit = PRUNE_SHARE * cap * commonest_first[-1][1]
    common: list[str] = []
    bound = 0.0
    for word, weight in commonest_first[:-1]:
        if bound + cap * weight >= limit or not (word.isascii() and word.isalpha()):
            break  # the bound holds for one lexeme: a word the parser might split stays ranked
        common.append(word)
        bound += cap * weight
    return common, bound


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
