"""Placing and reading orders: prices of the moment of placement, all-or-nothing refusal, idempotency,
ownership, staff status changes, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import PartOption
from apps.orders.models import CartLine, Order, OrderLine

from .conftest import ADDRESS, custom_line

pytestmark = pytest.mark.django_db


def _fill(client, catalog, product):
    client.post("/api/cart/lines/", {"product": product.pk, "quantity": 2}, format="json")
    client.post("/api/cart/lines/", custom_line(catalog, quantity=1), format="json")


def test_a_price_change_between_cart_and_order_is_in_the_order(customer_client, bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    assert customer_client.get("/api/cart").json()["total"] == "984.00"
    PartOption.objects.filter(pk=bicycle_catalog.option("mountain wheels").pk).update(default_price=Decimal("100"))

    response = customer_client.post("/api/orders/", ADDRESS, format="json")

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["total"] == "1014.00" and order["status"] == "placed" and order["payment_method"] == "pay_on_delivery"
    assert [line["unit_price"] for line in order["lines"]] == ["338.00", "338.00"]
    assert [line["line_total"] for line in order["lines"]] == ["676.00", "338.00"]
    wheels = next(o for o in order["lines"][1]["options"] if o["part"] == "Wheels")
    assert wheels == {"part_id": bicycle_catalog.part("Wheels").pk, "part": "Wheels",
                      "option_id": bicycle_catalog.option("mountain wheels").pk, "option": "mountain wheels",
                      "price": "100.00"}
    assert customer_client.get("/api/cart").json()["lines"] == []


def test_an_option_out_of_stock_refuses_the_whole_order_and_writes_nothing(customer_client, bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    PartOption.objects.filter(pk=bicycle_catalog.option("black").pk).update(in_stock=False)

    response = customer_client.post("/api/orders/", ADDRESS, format="json")

    assert response.status_code == 409, response.content
    refused = response.json()["lines"]
    assert sorted(line["id"] for line in refused) == sorted(CartLine.objects.values_list("pk", flat=True))
    assert {e["code"] for line in refused for e in line["errors"]} == {"out_of_stock"}
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert CartLine.objects.count() == 2


def test_a_placed_order_stays_whole_when_the_catalog_changes(customer_client, bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    order = customer_client.post("/api/orders/", ADDRESS, format="json").json()
    black = PartOption.objects.filter(pk=bicycle_catalog.option("black").pk)
    black.update(default_price=Decimal("99"), is_active=False)
    product.delete()
    bicycle_catalog.price_rules["full-suspension"].delete()

    again = customer_client.get(f"/api/orders/{order['id']}/").json()
    assert again == order


def test_an_idempotent_retry_returns_the_same_order(customer_client, bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    first = customer_client.post("/api/orders/", ADDRESS, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = customer_client.post("/api/orders/", ADDRESS, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json() == first.json()
    assert Order.objects.count() == 1

    other_body = customer_client.post("/api/orders/", {**ADDRESS, "name": "Someone else"}, format="json",
                                      HTTP_IDEMPOTENCY_KEY="k-1")
    assert other_body.status_code == 422 and "Idempotency-Key" in other_body.json()
    # Without a key, a second POST is a new order attempt (here: the cart is empty now).
    empty = customer_client.post("/api/orders/", ADDRESS, format="json")
    assert empty.status_code == 400 and "cart" in empty.json()


def test_another_users_order_is_a_404_and_staff_see_all(customer_client, other_client, order_staff_client,
                                                       bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    order_id = customer_client.post("/api/orders/", ADDRESS, format="json").json()["id"]
    assert other_client.get(f"/api/orders/{order_id}/").status_code == 404
    assert other_client.get("/api/orders/").json()["results"] == []
    assert [o["id"] for o in customer_client.get("/api/orders/").json()["results"]] == [order_id]
    assert order_staff_client.get(f"/api/orders/{order_id}/").status_code == 200
    assert APIClient().get("/api/orders/").status_code == 401
    assert APIClient().post("/api/orders/", ADDRESS, format="json").status_code == 401


def test_status_is_changed_by_staff_with_the_permission_only(customer_client, order_staff_client, staff_client,
                                                             bicycle_catalog, product):
    _fill(customer_client, bicycle_catalog, product)
    order_id = customer_client.post("/api/orders/", ADDRESS, format="json").json()["id"]
    url = f"/api/orders/{order_id}/"
    assert customer_client.patch(url, {"status": "shipped"}, format="json").status_code == 403
    assert staff_client.patch(url, {"status": "shipped"}, format="json").status_code == 403  # no change_order
    response = order_staff_client.patch(url, {"status": "shipped", "total": "1.00"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "shipped"
    assert response.json()["total"] == "984.00"  # read-only
    assert order_staff_client.patch(url, {"status": "cancelled"}, format="json").json() == {
        "status": ["An order that is shipped cannot become cancelled."]
    }
    assert order_staff_client.patch(url, {"status": "lost"}, format="json").status_code == 400
    assert order_staff_client.put(url, {"status": "paid"}, format="json").status_code == 405
    assert Order.objects.get().status == "shipped"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ADDRESS, "name": ""}, "name"),
        ({**ADDRESS, "name": 5}, "name"),
        ({**ADDRESS, "name": "x" * 201}, "name"),
        ({k: v for k, v in ADDRESS.items() if k != "name"}, "name"),
        ({**ADDRESS, "email": "not-an-email"}, "email"),
        ({**ADDRESS, "email": ["a@b.c"]}, "email"),
        ({k: v for k, v in ADDRESS.items() if k != "email"}, "email"),
        ({**ADDRESS, "address": ""}, "address"),
        ({**ADDRESS, "address": {"street": "x"}}, "address"),
        ({**ADDRESS, "address": "x" * 1001}, "address"),
        ({**ADDRESS, "total": "1.00"}, None),  # ignored: the client never sends a price
    ],
)
def test_bad_order_input_is_a_400_naming_the_field(customer_client, bicycle_catalog, product, body, field):
    _fill(customer_client, bicycle_catalog, product)
    response = customer_client.post("/api/orders/", body, format="json")
    if field is None:
        assert response.status_code == 201 and response.json()["total"] == "984.00"
        return
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Order.objects.exists() and CartLine.objects.count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "é"])
def test_a_malformed_idempotency_key_is_a_400_naming_it(customer_client, bicycle_catalog, product, key):
    _fill(customer_client, bicycle_catalog, product)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {"HTTP_IDEMPOTENCY_KEY": " "}
    response = customer_client.post("/api/orders/", ADDRESS, format="json", **headers)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Order.objects.exists()


def test_admin_shows_orders_with_their_lines(client, customer_client, bicycle_catalog, product, django_user_model):
    _fill(customer_client, bicycle_catalog, product)
    order_id = customer_client.post("/api/orders/", ADDRESS, format="json").json()["id"]
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get(f"/admin/orders/order/{order_id}/change/")
    assert page.status_code == 200
    assert b"Trail Blazer" in page.content and b"mountain wheels" in page.content
    response = client.post(f"/admin/orders/order/{order_id}/change/", {
        "status": "paid", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "2", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **{f"lines-{n}-id": str(pk) for n, pk in enumerate(OrderLine.objects.values_list("pk", flat=True))},
        **{f"lines-{n}-order": str(order_id) for n in range(2)},
    })
    assert response.status_code == 302, response.content[:2000]
    assert Order.objects.get().status == "paid"
    assert client.get("/admin/orders/order/add/").status_code == 403


def test_orders_are_not_indexed_documents(customer_client, bicycle_catalog, product, settings):
    from apps.ai_assistant.models import IndexChange

    settings.AI_INDEX_AUTO_UPDATE = True
    _fill(customer_client, bicycle_catalog, product)
    before = IndexChange.objects.count()
    customer_client.post("/api/orders/", ADDRESS, format="json")
    assert Order.objects.count() == 1
    assert IndexChange.objects.count() == before
