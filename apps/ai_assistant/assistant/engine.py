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
