"""Suggestions as you type: names of active products, categories and options (SuggestEntry) for a prefix.

1. by prefix: names that start with the typed text, then names with a word that starts with it; categories
   before products before options, shorter names first (one query);
2. when fewer than `limit` were found, by misspelling: the typed text with its unknown words corrected
   (selectors/spelling.py), looked up by prefix again; on PostgreSQL also names whose words are
   trigram-similar to the typed text (pg_trgm word similarity, one query over the GIN index).
Equal names of one kind (two options called "Black" in two categories) are offered once, the first found.
"""

from __future__ import annotations

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Length

from apps.ai_assistant.retrieval.text import normalize
from apps.search.models import SuggestEntry
from apps.search.selectors.spelling import correct_query

MAX_LIMIT = 10
KIND_ORDER = Case(
    When(kind=SuggestEntry.CATEGORY, then=Value(0)),
    When(kind=SuggestEntry.PRODUCT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _by_prefix(norm: str, count: int) -> list[tuple[str, str, int]]:
    starts = Case(When(norm__startswith=norm, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = (
        SuggestEntry.objects.filter(Q(norm__startswith=norm) | Q(norm__contains=f" {norm}"))
        .annotate(starts=starts, kind_order=KIND_ORDER, size=Length("norm"))
        .order_by("starts", "kind_order", "size", "norm", "object_id")
        .values_list("text", "kind", "object_id")[:count]
    )
    return list(rows)


def _by_similarity(norm: str, count: int) -> list[tuple[str, str, int]]:
    rows = (
        SuggestEntry.objects.filter(TrigramWordSimilar(F("norm"), norm))  # norm %> typed text
        .annotate(similarity=TrigramWordSimilarity(norm, "norm"), kind_order=KIND_ORDER)
        .order_by("-similarity", "kind_order", "norm", "object_id")
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
