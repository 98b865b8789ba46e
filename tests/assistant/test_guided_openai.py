"""Guided configuration with the OpenAI engine, against the fake OpenAI server: the model is offered
start_configuration / next_configuration_step / choose_option, their results come from the same steps and the
configurator as the built-in guide, the guide lives in the chat session (the built-in engine continues it when
the model fails), and the last step's total is POST /api/configurator/quote's."""

from __future__ import annotations

import json

import pytest

from apps.ai_assistant.models import ChatSession
from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

from .fake_openai import Fail, text, tool_calls

pytestmark = pytest.mark.django_db


def _last_tool_result(fake_openai) -> dict:
    """The data of the last tool result the model was sent."""
    tool_messages = [m for m in fake_openai.requests[-1]["messages"] if m["role"] == "tool"]
    return json.loads(tool_messages[-1]["content"])["data"]


def _answer_with(chat, fake_openai, message: str, tool: str, args: dict) -> dict:
    """One customer turn in which the model calls one guided tool, then answers; the tool's result."""
    fake_openai.then(tool_calls((tool, args)), text("(the model relays the step)"))
    data = chat(message)
    assert data["engine"] == "openai"
    return _last_tool_result(fake_openai)


def test_a_bike_built_through_the_models_tools(demo_catalog, chat, fake_openai, api_client):
    step = _answer_with(chat, fake_openai, "I'd like to build a bike", "start_configuration", {"category": "bikes"})
    first_request = fake_openai.requests[0]
    offered = {t["function"]["name"] for t in first_request["tools"]}
    assert {"start_configuration", "next_configuration_step", "choose_option", "quote_configuration"} <= offered
    assert "call start_configuration" in first_request["messages"][0]["content"]
    assert "No guided configuration is under way." in first_request["messages"][0]["content"]
    assert (step["status"], step["step"], step["of"], step["part"]) == ("choosing", 1, 5, "Frame type")
    assert {o["name"]: o["price"] for o in step["options"]}["Diamond"] == "100.00"

    step = _answer_with(chat, fake_openai, "the diamond one", "choose_option", {"answer": "the diamond one"})
    # The session's guide reached the model's instructions, and the finish is priced under the diamond rule.
    assert "A guided configuration of Bicycles is under way" in fake_openai.requests[-1]["messages"][0]["content"]
    assert step["part"] == "Frame finish" and {o["name"]: o["price"] for o in step["options"]}["Matte"] == "35.00"

    step = _answer_with(chat, fake_openai, "matte", "choose_option", {"answer": "matte"})
    assert step["part"] == "Wheels"
    assert step["left_out"] == [{"name": "Mountain wheels",
                                 "reasons": ["Mountain wheels are only available with a full-suspension frame."]}]

    step = _answer_with(chat, fake_openai, "fat ones", "choose_option", {"answer": "fat"})
    refused = _answer_with(chat, fake_openai, "red", "choose_option", {"answer": "red"})
    assert refused["refused"] == ("Red isn't possible with your choices: Fat bike wheels are not available with "
                                  "red rims.")
    assert refused["part"] == "Rim color"
    skipped = _answer_with(chat, fake_openai, "skip it", "choose_option", {"answer": "skip"})
    assert skipped["refused"].startswith("Rim color is required")

    _answer_with(chat, fake_openai, "cheapest", "choose_option", {"answer": "cheapest"})
    fake_openai.then(tool_calls(("choose_option", {"answer": "8-speed"})), text("Your bike is ready."))
    data = chat("8 speed please")
    done = _last_tool_result(fake_openai)

    ids = [PartOption.objects.get(name=n).pk for n in ("Diamond", "Matte", "Fat bike wheels", "Black",
                                                        "8-speed chain")]
    quote = api_client.post("/api/configurator/quote",
                            {"category": PartOption.objects.get(pk=ids[0]).part.category_id, "options": ids},
                            format="json").json()
    assert done["status"] == "complete" and done["valid"] is True
    assert done["total"] == quote["price"]
    assert [(line["option"], line["price"]) for line in done["breakdown"]] == [
        (line["option"], line["price"]) for line in quote["breakdown"]
    ]
    explorer = PreConfiguredProduct.objects.get(name="Fat Tire Explorer")
    assert done["product_page"] == f"/shop/products/{explorer.pk}/"
    assert [card["id"] for card in data["products"]] == [explorer.pk]
    # The guide is over: the session no longer holds it, and the model is told so.
    assert "guide" not in ChatSession.objects.get(id=data["session_id"]).context
    fake_openai.then(text("Anything else?"))
    chat("thanks")
    assert "No guided configuration is under way." in fake_openai.requests[-1]["messages"][0]["content"]


def test_the_builtin_engine_continues_the_guide_when_the_model_fails(demo_catalog, chat, fake_openai):
    _answer_with(chat, fake_openai, "configure a surfboard for me", "start_configuration", {"category": "surfboard"})
    fake_openai.default = Fail(500)
    data = chat("the fish")
    assert data["engine"] == "builtin:fallback"
    assert "Board shape: Fish." in data["answer"] and "Step 2 of 4 — Construction" in data["answer"]


def test_guided_tools_without_a_guide_or_with_bad_arguments_are_errors(demo_catalog, chat, fake_openai):
    result = _answer_with(chat, fake_openai, "red", "choose_option", {"answer": "red"})
    assert result == {"error": "no guided configuration is under way; call start_configuration first"}
    result = _answer_with(chat, fake_openai, "build a spaceship", "start_configuration", {"category": "spaceship"})
    assert result["error"].startswith("unknown category 'spaceship'")
    result = _answer_with(chat, fake_openai, "x", "start_configuration", {"category": ["x"] * 3})
    assert result == {"error": "category must be a string"}


def test_options_named_at_the_start_are_taken_at_their_step(demo_catalog, chat, fake_openai):
    step = _answer_with(chat, fake_openai, "build me a fat bike with blue rims", "start_configuration",
                        {"category": "bicycles", "options": ["fat bike wheels", "blue rims", "warp drive"]})
    assert step["part"] == "Frame type" and step["unknown_options"] == ["warp drive"]
    _answer_with(chat, fake_openai, "diamond", "choose_option", {"answer": "diamond"})
    step = _answer_with(chat, fake_openai, "shiny", "choose_option", {"answer": "shiny"})
    assert step["notes"] == ["Wheels: Fat bike wheels, as you asked.", "Rim color: Blue, as you asked."]
    assert step["part"] == "Chain"
