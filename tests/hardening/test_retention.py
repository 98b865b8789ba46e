"""Retention: old chat sessions and unused old embedding-cache rows are deleted by a daily beat task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.ai_assistant.models import ChatMessage, ChatSession, EmbeddingCache, IndexedDocument
from apps.ai_assistant.retrieval.embedding_cache import text_hash
from apps.ai_assistant.services import retention
from apps.ai_assistant.tasks import prune_retained_data

pytestmark = pytest.mark.django_db


def _session(age_days: float, messages: int = 2) -> ChatSession:
    session = ChatSession.objects.create()
    for n in range(messages):
        ChatMessage.objects.create(session=session, role="user", content=f"message {n}")
    # auto_now would stamp "now": set the age afterwards.
    ChatSession.objects.filter(id=session.id).update(updated_at=timezone.now() - timedelta(days=age_days))
    return session


def _cached(text: str, age_days: float, model: str = "m") -> EmbeddingCache:
    row = EmbeddingCache.objects.create(provider="local", model=model, text_hash=text_hash(text), dimensions=2,
                                        vector=b"\0" * 8)
    EmbeddingCache.objects.filter(id=row.id).update(created_at=timezone.now() - timedelta(days=age_days))
    return row


def _ledger(text: str, n: int) -> None:
    IndexedDocument.objects.create(collection="c1", doc_id=f"product:{n}", doc_type="product", object_id=n,
                                   text=text, metadata={}, content_hash=f"h{n}")


def test_old_chat_sessions_and_their_messages_are_deleted_in_batches(settings):
    settings.AI_CHAT_RETENTION_DAYS = 30
    old = [_session(days) for days in (31, 45, 90, 400, 30.1)]
    kept = [_session(days) for days in (0, 5, 29.9)]

    deleted = retention.prune_chat_sessions(batch_size=2)

    assert deleted == 5
    assert set(ChatSession.objects.values_list("id", flat=True)) == {s.id for s in kept}
    assert not ChatMessage.objects.filter(session_id__in=[s.id for s in old]).exists()
    assert ChatMessage.objects.count() == 2 * len(kept)


def test_chat_retention_days_come_from_the_settings(settings):
    settings.AI_CHAT_RETENTION_DAYS = 7
    week_old, fresh = _session(8), _session(6)
    retention.prune_chat_sessions()
    assert list(ChatSession.objects.values_list("id", flat=True)) == [fresh.id]
    assert week_old.id not in set(ChatSession.objects.values_list("id", flat=True))


def test_only_old_embeddings_no_ledger_uses_are_deleted(settings):
    settings.AI_EMBEDDING_CACHE_DAYS = 30
    _ledger("Trail Blazer FS mountain bike", 1)
    _ledger("Enduro Pro", 2)
    used_old = _cached("Trail Blazer FS mountain bike", 90)
    used_old_other_model = _cached("Enduro Pro", 90, model="other")
    unused_new = _cached("a product deleted last week", 3)
    unused_old = [_cached(f"gone {n}", days) for n, days in enumerate((31, 60, 365, 31, 45))]

    deleted = retention.prune_embedding_cache(batch_size=2)

    assert deleted == len(unused_old)
    assert set(EmbeddingCache.objects.values_list("id", flat=True)) == {
        used_old.id, used_old_other_model.id, unused_new.id
    }


def test_expired_browser_sessions_are_deleted():
    live, expired = SessionStore(), SessionStore()
    live["ai_chat"] = expired["ai_chat"] = True
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))

    assert retention.prune_expired_browser_sessions(batch_size=1) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_daily_beat_task_prunes_everything(settings):
    settings.AI_CHAT_RETENTION_DAYS = 30
    settings.AI_EMBEDDING_CACHE_DAYS = 30
    _session(100)
    recent = _session(1)
    _cached("nobody uses this", 100)

    result = prune_retained_data.apply().get()

    assert result == {"chat_sessions": 1, "embedding_cache_rows": 1, "browser_sessions": 0}
    assert list(ChatSession.objects.values_list("id", flat=True)) == [recent.id]
    assert not EmbeddingCache.objects.exists()
    # Scheduled daily on the light queue.
    scheduled = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == prune_retained_data.name]
    assert len(scheduled) == 1
    every = scheduled[0]["schedule"]  # a crontab at one time of day, every day
    assert len(every.hour) == 1 and len(every.minute) == 1
    assert len(every.day_of_week) == 7 and len(every.day_of_month) == 31 and len(every.month_of_year) == 12
    assert django_settings.CELERY_TASK_ROUTES[prune_retained_data.name] == {"queue": "ai_light"}
