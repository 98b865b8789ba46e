"""The traffic of bench.hosts: chaos writes alternating between the web hosts, and a freshness probe.

- `Writers`: N threads share one budget of the chaos run's random operations (bench/chaos.py `Operations`);
  the threads are spread over the web hosts in turn (writer 0 to b, 1 to c, 2 to b ...), one keep-alive
  connection each, so the writes alternate between the hosts and a cut host stalls only its own writers.
  Every answer is counted by host, by phase (before / during / after the cut of a host: a request whose
  lifetime overlaps the cut counts as during) and by outcome (2xx, 4xx, 5xx, error = no answer).
- `FreshnessProbe`: through ONE web host only, edits a product's description to end with a new word, then asks
  that host's search API until the product is among its first 50 products; the seconds from the answer to the
  edit until found, and the rank it was found at.
  A sample is dropped when a writer changed or removed the product meanwhile (the word is gone).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from bench.chaos_operations import Operations
from bench.stack import KeepAliveClient

REQUEST_TIMEOUT = 10.0
SEARCH_LIMIT = 50  # the search API's largest page
# Letters only: a word with digits is split apart by the search's tokenizer, and no s or y (stemmed away).
WORD_LETTERS = "bcdfghjkmnpqrtvwxz"


def fresh_word(rng: random.Random) -> str:
    """A word no catalog text holds, which the keyword search finds as one token."""
    return "fresh" + "".join(rng.choice(WORD_LETTERS) for _ in range(12))


class HostClient(KeepAliveClient):
    """One HTTP/1.1 keep-alive connection to `base_url` sending JSON bodies; reconnects once after a drop."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float = REQUEST_TIMEOUT) -> None:
        parts = urlsplit(base_url)
        super().__init__(parts.port or 80, headers, timeout, host=parts.hostname or "")

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        return super().request(method, path, json.dumps(body).encode() if body is not None else None)


class CutWindow:
    """When a host's network was cut (monotonic seconds); open while `end` is None."""

    host: str = ""
    start: float | None = None
    end: float | None = None

    def phase(self, sent: float, answered: float) -> str:
        if self.start is None or answered < self.start:
            return "before"
        if self.end is None or sent <= self.end:
            return "during"
        return "after"


@dataclass
class Tally:
    """Outcomes by (host, phase, outcome), and the 5xx and errors with their host and phase."""

    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # each answered write's time, outside host b's cut
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, host: str, phase: str, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.counts[(host, phase, outcome)] += 1
            if outcome in ("5xx", "error") and len(self.problems) < 200:
                self.problems.append(f"{host} {phase}: {detail}")

    def count(self, *, host: str | None = None, phase: str | None = None, outcome: str | None = None) -> int:
        return sum(
            n
            for (h, p, o), n in self.counts.items()
            if (host is None or h == host) and (phase is None or p == phase) and (outcome is None or o == outcome)
        )


class HostApi:
    """The `api(method, path, body) -> status` that chaos `Operations` call, sending to one web host."""

    def __init__(self, host: str, url: str, token: str, tally: Tally, cut: CutWindow) -> None:
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.host, self.client = host, HostClient(url, headers)
        self.tally, self.cut = tally, cut
        self.operation = ""

    def __call__(self, method: str, path: str, body: dict | None = None) -> int:
        host = self.host
        sent = time.monotonic()
        try:
            status, _ = self.client.request(method, path, body)
        except Exception as exc:
            self.tally.add(host, self.cut.phase(sent, time.monotonic()), "error", f"{self.operation}: {exc!r}")
            return -1
        answered = time.monotonic()
        outcome, phase = f"{status // 100}xx", self.cut.phase(sent, answered)
        self.tally.add(host, phase, outcome, f"{self.operation} -> {status}")
        if phase != "during":
            with self.tally.lock:
                self.tally.seconds.append(answered - sent)
        return status

    def close(self) -> None:
        self.client.close()


class Writers:
    """`total` chaos operations by `threads` writer threads; writer n sends to the n-th host of `urls` in turn
    (b, c, b, ...), as clients behind a load balancer do: a cut host stalls its own clients only."""

    def __init__(self, total: int, threads: int, seed: int, urls: dict[str, str], token: str, cut: CutWindow):
        self.total, self.issued, self.done = total, 0, 0
        self.tally = Tally()
        self.ops = Operations()
        self.lock = threading.Lock()
        self.urls, self.token, self.cut = urls, token, cut
        self.threads = [
            threading.Thread(target=self._run, args=(n, seed * 1000 + n), name=f"writer-{n}", daemon=True)
            for n in range(threads)
        ]
        self.started = self.finished = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
        self.finished = time.monotonic()

    def running(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)

    def progress(self) -> float:
        return self.done / self.total

    def _next(self) -> bool:
        with self.lock:
            if self.issued >= self.total:
                return False
            self.issued += 1
            return True

    def _run(self, number: int, seed: int) -> None:
        from django.db import connection

        rng = random.Random(seed)
        host = list(self.urls)[number % len(self.urls)]
        api = HostApi(host, self.urls[host], self.token, self.tally, self.cut)
        try:
            while self._next():
                api.operation = self.ops.choose(rng)
                try:
                    self.ops.run(api.operation, api, rng)
                except Exception as exc:  # a failure of the bench's own reads: note it, keep writing
                    self.tally.add("bench", "-", "error", f"{api.operation}: {exc!r}")
                with self.lock:
                    self.done += 1
        finally:
            api.close()
            connection.close()


