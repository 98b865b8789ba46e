"""Ways a customer names a catalog thing, each checked to still point at that one thing.

A mention of an option may be its full name, part of it, its words in another order, a plural, a typo,
or a synonym the catalog's own description gives ("Also known as: soft wheels."). A mention is kept only
when its words fit the intended option (name or synonym) and no other option in scope, so the label stays true.
"""

from __future__ import annotations

import random
import re

from bench.assistant_eval.catalog_facts import OptionFact, PartFact

TYPO_SHARE = 0.15  # of mentions misspelt
_WORD = re.compile(r"[a-z0-9]+(?:[.\-/][a-z0-9]+)*")
_SIZE = re.compile(r"^(?:size\s)?\d+(?:\.\d+)?\s?[a-z]*\s", re.IGNORECASE)  # "60 mm ", "8.0 inch ", "20D "
_ALSO = re.compile(r"also known as:\s*([^.]+(?:\.\d[^.]*)?)\.", re.IGNORECASE)
_CALLED = re.compile(r"also called:\s*([^)]+)\)", re.IGNORECASE)


def words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith(("shes", "ches", "xes")):
        return word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def plural(text: str) -> str:
    if text.endswith(("s", "sh", "ch", "x")):
        return text + "es" if not text.endswith("s") else text
    return text + "s"


def synonyms_of(option: OptionFact) -> list[str]:
    """The other names the option's description gives it."""
    return [s.strip() for match in _ALSO.findall(option.description) for s in match.split(",") if s.strip()]


def part_synonyms(part: PartFact) -> list[str]:
    return [s.strip() for match in _CALLED.findall(part.description) for s in match.split(",") if s.strip()]


def _fits(mention: str, option: OptionFact) -> bool:
    wanted = words(mention)
    return any(wanted <= words(name) for name in [option.name, *synonyms_of(option)])


def identifies(mention: str, option: OptionFact, scope: list[OptionFact]) -> bool:
    """The mention fits this option and no other option of the scope."""
    return _fits(mention, option) and not any(_fits(mention, other) for other in scope if other.id != option.id)


def typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters inside the longest word of 5+ letters (unchanged when there is none)."""
    tokens = text.split(" ")
    candidates = [i for i, t in enumerate(tokens) if t.isalpha() and len(t) >= 5]
    if not candidates:
        return text
    i = max(candidates, key=lambda k: len(tokens[k]))
    word = tokens[i]
    j = rng.randrange(1, len(word) - 2)
    tokens[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(tokens)


def _variants(option: OptionFact, part: PartFact) -> list[tuple[str, str]]:
    name = option.name
    lower = name[0].lower() + name[1:] if not name[:2].isupper() else name
    noun = part.name.lower()
    variants = [("full", lower)]
    size = _SIZE.match(name)
    rest = name[size.end():] if size else name
    # No "x, y" orders: inside a list of options a comma would split one option into two.
    if size:
        rest_text = rest.lower() if not rest[:2].isupper() else rest
        variants.append(("reordered", f"{rest_text} ({size.group(0).strip()})"))
        variants.append(("reordered", f"{rest_text} of {size.group(0).strip()}"))
        variants.append(("partial", rest_text))
    tokens = lower.split(" ")
    noun_tokens = noun.split(" ")
    if len(tokens) > len(noun_tokens) and tokens[-len(noun_tokens):] == noun_tokens:
        head = " ".join(tokens[: -len(noun_tokens)])
        if len(head.split()) >= 2:  # "the manual" alone would not read as a steam wand
            variants.append(("partial", head))
    if len(tokens) >= 3 and not size:
        variants.append(("partial", " ".join(tokens[1:])))
    for synonym in synonyms_of(option):
        variants.append(("synonym", synonym))
    if not lower.endswith("s"):
        variants.append(("plural", plural(lower)))
    return variants


def option_mention(
    option: OptionFact, part: PartFact, scope: list[OptionFact], rng: random.Random, *, styles: tuple[str, ...]
) -> tuple[str, str]:
    """One mention of the option (style, text) in one of `styles` that identifies it in `scope`; falls back
    to the full name. Style "typo" misspells a mention of another style."""
    candidates = [(s, t) for s, t in _variants(option, part) if s in styles and identifies(t, option, scope)]
    if "typo" in styles and rng.random() < TYPO_SHARE:
        base = rng.choice(candidates or [("full", option.name.lower())])
        misspelt = typo(base[1], rng)
        if misspelt != base[1]:
            return "typo", misspelt
    if not candidates:
        return "full", option.name if option.name[:2].isupper() else option.name.lower()
    return rng.choice(candidates)


def part_mention(part: PartFact, rng: random.Random) -> str:
    return rng.choice([part.name.lower(), *part_synonyms(part)])


def join_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
