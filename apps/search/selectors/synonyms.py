"""The active synonym groups, read through the shared cache so an edit in the admin is live everywhere at once.

A save or delete of a Synonym deletes the cached copy after its transaction commits (apps/search/signals.py);
CACHE_SECONDS bounds how long a copy read just before that commit can live. When the cache is unreachable,
every call reads the database (one small query).
"""

from __future__ import annotations

import contextlib
import logging

from django.core.cache import cache

from apps.search.models import Synonym
from ecommerce_backend.throttling import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_KEY = "search:synonym-groups:v1"
CACHE_SECONDS = 10


def synonym_groups() -> list[list[str]]:
    """Each active group as [term, phrase, ...], normalised (lowercase words, single spaces)."""
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
    try:
        cache.delete(CACHE_KEY)
    except CACHE_ERRORS as exc:
        logger.warning("synonyms: could not clear the cached groups (%s); they expire in %ss", exc, CACHE_SECONDS)
