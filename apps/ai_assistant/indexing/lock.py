"""The index write lock: writers of the vector store and its ledger take turns, across processes.

Why: two syncs of one document in two workers may read the catalog at different moments; if the one that
read OLDER rows wrote last, the index would keep the old text with a ledger saying it is current. Inside
the lock a writer re-reads the rows, writes the vectors, then the ledger, so the last writer always holds
the newest rows. Embedding (the slow part) happens before the lock, into the embedding cache.

PostgreSQL: a transaction-scoped advisory lock (released at commit; the ledger writes commit with it).
SQLite (one machine): an flock on a file beside the database, so the web process's writes never wait.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, transaction

from apps.ai_assistant.exceptions import TransientIndexError

ADVISORY_KEY = 0x4D41524355531  # "MARCUS" + 1: any constant that nothing else uses
WAIT_SECONDS = 300


def _lock_path() -> Path:
    name = str(connection.settings_dict.get("NAME") or "default")
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(settings.VAR_DIR) / f"ai-index-write-{digest}.lock"


@contextmanager
def index_write_lock() -> Iterator[None]:
    """Hold the index write lock for the block (wait up to WAIT_SECONDS, then TransientIndexError)."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{WAIT_SECONDS}s'")
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
            except OperationalError as exc:
                raise TransientIndexError(f"index write lock not acquired within {WAIT_SECONDS}s") from exc
            yield
        return
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        # A blocking flock: the holder only writes (no embedding inside), so waits are short.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
