"""What the shop knows about searching: what customers searched (SearchRecord), the synonyms staff edit
(Synonym), and the catalog's words and names that did-you-mean and suggestions read (VocabularyWord,
SuggestEntry; both derived from the catalog by services/vocabulary.py, never edited by hand).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.ai_assistant.retrieval.text import normalize

MAX_SYNONYMS = 20  # phrases in one group: every search expands against all groups
MAX_PHRASE_CHARS = 100
QUERY_CHARS = 200  # a recorded query is cut here: the report groups by it


class SearchRecord(models.Model):
    """One search as the analytics keep it: no address, no user, nothing that names a customer."""

    query = models.CharField(max_length=QUERY_CHARS, db_index=True, help_text="Lowercase words, single spaces.")
    filters = models.JSONField(default=dict, blank=True)
    hits = models.PositiveIntegerField(help_text="Results the search matched (all pages).")
    keyword_hits = models.PositiveIntegerField(
        help_text="Documents whose words matched the query; 0 means the shop has nothing by that name."
    )
    took_ms = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "search record"

    def __str__(self) -> str:
        return self.query


def parse_phrases(text: str) -> list[str]:
    """Comma- or line-separated phrases, normalised, without blanks or repeats, in order."""
    seen: dict[str, None] = {}
    for piece in text.replace("\n", ",").split(","):
        phrase = normalize(piece)
        if phrase:
            seen.setdefault(phrase, None)
    return list(seen)


class Synonym(models.Model):
    """A group of equivalent phrases: a search by any of them also finds what the others name.

    "mtb" = "mountain bike": a search for "mtb" looks for "mountain bike" too, and the other way round.
    """

    term = models.CharField(max_length=MAX_PHRASE_CHARS, unique=True, help_text='e.g. "mtb".')
    synonyms = models.TextField(help_text='Comma-separated phrases that mean the same, e.g. "mountain bike".')
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} = {self.synonyms}"

    def save(self, *args, **kwargs) -> None:
        self.normalise()  # the shell and data migrations store the same form as the admin
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        """Store the term and phrases in the form searches compare (lowercase words, single spaces)."""
        self.term = normalize(self.term or "")
        self.synonyms = ", ".join(phrase for phrase in parse_phrases(self.synonyms or "") if phrase != self.term)

    def clean(self) -> None:
        raw_term = self.term
        self.normalise()
        if not self.term:
            raise ValidationError({"term": f"{raw_term!r} has no letters or digits."})
        phrases = parse_phrases(self.synonyms)
        if not phrases:
            raise ValidationError({"synonyms": "Give at least one phrase other than the term."})
        if len(phrases) > MAX_SYNONYMS:
            raise ValidationError({"synonyms": f"At most {MAX_SYNONYMS} phrases."})
        if any(len(phrase) > MAX_PHRASE_CHARS for phrase in phrases):
            raise ValidationError({"synonyms": f"A phrase has at most {MAX_PHRASE_CHARS} characters."})

    def group(self) -> list[str]:
        """The term and its phrases: every member means the others."""
        return [self.term, *parse_phrases(self.synonyms)]


class VocabularyWord(models.Model):
    """A word of the catalog (names and descriptions of products, categories, parts and options)."""

    word = models.CharField(max_length=64, unique=True)
    length = models.PositiveSmallIntegerField(db_index=True)  # the SQLite fallback reads words of a near length
    frequency = models.PositiveIntegerField(default=1, help_text="Catalog rows using it: ties go to common words.")

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SuggestEntry(models.Model):
    """A name that suggestions offer (an active product, category or option), keyed by where a word starts.

    "Snow Cruiser" has two rows: norm "snow cruiser" (position 0) and norm "cruiser" (position 1), so "cru"
    finds it by an index range scan, never by scanning every name for an inner match.
    """

    PRODUCT, CATEGORY, OPTION = "product", "category", "option"
    KINDS = [(PRODUCT, "product"), (CATEGORY, "category"), (OPTION, "option")]

    kind = models.CharField(max_length=10, choices=KINDS)
    object_id = models.BigIntegerField()
    text = models.CharField(max_length=200)
    norm = models.CharField(max_length=200, help_text="The normalised name from its `position`-th word on.")
    position = models.PositiveSmallIntegerField(default=0, help_text="0: the whole name; n: from its n-th word.")

    class Meta:
        ordering = ["kind", "norm", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "position"], name="suggest_entry_one_per_word")
        ]
        # varchar_pattern_ops lets PostgreSQL answer `LIKE 'prefix%'` from the index; other databases ignore it.
        indexes = [
            models.Index(fields=["kind", "norm"], name="suggest_kind_prefix", opclasses=["varchar_pattern_ops"] * 2)
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"
