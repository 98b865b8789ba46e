"""Typed readers of environment variables for settings.py: a malformed value stops the start at once.

Each reader returns the default when the variable is unset OR empty (an empty line in an env file, such as
deploy/production.env.example, means "not set"), and raises ImproperlyConfigured naming the variable and the
value otherwise, e.g. "AI_INDEX_DEBOUNCE_SECONDS must be a number, got 'abc'".
"""

from __future__ import annotations

import math
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The stripped value, or None when the variable is unset or blank."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_str(name: str, default: str = "") -> str:
    """A string variable; blank means the default."""
    raw = _raw(name)
    return default if raw is None else raw


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words (compared case-insensitively, returned in lower case)."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw.lower()


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean: 1/true/yes/on or 0/false/no/off."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_optional_bool(name: str) -> bool | None:
    """A boolean as env_bool reads it, or None when unset: the caller works the default out."""
    return None if _raw(name) is None else env_bool(name)


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number, at least `minimum` when given."""
    raw = _raw(name)
    if raw is None:
        return default
    expected = "an integer" if minimum is None else f"an integer >= {minimum}"
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {expected}, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be {expected}, got {raw!r}")
    return value


def env_non_negative_int(name: str, default: int) -> int:
    """A whole number >= 0."""
    return env_int(name, default, minimum=0)


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    """A finite number, at least `minimum` when given."""
    raw = _raw(name)
    if raw is None:
        return float(default)
    expected = "a number" if minimum is None else f"a number >= {minimum:g}"
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise ImproperlyConfigured(f"{name} must be {expected}, got {raw!r}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list without blanks."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme is one of `schemes` and which names a host (or, for sqlite, a path)."""
    raw = _raw(name)
    if raw is None:
        return default
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        starts = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ImproperlyConfigured(f"{name} must be a URL starting with {starts}, got {raw!r}")
    if parts.scheme.startswith("sqlite"):
        return raw  # sqlite:///path or sqlite://:memory: name a file, not a host
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be a URL naming a host, got {raw!r}")
    try:
        parts.port  # noqa: B018 - the property raises ValueError for a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a URL with a numeric port, got {raw!r}") from None
    return raw


def env_currency(name: str, default: str) -> str:
    """An ISO 4217 currency code: three letters, returned in upper case."""
    raw = _raw(name)
    if raw is None:
        return default
    if not (len(raw) == 3 and raw.isascii() and raw.isalpha()):
        raise ImproperlyConfigured(f"{name} must be a three-letter ISO 4217 code such as EUR, got {raw!r}")
    return raw.upper()


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as "30/min": a whole number, a slash, and s/m/h/d (or a word starting so)."""
    raw = _raw(name)
    if raw is None:
        return default
    count, _, period = raw.partition("/")
    if not (count.isascii() and count.isdigit()) or not period or period[0] not in "smhd":
        raise ImproperlyConfigured(f"{name} must be a rate like '30/min', got {raw!r}")
    return raw
