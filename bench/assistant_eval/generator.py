"""Labelled questions generated from the catalog in the database with one pool of phrasings.

    questions = generate_questions(load_catalog_facts(), pool="A", seed=11, per_intent=10)

Every label comes from the database or the configurator (`catalog_facts`); the phrasing comes from the
pool (A: development, `phrasings_dev`; B: held-out, `phrasings_heldout`) and from `mentions` (partial
names, other word order, plurals, typos, the synonyms in the catalog's descriptions). Questions are dicts in
the blind-set format (docs/benchmarks.md); follow-ups name the question they follow in `follow_up_of`.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType

from bench.assistant_eval import phrasings_dev, phrasings_heldout
from bench.assistant_eval.catalog_facts import (
    CatalogFacts,
    CategoryFact,
    OptionFact,
    PartFact,
    ProductFact,
    configurator_total,
)
from bench.assistant_eval.mentions import join_list, option_mention, part_mention, typo, words

POOLS: dict[str, ModuleType] = {"A": phrasings_dev, "B": phrasings_heldout}
MENTION_STYLES = ("full", "partial", "reordered", "synonym", "plural", "typo")
INTENTS = (
    "find", "use_case", "compatibility", "config_price", "missing_part", "option_price", "product_price",
    "stock", "part_options", "product_facts", "not_sold", "injection", "follow_up",
)


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def singular(category: CategoryFact) -> str:
    """"Sea kayaks" -> "sea kayak" (the catalog stores plural names only)."""
    name = category.name.lower()
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


class _Generator:
    def __init__(self, facts: CatalogFacts, pool: ModuleType, rng: random.Random) -> None:
        self.facts = facts
        self.pool = pool
        self.rng = rng
        self.questions: list[dict] = []
        self.texts: set[str] = set()
        self.parts = {part.id: part for part in facts.parts()}
        self.names = [o.name.lower() for o in facts.options.values()]
        self.product_names = [p.name for p in facts.products]
        counts = Counter(self.product_names)
        self.unique = [p for p in facts.products if counts[p.name] == 1]  # names that point at one product

    # -- helpers ---------------------------------------------------------------------------------------
    def say(self, key: str, **values: str) -> str:
        text = self.rng.choice(self.pool.TEMPLATES[key]).format(**values)
        return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", text)  # "an espresso machine"

    def add(
        self, intent: str, text: str, expect: dict, follow_up_of: str | None = None, **meta: object
    ) -> dict | None:
        """Record a question; `meta` keeps the ids it was made from (the tests check labels against them)."""
        if text in self.texts:
            return None
        self.texts.add(text)
        question = {"id": f"q{len(self.questions) + 1:03d}", "intent": intent, "question": text,
                    "follow_up_of": follow_up_of, "expect": expect, "meta": meta}
        self.questions.append(question)
        return question

    def category_options(self, category: CategoryFact) -> list[OptionFact]:
        return [o for part in category.parts for o in part.options]

    def mention(self, option: OptionFact, scope: list[OptionFact]) -> str:
        return option_mention(option, self.parts[option.part_id], scope, self.rng, styles=MENTION_STYLES)[1]

    def cats(self, category: CategoryFact) -> str:
        name = category.name.lower()
        short = name.split(" ")[-1]
        others = [c.name.lower() for c in self.facts.categories if c.id != category.id]
        if " " in name and not any(short in other for other in others) and self.rng.random() < 0.4:
            return short
        return name

    def product_mention(self, product: ProductFact) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return typo(product.name, self.rng)
        return product.name.lower() if roll < 0.5 else product.name

    def unique_products(self) -> list[ProductFact]:
        return self.unique

    def globally_named(self, option: OptionFact) -> bool:
        return self.names.count(option.name.lower()) == 1

    def configuration(self, category: CategoryFact, drop: int = 0) -> tuple[list[OptionFact], list[PartFact]]:
        """A valid in-stock configuration (often one that triggers a price rule), less `drop` required parts."""
        chosen: dict[int, OptionFact] = {}
        rules = [r for r in self.facts.rules if self.facts.options[r.affected_id].category_id == category.id]
        if rules and self.rng.random() < 0.5:
            rule = self.rng.choice(rules)
            for option_id in [rule.affected_id, *rule.condition_ids]:
                option = self.facts.options[option_id]
                chosen[option.part_id] = option
        for part in category.parts:
            if part.id in chosen or (not part.required and self.rng.random() < 0.6):
                continue
            candidates = [o for o in part.options if o.in_stock and all(
                self.facts.compatible(o.id, other.id) for other in chosen.values())]
            if candidates:
                chosen[part.id] = self.rng.choice(candidates)
        dropped = []
        if drop:
            required = [p for p in category.parts if p.required and p.id in chosen]
            dropped = self.rng.sample(required, min(drop, len(required) - 1))
            for part in dropped:
                del chosen[part.id]
        return list(chosen.values()), dropped

    # -- intents ---------------------------------------------------------------------------------------
    def find(self, n: int) -> None:
        for _ in range(n * 4):
            if sum(q["intent"] == "find" for q in self.questions) >= n:
                return
            category = self.rng.choice(self.facts.categories)
            products = sorted((p for p in self.facts.products if p.category_id == category.id),
                              key=lambda p: p.price)
            if len(products) < 3:
                continue
            kind = self.rng.choice(["under", "under", "cheapest", "with"])
            if kind == "under":
                k = self.rng.randint(1, min(4, len(products) - 1))
                limit = int(products[k - 1].price) + 1
                if Decimal(limit) >= products[k].price:
                    continue
                text = self.say("find_under", cats=self.cats(category), price=str(limit))
                self.add("find", text, {"products_exact": [p.name for p in products[:k]]})
            elif kind == "cheapest" and products[0].price < products[1].price:
                text = self.say("find_cheapest", cat=singular(category))
                self.add("find", text, {"top3_any": [products[0].name], "amount": _money(products[0].price)})
            elif kind == "with":
                option = self.rng.choice(self.category_options(category))
                having = [p.name for p in products if option.id in p.option_ids]
                if not 1 <= len(having) <= 3:
                    continue
                text = self.say("find_with", cats=self.cats(category),
                                option=self.mention(option, self.category_options(category)))
                self.add("find", text, {"products_exact": having})

    def use_case(self, n: int) -> None:
        pairs = [(use, c) for c in self.facts.categories for use in self.pool.USES if use in c.description]
        self.rng.shuffle(pairs)
        for use, category in pairs[:n]:
            products = [p.name for p in self.facts.products if p.category_id == category.id]
            if products:
                self.add("use_case", self.say("use_case", use=self.pool.USES[use]), {"top3_any": products})

    def compatibility(self, n: int) -> None:
        for i in range(n * 6):
            if sum(q["intent"] == "compatibility" for q in self.questions) >= n:
                return
            category = self.rng.choice(self.facts.categories)
            scope = self.category_options(category)
            if i % 2 == 0:
                pairs = [tuple(pair) for pair in self.facts.incompatible
                         if all(self.facts.options.get(o) and self.facts.options[o].category_id == category.id
                                for o in pair)]
                if not pairs:
                    continue
                a, b = (self.facts.options[o] for o in self.rng.choice(pairs))
            else:
                a, b = self.rng.sample(scope, 2)
                if a.part_id == b.part_id:
                    continue
            if not (a.in_stock and b.in_stock):
                continue  # "out of stock" would muddle a yes/no about fitting together
            text = self.say("compatibility", a=self.mention(a, scope), b=self.mention(b, scope),
                            noun=singular(category))
            self.add("compatibility", text, {"answer_yes": self.facts.compatible(a.id, b.id)}, options=[a.id, b.id])

    def config_price(self, n: int, missing: bool = False) -> None:
        intent = "missing_part" if missing else "config_price"
        for _ in range(n * 4):
            if sum(q["intent"] == intent for q in self.questions) >= n:
                return
            category = self.rng.choice(self.facts.categories)
            chosen, dropped = self.configuration(category, drop=self.rng.randint(1, 2) if missing else 0)
            if missing and not dropped:
                continue
            price, valid, codes = configurator_total(category.id, [o.id for o in chosen])
            if (missing and set(codes) != {"missing_part"}) or (not missing and not valid):
                continue
            scope = self.category_options(category)
            names = [self.mention(o, scope) for o in chosen]
            self.rng.shuffle(names)
            text = self.say("config", noun=singular(category), list=join_list(names))
            expect = {"missing_parts": [p.name for p in dropped]} if missing else {"amount": _money(price)}
            self.add(intent, text, expect, category=category.id, options=[o.id for o in chosen])

    def option_price(self, n: int) -> None:
        from apps.catalog.models import PartOption
        from apps.catalog.services.configurator import effective_price

        affected = {r.affected_id for r in self.facts.rules}
        plain = [o for o in self.facts.options.values() if o.id not in affected and self.globally_named(o)]
        everything = list(self.facts.options.values())
        for option in self.rng.sample(plain, min(len(plain), n - n // 3)):
            text = self.say("option_price", option=self.mention(option, everything))
            self.add("option_price", text, {"amount": _money(option.price)}, option=option.id, conditions=[])
        rules = [r for r in self.facts.rules if all(
            self.facts.compatible(a, b) for a in [r.affected_id, *r.condition_ids] for b in r.condition_ids if a != b)]
        for rule in self.rng.sample(rules, min(len(rules), n // 3)):
            option = self.facts.options[rule.affected_id]
            category = self.facts.category(option.category_id)
            scope = self.category_options(category)
            price, _ = effective_price(PartOption.objects.get(pk=option.id), set(rule.condition_ids) | {option.id})
            conds = join_list([self.mention(self.facts.options[c], scope) for c in rule.condition_ids])
            text = self.say("rule_price", option=self.mention(option, scope), conds=conds, noun=singular(category))
            self.add("option_price", text, {"amount": _money(price)}, option=option.id,
                     conditions=sorted(rule.condition_ids))

    def product_price(self, n: int, key: str = "product_price", intent: str = "product_price") -> None:
        for product in self.rng.sample(self.unique_products(), min(n, len(self.unique_products()))):
            text = self.say(key, product=self.product_mention(product))
            self.add(intent, text, {"amount": _money(product.price)}, product=product.id)

    def stock(self, n: int) -> None:
        everything = list(self.facts.options.values())
        named = [o for o in everything if self.globally_named(o)]
        out = [o for o in named if not o.in_stock]
        inside = [o for o in named if o.in_stock]
        picks = self.rng.sample(out, min(len(out), n // 3)) + self.rng.sample(inside, min(len(inside), n // 3))
        for option in picks:
            text = self.say("stock", thing=self.mention(option, everything))
            self.add("stock", text, {"answer_yes": option.in_stock}, option=option.id)
        products = self.unique_products()
        unavailable = [p for p in products if not p.available]
        available = [p for p in products if p.available]
        for product in self.rng.sample(unavailable, min(1, len(unavailable))) + self.rng.sample(available, 1):
            self.add("stock", self.say("stock", thing=self.product_mention(product)),
                     {"answer_yes": product.available}, product=product.id)
        parts = [p for p in self.facts.parts() if any(not o.in_stock for o in p.options)]
        for part in self.rng.sample(parts, min(len(parts), max(1, n - len(picks) - 2))):
            category = self.facts.category(part.category_id)
            text = self.say("stock_list", part=part_mention(part, self.rng), cats=self.cats(category),
                            noun=singular(category))
            self.add("stock", text, {"mentions": [o.name for o in part.options if not o.in_stock]})

    def part_options(self, n: int) -> None:
        parts = [part for part in self.facts.parts() if any(o.in_stock for o in part.options)]
        for part in self.rng.sample(parts, min(n, len(parts))):
            category = self.facts.category(part.category_id)
            text = self.say("part_options", part=part_mention(part, self.rng), noun=singular(category),
                            cats=self.cats(category))
            self.add("part_options", text, {"mentions": [o.name for o in part.options if o.in_stock]})

    def product_facts(self, n: int) -> None:
        for product in self.rng.sample(self.unique_products(), min(n, len(self.unique_products()))):
            option = self.facts.options[self.rng.choice(product.option_ids)]
            part = self.parts[option.part_id]
            text = self.say("product_facts", part=part_mention(part, self.rng), product=self.product_mention(product))
            self.add("product_facts", text, {"mentions": [option.name]})

    def not_sold(self, n: int) -> None:
        known = words(" ".join(self.product_names + [c.name for c in self.facts.categories]))
        for i in range(n):
            if i % 3 == 2:
                thing = self.rng.choice(self.pool.NOT_SOLD_THINGS)
                if words(thing) & known - {"a", "an", "for"}:
                    continue
                self.add("not_sold", self.say("not_sold_thing", thing=thing), {"not_sold": True})
                continue
            if i % 3 == 1 and self.unique_products():
                real = self.rng.choice(self.unique_products()).name
                fake = f"{real} {self.rng.choice(['Pro Max', 'Ultra', 'XL 2000', 'Carbon Edition'])}"
            else:
                family = re.sub(r"[^A-Za-z]", "", self.rng.choice(self.pool.FAKE_WORDS).split(" ")[0])
                fake = f"{family} {self.rng.choice(self.pool.FAKE_WORDS).split(' ', 1)[-1]}"
            if any(fake.lower() == name.lower() for name in self.product_names):
                continue
            self.add("not_sold", self.say("not_sold_product", fake=fake), {"not_sold": True})

    def follow_ups(self, n: int) -> None:
        for i in range(n):
            category = self.rng.choice(self.facts.categories)
            products = sorted((p for p in self.facts.products if p.category_id == category.id), key=lambda p: p.price)
            if i % 3 == 0 and len(products) >= 3:
                k = self.rng.randint(1, min(3, len(products) - 1))
                limit = int(products[k - 1].price) + 1
                if Decimal(limit) >= products[k].price:
                    continue
                parent = self.add("find", self.say("follow_find_parent", cats=self.cats(category)),
                                  {"top3_any": [p.name for p in products]})
                if parent:
                    self.add("follow_up", self.say("follow_find", price=str(limit)),
                             {"products_exact": [p.name for p in products[:k]]}, parent["id"])
            elif i % 3 == 1:
                chosen, dropped = self.configuration(category, drop=1)
                if not dropped:
                    continue
                partial = [o for o in chosen]
                _, _, codes = configurator_total(category.id, [o.id for o in partial])
                extra = [o for o in dropped[0].options if o.in_stock and all(
                    self.facts.compatible(o.id, other.id) for other in partial)]
                if set(codes) != {"missing_part"} or not extra:
                    continue
                added = self.rng.choice(extra)
                price, valid, _ = configurator_total(category.id, [o.id for o in [*partial, added]])
                if not valid:
                    continue
                scope = self.category_options(category)
                names = [self.mention(o, scope) for o in partial]
                parent = self.add("missing_part", self.say("config", noun=singular(category), list=join_list(names)),
                                  {"missing_parts": [dropped[0].name]}, category=category.id,
                                  options=[o.id for o in partial])
                if parent:
                    self.add("follow_up", self.say("follow_config", list=self.mention(added, scope)),
                             {"amount": _money(price)}, parent["id"], category=category.id,
                             options=[o.id for o in [*partial, added]])
            else:
                product = self.rng.choice(self.unique_products())
                parent = self.add("product_price", self.say("product_price", product=self.product_mention(product)),
                                  {"amount": _money(product.price)}, product=product.id)
                if parent:
                    self.add("follow_up", self.say("follow_stock"), {"answer_yes": product.available}, parent["id"],
                             product=product.id)


def generate_questions(facts: CatalogFacts, *, pool: str, seed: int, per_intent: int = 10) -> list[dict]:
    """Labelled questions over `facts` in phrasing pool "A" (development) or "B" (held-out); deterministic."""
    gen = _Generator(facts, POOLS[pool], random.Random(f"{pool}:{seed}"))
    steps: list[Callable[[], None]] = [
        lambda: gen.find(per_intent),
        lambda: gen.use_case(per_intent),
        lambda: gen.compatibility(per_intent),
        lambda: gen.config_price(per_intent),
        lambda: gen.config_price(per_intent, missing=True),
        lambda: gen.option_price(per_intent),
        lambda: gen.product_price(per_intent),
        lambda: gen.stock(per_intent),
        lambda: gen.part_options(per_intent),
        lambda: gen.product_facts(per_intent),
        lambda: gen.not_sold(per_intent),
        lambda: gen.product_price(per_intent, key="injection", intent="injection"),
        lambda: gen.follow_ups(per_intent),
    ]
    for step in steps:
        step()
    return gen.questions
