"""Suggestions as you type: names of active products, categories and options (SuggestEntry) for a prefix.

1. by prefix: names that start with the typed text, then names with a word that starts with it; categories
   before products before options, shorter names first (an index range read per kind over the word keys of
   SuggestEntry, each at most twice the limit; one UNION ALL query of the three reads);
2. when fewer than `limit` were found, by misspelling: the typed text with its unknown words corrected
   (selectors/spelling.py), looked up by prefix again; on PostgreSQL also names whose words are
   trigram-similar to the typed text (pg_trgm word similarity, one query over the GIN index).
Equal names of one kind (two options called "Black" in two categories) are offered once, the first found.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Collate

from apps.ai_assistant.retrieval.text import normalize
from apps.search.models import SuggestEntry
from apps.search.selectors.spelling import correct_query

MAX_LIMIT = 10
KIND_ORDER = (SuggestEntry.CATEGORY, SuggestEntry.PRODUCT, SuggestEntry.OPTION)


def _prefix_keys(kind: str, norm: str, upper: str) -> QuerySet:
    """The word keys of `kind` starting with `norm`, in byte order: a range read of an index, in order, so a
    LIMIT stops it early ("b" reads LIMIT keys, not every name with a word starting with b).

    The prefix is the range [norm, norm's successor) in a bytewise collation: SQLite's default (binary) over
    the (kind, norm) index, "C" on PostgreSQL over the (kind, norm COLLATE "C") index of migration 0004.
    `upper` is that successor (norm with its last character raised by one).
    """
    keys = SuggestEntry.objects.filter(kind=kind)
    if connection.vendor == "postgresql":
        keys = keys.annotate(key=Collate("norm", "C"))
        return keys.filter(key__gte=Collate(Value(norm), "C"), key__lt=Collate(Value(upper), "C")).order_by("key")
    return keys.filter(norm__gte=norm, norm__lt=upper).order_by("norm")


# Stand-ins for the typed text and its successor while the prefix query is compiled once (_prefix_statement).
_NORM, _UPPER = "\x00norm\x00", "\x00upper\x00"


@lru_cache(maxsize=16)
def _prefix_statement(vendor: str, count: int) -> tuple[str, tuple]:
    """The SQL of `_by_prefix` for `count` keys per kind, with _NORM and _UPPER among its parameters.

    Compiled once per database vendor and count: building the three querysets and their SQL cost 2-3 ms of
    CPU per call (Django's compiler), more than the database's work, and a misspelt query calls it twice.
    """
    parts = [
        _prefix_keys(kind, _NORM, _UPPER)
        .values_list("text", "kind", "object_id", "position")[:count]
        .query.sql_with_params()
        for kind in KIND_ORDER
    ]
    sql = " UNION ALL ".join(f"SELECT * FROM ({part_sql}) AS keys_{n}" for n, (part_sql, _) in enumerate(parts))
    return sql, tuple(param for _, params in parts for param in params)


def _by_prefix(norm: str, count: int) -> list[tuple[str, str, int]]:
    """Names with a word key starting with `norm`: whole names first, then categories, products, options,
    then shorter names. Each kind reads at most `count` keys in index order (bounded work for "b"), all three
    in one query: each kind's ordered, limited read as a subquery, joined by UNION ALL (a form PostgreSQL
    and SQLite both accept; a compound query with a LIMIT per part directly is PostgreSQL's only)."""
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    sql, template = _prefix_statement(connection.vendor, count)
    values = {_NORM: norm, _UPPER: norm[:-1] + chr(ord(norm[-1]) + 1)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) if isinstance(param, str) else param for param in template])
        keys = cursor.fetchall()
    rows = sorted(
        ((position > 0, order[kind], len(text), text.lower(), pk), (text, kind, pk))
        for text, kind, pk, position in keys
    )
    return [row for _key, row in rows]


def _by_similarity(norm: str, count: int) -> list[tuple[str, str, int]]:
    rows = (
        SuggestEntry.objects.filter(TrigramWordSimilar(F("norm"), norm))  # norm %> typed text
        .annotate(similarity=TrigramWordSimilarity(norm, "norm"))
        .order_by("-similarity", "position", "norm", "object_id")
        .values_list("text", "kind", "object_id")[:count]
    )
    return list(rows)


def suggestions(text: str, limit: int = MAX_LIMIT) -> list[dict]:
    """Up to `limit` suggestions [{text, type, id}] for what a customer has typed so far."""
    norm = normalize(text)
    limit = max(1, min(limit, MAX_LIMIT))
    if not norm:
        return []
    found: dict[tuple[str, str], dict] = {}

    def add(rows: list[tuple[str, str, int]]) -> None:
        for name, kind, pk in rows:
            if len(found) < limit:
                found.setdefault((name.lower(), kind), {"text": name, "type": kind, "id": pk})

    # Twice the limit: equal names of one kind collapse to one.
    add(_by_prefix(norm, limit * 2))
    if len(found) < limit:
        corrected = correct_query(norm)
        if corrected and corrected != norm:
            add(_by_prefix(corrected, limit * 2))
    if len(found) < limit and connection.vendor == "postgresql":
        add(_by_similarity(norm, limit * 2))
    return list(found.values())
