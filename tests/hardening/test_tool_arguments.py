"""A model's hostile tool arguments come back to it as tool errors; the OpenAI tool runner never raises."""

from __future__ import annotations

import json

import pytest

from apps.ai_assistant.assistant.tool_runner import run_tool
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from tests.assistant.conftest import Chat, assistant_settings, client_ip, demo_catalog  # noqa: F401
from tests.assistant.fake_openai import text, tool_calls

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000


def _raw_call(name: str, arguments: str) -> dict:
    """A tool call whose arguments string is sent as is (tool_calls() would json.dumps a dict)."""
    reply = tool_calls((name, {}))
    reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = arguments
    return reply


# Each of these raised, or came back without saying what was wrong, before the runner checked arguments.
HOSTILE = [
    ("find_products", '{"limit": 1e999}', "finite"),
    ("search_catalog", '{"query": "bike", "limit": 1e999}', "number"),
    ("find_products", '{"min_price": NaN}', "NaN"),
    ("find_products", '{"max_price": -Infinity}', "Infinity"),
    ("find_products", '{"limit": -3}', "limit"),
    ("find_products", '{"limit": ' + "9" * 5000 + "}", "too large"),
    ("search_catalog", '{"query": "bike", "limit": 123456789012345678901234567890}', "limit"),
    ("find_products", '{"options": ' + DEEP + "}", "arguments"),
    ("find_products", DEEP, "arguments"),
    ("find_products", '{"options": ' + "[" * 900 + "]" * 900 + "}", "nested"),
    ("quote_configuration", '{"options": [[[["Matte"]]]]}', "nested"),
    ("quote_configuration", '{"options": [["Matte"]]}', "options"),
    ("find_products", '{"category": {"name": "Bicycles"}}', "category"),
    ("find_products", '{"in_stock": "yes"}', "in_stock"),
    ("find_products", '{"limit": true}', "limit"),
    ("find_products", '{"max_price": "1e999999"}', "max_price"),
    ("search_catalog", '{"query": ' + json.dumps("x" * 5000) + "}", "query"),
    ("quote_configuration", '{"options": ' + json.dumps(["Matte"] * 1000) + "}", "options"),
    ("find_products", "not json at all", "JSON"),
    ("find_products", '{"limit": ', "JSON"),
]


@pytest.mark.parametrize(("name", "arguments", "says"), HOSTILE, ids=[f"{n}:{a[:24]}" for n, a, _ in HOSTILE])
def test_hostile_arguments_are_a_tool_error(demo_catalog, name, arguments, says):  # noqa: F811
    result = run_tool(name, arguments, vocab=Vocabulary.load())

    assert set(result) == {"error"}, result
    assert says.lower() in result["error"].lower()
    json.dumps(result)  # goes back to the model as JSON


@pytest.mark.parametrize("arguments", [{"limit": float("inf")}, {"limit": float("nan")}, {"options": [[[[[]]]]]}])
def test_hostile_arguments_given_as_python_values_are_a_tool_error(demo_catalog, arguments):  # noqa: F811
    result = run_tool("find_products", arguments, vocab=Vocabulary.load())
    assert "error" in result


def test_hostile_tool_calls_through_the_model_get_errors_and_an_answer(demo_catalog, api_client, client_ip,  # noqa: F811
                                                                        fake_openai):
    """End to end through the real SDK: the model hears back an error per bad call and still answers."""
    fake_openai.then(
        _raw_call("find_products", '{"limit": 1e999}'),
        _raw_call("search_catalog", '{"query": ' + DEEP + "}"),
        text("Sorry, I could not look that up."),
    )

    data = Chat(api_client, client_ip)("show me bikes")

    assert data["engine"] == "openai"  # not the built-in fallback: the runner did not raise
    assert data["answer"] == "Sorry, I could not look that up."
    tool_messages = [
        json.loads(m["content"]) for m in fake_openai.requests[2]["messages"] if m["role"] == "tool"
    ]
    assert [m["tool"] for m in tool_messages] == ["find_products", "search_catalog"]
    assert all("error" in m["data"] for m in tool_messages)
