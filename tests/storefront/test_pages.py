"""The storefront's pages through Django's test client: what each page shows, bad input as a 400 naming the
field, sign-in for checkout, the staff-only badge and the admin's "View site"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.catalog.models import Category, PartOption
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.orders.models import Order
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.django_db

BIKE_303 = ("Full-suspension", "Shiny", "Road wheels", "Blue", "Single-speed chain")


@pytest.fixture
def demo():
    load_demo_catalog()
    return Category.objects.get(slug="bicycles")


def option_ids(category: Category, *names: str) -> list[int]:
    ids = dict(PartOption.objects.filter(part__category=category, name__in=names).values_list("name", "pk"))
    return [ids[name] for name in names]


def test_home_lists_the_families_with_a_search_box_and_the_assistant(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Bicycles", "Skis", "Surfboards", "Roller skates"):
        assert name in html
    assert 'role="search"' in html and "data-assistant" in html
    assert reverse("storefront:configurator", args=["bicycles"]) in html


def test_family_page_sorts_by_the_configurators_price(client, demo):
    response = client.get(reverse("storefront:family", args=["bicycles"]), {"sort": "price"})
    assert response.status_code == 200
    prices = [card["price"] for card in response.context["cards"]]
    assert prices == sorted(prices) and len(prices) == 12
    descending = client.get(reverse("storefront:family", args=["bicycles"]), {"sort": "-price"}).context["cards"]
    assert [card["price"] for card in descending] == sorted(prices, reverse=True)


@pytest.mark.parametrize(("params", "field"), [({"sort": "cheapest"}, "sort"), ({"page": "0"}, "page"),
                                               ({"page": "x"}, "page")])
def test_family_page_bad_query_is_a_400_naming_the_field(client, demo, params, field):
    response = client.get(reverse("storefront:family", args=["bicycles"]), params)
    assert response.status_code == 400
    assert field in response.context["errors"]


def test_unknown_family_and_product_are_404(client, demo):
    assert client.get(reverse("storefront:family", args=["kayaks"])).status_code == 404
    assert client.get(reverse("storefront:product", args=[999999])).status_code == 404


def test_product_page_shows_price_configuration_and_customise_link(client, demo):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    response = client.get(reverse("storefront:product", args=[product.pk]))
    assert response.status_code == 200
    quote = response.context["quote"]
    html = response.content.decode()
    assert f"{quote.price} EUR" in html
    assert all(line.option in html for line in quote.breakdown)
    customise = reverse("storefront:configurator", args=["bicycles"]) + "?options=" + response.context["option_ids"]
    assert customise in html


def test_unavailable_product_shows_the_reasons(client, demo):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    option = product.options.order_by("part__step").first()
    PartOption.objects.filter(pk=option.pk).update(in_stock=False)
    html = client.get(reverse("storefront:product", args=[product.pk])).content.decode()
    assert "Unavailable now" in html and f"&quot;{option.name}&quot; is temporarily out of stock." in html
    assert "Add to cart</button>" not in html


def test_configurator_page_lists_parts_in_step_order_and_starts_from_given_options(client, demo):
    start = option_ids(demo, *BIKE_303)
    response = client.get(reverse("storefront:configurator", args=["bicycles"]),
                          {"options": ",".join(map(str, start))})
    assert response.status_code == 200
    assert [part["name"] for part in response.context["configurator"]["parts"]] == [
        "Frame type", "Frame finish", "Wheels", "Rim color", "Chain"]
    assert response.context["quote"].price == Decimal("303.00") and response.context["quote"].valid
    assert 'id="configurator-data"' in response.content.decode()


def test_configurator_marks_out_of_stock_options(client, demo):
    out = PartOption.objects.get(part__category__slug="skis", name="Sunset orange")
    html = client.get(reverse("storefront:configurator", args=["skis"])).content.decode()
    item = html.split(f'data-option="{out.pk}"', 1)[1].split("</li>", 1)[0]
    assert "disabled" in item and "Out of stock" in item


def test_configurator_bad_options_is_a_400_naming_options(client, demo):
    response = client.get(reverse("storefront:configurator", args=["bicycles"]), {"options": "1,x"})
    assert response.status_code == 400 and "options" in response.context["errors"]


def test_cart_add_prices_with_the_configurator_and_refuses_an_incompatible_configuration(client, demo):
    ids = option_ids(demo, *BIKE_303)
    response = client.post(reverse("storefront:cart-add"), {"category": demo.pk, "options": ",".join(map(str, ids))})
    assert response.status_code == 302
    cart = client.get(reverse("storefront:cart")).context["cart"]
    assert [line.unit_price for line in cart.lines] == [Decimal("303.00")]

    bad = option_ids(demo, "Full-suspension", "Shiny", "Fat bike wheels", "Red", "Single-speed chain")
    refused = client.post(reverse("storefront:cart-add"), {"category": demo.pk, "options": ",".join(map(str, bad))})
    assert refused.status_code == 400
    assert "Fat bike wheels are not available with red rims." in refused.context["errors"]["options"]


def test_cart_line_quantity_and_removal(client, demo):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    client.post(reverse("storefront:cart-add"), {"product": product.pk})
    line = client.get(reverse("storefront:cart")).context["cart"].lines[0]
    assert client.post(reverse("storefront:cart-line", args=[line.line.pk]), {"quantity": "0"}).status_code == 400
    client.post(reverse("storefront:cart-line", args=[line.line.pk]), {"quantity": "3"})
    cart = client.get(reverse("storefront:cart")).context["cart"]
    assert cart.lines[0].line.quantity == 3 and cart.total == 3 * line.unit_price
    client.post(reverse("storefront:cart-line", args=[line.line.pk]), {"remove": "on"})
    assert client.get(reverse("storefront:cart")).context["cart"].lines == []


def test_a_line_that_became_unorderable_shows_the_reason_and_blocks_checkout(client, demo):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    client.post(reverse("storefront:cart-add"), {"product": product.pk})
    option = product.options.order_by("part__step").first()
    PartOption.objects.filter(pk=option.pk).update(in_stock=False)
    response = client.get(reverse("storefront:cart"))
    html = response.content.decode()
    assert f"&quot;{option.name}&quot; is temporarily out of stock." in html
    assert reverse("storefront:checkout") not in html and "cannot be ordered now" in html
    assert response.context["cart"].total == 0


def test_checkout_needs_sign_in_then_places_the_order(client, demo, django_user_model):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    client.post(reverse("storefront:cart-add"), {"product": product.pk})
    response = client.get(reverse("storefront:checkout"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("storefront:sign-in"))

    django_user_model.objects.create_user("ana", "ana@example.com", "a-long-passphrase")
    signed_in = client.post(reverse("storefront:sign-in"), {"username": "ana", "password": "a-long-passphrase",
                                                            "next": reverse("storefront:checkout")})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("storefront:checkout")
    page = client.get(reverse("storefront:checkout"))
    assert page.status_code == 200 and len(page.context["cart"].lines) == 1  # the anonymous cart was merged
    key = page.context["form"].initial["idempotency_key"]

    missing = client.post(reverse("storefront:checkout"), {"name": "Ana", "email": "nope", "address": "",
                                                           "idempotency_key": key})
    assert missing.status_code == 400 and {"email", "address"} <= set(missing.context["form"].errors)

    body = {"name": "Ana", "email": "ana@example.com", "address": "1 Bike Lane", "idempotency_key": key}
    placed = client.post(reverse("storefront:checkout"), body)
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == reverse("storefront:order", args=[order.pk])
    confirmation = client.get(placed["Location"])
    assert f"{order.total} EUR" in confirmation.content.decode()
    assert client.post(reverse("storefront:checkout"), body).status_code == 302  # same key: the same order
    assert Order.objects.count() == 1


def test_another_customers_order_is_a_404(client, demo, django_user_model):
    owner = django_user_model.objects.create_user("bo", password="a-long-passphrase")
    order = Order.objects.create(user=owner, name="Bo", email="bo@example.com", address="x", total=Decimal("1.00"))
    client.force_login(django_user_model.objects.create_user("cy", password="a-long-passphrase"))
    assert client.get(reverse("storefront:order", args=[order.pk])).status_code == 404


def test_sign_up_creates_a_customer_and_signs_in(client, demo):
    response = client.post(reverse("storefront:sign-up"), {"username": "dee", "password1": "a-long-passphrase",
                                                           "password2": "a-long-passphrase"})
    assert response.status_code == 302
    assert client.get("/").context["user"].get_username() == "dee"
    weak = client.post(reverse("storefront:sign-up"), {"username": "eve", "password1": "1", "password2": "1"})
    assert weak.status_code == 400 and "password2" in weak.context["form"].errors


def test_sign_up_is_held_to_the_login_rate(client, demo, settings):
    settings.AUTH_THROTTLE = "10/min"
    key = "throttle_auth_127.0.0.1"  # AuthRateThrottle's key for the test client's address
    cache.delete(key)
    try:
        codes = [client.post(reverse("storefront:sign-up"), {"username": f"u{n}", "password1": "1",
                                                             "password2": "1"}).status_code for n in range(12)]
    finally:
        cache.delete(key)
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]


def test_freshness_badge_only_for_staff(client, demo, django_user_model):
    assert "data-freshness" not in client.get("/").content.decode()
    client.force_login(django_user_model.objects.create_user("staff", password="x", is_staff=True))
    assert "data-freshness" in client.get("/").content.decode()


def test_admin_view_site_points_to_the_storefront(admin_client, demo):
    html = admin_client.get("/admin/").content.decode()
    assert 'href="/">View site</a>' in html
    assert admin_client.get("/").status_code == 200


def test_pages_load_nothing_from_another_host(client, demo):
    product = PreConfiguredProduct.objects.filter(category=demo).first()
    for url in ("/", reverse("storefront:search") + "?q=bike", reverse("storefront:family", args=["bicycles"]),
                reverse("storefront:product", args=[product.pk]),
                reverse("storefront:configurator", args=["bicycles"]), reverse("storefront:cart")):
        html = client.get(url).content.decode()
        assert "http://" not in html and "https://" not in html and "//" not in html.replace("://", ""), url
