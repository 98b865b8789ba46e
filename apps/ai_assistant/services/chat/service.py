"""The assistant's entry point: one customer message in, one grounded answer out, both stored."""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, transaction

from apps.ai_assistant.models import ChatMessage, ChatSession

from .engines import Answer, AnswerEngine, BuiltinEngine, OpenAIEngine

logger = logging.getLogger(__name__)

FALLBACK_ENGINE = "builtin:fallback"
APOLOGY = "Sorry, I can't answer that right now. Please try again in a moment, or browse /api/products/."


class UnknownSession(LookupError):
    """The session id names no chat session."""


def get_engine() -> AnswerEngine:
    """The OpenAI engine when an API key is configured, else the built-in one."""
    return OpenAIEngine() if settings.OPENAI_API_KEY else BuiltinEngine()


def _apology(exc: Exception) -> Answer:
    # A bug must not cost the customer a 500; the traceback goes to the log (it holds no message text).
    logger.error("assistant: the built-in engine failed (%s)", type(exc).__name__, exc_info=exc)
    return Answer(APOLOGY, engine="error")


def chat(message: str, session_id: uuid.UUID | str | None = None) -> dict:
    """Answer `message` in the session `session_id` (a new session when None).

    Returns {session_id, answer, products, sources, engine}. The model engine falls back to the built-in
    engine when it fails or times out. Only lengths and ids are logged, never the customer's words.
    """
    started = time.monotonic()
    if session_id is None:
        session = ChatSession.objects.create()
    else:
        try:
            session = ChatSession.objects.get(id=session_id)
        except (ChatSession.DoesNotExist, ValueError) as exc:
            raise UnknownSession(str(session_id)) from exc

    engine = get_engine()
    try:
        answer = engine.answer(message, session)
    except Exception as exc:
        if isinstance(engine, BuiltinEngine):
            answer = _apology(exc)
        else:
            # Any failure of the model (timeout, HTTP error, malformed reply) gets the built-in answer.
            logger.warning("assistant: %s engine failed (%s); answering with the built-in engine",
                           engine.name, type(exc).__name__)
            try:
                answer = BuiltinEngine().answer(message, session)
                answer.engine = FALLBACK_ENGINE
            except Exception as builtin_exc:
                answer = _apology(builtin_exc)

    try:
        with transaction.atomic():
            ChatMessage.objects.create(session=session, role=ChatMessage.Role.USER, content=message)
            ChatMessage.objects.create(
                session=session,
                role=ChatMessage.Role.ASSISTANT,
                content=answer.text,
                products=answer.products,
                sources=answer.sources,
                engine=answer.engine,
            )
            if answer.context is not None:
                session.context = answer.context
            session.save(update_fields=["context", "updated_at"])
    except DatabaseError as exc:
        if not ChatSession.objects.filter(id=session.id).exists():
            raise UnknownSession(str(session.id)) from exc  # deleted (e.g. in the admin) while answering
        raise

    logger.info(
        "assistant: session=%s engine=%s message_chars=%d products=%d sources=%d took_ms=%d",
        session.id, answer.engine, len(message), len(answer.products), len(answer.sources),
        (time.monotonic() - started) * 1000,
    )
    return {
        "session_id": str(session.id),
        "answer": answer.text,
        "products": answer.products,
        "sources": answer.sources,
        "engine": answer.engine,
    }
