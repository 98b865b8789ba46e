"""The cart API: lines priced by the configurator on every read, bounds, bad input a 400 naming the field,
anonymous carts by session cookie merged at sign-in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import PartOption
from apps.orders.models import MAX_CART_LINES, Cart, CartLine
from apps.preconfigured_products.services import create_product

from .conftest import BIKE, custom_line

pytestmark = pytest.mark.django_db


def test_lines_are_priced_by_the_configurator_on_every_read(customer_client, bicycle_catalog, product):
    response = customer_client.post("/api/cart/lines/", {"product": product.pk, "quantity": 2}, format="json")
    assert response.status_code == 201
    response = customer_client.post("/api/cart/lines/", custom_line(bicycle_catalog), format="json")
    assert response.status_code == 201, response.content
    cart = response.json()
    assert [line["unit_price"] for line in cart["lines"]] == ["328.00", "328.00"]
    assert cart["total"] == "984.00" and cart["orderable"] is True
    assert cart["lines"][0]["product_name"] == "Trail Blazer"
    assert {o["option"] for o in cart["lines"][1]["options"]} == set(BIKE)

    PartOption.objects.filter(pk=bicycle_catalog.option("black").pk).update(default_price=Decimal("25"))
    cart = customer_client.get("/api/cart").json()
    assert [line["unit_price"] for line in cart["lines"]] == ["338.00", "338.00"]
    assert cart["total"] == "1014.00"


def test_an_unavailable_line_is_marked_with_the_configurators_reasons(customer_client, bicycle_catalog, product):
    customer_client.post("/api/cart/lines/", {"product": product.pk}, format="json")
    PartOption.objects.filter(pk=bicycle_catalog.option("black").pk).update(in_stock=False)
    cart = customer_client.get("/api/cart").json()
    (line,) = cart["lines"]
    assert line["available"] is False and cart["orderable"] is False
    assert [p["code"] for p in line["problems"]] == ["out_of_stock"]
    assert cart["total"] == "0.00"

    product.delete()
    (line,) = customer_client.get("/api/cart").json()["lines"]
    assert [p["code"] for p in line["problems"]] == ["unknown_product"]


def test_the_same_item_twice_is_one_line_and_quantities_are_bounded(customer_client, product):
    customer_client.post("/api/cart/lines/", {"product": product.pk, "quantity": 60}, format="json")
    response = customer_client.post("/api/cart/lines/", {"product": product.pk, "quantity": 39}, format="json")
    assert [line["quantity"] for line in response.json()["lines"]] == [99]
    response = customer_client.post("/api/cart/lines/", {"product": product.pk, "quantity": 1}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()
    line_id = CartLine.objects.get().pk
    assert customer_client.patch(f"/api/cart/lines/{line_id}/", {"quantity": 3}, format="json").json()["lines"][0][
        "quantity"
    ] == 3
    assert customer_client.delete(f"/api/cart/lines/{line_id}/").json()["lines"] == []
    assert customer_client.delete(f"/api/cart/lines/{line_id}/").status_code == 404


def test_a_cart_holds_at_most_the_bounded_number_of_lines(customer_client, bicycle_catalog, customer):
    products = [
        create_product(category=bicycle_catalog.category, name=f"Bike {n}", options=bicycle_catalog.ids(*BIKE))
        for n in range(MAX_CART_LINES + 1)
    ]
    for p in products[:MAX_CART_LINES]:
        assert customer_client.post("/api/cart/lines/", {"product": p.pk}, format="json").status_code == 201
    response = customer_client.post("/api/cart/lines/", {"product": products[-1].pk}, format="json")
    assert response.status_code == 400 and "cart" in response.json()
    assert CartLine.objects.count() == MAX_CART_LINES


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product": "1"}, "product"),
        ({"product": 10**6}, "product"),
        ({"product": True}, "product"),
        ({"product": 0}, "product"),
        ({"quantity": 1}, "product"),
        ({"category": "x", "options": []}, "category"),
        ({"category": 10**6, "options": []}, "category"),
        ({"category": "CAT"}, "options"),
        ({"category": "CAT", "options": "1,2"}, "options"),
        ({"category": "CAT", "options": ["a"]}, "options"),
        ({"category": "CAT", "options": list(range(1, 60))}, "options"),
        ({"category": "CAT", "options": "INCOMPLETE"}, "options"),
        ({"category": "CAT", "options": "INCOMPATIBLE"}, "options"),
        ({"product": "PRODUCT", "options": []}, "options"),
        ({"product": "PRODUCT", "quantity": 0}, "quantity"),
        ({"product": "PRODUCT", "quantity": 100}, "quantity"),
        ({"product": "PRODUCT", "quantity": 1.5}, "quantity"),
        ({"product": "PRODUCT", "quantity": "2"}, "quantity"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(customer_client, bicycle_catalog, product, body, field):
    substitutions = {
        "CAT": bicycle_catalog.category.pk,
        "PRODUCT": product.pk,
        "INCOMPLETE": bicycle_catalog.ids("full-suspension", "matte"),
        "INCOMPATIBLE": bicycle_catalog.ids("diamond", "matte", "mountain wheels", "black", "single-speed chain"),
    }
    body = {k: substitutions.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = customer_client.post("/api/cart/lines/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not CartLine.objects.exists()


def test_patch_bad_quantity_and_other_carts_lines(customer_client, other_client, product):
    customer_client.post("/api/cart/lines/", {"product": product.pk}, format="json")
    line_id = CartLine.objects.get().pk
    for bad in (0, 100, "3", None):
        response = customer_client.patch(f"/api/cart/lines/{line_id}/", {"quantity": bad}, format="json")
        assert response.status_code == 400 and "quantity" in response.json()
    assert other_client.patch(f"/api/cart/lines/{line_id}/", {"quantity": 5}, format="json").status_code == 404
    assert other_client.delete(f"/api/cart/lines/{line_id}/").status_code == 404
    assert customer_client.patch("/api/cart/lines/abc/", {"quantity": 5}, format="json").status_code == 404
    assert APIClient().delete(f"/api/cart/lines/{line_id}/").status_code == 404  # a browser without a cart
    assert CartLine.objects.get().quantity == 1


def test_an_anonymous_cart_lives_in_the_session_and_is_merged_at_sign_in(bicycle_catalog, product, customer):
    browser = APIClient()
    assert browser.get("/api/cart").json()["lines"] == []
    browser.post("/api/cart/lines/", {"product": product.pk, "quantity": 2}, format="json")
    assert browser.get("/api/cart").json()["total"] == "656.00"
    assert APIClient().get("/api/cart").json()["lines"] == []  # another browser sees its own (empty) cart

    # The customer already has the same product in their cart: quantities add up.
    from apps.orders.services.cart import CartOwner, add_line

    add_line(CartOwner(user_id=customer.pk), product=product.pk, quantity=1)
    customer.set_password("pw-123-long-enough")
    customer.save()
    browser.login(username="ada", password="pw-123-long-enough")  # user_logged_in
    assert [line["quantity"] for line in browser.get("/api/cart").json()["lines"]] == [3]
    assert Cart.objects.count() == 1


def test_a_token_request_carrying_the_anonymous_session_cookie_merges_it(bicycle_catalog, product, customer):
    from rest_framework.authtoken.models import Token

    browser = APIClient()
    browser.post("/api/cart/lines/", {"product": product.pk}, format="json")
    browser.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=customer).key}")
    (line,) = browser.get("/api/cart").json()["lines"]
    assert line["product"] == product.pk
    assert Cart.objects.get().user_id == customer.pk
