"""Embedding providers and the embedding cache: registry errors, OpenAI retries (fake HTTP server), caching."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.models import EmbeddingCache
from apps.ai_assistant.retrieval.embedding_cache import embed_texts
from apps.ai_assistant.retrieval.embeddings import HashingProvider, OpenAIProvider, get_embedding_provider


class FakeEmbeddings:
    """POST /v1/embeddings: answers the queued statuses first, then 200 with 8-dimension vectors."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # the name http.server calls
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                status = fake.statuses.pop(0) if fake.statuses else 200
                if status == 200:
                    data = [
                        {"object": "embedding", "index": i, "embedding": [float(len(text))] + [1.0] * 7}
                        for i, text in enumerate(body["input"])
                    ]
                    payload = {"object": "list", "data": data, "model": body["model"], "usage": {}}
                else:
                    payload = {"error": {"message": f"status {status}", "type": "test"}}
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_embeddings(settings, monkeypatch):
    servers = []

    def start(*statuses: int) -> FakeEmbeddings:
        server = FakeEmbeddings(list(statuses))
        servers.append(server)
        settings.OPENAI_API_KEY = "test-key"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_TIMEOUT_SECONDS = 5.0
        return server

    monkeypatch.setattr(OpenAIProvider, "backoff_seconds", 0.01)
    yield start
    for server in servers:
        server.stop()


def test_unknown_provider_and_openai_without_key_are_clear_errors(settings):
    settings.EMBEDDING_PROVIDER = "word2vec"
    with pytest.raises(ImproperlyConfigured, match="word2vec.*hashing, local, openai"):
        get_embedding_provider()
    settings.EMBEDDING_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="OPENAI_API_KEY"):
        get_embedding_provider()


def test_the_provider_is_cached_per_configuration(settings):
    settings.EMBEDDING_PROVIDER = "hashing"
    assert get_embedding_provider() is get_embedding_provider()
    assert get_embedding_provider().name == "hashing"


def test_hashing_vectors_are_deterministic_unit_and_lexical():
    provider = HashingProvider()
    a, b, c = provider.embed(["fat bike with black rims", "black rims on a fat bike", "surfboard leash"])
    assert provider.embed(["fat bike with black rims"])[0] == a
    assert len(a) == 384 and math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-9)
    cosine = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
    assert cosine(a, b) > 0.5 > cosine(a, c)


def test_openai_retries_rate_limits_and_server_errors(fake_embeddings):
    server = fake_embeddings(429, 500, 503)
    provider = OpenAIProvider()
    vectors = provider.embed(["abc", "de"])
    assert len(server.requests) == 4 and server.requests[-1]["model"] == "text-embedding-3-small"
    assert len(vectors) == 2 and math.isclose(sum(x * x for x in vectors[0]), 1.0)
    assert vectors[0] != vectors[1]  # in input order (the fake encodes the text length)


def test_openai_gives_up_with_a_transient_error(fake_embeddings):
    server = fake_embeddings(*[503] * 10)
    with pytest.raises(TransientIndexError, match="OpenAI embeddings failed 5 times"):
        OpenAIProvider().embed(["abc"])
    assert len(server.requests) == 5


def test_openai_client_errors_are_not_retried(fake_embeddings):
    server = fake_embeddings(400)
    with pytest.raises(openai.BadRequestError):
        OpenAIProvider().embed(["abc"])
    assert len(server.requests) == 1


def test_openai_batches_large_inputs(fake_embeddings):
    server = fake_embeddings()
    provider = OpenAIProvider()
    assert len(provider.embed([f"text {i}" for i in range(600)])) == 600
    assert [len(request["input"]) for request in server.requests] == [256, 256, 88]


class CountingProvider(HashingProvider):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed(texts)


def test_the_same_text_is_never_embedded_twice(db):
    provider = CountingProvider()
    vectors, count = embed_texts(provider, ["a red bike", "a blue bike", "a red bike"])
    assert count == 2 and provider.embedded == ["a red bike", "a blue bike"]
    assert vectors[0] == vectors[2]

    again, count = embed_texts(provider, ["a blue bike", "a green bike", "a red bike"])
    assert count == 1 and provider.embedded[-1] == "a green bike" and len(provider.embedded) == 3
    # Cached vectors are float32: equal to the fresh ones to float32 precision.
    assert again[0] == pytest.approx(vectors[1], abs=1e-6)
    assert EmbeddingCache.objects.filter(provider="hashing", model="token-hash-384").count() == 3
