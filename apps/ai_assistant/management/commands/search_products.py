"""`manage.py search_products "query"`: hybrid search of the AI knowledge index from the shell."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing.documents.registry import DOC_TYPES
from apps.ai_assistant.retrieval.query import MAX_LIMIT
from apps.ai_assistant.services.index_service import get_index_service
from apps.catalog.selectors.configurator import CURRENCY


def _price(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or number < 0:
        raise ValueError(value)
    return number


def _limit(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_LIMIT:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Search the AI knowledge index (vectors + keywords, fused) and print the ranked results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="what to look for")
        parser.add_argument("--type", choices=DOC_TYPES, help="only documents of this type")
        parser.add_argument("--category", help="category id, slug or name")
        parser.add_argument("--min-price", type=_price, help="lowest price (>= 0)")
        parser.add_argument("--max-price", type=_price, help="highest price (>= 0)")
        stock = parser.add_mutually_exclusive_group()
        stock.add_argument("--in-stock", dest="in_stock", action="store_true", default=None, help="only available")
        stock.add_argument("--out-of-stock", dest="in_stock", action="store_false", help="only unavailable")
        parser.add_argument("--limit", type=_limit, default=10, help=f"1-{MAX_LIMIT}, default 10")

    def handle(self, *args, **options) -> None:
        try:
            results = get_index_service().search_documents(
                options["query"],
                type=options["type"],
                category=options["category"],
                min_price=options["min_price"],
                max_price=options["max_price"],
                in_stock=options["in_stock"],
                limit=options["limit"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except TransientIndexError as exc:
            raise CommandError(f"The vector store is unreachable: {exc}") from exc
        if not results:
            self.stdout.write("No results.")
            return
        for rank, hit in enumerate(results, start=1):
            price = f"  {hit['price']} {CURRENCY}" if hit["price"] is not None else ""
            stock = "" if hit["in_stock"] is None else ("  in stock" if hit["in_stock"] else "  unavailable")
            self.stdout.write(f"{rank:>2}. [{hit['id']}] {hit['name']} ({hit['category']}){price}{stock}")
            self.stdout.write(f"    score {hit['score']:.4f}  {hit['snippet'][:160]}")
