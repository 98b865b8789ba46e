"""Staff rights come from Django permissions: a view-only staff user reads, never writes (API and admin).

Before issue 9 any staff account could write every resource through the API, queue index work and run the
admin's actions, whatever permissions it held.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.ai_assistant.indexing import state
from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.services import create_product
from tests.fixtures.api import CLASSIC
from tests.fixtures.celery_worker import purge_queues

pytestmark = pytest.mark.django_db

MODELS = (Category, Part, PartOption, IncompatibilityRule, PriceAdjustmentRule, PreConfiguredProduct)


@pytest.fixture(autouse=True)
def no_queued_messages():
    """Index work a test queues (no worker here) must not reach a later test's worker."""
    purge_queues()
    yield
    purge_queues()


def _staff_with(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _snapshot() -> list[list[tuple]]:
    """Every row of every API model, so a partial write of any kind shows."""
    return [sorted(model.objects.values_list()) for model in MODELS]


# -- API ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key", ["categories", "parts", "part-options", "incompatibility-rules", "price-adjustment-rules", "products"]
)
def test_view_only_staff_reads_but_every_write_is_403(view_only_client, catalog_objects, key):
    collection, obj = catalog_objects[key]
    assert view_only_client.get(collection).status_code == 200
    assert view_only_client.get(f"{collection}{obj.pk}/").json()["id"] == obj.pk

    before = _snapshot()
    detail = f"{collection}{obj.pk}/"
    responses = {
        "post": view_only_client.post(collection, {"name": "x"}, format="json"),
        "put": view_only_client.put(detail, {"name": "Changed"}, format="json"),
        "patch": view_only_client.patch(detail, {"name": "Changed"}, format="json"),
        "delete": view_only_client.delete(detail),
    }
    assert {method: r.status_code for method, r in responses.items()} == dict.fromkeys(responses, 403)
    assert _snapshot() == before


def test_a_permission_allows_its_own_write_and_no_other(django_user_model, catalog_objects):
    client = _client(_staff_with(django_user_model, "category-editor", "add_category"))
    product = catalog_objects["products"][1]

    created = client.post("/api/categories/", {"name": "Skis", "slug": "skis"}, format="json")
    assert created.status_code == 201
    assert Category.objects.filter(slug="skis").exists()

    assert client.delete(f"/api/products/{product.pk}/").status_code == 403
    assert client.patch(f"/api/categories/{created.json()['id']}/", {"name": "X"}, format="json").status_code == 403
    assert client.post("/api/parts/", {"name": "Poles"}, format="json").status_code == 403
    assert PreConfiguredProduct.objects.filter(pk=product.pk).exists()
    assert Category.objects.get(slug="skis").name == "Skis"

    # The permission alone is not enough: the account must be staff too (as for the admin).
    not_staff = django_user_model.objects.create_user(username="not-staff")
    not_staff.user_permissions.set(Permission.objects.filter(codename="add_category"))
    assert _client(not_staff).post("/api/categories/", {"name": "Poles"}, format="json").status_code == 403
    assert not Category.objects.filter(name="Poles").exists()


def test_view_only_staff_reads_the_index_but_cannot_queue_work(view_only_client):
    assert view_only_client.get(f"/api/ai-assistant/tasks/{uuid.uuid4()}").status_code == 200
    assert view_only_client.get("/api/ai-assistant/index/status").status_code == 200
    assert view_only_client.post("/api/ai-assistant/index/rebuild").status_code == 403
    assert view_only_client.post("/api/ai-assistant/index/update").status_code == 403
    assert not state.running_rebuild_id()


def test_each_index_action_has_its_own_permission(django_user_model):
    client = _client(_staff_with(django_user_model, "rebuilder", "rebuild_index"))
    assert client.post("/api/ai-assistant/index/update").status_code == 403
    assert client.get("/api/ai-assistant/index/status").status_code == 403  # reading needs view_indexstate
    assert client.post("/api/ai-assistant/index/rebuild").status_code == 202


