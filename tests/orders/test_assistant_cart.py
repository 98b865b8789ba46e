"""The assistant fills the cart only after a "yes": tested through the chat API with the built-in engine and
with the OpenAI engine against the fake OpenAI server (the real SDK)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.orders.models import CartLine, Order
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_price_and_availability
from tests.assistant.conftest import CHAT_URL, assistant_settings  # noqa: F401 (an autouse fixture)
from tests.assistant.fake_openai import text, tool_calls

pytestmark = pytest.mark.django_db

CONFIG_QUESTION = "how much is a matte full-suspension bike with road wheels, blue rims and an 8-speed chain?"


@pytest.fixture
def demo(db):
    load_demo_catalog()


class Browser:
    """One client (cookies kept) talking to the assistant in one chat session and reading its cart."""

    def __init__(self, client: APIClient) -> None:
        self.client = client
        self.session_id = None

    def say(self, message: str) -> dict:
        body = {"message": message, **({"session_id": self.session_id} if self.session_id else {})}
        response = self.client.post(CHAT_URL, body, format="json", REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 200, response.content
        self.session_id = response.json()["session_id"]
        return response.json()

    def cart(self) -> dict:
        return self.client.get("/api/cart").json()


def test_builtin_engine_adds_a_priced_configuration_after_yes(demo):
    browser = Browser(APIClient())
    assert "340.00" in browser.say(CONFIG_QUESTION)["answer"]

    proposal = browser.say("add that one to my cart")["answer"]
    assert proposal.startswith("Shall I add 1 × a custom bicycle")
    assert "340.00 EUR" in proposal and "Matte" in proposal
    assert browser.cart()["lines"] == []  # only a question so far

    done = browser.say("yes please")
    assert done["answer"].startswith("Added 1 × a custom bicycle") and done["engine"] == "cart"
    (line,) = browser.cart()["lines"]
    assert line["kind"] == "custom" and line["unit_price"] == "340.00"
    assert browser.say("yes")["answer"] != done["answer"]  # a second yes adds nothing more
    assert CartLine.objects.get().quantity == 1
    assert not Order.objects.exists()  # it never places an order


def test_without_a_yes_nothing_is_added(demo):
    browser = Browser(APIClient())
    browser.say(CONFIG_QUESTION)
    browser.say("add that one to my cart")
    browser.say("no, what about skis?")
    browser.say("yes")  # the proposal is gone: this yes confirms nothing
    assert not CartLine.objects.exists()


def test_a_shown_product_goes_into_the_signed_in_users_cart(demo, user_client):
    browser = Browser(user_client)
    shown = browser.say("tell me about the Trail Blazer FS")
    assert [card["name"] for card in shown["products"]] == ["Trail Blazer FS"]
    product = PreConfiguredProduct.objects.get(name="Trail Blazer FS")
    price = product_price_and_availability(product).price
    assert f"{price} EUR" in browser.say("put it in my basket")["answer"]
    browser.say("yes")
    line = CartLine.objects.get()
    assert line.product_id == product.pk and line.cart.user is not None
    assert user_client.get("/api/cart").json()["lines"][0]["unit_price"] == str(price)


def test_another_session_cannot_confirm(demo):
    browser = Browser(APIClient())
    browser.say(CONFIG_QUESTION)
    browser.say("add that one to my cart")
    stranger = Browser(APIClient())
    stranger.session_id = browser.session_id  # another client's session id starts a new session
    stranger.say("yes")
    assert not CartLine.objects.exists()


def test_openai_engine_uses_the_cart_tool_and_only_a_yes_adds(demo, fake_openai):
    product = PreConfiguredProduct.objects.get(name="Trail Blazer FS")
    price = product_price_and_availability(product).price
    fake_openai.then(
        tool_calls(("add_to_cart", {"product": "Trail Blazer FS", "quantity": 2})),
        text("Done, I added two Trail Blazers to your cart!"),  # the model's claim is not what is answered
    )
    browser = Browser(APIClient())
    answer = browser.say("add two Trail Blazer FS to my cart")
    assert answer["engine"] == "openai"
    question = f"Shall I add 2 × Trail Blazer FS at {price} EUR each to your cart? Answer yes to confirm."
    assert answer["answer"] == question
    assert "add_to_cart" in {t["function"]["name"] for t in fake_openai.requests[0]["tools"]}
    assert not CartLine.objects.exists()

    asked = len(fake_openai.requests)
    assert browser.say("yes")["answer"].startswith("Added 2 × Trail Blazer FS")
    assert len(fake_openai.requests) == asked  # the yes is settled without the model
    (line,) = browser.cart()["lines"]
    assert line["quantity"] == 2 and line["product"] == product.pk


def test_openai_engine_without_a_yes_adds_nothing(demo, fake_openai):
    fake_openai.then(
        tool_calls(("add_to_cart", {"category": "Bicycles",
                                    "options": ["Matte", "Full-suspension", "Road wheels", "Blue", "8-speed chain"]})),
        text("Shall I?"),
        text("Sure, here are skis."),
    )
    browser = Browser(APIClient())
    assert "340.00 EUR" in browser.say("add a matte full-suspension road bike with blue rims to my cart")["answer"]
    browser.say("actually show me skis")
    assert not CartLine.objects.exists()
