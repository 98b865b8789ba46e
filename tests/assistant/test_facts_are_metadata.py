"""Facts are metadata, meaning is embedded (issue 11), on a real Chroma server: a price or a stock change
embeds nothing (counted at the embedding provider) yet reaches the search filters and the chat's cards; a
description change embeds exactly the documents whose text it changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexedDocument
from apps.ai_assistant.retrieval.embeddings import HashingProvider
from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


class EmbedSpy:
    """Counts the calls and texts that reach the real hashing provider."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[int] = []
        real = HashingProvider.embed
        spy = self

        def embed(provider, texts):
            spy.calls.append(len(texts))
            return real(provider, texts)

        monkeypatch.setattr(HashingProvider, "embed", embed)

    @property
    def texts(self) -> int:
        return sum(self.calls)


@pytest.fixture
def indexed(demo_catalog, vector_index):
    vector_index.build_index()
    return vector_index


def _ledger() -> dict[str, tuple[str, str]]:
    rows = IndexedDocument.objects.filter(collection=get_state().active_collection)
    return {doc_id: (text_hash, metadata_hash) for doc_id, text_hash, metadata_hash in rows.values_list(
        "doc_id", "text_hash", "metadata_hash")}


def _names(hits: list[dict]) -> set[str]:
    return {hit["name"] for hit in hits}


def _cards(data: dict) -> dict[str, str]:
    return {card["name"]: card["price"] for card in data["products"]}


def test_a_price_change_embeds_nothing_and_reaches_the_filters_and_the_cards(indexed, chat, monkeypatch):
    assert "Snow Cruiser" not in _names(indexed.search_documents("snow", type="product", max_price=330))
    before = _ledger()
    spy = EmbedSpy(monkeypatch)  # after the search: a query is embedded too

    fat = PartOption.objects.get(name="Fat bike wheels")
    fat.default_price = Decimal("60.00")
    fat.save()
    touched = touched_doc_ids(fat)
    result = indexed.sync_documents(sorted(touched))

    assert spy.texts == 0 and result["embedded"] == 0
    assert result["updated"] == result["metadata_only"] >= 3
    after = _ledger()
    changed = {doc_id for doc_id in after if after[doc_id] != before[doc_id]}
    assert changed and all(after[d][0] == before[d][0] for d in changed)  # text hashes all kept
    # The vector store's metadata moved too: the filter runs in Chroma's `where` as well as in memory.
    snow = PreConfiguredProduct.objects.get(name="Snow Cruiser")
    stored = indexed.store.records(get_state().active_collection)[f"product:{snow.pk}"][0]
    assert stored["price"] == 320.0 and "320.00 EUR" in stored["facts"]
    hits = indexed.search_documents("snow", type="product", max_price=330)
    assert {"Snow Cruiser", "Fat Tire Explorer"} <= _names(hits)
    assert {h["name"]: h["price"] for h in hits}["Snow Cruiser"] == "320.00"
    assert _cards(chat("bikes for snow under 330")) == {"Snow Cruiser": "320.00", "Fat Tire Explorer": "270.00"}


def test_a_stock_change_embeds_nothing_and_reaches_the_filters_and_the_cards(indexed, chat, monkeypatch):
    explorer = PreConfiguredProduct.objects.get(name="Fat Tire Explorer")
    assert "Fat Tire Explorer" in _names(indexed.search_documents("snow", type="product", in_stock=True))
    spy = EmbedSpy(monkeypatch)

    black = PartOption.objects.get(name="Black", part__category__slug="bicycles")
    black.in_stock = False
    black.save()
    result = indexed.sync_documents(sorted(touched_doc_ids(black)))

    assert spy.texts == 0 and result["embedded"] == 0 and result["metadata_only"] == result["updated"] >= 2
    assert "Fat Tire Explorer" not in _names(indexed.search_documents("snow", type="product", in_stock=True))
    unavailable = indexed.search_documents("snow", type="product", in_stock=False)
    assert "Fat Tire Explorer" in _names(unavailable)
    row = IndexedDocument.objects.get(collection=get_state().active_collection, doc_id=f"product:{explorer.pk}")
    assert "Black" in row.metadata["facts"] and "Not available" in row.metadata["facts"]
    # The keyword row sees the new facts: the reason is findable by its words.
    assert f"product:{explorer.pk}" in {h["id"] for h in indexed.search_documents(
        "not available out of stock black", type="product", in_stock=False, limit=20)}
    assert "Fat Tire Explorer" not in _cards(chat("bikes for snow in stock"))


def test_a_description_change_embeds_exactly_the_documents_whose_text_it_changes(indexed, monkeypatch):
    before = _ledger()
    spy = EmbedSpy(monkeypatch)
    fat = PartOption.objects.get(name="Fat bike wheels")
    fat.description = "Extra-wide balloon tyres for snow, sand and deep mud."
    fat.save()
    result = indexed.sync_documents(sorted(touched_doc_ids(fat)))

    after = _ledger()
    new_texts = {doc_id for doc_id in after if after[doc_id][0] != before[doc_id][0]}
    # The part and every product with these wheels (their texts describe the chosen options).
    wheels_products = PreConfiguredProduct.objects.filter(selections__option=fat).count()
    assert len(new_texts) == 1 + wheels_products
    assert spy.texts == result["embedded"] == len(new_texts)
    assert len(spy.calls) == 1  # one batch: fewer texts than AI_INDEX_EMBED_BATCH_SIZE


def test_texts_go_to_the_provider_in_batches_of_the_setting(demo_catalog, vector_index, settings, monkeypatch):
    settings.AI_INDEX_EMBED_BATCH_SIZE = 10
    spy = EmbedSpy(monkeypatch)
    result = vector_index.build_index()
    assert result["embedded"] == spy.texts == 67
    # One call per batch of 10 (the build writes one document type at a time, so some batches are shorter).
    assert max(spy.calls) == 10 and len(spy.calls) <= 67 // 10 + 5


def test_a_fact_that_disappears_leaves_the_vector_store_too(indexed):
    """Chroma merges metadata on upsert and update: a key the document lost is sent as None to remove it."""
    fat = PartOption.objects.get(name="Fat bike wheels")
    part_doc = f"part:{fat.part_id}"
    options = list(PartOption.objects.filter(part_id=fat.part_id))
    touched = set().union(*(touched_doc_ids(option) for option in options))
    PartOption.objects.filter(part_id=fat.part_id).update(is_active=False)
    indexed.sync_documents(sorted(touched))

    stored = indexed.store.records(get_state().active_collection)[part_doc][0]
    assert "price" not in stored and stored["in_stock"] is False
    assert stored["type"] == "part"
