"""The catalog's names as the built-in engine knows them: categories, parts, options and products loaded from
the database for one message (Vocabulary.load), each name with its everyday variants, and forgiving matching of
a message's words against them (plurals, hyphens, glued words, small misspellings). The tools resolve
names given by a model through the same lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from django.db.models import Q

from apps.ai_assistant.assistant.understanding.family_names import family_names
from apps.ai_assistant.assistant.understanding.part_words import GENERIC_PART_WORDS, shared_option_words
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, hyphens_glued, tokens_of
from apps.catalog.models import Category, Part, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

# Product names are matched only while the catalog is small enough to hold them in memory per message;
# in a larger catalog the search index finds products by name instead.
MAX_PRODUCT_NAMES = 2000

# Words after the start of a product's name that are tried as the rest of it ("Scooter 830").
MAX_NAME_TAIL = 4
_NAME_WORD_RE = re.compile(r"[^\s?!,;:]+")


# A few everyday names for categories, keyed by the stemmed category name.
CATEGORY_SYNONYMS: dict[str, list[str]] = {
    "bicycle": ["bike", "bicycle", "cycle"],
    "bike": ["bike", "bicycle", "cycle"],
    "ski": ["ski"],
    "surfboard": ["surfboard", "surf board", "surf"],
    "roller skate": ["skate", "roller skate", "rollerskate", "rollerblade"],
}


def _without_brackets(name: str) -> str:
    """`name` with each "(...)" replaced by a space, as re.sub(r"\\([^)]*\\)", " ", name) would do.

    Written out because that pattern is quadratic on a name of many "(" and no ")": each "(" scans to the end.
    """
    parts: list[str] = []
    position = 0
    while (start := name.find("(", position)) != -1 and (end := name.find(")", start)) != -1:
        parts.append(name[position:start])
        parts.append(" ")
        position = end + 1
    parts.append(name[position:])
    return "".join(parts)


def _as_id(value: object) -> int | None:
    """`value` as a primary key when it is one (an int, or up to 19 decimal digits), else None (a name)."""
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    # int() of thousands of digits is slow and refused beyond 4,300; no key has more than 19 digits.
    return int(value) if value.isdecimal() and len(value) <= 19 else None


@lru_cache(maxsize=65536)
def token_score(word: str, alias: str) -> float:
    """1 for the same stem, 0.9 for its "-ed" form, 0.8 for a small misspelling of a longer word, 0.7 for a
    word's start, else 0."""
    if word == alias:
        return 1.0
    if not alias.isalpha() or not word.isalpha() or word in STOP_WORDS:
        return 0.0
    if len(alias) >= 3 and any(word == alias + ending for ending in ("ed", "d")):
        # The name word as an adjective: "oiled" for "oil", "smoked" for "smoke" (not "-ing": "dialing in
        # espresso" describes a use, not the Stepless micrometric dial).
        return 0.9
    if len(word) >= 3 and len(alias) >= len(word) + 3 and alias.startswith(word):
        return 0.7  # a shortened word: "sus" for "suspension", "alu" for "aluminium"
    if len(alias) < 4 or len(word) < 4 or abs(len(alias) - len(word)) > 2:
        return 0.0
    if word[0] != alias[0]:
        # Misspellings keep the first letter; without this rule "instructions" read as "construction".
        return 0.0
    if len(word) == len(alias):
        diff = [i for i in range(len(word)) if word[i] != alias[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            a, b = diff
            if word[a] == alias[b] and word[b] == alias[a]:
                return 0.8  # two letters swapped: "lgihts", "claer", "Meuks"
    matcher = SequenceMatcher(None, word, alias)
    # quick_ratio is an upper bound of ratio: most pairs are ruled out without the full comparison.
    return 0.8 if matcher.quick_ratio() >= 0.82 and matcher.ratio() >= 0.82 else 0.0


# The last vocabulary Vocabulary.load built and the rows it was built from (one catalog at a time).
_last_loaded: dict[str, object] = {}


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    slug: str


@dataclass(frozen=True)
class PartInfo:
    id: int
    category_id: int
    name: str
    step: int
    required: bool


@dataclass(frozen=True)
class OptionInfo:
    id: int
    part_id: int
    category_id: int
    name: str
    price: Decimal
    in_stock: bool


@dataclass(frozen=True)
class ProductInfo:
    id: int
    category_id: int
    name: str


@dataclass(frozen=True)
class Term:
    kind: str  # "category" | "part" | "option" | "product"
    ref: int
    tokens: tuple[str, ...]


@dataclass
class Mention:
    """Terms found on one span of the message (several when a name is ambiguous)."""

    start: int
    end: int
    score: float
    terms: list[Term]
    linked: bool = False  # found by linking.py (part of a name, other words), not by a whole name


class Vocabulary:
    """The catalog's names, loaded from the database for one message."""

    def __init__(
        self,
        categories: list[CategoryInfo],
        parts: list[PartInfo],
        options: list[OptionInfo],
        products: list[ProductInfo],
        descriptions: dict[tuple[str, int], str] | None = None,
        product_names_held: bool = True,
    ) -> None:
        # False when the catalog has more products than MAX_PRODUCT_NAMES: their names are not in `products`.
        self.product_names_held = product_names_held
        self.categories = {c.id: c for c in categories}
        # ("category" | "part" | "option", id) -> its description: the catalog's own words for its names.
        self.descriptions = descriptions or {}
        self.parts = {p.id: p for p in parts}
        self.options = {o.id: o for o in options}
        self.products = {p.id: p for p in products}
        self.terms: list[Term] = []
        self._build_terms()
        self.__dict__.pop("_building_tokens", None)  # only the build asks for the same names again
        self._by_first: dict[str, list[Term]] = {}
        for term in dict.fromkeys(self.terms):
            self._by_first.setdefault(term.tokens[0], []).append(term)

    @classmethod
    def load(cls) -> Vocabulary:
        category_rows = list(Category.objects.filter(is_active=True))
        categories = [CategoryInfo(c.id, c.name, c.slug) for c in category_rows]
        active = {c.id for c in categories}
        part_rows = list(Part.objects.filter(category_id__in=active).order_by("category_id", "step", "id"))
        parts = [PartInfo(p.id, p.category_id, p.name, p.step, p.required) for p in part_rows]
        option_rows = list(
            PartOption.objects.filter(is_active=True, part__category_id__in=active).select_related("part")
        )
        options = [
            OptionInfo(o.id, o.part_id, o.part.category_id, o.name, o.default_price, o.in_stock) for o in option_rows
        ]
        descriptions = {
            **{("category", c.id): c.description for c in category_rows},
            **{("part", p.id): p.description for p in part_rows},
            **{("option", o.id): o.description for o in option_rows},
        }
        product_rows = PreConfiguredProduct.objects.filter(is_active=True, category_id__in=active)
        # Counted up to the limit only: a COUNT over 10,000 products cost more than the rest of the load.
        held = product_rows.order_by()[: MAX_PRODUCT_NAMES + 1].count() <= MAX_PRODUCT_NAMES
        products = (
            [ProductInfo(p.id, p.category_id, p.name) for p in product_rows.only("id", "category_id", "name")]
            if held
            else []
        )
        # The catalog as read now; when it is what the previous message read, that vocabulary is reused with
        # everything derived from it (terms, linking indexes, catalog words), so per-message work stays small.
        key = (held, tuple(categories), tuple(parts), tuple(options), tuple(products),
               tuple(sorted(descriptions.items())))
        cached = _last_loaded.get("vocabulary")
        if cached is not None and _last_loaded.get("key") == key:
            return cached
        vocabulary = cls(categories, parts, options, products, descriptions, held)
        _last_loaded.update(key=key, vocabulary=vocabulary)
        return vocabulary

    # -- names ----------------------------------------------------------------------------------
    def _tokens(self, text: str) -> tuple[str, ...]:
        """tokens_of(text), once per text while the terms are built (the same names come back many times)."""
        cache = self.__dict__.setdefault("_building_tokens", {})
        if text not in cache:
            cache[text] = tuple(tokens_of(text))
        return cache[text]

    def _add(self, kind: str, ref: int, text: str) -> None:
        toks = self._tokens(text)
        if not toks:
            return
        self.terms.append(Term(kind, ref, toks))
        if len(toks) > 1:
            # Glued spellings: "fullsuspension", "8speed", "fatbike".
            self.terms.append(Term(kind, ref, ("".join(toks),)))
        if glued := self._tokens(hyphens_glued(text)):  # "wifi controller": the Wi-Fi smart controller
            self.terms.append(Term(kind, ref, glued))

    def _head_nouns(self) -> dict[int, str]:
        """The last word of each category's name of several words ("Dining Tables": "table") when no other
        category's name ends with it and no part is named with it nor option ends with it: customers say "tables"
        (an "Under-desk drawer" does not keep "desks" from naming the Standing Desks)."""
        heads: dict[str, list[int]] = {}
        for cat in self.categories.values():
            toks = self._tokens(cat.name)
            if len(toks) > 1:
                heads.setdefault(toks[-1], []).append(cat.id)
        named = {t for part in self.parts.values() for t in self._tokens(part.name)}
        named |= {self._tokens(option.name)[-1] for option in self.options.values() if self._tokens(option.name)}
        return {ids[0]: head for head, ids in heads.items() if len(ids) == 1 and head not in named}

    def _build_terms(self) -> None:
        heads = self._head_nouns()
        taken = {tuple(self._tokens(x.name)) for x in [*self.parts.values(), *self.options.values()]}
        other_names = family_names(self.categories.values(), self.descriptions, taken)  # "drum sets"
        for cat in self.categories.values():
            names = {cat.name, cat.slug.replace("-", " ")}
            key = " ".join(self._tokens(cat.name))
            names.update(CATEGORY_SYNONYMS.get(key, []))
            if cat.id in heads:
                names.add(heads[cat.id])
            for name in names | set(other_names.get(cat.id, [])):
                self._add("category", cat.id, name)
        part_words: dict[int, set[str]] = {}
        for part in self.parts.values():
            self._add("part", part.id, part.name)
            words = {t for t in self._tokens(part.name) if t not in GENERIC_PART_WORDS and len(t) >= 3}
            part_words[part.id] = words
            for word in words:
                self._add("part", part.id, word)
        for part_id, word in shared_option_words(self.parts, self.options.values(), part_words).items():
            self._add("part", part_id, word)  # "covers" asks for the Upholstery part's "... cover" options
        for opt in self.options.values():
            self._add("option", opt.id, opt.name)
            # "Indoor wheels (95A)" is also "indoor wheels" and "indoor".
            plain = _without_brackets(opt.name)
            toks = self._tokens(plain)
            if plain.strip() != opt.name.strip():
                self._add("option", opt.id, plain)
            words = part_words.get(opt.part_id, set())
            if len(toks) > 1 and toks[-1] in words:
                # "Road wheels" is also "road"; "8-speed chain" is also "8 speed".
                self._add("option", opt.id, " ".join(toks[:-1]))
            for word in words:
                if word not in toks:
                    # "red rims", "matte finish", "diamond frame".
                    self._add("option", opt.id, f"{' '.join(toks)} {word}")
        for prod in self.products.values():
            self._add("product", prod.id, prod.name)

    # -- lookups used by the tools --------------------------------------------------------------
    def find_category(self, value: str | int | None) -> CategoryInfo | None:
        """A category by id, name, slug or everyday name ("bikes")."""
        if value is None or value == "":
            return None
        if (pk := _as_id(value)) is not None:
            return self.categories.get(pk)
        mentions = self.match(str(value), kinds={"category"})
        for mention in mentions:
            return self.categories[mention.terms[0].ref]
        return None

    def find_part(self, category_id: int | None, value: str | int) -> PartInfo | None:
        if (pk := _as_id(value)) is not None:
            part = self.parts.get(pk)
            return part if part and (category_id is None or part.category_id == category_id) else None
        for mention in self.match(str(value), kinds={"part", "option"}):
            for term in mention.terms:
                part_id = term.ref if term.kind == "part" else self.options[term.ref].part_id
                if category_id is None or self.parts[part_id].category_id == category_id:
                    return self.parts[part_id]
        return None

    def products_named(self, name: str) -> list[ProductInfo]:
        """Active products called exactly `name` (any case). The vocabulary holds product names only up to
        MAX_PRODUCT_NAMES; beyond, a name the message holds is looked up in the database."""
        if self.product_names_held:
            wanted = " ".join(tokens_of(name))
            return [p for p in self.products.values() if " ".join(tokens_of(p.name)) == wanted]
        rows = PreConfiguredProduct.objects.filter(is_active=True, name__iexact=name.strip()[:200])
        return [ProductInfo(p.id, p.category_id, p.name) for p in rows.only("id", "category_id", "name")[:5]]

    def products_named_in(self, message: str, start: str) -> list[ProductInfo]:
        """Active products whose whole name the message writes from `start` on (the words unknown_names.py cut
        out: "Polaris Drift" of "… the Polaris Drift Scooter 830?"), any case; the longest name first. Looked up
        in the database when the vocabulary does not hold the names: the message's next few words are tried as
        whole names (an exact, bounded look-up, however many products share the first words)."""
        if self.product_names_held:
            return self.products_named(start)
        words = [w.rstrip(".") for w in _NAME_WORD_RE.findall(message)]
        first = [w.rstrip(".") for w in _NAME_WORD_RE.findall(start)]
        lowered = [w.lower() for w in words]
        size = len(first)
        at = next((i for i in range(len(words) - size + 1)
                   if size and lowered[i : i + size] == [w.lower() for w in first]), None)
        if at is None:
            return []
        names = [" ".join(words[at:end]) for end in range(at + size, min(at + size + MAX_NAME_TAIL, len(words)) + 1)]
        query = Q()
        for name in names:
            query |= Q(name__iexact=name[:200])
        rows = PreConfiguredProduct.objects.filter(query, is_active=True).only("id", "category_id", "name")[:5]
        return sorted((ProductInfo(p.id, p.category_id, p.name) for p in rows), key=lambda p: -len(p.name))

    def find_option(self, category_id: int | None, value: str | int) -> OptionInfo | None:
        if (pk := _as_id(value)) is not None:
            opt = self.options.get(pk)
            return opt if opt and (category_id is None or opt.category_id == category_id) else None
        for mention in self.match(str(value), kinds={"option"}):
            candidates = [self.options[t.ref] for t in mention.terms]
            candidates = [o for o in candidates if category_id is None or o.category_id == category_id]
            if candidates:
                return candidates[0]
        return None

    def part_options(self, part_id: int) -> list[OptionInfo]:
        return [o for o in self.options.values() if o.part_id == part_id]

    def category_parts(self, category_id: int) -> list[PartInfo]:
        return sorted((p for p in self.parts.values() if p.category_id == category_id), key=lambda p: (p.step, p.id))

    # -- matching -------------------------------------------------------------------------------
    def match(self, text: str, kinds: set[str] | None = None) -> list[Mention]:
        """Non-overlapping mentions of catalog names in `text`, longest first, in message order."""
        words = tokens_of(text)
        found: list[Mention] = []
        # Terms are grouped by their first token, so each word is compared with each distinct first token
        # once, and only the terms whose first token matched are checked further.
        first_matches = {
            word: [
                (first, score) for first in self._by_first
                # A word's start counts only after a whole first word ("full sus"): alone, "free" is not
                # "Freerider" and "trail" is not "Trail Blazer FS".
                if (score := token_score(word, first)) >= 0.8
            ]
            for word in set(words)
        }
        # The terms to try after a first token, with their lengths, made once per call (a long message
        # meets the same first tokens over and over).
        plans: dict[str, list[tuple[Term, tuple[str, ...], int]]] = {}
        n_words = len(words)
        for start, word in enumerate(words):
            for first, first_score in first_matches[word]:
                plan = plans.get(first)
                if plan is None:
                    plan = plans[first] = [
                        (term, term.tokens, len(term.tokens))
                        for term in self._by_first[first]
                        if not kinds or term.kind in kinds
                    ]
                for term, tokens, n in plan:
                    if start + n > n_words:
                        continue
                    score = first_score * len(first)
                    for offset in range(1, n):
                        word_at, token = words[start + offset], tokens[offset]
                        word_score = 1.0 if word_at == token else token_score(word_at, token)
                        if not word_score:
                            break
                        score += word_score * len(token)
                    else:
                        found.append(Mention(start, start + n, score, [term]))
        found.sort(key=lambda m: (-(m.end - m.start), -m.score, m.start))
        # Accepted spans by (start, end) and the words they cover: each candidate is checked in the time of
        # its own length, not against every accepted span (quadratic in a message of one word repeated).
        accepted: dict[tuple[int, int], Mention] = {}
        covered = [False] * len(words)
        for cand in found:
            same = accepted.get((cand.start, cand.end))
            if same is not None:
                if abs(same.score - cand.score) < 1e-9 and cand.terms[0] not in same.terms:
                    same.terms.append(cand.terms[0])
                continue
            if any(covered[cand.start : cand.end]):
                continue
            covered[cand.start : cand.end] = [True] * (cand.end - cand.start)
            accepted[(cand.start, cand.end)] = cand
        return sorted(accepted.values(), key=lambda m: m.start)
