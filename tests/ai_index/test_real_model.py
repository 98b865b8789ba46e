"""The real local embedding model (all-MiniLM-L6-v2) on the demo catalog: meaning, not just words."""

from __future__ import annotations

import pytest

from apps.ai_assistant.retrieval.embeddings import reset_embedding_providers

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def local_model(settings):
    settings.EMBEDDING_PROVIDER = "local"
    reset_embedding_providers()
    yield
    reset_embedding_providers()


def test_fat_bike_with_black_rims_finds_the_fat_tire_explorer(demo, local_model, vector_index):
    result = vector_index.build_index()
    assert result["collection"].startswith(f"{vector_index.prefix}-local-all-minilm-l6-v2-")
    assert vector_index.status()["embedding_model"] == "all-MiniLM-L6-v2"

    products = vector_index.search_documents("fat bike with black rims", type="product", limit=3)
    assert products[0]["name"] == "Fat Tire Explorer"
    assert vector_index.search_documents("fat bike with black rims")[0]["name"] == "Fat Tire Explorer"
    # A paraphrase of the product's purpose ("learning to surf" ~ a beginner's board).
    surf = vector_index.search_documents("easy board for learning to surf", type="product", limit=3)
    assert "Beginner Funboard" in [hit["name"] for hit in surf]
