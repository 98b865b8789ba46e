"""The demo catalog's data file: reading it, checking its shape and checking that it agrees with itself.

The data lives in `apps/catalog/demo/demo_catalog.json`, a format of our own (not a loaddata fixture) that
names every row by its natural key, so the file never mentions a database id:

    {"categories": [
        {"name": "Bicycles", "slug": "bicycles", "description": "...",
         "parts": [{"name": "Frame type", "step": 1, "description": "...", "required": true,   # optional
                    "options": [{"name": "Diamond", "price": "100.00", "description": "...",
                                 "in_stock": true}]}],                                        # optional
         "incompatibilities": [{"option": "Mountain wheels", "incompatible_with": "Diamond", "message": "..."}],
         "price_rules": [{"option": "Matte", "when": ["Diamond"], "price": "35.00", "description": "..."}],
         "products": [{"name": "Fat Tire Explorer", "options": ["Diamond", "Matte", "..."], "description": "..."}]}
    ]}

Option names are unique within a category, so rules and products refer to options by name alone; a product's
slug is its slugified name. Prices are decimal strings ("40.00"), never JSON numbers, so no float rounding
creeps in. `read_demo_catalog()` returns the data with prices as `Decimal` and the optional flags filled in,
or raises `DemoCatalogError` naming every bad entry.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.text import slugify

DEMO_CATALOG_FILE = Path(__file__).resolve().parent.parent / "demo" / "demo_catalog.json"


class DemoCatalogError(ValueError):
    """The demo data is unreadable or contradicts itself (unknown name, invalid product configuration, ...)."""


_PRICE = re.compile(r"-?\d+(\.\d+)?")

# What a value must be: a test and the words for the error message.
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "text": (lambda v: isinstance(v, str), "a string"),
    "step": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number of 0 or more"),
    "flag": (lambda v: isinstance(v, bool), "true or false"),
    "price": (lambda v: isinstance(v, str) and _PRICE.fullmatch(v) is not None, 'a decimal string such as "40.00"'),
    "names": (
        lambda v: isinstance(v, list) and all(isinstance(n, str) and n.strip() for n in v),
        "a list of option names",
    ),
    "list": (lambda v: isinstance(v, list), "a list"),
}

# Per kind of entry: key -> (kind of value, required). Lists of entries are checked entry by entry below.
_CATEGORY = {
    "name": ("name", True),
    "slug": ("name", True),
    "description": ("text", True),
    "parts": ("list", True),
    "incompatibilities": ("list", True),
    "price_rules": ("list", True),
    "products": ("list", True),
}
_PART = {
    "name": ("name", True),
    "step": ("step", True),
    "required": ("flag", False),
    "description": ("text", True),
    "options": ("list", True),
}
_OPTION = {"name": ("name", True), "price": ("price", True), "description": ("text", True), "in_stock": ("flag", False)}
_INCOMPATIBILITY = {"option": ("name", True), "incompatible_with": ("name", True), "message": ("text", True)}
_PRICE_RULE = {
    "option": ("name", True),
    "when": ("names", True),
    "price": ("price", True),
    "description": ("text", True),
}
_PRODUCT = {"name": ("name", True), "options": ("names", True), "description": ("text", True)}


def read_demo_catalog(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The categories of the data file (default `DEMO_CATALOG_FILE`), shape-checked, prices as Decimal."""
    path = Path(path) if path is not None else DEMO_CATALOG_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DemoCatalogError(f"Cannot read the demo catalog {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DemoCatalogError(f"The demo catalog {path} is not valid JSON: {exc}") from exc
    problems = _shape_problems(raw)
    if problems:
        raise DemoCatalogError(f"Invalid demo catalog file {path}:\n  " + "\n  ".join(problems))
    categories = raw["categories"]
    for category in categories:
        for part in category["parts"]:
            part.setdefault("required", True)
            for option in part["options"]:
                option.setdefault("in_stock", True)
                option["price"] = Decimal(option["price"])
        for rule in category["price_rules"]:
            rule["price"] = Decimal(rule["price"])
    return categories


def _shape_problems(raw: Any) -> list[str]:
    """Every entry that is not an object of the expected keys and value kinds, named by its place and name."""
    problems: list[str] = []
    if not _check_entry(raw, {"categories": ("list", True)}, "the file", problems):
        return problems
    for c, category in enumerate(raw["categories"]):
        where = _where(f"categories[{c}]", category)
        if not _check_entry(category, _CATEGORY, where, problems):
            continue
        for p, part in enumerate(category["parts"]):
            part_where = _where(f"{where} / parts[{p}]", part)
            if _check_entry(part, _PART, part_where, problems):
                for o, option in enumerate(part["options"]):
                    _check_entry(option, _OPTION, _where(f"{part_where} / options[{o}]", option), problems)
        for i, rule in enumerate(category["incompatibilities"]):
            _check_entry(rule, _INCOMPATIBILITY, f"{where} / incompatibilities[{i}]", problems)
        for i, rule in enumerate(category["price_rules"]):
            _check_entry(rule, _PRICE_RULE, _where(f"{where} / price_rules[{i}]", rule, "option"), problems)
        for i, product in enumerate(category["products"]):
            _check_entry(product, _PRODUCT, _where(f"{where} / products[{i}]", product), problems)
    return problems


def _where(place: str, entry: Any, key: str = "name") -> str:
    name = entry.get(key) if isinstance(entry, dict) else None
    return f"{place} ({name!r})" if isinstance(name, str) else place


def _check_entry(entry: Any, spec: dict[str, tuple[str, bool]], where: str, problems: list[str]) -> bool:
    """Append what is wrong with one entry; True when it is fine (so its own lists can be checked)."""
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be an object, got {json.dumps(entry)[:60]}")
        return False
    before = len(problems)
    unknown = sorted(set(entry) - set(spec))
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    for key, (kind, required) in spec.items():
        if key not in entry:
            if required:
                problems.append(f"{where}: {key!r} is missing")
            continue
        test, expected = _KINDS[kind]
        if not test(entry[key]):
            problems.append(f"{where}: {key!r} must be {expected}, got {json.dumps(entry[key])[:60]}")
    return len(problems) == before


def validate_demo_catalog(catalog: list[dict[str, Any]] | None = None) -> None:
    """Raise DemoCatalogError listing every inconsistency in the data (default: the data file); writes nothing."""
    if catalog is None:
        catalog = read_demo_catalog()
    problems: list[str] = []
    for category in catalog:
        cname = category["name"]
        part_of: dict[str, str] = {}
        for part in category["parts"]:
            for option in part["options"]:
                if option["name"] in part_of:
                    problems.append(f"{cname}: option name {option['name']!r} is used twice")
                part_of[option["name"]] = part["name"]
                if option["price"] < 0:
                    problems.append(f"{cname}: option {option['name']!r} has a negative price")
        required_parts = {part["name"] for part in category["parts"] if part.get("required", True)}
        all_parts = {part["name"] for part in category["parts"]}

        forbidden: dict[frozenset[str], str] = {}
        for rule in category["incompatibilities"]:
            a, b = rule["option"], rule["incompatible_with"]
            if a not in part_of or b not in part_of:
                problems.append(f"{cname}: incompatibility {a!r} ✗ {b!r} names an unknown option")
            elif part_of[a] == part_of[b]:
                problems.append(f"{cname}: incompatibility {a!r} ✗ {b!r} is within one part")
            forbidden[frozenset((a, b))] = f"{a} ✗ {b}"

        for rule in category["price_rules"]:
            names = [rule["option"], *rule["when"]]
            unknown = [name for name in names if name not in part_of]
            if unknown:
                problems.append(f"{cname}: price rule for {rule['option']!r} names unknown options {unknown}")
            elif part_of[rule["option"]] in {part_of[name] for name in rule["when"]}:
                problems.append(f"{cname}: price rule for {rule['option']!r} is conditioned on its own part")
            if not rule["when"]:
                problems.append(f"{cname}: price rule for {rule['option']!r} has no condition")

        for product in category["products"]:
            pname, chosen = product["name"], product["options"]
            unknown = [name for name in chosen if name not in part_of]
            if unknown:
                problems.append(f"{cname} / {pname}: unknown options {unknown}")
                continue
            per_part = Counter(part_of[name] for name in chosen)
            doubled = sorted(part for part, count in per_part.items() if count > 1)
            missing = sorted(required_parts - per_part.keys())
            if doubled:
                problems.append(f"{cname} / {pname}: more than one option for {doubled}")
            if missing:
                problems.append(f"{cname} / {pname}: no option for required parts {missing}")
            if per_part.keys() - all_parts:
                problems.append(f"{cname} / {pname}: options of unknown parts")
            for i, a in enumerate(chosen):
                for b in chosen[i + 1 :]:
                    if frozenset((a, b)) in forbidden:
                        problems.append(f"{cname} / {pname}: incompatible options {forbidden[frozenset((a, b))]}")
            if not product.get("description", "").strip():
                problems.append(f"{cname} / {pname}: no description")
    slugs = Counter(slugify(p["name"]) for c in catalog for p in c["products"])
    problems.extend(f"product slug {slug!r} is used twice" for slug, count in slugs.items() if count > 1)
    if problems:
        raise DemoCatalogError("Invalid demo catalog:\n  " + "\n  ".join(problems))
