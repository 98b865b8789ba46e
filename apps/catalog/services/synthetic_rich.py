"""The "rich" naming style of the synthetic catalog: realistic multi-word names, units, synonyms and rules.

Compared with the plain style it adds what real catalogs have and a benchmark of understanding needs:
option names with units ("60 mm cruiser wheels", "35 L waxed canvas body"), synonyms and uses in the
descriptions ("Also known as: soft wheels. Good for rough roads."), optional parts, more out-of-stock options,
incompatibilities with messages, price rules with descriptions, and product lines with names invented from
the seed ("Varno Glide 3"), so no two seeds share product names. Themes and words: `synthetic_rich_themes`.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils.text import slugify

from apps.catalog.services.synthetic_rich_themes import (
    CODAS,
    ENDINGS,
    MODEL_WORDS,
    ONSETS,
    OPENINGS,
    THEMES,
    VOWELS,
    PartTheme,
    Theme,
)
from apps.catalog.services.synthetic_spec import CategorySpec, OptionSpec

OUT_OF_STOCK_SHARE = 0.12


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100, 50)) / 100


def _option_name(size: str, kind: str, noun: str) -> str:
    return f"{size} {kind} {noun}" if size else f"{kind[0].upper()}{kind[1:]} {noun}"


def _options(rng: random.Random, part: PartTheme) -> list[OptionSpec]:
    combos = [(size, kind) for size in (part.sizes or ("",)) for kind in part.kinds]
    count = rng.randint(min(3, len(combos)), min(5, len(combos)))
    options = []
    for number, (size, (kind, synonym, use)) in enumerate(rng.sample(combos, count), start=1):
        name = _option_name(size, kind, part.noun)
        also = f"{size} {synonym} {part.noun}" if size else f"{synonym} {part.noun}"
        options.append(
            OptionSpec(
                name=name,
                description=f"{name}. Also known as: {also}. Good for {use}.",
                price=_money(rng, 5, 400),
                # The last option is always in stock, so every part can be configured.
                in_stock=rng.random() > OUT_OF_STOCK_SHARE or number == count,
            )
        )
    return options


class RichStyle:
    """Draws rich category plans and product names; one instance per generated catalog (it keeps the names
    already given, so product names are unique within the catalog)."""

    name = "rich"

    def __init__(self, rng: random.Random) -> None:
        self.order = rng.sample(range(len(THEMES)), len(THEMES))  # which families this seed gets first
        self.used_names: set[str] = set()
        self.used_families: set[str] = set()
        self.themes: dict[str, Theme] = {}  # category slug -> its theme

    def _family(self, rng: random.Random) -> str:
        while True:
            word = rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) + rng.choice(ENDINGS)
            if word not in self.used_families:
                self.used_families.add(word)
                return word

    def category_spec(self, rng: random.Random, seed: int, index: int) -> CategorySpec:
        theme = THEMES[self.order[index % len(THEMES)]]
        round_number = index // len(THEMES)
        name = theme.plural if round_number == 0 else f"{theme.plural} {round_number + 1}"
        parts = [(part.name, _options(rng, part)) for part in theme.parts]
        optional = {index for index, part in enumerate(theme.parts) if part.optional}
        part_descriptions = [
            f"Choose the {part.name.lower()} (also called: {', '.join(part.synonyms)})."
            + (" Optional: it may be left out." if part.optional else "")
            for part in theme.parts
        ]

        # As in the plain style, the last option of each part takes part in no incompatibility.
        incompatibilities = []
        forbidden: set[frozenset[tuple[int, int]]] = set()
        for _ in range(rng.randint(2, 4)):
            pa, pb = rng.sample(range(len(parts)), 2)
            a = (pa, rng.randrange(len(parts[pa][1]) - 1))
            b = (pb, rng.randrange(len(parts[pb][1]) - 1))
            if frozenset((a, b)) in forbidden:
                continue
            forbidden.add(frozenset((a, b)))
            first, second = parts[pa][1][a[1]].name, parts[pb][1][b[1]].name
            incompatibilities.append((a, b, f"The {first} cannot be combined with the {second}."))

        price_rules, rule_descriptions, seen_rules = [], [], set()
        for _ in range(rng.randint(1, 3)):
            chosen_parts = rng.sample(range(len(parts)), rng.randint(2, 3))
            affected = (chosen_parts[0], rng.randrange(len(parts[chosen_parts[0]][1])))
            conditions = [(p, rng.randrange(len(parts[p][1]))) for p in chosen_parts[1:]]
            members = [affected, *conditions]
            clash = any(
                frozenset((x, y)) in forbidden for i, x in enumerate(members) for y in members[i + 1 :]
            )
            key = (affected, frozenset(conditions))
            price = _money(rng, 5, 300)
            if clash or key in seen_rules:
                continue  # a rule that can never apply, or a twin, teaches nothing
            seen_rules.add(key)
            price_rules.append((affected, conditions, price))
            names = " and the ".join(parts[p][1][o].name for p, o in conditions)
            rule_descriptions.append(f"The {parts[affected[0]][1][affected[1]].name} costs less with the {names}.")

        spec = CategorySpec(
            name=name,
            slug=f"gen-s{seed}-{slugify(theme.plural)}-{index + 1}",
            noun=theme.singular,
            description=(
                f"{theme.plural}, ideal for {theme.uses[0]} and {theme.uses[1]}. "
                f"Configure the {', '.join(p.name.lower() for p in theme.parts)}."
            ),
            parts=parts,
            incompatibilities=incompatibilities,
            price_rules=price_rules,
            forbidden=forbidden,
            optional=optional,
            part_descriptions=part_descriptions,
            rule_descriptions=rule_descriptions,
            families=[self._family(rng) for _ in range(rng.randint(2, 3))],
        )
        self.themes[spec.slug] = theme
        return spec

    def product_text(self, rng: random.Random, spec: CategorySpec, picked: list[OptionSpec]) -> tuple[str, str]:
        """A name unique in this catalog (product line + model word, a number when taken) and a description."""
        base = f"{rng.choice(spec.families)} {rng.choice(MODEL_WORDS)}"
        name, number = base, 2
        while name in self.used_names:
            name, number = f"{base} {number}", number + 1
        self.used_names.add(name)
        first, second = rng.sample(picked, 2)
        use = rng.choice(self.themes[spec.slug].uses)
        description = (
            f"{rng.choice(OPENINGS)} {spec.noun} with the {first.name} and the {second.name}. Made for {use}."
        )
        return name, description
