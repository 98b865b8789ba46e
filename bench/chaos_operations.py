"""The chaos run's writers' vocabulary: random catalog operations through the HTTP API, as staff (products,
options: price, stock, active, rules, price rules, categories, parts). Used by bench.chaos and bench.hosts;
each operation picks its target from the database and returns the HTTP status (None: nothing to act on).
"""

from __future__ import annotations

import json
import random
from decimal import Decimal

from bench.stack import KeepAliveClient


class Api:
    """A keep-alive HTTP connection of one writer thread to gunicorn, as staff; returns the status."""

    def __init__(self, port: int, token: str) -> None:
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.client = KeepAliveClient(port, headers)

    def __call__(self, method: str, path: str, body: dict | None = None) -> int:
        payload = json.dumps(body).encode() if body is not None else None
        return self.client.request(method, path, payload)[0]


def _pick(queryset, rng: random.Random):
    """A random row id of `queryset` (values_list of pks), or None."""
    ids = list(queryset)
    return rng.choice(ids) if ids else None


def _money(rng: random.Random) -> str:
    return str(Decimal(rng.randint(100, 90000)) / 100)


def _word(rng: random.Random) -> str:
    return f"chaos{rng.randrange(16**6):06x}"


class Operations:
    """The random operations; each returns the HTTP status (targets are picked from the database)."""

    def __init__(self) -> None:
        from apps.catalog.models import IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
        from apps.preconfigured_products.models import PreConfiguredProduct

        self.Part, self.PartOption = Part, PartOption
        self.Rule, self.PriceRule, self.Product = IncompatibilityRule, PriceAdjustmentRule, PreConfiguredProduct
        # name -> (weight, method)
        self.table = {
            "product.create": (8, self.product_create),
            "product.edit": (14, self.product_edit),
            "product.options": (6, self.product_options),
            "product.delete": (4, self.product_delete),
            "option.price": (14, self.option_price),
            "option.stock": (10, self.option_stock),
            "option.active": (3, self.option_active),
            "option.create": (4, self.option_create),
            "option.delete": (3, self.option_delete),
            "rule.create": (4, self.rule_create),
            "rule.delete": (3, self.rule_delete),
            "price_rule.create": (3, self.price_rule_create),
            "price_rule.edit": (5, self.price_rule_edit),
            "price_rule.delete": (2, self.price_rule_delete),
            "category.edit": (3, self.category_edit),
            "part.edit": (3, self.part_edit),
        }
        self.names = list(self.table)
        self.weights = [self.table[name][0] for name in self.names]

    def choose(self, rng: random.Random) -> str:
        return rng.choices(self.names, self.weights)[0]

    def run(self, name: str, api: Api, rng: random.Random) -> int | None:
        return self.table[name][1](api, rng)

    # products
    def _configuration(self, product_id: int, rng: random.Random) -> tuple[int, list[int]] | None:
        product = self.Product.objects.filter(pk=product_id).values_list("category_id", flat=True).first()
        if product is None:
            return None
        chosen = list(
            self.Product.options.through.objects.filter(product_id=product_id).values_list("option_id", "part_id")
        )
        options = [option for option, _ in chosen]
        if chosen and rng.random() < 0.6:  # another option for one part
            index = rng.randrange(len(chosen))
            other = _pick(
                self.PartOption.objects.filter(part_id=chosen[index][1], is_active=True).values_list("pk", flat=True),
                rng,
            )
            if other:
                options[index] = other
        return product, options

    def product_create(self, api: Api, rng: random.Random) -> int | None:
        base = _pick(self.Product.objects.values_list("pk", flat=True), rng)
        config = base and self._configuration(base, rng)
        if not config:
            return None
        name = f"Chaos {_word(rng)}"
        body = {
            "category": config[0],
            "name": name,
            "description": f"Made by the chaos run {_word(rng)}",
            "options": config[1],
        }
        return api("POST", "/api/products/", body)

    def product_edit(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.Product.objects.values_list("pk", flat=True), rng)
        if pk is None:
            return None
        body = rng.choice(
            [
                {"description": f"Edited {_word(rng)} for the chaos run"},
                {"name": f"Chaos {_word(rng)}"},
                {"is_active": rng.random() < 0.8},
            ]
        )
        return api("PATCH", f"/api/products/{pk}/", body)

    def product_options(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.Product.objects.values_list("pk", flat=True), rng)
        config = pk and self._configuration(pk, rng)
        return api("PATCH", f"/api/products/{pk}/", {"options": config[1]}) if config else None

    def product_delete(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.Product.objects.values_list("pk", flat=True), rng)
        return api("DELETE", f"/api/products/{pk}/") if pk else None

    # options
    def _option(self, rng: random.Random) -> int | None:
        return _pick(self.PartOption.objects.values_list("pk", flat=True), rng)

    def option_price(self, api: Api, rng: random.Random) -> int | None:
        pk = self._option(rng)
        return api("PATCH", f"/api/part-options/{pk}/", {"default_price": _money(rng)}) if pk else None

    def option_stock(self, api: Api, rng: random.Random) -> int | None:
        pk = self._option(rng)
        # Mostly back in stock: a catalog where everything is out of stock tests little.
        return api("PATCH", f"/api/part-options/{pk}/", {"in_stock": rng.random() < 0.7}) if pk else None

    def option_active(self, api: Api, rng: random.Random) -> int | None:
        pk = self._option(rng)
        return api("PATCH", f"/api/part-options/{pk}/", {"is_active": rng.random() < 0.75}) if pk else None

    def option_create(self, api: Api, rng: random.Random) -> int | None:
        part = _pick(self.Part.objects.values_list("pk", flat=True), rng)
        if part is None:
            return None
        body = {"part": part, "name": _word(rng), "description": "added by the chaos run", "default_price": _money(rng)}
        return api("POST", "/api/part-options/", body)

    def option_delete(self, api: Api, rng: random.Random) -> int | None:
        # Mostly options the run created (others are used by products: 409, which is a fine answer too).
        created = self.PartOption.objects.filter(name__startswith="chaos").values_list("pk", flat=True)
        pk = _pick(created, rng) if rng.random() < 0.8 else self._option(rng)
        return api("DELETE", f"/api/part-options/{pk}/") if pk else None

    # rules
    def _two_options(self, rng: random.Random) -> tuple[int, int] | None:
        a = (
            self.PartOption.objects.filter(pk=self._option(rng))
            .values_list("pk", "part_id", "part__category_id")
            .first()
        )
        if a is None:
            return None
        b = _pick(
            self.PartOption.objects.filter(part__category_id=a[2]).exclude(part_id=a[1]).values_list("pk", flat=True),
            rng,
        )
        return (a[0], b) if b else None

    def rule_create(self, api: Api, rng: random.Random) -> int | None:
        pair = self._two_options(rng)
        if pair is None:
            return None
        body = {"part_option": pair[0], "incompatible_with_option": pair[1], "message": f"Not together ({_word(rng)})."}
        return api("POST", "/api/incompatibility-rules/", body)

    def rule_delete(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.Rule.objects.values_list("pk", flat=True), rng)
        return api("DELETE", f"/api/incompatibility-rules/{pk}/") if pk else None

    def price_rule_create(self, api: Api, rng: random.Random) -> int | None:
        pair = self._two_options(rng)
        if pair is None:
            return None
        body = {"affected_option": pair[0], "condition_options": [pair[1]], "adjusted_price": _money(rng)}
        return api("POST", "/api/price-adjustment-rules/", body)

    def price_rule_edit(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.PriceRule.objects.values_list("pk", flat=True), rng)
        return api("PATCH", f"/api/price-adjustment-rules/{pk}/", {"adjusted_price": _money(rng)}) if pk else None

    def price_rule_delete(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.PriceRule.objects.values_list("pk", flat=True), rng)
        return api("DELETE", f"/api/price-adjustment-rules/{pk}/") if pk else None

    # categories and parts
    def category_edit(self, api: Api, rng: random.Random) -> int | None:
        from apps.catalog.models import Category

        pk = _pick(Category.objects.values_list("pk", flat=True), rng)
        return api("PATCH", f"/api/categories/{pk}/", {"description": f"Described by {_word(rng)}"}) if pk else None

    def part_edit(self, api: Api, rng: random.Random) -> int | None:
        pk = _pick(self.Part.objects.values_list("pk", flat=True), rng)
        return api("PATCH", f"/api/parts/{pk}/", {"description": f"Part note {_word(rng)}"}) if pk else None
