"""What a sync costs (indexing/writer.py, real Chroma server): a change of facts reads its documents once, under
the lock, and rewrites only the fact columns of the ledger; a change of text embeds outside the lock and reads
the documents again under it; a text whose vector the embedding cache holds is written at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ai_assistant.indexing import writer
from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexedDocument

pytestmark = pytest.mark.integration


class Reads:
    """Counts the catalog reads of the writer (`build_documents`) and the documents each one built."""

    def __init__(self, monkeypatch) -> None:
        self.sizes: list[int] = []
        real = writer.build_documents

        def build_documents(ids):
            ids = list(ids)
            self.sizes.append(len(ids))
            return real(ids)

        monkeypatch.setattr(writer, "build_documents", build_documents)


def _ledger_upserts(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if "ai_assistant_indexeddocument" in q["sql"] and "ON CONFLICT" in q["sql"]]


def test_a_price_change_reads_each_document_once_and_keeps_the_ledger_text(demo, vector_index, monkeypatch):
    vector_index.build_index()
    reads = Reads(monkeypatch)
    blue = demo.option("Blue")
    blue.default_price = Decimal("31.00")
    blue.save()
    touched = sorted(touched_doc_ids(blue))

    with CaptureQueriesContext(connection) as queries:
        result = vector_index.sync_documents(touched)

    assert result["embedded"] == 0 and result["metadata_only"] == result["updated"] >= 4
    assert reads.sizes == [len(touched)]  # one read, under the lock
    upserts = _ledger_upserts(queries.captured_queries)
    assert upserts and all('"metadata" = EXCLUDED."metadata"' in sql for sql in upserts)
    assert not any('"text" = EXCLUDED."text"' in sql for sql in upserts)  # the text column is not rewritten
    row = IndexedDocument.objects.get(collection=get_state().active_collection, doc_id=f"part:{blue.part_id}")
    assert "Blue — 31.00 EUR" in row.metadata["facts"] and row.text and "EUR" not in row.text


def test_a_new_text_is_embedded_outside_the_lock_then_read_again(demo, vector_index, monkeypatch):
    vector_index.build_index()
    reads = Reads(monkeypatch)
    product = demo.product("Dune Drifter")
    product.description = "A sand and beach cruiser with wide tyres, restyled."
    product.save()
    key = f"product:{product.pk}"

    result = vector_index.sync_documents([key])

    assert result["updated"] == 1 and result["embedded"] == 1 and result["metadata_only"] == 0
    # Read under the lock, found a text without a vector, embedded it outside, read again under the lock.
    assert reads.sizes == [1, 1]
    row = IndexedDocument.objects.get(collection=get_state().active_collection, doc_id=key)
    assert "restyled" in row.text
    assert key in {hit["id"] for hit in vector_index.search_documents("beach cruiser restyled", limit=5)}


def test_a_text_whose_vector_is_cached_is_written_in_one_read(demo, vector_index, monkeypatch):
    vector_index.build_index()
    product = demo.product("Dune Drifter")
    original = product.description
    product.description = "A one-off description."
    product.save()
    vector_index.sync_documents([f"product:{product.pk}"])

    reads = Reads(monkeypatch)
    product.description = original  # back to a text the embedding cache holds
    product.save()
    result = vector_index.sync_documents([f"product:{product.pk}"])

    assert result["updated"] == 1 and result["embedded"] == 0 and result["metadata_only"] == 0
    assert reads.sizes == [1]
