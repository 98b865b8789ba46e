"""The keyword backend interface: what a database's full-text engine must offer hybrid search.

A backend ranks a collection's KeywordRow rows for a list of query words (OR: a row matching more, rarer
words in weightier fields ranks higher) with the filters applied in the same SQL query, brings its full-text
index up to date after rows were written, rewrites the facts of rows alone (a price or stock change), and
lists vocabulary words that share character trigrams with a misspelt word. Everything else (which words to
search, misspellings, exact names) is the same for every database and lives in keyword_backends/search.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.db.models import Q

# The fields' weights, name : labels (options, category) : body (text, facts). PostgreSQL's ts_rank weighs
# its A/B/C classes 1.0/0.4/0.2 by default; SQLite's bm25() takes the same ratios.
FIELD_WEIGHTS = (1.0, 0.4, 0.2)
# Rows per UPDATE of the facts: 5 parameters a row, far below either database's limit.
FACTS_BATCH = 1000
Facts = tuple[str, int | None, float | None, bool | None, str]  # (doc_id, category_id, price, in_stock, body)


class KeywordBackend(ABC):
    """One database's full-text search over KeywordRow (see the module docstring)."""

    vendor: str = ""

    @abstractmethod
    def rank(self, collection: str, words: list[str], filters: Q, k: int) -> list[tuple[str, float]]:
        """The `k` best (doc_id, score) of `collection` matching any of `words` and `filters`, best first.

        `words` are plain lowercase words (letters and digits); the backend stems them as it stems the rows.
        """

    @abstractmethod
    def refresh(self, pks: list[int]) -> None:
        """After these KeywordRow rows (by primary key) were written: bring the full-text index up to date."""

    @abstractmethod
    def update_facts(self, collection: str, facts: list[Facts]) -> int:
        """Set category_id, price, in_stock and body (the same text, new facts sentence) of `collection`'s rows
        by doc_id, in one UPDATE per FACTS_BATCH rows, and refresh the full-text entry of the rows it changed;
        rows that already hold these facts are not written. Returns the rows changed."""

    @abstractmethod
    def close_terms(self, collection: str, word: str, limit: int) -> list[str]:
        """Up to `limit` vocabulary words of `collection` sharing the most character trigrams with `word`."""
