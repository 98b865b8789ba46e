"""The keyword side of hybrid search, the same on every database: which words to search, misspellings,
exact names; the ranking itself is the database's (keyword_backends/).

A query's words are its own (stop words dropped, at most MAX_WORDS, so a query's work is bounded by its
size); hybrid search adds the alternatives of the shop's synonyms first (`expand`). A word the collection's
vocabulary does not hold, in neither its plain nor its singular form, is replaced by vocabulary words one
edit away (two for words of 7 letters or more), found through shared character trigrams by the database
(pg_trgm or an FTS5 trigram table) and confirmed by edit distance here, or split into two vocabulary words
("rollerskates" -> "roller", "skates"); the first MAX_CORRECTED unknown words of a query are looked up so.
"""

from __future__ import annotations

from apps.ai_assistant.models import KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend
from apps.ai_assistant.retrieval.keyword_rows import MAX_TERM, MIN_TERM
from apps.ai_assistant.retrieval.text import STOP_WORDS, edit_distance, normalize, singular, words

MAX_WORDS = 32
MAX_CORRECTED = 4  # unknown words of one query looked up as misspellings (each costs the database a look-up)
CLOSE_CANDIDATES = 20  # vocabulary words the database proposes for one misspelt word
CORRECTIONS = 3  # of which at most this many, the closest, are searched


def expand(query: str) -> str:
    """The query with the alternatives of the shop's synonyms (unchanged when no synonym applies)."""
    try:
        # Lazily, and optional: the synonyms live in the search app (apps/search), which a project may leave out.
        from apps.ai_assistant.retrieval.synonyms import expand_query
    except ImportError:
        return query
    return expand_query(query)


def query_words(collection: str, query: str) -> list[str]:
    """The words to search for `query` in `collection` (see the module docstring)."""
    plain = list(dict.fromkeys(word for word in words(query) if word not in STOP_WORDS))[:MAX_WORDS]
    unknown = [word for word in plain if _correctable(word)]
    if not unknown:
        return plain
    forms = {form for word in unknown for form in (word, singular(word))}
    known = set(KeywordTerm.objects.filter(collection=collection, term__in=forms).values_list("term", flat=True))
    result: list[str] = []
    corrected = 0
    for word in plain:
        if not _correctable(word) or word in known or singular(word) in known or corrected == MAX_CORRECTED:
            result.append(word)
            continue
        corrected += 1
        result.extend(_corrections(collection, word) or _split(collection, word) or [word])
    return list(dict.fromkeys(result))


def _correctable(word: str) -> bool:
    return MIN_TERM <= len(word) <= MAX_TERM and word.isalpha()


def _corrections(collection: str, word: str) -> list[str]:
    limit = 1 if len(word) < 7 else 2
    candidates = get_keyword_backend().close_terms(collection, word, CLOSE_CANDIDATES)
    close = sorted((distance, term) for term in candidates if (distance := edit_distance(word, term, limit)) <= limit)
    return [term for _, term in close[:CORRECTIONS]]


def _split(collection: str, word: str) -> list[str]:
    """ "rollerskates" -> ["roller", "skates"] when both halves are vocabulary words (else [])."""
    halves = [(word[:i], word[i:]) for i in range(3, len(word) - 2)]
    forms = {form for head, tail in halves for form in (head, tail, singular(tail))}
    known = set(KeywordTerm.objects.filter(collection=collection, term__in=forms).values_list("term", flat=True))
    for head, tail in halves:
        if head in known and (tail in known or singular(tail) in known):
            return [head, tail]
    return []


def keyword_ranking(collection: str, query: str, filters: SearchFilters, k: int) -> list[tuple[str, float]]:
    """The `k` best keyword matches (doc_id, score) of `query` in `collection` under `filters`, best first."""
    return get_keyword_backend().rank(collection, query_words(collection, query), filters.keyword_q(), k)


def exact_matches(collection: str, query: str, filters: SearchFilters) -> list[str]:
    """Documents whose name (or, for a part, one of its options' names) is exactly the query, sorted."""
    key = normalize(query)
    if not key:
        return []
    rows = KeywordRow.objects.filter(filters.keyword_q(), collection=collection)
    # Two indexed reads in one statement (a UNION): an OR of both conditions made the database scan the whole
    # collection (40 ms at 10k).
    named = rows.filter(name_key=key).values_list("doc_id", flat=True)
    parts = rows.filter(doc_type="part", option_keys__contains=f"|{key}|").values_list("doc_id", flat=True)
    return sorted(set(named.union(parts)))
