"""Loaded with `-p` before pytest-django reads the settings: test defaults for the environment.

Fast deterministic embeddings, and the real Redis of this machine (db 15) as broker and cache.
"""

import os
import tempfile

os.environ.setdefault("EMBEDDING_PROVIDER", "hashing")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# prometheus_client's multiprocess files of THIS test run (its pytest process and the workers it starts), not
# var/metrics that other runs on the machine share: /metrics tests add up only their own processes.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="marcus-metrics-"))
