"""Root conftest: registers the shared fixture modules (environment defaults: tests/env_defaults.py)."""

# Each fixture module has one owner and one job; see its docstring.
pytest_plugins = [
    "tests.fixtures.api",
    "tests.fixtures.chroma",
    "tests.fixtures.embedding_calls",
    "tests.fixtures.celery_worker",
    "tests.fixtures.openai",
]
