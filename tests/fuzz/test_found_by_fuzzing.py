"""What the schemathesis run found, pinned as plain tests (each failed before its fix)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.ai_assistant.models import ChatSession
from apps.catalog.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_token_endpoint_documents_its_400(openapi, api_client):
    """POST /api/auth/token/ without credentials answered 400, which the schema did not list."""
    responses = openapi["paths"]["/api/auth/token/"]["post"]["responses"]
    assert "400" in responses
    response = api_client.post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_write_endpoints_take_json_only(openapi, staff_client):
    """Form bodies were accepted, with form rules: `is_active=0` became False, a missing boolean too."""
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation and path != "/api/auth/token/":
                assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)
    response = staff_client.post("/api/categories/", {"name": "Skates", "is_active": "0"})  # multipart
    assert response.status_code == 415
    assert not Category.objects.filter(name="Skates").exists()


def test_an_empty_session_id_is_not_a_new_chat(api_client, settings):
    """A form with `session_id=` (empty) started a new chat instead of refusing a value that is not a UUID."""
    settings.OPENAI_API_KEY = ""
    response = api_client.post("/api/ai-assistant/chat", {"message": "hello", "session_id": ""}, format="json")
    assert response.status_code == 400
    assert "session_id" in response.json()
    form = api_client.post("/api/ai-assistant/chat", {"message": "hello", "session_id": ""})  # multipart
    assert form.status_code == 415
    assert not ChatSession.objects.exists()


@pytest.mark.parametrize("value", [0, 1, "false", "true", "no", None])
def test_booleans_in_bodies_are_json_booleans(staff_client, bicycle_catalog, value):
    """`{"is_active": 0}` created an inactive category: a JSON API takes true or false, not a guess."""
    response = staff_client.post("/api/categories/", {"name": "Skates", "is_active": value}, format="json")
    assert response.status_code == 400
    assert "is_active" in response.json()
    assert not Category.objects.filter(name="Skates").exists()
    option = bicycle_catalog.option("red")
    response = staff_client.patch(f"/api/part-options/{option.pk}/", {"in_stock": value}, format="json")
    assert response.status_code == 400
    assert "in_stock" in response.json()
    option.refresh_from_db()
    assert option.in_stock is True


def test_json_booleans_still_work(staff_client, bicycle_catalog):
    response = staff_client.post("/api/categories/", {"name": "Skates", "is_active": False}, format="json")
    assert response.status_code == 201
    assert response.json()["is_active"] is False
    option = bicycle_catalog.option("red")
    response = staff_client.patch(f"/api/part-options/{option.pk}/", {"in_stock": False}, format="json")
    assert response.status_code == 200
    assert response.json()["in_stock"] is False


@pytest.mark.parametrize("value", ["null", "", "None"])
def test_search_in_stock_takes_true_or_false(api_client, settings, value):
    """`?in_stock=null` searched without the filter instead of refusing a value that is not a boolean."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ai_search": "100000/min", "ai_chat": "100000/min"},
    }
    response = api_client.get("/api/ai-assistant/search", {"q": "bike", "in_stock": value})
    assert response.status_code == 400
    assert "in_stock" in response.json()


@pytest.mark.parametrize("parameter", ["type", "category", "min_price", "limit"])
def test_search_parameters_given_empty_are_refused(api_client, settings, parameter):
    """`?type=&category=` searched without those filters: an empty value now names the parameter, as the
    catalog's list filters already did."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ai_search": "100000/min", "ai_chat": "100000/min"},
    }
    response = api_client.get("/api/ai-assistant/search", {"q": "bike", parameter: ""})
    assert response.status_code == 400
    assert parameter in response.json()


@pytest.mark.parametrize(
    ("field", "value"), [("description", 0), ("name", 5), ("slug", 0), ("description", 1.5), ("name", False)]
)
def test_strings_in_bodies_are_json_strings(staff_client, field, value):
    """`{"description": 0}` was stored as "0": a JSON API takes a string where the schema says string."""
    body = {"name": "Skates", "description": "Wheels", field: value}
    response = staff_client.post("/api/categories/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Category.objects.exists()


def test_option_and_rule_text_must_be_strings_too(staff_client, bicycle_catalog):
    part = bicycle_catalog.part("Wheels")
    body = {"part": part.pk, "name": 29, "default_price": "10"}
    response = staff_client.post("/api/part-options/", body, format="json")
    assert response.status_code == 400 and "name" in response.json()
    rule = bicycle_catalog.incompatibilities[0]
    response = staff_client.patch(f"/api/incompatibility-rules/{rule.pk}/", {"message": 404}, format="json")
    assert response.status_code == 400 and "message" in response.json()
