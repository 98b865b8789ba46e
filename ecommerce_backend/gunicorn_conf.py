"""gunicorn settings of `make run` and the compose web service (`gunicorn -c ecommerce_backend/gunicorn_conf.py`).

Memory: every process that embeds holds torch and the model (~0.5 GB). The web tier is therefore ONE worker
process with threads (WEB_WORKERS, WEB_THREADS), which loads the model and answers one search in
post_worker_init, before it accepts a request: its first customer search takes milliseconds, not the model's
load time. A preloading master (--preload) would hold a second copy that no request uses.
Metrics: a dead worker's multiprocess files are marked dead (ecommerce_backend/metrics.py sums the rest).
"""

from __future__ import annotations

import os

from ecommerce_backend.env import env_int

# The address comes from the command line (--bind 127.0.0.1:$WEB_PORT in the Procfile).
workers = env_int("WEB_WORKERS", 1, minimum=1)
threads = env_int("WEB_THREADS", 4, minimum=1)
worker_class = "gthread"
timeout = 120
# One line per request is written by ecommerce_backend/request_log.py (with the request id); not twice.
accesslog = None


def post_worker_init(worker) -> None:
    """Load the model, the URL map (every view module: ~0.7 s) and the search path before accepting requests."""
    from django.urls import get_resolver

    from apps.ai_assistant.retrieval.warmup import warm_search_when_index_ready, warm_up
    from ecommerce_backend.memory import release_free_memory

    get_resolver().resolve("/healthz")
    warm_up(search=True)
    warm_search_when_index_ready()
    release_free_memory()


def child_exit(server, worker) -> None:
    """Tell prometheus_client the worker is gone (its files keep counting; live gauges drop it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
