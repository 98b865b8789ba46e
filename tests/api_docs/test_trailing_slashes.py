"""Every API path answers with and without its trailing slash, through the same view (no 404, no
redirect), whatever the method; a path that exists in neither form stays a JSON 404."""

from __future__ import annotations

import pytest

from apps.catalog.models import Category
from ecommerce_backend.slashes import other_slash_form

from .conftest import operations

pytestmark = pytest.mark.django_db


def concrete(path: str, pk: int) -> str:
    # Any id: an unknown object is a 404 of the view (JSON "No ... matches"), not of the URL map.
    return path.replace("{id}", str(pk)).replace("{line_id}", str(pk)).replace(
        "{task_id}", "00000000-0000-0000-0000-000000000000"
    )


def test_every_schema_path_answers_in_both_forms(schema, staff_client):
    category = Category.objects.create(name="Bicycles", slug="bicycles")
    checked = 0
    for method, path, _op in operations(schema):
        if method == "delete":
            continue  # a DELETE would remove the object the next request reads; GET/POST/PUT/PATCH reach the view
        url = concrete(path, category.pk)
        for form in (url, other_slash_form(url)):
            response = getattr(staff_client, method)(form, {}, format="json")
            assert response.status_code not in (301, 302, 308), f"{method.upper()} {form}: redirected"
            if response.status_code == 404:
                # Only the view's own 404 (an unknown object) is allowed, never the URL map's.
                assert response.json().get("detail") != "Not found.", f"{method.upper()} {form}: 404"
            checked += 1
    assert checked >= 60


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/configurator/quote", "/api/configurator/quote/"),
        ("/api/products/", "/api/products"),
        ("/api/ai-assistant/search", "/api/ai-assistant/search/"),
        ("/api/ai-assistant/index/status", "/api/ai-assistant/index/status/"),
    ],
)
def test_both_forms_reach_the_same_view(api_client, path, expected):
    canonical, other = api_client.get(path), api_client.get(expected)
    assert canonical.status_code == other.status_code != 404
    assert canonical.get("Content-Type") == other.get("Content-Type")


def test_post_without_the_slash_keeps_its_body(api_client):
    category = Category.objects.create(name="Bicycles", slug="bicycles")
    response = api_client.post("/api/configurator/quote/", {"category": category.pk, "options": []}, format="json")
    # The body arrived: without it the answer would be a 400 naming `category`.
    assert response.status_code == 200 and set(response.json()) >= {"valid", "price", "breakdown"}
    assert api_client.post("/api/configurator/quote/", {}, format="json").json().keys() >= {"category"}


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/nothing-here/", "/api/products/1/2/"])
def test_unknown_paths_stay_404(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
