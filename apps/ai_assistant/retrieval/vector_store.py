"""The vector store: a small interface and its Chroma implementation over Chroma's HTTP server.

Every process (web, worker, commands, tests) talks to ONE Chroma server at settings.CHROMA_URL; none
opens a Chroma directory itself, because two processes on one directory do not see each other's writes.
We always pass vectors (no Chroma-side embedding function); collections use cosine distance.
Unreachable server or timeout -> TransientIndexError (the Celery tasks retry those).
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant.exceptions import TransientIndexError

logger = logging.getLogger(__name__)

MAX_BATCH = 5000
T = TypeVar("T")


class CollectionNotFound(LookupError):
    """The collection does not exist (e.g. a rebuild dropped it a moment ago)."""


class VectorStore(ABC):
    """Collections of (id, vector, flat metadata); queries return (id, cosine distance) nearest first."""

    @abstractmethod
    def heartbeat(self) -> None:
        """Raise TransientIndexError unless the store answers."""

    @abstractmethod
    def create_collection(self, name: str, metadata: dict[str, Any] | None = None) -> None:
        """Create the collection (no error when it exists)."""

    @abstractmethod
    def has_collection(self, name: str) -> bool: ...

    @abstractmethod
    def delete_collection(self, name: str) -> None:
        """Drop the collection (no error when it is gone already)."""

    @abstractmethod
    def list_collections(self) -> list[str]: ...

    @abstractmethod
    def upsert(
        self, collection: str, ids: Sequence[str], vectors: Sequence[Sequence[float]], metadatas: Sequence[dict]
    ) -> None: ...

    @abstractmethod
    def update_metadata(self, collection: str, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
        """Set the metadata of existing ids, vectors untouched (nothing embedded). Keys are merged into what
        the store holds; a key whose value is None is removed."""

    @abstractmethod
    def delete(self, collection: str, ids: Sequence[str]) -> None: ...

    @abstractmethod
    def query(
        self,
        collection: str,
        vector: Sequence[float],
        k: int,
        where: dict | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The k nearest, among documents matching `where` and (when given) among `ids` only."""

    @abstractmethod
    def count(self, collection: str) -> int: ...

    @abstractmethod
    def list_ids(self, collection: str) -> set[str]:
        """Every id the collection holds (reconciling with the ledger)."""

    @abstractmethod
    def records(self, collection: str) -> dict[str, tuple[dict, list[float]]]:
        """Every id the collection holds with its metadata and vector (indexing/consistency.py)."""


def _transient_types() -> tuple[type[BaseException], ...]:
    import httpx  # deferred, like chromadb below: processes that never search do not load them

    return (httpx.TransportError, ConnectionError, TimeoutError)


