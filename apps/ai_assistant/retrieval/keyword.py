"""An in-process keyword index (Okapi BM25) over the ledger texts of one collection, updated incrementally.

A document's keyword row is its embedded text plus its metadata's `facts` sentence (price, stock, reasons
for unavailability), so a metadata-only change (a new content hash in the ledger) reaches it too.

Scores are BM25 with k1=1.2, b=0.75. Query words that no document contains are matched to close
vocabulary words (one or two edits away, found through shared character trigrams) at a lower weight,
so "mountian" still finds "mountain". Names are indexed twice (a name word weighs more than a word of
the description), and exact names are kept for the exact-match boost of hybrid search.
"""

from __future__ import annotations

import heapq
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from apps.ai_assistant.retrieval.text import edit_distance, normalize, stem, tokenize, trigrams

K1 = 1.2
B = 0.75
FUZZY_WEIGHT = 0.7
COMMON_FRACTION = 0.3  # a term in more documents than this only re-scores candidates (see search)
NAME_WEIGHT = 2  # extra occurrences of the name's words (the text holds the name once already)

FACETS = ("type", "object_id", "name", "category_id", "category", "price", "in_stock")
SET_FACETS = ("type", "category_id", "in_stock")  # equality filters answered from sets, without a scan


@dataclass(slots=True)
class Entry:
    """What the index keeps of one document: its terms and the metadata filters and results need.

    The text itself stays in the database (results fetch their snippets), which keeps 50k documents small.
    """

    doc_id: str
    content_hash: str
    facets: dict[str, Any]
    terms: tuple[str, ...] = ()
    length: int = 0
    exact_keys: tuple[str, ...] = ()


