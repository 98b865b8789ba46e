"""The catalog's words indexed for entity linking, once per vocabulary (then cached on it).

A run of a customer's words is linked by looking its candidates up, never by scoring every name: each option's
and product's name words, the words of each part's and option's description, and an index from a name word's
first letter to the name words (every score of token_score but an exact match needs the same first letter).
"""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary, token_score
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, name_words, tokens_of

# Words whose matches against the catalog's name words are remembered per vocabulary (then forgotten at once).
MAX_WORDS_REMEMBERED = 20_000


def name_tokens(vocab: Vocabulary) -> dict[int, set[str]]:
    """Each option's name words, computed once per vocabulary."""
    cached = getattr(vocab, "_linking_option_tokens", None)
    if cached is None:
        cached = {o.id: name_words(o.name) - STOP_WORDS for o in vocab.options.values()}
        vocab._linking_option_tokens = cached
    return cached



def product_tokens(vocab: Vocabulary) -> dict[int, set[str]]:
    cached = getattr(vocab, "_linking_product_tokens", None)
    if cached is None:
        cached = {p.id: name_words(p.name) - STOP_WORDS for p in vocab.products.values()}
        vocab._linking_product_tokens = cached
    return cached



def catalog_order(vocab: Vocabulary, kind: str) -> dict[int, int]:
    """Each option's (or product's) position in the catalog, so candidates are tried in the catalog's order."""
    attribute = f"_linking_{kind}_order"
    cached = getattr(vocab, attribute, None)
    if cached is None:
        cached = {ref: n for n, ref in enumerate(vocab.options if kind == "option" else vocab.products)}
        setattr(vocab, attribute, cached)
    return cached



def description_index(vocab: Vocabulary) -> dict[str, set[tuple[str, int]]]:
    """Word -> the parts and options whose description holds it, computed once per vocabulary."""
    cached = getattr(vocab, "_linking_descriptions", None)
    if cached is None:
        cached = {}
        for (kind, ref), text in vocab.descriptions.items():
            if kind in ("part", "option"):
                for word in set(tokens_of(text or "")) - STOP_WORDS:
                    if len(word) >= 4 and word.isalpha():
                        cached.setdefault(word, set()).add((kind, ref))
        vocab._linking_descriptions = cached
    return cached



def _name_index(vocab: Vocabulary) -> tuple[dict[str, list[str]], dict[str, list[int]], dict[str, list[int]]]:
    """(first letter -> the distinct name words, word -> options, word -> products), once per vocabulary.

    Every score of token_score but an exact match needs the same first letter, so a message word is compared
    with the name words of its first letter only, and a run's candidates are looked up, not scanned.
    """
    cached = getattr(vocab, "_linking_name_index", None)
    if cached is None:
        by_letter: dict[str, list[str]] = {}
        options: dict[str, list[int]] = {}
        products: dict[str, list[int]] = {}
        for option_id, tokens in name_tokens(vocab).items():
            for token in tokens:
                options.setdefault(token, []).append(option_id)
        for product_id, tokens in product_tokens(vocab).items():
            for token in tokens:
                products.setdefault(token, []).append(product_id)
        for token in {*options, *products}:
            by_letter.setdefault(token[:1], []).append(token)
        cached = vocab._linking_name_index = (by_letter, options, products)
    return cached



def word_matches(vocab: Vocabulary, word: str) -> dict[str, float]:
    """The catalog's name words that `word` matches, with token_score's score (remembered per vocabulary)."""
    memo: dict[str, dict[str, float]] | None = getattr(vocab, "_linking_word_matches", None)
    if memo is None or len(memo) > MAX_WORDS_REMEMBERED:
        memo = vocab._linking_word_matches = {}
    found = memo.get(word)
    if found is None:
        by_letter = _name_index(vocab)[0]
        found = {token: score for token in by_letter.get(word[:1], ()) if (score := token_score(word, token))}
        memo[word] = found
    return found



def candidates(vocab: Vocabulary, run: list[str], kind: str) -> set[int]:
    """Ids of the options (kind "option") or products whose name words match every word of the run."""
    by_token = _name_index(vocab)[1 if kind == "option" else 2]
    found: set[int] | None = None
    for word in run:
        ids = {ref for token in word_matches(vocab, word) for ref in by_token.get(token, ())}
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()



def best_score(vocab: Vocabulary, word: str, tokens: set[str], prefixes: bool) -> float:
    """How well `word` matches one of `tokens` (weighted by length); a word's start counts when `prefixes`."""
    best = 0.0
    matches = word_matches(vocab, word)
    for token in tokens:
        score = matches.get(token, 0.0)
        if score >= 0.8 or (score and prefixes):
            best = max(best, score * len(token))
    return best
