"""The index follows the catalog (real Chroma server): add, change, delete; unchanged texts are never re-embedded."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import EmbeddingCache, IndexedDocument
from apps.preconfigured_products.services import create_product

from .conftest import ids

pytestmark = pytest.mark.integration

DEMO_DOCUMENTS = 67


def _collection_count(vector_index) -> int:
    return vector_index.store.count(get_state().active_collection)


def test_first_build_then_an_unchanged_build_embeds_nothing(demo, vector_index):
    events = []
    first = vector_index.build_index(progress=events.append)
    assert first["added"] == DEMO_DOCUMENTS and first["embedded"] == DEMO_DOCUMENTS
    assert first["collection"].startswith(vector_index.prefix + "-hashing-")
    assert _collection_count(vector_index) == DEMO_DOCUMENTS
    assert events and events[-1]["done"] == events[-1]["total"] and "embedded" in events[-1]["message"]

    second = vector_index.build_index()
    assert second["embedded"] == 0 and second["added"] == second["updated"] == second["deleted"] == 0
    assert second["unchanged"] == DEMO_DOCUMENTS
    assert EmbeddingCache.objects.count() == DEMO_DOCUMENTS

    status = vector_index.status()
    assert status["documents"] == DEMO_DOCUMENTS and status["active_collection"] == first["collection"]
    assert status["embedding_provider"] == "hashing" and status["rebuild_needed"] is False
    assert status["rebuild_in_progress"] is False and status["last_update_at"] is not None


def test_the_index_follows_added_changed_and_deleted_rows(demo, vector_index):
    vector_index.build_index()
    active = get_state().active_collection

    # Add: a new product is searchable by its name.
    product = create_product(
        category=demo.category("bicycles"),
        name="Gravel Grinder",
        description="A drop-bar bike for gravel roads and bikepacking trips.",
        options=[demo.option(n).pk for n in ("Diamond", "Shiny", "Road wheels", "Blue", "8-speed chain")],
    )
    result = vector_index.sync_documents(touched_doc_ids(product))
    assert result["added"] == 1 and result["embedded"] == 1
    hits = vector_index.search_documents("Gravel Grinder bikepacking")
    assert hits[0]["id"] == f"product:{product.pk}" and hits[0]["price"] == "290.00"

    # Change: an option's price reaches its part, every product using it and every rule naming it.
    blue = demo.option("Blue")
    blue.default_price = Decimal("27.00")
    blue.save()
    touched = touched_doc_ids(blue)
    result = vector_index.sync_documents(touched)
    # The part and every product with blue rims changed; the category lists option names only.
    assert result["updated"] == len(touched) - 1 >= 4 and result["unchanged"] == 1
    # A price is metadata: every one of them was a metadata-only write, nothing embedded.
    assert result["embedded"] == 0 and result["metadata_only"] == result["updated"]
    hit = vector_index.search_documents("Gravel Grinder")[0]
    assert hit["id"] == f"product:{product.pk}" and hit["price"] == "297.00"
    ledger = IndexedDocument.objects.get(collection=active, doc_id=f"part:{blue.part_id}")
    assert "Blue — 27.00 EUR" in ledger.metadata["facts"] and "EUR" not in ledger.text

    # Delete: the document leaves the vector store and the ledger.
    doc_ids = touched_doc_ids(product)
    product.delete()
    result = vector_index.sync_documents(doc_ids)
    assert result["deleted"] == 1
    assert f"product:{product.pk}" not in ids(vector_index.search_documents("Gravel Grinder bikepacking", limit=50))
    assert _collection_count(vector_index) == DEMO_DOCUMENTS
    assert not IndexedDocument.objects.filter(doc_id=f"product:{product.pk}").exists()

    # Deactivating a category removes its documents at the next full sync.
    skis = demo.category("skis")
    skis.is_active = False
    skis.save()
    result = vector_index.build_index()
    assert result["deleted"] == 1 + 4 + 6 + 2 + 2  # category, parts, products, incompatibilities, price rules
    assert not [h for h in vector_index.search_documents("ski", limit=50) if h["category"] == "Skis"]


def test_syncing_an_unchanged_document_writes_nothing(demo, vector_index):
    vector_index.build_index()
    black = demo.option("Black")
    result = vector_index.sync_documents(touched_doc_ids(black))
    assert result["embedded"] == 0 and result["updated"] == 0 and result["unchanged"] >= 5


def test_sync_before_any_build_builds_everything(demo, vector_index):
    result = vector_index.sync_documents([f"product:{demo.product('Dune Drifter').pk}"])
    assert result["added"] == DEMO_DOCUMENTS
    assert vector_index.status()["documents"] == DEMO_DOCUMENTS


def test_concurrent_syncs_of_the_same_documents_converge(demo_committed, vector_index):
    """Two writers syncing overlapping ids at once, while the rows change: the index ends equal to the DB."""
    vector_index.build_index()
    black = demo_committed.option("Black")
    touched = sorted(touched_doc_ids(black))
    errors: list[BaseException] = []

    def writer(round_: int) -> None:
        try:
            for i in range(3):
                black.default_price = Decimal(15 + round_ * 10 + i)
                type(black).objects.filter(pk=black.pk).update(default_price=black.default_price)
                vector_index.sync_documents(touched)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors

    # Whatever the interleaving, one more hash compare finds nothing to fix: the index equals the DB.
    final = vector_index.build_index()
    assert final["added"] == final["updated"] == final["deleted"] == 0
    assert _collection_count(vector_index) == DEMO_DOCUMENTS


def test_a_full_sync_repairs_a_vector_store_that_lost_data(demo, vector_index):
    vector_index.build_index()
    active = get_state().active_collection
    product_ids = sorted(IndexedDocument.objects.filter(doc_type="product").values_list("doc_id", flat=True))
    vector_index.store.delete(active, product_ids[:3])  # lost behind the ledger's back
    vector_index.store.upsert(active, ["product:999999"], [[1.0] + [0.0] * 383], [{"type": "product"}])  # orphan

    result = vector_index.build_index()
    assert result["repaired"] == 4 and result["added"] == 3 and result["embedded"] == 0
    assert vector_index.store.list_ids(active) == set(
        IndexedDocument.objects.filter(collection=active).values_list("doc_id", flat=True)
    )

    # A wiped server: the collection itself is gone. The next full sync recreates and refills it.
    vector_index.store.delete_collection(active)
    result = vector_index.build_index()
    assert result["added"] == DEMO_DOCUMENTS and result["embedded"] == 0
    assert _collection_count(vector_index) == DEMO_DOCUMENTS