def _keyword_row_holds(pk: int, word: str) -> bool:
    """Whether the active collection's keyword row of the product holds `word` (read from the database)."""
    from apps.ai_assistant.indexing import state as index_state
    from apps.ai_assistant.models import KeywordRow

    collection = index_state.get_state().active_collection
    return KeywordRow.objects.filter(collection=collection, doc_id=f"product:{pk}", body__contains=word).exists()


def diagnose(pk: int, word: str) -> dict:
    """Where an edit that search never returned got to: the ledger, the keyword row, this process's search."""
    from apps.ai_assistant.indexing import state as index_state
    from apps.ai_assistant.indexing.documents.registry import build_documents
    from apps.ai_assistant.models import IndexedDocument, KeywordRow
    from apps.ai_assistant.services.index_service import get_index_service

    doc_id = f"product:{pk}"
    collection = index_state.get_state().active_collection
    doc = build_documents([doc_id]).get(doc_id)
    ledger = IndexedDocument.objects.filter(collection=collection, doc_id=doc_id).values_list("content_hash", flat=True)
    keyword = KeywordRow.objects.filter(collection=collection, doc_id=doc_id).values_list("body", flat=True).first()
    found = get_index_service().search_documents(word, type="product", limit=SEARCH_LIMIT)
    return {
        "document_has_word": doc is not None and word in doc.text,
        "ledger_up_to_date": doc is not None and list(ledger) == [doc.content_hash],
        "keyword_row_has_word": keyword is not None and word in keyword,
        "search_in_bench_process": [r["id"] for r in found],
    }


@dataclass
class FreshnessSample:
    sent: float  # monotonic time the edit was answered
    seconds: float | None  # None: not found within the timeout
    rank: int | None = None  # 0: first of the search's products
    keyword_seconds: float | None = None  # when its keyword row first held the word (written ahead or flushed)
    product: int | None = None  # the edited product (to find it in the workers' logs)
    sent_at: float = 0.0  # wall-clock time the edit was answered (time.time(), as the logs' timestamps)
    word: str = ""  # the made-up word the edit added


class FreshnessProbe:
    """Edits through one web host and searches through the same host until the edit is found (a thread)."""

    def __init__(self, url: str, token: str, seed: int, timeout: float = 60.0, gap: float = 0.2) -> None:
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.client = HostClient(url, headers)
        self.rng = random.Random(seed)
        self.timeout, self.gap = timeout, gap
        self.samples: list[FreshnessSample] = []
        self.dropped = 0
        self.errors: list[str] = []
        self.never_found: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="freshness", daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.is_set():
                try:
                    self._one()
                except Exception as exc:  # the web host is busy or the product went away: note and go on
                    self.errors.append(repr(exc))
                self.stop.wait(self.gap)
        finally:
            self.client.close()
            connection.close()

    def _one(self) -> None:
        from apps.preconfigured_products.models import PreConfiguredProduct

        ids = list(PreConfiguredProduct.objects.filter(is_active=True).values_list("pk", flat=True))
        if not ids:
            return
        pk, word = self.rng.choice(ids), fresh_word(self.rng)
        description = PreConfiguredProduct.objects.filter(pk=pk).values_list("description", flat=True).first()
        if description is None:
            return
        body = {"description": f"{description.split(' ~ ')[0]} ~ {word}"}
        status, _ = self.client.request("PATCH", f"/api/products/{pk}/", body)
        if status != 200:
            return
        answered, answered_at = time.monotonic(), time.time()
        # limit=50: visibility is measured, not rank (the sole keyword match of a word can rank below 5th
        # when the vector side's neighbours outweigh it in the fusion: seen with the hashing provider).
        path = f"/api/ai-assistant/search?q={quote(word)}&type=product&limit={SEARCH_LIMIT}"
        payload = b""
        keyword_at: float | None = None
        while time.monotonic() - answered < self.timeout:
            status, payload = self.client.request("GET", path)
            ids = [r.get("id") for r in json.loads(payload)["results"]] if status == 200 else []
            if f"product:{pk}" in ids:
                seconds = time.monotonic() - answered
                self.samples.append(
                    FreshnessSample(answered, seconds, ids.index(f"product:{pk}"), keyword_at, pk, answered_at, word)
                )
                return
            alive = PreConfiguredProduct.objects.filter(pk=pk, is_active=True, category__is_active=True)
            if not alive.filter(description__endswith=word).exists():
                self.dropped += 1  # a writer changed it: this edit will never be found, and need not be
                return
            if keyword_at is None and _keyword_row_holds(pk, word):
                keyword_at = time.monotonic() - answered  # a slow sample after this point is the search's
            time.sleep(0.1)
        self.samples.append(
            FreshnessSample(answered, None, keyword_seconds=keyword_at, product=pk, sent_at=answered_at, word=word)
        )
        self.never_found.append(
            {"product": pk, "word": word, **diagnose(pk, word), "last_answer": payload[:300].decode(errors="replace")}
        )
