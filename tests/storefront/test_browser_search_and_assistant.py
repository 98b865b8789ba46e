"""In Chromium against a live server (real worker and Chroma): search and narrow the results with a facet, ask
the assistant for a bike under a price and open one of its cards, with the conversation kept across pages;
the home page and the assistant are photographed for the README."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.catalog.models import Category
from apps.preconfigured_products.models import PreConfiguredProductOption
from tests.storefront.conftest import no_horizontal_scroll, screenshot

pytestmark = pytest.mark.integration


def test_home_lists_the_families_and_searches(page, shop):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Build the one you want")
    expect(page.locator(".families-grid > li")).to_have_count(Category.objects.filter(is_active=True).count())
    screenshot(page, "storefront-home")
    page.get_by_label("What are you looking for?").fill("bike")
    page.get_by_label("What are you looking for?").press("Enter")
    expect(page).to_have_url(re.compile(r"/shop/search/\?q=bike"))
    assert page.blocked == []


def test_search_then_narrow_by_a_category_facet(page, shop):
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?")) as searched:
        page.goto("/shop/search/?q=wheels")
    assert searched.value.status == 200
    results = page.locator("[data-results] > li")
    expect(results.first).to_be_visible()
    # The category filter: the API's category facet when it gives one, else the families.
    facet = page.locator("[data-facets] section", has=page.get_by_role("heading", name="Category"))
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?.*category=")) as narrowed:
        facet.get_by_role("link", name=re.compile(r"^Bicycles")).click()
    body = narrowed.value.json()
    expect(page).to_have_url(re.compile(rf"category={shop.pk}"))
    expect(page.locator("[data-facets] a[aria-current]").first).to_have_text(re.compile("Bicycles"))
    assert body["results"] and all(hit["category_id"] == shop.pk for hit in body["results"])
    expect(results).to_have_count(len(body["results"]))
    expect(page.get_by_role("link", name=re.compile(r"^Remove category"))).to_be_visible()
    assert page.blocked == []


def test_an_option_facet_keeps_the_products_having_that_option(page, shop):
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?")) as searched:
        page.goto(f"/shop/search/?q=bike&category={shop.pk}")
    wheels = next(part for part in searched.value.json()["facets"]["options"] if part["part"] == "Wheels")
    fat = next(option for option in wheels["options"] if option["name"] == "Fat bike wheels")
    group = page.locator("[data-facets] section", has=page.get_by_role("heading", name="Wheels", exact=True))
    with page.expect_response(re.compile(rf"/api/ai-assistant/search\?.*options={fat['id']}")) as narrowed:
        group.get_by_role("link", name=re.compile("Fat bike wheels")).click()
    products = [hit["object_id"] for hit in narrowed.value.json()["results"] if hit["type"] == "product"]
    assert products and len(products) <= fat["count"]
    having = set(PreConfiguredProductOption.objects.filter(option_id=fat["id"]).values_list("product_id", flat=True))
    assert set(products) <= having
    assert page.blocked == []


def test_pages_of_results_and_did_you_mean(page, shop):
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?")) as searched:
        page.goto("/shop/search/?q=bike")
    first = searched.value.json()
    assert first["total"] > 12
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?.*offset=12")) as second:
        page.locator("[data-pages]").get_by_role("link", name="Next").click()
    assert {hit["id"] for hit in second.value.json()["results"]}.isdisjoint(hit["id"] for hit in first["results"])
    expect(page.locator("[data-pages]")).to_contain_text("Results 13–")

    with page.expect_response(re.compile(r"/api/ai-assistant/search\?")) as misspelt:
        page.goto("/shop/search/?q=fat+bkie+wheelz")
    suggestion = misspelt.value.json()["suggestion"]
    assert suggestion
    expect(page.locator("[data-suggestion]")).to_have_text(f"Did you mean {suggestion}?")
    assert page.blocked == []


def test_page_two_sorted_by_price_continues_page_one(page, shop):
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?.*sort=price")) as searched:
        page.goto("/shop/search/?q=bike&sort=price")
    first = searched.value.json()
    assert first["total"] > 12
    results = page.locator("[data-results] > li h2")
    expect(results).to_have_text([hit["name"] for hit in first["results"]])  # shown in the API's order
    expect(page.get_by_label("Sort by")).to_have_value("price")
    with page.expect_response(re.compile(r"/api/ai-assistant/search\?.*sort=price.*offset=12")) as following:
        page.locator("[data-pages]").get_by_role("link", name="Next").click()
    second = following.value.json()
    expect(results).to_have_text([hit["name"] for hit in second["results"]])
    hits = first["results"] + second["results"]
    assert len({hit["id"] for hit in hits}) == len(hits)
    prices = [Decimal(hit["price"]) for hit in hits if hit["price"] is not None]
    assert prices == sorted(prices) and len(prices) > 12  # page 2 goes on from page 1's highest price
    priced = [hit["price"] is not None for hit in hits]
    assert priced == sorted(priced, reverse=True)  # hits without a price only after every priced one
    assert page.blocked == []


def test_ask_the_assistant_for_a_bike_under_a_price_and_open_a_card(page, shop):
    page.goto("/")
    page.get_by_role("button", name="Ask the assistant").click()
    expect(page.get_by_label("Your question")).to_be_focused()  # keyboard users land in the field
    page.get_by_label("Your question").fill("show me bikes under 320")
    with page.expect_response(re.compile(r"/api/ai-assistant/chat$")) as answered:
        page.get_by_role("button", name="Send").click()
    answer = answered.value.json()
    assert answer["products"], answer
    assert all(Decimal(card["price"]) <= 320 for card in answer["products"])
    cards = page.locator(".assistant-card a")
    expect(cards).to_have_count(len(answer["products"]))
    screenshot(page, "storefront-assistant")

    first = answer["products"][0]
    cards.first.click()
    expect(page).to_have_url(re.compile(rf"/shop/products/{first['id']}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(first["name"])
    expect(page.locator("[data-price]")).to_have_text(f"{first['price']} EUR")

    # The panel is still open on the product page, with the conversation, and a follow-up uses the same session.
    expect(page.locator(".assistant-log .entry.from-assistant")).to_have_count(1)
    with page.expect_request(re.compile(r"/api/ai-assistant/chat$")) as follow_up:
        page.get_by_label("Your question").fill("and with black rims?")
        page.get_by_role("button", name="Send").click()
    assert json.loads(follow_up.value.post_data)["session_id"] == answer["session_id"]
    expect(page.locator(".assistant-log .entry.from-assistant")).to_have_count(2)
    assert page.blocked == []


@pytest.mark.parametrize(("status", "message"), [
    (429, "The assistant is busy right now; try again in 12 seconds."),
    (503, "The assistant is unavailable right now (503). Search and the configurator still work."),
])
def test_the_assistant_says_so_when_it_is_throttled_or_down(page, shop, status, message):
    page.route(re.compile(r".*/api/ai-assistant/chat$"), lambda route: route.fulfill(
        status=status, headers={"Retry-After": "12", "Content-Type": "application/json"},
        body='{"detail": "Request was throttled."}'))
    page.goto("/")
    page.get_by_role("button", name="Ask the assistant").click()
    page.get_by_label("Your question").fill("a bike")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-status]")).to_have_text(message)
    expect(page.get_by_role("button", name="Send")).to_be_enabled()  # the customer can try again


def test_assistant_panel_fits_a_390_px_screen(phone, shop):
    phone.goto("/")
    phone.get_by_role("button", name="Ask the assistant").click()
    expect(phone.get_by_label("Your question")).to_be_visible()
    assert no_horizontal_scroll(phone)
    box = phone.locator("#assistant-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.blocked == []


def test_staff_see_the_index_freshness_on_every_page(page, shop, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "a-long-passphrase")
    page.goto("/shop/sign-in/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Sign in").click()
    for path in ("/", "/shop/families/bicycles/"):
        with page.expect_response(re.compile(r"/api/ai-assistant/index/status$")) as status:
            page.goto(path)
        body = status.value.json()
        badge = page.locator("[data-freshness] a")
        expect(badge).to_contain_text(f"Search index: {body['pending_changes']} pending change")
        expect(badge).to_contain_text("last sync")
        assert badge.get_attribute("href") == "/admin/ai_assistant/indexstate/"  # the index status panel
    assert page.blocked == []
