"""Client addresses of one test alone: throttle and lockout counters live in a Redis that outlives a run."""

from __future__ import annotations

import random

_random = random.SystemRandom()


def new_address() -> str:
    """A random address in 100.64.0.0/10 (shared address space, never a real client of a test)."""
    return f"100.{_random.randint(64, 127)}.{_random.randint(0, 255)}.{_random.randint(1, 254)}"
