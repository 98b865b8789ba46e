"""The in-memory plan of a synthetic category (parts, options, rules) that `synthetic_catalog` writes.

A naming style (`synthetic_catalog` for "plain", `synthetic_rich` for "rich") draws these plans from the seed's
random generator; the writer turns them into rows. Parts and options are referred to by index.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class OptionSpec:
    name: str
    description: str
    price: Decimal
    in_stock: bool


@dataclass
class CategorySpec:
    name: str
    slug: str
    noun: str
    description: str
    parts: list[tuple[str, list[OptionSpec]]]
    incompatibilities: list[tuple[tuple[int, int], tuple[int, int], str]]  # (part, option) pairs
    price_rules: list[tuple[tuple[int, int], list[tuple[int, int]], Decimal]]
    forbidden: set[frozenset[tuple[int, int]]] = field(default_factory=set)
    optional: set[int] = field(default_factory=set)  # indexes of parts a product may leave out
    part_descriptions: list[str] = field(default_factory=list)  # empty: no descriptions
    rule_descriptions: list[str] = field(default_factory=list)  # of price_rules, same order; empty: none
    families: list[str] = field(default_factory=list)  # invented product-line names (rich style)


def pick_configuration(rng: random.Random, spec: CategorySpec) -> list[int | None]:
    """One option index per part (None: an optional part left out) with no incompatible pair.

    Greedy; the last option of a part never takes part in an incompatibility, so every part finds one.
    A required-only spec draws exactly what the plain style always drew (its catalogs stay the same).
    """
    chosen: list[int | None] = []
    for part_index, (_name, options) in enumerate(spec.parts):
        if part_index in spec.optional and rng.random() < 0.5:
            chosen.append(None)
            continue
        candidates = list(range(len(options)))
        rng.shuffle(candidates)
        for option_index in candidates:
            pair_ok = all(
                chosen[earlier] is None
                or frozenset(((part_index, option_index), (earlier, chosen[earlier]))) not in spec.forbidden
                for earlier in range(part_index)
            )
            if pair_ok:
                chosen.append(option_index)
                break
    return chosen
