"""Request throttles: keyed on the real client address, and failing open when the cache is down.

The client address is DRF's: REMOTE_ADDR, or with REST_FRAMEWORK["NUM_PROXIES"] = n > 0 the n-th address from
the right of X-Forwarded-For (the one our own n proxies saw). NUM_PROXIES = 0 ignores X-Forwarded-For, which
any client can write.

The counters live in the shared cache. When it is unreachable a throttle lets the request through (search and
chat keep answering), logs one WARNING a minute at most, and leaves the cache alone for a few seconds so an
unreachable host does not cost every request a connect timeout.
"""

from __future__ import annotations

import logging
import threading
import time

import redis.exceptions
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

# What a cache call raises when the cache is down: Redis (socket errors are OSError) or the database cache.
CACHE_ERRORS: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError, DatabaseError)


class CacheOutage:
    """Per-process memory of a cache outage: skip the cache for `hold_seconds` after an error, warn rarely."""

    hold_seconds = 5.0
    warn_every_seconds = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget the outage (the cache configuration changed)."""
        self._down_until = 0.0
        self._warned_at: float | None = None

    def active(self) -> bool:
        """Whether a cache error happened less than `hold_seconds` ago."""
        return time.monotonic() < self._down_until

    def record(self, what: str, exc: BaseException) -> None:
        """Note a cache error seen by `what`; logs a WARNING (no traceback) at most once a minute."""
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.hold_seconds
            if self._warned_at is not None and now - self._warned_at < self.warn_every_seconds:
                return
            self._warned_at = now
        logger.warning("The cache is unreachable (%s: %s); %s lets requests through", type(exc).__name__, exc, what)


cache_outage = CacheOutage()


@receiver(setting_changed)
def _forget_outage_of_another_cache(setting: str, **kwargs) -> None:
    if setting == "CACHES":
        cache_outage.reset()


def client_address(request) -> str:
    """The client's address as the throttles key it (honours NUM_PROXIES); works on Django and DRF requests."""
    return BaseThrottle().get_ident(request)


class FailOpenThrottleMixin:
    """Let the request through when the cache holding the counters is unreachable."""

    def allow_request(self, request, view) -> bool:
        if cache_outage.active():
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            cache_outage.record(f"the {type(self).__name__}", exc)
            return True


class ScopedSettingsRateThrottle(FailOpenThrottleMixin, ScopedRateThrottle):
    """ScopedRateThrottle reading the rates per request, so settings overrides (tests) take effect."""

    @property
    def THROTTLE_RATES(self) -> dict:  # the name DRF looks up
        return api_settings.DEFAULT_THROTTLE_RATES


class SearchRateThrottle(ScopedSettingsRateThrottle):
    """GET /api/ai-assistant/search (scope ai_search, rate AI_SEARCH_THROTTLE)."""


class SuggestRateThrottle(ScopedSettingsRateThrottle):
    """GET /api/ai-assistant/suggest (scope ai_suggest, rate AI_SUGGEST_THROTTLE): one request per keystroke.

    Where the rates name no ai_suggest (a settings override listing only search and chat), suggestions are
    throttled at the search rate instead of failing every request."""

    def get_rate(self) -> str | None:
        rates = self.THROTTLE_RATES
        if self.scope not in rates and "ai_search" in rates:
            return rates["ai_search"]
        return super().get_rate()


class ChatRateThrottle(ScopedSettingsRateThrottle):
    """POST /api/ai-assistant/chat (scope ai_chat, rate AI_CHAT_THROTTLE)."""


class AuthRateThrottle(FailOpenThrottleMixin, SimpleRateThrottle):
    """Login attempts per client address (token endpoint and admin login), at the rate AUTH_THROTTLE.

    Its own setting rather than a DEFAULT_THROTTLE_RATES scope: tests and deployments replace that dict.
    """

    scope = "auth"

    def get_rate(self) -> str | None:
        return settings.AUTH_THROTTLE or None

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
