"""The index management commands, against a real Chroma server."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.integration


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_update_status_search_and_rebuild(demo, vector_index):
    output = _run("sync_ai_index")
    assert "sync: 67/67 documents, 67 embedded" in output and "67 added" in output
    assert "0 embedded" in _run("sync_ai_index")

    status = _run("ai_index_status")
    assert "documents" in status and "67" in status and vector_index.prefix in status

    found = _run("search_products", "Fat Tire Explorer", "--type", "product", "--max-price", "400", "--limit", "3")
    assert found.splitlines()[0].startswith(" 1. [product:") and "Fat Tire Explorer" in found.splitlines()[0]
    assert "No results." in _run("search_products", "bike", "--type", "category", "--in-stock")

    # update_ai_index does what the task of that name does: it syncs the outbox, not every document.
    from apps.ai_assistant.indexing.outbox import record_changes
    from apps.ai_assistant.models import IndexChange

    record_changes(["product:999999"])  # a vanished row: the flush deletes it (nothing to delete here)
    assert "Flushed the outbox" in _run("update_ai_index")
    assert not IndexChange.objects.exists()

    rebuilt = _run("rebuild_ai_index")
    assert "Rebuilt" in rebuilt and "0 embedded" in rebuilt and "build: 67/67" in rebuilt


def test_bad_arguments_are_command_errors(demo, vector_index):
    with pytest.raises(CommandError, match="category"):
        _run("search_products", "bike", "--category", "nope")
    with pytest.raises(CommandError):
        _run("search_products", "bike", "--min-price", "-5")
