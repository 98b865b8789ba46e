"""The filters of a search (type, category, price range, stock), in the three forms the search applies them.

The keyword side applies them in its SQL query (`keyword_q()`, over KeywordRow's columns), the vector side in
Chroma's `where` (`where()`), and the results check the ledger row's metadata once more (`accepts()`), since a
row may have changed between the ranking and the read. All three say the same thing: a price or stock filter
keeps only documents that have a price or a stock (products and parts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class SearchFilters:
    """Filters applied before the top k is cut."""

    type: str | None = None
    category_id: int | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None

    def keyword_q(self) -> Q:
        """The filters over KeywordRow's columns (an empty Q: no filter)."""
        q = Q()
        if self.type:
            q &= Q(doc_type=self.type)
        if self.category_id is not None:
            q &= Q(category_id=self.category_id)
        if self.min_price is not None:
            q &= Q(price__gte=self.min_price)
        if self.max_price is not None:
            q &= Q(price__lte=self.max_price)
        if self.in_stock is not None:
            q &= Q(in_stock=self.in_stock)
        return q

    def where(self) -> dict | None:
        """The Chroma `where` clause of these filters."""
        clauses: list[dict] = []
        if self.type:
            clauses.append({"type": self.type})
        if self.category_id is not None:
            clauses.append({"category_id": self.category_id})
        if self.min_price is not None:
            clauses.append({"price": {"$gte": self.min_price}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": self.max_price}})
        if self.in_stock is not None:
            clauses.append({"in_stock": self.in_stock})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, facets: dict[str, Any]) -> bool:
        """The same filters over a ledger row's metadata."""
        if self.type and facets.get("type") != self.type:
            return False
        if self.category_id is not None and facets.get("category_id") != self.category_id:
            return False
        if self.min_price is not None or self.max_price is not None:
            price = facets.get("price")
            if price is None:
                return False
            if self.min_price is not None and price < self.min_price:
                return False
            if self.max_price is not None and price > self.max_price:
                return False
        return self.in_stock is None or facets.get("in_stock") is self.in_stock

    @property
    def empty(self) -> bool:
        return self.where() is None
