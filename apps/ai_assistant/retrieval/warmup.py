"""Warm a process up before it serves: load the embedding model, and for a web worker answer one search.

Called where a process starts (gunicorn's post_worker_init in ecommerce_backend/gunicorn_conf.py, Celery's
worker hooks in tasks.py), so no customer's first search waits seconds for the model or the vector store
connection (the keyword index is the database's: there is nothing of it to load). A failure is logged, never
raised: the first real request loads what is missing.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def warm_up(*, search: bool, index_writes: bool = False) -> None:
    """Load the local embedding model (other providers load nothing); with `search`, run one search too; with
    `index_writes` (a worker), load the index writer's modules and connect to the vector store, which a
    process's first flush otherwise pays for (seconds on a busy machine, while changes wait)."""
    started = time.monotonic()
    try:
        if str(settings.EMBEDDING_PROVIDER).strip().lower() == "local":
            from apps.ai_assistant.retrieval.embeddings import get_embedding_provider

            get_embedding_provider().embed(["warm up"])
        if index_writes:
            from apps.ai_assistant.indexing.documents.registry import build_documents
            from apps.ai_assistant.retrieval.vector_store import get_vector_store
            from apps.ai_assistant.services.index_service import get_index_service

            get_index_service()
            build_documents([])
            try:
                get_vector_store().heartbeat()
            except Exception as exc:
                # Expected where the processes start together (make run): the first flush connects.
                name = type(exc).__name__
                logger.warning("The vector store is not reachable yet (%s): the first flush connects", name)
        if search:
            from apps.ai_assistant.retrieval.query import search_documents

            search_documents("warm up", limit=1)
    except Exception:
        logger.exception("Warming up failed; the first request will load what is missing")
        return
    logger.info("Warmed up in %.1fs (search: %s)", time.monotonic() - started, search)


def warm_search_when_index_ready(poll_seconds: float = 2.0, give_up_seconds: float = 3600.0) -> None:
    """On a first start the index is built after the web worker warmed up: warm the search once it exists.

    A daemon thread polls the index pointer; the first search of a new collection loads it in the vector store
    server, which a customer should not wait for.
    """
    from apps.ai_assistant.indexing.state import active_collection

    def wait_and_warm() -> None:
        deadline = time.monotonic() + give_up_seconds
        try:
            while time.monotonic() < deadline:
                if active_collection():
                    warm_up(search=True)
                    return
                time.sleep(poll_seconds)
        except Exception:
            logger.exception("Waiting for the first index to warm the search failed")
        finally:
            connection.close()  # this thread's own database connection

    try:
        ready = bool(active_collection())
    except Exception:
        ready = False  # no database yet: wait like for the index
    if not ready:
        threading.Thread(target=wait_and_warm, name="warm-search-when-ready", daemon=True).start()
