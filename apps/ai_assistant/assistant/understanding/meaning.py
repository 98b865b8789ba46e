"""The embedding model the index already loaded, used by the built-in engine for words and requests the
catalog's names do not spell: unit vectors of short texts, cached per text (a catalog's labels and
descriptions are embedded once per process, not per message).

Only a provider that runs in this process is used (local, hashing): a network call per message is not the
built-in engine's to make, so with the OpenAI provider `vectors` returns None and callers do without.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

# Bounded: a catalog's labels and descriptions are far fewer; past this the cache starts again.
MAX_CACHED = 50_000

_cache: dict[tuple[str, str, str], list[float]] = {}
_lock = threading.Lock()


def vectors(texts: list[str]) -> list[list[float]] | None:
    """One unit vector per text, or None when no in-process embedding model is available."""
    try:
        from apps.ai_assistant.retrieval.embeddings import get_embedding_provider

        provider = get_embedding_provider()
        if provider.name == "openai":
            return None
        missing = list(dict.fromkeys(t for t in texts if (provider.name, provider.model, t) not in _cache))
        if missing:
            fresh = provider.embed(missing)
            with _lock:
                if len(_cache) + len(missing) > MAX_CACHED:
                    _cache.clear()
                _cache.update({(provider.name, provider.model, t): v for t, v in zip(missing, fresh, strict=True)})
        return [_cache[(provider.name, provider.model, t)] for t in texts]
    except Exception as exc:  # the model is a fallback: without it the engine answers from names alone
        logger.warning("assistant: embeddings unavailable (%s)", type(exc).__name__)
        return None


def cosine(a: list[float], b: list[float]) -> float:
    """The cosine of two unit vectors."""
    return sum(x * y for x, y in zip(a, b, strict=False))
