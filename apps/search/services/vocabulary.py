"""The catalog's words (VocabularyWord) and names (SuggestEntry), derived from the catalog tables.

- `refresh_rows(model, pks)`: after a save, a delete or a bulk write of some rows (apps/search/signals.py):
  their suggestion entries are rewritten or removed and their words added. A few queries per call, whatever
  the catalog's size.
- `refresh_all()`: everything recomputed (word frequencies included, words no row uses any more dropped): after
  `bootstrap_shop`, nightly by beat (`search.refresh_vocabulary`), and by `refresh_search_vocabulary`.

Concurrent writers (several web processes and workers saving the same rows at once) are serialised per row:
each write takes its rows' locks (`_lock_rows`) and only then reads the rows and rewrites their entries, in one
transaction. So the entries always follow the row as last committed (a refresh can no longer write a name it
read before another save committed), and two refreshes of one row never insert the same
(kind, object_id, position) key. Words are inserted in sorted order, so two transactions never wait on each
other's words in opposite orders.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator

from django.db import connection, models, transaction

from apps.ai_assistant.retrieval.text import STOP_WORDS, normalize, words
from apps.catalog.models import Category, Part, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.search.models import SuggestEntry, VocabularyWord

logger = logging.getLogger(__name__)

CHUNK = 2000
MAX_WORD = 64

# The catalog models whose names and descriptions give words, with the suggestion kind of their names (parts:
# words only).
SOURCES: dict[type[models.Model], str | None] = {
    Category: SuggestEntry.CATEGORY,
    Part: None,
    PartOption: SuggestEntry.OPTION,
    PreConfiguredProduct: SuggestEntry.PRODUCT,
}


def vocabulary_words(text: str) -> Iterator[str]:
    """The words of `text` worth correcting a query towards: 2-64 characters, not only digits, no stop words."""
    for word in words(text):
        if 2 <= len(word) <= MAX_WORD and not word.isdigit() and word not in STOP_WORDS:
            yield word


def _active(model: type[models.Model]) -> models.QuerySet:
    """The rows whose names a customer may be offered: active ones, in active categories."""
    queryset = model.objects.all()
    if model is PreConfiguredProduct:
        return queryset.filter(is_active=True, category__is_active=True)
    if model is PartOption:
        return queryset.filter(is_active=True, part__category__is_active=True)
    if model is Category:
        return queryset.filter(is_active=True)
    return queryset


def _rows(model: type[models.Model], pks: Iterable[int] | None) -> Iterator[tuple]:
    """(pk, name, description) of the active rows of `model` (all, or those of `pks`), in chunks."""
    queryset = _active(model).order_by()
    if pks is None:
        yield from queryset.values_list("pk", "name", "description").iterator(chunk_size=CHUNK)
        return
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        yield from queryset.filter(pk__in=pks[start : start + CHUNK]).values_list("pk", "name", "description")


MAX_KEYS = 8  # word starts keyed per name: the first eight words of a long name

# PostgreSQL advisory locks (transaction-scoped) of the vocabulary: key pair (LOCK_NAMESPACE, model x LOCK_BUCKETS
# + pk % LOCK_BUCKETS). Buckets bound the locks one write takes (a bulk refresh of 50k rows takes at most
# LOCK_BUCKETS); two rows of one bucket merely wait for each other's few milliseconds.
LOCK_NAMESPACE = 0x5E4C
LOCK_BUCKETS = 64
_MODELS = list(SOURCES)


def _lock_rows(model: type[models.Model], pks: Iterable[int] | None) -> None:
    """Wait until no other transaction is rewriting these rows' entries and words (None: every row of every
    model), and hold that until ours ends. Keys are taken in ascending order, so lockers never deadlock.

    PostgreSQL only: on SQLite every write transaction is IMMEDIATE (settings), so one writer runs at a time.
    Advisory locks, not row locks on the catalog, so a catalog write never waits for the vocabulary.
    """
    if connection.vendor != "postgresql":
        return
    if pks is None:
        keys = list(range(len(_MODELS) * LOCK_BUCKETS))
    else:
        base = _MODELS.index(model) * LOCK_BUCKETS
        keys = sorted({base + pk % LOCK_BUCKETS for pk in pks})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, key)) FROM (SELECT unnest(%s::int[]) AS key ORDER BY 1) AS keys",
            [LOCK_NAMESPACE, keys],
        )


def _new_words(found: Counter[str]) -> list[VocabularyWord]:
    """Rows of the words found, in sorted order (see the module docstring)."""
    return [VocabularyWord(word=w, length=len(w), frequency=found[w]) for w in sorted(found)]


def _entries(kind: str, pk: int, name: str) -> list[SuggestEntry]:
    """One entry per word start of the normalised name (see SuggestEntry)."""
    tokens = normalize(name).split()
    return [
        SuggestEntry(kind=kind, object_id=pk, text=name[:200], norm=" ".join(tokens[i:])[:200], position=i)
        for i in range(min(len(tokens), MAX_KEYS))
    ]


def refresh_rows(model: type[models.Model], pks: Iterable[int]) -> None:
    """Bring the entries and words of these rows of `model` up to date (see the module docstring)."""
    if model not in SOURCES:
        return
    kind = SOURCES[model]
    pks = sorted(set(pks))
    if not pks:
        return
    with transaction.atomic():
        _lock_rows(model, pks)
        found: Counter[str] = Counter()
        entries: list[SuggestEntry] = []
        for pk, name, description in _rows(model, pks):  # read under the lock: the row as last committed
            found.update(set(vocabulary_words(f"{name} {description}")))
            if kind:
                entries.extend(_entries(kind, pk, name))
        if kind:
            for start in range(0, len(pks), CHUNK):
                SuggestEntry.objects.filter(kind=kind, object_id__in=pks[start : start + CHUNK]).delete()
            SuggestEntry.objects.bulk_create(entries, batch_size=CHUNK)
        # A word already known keeps its count until the next full refresh.
        VocabularyWord.objects.bulk_create(_new_words(found), batch_size=CHUNK, ignore_conflicts=True)


def remove_rows(model: type[models.Model], pks: Iterable[int]) -> None:
    """Deleted rows are no longer offered (their words stay until the next full refresh)."""
    kind = SOURCES.get(model)
    if kind:
        pks = sorted(set(pks))
        with transaction.atomic():
            _lock_rows(model, pks)  # after a refresh of the same rows that read them before they were deleted
            SuggestEntry.objects.filter(kind=kind, object_id__in=pks).delete()


def refresh_all() -> dict[str, int]:
    """Recompute every entry and word from the catalog; returns how many of each."""
    found: Counter[str] = Counter()
    entries: list[SuggestEntry] = []
    with transaction.atomic():
        _lock_rows(Category, None)  # every row of every model: row refreshes wait for this one
        for model, kind in SOURCES.items():
            for pk, name, description in _rows(model, None):
                found.update(set(vocabulary_words(f"{name} {description}")))
                if kind:
                    entries.extend(_entries(kind, pk, name))
        SuggestEntry.objects.all().delete()
        SuggestEntry.objects.bulk_create(entries, batch_size=CHUNK)
        VocabularyWord.objects.all().delete()
        VocabularyWord.objects.bulk_create(_new_words(found), batch_size=CHUNK)
    names = len({(entry.kind, entry.object_id) for entry in entries})
    logger.info("search vocabulary: %d words, %d names (%d word keys)", len(found), names, len(entries))
    return {"words": len(found), "entries": names}
