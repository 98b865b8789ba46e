"""Test defaults, set before Django reads its settings: fast deterministic embeddings."""

import os

os.environ.setdefault("EMBEDDING_PROVIDER", "hashing")

# Each fixture module has one owner and one job; see its docstring.
pytest_plugins = [
    "tests.fixtures.api",
    "tests.fixtures.chroma",
    "tests.fixtures.celery_worker",
]
