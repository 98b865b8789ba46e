"""Retention: chat sessions and embedding-cache rows are deleted when nothing needs them any more.

- A chat session (with its messages) whose last message is older than AI_CHAT_RETENTION_DAYS.
- An embedding-cache row older than AI_EMBEDDING_CACHE_DAYS whose text no ledger row (IndexedDocument, any
  collection) holds: the writers look vectors up by sha256 of a document's text, so a row is still used
  exactly when some ledger text hashes to its text_hash. Rows of any provider/model are kept for such a
  text (conservative: keeping a row costs disk, deleting a needed one costs an embedding call).
- Expired Django sessions: the chat sets one per anonymous browser, and nothing else removes them.

Deletes run in bounded batches (short transactions and locks, bounded memory per statement), each batch
re-checking its condition, so a session answered meanwhile is not deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.ai_assistant.models import ChatSession, EmbeddingCache, IndexedDocument
from apps.ai_assistant.retrieval.embedding_cache import text_hash

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
DATABASE_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def prune_chat_sessions(days: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete chat sessions (and their messages) not updated for `days`; returns how many sessions."""
    days = settings.AI_CHAT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        old = ChatSession.objects.filter(updated_at__lt=cutoff).order_by()
        ids = list(old.values_list("id", flat=True)[:batch_size])
        if not ids:
            return deleted
        _, per_model = ChatSession.objects.filter(id__in=ids, updated_at__lt=cutoff).delete()
        deleted += per_model.get(ChatSession._meta.label, 0)
        if len(ids) < batch_size:
            return deleted


def _ledger_text_hashes() -> set[str]:
    """sha256 of every text the ledger holds, read in chunks (the ledger is about one row per catalog object)."""
    return {
        text_hash(text)
        for text in IndexedDocument.objects.order_by().values_list("text", flat=True).iterator(chunk_size=2000)
    }


def prune_embedding_cache(days: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete cached embeddings older than `days` whose text no ledger row holds; returns how many."""
    days = settings.AI_EMBEDDING_CACHE_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    used = _ledger_text_hashes()
    deleted, after = 0, 0
    while True:
        # Walk the old rows by id, so kept (used) rows are not read again on every batch.
        rows = list(
            EmbeddingCache.objects.filter(created_at__lt=cutoff, id__gt=after)
            .order_by("id")
            .values_list("id", "text_hash")[:batch_size]
        )
        if not rows:
            return deleted
        after = rows[-1][0]
        unused = [pk for pk, digest in rows if digest not in used]
        if unused:
            deleted += EmbeddingCache.objects.filter(id__in=unused).delete()[0]
        if len(rows) < batch_size:
            return deleted


def prune_expired_browser_sessions(batch_size: int = BATCH_SIZE) -> int:
    """Delete expired Django sessions of the database backends (others expire on their own)."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    deleted = 0
    now = timezone.now()
    while True:
        keys = list(Session.objects.filter(expire_date__lt=now).values_list("session_key", flat=True)[:batch_size])
        if not keys:
            return deleted
        deleted += Session.objects.filter(session_key__in=keys, expire_date__lt=now).delete()[0]
        if len(keys) < batch_size:
            return deleted


def prune_retained_data() -> dict[str, int]:
    """Everything retention deletes, with counts (the beat task's result)."""
    result = {
        "chat_sessions": prune_chat_sessions(),
        "embedding_cache_rows": prune_embedding_cache(),
        "browser_sessions": prune_expired_browser_sessions(),
    }
    logger.info("Retention: deleted %s", result)
    return result