@contextmanager
def _translate(action: str) -> Iterator[None]:
    """Unreachable or slow server -> TransientIndexError; a missing collection -> CollectionNotFound."""
    from chromadb.errors import NotFoundError  # deferred: chromadb is heavy to import

    try:
        yield
    except NotFoundError as exc:
        raise CollectionNotFound(str(exc)) from exc
    except _transient_types() as exc:
        raise TransientIndexError(f"Chroma {action}: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        # chromadb turns a refused connection during client setup into ValueError("Could not connect ...").
        if "could not connect" in str(exc).lower():
            raise TransientIndexError(f"Chroma {action}: {exc}") from exc
        raise


class ChromaVectorStore(VectorStore):
    """A `chromadb.HttpClient` to one server; Collection handles are cached per name."""

    def __init__(self, url: str, connect_timeout: float = 3.0, read_timeout: float = 60.0) -> None:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ImproperlyConfigured(f"CHROMA_URL must look like http://host:port, not {url!r}.")
        self.url = url
        self.host = parsed.hostname
        self.ssl = parsed.scheme == "https"
        self.port = parsed.port or (443 if self.ssl else 8000)
        self._timeouts = (connect_timeout, read_timeout)
        self._client = None
        self._collections: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- plumbing --
    def _client_or_connect(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    # Deferred to the first connection: chromadb takes a while to import.
                    import chromadb
                    import httpx
                    from chromadb.config import Settings

                    with _translate("connect"):
                        client = chromadb.HttpClient(
                            host=self.host,
                            port=self.port,
                            ssl=self.ssl,
                            settings=Settings(anonymized_telemetry=False),
                        )
                    # chromadb's HTTP session has no timeout: a hung server would hang every request.
                    # Its per-request INFO log (httpx) would drown the application's own lines.
                    logging.getLogger("httpx").setLevel(max(logging.getLogger("httpx").level, logging.WARNING))
                    connect, read = self._timeouts
                    client._server._session.timeout = httpx.Timeout(read, connect=connect)
                    self._client = client
        return self._client

    def _run(self, action: str, call: Callable[[], T]) -> T:
        with _translate(action):
            return call()

    def _collection(self, name: str):
        collection = self._collections.get(name)
        if collection is None:
            client = self._client_or_connect()
            collection = self._run(f"get {name}", lambda: client.get_collection(name, embedding_function=None))
            self._collections[name] = collection
        return collection

    def _on_collection(self, name: str, action: str, call: Callable[[Any], T]) -> T:
        collection = self._collection(name)
        try:
            return self._run(f"{action} {name}", lambda: call(collection))
        except CollectionNotFound:
            self._collections.pop(name, None)
            raise

    # -- interface --
    def heartbeat(self) -> None:
        client = self._client_or_connect()
        self._run("heartbeat", client.heartbeat)

    def create_collection(self, name: str, metadata: dict[str, Any] | None = None) -> None:
        client = self._client_or_connect()
        self._collections[name] = self._run(
            f"create {name}",
            lambda: client.get_or_create_collection(
                name,
                metadata=metadata or None,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            ),
        )

    def has_collection(self, name: str) -> bool:
        try:
            self._collection(name)
        except CollectionNotFound:
            return False
        return True

    def delete_collection(self, name: str) -> None:
        client = self._client_or_connect()
        self._collections.pop(name, None)
        with suppress(CollectionNotFound):
            self._run(f"delete {name}", lambda: client.delete_collection(name))

    def list_collections(self) -> list[str]:
        client = self._client_or_connect()
        return sorted(c.name for c in self._run("list collections", lambda: client.list_collections(limit=100000)))

    def upsert(
        self, collection: str, ids: Sequence[str], vectors: Sequence[Sequence[float]], metadatas: Sequence[dict]
    ) -> None:
        for start in range(0, len(ids), MAX_BATCH):
            end = start + MAX_BATCH
            self._on_collection(
                collection,
                "upsert",
                lambda c, s=start, e=end: c.upsert(
                    ids=list(ids[s:e]), embeddings=[list(v) for v in vectors[s:e]], metadatas=list(metadatas[s:e])
                ),
            )

    def update_metadata(self, collection: str, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), MAX_BATCH):
            end = start + MAX_BATCH
            self._on_collection(
                collection,
                "update metadata",
                lambda c, s=start, e=end: c.update(ids=list(ids[s:e]), metadatas=list(metadatas[s:e])),
            )

    def delete(self, collection: str, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), MAX_BATCH):
            chunk = list(ids[start : start + MAX_BATCH])
            self._on_collection(collection, "delete", lambda c, chunk=chunk: c.delete(ids=chunk))

    def query(
        self,
        collection: str,
        vector: Sequence[float],
        k: int,
        where: dict | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        if ids is not None and not ids:
            return []
        result = self._on_collection(
            collection,
            "query",
            lambda c: c.query(
                query_embeddings=[list(vector)],
                n_results=k,
                where=where or None,
                ids=list(ids) if ids is not None else None,
                include=["distances"],
            ),
        )
        ids = result["ids"][0] if result.get("ids") else []
        distances = result["distances"][0] if result.get("distances") else []
        return list(zip(ids, distances, strict=False))

    def count(self, collection: str) -> int:
        return self._on_collection(collection, "count", lambda c: c.count())

    def list_ids(self, collection: str) -> set[str]:
        found: set[str] = set()
        offset = 0
        while True:
            page = self._on_collection(
                collection, "list ids", lambda c, o=offset: c.get(include=[], limit=MAX_BATCH, offset=o)
            )
            found.update(page["ids"])
            if len(page["ids"]) < MAX_BATCH:
                return found
            offset += MAX_BATCH

    def records(self, collection: str) -> dict[str, tuple[dict, list[float]]]:
        found: dict[str, tuple[dict, list[float]]] = {}
        offset, page_size = 0, 1000  # vectors make pages heavy
        while True:
            page = self._on_collection(
                collection,
                "get records",
                lambda c, o=offset: c.get(include=["metadatas", "embeddings"], limit=page_size, offset=o),
            )
            metadatas = page.get("metadatas") or [None] * len(page["ids"])
            embeddings = page.get("embeddings")
            if embeddings is None:
                embeddings = [[]] * len(page["ids"])
            for doc_id, metadata, vector in zip(page["ids"], metadatas, embeddings, strict=True):
                found[doc_id] = (dict(metadata or {}), [float(x) for x in vector])
            if len(page["ids"]) < page_size:
                return found
            offset += page_size


_stores: dict[str, VectorStore] = {}
_stores_lock = threading.Lock()


def get_vector_store() -> VectorStore:
    """The vector store of settings.CHROMA_URL (one client per URL per process)."""
    url = settings.CHROMA_URL
    store = _stores.get(url)
    if store is None:
        with _stores_lock:
            store = _stores.setdefault(url, ChromaVectorStore(url))
    return store


def reset_vector_store() -> None:
    """Forget cached clients (tests that point CHROMA_URL elsewhere)."""
    with _stores_lock:
        _stores.clear()
