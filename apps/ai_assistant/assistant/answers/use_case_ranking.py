"""Products for a use the customer describes ("my gran wants to ride to the shops but can't stand for long"),
ranked by meaning as well as by the index: each product's own name and description against the request, with
the embedding model the engine already holds (understanding/meaning.py, cached per text), fused with the
index's hits. A product's description says whom it is for ("a seated scooter for riders who prefer to sit");
the index's hybrid ranking also weighs every option name in the product's document, which can drown that
sentence, and finds the words the description lacks.

Only for catalogs whose products are few enough to compare one by one (MAX_COMPARED); beyond, and without an
in-process model, the index alone ranks them (None is returned).
"""

from __future__ import annotations

from apps.ai_assistant.assistant.tools.products import product_texts
from apps.ai_assistant.assistant.understanding.meaning import cosine, vectors
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, list_breaks, tokens_of

# The most products compared with a request one by one (each text is embedded once per process).
MAX_COMPARED = 400


def products_by_meaning(vocab: Vocabulary, request: str, category_id: int | None) -> list[tuple[float, int]] | None:
    """(similarity, product id) for the products of `category_id` (any family when None), nearest first; None
    when the catalog is too large to compare or no model runs in this process."""
    if not vocab.product_names_held or not request.strip():
        return None
    ids = [p.id for p in vocab.products.values() if category_id is None or p.category_id == category_id]
    if not ids or len(ids) > MAX_COMPARED:
        return None
    texts = product_texts(ids)
    ordered = [i for i in ids if i in texts]
    found = vectors([request, *(texts[i] for i in ordered)])
    if found is None:
        return None
    query, *product_vectors = found
    return sorted(((cosine(query, v), i) for i, v in zip(ordered, product_vectors, strict=True)), reverse=True)


# Reciprocal rank fusion's constant: a product first in one ranking and absent from the other still comes before
# one tenth in both.
FUSION_K = 10


def fused(rankings: list[list[int]]) -> list[int]:
    """Product ids ordered by reciprocal rank fusion of `rankings` (the index's hits, the products by meaning):
    each ranking sees what the other misses (the index, a product's words; meaning, its description's sense)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, product_id in enumerate(dict.fromkeys(ranking)):
            scores[product_id] = scores.get(product_id, 0.0) + 1.0 / (FUSION_K + rank + 1)
    return sorted(scores, key=lambda i: -scores[i])


# Words that refuse what follows them up to the clause's end: "can't have gas or open fire, but want pizza"
# ("can't" is "can" + "t"). Function words of the language, not customer phrasings.
_REFUSING = frozenset({"no", "not", "without", "never", "cannot", "t", "nor"})
_CLAUSE_ENDS = frozenset({"but", "though", "although", "yet", "so"})


def refused_words(text: str) -> set[str]:
    """The words of `text` that a refusing word governs, up to the end of its clause ("," or "but")."""
    words, breaks = tokens_of(text), list_breaks(text)
    refused: set[str] = set()
    refusing = False
    for k, word in enumerate(words):
        if k in breaks or word in _CLAUSE_ENDS:
            refusing = False
        if word in _REFUSING:
            refusing = True
        elif refusing and word not in STOP_WORDS and not word.isdigit():
            refused.add(word)
    return refused


def refused_last(product_ids: list[int], refused: set[str], vocab: Vocabulary,
                 option_ids: dict[int, tuple[int, ...]]) -> list[int]:
    """`product_ids` with those whose name or options' names hold a refused word moved to the end (in order)."""
    def says_refused(product_id: int) -> bool:
        names = [vocab.products[product_id].name] if product_id in vocab.products else []
        names += [vocab.options[i].name for i in option_ids.get(product_id, ()) if i in vocab.options]
        return any(refused & set(tokens_of(name)) for name in names)

    return sorted(product_ids, key=says_refused)