class KeywordIndex:
    """BM25 over documents that can be added, replaced and removed one by one."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.postings: dict[str, dict[str, int]] = defaultdict(dict)
        self.total_length = 0
        self.exact: dict[str, set[str]] = defaultdict(set)  # normalized name -> doc ids
        self.facet_sets: dict[tuple[str, Any], set[str]] = defaultdict(set)  # (facet, value) -> doc ids
        self._trigram_index: dict[str, set[str]] | None = None

    def __len__(self) -> int:
        return len(self.entries)

    # -- maintenance --
    @staticmethod
    def exact_keys(metadata: dict[str, Any]) -> set[str]:
        """The names a document answers to exactly: its name; for a part, also its options' names."""
        keys = {normalize(str(metadata.get("name", "")))}
        if metadata.get("type") == "part":
            keys |= {normalize(name) for name in str(metadata.get("options", "")).split(" | ")}
        return {key for key in keys if key}

    def put(self, doc_id: str, content_hash: str, text: str, metadata: dict[str, Any]) -> None:
        self.remove(doc_id)
        # Field weighting in the spirit of BM25F: a word of the name says more about a document than one
        # of its description, so the name's words count NAME_WEIGHT more times.
        name = str(metadata.get("name", ""))
        # The facts (price, stock, why unavailable) are metadata, not embedded text, but words of them help here.
        facts = str(metadata.get("facts", ""))
        counts = Counter(sys.intern(term) for term in tokenize(f"{(name + ' ') * NAME_WEIGHT}{text} {facts}"))
        entry = Entry(
            doc_id,
            content_hash,
            {key: metadata[key] for key in FACETS if key in metadata},
            tuple(counts),
            sum(counts.values()),
            tuple(self.exact_keys(metadata)),
        )
        self.entries[doc_id] = entry
        self.total_length += entry.length
        for term, count in counts.items():
            if term not in self.postings and self._trigram_index is not None:
                for gram in trigrams(term):
                    self._trigram_index.setdefault(gram, set()).add(term)
            self.postings[term][doc_id] = count
        for key in entry.exact_keys:
            self.exact[key].add(doc_id)
        for facet in SET_FACETS:
            if facet in entry.facets:
                self.facet_sets[(facet, entry.facets[facet])].add(doc_id)

    def remove(self, doc_id: str) -> None:
        entry = self.entries.pop(doc_id, None)
        if entry is None:
            return
        self.total_length -= entry.length
        for term in entry.terms:
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(doc_id, None)
                if not posting:
                    del self.postings[term]
                    if self._trigram_index is not None:
                        for gram in trigrams(term):
                            self._trigram_index.get(gram, set()).discard(term)
        for key in entry.exact_keys:
            ids = self.exact.get(key)
            if ids is not None:
                ids.discard(doc_id)
                if not ids:
                    del self.exact[key]
        for facet in SET_FACETS:
            if facet in entry.facets:
                ids = self.facet_sets.get((facet, entry.facets[facet]))
                if ids is not None:
                    ids.discard(doc_id)

    # -- queries --
    def _similar_terms(self, word: str) -> list[str]:
        """Vocabulary words one (short words) or two edits from `word`."""
        if len(word) < 4:
            return []
        if self._trigram_index is None:
            index: dict[str, set[str]] = defaultdict(set)
            for term in self.postings:
                for gram in trigrams(term):
                    index[gram].add(term)
            self._trigram_index = index
        grams = set(trigrams(word))
        shared: Counter = Counter()
        for gram in grams:
            shared.update(self._trigram_index.get(gram, ()))
        limit = 1 if len(word) < 7 else 2
        candidates = [term for term, count in shared.items() if count * 3 >= len(grams)]
        close = [(d, term) for term in candidates if (d := edit_distance(word, term, limit)) <= limit]
        close.sort()
        return [term for _, term in close[:3]]

    def _split_compound(self, word: str) -> list[str]:
        """ "rollerskate" -> ["roller", "skate"] when both halves are vocabulary words (else [])."""
        for i in range(3, len(word) - 2):
            head, tail = word[:i], stem(word[i:])
            if head in self.postings and tail in self.postings:
                return [head, tail]
        return []

    def query_terms(self, query: str) -> dict[str, float]:
        """Query words (stemmed) with their weights; unknown words replaced by close or split vocabulary words."""
        weights: dict[str, float] = {}
        for word in tokenize(query):
            if word in self.postings:
                weights[word] = max(weights.get(word, 0.0), 1.0)
                continue
            for term in self._similar_terms(word) or self._split_compound(word):
                weights[term] = max(weights.get(term, 0.0), FUZZY_WEIGHT)
        return weights

    def search(
        self,
        query: str,
        k: int,
        accept: Callable[[Entry], bool] | None = None,
        within: set[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Top `k` (doc id, score) among accepted documents, best first; `within` narrows the candidates first.

        Terms found in more than COMMON_FRACTION of the documents ("price", "stock" in every product) only add
        to documents a rarer query term already found, when those are at least k: they hardly move a ranking,
        and walking their postings would cost more than everything else.
        """
        n = len(self.entries)
        if not n:
            return []
        avg = self.total_length / n
        entries = self.entries
        terms = []
        for term, weight in self.query_terms(query).items():
            posting = self.postings.get(term)
            if posting:
                idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
                terms.append((len(posting), term, weight * idf, posting))
        terms.sort()
        rare = [t for t in terms if t[0] <= COMMON_FRACTION * n] or terms[:1]
        common = terms[len(rare) :]
        scores: dict[str, float] = defaultdict(float)

        def add(doc_id: str, tf: int, factor: float) -> None:
            norm = K1 * (1 - B + B * entries[doc_id].length / avg)
            scores[doc_id] += factor * tf * (K1 + 1) / (tf + norm)

        for _, _, factor, posting in rare:
            if within is not None and len(within) < len(posting):
                for doc_id in within:
                    if (tf := posting.get(doc_id)) is not None:
                        add(doc_id, tf, factor)
            else:
                for doc_id, tf in posting.items():
                    if within is None or doc_id in within:
                        add(doc_id, tf, factor)
        # Enough candidates already? Then common terms only re-score them; else they must find more.
        found = (doc_id for doc_id in scores if accept is None or accept(entries[doc_id]))
        enough = sum(1 for _ in zip(range(k), found, strict=False)) == k
        for _, _, factor, posting in common:
            if enough:
                for doc_id in list(scores):
                    if (tf := posting.get(doc_id)) is not None:
                        add(doc_id, tf, factor)
                continue
            for doc_id, tf in posting.items():
                if within is None or doc_id in within:
                    add(doc_id, tf, factor)

        # Ties broken by id so that equal scores rank the same way on every call.
        order = lambda item: (-item[1], item[0])  # noqa: E731
        if accept is None:
            return heapq.nsmallest(k, scores.items(), key=order)
        # Usually the best few hundred hold k accepted documents: no need to test every scored one.
        head = heapq.nsmallest(max(8 * k, 400), scores.items(), key=order)
        found = [(doc_id, score) for doc_id, score in head if accept(entries[doc_id])][:k]
        if len(found) == k or len(head) == len(scores):
            return found
        accepted = [(doc_id, score) for doc_id, score in scores.items() if accept(entries[doc_id])]
        return heapq.nsmallest(k, accepted, key=order)

    def narrowest(self, equal: dict[str, Any]) -> set[str] | None:
        """The smallest set of documents with one of these facet values (None: no facet of SET_FACETS given)."""
        sets = [self.facet_sets.get((facet, value), set()) for facet, value in equal.items() if facet in SET_FACETS]
        return min(sets, key=len) if sets else None

    def matching(self, equal: dict[str, Any], accept: Callable[[Entry], bool]) -> list[str]:
        """Ids of the accepted documents; `equal` (facet -> value, from SET_FACETS) narrows the scan first."""
        narrow = self.narrowest(equal)
        candidates: Iterable[str] = narrow if narrow is not None else self.entries.keys()
        entries = self.entries
        return [doc_id for doc_id in candidates if accept(entries[doc_id])]

    def exact_matches(self, query: str) -> set[str]:
        """Documents whose name (or, for parts, an option's name) is exactly the query."""
        return set(self.exact.get(normalize(query), ()))

    def get(self, doc_id: str) -> Entry | None:
        return self.entries.get(doc_id)

    def ids(self) -> Iterable[str]:
        return self.entries.keys()