# -- Admin ----------------------------------------------------------------------------------------
OPTIONS_URL = "/admin/catalog/partoption/"


def test_view_only_staff_cannot_run_the_stock_actions_or_edit_in_the_admin(client, view_only_staff, bicycle_catalog):
    option = bicycle_catalog.option("road wheels")
    client.force_login(view_only_staff)

    listing = client.get(OPTIONS_URL)
    assert listing.status_code == 200
    assert b"mark_out_of_stock" not in listing.content and b"mark_in_stock" not in listing.content
    assert b"form-0-default_price" not in listing.content  # list_editable is off without change rights

    # A forged action POST changes nothing.
    client.post(OPTIONS_URL, {"action": "mark_out_of_stock", "_selected_action": [option.pk], "index": 0})
    option.refresh_from_db()
    assert option.in_stock

    # The change form is read-only and refuses a POST.
    form = client.get(f"{OPTIONS_URL}{option.pk}/change/")
    assert form.status_code == 200
    assert b'name="default_price"' not in form.content and b'name="_save"' not in form.content
    changed = client.post(
        f"{OPTIONS_URL}{option.pk}/change/",
        {"part": option.part_id, "name": "hacked", "default_price": "1", "in_stock": "", "is_active": "on"},
    )
    assert changed.status_code == 403
    option.refresh_from_db()
    assert option.name == "road wheels" and option.in_stock


def test_the_stock_actions_need_change_partoption(client, django_user_model, bicycle_catalog):
    option = bicycle_catalog.option("road wheels")
    user = _staff_with(django_user_model, "stock-keeper", "view_partoption")
    client.force_login(user)
    client.post(OPTIONS_URL, {"action": "mark_out_of_stock", "_selected_action": [option.pk], "index": 0})
    option.refresh_from_db()
    assert option.in_stock

    user.user_permissions.add(Permission.objects.get(codename="change_partoption"))
    assert b"mark_out_of_stock" in client.get(OPTIONS_URL).content
    client.post(OPTIONS_URL, {"action": "mark_out_of_stock", "_selected_action": [option.pk], "index": 0})
    option.refresh_from_db()
    assert not option.in_stock


def test_view_only_staff_sees_the_index_panel_without_its_buttons(client, view_only_staff):
    client.force_login(view_only_staff)
    panel = client.get("/admin/ai_assistant/indexstate/")
    assert panel.status_code == 200
    assert b"AI index status" in panel.content
    assert b"Rebuild the index" not in panel.content and b"Update now" not in panel.content

    assert client.post("/admin/ai_assistant/indexstate/rebuild/").status_code == 403
    assert client.post("/admin/ai_assistant/indexstate/update/").status_code == 403
    assert not state.running_rebuild_id()


def test_a_product_editor_without_configuration_rights_keeps_the_configuration(
    client, django_user_model, bicycle_catalog
):
    """The configuration inline is read-only for them: saving the product keeps its options (was refused)."""
    cat = bicycle_catalog
    product = create_product(category=cat.category, name="Classic", options=cat.ids(*CLASSIC))
    client.force_login(
        _staff_with(
            django_user_model,
            "product-editor",
            "view_preconfiguredproduct",
            "change_preconfiguredproduct",
            "view_preconfiguredproductoption",
        )
    )
    url = f"/admin/preconfigured_products/preconfiguredproduct/{product.pk}/change/"
    assert b'name="selections-0-option"' not in client.get(url).content
    management = {f"selections-{k}": v for k, v in (("TOTAL_FORMS", 5), ("INITIAL_FORMS", 5), ("MIN_NUM_FORMS", 0))}
    response = client.post(
        url,
        {"category": cat.category.pk, "name": "Renamed", "slug": product.slug, "is_active": "on", **management},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Renamed"
    assert sorted(product.options.values_list("pk", flat=True)) == sorted(cat.ids(*CLASSIC))
