"""Did you mean: a query's unknown words replaced by the closest words of the catalog's vocabulary.

A word is known when it, its stem or its plural is a VocabularyWord; short words (< MIN_WORD characters),
numbers and stop words are left alone. For an unknown word the candidates are
- on every database: words of a near length (+-2) that share its first letter or its last two letters (a
  bounded SQL filter over the indexed length, at most MAX_NEAR words);
- on PostgreSQL also: pg_trgm's `%` operator over a GIN trigram index (migration 0002), best similarity first,
  which finds words misspelt at both ends;
and the candidate at the smallest edit distance wins (a swap of two adjacent letters costs 1; at most 1 edit
for words of up to 7 characters, else 2, so an ordinary word such as "under" is not "corrected" to "order");
ties go to the more frequent word, then alphabetical order.

At most MAX_WORDS words of a query are looked at, so a long query costs a bounded number of queries.
"""

from __future__ import annotations

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet

from apps.ai_assistant.retrieval.text import STOP_WORDS, edit_distance, stem, words
from apps.search.models import VocabularyWord

MIN_WORD = 3
MAX_WORDS = 8
CANDIDATES = 8
MAX_NEAR = 2000  # near-length words read for one unknown word, most frequent first


def _trigram_candidates(word: str) -> QuerySet:
    """PostgreSQL: the words pg_trgm finds similar (`%`, GIN index), most similar first."""
    return (
        # The lookup object itself: `word__trigram_similar` needs django.contrib.postgres in INSTALLED_APPS.
        VocabularyWord.objects.filter(TrigramSimilar(F("word"), word))
        .annotate(similarity=TrigramSimilarity("word", word))
        .order_by("-similarity", "-frequency", "word")
        .values_list("word", "frequency")[:CANDIDATES]
    )


def _near_candidates(word: str) -> QuerySet:
    """Any database: words of a near length sharing the first letter or the last two (bounded SQL filter)."""
    near = VocabularyWord.objects.filter(length__gte=len(word) - 2, length__lte=len(word) + 2).filter(
        Q(word__startswith=word[0]) | Q(word__endswith=word[-2:])
    )
    return near.order_by("-frequency", "word").values_list("word", "frequency")[:MAX_NEAR]


def candidates(word: str) -> list[tuple[str, int]]:
    """(word, frequency) of vocabulary words that may be what `word` meant.

    pg_trgm misses a swap of two letters in a short word ("bkie" shares one trigram with "bike"), so the
    near-length filter runs on every database and PostgreSQL adds its trigram matches (both reads in one
    query there: PostgreSQL accepts a LIMIT inside each part of a UNION ALL).
    """
    if connection.vendor == "postgresql":
        return list(dict(_near_candidates(word).union(_trigram_candidates(word), all=True)).items())
    return list(_near_candidates(word))


def _swapped(a: str, b: str) -> bool:
    """Whether b is a with two adjacent letters swapped ("bkie" / "bike")."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def distance(word: str, candidate: str, limit: int) -> int:
    """Edit distance where a swap of two adjacent letters costs 1 (a common typing slip); > limit: too far."""
    return 1 if _swapped(word, candidate) else edit_distance(word, candidate, limit)


def correct_word(word: str) -> str | None:
    """The closest vocabulary word to an unknown `word`, or None when none is close enough."""
    limit = 1 if len(word) <= 7 else 2  # an ordinary word two edits from a catalog word is no typo ("under")
    best: tuple[int, int, str] | None = None
    for candidate, frequency in candidates(word):
        if candidate == word:
            continue
        cost = distance(word, candidate, limit)
        if cost <= limit:
            key = (cost, -frequency, candidate)
            best = key if best is None or key < best else best
    return best[2] if best else None


def _needs_checking(word: str) -> bool:
    return len(word) >= MIN_WORD and not word.isdigit() and word not in STOP_WORDS


def correct_query(query: str) -> str | None:
    """The query with its unknown words corrected (lowercase words), or None when nothing was changed."""
    tokens = words(query)
    checked = [token for token in tokens if _needs_checking(token)][:MAX_WORDS]
    if not checked:
        return None
    forms = {form for token in checked for form in (token, stem(token), token + "s")}
    known = set(VocabularyWord.objects.filter(word__in=forms).values_list("word", flat=True))
    replaced: dict[str, str] = {}
    for token in checked:
        if token in replaced or known & {token, stem(token), token + "s"}:
            continue
        if (better := correct_word(token)) is not None:
            replaced[token] = better
    if not replaced:
        return None
    return " ".join(replaced.get(token, token) for token in tokens)
