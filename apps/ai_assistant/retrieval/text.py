"""Text normalisation: the tokenisers, the light stemmer, the stop words, character trigrams and edit distance.

The one home of these pieces for retrieval (the words a keyword query searches and their misspellings:
keyword_search.py, keyword_rows.py; exact names: `normalize`), the hashing embedding provider
(embeddings.py), the chat parser and the search app. The stemming of indexed text and of keyword queries is
the database's own (PostgreSQL's `english` configuration, SQLite's porter tokenizer), so rows and queries
are always stemmed alike. A piece exists in more than one form only where its callers differ:
- words: `words()` keeps "v2.0" and "rider's" whole, reads ’ as ' and drops accents ("café" -> "cafe");
  `plain_words()` splits at every other character (the hashing provider, whose features are plain letters
  and digits);
- stemming: `stem()` (possessive 's, -ies -> -y, then the plural s) is built on `singular()` (the plural s
  alone: the hashing provider's whole stemmer, and the form a query word is looked up in the vocabulary);
- stop words: `STOP_WORDS` are the words a keyword query drops; the chat parser drops these and many
  more (words of conversation, prices and stock), so it keeps that longer list itself.
"""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_PLAIN_WORD_RE = re.compile(r"[a-z0-9]+")

_STOP_WORDS_TEXT = (
    "a an and are as at be but by can do does for from has have how i in is it its me my of on or our "
    "that the their them there these this to was what when which while who will with you your"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# The plural s stays after these endings in search ("glass", "bus", "axis"); the hashing provider keeps it
# after "ss" only.
SEARCH_KEEP_ENDINGS = ("ss", "us", "is")


def fold_accents(text: str) -> str:
    """ "Café Crème" -> "Cafe Creme": letters without their combining marks (as PostgreSQL's unaccent)."""
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """Lowercase words of letters and digits, with inner "." and "'" ("v2.0", "rider's"); ’ counts as ',
    accents are dropped."""
    return _WORD_RE.findall(fold_accents(text.lower().replace("’", "'")))


def plain_words(text: str) -> list[str]:
    """Lowercase runs of letters and digits: "rider's v2.0" -> rider, s, v2, 0."""
    return _PLAIN_WORD_RE.findall(text.lower())


def normalize(text: str) -> str:
    """Lowercase, words only, single spaces: the form exact-name matching compares."""
    return " ".join(words(text))


def singular(word: str, keep: tuple[str, ...] = ("ss",)) -> str:
    """The plural s off a word of more than 3 characters ("rims" -> "rim"), unless it ends with one of `keep`."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(keep):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """A light stemmer: plural s/es and possessive 's, enough for "rims" ~ "rim" and "bikes" ~ "bike"."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return singular(word, SEARCH_KEEP_ENDINGS)


def trigrams(word: str) -> list[str]:
    """The character trigrams of "#word#", in order, repeats included."""
    padded = f"#{word}#"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
