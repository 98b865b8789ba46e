"""Bounds of a chat session's stored context, so a session's cost does not grow with its length.

Follow-up searches carry the words of earlier messages forward ("bikes" … "for snow" … "for beginners");
without a bound every follow-up made the stored query, the answer quoting it and the index search longer.
"""

from __future__ import annotations

from django.conf import settings


def max_query_chars() -> int:
    """AI_CHAT_CONTEXT_MAX_CHARS: the longest query a session carries to its next message."""
    return max(int(settings.AI_CHAT_CONTEXT_MAX_CHARS), 1)


def cap_query(query: str, max_chars: int | None = None) -> str:
    """The newest words of `query` that fit in `max_chars`, each word once.

    The newest words win because a follow-up refines the search the customer is making now; a repeated
    word keeps its newest place. A single word longer than the bound is cut.
    """
    limit = max_query_chars() if max_chars is None else max_chars
    kept: list[str] = []
    seen: set[str] = set()
    size = 0
    # Only the tail can survive: never split more of a long text than the bound needs.
    window = limit * 2 + 1
    words = query[-window:].split()
    if len(query) > window and len(words) > 1 and not query[-window - 1].isspace():
        words = words[1:]  # the window starts inside a word
    for word in reversed(words):
        key = word.lower()
        if key in seen:
            continue
        cost = len(word) + (1 if kept else 0)
        if size + cost > limit:
            if not kept:
                kept.append(word[:limit])
            break
        kept.append(word)
        seen.add(key)
        size += cost
    return " ".join(reversed(kept))


def bound_context(context: dict | None) -> dict:
    """`context` as it may be stored: its free-text query capped (every other field is bounded by the catalog)."""
    bounded = dict(context or {})
    if isinstance(bounded.get("query"), str):
        bounded["query"] = cap_query(bounded["query"])
    return bounded
