"""A search during a rebuild's switch: keyword answers come from the old collection's rows until the pointer
moves and from the new one's right after, in every process at once, never empty."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import hybrid_search
from apps.ai_assistant.services import index_service as index_service_module

pytestmark = pytest.mark.integration


def test_keyword_searches_during_a_rebuild_switch(indexed_committed, monkeypatch):
    before = get_state().active_collection
    monkeypatch.setattr(index_service_module, "DROP_GRACE_SECONDS", 0.5)
    monkeypatch.setattr(index_service_module.IndexService, "batch_size", 10)  # many small steps to search between
    answers: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_loop() -> None:  # another thread, its own database connection: like another process
        try:
            while not stop.is_set():
                hits = hybrid_search("fat tire explorer", SearchFilters(), limit=3, mode="keyword")
                answers.append(len(hits))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    searcher = threading.Thread(target=search_loop)
    searcher.start()
    switched: list[str] = []

    def progress(event: dict) -> None:
        if event["phase"] == "re-sync" and not switched:
            # Just after the switch: this process reads the new collection's keyword rows, no refresh needed.
            switched.append(get_state().active_collection)
            hits = hybrid_search("fat tire explorer", SearchFilters(), limit=1, mode="keyword")
            assert hits and hits[0]["name"] == "Fat Tire Explorer"

    try:
        time.sleep(0.2)
        result = indexed_committed.rebuild_index(progress=progress)
        time.sleep(0.3)
    finally:
        stop.set()
        searcher.join(30)

    assert not errors, errors
    assert len(answers) > 10 and all(n == 3 for n in answers), answers
    after = get_state().active_collection
    assert switched == [after] and after == result["collection"] != before
    # The old collection's keyword rows went with its ledger; its vocabulary goes when the next rebuild starts.
    assert not KeywordRow.objects.filter(collection=before).exists()
    assert KeywordRow.objects.filter(collection=after).count() == result["documents"]
    assert KeywordTerm.objects.filter(collection=after).exists()
