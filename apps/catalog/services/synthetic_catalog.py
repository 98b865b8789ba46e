"""A deterministic synthetic catalog for benchmarks: the same product count and seed give the same rows.

Everything is drawn from one `random.Random(seed)` before any id is known, then written with
`bulk_create` in batches inside one transaction. Bulk writes send no model signals, so the indexing
outbox does not see these rows: build the index afterwards (rebuild), as a benchmark does anyway.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import connection, transaction
from django.utils.text import slugify

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services.synthetic_rich import RichStyle
from apps.catalog.services.synthetic_spec import CategorySpec, OptionSpec, pick_configuration
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

# (plural, singular, part names): part names are drawn from the theme, option names from the word lists.
THEMES: list[tuple[str, str, list[str]]] = [
    ("Kayaks", "kayak", ["Hull", "Paddle", "Seat", "Spray deck", "Rudder"]),
    ("Snowboards", "snowboard", ["Profile", "Bindings", "Base", "Core", "Topsheet"]),
    ("Skateboards", "skateboard", ["Deck", "Trucks", "Wheels", "Bearings", "Grip tape"]),
    ("Tents", "tent", ["Fly sheet", "Poles", "Groundsheet", "Inner", "Pegs"]),
    ("Backpacks", "backpack", ["Body fabric", "Harness", "Hip belt", "Frame sheet", "Rain cover"]),
    ("Scooters", "scooter", ["Deck", "Handlebar", "Wheels", "Brake", "Fork"]),
    ("Helmets", "helmet", ["Shell", "Liner", "Visor", "Strap", "Vents"]),
    ("Running shoes", "running shoe", ["Upper", "Midsole", "Outsole", "Laces", "Insole"]),
    ("Tennis rackets", "tennis racket", ["Frame", "Strings", "Grip", "Balance", "Dampener"]),
    ("Paddleboards", "paddleboard", ["Board", "Paddle", "Fin", "Leash", "Pump"]),
    ("Climbing harnesses", "climbing harness", ["Waist belt", "Leg loops", "Buckles", "Gear loops"]),
    ("Wetsuits", "wetsuit", ["Neoprene", "Zip", "Seams", "Lining", "Cuffs"]),
]
ADJECTIVES = [
    "lightweight", "rugged", "classic", "ultralight", "reinforced", "compact", "wide", "narrow", "stiff",
    "flexible", "waterproof", "breathable", "padded", "aerodynamic", "vintage", "pro", "touring", "racing",
    "all-weather", "quiet", "heavy-duty", "foldable", "insulated", "ergonomic", "tapered", "hybrid",
]
MATERIALS = [
    "carbon", "aluminium", "bamboo", "maple", "titanium", "nylon", "cork", "steel", "fiberglass", "kevlar",
    "merino", "polyester", "rubber", "ripstop", "leather", "ash wood", "recycled", "graphene", "ceramic", "EVA",
]
COLOURS = [
    "black", "white", "red", "blue", "forest green", "orange", "teal", "sand", "charcoal", "yellow",
    "purple", "silver", "olive", "coral", "navy",
]
BRANDS = [
    "Nordwind", "Alpenglow", "Tidewater", "Redwood", "Polaris", "Granite", "Sierra", "Harbor", "Ember",
    "Cobalt", "Meridian", "Foxtrail", "Riverbend", "Summit", "Lumen", "Aurora",
]
MODELS = ["Swift", "Voyager", "Pioneer", "Drift", "Atlas", "Comet", "Nomad", "Ridge", "Breeze", "Falcon", "Ranger"]
USES = [
    "weekend adventures", "daily training", "beginners who want to progress fast", "long expeditions",
    "racing on a budget", "family outings", "rough conditions", "city use", "cold mornings", "hot summer days",
    "travel, since it packs small", "experienced riders who want precision",
]
OPENINGS = ["A dependable", "A nimble", "A premium", "An affordable", "A versatile", "A tough", "A lightweight"]
CLOSINGS = [
    "Built to last for many seasons.",
    "Easy to maintain and easy to love.",
    "Backed by our two-year warranty.",
    "A favourite of our shop staff.",
    "Each one is assembled by hand.",
    "",
]


@dataclass
class SyntheticCatalogResult:
    categories: int = 0
    parts: int = 0
    options: int = 0
    incompatibilities: int = 0
    price_rules: int = 0
    products: int = 0
    product_options: int = 0
    seconds: float = 0.0


def catalog_has_products() -> bool:
    return PreConfiguredProduct.objects.exists()


def seed_already_generated(seed: int) -> bool:
    return Category.objects.filter(slug__startswith=f"gen-s{seed}-").exists()


@transaction.atomic
def wipe_catalog() -> None:
    """Delete every product and catalog row, demo ones included, in dependency order with plain SQL.

    ORM deletes of tens of thousands of products would load every row to emulate cascades.
    """
    tables = [
        PreConfiguredProductOption,
        PreConfiguredProduct,
        PriceAdjustmentRule.condition_options.through,
        PriceAdjustmentRule,
        IncompatibilityRule,
        PartOption,
        Part,
        Category,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100, 50)) / 100


def _category_spec(rng: random.Random, seed: int, index: int) -> CategorySpec:
    plural, singular, part_pool = THEMES[index % len(THEMES)]
    part_names = part_pool[: rng.randint(3, min(5, len(part_pool)))]
    parts = []
    for part_name in part_names:
        names: set[str] = set()
        options = []
        for _ in range(rng.randint(3, 6)):
            name = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(MATERIALS)} {part_name.lower()}"
            while name in names:
                name = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(MATERIALS)} {part_name.lower()}"
            names.add(name)
            colour = rng.choice(COLOURS)
            options.append(
                OptionSpec(
                    name=name,
                    description=f"{name} in {colour}, made for {rng.choice(USES)}.",
                    price=_money(rng, 5, 400),
                    in_stock=rng.random() > 0.04,
                )
            )
        parts.append((part_name, options))

    # The last option of each part never takes part in an incompatibility, so a valid product always exists.
    incompatibilities = []
    seen = set()
    for _ in range(rng.randint(1, 4)):
        pa, pb = rng.sample(range(len(parts)), 2)
        a = (pa, rng.randrange(len(parts[pa][1]) - 1))
        b = (pb, rng.randrange(len(parts[pb][1]) - 1))
        if frozenset((a, b)) in seen:
            continue
        seen.add(frozenset((a, b)))
        message = f"{parts[pa][1][a[1]].name} does not fit {parts[pb][1][b[1]].name.lower()}."
        incompatibilities.append((a, b, message))

    price_rules = []
    for _ in range(rng.randint(1, 3)):
        chosen_parts = rng.sample(range(len(parts)), rng.randint(2, 3))
        affected = (chosen_parts[0], rng.randrange(len(parts[chosen_parts[0]][1])))
        conditions = [(p, rng.randrange(len(parts[p][1]))) for p in chosen_parts[1:]]
        price_rules.append((affected, conditions, _money(rng, 0, 300)))

    return CategorySpec(
        name=f"{plural} S{seed}-{index + 1}",
        slug=f"gen-s{seed}-{slugify(plural)}-{index + 1}",
        noun=singular,
        description=f"Configurable {plural.lower()}: choose the {', '.join(p.lower() for p in part_names)}.",
        parts=parts,
        incompatibilities=incompatibilities,
        price_rules=price_rules,
        forbidden=seen,
    )


def _description(rng: random.Random, spec: CategorySpec, picked: list[OptionSpec]) -> str:
    first, second = rng.sample(picked, 2)
    colour = rng.choice(COLOURS)
    text = (
        f"{rng.choice(OPENINGS)} {spec.noun} with a {first.name.lower()} and a {second.name.lower()}, "
        f"finished in {colour}. Made for {rng.choice(USES)}. {rng.choice(CLOSINGS)}"
    )
    return text.strip()


class NamingStyle(Protocol):
    """How a style names things: it plans each category and names and describes each product."""

    name: str

    def category_spec(self, rng: random.Random, seed: int, index: int) -> CategorySpec: ...

    def product_text(self, rng: random.Random, spec: CategorySpec, picked: list[OptionSpec]) -> tuple[str, str]: ...


class PlainStyle:
    """The original style (benchmarks depend on its exact rows): word-list names, every part required."""

    name = "plain"

    def __init__(self, rng: random.Random) -> None:
        pass  # draws nothing up front, so its catalogs stay what they always were

    def category_spec(self, rng: random.Random, seed: int, index: int) -> CategorySpec:
        return _category_spec(rng, seed, index)

    def product_text(self, rng: random.Random, spec: CategorySpec, picked: list[OptionSpec]) -> tuple[str, str]:
        name = f"{rng.choice(BRANDS)} {rng.choice(MODELS)} {spec.noun.title()} {rng.randint(100, 999)}"
        return name, _description(rng, spec, picked)


STYLES: dict[str, type[PlainStyle] | type[RichStyle]] = {"plain": PlainStyle, "rich": RichStyle}


def generate_synthetic_catalog(
    *, products: int, seed: int, categories: int = 8, batch_size: int = 2000, style: str = "plain"
) -> SyntheticCatalogResult:
    """Write `categories` categories with parts, options and rules, and `products` valid products, named in
    `style` ("plain": the original word lists; "rich": see `synthetic_rich`)."""
    if style not in STYLES:
        raise ValueError(f"Unknown style {style!r}; one of {', '.join(STYLES)}.")
    started = time.perf_counter()
    rng = random.Random(seed)
    namer: NamingStyle = STYLES[style](rng)
    result = SyntheticCatalogResult()
    specs = [namer.category_spec(rng, seed, index) for index in range(categories)]

    with transaction.atomic():
        cats = Category.objects.bulk_create(
            [Category(name=s.name, slug=s.slug, description=s.description) for s in specs], batch_size=batch_size
        )
        part_rows: list[list[Part]] = []
        option_rows: list[list[list[PartOption]]] = []
        for spec, cat in zip(specs, cats, strict=True):
            part_rows.append(
                [
                    Part(
                        category=cat,
                        name=name,
                        step=step,
                        required=step - 1 not in spec.optional,
                        description=spec.part_descriptions[step - 1] if spec.part_descriptions else "",
                    )
                    for step, (name, _o) in enumerate(spec.parts, start=1)
                ]
            )
        Part.objects.bulk_create([p for parts in part_rows for p in parts], batch_size=batch_size)
        for spec, parts in zip(specs, part_rows, strict=True):
            option_rows.append(
                [
                    [
                        PartOption(
                            part=part,
                            name=o.name,
                            description=o.description,
                            default_price=o.price,
                            in_stock=o.in_stock,
                        )
                        for o in options
                    ]
                    for part, (_name, options) in zip(parts, spec.parts, strict=True)
                ]
            )
        PartOption.objects.bulk_create(
            [o for cat_options in option_rows for opts in cat_options for o in opts], batch_size=batch_size
        )

        incompatibilities = []
        rules = []
        rule_conditions = []
        for spec, opts in zip(specs, option_rows, strict=True):
            for (pa, oa), (pb, ob), message in spec.incompatibilities:
                rule = IncompatibilityRule(part_option=opts[pa][oa], incompatible_with_option=opts[pb][ob])
                rule.message = message
                incompatibilities.append(rule)
            for number, ((pa, oa), conditions, price) in enumerate(spec.price_rules):
                text = spec.rule_descriptions[number] if spec.rule_descriptions else ""
                rules.append(PriceAdjustmentRule(affected_option=opts[pa][oa], adjusted_price=price, description=text))
                rule_conditions.append([opts[p][o] for p, o in conditions])
        IncompatibilityRule.objects.bulk_create(incompatibilities, batch_size=batch_size)
        PriceAdjustmentRule.objects.bulk_create(rules, batch_size=batch_size)
        through = PriceAdjustmentRule.condition_options.through
        through.objects.bulk_create(
            [
                through(priceadjustmentrule=rule, partoption=option)
                for rule, conditions in zip(rules, rule_conditions, strict=True)
                for option in conditions
            ],
            batch_size=batch_size,
        )

        result.categories = len(cats)
        result.parts = sum(len(parts) for parts in part_rows)
        result.options = sum(len(opts) for cat_options in option_rows for opts in cat_options)
        result.incompatibilities = len(incompatibilities)
        result.price_rules = len(rules)

        for start in range(0, products, batch_size):
            batch = []
            batch_options = []
            for number in range(start, min(start + batch_size, products)):
                cat_index = rng.randrange(categories)
                spec, opts = specs[cat_index], option_rows[cat_index]
                chosen = [(p, o) for p, o in enumerate(pick_configuration(rng, spec)) if o is not None]
                picked = [spec.parts[p][1][o] for p, o in chosen]
                name, description = namer.product_text(rng, spec, picked)
                batch.append(
                    PreConfiguredProduct(
                        category=cats[cat_index],
                        name=name,
                        slug=f"{slugify(name)}-s{seed}-{number + 1}",
                        description=description,
                    )
                )
                batch_options.append([opts[p][o] for p, o in chosen])
            PreConfiguredProduct.objects.bulk_create(batch, batch_size=batch_size)
            rows = [
                PreConfiguredProductOption(product=product, part_id=option.part_id, option=option)
                for product, chosen_options in zip(batch, batch_options, strict=True)
                for option in chosen_options
            ]
            PreConfiguredProductOption.objects.bulk_create(rows, batch_size=batch_size)
            result.products += len(batch)
            result.product_options += len(rows)

    result.seconds = time.perf_counter() - started
    return result
