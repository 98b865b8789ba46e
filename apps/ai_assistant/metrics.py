"""The AI index's and the assistant's Prometheus instruments (served at /metrics: ecommerce_backend/metrics.py).

Counters and histograms only: every process (web workers, Celery pool processes) writes its own values into
PROMETHEUS_MULTIPROC_DIR and the scrape adds them up (prometheus_client's multiprocess mode, see
docs/operations.md "Metrics"). Facts of the database (outbox pending, oldest pending age) are not kept here:
the scrape reads them (ecommerce_backend/metrics.py).

This module imports nothing of the project, so any stage can record into it without an import circle.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram, values

if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and values.ValueClass is values.MutexValue:
    # prometheus_client chose its value class when first imported; if that was before settings.py named the
    # directory, choose again so these instruments write to the shared files.
    values.ValueClass = values.get_value_class()

# Seconds from an outbox row being written to its document being synced: the index's freshness.
CHANGE_TO_SEARCHABLE = Histogram(
    "marcus_index_change_to_searchable_seconds",
    "Seconds from a catalog change (outbox row written) to its document synced into the index, per document",
    buckets=(0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 900, 3600),
)
FLUSH_DURATION = Histogram(
    "marcus_index_flush_duration_seconds",
    "Duration of one outbox flush that synced at least one batch",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
TEXTS_EMBEDDED = Counter("marcus_index_texts_embedded", "Texts embedded by outbox flushes (cache misses only)")
DOCUMENTS_SYNCED = Counter("marcus_index_documents_synced", "Documents synced by outbox flushes")
REBUILDS = Counter("marcus_index_rebuilds", "Full index rebuilds, by outcome", ["outcome"])
SEARCH_LATENCY = Histogram(
    "marcus_search_duration_seconds",
    "Duration of one search of the index, by mode (hybrid, vector, keyword)",
    ["mode"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)
CHAT_LATENCY = Histogram(
    "marcus_chat_duration_seconds",
    "Duration of one assistant answer, by the engine that answered",
    ["engine"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
TASKS = Counter("marcus_celery_tasks", "Celery tasks finished, by task name and state", ["task", "state"])
TASK_RUNTIME = Histogram(
    "marcus_celery_task_duration_seconds",
    "Runtime of Celery tasks, by task name",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800),
)


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    """Observe the seconds the block took (also when it raises)."""
    started = time.monotonic()
    try:
        yield
    finally:
        histogram.observe(time.monotonic() - started)
