"""Intent: the product family (category) a query names or implies, read from the model and the catalog.

Two kinds of evidence, both from the embedding space of the active collection, none from word lists:
- the NEIGHBOURS best documents of the fused ranking (vectors and keywords: the names, options and
  descriptions of the family's products, parts and rules) vote for their family, each with 1/rank ("a bike
  to ride to work" finds city bikes first);
- the query is compared with each family's own document (its name, description, parts and options), and
  the cosine similarities become shares by a softmax of temperature TEMPERATURE (a query about "the slopes"
  is closer to the Skis document than to any other).
The two shares are averaged; a family holding at least CONFIDENT of the evidence is the query's intent when
the best document of the fused ranking belongs to it (the intent brings the rest of the best match's family
up behind it, it never overrules the best match), and hybrid search then ranks the family's documents before
the others (after exact names). When several documents share the best fused score (a word only one product's
description holds, ranked first by the keywords, beside the vectors' first hit) and they are of different
families, there is no single best match to follow, so there is no intent. A name or a synonym the shop
defined reaches the vector through the query expansion (retrieval/synonyms.py). With a category filter, or
when no family clearly leads (a query across families: "something in stock under 300"), there is no intent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from apps.ai_assistant.models import KeywordRow

NEIGHBOURS = 10
TEMPERATURE = 0.05  # cosine similarities differ by a few hundredths between families: sharpen them
CONFIDENT = 0.5


def neighbour_shares(families: Sequence[int | None]) -> dict[int, float]:
    """Families of the best documents (best first) -> each family's share of the 1/rank votes."""
    votes: dict[int, float] = {}
    for rank, family in enumerate(families[:NEIGHBOURS], start=1):
        if family is not None:
            votes[family] = votes.get(family, 0.0) + 1 / rank
    total = sum(votes.values())
    return {family: vote / total for family, vote in votes.items()} if total else {}


def document_shares(similarities: dict[int, float]) -> dict[int, float]:
    """Cosine similarity of the query to each family's document -> softmax shares."""
    if not similarities:
        return {}
    top = max(similarities.values())
    weights = {family: math.exp((sim - top) / TEMPERATURE) for family, sim in similarities.items()}
    total = sum(weights.values())
    return {family: weight / total for family, weight in weights.items()}


def family_documents(collection: str) -> dict[str, int | None]:
    """doc_id -> category id of each family's own document (the category documents) in `collection`."""
    rows = KeywordRow.objects.filter(collection=collection, doc_type="category").values_list("doc_id", "category_id")
    return dict(rows)


def intended_family(
    family_docs: Mapping[str, int | None],
    family_hits: Sequence[tuple[str, float]],
    best_first: Sequence[str],
    co_best: Sequence[str],
    family_of: Mapping[str, int | None],
) -> int | None:
    """The category id the query intends (see the module docstring), or None.

    `family_docs`: `family_documents()`; `family_hits`: (doc_id, cosine distance) of the query to those
    documents (the vector store's answer, asked beside the keyword ranking: vector_side.py); `best_first`: the
    fused ranking; `co_best`: the documents sharing its best score (default: its first); `family_of`: the
    category id of (at least) those documents.
    """
    if len(family_docs) < 2:
        return None
    nearest = list(best_first[:NEIGHBOURS])
    if not nearest:
        return None
    tied = list(co_best) or nearest[:1]
    by_neighbours = neighbour_shares([family_of.get(doc_id) for doc_id in nearest])
    by_documents = document_shares(
        {family_docs[doc_id]: 1 - distance for doc_id, distance in family_hits if doc_id in family_docs}
    )
    families = set(by_neighbours) | set(by_documents)
    if not families:
        return None
    shares = {f: (by_neighbours.get(f, 0.0) + by_documents.get(f, 0.0)) / 2 for f in families}
    best = max(shares, key=lambda family: (shares[family], -family))
    # The intent never overrules the best match: it brings the rest of that match's family up behind it.
    if shares[best] < CONFIDENT or any(family_of.get(doc_id) != best for doc_id in tied):
        return None
    return best
