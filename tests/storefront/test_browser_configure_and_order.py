"""In Chromium against a live server (real worker and Chroma): configure the exercise's 303 EUR bike click by
click, see red rims refused after fat bike wheels with the rule's message, put it in the cart, see a staff price
change in the cart, sign in and place the order; and the configurator at 390 px wide."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.catalog.models import PartOption
from apps.orders.models import Order
from tests.storefront.conftest import no_horizontal_scroll, screenshot

pytestmark = pytest.mark.integration

BIKE_303 = ("Full-suspension", "Shiny", "Road wheels", "Blue", "Single-speed chain")
# Form fields a screen reader could not name: no <label> and no aria-label.
UNLABELLED_FIELDS = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(field => !field.labels.length && !field.getAttribute('aria-label')).map(field => field.outerHTML)"""


def option(shop, name: str) -> PartOption:
    return PartOption.objects.get(part__category=shop, name=name)


def choose(page, shop, name: str) -> None:
    """Click an option's label, as a customer does, and wait for the quote that follows."""
    with page.expect_response(re.compile(r"/api/configurator/quote$")):
        page.locator(f'label[for="option-{option(shop, name).pk}"]').click()


def test_the_303_eur_bike_click_by_click(page, shop, api_client):
    page.goto("/shop/families/bicycles/configure/")
    expect(page.locator("legend")).to_have_text(
        [re.compile(name) for name in ("Frame type", "Frame finish", "Wheels", "Rim color", "Chain")])
    add = page.locator("[data-add]")
    for name in BIKE_303:
        expect(add).to_be_disabled()  # not before the configuration is complete
        choose(page, shop, name)
    expect(page.locator("[data-total]")).to_have_text("303.00 EUR")
    expect(add).to_be_enabled()
    expect(page.locator("[data-breakdown] tr")).to_have_count(5)

    # The server agrees: the quote API prices the same options at 303.00.
    quote = api_client.post("/api/configurator/quote", {"category": shop.pk,
                                                        "options": [option(shop, n).pk for n in BIKE_303]},
                            format="json").json()
    assert quote["price"] == "303.00" and quote["valid"]
    screenshot(page, "storefront-configurator", full_page=True)
    assert page.blocked == []


def test_red_rims_are_disabled_after_fat_bike_wheels_with_the_rules_message(page, shop):
    page.goto("/shop/families/bicycles/configure/")
    choose(page, shop, "Full-suspension")
    choose(page, shop, "Fat bike wheels")
    red = option(shop, "Red")
    expect(page.locator(f"#option-{red.pk}")).to_be_disabled()
    note = page.locator(f"#option-{red.pk}-note")
    expect(note).to_have_text("Fat bike wheels are not available with red rims.")
    # The message is announced with the option (aria-describedby), and the other rims stay choosable.
    assert page.locator(f"#option-{red.pk}").get_attribute("aria-describedby") == f"option-{red.pk}-note"
    expect(page.locator(f"#option-{option(shop, 'Black').pk}")).to_be_enabled()
    # The effective price follows the other choices: matte costs 50.00 on a full-suspension frame.
    expect(page.locator(f'[data-option="{option(shop, "Matte").pk}"] [data-price]')).to_have_text("50.00 EUR")
    assert page.blocked == []


def test_add_to_cart_staff_price_change_then_order(page, shop, staff_client, django_user_model):
    django_user_model.objects.create_user("rider", "rider@example.com", "a-long-passphrase")
    page.goto("/shop/families/bicycles/configure/")
    for name in BIKE_303:
        choose(page, shop, name)
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/shop/cart/$"))
    expect(page.locator("[data-unit-price]")).to_have_text("303.00 EUR")

    # Staff raise the chain's price through the API; the cart is re-priced by the configurator on its next read.
    chain = option(shop, "Single-speed chain")
    response = staff_client.patch(f"/api/part-options/{chain.pk}/", {"default_price": "50.00"}, format="json")
    assert response.status_code == 200, response.content
    page.reload()
    expect(page.locator("[data-unit-price]")).to_have_text("310.00 EUR")
    expect(page.locator("[data-cart-total]")).to_have_text("310.00 EUR")

    page.get_by_role("link", name="Checkout").click()
    expect(page).to_have_url(re.compile(r"/shop/sign-in/"))
    page.get_by_label("Username").fill("rider")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/$"))
    expect(page.locator("[data-checkout-total]")).to_have_text("310.00 EUR")  # the anonymous cart came along
    page.get_by_label("Name").fill("Rita Rider")
    page.get_by_label("Address").fill("1 Chain Street, Porto")
    page.get_by_role("button", name="Place the order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is placed")
    order = Order.objects.get()
    assert order.total == 310 and order.email == "rider@example.com"
    expect(page.locator("[data-order-total]")).to_have_text("310.00 EUR")

    # Signed in, the page's calls to the API carry the CSRF token: the configurator still prices every click.
    page.goto("/shop/families/bicycles/configure/")
    choose(page, shop, "Diamond")
    expect(page.locator("[data-total]")).to_have_text("100.00 EUR")
    assert page.blocked == []


def test_configurator_and_cart_work_at_390_px_with_the_keyboard(phone, shop):
    phone.goto("/shop/families/bicycles/configure/")
    assert no_horizontal_scroll(phone)
    # Keyboard only: the skip link comes first, then the page; arrow keys move within a step's radio group.
    phone.keyboard.press("Tab")
    expect(phone.locator(".skip-link")).to_be_focused()
    frame = option(shop, "Full-suspension")
    phone.locator(f"#option-{frame.pk}").focus()
    with phone.expect_response(re.compile(r"/api/configurator/quote$")):
        phone.keyboard.press("Space")
    expect(phone.locator(f"#option-{frame.pk}")).to_be_checked()
    with phone.expect_response(re.compile(r"/api/configurator/quote$")):
        phone.keyboard.press("ArrowDown")  # the next frame type
    expect(phone.locator(f"#option-{option(shop, 'Diamond').pk}")).to_be_checked()
    assert no_horizontal_scroll(phone)
    for path in ("/", "/shop/families/bicycles/", "/shop/cart/", "/shop/search/?q=bike", "/shop/sign-in/"):
        phone.goto(path)
        phone.wait_for_load_state("networkidle")
        assert no_horizontal_scroll(phone), path
        assert phone.evaluate(UNLABELLED_FIELDS) == [], path
    assert phone.blocked == []
