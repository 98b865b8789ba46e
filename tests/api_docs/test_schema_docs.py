"""The OpenAPI schema documents every operation: a summary, a description and one declared, described tag;
the examples of quote, search and chat are there; /api/docs/ and /api/redoc/ load nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from .conftest import operations


def test_every_operation_has_summary_description_and_a_described_tag(schema):
    declared = {tag["name"]: tag.get("description", "") for tag in schema.get("tags", [])}
    assert all(declared.values()), f"tags without a description: {[n for n, d in declared.items() if not d]}"
    ops = operations(schema)
    assert len(ops) >= 40  # the whole API, not an empty schema
    problems = []
    for method, path, op in ops:
        tags = op.get("tags", [])
        if not op.get("summary", "").strip():
            problems.append(f"{method.upper()} {path}: no summary")
        if not op.get("description", "").strip():
            problems.append(f"{method.upper()} {path}: no description")
        if len(tags) != 1 or tags[0] not in declared:
            problems.append(f"{method.upper()} {path}: tags {tags} (declared: {sorted(declared)})")
    assert problems == []


def test_areas_have_their_own_tags(schema):
    tag_of = {(m, p): op["tags"][0] for m, p, op in operations(schema)}
    assert tag_of[("get", "/api/products/")] == "products"
    assert tag_of[("get", "/api/parts/")] == "catalog"
    assert tag_of[("post", "/api/configurator/quote")] == "configurator"
    assert tag_of[("get", "/api/ai-assistant/search")] == "search"
    assert tag_of[("post", "/api/ai-assistant/chat")] == "assistant"
    assert tag_of[("get", "/api/ai-assistant/index/status")] == "index"
    assert tag_of[("post", "/api/auth/token/")] == "auth"


def _examples(op: dict) -> tuple[list, list]:
    request = [ex for content in op.get("requestBody", {}).get("content", {}).values()
               for ex in content.get("examples", {}).values()]  # fmt: skip
    response = [ex for content in op["responses"]["200"].get("content", {}).values()
                for ex in content.get("examples", {}).values()]  # fmt: skip
    return request, response


@pytest.mark.parametrize(
    ("method", "path", "needs_request"),
    [("post", "/api/configurator/quote", True), ("get", "/api/ai-assistant/search", False),
     ("post", "/api/ai-assistant/chat", True)],
)  # fmt: skip
def test_quote_search_and_chat_have_examples(schema, method, path, needs_request):
    request, response = _examples(schema["paths"][path][method])
    assert response, f"{path}: no response example"
    assert bool(request) or not needs_request, f"{path}: no request example"


def test_search_and_chat_document_index_state(schema):
    components = schema["components"]["schemas"]
    for name in ("SearchResponse", "ChatResponse"):
        field = components[name]["properties"]["index_state"]
        assert "building" in str(field) and "index_state" in components[name]["required"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_only_our_own_static_files(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "sidecar" in page  # the bundled Swagger UI / ReDoc
    external = re.findall(r"""(?:src|href)\s*=\s*["'](https?:)?//[^"']+""", page)
    assert external == [], "the page loads something from another host"
    assets = re.findall(r"""(?:src|href)\s*=\s*["']/static/([^"']+)""", page)
    assert assets and all(finders.find(asset) for asset in assets), assets  # shipped with the packages
