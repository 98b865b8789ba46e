"""What every answer engine is: AnswerEngine answers one customer message within a chat session with an Answer.

Engines ground every fact in the database and the configurator: product cards are built from the database,
prices and compatibilities come from the configurator. Model text is never parsed for facts. The engines are
the built-in one (builtin_engine.py, rules over the catalog, no network) and the OpenAI one (openai_engine.py,
chat completions with read-only tool calling).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.ai_assistant.models import ChatSession

MAX_LISTED = 5
# A search whose matches are this many or fewer lists them all ("list your pizza ovens": the family's whole
# range in one answer); more are shown MAX_LISTED at a time with their count.
MAX_WHOLE_LIST = 15


def shown_count(total: int, whole: bool) -> int:
    """How many of `total` matching products an answer lists: all of a small range when the answer is the
    range (`whole`), else MAX_LISTED (a "cheapest" question's first product is its answer, and the closest
    products to words nothing matches are only the nearest few)."""
    return total if whole and total <= MAX_WHOLE_LIST else MAX_LISTED


@dataclass
class Answer:
    text: str
    products: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    engine: str = ""
    # The session context after this answer; None keeps the session's context as it is.
    context: dict | None = None


class AnswerEngine:
    """Answers one customer message within a chat session."""

    name = "engine"

    def answer(self, message: str, session: ChatSession) -> Answer:
        raise NotImplementedError
