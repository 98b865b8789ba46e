"""Made-up catalogs for the assistant's tests: families the engine's code never names, written as dicts in the
demo catalog's JSON format (apps/catalog/services/demo_data.py) and loaded by the `load_made_up` fixture."""

from __future__ import annotations


def option(name: str, price: str, description: str = "", in_stock: bool = True) -> dict:
    """One option of a made-up part; its description is its name unless given."""
    return {"name": name, "price": price, "in_stock": in_stock, "description": description or name}
