"""The rules of a rebuild's chunks without a worker (real Chroma server): chunks cover every document once, a
lost chunk is found (and a waiting one is not), the claim is renewed by the chunks' work, a chunk of an
abandoned rebuild writes nothing, and a chunk that fails for good gives its rebuild up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.ai_assistant.indexing import rebuild_chunks, state
from apps.ai_assistant.indexing.documents.registry import all_doc_ids
from apps.ai_assistant.indexing.status import index_status
from apps.ai_assistant.models import IndexedDocument, RebuildChunk
from apps.ai_assistant.tasks import rebuild_chunk

pytestmark = pytest.mark.integration


@pytest.fixture
def planned(demo, vector_index, settings):
    """The demo catalog indexed, and a rebuild "r1" claimed with its chunks planned (10 documents each)."""
    settings.AI_REBUILD_CHUNK_SIZE = 10
    vector_index.build_index()
    state.claim_rebuild("r1")
    rows = vector_index.start_rebuild("r1")
    return rows


def test_the_chunks_cover_every_document_once(planned, vector_index):
    ids = [doc_id for row in planned for doc_id in row.doc_ids]
    assert sorted(ids) == sorted(all_doc_ids()) and len(ids) == len(set(ids))
    assert [row.index for row in planned] == list(range(len(planned))) and len(planned) > 3
    assert {row.total for row in planned} == {len(planned)}
    assert rebuild_chunks.progress(planned[0].collection) == {
        "chunks_done": 0,
        "chunks_total": len(planned),
        "documents_done": 0,
        "documents_total": len(ids),
        "workers": [],
    }
    # The next rebuild (this one died: its claim went) plans anew and the dead one's rows go.
    state.release_building(planned[0].collection)
    rows = vector_index.start_rebuild("r2")
    assert set(RebuildChunk.objects.values_list("rebuild_id", flat=True)) == {"r2"} and len(rows) == len(planned)


def test_a_chunk_writes_its_documents_and_its_progress(planned):
    result = rebuild_chunks.run_chunk("r1", 1, "w1@host")
    again = rebuild_chunks.run_chunk("r1", 1, "w2@host")  # run twice: nothing new to write
    assert result.documents == again.documents == planned[1].size
    held = set(IndexedDocument.objects.filter(collection=planned[0].collection).values_list("doc_id", flat=True))
    assert held == set(planned[1].doc_ids)
    progress = rebuild_chunks.progress(planned[0].collection)
    assert (progress["chunks_done"], progress["documents_done"]) == (1, planned[1].size)
    assert progress["workers"] == ["w2@host"]
    assert RebuildChunk.objects.get(rebuild_id="r1", index=1).attempts == 2


def test_a_started_chunk_gone_silent_is_lost_and_a_waiting_one_is_not(planned, settings):
    settings.AI_REBUILD_CHUNK_STALE_SECONDS = 60
    old = timezone.now() - timedelta(seconds=120)
    RebuildChunk.objects.filter(rebuild_id="r1").update(created_at=old)
    RebuildChunk.objects.filter(rebuild_id="r1", index=0).update(status="running", heartbeat_at=old)
    RebuildChunk.objects.filter(rebuild_id="r1", index=1).update(status="running", heartbeat_at=timezone.now())
    # Chunk 1 is busy: the queued ones wait their turn, only the silent chunk 0 is lost.
    assert [row.index for row in rebuild_chunks.lost_chunks()] == [0]
    assert rebuild_chunks.lost_chunks() == []  # marked as sent again: not twice in a row
    # Nothing moved for longer than the limit: the queued chunks are lost too (their worker took them and died).
    RebuildChunk.objects.filter(rebuild_id="r1").update(heartbeat_at=old)
    assert [row.index for row in rebuild_chunks.lost_chunks()] == [row.index for row in planned]


def test_the_chunks_work_renews_the_rebuild_claim(planned, settings):
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    # A rebuild that has run for nearly the whole time limit is live; its chunks' work renews the claim...
    nearly = timezone.now() - limit + timedelta(seconds=30)
    state.IndexState.objects.filter(pk=1).update(rebuild_started_at=nearly, building_started_at=nearly)
    before = timezone.now()
    assert rebuild_chunks.run_chunk("r1", 0, "w1@host") is not None
    current = state.get_state()
    assert current.rebuild_started_at >= before and current.building_started_at >= before
    # ...so it stays live past the limit; one whose chunks all stopped for longer is stale, and its late
    # chunk does not revive it.
    late = timezone.now() - limit - timedelta(seconds=60)
    state.IndexState.objects.filter(pk=1).update(rebuild_started_at=late, building_started_at=late)
    assert state.running_rebuild_id() == "" and not state.building_is_live(state.get_state())
    assert rebuild_chunks.run_chunk("r1", 1, "w1@host") is None
    assert state.running_rebuild_id() == ""


def test_a_chunk_of_an_abandoned_rebuild_writes_nothing(planned, vector_index):
    collection = planned[0].collection
    state.release_building(collection)
    assert rebuild_chunks.run_chunk("r1", 0, "w1@host") is None
    assert not IndexedDocument.objects.filter(collection=collection).exists()
    assert vector_index.finish_rebuild("r1") is None  # the callback finds nothing to switch to
    assert not RebuildChunk.objects.filter(rebuild_id="r1").exists()


def test_a_chunk_that_fails_for_good_gives_its_rebuild_up(planned, vector_index):
    active = state.active_collection()
    building = planned[0].collection
    rebuild_chunk.on_failure(RuntimeError("disk full"), "chunk-task", ("r1", 0), {}, None)
    current = state.get_state()
    assert current.building_collection == "" and current.active_collection == active
    assert state.running_rebuild_id() == ""
    assert building not in vector_index.collections()
    assert not RebuildChunk.objects.exists()
    assert "disk full" in current.last_error


def test_the_progress_is_in_the_index_status_and_the_admin(planned, admin_client):
    rebuild_chunks.run_chunk("r1", 0, "w1@host")
    progress = index_status()["rebuild_progress"]
    assert (progress["chunks_done"], progress["chunks_total"]) == (1, len(planned))
    page = admin_client.get(reverse("admin:ai_assistant_indexstate_changelist")).content.decode()
    assert f"1/{len(planned)} chunks" in page and "w1@host" in page
