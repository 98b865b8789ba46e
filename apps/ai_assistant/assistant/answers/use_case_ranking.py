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
