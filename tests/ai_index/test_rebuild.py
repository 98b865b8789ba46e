"""Zero-downtime rebuild (real Chroma server): searches keep answering, changes made meanwhile are kept,
one rebuild at a time, cached embeddings reused, and a changed embedding setting never breaks search."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.state import RebuildInProgress, Target, claim_building, get_state
from apps.ai_assistant.models import IndexedDocument
from apps.ai_assistant.retrieval.embeddings import reset_embedding_providers
from apps.ai_assistant.services import index_service as index_service_module

from .conftest import ids

pytestmark = pytest.mark.integration


def test_searches_never_come_back_empty_during_a_rebuild(demo_committed, vector_index, monkeypatch):
    vector_index.build_index()
    before = get_state().active_collection
    monkeypatch.setattr(index_service_module, "DROP_GRACE_SECONDS", 0.6)
    monkeypatch.setattr(index_service_module.IndexService, "batch_size", 10)  # many small steps to search between
    answers: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_loop() -> None:
        try:
            while not stop.is_set():
                answers.append(len(vector_index.search_documents("fat bike with black rims", limit=5)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    searcher = threading.Thread(target=search_loop)
    searcher.start()
    try:
        time.sleep(0.2)
        result = vector_index.rebuild_index()
        time.sleep(0.7)  # and a little past the switch and the drop
    finally:
        stop.set()
        searcher.join(30)

    assert not errors, errors
    assert len(answers) > 20 and all(n == 5 for n in answers), answers
    after = get_state().active_collection
    assert after != before and result["collection"] == after and result["previous_collection"] == before
    assert result["embedded"] == 0  # every text was in the embedding cache
    assert vector_index.collections() == [after]  # the old collection is dropped
    assert not IndexedDocument.objects.filter(collection=before).exists()
    assert vector_index.status()["last_rebuild_at"] is not None


def test_changes_made_during_a_rebuild_are_not_lost(demo_committed, vector_index, monkeypatch):
    vector_index.build_index()
    monkeypatch.setattr(index_service_module, "DROP_GRACE_SECONDS", 0)
    monkeypatch.setattr(index_service_module.IndexService, "batch_size", 10)
    synced_product = demo_committed.product("Dune Drifter")
    silent_product = demo_committed.product("Ridge Runner")
    done = []

    def change_midway(event: dict) -> None:
        # Once the new collection holds every document, but before the switch (an admin edits meanwhile):
        if event["phase"] == "build" and event["done"] == event["total"] and not done:
            done.append(True)
            state = get_state()
            assert state.building_collection and state.building_collection != state.active_collection
            # 1. a change whose outbox flush runs while the rebuild builds: written to BOTH collections;
            synced_product.name = "Dune Drifter Deluxe"
            synced_product.save()
            result = vector_index.sync_documents(touched_doc_ids(synced_product))
            assert result["collections"] == 2
            # 2. a change whose flush has not run yet: the re-sync after the switch must catch it.
            type(silent_product).objects.filter(pk=silent_product.pk).update(name="Ridge Runner Mk II")

    result = vector_index.rebuild_index(progress=change_midway)
    assert done
    assert result["resynced"] == 1  # the silent change, caught by the re-sync after the switch

    active = get_state().active_collection
    names = dict(
        IndexedDocument.objects.filter(collection=active, doc_type="product").values_list("object_id", "metadata__name")
    )
    assert names[synced_product.pk] == "Dune Drifter Deluxe"
    assert names[silent_product.pk] == "Ridge Runner Mk II"
    assert vector_index.search_documents("Ridge Runner Mk II")[0]["id"] == f"product:{silent_product.pk}"
    assert vector_index.build_index()["updated"] == 0  # nothing left to fix


def test_only_one_rebuild_at_a_time(demo, vector_index):
    vector_index.build_index()
    claim_building(Target(f"{vector_index.prefix}-other-rebuild", "hashing", "token-hash-384"))
    with pytest.raises(RebuildInProgress):
        vector_index.rebuild_index()
    assert vector_index.status()["rebuild_in_progress"] is True


def test_a_failed_rebuild_leaves_the_active_collection_and_frees_the_slot(demo, vector_index, monkeypatch):
    vector_index.build_index()
    before = get_state().active_collection

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(index_service_module.index_state, "switch_active", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        vector_index.rebuild_index()
    state = get_state()
    assert state.active_collection == before and state.building_collection == ""
    assert vector_index.collections() == [before]
    assert vector_index.search_documents("Fat Tire Explorer")[0]["name"] == "Fat Tire Explorer"


def test_a_changed_embedding_model_never_breaks_search(demo, vector_index, settings):
    vector_index.build_index()
    # The settings now name a provider this process cannot use (no key): search falls back to keywords.
    settings.EMBEDDING_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    reset_embedding_providers()
    status = vector_index.status()
    assert status["rebuild_needed"] is True and status["embedding_provider"] == "hashing"
    hits = vector_index.search_documents("Fat Tire Explorer")
    assert hits[0]["name"] == "Fat Tire Explorer"

    # A provider that works but differs from the active collection's: queries still use the active model.
    settings.EMBEDDING_PROVIDER = "hashing"
    reset_embedding_providers()
    assert vector_index.status()["rebuild_needed"] is False
    assert ids(vector_index.search_documents("snow and sand fat tyres", type="product", limit=3))
