"""What one search costs the database: a fixed number of queries whatever the catalog's size (speed at 10k
products: bench.search_speed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.integration

URL = "/api/ai-assistant/search"


def search_queries(api_client, params: dict) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        body = api_client.get(URL, params).json()
    return body, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    "params", [{"q": "bike for snow and sand"}, {"q": "skis", "type": "product", "in_stock": "true"}]
)
def test_a_search_with_hits_reads_neither_the_index_state_nor_catalog_rows_for_its_facets(indexed, api_client, params):
    body, queries = search_queries(api_client, params)
    assert body["results"] and body["index_state"] == "ready"
    # The readiness check's two reads: the hits already show the active collection holds documents.
    assert not [sql for sql in queries if "rebuild_task_id" in sql]
    # Facets: one GROUP BY of the products' options; category, price and stock come with the hits.
    assert len([sql for sql in queries if "preconfiguredproduct" in sql.lower()]) == 1
    assert not [sql for sql in queries if "metadata" in sql and "MIN(" in sql.upper()]


def test_a_search_without_hits_still_says_why(demo, vector_index, api_client):
    body, _ = search_queries(api_client, {"q": "bike"})
    assert body["results"] == [] and body["index_state"] == "empty"


# Statements of one search asked a second time (its words' frequencies remembered, synonyms read): the index
# pointer, the family documents, the known words, the ranking (PostgreSQL: and the words' frequencies), the
# exact names, the ledger rows, the vocabulary, the facets, and the analytics row (with the savepoint a test's
# transaction gives it); a filter adds the check of the vector side's neighbours against it. More means a stage
# started reading per hit, per word or per cached value.
STATEMENTS = {"sqlite": 11, "postgresql": 12}


@pytest.mark.parametrize("params, extra", [({"q": "bike for snow and sand"}, 0), ({"q": "skis", "type": "product"}, 1)])
def test_a_search_sends_a_bounded_number_of_statements(indexed, api_client, params, extra):
    api_client.get(URL, params)
    body, queries = search_queries(api_client, params)
    assert body["results"]
    assert len(queries) <= STATEMENTS[connection.vendor] + extra, "\n".join(queries)
    assert not [sql for sql in queries if "search_synonym" in sql]  # kept by the process for a second
    assert len([sql for sql in queries if sql.startswith("INSERT")]) == 1
