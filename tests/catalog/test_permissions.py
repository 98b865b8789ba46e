"""Reads and quotes are public; every catalog and product write is staff only (401 anonymous, 403 non-staff)."""

from __future__ import annotations

import pytest

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct
from tests.fixtures.api import CLASSIC

pytestmark = pytest.mark.django_db



MODELS = (Category, Part, PartOption, IncompatibilityRule, PriceAdjustmentRule, PreConfiguredProduct)
RESOURCES = ["categories", "parts", "part-options", "incompatibility-rules", "price-adjustment-rules", "products"]
WRITES = ["post", "put", "patch", "delete"]


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def _write(client, method: str, collection: str, pk: int):
    if method == "post":
        return client.post(collection, {"name": "x"}, format="json")
    url = f"{collection}{pk}/"
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, {"name": "Changed"}, format="json")


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("key", RESOURCES)
def test_anonymous_writes_are_401(api_client, catalog_objects, key, method):
    collection, obj = catalog_objects[key]
    before = _counts()
    response = _write(api_client, method, collection, obj.pk)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert _counts() == before


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("key", RESOURCES)
def test_non_staff_writes_are_403(user_client, catalog_objects, key, method):
    collection, obj = catalog_objects[key]
    before = _counts()
    response = _write(user_client, method, collection, obj.pk)
    assert response.status_code == 403
    assert _counts() == before
    obj.refresh_from_db()
    assert getattr(obj, "name", "") != "Changed"


def test_a_wrong_token_is_401(api_client, catalog_objects):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.post("/api/categories/", {"name": "Skis"}, format="json").status_code == 401


@pytest.mark.parametrize("key", RESOURCES)
def test_reads_are_public(api_client, catalog_objects, key):
    collection, obj = catalog_objects[key]
    listing = api_client.get(collection)
    assert listing.status_code == 200
    assert obj.pk in [item["id"] for item in listing.json()["results"]]
    assert api_client.get(f"{collection}{obj.pk}/").json()["id"] == obj.pk


def test_configurator_and_quote_are_public(api_client, user_client, bicycle_catalog):
    cat = bicycle_catalog
    assert api_client.get(f"/api/categories/{cat.category.pk}/configurator/").status_code == 200
    for client in (api_client, user_client):
        response = client.post(
            "/api/configurator/quote", {"category": cat.category.pk, "options": cat.ids(*CLASSIC)}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["price"] == "303.00"
