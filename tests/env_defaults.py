"""Loaded with `-p` before pytest-django reads the settings: test defaults for the environment.

Fast deterministic embeddings, and the real Redis of this machine (db 15) as broker and cache.
"""

import os

os.environ.setdefault("EMBEDDING_PROVIDER", "hashing")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
