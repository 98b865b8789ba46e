"""The active synonym groups, read through the shared cache so an edit in the admin is live everywhere at once.

A save or delete of a Synonym deletes the cached copy after its transaction commits (apps/search/signals.py);
CACHE_SECONDS bounds how long a copy read just before that commit can live. When the cache is unreachable,
every call reads the database (one small query).

Each process also keeps the groups it read for LOCAL_SECONDS: a search expands its query twice (the search
page, then hybrid search, for callers that come straight to it), and a busy process answers many searches a
second, each of which would otherwise read the cache (a database query with the database cache of `make
run`). An edit reaches other processes within LOCAL_SECONDS + CACHE_SECONDS, this process at once (the same
signal drops its copy).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.core.cache import cache

from apps.search.models import Synonym
from ecommerce_backend.throttling import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_KEY = "search:synonym-groups:v1"
CACHE_SECONDS = 10
LOCAL_SECONDS = 1.0

_local: tuple[float, list[list[str]]] | None = None  # (monotonic time read, groups) of this process
_forgotten = 0  # raised by each forget: a read that began before it is not kept
_local_lock = threading.Lock()


def synonym_groups() -> list[list[str]]:
    """Each active group as [term, phrase, ...], normalised (lowercase words, single spaces)."""
    global _local
    held = _local
    if held is not None and time.monotonic() - held[0] < LOCAL_SECONDS:
        return held[1]
    began = _forgotten
    groups = _shared_groups()
    with _local_lock:
        if began == _forgotten:
            _local = (time.monotonic(), groups)
    return groups


def _shared_groups() -> list[list[str]]:
    try:
        groups = cache.get(CACHE_KEY)
    except CACHE_ERRORS as exc:
        logger.debug("synonyms: cache unavailable (%s), reading the database", exc)
        groups = None
    if groups is not None:
        return groups
    groups = [synonym.group() for synonym in Synonym.objects.filter(is_active=True).order_by("term")]
    with contextlib.suppress(*CACHE_ERRORS):
        cache.set(CACHE_KEY, groups, CACHE_SECONDS)
    return groups


def forget_synonym_groups() -> None:
    """Drop the cached groups: the next search reads the table."""
    global _local, _forgotten
    with _local_lock:
        _local, _forgotten = None, _forgotten + 1
    try:
        cache.delete(CACHE_KEY)
    except CACHE_ERRORS as exc:
        logger.warning("synonyms: could not clear the cached groups (%s); they expire in %ss", exc, CACHE_SECONDS)
