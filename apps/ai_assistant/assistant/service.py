"""The assistant's entry point: one customer message in, one grounded answer out, both stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction

from apps.ai_assistant import metrics
from apps.ai_assistant.assistant.builtin_engine import BuiltinEngine
from apps.ai_assistant.assistant.cart_dialogue import settle_pending
from apps.ai_assistant.assistant.context import bound_context
from apps.ai_assistant.assistant.engine import Answer, AnswerEngine
from apps.ai_assistant.assistant.openai_engine import OpenAIEngine
from apps.ai_assistant.models import ChatMessage, ChatSession
from apps.orders.services.cart import CartOwner

logger = logging.getLogger(__name__)

FALLBACK_ENGINE = "builtin:fallback"
APOLOGY = "Sorry, I can't answer that right now. Please try again in a moment, or browse /api/products/."


class UnknownSession(LookupError):
    """The session id names no chat session."""


@dataclass(frozen=True)
class ChatOwner:
    """Who asks: a signed-in user, an anonymous browser (a hash of its session key), or neither.

    Neither (the default) is a caller inside the project (bench, shell): it continues only sessions that
    belong to no one, which no API client can start.
    """

    user_id: int | None = None
    client_key: str = ""

    @classmethod
    def for_user(cls, user_id: int) -> ChatOwner:
        return cls(user_id=user_id)

    @classmethod
    def for_browser(cls, session_key: str) -> ChatOwner:
        """An anonymous client, known by its Django session key; only a hash of it is stored."""
        return cls(client_key=hashlib.sha256(session_key.encode()).hexdigest())

    def owns(self, session: ChatSession) -> bool:
        if self.user_id is not None:
            return session.owner_id == self.user_id
        return session.owner_id is None and hmac.compare_digest(session.client_key, self.client_key)


def short_id(session_id: uuid.UUID | str) -> str:
    """The first 8 characters of a session id: enough to follow a session in the log, useless as its key."""
    return str(session_id)[:8]


def get_engine() -> AnswerEngine:
    """The OpenAI engine when an API key is configured, else the built-in one."""
    return OpenAIEngine() if settings.OPENAI_API_KEY else BuiltinEngine()


def _apology(exc: Exception) -> Answer:
    # A bug must not cost the customer a 500; the traceback goes to the log (it holds no message text).
    logger.error("assistant: the built-in engine failed (%s)", type(exc).__name__, exc_info=exc)
    return Answer(APOLOGY, engine="error")


def _session_for(session_id: uuid.UUID | str | None, owner: ChatOwner) -> ChatSession:
    """The session to continue, or a new one of `owner` when `session_id` is None or someone else's."""
    if session_id is not None:
        try:
            session = ChatSession.objects.get(id=session_id)
        except (ChatSession.DoesNotExist, ValueError) as exc:
            raise UnknownSession(short_id(session_id)) from exc
        if owner.owns(session):
            return session
        # Another client's id: a fresh session, so its context and history never reach this client.
        logger.info("assistant: session=%s belongs to another client; starting a new one", short_id(session.id))
    return ChatSession.objects.create(owner_id=owner.user_id, client_key=owner.client_key)


def chat(
    message: str,
    session_id: uuid.UUID | str | None = None,
    owner: ChatOwner | None = None,
    cart_owner: CartOwner | None = None,
) -> dict:
    """Answer `message` in the session `session_id` (a new session when None or not `owner`'s).

    `cart_owner` is whose cart a confirmed "add to cart" fills (None: the assistant cannot add to a cart).

    Returns {session_id, answer, products, sources, engine}; the session_id differs from the one given when
    a new session was started. The model engine falls back to the built-in engine when it fails or times
    out. Only lengths and id prefixes are logged, never the customer's words.
    """
    started = time.monotonic()
    session = _session_for(session_id, owner or ChatOwner())

    engine = get_engine()
    # A pending add-to-cart proposal is settled before any engine runs: only a "yes" adds (cart_dialogue.py).
    answer = settle_pending(message, session, cart_owner)
    try:
        if answer is None:
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
                session.context = bound_context(answer.context)
            session.save(update_fields=["context", "updated_at"])
    except DatabaseError as exc:
        if not ChatSession.objects.filter(id=session.id).exists():
            raise UnknownSession(short_id(session.id)) from exc  # deleted (e.g. in the admin) while answering
        raise

    metrics.CHAT_LATENCY.labels(engine=answer.engine).observe(time.monotonic() - started)
    logger.info(
        "assistant: session=%s engine=%s message_chars=%d products=%d sources=%d took_ms=%d",
        short_id(session.id), answer.engine, len(message), len(answer.products), len(answer.sources),
        (time.monotonic() - started) * 1000,
    )
    return {
        "session_id": str(session.id),
        "answer": answer.text,
        "products": answer.products,
        "sources": answer.sources,
        "engine": answer.engine,
    }
