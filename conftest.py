"""Test defaults, set before Django reads its settings: fast deterministic embeddings."""

import os

os.environ.setdefault("EMBEDDING_PROVIDER", "hashing")
