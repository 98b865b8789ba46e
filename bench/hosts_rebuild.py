"""Rebuilds in bench.hosts: queue one through a web host's API, time it, and record what it built.

`timed_rebuild` empties the embedding cache (so each rebuild embeds every text), POSTs
/api/ai-assistant/index/rebuild, waits until the index status shows a new active
collection and no rebuild in progress, and returns the seconds with a `Snapshot`: every document of the
ledger with its content hash, and every vector id with a digest of its metadata and vector. Two rebuilds of
the same catalog must give equal snapshots whatever the number of workers.

`chunks_by_host` reads the "Rebuild chunk ... on <hostname>" lines the workers log (a rebuild spread over
workers as a Celery group of chunks) from the part of each worker log written since an offset.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.hosts_traffic import HostClient

# "Rebuild chunk 2/4 on worker@host-d: 100 documents, ..." (apps/ai_assistant/tasks.py); not the skipped or lost ones.
CHUNK_LINE = re.compile(r"Rebuild chunk \d+/\d+ on (\S+?):")


@dataclass
class Snapshot:
    collection: str
    ledger: dict[str, str]  # doc_id -> content_hash
    vectors: dict[str, str]  # doc_id -> digest of metadata and vector

    def differences(self, other: Snapshot) -> dict[str, int]:
        """Documents only in one side, and documents whose hash or vector differ, ledger and store apart."""
        return {
            "ledger only one side": len(self.ledger.keys() ^ other.ledger.keys()),
            "ledger hash differs": sum(
                1 for k in self.ledger.keys() & other.ledger.keys() if self.ledger[k] != other.ledger[k]
            ),
            "vectors only one side": len(self.vectors.keys() ^ other.vectors.keys()),
            "vector or metadata differs": sum(
                1 for k in self.vectors.keys() & other.vectors.keys() if self.vectors[k] != other.vectors[k]
            ),
        }


def _digest(metadata: dict, vector) -> str:
    rounded = [round(float(x), 6) for x in vector]
    return hashlib.sha256(json.dumps([metadata, rounded], sort_keys=True, default=str).encode()).hexdigest()


def snapshot() -> Snapshot:
    """The active collection's ledger and vectors (this process reads them directly)."""
    from django.db import close_old_connections

    from apps.ai_assistant.indexing import state as index_state
    from apps.ai_assistant.models import IndexedDocument
    from apps.ai_assistant.retrieval.vector_store import get_vector_store

    close_old_connections()
    collection = index_state.get_state().active_collection
    ledger = dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "content_hash"))
    records = get_vector_store().records(collection)
    return Snapshot(collection, ledger, {doc_id: _digest(meta, vec) for doc_id, (meta, vec) in records.items()})


def _status() -> dict:
    from django.db import close_old_connections

    from apps.ai_assistant.indexing.status import index_status

    close_old_connections()
    return index_status(tolerate_errors=True)


def empty_embedding_cache() -> int:
    """Forget every cached embedding (the run's own database), so that a rebuild embeds every text again."""
    from apps.ai_assistant.models import EmbeddingCache

    return EmbeddingCache.objects.all().delete()[0]


def timed_rebuild(web_url: str, token: str, timeout: float = 900.0, cold: bool = True) -> tuple[float, dict, Snapshot]:
    """Queue a rebuild through `web_url`; (seconds until switched and finished, the last status, snapshot).

    `cold`: empty the embedding cache first, so that the time includes embedding every document (otherwise a
    second rebuild of the same catalog only reads the cache and the comparison measures nothing)."""
    if cold:
        empty_embedding_cache()
    before = _status().get("active_collection")
    client = HostClient(web_url, {"Authorization": f"Token {token}"}, timeout=30)
    started = time.monotonic()
    status, body = client.request("POST", "/api/ai-assistant/index/rebuild")
    client.close()
    if status != 202:
        raise RuntimeError(f"rebuild refused: {status} {body[:300]!r}")
    deadline = started + timeout
    while time.monotonic() < deadline:
        current = _status()
        if current.get("active_collection") not in (None, "", before) and not current.get("rebuild_in_progress"):
            seconds = time.monotonic() - started
            return seconds, current, snapshot()
        time.sleep(0.5)
    raise RuntimeError(f"the rebuild did not finish within {timeout:.0f} s")


def log_sizes(paths: list[Path]) -> dict[Path, int]:
    return {path: path.stat().st_size if path.exists() else 0 for path in paths}


def chunks_by_host(offsets: dict[Path, int]) -> Counter:
    """Chunk lines per hostname in the worker logs, counting only what was written after `offsets`."""
    found: Counter = Counter()
    for path, offset in offsets.items():
        if not path.exists():
            continue
        with open(path, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        found.update(CHUNK_LINE.findall(text))
    return found
