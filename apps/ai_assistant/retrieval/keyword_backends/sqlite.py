"""SQLite full-text search: an FTS5 table over the keyword rows (porter stemmer, diacritics removed) ranked
by bm25() with the fields' weights, and a trigram FTS5 table over the vocabulary for misspellings.

Both FTS5 tables are "external content" tables kept in step by the triggers of migration 0007, so writing a
KeywordRow is all a write does (`refresh` has nothing to do). The filters are a join of the match with
KeywordRow's columns in the same statement, checked on each matched row.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval.keyword_backends.base import FACTS_BATCH, FIELD_WEIGHTS, Facts, KeywordBackend
from apps.ai_assistant.retrieval.text import trigrams

PREFETCH = 4  # full-text rows read per result wanted before joining them with their keyword rows


def _quoted(word: str) -> str:
    """A word as an FTS5 string: a query of plain words can never be read as FTS5 syntax."""
    return '"' + word.replace('"', '""') + '"'


class SqliteKeywordBackend(KeywordBackend):
    vendor = "sqlite"

    def rank(self, collection: str, words: list[str], filters: Q, k: int) -> list[tuple[str, float]]:
        if not words:
            return []
        match = " OR ".join(_quoted(word) for word in words)
        if not filters:
            best = self._rank_best_first(collection, match, k)
            if best is not None:
                return best
        weights = ", ".join(str(weight) for weight in FIELD_WEIGHTS)
        table = KeywordRow._meta.db_table
        # bm25() is lower for a better match: negated, a score grows with relevance like PostgreSQL's.
        sql = (
            f"SELECT {table}.doc_id, -bm25(keyword_row_fts, {weights}) AS score "
            f"FROM keyword_row_fts JOIN {table} ON {table}.document_id = keyword_row_fts.rowid "
            f"WHERE keyword_row_fts MATCH %s AND {table}.collection = %s"
        )
        params: list = [match, collection]
        if filters:
            # The filters as the ORM compiles them over KeywordRow's columns, checked on each matched row's own
            # keyword row (already joined): a subquery listing the passing rows read every row of the collection
            # for a price filter (no index on price), 60 ms at 10k products.
            query = KeywordRow.objects.filter(filters).query
            where, where_params = query.get_compiler(connection=connection).compile(query.where)
            sql += f" AND ({where})"
            params.extend(where_params)
        sql += f" ORDER BY score DESC, {table}.doc_id LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, k])
            return [(doc_id, float(score)) for doc_id, score in cursor.fetchall()]

    @staticmethod
    def _rank_best_first(collection: str, match: str, k: int) -> list[tuple[str, float]] | None:
        """Without filters: the full-text table's PREFETCH * k best rows first, and only those joined with their
        keyword rows (reading the keyword row of every match cost more than ranking them, 5 of 9 ms at 10k).
        Exact, else None (then the caller ranks every match): the k-th best row of `collection` among them
        must score above the lowest prefetched score, so no row left out could rank before it or tie with it.
        """
        weights = ", ".join(str(weight) for weight in FIELD_WEIGHTS)
        limit = PREFETCH * k
        sql = (
            f"SELECT k.doc_id, k.collection, f.score FROM (SELECT rowid, -bm25(keyword_row_fts, {weights}) AS score "
            "FROM keyword_row_fts WHERE keyword_row_fts MATCH %s ORDER BY score DESC LIMIT %s) f "
            "LEFT JOIN ai_assistant_keywordrow k ON k.document_id = f.rowid"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, limit])
            rows = cursor.fetchall()
        ours = sorted(
            ((doc_id, float(score)) for doc_id, row_collection, score in rows if row_collection == collection),
            key=lambda row: (-row[1], row[0]),
        )
        if len(rows) < limit:
            return ours[:k]  # every match was read
        lowest = min(float(score) for _, _, score in rows)
        if len(ours) >= k and ours[k - 1][1] > lowest:
            return ours[:k]
        return None

    def refresh(self, pks: list[int]) -> None:
        return None  # the FTS5 triggers indexed the rows as they were written

    def update_facts(self, collection: str, facts: list[Facts]) -> int:
        # Migration 0007's update trigger re-indexes each updated row in FTS5 (its new facts sentence).
        table = KeywordRow._meta.db_table
        changed = 0
        with connection.cursor() as cursor:
            for start in range(0, len(facts), FACTS_BATCH):
                batch = facts[start : start + FACTS_BATCH]
                values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
                cursor.execute(
                    f"WITH v (doc_id, category_id, price, in_stock, body) AS (VALUES {values}) "
                    f"UPDATE {table} SET category_id = v.category_id, price = v.price, in_stock = v.in_stock, "
                    f"body = v.body FROM v WHERE {table}.collection = %s AND {table}.doc_id = v.doc_id AND "
                    f"({table}.body IS NOT v.body OR {table}.category_id IS NOT v.category_id OR "
                    f"{table}.price IS NOT v.price OR {table}.in_stock IS NOT v.in_stock)",
                    [value for row in batch for value in row] + [collection],
                )
                changed += cursor.rowcount
        return changed

    def close_terms(self, collection: str, word: str, limit: int) -> list[str]:
        grams = sorted({gram for gram in trigrams(word) if "#" not in gram})
        if not grams:
            return []
        match = " OR ".join(_quoted(gram) for gram in grams)
        # bm25 over the trigram table: more shared (and rarer) trigrams first.
        sql = (
            "SELECT t.term FROM keyword_term_fts JOIN ai_assistant_keywordterm t ON t.id = keyword_term_fts.rowid "
            "WHERE keyword_term_fts MATCH %s AND t.collection = %s ORDER BY bm25(keyword_term_fts), t.term LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, collection, limit])
            return [row[0] for row in cursor.fetchall()]
