"""Lockout after repeated failed logins, shared by POST /api/auth/token/ and /admin/login/.

AUTH_LOCKOUT_FAILURES failed attempts for one username, or from one client address, within
AUTH_LOCKOUT_SECONDS lock that username or address out for AUTH_LOCKOUT_SECONDS: every attempt is refused
with a 429 and Retry-After, even one with the right password (a guesser must not learn that it found it).
Counters live in the cache; when the cache is down the lockout is skipped (fails open) with a warning.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from ecommerce_backend.throttling import CACHE_ERRORS, cache_outage

logger = logging.getLogger(__name__)

MESSAGE = "Too many failed login attempts; try again later."


def _subjects(username: str, address: str) -> list[str]:
    # Usernames are hashed: any text fits a cache key, and the key names no account.
    subjects = [f"addr:{address}"] if address else []
    name = username.strip().lower()
    if name:
        subjects.append("user:" + hashlib.sha256(name.encode()).hexdigest()[:32])
    return subjects


def _failures_key(subject: str) -> str:
    return f"login_failures:{subject}"


def _locked_key(subject: str) -> str:
    return f"login_locked:{subject}"


def retry_after(username: str, address: str) -> int | None:
    """Seconds until the lockout of this username or address ends; None when neither is locked out."""
    if cache_outage.active():
        return None
    keys = [_locked_key(subject) for subject in _subjects(username, address)]
    try:
        until = cache.get_many(keys)
    except CACHE_ERRORS as exc:
        cache_outage.record("the login lockout", exc)
        return None
    if not until:
        return None
    return max(1, math.ceil(max(until.values()) - time.time()))


def record_failure(username: str, address: str) -> None:
    """Count a failed login; the attempt that reaches AUTH_LOCKOUT_FAILURES starts the lockout."""
    if cache_outage.active():
        return
    seconds = settings.AUTH_LOCKOUT_SECONDS
    try:
        for subject in _subjects(username, address):
            key = _failures_key(subject)
            cache.add(key, 0, timeout=seconds)  # the window starts at the first failure
            try:
                failures = cache.incr(key)
            except ValueError:  # the window ended between add and incr
                continue
            if failures >= settings.AUTH_LOCKOUT_FAILURES:
                cache.set(_locked_key(subject), time.time() + seconds, timeout=seconds)
                cache.delete(key)
                logger.warning("Login locked out for %s s after %s failures: %s", seconds, failures, subject)
    except CACHE_ERRORS as exc:
        cache_outage.record("the login lockout", exc)


def record_success(username: str) -> None:
    """A successful login clears the failures of its username (not of the address: it may be shared)."""
    if cache_outage.active():
        return
    try:
        cache.delete_many([_failures_key(subject) for subject in _subjects(username, "")])
    except CACHE_ERRORS as exc:
        cache_outage.record("the login lockout", exc)
