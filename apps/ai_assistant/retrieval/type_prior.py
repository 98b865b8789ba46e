"""Document type priors: the products a query describes first, unless the query is about another kind of document.

The index holds products and the catalog's structure around them (categories, parts with their options,
incompatibilities, price rules). Those documents share the products' words - a part lists every option the
products choose from, a category names the family - so they come up beside the products for most queries
("a couch for a small studio apartment" found the Frame part and the Sofas category among its first three),
and push the products down, though a customer searching the shop is looking for products.

Which kind of document a query is about is read from the query's own vector neighbours: for each document type,
the similarity of the query to the closest document of that type among the vector side's candidates (a type
with no candidate: at most the last candidate's similarity). A query about an incompatibility ("can I get red
rims with fat bike wheels") or a price rule ("how much does matte finish cost ...") is closer to a document of
that type than to any product; a query about a use or a family is closer to a product. Each document of a type
whose closest document is farther from the query than the closest product loses up to WEIGHT of its fused
score, in proportion to how much farther (a logistic curve of the difference, TEMPERATURE wide):

    penalty(type) = WEIGHT * (1 - 1 / (1 + exp(-(sim(type) - sim(product)) / TEMPERATURE)))

so a type as close as the products loses WEIGHT / 2 and one clearly closer loses nothing. Exact names are
boosted far above any penalty, so "Rim color" or an option's exact name still finds its part first.
WEIGHT (about two thirds of what a first rank is worth in RRF, 1/61) and TEMPERATURE were fitted on the
development sets (the demo catalog's labelled queries and bench/data/blind_1, 3, 4, all document types).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PRODUCT = "product"
WEIGHT = 0.01
TEMPERATURE = 0.02


def doc_type(doc_id: str) -> str:
    """The type of a document id: "part" for "part:12" (ids are "{type}:{pk}")."""
    return doc_id.partition(":")[0]


def type_penalties(vector_hits: Sequence[tuple[str, float]]) -> tuple[dict[str, float], float]:
    """({type: penalty}, penalty of a type absent from the hits) for the vector side's (doc_id, cosine distance)
    nearest first; no penalties when no product is among them."""
    closest: dict[str, float] = {}
    for doc_id, distance in vector_hits:
        kind = doc_type(doc_id)
        closest[kind] = max(closest.get(kind, -math.inf), 1 - distance)
    if PRODUCT not in closest:
        return {}, 0.0
    product = closest[PRODUCT]

    def penalty(similarity: float) -> float:
        if similarity >= product:
            share = 1 / (1 + math.exp(-(similarity - product) / TEMPERATURE))
        else:  # the same curve, written so a large difference cannot overflow exp()
            odds = math.exp((similarity - product) / TEMPERATURE)
            share = odds / (1 + odds)
        return WEIGHT * (1 - share)

    penalties = {kind: penalty(similarity) for kind, similarity in closest.items() if kind != PRODUCT}
    penalties[PRODUCT] = 0.0
    return penalties, penalty(1 - vector_hits[-1][1])


def apply_type_prior(fused: dict[str, float], vector_hits: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Take each document's type penalty (see the module docstring) from its fused score, in place; returns
    the penalty taken from each document."""
    penalties, absent = type_penalties(vector_hits)
    if not penalties:
        return {}
    taken = {doc_id: penalties.get(doc_type(doc_id), absent) for doc_id in fused}
    for doc_id, penalty in taken.items():
        fused[doc_id] -= penalty
    return taken
